/*
 * cmd_rev_parse.c -- pmvcs rev-parse: revisions to ids (git's forms).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"

static const char *const rev_parse_usage[] = {
	"pmvcs rev-parse [--verify] [-q] [--short[=<n>]] [--abbrev-ref] <rev>...",
	NULL
};

/* abbrev_ref -- --abbrev-ref: the branch HEAD (or a ref) names. */
static int
abbrev_ref(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec)
{
	char resolved[PMDB_REF_NAME_MAX + 1];
	static const char *const pfx[] = { "refs/heads/", "refs/tags/",
					   "refs/remotes/", "refs/" };
	pmdb_oid oid;
	const char *name = resolved;
	char full[PMDB_REF_NAME_MAX + 32];

	if (!strcmp(spec, "HEAD") || !strcmp(spec, "@")) {
		if (pmdb_ref_resolve(repo->env, "HEAD", &oid, resolved) ||
		    !strcmp(resolved, "HEAD")) {
			if (pmdb_ref_resolve(repo->env, "HEAD", &oid, resolved))
				return pmvcs_fatal(ctx, "ambiguous argument '%s': "
						   "unknown revision or path not in "
						   "the working tree.", spec);
			fprintf(ctx->out, "HEAD\n");
			return 0;
		}
	} else {
		int found = 0;
		static const char *const rules[] = { "%s", "refs/%s", "refs/tags/%s",
						     "refs/heads/%s", "refs/remotes/%s" };
		for (size_t i = 0; i < 5 && !found; i++) {
			snprintf(full, sizeof(full), rules[i], spec);
			if (pmdb_ref_name_valid(full) &&
			    !pmdb_ref_resolve(repo->env, full, &oid, resolved))
				found = 1;
		}
		if (!found) {
			if (vcs_revparse(repo, spec, &oid))
				return pmvcs_report(ctx, PMDB_ENOTFOUND, NULL, 0);
			fprintf(ctx->out, "%s\n", spec);
			return 0;
		}
	}
	for (size_t i = 0; i < 4; i++)
		if (!strncmp(resolved, pfx[i], strlen(pfx[i]))) {
			name = resolved + strlen(pfx[i]);
			break;
		}
	fprintf(ctx->out, "%s\n", name);
	return 0;
}

/* cmd_rev_parse -- entry point. */
int
cmd_rev_parse(pmvcs_ctx *ctx)
{
	int verify = 0, quiet = 0, shortlen = -1, abbrev = 0, rc = 0, nrev = 0;
	const char *shortarg = NULL;
	vcs_repo *repo;
	char h[PMDB_OID_HEXMAX + 1];
	const pmvcs_option opts[] = {
		OPT_BOOL(0, "verify", &verify, "exactly one revision, or fail"),
		OPT__QUIET(&quiet, "no message when --verify fails"),
		{ PMVCS_OPT_STRING, 0, "short", &shortarg, "n", "abbreviated ids",
		  PMVCS_OPTF_OPTARG, (intptr_t)"", NULL },
		OPT_BOOL(0, "abbrev-ref", &abbrev, "the short name of a ref"),
		OPT_END()
	};

	/* git's rev-parse takes no abbreviated options and passes the
	 * options it does not know through as output: KEEP_UNKNOWN */
	if ((nrev = pmvcs_parse(ctx, opts, rev_parse_usage,
				PMVCS_PARSE_KEEP_UNKNOWN |
				PMVCS_PARSE_KEEP_DASHDASH |
				PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	if (shortarg) {
		shortlen = *shortarg ? atoi(shortarg) : 0;
		if (*shortarg && shortlen < 4)
			shortlen = 4;
	}
	if (verify && nrev != 1) {
		if (quiet)
			return PMVCS_EXIT_DIFF;
		return pmvcs_fatal(ctx, "Needed a single revision");
	}
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	for (int i = 0; i < ctx->argc && !rc; i++) {
		const char *a = ctx->argv[i];
		pmdb_oid oid;
		if (a[0] == '-' && a[1] && !verify) {
			fprintf(ctx->out, "%s\n", a);
			continue;
		}
		if (abbrev) {
			rc = abbrev_ref(ctx, repo, a);
			continue;
		}
		int err = vcs_revparse(repo, a, &oid);
		if (err) {
			if (verify && quiet)
				rc = PMVCS_EXIT_DIFF;
			else if (verify)
				rc = pmvcs_fatal(ctx, "Needed a single revision");
			else
				rc = pmvcs_report(ctx, err, NULL, 0);
			break;
		}
		if (shortlen >= 0)
			vcs_oid_abbrev(repo, &oid, shortlen, h);
		else
			vcs_oid_hex(repo, &oid, h);
		fprintf(ctx->out, "%s\n", h);
	}
	vcs_repo_free(repo);
	return rc;
}
