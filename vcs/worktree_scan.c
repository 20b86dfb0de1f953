/*
 * worktree_scan.c -- list the working tree's files: a parallel scan of
 * its directories, with the ignore rules in force in each, into a list
 * sorted by path (vcs_wt_list, vcs/worktree.c). Each file gets its
 * end-of-line conversion from the attribute files in force (attr.h); a
 * directory's .gitattributes is read only when its listing names one, so
 * a tree without them costs no extra system call.
 */
#define _GNU_SOURCE /* getdents64, qsort_r */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "worktree.h"

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
	const vcs_attr *attr;   /**< the attributes in force, read-only */
	int all_ign;            /**< inside an ignored directory */
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
	vcs_attr **attrs;      /**< attribute sets it created, the same */
	size_t nattrs, attrcap;
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
	vcs_eol_cfg eol;       /**< read-only during the scan */
	int want_ignored;      /**< vcs_wt_scan_opts's */
	scan_worker w[VCS_WT_SCAN_MAXTHREADS];
};

#define DENTS_BYTES (32u << 10)
/** Queued nodes hold at most this many open directories between them;
 *  beyond, a directory is opened by path from the root when taken. */
#define SCAN_FD_BUDGET 64

/** load_rules -- directory dirfd (node->rel) has ignore files
 *  (has_ign) or a .gitattributes (has_attr): make *ign and *attr
 *  children of node's sets with their lines. */
static int
load_rules(scan_worker *w, const scan_node *node, int dirfd, int has_ign,
	   int has_attr, const vcs_ignore **ign, const vcs_attr **attr)
{
	vcs_ignore *ichild = NULL;
	vcs_attr *achild = NULL;
	/* base: the directory relative to the root, without '/' */
	char *base = strndup(node->rel, node->rellen ? node->rellen - 1 : 0);
	int rc = base ? 0 : vcs_seterr(PMDB_ENOMEM, "out of memory");

	if (!rc && has_ign && VCS_ARRAY_GROW(w->igns, w->igncap, w->nigns + 1, 8))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!rc && has_ign && !(rc = vcs_ignore_child(node->ign, &ichild))) {
		w->igns[w->nigns++] = ichild;
		if (!(rc = vcs_ignore_push_dir(ichild, base, dirfd, node->rel)))
			*ign = ichild;
	}
	if (!rc && has_attr &&
	    VCS_ARRAY_GROW(w->attrs, w->attrcap, w->nattrs + 1, 8))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!rc && has_attr && !(rc = vcs_attr_child(node->attr, &achild))) {
		w->attrs[w->nattrs++] = achild;
		if (!(rc = vcs_attr_push_dir(achild, base, dirfd, node->rel)))
			*attr = achild;
	}
	free(base);
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
	   size_t *ndirs, int *has_ign, int *has_attr)
{
	vcs_str_reset(&w->names);
	*n = *ndirs = 0;
	*has_ign = *has_attr = 0;
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
			if (type == DT_REG && (!strcmp(name, VCS_IGNORE_FILE) ||
					       !strcmp(name, VCS_GITIGNORE_FILE)))
				*has_ign = 1;
			if (type == DT_REG && !strcmp(name, VCS_ATTR_FILE))
				*has_attr = 1;
			if (VCS_ARRAY_GROW(w->offs, w->offcap, *n + 1, 256))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
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
	const vcs_attr *attr, scan_node **out)
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
	k->attr = attr;
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
scan_file(scan_worker *w, int dirfd, const char *name, const vcs_attr *attr)
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
	if (mode != VCS_MODE_LINK && vcs_attr_active(attr, &w->sh->eol))
		e->conv = (uint8_t)vcs_attr_conv(attr, e->path, e->len,
						 &w->sh->eol);
	return 0;
}

/** scan_entries -- visit the sorted names of node (directory dirfd):
 *  list the files, make nodes for the subdirectories. */
static int
scan_entries(scan_worker *w, scan_node *node, int dirfd, size_t n,
	     const vcs_ignore *ign, const vcs_attr *attr)
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
		size_t had = w->files.n;
		int ig = node->all_ign ||
			vcs_ignore_match(ign, (char *)w->path.data, w->path.len,
					 is_dir);

		if (ig && !w->sh->want_ignored)
			continue;
		if (!is_dir) {
			rc = scan_file(w, dirfd, name, attr);
			if (ig && w->files.n > had)
				w->files.e[had].ignored = 1;
			continue;
		}
		rc = new_kid(w, dirfd, name, ign, attr, &kid);
		if (!rc && kid) {
			kid->all_ign = ig;
			node->kids[node->nkids++] = (scan_kid){ kid, w->files.n - node->first };
		}
	}
	node->nfiles = w->files.n - node->first;
	return rc;
}

/** scan_one -- read the directory of node; queue its subdirectories. */
static int
scan_one(scan_worker *w, scan_node *node)
{
	const vcs_ignore *ign = node->ign;
	const vcs_attr *attr = node->attr;
	size_t n = 0, ndirs = 0;
	int fd, has_ign = 0, has_attr = 0;
	int rc = scan_open(w, node, &fd);

	node->worker = w->id;
	node->first = w->files.n;
	if (rc || fd < 0)
		return rc;
	rc = read_dents(w, node, fd, &n, &ndirs, &has_ign, &has_attr);
	if (!rc && (has_ign || has_attr))
		rc = load_rules(w, node, fd, has_ign, has_attr, &ign, &attr);
	if (!rc && n > 1)
		qsort_r(w->offs, n, sizeof(*w->offs), dent_cmp, w->names.data);
	if (!rc && ndirs &&
	    !(node->kids = vcs_wt_list_reserve(&w->files, ndirs * sizeof(scan_kid))))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!rc)
		rc = scan_entries(w, node, fd, n, ign, attr);
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
	for (int i = 0; i < sh->nw; i++)
		vcs_wt_list_adopt(out, &sh->w[i].files);
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
		for (size_t k = 0; k < w->nattrs; k++)
			vcs_attr_free(w->attrs[k]);
		free(w->attrs);
	}
	free(sh->err);
	pthread_cond_destroy(&sh->cv);
	pthread_mutex_destroy(&sh->mu);
}

/** vcs_wt_scan_root -- list the files of the work tree at root. */
int
vcs_wt_scan_root(const char *root, vcs_wt_list *out, int threads)
{
	return vcs_wt_scan_root_ex(root, out, threads, NULL);
}

/** vcs_wt_scan_root_ex -- the same below the user's excludes file. */
int
vcs_wt_scan_root_ex(const char *root, vcs_wt_list *out, int threads,
		    const char *excludes_file)
{
	vcs_wt_scan_opts o = { excludes_file, NULL, { 0, 0 }, 0 };

	return vcs_wt_scan_root_opts(root, out, threads, &o);
}

/** vcs_wt_scan_root_opts -- the same with o's files and settings. */
int
vcs_wt_scan_root_opts(const char *root, vcs_wt_list *out, int threads,
		      const vcs_wt_scan_opts *o)
{
	scan_shared *sh = calloc(1, sizeof(*sh));
	vcs_ignore *top = NULL;
	vcs_attr *top_attr = NULL;
	scan_node top_node = { "", 0, NULL, NULL, 0, -1, 0, 0, 0, NULL, 0,
			       NULL };
	int rc;

	if (!sh)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	sh->rootfd = -1;
	sh->nthreads = sh->nw = scan_threads(threads);
	sh->started = 1; /* the caller */
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->eol = o->eol;
	sh->want_ignored = o->want_ignored;
	rc = vcs_ignore_new(&top);
	if (!rc)
		rc = vcs_ignore_push_top(top, root, o->excludes_file);
	if (!rc)
		rc = vcs_attr_new(&top_attr);
	if (!rc)
		rc = vcs_attr_push_top(top_attr, root, o->attributes_file);
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
	top_node.attr = top_attr;
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
	vcs_attr_free(top_attr);
	free(sh);
	return rc;
}

/** vcs_wt_scan_threads -- list the working tree's files, sorted. */
int
vcs_wt_scan_threads(vcs_repo *repo, vcs_wt_list *out, int threads)
{
	vcs_wt_scan_opts o = { repo->excludes_file, repo->attributes_file,
			       repo->eol, 0 };

	return vcs_wt_scan_root_opts(repo->worktree, out, threads, &o);
}

/** vcs_wt_scan -- list the working tree's files, sorted, with as many
 *  threads as CPUs (up to VCS_WT_SCAN_MAXTHREADS). */
int
vcs_wt_scan(vcs_repo *repo, vcs_wt_list *out)
{
	return vcs_wt_scan_threads(repo, out, 0);
}

/** wt_abspath -- worktree root + '/' + rel into out (reset first). */
