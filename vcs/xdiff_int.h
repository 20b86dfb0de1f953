/*
 * xdiff_int.h -- the line records and change marks shared by the diff
 * engine's files (xdiff.c: preparation, Myers, emission;
 * xdiff_compact.c: placing change groups; xmerge.c: the three-way merge
 * on the change scripts). Private to vcs/xdiff*.c and vcs/xmerge.c.
 *
 * Invariants:
 *  1. chg[-1] and chg[nrec] exist and are 0 (sentinels for group walks).
 *  2. rindex[0..nreff) lists, in order, the records given to Myers; the
 *     others in [dstart, dend] are already marked changed.
 */
#ifndef VCS_XDIFF_INT_H
#define VCS_XDIFF_INT_H


typedef struct xrec {
	const char *p;
	long n;
	long cls;              /* equivalence class of the bytes */
} xrec;

typedef struct xfile {
	xrec *recs;
	long nrec;
	char *chg;             /* nrec + 2 bytes, indexed from -1 */
	long *rindex;          /* records left for Myers */
	long *ha;              /* their classes */
	long nreff;
	long dstart, dend;
} xfile;

/** vcs_xdiff__compact -- step 4 of xdiff.c: slide each change group of f
 *  as far as equal lines allow, merge it with its neighbours, align it
 *  with fo's groups, else (when indent is set) place it by the indent
 *  heuristic (git's xdl_change_compact). Changes f->chg only. */
void vcs_xdiff__compact(xfile *f, xfile *fo, int indent);

/** One change of a script: records [i1, i1 + chg1) of the first file
 *  became [i2, i2 + chg2) of the second. */
typedef struct xchange {
	long i1, i2, chg1, chg2;
} xchange;

/**
 * vcs_xdiff__script -- the changes from a to b in file order, as git's
 * xdl_diff computes them; indent: use the indent heuristic (git's diff
 * output does; its merges, which pass no flags, do not). Records are
 * lines including their '\n' (the last may lack it).
 * @param[out] out  malloc'ed array (caller frees; NULL when n is 0).
 * @return the number of changes, or PMDB_ENOMEM.
 */
long vcs_xdiff__script(const void *a, size_t alen, const void *b,
		       size_t blen, int indent, xchange **out);

#endif /* VCS_XDIFF_INT_H */
