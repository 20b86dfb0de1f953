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

/* ------------------------------------------------------------------ */
/* Private to vcs/fastexport*.c                                        */
/* ------------------------------------------------------------------ */

#define FE_MARKED   0x1u   /* has a mark (written or imported) */
#define FE_UNINT    0x2u   /* reachable from a negative revision */
#define FE_VISITED  0x4u   /* queued by the walk */
#define FE_COMMIT   0x8u   /* a commit (marks files list commits only) */

/** One object seen: oid -> mark and flags (open-addressing table). */
typedef struct fe_obj {
	pmdb_oid oid;
	uint32_t mark;
	uint32_t flags;
} fe_obj;

/** One positive ref, resolved before anything is written. */
typedef struct fe_ref {
	char *name;
	pmdb_oid oid;          /* ref value */
	pmdb_otype type;       /* type of the ref value */
	int has_commit;        /* the value peels (through tags) to commit */
	pmdb_oid commit;       /* that commit */
	uint32_t last_mark;    /* last commit written as "commit <name>" */
} fe_ref;

/** One queued file change of the commit being written. */
typedef struct fe_change {
	char op;               /* 'D' or 'M' */
	uint32_t mode;
	pmdb_oid oid;
	size_t off, len;       /* path in fe_state.paths */
} fe_change;

/** One export's state; lives on fe_export()'s stack. */
typedef struct fe_state {
	vcs_repo *repo;
	const fe_opts *o;
	FILE *out;
	fe_obj *tab;
	size_t cap, n;
	uint32_t last_mark;
	fe_ref *refs;
	size_t nrefs, caprefs;
	pmdb_oid *neg;
	size_t nneg, capneg;
	struct fe_item { pmdb_oid oid; size_t ref; } *order;
	size_t norder, caporder;
	fe_change *ch;
	size_t nch, capch;
	vcs_str paths, buf;
} fe_state;

/** fe__fail -- print "pmvcs: fast-export: <msg>" on o->err; returns -1. */
int fe__fail(fe_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** fe__cause -- libpmdb's detail for err, or the code's name. */
const char *fe__cause(int err);
/** fe__grow -- room for one more element in *arr: 0, or -1 on OOM. */
int fe__grow(void **arr, size_t *cap, size_t n, size_t size);
/** fe__obj -- the table entry of oid, created when absent; NULL only on
 *  out of memory when it had to be created. The pointer is valid until
 *  the next fe__obj() call. */
fe_obj *fe__obj(fe_state *s, const pmdb_oid *oid);
/** fe__find -- the table entry of oid, or NULL if absent (no allocation). */
fe_obj *fe__find(fe_state *s, const pmdb_oid *oid);
/** fe__marked -- 1 if oid has a mark (written or imported), else 0. */
int fe__marked(fe_state *s, const pmdb_oid *oid);
/** fe__read_commit -- vcs_commit_read() that reports its failure. */
int fe__read_commit(fe_state *s, const pmdb_oid *oid, vcs_commit *c);

/* vcs/fastexport_marks.c */
/** fe__read_marks -- ":<mark> <id>" lines: those objects count as written. */
int fe__read_marks(fe_state *s, const char *file);
/** fe__write_marks -- commit marks, ascending, into file (replaced only
 *  when complete: written beside it, then renamed). */
int fe__write_marks(fe_state *s, const char *file);

/* vcs/fastexport_out.c */
/** fe__export_commit -- blobs, then the commit with its file changes. */
int fe__export_commit(fe_state *s, const pmdb_oid *oid, fe_ref *ref);
/** fe__export_tag -- an annotated tag ref, after the commits. */
int fe__export_tag(fe_state *s, fe_ref *r);

#endif /* VCS_FASTEXPORT_H */
