/*
 * heapcheck.c -- check the PMDK heap metadata that pmemobj_open and the
 * heap walk trust, before they run, from the part files.
 *
 * PMDK checksums its pool header, its pool descriptor and its heap header
 * and refuses a pool whose checksums fail; the zone and chunk headers and
 * the run headers it walks have no checksum, and PMDK checks them only in
 * pmemobj_check (heap_verify_zone), never at open: a flipped chunk type or
 * run block size is a wild pointer or a division by zero inside
 * pmemobj_open or pmemobj_next. This file checks what heap_verify_zone
 * checks (zone magic and size, every chunk's type and flags, chunk sizes
 * adding up to the zone) plus each run's block size, which PMDK divides
 * by, and the headers of a run's later chunks, which lead to its first.
 * Layout constants are PMDK 1.x's (src/libpmemobj/heap_layout.h, obj.h);
 * a pool it does not recognise (an unexpected heap offset) is
 * left to PMDK's own checks. What passes here can still be damaged (a
 * run's bitmap, a chunk's size inside its zone): pmdb_guard__run contains
 * the rest (guard.c).
 *
 * Cost: a few preads (the zone headers and the used chunk headers, ~8
 * bytes per 256 KiB chunk, and 16 bytes per run).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pool.h"

#define HDR_HEAP_OFFSET 5136      /* obj.h: pool hdr 4096 + layout 1024 +
                                     lanes_offset, nlanes */
#define HEAP_HDR_SIZE 1024ULL     /* struct heap_header */
#define ZONE_HDR_SIZE 64ULL       /* struct zone_header */
#define ZONE_MAGIC 0xC3F0A2D2u
#define MAX_CHUNKS 65528u         /* chunks per zone */
#define CHUNKSIZE (256ULL << 10)
#define ZONE_SIZE (ZONE_HDR_SIZE + 8ULL * MAX_CHUNKS + CHUNKSIZE * MAX_CHUNKS)
#define CHUNK_TYPE_RUN 4
#define CHUNK_TYPE_RUN_DATA 5
#define CHUNK_TYPE_MAX 6          /* types 1..5 exist */
#define CHUNK_FLAGS_VALID 0xFu
#define MAX_PARTS 1024

struct chunk_header {
	uint16_t type;
	uint16_t flags;
	uint32_t size_idx;
};

/* The pool as PMDK maps it: its part files one after the other (SINGLEHDR:
 * only the first has a header). */
struct parts {
	int fd[MAX_PARTS];
	uint64_t end[MAX_PARTS];  /* pool offset where part i ends */
	int n;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* parts_open -- open partdir's *.pmem in name order. @return 0, -1. */
static int
parts_open(struct parts *p, const char *partdir)
{
	char *names[MAX_PARTS], path[PATH_MAX];
	struct dirent *de;
	uint64_t at = 0;
	int n = 0, rc = 0;
	DIR *d = opendir(partdir);

	p->n = 0;
	if (!d)
		return -1;
	while (n < MAX_PARTS && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".pmem")) {
			if (!(names[n] = strdup(de->d_name)))
				rc = -1;   /* a part missing: no check */
			else
				n++;
		}
	}
	if (n == MAX_PARTS)
		rc = -1;   /* more than we map: no check */
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	for (int i = 0; i < n; i++) {
		struct stat st;
		int fd = -1;

		if (!rc && snprintf(path, sizeof(path), "%s/%s", partdir,
				    names[i]) < (int)sizeof(path))
			fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st)) {
			if (fd >= 0)
				close(fd);
			rc = -1;
		} else {
			at += (uint64_t)st.st_size;
			p->fd[p->n] = fd;
			p->end[p->n++] = at;
		}
		free(names[i]);
	}
	return rc;
}

static void
parts_close(struct parts *p)
{
	for (int i = 0; i < p->n; i++)
		close(p->fd[i]);
}

/* parts_read -- len bytes at pool offset off. @return 0, -1 (past the
 * end or a read error). */
static int
parts_read(const struct parts *p, uint64_t off, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		int i = 0;
		uint64_t start;
		size_t n;
		ssize_t r;

		while (i < p->n && off >= p->end[i])
			i++;
		if (i == p->n)
			return -1;
		start = i ? p->end[i - 1] : 0;
		n = p->end[i] - off < len ? (size_t)(p->end[i] - off) : len;
		r = pread(p->fd[i], b, n, (off_t)(off - start));
		if (r <= 0)
			return -1;
		b += r;
		off += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

/* check_run_data -- the chunks of the run at chunk i after the first
 * name it: type RUN_DATA, size_idx their distance from it (PMDK finds a
 * run's header from any of its chunks by that distance). */
static int
check_run_data(const char *setpath, unsigned z, const struct chunk_header *ch,
	       uint32_t i)
{
	for (uint32_t k = 1; k < ch[i].size_idx; k++)
		if (ch[i + k].type != CHUNK_TYPE_RUN_DATA ||
		    ch[i + k].size_idx != k)
			return pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is "
					    "damaged: heap zone %u chunk %u: "
					    "invalid run data header (type %u, "
					    "size %u)", setpath, z, i + k,
					    ch[i + k].type, ch[i + k].size_idx);
	return 0;
}

/* layout_known -- 1 if the heap header at hoff is the layout this file
 * knows (signature "MEMORY_HEAP_HDR", major 1: PMDK 1.5 to 2.x). A later
 * PMDK's layout is left to its own open to judge, never guessed at. */
static int
layout_known(const struct parts *p, uint64_t hoff)
{
	struct { char sig[16]; uint64_t major; } h;

	return parts_read(p, hoff, &h, sizeof(h)) == 0 &&
	       !memcmp(h.sig, "MEMORY_HEAP_HDR", 16) && h.major == 1;
}

/* check_zone -- heap_verify_zone of zone z at pool offset zoff, and the
 * block size of each run. @return 0, 1 (no zone here, or its headers
 * are not in the files: stop), PMDB_ECORRUPT, PMDB_ENOMEM. */
static int
check_zone(const struct parts *p, const char *setpath, unsigned z,
	   uint64_t zoff)
{
	uint32_t zh[2];
	struct chunk_header *ch;
	uint32_t i;
	int rc = 0;

	if (parts_read(p, zoff, zh, sizeof(zh)) || zh[0] == 0)
		return 1;
	if (zh[0] != ZONE_MAGIC)
		return pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is damaged: "
				    "heap zone %u: invalid magic", setpath, z);
	if (zh[1] == 0 || zh[1] > MAX_CHUNKS)
		return pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is damaged: "
				    "heap zone %u: invalid size %u", setpath,
				    z, zh[1]);
	if (!(ch = malloc(zh[1] * sizeof(*ch))))
		return pmdb__seterr(PMDB_ENOMEM, "heap check");
	if (parts_read(p, zoff + ZONE_HDR_SIZE, ch, zh[1] * sizeof(*ch))) {
		free(ch);
		return 1;   /* a short part: PMDK's open judges */
	}
	for (i = 0; i < zh[1] && !rc; i += ch[i].size_idx) {
		const struct chunk_header *c = &ch[i];
		uint64_t run[2];

		if (c->type == 0 || c->type >= CHUNK_TYPE_MAX ||
		    (c->flags & ~CHUNK_FLAGS_VALID))
			rc = pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is "
					  "damaged: heap zone %u chunk %u: "
					  "invalid type %u or flags %#x",
					  setpath, z, i, c->type, c->flags);
		else if (c->size_idx == 0 || c->size_idx > zh[1] - i)
			rc = pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is "
					  "damaged: heap zone %u chunk %u: "
					  "invalid size %u", setpath, z, i,
					  c->size_idx);
		else if (c->type == CHUNK_TYPE_RUN &&
			 (parts_read(p, zoff + ZONE_HDR_SIZE +
				     8ULL * MAX_CHUNKS + CHUNKSIZE * i, run,
				     sizeof(run)) ||
			  run[0] == 0 || run[0] > CHUNKSIZE * c->size_idx))
			rc = pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is "
					  "damaged: heap zone %u chunk %u: "
					  "invalid run block size %llu",
					  setpath, z, i,
					  (unsigned long long)run[0]);
		else if (c->type == CHUNK_TYPE_RUN)
			rc = check_run_data(setpath, z, ch, i);
	}
	free(ch);
	if (!rc && i != zh[1])
		rc = pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is damaged: heap "
				  "zone %u: chunk sizes do not add up",
				  setpath, z);
	return rc;
}

/*
 * pmdb_heap__check -- the checks of the file comment on the pool of
 * setpath (parts in partdir), closed. @return 0 (nothing found, or not a
 * pool this check knows: PMDK's open judges), PMDB_ECORRUPT naming
 * setpath and the damage, PMDB_ENOMEM, PMDB_EBUSY (another process has
 * the pool open: its heap may be changing; check again once it closed).
 * Holds a shared flock on the first part meanwhile, which PMDK's own
 * (exclusive) flock in pmemobj_open excludes.
 */
int
pmdb_heap__check(const char *setpath, const char *partdir)
{
	struct parts p;
	uint64_t hoff;
	int rc = 0;

	/* parts we cannot list or read: no check, PMDK's open judges */
	if (parts_open(&p, partdir) || !p.n) {
		parts_close(&p);
		return 0;
	}
	if (flock(p.fd[0], LOCK_SH | LOCK_NB) != 0) {
		/* another process has the pool open (PMDK's flock) and may
		 * be changing the heap: check after it closed */
		parts_close(&p);
		return PMDB_EBUSY;
	}
	if (parts_read(&p, HDR_HEAP_OFFSET, &hoff, sizeof(hoff)) == 0 &&
	    hoff % 4096 == 0 && hoff < p.end[0] && layout_known(&p, hoff)) {
		uint64_t zoff = hoff + HEAP_HDR_SIZE;

		for (unsigned z = 0; rc == 0; z++, zoff += ZONE_SIZE)
			rc = check_zone(&p, setpath, z, zoff);
		rc = rc == 1 ? 0 : rc;
	}
	flock(p.fd[0], LOCK_UN);
	parts_close(&p);
	return rc;
}
