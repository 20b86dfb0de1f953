/*
 * pretty.h -- commits as git log and show print them: the medium and
 * oneline formats and --format=<fmt> placeholders (vcs/pretty.c).
 *
 * Threads: every call uses only its arguments; several may run at once on
 * one vcs_repo (object reads are lock-free).
 */
#ifndef VCS_PRETTY_H
#define VCS_PRETTY_H

#include <stddef.h>

#include "vcs.h"

/** Output formats of vcs_pretty_commit(). */
typedef enum vcs_pretty {
	VCS_PRETTY_MEDIUM,     /**< git log's default */
	VCS_PRETTY_ONELINE,    /**< "<abbrev> <subject>" */
	VCS_PRETTY_FORMAT      /**< --format=<fmt>: %H %h %T %t %P %p %an
	                            %ae %ad %at %cn %ce %cd %ct %s %b %B %n %% */
} vcs_pretty;

/**
 * vcs_pretty_commit -- append one commit as git log prints it (medium:
 * "commit <id>", "Merge: <a> <b>", "Author: ", "Date:   " in the author's
 * zone, the message indented by 4; no separator line).
 * @param[in] format  the --format string for VCS_PRETTY_FORMAT.
 * @param[in] abbrev  digits of abbreviated ids (%h, %t, %p, Merge:,
 *  oneline); 0 = vcs_default_abbrev(repo), computed per call: callers
 *  printing many commits pass it once computed.
 * @return 0, PMDB_ENOMEM, or the error of an id lookup that failed
 *  (vcs_oid_abbrev_checked).
 */
int vcs_pretty_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
		      const vcs_commit *c, vcs_pretty how, const char *format,
		      int abbrev);

/** vcs_pretty_date -- git's default date ("Tue Nov 14 23:13:20 2023
 *  +0100") for "<epoch> <+hhmm>". */
int vcs_pretty_date(vcs_str *out, const char *epoch_tz);

/** vcs_ident_split -- split "Name <email> <epoch> <tz>" into its parts
 *  (pointers into ident; lengths exclude delimiters). 0 or EINVAL. */
int vcs_ident_split(const char *ident, const char **name, size_t *nlen,
		    const char **email, size_t *elen, const char **date);

#endif /* VCS_PRETTY_H */
