/*
 * cmd_gc.c -- pmvcs gc: expire old reflog entries, free every object that
 * no ref, HEAD or reflog entry reaches and that is past its grace period,
 * and compact the pool; prints "Freed N objects (X MB -> Y MB)" unless -q.
 */
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "fsck.h"

static const char *const gc_usage[] = { "pmvcs gc [<options>]", NULL };

/* prune_cb -- --prune=<date> (git's expiry dates), --no-prune: never */
static int
prune_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	int64_t *cutoff = opt->value;

	if (unset) {
		*cutoff = INT64_MIN;
		return 0;
	}
	if (!arg)
		return 0;       /* --prune alone: the default date, as git */
	if (vcs_expiry_parse(arg, (int64_t)time(NULL), cutoff)) {
		fprintf(err, "error: invalid timestamp '%s' given to '--prune'\n",
			arg);
		return -1;
	}
	return 0;
}

/* cmd_gc -- entry point. */
int
cmd_gc(pmvcs_ctx *ctx)
{
	int64_t now = (int64_t)time(NULL);
	/* git's defaults: gc.reflogExpire 90 days, gc.reflogExpireUnreachable
	 * 30 days, gc.pruneExpire 2 weeks */
	vcs_gc_opts o = { now - 90 * 86400, now - 30 * 86400, now - 14 * 86400 };
	pmdb_gc_stat st;
	vcs_repo *repo;
	int quiet = 0, rc;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "suppress progress reporting"),
		OPT_CALLBACK_F(0, "prune", &o.prune_expire, "date",
			       "prune unreferenced objects",
			       PMVCS_OPTF_OPTARG, prune_cb),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, gc_usage, PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc)     /* git gc takes no operands either */
		return pmvcs_usage(ctx, gc_usage, opts);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	memset(&st, 0, sizeof(st));
	rc = vcs_gc(repo, &o, &st);
	vcs_repo_free(repo);
	if (rc)
		return pmvcs_report(ctx, rc, "gc", 0);
	if (!quiet)
		fprintf(ctx->out, "Freed %llu objects (%.1f MB -> %.1f MB)\n",
			(unsigned long long)st.freed,
			st.bytes_before / 1048576.0, st.bytes_after / 1048576.0);
	return 0;
}
