/*
 * preload.c -- pmcrash_preload.so, the LD_PRELOAD interposer of pmcrash.
 *
 * It sees every flush a program makes to a pool file and keeps, beside each
 * pool file, a *shadow*: a copy that holds only what has been flushed. The
 * real file (through the page cache) holds every store, flushed or not, so
 * after the process dies pmcrash can build a crash image by mixing the two
 * (image.c). At the Nth flush point it can also kill the whole run, which is
 * the simulated power cut.
 *
 * What is a flush point depends on PMCRASH_MEDIA:
 *  - "file" (msync path, PMEM_IS_PMEM_FORCE=0): every msync(2) and every
 *    pmem_msync() on a tracked mapping. The flushed range is copied to the
 *    shadow, rounded out to PMCRASH_UNIT (4096: what msync really makes
 *    durable; 64: emulate pmem, where a persist covers its cache lines only).
 *  - "pmem" (PMEM_IS_PMEM_FORCE=1): libpmem's pmem_flush, pmem_mem*() with
 *    their flags, and pmem_drain are followed. Flushed lines are *pending*
 *    (they may or may not have reached the media) until the next drain; a
 *    drain that has pending lines is a flush point and copies them to the
 *    shadow. Stores never flushed stay only in the real file.
 *
 * Environment (set by pmcrash; without PMCRASH_DIR everything passes through):
 *   PMCRASH_DIR       state directory: counter, files, shadow/, log, crashed
 *   PMCRASH_ROOT      only files whose path starts with this are tracked
 *   PMCRASH_CRASH_AT  kill the run right after flush point N (0: never)
 *   PMCRASH_UNIT      64 or 4096 (default 4096)
 *   PMCRASH_MEDIA     file or pmem (default file)
 *   PMCRASH_LOG       1: append "N kind path offset length" per point to log
 *   PMCRASH_PGID      process group of the run: the power cut kills it all
 *
 * Invariants:
 *  1. A byte range reaches a shadow only when the program flushed it (and,
 *     on pmem, drained): the shadow never holds more than is durable.
 *  2. Flush points are numbered across all processes of the run (the counter
 *     is a shared mapping), so "point N" names the same instant in a
 *     deterministic run whatever the command's process structure.
 *  3. No malloc: the wrappers run inside allocators, PMDK and ASan's world.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_MAPS 512
#define MAX_FILES 128
#define MAX_PENDING 4096
#define EXPORT __attribute__((visibility("default")))

/* one tracked shared, writable mapping of a pool file */
struct map {
	uintptr_t start, end; /* [start, end) */
	int file;             /* index in files[] */
	off_t off;            /* file offset of start */
};

/* one pool file and its shadow */
struct file {
	char path[PATH_MAX];
	int shadow_fd;
};

/* a flushed, not yet drained range (pmem media) */
struct range {
	uintptr_t start, end;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int active;                /* PMCRASH_DIR set and state dir usable */
static char state_dir[PATH_MAX];
static char root[PATH_MAX];
static size_t root_len;
static uint64_t crash_at;
static uintptr_t unit = 4096;
static int media_pmem;
static int log_fd = -1;
static pid_t pgid;
static volatile uint64_t *counter; /* shared by all processes of the run */
static struct map maps[MAX_MAPS];
static int nmaps;
static struct file files[MAX_FILES];
static int nfiles;
static struct range pending[MAX_PENDING];
static int npending;
static __thread int nest; /* >0 inside a real libpmem call */

static void flush_point_locked(const char *kind, uintptr_t a, uintptr_t b);

/* raw_mmap -- the mmap system call itself (no recursion, no dlsym) */
static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* say -- write a diagnostic line to stderr without stdio */
static void say(const char *msg, const char *arg)
{
	char buf[PATH_MAX + 256];
	int n = snprintf(buf, sizeof(buf), "pmcrash_preload: %s%s\n", msg, arg ? arg : "");
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		return;
}

/* init -- read the environment once, map the shared counter */
__attribute__((constructor)) static void init(void)
{
	const char *d = getenv("PMCRASH_DIR"), *s;
	if (!d || !*d || strlen(d) + 32 >= sizeof(state_dir))
		return;
	strcpy(state_dir, d);
	s = getenv("PMCRASH_ROOT");
	if (s && strlen(s) < sizeof(root))
		strcpy(root, s);
	root_len = strlen(root);
	s = getenv("PMCRASH_CRASH_AT");
	crash_at = s ? strtoull(s, NULL, 0) : 0;
	s = getenv("PMCRASH_UNIT");
	if (s && atoi(s) == 64)
		unit = 64;
	s = getenv("PMCRASH_MEDIA");
	media_pmem = s && !strcmp(s, "pmem");
	s = getenv("PMCRASH_PGID");
	pgid = s ? (pid_t)atol(s) : 0;

	char p[PATH_MAX + 16];   /* state_dir < PATH_MAX, plus a short name */
	if (snprintf(p, sizeof(p), "%s/counter", state_dir) >= (int)sizeof(p))
		return;
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		say("cannot open counter in ", state_dir);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size < 8 && ftruncate(fd, 8) != 0) {
		close(fd);
		return;
	}
	void *m = raw_mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return;
	counter = m;
	s = getenv("PMCRASH_LOG");
	if (s && *s == '1') {
		if (snprintf(p, sizeof(p), "%s/log", state_dir) >= (int)sizeof(p))
			return;
		log_fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	}
	active = 1;
}

/* copy_file -- copy src to a new file dst; holes and all-zero blocks stay
 * holes (a pool part is mostly unused, and tmpfs pays for every page) */
static int copy_file(const char *src, const char *dst)
{
	static char buf[1 << 16]; /* under lock */
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	off_t size = lseek(in, 0, SEEK_END), off = 0;
	int rc = size < 0 || ftruncate(out, size) != 0 ? -1 : 0;
	while (!rc && off < size) {
		off_t data = lseek(in, off, SEEK_DATA);
		if (data < 0)
			break; /* only a hole is left */
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		for (off = data; !rc && off < hole;) {
			size_t want = (size_t)(hole - off) < sizeof(buf) ? (size_t)(hole - off)
									 : sizeof(buf);
			ssize_t n = pread(in, buf, want, off), i = 0;
			if (n <= 0) {
				rc = -1;
				break;
			}
			while (i < n && buf[i] == 0)
				i++;
			if (i < n && pwrite(out, buf, (size_t)n, off) != n)
				rc = -1;
			off += n;
		}
	}
	close(in);
	close(out);
	return rc;
}

/* file_for -- find or create the files[] entry (and shadow) of path */
static int file_for(const char *path)
{
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].path, path))
			return i;
	if (nfiles == MAX_FILES)
		return -1;
	char name[PATH_MAX], sh[2 * PATH_MAX + 16], tmp[2 * PATH_MAX + 32];
	size_t j = 0;
	for (const char *c = path; *c && j + 1 < sizeof(name); c++)
		name[j++] = *c == '/' ? '%' : *c;
	name[j] = 0;
	snprintf(sh, sizeof(sh), "%s/shadow/%s", state_dir, name);
	if (access(sh, F_OK) != 0) {
		/* first mapping of this file in the run: what it holds now is
		 * what a crash would find of it (it was not written through a
		 * mapping of this run yet) */
		snprintf(tmp, sizeof(tmp), "%s/shadow/.tmp.%d", state_dir, (int)getpid());
		if (copy_file(path, tmp) != 0 || rename(tmp, sh) != 0) {
			say("cannot make the shadow of ", path);
			unlink(tmp);
			return -1;
		}
		char line[2 * PATH_MAX + 4];
		snprintf(tmp, sizeof(tmp), "%s/files", state_dir);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int n = snprintf(line, sizeof(line), "%s\t%s\n", name, path);
		if (fd < 0 || write(fd, line, (size_t)n) != n)
			say("cannot record ", path);
		if (fd >= 0)
			close(fd);
	}
	int fd = open(sh, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	strcpy(files[nfiles].path, path);
	files[nfiles].shadow_fd = fd;
	return nfiles++;
}

/* forget_locked -- stop tracking [a, b): it was unmapped or replaced */
static void forget_locked(uintptr_t a, uintptr_t b)
{
	for (int i = 0; i < nmaps; i++) {
		struct map *m = &maps[i];
		if (m->end <= a || m->start >= b)
			continue;
		if (m->start < a && m->end > b && nmaps < MAX_MAPS) {
			/* a hole in the middle: split */
			struct map tail = *m;
			tail.off += (off_t)(b - m->start);
			tail.start = b;
			maps[nmaps++] = tail;
			m->end = a;
		} else if (m->start < a) {
			m->end = a;
		} else if (m->end > b) {
			m->off += (off_t)(b - m->start);
			m->start = b;
		} else {
			maps[i--] = maps[--nmaps];
		}
	}
}

/* track_locked -- remember that [p, p+len) maps fd at off, if it is ours */
static void track_locked(void *p, size_t len, int fd, off_t off)
{
	char link[64], path[PATH_MAX];
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = 0;
	if (root_len && (strncmp(path, root, root_len) != 0 ||
			 (path[root_len] != '/' && path[root_len] != 0)))
		return;
	int f = file_for(path);
	if (f < 0 || nmaps == MAX_MAPS) {
		say("too many mappings or files; not tracking ", path);
		return;
	}
	maps[nmaps++] = (struct map){ (uintptr_t)p, (uintptr_t)p + len, f, off };
}

/* copy_locked -- copy [a, b) of tracked mappings to their shadows; return
 * the number of tracked bytes copied (0: not a pool range) */
static size_t copy_locked(uintptr_t a, uintptr_t b, const char **fname)
{
	size_t done = 0;
	a &= ~(unit - 1);
	b = (b + unit - 1) & ~(unit - 1);
	for (int i = 0; i < nmaps; i++) {
		struct map *m = &maps[i];
		uintptr_t s = a > m->start ? a : m->start;
		uintptr_t e = b < m->end ? b : m->end;
		if (s >= e)
			continue;
		off_t fo = m->off + (off_t)(s - m->start);
		if (pwrite(files[m->file].shadow_fd, (void *)s, e - s, fo) != (ssize_t)(e - s))
			say("short write to the shadow of ", files[m->file].path);
		done += e - s;
		*fname = files[m->file].path;
	}
	return done;
}

/* crash_now -- the power cut: record the point and kill the whole run */
static void crash_now(uint64_t n)
{
	char p[PATH_MAX + 16], line[32];
	snprintf(p, sizeof(p), "%s/crashed", state_dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int len = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)n);
	if (fd >= 0) {
		if (write(fd, line, (size_t)len) != len)
			say("cannot record the crash", NULL);
		close(fd);
	}
	if (pgid > 0 && getpgrp() == pgid)
		kill(-pgid, SIGKILL);
	kill(getpid(), SIGKILL);
	_exit(137);
}

/* flush_point_locked -- [a, b) became durable: copy it, count, maybe crash */
static void flush_point_locked(const char *kind, uintptr_t a, uintptr_t b)
{
	const char *fname = NULL;
	size_t done = 0;
	if (kind[0] == 'd') { /* drain: everything pending */
		for (int i = 0; i < npending; i++)
			done += copy_locked(pending[i].start, pending[i].end, &fname);
		a = npending ? pending[0].start : 0;
		b = npending ? pending[npending - 1].end : 0;
		npending = 0;
	} else {
		done = copy_locked(a, b, &fname);
	}
	if (!done || !counter)
		return;
	uint64_t n = __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
	if (log_fd >= 0) {
		char line[PATH_MAX + 96];
		int len = snprintf(line, sizeof(line), "%llu %s %s %#lx %zu\n",
				   (unsigned long long)n, kind, fname ? fname : "-",
				   (unsigned long)a, done);
		if (write(log_fd, line, (size_t)len) != len)
			say("cannot write the log", NULL);
	}
	if (crash_at && n == crash_at)
		crash_now(n);
}

/* pending_add_locked -- [a, b) was flushed but not drained (pmem media) */
static void pending_add_locked(uintptr_t a, uintptr_t b)
{
	if (npending && pending[npending - 1].end >= a && pending[npending - 1].start <= b) {
		struct range *r = &pending[npending - 1];
		r->start = a < r->start ? a : r->start;
		r->end = b > r->end ? b : r->end;
		return;
	}
	if (npending == MAX_PENDING) {
		/* full: make these durable early, one possible outcome */
		for (int i = 0; i < npending; i++) {
			const char *f;
			copy_locked(pending[i].start, pending[i].end, &f);
		}
		npending = 0;
	}
	pending[npending++] = (struct range){ a, b };
}

/* on_flush -- a flush of [p, p+len) on pmem media */
static void on_flush(const void *p, size_t len)
{
	if (!active || !media_pmem || nest)
		return;
	pthread_mutex_lock(&lock);
	pending_add_locked((uintptr_t)p, (uintptr_t)p + len);
	pthread_mutex_unlock(&lock);
}

/* on_drain -- a drain (fence) on pmem media */
static void on_drain(void)
{
	if (!active || !media_pmem || nest)
		return;
	pthread_mutex_lock(&lock);
	if (npending)
		flush_point_locked("drain", 0, 0);
	pthread_mutex_unlock(&lock);
}

/* on_msync -- msync or pmem_msync of [p, p+len) returned */
static void on_msync(const char *kind, const void *p, size_t len)
{
	if (!active || nest)
		return;
	pthread_mutex_lock(&lock);
	flush_point_locked(kind, (uintptr_t)p, (uintptr_t)p + len);
	pthread_mutex_unlock(&lock);
}

/* on_store -- a libpmem mem*() with flags wrote [p, p+len) */
static void on_store(void *p, size_t len, unsigned flags)
{
	if (!(flags & PMEM_F_MEM_NOFLUSH))
		on_flush(p, len);
	if (!(flags & PMEM_F_MEM_NODRAIN))
		on_drain();
}

/* ---- libc wrappers ---- */

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = raw_mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED || !active)
		return p;
	pthread_mutex_lock(&lock);
	forget_locked((uintptr_t)p, (uintptr_t)p + len);
	int type = flags & MAP_TYPE;
	if (fd >= 0 && (prot & PROT_WRITE) && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE))
		track_locked(p, len, fd, off);
	pthread_mutex_unlock(&lock);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

EXPORT int munmap(void *addr, size_t len)
{
	int rc = (int)syscall(SYS_munmap, addr, len);
	if (rc == 0 && active) {
		pthread_mutex_lock(&lock);
		forget_locked((uintptr_t)addr, (uintptr_t)addr + len);
		pthread_mutex_unlock(&lock);
	}
	return rc;
}

EXPORT int msync(void *addr, size_t len, int flags)
{
	int rc = (int)syscall(SYS_msync, addr, len, flags);
	if (rc == 0 && (flags & MS_SYNC))
		on_msync("msync", addr, len);
	return rc;
}

/* ---- libpmem wrappers: call the real one, then account for it ---- */

#define REAL(name) \
	static __typeof__(name) *real; \
	if (!real) \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

EXPORT int pmem_msync(const void *addr, size_t len)
{
	REAL(pmem_msync);
	nest++;
	int rc = real(addr, len);
	nest--;
	if (rc == 0)
		on_msync("pmem_msync", addr, len);
	return rc;
}

EXPORT void pmem_flush(const void *addr, size_t len)
{
	REAL(pmem_flush);
	nest++;
	real(addr, len);
	nest--;
	on_flush(addr, len);
}

EXPORT void pmem_deep_flush(const void *addr, size_t len)
{
	REAL(pmem_deep_flush);
	nest++;
	real(addr, len);
	nest--;
	on_flush(addr, len);
}

EXPORT void pmem_drain(void)
{
	REAL(pmem_drain);
	nest++;
	real();
	nest--;
	on_drain();
}

EXPORT void pmem_persist(const void *addr, size_t len)
{
	REAL(pmem_persist);
	nest++;
	real(addr, len);
	nest--;
	on_flush(addr, len);
	on_drain();
}

/* MEMFN -- wrap one pmem_mem*() family member; ... is the real call */
#define MEMFN(ret, name, params, args, dest, len, flags)   \
	EXPORT ret name params                                 \
	{                                                      \
		REAL(name);                                    \
		nest++;                                        \
		ret r = real args;                             \
		nest--;                                        \
		on_store((void *)(dest), (len), (flags));      \
		return r;                                      \
	}

MEMFN(void *, pmem_memcpy, (void *d, const void *s, size_t n, unsigned f), (d, s, n, f), d, n, f)
MEMFN(void *, pmem_memmove, (void *d, const void *s, size_t n, unsigned f), (d, s, n, f), d, n, f)
MEMFN(void *, pmem_memset, (void *d, int c, size_t n, unsigned f), (d, c, n, f), d, n, f)
MEMFN(void *, pmem_memcpy_persist, (void *d, const void *s, size_t n), (d, s, n), d, n, 0)
MEMFN(void *, pmem_memmove_persist, (void *d, const void *s, size_t n), (d, s, n), d, n, 0)
MEMFN(void *, pmem_memset_persist, (void *d, int c, size_t n), (d, c, n), d, n, 0)
MEMFN(void *, pmem_memcpy_nodrain, (void *d, const void *s, size_t n), (d, s, n), d, n,
      PMEM_F_MEM_NODRAIN)
MEMFN(void *, pmem_memmove_nodrain, (void *d, const void *s, size_t n), (d, s, n), d, n,
      PMEM_F_MEM_NODRAIN)
MEMFN(void *, pmem_memset_nodrain, (void *d, int c, size_t n), (d, c, n), d, n,
      PMEM_F_MEM_NODRAIN)
