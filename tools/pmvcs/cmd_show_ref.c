/*
 * cmd_show_ref.c -- pmvcs show-ref: "<id> <refname>" for each ref under
 * refs/ (git's format); exit 1 when nothing matches.
 */
#include <string.h>

#include "cmd.h"

#define SHOW_REF_USAGE "pmvcs show-ref [--heads] [--tags] [-s|--hash] [<pattern>...]"

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
	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", SHOW_REF_USAGE);
			return 0;
		} else if (!strcmp(a, "--heads")) {
			s.heads = 1;
		} else if (!strcmp(a, "--tags")) {
			s.tags = 1;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--hash")) {
			s.hash_only = 1;
		} else if (a[0] == '-') {
			return pmvcs_usage(ctx, SHOW_REF_USAGE);
		} else {
			if (!s.patterns)
				s.patterns = &ctx->argv[i];
			s.npatterns++;
			if (s.patterns + s.npatterns - 1 != &ctx->argv[i])
				return pmvcs_usage(ctx, SHOW_REF_USAGE);
		}
	}
	if (!(s.repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = pmdb_ref_foreach(s.repo->env, "refs/", each_ref, &s);
	vcs_repo_free(s.repo);
	if (rc)
		return pmvcs_report(ctx, rc, "listing refs", 0);
	return s.found ? 0 : PMVCS_EXIT_DIFF;
}
