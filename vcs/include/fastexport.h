/*
 * fastexport.h -- write a repository's history as a git fast-import stream
 * (vcs/fastexport.c), as `git fast-export` 2.39 does with --reencode=no:
 * commits in topological order (parents first), each preceded by the
 * blobs it introduces (with marks), file changes against the first
 * exported parent, `reset` for refs whose tip was written under another
 * name, and annotated tags last. `pmvcs fast-export --all | git
 * fast-import` rebuilds the same ids in a repository of the same format.
 *
 * Threads: an export only reads the pool; it may run beside a writer.
 */
#ifndef VCS_FASTEXPORT_H
#define VCS_FASTEXPORT_H

#include <stdio.h>

#include "vcs.h"

enum fe_signed_mode {           /* --signed-tags */
	FE_SIGNED_ABORT = 0, FE_SIGNED_VERBATIM, FE_SIGNED_WARN,
	FE_SIGNED_STRIP, FE_SIGNED_WARN_STRIP
};
enum fe_reencode_mode {         /* --reencode (default: no) */
	FE_REENCODE_NO = 0, FE_REENCODE_YES, FE_REENCODE_ABORT
};
enum fe_tagf_mode {             /* --tag-of-filtered-object */
	FE_TAGF_ABORT = 0, FE_TAGF_DROP, FE_TAGF_REWRITE
};

/** Options of one export. Zero-initialise, then set what is needed. */
typedef struct fe_opts {
	const char *cwd;            /**< base of relative marks paths */
	int all;                    /**< --all: every ref but HEAD */
	const char *const *revs;    /**< "<ref>", "A..B", "^A" */
	size_t nrevs;
	const char *import_marks;   /**< --import-marks=<file> */
	const char *export_marks;   /**< --export-marks=<file> */
	int signed_tags;            /**< enum fe_signed_mode */
	int reencode;               /**< enum fe_reencode_mode */
	int tag_filtered;           /**< enum fe_tagf_mode */
	int no_data;                /**< --no-data: blobs by id, not written */
	int use_done;               /**< --use-done-feature: "feature done"
	                             *   first, "done" last, only on success */
	int ref_excluded;           /**< --reference-excluded-parents: a
	                             *   parent or ref excluded by a negative
	                             *   revision is named by its id (a tag's
	                             *   target is not, as in git)
	                             *   ("from <id>"), so the stream applies on
	                             *   top of a repository that has it */
	FILE *out, *err;
} fe_opts;

/**
 * fe_export -- write the stream for o's revisions on o->out.
 * A failure is never an answer: every failed read, allocation or write
 * ends the export with 128, never with a shorter stream and 0. Refs,
 * marks and the commit walk are all resolved before the first byte is
 * written, so those failures leave o->out empty; a failure while writing
 * (reading a blob or tree, a full disk) cannot unwrite what went out, but
 * the stream then never ends with "done" (o->use_done) and the marks file
 * is left as it was.
 * @return exit code: 0, or 128 after "pmvcs: fast-export: <cause>" on
 *  o->err (unknown revision, unreadable object or ref, out of memory,
 *  write error, signed tag or filtered tag target in abort mode, nested
 *  tag).
 */
int fe_export(vcs_repo *repo, const fe_opts *o);

#endif /* VCS_FASTEXPORT_H */
