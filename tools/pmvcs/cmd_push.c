/*
 * cmd_push.c -- pmvcs push [--force] [<remote> [<refspec>...]]: the
 * pool's refs to a git remote, git doing the transport: the history goes
 * into the remote's mirror (remote_git.h), then `git push` from there,
 * with git's own report, messages and exit code. Remote-tracking refs
 * follow a push that git reports done, as git's do.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remote_git.h"

static const char *const push_usage[] = {
	"pmvcs push [<options>] [<repository> [<refspec>...]]",
	NULL
};

/** One refspec: [+]src[:dst], src empty for a delete. */
typedef struct push_spec {
	char src[PMDB_REF_NAME_MAX + 1];  /**< full name in the pool, or "" */
	char dst[PMDB_REF_NAME_MAX + 16]; /**< full name at the remote */
	pmdb_oid oid;
	int force;
} push_spec;

/** parse_spec -- resolve one refspec as git does for the simple forms:
 *  src a branch or tag name (or full ref), dst the same name unless
 *  given. @return 0, or the exit code after git's message. */
static int
parse_spec(pmvcs_ctx *ctx, vcs_repo *repo, const char *arg, push_spec *s)
{
	char src[PMDB_REF_NAME_MAX + 1];
	const char *colon;

	memset(s, 0, sizeof(*s));
	if (strlen(arg) > PMDB_REF_NAME_MAX) {
		fprintf(ctx->err, "fatal: invalid refspec '%s'\n", arg);
		return PMVCS_EXIT_FATAL;
	}
	if (*arg == '+') {
		s->force = 1;
		arg++;
	}
	colon = strchr(arg, ':');
	snprintf(src, sizeof(src), "%.*s", colon ? (int)(colon - arg) :
		 (int)strlen(arg), arg);
	if (*src) {
		static const char *const rules[] = { "%s", "refs/heads/%s",
						     "refs/tags/%s" };
		char full[PMDB_REF_NAME_MAX + 16];
		int found = 0;
		for (size_t i = 0; i < 3 && !found; i++) {
			snprintf(full, sizeof(full), rules[i], src);
			if (strncmp(full, "refs/", 5) && strcmp(full, "HEAD"))
				continue;
			found = !pmdb_ref_resolve(repo->env, full, &s->oid, s->src);
		}
		if (!found) {
			fprintf(ctx->err, "error: src refspec %s does not match "
				"any\n", src);
			return 1;
		}
	}
	const char *dst = colon ? colon + 1 : src;
	if (!strncmp(dst, "refs/", 5))
		snprintf(s->dst, sizeof(s->dst), "%s", dst);
	else if (!*src)
		snprintf(s->dst, sizeof(s->dst), "refs/heads/%s", dst);
	else
		snprintf(s->dst, sizeof(s->dst), "%.*s%s",
			 !strncmp(s->src, "refs/tags/", 10) ? 10 : 11,
			 !strncmp(s->src, "refs/tags/", 10) ? "refs/tags/" :
			 "refs/heads/", dst);
	return 0;
}

/** track -- after a push git reported done: refs/remotes/<name>/<b>
 *  follows each pushed branch, as git's "update by push". */
static int
track(pmvcs_ctx *ctx, vcs_repo *repo, const char *name, push_spec *v,
      size_t n)
{
	pmdb_txn *txn;
	char ref[PMDB_REF_NAME_MAX + 64];
	int rc;

	if ((rc = pmdb_txn_begin(repo->env, &txn)) < 0)
		return pmvcs_report(ctx, rc, "starting a transaction", 0);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(v[i].dst, "refs/heads/", 11))
			continue;
		snprintf(ref, sizeof(ref), "refs/remotes/%s/%s", name, v[i].dst + 11);
		if (!*v[i].src) {
			pmdb_oid old;
			if (pmdb_ref_read(repo->env, ref, &old, NULL))
				continue;
			vcs_ref_change c = { .name = ref, .expect = &old };
			rc = vcs_ref_update(repo, txn, &c);
		} else {
			rc = pmvcs_ref_set(ctx, repo, txn, ref, &v[i].oid, NULL,
					   "update by push");
		}
		if (rc < 0) {
			pmdb_txn_abort(txn);
			return pmvcs_report(ctx, rc, ref, 0);
		}
	}
	if ((rc = pmdb_txn_commit(txn)) < 0)
		return pmvcs_report(ctx, rc, "updating remote-tracking refs", 0);
	return 0;
}

int
cmd_push(pmvcs_ctx *ctx)
{
	int force = 0, quiet = 0, n, rc;
	char root[4096], m[4096], gd[4200];
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "be more quiet"),
		OPT_BOOL('f', "force", &force, "force updates"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, push_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	const char *name = n ? ctx->argv[0] : "origin";
	if (pmvcs_find_root(ctx, root, sizeof(root)) < 0)
		return pmvcs_fatal(ctx, "not a pmvcs repository: %s", ctx->cwd);
	const char *url = pmvcs_remote_url(ctx, name);
	if (!url) {
		fprintf(ctx->err, "fatal: '%s' does not appear to be a git "
			"repository\nfatal: Could not read from remote "
			"repository.\n\nPlease make sure you have the correct "
			"access rights\nand the repository exists.\n", name);
		return PMVCS_EXIT_FATAL;
	}
	if (pmvcs_remote_mirror(root, name, m, sizeof(m)) < 0)
		return pmvcs_fatal(ctx, "remote %s: path too long", name);
	vcs_repo *repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	size_t ns = n > 1 ? (size_t)n - 1 : 1;
	push_spec *v = calloc(ns, sizeof(*v));
	const char **srcs = calloc(ns, sizeof(*srcs));
	const char **args = calloc(ns + 8, sizeof(*args));
	char (*specs)[2 * PMDB_REF_NAME_MAX + 40] = calloc(ns, sizeof(*specs));
	size_t nsrc = 0, na = 0;
	rc = 0;
	if (!v || !srcs || !args || !specs) {
		rc = pmvcs_fatal(ctx, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ns && !rc; i++)
		rc = parse_spec(ctx, repo, n > 1 ? ctx->argv[i + 1] : "HEAD", &v[i]);
	if (rc)
		goto out;
	if (n <= 1) {           /* the current branch, to its namesake */
		if (strncmp(v[0].src, "refs/heads/", 11)) {
			fprintf(ctx->err, "fatal: You are not currently on a "
				"branch.\n");
			rc = PMVCS_EXIT_FATAL;
			goto out;
		}
		snprintf(v[0].dst, sizeof(v[0].dst), "%s", v[0].src);
	}
	for (size_t i = 0; i < ns; i++)
		if (*v[i].src)
			srcs[nsrc++] = v[i].src;
	{
		/* a remote never fetched has no mirror yet */
		const char *init[] = { "init", "-q", "--bare", m, NULL };
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/%s/remotes", root, VCS_DOTDIR);
		(void)mkdir(dir, 0777);
		if (access(m, F_OK) && (rc = pmvcs_git(ctx, -1, ctx->err_fd,
							  init, 1, NULL))) {
			rc = rc < 0 ? PMVCS_EXIT_FATAL : rc;
			goto out;
		}
	}
	if (nsrc && (rc = pmvcs_remote_export(ctx, repo, m, name, srcs, nsrc)))
		goto out;
	snprintf(gd, sizeof(gd), "--git-dir=%s", m);
	args[na++] = gd;
	args[na++] = "push";
	if (quiet)
		args[na++] = "--quiet";
	if (force)
		args[na++] = "--force";
	args[na++] = url;
	for (size_t i = 0; i < ns; i++) {
		snprintf(specs[i], sizeof(specs[i]), "%s%s:%s",
			 v[i].force ? "+" : "", v[i].src, v[i].dst);
		args[na++] = specs[i];
	}
	args[na] = NULL;
	/* git's report, messages and exit code are the command's */
	rc = pmvcs_git(ctx, -1, -1, args, 1, NULL);
	if (rc < 0)
		rc = PMVCS_EXIT_FATAL;
	else if (!rc)
		rc = track(ctx, repo, name, v, ns);
out:
	free(v);
	free(srcs);
	free(args);
	free(specs);
	vcs_repo_free(repo);
	return rc;
}
