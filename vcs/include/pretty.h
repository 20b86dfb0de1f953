/*
 * pretty.h -- commits as git log and show print them: git's named formats
 * (oneline, short, medium, full, fuller, raw, email, mboxrd, reference),
 * --format=<fmt> placeholders and --date=<mode> (vcs/pretty.c,
 * vcs/pretty_date.c).
 *
 * Threads: every call uses only its arguments; several may run at once on
 * one vcs_repo (object reads are lock-free). vcs_date_format() with a
 * local mode reads the process's TZ (localtime_r).
 */
#ifndef VCS_PRETTY_H
#define VCS_PRETTY_H

#include <stddef.h>

#include "vcs.h"

/** Output formats of vcs_pretty_commit(), git's CMIT_FMT_*. */
typedef enum vcs_pretty {
	VCS_PRETTY_MEDIUM,     /**< git log's default */
	VCS_PRETTY_ONELINE,    /**< "<id> <subject>" */
	VCS_PRETTY_FORMAT,     /**< --format=<fmt> (see vcs_pretty_commit) */
	VCS_PRETTY_SHORT,      /**< Author: and the title only */
	VCS_PRETTY_FULL,       /**< Author: and Commit:, no dates */
	VCS_PRETTY_FULLER,     /**< with AuthorDate: and CommitDate: */
	VCS_PRETTY_RAW,        /**< the commit's header lines as stored */
	VCS_PRETTY_EMAIL,      /**< as git format-patch: From/Date/Subject */
	VCS_PRETTY_MBOXRD,     /**< email, body lines ">*From " quoted */
	VCS_PRETTY_REFERENCE   /**< "<abbrev> (<subject>, <short date>)" */
} vcs_pretty;

/** --date=<mode> */
typedef enum vcs_date_mode {
	VCS_DATE_DEFAULT,      /**< "Tue Nov 14 23:13:20 2023 +0100" */
	VCS_DATE_ISO,          /**< "2023-11-14 23:13:20 +0100" */
	VCS_DATE_ISO_STRICT,   /**< "2023-11-14T23:13:20+01:00" */
	VCS_DATE_RFC,          /**< "Tue, 14 Nov 2023 23:13:20 +0100" */
	VCS_DATE_SHORT,        /**< "2023-11-14" */
	VCS_DATE_RAW,          /**< "1700000000 +0100" */
	VCS_DATE_UNIX,         /**< "1700000000" */
	VCS_DATE_RELATIVE,     /**< "3 hours ago" (see vcs_date.now) */
	VCS_DATE_STRFTIME      /**< format:<strftime> */
} vcs_date_mode;

/** A date mode with git's "-local" suffix and format:<fmt> argument. */
typedef struct vcs_date {
	vcs_date_mode mode;
	int local;             /**< in the local zone (TZ), not the commit's */
	const char *strftime;  /**< VCS_DATE_STRFTIME: borrowed, not copied */
	long long now;         /**< relative: "now" (git's GIT_TEST_DATE_NOW,
	                            read by the caller: in the server, the
	                            client's); 0 = the clock */
} vcs_date;

/** How vcs_pretty_commit() prints; zero-initialised is git log's
 *  default (medium, default dates, default abbreviation). */
typedef struct vcs_pretty_opts {
	vcs_pretty how;
	const char *format;    /**< VCS_PRETTY_FORMAT: borrowed */
	int abbrev;            /**< digits of abbreviated ids; 0 =
	                            vcs_default_abbrev(repo) per call:
	                            callers printing many commits set it */
	int abbrev_commit;     /**< --abbrev-commit: the commit's own id
	                            abbreviated (oneline, "commit <id>") */
	vcs_date date;         /**< --date: %ad %cd, Date: lines */
	int date_given;        /**< --date was given (reference's default
	                            is short) */
	const struct vcs_decor *decor; /**< refs for %d %D and decorate
	                            (decorate.h); NULL: none shown */
	int decorate;          /**< --decorate: " (refs)" after the id in
	                            the named formats */
	int boundary;          /**< a --boundary commit: git's "- " mark
	                            before the id, and "-" as %m */
	int left;              /**< left of A...B: "<" as %m (else ">") */
} vcs_pretty_opts;

/**
 * vcs_pretty_parse -- read --pretty=<arg> / --format=<arg> as git's
 * get_commit_format: "format:" (separator), "tformat:" (terminator), a
 * string with '%' (tformat), or a prefix of a named format (the shortest
 * name it begins wins).
 * @param[out] o  how and format (borrowed from arg); *tformat: a newline
 *  ends each entry rather than separating entries.
 * @return 0, or PMDB_EINVAL for an unknown format (git: "invalid
 *  --pretty format: <arg>", exit 128).
 */
int vcs_pretty_parse(vcs_pretty_opts *o, const char *arg, int *tformat);

/**
 * vcs_pretty_commit -- append one commit in the format o describes.
 * Named formats end in '\n' (no separator line; git prints one between
 * entries, except for oneline and reference). --format placeholders:
 * %H %h %T %t %P %p, %an %aN %ae %aE %al %aL %ad %aD %ai %aI %as %at %ar
 * and %c* alike, %s %f %b %B %e %n %% %xNN, %C(...) (no colour: prints
 * nothing), %m ('>'); others are copied literally, as git does.
 * @param[in] o  NULL: medium with the defaults.
 * @return 0, PMDB_ENOMEM, or the error of an id lookup that failed
 *  (vcs_oid_abbrev_checked).
 */
int vcs_pretty_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
		      const vcs_commit *c, const vcs_pretty_opts *o);

/** vcs_date_parse -- read --date=<arg> into d (d->strftime borrows
 *  arg; d->now is left as it was). 0, or PMDB_EINVAL (git: "unknown
 *  date format <arg>"). */
int vcs_date_parse(vcs_date *d, const char *arg);

/** vcs_date_format -- append "<epoch> <+hhmm>" in mode d (NULL: git's
 *  default). 0 or PMDB_ENOMEM. */
int vcs_date_format(vcs_str *out, const char *epoch_tz, const vcs_date *d);

/** vcs_pretty_date -- git's default date ("Tue Nov 14 23:13:20 2023
 *  +0100") for "<epoch> <+hhmm>". */
int vcs_pretty_date(vcs_str *out, const char *epoch_tz);

/** vcs_ident_split -- split "Name <email> <epoch> <tz>" into its parts
 *  (pointers into ident; lengths exclude delimiters). 0 or EINVAL. */
int vcs_ident_split(const char *ident, const char **name, size_t *nlen,
		    const char **email, size_t *elen, const char **date);

#endif /* VCS_PRETTY_H */
