/*
 * cmd_gc.c -- pmvcs gc: free every object no ref (nor HEAD) reaches and
 * compact the pool; prints "Freed N objects (X MB -> Y MB)" unless -q.
 */
#include <string.h>

#include "cmd.h"
#include "fsck.h"

static const char *const gc_usage[] = { "pmvcs gc [<options>]", NULL };

/* cmd_gc -- entry point. */
int
cmd_gc(pmvcs_ctx *ctx)
{
	pmdb_gc_stat st;
	vcs_repo *repo;
	int quiet = 0, rc;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "suppress progress reporting"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, gc_usage, PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc)     /* git gc takes no operands either */
		return pmvcs_usage(ctx, gc_usage, opts);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	memset(&st, 0, sizeof(st));
	rc = vcs_gc(repo, &st);
	vcs_repo_free(repo);
	if (rc)
		return pmvcs_report(ctx, rc, "gc", 0);
	if (!quiet)
		fprintf(ctx->out, "Freed %llu objects (%.1f MB -> %.1f MB)\n",
			(unsigned long long)st.freed,
			st.bytes_before / 1048576.0, st.bytes_after / 1048576.0);
	return 0;
}
