/*
 * status.c -- compare the working tree with a tree (HEAD's), the stat
 * cache that lets that comparison skip hashing and reading trees.
 *
 * Stat cache (.pmvcs/wtcache), binary, host byte order (a local cache,
 * never shared or copied), mapped read-only and used in place:
 *
 *   wtcache ::= header record{n} strtab
 *   header  ::= "PMVCSWT2" algo:u32 has_tree:u32 n:u64 strtab:u64
 *               tree:oid[32]
 *   record  ::= size:u64 ino:u64 dev:u64 mtime_ns:i64 ctime_ns:i64
 *               path_off:u32 path_len:u32 mode:u32 tmode:u32
 *               oid[32] toid[32]
 *   strtab  ::= (path NUL)*
 *
 * Records are sorted by path (bytewise). A record has a stat part
 * (mode != 0: a working tree file with this stat data had content oid)
 * and/or a tree part (tmode != 0: the path is in tree `tree`, flattened,
 * with mode tmode and id toid). The tree part depends on the tree id
 * only, so it stays valid whatever happens to the files; with it status
 * reads no tree object when HEAD's tree is the cached one.
 *
 * A stat entry is trusted only when all stat fields match and the file's
 * mtime is older than the cache file's own mtime (git's "racy git" rule:
 * a file changed in the same clock tick as the cache was written might
 * have changed after it was hashed). A cache that fails any check (size,
 * magic, algo, offsets, order) is ignored: it only costs hashing.
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "file_io.h"
#include "worktree.h"

#define CACHE_NAME "wtcache"
#define CACHE_MAGIC "PMVCSWT2"

typedef struct wtc_hdr {
	char magic[8];
	uint32_t algo, has_tree;
	uint64_t n, strtab;
	uint8_t tree[PMDB_OID_MAXLEN];
} wtc_hdr;

typedef struct wtc_rec {
	uint64_t size, ino, dev;
	int64_t mtime_ns, ctime_ns;
	uint32_t path_off, path_len;
	uint32_t mode;          /**< stat part: wt mode, 0 if none */
	uint32_t tmode;         /**< tree part: mode in the tree, 0 if none */
	uint8_t oid[PMDB_OID_MAXLEN], toid[PMDB_OID_MAXLEN];
} wtc_rec;

_Static_assert(sizeof(wtc_hdr) == 64, "wtcache header layout");
_Static_assert(sizeof(wtc_rec) == 120, "wtcache record layout");
_Static_assert(sizeof(pmdb_oid) == PMDB_OID_MAXLEN, "oid is its bytes");

/** A loaded cache; points into storage of the list given to wtc_load. */
typedef struct wtc {
	const wtc_hdr *h;       /**< NULL: no usable cache */
	const wtc_rec *r;
	const char *paths;
	size_t n;
	int64_t mtime_ns;       /**< the cache file's mtime */
} wtc;

/** cache_path -- ".pmvcs/wtcache" (suffix: ".tmp") into out. */
static int
cache_path(vcs_repo *repo, vcs_str *out, const char *suffix)
{
	return vcs_str_addf(out, "%s/%s%s", repo->dotdir, CACHE_NAME, suffix) ?
		vcs_seterr(PMDB_ENOMEM, "out of memory") : 0;
}

/** wtc_check -- 1 if the loaded bytes are a well-formed cache. */
static int
wtc_check(vcs_repo *repo, const wtc *c, size_t size)
{
	const wtc_hdr *h = c->h;

	if (size < sizeof(*h) || memcmp(h->magic, CACHE_MAGIC, 8) ||
	    h->algo != (uint32_t)repo->algo ||
	    h->n > (size - sizeof(*h)) / sizeof(wtc_rec) ||
	    h->strtab != size - sizeof(*h) - h->n * sizeof(wtc_rec))
		return 0;
	for (size_t i = 0; i < h->n; i++) {
		const wtc_rec *r = &c->r[i];
		if ((uint64_t)r->path_off + r->path_len >= h->strtab ||
		    c->paths[r->path_off + r->path_len] != '\0' ||
		    memchr(c->paths + r->path_off, '\0', r->path_len))
			return 0;
		if (i) {
			const wtc_rec *q = &c->r[i - 1];
			size_t m = q->path_len < r->path_len ? q->path_len : r->path_len;
			int cmp = memcmp(c->paths + q->path_off, c->paths + r->path_off, m);
			if (cmp > 0 || (!cmp && q->path_len >= r->path_len))
				return 0; /* not strictly sorted */
		}
	}
	return 1;
}

/** wtc_load -- map the cache into storage owned by owner (no copy: the
 *  file is replaced by rename only, never rewritten in place); c->h
 *  stays NULL when there is none or it is unusable. */
static int
wtc_load(vcs_repo *repo, vcs_wt_list *owner, wtc *c)
{
	vcs_str path = VCS_STR_INIT;
	struct stat st;
	const char *buf;
	int fd, rc = cache_path(repo, &path, "");

	memset(c, 0, sizeof(*c));
	if (rc)
		return rc;
	fd = open((char *)path.data, O_RDONLY | O_CLOEXEC);
	vcs_str_free(&path);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(wtc_hdr) ||
	    st.st_size > (off_t)1 << 34)
		goto out;
	if (!(buf = vcs_wt_list_map(owner, fd, (size_t)st.st_size))) {
		if (errno == ENOMEM)
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out; /* else: as if there were no cache */
	}
	c->h = (const wtc_hdr *)buf;
	c->r = (const wtc_rec *)(buf + sizeof(wtc_hdr));
	c->paths = (const char *)(c->r + c->h->n);
	if (!wtc_check(repo, c, (size_t)st.st_size)) {
		memset(c, 0, sizeof(*c));
		goto out;
	}
	c->n = c->h->n;
	c->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
out:
	close(fd);
	return rc;
}

/** wtc_has_tree -- does c hold tree id flattened? */
static int
wtc_has_tree(const wtc *c, const pmdb_oid *id)
{
	return c->h && c->h->has_tree &&
	       !memcmp(c->h->tree, id->id, PMDB_OID_MAXLEN);
}

/** wtc_tree -- append c's tree part to out; paths stay in c's storage
 *  (which out must own). */
static int
wtc_tree(const wtc *c, vcs_wt_list *out)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		k += c->r[i].tmode != 0;
	if (out->cap - out->n < k) {
		vcs_wt_entry *ne = realloc(out->e, (out->n + k + 1) * sizeof(*ne));
		if (!ne)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		out->e = ne;
		out->cap = out->n + k + 1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const wtc_rec *r = &c->r[i];
		vcs_wt_entry *e;
		if (!r->tmode)
			continue;
		e = &out->e[out->n++];
		memset(e, 0, sizeof(*e));
		e->path = (char *)c->paths + r->path_off;
		e->len = r->path_len;
		e->mode = r->tmode;
		memcpy(e->oid.id, r->toid, PMDB_OID_MAXLEN);
		e->have_oid = 1;
	}
	return 0;
}

/** wtc_apply -- one merge pass: set the oids of l's entries whose stat
 *  data matches c and that are not racy. */
static void
wtc_apply(const wtc *c, vcs_wt_list *l)
{
	size_t i = 0, j = 0;

	while (i < c->n && j < l->n) {
		const wtc_rec *r = &c->r[i];
		vcs_wt_entry *e = &l->e[j];
		size_t m = r->path_len < e->len ? r->path_len : e->len;
		int cmp = memcmp(c->paths + r->path_off, e->path, m);

		if (!cmp)
			cmp = r->path_len < e->len ? -1 : r->path_len > e->len;
		i += cmp <= 0;
		j += cmp >= 0;
		if (cmp || !r->mode)
			continue;
		if (e->mode == r->mode && e->size == r->size &&
		    e->mtime_ns == r->mtime_ns && e->ctime_ns == r->ctime_ns &&
		    e->ino == r->ino && e->dev == r->dev &&
		    e->mtime_ns < c->mtime_ns) {
			memcpy(e->oid.id, r->oid, PMDB_OID_MAXLEN);
			e->have_oid = 1;
		}
	}
}

/** vcs_wtcache_apply -- fill oids of unchanged entries from the cache. */
int
vcs_wtcache_apply(vcs_repo *repo, vcs_wt_list *l)
{
	vcs_wt_list tmp = VCS_WT_LIST_INIT;
	wtc c;
	int rc = wtc_load(repo, &tmp, &c);

	if (!rc)
		wtc_apply(&c, l);
	vcs_wt_list_free(&tmp);
	return rc;
}

/** vcs_wtcache_tree -- the cached flattened tree, if it is tree_id's. */
int
vcs_wtcache_tree(vcs_repo *repo, const pmdb_oid *tree_id, vcs_wt_list *out)
{
	wtc c;
	int rc = wtc_load(repo, out, &c);

	if (rc || !wtc_has_tree(&c, tree_id))
		return rc;
	rc = wtc_tree(&c, out);
	return rc ? rc : 1;
}

/** stat_ok -- does l's entry go into the stat part? */
static int
stat_ok(const vcs_wt_entry *e)
{
	return e->have_oid && e->ino && e->mode != VCS_MODE_GITLINK;
}

/** wtc_write -- write the stat part from l and the tree part from tree
 *  (NULL: none) labelled tree_id: merged by path, temp file + rename. */
static int
wtc_write(vcs_repo *repo, const vcs_wt_list *l, const vcs_wt_list *tree,
	  const pmdb_oid *tree_id)
{
	vcs_str path = VCS_STR_INIT, tmp = VCS_STR_INIT;
	size_t nl = l ? l->n : 0, nt = tree ? tree->n : 0;
	size_t i = 0, j = 0, n = 0, sbytes = 0, off = 0;
	char *buf = NULL, *paths;
	wtc_hdr *h;
	wtc_rec *r;
	int rc, fd = -1, created = 0;

	/* sizes first: records of the union of the paths */
	while (i < nl || j < nt) {
		const vcs_wt_entry *a = i < nl ? &l->e[i] : NULL;
		const vcs_wt_entry *b = j < nt ? &tree->e[j] : NULL;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (cmp < 0 && !stat_ok(a))
			continue;
		n++;
		sbytes += (cmp <= 0 ? a->len : b->len) + 1;
	}
	rc = cache_path(repo, &path, "");
	if (!rc)
		rc = cache_path(repo, &tmp, ".tmp-XXXXXX");
	if (!rc && !(buf = calloc(1, sizeof(*h) + n * sizeof(*r) + sbytes)))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (rc)
		goto out;
	h = (wtc_hdr *)buf;
	r = (wtc_rec *)(buf + sizeof(*h));
	paths = (char *)(r + n);
	memcpy(h->magic, CACHE_MAGIC, 8);
	h->algo = (uint32_t)repo->algo;
	h->has_tree = tree != NULL;
	h->n = n;
	h->strtab = sbytes;
	if (tree)
		memcpy(h->tree, tree_id->id, PMDB_OID_MAXLEN);
	for (i = j = 0; i < nl || j < nt;) {
		const vcs_wt_entry *a = i < nl ? &l->e[i] : NULL;
		const vcs_wt_entry *b = j < nt ? &tree->e[j] : NULL;
		int cmp = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);
		const vcs_wt_entry *p = cmp <= 0 ? a : b;
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (cmp < 0 && !stat_ok(a))
			continue;
		r->path_off = (uint32_t)off;
		r->path_len = (uint32_t)p->len;
		memcpy(paths + off, p->path, p->len + 1);
		off += p->len + 1;
		if (cmp <= 0 && stat_ok(a)) {
			r->mode = a->mode;
			r->size = a->size;
			r->ino = a->ino;
			r->dev = a->dev;
			r->mtime_ns = a->mtime_ns;
			r->ctime_ns = a->ctime_ns;
			memcpy(r->oid, a->oid.id, PMDB_OID_MAXLEN);
		}
		if (cmp >= 0) {
			r->tmode = b->mode;
			memcpy(r->toid, b->oid.id, PMDB_OID_MAXLEN);
		}
		r++;
	}
	/* a temp name of its own: readers map the cache, so no writer may
	 * ever truncate a file that is (or is renamed to) the cache, as two
	 * writers sharing one temp name could (served commands run at once) */
	fd = mkostemp((char *)tmp.data, O_CLOEXEC);
	created = fd >= 0;
	off = (size_t)((char *)paths + sbytes - buf);
	if (fd < 0 || write(fd, buf, off) != (ssize_t)off ||
	    close(fd) != 0 || (fd = -1, rename((char *)tmp.data,
					      (char *)path.data) != 0)) {
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
				(char *)path.data, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (created)
			unlink((char *)tmp.data);
	}
out:
	free(buf);
	vcs_str_free(&path);
	vcs_str_free(&tmp);
	return rc;
}

/** vcs_wtcache_write -- write l's stat part, keeping the cached tree. */
int
vcs_wtcache_write(vcs_repo *repo, const vcs_wt_list *l)
{
	vcs_wt_list old = VCS_WT_LIST_INIT;
	pmdb_oid id;
	wtc c;
	int rc = wtc_load(repo, &old, &c), has = 0;

	if (!rc && c.h && c.h->has_tree) {
		memcpy(id.id, c.h->tree, PMDB_OID_MAXLEN);
		rc = wtc_tree(&c, &old);
		has = !rc;
	}
	if (!rc)
		rc = wtc_write(repo, l, has ? &old : NULL, &id);
	vcs_wt_list_free(&old);
	return rc;
}

/** vcs_wtcache_write_tree -- write l's stat part and tree as tree_id. */
int
vcs_wtcache_write_tree(vcs_repo *repo, const vcs_wt_list *l,
		       const vcs_wt_list *tree, const pmdb_oid *tree_id)
{
	return wtc_write(repo, l, tree, tree_id);
}

/** is_link -- 1 for a symlink mode. */
static int
is_link(uint32_t mode)
{
	return mode == VCS_MODE_LINK;
}

/** add_item -- append a status item. */
static int
add_item(vcs_status *st, size_t *cap, char kind, const char *path,
	 size_t len, const vcs_wt_entry *h, const vcs_wt_entry *w)
{
	if (VCS_ARRAY_GROW(st->items, *cap, st->n + 1, 32))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	st->items[st->n++] = (vcs_status_item){ kind, path, len, h, w };
	return 0;
}

/** str_cmp -- qsort comparator for char *. */
static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/** tracked_dirs -- sorted unique directories ("a", "a/b") holding
 *  tracked files. The paths with a given prefix are contiguous in the
 *  sorted list, so a directory already seen is the previous path's. */
static int
tracked_dirs(const vcs_wt_list *head, char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < head->n; i++) {
		const char *p = head->e[i].path;
		const vcs_wt_entry *prev = i ? &head->e[i - 1] : NULL;
		for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			size_t dl = (size_t)(s - p);
			if (prev && prev->len > dl && prev->path[dl] == '/' &&
			    !memcmp(prev->path, p, dl))
				continue; /* listed for the previous path */
			if (VCS_ARRAY_GROW(v, cap, n + 1, 32))
				goto nomem;
			if (!(v[n] = strndup(p, dl)))
				goto nomem;
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), str_cmp);
	*out = v;
	*nout = n;
	return 0;
nomem:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** untracked -- add the untracked items, collapsed to their topmost
 *  directory without tracked files when collapse is set. */
static int
untracked(vcs_status *st, size_t *cap, const vcs_wt_entry **u, size_t nu,
	  int collapse)
{
	char **dirs = NULL;
	size_t ndirs = 0;
	/* only untracked files need the tracked directories */
	int rc = collapse && nu ? tracked_dirs(&st->head, &dirs, &ndirs) : 0;
	const char *last = NULL;
	size_t lastlen = 0;

	for (size_t i = 0; i < nu && !rc; i++) {
		const vcs_wt_entry *e = u[i];
		const char *s = collapse ? strchr(e->path, '/') : NULL;

		if (last && e->len > lastlen && !memcmp(e->path, last, lastlen))
			continue; /* inside the directory reported last */
		for (; s; s = strchr(s + 1, '/')) {
			char *d = strndup(e->path, (size_t)(s - e->path) + 1), **dn;
			if (!d) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			d[s - e->path] = '\0';
			if (ndirs && bsearch(&d, dirs, ndirs, sizeof(*dirs), str_cmp)) {
				free(d);
				continue;
			}
			d[s - e->path] = '/';
			dn = realloc(st->dirs, (st->ndirs + 1) * sizeof(*dn));
			if (!dn) {
				free(d);
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			st->dirs = dn;
			st->dirs[st->ndirs++] = d;
			last = d;
			lastlen = (size_t)(s - e->path) + 1;
			rc = add_item(st, cap, VCS_ST_UNTRACKED, d, lastlen, NULL, e);
			break;
		}
		if (!rc && !s)
			rc = add_item(st, cap, VCS_ST_UNTRACKED, e->path, e->len,
				      NULL, e);
	}
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

/** hash_stale -- hash, in batches, the working tree files that the
 *  comparison with st->head will look at and the cache did not vouch
 *  for (same path, not a gitlink, same file/symlink kind). */
static int
hash_stale(vcs_repo *repo, vcs_file_io *io, vcs_status *st)
{
	vcs_wt_entry **v = NULL;
	size_t n = 0, i = 0, j = 0;
	int rc;

	while (i < st->head.n && j < st->wt.n) {
		vcs_wt_entry *h = &st->head.e[i], *w = &st->wt.e[j];
		int c = strcmp(h->path, w->path);

		i += c <= 0;
		j += c >= 0;
		if (c || h->mode == VCS_MODE_GITLINK || w->have_oid ||
		    is_link(h->mode) != is_link(w->mode))
			continue;
		if (!v && !(v = malloc(st->wt.n * sizeof(*v))))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		v[n++] = w;
	}
	rc = n ? vcs_wt_hash_many(repo, io, v, n) : 0;
	if (!rc)
		st->hashed += (int)n;
	free(v);
	return rc;
}

/** vcs_status_compute -- compare the working tree with a tree. */
int
vcs_status_compute(vcs_repo *repo, const pmdb_oid *tree,
		   int collapse_untracked, vcs_status *st)
{
	return vcs_status_compute_io(repo, NULL, tree, collapse_untracked, st);
}

/** vcs_status_compute_io -- the same, reading stale files through io. */
int
vcs_status_compute_io(vcs_repo *repo, vcs_file_io *io, const pmdb_oid *tree,
		      int collapse_untracked, vcs_status *st)
{
	return vcs_status_compute_wt(repo, io, tree, collapse_untracked, NULL,
				     NULL, st);
}

/** vcs_status_compute_wt -- the same, with the working tree's list
 *  (from wait) scanned by the caller. */
int
vcs_status_compute_wt(vcs_repo *repo, vcs_file_io *io, const pmdb_oid *tree,
		      int collapse_untracked, vcs_wt_wait_fn wait, void *arg,
		      vcs_status *st)
{
	vcs_wt_list *wt;
	vcs_wt_reader rd = { VCS_STR_INIT };
	const vcs_wt_entry **u = NULL;
	size_t cap = 0, nu = 0, i = 0, j = 0;
	pmdb_oid htree;
	wtc cache;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = vcs_head_tree(repo, &st->head_commit, &htree, &st->born);
	if (rc)
		return rc;
	if (!tree && st->born)
		tree = &htree;
	st->is_head = st->born && !memcmp(tree, &htree, sizeof(htree));
	if (tree)
		st->tree_id = *tree;
	/* the cache lives in st->head's storage: its paths are the head
	 * list's when it holds the tree, no tree object is read then */
	rc = wtc_load(repo, &st->head, &cache);
	if (!rc && tree && wtc_has_tree(&cache, tree)) {
		rc = wtc_tree(&cache, &st->head);
		st->tree_cached = !rc;
	} else if (!rc) {
		rc = vcs_tree_flatten(repo, NULL, tree, &st->head);
	}
	wt = wait ? wait(arg) : NULL;
	if (!rc && wt) {
		st->wt = *wt;
		*wt = (vcs_wt_list)VCS_WT_LIST_INIT;
	} else if (!rc) {
		rc = vcs_wt_scan(repo, &st->wt);
	}
	if (!rc)
		wtc_apply(&cache, &st->wt);
	if (!rc)
		rc = hash_stale(repo, io, st);
	if (rc)
		return rc;
	u = calloc(st->wt.n ? st->wt.n : 1, sizeof(*u));
	if (!u)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (!rc && (i < st->head.n || j < st->wt.n)) {
		vcs_wt_entry *h = i < st->head.n ? &st->head.e[i] : NULL;
		vcs_wt_entry *w = j < st->wt.n ? &st->wt.e[j] : NULL;
		int c = !h ? 1 : !w ? -1 : strcmp(h->path, w->path);

		if (c < 0) {
			if (h->mode != VCS_MODE_GITLINK)
				rc = add_item(st, &cap, VCS_ST_DELETED, h->path,
					      h->len, h, NULL);
			i++;
			continue;
		}
		if (c > 0) {
			u[nu++] = w;
			j++;
			continue;
		}
		i++;
		j++;
		if (h->mode == VCS_MODE_GITLINK)
			continue;
		if (is_link(h->mode) != is_link(w->mode)) {
			rc = add_item(st, &cap, VCS_ST_TYPECHANGE, h->path, h->len,
				      h, w);
			continue;
		}
		if (!w->have_oid) {
			rc = vcs_wt_hash(repo, &rd, w);
			if (rc)
				break;
			st->hashed++;
		}
		if (h->mode != w->mode || memcmp(&h->oid, &w->oid, sizeof(h->oid)))
			rc = add_item(st, &cap, VCS_ST_MODIFIED, h->path, h->len,
				      h, w);
	}
	st->ntracked = st->n;
	if (!rc)
		rc = untracked(st, &cap, u, nu, collapse_untracked);
	free(u);
	vcs_str_free(&rd.buf);
	return rc;
}

/** vcs_status_clear -- free everything st holds. */
void
vcs_status_clear(vcs_status *st)
{
	vcs_wt_list_free(&st->head);
	vcs_wt_list_free(&st->wt);
	for (size_t i = 0; i < st->ndirs; i++)
		free(st->dirs[i]);
	free(st->dirs);
	free(st->items);
	memset(st, 0, sizeof(*st));
}

/** vcs_status_cache_write -- record new hashes and HEAD's tree. */
void
vcs_status_cache_write(vcs_repo *repo, const vcs_status *st)
{
	if (st->is_head && (st->hashed || !st->tree_cached))
		vcs_wtcache_write_tree(repo, &st->wt, &st->head, &st->tree_id);
	else if (st->hashed)
		vcs_wtcache_write(repo, &st->wt);
}
