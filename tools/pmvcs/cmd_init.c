/*
 * cmd_init.c -- pmvcs init: create a repository and its pool.
 */
#include <string.h>

#include "cmd.h"

static const char init_usage[] =
	"pmvcs init [--object-format=<sha1|sha256>] [-q | --quiet] [<directory>]";

/** cmd_init -- "pmvcs init [--object-format=F] [-q] [DIR]". */
int
cmd_init(pmvcs_ctx *ctx)
{
	pmdb_hash_algo algo = PMDB_HASH_SHA1;
	vcs_open_opts opts = { ctx->lock_timeout_ms };
	const char *dir = NULL;
	vcs_str path = VCS_STR_INIT;
	vcs_repo *repo = NULL;
	int quiet = 0, rc;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", init_usage);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (!strncmp(a, "--object-format=", 16) ||
			   (!strcmp(a, "--object-format") && i + 1 < ctx->argc)) {
			const char *v = a[15] == '=' ? a + 16 : ctx->argv[++i];
			if (pmdb_hash_from_name(&algo, v) != 0) {
				fprintf(ctx->err, "pmvcs: unknown object format '%s' "
					"(use sha1 or sha256)\n", v);
				return PMVCS_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--")) {
			if (i + 1 < ctx->argc)
				dir = ctx->argv[++i];
			break;
		} else if (a[0] == '-') {
			fprintf(ctx->err, "pmvcs: unknown option '%s'\n", a);
			return pmvcs_usage(ctx, init_usage);
		} else if (dir) {
			return pmvcs_usage(ctx, init_usage);
		} else {
			dir = a;
		}
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
