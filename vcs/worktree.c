/*
 * worktree.c -- scan the working tree, read its files, flatten trees
 * from the pool and build trees bottom-up from a sorted file list.
 *
 * File reads go through vcs/bulkio.c: vcs_wt_read() reads one file by
 * the plain path, vcs_wt_read_many() reads many in batches (io_uring
 * when the caller's handle has a ring), two batches in flight so the
 * caller consumes one while the next is read.
 */
#define _GNU_SOURCE /* getdents64, qsort_r */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulkio.h"
#include "diff.h"
#include "worktree.h"

/** A block of path storage; a list chains its blocks. */
typedef struct wt_block {
	struct wt_block *next;
	size_t used, cap;
	_Alignas(8) char data[];
} wt_block;

#define BLOCK_BYTES (64u << 10)

/** One directory being scanned. */
typedef struct scan_state {
	vcs_repo *repo;
	vcs_ignore *ign;
	vcs_wt_list *out;
	vcs_str rel;           /**< root-relative dir path, "" or "a/b/" */
	vcs_str names;         /**< stack of dirents: type byte, name, NUL */
	char *dents;           /**< getdents64 buffer */
} scan_state;

#define DENTS_BYTES (32u << 10)

static int scan_dir(scan_state *s, int dirfd);

/** vcs_wt_list_free -- free entries, path storage and the array. */
void
vcs_wt_list_free(vcs_wt_list *l)
{
	wt_block *b = l->blocks;

	while (b) {
		wt_block *next = b->next;
		free(b);
		b = next;
	}
	free(l->e);
	l->e = NULL;
	l->blocks = NULL;
	l->n = l->cap = 0;
}

/** block_alloc -- bytes from l's current block at the given alignment,
 *  or from a new block (a block of its own for large requests, so the
 *  current one keeps filling). */
static void *
block_alloc(vcs_wt_list *l, size_t bytes, size_t align)
{
	wt_block *b = l->blocks;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;

	if (!b || at > b->cap || b->cap - at < bytes) {
		size_t cap = bytes > BLOCK_BYTES / 4 ? bytes : BLOCK_BYTES;
		wt_block *nb = malloc(sizeof(*nb) + cap);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->cap = cap;
		if (b && cap == bytes) {
			nb->next = b->next;
			b->next = nb;
			nb->used = bytes;
			return nb->data;
		}
		nb->next = b;
		l->blocks = b = nb;
		at = 0;
	}
	b->used = at + bytes;
	return b->data + at;
}

/** vcs_wt_list_reserve -- 8-byte aligned storage owned by l. */
void *
vcs_wt_list_reserve(vcs_wt_list *l, size_t bytes)
{
	return block_alloc(l, bytes, 8);
}

/** vcs_wt_list_add -- append an entry with a copy of path. */
vcs_wt_entry *
vcs_wt_list_add(vcs_wt_list *l, const char *path, size_t len, uint32_t mode)
{
	vcs_wt_entry *e;
	char *p;

	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 64;
		vcs_wt_entry *ne = realloc(l->e, nc * sizeof(*ne));
		if (!ne)
			return NULL;
		l->e = ne;
		l->cap = nc;
	}
	if (!(p = block_alloc(l, len + 1, 1)))
		return NULL;
	memcpy(p, path, len);
	p[len] = '\0';
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->path = p;
	e->len = len;
	e->mode = mode;
	return e;
}

/** path_cmp -- bytewise order of two paths (git's index order). */
static int
path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/** entry_cmp -- qsort comparator by path. */
static int
entry_cmp(const void *a, const void *b)
{
	const vcs_wt_entry *x = a, *y = b;

	return path_cmp(x->path, x->len, y->path, y->len);
}

/** vcs_wt_find -- binary search by path. */
vcs_wt_entry *
vcs_wt_find(const vcs_wt_list *l, const char *path, size_t len)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = path_cmp(l->e[mid].path, l->e[mid].len, path, len);
		if (!c)
			return &l->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/** fill_stat -- copy the stat fields the cache compares. */
static void
fill_stat(vcs_wt_entry *e, const struct stat *st)
{
	e->size = (uint64_t)st->st_size;
	e->ino = (uint64_t)st->st_ino;
	e->dev = (uint64_t)st->st_dev;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/** load_ignore_file -- push the .pmvcsignore of the directory dirfd
 *  (s->rel) if it has one; *pushed says whether it did. */
static int
load_ignore_file(scan_state *s, int dirfd, int *pushed)
{
	vcs_str text = VCS_STR_INIT;
	int fd, rc = 0;

	*pushed = 0;
	fd = openat(dirfd, VCS_IGNORE_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t n;
		if (vcs_str_grow(&text, 4096)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		n = read(fd, text.data + text.len, text.cap - text.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = vcs_seterr(PMDB_ERROR, "cannot read '%s%s': %s",
					s->rel.len ? (char *)s->rel.data : "",
					VCS_IGNORE_FILE, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
	}
	close(fd);
	if (!rc) {
		/* base: the directory relative to the root, without '/' */
		char *base = strndup(s->rel.len ? (char *)s->rel.data : "",
				     s->rel.len ? s->rel.len - 1 : 0);
		if (!base)
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			rc = vcs_ignore_push(s->ign, base, (char *)text.data,
					     text.len);
		free(base);
		if (!rc)
			*pushed = 1;
	}
	vcs_str_free(&text);
	return rc;
}

/** dent_cmp -- qsort_r: order two dirents (offsets into the names
 *  stack) as their paths sort, a directory "d" as "d/": visiting the
 *  directories in this order lists the tree sorted by path. */
static int
dent_cmp(const void *a, const void *b, void *ctx)
{
	const unsigned char *base = ctx;
	const unsigned char *x = base + *(const uint32_t *)a;
	const unsigned char *y = base + *(const uint32_t *)b;
	unsigned xe = x[0] == DT_DIR ? '/' : 0, ye = y[0] == DT_DIR ? '/' : 0;

	for (x++, y++;; x++, y++) {
		unsigned cx = *x ? *x : xe, cy = *y ? *y : ye;
		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (!*x || !*y)
			return 0;
	}
}

/** read_dents -- push the names of directory dirfd (but ".", "..",
 *  ".git", ".pmvcs" and special files) with their types on s->names;
 *  *offs gets their offsets, *n their number, *has_ign whether a
 *  .pmvcsignore is there. Types the filesystem does not report are
 *  found with fstatat. */
static int
read_dents(scan_state *s, int dirfd, uint32_t **offs, size_t *n, int *has_ign)
{
	size_t cap = 0;

	*offs = NULL;
	*n = 0;
	*has_ign = 0;
	for (;;) {
		ssize_t got = getdents64(dirfd, s->dents, DENTS_BYTES);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return vcs_seterr(PMDB_ERROR, "cannot read directory '%s': %s",
					  s->rel.len ? (char *)s->rel.data : ".",
					  strerror(errno));
		if (got == 0)
			return 0;
		for (ssize_t off = 0; off < got;) {
			struct dirent64 *de = (struct dirent64 *)(s->dents + off);
			const char *name = de->d_name;
			unsigned char type = de->d_type;
			size_t nl;

			off += de->d_reclen;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]) ||
					       !strcmp(name, ".git") ||
					       !strcmp(name, VCS_DOTDIR)))
				continue;
			if (type == DT_UNKNOWN) {
				struct stat st;
				if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
					continue; /* vanished: not ours */
				type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ?
					DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_FIFO;
			}
			if (type != DT_DIR && type != DT_REG && type != DT_LNK)
				continue; /* FIFOs, sockets, devices: git skips them */
			if (type == DT_REG && !strcmp(name, VCS_IGNORE_FILE))
				*has_ign = 1;
			if (*n == cap) {
				uint32_t *no = realloc(*offs, (cap = cap ? 2 * cap : 64) *
						       sizeof(*no));
				if (!no)
					return vcs_seterr(PMDB_ENOMEM, "out of memory");
				*offs = no;
			}
			(*offs)[(*n)++] = (uint32_t)s->names.len;
			nl = strlen(name);
			if (vcs_str_add(&s->names, &type, 1) ||
			    vcs_str_add(&s->names, name, nl + 1))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
	}
}

/** scan_entry -- visit one name of directory dirfd (s->rel): recurse
 *  into a directory, lstat and list a file or symlink. */
static int
scan_entry(scan_state *s, int dirfd, const char *name, unsigned char type)
{
	size_t save = s->rel.len;
	int is_dir = type == DT_DIR, rc = 0;
	struct stat st;

	if (vcs_str_adds(&s->rel, name))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (vcs_ignore_match(s->ign, (char *)s->rel.data, s->rel.len, is_dir))
		goto out;
	if (is_dir) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				O_CLOEXEC);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			goto out; /* vanished or replaced since the dirent */
		if (fd < 0) {
			rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
					(char *)s->rel.data, strerror(errno));
			goto out;
		}
		if (vcs_str_add(&s->rel, "/", 1))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			rc = scan_dir(s, fd);
		close(fd);
		goto out;
	}
	/* relative to the directory: one component to walk, not the
	 * whole path from / (the scan's main cost is this call) */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			rc = vcs_seterr(PMDB_ERROR, "cannot stat '%s': %s",
					(char *)s->rel.data, strerror(errno));
		goto out; /* vanished before we looked: not ours */
	}
	if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
		uint32_t mode = S_ISLNK(st.st_mode) ? VCS_MODE_LINK :
			(st.st_mode & 0100) ? VCS_MODE_EXEC : VCS_MODE_BLOB;
		vcs_wt_entry *e = vcs_wt_list_add(s->out, (char *)s->rel.data,
						  s->rel.len, mode);
		if (!e)
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			fill_stat(e, &st);
	} /* else it changed type since the dirent: skip, as if vanished */
out:
	s->rel.len = save;
	if (s->rel.data)
		s->rel.data[save] = '\0';
	return rc;
}

/** scan_dir -- visit the directory dirfd (root-relative s->rel): its
 *  names sorted as paths sort, so the list comes out sorted. */
static int
scan_dir(scan_state *s, int dirfd)
{
	size_t base = s->names.len, n = 0;
	uint32_t *offs = NULL;
	int pushed = 0, has_ign = 0;
	int rc = read_dents(s, dirfd, &offs, &n, &has_ign);

	if (!rc && has_ign)
		rc = load_ignore_file(s, dirfd, &pushed);
	if (!rc && n > 1)
		qsort_r(offs, n, sizeof(*offs), dent_cmp, s->names.data);
	for (size_t i = 0; i < n && !rc; i++) {
		/* copy: the recursion may move s->names */
		char name[256];
		const unsigned char *d = s->names.data + offs[i];
		snprintf(name, sizeof(name), "%s", (const char *)d + 1);
		rc = scan_entry(s, dirfd, name, d[0]);
	}
	if (pushed)
		vcs_ignore_pop(s->ign);
	free(offs);
	s->names.len = base;
	return rc;
}

/** vcs_wt_scan -- list the working tree's files, sorted. Every path is
 *  walked relative to its directory's fd (openat / fstatat). */
int
vcs_wt_scan(vcs_repo *repo, vcs_wt_list *out)
{
	scan_state s = { repo, NULL, out, VCS_STR_INIT, VCS_STR_INIT, NULL };
	int fd = -1, rc = vcs_ignore_new(&s.ign);

	if (rc)
		return rc;
	if (!(s.dents = malloc(DENTS_BYTES)) || vcs_str_grow(&s.rel, 256) ||
	    vcs_str_grow(&s.names, 4096)) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	fd = open(repo->worktree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
				repo->worktree, strerror(errno));
		goto out;
	}
	s.rel.data[0] = '\0';
	rc = scan_dir(&s, fd);
	close(fd);
out:
	free(s.dents);
	vcs_ignore_free(s.ign);
	vcs_str_free(&s.rel);
	vcs_str_free(&s.names);
	return rc;
}

/** wt_abspath -- worktree root + '/' + rel into out (reset first). */
static int
wt_abspath(vcs_repo *repo, vcs_str *out, const char *rel)
{
	vcs_str_reset(out);
	return vcs_str_addf(out, "%s/%s", repo->worktree, rel);
}

/** vcs_wt_read -- read one file (or symlink target) into rd->buf. */
int
vcs_wt_read(vcs_repo *repo, vcs_wt_reader *rd, const vcs_wt_entry *e)
{
	vcs_str path = VCS_STR_INIT;
	int rc;

	if (wt_abspath(repo, &path, e->path))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	rc = vcs_bulkio_read_one((char *)path.data, e->path,
				 e->mode == VCS_MODE_LINK, e->size, &rd->buf);
	vcs_str_free(&path);
	return rc;
}

/** wave -- one batch of bulk reads and the entries they are for. */
typedef struct wave {
	vcs_bulkio_rd rd[VCS_BULKIO_BATCH];
	vcs_str path[VCS_BULKIO_BATCH];
	vcs_wt_entry *e[VCS_BULKIO_BATCH];
	size_t n;
	int submitted;
} wave;

/** wave_fill -- take entries from v[*next..n) into w, up to a batch or
 *  WAVE_BYTES of expected content (at least one file). */
#define WAVE_BYTES (8u << 20)
static int
wave_fill(vcs_repo *repo, wave *w, vcs_wt_entry **v, size_t n, size_t *next)
{
	uint64_t bytes = 0;

	w->n = 0;
	while (*next < n && w->n < VCS_BULKIO_BATCH &&
	       (!w->n || bytes + v[*next]->size <= WAVE_BYTES)) {
		vcs_wt_entry *e = v[(*next)++];
		size_t k = w->n++;
		if (wt_abspath(repo, &w->path[k], e->path))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		w->e[k] = e;
		w->rd[k].path = (char *)w->path[k].data;
		w->rd[k].name = e->path;
		w->rd[k].is_link = e->mode == VCS_MODE_LINK;
		w->rd[k].size = e->size;
		bytes += e->size;
	}
	return 0;
}

/** vcs_wt_read_many -- read v[0..n) in batches through io, in order. */
int
vcs_wt_read_many(vcs_repo *repo, vcs_bulkio *io, vcs_wt_entry **v, size_t n,
		 vcs_wt_each_fn fn, void *arg)
{
	vcs_bulkio *own = NULL;
	wave *w = calloc(2, sizeof(*w));
	size_t next = 0;
	int cur = 0, rc = 0;

	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!io && (rc = vcs_bulkio_open(&own, VCS_BULKIO_SYNC)) != 0)
		goto out;
	if (!io)
		io = own;
	rc = wave_fill(repo, &w[0], v, n, &next);
	if (!rc && w[0].n && !(rc = vcs_bulkio_read_submit(io, w[0].rd, w[0].n)))
		w[0].submitted = 1;
	while (!rc && w[cur].n) {
		wave *c = &w[cur], *o = &w[cur ^ 1];
		/* queue the next batch before consuming this one, so the
		 * kernel reads it while fn hashes (when it works async) */
		rc = wave_fill(repo, o, v, n, &next);
		if (!rc && o->n && !(rc = vcs_bulkio_read_submit(io, o->rd, o->n)))
			o->submitted = 1;
		if (!rc) {
			rc = vcs_bulkio_read_reap(io, c->rd, c->n);
			c->submitted = 0;
		}
		for (size_t k = 0; k < c->n && !rc; k++)
			rc = fn(arg, c->e[k], &c->rd[k].buf);
		c->n = 0;
		cur ^= 1;
	}
out:
	for (int k = 0; k < 2; k++) {
		/* never free buffers the kernel may still write */
		if (w[k].submitted)
			vcs_bulkio_read_reap(io, w[k].rd, w[k].n);
		for (size_t i = 0; i < VCS_BULKIO_BATCH; i++) {
			vcs_str_free(&w[k].rd[i].buf);
			vcs_str_free(&w[k].path[i]);
		}
	}
	free(w);
	vcs_bulkio_free(own);
	return rc;
}

/** hash_cb -- vcs_wt_each_fn: set e's blob id from its content. */
static int
hash_cb(void *arg, vcs_wt_entry *e, const vcs_str *data)
{
	vcs_repo *repo = arg;
	int rc = pmdb_hash_object(&e->oid, repo->algo, PMDB_OBJ_BLOB,
				  data->data, data->len);

	if (rc)
		return vcs_seterr_pmdb(rc, e->path);
	e->have_oid = 1;
	return 0;
}

/** vcs_wt_hash_many -- blob ids of v[0..n), read in batches. */
int
vcs_wt_hash_many(vcs_repo *repo, vcs_bulkio *io, vcs_wt_entry **v, size_t n)
{
	return vcs_wt_read_many(repo, io, v, n, hash_cb, repo);
}

/** vcs_wt_hash -- blob id of e's current content. */
int
vcs_wt_hash(vcs_repo *repo, vcs_wt_reader *rd, vcs_wt_entry *e)
{
	int rc;

	if (e->have_oid)
		return 0;
	rc = vcs_wt_read(repo, rd, e);
	if (rc)
		return rc;
	rc = pmdb_hash_object(&e->oid, repo->algo, PMDB_OBJ_BLOB,
			      rd->buf.data, rd->buf.len);
	if (rc)
		return vcs_seterr_pmdb(rc, e->path);
	e->have_oid = 1;
	return 0;
}

/** flatten -- add tree's entries under prefix (ending in '/' or ""). */
static int
flatten(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid, vcs_str *prefix,
	vcs_wt_list *out)
{
	vcs_tree t = { 0 };
	size_t save = prefix->len;
	int rc = vcs_tree_read(repo, txn, oid, &t);

	if (rc)
		return rc;
	for (size_t i = 0; i < t.n && !rc; i++) {
		vcs_tree_entry *te = &t.entries[i];
		prefix->len = save;
		if (vcs_str_add(prefix, te->name, te->name_len)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if (te->mode == VCS_MODE_TREE) {
			if (vcs_str_add(prefix, "/", 1))
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			else
				rc = flatten(repo, txn, &te->oid, prefix, out);
		} else {
			vcs_wt_entry *e = vcs_wt_list_add(out, (char *)prefix->data,
						   prefix->len, te->mode);
			if (!e) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			if (e->mode != VCS_MODE_LINK && e->mode != VCS_MODE_EXEC &&
			    e->mode != VCS_MODE_GITLINK)
				e->mode = VCS_MODE_BLOB; /* 100664 and friends */
			e->oid = te->oid;
			e->have_oid = 1;
		}
	}
	prefix->len = save;
	vcs_tree_clear(&t);
	return rc;
}

/** vcs_tree_flatten -- all files under tree, sorted by path. */
int
vcs_tree_flatten(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *tree,
		 vcs_wt_list *out)
{
	vcs_str prefix = VCS_STR_INIT;
	int rc;

	if (!tree)
		return 0;
	rc = flatten(repo, txn, tree, &prefix, out);
	vcs_str_free(&prefix);
	/* git sorts tree entries as paths sort ("d" as "d/"), so the
	 * recursion already listed them in order; sort only a tree that
	 * breaks that rule */
	for (size_t i = 1; !rc && i < out->n; i++) {
		if (entry_cmp(&out->e[i - 1], &out->e[i]) >= 0) {
			qsort(out->e, out->n, sizeof(*out->e), entry_cmp);
			break;
		}
	}
	return rc;
}

/** build -- write the tree of entries [lo, hi) below the prefix of
 *  plen bytes; all paths in the range share that prefix. */
static int
build(vcs_repo *repo, pmdb_txn *txn, const vcs_wt_list *l, size_t lo,
      size_t hi, size_t plen, pmdb_oid *out)
{
	vcs_tree_entry *ents = calloc(hi - lo ? hi - lo : 1, sizeof(*ents));
	vcs_str enc = VCS_STR_INIT;
	size_t n = 0, i = lo;
	int rc = 0;

	if (!ents)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (i < hi) {
		const vcs_wt_entry *e = &l->e[i];
		const char *name = e->path + plen;
		const char *slash = memchr(name, '/', e->len - plen);
		vcs_tree_entry *te = &ents[n++];

		if (!slash) {
			te->mode = e->mode;
			te->name = (char *)name;
			te->name_len = e->len - plen;
			te->oid = e->oid;
			i++;
			continue;
		}
		/* a directory: every following path with the same "name/" */
		size_t nlen = (size_t)(slash - name), j = i + 1;
		while (j < hi && l->e[j].len > plen + nlen &&
		       !memcmp(l->e[j].path + plen, name, nlen + 1))
			j++;
		te->mode = VCS_MODE_TREE;
		te->name = (char *)name;
		te->name_len = nlen;
		rc = build(repo, txn, l, i, j, plen + nlen + 1, &te->oid);
		if (rc)
			goto out;
		i = j;
	}
	rc = vcs_tree_format(&enc, ents, n, repo->algo);
	if (rc)
		goto out;
	rc = pmdb_txn_put(txn, PMDB_OBJ_TREE, enc.data, enc.len, out);
	if (rc)
		rc = vcs_seterr_pmdb(rc, "writing a tree");
out:
	vcs_str_free(&enc);
	free(ents);
	return rc;
}

/** vcs_tree_build -- write the trees of a sorted list; root id out. */
int
vcs_tree_build(vcs_repo *repo, pmdb_txn *txn, const vcs_wt_list *l,
	       pmdb_oid *root)
{
	return build(repo, txn, l, 0, l->n, 0, root);
}

/** vcs_head_tree -- HEAD's commit and tree (born = 0 when unborn). */
int
vcs_head_tree(vcs_repo *repo, pmdb_oid *commit, pmdb_oid *tree, int *born)
{
	vcs_commit c = { 0 };
	int rc = vcs_head(repo, commit, NULL);

	memset(tree, 0, sizeof(*tree));
	*born = 0;
	if (rc == PMDB_ENOTFOUND) {
		memset(commit, 0, sizeof(*commit));
		return 0;
	}
	if (rc)
		return rc;
	rc = vcs_commit_read(repo, NULL, commit, &c);
	if (rc)
		return rc;
	*tree = c.tree;
	*born = 1;
	vcs_commit_clear(&c);
	return 0;
}

/** vcs_subject -- first paragraph of msg, lines joined by spaces. */
int
vcs_subject(vcs_str *out, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;
	int first = 1;

	while (p < end && (*p == '\n'))
		p++;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t t = ll;
		while (t && (p[t - 1] == ' ' || p[t - 1] == '\t' || p[t - 1] == '\r'))
			t--;
		if (!t)
			break;
		if ((!first && vcs_str_add(out, " ", 1)) || vcs_str_add(out, p, t))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		first = 0;
		p += ll + (nl ? 1 : 0);
	}
	return 0;
}

/** vcs_commit_oneline -- "<abbrev> <subject>". */
int
vcs_commit_oneline(vcs_repo *repo, const pmdb_oid *oid, vcs_str *out)
{
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_commit c = { 0 };
	int rc = vcs_commit_read(repo, NULL, oid, &c);

	if (rc)
		return rc;
	vcs_oid_abbrev(repo, oid, 7, hex);
	if (vcs_str_adds(out, hex) || vcs_str_add(out, " ", 1))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	else
		rc = vcs_subject(out, c.message, c.message_len);
	vcs_commit_clear(&c);
	return rc;
}
