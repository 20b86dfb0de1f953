/*
 * revision_int.h -- what revision.c (arguments, filters) and
 * revision_walk.c (the walk) share; private to them.
 */
#ifndef VCS_REVISION_INT_H
#define VCS_REVISION_INT_H

#include <regex.h>

#include "revision.h"

/* node flags: git's object flags of revision.h, where they have meaning */
#define F_PARSED    0x001u     /* tree, date, parents known */
#define F_SEEN      0x002u     /* queued once */
#define F_UNINT     0x004u     /* UNINTERESTING */
#define F_BOTTOM    0x008u     /* an explicitly given negative */
#define F_ADDED     0x010u     /* parents processed */
#define F_SHOWN     0x020u
#define F_TREESAME  0x040u
#define F_LEFT      0x080u     /* SYMMETRIC_LEFT */
#define F_PENDING   0x100u     /* merge-base scratch */
#define F_PAINT_A   0x200u
#define F_PAINT_B   0x400u
#define F_REWRITTEN 0x800u     /* parents rewritten (rpar, nrpar) */
#define F_CHILD_SHOWN 0x1000u  /* --boundary: a child was shown */
#define F_BOUNDARY  0x2000u

typedef struct rnode {
	pmdb_oid oid;
	pmdb_oid tree;
	long long date;
	uint32_t par;          /* first parent's slot in rev_info.par */
	uint32_t npar;
	int32_t keep;          /* >= 0: simplified to that parent alone */
	uint32_t rpar, nrpar;  /* F_REWRITTEN: parents in rev_info.par */
	uint32_t fp;           /* literal paths: 1 + first of its ps.n
	                          entries in rev_info.fp; 0: not yet */
	uint32_t flags;
} rnode;

typedef struct rqitem {
	uint32_t node;
	long long date;
	uint64_t seq;
} rqitem;

/* A date-ordered queue: git's commit_list_insert_by_date (newest first,
 * equal dates in insertion order). */
typedef struct rqueue {
	rqitem *h;
	size_t n, cap;
	uint64_t seq;
} rqueue;

typedef struct rpattern {
	regex_t re;
	char *fixed;           /* -F: the string (re unused) */
} rpattern;

typedef struct rpending {
	uint32_t node;
} rpending;

struct vcs_rev_info {
	vcs_repo *repo;
	char *cwd;
	char *prefix;          /* cwd below the work tree: "" or "a/b/" */

	rnode *nodes;
	size_t nn, ncap;
	uint32_t *tab;         /* node index + 1; open addressing */
	size_t tcap;
	uint32_t *par;         /* parents, node indexes */
	size_t npar, parcap;

	uint32_t *pending;     /* starting points, in argument order */
	size_t npending, pendcap;
	long long now;         /* approxidate's now; 0: the clock */
	pmdb_oid *tags;        /* positive starting points that are tags */
	size_t ntags, tagcap;
	int rev_given;         /* --all and friends count even if empty */
	int unborn;

	/* limiting */
	long long max_count, skip;
	long long max_age, min_age;    /* -1: none */
	int min_parents, max_parents;  /* max -1: none */
	int first_parent, full_history, reverse, topo, date_order;
	int rewrite;           /* --parents, --graph: git's rewrite_parents */
	int boundary;          /* --boundary: 1 walking, 2 giving them */
	uint32_t *bnd;         /* candidates, then the boundary to give */
	size_t nbnd, bndcap, bndpos;
	uint32_t last;         /* the node vcs_rev_next gave last */
	int limited;
	vcs_pathspec ps;
	int fast;              /* 1: every item a literal path (fp), 0: no,
	                          -1: not decided yet */
	struct rfp { pmdb_oid oid; uint32_t mode; } *fp;
	size_t nfp, fpcap;

	/* grep */
	rpattern *authors, *committers, *greps;
	size_t nauthors, ncommitters, ngreps;
	int icase, ere, fixed, all_match, invert;
	int grep_ready;

	/* the walk */
	int prepared;
	rqueue q;
	uint32_t *list;        /* limited: the commits in output order */
	size_t nlist, listcap, listpos;
	uint32_t *out;         /* --reverse: all shown, to give back */
	size_t nout, outcap, outpos;
	int reverse_stage;
	long long shown;
	pmdb_oid *pbuf;        /* vcs_rev_parents' answer */
	size_t pbufcap;
	vcs_str scratch;
};

/* revision_walk.c */
int rev_node(vcs_rev_info *r, const pmdb_oid *oid, uint32_t *out);
int rev_parse_node(vcs_rev_info *r, uint32_t i);
/* rev_differs (revision_paths.c) -- do commits a and b (node indexes; b
 * UINT32_MAX: the empty tree) differ in a path the pathspec selects?
 * 1, 0, or a pmdb error */
int rev_differs(vcs_rev_info *r, uint32_t a, uint32_t b);
int rev_merge_bases(vcs_rev_info *r, uint32_t a, uint32_t b,
		    uint32_t **out, size_t *n);
void rev_mark_parents_unint(vcs_rev_info *r, uint32_t i);

/* revision.c */
int rev_commit_match(vcs_rev_info *r, uint32_t i);

#endif /* VCS_REVISION_INT_H */
