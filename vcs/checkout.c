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
 * File writes go through vcs/bulkio.c in batches (io_uring when the
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

#include "bulkio.h"
#include "worktree.h"

typedef struct plan {
	const vcs_wt_entry **rm;    /**< working tree files to delete */
	size_t nrm;
	const vcs_wt_entry **wr;    /**< new tree entries to write */
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

/** add_path -- append an entry copy (path and mode) to a result list. */
static int
add_path(vcs_wt_list *l, const char *path, size_t len)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 16;
		vcs_wt_entry *ne = realloc(l->e, nc * sizeof(*ne));
		if (!ne)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		l->e = ne;
		l->cap = nc;
	}
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
	l->e[l->n].path = strndup(path, len);
	if (!l->e[l->n].path)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	l->e[l->n].len = len;
	l->n++;
	return 0;
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

/** rm_cb -- nftw callback removing everything. */
static int
rm_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	return type == FTW_DP ? rmdir(path) : unlink(path);
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

/** mkdirs -- create the parent directories of abs (below the root),
 *  replacing files in the way. */
static int
mkdirs(char *abs, size_t rootlen)
{
	for (char *s = strchr(abs + rootlen + 1, '/'); s; s = strchr(s + 1, '/')) {
		struct stat st;
		*s = '\0';
		if (lstat(abs, &st) == 0 && !S_ISDIR(st.st_mode))
			unlink(abs);
		if (mkdir(abs, 0777) != 0 && errno != EEXIST) {
			int rc = vcs_seterr(PMDB_ERROR, "cannot create directory '%s': %s",
					    abs, strerror(errno));
			*s = '/';
			return rc;
		}
		*s = '/';
	}
	return 0;
}

/** same_dir -- does abs's directory equal the one in last (its
 *  parents were created for an earlier file)? Records it when not. */
static int
same_dir(vcs_str *last, const char *abs)
{
	size_t dl = (size_t)(strrchr(abs, '/') - abs);

	if (last->len == dl && last->data && !memcmp(last->data, abs, dl))
		return 1;
	vcs_str_reset(last);
	return vcs_str_add(last, abs, dl) ? -1 : 0;
}

/** wave -- up to a batch of files to write, with their buffers. */
typedef struct wave {
	vcs_bulkio_wr wr[VCS_BULKIO_BATCH];
	vcs_str abs[VCS_BULKIO_BATCH], buf[VCS_BULKIO_BATCH];
	size_t n;
	int dirfd;                 /**< O_PATH fd of lastdir, or -1 */
	int oldfds[VCS_BULKIO_BATCH]; /**< earlier dirs of this wave, to
	                                   close after it is written */
	size_t noldfds;
} wave;

#define WAVE_BYTES (8u << 20)

/** prepare -- read blob e of the new tree into slot k of w and create
 *  the parent directories of its path. */
static int
prepare(vcs_repo *repo, const vcs_wt_entry *e, wave *w, size_t k,
	size_t rootlen, vcs_str *lastdir)
{
	vcs_bulkio_wr *wr = &w->wr[k];
	pmdb_otype type;
	int rc, same;

	vcs_str_reset(&w->abs[k]);
	if (vcs_str_addf(&w->abs[k], "%s/%s", repo->worktree, e->path))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	rc = vcs_object_read(repo, NULL, &e->oid, &type, &w->buf[k]);
	if (rc)
		return rc;
	if (type != PMDB_OBJ_BLOB)
		return vcs_seterr(PMDB_ECORRUPT, "'%s' is not a blob", e->path);
	same = same_dir(lastdir, (char *)w->abs[k].data);
	if (same < 0)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!same) {
		/* relative names below a directory fd: one path walk per
		 * directory instead of two or three per file */
		if (w->dirfd >= 0)
			w->oldfds[w->noldfds++] = w->dirfd;
		w->dirfd = -1;
		rc = mkdirs((char *)w->abs[k].data, rootlen);
		if (!rc && (w->dirfd = open((char *)lastdir->data, O_PATH |
					    O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
					(char *)lastdir->data, strerror(errno));
		if (rc) {
			vcs_str_reset(lastdir);
			return rc;
		}
	}
	wr->dirfd = w->dirfd;
	wr->path = strrchr((char *)w->abs[k].data, '/') + 1;
	wr->name = e->path;
	wr->data = w->buf[k].data;
	wr->len = w->buf[k].len;
	wr->is_link = e->mode == VCS_MODE_LINK;
	wr->exec = e->mode == VCS_MODE_EXEC;
	return 0;
}

/** write_all -- write the plan's files in batches through io: each
 *  file to a temp name in its directory, renamed over its real name. */
static int
write_all(vcs_repo *repo, vcs_bulkio *io, plan *pl, size_t rootlen,
	  vcs_checkout_result *res)
{
	vcs_str lastdir = VCS_STR_INIT;
	wave *w = calloc(1, sizeof(*w));
	size_t i = 0;
	int rc = 0;

	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	w->dirfd = -1;
	while (!rc && i < pl->nwr) {
		size_t bytes = 0;
		w->n = 0;
		while (!rc && i < pl->nwr && w->n < VCS_BULKIO_BATCH &&
		       bytes < WAVE_BYTES) {
			rc = prepare(repo, pl->wr[i++], w, w->n, rootlen, &lastdir);
			bytes += w->buf[w->n].len;
			w->n++;
		}
		if (!rc)
			rc = vcs_bulkio_write(io, w->wr, w->n);
		if (!rc)
			res->written += w->n;
		while (w->noldfds)
			close(w->oldfds[--w->noldfds]);
	}
	if (w->dirfd >= 0)
		close(w->dirfd);
	for (size_t k = 0; k < VCS_BULKIO_BATCH; k++) {
		vcs_bulkio_wr_clear(&w->wr[k]);
		vcs_str_free(&w->abs[k]);
		vcs_str_free(&w->buf[k]);
	}
	free(w);
	vcs_str_free(&lastdir);
	return rc;
}

/** execute -- apply the plan: removals, then writes. */
static int
execute(vcs_repo *repo, vcs_bulkio *io, plan *pl, vcs_checkout_result *res)
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
			nftw((char *)abs.data, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (!rc)
		rc = write_all(repo, io, pl, rootlen, res);
	vcs_str_free(&abs);
	return rc;
}

/** refresh_cache -- record the new tree's files whose content is known
 *  to equal the tree (written now, or found equal) in the stat cache. */
static void
refresh_cache(vcs_repo *repo, vcs_wt_list *nw, const vcs_wt_list *wt,
	      const plan *pl)
{
	vcs_str abs = VCS_STR_INIT;
	size_t k = 0;

	for (size_t i = 0; i < nw->n; i++) {
		vcs_wt_entry *n = &nw->e[i];
		const vcs_wt_entry *w = vcs_wt_find(wt, n->path, n->len);
		int written = 0;
		struct stat st;

		while (k < pl->nwr && strcmp(pl->wr[k]->path, n->path) < 0)
			k++;
		written = k < pl->nwr && pl->wr[k] == n;
		n->ino = 0; /* not cached unless proven below */
		if (!written && !(w && w->have_oid && same_blob(w, n)))
			continue;
		vcs_str_reset(&abs);
		if (vcs_str_addf(&abs, "%s/%s", repo->worktree, n->path) ||
		    lstat((char *)abs.data, &st) != 0)
			continue;
		n->size = (uint64_t)st.st_size;
		n->ino = (uint64_t)st.st_ino;
		n->dev = (uint64_t)st.st_dev;
		n->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		n->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	}
	vcs_wtcache_write(repo, nw);
	vcs_str_free(&abs);
}

/** vcs_checkout_tree -- move the working tree (plain file writes). */
int
vcs_checkout_tree(vcs_repo *repo, const pmdb_oid *from_tree,
		  const pmdb_oid *to_tree, unsigned flags,
		  vcs_checkout_result *res)
{
	return vcs_checkout_tree_io(repo, NULL, from_tree, to_tree, flags, res);
}

/** vcs_checkout_tree_io -- move the working tree from from_tree to
 *  to_tree, writing files in batches through io. */
int
vcs_checkout_tree_io(vcs_repo *repo, vcs_bulkio *io, const pmdb_oid *from_tree,
		     const pmdb_oid *to_tree, unsigned flags,
		     vcs_checkout_result *res)
{
	vcs_bulkio *own = NULL;
	vcs_wt_list old = VCS_WT_LIST_INIT, nw = VCS_WT_LIST_INIT;
	vcs_wt_list wt = VCS_WT_LIST_INIT;
	plan pl = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = vcs_tree_flatten(repo, NULL, from_tree, &old);
	if (!rc)
		rc = vcs_tree_flatten(repo, NULL, to_tree, &nw);
	if (!rc)
		rc = vcs_wt_scan(repo, &wt);
	if (!rc)
		rc = vcs_wtcache_apply(repo, &wt);
	if (!rc)
		rc = make_plan(repo, &old, &nw, &wt, flags, &pl, res);
	if (!rc && (res->dirty.n || res->untracked.n))
		rc = vcs_seterr(PMDB_ECONFLICT, "local changes would be overwritten");
	if (!rc && !io && !(rc = vcs_bulkio_open(&own, VCS_BULKIO_SYNC)))
		io = own;
	if (!rc)
		rc = execute(repo, io, &pl, res);
	if (!rc)
		refresh_cache(repo, &nw, &wt, &pl);
	free(pl.rm);
	free(pl.wr);
	free(pl.rmdirs);
	vcs_wt_list_free(&old);
	vcs_wt_list_free(&nw);
	vcs_wt_list_free(&wt);
	vcs_bulkio_free(own);
	return rc;
}

/** vcs_checkout_result_clear -- free the conflict lists. */
void
vcs_checkout_result_clear(vcs_checkout_result *res)
{
	vcs_wt_list_free(&res->dirty);
	vcs_wt_list_free(&res->untracked);
}
