/*
 * test_concurrent_tree_put.c -- synchronous puts of trees while an env's
 * workers run (an import): pmdb_txn_put copies them to a worker's
 * scratch, so the caller's bytes are free at once; reads, info and has
 * of such puts (and of lent blobs) still in flight see the raw bytes;
 * after commit and reopen every record holds exactly what was put.
 */
#include "helpers.h"

#define NTREE 400

/* fill -- n bytes that lz4 compresses, different for each seed. */
static void
fill(uint8_t *out, size_t n, uint64_t seed)
{
	for (size_t k = 0; k < n; k++)
		out[k] = (uint8_t)"100644 name\0abcdefghij"[(k + seed) % 22];
	memcpy(out, &seed, sizeof(seed));
}

/* tree_len -- size of the i-th tree: some under 256 B (stored inline),
 * most between, a few over the copy limit (64 KiB). */
static size_t
tree_len(uint64_t i)
{
	if (i % 50 == 7)
		return (64u << 10) + 100 + (size_t)i;
	return 200 + (size_t)(i * 131 % 6000);
}

static void
test_pmdb__concurrent_tree_put_copies(void **state)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char *dir = test_tmpdir("concurrent-tree");
	pmdb_env *env = NULL;
	pmdb_oid ids[NTREE], bid[NTREE], want;
	uint8_t *tb = malloc(80u << 10), *blobs = malloc(NTREE * 8192);
	pmdb_buf rb = PMDB_BUF_INIT;
	pmdb_otype type;
	pmdb_txn *txn;
	uint64_t size;

	(void)state;
	assert_non_null(tb);
	assert_non_null(blobs);
	o.flags = PMDB_CREATE;
	o.max_size = 8ULL << 30;
	o.workers = 1;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (uint64_t i = 0; i < NTREE; i++) {
		size_t n = tree_len(i);

		/* a lent blob keeps the worker busy, so trees queue behind */
		fill(blobs + i * 8192, 8192, i + 1000000);
		assert_int_equal(pmdb_txn_put_async(txn, PMDB_OBJ_BLOB,
						    blobs + i * 8192, 8192,
						    &bid[i], NULL), 0);
		fill(tb, n, i);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_TREE, tb, n,
					      &ids[i]), 0);
		assert_int_equal(pmdb_hash_object(&want, PMDB_HASH_SHA1,
						  PMDB_OBJ_TREE, tb, n), 0);
		assert_memory_equal(want.id, ids[i].id, 20);
		/* the caller's buffer is free at once: scribble on it */
		memset(tb, 0xa5, n);
		assert_true(pmdb_txn_has(txn, &ids[i]));
		assert_int_equal(pmdb_txn_info(txn, &ids[i], &type, &size), 0);
		assert_int_equal(type, PMDB_OBJ_TREE);
		assert_int_equal(size, n);
		if (i % 3 == 0) {
			/* a read while the put may still be in flight */
			assert_int_equal(pmdb_txn_read(txn, &ids[i], &type,
						       &rb), 0);
			fill(tb, n, i);
			assert_int_equal(type, PMDB_OBJ_TREE);
			assert_int_equal(rb.len, n);
			assert_memory_equal(rb.data, tb, n);
			assert_int_equal(rb.data[n], 0);
		}
		if (i % 5 == 0) {
			assert_int_equal(pmdb_txn_read(txn, &bid[i], &type,
						       &rb), 0);
			assert_int_equal(type, PMDB_OBJ_BLOB);
			assert_int_equal(rb.len, 8192);
			assert_memory_equal(rb.data, blobs + i * 8192, 8192);
		}
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	free(blobs);
	env = reopen(env, dir);
	for (uint64_t i = 0; i < NTREE; i++) {
		size_t n = tree_len(i);

		fill(tb, n, i);
		assert_int_equal(pmdb_object_read(env, &ids[i], &type, &rb),
				 0);
		assert_int_equal(type, PMDB_OBJ_TREE);
		assert_int_equal(rb.len, n);
		assert_memory_equal(rb.data, tb, n);
		assert_int_equal(pmdb_object_info(env, &bid[i], &type, &size),
				 0);
		assert_int_equal(size, 8192);
	}
	{
		uint64_t np = 1;

		assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL,
						NULL, &np), 0);
		assert_int_equal(np, 0);
	}
	pmdb_buf_free(&rb);
	free(tb);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* gate_case -- NTREE/4 trees that lz4 cannot shrink, then as many that
 * it can, and blobs that it cannot; workers as given. @return objects
 * stored compressed. */
static uint64_t
gate_case(const char *tag, int workers)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char *dir = test_tmpdir(tag);
	pmdb_env *env = NULL;
	uint8_t buf[1024];
	uint64_t x = 88172645463325252ULL;
	pmdb_stat st;
	pmdb_txn *txn;
	pmdb_oid id;

	o.flags = PMDB_CREATE;
	o.workers = workers;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	if (workers) {
		/* start them: tree puts use running workers only */
		uint64_t t;

		memset(buf, 0, sizeof(buf));
		assert_int_equal(pmdb_txn_put_async(txn, PMDB_OBJ_BLOB, buf,
						    300, &id, &t), 0);
		assert_int_equal(pmdb_txn_put_wait(txn, t), 0);
	}
	for (int i = 0; i < NTREE / 4; i++) {
		for (size_t k = 0; k < sizeof(buf); k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_TREE, buf,
					      sizeof(buf), &id), 0);
		/* blobs are always tried: these do not shrink either */
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, buf + 1,
					      sizeof(buf) - 1, &id), 0);
	}
	for (int i = 0; i < NTREE / 4; i++) {
		fill(buf, sizeof(buf), (uint64_t)i);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_TREE, buf,
					      sizeof(buf), &id), 0);
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	pmdb_env_close(env);
	test_rmtree(dir);
	return st.compressed;
}

/* The gate skips lz4 for trees after a run of misses (so the first
 * compressible trees after it stay raw), and a probe opens it again (at
 * most PROBE - 1 of them raw per gate), inline and on workers alike; the
 * blob that starts the workers compresses (zeros). */
static void
test_pmdb__concurrent_tree_put_gate(void **state)
{
	uint64_t c;

	(void)state;
	c = gate_case("tree-gate-inline", 0);
	assert_true(c >= NTREE / 4 - 15);
	assert_true(c < NTREE / 4);
	/* the writer may run some jobs itself (on its own gate) */
	c = gate_case("tree-gate-workers", 1);
	assert_true(c >= NTREE / 4 - 2 * 15 + 1);
	assert_true(c <= NTREE / 4 + 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__concurrent_tree_put_copies),
		cmocka_unit_test(test_pmdb__concurrent_tree_put_gate),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
