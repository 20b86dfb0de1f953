/*
 * cmd_check_ignore.c -- pmvcs check-ignore [-q] [-v] [-n] [-z]
 * (--stdin | PATH...): git check-ignore's answers and output
 * (docs/config.md). Without an index
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

/* show -- git's output_pattern(): quoted lines, or with -z NUL-ended
 * fields as they are */
static void
show(pmvcs_ctx *ctx, const char *orig, const vcs_ignore_hit *hit,
     int verbose, int nul)
{
	vcs_str q = VCS_STR_INIT;

	if (nul) {
		if (verbose && hit->pattern)
			fprintf(ctx->out, "%s%c%u%c%s%c", hit->src ? hit->src : "",
				0, hit->line, 0, hit->pattern, 0);
		else if (verbose)
			fwrite("\0\0\0", 1, 3, ctx->out);
		fprintf(ctx->out, "%s%c", orig, 0);
		return;
	}
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

typedef struct ci_opts {
	int quiet, verbose, nonmatch, nul;
	const char *root, *excl, *prefix;
} ci_opts;

/* check_one -- git's check_ignore() for one path: 1 if a pattern
 * decided (counted by git), 0 if none, 128 fatal */
static int
check_one(pmvcs_ctx *ctx, const ci_opts *o, const char *orig)
{
	size_t ol = strlen(orig);
	vcs_ignore *keep = NULL;
	vcs_ignore_hit hit;
	struct stat st;
	char rel[8192], abs[8192 + 4096];
	int is_dir = ol && orig[ol - 1] == '/', r;

	if ((r = normalize(o->prefix, orig, rel, sizeof(rel))) == -1) {
		fprintf(ctx->err, "fatal: %s: '%s' is outside "
			"repository at '%s'\n", orig, orig, o->root);
		return PMVCS_EXIT_FATAL;
	}
	if (r)
		return pmvcs_fatal(ctx, "%s: out of memory or too long", orig);
	snprintf(abs, sizeof(abs), "%s/%s", o->root, rel);
	if (!is_dir && !lstat(abs, &st) && S_ISDIR(st.st_mode))
		is_dir = 1;
	r = rel[0] ? vcs_ignore_check(o->root, o->excl[0] ? o->excl : NULL,
				      rel, is_dir, &hit, &keep) : 0;
	if (!rel[0])
		memset(&hit, 0, sizeof(hit));
	if (r < 0) {
		vcs_ignore_free(keep);
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	}
	/* git: a negation decides only for -v, and then counts */
	if (!o->verbose && !r)
		hit.pattern = NULL;
	if (!o->quiet && (hit.pattern || o->nonmatch))
		show(ctx, orig, &hit, o->verbose, o->nul);
	r = hit.pattern != NULL;
	vcs_ignore_free(keep);
	return r;
}

/* check_stdin -- one path per line (NUL-ended with -z; a line starting
 * with '"' is C-unquoted), answered and flushed one by one as git's
 * check_ignore_stdin_paths() does, so a caller can talk to it */
static int
check_stdin(pmvcs_ctx *ctx, const ci_opts *o, int *nignored)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	vcs_str uq = VCS_STR_INIT;

	while ((n = getdelim(&line, &cap, o->nul ? '\0' : '\n', ctx->in)) >= 0) {
		const char *path = line;

		if (n && line[n - 1] == (o->nul ? '\0' : '\n'))
			line[--n] = '\0';
		if (!o->nul && n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!o->nul && line[0] == '"') {
			vcs_str_reset(&uq);
			const char *q = line;

			if (vcs_unquote(&uq, &q, line + n) || vcs_str_add(&uq, "", 1)) {
				rc = pmvcs_die(ctx, "line is badly quoted");
				break;
			}
			path = (const char *)uq.data;
		}
		rc = check_one(ctx, o, path);
		if (rc > 1)
			break;
		*nignored += rc;
		rc = 0;
		fflush(ctx->out);
	}
	free(line);
	vcs_str_free(&uq);
	return rc;
}

/** cmd_check_ignore -- "pmvcs check-ignore [-q] [-v [-n]] [-z]
 *  (--stdin | PATH...)". */
int
cmd_check_ignore(pmvcs_ctx *ctx)
{
	int noindex = 0, nignored = 0, use_stdin = 0;
	char root[4096], excl[4096];
	ci_opts o = { 0, 0, 0, 0, root, excl, NULL };
	int rc, npaths;
	const pmvcs_option opts[] = {
		OPT__QUIET(&o.quiet, "suppress progress reporting"),
		OPT__VERBOSE(&o.verbose, "be verbose"),
		OPT_GROUP(""),
		OPT_BOOL(0, "stdin", &use_stdin, "read file names from stdin"),
		OPT_BOOL('z', NULL, &o.nul, "terminate input and output records "
			 "by a NUL character"),
		OPT_BOOL('n', "non-matching", &o.nonmatch,
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
	/* git's checks, in git's order */
	if (use_stdin && npaths)
		return pmvcs_die(ctx, "cannot specify pathnames with --stdin");
	if (!use_stdin && o.nul)
		return pmvcs_die(ctx, "-z only makes sense with --stdin");
	if (!use_stdin && !npaths)
		return pmvcs_die(ctx, "no path specified");
	if (o.quiet && npaths > 1)
		return pmvcs_die(ctx, "--quiet is only valid with a single "
				   "pathname");
	if (o.quiet && o.verbose)
		return pmvcs_die(ctx, "cannot have both --quiet and --verbose");
	if (o.nonmatch && !o.verbose)
		return pmvcs_die(ctx, "--non-matching is only valid with "
				   "--verbose");
	if ((rc = pmvcs_excludes(ctx, root, excl, sizeof(excl))))
		return rc;
	o.prefix = ctx->cwd + strlen(root);
	o.prefix += *o.prefix == '/';
	if (!strcmp(root, "/"))
		o.prefix = ctx->cwd + 1;
	if (use_stdin) {
		if ((rc = check_stdin(ctx, &o, &nignored)))
			return rc;
	}
	for (int i = 0; i < npaths; i++) {
		if ((rc = check_one(ctx, &o, ctx->argv[i])) > 1)
			return rc;
		nignored += rc;
	}
	return nignored ? PMVCS_EXIT_OK : PMVCS_EXIT_DIFF;
}
