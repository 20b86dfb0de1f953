/*
 * test_stat.c -- pmdb_env_stat's sizes, gc with nothing to free, and the
 * per-call error detail.
 */
#include "helpers.h"

/* put_many -- n distinct blobs of len bytes in one txn. */
static void
put_many(pmdb_env *env, int n, size_t len, int base)
{
	char *d = calloc(1, len + 32);
	pmdb_txn *txn;

	assert_non_null(d);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < n; i++) {
		int k = sprintf(d, "obj %d ", base + i);

		memset(d + k, 'a' + (i % 26), len - (size_t)k);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d, len,
					      NULL), 0);
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	free(d);
}

/* test_pmdb__stat_pool_free -- free space is the pool's size minus what
 * its allocations hold: 20 MB of extents leave less than pool - 20 MB. */
static void
test_pmdb__stat_pool_free(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "stat", PMDB_HASH_SHA1);
	pmdb_stat st;

	(void)state;
	put_many(env, 5000, 4000, 0);    /* ~20 MB raw, incompressible-ish */
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	print_message("pool %llu bytes, free %llu, extents %llu bytes\n",
		      (unsigned long long)st.pool_bytes,
		      (unsigned long long)st.pool_free,
		      (unsigned long long)st.extent_bytes);
	assert_true(st.pool_bytes > 0);
	assert_true(st.pool_free < st.pool_bytes);
	assert_true(st.pool_free + st.extent_bytes <= st.pool_bytes);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* keep_all -- gc callback keeping everything. */
static int
keep_all(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	(void)oid;
	(void)type;
	++*(int *)ctx;
	return 1;
}

/* test_pmdb__gc_nothing_to_free -- keep() accepting all copies nothing:
 * the extents stay, the pool does not grow, keep() runs once per object
 * and the byte counts are filled. */
static void
test_pmdb__gc_nothing_to_free(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "gcnop", PMDB_HASH_SHA1);
	pmdb_stat a, b;
	pmdb_gc_stat gs;
	int calls = 0;

	(void)state;
	put_many(env, 3000, 300, 0);
	assert_int_equal(pmdb_env_stat(env, &a), 0);
	memset(&gs, 0xff, sizeof(gs));
	assert_int_equal(pmdb_env_gc(env, keep_all, &calls, &gs), 0);
	assert_int_equal(calls, 3000);
	assert_int_equal(gs.kept, 3000);
	assert_int_equal(gs.freed, 0);
	assert_true(gs.bytes_before > 0);
	assert_int_equal(gs.bytes_before, gs.bytes_after);
	assert_int_equal(gs.bytes_before, a.extent_bytes);
	assert_int_equal(pmdb_env_stat(env, &b), 0);
	assert_int_equal(a.extents, b.extents);
	assert_int_equal(a.pool_bytes, b.pool_bytes);
	assert_int_equal(a.txn_seq, b.txn_seq);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* stop_cb -- ref_foreach callback that stops at once with 7. */
static int
stop_cb(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	(void)name;
	(void)oid;
	(void)target;
	(void)ctx;
	return 7;
}

/* test_pmdb__errdetail_not_stale -- a call that fails (or ends) without
 * a message of its own leaves "" rather than an earlier call's detail. */
static void
test_pmdb__errdetail_not_stale(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "errd", PMDB_HASH_SHA1);
	pmdb_oid oid;
	pmdb_txn *txn;

	(void)state;
	memset(&oid, 0, sizeof(oid));
	oid.id[0] = 1;
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", &oid,
					  NULL), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_oid_parse(&oid, "xyz", 3, PMDB_HASH_SHA1),
			 PMDB_EINVAL);
	assert_true(pmdb_errdetail()[0] != '\0');
	assert_int_equal(pmdb_ref_foreach(env, "", stop_cb, NULL), 7);
	assert_string_equal(pmdb_errdetail(), "");
	assert_int_equal(pmdb_oid_parse(&oid, "xyz", 3, PMDB_HASH_SHA1),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_object_info(env, &oid, NULL, NULL),
			 PMDB_ENOTFOUND);
	assert_string_equal(pmdb_errdetail(), "");
	/* a later failure with a detail names its own cause */
	assert_int_equal(pmdb_ref_read(env, "refs/heads/none", NULL, NULL),
			 PMDB_ENOTFOUND);
	assert_non_null(strstr(pmdb_errdetail(), "refs/heads/none"));
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__stat_pool_free),
		cmocka_unit_test(test_pmdb__gc_nothing_to_free),
		cmocka_unit_test(test_pmdb__errdetail_not_stale),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
