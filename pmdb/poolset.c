/*
 * poolset.c -- the pool's files: create the set file and the pool, keep
 * the set file pointing at the part directory, open with the lock retry,
 * drop a part a crash left half-made.
 *
 * Files: <dir>/pool.set names the directory part <dir>/pool/ by absolute
 * path. Creation writes <dir>/pool.set.tmp, creates and fully initializes
 * the pool through it, closes it and renames the set file into place: a
 * pool exists exactly when pool.set does (atomic creation). Each open
 * rewrites pool.set (tmp + rename) when the directory moved.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pool.h"

#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer's shadow layout cannot fit a 1 TiB reservation
 * ("mmap MAP_ANONYMOUS: Cannot allocate memory"): TSan builds default to
 * 8 GiB, plenty for the tests */
#define PMDB_DEFAULT_MAX (8ULL << 30)
#else
#define PMDB_DEFAULT_MAX (1ULL << 40)   /* address space only, no memory */
#endif

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

/* rmtree_parts -- remove the part files of a half-created pool. The part
 * directory is flat (PMDK writes only its part files there), so one level
 * of unlink is enough; no shell: a quote in the path must stay a quote. */
static void
rmtree_parts(const char *partdir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(partdir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", partdir,
			     de->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	/* best effort: pmemobj_create fails below if it matters */
	rmdir(partdir);
}

/* sds_refused -- 1 if the last pmemobj_create failed because PMDK wanted
 * the unsafe-shutdown state (SDS) and the device cannot report it. PMDK
 * 2.x enables SDS at creation by default and refuses tmpfs and plain
 * files that way ("... unsafe shutdown detection (SDS) is not supported
 * ..."); 1.x disables it by default. A user who set sds.at_create in
 * PMEMOBJ_CONF has decided and is not overridden. */
static int
sds_refused(void)
{
	const char *conf = getenv("PMEMOBJ_CONF");
	const char *m = pmemobj_errormsg();

	if (conf && strstr(conf, "sds.at_create"))
		return 0;
	if (getenv("PMDB_TEST_SDS_REFUSE"))  /* tests: PMDK 2.x's refusal */
		return 1;
	return m && (strstr(m, "SDS") || strstr(m, "shutdown state") ||
		     strstr(m, "unsafe shutdown"));
}

/* create_pool -- pmemobj_create, retried once without SDS where PMDK
 * refused a device that cannot report it (sds_refused). The pool then
 * has no unsafe-shutdown detection, which such a device could not give
 * anyway (docs/dependencies.md, "PMDK versions"). */
static PMEMobjpool *
create_pool(const char *path, const char *partdir, unsigned mode)
{
	struct pmdb_setname n;
	PMEMobjpool *pop = NULL;
	int off = 0;

	if (pmdb_setname__get(&n, path))
		return NULL;
	if (!getenv("PMDB_TEST_SDS_REFUSE"))
		pop = pmemobj_create(n.path, PMDB_LAYOUT, 0, mode);
	if (!pop && sds_refused()) {
		rmtree_parts(partdir);  /* what the refused attempt made */
		if ((mkdir(partdir, 0755) == 0 || errno == EEXIST) &&
		    pmemobj_ctl_set(NULL, "sds.at_create", &off) == 0)
			pop = pmemobj_create(n.path, PMDB_LAYOUT, 0, mode);
	}
	pmdb_setname__done(&n, pop);
	return pop;
}

/* init_root -- allocate the tables and fill the root in one tx. A
 * failure names its cause: PMDK says "out of memory" when it could not
 * add a part to the heap, having lost the ENOSPC of the part's
 * fallocate, so the file system of dir is asked (pmdb_pool__room_errno). */
static int
init_root(PMEMobjpool *pop, pmdb_hash_algo algo, const char *dir)
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
		int e = errno;
		char pmdk[256];

		snprintf(pmdk, sizeof(pmdk), "%s", pmemobj_errormsg());
		if (e != ENOSPC && e != EDQUOT) {
			int room = pmdb_pool__room_errno(dir, 3 * PMDB_GRANULARITY);
			e = room ? room : e;
		}
		rc = pmdb__seterr(PMDB_ENOSPC, "cannot initialize the pool in "
				  "'%s': %s (PMDK: %s)", dir,
				  e ? strerror(e) : "failed", pmdk);
	} TX_END
	return rc;
}

/* pmdb_poolset__create -- atomic creation of dir's pool (see file
 * comment). @return 0, PMDB_ERROR, PMDB_ENOSPC. */
int
pmdb_poolset__create(const char *dir, const char *setpath, const char *partdir,
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
	pop = create_pool(tmp, partdir, mode);
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
	rc = init_root(pop, o->hash, dir);
	pmdb_pmdk__close(pop);
	if (!rc && rename(tmp, setpath))
		rc = pmdb__seterr(PMDB_ERROR, "cannot rename '%s': %s", tmp,
				  strerror(errno));
	return rc;
}

/* pmdb_poolset__fix -- rewrite pool.set if it names another part
 * directory. @return 0, PMDB_ERROR, PMDB_ENOSPC. */
int
pmdb_poolset__fix(const char *setpath, const char *partdir, unsigned mode)
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

/* open_locked -- check the heap (heapcheck.c) and pmemobj_open, retrying
 * while another holder's flock is held, up to timeout_ms. */
static int
open_locked(PMEMobjpool **out, const char *setpath, const char *partdir,
	    unsigned timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int sig = 0, rc = pmdb_heap__check(setpath, partdir);
		PMEMobjpool *pop = NULL;
		int e = EAGAIN;
		long ms;

		if (rc && rc != PMDB_EBUSY)
			return rc;
		if (!rc) {
			pop = pmdb_pmdk__open(setpath, &sig);
			e = errno;
		}

		if (pop) {
			*out = pop;
			return 0;
		}
		if (sig)
			return pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is "
					    "damaged: %s inside pmemobj_open "
					    "(PMDK's heap metadata)", setpath,
					    strsignal(sig));
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

/* pmdb_poolset__open -- open the pool of setpath, waiting up to
 * timeout_ms for another holder's lock; a last part a crash left
 * half-made is dropped and the open retried. Damaged heap metadata is
 * found before the open (heapcheck.c) or contained in it (guard.c).
 * @return 0, PMDB_ENOTPOOL, PMDB_ENOMEM, PMDB_EBUSY, PMDB_ECORRUPT. */
int
pmdb_poolset__open(PMEMobjpool **out, const char *setpath,
		   const char *partdir, unsigned timeout_ms)
{
	int rc = open_locked(out, setpath, partdir, timeout_ms);

	if (rc == PMDB_ENOTPOOL && drop_torn_part(partdir)) {
		pmdb__clearerr();
		rc = open_locked(out, setpath, partdir, timeout_ms);
	}
	return rc;
}
