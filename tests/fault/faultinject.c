/*
 * faultinject.c -- pmdb_faultinject.so, an LD_PRELOAD library that makes
 * the Nth call of chosen libc functions fail, for the SQLite-style fault
 * loops of tests/fault/ (docs/testing.md).
 *
 * Every wrapped call of a *selected* function increments one counter
 * (shared by all selected functions, all threads). The call whose number
 * is FAULT_AT fails without reaching libc; with FAULT_PERSIST=1 every
 * later one fails too. A run with FAULT_AT=0 fails nothing and only
 * counts, which tells the driver the range of N to try.
 *
 * Environment (read once, at load; then removed from the environment so
 * that child processes run without injection):
 *   FAULT_FUNC        comma-separated functions or groups to count and
 *                     fail (see fault_table): malloc, open, write, fallocate,
 *                     sync, mmap, rename, or single names such as calloc,
 *                     posix_fallocate, msync. Unset: pass everything on.
 *   FAULT_AT          the call number to fail (1-based; 0: none)
 *   FAULT_PERSIST     1: fail call FAULT_AT and every later one
 *   FAULT_ERRNO       override the errno of a failure (number, or one of
 *                     ENOMEM ENOSPC EIO EDQUOT EACCES EROFS EINTR)
 *   FAULT_COUNT_FILE  at exit, write "<calls> <injected>\n" there; at
 *                     the first failure, "<N> <function> <caller's
 *                     object>\n" to <file>.hit at once; if the program
 *                     then dies of SIGSEGV, SIGBUS or SIGABRT (outside
 *                     ASan, which reports these itself), "<signal>
 *                     <object of the faulting pc>\n" to <file>.crash: the
 *                     driver tells pmvcs's crashes from PMDK's with these
 *   FAULT_STDIO       1: also count writes to fds 0-2 (default: not, so
 *                     that error messages still reach the test)
 *   FAULT_EARLY       1: count from this library's constructor instead of
 *                     from the start of main() (includes other libraries'
 *                     constructors, e.g. libpmemobj's, which abort on
 *                     ENOMEM: not the program's bug)
 *   FAULT_CALLER      exe: count only calls made directly by the main
 *                     executable (pmvcs and the libpmdb linked into it),
 *                     not by libc, libpmemobj or other libraries: the
 *                     program's own error paths, without spending the
 *                     sample on PMDK's thousands of internal mallocs
 *   FAULT_TRACE       1: print "faultinject: <fn> call N fails" and a
 *                     backtrace on stderr at each injected failure
 *
 * Failures and their errno (what the caller sees):
 *   malloc calloc realloc reallocarray posix_memalign aligned_alloc
 *   memalign                          NULL / ENOMEM (posix_memalign returns it)
 *   open open64 openat openat64 creat fopen fopen64 mkstemp and the
 *   __open*_2 fortify entries, only when opening for writing
 *                                     -1 or NULL / ENOSPC
 *   write pwrite pwrite64 writev pwritev fwrite (fds > 2), fclose of a
 *   writable stream (the stream is still closed)
 *                                     -1, 0 or EOF / ENOSPC
 *   fallocate fallocate64             -1 / ENOSPC
 *   posix_fallocate posix_fallocate64 returns ENOSPC (a full disk under a
 *                                     growing PMDK poolset looks like this)
 *   fsync fdatasync msync             -1 / EIO
 *   mmap mmap64 of a file (fd >= 0, not MAP_ANONYMOUS)
 *                                     MAP_FAILED / ENOMEM
 *   rename                            -1 / ENOSPC
 *
 * Invariants:
 *  1. Only calls made after main() starts are counted (unless FAULT_EARLY):
 *     libc's and other libraries' startup is never failed, so call N names
 *     the same instant in every run of a deterministic single-threaded
 *     program.
 *  2. A call made by this library itself, or by libc on its behalf while a
 *     wrapper runs (dlsym, backtrace), is neither counted nor failed: the
 *     thread-local fault_busy guards it.
 *  3. Allocations made while dlsym resolves the real allocator come from a
 *     static bootstrap arena; free() and realloc() recognise its blocks.
 *  4. Built without sanitizers: under ASan the wrappers forward (RTLD_NEXT)
 *     to ASan's interceptors, so ASan still sees every real allocation.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <ucontext.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define ARENA_SIZE (256 * 1024)
#define ARENA_ALIGN 16

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

/* the functions that can fail; fault_table gives their names and groups */
enum fault_fn {
	FLT_MALLOC, FLT_CALLOC, FLT_REALLOC, FLT_REALLOCARRAY, FLT_POSIX_MEMALIGN,
	FLT_ALIGNED_ALLOC, FLT_MEMALIGN,
	FLT_OPEN, FLT_OPEN64, FLT_OPENAT, FLT_OPENAT64, FLT_OPEN_2, FLT_OPEN64_2,
	FLT_OPENAT_2, FLT_OPENAT64_2, FLT_CREAT, FLT_FOPEN, FLT_FOPEN64, FLT_MKSTEMP,
	FLT_WRITE, FLT_PWRITE, FLT_PWRITE64, FLT_WRITEV, FLT_PWRITEV, FLT_FWRITE,
	FLT_FCLOSE,
	FLT_FALLOCATE, FLT_FALLOCATE64, FLT_POSIX_FALLOCATE, FLT_POSIX_FALLOCATE64,
	FLT_FSYNC, FLT_FDATASYNC, FLT_MSYNC,
	FLT_MMAP, FLT_MMAP64,
	FLT_RENAME,
	FLT_NFUNCS
};

/* name, group and default errno of each function */
static const struct {
	const char *name;
	const char *group;
	int err;
} fault_table[FLT_NFUNCS] = {
	[FLT_MALLOC] = { "malloc", "malloc", ENOMEM },
	[FLT_CALLOC] = { "calloc", "malloc", ENOMEM },
	[FLT_REALLOC] = { "realloc", "malloc", ENOMEM },
	[FLT_REALLOCARRAY] = { "reallocarray", "malloc", ENOMEM },
	[FLT_POSIX_MEMALIGN] = { "posix_memalign", "malloc", ENOMEM },
	[FLT_ALIGNED_ALLOC] = { "aligned_alloc", "malloc", ENOMEM },
	[FLT_MEMALIGN] = { "memalign", "malloc", ENOMEM },
	[FLT_OPEN] = { "open", "open", ENOSPC },
	[FLT_OPEN64] = { "open64", "open", ENOSPC },
	[FLT_OPENAT] = { "openat", "open", ENOSPC },
	[FLT_OPENAT64] = { "openat64", "open", ENOSPC },
	[FLT_OPEN_2] = { "__open_2", "open", ENOSPC },
	[FLT_OPEN64_2] = { "__open64_2", "open", ENOSPC },
	[FLT_OPENAT_2] = { "__openat_2", "open", ENOSPC },
	[FLT_OPENAT64_2] = { "__openat64_2", "open", ENOSPC },
	[FLT_CREAT] = { "creat", "open", ENOSPC },
	[FLT_FOPEN] = { "fopen", "open", ENOSPC },
	[FLT_FOPEN64] = { "fopen64", "open", ENOSPC },
	[FLT_MKSTEMP] = { "mkstemp", "open", ENOSPC },
	[FLT_WRITE] = { "write", "write", ENOSPC },
	[FLT_PWRITE] = { "pwrite", "write", ENOSPC },
	[FLT_PWRITE64] = { "pwrite64", "write", ENOSPC },
	[FLT_WRITEV] = { "writev", "write", ENOSPC },
	[FLT_PWRITEV] = { "pwritev", "write", ENOSPC },
	[FLT_FWRITE] = { "fwrite", "write", ENOSPC },
	[FLT_FCLOSE] = { "fclose", "write", ENOSPC },
	[FLT_FALLOCATE] = { "fallocate", "fallocate", ENOSPC },
	[FLT_FALLOCATE64] = { "fallocate64", "fallocate", ENOSPC },
	[FLT_POSIX_FALLOCATE] = { "posix_fallocate", "fallocate", ENOSPC },
	[FLT_POSIX_FALLOCATE64] = { "posix_fallocate64", "fallocate", ENOSPC },
	[FLT_FSYNC] = { "fsync", "sync", EIO },
	[FLT_FDATASYNC] = { "fdatasync", "sync", EIO },
	[FLT_MSYNC] = { "msync", "sync", EIO },
	[FLT_MMAP] = { "mmap", "mmap", ENOMEM },
	[FLT_MMAP64] = { "mmap64", "mmap", ENOMEM },
	[FLT_RENAME] = { "rename", "rename", ENOSPC },
};

typedef int (*fault_main_fn)(int, char **, char **);
typedef int (*fault_start_fn)(fault_main_fn, int, char **, void (*)(void),
			   void (*)(void), void (*)(void), void *);

/* libc entry points that no header declares without _FORTIFY_SOURCE */
int __libc_start_main(fault_main_fn main_fn, int argc, char **argv,
		      void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

static unsigned char fault_selected[FLT_NFUNCS]; /* 1: count and fail it */
static int fault_active;          /* some function is selected */
static int fault_armed;           /* counting has started (main() or early) */
static uint64_t fault_at;         /* the call number that fails; 0 none */
static int fault_persist;         /* fail fault_at and every later call */
static int fault_errno_override;  /* FAULT_ERRNO, or 0 */
static int fault_stdio;           /* count writes to fds 0-2 too */
static int fault_trace;           /* print each injected failure */
static uintptr_t fault_exe_lo, fault_exe_hi; /* FAULT_CALLER=exe: text range */
static char fault_count_file[4096];
static char fault_hit_file[4100];   /* <count file>.hit */
static char fault_crash_file[4100]; /* <count file>.crash */
static uint64_t fault_calls;      /* selected calls seen since arming */
static uint64_t fault_injected;   /* calls failed */
static fault_main_fn fault_real_main;

/* nonzero while this thread runs inside the library (invariant 2) */
static __thread int fault_busy __attribute__((tls_model("initial-exec")));

/* the bootstrap arena of invariant 3 */
static unsigned char fault_arena[ARENA_SIZE] __attribute__((aligned(ARENA_ALIGN)));
static size_t fault_arena_used;
static int fault_resolving;

/* the real functions, resolved with RTLD_NEXT */
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* ------------------------------------------------------------------ */
/* Static prototypes                                                   */
/* ------------------------------------------------------------------ */

static void fault_resolve_alloc(void);
static void *fault_next(const char *name);
static int fault_fail_from(enum fault_fn fn, const void *caller);
static int fault_exe_range(struct dl_phdr_info *info, size_t size, void *ctx);
static int fault_err(enum fault_fn fn);
static int fault_in_arena(const void *p);
static void *fault_arena_alloc(size_t size);
static int fault_writing(int flags);
static int fault_mode_writing(const char *mode);
static void fault_parse_env(void);
static void fault_write_count(void);
static void fault_puts(const char *s);
static void fault_putu(uint64_t v);
static void fault_put_file(const char *path, const char *const *parts);
static const char *fault_object_of(const void *pc);
static void fault_on_crash(int sig, siginfo_t *si, void *uc);
static void fault_utoa(char *buf, size_t size, uint64_t v);

/* fault_fail(fn) -- count a call of fn made by the wrapper's caller; 1 if it
 * is to fail */
#define fault_fail(fn) fault_fail_from((fn), __builtin_return_address(0))

/* REAL(fn) -- the next definition of fn (libc's, or ASan's interceptor) */
#define REAL(fn) ({							\
	static __typeof__(fn) *real_;					\
	if (!real_)							\
		real_ = (__typeof__(fn) *)fault_next(#fn);			\
	real_;								\
})

/* ------------------------------------------------------------------ */
/* Setup and teardown                                                  */
/* ------------------------------------------------------------------ */

/* fault_main -- the program's main, entered with the counter armed */
static int
fault_main(int argc, char **argv, char **envp)
{
	if (fault_active)
		__atomic_store_n(&fault_armed, 1, __ATOMIC_SEQ_CST);
	return fault_real_main(argc, argv, envp);
}

/* __libc_start_main -- wrap main() so that counting starts there */
EXPORT int
__libc_start_main(fault_main_fn main_fn, int argc, char **argv,
		  void (*init)(void), void (*fini)(void),
		  void (*rtld_fini)(void), void *stack_end)
{
	fault_start_fn real = (fault_start_fn)fault_next("__libc_start_main");

	fault_real_main = main_fn;
	return real(fault_main, argc, argv, init, fini, rtld_fini, stack_end);
}

/* fault_init -- read the configuration; hide it from child processes */
__attribute__((constructor)) static void
fault_init(void)
{
	fault_busy++;
	fault_resolve_alloc();
	fault_parse_env();
	if (fault_trace) {
		void *pc[4];
		backtrace(pc, 4); /* loads libgcc_s now, not at a failure */
	}
	fault_busy--;
}

/* fault_fini -- report the number of calls seen and failed */
__attribute__((destructor)) static void
fault_fini(void)
{
	if (fault_count_file[0])
		fault_write_count();
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/* malloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
malloc(size_t size)
{
	if (!real_malloc) {
		if (fault_resolving)
			return fault_arena_alloc(size);
		fault_resolve_alloc();
	}
	if (fault_fail(FLT_MALLOC)) {
		errno = fault_err(FLT_MALLOC);
		return NULL;
	}
	return real_malloc(size);
}

/* calloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
calloc(size_t n, size_t size)
{
	if (!real_calloc) {
		if (fault_resolving) {
			if (size && n > SIZE_MAX / size)
				return NULL;
			return fault_arena_alloc(n * size); /* arena is zeroed */
		}
		fault_resolve_alloc();
	}
	if (fault_fail(FLT_CALLOC)) {
		errno = fault_err(FLT_CALLOC);
		return NULL;
	}
	return real_calloc(n, size);
}

/* realloc -- NULL/ENOMEM at the chosen call (ptr stays valid) */
EXPORT void *
realloc(void *ptr, size_t size)
{
	if (fault_in_arena(ptr)) {
		size_t old = ((const size_t *)ptr)[-2];
		void *p = malloc(size);

		if (p)
			memcpy(p, ptr, old < size ? old : size);
		return p;
	}
	if (!real_realloc) {
		if (fault_resolving)
			return fault_arena_alloc(size);
		fault_resolve_alloc();
	}
	if (fault_fail(FLT_REALLOC)) {
		errno = fault_err(FLT_REALLOC);
		return NULL;
	}
	return real_realloc(ptr, size);
}

/* free -- the real free, except for bootstrap-arena blocks */
EXPORT void
free(void *ptr)
{
	if (!ptr || fault_in_arena(ptr))
		return;
	if (!real_free)
		fault_resolve_alloc();
	real_free(ptr);
}

/* reallocarray -- NULL/ENOMEM at the chosen call */
EXPORT void *
reallocarray(void *ptr, size_t n, size_t size)
{
	if (fault_fail(FLT_REALLOCARRAY)) {
		errno = fault_err(FLT_REALLOCARRAY);
		return NULL;
	}
	if (fault_in_arena(ptr)) {
		if (size && n > SIZE_MAX / size) {
			errno = ENOMEM;
			return NULL;
		}
		return realloc(ptr, n * size);
	}
	return REAL(reallocarray)(ptr, n, size);
}

/* posix_memalign -- returns ENOMEM at the chosen call */
EXPORT int
posix_memalign(void **out, size_t align, size_t size)
{
	if (fault_fail(FLT_POSIX_MEMALIGN))
		return fault_err(FLT_POSIX_MEMALIGN);
	return REAL(posix_memalign)(out, align, size);
}

/* aligned_alloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	if (fault_fail(FLT_ALIGNED_ALLOC)) {
		errno = fault_err(FLT_ALIGNED_ALLOC);
		return NULL;
	}
	return REAL(aligned_alloc)(align, size);
}

/* memalign -- NULL/ENOMEM at the chosen call */
EXPORT void *
memalign(size_t align, size_t size)
{
	if (fault_fail(FLT_MEMALIGN)) {
		errno = fault_err(FLT_MEMALIGN);
		return NULL;
	}
	return REAL(memalign)(align, size);
}

/* ------------------------------------------------------------------ */
/* Opening files for writing                                           */
/* ------------------------------------------------------------------ */

/* OPEN_MODE -- the optional mode argument of an open-like call */
#define OPEN_MODE(flags, last) ({					\
	int mode_ = 0;							\
	if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {	\
		va_list ap_;						\
		va_start(ap_, last);					\
		mode_ = va_arg(ap_, int);				\
		va_end(ap_);						\
	}								\
	mode_;								\
})

/* open -- -1/ENOSPC at the chosen call, when opening for writing */
EXPORT int
open(const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fault_writing(flags) && fault_fail(FLT_OPEN)) {
		errno = fault_err(FLT_OPEN);
		return -1;
	}
	return REAL(open)(path, flags, mode);
}

/* open64 -- as open */
EXPORT int
open64(const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fault_writing(flags) && fault_fail(FLT_OPEN64)) {
		errno = fault_err(FLT_OPEN64);
		return -1;
	}
	return REAL(open64)(path, flags, mode);
}

/* openat -- as open */
EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fault_writing(flags) && fault_fail(FLT_OPENAT)) {
		errno = fault_err(FLT_OPENAT);
		return -1;
	}
	return REAL(openat)(dirfd, path, flags, mode);
}

/* openat64 -- as open */
EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fault_writing(flags) && fault_fail(FLT_OPENAT64)) {
		errno = fault_err(FLT_OPENAT64);
		return -1;
	}
	return REAL(openat64)(dirfd, path, flags, mode);
}

/* __open_2 -- the _FORTIFY_SOURCE open without a mode */
EXPORT int
__open_2(const char *path, int flags)
{
	if (fault_writing(flags) && fault_fail(FLT_OPEN_2)) {
		errno = fault_err(FLT_OPEN_2);
		return -1;
	}
	return REAL(__open_2)(path, flags);
}

/* __open64_2 -- as __open_2 */
EXPORT int
__open64_2(const char *path, int flags)
{
	if (fault_writing(flags) && fault_fail(FLT_OPEN64_2)) {
		errno = fault_err(FLT_OPEN64_2);
		return -1;
	}
	return REAL(__open64_2)(path, flags);
}

/* __openat_2 -- as __open_2 */
EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	if (fault_writing(flags) && fault_fail(FLT_OPENAT_2)) {
		errno = fault_err(FLT_OPENAT_2);
		return -1;
	}
	return REAL(__openat_2)(dirfd, path, flags);
}

/* __openat64_2 -- as __open_2 */
EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	if (fault_writing(flags) && fault_fail(FLT_OPENAT64_2)) {
		errno = fault_err(FLT_OPENAT64_2);
		return -1;
	}
	return REAL(__openat64_2)(dirfd, path, flags);
}

/* creat -- -1/ENOSPC at the chosen call */
EXPORT int
creat(const char *path, mode_t mode)
{
	if (fault_fail(FLT_CREAT)) {
		errno = fault_err(FLT_CREAT);
		return -1;
	}
	return REAL(creat)(path, mode);
}

/* fopen -- NULL/ENOSPC at the chosen call, when opening for writing */
EXPORT FILE *
fopen(const char *path, const char *mode)
{
	if (fault_mode_writing(mode) && fault_fail(FLT_FOPEN)) {
		errno = fault_err(FLT_FOPEN);
		return NULL;
	}
	return REAL(fopen)(path, mode);
}

/* fopen64 -- as fopen */
EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	if (fault_mode_writing(mode) && fault_fail(FLT_FOPEN64)) {
		errno = fault_err(FLT_FOPEN64);
		return NULL;
	}
	return REAL(fopen64)(path, mode);
}

/* mkstemp -- -1/ENOSPC at the chosen call */
EXPORT int
mkstemp(char *tmpl)
{
	if (fault_fail(FLT_MKSTEMP)) {
		errno = fault_err(FLT_MKSTEMP);
		return -1;
	}
	return REAL(mkstemp)(tmpl);
}

/* rename -- -1/ENOSPC at the chosen call */
EXPORT int
rename(const char *from, const char *to)
{
	if (fault_fail(FLT_RENAME)) {
		errno = fault_err(FLT_RENAME);
		return -1;
	}
	return REAL(rename)(from, to);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

/* FLT_FD_COUNTS -- whether a write to fd takes part (stdio fds only with
 * FAULT_STDIO) */
#define FLT_FD_COUNTS(fd) ((fd) > 2 || fault_stdio)

/* write -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
write(int fd, const void *buf, size_t n)
{
	if (FLT_FD_COUNTS(fd) && fault_fail(FLT_WRITE)) {
		errno = fault_err(FLT_WRITE);
		return -1;
	}
	return REAL(write)(fd, buf, n);
}

/* pwrite -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (FLT_FD_COUNTS(fd) && fault_fail(FLT_PWRITE)) {
		errno = fault_err(FLT_PWRITE);
		return -1;
	}
	return REAL(pwrite)(fd, buf, n, off);
}

/* pwrite64 -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (FLT_FD_COUNTS(fd) && fault_fail(FLT_PWRITE64)) {
		errno = fault_err(FLT_PWRITE64);
		return -1;
	}
	return REAL(pwrite64)(fd, buf, n, off);
}

/* writev -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	if (FLT_FD_COUNTS(fd) && fault_fail(FLT_WRITEV)) {
		errno = fault_err(FLT_WRITEV);
		return -1;
	}
	return REAL(writev)(fd, iov, iovcnt);
}

/* pwritev -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	if (FLT_FD_COUNTS(fd) && fault_fail(FLT_PWRITEV)) {
		errno = fault_err(FLT_PWRITEV);
		return -1;
	}
	return REAL(pwritev)(fd, iov, iovcnt, off);
}

/* opaque -- p, hidden from the optimizer: glibc 2.41 declares fwrite's
 * and fclose's stream nonnull, so gcc 14 refuses (and may drop) a NULL
 * check of it, which an interposer still needs for callers that pass one */
static inline const void *
opaque(const void *p)
{
	__asm__("" : "+r"(p));
	return p;
}

/* fwrite -- 0/ENOSPC at the chosen call (streams on fds > 2) */
EXPORT size_t
fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	if (size && n && opaque(f) && FLT_FD_COUNTS(fileno(f)) &&
	    fault_fail(FLT_FWRITE)) {
		errno = fault_err(FLT_FWRITE);
		return 0;
	}
	return REAL(fwrite)(buf, size, n, f);
}

/* fclose -- EOF/ENOSPC at the chosen call on a writable stream: the
 * stream is closed all the same, as after a failed final flush */
EXPORT int
fclose(FILE *f)
{
	int rc;

	if (opaque(f) && __fwritable(f) && FLT_FD_COUNTS(fileno(f)) &&
	    fault_fail(FLT_FCLOSE)) {
		REAL(fclose)(f);
		errno = fault_err(FLT_FCLOSE);
		return EOF;
	}
	rc = REAL(fclose)(f);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Space, sync and mapping                                             */
/* ------------------------------------------------------------------ */

/* fallocate -- -1/ENOSPC at the chosen call */
EXPORT int
fallocate(int fd, int mode, off_t off, off_t len)
{
	if (fault_fail(FLT_FALLOCATE)) {
		errno = fault_err(FLT_FALLOCATE);
		return -1;
	}
	return REAL(fallocate)(fd, mode, off, len);
}

/* fallocate64 -- -1/ENOSPC at the chosen call */
EXPORT int
fallocate64(int fd, int mode, off64_t off, off64_t len)
{
	if (fault_fail(FLT_FALLOCATE64)) {
		errno = fault_err(FLT_FALLOCATE64);
		return -1;
	}
	return REAL(fallocate64)(fd, mode, off, len);
}

/* posix_fallocate -- returns ENOSPC at the chosen call */
EXPORT int
posix_fallocate(int fd, off_t off, off_t len)
{
	if (fault_fail(FLT_POSIX_FALLOCATE))
		return fault_err(FLT_POSIX_FALLOCATE);
	return REAL(posix_fallocate)(fd, off, len);
}

/* posix_fallocate64 -- returns ENOSPC at the chosen call */
EXPORT int
posix_fallocate64(int fd, off64_t off, off64_t len)
{
	if (fault_fail(FLT_POSIX_FALLOCATE64))
		return fault_err(FLT_POSIX_FALLOCATE64);
	return REAL(posix_fallocate64)(fd, off, len);
}

/* fsync -- -1/EIO at the chosen call */
EXPORT int
fsync(int fd)
{
	if (fault_fail(FLT_FSYNC)) {
		errno = fault_err(FLT_FSYNC);
		return -1;
	}
	return REAL(fsync)(fd);
}

/* fdatasync -- -1/EIO at the chosen call */
EXPORT int
fdatasync(int fd)
{
	if (fault_fail(FLT_FDATASYNC)) {
		errno = fault_err(FLT_FDATASYNC);
		return -1;
	}
	return REAL(fdatasync)(fd);
}

/* msync -- -1/EIO at the chosen call */
EXPORT int
msync(void *addr, size_t len, int flags)
{
	if (fault_fail(FLT_MSYNC)) {
		errno = fault_err(FLT_MSYNC);
		return -1;
	}
	return REAL(msync)(addr, len, flags);
}

/* mmap -- MAP_FAILED/ENOMEM at the chosen call, for file mappings */
EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && fault_fail(FLT_MMAP)) {
		errno = fault_err(FLT_MMAP);
		return MAP_FAILED;
	}
	return REAL(mmap)(addr, len, prot, flags, fd, off);
}

/* mmap64 -- as mmap */
EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && fault_fail(FLT_MMAP64)) {
		errno = fault_err(FLT_MMAP64);
		return MAP_FAILED;
	}
	return REAL(mmap64)(addr, len, prot, flags, fd, off);
}

/* ------------------------------------------------------------------ */
/* Static helpers                                                      */
/* ------------------------------------------------------------------ */

/* fault_resolve_alloc -- find the real allocator; calls made meanwhile are
 * served from the bootstrap arena */
static void
fault_resolve_alloc(void)
{
	if (fault_resolving)
		return;
	fault_resolving = 1;
	fault_busy++;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	fault_busy--;
	fault_resolving = 0;
	if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
		fault_puts("faultinject: cannot find the real allocator\n");
		abort();
	}
}

/* fault_next -- the next definition of name after this library; aborts if
 * there is none (a wrapper without its function cannot pass calls on) */
static void *
fault_next(const char *name)
{
	void *p;

	fault_busy++;
	p = dlsym(RTLD_NEXT, name);
	fault_busy--;
	if (!p) {
		fault_puts("faultinject: no next definition of ");
		fault_puts(name);
		fault_puts("\n");
		abort();
	}
	return p;
}

/* fault_fail_from -- count a call of fn from caller; 1 if it is to fail */
static int
fault_fail_from(enum fault_fn fn, const void *caller)
{
	uint64_t n;

	if (!fault_selected[fn] || !__atomic_load_n(&fault_armed, __ATOMIC_RELAXED) ||
	    fault_busy)
		return 0;
	if (fault_exe_hi && ((uintptr_t)caller < fault_exe_lo ||
			  (uintptr_t)caller >= fault_exe_hi))
		return 0;
	n = __atomic_add_fetch(&fault_calls, 1, __ATOMIC_SEQ_CST);
	if (!fault_at || n < fault_at || (n > fault_at && !fault_persist))
		return 0;
	if (__atomic_add_fetch(&fault_injected, 1, __ATOMIC_SEQ_CST) == 1 &&
	    fault_hit_file[0]) {
		char num[24];
		const char *parts[] = { num, " ", fault_table[fn].name, " ", NULL,
					"\n", NULL };

		fault_busy++;
		fault_utoa(num, sizeof(num), n);
		parts[4] = fault_object_of(caller);
		fault_put_file(fault_hit_file, parts);
		fault_busy--;
	}
	if (fault_trace) {
		void *pc[32];
		int depth;

		fault_busy++;
		fault_puts("faultinject: ");
		fault_puts(fault_table[fn].name);
		fault_puts(" call ");
		fault_putu(n);
		fault_puts(" fails\n");
		depth = backtrace(pc, 32);
		backtrace_symbols_fd(pc, depth, 2);
		fault_busy--;
	}
	return 1;
}

/* fault_exe_range -- dl_iterate_phdr callback: the executable text of the
 * first object (the main program) into fault_exe_lo/hi */
static int
fault_exe_range(struct dl_phdr_info *info, size_t size, void *ctx)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (!fault_exe_lo || lo < fault_exe_lo)
			fault_exe_lo = lo;
		if (lo + ph->p_memsz > fault_exe_hi)
			fault_exe_hi = lo + ph->p_memsz;
	}
	return 1; /* the main program comes first: stop */
}

/* fault_err -- the errno a failure of fn reports */
static int
fault_err(enum fault_fn fn)
{
	return fault_errno_override ? fault_errno_override : fault_table[fn].err;
}

/* fault_in_arena -- 1 if p was handed out by fault_arena_alloc */
static int
fault_in_arena(const void *p)
{
	const unsigned char *c = p;

	return c >= fault_arena && c < fault_arena + sizeof(fault_arena);
}

/* fault_arena_alloc -- a zeroed block from the bootstrap arena, its size in
 * the 16 bytes before it; NULL/ENOMEM when the arena is spent */
static void *
fault_arena_alloc(size_t size)
{
	size_t need = ARENA_ALIGN + ((size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
	size_t off = __atomic_fetch_add(&fault_arena_used, need, __ATOMIC_SEQ_CST);
	size_t *hdr;

	if (size > sizeof(fault_arena) || off + need > sizeof(fault_arena)) {
		errno = ENOMEM;
		return NULL;
	}
	hdr = (size_t *)(fault_arena + off);
	hdr[0] = size;
	return hdr + 2;
}

/* fault_writing -- 1 if open flags ask for write access or creation */
static int
fault_writing(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* fault_mode_writing -- 1 if an fopen mode writes ("w", "a" or "+") */
static int
fault_mode_writing(const char *mode)
{
	return mode && (strchr(mode, 'w') || strchr(mode, 'a') ||
			strchr(mode, '+'));
}

/* fault_parse_errno -- FAULT_ERRNO: a number or a few names; 0 if unknown */
static int
fault_parse_errno(const char *s)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {
		{ "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC }, { "EIO", EIO },
		{ "EDQUOT", EDQUOT }, { "EACCES", EACCES }, { "EROFS", EROFS },
		{ "EINTR", EINTR },
	};

	if (*s >= '0' && *s <= '9')
		return atoi(s);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].err;
	return 0;
}

/* fault_parse_env -- read FAULT_*; unset them so child processes run clean.
 * An unknown function or group name aborts: a typo must not pass as a
 * test that injected nothing. */
static void
fault_parse_env(void)
{
	static const char *const vars[] = {
		"FAULT_FUNC", "FAULT_AT", "FAULT_PERSIST", "FAULT_ERRNO",
		"FAULT_COUNT_FILE", "FAULT_STDIO", "FAULT_TRACE", "FAULT_EARLY",
		"FAULT_CALLER",
	};
	const char *func = getenv("FAULT_FUNC");
	const char *s;

	if (func && *func) {
		const char *p = func;

		while (*p) {
			size_t len = strcspn(p, ",");
			int found = 0;

			for (int i = 0; i < FLT_NFUNCS; i++) {
				if ((strlen(fault_table[i].name) == len &&
				     !strncmp(fault_table[i].name, p, len)) ||
				    (strlen(fault_table[i].group) == len &&
				     !strncmp(fault_table[i].group, p, len))) {
					fault_selected[i] = 1;
					found = 1;
				}
			}
			if (!found && len) {
				fault_puts("faultinject: unknown FAULT_FUNC entry in: ");
				fault_puts(func);
				fault_puts("\n");
				abort();
			}
			p += len;
			if (*p == ',')
				p++;
		}
		fault_active = 1;
	}
	if ((s = getenv("FAULT_AT")))
		fault_at = strtoull(s, NULL, 10);
	if ((s = getenv("FAULT_PERSIST")))
		fault_persist = atoi(s) != 0;
	if ((s = getenv("FAULT_ERRNO")))
		fault_errno_override = fault_parse_errno(s);
	if ((s = getenv("FAULT_STDIO")))
		fault_stdio = atoi(s) != 0;
	if ((s = getenv("FAULT_TRACE")))
		fault_trace = atoi(s) != 0;
	if ((s = getenv("FAULT_COUNT_FILE")) && strlen(s) < sizeof(fault_count_file)) {
		strcpy(fault_count_file, s);
		strcpy(fault_hit_file, s);
		strcat(fault_hit_file, ".hit");
		strcpy(fault_crash_file, s);
		strcat(fault_crash_file, ".crash");
	}
	if (fault_active && fault_crash_file[0] && !dlsym(RTLD_DEFAULT, "__asan_init")) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = fault_on_crash;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGABRT, &sa, NULL);
	}
	if (fault_active && getenv("FAULT_EARLY") && atoi(getenv("FAULT_EARLY")))
		fault_armed = 1;
	if ((s = getenv("FAULT_CALLER")) && *s) {
		if (strcmp(s, "exe")) {
			fault_puts("faultinject: FAULT_CALLER must be exe\n");
			abort();
		}
		dl_iterate_phdr(fault_exe_range, NULL);
		if (!fault_exe_hi) {
			fault_puts("faultinject: no text segment in the program\n");
			abort();
		}
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

/* fault_write_count -- "<calls> <injected>\n" to FAULT_COUNT_FILE, with raw
 * system calls (nothing here may be counted or fail) */
static void
fault_write_count(void)
{
	char buf[64];
	char *p = buf + sizeof(buf);
	uint64_t v[2] = { __atomic_load_n(&fault_calls, __ATOMIC_SEQ_CST),
			  __atomic_load_n(&fault_injected, __ATOMIC_SEQ_CST) };
	long fd;

	*--p = '\n';
	for (int i = 1; i >= 0; i--) {
		do
			*--p = (char)('0' + v[i] % 10);
		while (v[i] /= 10);
		if (i)
			*--p = ' ';
	}
	fd = syscall(SYS_openat, AT_FDCWD, fault_count_file,
		     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (syscall(SYS_write, fd, p, (size_t)(buf + sizeof(buf) - p)) < 0)
		fault_puts("faultinject: cannot write FAULT_COUNT_FILE\n");
	syscall(SYS_close, fd);
}

/* fault_on_crash -- note where the program died, then die the same way (the
 * handler was reset to the default by SA_RESETHAND) */
static void
fault_on_crash(int sig, siginfo_t *si, void *uc)
{
	char num[24];
#if defined(__x86_64__)
	const void *pc = (const void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	const void *pc = (const void *)((ucontext_t *)uc)->uc_mcontext.pc;
#else
	const void *pc = si->si_addr;  /* the fault address: a fair guess */
#endif
	const char *parts[] = { num, " ", fault_object_of(pc), "\n", NULL };

	fault_busy++;
	fault_utoa(num, sizeof(num), (uint64_t)sig);
	fault_put_file(fault_crash_file, parts);
	if (sig == SIGABRT)
		raise(sig);
	/* SIGSEGV/SIGBUS: returning re-runs the faulting instruction */
}

/* fault_object_of -- the file name (no directory) of the object holding pc;
 * "?" if none. dladdr takes the loader lock but does not allocate. */
static const char *
fault_object_of(const void *pc)
{
	Dl_info info;
	const char *slash;

	if (!dladdr(pc, &info) || !info.dli_fname || !*info.dli_fname)
		return "?";
	slash = strrchr(info.dli_fname, '/');
	return slash ? slash + 1 : info.dli_fname;
}

/* fault_put_file -- write the concatenation of parts (NULL-terminated) to
 * path, replacing it, with raw system calls */
static void
fault_put_file(const char *path, const char *const *parts)
{
	long fd = syscall(SYS_openat, AT_FDCWD, path,
			  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	for (; *parts; parts++)
		if (syscall(SYS_write, fd, *parts, strlen(*parts)) < 0)
			break;
	syscall(SYS_close, fd);
}

/* fault_utoa -- v in decimal into buf */
static void
fault_utoa(char *buf, size_t size, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);

	*--p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	if ((size_t)(tmp + sizeof(tmp) - p) <= size)
		memcpy(buf, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* fault_puts -- s on stderr with a raw write */
static void
fault_puts(const char *s)
{
	if (syscall(SYS_write, 2, s, strlen(s)) < 0)
		return;
}

/* fault_putu -- v in decimal on stderr */
static void
fault_putu(uint64_t v)
{
	char buf[24];
	char *p = buf + sizeof(buf);

	*--p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	fault_puts(p);
}
