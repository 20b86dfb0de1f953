/*
 * revision_walk.c -- git's revision walk (see revision.h): the commits
 * met so far as nodes, the date-ordered queue, history simplification by
 * paths, limit_list for walks with negatives, and git's topological
 * sort. The path side (does a commit touch the pathspec?) is in
 * revision_paths.c.
 *
 * Nodes are kept in one array, found by id through an open-addressing
 * table; a node's parents are indexes into one shared array. Commits
 * are read in place (vcs_commit_view) once, when first needed; trees
 * are compared in place too, skipping every subtree whose id is equal on
 * both sides or that no pathspec item can reach, so that "log -- PATH"
 * reads two small trees per commit rather than diffing whole trees.
 *
 * Invariants:
 *  1. rnode pointers are not held across rev_node() (the array moves).
 *  2. A node's parents (par, npar) are set once, by rev_parse_node.
 *  3. Every node in the queue has F_SEEN; a node is queued at most once.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "revision_int.h"
#include "revwalk.h"

#define SLOP 5          /* git's limit_list: commits past the last
                           interesting date before it gives up */

/* tab_home -- home slot of an id (ids are hashes) */
static size_t
tab_home(const pmdb_oid *oid, size_t cap)
{
	uint64_t k;

	memcpy(&k, oid->id, sizeof(k));
	return (size_t)k & (cap - 1);
}

/* tab_grow -- double the id table; 0 or PMDB_ENOMEM */
static int
tab_grow(vcs_rev_info *r)
{
	size_t cap = r->tcap ? 2 * r->tcap : 1024;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return PMDB_ENOMEM;
	for (size_t i = 0; i < r->nn; i++) {
		size_t j = tab_home(&r->nodes[i].oid, cap);

		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(r->tab);
	r->tab = t;
	r->tcap = cap;
	return 0;
}

/* rev_node -- the node of oid, made if new (unparsed) */
int
rev_node(vcs_rev_info *r, const pmdb_oid *oid, uint32_t *out)
{
	size_t j;

	if (2 * (r->nn + 1) > r->tcap && tab_grow(r))
		goto oom;
	for (j = tab_home(oid, r->tcap); r->tab[j]; j = (j + 1) & (r->tcap - 1))
		if (!memcmp(&r->nodes[r->tab[j] - 1].oid, oid, sizeof(*oid))) {
			*out = r->tab[j] - 1;
			return 0;
		}
	if (r->nn >= UINT32_MAX - 1 || VCS_ARRAY_GROW(r->nodes, r->ncap,
						      r->nn + 1, 256))
		goto oom;
	memset(&r->nodes[r->nn], 0, sizeof(r->nodes[0]));
	r->nodes[r->nn].oid = *oid;
	r->nodes[r->nn].keep = -1;
	r->tab[j] = (uint32_t)r->nn + 1;
	*out = (uint32_t)r->nn++;
	return 0;
oom:
	return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
}

/* rev_parse_node -- read a commit's tree, date and parents once */
int
rev_parse_node(vcs_rev_info *r, uint32_t i)
{
	pmdb_view_guard *g;
	vcs_commit_hdr h;
	size_t hl = r->repo->hashlen;
	uint32_t first;
	int rc;

	if (r->nodes[i].flags & F_PARSED)
		return 0;
	if ((rc = vcs_commit_view(r->repo, &r->nodes[i].oid, &h, &g)))
		return rc;
	if (h.len < 5 + 2 * hl || pmdb_oid_parse(&r->nodes[i].tree,
						 (const char *)h.data + 5, 2 * hl,
						 r->repo->algo)) {
		char hex[PMDB_OID_HEXMAX + 1];

		pmdb_view_release(g);
		return vcs_seterr(PMDB_ECORRUPT, "commit %s: bad tree line",
				  vcs_oid_hex(r->repo, &r->nodes[i].oid, hex));
	}
	r->nodes[i].date = h.date;
	if (VCS_ARRAY_GROW(r->par, r->parcap, r->npar + h.nparents, 256)) {
		pmdb_view_release(g);
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	}
	first = (uint32_t)r->npar;
	for (size_t p = 0; p < h.nparents; p++) {
		pmdb_oid po;
		uint32_t pi;

		vcs_commit_hdr_parent(&h, p, hl, &po);
		if ((rc = rev_node(r, &po, &pi))) {
			pmdb_view_release(g);
			return rc;
		}
		r->par[r->npar++] = pi;
	}
	pmdb_view_release(g);
	r->nodes[i].par = first;
	r->nodes[i].npar = (uint32_t)h.nparents;
	r->nodes[i].flags |= F_PARSED;
	return 0;
}

/* nparents -- a parsed node's parents after simplification (git's
 * commit->parents, which simplification and rewriting change) */
static uint32_t
nparents(const vcs_rev_info *r, uint32_t i)
{
	if (r->nodes[i].flags & F_REWRITTEN)
		return r->nodes[i].nrpar;
	return r->nodes[i].keep >= 0 ? 1 : r->nodes[i].npar;
}

/* parent -- parent k (< nparents) */
static uint32_t
parent(const vcs_rev_info *r, uint32_t i, uint32_t k)
{
	const rnode *n = &r->nodes[i];

	if (n->flags & F_REWRITTEN)
		return r->par[n->rpar + k];
	return r->par[n->par + (n->keep >= 0 ? (uint32_t)n->keep : k)];
}

/* ---- the date-ordered queue ------------------------------------- */

static int
q_put(vcs_rev_info *r, rqueue *q, uint32_t node)
{
	long long date = r->nodes[node].date;
	size_t i;

	if (VCS_ARRAY_GROW(q->h, q->cap, q->n + 1, 256))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	i = q->n++;
	while (i) {
		size_t up = (i - 1) / 2;

		if (!(date > q->h[up].date))    /* ties: the older seq wins */
			break;
		q->h[i] = q->h[up];
		i = up;
	}
	q->h[i].node = node;
	q->h[i].date = date;
	q->h[i].seq = q->seq++;
	return 0;
}

static int
q_before(const rqitem *a, const rqitem *b)
{
	return a->date > b->date || (a->date == b->date && a->seq < b->seq);
}

/* q_get -- pop the newest; UINT32_MAX when empty */
static uint32_t
q_get(rqueue *q)
{
	uint32_t top;
	size_t i = 0;

	if (!q->n)
		return UINT32_MAX;
	top = q->h[0].node;
	q->h[0] = q->h[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, rr = l + 1, m = i;
		rqitem t;

		if (l < q->n && q_before(&q->h[l], &q->h[m]))
			m = l;
		if (rr < q->n && q_before(&q->h[rr], &q->h[m]))
			m = rr;
		if (m == i)
			break;
		t = q->h[i];
		q->h[i] = q->h[m];
		q->h[m] = t;
		i = m;
	}
	return top;
}

/* relevant -- git's relevant_commit */
static int
relevant(const vcs_rev_info *r, uint32_t i)
{
	return (r->nodes[i].flags & (F_UNINT | F_BOTTOM)) != F_UNINT;
}

/* simplify -- git's try_to_simplify_commit, default and --full-history */
static int
simplify(vcs_rev_info *r, uint32_t i)
{
	int relevant_change = 0, irrelevant_change = 0, rc;
	uint32_t relevant_parents = 0, np;

	if (!r->ps.n)
		return 0;
	np = r->nodes[i].npar;
	if (!np) {
		if ((rc = rev_differs(r, i, UINT32_MAX)) < 0)
			return rc;
		if (!rc)
			r->nodes[i].flags |= F_TREESAME;
		return 0;
	}
	for (uint32_t k = 0; k < np; k++) {
		uint32_t p = r->par[r->nodes[i].par + k];

		if (relevant(r, p))
			relevant_parents++;
		if (k == 1 && r->first_parent)
			break;
		if ((rc = rev_parse_node(r, p)))
			return rc;
		if ((rc = rev_differs(r, i, p)) < 0)
			return rc;
		if (!rc) {
			if (r->full_history || !relevant(r, p))
				continue;
			r->nodes[i].keep = (int32_t)k;
			r->nodes[i].flags |= F_TREESAME;
			return 0;
		}
		if (relevant(r, p))
			relevant_change = 1;
		else
			irrelevant_change = 1;
	}
	if (relevant_parents ? !relevant_change : !irrelevant_change)
		r->nodes[i].flags |= F_TREESAME;
	return 0;
}

/* rev_mark_parents_unint -- git's mark_parents_uninteresting: every
 * known ancestor of i (through parsed nodes) is uninteresting */
void
rev_mark_parents_unint(vcs_rev_info *r, uint32_t i)
{
	uint32_t *stack = NULL;
	size_t n = 0, cap = 0;

	if (!(r->nodes[i].flags & F_PARSED))
		return;
	for (uint32_t k = 0; k < r->nodes[i].npar; k++)
		if (!VCS_ARRAY_GROW(stack, cap, n + 1, 64))
			stack[n++] = r->par[r->nodes[i].par + k];
	while (n) {
		uint32_t c = stack[--n];

		if (r->nodes[c].flags & F_UNINT)
			continue;
		r->nodes[c].flags |= F_UNINT;
		if (!(r->nodes[c].flags & F_PARSED))
			continue;
		for (uint32_t k = 0; k < r->nodes[c].npar; k++)
			if (!VCS_ARRAY_GROW(stack, cap, n + 1, 64))
				stack[n++] = r->par[r->nodes[c].par + k];
	}
	free(stack);
}

/* process_parents -- git's: queue a commit's parents once; an
 * uninteresting commit passes that on to all of them */
static int
process_parents(vcs_rev_info *r, uint32_t i)
{
	int rc;

	if (r->nodes[i].flags & F_ADDED)
		return 0;
	r->nodes[i].flags |= F_ADDED;
	if ((rc = rev_parse_node(r, i)))
		return rc;
	if (r->nodes[i].flags & F_UNINT) {
		for (uint32_t k = 0; k < r->nodes[i].npar; k++) {
			uint32_t p = r->par[r->nodes[i].par + k];

			r->nodes[p].flags |= F_UNINT;
			if ((rc = rev_parse_node(r, p)))
				return rc;
			rev_mark_parents_unint(r, p);
			if (r->nodes[p].flags & F_SEEN)
				continue;
			r->nodes[p].flags |= F_SEEN;
			if ((rc = q_put(r, &r->q, p)))
				return rc;
		}
		return 0;
	}
	if ((rc = simplify(r, i)))
		return rc;
	for (uint32_t k = 0; k < nparents(r, i); k++) {
		uint32_t p = parent(r, i, k);

		if ((rc = rev_parse_node(r, p)))
			return rc;
		r->nodes[p].flags |= r->nodes[i].flags & F_LEFT;
		if (!(r->nodes[p].flags & F_SEEN)) {
			r->nodes[p].flags |= F_SEEN;
			if ((rc = q_put(r, &r->q, p)))
				return rc;
		}
		if (r->first_parent)
			break;
	}
	return 0;
}

/* everybody_unint -- no interesting commit is left in the queue */
static int
everybody_unint(const vcs_rev_info *r)
{
	for (size_t k = 0; k < r->q.n; k++)
		if (!(r->nodes[r->q.h[k].node].flags & F_UNINT))
			return 0;
	return 1;
}

/* list_add -- append to the limited list */
static int
list_add(vcs_rev_info *r, uint32_t i)
{
	if (VCS_ARRAY_GROW(r->list, r->listcap, r->nlist + 1, 256))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	r->list[r->nlist++] = i;
	return 0;
}

/* limit_list -- git's: walk until only uninteresting commits are left
 * (and SLOP more), keeping the interesting ones in the order met */
static int
limit_list(vcs_rev_info *r)
{
	long long date = LLONG_MAX;
	int slop = SLOP, rc;
	uint32_t i;

	while ((i = q_get(&r->q)) != UINT32_MAX) {
		if (r->max_age != -1 && r->nodes[i].date < r->max_age)
			r->nodes[i].flags |= F_UNINT;
		if ((rc = process_parents(r, i)))
			return rc;
		if (r->nodes[i].flags & F_UNINT) {
			rev_mark_parents_unint(r, i);
			if (!r->q.n)
				break;
			if (date <= r->q.h[0].date || !everybody_unint(r))
				slop = SLOP;
			else
				slop--;
			if (slop)
				continue;
			break;
		}
		if (r->min_age != -1 && r->nodes[i].date > r->min_age)
			continue;
		date = r->nodes[i].date;
		if ((rc = list_add(r, i)))
			return rc;
	}
	return 0;
}

/* topo_sort -- git's sort_in_topological_order over the limited list:
 * a parent comes after all its children; --topo-order keeps lines of
 * history together (a stack), --date-order picks the newest ready one */
static int
topo_sort(vcs_rev_info *r)
{
	uint32_t *indeg = calloc(r->nn ? r->nn : 1, sizeof(*indeg));
	uint32_t *stack = NULL, *sorted = NULL;
	size_t ns = 0, scap = 0, nsorted = 0;
	rqueue q = { NULL, 0, 0, 0 };
	int rc = 0;

	if (!indeg || !(sorted = malloc((r->nlist + 1) * sizeof(*sorted))))
		goto oom;
	for (size_t k = 0; k < r->nlist; k++)
		indeg[r->list[k]] = 1;
	for (size_t k = 0; k < r->nlist; k++)
		for (uint32_t j = 0; j < nparents(r, r->list[k]); j++) {
			uint32_t p = parent(r, r->list[k], j);

			if (indeg[p])
				indeg[p]++;
		}
	/* the tips, in the walk's order (the stack gives them reversed
	 * then reverses: git's prio_queue_reverse) */
	for (size_t k = 0; k < r->nlist; k++) {
		uint32_t c = r->list[k];

		if (indeg[c] != 1)
			continue;
		if (r->date_order) {
			if ((rc = q_put(r, &q, c)))
				goto out;
		} else {
			if (VCS_ARRAY_GROW(stack, scap, ns + 1, 64))
				goto oom;
			stack[ns++] = c;
		}
	}
	for (size_t a = 0, b = ns; !r->date_order && a + 1 < b; a++, b--) {
		uint32_t t = stack[a];

		stack[a] = stack[b - 1];
		stack[b - 1] = t;
	}
	for (;;) {
		uint32_t c;

		if (r->date_order)
			c = q_get(&q);
		else
			c = ns ? stack[--ns] : UINT32_MAX;
		if (c == UINT32_MAX)
			break;
		for (uint32_t j = 0; j < nparents(r, c); j++) {
			uint32_t p = parent(r, c, j);

			if (!indeg[p])
				continue;
			if (--indeg[p] == 1) {
				if (r->date_order) {
					if ((rc = q_put(r, &q, p)))
						goto out;
				} else {
					if (VCS_ARRAY_GROW(stack, scap, ns + 1, 64))
						goto oom;
					stack[ns++] = p;
				}
			}
		}
		indeg[c] = 0;
		sorted[nsorted++] = c;
	}
	free(r->list);
	r->list = sorted;
	r->listcap = r->nlist + 1;
	r->nlist = nsorted;
	sorted = NULL;
	goto out;
oom:
	rc = vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
out:
	free(sorted);
	free(stack);
	free(q.h);
	free(indeg);
	return rc;
}

/* prepare -- git's prepare_revision_walk */
static int
prepare(vcs_rev_info *r)
{
	int rc;

	r->prepared = 1;
	for (size_t k = 0; k < r->npending; k++) {
		uint32_t i = r->pending[k];

		if (r->nodes[i].flags & F_SEEN)
			continue;
		r->nodes[i].flags |= F_SEEN;
		if ((rc = q_put(r, &r->q, i)))
			return rc;
	}
	if (r->limited && (rc = limit_list(r)))
		return rc;
	if (r->limited && (r->topo || r->date_order) && (rc = topo_sort(r)))
		return rc;
	return 0;
}

/* action -- git's get_commit_action: 1 to show, 0 to pass over */
static int
action(vcs_rev_info *r, uint32_t i)
{
	uint32_t f = r->nodes[i].flags, np = nparents(r, i);

	if (f & (F_SHOWN | F_UNINT))
		return 0;
	if (r->min_age != -1 && r->nodes[i].date > r->min_age)
		return 0;
	if ((int)np < r->min_parents ||
	    (r->max_parents >= 0 && (int)np > r->max_parents))
		return 0;
	if (r->ps.n && (f & F_TREESAME)) {
		uint32_t rel = 0;

		/* with parents shown, merges of relevant lines stay: they tie
		 * the topology together */
		if (!r->rewrite)
			return 0;
		for (uint32_t k = 0; k < np; k++)
			rel += relevant(r, parent(r, i, k));
		if (rel < 2)
			return 0;
	}
	return rev_commit_match(r, i);
}

/* one_relevant_parent -- git's: the sole relevant parent of i, the
 * first with --first-parent or a single parent, else UINT32_MAX */
static uint32_t
one_relevant_parent(vcs_rev_info *r, uint32_t i)
{
	uint32_t np = nparents(r, i), rel = UINT32_MAX;

	if (!np)
		return UINT32_MAX;
	if (r->first_parent || np == 1)
		return parent(r, i, 0);
	for (uint32_t k = 0; k < np; k++) {
		uint32_t p = parent(r, i, k);

		if (!relevant(r, p))
			continue;
		if (rel != UINT32_MAX)
			return UINT32_MAX;
		rel = p;
	}
	return rel;
}

/* rewrite_one -- git's rewrite_one: follow *p down through commits that
 * will not be shown; 0 (ok), 1 (no parents: drop it), or an error */
static int
rewrite_one(vcs_rev_info *r, uint32_t *p)
{
	for (;;) {
		uint32_t n;
		int rc;

		if (!r->limited && (rc = process_parents(r, *p)))
			return rc;
		if (r->nodes[*p].flags & F_UNINT)
			return 0;
		if (!(r->nodes[*p].flags & F_TREESAME))
			return 0;
		if (!nparents(r, *p))
			return 1;
		if ((n = one_relevant_parent(r, *p)) == UINT32_MAX)
			return 0;
		*p = n;
	}
}

/* rewrite_parents -- git's: each parent replaced by the nearest one that
 * is shown (or dropped), duplicates removed */
static int
rewrite_parents(vcs_rev_info *r, uint32_t i)
{
	uint32_t np = nparents(r, i), n = 0, *tmp;
	int rc = 0;

	/* into tmp first: rewrite_one reads commits, which appends to par */
	if (!(tmp = malloc((np + 1) * sizeof(*tmp))))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	for (uint32_t k = 0; k < np; k++) {
		uint32_t p = parent(r, i, k), d;

		if ((rc = rewrite_one(r, &p)) < 0)
			break;
		if (rc) {
			rc = 0;
			continue;
		}
		for (d = 0; d < n && tmp[d] != p; d++)
			;
		if (d == n)
			tmp[n++] = p;
	}
	if (!rc && (r->npar + n > UINT32_MAX ||
		    VCS_ARRAY_GROW(r->par, r->parcap, r->npar + n, 256)))
		rc = vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	if (!rc) {
		memcpy(r->par + r->npar, tmp, n * sizeof(*tmp));
		r->nodes[i].rpar = (uint32_t)r->npar;
		r->nodes[i].nrpar = n;
		r->nodes[i].flags |= F_REWRITTEN;
		r->npar += n;
	}
	free(tmp);
	return rc;
}

/* next1 -- git's get_revision_1 */
static int
next1(vcs_rev_info *r, uint32_t *out)
{
	for (;;) {
		uint32_t i;
		int rc;

		if (r->limited)
			i = r->listpos < r->nlist ? r->list[r->listpos++] :
			    UINT32_MAX;
		else
			i = q_get(&r->q);
		if (i == UINT32_MAX)
			return 0;
		if (!r->limited) {
			if (r->max_age != -1 && r->nodes[i].date < r->max_age)
				continue;
			if ((rc = process_parents(r, i)))
				return rc;
		}
		if ((rc = action(r, i)) < 0)
			return rc;
		if (rc && r->ps.n && r->rewrite && (rc = rewrite_parents(r, i)) == 0)
			rc = 1;
		if (rc < 0)
			return rc;
		if (rc) {
			*out = i;
			return 1;
		}
	}
}

/* boundary_list -- git's create_boundary_commit_list: the parents of
 * shown commits not shown themselves, each once, newest added first,
 * then in topological order */
static int
boundary_list(vcs_rev_info *r)
{
	uint32_t *cand = r->bnd;
	size_t n = r->nbnd;
	int rc;

	r->boundary = 2;
	free(r->list);
	r->list = NULL;
	r->nlist = r->listcap = r->listpos = 0;
	for (size_t k = n; k-- > 0;) {
		rnode *c = &r->nodes[cand[k]];

		if (!(c->flags & F_CHILD_SHOWN) || (c->flags & (F_SHOWN | F_BOUNDARY)))
			continue;
		c->flags |= F_BOUNDARY;
		if ((rc = list_add(r, cand[k])))
			return rc;
	}
	if ((rc = topo_sort(r)))
		return rc;
	r->nbnd = 0;
	return 0;
}

/* next_internal -- git's get_revision_internal: --skip, -n and
 * --boundary */
static int
next_internal(vcs_rev_info *r, uint32_t *out)
{
	int rc = 0;

	if (r->boundary == 2) {
		if (r->listpos >= r->nlist)
			return 0;
		*out = r->list[r->listpos++];
		r->nodes[*out].flags |= F_SHOWN;
		return 1;
	}
	if (r->max_count < 0 || r->shown < r->max_count)
		while ((rc = next1(r, out)) == 1 && r->skip > 0)
			r->skip--;
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (!r->boundary)
			return 0;
		if ((rc = boundary_list(r)))
			return rc;
		return next_internal(r, out);
	}
	r->nodes[*out].flags |= F_SHOWN;
	r->shown++;
	for (uint32_t k = 0; r->boundary && k < nparents(r, *out); k++) {
		uint32_t p = parent(r, *out, k);

		if (r->nodes[p].flags & (F_CHILD_SHOWN | F_SHOWN))
			continue;
		r->nodes[p].flags |= F_CHILD_SHOWN;
		if (VCS_ARRAY_GROW(r->bnd, r->bndcap, r->nbnd + 1, 64))
			return vcs_seterr(PMDB_ENOMEM, "walking history: "
					  "out of memory");
		r->bnd[r->nbnd++] = p;
	}
	return 1;
}

int
vcs_rev_next(vcs_rev_info *r, pmdb_oid *oid)
{
	uint32_t i;
	int rc;

	if (!r->prepared && (rc = prepare(r)))
		return rc;
	if (r->reverse && !r->reverse_stage) {
		while ((rc = next_internal(r, &i)) == 1) {
			if (VCS_ARRAY_GROW(r->out, r->outcap, r->nout + 1, 256))
				return vcs_seterr(PMDB_ENOMEM, "walking history: "
						  "out of memory");
			r->out[r->nout++] = i;
		}
		if (rc < 0)
			return rc;
		r->reverse_stage = 1;
		r->outpos = r->nout;
	}
	if (r->reverse_stage) {
		if (!r->outpos)
			return 0;
		r->last = r->out[--r->outpos];
		*oid = r->nodes[r->last].oid;
		return 1;
	}
	if ((rc = next_internal(r, &i)) == 1) {
		r->last = i;
		*oid = r->nodes[i].oid;
	}
	return rc;
}

long long
vcs_rev_count(vcs_rev_info *r)
{
	long long n = 0;
	pmdb_oid oid;
	int rc;

	while ((rc = vcs_rev_next(r, &oid)) == 1)
		n++;
	return rc < 0 ? rc : n;
}

size_t
vcs_rev_parents(vcs_rev_info *r, const pmdb_oid *oid, const pmdb_oid **out)
{
	uint32_t i, np;

	*out = NULL;
	if (rev_node(r, oid, &i) || rev_parse_node(r, i))
		return 0;
	np = nparents(r, i);
	if (VCS_ARRAY_GROW(r->pbuf, r->pbufcap, np + 1, 4))
		return 0;
	for (uint32_t k = 0; k < np; k++)
		r->pbuf[k] = r->nodes[parent(r, i, k)].oid;
	*out = r->pbuf;
	return np;
}

/* paint -- mark every ancestor of start (itself included) with bit */
static int
paint(vcs_rev_info *r, uint32_t start, uint32_t bit)
{
	uint32_t *stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (VCS_ARRAY_GROW(stack, cap, 1, 64))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	stack[n++] = start;
	while (n && !rc) {
		uint32_t c = stack[--n];

		if (r->nodes[c].flags & bit)
			continue;
		r->nodes[c].flags |= bit;
		if ((rc = rev_parse_node(r, c)))
			break;
		for (uint32_t k = 0; k < r->nodes[c].npar; k++) {
			if (VCS_ARRAY_GROW(stack, cap, n + 1, 64)) {
				rc = vcs_seterr(PMDB_ENOMEM, "walking history: "
						"out of memory");
				break;
			}
			stack[n++] = r->par[r->nodes[c].par + k];
		}
	}
	free(stack);
	return rc;
}

/* rev_merge_bases -- the best common ancestors of a and b (those no
 * other common ancestor reaches), newest first, for A...B */
int
rev_merge_bases(vcs_rev_info *r, uint32_t a, uint32_t b, uint32_t **out,
		size_t *n)
{
	const uint32_t both = F_PAINT_A | F_PAINT_B;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = paint(r, a, F_PAINT_A)) || (rc = paint(r, b, F_PAINT_B)))
		return rc;
	/* a common ancestor that is a parent of another is not best: the
	 * common set is closed under ancestry */
	for (size_t i = 0; i < r->nn; i++)
		if ((r->nodes[i].flags & both) == both)
			for (uint32_t k = 0; k < r->nodes[i].npar; k++)
				r->nodes[r->par[r->nodes[i].par + k]].flags |=
					F_PENDING;
	for (size_t i = 0; i < r->nn; i++) {
		if ((r->nodes[i].flags & both) == both &&
		    !(r->nodes[i].flags & F_PENDING)) {
			size_t j;

			if (VCS_ARRAY_GROW(*out, cap, *n + 1, 4))
				return vcs_seterr(PMDB_ENOMEM, "walking history: "
						  "out of memory");
			/* newest first, as git's list sorted by date */
			for (j = *n; j && r->nodes[(*out)[j - 1]].date <
				     r->nodes[i].date; j--)
				(*out)[j] = (*out)[j - 1];
			(*out)[j] = (uint32_t)i;
			(*n)++;
		}
	}
	for (size_t i = 0; i < r->nn; i++)
		r->nodes[i].flags &= ~(F_PAINT_A | F_PAINT_B | F_PENDING);
	return 0;
}
