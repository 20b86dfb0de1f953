/*
 * pool.c -- the bottom helper layer: persist helpers that count pmdb's own
 * flushes, allocation that fails instead of faulting, hole punching, the
 * one-field table swap and the error for a failed allocation.
 *
 * Calls only PMDK and error.c: every other module may call it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "env.h"
#include "pool.h"

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

/* pmdb_pool__room_errno -- ask the file system of pool directory dir
 * for size bytes (in whole parts, plus one for PMDK's headers and
 * rounding) the way PMDK asks for a new part: posix_fallocate of a
 * scratch file next to pool.set, removed at once. @return 0 (there is
 * room), or the errno (ENOSPC, EDQUOT, ...) of the refusal. */
int
pmdb_pool__room_errno(const char *dir, uint64_t size)
{
	char path[PATH_MAX];
	int fd, e = 0;

	size = (size + PMDB_GRANULARITY - 1) / PMDB_GRANULARITY *
	       PMDB_GRANULARITY + PMDB_GRANULARITY;
	snprintf(path, sizeof(path), "%s/room.probe", dir);
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
 * file system is asked for the same room (pmdb_pool__room_errno), which
 * names the real cause. @return PMDB_ENOSPC. */
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
		int r = pmdb_pool__room_errno(env->dir, size);

		e = r ? r : e;
	}
	/* still ENOMEM with room on disk: the pool's reservation is used
	 * up, or PMDK ran out of DRAM; either way the pool cannot take
	 * the allocation (PMDB_ENOSPC, as before) */
	return pmdb__seterr(PMDB_ENOSPC, "%s: %s (pool '%s/pool.set'; "
			    "PMDK: %s)", what, e ? strerror(e) : "failed",
			    env->dir, pmdkmsg);
}
