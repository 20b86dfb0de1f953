/*
 * merge_cmd.c -- the pieces cmd_merge.c and cmd_merge_octopus.c share
 * (merge_cmd.h).
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "merge_cmd.h"

/* read_cur -- HEAD's branch, commit and tree. */
int
pmvcs_merge__read_cur(vcs_repo *repo, cur *c)
{
	char *ref = NULL;
	vcs_commit cm;
	int rc = vcs_head(repo, &c->oid, &ref);

	memset(&cm, 0, sizeof(cm));
	c->ref[0] = '\0';
	if (ref)
		snprintf(c->ref, sizeof(c->ref), "%s", ref);
	free(ref);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	c->born = 1;
	rc = vcs_commit_read(repo, NULL, &c->oid, &cm);
	if (!rc)
		c->tree = cm.tree;
	vcs_commit_clear(&cm);
	return rc;
}

/* resolve -- a command-line commit; 0 or 1 after git's message. */
int
pmvcs_merge__resolve(pmvcs_ctx *ctx, vcs_repo *repo, const char *name, head *h)
{
	char full[PMDB_REF_NAME_MAX + 32];
	vcs_commit cm;
	pmdb_oid oid;

	memset(&cm, 0, sizeof(cm));
	h->name = name;
	h->short_ = name;
	if (vcs_revparse(repo, name, &oid) ||
	    vcs_peel(repo, &oid, PMDB_OBJ_COMMIT, &h->oid) ||
	    vcs_commit_read(repo, NULL, &h->oid, &cm)) {
		fprintf(ctx->err, "merge: %s - not something we can merge\n",
			name);
		return PMVCS_EXIT_DIFF;
	}
	h->tree = cm.tree;
	vcs_commit_clear(&cm);
	strcpy(h->kind, "commit");
	if (!vcs_ref_dwim(repo, name, strlen(name), full)) {
		if (!strncmp(full, "refs/heads/", 11)) {
			strcpy(h->kind, "branch");
			h->short_ = name + (strncmp(name, "refs/heads/", 11) ? 0 : 11);
		} else if (!strncmp(full, "refs/tags/", 10)) {
			strcpy(h->kind, "tag");
			h->short_ = name + (strncmp(name, "refs/tags/", 10) ? 0 : 10);
		}
	}
	return 0;
}

/* default_msg -- git's fmt_merge_msg for local names: "Merge branch
 * 'a'", "Merge branches 'a' and 'b'", "Merge branch 'a', tag 'v1'";
 * " into <branch>" unless the branch is master or main. */
int
pmvcs_merge__default_msg(vcs_str *m, const cur *c, const head *h, size_t n)
{
	static const char *const kinds[] = { "branch", "tag", "commit" };
	int rc = vcs_str_adds(m, "Merge ");
	int first = 1;

	for (size_t k = 0; k < 3 && !rc; k++) {
		size_t cnt = 0, done = 0;
		for (size_t i = 0; i < n; i++)
			cnt += !strcmp(h[i].kind, kinds[k]);
		if (!cnt)
			continue;
		rc = vcs_str_addf(m, "%s%s%s ", first ? "" : ", ", kinds[k],
				  cnt > 1 ? (k == 0 ? "es" : "s") : "");
		first = 0;
		for (size_t i = 0; i < n && !rc; i++) {
			if (strcmp(h[i].kind, kinds[k]))
				continue;
			done++;
			rc = vcs_str_addf(m, "%s'%s'", done == 1 ? "" :
					  done == cnt ? " and " : ", ", h[i].short_);
		}
	}
	if (!rc && c->ref[0] && strcmp(c->ref, "refs/heads/master") &&
	    strcmp(c->ref, "refs/heads/main"))
		rc = vcs_str_addf(m, " into %s", !strncmp(c->ref, "refs/heads/", 11) ?
				  c->ref + 11 : c->ref);
	return rc ? rc : vcs_str_adds(m, "\n");
}

/* print_stat -- git's diffstat and summary of from -> to after a
 * merge. Failures only shorten the output. */
void
pmvcs_merge__print_stat(pmvcs_ctx *ctx, vcs_repo *repo, const pmdb_oid *from,
	   const pmdb_oid *to)
{
	vcs_diff_opts o = VCS_DIFF_OPTS_INIT;
	vcs_wt_list a = VCS_WT_LIST_INIT, b = VCS_WT_LIST_INIT;
	vcs_str out = VCS_STR_INIT;

	o.patch = 0;
	o.stat = 1;
	if (vcs_diff_trees(repo, from, to, &o, &out, NULL) != 0)
		goto out;
	if (out.len)
		fwrite(out.data, 1, out.len, ctx->out);
	if (vcs_tree_flatten(repo, NULL, from, &a) ||
	    vcs_tree_flatten(repo, NULL, to, &b))
		goto out;
	pmvcs_print_summary(ctx, &a, &b);
out:
	vcs_wt_list_free(&a);
	vcs_wt_list_free(&b);
	vcs_str_free(&out);
}

/* checkout_err -- git's refusal when local changes are in the way. */
static void
checkout_err(pmvcs_ctx *ctx, const vcs_checkout_result *res)
{
	if (res->dirty.n) {
		fprintf(ctx->err, "error: Your local changes to the following "
			"files would be overwritten by merge:\n");
		for (size_t i = 0; i < res->dirty.n; i++)
			fprintf(ctx->err, "\t%s\n", res->dirty.e[i].path);
		fprintf(ctx->err, "Please commit your changes or stash them "
			"before you merge.\n");
	}
	if (res->untracked.n) {
		fprintf(ctx->err, "error: The following untracked working tree "
			"files would be overwritten by merge:\n");
		for (size_t i = 0; i < res->untracked.n; i++)
			fprintf(ctx->err, "\t%s\n", res->untracked.e[i].path);
		fprintf(ctx->err, "Please move or remove them before you "
			"merge.\n");
	}
	fprintf(ctx->err, "Aborting\n");
}

/* move_worktree -- from -> to; 0, 1 (refused: message printed), or a
 * negative code. */
int
pmvcs_merge__move_worktree(pmvcs_ctx *ctx, vcs_repo *repo, const pmdb_oid *from,
	      const pmdb_oid *to, unsigned flags)
{
	vcs_checkout_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = vcs_checkout_tree(repo, from, to, flags, &res);
	if (rc == PMDB_ECONFLICT) {
		checkout_err(ctx, &res);
		rc = 1;
	}
	vcs_checkout_result_clear(&res);
	return rc;
}

/* put_commit -- the merge commit of tree with HEAD and the heads. */
int
pmvcs_merge__put_commit(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn, const cur *c,
	   const head *h, size_t n, const pmdb_oid *tree, const vcs_str *msg,
	   pmdb_oid *out)
{
	vcs_str author = VCS_STR_INIT, committer = VCS_STR_INIT;
	vcs_str enc = VCS_STR_INIT;
	pmdb_oid *par = malloc((n + 1) * sizeof(*par));
	vcs_commit cm;
	int rc;

	if (!par)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (pmvcs_idents(ctx, NULL, &author, &committer)) {
		free(par);
		return 1;
	}
	par[0] = c->oid;
	for (size_t i = 0; i < n; i++)
		par[i + 1] = h[i].oid;
	memset(&cm, 0, sizeof(cm));
	cm.tree = *tree;
	cm.parents = par;
	cm.nparents = n + 1;
	cm.author = (char *)author.data;
	cm.committer = (char *)committer.data;
	cm.message = (char *)msg->data;
	cm.message_len = msg->len;
	rc = vcs_commit_format(&enc, &cm, repo->algo);
	if (!rc && (rc = pmdb_txn_put(txn, PMDB_OBJ_COMMIT, enc.data, enc.len,
				      out)))
		rc = vcs_seterr_pmdb(rc, "writing the commit");
	free(par);
	vcs_str_free(&enc);
	vcs_str_free(&author);
	vcs_str_free(&committer);
	return rc;
}

/* finish_txn -- commit txn, naming a moved branch as commit does. */
int
pmvcs_merge__finish_txn(pmvcs_ctx *ctx, pmdb_txn *txn, const char *ref)
{
	int rc = pmdb_txn_commit(txn);

	if (rc == PMDB_ECONFLICT) {
		fprintf(ctx->err, "pmvcs: cannot update '%s': another process "
			"changed it meanwhile; nothing was merged\n", ref);
		return 1;
	}
	return rc ? vcs_seterr_pmdb(rc, "committing") : 0;
}


/* pmvcs_print_summary -- see merge_cmd.h */
void
pmvcs_print_summary(pmvcs_ctx *ctx, const vcs_wt_list *a, const vcs_wt_list *b)
{
	vcs_str q = VCS_STR_INIT;
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		const vcs_wt_entry *x = i < a->n ? &a->e[i] : NULL;
		const vcs_wt_entry *y = j < b->n ? &b->e[j] : NULL;
		int c = !x ? 1 : !y ? -1 : strcmp(x->path, y->path);
		const vcs_wt_entry *e = c < 0 ? x : y;

		vcs_str_reset(&q);
		if (vcs_quote_path(&q, e->path, e->len))
			break;
		if (c < 0)
			fprintf(ctx->out, " delete mode %06o %s\n", x->mode,
				(char *)q.data);
		else if (c > 0)
			fprintf(ctx->out, " create mode %06o %s\n", y->mode,
				(char *)q.data);
		else if (x->mode != y->mode &&
			 (x->mode == VCS_MODE_LINK) == (y->mode == VCS_MODE_LINK))
			fprintf(ctx->out, " mode change %06o => %06o %s\n",
				x->mode, y->mode, (char *)q.data);
		i += c <= 0;
		j += c >= 0;
	}
	vcs_str_free(&q);
}
