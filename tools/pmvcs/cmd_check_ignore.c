/*
 * cmd_check_ignore.c -- pmvcs check-ignore [-q] [-v] [-n] PATH...: git
 * check-ignore's answers and output (docs/config.md). Without an index
 * nothing is "tracked" in git's sense: every path is checked, as with
 * git's --no-index.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "undo.h"
#include "worktree.h"

static const char *const check_ignore_usage[] = {
	"pmvcs check-ignore [<options>] <pathname>...",
	NULL
};

/* normalize -- prefix/path with "." and ".." resolved into out
 * (vcs_path_normalize); -1 when it leaves the worktree, -2 when out of
 * memory or too long */
static int
normalize(const char *prefix, const char *path, char *out, size_t size)
{
	int outside = 0;
	char *r = vcs_path_normalize(prefix, path, &outside);
	int rc = !r ? (outside ? -1 : -2) : strlen(r) < size ? 0 : -2;

	if (!rc)
		strcpy(out, r);
	free(r);
	return rc;
}

/* show -- git's output_pattern() */
static void
show(pmvcs_ctx *ctx, const char *orig, const vcs_ignore_hit *hit,
     int verbose)
{
	vcs_str q = VCS_STR_INIT;

	if (verbose && hit->pattern) {
		vcs_quote_path(&q, hit->src ? hit->src : "",
			       hit->src ? strlen(hit->src) : 0);
		fprintf(ctx->out, "%s:%u:%s\t", q.data ? (char *)q.data : "",
			hit->line, hit->pattern);
		vcs_str_reset(&q);
	} else if (verbose) {
		fputs("::\t", ctx->out);
	}
	vcs_quote_path(&q, orig, strlen(orig));
	fprintf(ctx->out, "%s\n", q.data ? (char *)q.data : "");
	vcs_str_free(&q);
}

/** cmd_check_ignore -- "pmvcs check-ignore [-q] [-v] [-n] PATH...". */
int
cmd_check_ignore(pmvcs_ctx *ctx)
{
	int quiet = 0, verbose = 0, nonmatch = 0, noindex = 0, nignored = 0;
	char root[4096], excl[4096], rel[8192];
	const char *prefix;
	int rc, npaths;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "suppress progress reporting"),
		OPT__VERBOSE(&verbose, "be verbose"),
		OPT_GROUP(""),
		OPT_BOOL('n', "non-matching", &nonmatch,
			 "show non-matching input paths"),
		/* always: there is no index */
		OPT_BOOL(0, "no-index", &noindex, "ignore index when checking"),
		OPT_END()
	};

	if ((npaths = pmvcs_parse(ctx, opts, check_ignore_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (pmvcs_find_root(ctx, root, sizeof(root)))
		return pmvcs_fatal(ctx, "not a pmvcs repository (or any of the "
				   "parent directories): %s", VCS_DOTDIR);
	if (quiet && verbose) {
		fprintf(ctx->err, "fatal: cannot have both --quiet and "
			"--verbose\n");
		return PMVCS_EXIT_FATAL;
	}
	if (nonmatch && !verbose) {
		fprintf(ctx->err, "fatal: --non-matching is only valid with "
			"--verbose\n");
		return PMVCS_EXIT_FATAL;
	}
	if (!npaths) {
		fprintf(ctx->err, "fatal: no path specified\n");
		return PMVCS_EXIT_FATAL;
	}
	if ((rc = pmvcs_excludes(ctx, root, excl, sizeof(excl))))
		return rc;
	prefix = ctx->cwd + strlen(root);
	prefix += *prefix == '/';
	if (!strcmp(root, "/"))
		prefix = ctx->cwd + 1;
	for (int i = 0; i < npaths; i++) {
		const char *orig = ctx->argv[i];
		size_t ol = strlen(orig);
		vcs_ignore *keep = NULL;
		vcs_ignore_hit hit;
		struct stat st;
		char abs[8192 + 4096];
		int is_dir = ol && orig[ol - 1] == '/', r;

		if ((r = normalize(prefix, orig, rel, sizeof(rel))) == -1) {
			fprintf(ctx->err, "fatal: %s: '%s' is outside "
				"repository at '%s'\n", orig, orig, root);
			return PMVCS_EXIT_FATAL;
		}
		if (r)
			return pmvcs_fatal(ctx, "%s: out of memory or too long",
					   orig);
		snprintf(abs, sizeof(abs), "%s/%s", root, rel);
		if (!is_dir && !lstat(abs, &st) && S_ISDIR(st.st_mode))
			is_dir = 1;
		r = rel[0] ? vcs_ignore_check(root, excl[0] ? excl : NULL, rel,
					      is_dir, &hit, &keep) : 0;
		if (!rel[0])
			memset(&hit, 0, sizeof(hit));
		if (r < 0) {
			vcs_ignore_free(keep);
			return pmvcs_fatal(ctx, "%s", vcs_errmsg());
		}
		/* git: a negation decides only for -v, and then counts */
		if (!verbose && !r)
			hit.pattern = NULL;
		if (!quiet && (hit.pattern || nonmatch))
			show(ctx, orig, &hit, verbose);
		nignored += hit.pattern != NULL;
		vcs_ignore_free(keep);
	}
	return nignored ? PMVCS_EXIT_OK : PMVCS_EXIT_DIFF;
}
