/*
 * xdiff_int.h -- the line records and change marks shared by the diff
 * engine's files (xdiff.c: preparation, Myers, emission;
 * xdiff_compact.c: placing change groups). Private to vcs/xdiff*.c.
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
 *  with fo's groups, else place it by the indent heuristic (git's
 *  xdl_change_compact). Changes f->chg only. */
void vcs_xdiff__compact(xfile *f, xfile *fo);

#endif /* VCS_XDIFF_INT_H */
