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
 *                     fail (see fi_table): malloc, open, write, fallocate,
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
 *     thread-local fi_busy guards it.
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

/* the functions that can fail; fi_table gives their names and groups */
enum fi_fn {
	FI_MALLOC, FI_CALLOC, FI_REALLOC, FI_REALLOCARRAY, FI_POSIX_MEMALIGN,
	FI_ALIGNED_ALLOC, FI_MEMALIGN,
	FI_OPEN, FI_OPEN64, FI_OPENAT, FI_OPENAT64, FI_OPEN_2, FI_OPEN64_2,
	FI_OPENAT_2, FI_OPENAT64_2, FI_CREAT, FI_FOPEN, FI_FOPEN64, FI_MKSTEMP,
	FI_WRITE, FI_PWRITE, FI_PWRITE64, FI_WRITEV, FI_PWRITEV, FI_FWRITE,
	FI_FCLOSE,
	FI_FALLOCATE, FI_FALLOCATE64, FI_POSIX_FALLOCATE, FI_POSIX_FALLOCATE64,
	FI_FSYNC, FI_FDATASYNC, FI_MSYNC,
	FI_MMAP, FI_MMAP64,
	FI_RENAME,
	FI_NFUNCS
};

/* name, group and default errno of each function */
static const struct {
	const char *name;
	const char *group;
	int err;
} fi_table[FI_NFUNCS] = {
	[FI_MALLOC] = { "malloc", "malloc", ENOMEM },
	[FI_CALLOC] = { "calloc", "malloc", ENOMEM },
	[FI_REALLOC] = { "realloc", "malloc", ENOMEM },
	[FI_REALLOCARRAY] = { "reallocarray", "malloc", ENOMEM },
	[FI_POSIX_MEMALIGN] = { "posix_memalign", "malloc", ENOMEM },
	[FI_ALIGNED_ALLOC] = { "aligned_alloc", "malloc", ENOMEM },
	[FI_MEMALIGN] = { "memalign", "malloc", ENOMEM },
	[FI_OPEN] = { "open", "open", ENOSPC },
	[FI_OPEN64] = { "open64", "open", ENOSPC },
	[FI_OPENAT] = { "openat", "open", ENOSPC },
	[FI_OPENAT64] = { "openat64", "open", ENOSPC },
	[FI_OPEN_2] = { "__open_2", "open", ENOSPC },
	[FI_OPEN64_2] = { "__open64_2", "open", ENOSPC },
	[FI_OPENAT_2] = { "__openat_2", "open", ENOSPC },
	[FI_OPENAT64_2] = { "__openat64_2", "open", ENOSPC },
	[FI_CREAT] = { "creat", "open", ENOSPC },
	[FI_FOPEN] = { "fopen", "open", ENOSPC },
	[FI_FOPEN64] = { "fopen64", "open", ENOSPC },
	[FI_MKSTEMP] = { "mkstemp", "open", ENOSPC },
	[FI_WRITE] = { "write", "write", ENOSPC },
	[FI_PWRITE] = { "pwrite", "write", ENOSPC },
	[FI_PWRITE64] = { "pwrite64", "write", ENOSPC },
	[FI_WRITEV] = { "writev", "write", ENOSPC },
	[FI_PWRITEV] = { "pwritev", "write", ENOSPC },
	[FI_FWRITE] = { "fwrite", "write", ENOSPC },
	[FI_FCLOSE] = { "fclose", "write", ENOSPC },
	[FI_FALLOCATE] = { "fallocate", "fallocate", ENOSPC },
	[FI_FALLOCATE64] = { "fallocate64", "fallocate", ENOSPC },
	[FI_POSIX_FALLOCATE] = { "posix_fallocate", "fallocate", ENOSPC },
	[FI_POSIX_FALLOCATE64] = { "posix_fallocate64", "fallocate", ENOSPC },
	[FI_FSYNC] = { "fsync", "sync", EIO },
	[FI_FDATASYNC] = { "fdatasync", "sync", EIO },
	[FI_MSYNC] = { "msync", "sync", EIO },
	[FI_MMAP] = { "mmap", "mmap", ENOMEM },
	[FI_MMAP64] = { "mmap64", "mmap", ENOMEM },
	[FI_RENAME] = { "rename", "rename", ENOSPC },
};

typedef int (*fi_main_fn)(int, char **, char **);
typedef int (*fi_start_fn)(fi_main_fn, int, char **, void (*)(void),
			   void (*)(void), void (*)(void), void *);

/* libc entry points that no header declares without _FORTIFY_SOURCE */
int __libc_start_main(fi_main_fn main_fn, int argc, char **argv,
		      void (*init)(void), void (*fini)(void),
		      void (*rtld_fini)(void), void *stack_end);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

static unsigned char fi_selected[FI_NFUNCS]; /* 1: count and fail it */
static int fi_active;          /* some function is selected */
static int fi_armed;           /* counting has started (main() or early) */
static uint64_t fi_at;         /* the call number that fails; 0 none */
static int fi_persist;         /* fail fi_at and every later call */
static int fi_errno_override;  /* FAULT_ERRNO, or 0 */
static int fi_stdio;           /* count writes to fds 0-2 too */
static int fi_trace;           /* print each injected failure */
static uintptr_t fi_exe_lo, fi_exe_hi; /* FAULT_CALLER=exe: text range */
static char fi_count_file[4096];
static char fi_hit_file[4100];   /* <count file>.hit */
static char fi_crash_file[4100]; /* <count file>.crash */
static uint64_t fi_calls;      /* selected calls seen since arming */
static uint64_t fi_injected;   /* calls failed */
static fi_main_fn fi_real_main;

/* nonzero while this thread runs inside the library (invariant 2) */
static __thread int fi_busy __attribute__((tls_model("initial-exec")));

/* the bootstrap arena of invariant 3 */
static unsigned char fi_arena[ARENA_SIZE] __attribute__((aligned(ARENA_ALIGN)));
static size_t fi_arena_used;
static int fi_resolving;

/* the real functions, resolved with RTLD_NEXT */
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* ------------------------------------------------------------------ */
/* Static prototypes                                                   */
/* ------------------------------------------------------------------ */

static void fi_resolve_alloc(void);
static void *fi_next(const char *name);
static int fi_fail_from(enum fi_fn fn, const void *caller);
static int fi_exe_range(struct dl_phdr_info *info, size_t size, void *ctx);
static int fi_err(enum fi_fn fn);
static int fi_in_arena(const void *p);
static void *fi_arena_alloc(size_t size);
static int fi_writing(int flags);
static int fi_mode_writing(const char *mode);
static void fi_parse_env(void);
static void fi_write_count(void);
static void fi_puts(const char *s);
static void fi_putu(uint64_t v);
static void fi_put_file(const char *path, const char *const *parts);
static const char *fi_object_of(const void *pc);
static void fi_on_crash(int sig, siginfo_t *si, void *uc);
static void fi_utoa(char *buf, size_t size, uint64_t v);

/* fi_fail(fn) -- count a call of fn made by the wrapper's caller; 1 if it
 * is to fail */
#define fi_fail(fn) fi_fail_from((fn), __builtin_return_address(0))

/* REAL(fn) -- the next definition of fn (libc's, or ASan's interceptor) */
#define REAL(fn) ({							\
	static __typeof__(fn) *real_;					\
	if (!real_)							\
		real_ = (__typeof__(fn) *)fi_next(#fn);			\
	real_;								\
})

/* ------------------------------------------------------------------ */
/* Setup and teardown                                                  */
/* ------------------------------------------------------------------ */

/* fi_main -- the program's main, entered with the counter armed */
static int
fi_main(int argc, char **argv, char **envp)
{
	if (fi_active)
		__atomic_store_n(&fi_armed, 1, __ATOMIC_SEQ_CST);
	return fi_real_main(argc, argv, envp);
}

/* __libc_start_main -- wrap main() so that counting starts there */
EXPORT int
__libc_start_main(fi_main_fn main_fn, int argc, char **argv,
		  void (*init)(void), void (*fini)(void),
		  void (*rtld_fini)(void), void *stack_end)
{
	fi_start_fn real = (fi_start_fn)fi_next("__libc_start_main");

	fi_real_main = main_fn;
	return real(fi_main, argc, argv, init, fini, rtld_fini, stack_end);
}

/* fi_init -- read the configuration; hide it from child processes */
__attribute__((constructor)) static void
fi_init(void)
{
	fi_busy++;
	fi_resolve_alloc();
	fi_parse_env();
	if (fi_trace) {
		void *pc[4];
		backtrace(pc, 4); /* loads libgcc_s now, not at a failure */
	}
	fi_busy--;
}

/* fi_fini -- report the number of calls seen and failed */
__attribute__((destructor)) static void
fi_fini(void)
{
	if (fi_count_file[0])
		fi_write_count();
}

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/* malloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
malloc(size_t size)
{
	if (!real_malloc) {
		if (fi_resolving)
			return fi_arena_alloc(size);
		fi_resolve_alloc();
	}
	if (fi_fail(FI_MALLOC)) {
		errno = fi_err(FI_MALLOC);
		return NULL;
	}
	return real_malloc(size);
}

/* calloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
calloc(size_t n, size_t size)
{
	if (!real_calloc) {
		if (fi_resolving) {
			if (size && n > SIZE_MAX / size)
				return NULL;
			return fi_arena_alloc(n * size); /* arena is zeroed */
		}
		fi_resolve_alloc();
	}
	if (fi_fail(FI_CALLOC)) {
		errno = fi_err(FI_CALLOC);
		return NULL;
	}
	return real_calloc(n, size);
}

/* realloc -- NULL/ENOMEM at the chosen call (ptr stays valid) */
EXPORT void *
realloc(void *ptr, size_t size)
{
	if (fi_in_arena(ptr)) {
		size_t old = ((const size_t *)ptr)[-2];
		void *p = malloc(size);

		if (p)
			memcpy(p, ptr, old < size ? old : size);
		return p;
	}
	if (!real_realloc) {
		if (fi_resolving)
			return fi_arena_alloc(size);
		fi_resolve_alloc();
	}
	if (fi_fail(FI_REALLOC)) {
		errno = fi_err(FI_REALLOC);
		return NULL;
	}
	return real_realloc(ptr, size);
}

/* free -- the real free, except for bootstrap-arena blocks */
EXPORT void
free(void *ptr)
{
	if (!ptr || fi_in_arena(ptr))
		return;
	if (!real_free)
		fi_resolve_alloc();
	real_free(ptr);
}

/* reallocarray -- NULL/ENOMEM at the chosen call */
EXPORT void *
reallocarray(void *ptr, size_t n, size_t size)
{
	if (fi_fail(FI_REALLOCARRAY)) {
		errno = fi_err(FI_REALLOCARRAY);
		return NULL;
	}
	if (fi_in_arena(ptr)) {
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
	if (fi_fail(FI_POSIX_MEMALIGN))
		return fi_err(FI_POSIX_MEMALIGN);
	return REAL(posix_memalign)(out, align, size);
}

/* aligned_alloc -- NULL/ENOMEM at the chosen call */
EXPORT void *
aligned_alloc(size_t align, size_t size)
{
	if (fi_fail(FI_ALIGNED_ALLOC)) {
		errno = fi_err(FI_ALIGNED_ALLOC);
		return NULL;
	}
	return REAL(aligned_alloc)(align, size);
}

/* memalign -- NULL/ENOMEM at the chosen call */
EXPORT void *
memalign(size_t align, size_t size)
{
	if (fi_fail(FI_MEMALIGN)) {
		errno = fi_err(FI_MEMALIGN);
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

	if (fi_writing(flags) && fi_fail(FI_OPEN)) {
		errno = fi_err(FI_OPEN);
		return -1;
	}
	return REAL(open)(path, flags, mode);
}

/* open64 -- as open */
EXPORT int
open64(const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fi_writing(flags) && fi_fail(FI_OPEN64)) {
		errno = fi_err(FI_OPEN64);
		return -1;
	}
	return REAL(open64)(path, flags, mode);
}

/* openat -- as open */
EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fi_writing(flags) && fi_fail(FI_OPENAT)) {
		errno = fi_err(FI_OPENAT);
		return -1;
	}
	return REAL(openat)(dirfd, path, flags, mode);
}

/* openat64 -- as open */
EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = OPEN_MODE(flags, flags);

	if (fi_writing(flags) && fi_fail(FI_OPENAT64)) {
		errno = fi_err(FI_OPENAT64);
		return -1;
	}
	return REAL(openat64)(dirfd, path, flags, mode);
}

/* __open_2 -- the _FORTIFY_SOURCE open without a mode */
EXPORT int
__open_2(const char *path, int flags)
{
	if (fi_writing(flags) && fi_fail(FI_OPEN_2)) {
		errno = fi_err(FI_OPEN_2);
		return -1;
	}
	return REAL(__open_2)(path, flags);
}

/* __open64_2 -- as __open_2 */
EXPORT int
__open64_2(const char *path, int flags)
{
	if (fi_writing(flags) && fi_fail(FI_OPEN64_2)) {
		errno = fi_err(FI_OPEN64_2);
		return -1;
	}
	return REAL(__open64_2)(path, flags);
}

/* __openat_2 -- as __open_2 */
EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	if (fi_writing(flags) && fi_fail(FI_OPENAT_2)) {
		errno = fi_err(FI_OPENAT_2);
		return -1;
	}
	return REAL(__openat_2)(dirfd, path, flags);
}

/* __openat64_2 -- as __open_2 */
EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	if (fi_writing(flags) && fi_fail(FI_OPENAT64_2)) {
		errno = fi_err(FI_OPENAT64_2);
		return -1;
	}
	return REAL(__openat64_2)(dirfd, path, flags);
}

/* creat -- -1/ENOSPC at the chosen call */
EXPORT int
creat(const char *path, mode_t mode)
{
	if (fi_fail(FI_CREAT)) {
		errno = fi_err(FI_CREAT);
		return -1;
	}
	return REAL(creat)(path, mode);
}

/* fopen -- NULL/ENOSPC at the chosen call, when opening for writing */
EXPORT FILE *
fopen(const char *path, const char *mode)
{
	if (fi_mode_writing(mode) && fi_fail(FI_FOPEN)) {
		errno = fi_err(FI_FOPEN);
		return NULL;
	}
	return REAL(fopen)(path, mode);
}

/* fopen64 -- as fopen */
EXPORT FILE *
fopen64(const char *path, const char *mode)
{
	if (fi_mode_writing(mode) && fi_fail(FI_FOPEN64)) {
		errno = fi_err(FI_FOPEN64);
		return NULL;
	}
	return REAL(fopen64)(path, mode);
}

/* mkstemp -- -1/ENOSPC at the chosen call */
EXPORT int
mkstemp(char *tmpl)
{
	if (fi_fail(FI_MKSTEMP)) {
		errno = fi_err(FI_MKSTEMP);
		return -1;
	}
	return REAL(mkstemp)(tmpl);
}

/* rename -- -1/ENOSPC at the chosen call */
EXPORT int
rename(const char *from, const char *to)
{
	if (fi_fail(FI_RENAME)) {
		errno = fi_err(FI_RENAME);
		return -1;
	}
	return REAL(rename)(from, to);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

/* FI_FD_COUNTS -- whether a write to fd takes part (stdio fds only with
 * FAULT_STDIO) */
#define FI_FD_COUNTS(fd) ((fd) > 2 || fi_stdio)

/* write -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
write(int fd, const void *buf, size_t n)
{
	if (FI_FD_COUNTS(fd) && fi_fail(FI_WRITE)) {
		errno = fi_err(FI_WRITE);
		return -1;
	}
	return REAL(write)(fd, buf, n);
}

/* pwrite -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (FI_FD_COUNTS(fd) && fi_fail(FI_PWRITE)) {
		errno = fi_err(FI_PWRITE);
		return -1;
	}
	return REAL(pwrite)(fd, buf, n, off);
}

/* pwrite64 -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	if (FI_FD_COUNTS(fd) && fi_fail(FI_PWRITE64)) {
		errno = fi_err(FI_PWRITE64);
		return -1;
	}
	return REAL(pwrite64)(fd, buf, n, off);
}

/* writev -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	if (FI_FD_COUNTS(fd) && fi_fail(FI_WRITEV)) {
		errno = fi_err(FI_WRITEV);
		return -1;
	}
	return REAL(writev)(fd, iov, iovcnt);
}

/* pwritev -- -1/ENOSPC at the chosen call */
EXPORT ssize_t
pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	if (FI_FD_COUNTS(fd) && fi_fail(FI_PWRITEV)) {
		errno = fi_err(FI_PWRITEV);
		return -1;
	}
	return REAL(pwritev)(fd, iov, iovcnt, off);
}

/* fwrite -- 0/ENOSPC at the chosen call (streams on fds > 2) */
EXPORT size_t
fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
	if (size && n && f && FI_FD_COUNTS(fileno(f)) && fi_fail(FI_FWRITE)) {
		errno = fi_err(FI_FWRITE);
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

	if (f && __fwritable(f) && FI_FD_COUNTS(fileno(f)) &&
	    fi_fail(FI_FCLOSE)) {
		REAL(fclose)(f);
		errno = fi_err(FI_FCLOSE);
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
	if (fi_fail(FI_FALLOCATE)) {
		errno = fi_err(FI_FALLOCATE);
		return -1;
	}
	return REAL(fallocate)(fd, mode, off, len);
}

/* fallocate64 -- -1/ENOSPC at the chosen call */
EXPORT int
fallocate64(int fd, int mode, off64_t off, off64_t len)
{
	if (fi_fail(FI_FALLOCATE64)) {
		errno = fi_err(FI_FALLOCATE64);
		return -1;
	}
	return REAL(fallocate64)(fd, mode, off, len);
}

/* posix_fallocate -- returns ENOSPC at the chosen call */
EXPORT int
posix_fallocate(int fd, off_t off, off_t len)
{
	if (fi_fail(FI_POSIX_FALLOCATE))
		return fi_err(FI_POSIX_FALLOCATE);
	return REAL(posix_fallocate)(fd, off, len);
}

/* posix_fallocate64 -- returns ENOSPC at the chosen call */
EXPORT int
posix_fallocate64(int fd, off64_t off, off64_t len)
{
	if (fi_fail(FI_POSIX_FALLOCATE64))
		return fi_err(FI_POSIX_FALLOCATE64);
	return REAL(posix_fallocate64)(fd, off, len);
}

/* fsync -- -1/EIO at the chosen call */
EXPORT int
fsync(int fd)
{
	if (fi_fail(FI_FSYNC)) {
		errno = fi_err(FI_FSYNC);
		return -1;
	}
	return REAL(fsync)(fd);
}

/* fdatasync -- -1/EIO at the chosen call */
EXPORT int
fdatasync(int fd)
{
	if (fi_fail(FI_FDATASYNC)) {
		errno = fi_err(FI_FDATASYNC);
		return -1;
	}
	return REAL(fdatasync)(fd);
}

/* msync -- -1/EIO at the chosen call */
EXPORT int
msync(void *addr, size_t len, int flags)
{
	if (fi_fail(FI_MSYNC)) {
		errno = fi_err(FI_MSYNC);
		return -1;
	}
	return REAL(msync)(addr, len, flags);
}

/* mmap -- MAP_FAILED/ENOMEM at the chosen call, for file mappings */
EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && fi_fail(FI_MMAP)) {
		errno = fi_err(FI_MMAP);
		return MAP_FAILED;
	}
	return REAL(mmap)(addr, len, prot, flags, fd, off);
}

/* mmap64 -- as mmap */
EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && fi_fail(FI_MMAP64)) {
		errno = fi_err(FI_MMAP64);
		return MAP_FAILED;
	}
	return REAL(mmap64)(addr, len, prot, flags, fd, off);
}

/* ------------------------------------------------------------------ */
/* Static helpers                                                      */
/* ------------------------------------------------------------------ */

/* fi_resolve_alloc -- find the real allocator; calls made meanwhile are
 * served from the bootstrap arena */
static void
fi_resolve_alloc(void)
{
	if (fi_resolving)
		return;
	fi_resolving = 1;
	fi_busy++;
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	fi_busy--;
	fi_resolving = 0;
	if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
		fi_puts("faultinject: cannot find the real allocator\n");
		abort();
	}
}

/* fi_next -- the next definition of name after this library; aborts if
 * there is none (a wrapper without its function cannot pass calls on) */
static void *
fi_next(const char *name)
{
	void *p;

	fi_busy++;
	p = dlsym(RTLD_NEXT, name);
	fi_busy--;
	if (!p) {
		fi_puts("faultinject: no next definition of ");
		fi_puts(name);
		fi_puts("\n");
		abort();
	}
	return p;
}

/* fi_fail_from -- count a call of fn from caller; 1 if it is to fail */
static int
fi_fail_from(enum fi_fn fn, const void *caller)
{
	uint64_t n;

	if (!fi_selected[fn] || !__atomic_load_n(&fi_armed, __ATOMIC_RELAXED) ||
	    fi_busy)
		return 0;
	if (fi_exe_hi && ((uintptr_t)caller < fi_exe_lo ||
			  (uintptr_t)caller >= fi_exe_hi))
		return 0;
	n = __atomic_add_fetch(&fi_calls, 1, __ATOMIC_SEQ_CST);
	if (!fi_at || n < fi_at || (n > fi_at && !fi_persist))
		return 0;
	if (__atomic_add_fetch(&fi_injected, 1, __ATOMIC_SEQ_CST) == 1 &&
	    fi_hit_file[0]) {
		char num[24];
		const char *parts[] = { num, " ", fi_table[fn].name, " ", NULL,
					"\n", NULL };

		fi_busy++;
		fi_utoa(num, sizeof(num), n);
		parts[4] = fi_object_of(caller);
		fi_put_file(fi_hit_file, parts);
		fi_busy--;
	}
	if (fi_trace) {
		void *pc[32];
		int depth;

		fi_busy++;
		fi_puts("faultinject: ");
		fi_puts(fi_table[fn].name);
		fi_puts(" call ");
		fi_putu(n);
		fi_puts(" fails\n");
		depth = backtrace(pc, 32);
		backtrace_symbols_fd(pc, depth, 2);
		fi_busy--;
	}
	return 1;
}

/* fi_exe_range -- dl_iterate_phdr callback: the executable text of the
 * first object (the main program) into fi_exe_lo/hi */
static int
fi_exe_range(struct dl_phdr_info *info, size_t size, void *ctx)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (!fi_exe_lo || lo < fi_exe_lo)
			fi_exe_lo = lo;
		if (lo + ph->p_memsz > fi_exe_hi)
			fi_exe_hi = lo + ph->p_memsz;
	}
	return 1; /* the main program comes first: stop */
}

/* fi_err -- the errno a failure of fn reports */
static int
fi_err(enum fi_fn fn)
{
	return fi_errno_override ? fi_errno_override : fi_table[fn].err;
}

/* fi_in_arena -- 1 if p was handed out by fi_arena_alloc */
static int
fi_in_arena(const void *p)
{
	const unsigned char *c = p;

	return c >= fi_arena && c < fi_arena + sizeof(fi_arena);
}

/* fi_arena_alloc -- a zeroed block from the bootstrap arena, its size in
 * the 16 bytes before it; NULL/ENOMEM when the arena is spent */
static void *
fi_arena_alloc(size_t size)
{
	size_t need = ARENA_ALIGN + ((size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
	size_t off = __atomic_fetch_add(&fi_arena_used, need, __ATOMIC_SEQ_CST);
	size_t *hdr;

	if (size > sizeof(fi_arena) || off + need > sizeof(fi_arena)) {
		errno = ENOMEM;
		return NULL;
	}
	hdr = (size_t *)(fi_arena + off);
	hdr[0] = size;
	return hdr + 2;
}

/* fi_writing -- 1 if open flags ask for write access or creation */
static int
fi_writing(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* fi_mode_writing -- 1 if an fopen mode writes ("w", "a" or "+") */
static int
fi_mode_writing(const char *mode)
{
	return mode && (strchr(mode, 'w') || strchr(mode, 'a') ||
			strchr(mode, '+'));
}

/* fi_parse_errno -- FAULT_ERRNO: a number or a few names; 0 if unknown */
static int
fi_parse_errno(const char *s)
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

/* fi_parse_env -- read FAULT_*; unset them so child processes run clean.
 * An unknown function or group name aborts: a typo must not pass as a
 * test that injected nothing. */
static void
fi_parse_env(void)
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

			for (int i = 0; i < FI_NFUNCS; i++) {
				if ((strlen(fi_table[i].name) == len &&
				     !strncmp(fi_table[i].name, p, len)) ||
				    (strlen(fi_table[i].group) == len &&
				     !strncmp(fi_table[i].group, p, len))) {
					fi_selected[i] = 1;
					found = 1;
				}
			}
			if (!found && len) {
				fi_puts("faultinject: unknown FAULT_FUNC entry in: ");
				fi_puts(func);
				fi_puts("\n");
				abort();
			}
			p += len;
			if (*p == ',')
				p++;
		}
		fi_active = 1;
	}
	if ((s = getenv("FAULT_AT")))
		fi_at = strtoull(s, NULL, 10);
	if ((s = getenv("FAULT_PERSIST")))
		fi_persist = atoi(s) != 0;
	if ((s = getenv("FAULT_ERRNO")))
		fi_errno_override = fi_parse_errno(s);
	if ((s = getenv("FAULT_STDIO")))
		fi_stdio = atoi(s) != 0;
	if ((s = getenv("FAULT_TRACE")))
		fi_trace = atoi(s) != 0;
	if ((s = getenv("FAULT_COUNT_FILE")) && strlen(s) < sizeof(fi_count_file)) {
		strcpy(fi_count_file, s);
		strcpy(fi_hit_file, s);
		strcat(fi_hit_file, ".hit");
		strcpy(fi_crash_file, s);
		strcat(fi_crash_file, ".crash");
	}
	if (fi_active && fi_crash_file[0] && !dlsym(RTLD_DEFAULT, "__asan_init")) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = fi_on_crash;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGABRT, &sa, NULL);
	}
	if (fi_active && getenv("FAULT_EARLY") && atoi(getenv("FAULT_EARLY")))
		fi_armed = 1;
	if ((s = getenv("FAULT_CALLER")) && *s) {
		if (strcmp(s, "exe")) {
			fi_puts("faultinject: FAULT_CALLER must be exe\n");
			abort();
		}
		dl_iterate_phdr(fi_exe_range, NULL);
		if (!fi_exe_hi) {
			fi_puts("faultinject: no text segment in the program\n");
			abort();
		}
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

/* fi_write_count -- "<calls> <injected>\n" to FAULT_COUNT_FILE, with raw
 * system calls (nothing here may be counted or fail) */
static void
fi_write_count(void)
{
	char buf[64];
	char *p = buf + sizeof(buf);
	uint64_t v[2] = { __atomic_load_n(&fi_calls, __ATOMIC_SEQ_CST),
			  __atomic_load_n(&fi_injected, __ATOMIC_SEQ_CST) };
	long fd;

	*--p = '\n';
	for (int i = 1; i >= 0; i--) {
		do
			*--p = (char)('0' + v[i] % 10);
		while (v[i] /= 10);
		if (i)
			*--p = ' ';
	}
	fd = syscall(SYS_openat, AT_FDCWD, fi_count_file,
		     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (syscall(SYS_write, fd, p, (size_t)(buf + sizeof(buf) - p)) < 0)
		fi_puts("faultinject: cannot write FAULT_COUNT_FILE\n");
	syscall(SYS_close, fd);
}

/* fi_on_crash -- note where the program died, then die the same way (the
 * handler was reset to the default by SA_RESETHAND) */
static void
fi_on_crash(int sig, siginfo_t *si, void *uc)
{
	char num[24];
	const void *pc = (const void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	const char *parts[] = { num, " ", fi_object_of(pc), "\n", NULL };

	fi_busy++;
	fi_utoa(num, sizeof(num), (uint64_t)sig);
	fi_put_file(fi_crash_file, parts);
	if (sig == SIGABRT)
		raise(sig);
	/* SIGSEGV/SIGBUS: returning re-runs the faulting instruction */
}

/* fi_object_of -- the file name (no directory) of the object holding pc;
 * "?" if none. dladdr takes the loader lock but does not allocate. */
static const char *
fi_object_of(const void *pc)
{
	Dl_info info;
	const char *slash;

	if (!dladdr(pc, &info) || !info.dli_fname || !*info.dli_fname)
		return "?";
	slash = strrchr(info.dli_fname, '/');
	return slash ? slash + 1 : info.dli_fname;
}

/* fi_put_file -- write the concatenation of parts (NULL-terminated) to
 * path, replacing it, with raw system calls */
static void
fi_put_file(const char *path, const char *const *parts)
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

/* fi_utoa -- v in decimal into buf */
static void
fi_utoa(char *buf, size_t size, uint64_t v)
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

/* fi_puts -- s on stderr with a raw write */
static void
fi_puts(const char *s)
{
	if (syscall(SYS_write, 2, s, strlen(s)) < 0)
		return;
}

/* fi_putu -- v in decimal on stderr */
static void
fi_putu(uint64_t v)
{
	char buf[24];
	char *p = buf + sizeof(buf);

	*--p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	fi_puts(p);
}
