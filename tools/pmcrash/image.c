/*
 * image.c -- build the crash image of a killed run.
 *
 * After the power cut each pool file holds every store the run made (the
 * page cache outlives the process), and its shadow holds only what was
 * flushed. Every unit (page or cache line) where they differ was written
 * and not flushed: at a real power loss it may or may not have reached the
 * media. The image takes, per unit, the file's bytes ("kept") or the
 * shadow's ("dropped"): all kept, all dropped, or a seeded random subset.
 * The choice for a given seed depends only on the order of differing units
 * (files in the order the run first mapped them, units by offset), so the
 * same run and seed give the same image, byte for byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmcrash.h"

#define CHUNK (1u << 20)

/* mix64 -- see pmcrash.h */
uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* mix_file -- apply the image rule to one file/shadow pair */
static int mix_file(const char *path, const char *shadow, unsigned unit,
		    enum image_mode mode, uint64_t *rng, struct image_stats *st)
{
	static char a[CHUNK], b[CHUNK];
	int rc = -1;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int sd = open(shadow, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || sd < 0) {
		/* a file the run created and removed again: nothing to do */
		if (fd < 0 && errno == ENOENT)
			rc = 0;
		else
			fprintf(stderr, "pmcrash: cannot open %s or its shadow: %s\n", path,
				strerror(errno));
		goto out;
	}
	st->files++;
	/* a hole in the file was never written, so its shadow is zero there
	 * too: only the file's data extents can differ */
	off_t size = lseek(fd, 0, SEEK_END), hole = 0;
	for (off_t off = 0; off < size; off += CHUNK) {
		if (off >= hole) {
			off = lseek(fd, off, SEEK_DATA);
			if (off < 0)
				break;
			off &= ~(off_t)(CHUNK - 1);
			hole = lseek(fd, off, SEEK_HOLE);
			if (hole < 0)
				hole = size;
		}
		ssize_t n = pread(fd, a, CHUNK, off);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		ssize_t m = pread(sd, b, (size_t)n, off);
		if (m < 0)
			goto out;
		/* past the shadow's end the file was zeros when first mapped */
		memset(b + m, 0, (size_t)(n - m));
		int dirty = 0;
		for (ssize_t u = 0; u < n; u += unit) {
			size_t len = (size_t)(n - u) < unit ? (size_t)(n - u) : unit;
			if (!memcmp(a + u, b + u, len))
				continue;
			st->differ++;
			int drop;
			if (mode == MODE_DROP_ALL)
				drop = 1;
			else if (mode == MODE_KEEP_ALL)
				drop = 0;
			else
				drop = (int)((*rng = mix64(*rng)) & 1);
			if (drop) {
				memcpy(a + u, b + u, len);
				st->dropped++;
				dirty = 1;
			}
		}
		if (dirty && pwrite(fd, a, (size_t)n, off) != n)
			goto out;
	}
	rc = 0;
out:
	if (rc && fd >= 0)
		fprintf(stderr, "pmcrash: cannot build the image of %s: %s\n", path,
			strerror(errno));
	if (fd >= 0)
		close(fd);
	if (sd >= 0)
		close(sd);
	return rc;
}

/* image_build -- see pmcrash.h */
int image_build(const char *state_dir, const char *orig_root, const char *run_dir,
		unsigned unit, enum image_mode mode, uint64_t seed, struct image_stats *st)
{
	char p[4096], line[8192];
	memset(st, 0, sizeof(*st));
	snprintf(p, sizeof(p), "%s/files", state_dir);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0; /* the run never mapped a pool file */
	uint64_t rng = seed;
	size_t rl = strlen(orig_root);
	int rc = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		const char *path = tab + 1;
		char real[16384], shadow[16384];
		if (!strncmp(path, orig_root, rl))
			snprintf(real, sizeof(real), "%s%s", run_dir, path + rl);
		else
			snprintf(real, sizeof(real), "%s", path);
		snprintf(shadow, sizeof(shadow), "%s/shadow/%s", state_dir, line);
		if (mix_file(real, shadow, unit, mode, &rng, st) != 0)
			rc = -1;
	}
	fclose(f);
	return rc;
}
