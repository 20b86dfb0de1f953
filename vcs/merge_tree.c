/*
 * merge_tree.c -- the three-way merge of trees behind pmvcs merge: git's
 * "ort" rules for each path, without rename detection (a rename is a
 * delete plus an add, as with git merge -X no-renames; docs/merge.md).
 *
 * The three trees are flattened to sorted file lists and walked together.
 * For each path, with o the base, a ours and b theirs (each possibly
 * absent), in this order:
 *  1. a equals b: a.            2. a equals o: b.    3. b equals o: a.
 *  4. a and b both regular files: the mode that changed wins (both
 *     changed: ours); the content that changed wins, else the line merge
 *     (xmerge.c, level ZEALOUS as git's ll_merge) of o, a and b, an
 *     absent o being empty (add/add); binary files keep ours.
 *  5. one side deleted what the other changed: modify/delete, the
 *     changed version stays.
 *  6. anything else (symlinks changed both ways, types changed): ours
 *     stays, a conflict.
 * The result's blobs (conflict files with their markers) and trees are
 * put into the caller's txn.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "diff.h"
#include "merge.h"

typedef struct walker {
	vcs_repo *repo;
	pmdb_txn *txn;
	const vcs_merge_tree_opts *o;
	vcs_merge_result *res;
	size_t cap;
	vcs_wt_list out;
} walker;

/* same -- 1 if both entries are absent, or equal in mode and id. */
static int
same(const vcs_wt_entry *x, const vcs_wt_entry *y, size_t hashlen)
{
	if (!x || !y)
		return !x && !y;
	return x->mode == y->mode && !memcmp(&x->oid, &y->oid, hashlen);
}

/* take -- put e (mode, oid) at path into the result. */
static int
take(walker *w, const char *path, size_t len, uint32_t mode,
     const pmdb_oid *oid)
{
	vcs_wt_entry *e = vcs_wt_list_add(&w->out, path, len, mode);

	if (!e)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	e->oid = *oid;
	e->have_oid = 1;
	return 0;
}

/* note -- record what happened to path. */
static int
note(walker *w, const char *path, vcs_merge_kind kind, int binary)
{
	vcs_merge_note *n;

	if (VCS_ARRAY_GROW(w->res->notes, w->cap, w->res->n + 1, 16))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	n = &w->res->notes[w->res->n];
	memset(n, 0, sizeof(*n));
	n->path = strdup(path);
	if (!n->path)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	n->kind = kind;
	n->binary = binary;
	w->res->n++;
	if (kind != VCS_MERGE_AUTO)
		w->res->conflicts++;
	return 0;
}

/* read_blob -- the bytes of e (empty if e is NULL). */
static int
read_blob(walker *w, const vcs_wt_entry *e, vcs_str *out)
{
	pmdb_otype t;

	if (!e)
		return 0;
	return vcs_object_read(w->repo, w->txn, &e->oid, &t, out);
}

/* content -- rule 4: merge two regular files. */
static int
content(walker *w, const vcs_wt_entry *o, const vcs_wt_entry *a,
	const vcs_wt_entry *b)
{
	size_t hl = w->repo->hashlen;
	uint32_t mode = a->mode;
	vcs_str so = VCS_STR_INIT, sa = VCS_STR_INIT, sb = VCS_STR_INIT;
	vcs_str m = VCS_STR_INIT;
	vcs_xmerge_opts xo = VCS_XMERGE_OPTS_INIT;
	pmdb_oid oid;
	int rc, n;

	if (a->mode != b->mode && o && a->mode == o->mode)
		mode = b->mode;
	if (!memcmp(&a->oid, &b->oid, hl))
		return take(w, a->path, a->len, mode, &a->oid);
	if (o && !memcmp(&a->oid, &o->oid, hl))
		return take(w, a->path, a->len, mode, &b->oid);
	if (o && !memcmp(&b->oid, &o->oid, hl))
		return take(w, a->path, a->len, mode, &a->oid);
	rc = read_blob(w, o, &so);
	rc = rc ? rc : read_blob(w, a, &sa);
	rc = rc ? rc : read_blob(w, b, &sb);
	if (rc)
		goto out;
	if ((so.len && vcs_diff_is_binary(so.data, so.len)) ||
	    (sa.len && vcs_diff_is_binary(sa.data, sa.len)) ||
	    (sb.len && vcs_diff_is_binary(sb.data, sb.len))) {
		rc = note(w, a->path, o ? VCS_MERGE_CONTENT : VCS_MERGE_ADD_ADD, 1);
		rc = rc ? rc : take(w, a->path, a->len, mode, &a->oid);
		goto out;
	}
	xo.level = VCS_XMERGE_ZEALOUS;
	xo.style = w->o->style;
	xo.marker_size = w->o->marker_size;
	xo.ours = w->o->ours;
	xo.theirs = w->o->theirs;
	xo.base = w->o->base;
	n = vcs_xmerge(&m, (so.data ? (const void *)so.data : ""), so.len,
		       (sa.data ? (const void *)sa.data : ""), sa.len,
		       (sb.data ? (const void *)sb.data : ""), sb.len, &xo);
	if (n < 0) {
		rc = n;
		goto out;
	}
	rc = pmdb_txn_put(w->txn, PMDB_OBJ_BLOB, (m.data ? (const void *)m.data : ""), m.len,
			  &oid);
	if (rc) {
		rc = vcs_seterr_pmdb(rc, a->path);
		goto out;
	}
	rc = note(w, a->path, !n ? VCS_MERGE_AUTO : o ? VCS_MERGE_CONTENT :
		  VCS_MERGE_ADD_ADD, 0);
	rc = rc ? rc : take(w, a->path, a->len, mode, &oid);
out:
	vcs_str_free(&so);
	vcs_str_free(&sa);
	vcs_str_free(&sb);
	vcs_str_free(&m);
	return rc;
}

/* one -- the rules for one path. */
static int
one(walker *w, const vcs_wt_entry *o, const vcs_wt_entry *a,
    const vcs_wt_entry *b)
{
	size_t hl = w->repo->hashlen;
	const vcs_wt_entry *x = a ? a : b;
	int rc;

	if (same(a, b, hl) || same(b, o, hl))
		return a ? take(w, a->path, a->len, a->mode, &a->oid) : 0;
	if (same(a, o, hl))
		return b ? take(w, b->path, b->len, b->mode, &b->oid) : 0;
	if (a && b) {
		uint32_t ta = a->mode & 0170000u, tb = b->mode & 0170000u;
		if (ta == 0100000u && tb == 0100000u &&
		    (!o || (o->mode & 0170000u) == 0100000u))
			return content(w, o, a, b);
		rc = note(w, a->path, o ? VCS_MERGE_CONTENT : VCS_MERGE_ADD_ADD,
			  ta != tb);
		if (ta != tb && !rc)
			w->res->notes[w->res->n - 1].kind = VCS_MERGE_TYPE;
		return rc ? rc : take(w, a->path, a->len, a->mode, &a->oid);
	}
	/* rule 5: one side deleted, the other changed */
	rc = note(w, x->path, a ? VCS_MERGE_MODIFY_DELETE :
		  VCS_MERGE_DELETE_MODIFY, 0);
	return rc ? rc : take(w, x->path, x->len, x->mode, &x->oid);
}

/* cmp -- path order of the lists' entries; NULL sorts last. */
static int
cmp(const vcs_wt_entry *x, const vcs_wt_entry *y)
{
	if (!x || !y)
		return !x - !y;
	return strcmp(x->path, y->path);
}

/* df_check -- a file whose path is also a directory of the result:
 * git renames the file aside; we report the conflict and keep the
 * directory (docs/merge.md). */
static int
df_check(walker *w)
{
	size_t k = 0;
	int rc = 0;

	for (size_t i = 0; i < w->out.n && !rc; i++) {
		const vcs_wt_entry *e = &w->out.e[i];
		int clash = 0;
		for (size_t j = i + 1; j < w->out.n; j++) {
			const vcs_wt_entry *f = &w->out.e[j];
			if (strncmp(f->path, e->path, e->len))
				break;
			if (f->path[e->len] == '/') {
				clash = 1;
				break;
			}
		}
		if (clash) {
			rc = note(w, e->path, VCS_MERGE_DIR_FILE, 0);
			continue;
		}
		w->out.e[k++] = *e;
	}
	w->out.n = k;
	return rc;
}

/* note_cmp -- notes in path order. */
static int
note_cmp(const void *x, const void *y)
{
	return strcmp(((const vcs_merge_note *)x)->path,
		      ((const vcs_merge_note *)y)->path);
}

int
vcs_merge_trees(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *base,
		const pmdb_oid *ours, const pmdb_oid *theirs,
		const vcs_merge_tree_opts *o, vcs_merge_result *res)
{
	vcs_wt_list lo = VCS_WT_LIST_INIT, la = VCS_WT_LIST_INIT;
	vcs_wt_list lb = VCS_WT_LIST_INIT;
	walker w;
	size_t i = 0, j = 0, k = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.txn = txn;
	w.o = o;
	w.res = res;
	w.out = (vcs_wt_list)VCS_WT_LIST_INIT;
	rc = vcs_tree_flatten(repo, txn, base, &lo);
	rc = rc ? rc : vcs_tree_flatten(repo, txn, ours, &la);
	rc = rc ? rc : vcs_tree_flatten(repo, txn, theirs, &lb);
	while (!rc && (i < lo.n || j < la.n || k < lb.n)) {
		const vcs_wt_entry *eo = i < lo.n ? &lo.e[i] : NULL;
		const vcs_wt_entry *ea = j < la.n ? &la.e[j] : NULL;
		const vcs_wt_entry *eb = k < lb.n ? &lb.e[k] : NULL;
		const vcs_wt_entry *lo_ = eo;

		if (cmp(ea, lo_) < 0)
			lo_ = ea;
		if (cmp(eb, lo_) < 0)
			lo_ = eb;
		eo = cmp(eo, lo_) == 0 ? eo : NULL;
		ea = cmp(ea, lo_) == 0 ? ea : NULL;
		eb = cmp(eb, lo_) == 0 ? eb : NULL;
		rc = one(&w, eo, ea, eb);
		i += eo != NULL;
		j += ea != NULL;
		k += eb != NULL;
	}
	rc = rc ? rc : df_check(&w);
	if (!rc) {
		rc = vcs_tree_build(repo, txn, &w.out, &res->tree);
		if (rc && !*vcs_errmsg())
			vcs_seterr(rc, "writing the merged tree");
	}
	if (!rc && res->n)
		qsort(res->notes, res->n, sizeof(*res->notes), note_cmp);
	vcs_wt_list_free(&lo);
	vcs_wt_list_free(&la);
	vcs_wt_list_free(&lb);
	vcs_wt_list_free(&w.out);
	if (rc)
		vcs_merge_result_clear(res);
	return rc;
}

void
vcs_merge_result_clear(vcs_merge_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->notes[i].path);
		free(res->notes[i].moved);
	}
	free(res->notes);
	memset(res, 0, sizeof(*res));
}
