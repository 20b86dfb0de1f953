/*
 * cmd_clone.c -- pmvcs clone <repository> [<directory>]: a new pmvcs
 * repository with the git repository (any URL or path git can fetch) as
 * remote "origin": init, remote add, fetch (remote_git.h), then the
 * remote's HEAD branch checked out, as git clone does.
 */
#define _GNU_SOURCE     /* pipe2 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "worktree.h"
#include "remote_git.h"

static const char *const clone_usage[] = {
	"pmvcs clone [<options>] [--] <repo> [<dir>]",
	NULL
};

/** guess_dir -- git's directory name for url: the last path component
 *  without "/.git", ".git" and trailing slashes. */
static void
guess_dir(const char *url, char *buf, size_t size)
{
	size_t len = strlen(url);

	while (len > 1 && url[len - 1] == '/')
		len--;
	if (len > 5 && !strncmp(url + len - 5, "/.git", 5))
		len -= 5;
	else if (len > 4 && !strncmp(url + len - 4, ".git", 4))
		len -= 4;
	size_t start = len;
	while (start > 0 && url[start - 1] != '/' && url[start - 1] != ':')
		start--;
	snprintf(buf, size, "%.*s", (int)(len - start), url + start);
}

/** empty_or_absent -- 1 if path does not exist or is an empty directory. */
static int
empty_or_absent(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;

	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/** remote_head -- the branch the remote's HEAD names ("" if none), from
 *  `git ls-remote --symref <url> HEAD`. */
static void
remote_head(pmvcs_ctx *ctx, const char *url, char *buf, size_t size)
{
	const char *args[] = { "ls-remote", "--symref", url, "HEAD", NULL };
	char out[4096];
	size_t got = 0;
	ssize_t r;
	int p[2];
	pid_t pid;

	buf[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	if (pmvcs_git(ctx, -1, p[1], args, 0, &pid)) {
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	while ((r = read(p[0], out + got, sizeof(out) - 1 - got)) > 0 ||
	       (r < 0 && errno == EINTR))
		got += r > 0 ? (size_t)r : 0;
	close(p[0]);
	out[got] = '\0';
	if (pmvcs_git_wait(pid) || strncmp(out, "ref: refs/heads/", 16))
		return;
	char *tab = strchr(out, '\t');
	if (tab)
		snprintf(buf, size, "%.*s", (int)(tab - (out + 16)), out + 16);
}

/** sub_run -- another command in cwd, in this process and thread. */
static int
sub_run(pmvcs_ctx *ctx, const char *cwd, pmvcs_cmd_fn fn, char **argv)
{
	pmvcs_ctx sub = *ctx;
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	sub.argc = argc;
	sub.argv = argv;
	sub.cwd = cwd;
	sub.git_dir = NULL;
	sub.shared_repo = NULL; /* a server's repository is not this one */
	sub.cfg = NULL;
	rc = fn(&sub);
	pmvcs_ctx_release(&sub);
	return rc;
}

/** set_up -- config, fetch, branch, HEAD in the new repository. */
static int
set_up(pmvcs_ctx *sub, const char *dir, const char *url)
{
	char file[4200], key[600], val[1200], head[512], ref[600], msg[4200];
	int code, rc;
	vcs_repo *repo;
	pmdb_oid oid;
	pmdb_txn *txn;

	snprintf(file, sizeof(file), "%s/%s/config", dir, VCS_DOTDIR);
	snprintf(val, sizeof(val), "+refs/heads/*:refs/remotes/origin/*");
	if (vcs_config_set_in_file(file, file, "remote.origin.url", url,
				   VCS_CONFIG_SET_ALL, &code) < 0 ||
	    vcs_config_set_in_file(file, file, "remote.origin.fetch", val,
				   VCS_CONFIG_SET_ALL, &code) < 0)
		return pmvcs_fatal(sub, "%s: %s", file, vcs_errmsg());
	if (!(repo = pmvcs_open_repo(sub)))
		return PMVCS_EXIT_FATAL;
	snprintf(msg, sizeof(msg), "clone: from %s", url);
	if ((rc = pmvcs_remote_fetch(sub, repo, dir, "origin", url, NULL)))
		goto out;
	remote_head(sub, url, head, sizeof(head));
	snprintf(ref, sizeof(ref), "refs/remotes/origin/%s", head);
	if (!*head || pmdb_ref_read(repo->env, ref, &oid, NULL)) {
		fprintf(sub->err, "warning: You appear to have cloned an empty "
			"repository.\n");
		goto out;
	}
	snprintf(key, sizeof(key), "refs/heads/%s", head);
	if ((rc = pmdb_txn_begin(repo->env, &txn)) < 0) {
		rc = pmvcs_report(sub, rc, "starting a transaction", 0);
		goto out;
	}
	if (pmvcs_ref_set(sub, repo, txn, key, &oid, NULL, msg) < 0 ||
	    pmvcs_ref_set_symbolic(sub, repo, txn, "refs/remotes/origin/HEAD",
				   ref, &oid, msg) < 0 ||
	    pmvcs_ref_set_symbolic(sub, repo, txn, "HEAD", key, &oid, msg) < 0) {
		pmdb_txn_abort(txn);
		rc = pmvcs_report(sub, -1, "setting up the branches", 0);
		goto out;
	}
	if ((rc = pmdb_txn_commit(txn)) < 0) {
		rc = pmvcs_report(sub, rc, "setting up the branches", 0);
		goto out;
	}
	snprintf(key, sizeof(key), "branch.%s.remote", head);
	snprintf(val, sizeof(val), "refs/heads/%s", head);
	char key2[600];
	snprintf(key2, sizeof(key2), "branch.%s.merge", head);
	if (vcs_config_set_in_file(file, file, key, "origin",
				   VCS_CONFIG_SET_ALL, &code) < 0 ||
	    vcs_config_set_in_file(file, file, key2, val, VCS_CONFIG_SET_ALL,
				   &code) < 0) {
		rc = pmvcs_fatal(sub, "%s: %s", file, vcs_errmsg());
		goto out;
	}
	/* the files, written as checkout writes them (no reflog entry:
	 * git's HEAD log after a clone holds the clone's alone) */
	vcs_commit c;
	vcs_checkout_result res = { 0 };
	memset(&c, 0, sizeof(c));
	if ((rc = vcs_commit_read(repo, NULL, &oid, &c)) == 0)
		rc = vcs_checkout_tree(repo, NULL, &c.tree, VCS_CHECKOUT_FORCE, &res);
	if (rc == PMDB_EINVAL && res.invalid) {
		fprintf(sub->err, "error: invalid path '%s'\n", res.invalid);
		rc = PMVCS_EXIT_FATAL;
	} else if (rc) {
		rc = pmvcs_report(sub, rc, "checkout", 0);
	}
	vcs_checkout_result_clear(&res);
	vcs_commit_clear(&c);
out:
	if (repo)
		vcs_repo_free(repo);
	return rc;
}

int
cmd_clone(pmvcs_ctx *ctx)
{
	int quiet = 0, n, rc;
	char name[2048], dir[4096], url[4096];
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "be more quiet"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, clone_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (n < 1 || n > 2) {
		if (n < 1)
			fprintf(ctx->err, "fatal: You must specify a repository "
				"to clone.\n\n");
		return pmvcs_usage(ctx, clone_usage, opts);
	}
	const char *src = ctx->argv[0];
	if (n == 2)
		snprintf(name, sizeof(name), "%s", ctx->argv[1]);
	else
		guess_dir(src, name, sizeof(name));
	snprintf(dir, sizeof(dir), "%s%s%s", name[0] == '/' ? "" : ctx->cwd,
		 name[0] == '/' ? "" : "/", name);
	/* a local path is kept absolute, as git keeps it */
	struct stat st;
	char cwdsrc[4096];
	snprintf(cwdsrc, sizeof(cwdsrc), "%s/%s", ctx->cwd, src);
	if (src[0] != '/' && !strchr(src, ':') && !stat(cwdsrc, &st))
		snprintf(url, sizeof(url), "%s", cwdsrc);
	else
		snprintf(url, sizeof(url), "%s", src);
	if (!empty_or_absent(dir)) {
		fprintf(ctx->err, "fatal: destination path '%s' already exists "
			"and is not an empty directory.\n", name);
		return PMVCS_EXIT_FATAL;
	}
	if (!quiet)
		fprintf(ctx->err, "Cloning into '%s'...\n", name);
	char *init[] = { "init", "-q", dir, NULL };
	if ((rc = sub_run(ctx, ctx->cwd, cmd_init, init)))
		return rc;
	pmvcs_ctx sub = *ctx;
	sub.cwd = dir;
	sub.git_dir = NULL;
	sub.shared_repo = NULL;
	sub.cfg = NULL;
	rc = set_up(&sub, dir, url);
	pmvcs_ctx_release(&sub);
	return rc;
}
