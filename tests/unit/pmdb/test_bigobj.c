/*
 * test_bigobj.c -- chunked blobs: the write stream gives git's id, reads
 * (whole and streamed) give the bytes back, equal chunks are stored
 * once, check re-hashes them, gc keeps a kept blob's chunks and frees a
 * dropped one's.
 */
#include "helpers.h"

#define BIG_LEN (3 * PMDB_STREAM_CHUNK + 12345)

/* big_data -- three chunks: random-ish, zeros, zeros, and a short tail
 * (chunks 1 and 2 are equal: stored once). */
static uint8_t *
big_data(void)
{
	uint8_t *d = calloc(1, BIG_LEN);
	uint64_t x = 88172645463325252ULL;

	assert_non_null(d);
	for (size_t i = 0; i < PMDB_STREAM_CHUNK; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		d[i] = (uint8_t)x;
	}
	memset(d + 3 * PMDB_STREAM_CHUNK, 'z', 12345);
	return d;
}

/* put_big -- stream d into a new txn in uneven pieces; commit. */
static pmdb_oid
put_big(pmdb_env *env, const uint8_t *d)
{
	pmdb_wstream *s;
	pmdb_txn *txn;
	pmdb_oid oid;
	size_t off = 0, step = 1000003;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_stream_begin(txn, PMDB_HASH_SHA1,
					       PMDB_OBJ_BLOB, BIG_LEN, &s), 0);
	while (off < BIG_LEN) {
		size_t k = BIG_LEN - off < step ? BIG_LEN - off : step;

		assert_int_equal(pmdb_stream_write(s, d + off, k), 0);
		off += k;
	}
	assert_int_equal(pmdb_stream_finish(s, &oid), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	return oid;
}

/* count_cb -- pmdb_object_foreach: count objects. */
static int
count_cb(const pmdb_oid *oid, pmdb_otype type, uint64_t size, void *ctx)
{
	(void)oid, (void)type, (void)size;
	++*(int *)ctx;
	return 0;
}

/* test_pmdb__bigobj_roundtrip -- id, info, reads, dedup, check. */
static void
test_pmdb__bigobj_roundtrip(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "bigobj", PMDB_HASH_SHA1);
	uint8_t *d = big_data();
	pmdb_oid oid, want, hashed;
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_rstream *rs;
	pmdb_wstream *ws;
	pmdb_otype type;
	pmdb_stat st;
	const void *p;
	uint64_t size, problems = 1, off = 0;
	size_t len;
	int n = 0;

	(void)state;
	oid = put_big(env, d);
	assert_int_equal(pmdb_hash_object(&want, PMDB_HASH_SHA1,
					  PMDB_OBJ_BLOB, d, BIG_LEN), 0);
	assert_memory_equal(&oid, &want, sizeof(oid));
	/* hash only: the same id, nothing stored */
	assert_int_equal(pmdb_txn_stream_begin(NULL, PMDB_HASH_SHA1,
					       PMDB_OBJ_BLOB, BIG_LEN, &ws), 0);
	assert_int_equal(pmdb_stream_write(ws, d, BIG_LEN), 0);
	assert_int_equal(pmdb_stream_finish(ws, &hashed), 0);
	assert_memory_equal(&hashed, &want, sizeof(want));
	env = reopen(env, dir);
	assert_int_equal(pmdb_object_info(env, &oid, &type, &size), 0);
	assert_int_equal(type, PMDB_OBJ_BLOB);
	assert_int_equal(size, BIG_LEN);
	assert_int_equal(pmdb_object_read(env, &oid, &type, &buf), 0);
	assert_int_equal(buf.len, BIG_LEN);
	assert_memory_equal(buf.data, d, BIG_LEN);
	assert_int_equal(pmdb_object_stream(env, &oid, &type, &size, &rs), 0);
	while (!pmdb_stream_read(rs, &p, &len) && len) {
		assert_true(off + len <= BIG_LEN);
		assert_memory_equal(p, d + off, len);
		off += len;
		n++;
	}
	pmdb_stream_close(rs);
	assert_int_equal(off, BIG_LEN);
	assert_int_equal(n, 4);
	/* one git object listed; 3 distinct chunks + the manifest indexed */
	n = 0;
	assert_int_equal(pmdb_object_foreach(env, count_cb, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_int_equal(st.index_used, 4);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 1);
	assert_int_equal(st.raw_bytes[PMDB_OBJ_BLOB], BIG_LEN);
	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL, NULL,
					&problems), 0);
	assert_int_equal(problems, 0);
	/* a short write is refused */
	assert_int_equal(pmdb_txn_stream_begin(NULL, PMDB_HASH_SHA1,
					       PMDB_OBJ_BLOB, 10, &ws), 0);
	assert_int_equal(pmdb_stream_write(ws, d, 11), PMDB_EINVAL);
	assert_int_equal(pmdb_stream_finish(ws, NULL), PMDB_EINVAL);
	pmdb_buf_free(&buf);
	free(d);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* keep_blobs -- gc callback: keep blobs iff *ctx. */
static int
keep_blobs(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	(void)oid;
	assert_int_not_equal(type, PMDB_OBJ_CHUNK); /* never asked */
	return *(int *)ctx;
}

/* test_pmdb__bigobj_gc -- chunks live exactly as long as their blob. */
static void
test_pmdb__bigobj_gc(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "bigobj_gc", PMDB_HASH_SHA1);
	uint8_t *d = big_data();
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_gc_stat gs;
	pmdb_stat st;
	pmdb_oid oid;
	uint64_t problems = 1;
	int keep = 1;

	(void)state;
	oid = put_big(env, d);
	env = reopen(env, dir);
	/* keeping every blob keeps their chunks: nothing to free */
	assert_int_equal(pmdb_env_gc(env, keep_blobs, &keep, &gs), 0);
	assert_int_equal(gs.freed, 0);
	assert_int_equal(pmdb_object_read(env, &oid, NULL, &buf), 0);
	assert_memory_equal(buf.data, d, BIG_LEN);
	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL, NULL,
					&problems), 0);
	assert_int_equal(problems, 0);
	keep = 0;
	assert_int_equal(pmdb_env_gc(env, keep_blobs, &keep, &gs), 0);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_int_equal(st.index_used, 0);
	assert_int_equal(pmdb_object_info(env, &oid, NULL, NULL),
			 PMDB_ENOTFOUND);
	pmdb_buf_free(&buf);
	free(d);
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__bigobj_roundtrip),
		cmocka_unit_test(test_pmdb__bigobj_gc),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
