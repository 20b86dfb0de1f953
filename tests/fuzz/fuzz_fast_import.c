/*
 * fuzz_fast_import.c -- libFuzzer target for the fast-import stream parser
 * (vcs/fastimport*.c), also linked into replay_fast_import.c so that the
 * corpus runs in every ctest.
 *
 * Each input is imported, as a whole stream, into a scratch repository in
 * /dev/shm (SHA-1 for even-sized inputs, SHA-256 for odd ones). The
 * repositories are recreated every FUZZ_RECREATE inputs so that the pool
 * does not grow without bound, and removed at exit. Output and the
 * cat-blob stream go to /dev/null.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fastimport.h"

#define FUZZ_RECREATE 2000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem_reader {
	const uint8_t *p;
	size_t left;
	size_t chunk;          /* short reads exercise the buffer refills */
};

static char fuzz_dir[2][64];
static vcs_repo *fuzz_repo[2];
static unsigned fuzz_runs[2];
static FILE *fuzz_null;

/** mem_read -- fi_read_fn over a memory buffer, in small pieces. */
static ssize_t
mem_read(void *ctx, void *buf, size_t n)
{
	struct mem_reader *r = ctx;

	if (n > r->left)
		n = r->left;
	if (n > r->chunk)
		n = r->chunk;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return (ssize_t)n;
}

/** rm_cb -- nftw callback removing one entry. */
static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/** cleanup -- close and remove the scratch repositories (atexit). */
static void
cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		vcs_repo_free(fuzz_repo[i]);
		fuzz_repo[i] = NULL;
		if (fuzz_dir[i][0])
			nftw(fuzz_dir[i], rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/** repo_for -- the scratch repository of format i, (re)created. */
static vcs_repo *
repo_for(int i)
{
	if (fuzz_repo[i] && fuzz_runs[i]++ < FUZZ_RECREATE)
		return fuzz_repo[i];
	if (fuzz_repo[i]) {
		vcs_repo_free(fuzz_repo[i]);
		fuzz_repo[i] = NULL;
		nftw(fuzz_dir[i], rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (!fuzz_null) {
		fuzz_null = fopen("/dev/null", "w");
		atexit(cleanup);
	}
	strcpy(fuzz_dir[i], "/dev/shm/pmvcs-fuzz.XXXXXX");
	if (!mkdtemp(fuzz_dir[i]))
		abort();
	vcs_open_opts oo = { 1000 };
	if (vcs_repo_init(&fuzz_repo[i], fuzz_dir[i], i ? PMDB_HASH_SHA256 : PMDB_HASH_SHA1,
			  NULL, &oo) < 0) {
		fprintf(stderr, "fuzz: cannot create a repository: %s\n", vcs_errmsg());
		abort();
	}
	fuzz_runs[i] = 1;
	return fuzz_repo[i];
}

/** LLVMFuzzerTestOneInput -- import one stream; any exit code is fine,
 *  crashes, leaks and sanitizer reports are not. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fmt = (int)(size & 1);
	vcs_repo *repo = repo_for(fmt);
	struct mem_reader r = { data, size, size ? 1 + (data[0] % 7) * 512 : 1 };
	fi_opts o;

	memset(&o, 0, sizeof(o));
	o.out = fuzz_null;
	o.err = fuzz_null;
	o.cat_blob = fuzz_null;
	o.quiet = 1;
	o.cwd = fuzz_dir[fmt];
	o.txn_bytes = 4096;    /* rotate objects txns often */
	o.export_marks = "fuzz.marks";  /* relative to cwd: the scratch dir */
	fi_import(repo, &o, mem_read, &r);
	return 0;
}
