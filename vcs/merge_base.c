/*
 * merge_base.c -- git's merge bases: paint the history down from both
 * commits, newest committer date first, until every commit still queued
 * is known to lie below a common ancestor (git's paint_down_to_common
 * without a commit-graph, where every generation number is "infinite"
 * and the date alone orders the walk); then drop the bases that are
 * ancestors of other bases (git's remove_redundant).
 *
 * Invariants:
 *  1. a node's flags only grow: PARENT1/PARENT2 (reachable from a / b),
 *     STALE (reachable from a common ancestor), RESULT (listed once).
 *  2. the queue pops the newest date first, equal dates in the order
 *     they were queued (git's prio_queue with its insertion counter).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "merge.h"
#include "revwalk.h"

#define PARENT1 0x1u
#define PARENT2 0x2u
#define STALE 0x4u
#define RESULT 0x8u

typedef struct node {
	pmdb_oid oid;
	long long date;
	unsigned flags;
	int parsed;
	size_t *parents;       /* indexes into the node array */
	size_t nparents;
} node;

typedef struct qent {
	size_t n;
	unsigned long seq;
} qent;

typedef struct graph {
	vcs_repo *repo;
	node *v;
	size_t n, cap;
	size_t *slot;          /* open addressing: node index + 1; 0 free */
	size_t nslot;
	qent *q;
	size_t nq, qcap;
	unsigned long seq;
} graph;

/* ---- nodes ------------------------------------------------------- */

static size_t
oid_hash(const pmdb_oid *o)
{
	size_t h;

	memcpy(&h, o->id, sizeof(h));
	return h;
}

/* rehash -- double the slot table. */
static int
rehash(graph *g)
{
	size_t ns = g->nslot ? g->nslot * 2 : 256;
	size_t *s = calloc(ns, sizeof(*s));

	if (!s)
		return PMDB_ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		size_t h = oid_hash(&g->v[i].oid) & (ns - 1);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = i + 1;
	}
	free(g->slot);
	g->slot = s;
	g->nslot = ns;
	return 0;
}

/* lookup -- the node of oid, created (unparsed) if new; its index in
 * *out. */
static int
lookup(graph *g, const pmdb_oid *oid, size_t *out)
{
	size_t h;

	if ((g->n + 1) * 2 > g->nslot && rehash(g))
		return PMDB_ENOMEM;
	h = oid_hash(oid) & (g->nslot - 1);
	while (g->slot[h]) {
		if (!memcmp(&g->v[g->slot[h] - 1].oid, oid, g->repo->hashlen)) {
			*out = g->slot[h] - 1;
			return 0;
		}
		h = (h + 1) & (g->nslot - 1);
	}
	if (VCS_ARRAY_GROW(g->v, g->cap, g->n + 1, 64))
		return PMDB_ENOMEM;
	memset(&g->v[g->n], 0, sizeof(node));
	g->v[g->n].oid = *oid;
	g->slot[h] = g->n + 1;
	*out = g->n++;
	return 0;
}

/* parse -- read node i's date and parents. */
static int
parse(graph *g, size_t i)
{
	vcs_commit_hdr h;
	pmdb_view_guard *guard = NULL;
	pmdb_oid oid = g->v[i].oid, *par = NULL;
	size_t np;
	int rc;

	if (g->v[i].parsed)
		return 0;
	rc = vcs_commit_view(g->repo, &oid, &h, &guard);
	if (rc)
		return rc;
	np = h.nparents;
	g->v[i].date = h.date;
	par = malloc((np ? np : 1) * sizeof(*par));
	if (!par) {
		pmdb_view_release(guard);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < np; k++)
		vcs_commit_hdr_parent(&h, k, g->repo->hashlen, &par[k]);
	pmdb_view_release(guard);
	g->v[i].parents = malloc((np ? np : 1) * sizeof(size_t));
	if (!g->v[i].parents) {
		free(par);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < np; k++) {
		size_t idx;
		if (lookup(g, &par[k], &idx)) {
			free(par);
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
		g->v[i].parents[k] = idx;  /* g->v may have moved: index it */
	}
	g->v[i].nparents = np;
	g->v[i].parsed = 1;
	free(par);
	return 0;
}

/* ---- the queue (invariant 2) ------------------------------------ */

static int
q_less(const graph *g, const qent *a, const qent *b)
{
	long long da = g->v[a->n].date, db = g->v[b->n].date;

	if (da != db)
		return da > db;
	return a->seq < b->seq;
}

static int
q_put(graph *g, size_t n)
{
	size_t i;

	if (VCS_ARRAY_GROW(g->q, g->qcap, g->nq + 1, 64))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	i = g->nq++;
	g->q[i] = (qent){ n, g->seq++ };
	while (i && q_less(g, &g->q[i], &g->q[(i - 1) / 2])) {
		qent t = g->q[i];
		g->q[i] = g->q[(i - 1) / 2];
		g->q[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

static size_t
q_pop(graph *g)
{
	size_t top = g->q[0].n, i = 0;

	g->q[0] = g->q[--g->nq];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < g->nq && q_less(g, &g->q[l], &g->q[m]))
			m = l;
		if (r < g->nq && q_less(g, &g->q[r], &g->q[m]))
			m = r;
		if (m == i)
			break;
		qent t = g->q[i];
		g->q[i] = g->q[m];
		g->q[m] = t;
		i = m;
	}
	return top;
}

static int
q_nonstale(const graph *g)
{
	for (size_t i = 0; i < g->nq; i++)
		if (!(g->v[g->q[i].n].flags & STALE))
			return 1;
	return 0;
}

/* ---- the walk ---------------------------------------------------- */

/* insert_by_date -- git's commit_list_insert_by_date on an array. */
static int
insert_by_date(const graph *g, size_t **list, size_t *n, size_t *cap, size_t x)
{
	size_t at = 0;

	while (at < *n && g->v[(*list)[at]].date >= g->v[x].date)
		at++;
	if (VCS_ARRAY_GROW(*list, *cap, *n + 1, 8))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	memmove(*list + at + 1, *list + at, (*n - at) * sizeof(size_t));
	(*list)[at] = x;
	(*n)++;
	return 0;
}

/* paint -- git's paint_down_to_common + merge_bases_many for a and b:
 * the common ancestors not below another one found (by date). */
static int
paint(graph *g, size_t a, size_t b, size_t **out, size_t *nout)
{
	size_t *res = NULL, nres = 0, cap = 0, cap2 = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if (a == b)
		return insert_by_date(g, out, nout, &cap, a);
	if ((rc = parse(g, a)) || (rc = parse(g, b)))
		return rc;
	g->v[a].flags |= PARENT1;
	g->v[b].flags |= PARENT2;
	if ((rc = q_put(g, a)) || (rc = q_put(g, b)))
		return rc;
	while (q_nonstale(g)) {
		size_t c = q_pop(g);
		unsigned flags = g->v[c].flags & (PARENT1 | PARENT2 | STALE);

		if (flags == (PARENT1 | PARENT2)) {
			if (!(g->v[c].flags & RESULT)) {
				g->v[c].flags |= RESULT;
				if ((rc = insert_by_date(g, &res, &nres, &cap, c)))
					goto out;
			}
			flags |= STALE;
		}
		if ((rc = parse(g, c)))
			goto out;
		for (size_t k = 0; k < g->v[c].nparents; k++) {
			size_t p = g->v[c].parents[k];
			if ((g->v[p].flags & flags) == flags)
				continue;
			if ((rc = parse(g, p)))
				goto out;
			g->v[p].flags |= flags;
			if ((rc = q_put(g, p)))
				goto out;
		}
	}
	for (size_t k = 0; k < nres; k++)
		if (!(g->v[res[k]].flags & STALE) &&
		    (rc = insert_by_date(g, out, nout, &cap2, res[k])))
			goto out;
out:
	free(res);
	return rc;
}

static void
graph_reset(graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		g->v[i].flags = 0;
	g->nq = 0;
}

static void
graph_free(graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].parents);
	free(g->v);
	free(g->slot);
	free(g->q);
}

/* ancestor_of -- 1 if x is an ancestor of (or is) y: x is a merge base
 * of x and y (git's in_merge_bases). */
static int
ancestor_of(graph *g, size_t x, size_t y)
{
	size_t *r = NULL, nr = 0;
	int rc, found = 0;

	graph_reset(g);
	rc = paint(g, x, y, &r, &nr);
	for (size_t k = 0; !rc && k < nr; k++)
		found |= r[k] == x;
	free(r);
	return rc ? rc : found;
}

int
vcs_merge_bases(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b,
		pmdb_oid **out, size_t *n)
{
	graph g;
	size_t ia, ib, *r = NULL, nr = 0;
	char *drop = NULL;
	int rc;

	memset(&g, 0, sizeof(g));
	g.repo = repo;
	*out = NULL;
	*n = 0;
	rc = lookup(&g, a, &ia);
	rc = rc ? rc : lookup(&g, b, &ib);
	rc = rc ? rc : paint(&g, ia, ib, &r, &nr);
	if (rc)
		goto out;
	/* several: drop those below another (git's remove_redundant) */
	drop = calloc(nr ? nr : 1, 1);
	if (!drop) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; nr > 1 && i < nr; i++)
		for (size_t j = 0; j < nr && !drop[i]; j++) {
			if (i == j || drop[j])
				continue;
			rc = ancestor_of(&g, r[i], r[j]);
			if (rc < 0)
				goto out;
			drop[i] = (char)rc;
			rc = 0;
		}
	*out = malloc((nr ? nr : 1) * sizeof(pmdb_oid));
	if (!*out) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nr; i++)
		if (!drop[i])
			(*out)[(*n)++] = g.v[r[i]].oid;
out:
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(drop);
	free(r);
	graph_free(&g);
	return rc;
}

int
vcs_is_ancestor(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b)
{
	graph g;
	size_t ia, ib;
	int rc;

	memset(&g, 0, sizeof(g));
	g.repo = repo;
	rc = lookup(&g, a, &ia);
	rc = rc ? rc : lookup(&g, b, &ib);
	if (!rc)
		rc = ancestor_of(&g, ia, ib);
	graph_free(&g);
	return rc;
}
