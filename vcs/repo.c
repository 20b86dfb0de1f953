/*
 * repo.c -- create and find repositories: a work tree with a .pmvcs
 * directory holding the libpmdb pool.
 *
 * Paths are made absolute with realpath() and never through chdir():
 * commands share the process (and its cwd) with others in a server.
 *
 * Creation is atomic at the repository level: init builds the pool and
 * HEAD in a fresh .pmvcs.tmp-XXXXXX beside the work tree's .pmvcs,
 * closes it and renames it into place, so .pmvcs exists only complete.
 * A failed init removes its temporary directory; one left by a crash is
 * never taken for a repository, and the next init in the same work tree
 * removes it: init holds an flock on <tmp>/init.lock while it builds, so
 * a tmp dir whose lock nobody holds was left by a dead init (one without
 * the lock file, made by an older pmvcs or killed before it made the
 * lock, is removed once it is STALE_AGE_S old). A .pmvcs without pool.set
 * (left by an interrupted init of an older pmvcs) is reported as
 * incomplete.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vcs.h"

/* path_join -- malloc'd "a/b" */
static char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (la == 0 || a[la - 1] != '/')
		s[la++] = '/';
	memcpy(s + la, b, lb + 1);
	return s;
}

/* mkdir_p -- create dir and its missing parents */
static int
mkdir_p(const char *dir)
{
	char *p, *s = strdup(dir);
	int err = 0;

	if (!s)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (p = s + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(s, 0777) && errno != EEXIST) {
				err = vcs_seterr(PMDB_ERROR,
						 "cannot create directory '%s': %s",
						 s, strerror(errno));
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(s);
	return err;
}

/* is_dir -- 1 if path is a directory */
static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* open_env -- open the pool in repo->dotdir, mapping errors to messages
 * that name the path */
static int
open_env(vcs_repo *repo, unsigned flags, pmdb_hash_algo algo,
	 const vcs_open_opts *opts)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	int err;

	o.flags = flags;
	o.hash = algo;
	o.lock_timeout_ms = opts ? opts->lock_timeout_ms : 0;
	err = pmdb_env_open(&repo->env, repo->dotdir, &o);
	switch (err) {
	case 0:
		repo->algo = pmdb_env_hash(repo->env);
		repo->hashlen = pmdb_hash_len(repo->algo);
		repo->hexlen = 2 * repo->hashlen;
		return 0;
	case PMDB_EEXISTS:
		return vcs_seterr(err, "a pmvcs repository already exists in "
				  "%s (re-initialising is not supported)",
				  repo->dotdir);
	case PMDB_EBUSY:
		return vcs_seterr(err, "cannot open pool '%s/pool.set': "
				  "Resource temporarily unavailable (another "
				  "pmvcs process holds it)", repo->dotdir);
	default: {
		char ctx[PATH_MAX + 64];
		const char *d = pmdb_errdetail();

		/* libpmdb's detail names the pool when it knows it: say
		 * it once ("cannot open pool 'X': cannot open pool 'X'"
		 * helped nobody) */
		if (d && (strstr(d, repo->dotdir) || strstr(d, "pool.set'")))
			return vcs_seterr(err, "%s", d);
		if (err == PMDB_EVERSION || err == PMDB_ENOTPOOL ||
		    err == PMDB_EFORMAT || err == PMDB_ENOTFOUND)
			snprintf(ctx, sizeof(ctx), "cannot open pool '%s/pool.set'",
				 repo->dotdir);
		else
			snprintf(ctx, sizeof(ctx), "cannot %s pool in '%s'",
				 (flags & PMDB_CREATE) ? "create" : "open",
				 repo->dotdir);
		return vcs_seterr_pmdb(err, ctx);
	}
	}
}

/* rm_entry -- nftw callback of rm_tree */
static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm_tree -- remove a temporary directory built by init (best effort) */
static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#define TMP_PREFIX VCS_DOTDIR ".tmp-"
#define INIT_LOCK "init.lock"
/* a tmp dir without a lock file is taken for a leftover only this old:
 * a live init makes the lock right after the dir */
#define STALE_AGE_S (10 * 60)

/* tmp_lock -- create <tmp>/init.lock and flock it; *fd holds the lock
 * until init ends, telling other inits' sweeps the tmp dir is alive */
static int
tmp_lock(const char *tmp, int *fd)
{
	char path[PATH_MAX];
	int e;

	snprintf(path, sizeof(path), "%s/" INIT_LOCK, tmp);
	*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (*fd >= 0 && !flock(*fd, LOCK_EX | LOCK_NB))
		return 0;
	e = errno;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return vcs_seterr(PMDB_ERROR, "cannot lock '%s': %s", path,
			  strerror(e));
}

/* unlock_tmp -- remove dir/init.lock and drop the lock held on *fd */
static void
unlock_tmp(const char *dir, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/" INIT_LOCK, dir);
	unlink(path);
	close(*fd);
	*fd = -1;
}

/* stale_tmp -- 1 if entry name of the directory pfd is a tmp dir left by
 * a dead init: nobody holds its init.lock, or it has none and is old */
static int
stale_tmp(int pfd, const char *name)
{
	char lock[NAME_MAX + sizeof(INIT_LOCK) + 2];
	struct stat st;
	int fd, stale;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISDIR(st.st_mode))
		return 0;
	snprintf(lock, sizeof(lock), "%s/" INIT_LOCK, name);
	fd = openat(pfd, lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT &&
		       time(NULL) - st.st_mtime > STALE_AGE_S;
	/* the owner holds the lock until its tmp dir is renamed or
	 * removed, so getting it means the owner is gone */
	stale = !flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return stale;
}

/* sweep_stale -- remove the tmp dirs that killed inits left in worktree
 * (best effort: what fails to go stays for the next init) */
static void
sweep_stale(const char *worktree)
{
	DIR *d = opendir(worktree);
	struct dirent *e;
	char *path;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) ||
		    !stale_tmp(dirfd(d), e->d_name))
			continue;
		if ((path = path_join(worktree, e->d_name))) {
			rm_tree(path);
			free(path);
		}
	}
	closedir(d);
}

/* incomplete -- 1 if dotdir is a directory without a pool.set: what an
 * interrupted init of an older pmvcs left */
static int
incomplete(const char *dotdir)
{
	char set[PATH_MAX];
	struct stat st;

	snprintf(set, sizeof(set), "%s/pool.set", dotdir);
	return stat(set, &st) != 0 && errno == ENOENT;
}

/* incomplete_err -- the message for incomplete() */
static int
incomplete_err(const char *dotdir)
{
	return vcs_seterr(PMDB_ENOTFOUND, "incomplete repository at %s "
			  "(init was interrupted); remove it", dotdir);
}

/* vcs_repo_init -- create dir/.pmvcs with a new pool and HEAD, built in
 * a temporary directory renamed into place (file comment) */
int
vcs_repo_init(vcs_repo **out, const char *dir, pmdb_hash_algo algo,
	      const char *initial_branch, const vcs_open_opts *opts)
{
	char abs[PATH_MAX], target[PMDB_REF_NAME_MAX + 1];
	vcs_repo *repo;
	pmdb_txn *txn = NULL;
	char *final = NULL, *tmp = NULL;
	int err, n, lockfd = -1;

	*out = NULL;
	if (!pmdb_hash_len(algo))
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	n = snprintf(target, sizeof(target), "refs/heads/%s",
		     initial_branch ? initial_branch : "master");
	if (n < 0 || (size_t)n >= sizeof(target) || !pmdb_ref_name_valid(target))
		return vcs_seterr(PMDB_EINVAL, "invalid initial branch name: "
				  "'%s'", initial_branch);
	if ((err = mkdir_p(dir)))
		return err;
	if (!realpath(dir, abs))
		return vcs_seterr(PMDB_ERROR, "cannot resolve '%s': %s", dir,
				  strerror(errno));
	if (!(repo = calloc(1, sizeof(*repo))))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!(repo->worktree = strdup(abs)) ||
	    !(repo->dotdir = path_join(abs, VCS_DOTDIR))) {
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto fail;
	}
	if (is_dir(repo->dotdir)) {
		/* refuse before touching anything, even a half-made dir */
		err = incomplete(repo->dotdir) ? incomplete_err(repo->dotdir)
			: vcs_seterr(PMDB_EEXISTS, "a pmvcs repository already "
				     "exists in %s (re-initialising is not "
				     "supported)", repo->dotdir);
		goto fail;
	}
	sweep_stale(repo->worktree);
	final = repo->dotdir;
	repo->dotdir = NULL;
	if (!(tmp = malloc(strlen(final) + 16))) {
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto fail;
	}
	sprintf(tmp, "%s.tmp-XXXXXX", final);
	if (!mkdtemp(tmp)) {
		err = vcs_seterr(PMDB_ERROR, "cannot create '%s': %s", tmp,
				 strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	repo->dotdir = tmp;
	if ((err = tmp_lock(tmp, &lockfd)) ||
	    (err = open_env(repo, PMDB_CREATE | PMDB_EXCL, algo, opts)))
		goto fail;
	if ((err = pmdb_txn_begin(repo->env, &txn)) ||
	    (err = pmdb_txn_ref_set_symbolic(txn, "HEAD", target))) {
		pmdb_txn_abort(txn);
		err = vcs_seterr_pmdb(err, "setting HEAD");
		goto fail;
	}
	if ((err = pmdb_txn_commit(txn))) {
		err = vcs_seterr_pmdb(err, "setting HEAD");
		goto fail;
	}
	/* complete: close, rename into place (the pool's set file names
	 * its parts by path; the open below rewrites it), reopen */
	pmdb_env_close(repo->env);
	repo->env = NULL;
	if (rename(tmp, final)) {
		err = errno == EEXIST || errno == ENOTEMPTY ?
		      vcs_seterr(PMDB_EEXISTS, "a pmvcs repository already "
				 "exists in %s (re-initialising is not "
				 "supported)", final) :
		      vcs_seterr(PMDB_ERROR, "cannot rename '%s' to '%s': %s",
				 tmp, final, strerror(errno));
		goto fail;
	}
	repo->dotdir = final;
	final = NULL;
	/* renamed: no sweep looks here any more, the lock has done its job */
	unlock_tmp(repo->dotdir, &lockfd);
	if ((err = open_env(repo, 0, algo, opts)))
		goto fail_open;
	free(tmp);
	*out = repo;
	return 0;
fail:
	if (tmp)
		rm_tree(tmp);
fail_open:
	if (lockfd >= 0)
		close(lockfd);
	if (repo->dotdir != tmp)
		free(tmp);
	free(final);
	vcs_repo_free(repo);
	return err;
}

/* vcs_repo_open -- find the nearest .pmvcs at or above start_dir */
int
vcs_repo_open(vcs_repo **out, const char *start_dir,
	      const vcs_open_opts *opts)
{
	char abs[PATH_MAX];
	vcs_repo *repo;
	char *cur = NULL;
	int err;

	*out = NULL;
	if (!realpath(start_dir, abs))
		return vcs_seterr(PMDB_ENOTFOUND, "not a pmvcs repository (or "
				  "any of the parent directories): %s",
				  start_dir);
	if (!(cur = strdup(abs)))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (;;) {
		char *dot = path_join(cur, VCS_DOTDIR);
		char *slash;

		if (!dot) {
			free(cur);
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
		if (is_dir(dot)) {
			free(dot);
			break;
		}
		free(dot);
		slash = strrchr(cur, '/');
		if (!slash || (slash == cur && cur[1] == '\0')) {
			free(cur);
			return vcs_seterr(PMDB_ENOTFOUND, "not a pmvcs "
					  "repository (or any of the parent "
					  "directories): %s", abs);
		}
		slash[slash == cur ? 1 : 0] = '\0';
	}
	if (!(repo = calloc(1, sizeof(*repo)))) {
		free(cur);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	repo->worktree = cur;
	if (!(repo->dotdir = path_join(cur, VCS_DOTDIR))) {
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto fail;
	}
	if (incomplete(repo->dotdir)) {
		err = incomplete_err(repo->dotdir);
		goto fail;
	}
	if ((err = open_env(repo, 0, PMDB_HASH_SHA1, opts)))
		goto fail;
	*out = repo;
	return 0;
fail:
	vcs_repo_free(repo);
	return err;
}

/* vcs_repo_free -- close the pool and free; borrowed repos stay open */
void
vcs_repo_free(vcs_repo *repo)
{
	if (!repo || repo->borrowed)
		return;
	pmdb_env_close(repo->env);
	free(repo->worktree);
	free(repo->dotdir);
	free(repo->excludes_file);
	free(repo->attributes_file);
	free(repo);
}

/* vcs_oid_hex -- an id in the repo's format as hex */
char *
vcs_oid_hex(const vcs_repo *repo, const pmdb_oid *oid, char *buf)
{
	return pmdb_oid_fmt(buf, oid, repo->algo);
}
