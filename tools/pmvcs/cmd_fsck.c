/*
 * cmd_fsck.c -- pmvcs fsck: check the pool's records and index
 * (pmdb_env_check; re-hashing every object unless --connectivity-only,
 * like git's default) and every object reachable from the refs.
 * Exit 0 when clean, 1 when problems were found, 128 when it cannot run.
 */
#include <string.h>

#include "cmd.h"
#include "fsck.h"

static const char *const fsck_usage[] = {
	"pmvcs fsck [--[no-]full] [--connectivity-only] [--[no-]dangling]\n"
	"           [--verbose]",
	NULL
};

/* cmd_fsck -- entry point. */
int
cmd_fsck(pmvcs_ctx *ctx)
{
	unsigned flags = 0;
	vcs_fsck_result res;
	vcs_repo *repo;
	pmdb_stat st;
	int rc, full = 1, connectivity_only = 0, dangling = 1, verbose = 0;
	const pmvcs_option opts[] = {
		OPT__VERBOSE(&verbose, "be verbose"),
		OPT_BOOL(0, "dangling", &dangling, "show dangling objects"),
		OPT_BOOL(0, "full", &full, "re-hash every object (default)"),
		OPT_BOOL(0, "connectivity-only", &connectivity_only,
			 "check only connectivity"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, fsck_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc)     /* checking single objects is not supported */
		return pmvcs_usage(ctx, fsck_usage, opts);
	/* --connectivity-only wins over --full, as in git */
	if (full && !connectivity_only)
		flags |= VCS_FSCK_FULL;
	if (dangling)
		flags |= VCS_FSCK_DANGLING;
	if (verbose)
		flags |= VCS_FSCK_VERBOSE;
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if ((flags & VCS_FSCK_VERBOSE) && pmdb_env_stat(repo->env, &st) == 0) {
		fprintf(ctx->err, "Checking pool (last transaction %llu, %s)\n",
			(unsigned long long)st.txn_seq,
			st.is_pmem ? "pmem" : "msync");
		fprintf(ctx->err, "Recovery at open: %llu record(s) rolled back\n",
			(unsigned long long)st.recovered_records);
	}
	rc = vcs_fsck(repo, flags, ctx->out, &res);
	if (!rc && (flags & VCS_FSCK_VERBOSE))
		fprintf(ctx->err, "Checked %llu reachable object(s): %llu store "
			"problem(s), %llu missing, %llu bad, %llu dangling\n",
			(unsigned long long)res.reachable,
			(unsigned long long)res.store_problems,
			(unsigned long long)res.missing,
			(unsigned long long)res.bad,
			(unsigned long long)res.dangling);
	vcs_repo_free(repo);
	if (rc)
		return pmvcs_report(ctx, rc, "fsck", 0);
	return res.store_problems || res.missing || res.bad ? PMVCS_EXIT_DIFF : 0;
}
