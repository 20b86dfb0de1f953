/*
 * revision_paths.c -- the path side of git's revision walk (see
 * revision_walk.c): does a commit change anything the pathspec selects?
 * Trees are compared in place, skipping every subtree whose id is equal
 * on both sides or that no pathspec item can reach; for literal paths a
 * per-commit fingerprint (the objects at those paths) is compared
 * instead, so "log -- PATH" reads a few small trees per commit.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "revision_int.h"

typedef struct tview {
	const uint8_t *p, *end;
	pmdb_view_guard *g;
} tview;

/* tv_open -- view a tree (NULL oid: the empty tree) */
static int
tv_open(vcs_rev_info *r, const pmdb_oid *oid, tview *t)
{
	const void *ptr;
	size_t len;
	pmdb_otype type;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!oid)
		return 0;
	rc = pmdb_object_view(r->repo->env, oid, &type, &ptr, &len, &t->g);
	if (rc) {
		char hex[PMDB_OID_HEXMAX + 1];

		return vcs_seterr_pmdb(rc, vcs_oid_hex(r->repo, oid, hex));
	}
	t->p = ptr;
	t->end = t->p + len;
	return 0;
}

typedef struct tent {
	uint32_t mode;
	const char *name;
	size_t len;
	pmdb_oid oid;
} tent;

/* tv_next -- the next entry; 1, 0 at the end, PMDB_ECORRUPT */
static int
tv_next(vcs_rev_info *r, tview *t, tent *e)
{
	const uint8_t *p = t->p, *nul;
	uint32_t mode = 0;

	if (p >= t->end)
		return 0;
	while (p < t->end && *p >= '0' && *p <= '7')
		mode = mode * 8 + (uint32_t)(*p++ - '0');
	if (p >= t->end || *p++ != ' ' ||
	    !(nul = memchr(p, '\0', (size_t)(t->end - p))) ||
	    (size_t)(t->end - nul - 1) < r->repo->hashlen)
		return vcs_seterr(PMDB_ECORRUPT, "walking history: bad tree");
	e->mode = mode;
	e->name = (const char *)p;
	e->len = (size_t)(nul - p);
	memset(&e->oid, 0, sizeof(e->oid));
	memcpy(e->oid.id, nul + 1, r->repo->hashlen);
	t->p = nul + 1 + r->repo->hashlen;
	return 1;
}

static int tree_differs(vcs_rev_info *r, const pmdb_oid *a,
			const pmdb_oid *b, vcs_str *base);

/* side_differs -- one entry present on one side only (or changed):
 * does it bring a difference under the pathspec? */
static int
side_differs(vcs_rev_info *r, const tent *ea, const tent *eb, vcs_str *base)
{
	const tent *e = ea ? ea : eb;
	size_t mark = base->len;
	int rc;

	if (vcs_str_add(base, e->name, e->len))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	if (e->mode == VCS_MODE_TREE) {
		rc = vcs_pathspec_dir(&r->ps, (const char *)base->data, base->len);
		if (rc && vcs_str_add(base, "/", 1))
			rc = vcs_seterr(PMDB_ENOMEM, "walking history: "
					"out of memory");
		else if (rc)
			rc = tree_differs(r, ea ? &ea->oid : NULL,
					  eb ? &eb->oid : NULL, base);
	} else {
		rc = vcs_pathspec_match(&r->ps, (const char *)base->data, base->len);
	}
	base->len = mark;
	return rc;
}

/* tree_differs -- 1 if trees a and b (NULL: empty) differ in a path the
 * pathspec selects, 0 if not; base is the trees' path ("" or "d/") */
static int
tree_differs(vcs_rev_info *r, const pmdb_oid *a, const pmdb_oid *b,
	     vcs_str *base)
{
	tview ta, tb;
	tent ea, eb;
	int ha, hb, rc = 0;

	if (a && b && !memcmp(a, b, sizeof(*a)))
		return 0;
	if ((rc = tv_open(r, a, &ta)))
		return rc;
	if ((rc = tv_open(r, b, &tb))) {
		pmdb_view_release(ta.g);
		return rc;
	}
	ha = tv_next(r, &ta, &ea);
	hb = tv_next(r, &tb, &eb);
	while (!rc && ha >= 0 && hb >= 0 && (ha || hb)) {
		int c = !ha ? 1 : !hb ? -1 :
			vcs_tree_entry_cmp(ea.name, ea.len, ea.mode,
					   eb.name, eb.len, eb.mode);

		/* a file and a directory of one name are two paths */
		if (!c && (ea.mode == VCS_MODE_TREE) != (eb.mode == VCS_MODE_TREE))
			c = ea.mode == VCS_MODE_TREE ? 1 : -1;

		if (c < 0) {
			rc = side_differs(r, &ea, NULL, base);
			ha = tv_next(r, &ta, &ea);
		} else if (c > 0) {
			rc = side_differs(r, NULL, &eb, base);
			hb = tv_next(r, &tb, &eb);
		} else {
			if (ea.mode != eb.mode ||
			    memcmp(&ea.oid, &eb.oid, sizeof(ea.oid))) {
				if (ea.mode == VCS_MODE_TREE &&
				    eb.mode == VCS_MODE_TREE)
					rc = side_differs(r, &ea, &eb, base);
				else
					rc = side_differs(r, &eb, NULL, base);
			}
			ha = tv_next(r, &ta, &ea);
			hb = tv_next(r, &tb, &eb);
		}
	}
	if (!rc && (ha < 0 || hb < 0))
		rc = ha < 0 ? ha : hb;
	pmdb_view_release(tb.g);
	pmdb_view_release(ta.g);
	return rc;
}

/* lookup -- the entry at path (len bytes, no trailing '/') below tree
 * root; mode 0 when there is none */
static int
lookup(vcs_rev_info *r, const pmdb_oid *root, const char *path, size_t len,
       struct rfp *out)
{
	pmdb_oid cur = *root;

	memset(out, 0, sizeof(*out));
	if (!len) {
		out->oid = *root;
		out->mode = VCS_MODE_TREE;
		return 0;
	}
	for (;;) {
		const char *slash = memchr(path, '/', len);
		size_t n = slash ? (size_t)(slash - path) : len;
		tview t;
		tent e;
		int rc, hit = 0;

		if ((rc = tv_open(r, &cur, &t)))
			return rc;
		while ((rc = tv_next(r, &t, &e)) == 1)
			if (e.len == n && !memcmp(e.name, path, n)) {
				hit = 1;
				break;
			}
		pmdb_view_release(t.g);
		if (rc < 0)
			return rc;
		if (!hit)
			return 0;
		if (!slash) {
			out->oid = e.oid;
			out->mode = e.mode;
			return 0;
		}
		if (e.mode != VCS_MODE_TREE)
			return 0;
		cur = e.oid;
		path += n + 1;
		len -= n + 1;
	}
}

/* fingerprint -- the objects at each literal pathspec path in commit i,
 * found once per commit: two commits differ under such a pathspec iff
 * an object differs (ids name contents), so the walk reads one root
 * tree per commit and the trees along the paths, not whole tree diffs */
static int
fingerprint(vcs_rev_info *r, uint32_t i, const struct rfp **out)
{
	size_t at = r->nfp;
	pmdb_oid root = r->nodes[i].tree;
	int rc;

	if (r->nodes[i].fp) {
		*out = &r->fp[r->nodes[i].fp - 1];
		return 0;
	}
	if (at + r->ps.n >= UINT32_MAX ||
	    VCS_ARRAY_GROW(r->fp, r->fpcap, at + r->ps.n, 256))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	for (size_t k = 0; k < r->ps.n; k++)
		if ((rc = lookup(r, &root, r->ps.items[k].match,
				 r->ps.items[k].len, &r->fp[at + k])))
			return rc;
	r->nfp += r->ps.n;
	r->nodes[i].fp = (uint32_t)at + 1;
	*out = &r->fp[at];
	return 0;
}

/* fast_paths -- 1 if every pathspec item is a plain literal path */
static int
fast_paths(vcs_rev_info *r)
{
	if (r->fast >= 0)
		return r->fast;
	r->fast = 1;
	for (size_t k = 0; k < r->ps.n; k++) {
		const vcs_pathspec_item *it = &r->ps.items[k];

		if ((it->magic & VCS_PS_EXCLUDE) || it->nowild != it->len ||
		    (it->len && it->match[it->len - 1] == '/'))
			r->fast = 0;
	}
	return r->fast;
}

/* rev_differs -- commit trees a and b (node indexes; b may be UINT32_MAX:
 * the empty tree) differ under the pathspec */
int
rev_differs(vcs_rev_info *r, uint32_t a, uint32_t b)
{
	pmdb_oid ta = r->nodes[a].tree, tb;
	int rc;

	if (b != UINT32_MAX)
		tb = r->nodes[b].tree;
	if (b != UINT32_MAX && !memcmp(&ta, &tb, sizeof(ta)))
		return 0;
	if (fast_paths(r)) {
		const struct rfp *fa, *fb;
		size_t oa;

		if ((rc = fingerprint(r, a, &fa)))
			return rc;
		if (b == UINT32_MAX) {
			for (size_t k = 0; k < r->ps.n; k++)
				if (fa[k].mode)
					return 1;
			return 0;
		}
		oa = (size_t)(fa - r->fp);      /* fp may move: keep offsets */
		if ((rc = fingerprint(r, b, &fb)))
			return rc;
		fa = r->fp + oa;
		for (size_t k = 0; k < r->ps.n; k++)
			if (fa[k].mode != fb[k].mode ||
			    memcmp(&fa[k].oid, &fb[k].oid, sizeof(fa[k].oid)))
				return 1;
		return 0;
	}
	vcs_str_reset(&r->scratch);
	if (vcs_str_grow(&r->scratch, 256))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	r->scratch.data[0] = '\0';
	rc = tree_differs(r, &ta, b == UINT32_MAX ? NULL : &tb, &r->scratch);
	return rc;
}
