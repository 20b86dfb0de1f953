/*
 * cmd_fsck.c -- pmvcs fsck: check the pool's records and index
 * (pmdb_env_check; re-hashing every object unless --connectivity-only,
 * like git's default) and every object reachable from the refs.
 * Exit 0 when clean, 1 when problems were found, 128 when it cannot run.
 */
#include <string.h>

#include "cmd.h"
#include "fsck.h"

#define FSCK_USAGE \
	"pmvcs fsck [--full] [--connectivity-only] [--no-dangling] [--verbose]"

/* cmd_fsck -- entry point. */
int
cmd_fsck(pmvcs_ctx *ctx)
{
	unsigned flags = VCS_FSCK_FULL | VCS_FSCK_DANGLING;
	vcs_fsck_result res;
	vcs_repo *repo;
	pmdb_stat st;
	int rc;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", FSCK_USAGE);
			return 0;
		} else if (!strcmp(a, "--full")) {
			flags |= VCS_FSCK_FULL;
		} else if (!strcmp(a, "--connectivity-only")) {
			flags &= ~VCS_FSCK_FULL;
		} else if (!strcmp(a, "--dangling")) {
			flags |= VCS_FSCK_DANGLING;
		} else if (!strcmp(a, "--no-dangling")) {
			flags &= ~VCS_FSCK_DANGLING;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			flags |= VCS_FSCK_VERBOSE;
		} else {
			return pmvcs_usage(ctx, FSCK_USAGE);
		}
	}
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
