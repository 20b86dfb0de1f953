/*
 * bench_hash.c -- the per-byte work of an import, inside libpmdb and
 * from the libraries directly.
 *
 * usage: bench_hash [-t SECONDS] [-s STREAM -d DIR]
 *
 *  - pmdb_hash_object on 16 KiB blobs, SHA-1 and SHA-256, one thread: MB
 *    per CPU second (bench/run.sh sets this beside `openssl speed -evp sha1
 *    -bytes 16384`, which also divides by CPU time);
 *    the same through OpenSSL EVP directly ("blob <n>\0" + data), to see
 *    what pmdb adds on top.
 *  - with a fast-import STREAM: LZ4_compress_default and
 *    LZ4_decompress_safe on each of its blobs (MB of raw bytes per CPU
 *    second, ratio);
 *    and pmdb_txn_put of the same blobs into a fresh pool in DIR/pmdb (one
 *    txn, commit included): MB/s of wall time and the pool's stored/raw
 *    ratio, against
 *    the floor of hashing + compressing each byte once on one core.
 * Results are "R <name> <value>" lines; MB is 10^6 bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <lz4.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"
#include "pmdb.h"

#define BLK 16384
#define NBLK 64          /* 1 MiB of distinct blocks, stays in L2/L3 */

static double hash_pmdb(pmdb_hash_algo algo, const uint8_t *buf, double secs);
static double hash_evp(const EVP_MD *md, const uint8_t *buf, double secs);
static void bench_lz4(const bu_stream *s);
static void bench_put(const bu_stream *s, const char *dir);

/*
 * hash_pmdb -- MB per CPU second of pmdb_hash_object over 16 KiB blocks,
 * for secs of CPU time.
 */
static double
hash_pmdb(pmdb_hash_algo algo, const uint8_t *buf, double secs)
{
	uint64_t t0 = bu_cpu_ns(), t, bytes = 0;
	pmdb_oid oid;
	size_t i = 0;

	do {
		for (int k = 0; k < 16; k++, i++) {
			if (pmdb_hash_object(&oid, algo, PMDB_OBJ_BLOB,
					     buf + (i % NBLK) * BLK, BLK) != 0)
				bu_die("pmdb_hash_object failed");
			bytes += BLK;
		}
		t = bu_cpu_ns();
	} while ((double)(t - t0) < secs * 1e9);
	return (double)bytes / ((double)(t - t0) * 1e-3);
}

/*
 * hash_evp -- MB/s of git's id computed with EVP directly.
 */
static double
hash_evp(const EVP_MD *md, const uint8_t *buf, double secs)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t t0 = bu_cpu_ns(), t, bytes = 0;
	unsigned char out[EVP_MAX_MD_SIZE];
	char hdr[32];
	int hl = snprintf(hdr, sizeof(hdr), "blob %d", BLK) + 1;
	size_t i = 0;

	if (!ctx)
		bu_die("EVP_MD_CTX_new failed");
	do {
		for (int k = 0; k < 16; k++, i++) {
			EVP_DigestInit_ex(ctx, md, NULL);
			EVP_DigestUpdate(ctx, hdr, (size_t)hl);
			EVP_DigestUpdate(ctx, buf + (i % NBLK) * BLK, BLK);
			EVP_DigestFinal_ex(ctx, out, NULL);
			bytes += BLK;
		}
		t = bu_cpu_ns();
	} while ((double)(t - t0) < secs * 1e9);
	EVP_MD_CTX_free(ctx);
	return (double)bytes / ((double)(t - t0) * 1e-3);
}

/*
 * bench_lz4 -- liblz4 directly on every blob of the stream.
 */
static void
bench_lz4(const bu_stream *s)
{
	size_t maxlen = 0;
	uint64_t t0, t1, t2, packed = 0;
	char *dst, *back;

	for (size_t i = 0; i < s->nblobs; i++)
		if (s->len[i] > maxlen)
			maxlen = s->len[i];
	dst = malloc((size_t)LZ4_compressBound((int)maxlen) + 1);
	back = malloc(maxlen + 1);
	if (!dst || !back)
		bu_die("out of memory");
	/* compress then decompress each blob; time the two halves apart */
	t1 = 0;
	t2 = 0;
	for (size_t i = 0; i < s->nblobs; i++) {
		int n;
		t0 = bu_cpu_ns();
		n = LZ4_compress_default((const char *)s->blob[i], dst, (int)s->len[i],
					 LZ4_compressBound((int)maxlen));
		t1 += bu_cpu_ns() - t0;
		if (n <= 0 && s->len[i])
			bu_die("LZ4_compress_default failed on blob %zu", i);
		packed += (uint64_t)n;
		t0 = bu_cpu_ns();
		if (LZ4_decompress_safe(dst, back, n, (int)maxlen) != (int)s->len[i])
			bu_die("LZ4_decompress_safe failed on blob %zu", i);
		t2 += bu_cpu_ns() - t0;
	}
	bu_result("lz4.compress_mb_s", (double)s->blob_bytes / ((double)t1 * 1e-3));
	bu_result("lz4.decompress_mb_s", (double)s->blob_bytes / ((double)t2 * 1e-3));
	bu_result("lz4.ratio", (double)packed / (double)s->blob_bytes);
	free(dst);
	free(back);
}

/*
 * bench_put -- every blob through pmdb_txn_put, one txn.
 */
static void
bench_put(const bu_stream *s, const char *dir)
{
	pmdb_open_opts opts = PMDB_OPEN_OPTS_INIT;
	pmdb_env *env;
	pmdb_txn *txn;
	pmdb_stat st;
	char path[4096];
	uint64_t t0, t1;
	int rc;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		bu_die("mkdir %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/pmdb", dir);
	opts.flags = PMDB_CREATE | PMDB_EXCL;
	if ((rc = pmdb_env_open(&env, path, &opts)) != 0) {
		bu_fail("pmdb.put", "pmdb_env_open %s: %s %s", path, pmdb_strerror(rc),
			pmdb_errdetail());
		return;
	}
	t0 = bu_now_ns();
	if ((rc = pmdb_txn_begin(env, &txn)) != 0)
		goto fail;
	for (size_t i = 0; i < s->nblobs; i++)
		if ((rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, s->blob[i], s->len[i], NULL)) != 0) {
			pmdb_txn_abort(txn);
			goto fail;
		}
	if ((rc = pmdb_txn_commit(txn)) != 0)
		goto fail;
	t1 = bu_now_ns();
	bu_result("pmdb.put_mb_s", (double)s->blob_bytes / ((double)(t1 - t0) * 1e-3));
	if (pmdb_env_stat(env, &st) == 0 && st.raw_bytes[PMDB_OBJ_BLOB])
		bu_result("pmdb.put_ratio", (double)st.stored_bytes /
			  (double)st.raw_bytes[PMDB_OBJ_BLOB]);
	pmdb_env_close(env);
	return;
fail:
	bu_fail("pmdb.put", "%s %s", pmdb_strerror(rc), pmdb_errdetail());
	pmdb_env_close(env);
}

int
main(int argc, char **argv)
{
	const char *stream = NULL, *dir = NULL;
	double secs = 0.5, sha1, sha256;
	uint8_t *buf;
	bu_stream s;
	int opt;

	while ((opt = getopt(argc, argv, "t:s:d:")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 's': stream = optarg; break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: bench_hash [-t SECONDS] [-s STREAM -d DIR]\n");
			return 2;
		}
	}
	buf = malloc((size_t)BLK * NBLK);
	if (!buf)
		bu_die("out of memory");
	for (size_t i = 0; i < (size_t)BLK * NBLK; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);

	sha1 = hash_pmdb(PMDB_HASH_SHA1, buf, secs);
	bu_result("pmdb.sha1_mb_s", sha1);
	bu_result("evp.sha1_mb_s", hash_evp(EVP_sha1(), buf, secs));
	sha256 = hash_pmdb(PMDB_HASH_SHA256, buf, secs);
	bu_result("pmdb.sha256_mb_s", sha256);
	bu_result("evp.sha256_mb_s", hash_evp(EVP_sha256(), buf, secs));
	free(buf);

	if (stream) {
		bu_stream_open(&s, stream);
		bu_result("stream.blobs", (double)s.nblobs);
		bu_result("stream.blob_mb", (double)s.blob_bytes * 1e-6);
		bench_lz4(&s);
		if (dir)
			bench_put(&s, dir);
		bu_stream_close(&s);
	}
	return 0;
}
