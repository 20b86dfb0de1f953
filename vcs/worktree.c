/*
 * worktree.c -- lists of working tree files (paths in blocks owned by
 * the list, sorted by path, binary search) and the reads of their
 * contents.
 *
 * File reads go through vcs/file_io.c: vcs_wt_read() reads one file by
 * the plain path, vcs_wt_read_many() reads many in batches (io_uring
 * when the caller's handle has a ring), two batches in flight so the
 * caller consumes one while the next is read. The scan that fills a
 * list is in worktree_scan.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bigblob.h"
#include "array.h"
#include "file_io.h"
#include "worktree.h"

/** A block of path storage; a list chains its blocks. */
typedef struct wt_block {
	struct wt_block *next;
	size_t used, cap;
	void *map;             /**< a file mapping the list owns, or NULL */
	size_t maplen;
	_Alignas(8) char data[];
} wt_block;

#define BLOCK_BYTES (64u << 10)

/** vcs_wt_list_free -- free entries, path storage and the array. */
void
vcs_wt_list_free(vcs_wt_list *l)
{
	wt_block *b = l->blocks;

	while (b) {
		wt_block *next = b->next;
		if (b->map)
			munmap(b->map, b->maplen);
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
		nb->map = NULL;
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

/** vcs_wt_list_map -- map fd's first size bytes, owned by l. */
const void *
vcs_wt_list_map(vcs_wt_list *l, int fd, size_t size)
{
	wt_block *nb = malloc(sizeof(*nb));
	void *m;

	if (!nb)
		return NULL;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (m == MAP_FAILED) {
		free(nb);
		return NULL;
	}
	/* a block with no room: block_alloc passes it by */
	nb->used = nb->cap = 0;
	nb->map = m;
	nb->maplen = size;
	nb->next = l->blocks;
	l->blocks = nb;
	return m;
}

/** vcs_wt_list_add -- append an entry with a copy of path. */
vcs_wt_entry *
vcs_wt_list_add(vcs_wt_list *l, const char *path, size_t len, uint32_t mode)
{
	vcs_wt_entry *e;
	char *p;

	if (VCS_ARRAY_GROW(l->e, l->cap, l->n + 1, 64))
		return NULL;
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

/** vcs_wt_list_adopt -- chain src's storage blocks into dst's. */
void
vcs_wt_list_adopt(vcs_wt_list *dst, vcs_wt_list *src)
{
	wt_block *b = src->blocks;

	if (!b)
		return;
	while (b->next)
		b = b->next;
	b->next = dst->blocks;
	dst->blocks = src->blocks;
	src->blocks = NULL;
}

/** vcs_wt_list_sort -- sort l by path unless it already is. */
void
vcs_wt_list_sort(vcs_wt_list *l)
{
	for (size_t i = 1; i < l->n; i++) {
		if (entry_cmp(&l->e[i - 1], &l->e[i]) >= 0) {
			qsort(l->e, l->n, sizeof(*l->e), entry_cmp);
			return;
		}
	}
}

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
	rc = vcs_file_io_read_one((char *)path.data, e->path,
				 e->mode == VCS_MODE_LINK, e->size, &rd->buf);
	vcs_str_free(&path);
	if (!rc && e->conv)
		vcs_convert_clean((enum vcs_conv)e->conv, &rd->buf);
	return rc;
}

/** wave -- one batch of bulk reads and the entries they are for. */
typedef struct wave {
	vcs_file_io_rd rd[VCS_FILE_IO_BATCH];
	vcs_str path[VCS_FILE_IO_BATCH];
	vcs_wt_entry *e[VCS_FILE_IO_BATCH];
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
	while (*next < n && w->n < VCS_FILE_IO_BATCH &&
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
vcs_wt_read_many(vcs_repo *repo, vcs_file_io *io, vcs_wt_entry **v, size_t n,
		 vcs_wt_each_fn fn, void *arg)
{
	vcs_file_io *own = NULL;
	wave *w = calloc(2, sizeof(*w));
	size_t next = 0;
	int cur = 0, rc = 0;

	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!io && (rc = vcs_file_io_open(&own, VCS_FILE_IO_SYNC)) != 0)
		goto out;
	if (!io)
		io = own;
	rc = wave_fill(repo, &w[0], v, n, &next);
	if (!rc && w[0].n && !(rc = vcs_file_io_read_submit(io, w[0].rd, w[0].n)))
		w[0].submitted = 1;
	while (!rc && w[cur].n) {
		wave *c = &w[cur], *o = &w[cur ^ 1];
		/* queue the next batch before consuming this one, so the
		 * kernel reads it while fn hashes (when it works async) */
		rc = wave_fill(repo, o, v, n, &next);
		if (!rc && o->n && !(rc = vcs_file_io_read_submit(io, o->rd, o->n)))
			o->submitted = 1;
		if (!rc) {
			rc = vcs_file_io_read_reap(io, c->rd, c->n);
			c->submitted = 0;
		}
		for (size_t k = 0; k < c->n && !rc; k++) {
			/* the blob's content, as the attributes make it */
			if (c->e[k]->conv)
				vcs_convert_clean((enum vcs_conv)c->e[k]->conv,
						  &c->rd[k].buf);
			rc = fn(arg, c->e[k], &c->rd[k].buf);
		}
		c->n = 0;
		cur ^= 1;
	}
out:
	for (int k = 0; k < 2; k++) {
		/* never free buffers the kernel may still write */
		if (w[k].submitted)
			vcs_file_io_read_reap(io, w[k].rd, w[k].n);
		for (size_t i = 0; i < VCS_FILE_IO_BATCH; i++) {
			vcs_str_free(&w[k].rd[i].buf);
			vcs_str_free(&w[k].path[i]);
		}
	}
	free(w);
	vcs_file_io_free(own);
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

/** vcs_wt_hash_many -- blob ids of v[0..n), read in batches; big files
 *  are hashed a chunk at a time instead, never read whole. */
int
vcs_wt_hash_many(vcs_repo *repo, vcs_file_io *io, vcs_wt_entry **v, size_t n)
{
	vcs_wt_entry **small = malloc((n ? n : 1) * sizeof(*small));
	size_t k = 0;
	int rc = 0;

	if (!small)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		if (v[i]->mode != VCS_MODE_LINK && v[i]->size >= VCS_BIG_STREAM)
			rc = vcs_big_hash_file(repo, v[i]);
		else
			small[k++] = v[i];
	}
	if (!rc)
		rc = vcs_wt_read_many(repo, io, small, k, hash_cb, repo);
	free(small);
	return rc;
}

/** vcs_wt_hash -- blob id of e's current content. */
int
vcs_wt_hash(vcs_repo *repo, vcs_wt_reader *rd, vcs_wt_entry *e)
{
	int rc;

	if (e->have_oid)
		return 0;
	if (e->mode != VCS_MODE_LINK && e->size >= VCS_BIG_STREAM)
		return vcs_big_hash_file(repo, e);
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

