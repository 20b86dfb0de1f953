/*
 * cmd_gc.c -- pmvcs gc: free every object no ref (nor HEAD) reaches and
 * compact the pool; prints "Freed N objects (X MB -> Y MB)" unless -q.
 */
#include <string.h>

#include "cmd.h"
#include "fsck.h"

#define GC_USAGE "pmvcs gc [-q | --quiet]"

/* cmd_gc -- entry point. */
int
cmd_gc(pmvcs_ctx *ctx)
{
	pmdb_gc_stat st;
	vcs_repo *repo;
	int quiet = 0, rc;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", GC_USAGE);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else {
			return pmvcs_usage(ctx, GC_USAGE);
		}
	}
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
