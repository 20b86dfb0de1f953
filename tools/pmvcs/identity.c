/*
 * identity.c -- the author, committer and tagger of new objects, from
 * the configuration as git resolves them, with git's refusal when there
 * is none (vcs_ident_make_cfg).
 */
#include "cmd.h"
#include "config.h"

/* git's advice, with the program's name in its commands */
static const char env_hint[] =
	"\n"
	"*** Please tell me who you are.\n"
	"\n"
	"Run\n"
	"\n"
	"  pmvcs config --global user.email \"you@example.com\"\n"
	"  pmvcs config --global user.name \"Your Name\"\n"
	"\n"
	"to set your account's default identity.\n"
	"Omit --global to set the identity only in this repository.\n"
	"\n";

/* pmvcs_idents -- the roles' idents; git's messages and 128 on failure */
int
pmvcs_idents(pmvcs_ctx *ctx, vcs_str *author, vcs_str *committer)
{
	vcs_config cfg = VCS_CONFIG_INIT;
	int rc, hint = 0, err = 0;
	const char *role = "Author";

	if ((rc = pmvcs_config_load(ctx, &cfg)))
		return rc;
	if (author)
		err = vcs_ident_make_cfg(author, "AUTHOR", pmvcs_getenv, ctx,
					 &cfg, &hint);
	if (!err && committer) {
		role = "Committer";
		err = vcs_ident_make_cfg(committer, "COMMITTER", pmvcs_getenv,
					 ctx, &cfg, &hint);
	}
	vcs_config_free(&cfg);
	if (!err)
		return 0;
	if (err != PMDB_EINVAL)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	if (hint)
		fprintf(ctx->err, "%s identity unknown\n%s", role, env_hint);
	fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
	return PMVCS_EXIT_FATAL;
}
