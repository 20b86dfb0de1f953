/*
 * cmd_init.c -- pmvcs init: create a repository and its pool.
 */
#include <string.h>

#include "cmd.h"

static const char *const init_usage[] = {
	"pmvcs init [-q | --quiet] [--object-format=<format>] [<directory>]",
	NULL
};

/** cmd_init -- "pmvcs init [--object-format=F] [-q] [DIR]". */
int
cmd_init(pmvcs_ctx *ctx)
{
	pmdb_hash_algo algo = PMDB_HASH_SHA1;
	vcs_open_opts opts = { ctx->lock_timeout_ms };
	const char *dir = NULL;
	vcs_str path = VCS_STR_INIT;
	vcs_repo *repo = NULL;
	const char *format = NULL;
	int quiet = 0, rc;
	const pmvcs_option options[] = {
		OPT__QUIET(&quiet, "be quiet"),
		OPT_STRING(0, "object-format", &format, "hash",
			   "specify the hash algorithm to use (sha1, sha256)"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, options, init_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc > 1)
		return pmvcs_usage(ctx, init_usage, options);
	dir = rc ? ctx->argv[0] : NULL;
	if (format && pmdb_hash_from_name(&algo, format) != 0) {
		fprintf(ctx->err, "pmvcs: unknown object format '%s' "
			"(use sha1 or sha256)\n", format);
		return PMVCS_EXIT_USAGE;
	}
	if (!dir || !*dir)
		rc = vcs_str_adds(&path, ctx->cwd);
	else if (dir[0] == '/')
		rc = vcs_str_adds(&path, dir);
	else
		rc = vcs_str_addf(&path, "%s/%s", ctx->cwd, dir);
	if (rc)
		return pmvcs_fatal(ctx, "out of memory");
	rc = vcs_repo_init(&repo, (char *)path.data, algo, NULL, &opts);
	if (rc == PMDB_EEXISTS) {
		fprintf(ctx->err, "pmvcs: cannot initialize '%s': a pmvcs "
			"repository already exists there (re-init is refused)\n",
			(char *)path.data);
		vcs_str_free(&path);
		return PMVCS_EXIT_FATAL;
	}
	if (rc) {
		char what[4200];
		snprintf(what, sizeof(what), "cannot initialize '%s'",
			 (char *)path.data);
		vcs_str_free(&path);
		return pmvcs_report(ctx, rc, what, 0);
	}
	if (!quiet)
		fprintf(ctx->out, "Initialized empty pmvcs repository in %s/\n",
			repo->dotdir);
	vcs_repo_free(repo);
	vcs_str_free(&path);
	return PMVCS_EXIT_OK;
}
