/*
 * cmd_merge_base.c -- pmvcs merge-base [-a | --all] A B and
 * --is-ancestor A B, with git's output and exit codes (1: no common
 * ancestor / not an ancestor). --octopus, --independent, --fork-point
 * and more than two commits are not implemented (docs/merge.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "merge.h"

static const char *const merge_base_usage[] = {
	"git merge-base [-a | --all] <commit> <commit>...",
	"git merge-base [-a | --all] --octopus <commit>...",
	"git merge-base --is-ancestor <commit> <commit>",
	"git merge-base --independent <commit>...",
	"git merge-base --fork-point <ref> [<commit>]",
	NULL
};

/* commit_arg -- spec peeled to a commit; 0, or 128 after git's
 * message. */
static int
commit_arg(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec, pmdb_oid *out)
{
	pmdb_oid oid;

	if (vcs_revparse(repo, spec, &oid) ||
	    vcs_peel(repo, &oid, PMDB_OBJ_COMMIT, out)) {
		fprintf(ctx->err, "fatal: Not a valid object name %s\n", spec);
		return PMVCS_EXIT_FATAL;
	}
	return 0;
}

/** cmd_merge_base -- see the top of the file. */
int
cmd_merge_base(pmvcs_ctx *ctx)
{
	int all = 0, is_anc = 0, octopus = 0, indep = 0, fork = 0;
	const pmvcs_option opts[] = {
		OPT_BOOL('a', "all", &all, "output all common ancestors"),
		OPT_BOOL(0, "octopus", &octopus, "find ancestors for a single "
			 "n-way merge"),
		OPT_BOOL(0, "independent", &indep, "list revs not reachable "
			 "from others"),
		OPT_BOOL(0, "is-ancestor", &is_anc, "is the first one ancestor "
			 "of the other?"),
		OPT_BOOL(0, "fork-point", &fork, "find where <commit> forked "
			 "from reflog of <ref>"),
		OPT_END()
	};
	vcs_repo *repo = NULL;
	pmdb_oid a, b, *bases = NULL;
	size_t nb = 0;
	char hex[PMDB_OID_HEXMAX + 1];
	int n, ret, rc;

	n = pmvcs_parse(ctx, opts, merge_base_usage, 0);
	if (n < 0)
		return PMVCS_EXIT_USAGE;
	if (octopus || indep || fork)
		return pmvcs_fatal(ctx, "merge-base: --octopus, --independent "
				   "and --fork-point are not implemented");
	if (n < 2 || (is_anc && (n != 2 || all)))
		return pmvcs_usage(ctx, merge_base_usage, opts);
	if (n > 2)
		return pmvcs_fatal(ctx, "merge-base: more than two commits are "
				   "not implemented");
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	if ((ret = commit_arg(ctx, repo, ctx->argv[0], &a)) ||
	    (ret = commit_arg(ctx, repo, ctx->argv[1], &b)))
		goto out;
	if (is_anc) {
		rc = vcs_is_ancestor(repo, &a, &b);
		ret = rc < 0 ? pmvcs_fatal(ctx, "%s", vcs_errmsg()) :
		      rc ? PMVCS_EXIT_OK : PMVCS_EXIT_DIFF;
		goto out;
	}
	rc = vcs_merge_bases(repo, &a, &b, &bases, &nb);
	if (rc) {
		ret = pmvcs_fatal(ctx, "%s", vcs_errmsg());
		goto out;
	}
	for (size_t i = 0; i < nb && (all || i == 0); i++)
		fprintf(ctx->out, "%s\n", vcs_oid_hex(repo, &bases[i], hex));
	ret = nb ? PMVCS_EXIT_OK : PMVCS_EXIT_DIFF;
out:
	free(bases);
	vcs_repo_free(repo);
	return ret;
}
