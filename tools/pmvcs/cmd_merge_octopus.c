/*
 * cmd_merge_octopus.c -- pmvcs merge A B...: git's octopus strategy for
 * branches that merge cleanly. Each head is merged in turn into the tree
 * so far, against its merge base with HEAD ("Trying simple merge with
 * A"; "Simple merge did not work, trying automatic merge." when a file
 * needs a line merge), then one commit with HEAD and every head as
 * parents. A conflict anywhere refuses the whole merge before anything
 * is changed (git's octopus also gives up, but its last head may leave
 * conflicts behind: docs/merge.md).
 */
#include <stdlib.h>
#include <string.h>

#include "merge_cmd.h"

/* base_tree -- the tree of h's first merge base with mrc; *up: h is
 * already reachable from mrc; *ff: mrc is that one base. */
static int
base_tree(vcs_repo *repo, const pmdb_oid *mrc, const head *h,
	  pmdb_oid *tree, int *none, int *up, int *ff)
{
	pmdb_oid *b = NULL;
	size_t nb = 0;
	vcs_commit cm;
	int rc = vcs_merge_bases(repo, &h->oid, mrc, &b, &nb);

	memset(&cm, 0, sizeof(cm));
	*none = !nb;
	*up = 0;
	*ff = nb == 1 && !memcmp(&b[0], mrc, repo->hashlen);
	for (size_t i = 0; !rc && i < nb; i++)
		*up |= !memcmp(&b[i], &h->oid, repo->hashlen);
	if (!rc && nb && !(rc = vcs_commit_read(repo, NULL, &b[0], &cm)))
		*tree = cm.tree;
	vcs_commit_clear(&cm);
	free(b);
	return rc;
}

/* octopus -- the trees merged in turn into *tree; 1 on a conflict;
 * what git prints on the way is appended to log. As git's
 * git-merge-octopus.sh: heads that HEAD already is below of are
 * fast-forwarded to until the first real merge; the merge bases are
 * taken with the first commit merged so far (mrc). */
static int
octopus(vcs_repo *repo, pmdb_txn *txn, const cur *c, const head *h,
	size_t n, vcs_str *log, pmdb_oid *tree, head *used, size_t *nused)
{
	int rc = 0, non_ff = 0;
	pmdb_oid mrc = c->oid;

	*tree = c->tree;
	*nused = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		vcs_merge_tree_opts o = { VCS_XMERGE_STYLE_MERGE, "HEAD",
					  h[i].name, NULL, 7 };
		vcs_merge_result res;
		pmdb_oid bt;
		int none, up, ff, auto_ = 0;

		rc = base_tree(repo, &mrc, &h[i], &bt, &none, &up, &ff);
		if (rc)
			break;
		if (up) {
			rc = vcs_str_addf(log, "Already up to date with %s\n",
					  h[i].name);
			continue;
		}
		if (ff && !non_ff) {
			rc = vcs_str_addf(log, "Fast-forwarding to: %s\n",
					  h[i].name);
			mrc = h[i].oid;
			*tree = h[i].tree;
			used[(*nused)++] = h[i];
			continue;
		}
		non_ff = 1;
		rc = vcs_str_addf(log, "Trying simple merge with %s\n", h[i].name);
		if (!rc)
			rc = vcs_merge_trees(repo, txn, none ? NULL : &bt, tree,
					     &h[i].tree, &o, &res);
		if (rc)
			break;
		if (res.conflicts) {
			vcs_merge_result_clear(&res);
			return 1;
		}
		for (size_t k = 0; k < res.n; k++)
			auto_ |= res.notes[k].kind == VCS_MERGE_AUTO;
		if (auto_)
			rc = vcs_str_adds(log, "Simple merge did not work, trying "
					  "automatic merge.\n");
		for (size_t k = 0; !rc && k < res.n; k++)
			rc = vcs_str_addf(log, "Auto-merging %s\n",
					  res.notes[k].path);
		*tree = res.tree;
		used[(*nused)++] = h[i];
		vcs_merge_result_clear(&res);
	}
	return rc;
}

/* pmvcs_merge_octopus -- see merge_cmd.h */
int
pmvcs_merge_octopus(pmvcs_ctx *ctx, vcs_repo *repo, const cur *c,
		    const head *h, size_t n, const vcs_str *msg)
{
	const char *ref = c->ref[0] ? c->ref : "HEAD";
	vcs_str log = VCS_STR_INIT, line = VCS_STR_INIT;
	head *used = calloc(n, sizeof(*used));
	pmdb_txn *txn = NULL;
	pmdb_oid tree, commit;
	size_t nused = 0;
	int rc;

	if (!used)
		return pmvcs_fatal(ctx, "out of memory");
	if ((rc = pmdb_txn_begin(repo->env, &txn))) {
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
		goto out;
	}
	rc = octopus(repo, txn, c, h, n, &log, &tree, used, &nused);
	if (rc == 1) {
		fprintf(ctx->out, "%.*s", (int)log.len, log.data ? (char *)log.data : "");
		fprintf(ctx->err, "Merge with strategy octopus failed.\n");
		rc = 2;
		goto out;
	}
	if (!rc && !nused) {
		fprintf(ctx->out, "%.*sAlready up to date.\n", (int)log.len,
			log.data ? (char *)log.data : "");
		goto out;
	}
	if (!rc) {
		/* HEAD below a head is no parent (git's reduce_parents) */
		cur c2 = *c;
		int sub = 0;
		for (size_t i = 0; i < nused && !sub && rc >= 0; i++)
			sub = rc = vcs_is_ancestor(repo, &c->oid, &used[i].oid);
		if (rc >= 0)
			rc = 0;
		if (sub)
			c2.oid = used[0].oid;
		if (!rc)
			rc = pmvcs_merge__put_commit(ctx, repo, txn, &c2, used + sub,
						     nused - (size_t)sub, &tree, msg,
						     &commit);
	}
	if (rc)
		goto out;
	rc = pmdb_txn_commit(txn);   /* the objects first (cmd_merge.c) */
	txn = NULL;
	if (rc) {
		rc = vcs_seterr_pmdb(rc, "writing the merged tree");
		goto out;
	}
	fprintf(ctx->out, "%.*s", (int)log.len, log.data ? (char *)log.data : "");
	rc = pmvcs_merge__move_worktree(ctx, repo, &c->tree, &tree, 0);
	if (rc == 1) {
		fprintf(ctx->err, "Merge with strategy octopus failed.\n");
		rc = 2;
	}
	if (rc)
		goto out;
	rc = vcs_str_adds(&line, "merge");
	for (size_t i = 0; !rc && i < n; i++)
		rc = vcs_str_addf(&line, " %s", h[i].name);
	rc = rc ? rc : vcs_str_adds(&line, ": Merge made by the 'octopus' "
				    "strategy.");
	if (!rc && (rc = pmdb_txn_begin(repo->env, &txn)))
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
	if (!rc)
		rc = pmvcs_ref_set(ctx, repo, txn, ref, &commit, &c->oid,
				   (char *)line.data);
	if (!rc) {
		rc = pmvcs_merge__finish_txn(ctx, txn, ref);
		txn = NULL;
	}
	if (rc)
		goto out;
	fprintf(ctx->out, "Merge made by the 'octopus' strategy.\n");
	pmvcs_merge__print_stat(ctx, repo, &c->tree, &tree);
out:
	pmdb_txn_abort(txn);
	free(used);
	vcs_str_free(&log);
	vcs_str_free(&line);
	if (rc < 0)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	return rc;
}
