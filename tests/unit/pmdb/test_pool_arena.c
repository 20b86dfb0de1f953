/*
 * test_pool_arena.c -- PMDK's runtime state lives in pmdk_arena.c's arena while
 * a pool is open: pools opened side by side, closed in any order and
 * opened again keep working (blocks freed by one close are reused by the
 * next open while the other pool's stay untouched), and transactions big
 * enough to grow PMDK's logs (realloc of arena blocks) still commit and
 * read back after a reopen.
 */
#include "helpers.h"

/* put_n -- n distinct blobs tagged tag in one transaction; ids in out. */
static void
put_n(pmdb_env *env, const char *tag, int n, pmdb_oid *out)
{
	pmdb_txn *txn;
	char s[64];

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < n; i++) {
		int len = snprintf(s, sizeof(s), "%s %d\n", tag, i);

		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, s,
					      (size_t)len, &out[i]), 0);
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
}

/* check_n -- the blobs put_n stored read back. */
static void
check_n(pmdb_env *env, const char *tag, int n, const pmdb_oid *ids)
{
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_otype t;
	char s[64];

	for (int i = 0; i < n; i++) {
		int len = snprintf(s, sizeof(s), "%s %d\n", tag, i);

		assert_int_equal(pmdb_object_read(env, &ids[i], &t, &buf), 0);
		assert_int_equal(t, PMDB_OBJ_BLOB);
		assert_int_equal(buf.len, (size_t)len);
		assert_memory_equal(buf.data, s, (size_t)len);
	}
	pmdb_buf_free(&buf);
}

/* test_pmdb__arena_two_pools -- A and B open together; A closes while B
 * still holds its blocks, opens again; both keep working, several
 * rounds, then both close (the arena empties) and open again. */
static void
test_pmdb__arena_two_pools(void **state)
{
	char *da, *db, tag[32];
	pmdb_env *a = open_new(&da, "arena-a", PMDB_HASH_SHA1);
	pmdb_env *b = open_new(&db, "arena-b", PMDB_HASH_SHA1);
	pmdb_oid ia[8][16], ib[8][16];

	(void)state;
	for (int r = 0; r < 8; r++) {
		snprintf(tag, sizeof(tag), "a%d", r);
		put_n(a, tag, 16, ia[r]);
		snprintf(tag, sizeof(tag), "b%d", r);
		put_n(b, tag, 16, ib[r]);
		a = reopen(a, da);
		for (int k = 0; k <= r; k++) {
			snprintf(tag, sizeof(tag), "a%d", k);
			check_n(a, tag, 16, ia[k]);
			snprintf(tag, sizeof(tag), "b%d", k);
			check_n(b, tag, 16, ib[k]);
		}
		if (r % 2) {    /* the other one too, A open meanwhile */
			b = reopen(b, db);
			snprintf(tag, sizeof(tag), "a%d", r);
			check_n(a, tag, 16, ia[r]);
		}
	}
	pmdb_env_close(a);
	pmdb_env_close(b);
	a = reopen(NULL, da);
	b = reopen(NULL, db);
	for (int k = 0; k < 8; k++) {
		snprintf(tag, sizeof(tag), "a%d", k);
		check_n(a, tag, 16, ia[k]);
		snprintf(tag, sizeof(tag), "b%d", k);
		check_n(b, tag, 16, ib[k]);
	}
	pmdb_env_close(a);
	pmdb_env_close(b);
	test_rmtree(da);
	test_rmtree(db);
}

/* test_pmdb__arena_big_txn -- one transaction of many objects (PMDK's
 * logs outgrow their 1 KiB buffers from open), then reopen cycles. */
static void
test_pmdb__arena_big_txn(void **state)
{
	enum { N = 3000 };
	char *dir;
	pmdb_env *env = open_new(&dir, "arena-big", PMDB_HASH_SHA1);
	pmdb_oid *ids = malloc(N * sizeof(*ids));

	(void)state;
	assert_non_null(ids);
	for (int r = 0; r < 3; r++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "big%d", r);
		put_n(env, tag, N, ids);
		env = reopen(env, dir);
		check_n(env, tag, N, ids);
	}
	pmdb_env_close(env);
	free(ids);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__arena_two_pools),
		cmocka_unit_test(test_pmdb__arena_big_txn),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
