/*
 * tree_build.c -- between trees in the pool and sorted file lists:
 * flatten a tree (recursively) into a list, build the trees of a list
 * bottom-up, and HEAD's commit and tree, where those walks start.
 */
#include <stdlib.h>
#include <string.h>

#include "worktree.h"

static int
flatten(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid, vcs_str *prefix,
	vcs_wt_list *out)
{
	vcs_tree t = { 0 };
	size_t save = prefix->len;
	int rc = vcs_tree_read(repo, txn, oid, &t);

	if (rc)
		return rc;
	for (size_t i = 0; i < t.n && !rc; i++) {
		vcs_tree_entry *te = &t.entries[i];
		prefix->len = save;
		if (vcs_str_add(prefix, te->name, te->name_len)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if (te->mode == VCS_MODE_TREE) {
			if (vcs_str_add(prefix, "/", 1))
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			else
				rc = flatten(repo, txn, &te->oid, prefix, out);
		} else {
			vcs_wt_entry *e = vcs_wt_list_add(out, (char *)prefix->data,
						   prefix->len, te->mode);
			if (!e) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			if (e->mode != VCS_MODE_LINK && e->mode != VCS_MODE_EXEC &&
			    e->mode != VCS_MODE_GITLINK)
				e->mode = VCS_MODE_BLOB; /* 100664 and friends */
			e->oid = te->oid;
			e->have_oid = 1;
		}
	}
	prefix->len = save;
	vcs_tree_clear(&t);
	return rc;
}

/** vcs_tree_flatten -- all files under tree, sorted by path. */
int
vcs_tree_flatten(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *tree,
		 vcs_wt_list *out)
{
	vcs_str prefix = VCS_STR_INIT;
	int rc;

	if (!tree)
		return 0;
	rc = flatten(repo, txn, tree, &prefix, out);
	vcs_str_free(&prefix);
	/* git sorts tree entries as paths sort ("d" as "d/"), so the
	 * recursion already listed them in order; sort only a tree that
	 * breaks that rule */
	if (!rc)
		vcs_wt_list_sort(out);
	return rc;
}

/** build -- write the tree of entries [lo, hi) below the prefix of
 *  plen bytes; all paths in the range share that prefix. */
static int
build(vcs_repo *repo, pmdb_txn *txn, const vcs_wt_list *l, size_t lo,
      size_t hi, size_t plen, pmdb_oid *out)
{
	vcs_tree_entry *ents = calloc(hi - lo ? hi - lo : 1, sizeof(*ents));
	vcs_str enc = VCS_STR_INIT;
	size_t n = 0, i = lo;
	int rc = 0;

	if (!ents)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (i < hi) {
		const vcs_wt_entry *e = &l->e[i];
		const char *name = e->path + plen;
		const char *slash = memchr(name, '/', e->len - plen);
		vcs_tree_entry *te = &ents[n++];

		if (!slash) {
			te->mode = e->mode;
			te->name = (char *)name;
			te->name_len = e->len - plen;
			te->oid = e->oid;
			i++;
			continue;
		}
		/* a directory: every following path with the same "name/" */
		size_t nlen = (size_t)(slash - name), j = i + 1;
		while (j < hi && l->e[j].len > plen + nlen &&
		       !memcmp(l->e[j].path + plen, name, nlen + 1))
			j++;
		te->mode = VCS_MODE_TREE;
		te->name = (char *)name;
		te->name_len = nlen;
		rc = build(repo, txn, l, i, j, plen + nlen + 1, &te->oid);
		if (rc)
			goto out;
		i = j;
	}
	rc = vcs_tree_format(&enc, ents, n, repo->algo);
	if (rc)
		goto out;
	rc = pmdb_txn_put(txn, PMDB_OBJ_TREE, enc.data, enc.len, out);
	if (rc)
		rc = vcs_seterr_pmdb(rc, "writing a tree");
out:
	vcs_str_free(&enc);
	free(ents);
	return rc;
}

/** vcs_tree_build -- write the trees of a sorted list; root id out. */
int
vcs_tree_build(vcs_repo *repo, pmdb_txn *txn, const vcs_wt_list *l,
	       pmdb_oid *root)
{
	return build(repo, txn, l, 0, l->n, 0, root);
}

/** vcs_head_tree -- HEAD's commit and tree (born = 0 when unborn). */
int
vcs_head_tree(vcs_repo *repo, pmdb_oid *commit, pmdb_oid *tree, int *born)
{
	vcs_commit c = { 0 };
	int rc = vcs_head(repo, commit, NULL);

	memset(tree, 0, sizeof(*tree));
	*born = 0;
	if (rc == PMDB_ENOTFOUND) {
		memset(commit, 0, sizeof(*commit));
		return 0;
	}
	if (rc)
		return rc;
	rc = vcs_commit_read(repo, NULL, commit, &c);
	if (rc)
		return rc;
	*tree = c.tree;
	*born = 1;
	vcs_commit_clear(&c);
	return 0;
}
