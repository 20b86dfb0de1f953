/*
 * cmd_fetch.c -- pmvcs fetch [<remote>]: a git remote's branches into
 * refs/remotes/<remote>/, tags into refs/tags/, git doing the transport
 * (remote_git.h, docs/remote.md).
 */
#include <string.h>

#include "remote_git.h"

static const char *const fetch_usage[] = {
	"pmvcs fetch [<options>] [<repository>]",
	NULL
};

/** no_remote -- git's words for a remote that is not configured. */
static int
no_remote(pmvcs_ctx *ctx, const char *name)
{
	fprintf(ctx->err, "fatal: '%s' does not appear to be a git repository\n"
		"fatal: Could not read from remote repository.\n\n"
		"Please make sure you have the correct access rights\n"
		"and the repository exists.\n", name);
	return PMVCS_EXIT_FATAL;
}

/** fetch -- the fetch; the remote's name into *name. */
static int
fetch(pmvcs_ctx *ctx, const char *const *usage, vcs_repo **repo,
      const char **name, char *root, size_t size)
{
	int quiet = 0, n;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "be more quiet"),
		OPT_END()
	};

	/* git's reflog message: "fetch" and the arguments as given */
	char msg[1024] = "fetch";
	for (int i = 1; i < ctx->argc; i++) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, " %s", ctx->argv[i]);
	}
	size_t ml = strlen(msg);
	snprintf(msg + ml, sizeof(msg) - ml, ": fast-forward");
	if ((n = pmvcs_parse(ctx, opts, usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (n > 1)
		return pmvcs_usage(ctx, usage, opts);
	*name = n ? ctx->argv[0] : "origin";
	if (pmvcs_find_root(ctx, root, size) < 0)
		return pmvcs_fatal(ctx, "not a pmvcs repository: %s", ctx->cwd);
	const char *url = pmvcs_remote_url(ctx, *name);
	if (!url)
		return no_remote(ctx, *name);
	if (!(*repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	return pmvcs_remote_fetch(ctx, *repo, root, *name, url, msg);
}

int
cmd_fetch(pmvcs_ctx *ctx)
{
	char root[4096];
	const char *name;
	vcs_repo *repo = NULL;
	int rc = fetch(ctx, fetch_usage, &repo, &name, root, sizeof(root));

	if (repo)
		vcs_repo_free(repo);
	return rc;
}
