/*
 * cmd_show_ref.c -- pmvcs show-ref: "<id> <refname>" for each ref under
 * refs/ (git's format); exit 1 when nothing matches.
 */
#include <string.h>

#include "cmd.h"

static const char *const show_ref_usage[] = {
	"pmvcs show-ref [-s | --hash] [--tags] [--heads] [--] [<pattern>...]",
	NULL
};

typedef struct show_ref {
	pmvcs_ctx *ctx;
	vcs_repo *repo;
	int heads, tags, hash_only, found;
	char **patterns;
	int npatterns;
} show_ref;

/* tail_match -- git's pattern rule: the pattern equals the ref name's
 * tail at a '/' boundary ("master" matches refs/heads/master). */
static int
tail_match(const char *name, const char *pat)
{
	size_t n = strlen(name), p = strlen(pat);

	if (p > n || strcmp(name + n - p, pat))
		return 0;
	return p == n || name[n - p - 1] == '/';
}

/* each_ref -- print one ref when it passes the filters. */
static int
each_ref(const char *name, const pmdb_oid *oid, const char *target,
	 void *vctx)
{
	show_ref *s = vctx;
	char h[PMDB_OID_HEXMAX + 1];
	pmdb_oid val = *oid;

	if (target && *target) {
		if (pmdb_ref_resolve(s->repo->env, name, &val, NULL))
			return 0;
	}
	if ((s->heads || s->tags) &&
	    !((s->heads && !strncmp(name, "refs/heads/", 11)) ||
	      (s->tags && !strncmp(name, "refs/tags/", 10))))
		return 0;
	if (s->npatterns) {
		int ok = 0;
		for (int i = 0; i < s->npatterns && !ok; i++)
			ok = tail_match(name, s->patterns[i]);
		if (!ok)
			return 0;
	}
	s->found = 1;
	vcs_oid_hex(s->repo, &val, h);
	if (s->hash_only)
		fprintf(s->ctx->out, "%s\n", h);
	else
		fprintf(s->ctx->out, "%s %s\n", h, name);
	return 0;
}

/* cmd_show_ref -- entry point. */
int
cmd_show_ref(pmvcs_ctx *ctx)
{
	show_ref s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	const pmvcs_option opts[] = {
		OPT_BOOL(0, "tags", &s.tags, "only show tags (can be combined "
			 "with heads)"),
		OPT_BOOL(0, "heads", &s.heads, "only show heads (can be combined "
			 "with tags)"),
		OPT_BOOL('s', "hash", &s.hash_only, "only show SHA1 hash"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, show_ref_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	s.patterns = ctx->argv;
	s.npatterns = rc;
	if (!(s.repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = pmdb_ref_foreach(s.repo->env, "refs/", each_ref, &s);
	vcs_repo_free(s.repo);
	if (rc)
		return pmvcs_report(ctx, rc, "listing refs", 0);
	return s.found ? 0 : PMVCS_EXIT_DIFF;
}
