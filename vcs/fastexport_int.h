/*
 * fastexport_int.h -- fast-export's state and the calls between its
 * files (vcs/fastexport*.c); private to them. The public side, for the
 * command, is fastexport.h.
 */
#ifndef VCS_FASTEXPORT_INT_H
#define VCS_FASTEXPORT_INT_H

#include <stdint.h>

#include "fastexport.h"

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
/** fe__obj -- the table entry of oid, created when absent; NULL only on
 *  out of memory when it had to be created. The pointer is valid until
 *  the next fe__obj() call. */
fe_obj *fe__obj(fe_state *s, const pmdb_oid *oid);
/** fe__find -- the table entry of oid, or NULL if absent (no allocation). */
fe_obj *fe__find(fe_state *s, const pmdb_oid *oid);
/** fe__named -- 1 if oid has a mark, 2 if the stream names it by id
 *  (excluded, with fe_opts.ref_excluded), else 0. */
int fe__named(fe_state *s, const pmdb_oid *oid);
/** fe__put_ref -- ":<mark>" or the id, as fe__named() says. */
void fe__put_ref(fe_state *s, const pmdb_oid *oid);
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

#endif /* VCS_FASTEXPORT_INT_H */
