/*
 * setname.c -- the name under which PMDK is given a pool's set file.
 *
 * A set file names its part directory by absolute path, and PMDK's parser
 * splits set-file lines at blanks and cuts them at '#': a repository in
 * "~/My Projects/x" cannot be named there ("invalid token found in the
 * current line"). Such a pool is handed to PMDK through a private set file
 * (a memfd, read once while PMDK opens it) that names the part directory
 * as /proc/self/fd/N/, N a descriptor of that directory. PMDK keeps the
 * directory's name to add parts when the heap grows, so N stays open as
 * long as the pool does: pmdb_pmdk__close() closes it after the pool.
 * The pool.set on disk keeps the real path (pmdb's own record, and what
 * `pmvcs` shows); only PMDK's tools cannot read such a set file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pool.h"

/* PMDK set-file syntax has no quoting: these end or split a path */
#define SET_UNSAFE " \t\r\n#"

/* open pools named through a descriptor, and that descriptor */
static struct kept { PMEMobjpool *pop; int dirfd; } kept[16];
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

/* read_set -- the size (MiB) and part directory of setpath's part line,
 * as pmdb writes it: "<N>M <dir>/". @return 0 or -1 (errno). */
static int
read_set(const char *setpath, unsigned long long *mib, char *dir, size_t dsz)
{
	char line[PATH_MAX + 64];
	FILE *f = fopen(setpath, "re");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		line[strcspn(line, "\n")] = '\0';
		if (line[0] >= '0' && line[0] <= '9' && sp &&
		    strlen(sp + 1) < dsz) {
			*mib = strtoull(line, NULL, 10);
			strcpy(dir, sp + 1);
			found = 0;
		}
	}
	fclose(f);
	if (found)
		errno = EINVAL;
	return found;
}

int
pmdb_setname__get(struct pmdb_setname *n, const char *setpath)
{
	char dir[PATH_MAX];
	unsigned long long mib;
	int mfd;

	n->dirfd = n->memfd = -1;
	if (read_set(setpath, &mib, dir, sizeof(dir)) ||
	    !dir[strcspn(dir, SET_UNSAFE)]) {
		/* an ordinary name, or not pmdb's set file: PMDK reads it */
		snprintf(n->path, sizeof(n->path), "%s", setpath);
		return 0;
	}
	n->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	mfd = n->dirfd < 0 ? -1 : memfd_create("pmdb-pool.set", MFD_CLOEXEC);
	if (mfd < 0 || dprintf(mfd, "PMEMPOOLSET\nOPTION SINGLEHDR\n"
			       "%lluM /proc/self/fd/%d/\n", mib, n->dirfd) < 0) {
		int e = errno;

		if (mfd >= 0)
			close(mfd);
		if (n->dirfd >= 0)
			close(n->dirfd);
		n->dirfd = -1;
		errno = e;
		return -1;
	}
	n->memfd = mfd;
	snprintf(n->path, sizeof(n->path), "/proc/self/fd/%d", mfd);
	return 0;
}

void
pmdb_setname__done(struct pmdb_setname *n, PMEMobjpool *pop)
{
	if (n->memfd >= 0)
		close(n->memfd);
	n->memfd = -1;
	if (n->dirfd < 0)
		return;
	if (pop) {
		pthread_mutex_lock(&kept_lock);
		for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
			if (!kept[i].pop) {
				kept[i].pop = pop;
				kept[i].dirfd = n->dirfd;
				n->dirfd = -1;
				break;
			}
		pthread_mutex_unlock(&kept_lock);
	}
	/* no pool, or no room to keep it: the pool works until it grows
	 * (a table of 16 open pools per process is far above what pmdb
	 * opens); closing now would let the number name another file */
	if (n->dirfd >= 0 && !pop)
		close(n->dirfd);
	n->dirfd = -1;
}

void
pmdb_pmdk__close(PMEMobjpool *pop)
{
	int fd = -1;

	if (!pop)
		return;
	pmemobj_close(pop);
	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i].pop == pop) {
			fd = kept[i].dirfd;
			kept[i].pop = NULL;
			break;
		}
	pthread_mutex_unlock(&kept_lock);
	if (fd >= 0)
		close(fd);
}
