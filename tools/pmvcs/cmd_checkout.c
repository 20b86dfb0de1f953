/*
 * cmd_checkout.c -- pmvcs checkout: switch branches or detach HEAD at a
 * revision, updating the working tree (vcs/checkout.c does the files);
 * with paths, put files of a revision back (cmd_restore.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "file_io.h"
#include "worktree.h"

static const char *const checkout_usage[] = {
	"pmvcs checkout [<options>] <branch>",
	"pmvcs checkout [<options>] -b <new-branch> [<start-point>]",
	"pmvcs checkout [<options>] [<branch>] -- <file>...",
	NULL
};

/** target -- where the checkout goes. */
typedef struct target {
	char ref[PMDB_REF_NAME_MAX + 1]; /**< branch ref, "" when detaching */
	pmdb_oid commit;
	pmdb_oid tree;
	int is_new;                      /**< -b: create ref */
} target;

/** commit_tree -- a commit's tree. */
static int
commit_tree(vcs_repo *repo, const pmdb_oid *commit, pmdb_oid *tree)
{
	vcs_commit c = { 0 };
	int rc = vcs_commit_read(repo, NULL, commit, &c);

	if (!rc)
		*tree = c.tree;
	vcs_commit_clear(&c);
	return rc;
}

/** resolve_target -- find the branch or commit named by spec. Returns an
 *  exit code, or -1 to go on. */
static int
resolve_target(pmvcs_ctx *ctx, vcs_repo *repo, const char *newb,
	       const char *spec, target *t)
{
	pmdb_oid oid;
	int rc;

	memset(t, 0, sizeof(*t));
	if (newb) {
		if ((size_t)snprintf(t->ref, sizeof(t->ref), "refs/heads/%s", newb) >=
		    sizeof(t->ref) || !pmdb_ref_name_valid(t->ref) ||
		    !strcmp(newb, "HEAD") || newb[0] == '-')
			return pmvcs_fatal(ctx, "'%s' is not a valid branch name", newb);
		if (pmdb_ref_read(repo->env, t->ref, NULL, NULL) == 0)
			return pmvcs_fatal(ctx, "a branch named '%s' already exists", newb);
		t->is_new = 1;
		if (!spec)
			spec = "HEAD";
	} else if ((size_t)snprintf(t->ref, sizeof(t->ref), "refs/heads/%s", spec) <
			   sizeof(t->ref) && pmdb_ref_name_valid(t->ref) &&
		   pmdb_ref_read(repo->env, t->ref, &oid, NULL) == 0) {
		t->commit = oid;
		rc = commit_tree(repo, &t->commit, &t->tree);
		return rc ? pmvcs_report(ctx, rc, spec, 0) : -1;
	} else {
		t->ref[0] = '\0';
	}
	rc = vcs_revparse(repo, spec, &oid);
	if (rc == PMDB_ENOTFOUND && !newb) {
		fprintf(ctx->err, "pmvcs: unknown revision '%s': no such branch, "
			"tag or commit\n", spec);
		return PMVCS_EXIT_DIFF; /* git's pathspec error exits 1 */
	}
	if (rc)
		return pmvcs_report(ctx, rc, spec, 0);
	rc = vcs_peel(repo, &oid, PMDB_OBJ_COMMIT, &t->commit);
	if (rc)
		return pmvcs_fatal(ctx, "cannot check out '%s': it is not a commit",
				   spec);
	rc = commit_tree(repo, &t->commit, &t->tree);
	return rc ? pmvcs_report(ctx, rc, spec, 0) : -1;
}

/** print_conflicts -- git's refusal messages. */
static void
print_conflicts(pmvcs_ctx *ctx, const vcs_checkout_result *res)
{
	if (res->dirty.n) {
		fprintf(ctx->err, "error: Your local changes to the following files "
			"would be overwritten by checkout:\n");
		for (size_t i = 0; i < res->dirty.n; i++)
			fprintf(ctx->err, "\t%s\n", res->dirty.e[i].path);
		fprintf(ctx->err, "Please commit your changes or stash them before "
			"you switch branches.\n");
	}
	if (res->untracked.n) {
		fprintf(ctx->err, "error: The following untracked working tree files "
			"would be overwritten by checkout:\n");
		for (size_t i = 0; i < res->untracked.n; i++)
			fprintf(ctx->err, "\t%s\n", res->untracked.e[i].path);
		fprintf(ctx->err, "Please move or remove them before you switch "
			"branches.\n");
	}
	fprintf(ctx->err, "Aborting\n");
}

/**
 * update_head -- point HEAD at the target (creating the branch), logged
 * with git's messages: "checkout: moving from <branch, or HEAD's full id
 * when detached> to <what was asked>", "branch: Created from <start>".
 */
static int
update_head(pmvcs_ctx *ctx, vcs_repo *repo, const target *t,
	    const char *head_ref, const pmdb_oid *head, const char *to,
	    const char *start)
{
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_str msg = VCS_STR_INIT;
	pmdb_txn *txn = NULL;
	int rc = pmdb_txn_begin(repo->env, &txn);

	if (rc)
		return vcs_seterr_pmdb(rc, "starting a transaction");
	if (t->is_new) {
		rc = vcs_str_addf(&msg, "branch: Created from %s", start);
		if (!rc)
			rc = pmvcs_ref_set(ctx, repo, txn, t->ref, &t->commit,
					   PMDB_EXPECT_ABSENT, (char *)msg.data);
		vcs_str_reset(&msg);
	}
	if (!rc)
		rc = vcs_str_addf(&msg, "checkout: moving from %s to %s",
				  head_ref[0] ? (strncmp(head_ref, "refs/heads/", 11) ?
						 head_ref : head_ref + 11) :
				  vcs_oid_hex(repo, head, hex), to);
	if (!rc && t->ref[0])
		rc = pmvcs_ref_set_symbolic(ctx, repo, txn, "HEAD", t->ref,
					    &t->commit, (char *)msg.data);
	else if (!rc)
		rc = pmvcs_ref_set(ctx, repo, txn, "HEAD", &t->commit,
				   PMDB_EXPECT_ANY, (char *)msg.data);
	vcs_str_free(&msg);
	if (rc) {
		pmdb_txn_abort(txn);
		return rc == PMDB_ENOMEM ? vcs_seterr(rc, "out of memory") : rc;
	}
	rc = pmdb_txn_commit(txn);
	return rc ? vcs_seterr_pmdb(rc, "updating HEAD") : 0;
}

/** detach_advice -- git's advice on leaving branch head_ref for a
 *  detached HEAD at what (as typed), unless advice.detachedHead is
 *  false; the commands named are pmvcs's own. */
static void
detach_advice(pmvcs_ctx *ctx, const char *head_ref, const char *what)
{
	if (strncmp(head_ref, "refs/heads/", 11) ||
	    !pmvcs_config_flag(ctx, "advice.detachedhead", 1))
		return;
	fprintf(ctx->err, "Note: switching to '%s'.\n\n"
		"You are in 'detached HEAD' state. You can look around, make "
		"experimental\nchanges and commit them, and you can discard "
		"any commits you make in this\nstate without impacting any "
		"branches by switching back to a branch.\n\n"
		"If you want to create a new branch to retain commits you "
		"create, you may\ndo so (now or later) by using -b with the "
		"checkout command. Example:\n\n"
		"  pmvcs checkout -b <new-branch-name>\n\n"
		"Or undo this operation with:\n\n  pmvcs checkout %s\n\n"
		"Turn off this advice by setting config variable "
		"advice.detachedHead to false\n\n", what ? what : "HEAD",
		head_ref + 11);
}

/** checkout_paths -- "checkout [REV] [--] PATH...": the files of REV
 *  (HEAD: no index) over the working tree's, HEAD unchanged
 *  (cmd_restore.c). */
static int
checkout_paths(pmvcs_ctx *ctx, const pmvcs_option *opts, int n, int quiet)
{
	char **a = ctx->argv;
	int dd = !strcmp(a[0], "--") ? 0 : n > 1 && !strcmp(a[1], "--") ? 1 : -1;
	const char *spec = dd == 1 ? a[0] : NULL;
	int first = dd + 1;

	/* no "--": a[0] is the revision if it names one (decided there) */
	if (first >= n)
		return pmvcs_usage(ctx, checkout_usage, opts);
	return pmvcs_restore_paths(ctx, spec, a + first, (size_t)(n - first),
				   PMVCS_RESTORE_OVERLAY |
				   (dd < 0 ? PMVCS_RESTORE_GUESS : 0) |
				   (quiet ? PMVCS_RESTORE_QUIET : 0));
}

/** cmd_checkout -- "pmvcs checkout [-f] [-b NEW] BRANCH|REV". */
int
cmd_checkout(pmvcs_ctx *ctx)
{
	const char *newb = NULL, *spec = NULL;
	char head_ref[PMDB_REF_NAME_MAX + 1] = "";
	vcs_checkout_result res = { 0 };
	vcs_str line = VCS_STR_INIT;
	const char *iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	vcs_file_io *io = NULL;
	vcs_repo *repo = NULL;
	pmdb_oid head, htree;
	unsigned flags = 0;
	int quiet = 0, force = 0, born = 0, rc, ret, n;
	target t;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "suppress progress reporting"),
		OPT_STRING('b', NULL, &newb, "branch", "create and checkout a new "
			   "branch"),
		OPT_BOOL('f', "force", &force, "force checkout (throw away local "
			 "modifications)"),
		OPT_END()
	};

	/* "--" stays: what follows it are paths, never a branch */
	if ((n = pmvcs_parse(ctx, opts, checkout_usage,
			     PMVCS_PARSE_KEEP_DASHDASH)) < 0)
		return PMVCS_EXIT_USAGE;
	if (!newb && (n > 1 || (n && !strcmp(ctx->argv[0], "--"))))
		return checkout_paths(ctx, opts, n, quiet);
	if ((!newb && !n) || n > 1 || (n && !strcmp(ctx->argv[0], "--")))
		return pmvcs_usage(ctx, checkout_usage, opts);
	spec = n ? ctx->argv[0] : NULL;
	if (force)
		flags |= VCS_CHECKOUT_FORCE;
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	rc = pmdb_ref_read(repo->env, "HEAD", NULL, head_ref);
	if (!rc)
		rc = vcs_head_tree(repo, &head, &htree, &born);
	if (rc) {
		ret = pmvcs_report(ctx, rc, "reading HEAD", 0);
		goto out;
	}
	ret = resolve_target(ctx, repo, newb, spec, &t);
	if (ret >= 0)
		goto out;
	if (!t.is_new && t.ref[0] && !strcmp(t.ref, head_ref) &&
	    !(flags & VCS_CHECKOUT_FORCE)) {
		/* git logs this non-move too */
		rc = update_head(ctx, repo, &t, head_ref, &head, spec, NULL);
		if (rc) {
			ret = pmvcs_report(ctx, rc, "checkout", 0);
			goto out;
		}
		if (!quiet)
			fprintf(ctx->err, "Already on '%s'\n", t.ref + 11);
		ret = PMVCS_EXIT_OK;
		goto out;
	}
	rc = vcs_file_io_open_env(&io, pmvcs_getenv, ctx);
	if (!rc)
		rc = vcs_checkout_tree_io(repo, io, born ? &htree : NULL, &t.tree,
					  flags, &res);
	if (io && iostats && *iostats && strcmp(iostats, "0"))
		vcs_file_io_print(ctx->err, io);
	vcs_file_io_free(io);
	io = NULL;
	if (rc == PMDB_EINVAL && res.invalid) {
		/* git read-tree -u's words and exit code */
		fprintf(ctx->err, "error: invalid path '%s'\n", res.invalid);
		ret = PMVCS_EXIT_FATAL;
		goto out;
	}
	if (rc == PMDB_ECONFLICT) {
		print_conflicts(ctx, &res);
		ret = PMVCS_EXIT_DIFF;
		goto out;
	}
	if (!rc)
		rc = update_head(ctx, repo, &t, head_ref, &head,
				 newb ? newb : spec, spec ? spec : "HEAD");
	if (rc) {
		ret = pmvcs_report(ctx, rc, "checkout", 0);
		goto out;
	}
	ret = PMVCS_EXIT_OK;
	if (quiet)
		goto out;
	if (!head_ref[0] && born && (t.ref[0] || memcmp(&head, &t.commit, sizeof(head))) &&
	    !vcs_commit_oneline(repo, &head, &line)) {
		fprintf(ctx->err, "Previous HEAD position was %s\n", line.data);
		vcs_str_reset(&line);
	}
	if (t.is_new)
		fprintf(ctx->err, "Switched to a new branch '%s'\n", t.ref + 11);
	else if (t.ref[0])
		fprintf(ctx->err, "%s to branch '%s'\n",
			strcmp(t.ref, head_ref) ? "Switched" : "Reset", t.ref + 11);
	else if (!vcs_commit_oneline(repo, &t.commit, &line)) {
		detach_advice(ctx, head_ref, spec);
		fprintf(ctx->err, "HEAD is now at %s\n", line.data);
	}
out:
	vcs_checkout_result_clear(&res);
	vcs_str_free(&line);
	vcs_repo_free(repo);
	return ret;
}
