/*
 * test_view.c -- zero-copy views (pmdb_object_view) and the batched
 * lookup against single lookups.
 */
#include "helpers.h"

/* test_pmdb__view_raw_and_compressed -- a commit is viewed in place,
 * a compressible blob through the guard's copy; both match the data. */
static void
test_pmdb__view_raw_and_compressed(void **state)
{
	char *dir, *commit = malloc(4096), *blob = malloc(8192);
	pmdb_env *env = open_new(&dir, "view", PMDB_HASH_SHA1);
	pmdb_view_guard *g1, *g2;
	const void *p1, *p2;
	pmdb_oid c, b, none;
	pmdb_otype t1, t2;
	pmdb_txn *txn;
	pmdb_stat st;
	size_t l1, l2;

	(void)state;
	memset(commit, 'c', 4096);
	memcpy(commit, "tree ", 5);
	memset(blob, 'b', 8192);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_COMMIT, commit, 4096, &c),
			 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, blob, 8192, &b), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_int_equal(st.compressed, 1);      /* the blob, not the commit */
	assert_int_equal(pmdb_object_view(env, &c, &t1, &p1, &l1, &g1), 0);
	/* a second view while the first is held (nested epochs) */
	assert_int_equal(pmdb_object_view(env, &b, &t2, &p2, &l2, &g2), 0);
	assert_int_equal(t1, PMDB_OBJ_COMMIT);
	assert_int_equal(l1, 4096);
	assert_memory_equal(p1, commit, 4096);
	assert_int_equal(t2, PMDB_OBJ_BLOB);
	assert_int_equal(l2, 8192);
	assert_memory_equal(p2, blob, 8192);
	pmdb_view_release(g2);
	pmdb_view_release(g1);
	pmdb_view_release(NULL);
	memset(&none, 0x5a, sizeof(none));
	memset(none.id + 20, 0, sizeof(none.id) - 20);
	g1 = (pmdb_view_guard *)&none;
	assert_int_equal(pmdb_object_view(env, &none, NULL, &p1, &l1, &g1),
			 PMDB_ENOTFOUND);
	assert_null(g1);
	/* after every release, a writer can still grow the index and gc */
	for (int i = 0; i < 5000; i++) {
		char d[32];

		if (i % 1000 == 0)
			assert_int_equal(pmdb_txn_begin(env, &txn), 0);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      (size_t)sprintf(d, "v %d", i),
					      NULL), 0);
		if (i % 1000 == 999)
			assert_int_equal(pmdb_txn_commit(txn), 0);
	}
	assert_int_equal(pmdb_object_view(env, &c, NULL, &p1, &l1, &g1), 0);
	assert_memory_equal(p1, commit, 4096);
	pmdb_view_release(g1);
	pmdb_env_close(env);
	free(commit);
	free(blob);
	test_rmtree(dir);
}

/* test_pmdb__info_many_matches_info -- on a table with collisions and
 * misses, every batched result equals the single lookup's. */
static void
test_pmdb__info_many_matches_info(void **state)
{
	enum { N = 30000 };
	char *dir;
	pmdb_env *env = open_new(&dir, "many", PMDB_HASH_SHA256);
	pmdb_oid *ids = calloc(2 * N, sizeof(*ids));
	pmdb_objinfo *out = calloc(2 * N, sizeof(*out));
	pmdb_txn *txn;

	(void)state;
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < N; i++) {
		char d[32];

		assert_int_equal(pmdb_txn_put(txn, (pmdb_otype)(1 + i % 4), d,
					      (size_t)sprintf(d, "m %d", i),
					      &ids[2 * i]), 0);
		/* a miss sharing the first 8 bytes (and the home slot) */
		ids[2 * i + 1] = ids[2 * i];
		ids[2 * i + 1].id[31] ^= 1;
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_object_info_many(env, ids, 2 * N, out), 0);
	for (int i = 0; i < 2 * N; i++) {
		pmdb_otype t = PMDB_OBJ_NONE;
		uint64_t sz = 0;
		int rc = pmdb_object_info(env, &ids[i], &t, &sz);

		assert_int_equal(out[i].err, rc);
		assert_int_equal(out[i].type, rc ? PMDB_OBJ_NONE : t);
		assert_int_equal(out[i].size, rc ? 0 : sz);
		assert_int_equal(rc, (i & 1) ? PMDB_ENOTFOUND : 0);
	}
	assert_int_equal(pmdb_object_info_many(env, ids, 3, out), 0);
	assert_int_equal(pmdb_object_info_many(env, NULL, 0, NULL), 0);
	free(ids);
	free(out);
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__view_raw_and_compressed),
		cmocka_unit_test(test_pmdb__info_many_matches_info),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
