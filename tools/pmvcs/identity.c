/*
 * identity.c -- the author, committer and tagger of new objects, from
 * the configuration as git resolves them, with git's refusal when there
 * is none (vcs_ident_make_cfg).
 */
#include <string.h>

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

/* The --author override seen through the command's environment. */
typedef struct forced {
	pmvcs_ctx *ctx;
	char name[1024], email[1024];
} forced;

/* forced_getenv -- GIT_AUTHOR_NAME/EMAIL from --author, the rest as is */
static const char *
forced_getenv(void *arg, const char *name)
{
	forced *f = arg;

	if (!strcmp(name, "GIT_AUTHOR_NAME"))
		return f->name;
	if (!strcmp(name, "GIT_AUTHOR_EMAIL"))
		return f->email;
	return pmvcs_getenv(f->ctx, name);
}

/* split_author -- git's split_ident_line() of "Name <email>": 0, or -1
 * when it is not of that form */
static int
split_author(const char *s, forced *f)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t nl;

	if (!lt || !gt)
		return -1;
	nl = (size_t)(lt - s);
	while (nl && (s[nl - 1] == ' ' || s[nl - 1] == '\t'))
		nl--;
	if (nl >= sizeof(f->name) || (size_t)(gt - lt) > sizeof(f->email))
		return -1;
	memcpy(f->name, s, nl);
	f->name[nl] = '\0';
	memcpy(f->email, lt + 1, (size_t)(gt - lt - 1));
	f->email[gt - lt - 1] = '\0';
	return 0;
}

/* pmvcs_idents -- the roles' idents; git's messages and 128 on failure */
int
pmvcs_idents(pmvcs_ctx *ctx, const char *force_author, vcs_str *author,
	     vcs_str *committer)
{
	const vcs_config *cfg = NULL;
	int rc, hint = 0, err = 0;
	const char *role = "Author";
	forced f;

	f.ctx = ctx;
	/* git looks the text up among existing authors first; pmvcs only
	 * takes "Name <email>" */
	if (force_author && split_author(force_author, &f)) {
		fprintf(ctx->err, "fatal: --author '%s' is not 'Name <email>' "
			"and matches no existing author\n", force_author);
		return PMVCS_EXIT_FATAL;
	}
	if ((rc = pmvcs_config(ctx, &cfg)))
		return rc;
	if (author)
		err = force_author ?
		      vcs_ident_make_cfg(author, "AUTHOR", forced_getenv, &f,
					 cfg, &hint) :
		      vcs_ident_make_cfg(author, "AUTHOR", pmvcs_getenv, ctx,
					 cfg, &hint);
	if (!err && committer) {
		role = "Committer";
		err = vcs_ident_make_cfg(committer, "COMMITTER", pmvcs_getenv,
					 ctx, cfg, &hint);
	}
	if (!err)
		return 0;
	if (err != PMDB_EINVAL)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	if (hint)
		fprintf(ctx->err, "%s identity unknown\n%s", role, env_hint);
	fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
	return PMVCS_EXIT_FATAL;
}
