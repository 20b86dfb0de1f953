/*
 * remote_git.c -- git as pmvcs's transport: running git, the mirror of a
 * remote, and a fetch through it (remote_git.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fastexport.h"
#include "fastimport.h"
#include "remote_git.h"

int
pmvcs_git(pmvcs_ctx *ctx, int in, int out, const char *const *args,
	  int wait, pid_t *pidp)
{
	size_t n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, null = -1;

	while (args[n])
		n++;
	const char **argv = malloc((n + 2) * sizeof(*argv));
	if (!argv)
		return pmvcs_fatal(ctx, "out of memory"), -1;
	argv[0] = "git";
	memcpy(argv + 1, args, (n + 1) * sizeof(*argv));
	fflush(ctx->out);
	fflush(ctx->err);
	if (in < 0 && (in = null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		free(argv);
		return pmvcs_fatal(ctx, "/dev/null: %s", strerror(errno)), -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out >= 0 ? out : ctx->out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, ctx->err_fd, 2);
	posix_spawn_file_actions_addchdir_np(&fa, ctx->cwd);
	rc = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv,
			  ctx->envp);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	if (null >= 0)
		close(null);
	if (rc) {
		pmvcs_fatal(ctx, "cannot run git: %s", strerror(rc));
		return -1;
	}
	if (!wait) {
		*pidp = pid;
		return 0;
	}
	return pmvcs_git_wait(pid);
}

int
pmvcs_git_wait(pid_t pid)
{
	return vcs_wait_exit(pid);
}

int
pmvcs_remote_mirror(const char *root, const char *name, char *buf,
		    size_t size)
{
	int n = snprintf(buf, size, "%s/%s/remotes/%s.git", root, VCS_DOTDIR,
			 name);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

const char *
pmvcs_remote_url(pmvcs_ctx *ctx, const char *name)
{
	const vcs_config *cfg;
	char key[512];

	if (pmvcs_config(ctx, &cfg))
		return NULL;
	snprintf(key, sizeof(key), "remote.%s.url", name);
	const vcs_config_entry *e = vcs_config_get(cfg, key);
	return e ? e->value : NULL;
}

/** read_fd -- fi_read_fn over a pipe. */
static ssize_t
read_fd(void *c, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(*(int *)c, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int
pmvcs_remote_fetch(pmvcs_ctx *ctx, vcs_repo *repo, const char *root,
		   const char *name, const char *url, const char *msg)
{
	char m[4096], gd[4200], marks[4300], next[4300], im[4400], ex[4400];
	char spec[1024];
	struct stat st;
	int rc;

	if (pmvcs_remote_mirror(root, name, m, sizeof(m)) < 0)
		return pmvcs_fatal(ctx, "remote %s: path too long", name);
	snprintf(gd, sizeof(gd), "--git-dir=%s", m);
	if (stat(m, &st) < 0) {
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/%s/remotes", root, VCS_DOTDIR);
		(void)mkdir(dir, 0777);
		const char *init[] = { "init", "-q", "--bare", m, NULL };
		if ((rc = pmvcs_git(ctx, -1, ctx->err_fd, init, 1, NULL)))
			return rc < 0 ? PMVCS_EXIT_FATAL : rc;
	}
	/* git speaks to the remote: its messages, its exit code */
	const char *fetch[] = { gd, "fetch", "--quiet", "--prune", "--force",
		url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
		NULL };
	if ((rc = pmvcs_git(ctx, -1, ctx->err_fd, fetch, 1, NULL)))
		return rc < 0 ? PMVCS_EXIT_FATAL : rc;

	/* the mirror into the pool: what the marks name is there already */
	snprintf(marks, sizeof(marks), "%s/pmvcs.marks", m);
	snprintf(next, sizeof(next), "%s/pmvcs.marks.new", m);
	snprintf(im, sizeof(im), "--import-marks=%s", marks);
	snprintf(ex, sizeof(ex), "--export-marks=%s", next);
	snprintf(spec, sizeof(spec), "--refspec=refs/heads/*:refs/remotes/%s/*",
		 name);
	int have = stat(marks, &st) == 0;
	const char *exp[] = { gd, "fast-export", "--signed-tags=verbatim",
		"--reencode=no", spec, ex, "--all", have ? im : NULL, NULL };
	int p[2];
	pid_t pid;
	if (pipe2(p, O_CLOEXEC) < 0)
		return pmvcs_fatal(ctx, "pipe: %s", strerror(errno));
	rc = pmvcs_git(ctx, -1, p[1], exp, 0, &pid);
	close(p[1]);
	if (rc) {
		close(p[0]);
		return PMVCS_EXIT_FATAL;
	}
	fi_opts o;
	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.out = ctx->out;
	o.err = ctx->err;
	o.quiet = 1;
	o.force = 1;            /* remote-tracking refs follow the remote */
	o.import_marks = have ? marks : NULL;
	o.reflog_msg = msg;
	vcs_str ident = VCS_STR_INIT;
	if (msg && !vcs_ident_make(&ident, "COMMITTER", pmvcs_getenv, ctx))
		o.reflog_ident = (const char *)ident.data;
	rc = fi_import(repo, &o, read_fd, &p[0]);
	vcs_str_free(&ident);
	close(p[0]);
	int grc = pmvcs_git_wait(pid);
	if (rc)
		return rc;
	if (grc)
		return pmvcs_fatal(ctx, "git fast-export of remote %s failed "
				   "(exit %d)", name, grc);
	/* the pool has all the new marks name: git may now rely on them */
	if (rename(next, marks) < 0)
		return pmvcs_fatal(ctx, "%s: %s", marks, strerror(errno));
	return 0;
}

/** Exclusions of an export: "^<id>" of each remote-tracking ref. */
typedef struct excl {
	char **v;
	size_t n;
	pmdb_hash_algo algo;
	int nomem;
} excl;

static int
add_excl(const char *name, const pmdb_oid *oid, const char *target, void *c)
{
	excl *e = c;
	char h[PMDB_OID_HEXMAX + 2];

	(void)name;
	if (target && *target)
		return 0;
	h[0] = '^';
	pmdb_oid_fmt(h + 1, oid, e->algo);
	char **v = realloc(e->v, (e->n + 1) * sizeof(*v));
	if (!v || !(v[e->n] = strdup(h))) {
		if (v)
			e->v = v;
		e->nomem = 1;
		return 1;
	}
	e->v = v;
	e->n++;
	return 0;
}

/** copy_tag -- an annotated tag as it is (same bytes, same id) into the
 *  mirror, and its ref: the stream leaves out a tag of a commit the
 *  remote already has (git's fast-export would too). 0 or exit code. */
static int
copy_tag(pmvcs_ctx *ctx, vcs_repo *repo, const char *gd, const char *ref)
{
	pmdb_oid oid;
	pmdb_otype type;
	pmdb_buf b = PMDB_BUF_INIT;
	char hex[PMDB_OID_HEXMAX + 1];
	int p[2], rc;
	pid_t pid;

	if (pmdb_ref_resolve(repo->env, ref, &oid, NULL) ||
	    pmdb_object_read(repo->env, &oid, &type, &b))
		return pmvcs_fatal(ctx, "cannot read %s", ref);
	if (type != PMDB_OBJ_TAG) {
		pmdb_buf_free(&b);
		return 0;
	}
	pmdb_oid_fmt(hex, &oid, repo->algo);
	const char *hash[] = { gd, "hash-object", "-t", "tag", "-w",
			       "--literally", "--stdin", NULL };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0 || pipe2(p, O_CLOEXEC) < 0) {
		pmdb_buf_free(&b);
		if (null >= 0)
			close(null);
		return pmvcs_fatal(ctx, "pipe: %s", strerror(errno));
	}
	rc = pmvcs_git(ctx, p[0], null, hash, 0, &pid);
	close(p[0]);
	close(null);
	if (!rc) {
		const uint8_t *d = b.data;
		size_t left = b.len;
		while (left) {
			ssize_t w = write(p[1], d, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			d += w;
			left -= (size_t)w;
		}
	}
	close(p[1]);
	pmdb_buf_free(&b);
	if (rc || pmvcs_git_wait(pid))
		return pmvcs_fatal(ctx, "cannot copy %s into the mirror", ref);
	const char *upd[] = { gd, "update-ref", ref, hex, NULL };
	if (pmvcs_git(ctx, -1, -1, upd, 1, NULL))
		return PMVCS_EXIT_FATAL;
	return 0;
}

int
pmvcs_remote_export(pmvcs_ctx *ctx, vcs_repo *repo, const char *mirror,
		    const char *name, const char *const *refs, size_t n)
{
	char gd[4200], prefix[600];
	excl e = { .algo = repo->algo };
	int rc = PMVCS_EXIT_FATAL, p[2];
	pid_t pid;

	snprintf(gd, sizeof(gd), "--git-dir=%s", mirror);
	snprintf(prefix, sizeof(prefix), "refs/remotes/%s/", name);
	if (pmdb_ref_foreach(repo->env, prefix, add_excl, &e) || e.nomem) {
		pmvcs_fatal(ctx, "listing %s: out of memory", prefix);
		goto out;
	}
	const char **revs = malloc((n + e.n + 1) * sizeof(*revs));
	if (!revs) {
		pmvcs_fatal(ctx, "out of memory");
		goto out;
	}
	memcpy(revs, refs, n * sizeof(*revs));
	for (size_t i = 0; i < e.n; i++)
		revs[n + i] = e.v[i];
	const char *imp[] = { gd, "fast-import", "--quiet", "--force", NULL };
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(revs);
		pmvcs_fatal(ctx, "pipe: %s", strerror(errno));
		goto out;
	}
	if (pmvcs_git(ctx, p[0], -1, imp, 0, &pid)) {
		close(p[0]);
		close(p[1]);
		free(revs);
		goto out;
	}
	close(p[0]);
	FILE *to = fdopen(p[1], "w");
	fe_opts o;
	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.revs = revs;
	o.nrevs = n + e.n;
	o.ref_excluded = 1;
	o.signed_tags = FE_SIGNED_VERBATIM;
	o.tag_filtered = FE_TAGF_DROP;
	o.use_done = 1;
	o.out = to;
	o.err = ctx->err;
	int frc = to ? fe_export(repo, &o) : PMVCS_EXIT_FATAL;
	if (to)
		fclose(to);
	else
		close(p[1]);
	int grc = pmvcs_git_wait(pid);
	free(revs);
	if (frc)
		rc = frc;
	else if (grc)
		rc = pmvcs_fatal(ctx, "git fast-import into %s failed (exit %d)",
				 mirror, grc);
	else
		rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (!strncmp(refs[i], "refs/tags/", 10))
			rc = copy_tag(ctx, repo, gd, refs[i]);
out:
	for (size_t i = 0; i < e.n; i++)
		free(e.v[i]);
	free(e.v);
	return rc;
}
