/*
 * cmd_merge.c -- pmvcs merge: fast-forward, or a three-way merge of the
 * trees (vcs/merge_tree.c) committed with git's message, so the merge
 * commit has git's id for the same inputs and identity. Conflicts leave
 * the files with git's markers in the working tree and the merge
 * recorded in the pool (vcs/merge_state.c); `merge --continue` (or
 * `commit`) concludes it, `merge --abort` goes back (docs/merge.md).
 *
 * Order of the steps, and why: the merged tree's objects are committed
 * first (txn 1), then the working tree is moved to it (vcs/checkout.c
 * refuses if local changes are in the way, nothing changed yet), then
 * the branch moves or the merge is recorded (txn 2, compare-and-swap on
 * the branch). A crash between the two leaves the files merged and the
 * branch where it was: status shows the merge as local changes.
 */
#include <stdlib.h>
#include <string.h>

#include "merge_cmd.h"
#include "config.h"
#include "diff.h"
#include "merge.h"
#include "worktree.h"

static const char *const merge_usage[] = {
	"git merge [<options>] [<commit>...]",
	"git merge --abort",
	"git merge --continue",
	NULL
};

typedef struct merge_opts {
	int no_ff, ff_only, no_edit, abort_, continue_, quiet;
	pmvcs_msg_opt msg;
} merge_opts;

/* ---- helpers ----------------------------------------------------- */

/* ---- the merge itself -------------------------------------------- */

/* virtual_base -- the tree to merge against: none, the one base, or
 * (criss-cross) the bases merged with each other, as git's ort merges
 * them: oldest first, labels "Temporary merge branch 1/2", markers 2
 * longer. Objects go into txn. */
static int
virtual_base(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *bases,
	     size_t nb, pmdb_oid *tree)
{
	vcs_commit cm;
	int rc;

	memset(&cm, 0, sizeof(cm));
	rc = vcs_commit_read(repo, NULL, &bases[nb - 1], &cm);
	if (rc)
		return rc;
	*tree = cm.tree;
	vcs_commit_clear(&cm);
	for (size_t k = nb - 1; k-- > 0;) {
		vcs_merge_tree_opts o = { VCS_XMERGE_STYLE_MERGE,
			"Temporary merge branch 1", "Temporary merge branch 2",
			"merged common ancestors", 9 };
		vcs_merge_result res;
		pmdb_oid *bb = NULL, btree, next;
		size_t nbb = 0;

		rc = vcs_commit_read(repo, NULL, &bases[k], &cm);
		if (rc)
			return rc;
		next = cm.tree;
		vcs_commit_clear(&cm);
		rc = vcs_merge_bases(repo, &bases[nb - 1], &bases[k], &bb, &nbb);
		if (!rc && nbb) {
			rc = vcs_commit_read(repo, NULL, &bb[0], &cm);
			btree = cm.tree;
			vcs_commit_clear(&cm);
		}
		free(bb);
		if (rc)
			return rc;
		rc = vcs_merge_trees(repo, txn, nbb ? &btree : NULL, tree, &next,
				     &o, &res);
		if (rc)
			return rc;
		*tree = res.tree;
		vcs_merge_result_clear(&res);
	}
	return 0;
}

/* print_notes -- git's lines for each path, in path order. */
static void
print_notes(pmvcs_ctx *ctx, const vcs_merge_result *r, const char *ours,
	    const char *theirs)
{
	for (size_t i = 0; i < r->n; i++) {
		const vcs_merge_note *n = &r->notes[i];

		switch (n->kind) {
		case VCS_MERGE_AUTO:
			fprintf(ctx->out, "Auto-merging %s\n", n->path);
			break;
		case VCS_MERGE_CONTENT:
		case VCS_MERGE_ADD_ADD:
			if (n->binary)
				fprintf(ctx->err, "warning: Cannot merge binary "
					"files: %s (%s vs. %s)\n", n->path, ours,
					theirs);
			fprintf(ctx->out, "Auto-merging %s\n", n->path);
			fprintf(ctx->out, "CONFLICT (%s): Merge conflict in %s\n",
				n->kind == VCS_MERGE_CONTENT ? "content" : "add/add",
				n->path);
			break;
		case VCS_MERGE_MODIFY_DELETE:
		case VCS_MERGE_DELETE_MODIFY: {
			int od = n->kind == VCS_MERGE_DELETE_MODIFY;
			fprintf(ctx->out, "CONFLICT (modify/delete): %s deleted in "
				"%s and modified in %s.  Version %s of %s left in "
				"tree.\n", n->path, od ? ours : theirs,
				od ? theirs : ours, od ? theirs : ours, n->path);
			break;
		}
		case VCS_MERGE_TYPE:
			fprintf(ctx->out, "CONFLICT (distinct types): %s had "
				"different types on each side; kept the version "
				"of %s.\n", n->path, ours);
			break;
		case VCS_MERGE_DIR_FILE:
			fprintf(ctx->out, "CONFLICT (file/directory): directory "
				"in the way of %s; the file was left out.\n",
				n->path);
			break;
		}
	}
}

/* conflict_style -- merge.conflictStyle. */
static int
conflict_style(pmvcs_ctx *ctx)
{
	const vcs_config *cfg;
	const vcs_config_entry *e;

	if (pmvcs_config(ctx, &cfg))
		return -1;
	e = vcs_config_get(cfg, "merge.conflictstyle");
	return e && e->value && !strcmp(e->value, "diff3") ?
	       VCS_XMERGE_STYLE_DIFF3 : VCS_XMERGE_STYLE_MERGE;
}

/* fast_forward -- git's "Updating a..b" / "Fast-forward" and stat. */
static int
fast_forward(pmvcs_ctx *ctx, vcs_repo *repo, const cur *c, const head *h)
{
	char a[PMDB_OID_HEXMAX + 1], b[PMDB_OID_HEXMAX + 1];
	const char *ref = c->ref[0] ? c->ref : "HEAD";
	vcs_str msg = VCS_STR_INIT;
	pmdb_txn *txn = NULL;
	int rc;

	fprintf(ctx->out, "Updating %s..%s\n", vcs_oid_abbrev(repo, &c->oid, 7, a),
		vcs_oid_abbrev(repo, &h->oid, 7, b));
	rc = pmvcs_merge__move_worktree(ctx, repo, &c->tree, &h->tree, 0);
	if (rc)
		return rc;
	rc = vcs_str_addf(&msg, "merge %s: Fast-forward", h->name);
	if (!rc && (rc = pmdb_txn_begin(repo->env, &txn)))
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
	if (!rc)
		rc = pmvcs_ref_set(ctx, repo, txn, ref, &h->oid, &c->oid,
				   (char *)msg.data);
	if (!rc)
		rc = pmvcs_merge__finish_txn(ctx, txn, ref);
	else
		pmdb_txn_abort(txn);
	vcs_str_free(&msg);
	if (rc)
		return rc;
	fprintf(ctx->out, "Fast-forward\n");
	pmvcs_merge__print_stat(ctx, repo, &c->tree, &h->tree);
	return 0;
}

/* true_merge -- merge h into HEAD; 0 merged, 1 conflicts, 2 refused
 * (local changes in the way: git's exit code), negative code. */
static int
true_merge(pmvcs_ctx *ctx, vcs_repo *repo, const cur *c, const head *h,
	   const pmdb_oid *bases, size_t nb, vcs_str *msg)
{
	const char *ref = c->ref[0] ? c->ref : "HEAD";
	char abbrev[PMDB_OID_HEXMAX + 1];
	vcs_merge_tree_opts o = { 0, "HEAD", h->name, NULL, 7 };
	vcs_merge_result res;
	vcs_merge_state st;
	vcs_str line = VCS_STR_INIT;
	pmdb_txn *txn = NULL;
	pmdb_oid base_tree, commit;
	int rc, style = conflict_style(ctx);

	memset(&res, 0, sizeof(res));
	memset(&st, 0, sizeof(st));
	if (style < 0)
		return 1;
	o.style = style;
	o.base = nb == 0 ? "empty tree" : nb > 1 ? "merged common ancestors" :
		 vcs_oid_abbrev(repo, &bases[0], 7, abbrev);
	if ((rc = pmdb_txn_begin(repo->env, &txn)))
		return vcs_seterr_pmdb(rc, "starting a transaction");
	rc = nb ? virtual_base(repo, txn, bases, nb, &base_tree) : 0;
	if (!rc)
		rc = vcs_merge_trees(repo, txn, nb ? &base_tree : NULL, &c->tree,
				     &h->tree, &o, &res);
	if (!rc && !res.conflicts)
		rc = pmvcs_merge__put_commit(ctx, repo, txn, c, h, 1, &res.tree, msg, &commit);
	if (rc)
		goto out;
	/* txn 1: the objects (see the top of the file) */
	rc = pmdb_txn_commit(txn);
	txn = NULL;
	if (rc) {
		rc = vcs_seterr_pmdb(rc, "writing the merged tree");
		goto out;
	}
	rc = pmvcs_merge__move_worktree(ctx, repo, &c->tree, &res.tree, 0);
	if (rc == 1) {
		fprintf(ctx->err, "Merge with strategy ort failed.\n");
		rc = 2;
	}
	if (rc)
		goto out;
	if ((rc = pmdb_txn_begin(repo->env, &txn))) {
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
		goto out;
	}
	if (!res.conflicts) {
		rc = vcs_str_addf(&line, "merge %s: Merge made by the 'ort' "
				  "strategy.", h->name);
		rc = rc ? rc : pmvcs_ref_set(ctx, repo, txn, ref, &commit, &c->oid,
					     (char *)line.data);
	} else {
		st.orig_head = c->oid;
		st.orig_tree = c->tree;
		st.result_tree = res.tree;
		st.heads = (pmdb_oid *)&h->oid;
		st.nheads = 1;
		st.paths = calloc(res.conflicts, sizeof(char *));
		st.kinds = calloc(res.conflicts, 1);
		rc = st.paths && st.kinds ? 0 :
		     vcs_seterr(PMDB_ENOMEM, "out of memory");
		for (size_t i = 0; !rc && i < res.n; i++)
			if (res.notes[i].kind != VCS_MERGE_AUTO) {
				st.kinds[st.npaths] = (unsigned char)res.notes[i].kind;
				st.paths[st.npaths++] = res.notes[i].path;
			}
		rc = rc ? rc : vcs_str_adds(msg, "\n# Conflicts:\n");
		for (size_t i = 0; !rc && i < st.npaths; i++)
			rc = vcs_str_addf(msg, "#\t%s\n", st.paths[i]);
		st.msg = (char *)msg->data;
		rc = rc ? rc : vcs_merge_state_write(repo, txn, &st);
	}
	if (!rc) {
		rc = pmvcs_merge__finish_txn(ctx, txn, ref);
		txn = NULL;
	}
	if (rc)
		goto out;
	print_notes(ctx, &res, "HEAD", h->name);
	if (res.conflicts) {
		fprintf(ctx->out, "Automatic merge failed; fix conflicts and then "
			"commit the result.\n");
		rc = 1;
	} else {
		fprintf(ctx->out, "Merge made by the 'ort' strategy.\n");
		pmvcs_merge__print_stat(ctx, repo, &c->tree, &res.tree);
	}
out:
	pmdb_txn_abort(txn);
	free(st.paths);
	free(st.kinds);
	vcs_str_free(&line);
	vcs_merge_result_clear(&res);
	return rc;
}

/* merge_abort -- back to the tree before the merge. */
static int
merge_abort(pmvcs_ctx *ctx, vcs_repo *repo)
{
	vcs_merge_state st;
	pmdb_txn *txn = NULL;
	int rc = vcs_merge_state_read(repo, &st);

	if (rc == PMDB_ENOTFOUND) {
		fprintf(ctx->err, "fatal: There is no merge to abort (MERGE_HEAD "
			"missing).\n");
		return PMVCS_EXIT_FATAL;
	}
	if (rc)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	rc = pmvcs_merge__move_worktree(ctx, repo, &st.result_tree, &st.orig_tree,
			   VCS_CHECKOUT_FORCE);
	if (!rc && (rc = pmdb_txn_begin(repo->env, &txn)))
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
	if (!rc)
		rc = vcs_merge_state_remove(repo, txn);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
		if (rc)
			rc = vcs_seterr_pmdb(rc, "removing the merge record");
	}
	pmdb_txn_abort(txn);
	vcs_merge_state_clear(&st);
	if (rc < 0)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	return rc ? PMVCS_EXIT_FATAL : PMVCS_EXIT_OK;
}

/* parse -- options; -1 to go on, else the exit code. */
static int
parse(pmvcs_ctx *ctx, merge_opts *mo)
{
	int edit = 0, ff = -1;
	const pmvcs_option opts[] = {
		/* --no-ff is its negation, as in git */
		OPT_SET_INT(0, "ff", &ff, "allow fast-forward (default)", 1),
		OPT_BOOL(0, "ff-only", &mo->ff_only, "abort if fast-forward is "
			 "not possible"),
		OPT_PMVCS_MESSAGE(&mo->msg, "merge commit message (for a "
				  "non-fast-forward merge)"),
		OPT_BOOL('e', "edit", &edit, "edit message before committing"),
		OPT_SET_INT(0, "no-edit", &mo->no_edit, "accept the default "
			    "message", 1),
		OPT__QUIET(&mo->quiet, "be more quiet"),
		OPT_BOOL(0, "abort", &mo->abort_, "abort the current in-progress "
			 "merge"),
		OPT_BOOL(0, "continue", &mo->continue_, "continue the current "
			 "in-progress merge"),
		OPT_END()
	};
	int n = pmvcs_parse(ctx, opts, merge_usage, 0);

	if (n < 0)
		return PMVCS_EXIT_USAGE;
	if (mo->msg.oom)
		return pmvcs_fatal(ctx, "out of memory");
	mo->no_ff = ff == 0;
	if ((mo->abort_ || mo->continue_) && n) {
		fprintf(ctx->err, "fatal: --%s expects no arguments\n",
			mo->abort_ ? "abort" : "continue");
		return pmvcs_usage(ctx, merge_usage, opts);
	}
	if (!mo->abort_ && !mo->continue_ && !n) {
		fprintf(ctx->err, "fatal: No remote for the current branch.\n");
		return PMVCS_EXIT_FATAL;
	}
	if (mo->no_ff && mo->ff_only) {
		fprintf(ctx->err, "fatal: options '--ff-only' and '--no-ff' "
			"cannot be used together\n");
		return PMVCS_EXIT_FATAL;
	}
	return -1;
}

/** cmd_merge -- see the top of the file. */
int
cmd_merge(pmvcs_ctx *ctx)
{
	merge_opts mo;
	vcs_repo *repo = NULL;
	vcs_merge_state st;
	vcs_str msg = VCS_STR_INIT;
	head *h = NULL;
	pmdb_oid *bases = NULL;
	size_t nb = 0, n;
	cur c;
	int ret, rc;

	memset(&mo, 0, sizeof(mo));
	memset(&st, 0, sizeof(st));
	ret = parse(ctx, &mo);
	if (ret >= 0)
		goto out;
	ret = PMVCS_EXIT_FATAL;
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		goto out;
	if (mo.abort_) {
		ret = merge_abort(ctx, repo);
		goto out;
	}
	if (mo.continue_) {
		ret = pmvcs_commit_merge(ctx, repo);
		goto out;
	}
	rc = vcs_merge_state_read(repo, &st);
	if (rc != PMDB_ENOTFOUND) {
		if (rc) {
			ret = pmvcs_fatal(ctx, "%s", vcs_errmsg());
			goto out;
		}
		fprintf(ctx->err, "fatal: You have not concluded your merge "
			"(MERGE_HEAD exists).\nPlease, commit your changes before "
			"you merge.\n");
		goto out;
	}
	if ((rc = pmvcs_merge__read_cur(repo, &c))) {
		ret = pmvcs_fatal(ctx, "%s", vcs_errmsg());
		goto out;
	}
	if (!c.born) {
		ret = pmvcs_fatal(ctx, "merge: HEAD is an unborn branch (not "
				  "implemented)");
		goto out;
	}
	n = (size_t)ctx->argc;
	h = calloc(n, sizeof(*h));
	if (!h) {
		ret = pmvcs_fatal(ctx, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((ret = pmvcs_merge__resolve(ctx, repo, ctx->argv[i], &h[i])))
			goto out;
	ret = PMVCS_EXIT_FATAL;
	if (mo.msg.n)
		rc = vcs_stripspace(&msg, (char *)mo.msg.text.data, mo.msg.text.len, 0);
	else
		rc = pmvcs_merge__default_msg(&msg, &c, h, n);
	if (!rc && n > 1) {
		ret = pmvcs_merge_octopus(ctx, repo, &c, h, n, &msg);
		goto out;
	}
	if (!rc)
		rc = vcs_merge_bases(repo, &c.oid, &h[0].oid, &bases, &nb);
	if (rc) {
		ret = pmvcs_fatal(ctx, "%s", vcs_errmsg());
		goto out;
	}
	if (nb == 1 && !memcmp(&bases[0], &h[0].oid, repo->hashlen)) {
		fprintf(ctx->out, "Already up to date.\n");
		ret = PMVCS_EXIT_OK;
		goto out;
	}
	if (nb == 1 && !memcmp(&bases[0], &c.oid, repo->hashlen) && !mo.no_ff)
		rc = fast_forward(ctx, repo, &c, &h[0]);
	else if (mo.ff_only) {
		fprintf(ctx->err, "fatal: Not possible to fast-forward, "
			"aborting.\n");
		goto out;
	} else
		rc = true_merge(ctx, repo, &c, &h[0], bases, nb, &msg);
	ret = rc < 0 ? pmvcs_fatal(ctx, "%s", vcs_errmsg()) :
	      rc == 2 ? 2 : rc ? PMVCS_EXIT_DIFF : PMVCS_EXIT_OK;
out:
	vcs_merge_state_clear(&st);
	free(bases);
	free(h);
	vcs_str_free(&msg);
	vcs_str_free(&mo.msg.text);
	vcs_repo_free(repo);
	return ret;
}
