/*
 * pmdk_arena.c -- pmemobj_open with PMDK's DRAM runtime on huge pages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "pool.h"
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

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

struct open_arg {
	const char *setpath;
	PMEMobjpool *pop;
	int err;
};

/* open_guarded -- pmemobj_open inside pmdb_guard__run. */
static int
open_guarded(void *a)
{
	struct open_arg *o = a;

	o->pop = pmemobj_open(o->setpath, PMDB_LAYOUT);
	o->err = errno;
	return 0;
}

/* pmdb_pmdk__open -- pmemobj_open with its runtime state in the arena,
 * and a fault inside it (damaged heap metadata) turned into *sig. */
PMEMobjpool *
pmdb_pmdk__open(const char *setpath, int *sig)
{
	struct pmdb_setname n;
	struct open_arg o = { NULL, NULL, 0 };

	*sig = 0;
	if (pmdb_setname__get(&n, setpath))
		return NULL;
	o.setpath = n.path;
	pthread_once(&arena_once, arena_init);
	arena_hooks(1);
	arena_on = 1;
	pmdb_guard__run(open_guarded, &o, sig);
	arena_on = 0;
	arena_hooks(-1);
	if (*sig) {
		o.pop = NULL;
		o.err = EIO;
	}
	pmdb_setname__done(&n, o.pop);
	errno = o.err;
	return o.pop;
}
