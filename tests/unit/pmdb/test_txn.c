/*
 * test_txn.c -- puts, reads, dedup, abort, bulk, index growth, prefixes.
 */
#include <time.h>
#include "helpers.h"
#include "env.h"

static void
test_pmdb__put_read_info(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "put", PMDB_HASH_SHA1);
	char big[10000];
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_oid a, b;
	pmdb_otype t;
	uint64_t size;
	pmdb_txn *txn;

	memset(big, 'x', sizeof(big));
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "hello\n", 6, &a), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_TREE, big, sizeof(big),
				      &b), 0);
	/* visible to the txn, not to readers */
	assert_int_equal(pmdb_txn_has(txn, &a), 1);
	assert_int_equal(pmdb_txn_info(txn, &b, &t, &size), 0);
	assert_int_equal(t, PMDB_OBJ_TREE);
	assert_int_equal(size, sizeof(big));
	assert_int_equal(pmdb_txn_read(txn, &b, &t, &buf), 0);
	assert_int_equal(buf.len, sizeof(big));
	assert_memory_equal(buf.data, big, sizeof(big));
	assert_int_equal(pmdb_object_info(env, &a, NULL, NULL),
			 PMDB_ENOTFOUND);
	{
		pmdb_oid e;
		char hex[41];

		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, NULL, 0, &e),
				 0);
		assert_string_equal(pmdb_oid_fmt(hex, &e, PMDB_HASH_SHA1),
				    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	{
		pmdb_oid e;

		pmdb_hash_object(&e, PMDB_HASH_SHA1, PMDB_OBJ_BLOB, "", 0);
		assert_int_equal(pmdb_object_read(env, &e, &t, &buf), 0);
		assert_int_equal(buf.len, 0);
		assert_int_equal(t, PMDB_OBJ_BLOB);
	}
	assert_int_equal(pmdb_object_info(env, &a, &t, &size), 0);
	assert_int_equal(t, PMDB_OBJ_BLOB);
	assert_int_equal(size, 6);
	assert_int_equal(pmdb_object_read(env, &b, &t, &buf), 0);
	assert_memory_equal(buf.data, big, sizeof(big));
	assert_int_equal(buf.data[buf.len], 0);
	{
		pmdb_stat st;

		assert_int_equal(pmdb_env_stat(env, &st), 0);
		assert_int_equal(st.compressed, 1);
		assert_int_equal(st.objects[PMDB_OBJ_TREE], 1);
		assert_true(st.stored_bytes < 1000);
	}
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__dedup(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "dedup", PMDB_HASH_SHA1);
	pmdb_oid a, b;
	pmdb_stat s1, s2;
	pmdb_txn *txn;

	a = put_one(env, PMDB_OBJ_BLOB, "same");
	pmdb_env_stat(env, &s1);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "same", 4, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "new", 3, &b), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "new", 3, &b), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	pmdb_env_stat(env, &s2);
	assert_int_equal(s2.objects[PMDB_OBJ_BLOB], 2);
	assert_int_equal(s2.index_used, 2);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__abort_leaves_nothing(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "abort", PMDB_HASH_SHA1);
	pmdb_oid a, r;
	pmdb_stat st;
	pmdb_txn *txn;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "gone", 4, &a), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/x", &a,
					  PMDB_EXPECT_ANY), 0);
	pmdb_txn_abort(txn);
	assert_int_equal(pmdb_object_info(env, &a, NULL, NULL),
			 PMDB_ENOTFOUND);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/x", &r, NULL),
			 PMDB_ENOTFOUND);
	/* the space is reused: a new put lands where "gone" was */
	put_one(env, PMDB_OBJ_BLOB, "kept");
	env = reopen(env, dir);
	assert_int_equal(pmdb_object_info(env, &a, NULL, NULL),
			 PMDB_ENOTFOUND);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 1);
	assert_int_equal(st.txn_seq, 1);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__badtxn(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "badtxn", PMDB_HASH_SHA1);
	pmdb_txn *txn;
	pmdb_oid a;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, 9, "x", 1, &a), PMDB_EINVAL);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "x", 1, &a),
			 PMDB_EBADTXN);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/a", &a, NULL),
			 PMDB_EBADTXN);
	assert_int_equal(pmdb_txn_commit(txn), PMDB_EBADTXN);
	/* the writer slot is free again */
	put_one(env, PMDB_OBJ_BLOB, "after");
	pmdb_env_close(env);
	test_rmtree(dir);
}

#define BULK 100000

/* bulk_data -- the i-th test object (distinct, small). */
static size_t
bulk_data(char *out, unsigned i)
{
	return (size_t)sprintf(out, "object number %u\n", i);
}

static void
test_pmdb__bulk_100k_reopen(void **state)
{
	char *dir, d[64];
	pmdb_env *env = open_new(&dir, "bulk", PMDB_HASH_SHA1);
	pmdb_oid *ids = malloc(BULK * sizeof(*ids));
	pmdb_objinfo *info = malloc(BULK * sizeof(*info));
	pmdb_buf buf = PMDB_BUF_INIT;
	struct timespec t0, t1;
	pmdb_txn *txn;
	pmdb_stat st;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (unsigned i = 0; i < BULK; i++)
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      bulk_data(d, i), &ids[i]), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("%d puts + commit: %.3f s (%.0f/s)\n", BULK, s, BULK / s);
	env = reopen(env, dir);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], BULK);
	assert_true(st.index_slots >= BULK * 4 / 3);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < BULK; i++)
		assert_int_equal(pmdb_object_info(env, &ids[i], NULL, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("info: %.0f ns/lookup\n", s * 1e9 / BULK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pmdb_object_info_many(env, ids, BULK, info), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("info_many: %.0f ns/id\n", s * 1e9 / BULK);
	for (unsigned i = 0; i < BULK; i++) {
		size_t n = bulk_data(d, i);

		assert_int_equal(info[i].err, 0);
		assert_int_equal(info[i].size, n);
		assert_int_equal(pmdb_object_read(env, &ids[i], NULL, &buf), 0);
		assert_int_equal(buf.len, n);
		assert_memory_equal(buf.data, d, n);
	}
	pmdb_buf_free(&buf);
	free(info);
	free(ids);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__index_growth(void **state)
{
	char *dir, d[64];
	pmdb_env *env = open_new(&dir, "grow", PMDB_HASH_SHA256);
	pmdb_oid ids[20000];
	pmdb_stat st;
	unsigned n = 0;

	/* many small commits: the 4096-slot index rehashes several times */
	for (unsigned c = 0; c < 40; c++) {
		pmdb_txn *txn;

		assert_int_equal(pmdb_txn_begin(env, &txn), 0);
		for (unsigned i = 0; i < 500; i++, n++)
			assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_COMMIT, d,
						      bulk_data(d, n),
						      &ids[n]), 0);
		assert_int_equal(pmdb_txn_commit(txn), 0);
		for (unsigned i = 0; i < n; i += 97)
			assert_int_equal(pmdb_object_info(env, &ids[i], NULL,
							  NULL), 0);
	}
	pmdb_env_stat(env, &st);
	assert_int_equal(st.index_used, n);
	assert_true(st.index_slots >= 32768);
	env = reopen(env, dir);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(pmdb_object_info(env, &ids[i], NULL, NULL), 0);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__resolve_prefix(void **state)
{
	char *dir, hex[PMDB_OID_HEXMAX + 1], d[64];
	pmdb_env *env = open_new(&dir, "prefix", PMDB_HASH_SHA1);
	pmdb_oid ids[3000], out;
	pmdb_txn *txn;
	int amb = 0;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (unsigned i = 0; i < 3000; i++)
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      bulk_data(d, i), &ids[i]), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	for (unsigned i = 0; i < 3000; i++) {
		int rc;

		pmdb_oid_fmt(hex, &ids[i], PMDB_HASH_SHA1);
		assert_int_equal(pmdb_object_resolve_prefix(env, hex, 12,
							    &out), 0);
		assert_memory_equal(&out, &ids[i], sizeof(out));
		assert_int_equal(pmdb_object_resolve_prefix(env, hex, 40,
							    &out), 0);
		rc = pmdb_object_resolve_prefix(env, hex, 4, &out);
		/* 3000 ids over 65536 4-digit prefixes: some collide */
		assert_true(rc == 0 || rc == PMDB_EAMBIGUOUS);
		amb += rc == PMDB_EAMBIGUOUS;
		if (rc == 0)
			assert_memory_equal(&out, &ids[i], sizeof(out));
	}
	assert_true(amb > 0);
	assert_int_equal(pmdb_object_resolve_prefix(env, "zzzz", 4, &out),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_object_resolve_prefix(env, "abc", 3, &out),
			 PMDB_EINVAL);
	/* an id not stored */
	pmdb_hash_object(&out, PMDB_HASH_SHA1, PMDB_OBJ_TAG, "no", 2);
	pmdb_oid_fmt(hex, &out, PMDB_HASH_SHA1);
	assert_int_equal(pmdb_object_resolve_prefix(env, hex, 16, &out),
			 PMDB_ENOTFOUND);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__info_many_missing(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "many", PMDB_HASH_SHA1);
	pmdb_oid ids[3];
	pmdb_objinfo out[3];

	ids[0] = put_one(env, PMDB_OBJ_BLOB, "one");
	pmdb_hash_object(&ids[1], PMDB_HASH_SHA1, PMDB_OBJ_BLOB, "two", 3);
	ids[2] = put_one(env, PMDB_OBJ_TAG, "three");
	assert_int_equal(pmdb_object_info_many(env, ids, 3, out), 0);
	assert_int_equal(out[0].err, 0);
	assert_int_equal(out[0].size, 3);
	assert_int_equal(out[1].err, PMDB_ENOTFOUND);
	assert_int_equal(out[2].type, PMDB_OBJ_TAG);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* count_cb -- foreach callback counting objects. */
static int
count_cb(const pmdb_oid *oid, pmdb_otype type, uint64_t size, void *ctx)
{
	(*(int *)ctx)++;
	return 0;
}

static void
test_pmdb__object_foreach(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "foreach", PMDB_HASH_SHA1);
	int n = 0;

	put_one(env, PMDB_OBJ_BLOB, "a");
	put_one(env, PMDB_OBJ_BLOB, "b");
	put_one(env, PMDB_OBJ_TREE, "c");
	assert_int_equal(pmdb_object_foreach(env, count_cb, &n), 0);
	assert_int_equal(n, 3);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* reflog records: stored, read and checked, but no git object: not
 * listed, not matched by a short id, not counted per type */
static void
test_pmdb__log_records_hidden(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "logrec", PMDB_HASH_SHA1);
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_otype type = PMDB_OBJ_NONE;
	pmdb_oid id, out;
	pmdb_stat st;
	uint64_t nprob = 1;
	int n = 0;

	put_one(env, PMDB_OBJ_BLOB, "a");
	id = put_one(env, PMDB_OBJ_LOG, "an entry");
	assert_string_equal(pmdb_otype_name(PMDB_OBJ_LOG), "reflog");
	assert_int_equal(pmdb_object_read(env, &id, &type, &buf), 0);
	assert_int_equal(type, PMDB_OBJ_LOG);
	assert_int_equal(buf.len, 8);
	assert_int_equal(pmdb_object_foreach(env, count_cb, &n), 0);
	assert_int_equal(n, 1);
	pmdb_oid_fmt(hex, &id, PMDB_HASH_SHA1);
	assert_int_equal(pmdb_object_resolve_prefix(env, hex, 12, &out),
			 PMDB_ENOTFOUND);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_int_equal(st.objects[1] + st.objects[2] + st.objects[3] +
			 st.objects[4], 1);
	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL, NULL,
					&nprob), 0);
	assert_int_equal(nprob, 0);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__put_read_info),
		cmocka_unit_test(test_pmdb__dedup),
		cmocka_unit_test(test_pmdb__abort_leaves_nothing),
		cmocka_unit_test(test_pmdb__badtxn),
		cmocka_unit_test(test_pmdb__bulk_100k_reopen),
		cmocka_unit_test(test_pmdb__index_growth),
		cmocka_unit_test(test_pmdb__resolve_prefix),
		cmocka_unit_test(test_pmdb__info_many_missing),
		cmocka_unit_test(test_pmdb__object_foreach),
		cmocka_unit_test(test_pmdb__log_records_hidden),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
