/*
 * pool.c -- create, open and close the pool; the reader view; persist
 * helpers that count pmdb's own flushes.
 *
 * Files: <dir>/pool.set names the directory part <dir>/pool/ by absolute
 * path. Creation writes <dir>/pool.set.tmp, creates and fully initializes
 * the pool through it, closes it and renames the set file into place: a
 * pool exists exactly when pool.set does (atomic creation). Each open
 * rewrites pool.set (tmp + rename) when the directory moved.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "env.h"
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer's shadow layout cannot fit a 1 TiB reservation
 * ("mmap MAP_ANONYMOUS: Cannot allocate memory"): TSan builds default to
 * 8 GiB, plenty for the tests */
#define PMDB_DEFAULT_MAX (8ULL << 30)
#else
#define PMDB_DEFAULT_MAX (1ULL << 40)   /* address space only, no memory */
#endif

/* pmdb_pool__persist -- flush and drain a range (counted). */
int
pmdb_pool__persist(struct pmdb_env *env, const void *p, size_t len)
{
	env->persists++;
	pmemobj_persist(env->pop, p, len);
	return 0;
}

/*
 * pmdb_pool__discard -- give the whole pages inside [p, p + len) back to
 * the file system (a hole: the blocks are freed, the range reads as
 * zeros and is allocated again by the next write). PMDK fallocates every
 * part whole, so bytes the pool does not need (an extent's unused tail,
 * an allocation about to be freed) otherwise stay on disk.
 *
 * Only for bytes nothing reads again as data: the caller guarantees no
 * thread writes or reads them meanwhile. A crash at any point is
 * harmless: a range is either still there or zeros, and a caller only
 * discards bytes for which both are fine. Partial pages at the ends are
 * kept, so neighbours (an allocation's PMDK header, the last committed
 * record) are never touched. Device DAX and file systems without hole
 * punching refuse (EINVAL, EOPNOTSUPP): then nothing happens.
 * @return the bytes discarded (0 when refused).
 */
uint64_t
pmdb_pool__discard(struct pmdb_env *env, const void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	(void)env;
	if (!p || b <= a)
		return 0;
	/* MADV_REMOVE punches the files behind every mapping in the range
	 * (an extent may span two parts), as fallocate(PUNCH_HOLE) would */
	if (madvise((void *)a, b - a, MADV_REMOVE))
		return 0;
	return b - a;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

/*
 * pmdb_pool__zalloc -- pmemobj_zalloc that fails with ENOSPC instead of
 * raising SIGBUS. The free heap space of a closed pool is holes
 * (pmdb_pool__reclaim), and PMDK's zeroing store into a hole the full
 * file system cannot back is a SIGBUS. So: reserve (the header page is
 * never a hole: reclaim keeps it), back every page with
 * MADV_POPULATE_WRITE (EFAULT/ENOMEM/EIO when the file system cannot:
 * cancel, errno ENOSPC; EINVAL on kernels before 5.14: go on as
 * pmemobj_zalloc would), zero, publish. Same persistence as
 * pmemobj_zalloc into a volatile *out: published once, unreferenced
 * until the caller links it. @return 0, -1 with errno set.
 */
int
pmdb_pool__zalloc(struct pmdb_env *env, PMEMoid *out, size_t size,
		  uint64_t type)
{
	struct pobj_action act;
	PMEMoid o = pmemobj_xreserve(env->pop, &act, size, type, 0);
	uintptr_t a, b;
	void *p;

	if (OID_IS_NULL(o))
		return -1;
	p = pmemobj_direct(o);
	a = (uintptr_t)p & ~(uintptr_t)4095;
	b = ((uintptr_t)p + size + 4095) & ~(uintptr_t)4095;
	if (madvise((void *)a, b - a, MADV_POPULATE_WRITE) &&
	    (errno == EFAULT || errno == ENOMEM || errno == EIO)) {
		pmemobj_cancel(env->pop, &act, 1);
		errno = ENOSPC;
		return -1;
	}
	pmemobj_memset_persist(env->pop, p, 0, size);
	if (pmemobj_publish(env->pop, &act, 1))
		return -1;
	*out = o;
	return 0;
}

#define RECLAIM_MAX 4096  /* allocations per reclaim: bounds its cost */

/* What pmdb_pool__reclaim holds while it punches. */
struct grab {
	PMEMobjpool *pop;
	struct pobj_action *act;
	uint64_t n, bytes;
};

/* grab_one -- reserve size bytes (flags: the class) and punch their
 * pages. @return 0, -1 (no such free space, or enough). */
static int
grab_one(struct grab *g, size_t size, uint64_t flags)
{
	PMEMoid o;

	if (g->n >= RECLAIM_MAX)
		return -1;
	o = pmemobj_xreserve(g->pop, &g->act[g->n], size, PMDB_T_SCRATCH,
			     flags);
	if (OID_IS_NULL(o))
		return -1;
	if (flags == 0) {
		/* whole chunks: keep each chunk's first page, where PMDK
		 * writes the header of whatever it allocates there next. A
		 * store into a hole the full file system cannot back is a
		 * SIGBUS inside PMDK; our own writes into holes are checked
		 * first (txn.c prefault_ahead) and fail as PMDB_ENOSPC */
		uint8_t *c = (uint8_t *)pmemobj_direct(o) - PMDB_ALLOC_HDR;
		uint8_t *end = (uint8_t *)pmemobj_direct(o) +
			       pmemobj_alloc_usable_size(o);

		for (; c + 4096 < end; c += PMDB_CHUNK) {
			uint8_t *ce = c + PMDB_CHUNK < end ? c + PMDB_CHUNK : end;

			g->bytes += pmdb_pool__discard(NULL, c + 4096,
						       (size_t)(ce - c - 4096));
		}
	} else {
		/* a run's unit: its header page is kept (partial page) */
		g->bytes += pmdb_pool__discard(NULL, pmemobj_direct(o),
					       pmemobj_alloc_usable_size(o));
	}
	g->n++;
	return 0;
}

/* grab_runs -- the free units of the allocation classes whose units
 * hold a whole page next to PMDK's header: PMDK carves objects up to a few MiB (the extent
 * table, index, ref table, its own log extensions) out of runs of up to
 * 4 MiB, whose unused units are otherwise fallocated space. One unit per
 * reservation: after a failed reservation PMDK sets a run that has
 * reservations aside, so larger requests first would lose the rest.
 * Runs only: the huge pass holds every free chunk, so no new run can be
 * made. */
static void
grab_runs(struct grab *g)
{
	for (unsigned id = 1; id < 255 && g->n < RECLAIM_MAX; id++) {
		struct pobj_alloc_class_desc d;
		char q[64];
		size_t hdr;

		snprintf(q, sizeof(q), "heap.alloc_class.%u.desc", id);
		/* units under 64 KiB: one reservation and one punch each
		 * cost more time (~7 ms on a small import) than the few
		 * pages they give back (none measurable after zlib) */
		if (pmemobj_ctl_get(g->pop, q, &d) || d.unit_size < 65536)
			continue;
		hdr = d.header_type == POBJ_HEADER_LEGACY ? 64 :
		      d.header_type == POBJ_HEADER_COMPACT ? 16 : 0;
		while (grab_one(g, d.unit_size - hdr,
				POBJ_CLASS_ID(id)) == 0)
			;
	}
}

/*
 * PMDK's DRAM runtime, on huge pages.
 *
 * pmemobj_open mallocs ~12 MB of runtime state however small the pool:
 * per lane (1024, fixed in the pool header) three operation contexts with
 * two 1 KiB log buffers each (~8 MB, ~9,000 mallocs), and a heap runtime
 * with 65,528 run-lock mutexes (3 MB). On 4 KiB pages that is ~3,000 page
 * faults, most of a read-only command's CPU time. So the mallocs made
 * inside pmemobj_open (by the opening thread) are served from one 2 MiB
 * aligned region advised MADV_HUGEPAGE: a handful of huge-page faults
 * instead. Everything else, and whatever does not fit, goes to malloc.
 * Only DRAM changes: nothing persistent, so crash safety and old pools
 * are untouched.
 *
 * PMDK's malloc and strdup point at the arena only while a thread is
 * inside pmemobj_open (arena_hooks); its free and realloc stay hooked
 * from the first open on, since arena blocks live as long as the pool.
 * A block carries its size in a 16-byte header. free puts an arena block
 * on a LIFO list of its exact size (PMDK frees and makes the same sizes
 * again on every open: recovery's temporary contexts, the next open of
 * the same process), and hands any other pointer to free(), which also
 * covers blocks PMDK malloc'd before the hooks were installed. realloc of
 * an arena block moves it to a bigger arena block (malloc when full).
 * Some blocks outlive the pool (e.g. PMDK's per-thread lane table, made
 * inside the first open of each thread), so the arena is never reset as a
 * whole. The region lives as long as the process (address space only,
 * until touched); LSan scans it (PMDK's state in it points at blocks
 * PMDK malloc'd later).
 * PMDB_PMDK_ARENA=0 turns it off (A/B measurements), and so do TSan
 * builds (PMDK reads its hook pointers unsynchronised); without THP it
 * still works, on 4 KiB pages.
 */
#define ARENA_SIZE (32ULL << 20)
#define ARENA_ALIGN (2ULL << 20)
#define ARENA_SMALL 256          /* lists for sizes 16..4096, step 16 */
#define ARENA_BIG 32             /* lists for distinct bigger sizes */

struct ablk {
	size_t size;             /* usable bytes (multiple of 16) */
	struct ablk *next;       /* on a free list */
};

static struct {
	pthread_mutex_t lock;
	char *base, *top;
	struct ablk *small[ARENA_SMALL];
	size_t big_size[ARENA_BIG];
	struct ablk *big[ARENA_BIG];
} arena = { .lock = PTHREAD_MUTEX_INITIALIZER };
static __thread int arena_on;    /* this thread is inside pmemobj_open */
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static int
arena_has(const void *p)
{
	return arena.base && (const char *)p >= arena.base &&
	       (const char *)p < arena.base + ARENA_SIZE;
}

/* arena_list -- the free list for size (locked); NULL when the big lists
 * are all taken by other sizes. */
static struct ablk **
arena_list(size_t size)
{
	if (size <= ARENA_SMALL * 16)
		return &arena.small[size / 16 - 1];
	for (int i = 0; i < ARENA_BIG; i++) {
		if (arena.big_size[i] == size)
			return &arena.big[i];
		if (!arena.big_size[i]) {
			arena.big_size[i] = size;
			return &arena.big[i];
		}
	}
	return NULL;
}

/*
 * The hooks below hand PMDK's calls on to libc as tail calls, so libc
 * (and an LD_PRELOAD fault injector that counts only the program's own
 * allocations, tests/fault) sees libpmemobj as the caller, as without the
 * hooks. GCC makes them tail calls only when optimising: these functions
 * are optimised in every build type.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define ARENA_HOOK __attribute__((optimize("O2")))
#else
#define ARENA_HOOK
#endif

/* arena_take -- a block of size bytes from the arena (a free list or
 * the unused end); NULL when it does not fit. */
static void *
arena_take(size_t n)
{
	size_t size = (n + 15) & ~(size_t)15;
	struct ablk *b = NULL, **l;

	if (!arena.base || !n || size > ARENA_SIZE / 4)
		return NULL;
	pthread_mutex_lock(&arena.lock);
	if ((l = arena_list(size)) && *l) {
		b = *l;
		*l = b->next;
	} else if ((size_t)(arena.base + ARENA_SIZE - arena.top) >=
		   size + sizeof(*b)) {
		b = (struct ablk *)arena.top;
		b->size = size;
		arena.top += size + sizeof(*b);
	}
	pthread_mutex_unlock(&arena.lock);
	return b ? b + 1 : NULL;
}

ARENA_HOOK static void *
arena_malloc(size_t n)
{
	void *p = arena_on ? arena_take(n) : NULL;

	if (p)
		return p;
	return malloc(n);
}

ARENA_HOOK static void
arena_free(void *p)
{
	struct ablk *b, **l;

	if (!arena_has(p)) {
		free(p);
		return;
	}
	b = (struct ablk *)p - 1;
	pthread_mutex_lock(&arena.lock);
	if ((l = arena_list(b->size))) {   /* else the block stays unused */
		b->next = *l;
		*l = b;
	}
	pthread_mutex_unlock(&arena.lock);
}

ARENA_HOOK static void *
arena_realloc(void *p, size_t n)
{
	struct ablk *b;
	void *q;

	if (!p)
		return arena_malloc(n);
	if (!arena_has(p))
		return realloc(p, n);
	b = (struct ablk *)p - 1;
	if (n && n <= b->size)
		return p;
	if (!n) {
		arena_free(p);
		return NULL;
	}
	/* a log buffer from open outgrown: from the arena too, so PMDK's
	 * allocation is never the program's own */
	if (!(q = arena_take(n)) && !(q = malloc(n)))
		return NULL;
	memcpy(q, p, b->size);
	arena_free(p);
	return q;
}

static char *
arena_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena_malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

/* arena_init -- map the region and install the hooks (once). */
static void
arena_init(void)
{
	const char *e = getenv("PMDB_PMDK_ARENA");
	size_t len = ARENA_SIZE + ARENA_ALIGN;
	char *m, *a;

#if defined(__SANITIZE_THREAD__)
	e = "0";
#endif
	if (e && !strcmp(e, "0"))
		return;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return;
	a = (char *)(((uintptr_t)m + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (m + len > a + ARENA_SIZE)
		munmap(a + ARENA_SIZE, (size_t)(m + len - (a + ARENA_SIZE)));
	(void)madvise(a, ARENA_SIZE, MADV_HUGEPAGE);   /* best effort */
#if defined(__SANITIZE_ADDRESS__)
	/* PMDK's state in the arena points at blocks it malloc'd later */
	__lsan_register_root_region(a, ARENA_SIZE);
#endif
	arena.base = arena.top = a;
	/* from now on until the process ends: arena blocks can be freed
	 * or resized at any time */
	pmemobj_set_funcs(NULL, arena_free, arena_realloc, NULL);
}

/*
 * arena_hooks -- route PMDK's malloc and strdup to the arena while any
 * thread is inside pmemobj_open (+1 on entry, -1 on exit). Outside, they
 * are libc's own again: PMDK's allocations stay PMDK's calls (the fault
 * injector counts only the program's own), and cost nothing extra.
 */
static void
arena_hooks(int d)
{
	static int opening;

	if (!arena.base)
		return;
	pthread_mutex_lock(&arena.lock);
	if (d > 0 && opening++ == 0)
		pmemobj_set_funcs(arena_malloc, arena_free, arena_realloc,
				  arena_strdup);
	else if (d < 0 && --opening == 0)
		pmemobj_set_funcs(NULL, arena_free, arena_realloc, NULL);
	pthread_mutex_unlock(&arena.lock);
}

/* pmdk_open -- pmemobj_open with its runtime state in the arena. */
static PMEMobjpool *
pmdk_open(const char *setpath)
{
	PMEMobjpool *pop;
	int e;

	pthread_once(&arena_once, arena_init);
	arena_hooks(1);
	arena_on = 1;
	pop = pmemobj_open(setpath, PMDB_LAYOUT);
	e = errno;
	arena_on = 0;
	arena_hooks(-1);
	errno = e;
	return pop;
}

/*
 * pmdb_pool__reclaim -- give the free heap space of the pool in dir back
 * to the file system; dir's env is closed (pmdb_env_close calls this
 * after pmemobj_close, when the session allocated or freed).
 *
 * PMDK fallocates each part whole and keeps no record we could read of
 * which space is free, so the free space is taken the only way PMDK
 * offers: reserve it (pmemobj_xreserve, growth off so nothing new is
 * made): free chunks largest first, then the free units of runs; punch
 * the pages of each reservation; cancel them all. A reservation is DRAM
 * state only (the persistent heap changes at publish, which never
 * happens): no flush, nothing left after a crash, and the blocks are
 * ours while we punch them, so nothing inside PMDK is assumed.
 *
 * On a fresh open of the pool: in the session that just ended, runs its
 * buckets still held and frees PMDK had not counted yet kept about 1.5
 * of zlib's 40 MB out of reach. When another process took the pool in
 * between, the open fails and nothing happens.
 *
 * runs: also the free units of runs, one reservation each. PMDK writes
 * and flushes its header into every reservation: a cache-line flush on
 * pmem, but an msync on the msync path (about 120 after the zlib import,
 * 270 after a first commit), so there the huge chunks only.
 * @return the bytes given back.
 */
uint64_t
pmdb_pool__reclaim(const char *dir, int runs)
{
	size_t off = 0, on = PMDB_GRANULARITY;
	struct grab g = { NULL, NULL, 0, 0 };
	uint64_t size = PMDB_EXT_LAST * 16, part;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/pool", dir);
	if (pmdb_pool__parts(path, &part, NULL))
		return 0;
	snprintf(path, sizeof(path), "%s/pool.set", dir);
	if (!(g.pop = pmdk_open(path)))
		return 0;
	if (!(g.act = malloc(RECLAIM_MAX * sizeof(struct pobj_action))) ||
	    pmemobj_ctl_set(g.pop, "heap.size.granularity", &off)) {
		free(g.act);
		pmemobj_close(g.pop);
		return 0;
	}
	while (size > part)
		size /= 2;
	/* whole chunks (PMDK's header included), halving on failure */
	for (size = size / PMDB_CHUNK * PMDB_CHUNK; size >= PMDB_CHUNK; ) {
		if (grab_one(&g, size - PMDB_ALLOC_HDR, 0)) {
			if (g.n >= RECLAIM_MAX)
				break;
			size = size / 2 / PMDB_CHUNK * PMDB_CHUNK;
		}
	}
	if (runs)
		grab_runs(&g);
	if (g.n)
		pmemobj_cancel(g.pop, g.act, g.n);
	pmemobj_ctl_set(g.pop, "heap.size.granularity", &on);
	free(g.act);
	pmemobj_close(g.pop);
	return g.bytes;
}

/* pmdb_pool__parts -- the part files in partdir: *size their total
 * length (the pool's mapping), *disk (if wanted) the bytes the file
 * system has allocated for them (st_blocks, as du counts: holes from
 * pmdb_pool__discard are not in it). @return 0, -1 (no directory). */
int
pmdb_pool__parts(const char *partdir, uint64_t *size, uint64_t *disk)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(partdir);

	*size = 0;
	if (disk)
		*disk = 0;
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);
		struct stat st;

		if (n < 6 || strcmp(d->d_name + n - 5, ".pmem") ||
		    snprintf(path, sizeof(path), "%s/%s", partdir,
			     d->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		*size += (uint64_t)st.st_size;
		if (disk)
			*disk += (uint64_t)st.st_blocks * 512;
	}
	closedir(dp);
	return 0;
}

/* pmdb_pool__flush -- flush without draining (counted). */
void
pmdb_pool__flush(struct pmdb_env *env, const void *p, size_t len)
{
	env->persists++;
	pmemobj_flush(env->pop, p, len);
}

/* pmdb_pool__drain -- wait for earlier flushes (counted). */
void
pmdb_pool__drain(struct pmdb_env *env)
{
	env->persists++;
	pmemobj_drain(env->pop);
}

/* pmdb_pool__swap -- one small pmemobj tx: *field = nv (a root pointer
 * to a table that is already durable). @return 0, PMDB_ENOSPC. */
int
pmdb_pool__swap(struct pmdb_env *env, PMEMoid *field, PMEMoid nv)
{
	volatile int rc = 0;

	TX_BEGIN(env->pop) {
		pmemobj_tx_add_range_direct(field, sizeof(*field));
		*field = nv;
	} TX_ONABORT {
		rc = pmdb__seterr(PMDB_ENOSPC, "table swap failed: %s",
				  pmemobj_errormsg());
	} TX_END
	return rc;
}

/* room_errno -- ask the file system of env's parts for size bytes (in
 * whole parts, plus one for PMDK's headers and rounding) the way PMDK
 * asks for a new part: posix_fallocate of a scratch file next to
 * pool.set, removed at once. @return 0 (there is room), or the errno
 * (ENOSPC, EDQUOT, ...) of the refusal. */
static int
room_errno(struct pmdb_env *env, uint64_t size)
{
	char path[PATH_MAX];
	int fd, e = 0;

	size = (size + PMDB_GRANULARITY - 1) / PMDB_GRANULARITY *
	       PMDB_GRANULARITY + PMDB_GRANULARITY;
	snprintf(path, sizeof(path), "%s/room.probe", env->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	e = posix_fallocate(fd, 0, (off_t)size);
	close(fd);
	unlink(path);
	return e == EINVAL || e == EOPNOTSUPP ? 0 : e;
}

/* pmdb_pool__alloc_error -- the detail and code for a failed
 * pmemobj_alloc/xalloc/zalloc/tx_*alloc: "<what>: <cause> (pool
 * '<dir>/pool.set'; PMDK: <its message>)". Call it first thing after the
 * failure, while errno is PMDK's. PMDK reports a part it could not
 * create ("cannot open the new part") but leaves ENOMEM, having lost
 * the ENOSPC of its fallocate; so unless errno says ENOSPC already, the
 * file system is asked for the same room (room_errno), which names the
 * real cause. @return PMDB_ENOSPC. */
int
pmdb_pool__alloc_error(struct pmdb_env *env, uint64_t size, const char *fmt,
		       ...)
{
	int e = errno;
	char what[256];
	const char *pmdk = pmemobj_errormsg();
	char pmdkmsg[256];
	va_list ap;

	snprintf(pmdkmsg, sizeof(pmdkmsg), "%s", pmdk ? pmdk : "");
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e != ENOSPC && e != EDQUOT) {
		int r = room_errno(env, size);

		e = r ? r : e;
	}
	/* still ENOMEM with room on disk: the pool's reservation is used
	 * up, or PMDK ran out of DRAM; either way the pool cannot take
	 * the allocation (PMDB_ENOSPC, as before) */
	return pmdb__seterr(PMDB_ENOSPC, "%s: %s (pool '%s/pool.set'; "
			    "PMDK: %s)", what, e ? strerror(e) : "failed",
			    env->dir, pmdkmsg);
}

/* pmdb_view__dup -- a malloc'd copy of the current view (writer only). */
struct pmdb_view *
pmdb_view__dup(struct pmdb_env *env)
{
	struct pmdb_view *nv = malloc(sizeof(*nv));

	if (nv)
		*nv = *env->view;
	return nv;
}

/* pmdb_view__publish -- make nv current and retire the old view (the
 * caller retires what else it replaced). Writer only. The old view is
 * dead on return, as after free(): when the retire record cannot be
 * allocated it is freed at once, after a full grace period (epoch.c);
 * a caller that needs its fields reads them before. */
int
pmdb_view__publish(struct pmdb_env *env, struct pmdb_view *nv)
{
	struct pmdb_view *old = env->view;

	/* seq_cst (release and more): everything nv points to (a filled
	 * index, a ref table) is visible to a reader that loads the view,
	 * and the store precedes our later seq_cst reads of the readers'
	 * epoch flags (epoch.c invariant 2). */
	__atomic_store_n(&env->view, nv, __ATOMIC_SEQ_CST);
	pmdb_epoch__retire(env, pmdb_epoch__free_dram, old);
	return 0;
}

/* path_join -- malloc'd "a/b". */
static char *
path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* write_setfile -- write path atomically (tmp + fsync + rename) naming
 * partdir with max bytes of reservation. */
static int
write_setfile(const char *path, const char *partdir, uint64_t max,
	      unsigned mode, int rename_into_place)
{
	char tmp[PATH_MAX + 8];
	FILE *f;
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return pmdb__seterr(errno == ENOSPC ? PMDB_ENOSPC : PMDB_ERROR,
				    "cannot write '%s': %s", tmp,
				    strerror(errno));
	fprintf(f, "PMEMPOOLSET\nOPTION SINGLEHDR\n%lluM %s/\n",
		(unsigned long long)(max >> 20), partdir);
	if (fflush(f) || fsync(fileno(f)))
		rc = pmdb__seterr(PMDB_ERROR, "cannot write '%s': %s", tmp,
				  strerror(errno));
	fclose(f);
	chmod(tmp, mode);
	if (!rc && rename_into_place && rename(tmp, path))
		rc = pmdb__seterr(PMDB_ERROR, "cannot rename '%s': %s", tmp,
				  strerror(errno));
	return rc;
}

/* rmtree_parts -- remove the part files of a half-created pool. */
static void
rmtree_parts(const char *partdir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", partdir);
	if (system(cmd) != 0) {
		/* best effort: pmemobj_create fails below if it matters */
	}
}

/* init_root -- allocate the tables and fill the root in one tx. */
static int
init_root(PMEMobjpool *pop, pmdb_hash_algo algo)
{
	PMEMoid root = pmemobj_root(pop, sizeof(struct pmdb_root));
	struct pmdb_root *r = pmemobj_direct(root);
	volatile int rc = 0;

	if (!r)
		return pmdb__seterr(PMDB_ENOSPC, "cannot allocate root");
	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root, 0, sizeof(*r));
		r->extab = pmemobj_tx_zalloc(sizeof(struct pmdb_pextab),
					     PMDB_T_EXTAB);
		((struct pmdb_pextab *)pmemobj_direct(r->extab))->magic =
			PMDB_MAGIC;
		r->index = pmemobj_tx_zalloc(sizeof(struct pmdb_pindex) +
					     (1u << 12) * sizeof(struct pmdb_slot),
					     PMDB_T_INDEX);
		((struct pmdb_pindex *)pmemobj_direct(r->index))->magic =
			PMDB_MAGIC;
		((struct pmdb_pindex *)pmemobj_direct(r->index))->bits = 12;
		r->reftab = pmemobj_tx_zalloc(sizeof(struct pmdb_preftab) +
					      (1u << 6) * sizeof(struct pmdb_pref),
					      PMDB_T_REFTAB);
		((struct pmdb_preftab *)pmemobj_direct(r->reftab))->magic =
			PMDB_MAGIC;
		((struct pmdb_preftab *)pmemobj_direct(r->reftab))->bits = 6;
		r->format_version = PMDB_FORMAT_VERSION;
		r->hash_algo = algo;
		r->txn_seq = 0;
		/* the magic last: a root without it is not a pool */
		r->magic = PMDB_MAGIC;
	} TX_ONABORT {
		rc = pmdb__seterr(PMDB_ENOSPC, "cannot initialize pool: %s",
				  pmemobj_errormsg());
	} TX_END
	return rc;
}

/* create_pool -- atomic creation of dir's pool (see file comment). */
static int
create_pool(const char *dir, const char *setpath, const char *partdir,
	    const pmdb_open_opts *o)
{
	char tmp[PATH_MAX + 8];
	unsigned mode = o->mode ? o->mode : 0644;
	uint64_t max = o->max_size ? o->max_size : PMDB_DEFAULT_MAX;
	PMEMobjpool *pop;
	int rc;

	rmtree_parts(partdir);
	if (mkdir(partdir, 0755) && errno != EEXIST)
		return pmdb__seterr(PMDB_ERROR, "cannot create '%s': %s",
				    partdir, strerror(errno));
	if ((rc = write_setfile(setpath, partdir, max, mode, 0)))
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", setpath);
	pop = pmemobj_create(tmp, PMDB_LAYOUT, 0, mode);
	if (!pop) {
		int e = errno;

		unlink(tmp);
		return pmdb__seterr(e == ENOSPC ? PMDB_ENOSPC : PMDB_ERROR,
				    "cannot create pool in '%s': %s", dir,
				    pmemobj_errormsg());
	}
	{
		size_t g = PMDB_GRANULARITY; /* as in pmdb_env_open */

		pmemobj_ctl_set(pop, "heap.size.granularity", &g);
	}
	rc = init_root(pop, o->hash);
	pmemobj_close(pop);
	if (!rc && rename(tmp, setpath))
		rc = pmdb__seterr(PMDB_ERROR, "cannot rename '%s': %s", tmp,
				  strerror(errno));
	return rc;
}

/* fix_setfile -- rewrite pool.set if it names another part directory. */
static int
fix_setfile(const char *setpath, const char *partdir, unsigned mode)
{
	char line[PATH_MAX + 64], want[PATH_MAX + 2];
	unsigned long long maxm = PMDB_DEFAULT_MAX >> 20;
	FILE *f = fopen(setpath, "r");
	int ok = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%s/", partdir);
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		if (line[0] >= '0' && line[0] <= '9' && sp) {
			maxm = strtoull(line, NULL, 10);
			ok = strcmp(sp + 1, want) == 0;
		}
	}
	fclose(f);
	if (ok)
		return 0;
	return write_setfile(setpath, partdir, maxm << 20, mode, 1);
}

/* detect_pmem -- ask libpmem (loaded by libpmemobj) whether the mapping
 * is pmem; honours PMEM_IS_PMEM_FORCE as PMDK itself does. */
static int
detect_pmem(void *addr, size_t len)
{
	int (*is_pmem)(const void *, size_t);

	*(void **)&is_pmem = dlsym(RTLD_DEFAULT, "pmem_is_pmem");
	if (is_pmem)
		return is_pmem(addr, len) ? 1 : 0;
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && atoi(f) == 1;
}

/* all_zero -- 1 if the file's first len bytes are all zero: a part PMDK
 * never wrote to (a truncated part that held data is corruption, not a
 * torn growth, and must not be removed). */
static int
all_zero(const char *path, off_t len)
{
	static const uint8_t zero[4096];
	uint8_t b[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = fd >= 0;

	for (off_t at = 0; ok && at < len; at += (off_t)sizeof(b)) {
		ssize_t n = pread(fd, b, sizeof(b), at);

		ok = n > 0 && !memcmp(b, zero, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * drop_torn_part -- remove a part file that a crash left half-made.
 *
 * When the heap grows, PMDK creates the next part file of the directory
 * poolset and then sizes it; a kill or power cut between the two leaves a
 * last part smaller than PMDK's minimum (2 MiB), and every later open fails
 * ("size 0 smaller than 2097152"). The heap never used such a part (it is
 * added to the heap only after it is complete), so removing it restores the
 * pool as it was before the growth. Only the highest-numbered part can be
 * torn: parts are made one at a time. The first part's flock (the one PMDK
 * takes) is held meanwhile, so a part another process is making right now
 * is never touched. @return 1 if a part was removed, else 0.
 */
static int
drop_torn_part(const char *partdir)
{
	char first[PATH_MAX], last[PATH_MAX] = "", path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, removed = 0;

	if (snprintf(first, sizeof(first), "%s/000000.pmem", partdir) >=
	    (int)sizeof(first) || (fd = open(first, O_RDWR | O_CLOEXEC)) < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || !(d = opendir(partdir))) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 5 && !strcmp(de->d_name + n - 5, ".pmem") &&
		    strlen(de->d_name) < sizeof(last) &&
		    strcmp(de->d_name, last) > 0)
			strcpy(last, de->d_name);
	}
	closedir(d);
	if (*last && strcmp(last, "000000.pmem") &&
	    snprintf(path, sizeof(path), "%s/%s", partdir, last) <
	    (int)sizeof(path) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < (off_t)(2u << 20) && all_zero(path, st.st_size) &&
	    unlink(path) == 0) {
		int dfd = open(partdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		/* the unlink must be durable before the pool is used again */
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		removed = 1;
	}
	flock(fd, LOCK_UN);
	close(fd);
	return removed;
}

/* open_locked -- pmemobj_open, retrying while another holder's flock is
 * held, up to timeout_ms. */
static int
open_locked(PMEMobjpool **out, const char *setpath, unsigned timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		PMEMobjpool *pop = pmdk_open(setpath);
		int e = errno;
		long ms;

		if (pop) {
			*out = pop;
			return 0;
		}
		if (e != EAGAIN && e != EWOULDBLOCK) {
			if (e == ENOMEM)
				return pmdb__seterr(PMDB_ENOMEM,
						    "cannot open pool '%s': %s",
						    setpath, pmemobj_errormsg());
			return pmdb__seterr(PMDB_ENOTPOOL,
					    "cannot open pool '%s': %s",
					    setpath, pmemobj_errormsg());
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= (long)timeout_ms)
			return pmdb__seterr(PMDB_EBUSY,
					    "cannot open pool '%s': Resource "
					    "temporarily unavailable (another "
					    "process holds it)", setpath);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}

/* check_root -- magic, version, hash of an opened pool. */
static int
check_root(struct pmdb_env *env, const char *setpath, const pmdb_open_opts *o)
{
	struct pmdb_root *r;
	PMEMoid root;

	if (pmemobj_root_size(env->pop) < sizeof(struct pmdb_root))
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': no pmdb root",
				    setpath);
	root = pmemobj_root(env->pop, sizeof(struct pmdb_root));
	r = pmemobj_direct(root);
	if (!r || r->magic != PMDB_MAGIC)
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': bad magic", setpath);
	if (r->format_version != PMDB_FORMAT_VERSION)
		return pmdb__seterr(PMDB_EVERSION,
				    "'%s': on-pool format %u, this library "
				    "writes %u", setpath, r->format_version,
				    PMDB_FORMAT_VERSION);
	if (!pmdb_hash__valid((pmdb_hash_algo)r->hash_algo))
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': unknown hash %u",
				    setpath, r->hash_algo);
	if (o->check_hash && (pmdb_hash_algo)r->hash_algo != o->hash)
		return pmdb__seterr(PMDB_EFORMAT,
				    "'%s': object format %s, expected %s",
				    setpath,
				    pmdb_hash_name((pmdb_hash_algo)r->hash_algo),
				    pmdb_hash_name(o->hash) ?
				    pmdb_hash_name(o->hash) : "?");
	env->root = r;
	env->algo = (pmdb_hash_algo)r->hash_algo;
	env->hlen = pmdb_hash_len(env->algo);
	return 0;
}

/* build_view -- the first view from the root; extent bases and tails. */
static int
build_view(struct pmdb_env *env)
{
	struct pmdb_view *v = calloc(1, sizeof(*v));
	struct pmdb_pextab *xt = pmemobj_direct(env->root->extab);
	struct pmdb_pindex *ix = pmemobj_direct(env->root->index);
	struct pmdb_preftab *rt = pmemobj_direct(env->root->reftab);

	if (!v || !(v->ext = calloc(PMDB_EXT_MAX, sizeof(*v->ext)))) {
		free(v);
		return pmdb__seterr(PMDB_ENOMEM, "view");
	}
	if (!xt || !ix || !rt || xt->magic != PMDB_MAGIC ||
	    ix->magic != PMDB_MAGIC || rt->magic != PMDB_MAGIC ||
	    ix->bits > 40 || rt->bits > 30) {
		free(v->ext);
		free(v);
		return pmdb__seterr(PMDB_ENOTPOOL, "pool tables are damaged");
	}
	v->extab = xt;
	v->index = ix;
	v->bits = (unsigned)ix->bits;
	v->mask = (1ULL << ix->bits) - 1;
	v->reftab = rt;
	v->refmask = (1ULL << rt->bits) - 1;
	env->n_ext = 0;
	while (env->n_ext < PMDB_EXT_MAX &&
	       !OID_IS_NULL(xt->ent[env->n_ext].oid)) {
		struct pmdb_pext *e = &xt->ent[env->n_ext];

		if (e->size == 0) {
			/* crash between the allocation and the size write */
			e->size = pmemobj_alloc_usable_size(e->oid);
			pmdb_pool__persist(env, &e->size, sizeof(e->size));
		}
		v->ext[env->n_ext].base = pmemobj_direct(e->oid);
		v->ext[env->n_ext].tail = e->committed_tail;
		env->n_ext++;
	}
	env->view = v;
	env->ref_used = pmdb_ref__count_used(rt);
	return 0;
}

/* pmdb_env_open -- open (or create) the pool in dir. */
PMDB_EXPORT int
pmdb_env_open(pmdb_env **out, const char *dir, const pmdb_open_opts *opts)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char absdir[PATH_MAX];
	char *setpath = NULL, *partdir = NULL;
	struct pmdb_env *env = NULL;
	struct stat st;
	int rc, exists;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!out || !dir)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*out = NULL;
	if (opts && opts->version >= 2)
		o = *opts;
	else if (opts) /* version 1 had no workers field */
		memcpy(&o, opts, offsetof(pmdb_open_opts, workers));
	if (!pmdb_hash__valid(o.hash))
		return pmdb__seterr(PMDB_EINVAL, "bad hash %d", (int)o.hash);
	if ((o.flags & PMDB_CREATE) && mkdir(dir, 0755) && errno != EEXIST)
		return pmdb__seterr(PMDB_ERROR, "cannot create '%s': %s", dir,
				    strerror(errno));
	if (!realpath(dir, absdir))
		return pmdb__seterr(PMDB_ENOTFOUND, "no pool in '%s': %s", dir,
				    strerror(errno));
	setpath = path_join(absdir, "pool.set");
	partdir = path_join(absdir, "pool");
	env = calloc(1, sizeof(*env));
	if (!setpath || !partdir || !env) {
		rc = pmdb__seterr(PMDB_ENOMEM, "open");
		goto fail;
	}
	exists = stat(setpath, &st) == 0;
	if (exists && (o.flags & PMDB_CREATE) && (o.flags & PMDB_EXCL)) {
		rc = pmdb__seterr(PMDB_EEXISTS, "a pool exists in '%s'", dir);
		goto fail;
	}
	if (!exists && !(o.flags & PMDB_CREATE)) {
		rc = pmdb__seterr(PMDB_ENOTFOUND, "no pool in '%s'", dir);
		goto fail;
	}
	if (!exists && (rc = create_pool(absdir, setpath, partdir, &o)))
		goto fail;
	if ((rc = fix_setfile(setpath, partdir, o.mode ? o.mode : 0644)))
		goto fail;
	if ((rc = open_locked(&env->pop, setpath, o.lock_timeout_ms)) &&
	    rc == PMDB_ENOTPOOL && drop_torn_part(partdir)) {
		pmdb__clearerr();
		rc = open_locked(&env->pop, setpath, o.lock_timeout_ms);
	}
	if (rc)
		goto fail;
	{
		/* Smaller growth steps than the 128 MiB default: the pool
		 * grows by 32 MiB parts. Failure is harmless. */
		size_t g = PMDB_GRANULARITY;

		pmemobj_ctl_set(env->pop, "heap.size.granularity", &g);
	}
	if ((rc = check_root(env, setpath, &o)))
		goto fail;
	env->dir = strdup(absdir);
	env->workers = o.workers;
	if (pthread_mutex_init(&env->wlock, NULL) ||
	    (rc = pmdb_epoch__init(env))) {
		rc = rc ? rc : PMDB_ERROR;
		goto fail;
	}
	if ((rc = build_view(env)))
		goto fail_epoch;
	env->is_pmem = detect_pmem(env->root, sizeof(*env->root));
	if ((rc = pmdb_recover__run(env)) || (rc = pmdb_recover__sweep(env)))
		goto fail_epoch;
	env->open_tables[0] = env->n_ext;
	env->open_tables[1] = env->root->index.off;
	env->open_tables[2] = env->root->reftab.off;
	free(setpath);
	free(partdir);
	*out = env;
	return 0;
fail_epoch:
	if (env->view) {
		free(env->view->ext);
		free(env->view);
	}
	pmdb_epoch__fini(env);
	pthread_mutex_destroy(&env->wlock);
fail:
	if (env && env->pop)
		pmemobj_close(env->pop);
	if (env)
		free(env->dir);
	free(env);
	free(setpath);
	free(partdir);
	return rc;
}

/* pmdb_env_close -- free everything; no call may run beside it. */
PMDB_EXPORT void
pmdb_env_close(pmdb_env *env)
{
	int reclaim = 0;

	if (!env)
		return;
	if (env->txn)
		pmdb_txn_abort(env->txn);
	pmdb_putq__stop(env);
	pmdb_epoch__fini(env);  /* frees what was retired: before reclaim */
	if (!__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE)) {
		pmdb_extent__trim(env);
		/* only after allocations or frees: costs an open */
		reclaim = env->reshaped || env->open_tables[0] != env->n_ext ||
			  env->open_tables[1] != env->root->index.off ||
			  env->open_tables[2] != env->root->reftab.off;
	}
	free(env->view->ext);
	free(env->view);
	pthread_mutex_destroy(&env->wlock);
	pmemobj_close(env->pop);
	if (reclaim)
		pmdb_pool__reclaim(env->dir, env->is_pmem);
	free(env->dir);
	free(env);
}

/* pmdb_env_hash -- the pool's object format. */
PMDB_EXPORT pmdb_hash_algo
pmdb_env_hash(const pmdb_env *env)
{
	return env->algo;
}
