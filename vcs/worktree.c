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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulkio.h"
#include "diff.h"
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

/*
 * The scan. A directory is the unit of work: one thread reads it
 * (getdents64), sorts its names as paths sort, matches them against the
 * ignore rules in force there, lstat's its files relative to its fd and
 * queues its subdirectories; any thread may take a queued directory. The
 * files of one directory end up contiguous in the list of the thread
 * that read it, and the directory records where its subdirectories fall
 * among them, so the sorted list is assembled at the end by one walk of
 * the directory tree, copying entries. Paths, nodes and child arrays
 * live in the threads' lists' blocks, which the output list adopts.
 */

/** One directory of the scan. */
typedef struct scan_node {
	const char *rel;        /**< "" or "a/b/", in a thread's blocks */
	size_t rellen;
	const vcs_ignore *ign;  /**< the rules in force here, read-only */
	int fd;                 /**< opened by the parent's reader, or -1 */
	/* filled by the thread that reads the directory */
	int worker;             /**< whose list holds its files */
	size_t first, nfiles;   /**< its files: that list's [first, +nfiles) */
	struct scan_kid *kids;  /**< its subdirectories, in order */
	size_t nkids;
	struct scan_node *next; /**< queue link */
} scan_node;

/** A subdirectory and the number of its parent's files before it. */
typedef struct scan_kid {
	scan_node *node;
	size_t pos;
} scan_kid;

typedef struct scan_shared scan_shared;

/** One scanning thread's state (worker 0 is the caller). */
typedef struct scan_worker {
	scan_shared *sh;
	int id;
	vcs_wt_list files;     /**< the files it found; its blocks hold
	                            paths, nodes and kid arrays too */
	vcs_str names;         /**< dirents of the current directory */
	vcs_str path;          /**< scratch: rel + name */
	uint32_t *offs;        /**< offsets of the names in names */
	size_t offcap;
	vcs_ignore **igns;     /**< rule sets it created, freed at the end */
	size_t nigns, igncap;
	char *dents;           /**< getdents64 buffer */
	pthread_t tid;
} scan_worker;

struct scan_shared {
	int rootfd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	scan_node *queue;      /**< LIFO: depth first, warm dentries */
	size_t queued, busy;   /**< nodes waiting, nodes being read */
	int nw;                /**< workers set up in w[] */
	int nthreads, started; /**< allowed, running (the caller counts) */
	int stop, rc;          /**< first error, its message in err */
	char *err;
	int fds;               /**< fds held by queued nodes (atomic) */
	scan_worker w[VCS_WT_SCAN_MAXTHREADS];
};

#define DENTS_BYTES (32u << 10)
/** Queued nodes hold at most this many open directories between them;
 *  beyond, a directory is opened by path from the root when taken. */
#define SCAN_FD_BUDGET 64

/** load_ignore_file -- if directory dirfd (node->rel) has an ignore
 *  file, make *ign a child of node->ign with its patterns. */
static int
load_ignore_file(scan_worker *w, const scan_node *node, int dirfd,
		 const vcs_ignore **ign)
{
	vcs_str text = VCS_STR_INIT;
	vcs_ignore *child = NULL;
	int fd, rc = 0;

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
					node->rel, VCS_IGNORE_FILE, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		text.len += (size_t)n;
	}
	close(fd);
	if (!rc && w->nigns == w->igncap) {
		size_t nc = w->igncap ? 2 * w->igncap : 8;
		vcs_ignore **ni = realloc(w->igns, nc * sizeof(*ni));
		if (!ni)
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			w->igns = ni, w->igncap = nc;
	}
	if (!rc)
		rc = vcs_ignore_child(node->ign, &child);
	if (!rc) {
		/* base: the directory relative to the root, without '/' */
		char *base = strndup(node->rel, node->rellen ? node->rellen - 1 : 0);
		w->igns[w->nigns++] = child;
		if (!base)
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			rc = vcs_ignore_push(child, base, (char *)text.data, text.len);
		free(base);
		if (!rc)
			*ign = child;
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


/** read_dents -- the names of directory dirfd (but ".", "..", ".git",
 *  ".pmvcs" and special files) with their types into w->names, their
 *  offsets into w->offs; *n their number, *ndirs the directories',
 *  *has_ign whether a .pmvcsignore is there. Types the filesystem does
 *  not report are found with fstatat. */
static int
read_dents(scan_worker *w, const scan_node *node, int dirfd, size_t *n,
	   size_t *ndirs, int *has_ign)
{
	vcs_str_reset(&w->names);
	*n = *ndirs = 0;
	*has_ign = 0;
	for (;;) {
		ssize_t got = getdents64(dirfd, w->dents, DENTS_BYTES);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return vcs_seterr(PMDB_ERROR, "cannot read directory '%s': %s",
					  node->rellen ? node->rel : ".", strerror(errno));
		if (got == 0)
			return 0;
		for (ssize_t off = 0; off < got;) {
			struct dirent64 *de = (struct dirent64 *)(w->dents + off);
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
			if (*n == w->offcap) {
				size_t nc = w->offcap ? 2 * w->offcap : 256;
				uint32_t *no = realloc(w->offs, nc * sizeof(*no));
				if (!no)
					return vcs_seterr(PMDB_ENOMEM, "out of memory");
				w->offs = no;
				w->offcap = nc;
			}
			w->offs[(*n)++] = (uint32_t)w->names.len;
			*ndirs += type == DT_DIR;
			nl = strlen(name);
			if (vcs_str_add(&w->names, &type, 1) ||
			    vcs_str_add(&w->names, name, nl + 1))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
	}
}

/** scan_push -- queue the subdirectories of a node just read (in
 *  reverse, so that the LIFO hands out the first one first). */
static void
scan_push(scan_shared *sh, scan_node *node)
{
	if (!node->nkids)
		return;
	pthread_mutex_lock(&sh->mu);
	for (size_t k = node->nkids; k-- > 0;) {
		node->kids[k].node->next = sh->queue;
		sh->queue = node->kids[k].node;
	}
	sh->queued += node->nkids;
	pthread_cond_broadcast(&sh->cv);
	pthread_mutex_unlock(&sh->mu);
}

/** new_kid -- a node for subdirectory name of directory dirfd:
 *  rel = w->path + '/'; opened here while the fd budget allows. 0 with
 *  *out NULL when it vanished since its dirent. */
static int
new_kid(scan_worker *w, int dirfd, const char *name, const vcs_ignore *ign,
	scan_node **out)
{
	scan_shared *sh = w->sh;
	scan_node *k = vcs_wt_list_reserve(&w->files, sizeof(*k));
	char *rel = vcs_wt_list_reserve(&w->files, w->path.len + 2);
	int fd = -1;

	*out = NULL;
	if (!k || !rel)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	memcpy(rel, w->path.data, w->path.len);
	rel[w->path.len] = '/';
	rel[w->path.len + 1] = '\0';
	if (__atomic_add_fetch(&sh->fds, 1, __ATOMIC_RELAXED) <= SCAN_FD_BUDGET) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd < 0)
			__atomic_sub_fetch(&sh->fds, 1, __ATOMIC_RELAXED);
		if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			return 0; /* vanished or replaced since the dirent */
		if (fd < 0 && errno != EMFILE && errno != ENFILE)
			return vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
					  (char *)w->path.data, strerror(errno));
		/* out of descriptors: open it by path when its turn comes */
	} else {
		__atomic_sub_fetch(&sh->fds, 1, __ATOMIC_RELAXED);
	}
	memset(k, 0, sizeof(*k));
	k->rel = rel;
	k->rellen = w->path.len + 1;
	k->ign = ign;
	k->fd = fd;
	*out = k;
	return 0;
}

/** scan_open -- the node's directory fd: its own, or opened by path. */
static int
scan_open(scan_worker *w, scan_node *node, int *fd)
{
	scan_shared *sh = w->sh;

	*fd = node->fd;
	if (*fd >= 0) {
		node->fd = -1;
		__atomic_sub_fetch(&sh->fds, 1, __ATOMIC_RELAXED);
		return 0;
	}
	*fd = node->rellen ? openat(sh->rootfd, node->rel, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC) : dup(sh->rootfd);
	if (*fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
		return 0; /* vanished since its parent was read */
	if (*fd < 0)
		return vcs_seterr(PMDB_ERROR, "cannot open directory '%.*s': %s",
				  (int)(node->rellen ? node->rellen - 1 : 1),
				  node->rellen ? node->rel : ".", strerror(errno));
	return 0;
}

/** scan_file -- lstat name in dirfd and add it (path w->path) to w's
 *  list if it is still a file or symlink. */
static int
scan_file(scan_worker *w, int dirfd, const char *name)
{
	struct stat st;
	vcs_wt_entry *e;
	uint32_t mode;

	/* relative to the directory: one component to walk, not the
	 * whole path from / (the scan's main cost is this call) */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return vcs_seterr(PMDB_ERROR, "cannot stat '%s': %s",
					  (char *)w->path.data, strerror(errno));
		return 0; /* vanished before we looked: not ours */
	}
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0; /* changed type since the dirent: as if vanished */
	mode = S_ISLNK(st.st_mode) ? VCS_MODE_LINK :
		(st.st_mode & 0100) ? VCS_MODE_EXEC : VCS_MODE_BLOB;
	e = vcs_wt_list_add(&w->files, (char *)w->path.data, w->path.len, mode);
	if (!e)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	fill_stat(e, &st);
	return 0;
}

/** scan_entries -- visit the sorted names of node (directory dirfd):
 *  list the files, make nodes for the subdirectories. */
static int
scan_entries(scan_worker *w, scan_node *node, int dirfd, size_t n,
	     const vcs_ignore *ign)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		const unsigned char *d = w->names.data + w->offs[i];
		const char *name = (const char *)d + 1;
		int is_dir = d[0] == DT_DIR;
		scan_node *kid;

		vcs_str_reset(&w->path);
		if (vcs_str_add(&w->path, node->rel, node->rellen) ||
		    vcs_str_adds(&w->path, name))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		if (vcs_ignore_match(ign, (char *)w->path.data, w->path.len, is_dir))
			continue;
		if (!is_dir) {
			rc = scan_file(w, dirfd, name);
			continue;
		}
		rc = new_kid(w, dirfd, name, ign, &kid);
		if (!rc && kid)
			node->kids[node->nkids++] = (scan_kid){ kid, w->files.n - node->first };
	}
	node->nfiles = w->files.n - node->first;
	return rc;
}

/** scan_one -- read the directory of node; queue its subdirectories. */
static int
scan_one(scan_worker *w, scan_node *node)
{
	const vcs_ignore *ign = node->ign;
	size_t n = 0, ndirs = 0;
	int fd, has_ign = 0;
	int rc = scan_open(w, node, &fd);

	node->worker = w->id;
	node->first = w->files.n;
	if (rc || fd < 0)
		return rc;
	rc = read_dents(w, node, fd, &n, &ndirs, &has_ign);
	if (!rc && has_ign)
		rc = load_ignore_file(w, node, fd, &ign);
	if (!rc && n > 1)
		qsort_r(w->offs, n, sizeof(*w->offs), dent_cmp, w->names.data);
	if (!rc && ndirs &&
	    !(node->kids = vcs_wt_list_reserve(&w->files, ndirs * sizeof(scan_kid))))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!rc)
		rc = scan_entries(w, node, fd, n, ign);
	close(fd);
	if (rc) {
		/* not queued: give back what the subdirectories hold */
		for (size_t k = 0; k < node->nkids; k++) {
			if (node->kids[k].node->fd >= 0)
				close(node->kids[k].node->fd);
		}
		node->nkids = 0;
		return rc;
	}
	scan_push(w->sh, node);
	return 0;
}

static void *scan_thread(void *arg);

/** scan_spawn -- start one more thread if work is waiting for it.
 *  Called by the caller's thread with sh->mu held. */
static void
scan_spawn(scan_shared *sh)
{
	scan_worker *w;

	if (sh->started >= sh->nthreads || sh->queued < 2 || sh->stop)
		return;
	w = &sh->w[sh->started];
	if (pthread_create(&w->tid, NULL, scan_thread, w) == 0)
		sh->started++;
	else
		sh->nthreads = sh->started; /* run with the threads we have */
}

/** scan_loop -- take queued directories until none is left or being
 *  read (then nothing more can be queued), or an error stops all. */
static void
scan_loop(scan_worker *w)
{
	scan_shared *sh = w->sh;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		scan_node *node;
		int rc;

		if (w->id == 0)
			scan_spawn(sh);
		while (!sh->queue && sh->busy && !sh->stop)
			pthread_cond_wait(&sh->cv, &sh->mu);
		if (sh->stop || !sh->queue)
			break;
		node = sh->queue;
		sh->queue = node->next;
		sh->queued--;
		sh->busy++;
		pthread_mutex_unlock(&sh->mu);
		rc = scan_one(w, node);
		pthread_mutex_lock(&sh->mu);
		sh->busy--;
		if (rc && !sh->stop) {
			/* messages are per thread: carry it to the caller's */
			sh->stop = 1;
			sh->rc = rc;
			sh->err = strdup(vcs_errmsg());
		}
		if (sh->stop || (!sh->busy && !sh->queue))
			pthread_cond_broadcast(&sh->cv);
	}
	pthread_mutex_unlock(&sh->mu);
}

/** scan_thread -- pthread entry of the extra threads. */
static void *
scan_thread(void *arg)
{
	scan_loop(arg);
	return NULL;
}

/** scan_emit -- append node's files and its subdirectories' (in path
 *  order) to out, whose array has room for them. */
static void
scan_emit(scan_shared *sh, const scan_node *node, vcs_wt_list *out)
{
	const vcs_wt_entry *src = sh->w[node->worker].files.e + node->first;
	size_t at = 0;

	for (size_t k = 0; k <= node->nkids; k++) {
		size_t to = k < node->nkids ? node->kids[k].pos : node->nfiles;
		if (to > at)
			memcpy(out->e + out->n, src + at, (to - at) * sizeof(*src));
		out->n += to - at;
		at = to;
		if (k < node->nkids)
			scan_emit(sh, node->kids[k].node, out);
	}
}

/** scan_assemble -- the sorted list into out; out adopts the threads'
 *  blocks (the paths). */
static int
scan_assemble(scan_shared *sh, const scan_node *root, vcs_wt_list *out)
{
	size_t total = 0;

	for (int i = 0; i < sh->nw; i++)
		total += sh->w[i].files.n;
	if (out->cap - out->n < total) {
		vcs_wt_entry *ne = realloc(out->e, (out->n + total + 1) * sizeof(*ne));
		if (!ne)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		out->e = ne;
		out->cap = out->n + total + 1;
	}
	scan_emit(sh, root, out);
	for (int i = 0; i < sh->nw; i++) {
		wt_block *b = sh->w[i].files.blocks;
		if (!b)
			continue;
		while (b->next)
			b = b->next;
		b->next = out->blocks;
		out->blocks = sh->w[i].files.blocks;
		sh->w[i].files.blocks = NULL;
	}
	return 0;
}

/** scan_threads -- how many threads to use when the caller says 0. */
static int
scan_threads(int threads)
{
	long cpus;

	if (threads > 0)
		return threads < VCS_WT_SCAN_MAXTHREADS ? threads :
			VCS_WT_SCAN_MAXTHREADS;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus < VCS_WT_SCAN_MAXTHREADS ? (int)cpus :
		VCS_WT_SCAN_MAXTHREADS;
}

/** scan_free -- everything the threads hold (after they are joined). */
static void
scan_free(scan_shared *sh)
{
	for (scan_node *q = sh->queue; q; q = q->next) {
		if (q->fd >= 0)
			close(q->fd); /* left queued by an error */
	}
	for (int i = 0; i < sh->nw; i++) {
		scan_worker *w = &sh->w[i];
		vcs_wt_list_free(&w->files);
		vcs_str_free(&w->names);
		vcs_str_free(&w->path);
		free(w->offs);
		free(w->dents);
		for (size_t k = 0; k < w->nigns; k++)
			vcs_ignore_free(w->igns[k]);
		free(w->igns);
	}
	free(sh->err);
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
}

/** vcs_wt_scan_root -- list the files of the work tree at root. */
int
vcs_wt_scan_root(const char *root, vcs_wt_list *out, int threads)
{
	scan_shared *sh = calloc(1, sizeof(*sh));
	vcs_ignore *top = NULL;
	scan_node top_node = { "", 0, NULL, -1, 0, 0, 0, NULL, 0, NULL };
	int rc;

	if (!sh)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	sh->rootfd = -1;
	sh->nthreads = sh->nw = scan_threads(threads);
	sh->started = 1; /* the caller */
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	rc = vcs_ignore_new(&top);
	for (int i = 0; i < sh->nthreads && !rc; i++) {
		sh->w[i].sh = sh;
		sh->w[i].id = i;
		if (!(sh->w[i].dents = malloc(DENTS_BYTES)))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	if (rc)
		goto out;
	sh->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sh->rootfd < 0) {
		rc = vcs_seterr(PMDB_ERROR, "cannot open directory '%s': %s",
				root, strerror(errno));
		goto out;
	}
	top_node.ign = top;
	sh->queue = &top_node;
	sh->queued = 1;
	scan_loop(&sh->w[0]);
	for (int i = 1; i < sh->started; i++)
		pthread_join(sh->w[i].tid, NULL);
	if (sh->stop)
		rc = vcs_seterr(sh->rc, "%s", sh->err ? sh->err : "out of memory");
	else
		rc = scan_assemble(sh, &top_node, out);
out:
	if (sh->rootfd >= 0)
		close(sh->rootfd);
	scan_free(sh);
	vcs_ignore_free(top);
	free(sh);
	return rc;
}

/** vcs_wt_scan_threads -- list the working tree's files, sorted. */
int
vcs_wt_scan_threads(vcs_repo *repo, vcs_wt_list *out, int threads)
{
	return vcs_wt_scan_root(repo->worktree, out, threads);
}

/** vcs_wt_scan -- list the working tree's files, sorted, with as many
 *  threads as CPUs (up to VCS_WT_SCAN_MAXTHREADS). */
int
vcs_wt_scan(vcs_repo *repo, vcs_wt_list *out)
{
	return vcs_wt_scan_threads(repo, out, 0);
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
