/*
 * checkout.c -- move the working tree from one tree to another.
 *
 * Plan first, then act: every path of the two trees is classified
 * against the working tree before anything is touched, so a refusal
 * (local changes, untracked files in the way) changes nothing. Then
 * files leaving the tree are removed (and directories they emptied),
 * then new or changed files are written: each to a fresh temp name in
 * its directory, then renamed over the real name, so that a crash never
 * leaves a half-written file under a tracked name.
 *
 * File writes go through vcs/file_io.c in batches (io_uring when the
 * caller's handle has a ring): blobs of a batch are read from the pool
 * and their directories created, then the batch's temp-write-close-
 * rename chains are submitted at once.
 */
#define _GNU_SOURCE /* memrchr, nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bigblob.h"
#include "array.h"
#include "file_io.h"
#include "path_check.h"
#include "worktree.h"

typedef struct plan {
	const vcs_wt_entry **rm;    /**< working tree files to delete */
	size_t nrm;
	vcs_wt_entry **wr;          /**< new tree entries to write (their
	                                 stat fields get the written file's) */
	size_t nwr;
	char **rmdirs;              /**< directories to remove recursively
	                                 (force only) */
	size_t nrmdirs;
} plan;

/** same_blob -- same mode and id. */
static int
same_blob(const vcs_wt_entry *a, const vcs_wt_entry *b)
{
	return a->mode == b->mode && !memcmp(&a->oid, &b->oid, sizeof(a->oid));
}

/** wt_equals -- does the working tree state w (NULL: absent) equal the
 *  tree entry t (NULL: absent)? Hashes w when needed. <0 on error. */
static int
wt_equals(vcs_repo *repo, vcs_wt_reader *rd, vcs_wt_entry *w,
	  const vcs_wt_entry *t)
{
	int rc;

	if (!w || !t)
		return !w && !t;
	if (t->mode == VCS_MODE_GITLINK)
		return 0;
	if (w->mode != t->mode)
		return 0;
	rc = vcs_wt_hash(repo, rd, w);
	if (rc)
		return rc;
	return !memcmp(&w->oid, &t->oid, sizeof(w->oid));
}

/** add_path -- append an entry copy (path) to a result list. */
static int
add_path(vcs_wt_list *l, const char *path, size_t len)
{
	return vcs_wt_list_add(l, path, len, 0) ? 0 :
		vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** has_below -- are there working tree entries below directory p (len
 *  bytes)? Untracked ones (not in old) are added to untracked_out. */
static int
has_below(const vcs_wt_list *wt, const vcs_wt_list *old, const char *p,
	  size_t len, vcs_wt_list *untracked_out, int *any)
{
	size_t lo = 0, hi = wt->n;

	*any = 0;
	/* first entry >= "p/" */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const vcs_wt_entry *w = &wt->e[mid];
		int c = strncmp(w->path, p, len);
		if (!c)
			c = w->len > len ? (unsigned char)w->path[len] - '/' : -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < wt->n; i++) {
		const vcs_wt_entry *w = &wt->e[i];
		if (!(w->len > len && w->path[len] == '/' && !memcmp(w->path, p, len)))
			break;
		*any = 1;
		if (!vcs_wt_find(old, w->path, w->len) && untracked_out) {
			int rc = add_path(untracked_out, w->path, w->len);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/** make_plan -- classify every path; fill res with conflicts. */
static int
make_plan(vcs_repo *repo, vcs_wt_list *old, vcs_wt_list *nw, vcs_wt_list *wt,
	  unsigned flags, plan *pl, vcs_checkout_result *res)
{
	int force = flags & VCS_CHECKOUT_FORCE;
	vcs_wt_reader rd = { VCS_STR_INIT };
	size_t i = 0, j = 0;
	int rc = 0;

	pl->rm = calloc(old->n + wt->n + nw->n + 1, sizeof(*pl->rm));
	pl->wr = calloc(nw->n + 1, sizeof(*pl->wr));
	pl->rmdirs = calloc(nw->n + 1, sizeof(*pl->rmdirs));
	if (!pl->rm || !pl->wr || !pl->rmdirs)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (!rc && (i < old->n || j < nw->n)) {
		vcs_wt_entry *o = i < old->n ? &old->e[i] : NULL;
		vcs_wt_entry *n = j < nw->n ? &nw->e[j] : NULL;
		int c = !o ? 1 : !n ? -1 : strcmp(o->path, n->path);
		const char *p;
		size_t plen;
		vcs_wt_entry *w;
		int eq_o, eq_n;

		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		if (c < 0)
			n = NULL;
		if (c > 0)
			o = NULL;
		p = o ? o->path : n->path;
		plen = o ? o->len : n->len;
		w = vcs_wt_find(wt, p, plen);
		if (o && n && same_blob(o, n)) {
			if (!force)
				continue;
			eq_n = wt_equals(repo, &rd, w, n);
			if (eq_n < 0)
				rc = eq_n;
			else if (!eq_n && n->mode != VCS_MODE_GITLINK)
				pl->wr[pl->nwr++] = n;
			continue;
		}
		eq_o = wt_equals(repo, &rd, w, o);
		eq_n = eq_o < 0 ? 0 : wt_equals(repo, &rd, w, n);
		if (eq_o < 0 || eq_n < 0) {
			rc = eq_o < 0 ? eq_o : eq_n;
			break;
		}
		if (!force && w && !eq_o && !eq_n)
			rc = add_path(o ? &res->dirty : &res->untracked, p, plen);
		if (n && !eq_n && n->mode != VCS_MODE_GITLINK) {
			int any = 0;
			pl->wr[pl->nwr++] = n;
			/* a directory where the file goes */
			if (!rc && !w)
				rc = has_below(wt, old, n->path, n->len,
					       force ? NULL : &res->untracked, &any);
			if (!rc && any && force)
				pl->rmdirs[pl->nrmdirs++] = n->path;
			/* a file where a directory of the path goes */
			for (const char *s = strchr(n->path, '/'); !rc && s;
			     s = strchr(s + 1, '/')) {
				size_t dl = (size_t)(s - n->path);
				vcs_wt_entry *f = vcs_wt_find(wt, n->path, dl);
				if (f && !vcs_wt_find(old, n->path, dl) && !force)
					rc = add_path(&res->untracked, n->path, dl);
				else if (f && !vcs_wt_find(old, n->path, dl))
					pl->rm[pl->nrm++] = f;
			}
		} else if (!n && w && (eq_o || force)) {
			pl->rm[pl->nrm++] = w;
		}
	}
	vcs_str_free(&rd.buf);
	return rc;
}

/** remove_empty_parents -- rmdir path's parent directories up to the
 *  root while they are empty. abs is modified. */
static void
remove_empty_parents(char *abs, size_t rootlen)
{
	for (char *s = strrchr(abs, '/'); s && (size_t)(s - abs) > rootlen;
	     s = strrchr(abs, '/')) {
		*s = '\0';
		if (rmdir(abs) != 0)
			break;
	}
}

/** A directory that did not exist: built under a temp name beside its
 *  real name, renamed into place once all its files are written. */
typedef struct newdir {
	char *tmp;                 /**< root-relative temp path */
	char *real;                /**< root-relative real path */
} newdir;

/** Where files of the plan go; directories are opened once per run of
 *  files in the same directory. */
typedef struct writer {
	vcs_repo *repo;
	int rootfd;
	vcs_str cur;               /**< real dir of dirfd ("" = root), or
	                                unset (len 0, valid 0) */
	int valid;
	int dirfd;                 /**< O_PATH fd of cur's on-disk dir */
	int direct;                /**< cur lies inside a new directory */
	vcs_str npref, ndisk;      /**< real and temp path of the new
	                                directory being filled, "" none */
	newdir *nd;
	size_t nnd, capnd;
} writer;

/** mkdir_all -- create the directories of disk path p (root-relative,
 *  inside a new directory of ours) that do not exist yet. */
static int
mkdir_all(int rootfd, char *p)
{
	for (char *s = strchr(p, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		int bad = mkdirat(rootfd, p, 0777) != 0 && errno != EEXIST;
		int err = errno;
		if (s)
			*s = '/';
		if (bad)
			return vcs_seterr(PMDB_ERROR, "cannot create directory "
					  "'%s': %s", p, strerror(err));
		if (!s)
			return 0;
	}
}

/** new_top -- directory real (root-relative, its parent exists) is
 *  missing: create it under a temp name and remember to rename it. */
static int
new_top(writer *wr, const char *real, size_t len)
{
	vcs_str tmp = VCS_STR_INIT;
	char *name = strndup(real, len);
	newdir *nd;
	unsigned attempt = 0;
	int rc;

	if (!name)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (;;) {
		/* a temp name beside the real one: same parent, so the final
		 * rename is atomic and never crosses a filesystem */
		rc = vcs_file_io_temp_name(&tmp, name, attempt++);
		if (rc) {
			free(name);
			return rc;
		}
		if (rc)
			return rc;
		if (mkdirat(wr->rootfd, (char *)tmp.data, 0777) == 0)
			break;
		if (errno != EEXIST || attempt > 100) {
			rc = vcs_seterr(PMDB_ERROR, "cannot create directory '%s': %s",
					(char *)tmp.data, strerror(errno));
			vcs_str_free(&tmp);
			free(name);
			return rc;
		}
	}
	if (VCS_ARRAY_GROW(wr->nd, wr->capnd, wr->nnd + 1, 8))
		goto nomem;
	nd = &wr->nd[wr->nnd];
	nd->real = name;
	name = NULL;
	if (!(nd->tmp = strdup((char *)tmp.data))) {
		free(nd->real);
		goto nomem;
	}
	wr->nnd++;
	vcs_str_reset(&wr->npref);
	vcs_str_reset(&wr->ndisk);
	if (vcs_str_add(&wr->npref, real, len) || vcs_str_add(&wr->npref, "/", 1) ||
	    vcs_str_add(&wr->ndisk, tmp.data, tmp.len) ||
	    vcs_str_add(&wr->ndisk, "/", 1))
		goto nomem;
	vcs_str_free(&tmp);
	return 0;
nomem:
	free(name);
	vcs_str_free(&tmp);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** below -- is the directory path (dl bytes) dir itself or below it?
 *  dir is "a/b/" (dlen bytes, with the slash). */
static int
below(const char *path, size_t dl, const char *dir, size_t dlen)
{
	if (dl == dlen - 1)
		return !memcmp(path, dir, dl);
	return dl >= dlen && !memcmp(path, dir, dlen);
}

/** enter_dir -- make the directory of the file path (dl bytes of it,
 *  root-relative) current: find or create it, open it O_PATH. A file in
 *  the way of a directory is removed (the plan allowed it); the topmost
 *  missing directory is created under a temp name. */
static int
enter_dir(writer *wr, const char *path, size_t dl)
{
	vcs_str disk = VCS_STR_INIT;
	int rc = 0, fd;

	if (wr->valid && wr->cur.len == dl && !memcmp(wr->cur.data, path, dl))
		return 0;
	/* paths below one directory sort together: once a path is not
	 * below the new directory, no later one is */
	if (wr->npref.len && !below(path, dl, (char *)wr->npref.data,
				    wr->npref.len))
		vcs_str_reset(&wr->npref);
	if (!wr->npref.len) {
		/* existing directories down from the root, until one is missing */
		for (size_t i = 0; i < dl && !wr->npref.len && !rc; i++) {
			struct stat st;
			size_t end = i;
			while (end < dl && path[end] != '/')
				end++;
			vcs_str_reset(&disk);
			if (vcs_str_add(&disk, path, end)) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			if (fstatat(wr->rootfd, (char *)disk.data, &st,
				    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
				i = end;
				continue;
			}
			unlinkat(wr->rootfd, (char *)disk.data, 0); /* in the way */
			rc = new_top(wr, path, end);
			i = end;
		}
	}
	vcs_str_reset(&disk);
	if (!rc && wr->npref.len) {
		/* inside the new directory: same path below its temp name */
		if (vcs_str_add(&disk, wr->ndisk.data, wr->ndisk.len - 1) ||
		    vcs_str_add(&disk, path + wr->npref.len - 1,
				dl - (wr->npref.len - 1)))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			rc = mkdir_all(wr->rootfd, (char *)disk.data);
	} else if (!rc && (dl ? vcs_str_add(&disk, path, dl) : vcs_str_adds(&disk, "."))) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	if (!rc && (fd = openat(wr->rootfd, (char *)disk.data, O_PATH |
				O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
				(char *)disk.data, strerror(errno));
	if (!rc) {
		wr->dirfd = fd;
		wr->direct = wr->npref.len != 0;
		vcs_str_reset(&wr->cur);
		if (vcs_str_add(&wr->cur, path, dl))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		wr->valid = !rc;
	} else {
		wr->valid = 0;
	}
	vcs_str_free(&disk);
	return rc;
}

/** wave -- up to a batch of files to write, with their buffers. */
typedef struct wave {
	vcs_file_io_wr wr[VCS_FILE_IO_BATCH];
	vcs_str buf[VCS_FILE_IO_BATCH];
	size_t n;
	int oldfds[VCS_FILE_IO_BATCH + 1]; /**< dirs of this wave to close
	                                       after it is written */
	size_t noldfds;
} wave;

#define WAVE_BYTES (8u << 20)

/** prepare -- read blob e of the new tree straight into slot k's buffer
 *  and make its directory current. */
static int
prepare(writer *wr, const vcs_wt_entry *e, wave *w, size_t k)
{
	vcs_file_io_wr *b = &w->wr[k];
	const char *slash = memrchr(e->path, '/', e->len);
	size_t dl = slash ? (size_t)(slash - e->path) : 0;
	pmdb_otype type;
	int rc, had = wr->valid ? wr->dirfd : -1;

	rc = vcs_object_read(wr->repo, NULL, &e->oid, &type, &w->buf[k]);
	if (rc)
		return rc;
	if (type != PMDB_OBJ_BLOB)
		return vcs_seterr(PMDB_ECORRUPT, "'%s' is not a blob", e->path);
	if (e->conv && (rc = vcs_convert_smudge((enum vcs_conv)e->conv,
						 &w->buf[k])))
		return rc;
	rc = enter_dir(wr, e->path, dl);
	if (had >= 0 && (rc || wr->dirfd != had))
		w->oldfds[w->noldfds++] = had; /* items of this wave use it */
	if (rc)
		return rc;
	b->dirfd = wr->dirfd;
	b->path = slash ? slash + 1 : e->path;
	b->name = e->path;
	b->data = w->buf[k].data;
	b->len = w->buf[k].len;
	b->is_link = e->mode == VCS_MODE_LINK;
	b->exec = e->mode == VCS_MODE_EXEC;
	b->direct = wr->direct;
	return 0;
}

/** note_stat -- keep what the write saw of e for the stat cache. */
static void
note_stat(vcs_wt_entry *e, const vcs_file_io_wr *b)
{
	e->ino = 0;
	if (!b->have_st)
		return;
	e->size = (uint64_t)b->st.st_size;
	e->ino = (uint64_t)b->st.st_ino;
	e->dev = (uint64_t)b->st.st_dev;
	e->mtime_ns = (int64_t)b->st.st_mtim.tv_sec * 1000000000 + b->st.st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)b->st.st_ctim.tv_sec * 1000000000 + b->st.st_ctim.tv_nsec;
}

/** is_big -- 1 if e is a blob to stream (vcs_big_is). */
static int
is_big(vcs_repo *repo, const vcs_wt_entry *e)
{
	return e->mode != VCS_MODE_LINK && vcs_big_is(repo, &e->oid);
}

/** write_big -- write big file e on its own, a chunk at a time, between
 *  batches (no batch holds a directory fd then). */
static int
write_big(writer *wr, vcs_wt_entry *e)
{
	const char *slash = memrchr(e->path, '/', e->len);
	size_t dl = slash ? (size_t)(slash - e->path) : 0;
	vcs_file_io_wr b;
	int rc, had = wr->valid ? wr->dirfd : -1;

	rc = enter_dir(wr, e->path, dl);
	if (had >= 0 && (rc || wr->dirfd != had))
		close(had);
	if (rc)
		return rc;
	memset(&b, 0, sizeof(b));
	rc = vcs_big_checkout(wr->repo, &e->oid, wr->dirfd,
			      slash ? slash + 1 : e->path, e->path,
			      e->mode == VCS_MODE_EXEC, wr->direct, &b.st);
	b.have_st = !rc;
	if (!rc)
		note_stat(e, &b);
	return rc;
}

/** rm_tree_cb -- nftw callback removing everything. */
static int
rm_tree_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/** finish_newdirs -- rename the new directories into place (ok), or
 *  remove them with what they hold (after a failure). */
static int
finish_newdirs(writer *wr, int ok)
{
	vcs_str abs = VCS_STR_INIT;
	int rc = 0;

	for (size_t i = 0; i < wr->nnd; i++) {
		newdir *nd = &wr->nd[i];
		if (ok && !rc && renameat(wr->rootfd, nd->tmp, wr->rootfd, nd->real) != 0)
			rc = vcs_seterr(PMDB_ERROR, "cannot rename '%s' to '%s': %s",
					nd->tmp, nd->real, strerror(errno));
		if (!ok || rc) {
			vcs_str_reset(&abs);
			if (!vcs_str_addf(&abs, "%s/%s", wr->repo->worktree, nd->tmp))
				nftw((char *)abs.data, rm_tree_cb, 16, FTW_DEPTH | FTW_PHYS);
		}
		free(nd->tmp);
		free(nd->real);
	}
	free(wr->nd);
	vcs_str_free(&abs);
	return rc;
}

/** write_all -- write the plan's files in batches through io. Files in
 *  existing directories: temp name, renamed over the real name. Files
 *  in directories that did not exist: written straight, inside the new
 *  directory's temp name, which is renamed into place at the end. */
static int
write_all(vcs_repo *repo, vcs_file_io *io, plan *pl, vcs_checkout_result *res)
{
	writer wr = { repo, -1, VCS_STR_INIT, 0, -1, 0, VCS_STR_INIT,
		      VCS_STR_INIT, NULL, 0, 0 };
	wave *w = calloc(1, sizeof(*w));
	size_t i = 0;
	int rc = 0, frc;

	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	wr.rootfd = open(repo->worktree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (wr.rootfd < 0)
		rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
				repo->worktree, strerror(errno));
	while (!rc && i < pl->nwr) {
		size_t bytes = 0, first = i;
		w->n = 0;
		if (is_big(repo, pl->wr[i])) {
			if (!(rc = write_big(&wr, pl->wr[i++])))
				res->written++;
			continue;
		}
		while (!rc && i < pl->nwr && w->n < VCS_FILE_IO_BATCH &&
		       bytes < WAVE_BYTES && !is_big(repo, pl->wr[i])) {
			rc = prepare(&wr, pl->wr[i++], w, w->n);
			bytes += w->buf[w->n].len;
			w->n++;
		}
		if (!rc)
			rc = vcs_file_io_write(io, w->wr, w->n);
		for (size_t k = 0; !rc && k < w->n; k++)
			note_stat(pl->wr[first + k], &w->wr[k]);
		if (!rc)
			res->written += w->n;
		while (w->noldfds)
			close(w->oldfds[--w->noldfds]);
	}
	if (wr.valid)
		close(wr.dirfd);
	frc = finish_newdirs(&wr, !rc);
	if (!rc)
		rc = frc;
	if (wr.rootfd >= 0)
		close(wr.rootfd);
	for (size_t k = 0; k < VCS_FILE_IO_BATCH; k++) {
		vcs_file_io_wr_clear(&w->wr[k]);
		vcs_str_free(&w->buf[k]);
	}
	free(w);
	vcs_str_free(&wr.cur);
	vcs_str_free(&wr.npref);
	vcs_str_free(&wr.ndisk);
	return rc;
}

/** execute -- apply the plan: removals, then writes. */
static int
execute(vcs_repo *repo, vcs_file_io *io, plan *pl, vcs_checkout_result *res)
{
	vcs_str abs = VCS_STR_INIT;
	size_t rootlen = strlen(repo->worktree);
	int rc = 0;

	for (size_t i = 0; i < pl->nrm && !rc; i++) {
		vcs_str_reset(&abs);
		if (vcs_str_addf(&abs, "%s/%s", repo->worktree, pl->rm[i]->path)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if (unlink((char *)abs.data) != 0 && errno != ENOENT) {
			rc = vcs_seterr(PMDB_ERROR, "cannot remove '%s': %s",
					pl->rm[i]->path, strerror(errno));
			break;
		}
		res->removed++;
		remove_empty_parents((char *)abs.data, rootlen);
	}
	for (size_t i = 0; i < pl->nrmdirs && !rc; i++) {
		vcs_str_reset(&abs);
		if (vcs_str_addf(&abs, "%s/%s", repo->worktree, pl->rmdirs[i]))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			nftw((char *)abs.data, rm_tree_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (!rc)
		rc = write_all(repo, io, pl, res);
	vcs_str_free(&abs);
	return rc;
}

/** refresh_cache -- record the new tree's files whose content is known
 *  to equal the tree in the stat cache: written now (stat data from the
 *  write itself) or found equal (stat data from the scan), with the new
 *  tree flattened, so that the next status reads no tree. */
static void
refresh_cache(vcs_repo *repo, vcs_wt_list *nw, const vcs_wt_list *wt,
	      const plan *pl, const pmdb_oid *to_tree)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < nw->n; i++) {
		vcs_wt_entry *n = &nw->e[i];
		const vcs_wt_entry *w = NULL;
		int c = 1;

		while (k < pl->nwr && strcmp(pl->wr[k]->path, n->path) < 0)
			k++;
		if (k < pl->nwr && pl->wr[k] == n)
			continue; /* note_stat set it (ino 0 if unknown) */
		while (j < wt->n && (c = strcmp(wt->e[j].path, n->path)) < 0)
			j++;
		if (j < wt->n && !c)
			w = &wt->e[j];
		n->ino = 0; /* not cached unless proven */
		if (!(w && w->have_oid && same_blob(w, n)))
			continue;
		n->size = w->size;
		n->ino = w->ino;
		n->dev = w->dev;
		n->mtime_ns = w->mtime_ns;
		n->ctime_ns = w->ctime_ns;
	}
	vcs_wtcache_write_tree(repo, nw, nw, to_tree);
}

/** flatten -- tree's files: from the stat cache when it holds that
 *  tree, else from the pool. */
static int
flatten(vcs_repo *repo, const pmdb_oid *tree, vcs_wt_list *out)
{
	int rc = tree ? vcs_wtcache_tree(repo, tree, out) : 0;

	if (rc < 0)
		return rc;
	return rc ? 0 : vcs_tree_flatten(repo, NULL, tree, out);
}

/** check_paths -- refuse nw if it holds a path that must not be
 *  written (the first one goes to res); drop such paths from old, so
 *  that nothing outside the working tree proper is ever removed. */
static int
check_paths(vcs_wt_list *old, vcs_wt_list *nw, vcs_checkout_result *res)
{
	size_t k = 0;

	for (size_t i = 0; i < nw->n; i++) {
		const vcs_wt_entry *e = &nw->e[i];
		if (vcs_path_valid(e->path, e->len, e->mode))
			continue;
		if (!(res->invalid = strndup(e->path, e->len)))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		return vcs_seterr(PMDB_EINVAL, "invalid path '%s'", res->invalid);
	}
	if (old == nw)
		return 0;
	for (size_t i = 0; i < old->n; i++)
		if (vcs_path_valid(old->e[i].path, old->e[i].len, old->e[i].mode))
			old->e[k++] = old->e[i];
	old->n = k;
	return 0;
}

/** vcs_checkout_tree -- move the working tree (plain file writes). */
int
vcs_checkout_tree(vcs_repo *repo, const pmdb_oid *from_tree,
		  const pmdb_oid *to_tree, unsigned flags,
		  vcs_checkout_result *res)
{
	return vcs_checkout_tree_io(repo, NULL, from_tree, to_tree, flags, res);
}

/** run -- check the paths, scan the working tree (into wt), plan (into
 *  pl) and apply: what moving between trees and between lists share. */
static int
run(vcs_repo *repo, vcs_file_io *io, vcs_wt_list *oldp, vcs_wt_list *nw,
    unsigned flags, vcs_wt_list *wt, plan *pl, vcs_checkout_result *res)
{
	vcs_file_io *own = NULL;
	int rc = check_paths(oldp, nw, res);

	if (!rc)   /* line ends as the new tree's attributes say */
		rc = vcs_attr_tree_conv(repo, nw);
	if (!rc)
		rc = vcs_wt_scan(repo, wt);
	if (!rc)
		rc = vcs_wtcache_apply(repo, wt);
	if (!rc)
		rc = make_plan(repo, oldp, nw, wt, flags, pl, res);
	if (!rc && (res->dirty.n || res->untracked.n))
		rc = vcs_seterr(PMDB_ECONFLICT, "local changes would be overwritten");
	if (!rc && !io && !(rc = vcs_file_io_open(&own, VCS_FILE_IO_SYNC)))
		io = own;
	if (!rc)
		rc = execute(repo, io, pl, res);
	vcs_file_io_free(own);
	return rc;
}

/** vcs_checkout_tree_io -- move the working tree from from_tree to
 *  to_tree, writing files in batches through io. */
int
vcs_checkout_tree_io(vcs_repo *repo, vcs_file_io *io, const pmdb_oid *from_tree,
		     const pmdb_oid *to_tree, unsigned flags,
		     vcs_checkout_result *res)
{
	vcs_wt_list old = VCS_WT_LIST_INIT, nw = VCS_WT_LIST_INIT;
	vcs_wt_list wt = VCS_WT_LIST_INIT, *oldp = &old;
	plan pl = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = flatten(repo, to_tree, &nw);
	if (!rc && from_tree && !memcmp(from_tree, to_tree, sizeof(*to_tree)))
		oldp = &nw; /* same tree (checkout -f): list it once */
	else if (!rc)
		rc = flatten(repo, from_tree, &old);
	if (!rc)
		rc = run(repo, io, oldp, &nw, flags, &wt, &pl, res);
	if (!rc)
		refresh_cache(repo, &nw, &wt, &pl, to_tree);
	free(pl.rm);
	free(pl.wr);
	free(pl.rmdirs);
	vcs_wt_list_free(&old);
	vcs_wt_list_free(&nw);
	vcs_wt_list_free(&wt);
	return rc;
}

/** vcs_checkout_lists_io -- the same between two flattened lists (no
 *  stat cache update: the lists are no tree of the cache's). */
int
vcs_checkout_lists_io(vcs_repo *repo, vcs_file_io *io, vcs_wt_list *from,
		      vcs_wt_list *to, unsigned flags, vcs_checkout_result *res)
{
	vcs_wt_list wt = VCS_WT_LIST_INIT;
	plan pl = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = run(repo, io, from, to, flags, &wt, &pl, res);
	free(pl.rm);
	free(pl.wr);
	free(pl.rmdirs);
	vcs_wt_list_free(&wt);
	return rc;
}

/** vcs_checkout_result_clear -- free the conflict lists. */
void
vcs_checkout_result_clear(vcs_checkout_result *res)
{
	vcs_wt_list_free(&res->dirty);
	vcs_wt_list_free(&res->untracked);
	free(res->invalid);
	res->invalid = NULL;
}
