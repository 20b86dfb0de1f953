/*
 * test_refs.c -- ref set/read/delete/symbolic/resolve/foreach and CAS.
 */
#include "helpers.h"

/* set_ref -- one-ref txn; returns commit's code. */
static int
set_ref(pmdb_env *env, const char *name, const pmdb_oid *oid,
	const pmdb_oid *expect)
{
	pmdb_txn *txn;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, name, oid, expect), 0);
	return pmdb_txn_commit(txn);
}

static void
test_pmdb__refs_basic(void **state)
{
	char *dir, target[PMDB_REF_NAME_MAX + 1], res[PMDB_REF_NAME_MAX + 1];
	pmdb_env *env = open_new(&dir, "refs", PMDB_HASH_SHA1);
	pmdb_oid a = put_one(env, PMDB_OBJ_COMMIT, "c1");
	pmdb_oid b = put_one(env, PMDB_OBJ_COMMIT, "c2"), r;
	pmdb_txn *txn;
	pmdb_stat st;

	assert_int_equal(set_ref(env, "refs/heads/main", &a,
				 PMDB_EXPECT_ABSENT), 0);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set_symbolic(txn, "HEAD",
						   "refs/heads/main"), 0);
	assert_int_equal(pmdb_txn_ref_set_symbolic(txn, "HEAD", "bad..x"),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, target), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	assert_string_equal(target, "");
	assert_int_equal(pmdb_ref_read(env, "HEAD", &r, target), 0);
	assert_string_equal(target, "refs/heads/main");
	assert_true(pmdb_oid_is_zero(&r));
	assert_int_equal(pmdb_ref_resolve(env, "HEAD", &r, res), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	assert_string_equal(res, "refs/heads/main");
	assert_int_equal(set_ref(env, "refs/heads/main", &b, &a), 0);
	env = reopen(env, dir);
	assert_int_equal(pmdb_ref_resolve(env, "HEAD", &r, NULL), 0);
	assert_memory_equal(&r, &b, sizeof(r));
	/* delete */
	assert_int_equal(set_ref(env, "refs/heads/main", NULL, &b), 0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL),
			 PMDB_ENOTFOUND);
	assert_int_equal(pmdb_ref_resolve(env, "HEAD", &r, res),
			 PMDB_ENOTFOUND);
	assert_string_equal(res, "refs/heads/main");
	assert_int_equal(pmdb_ref_read(env, "bad name", &r, NULL),
			 PMDB_EINVAL);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.refs, 1);
	/* a deleted name can come back */
	assert_int_equal(set_ref(env, "refs/heads/main", &a,
				 PMDB_EXPECT_ABSENT), 0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL), 0);
	pmdb_env_close(env);
	test_rmtree(dir);
}

struct names {
	char buf[64][64];
	int n;
};

/* collect -- foreach callback recording names. */
static int
collect(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	struct names *n = ctx;

	snprintf(n->buf[n->n++], 64, "%s", name);
	return n->n == 64;
}

static void
test_pmdb__refs_foreach_sorted(void **state)
{
	char *dir, name[64];
	pmdb_env *env = open_new(&dir, "reflist", PMDB_HASH_SHA1);
	pmdb_oid a = put_one(env, PMDB_OBJ_COMMIT, "c1");
	struct names n;
	pmdb_txn *txn;

	/* 50 refs: the table (64 entries, half full max) grows */
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 49; i >= 0; i--) {
		snprintf(name, sizeof(name), "refs/%s/b%02d",
			 i % 2 ? "tags" : "heads", i);
		assert_int_equal(pmdb_txn_ref_set(txn, name, &a, NULL), 0);
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	memset(&n, 0, sizeof(n));
	assert_int_equal(pmdb_ref_foreach(env, "", collect, &n), 0);
	assert_int_equal(n.n, 50);
	for (int i = 1; i < n.n; i++)
		assert_true(strcmp(n.buf[i - 1], n.buf[i]) < 0);
	assert_string_equal(n.buf[0], "refs/heads/b00");
	memset(&n, 0, sizeof(n));
	assert_int_equal(pmdb_ref_foreach(env, "refs/tags/", collect, &n), 0);
	assert_int_equal(n.n, 25);
	assert_string_equal(n.buf[0], "refs/tags/b01");
	env = reopen(env, dir);
	memset(&n, 0, sizeof(n));
	assert_int_equal(pmdb_ref_foreach(env, "refs/heads/", collect, &n), 0);
	assert_int_equal(n.n, 25);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__refs_cas_conflict(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "cas", PMDB_HASH_SHA1);
	pmdb_oid a = put_one(env, PMDB_OBJ_COMMIT, "c1");
	pmdb_oid b = put_one(env, PMDB_OBJ_COMMIT, "c2"), c, r;
	pmdb_txn *txn;
	pmdb_stat s1, s2;

	assert_int_equal(set_ref(env, "refs/heads/main", &a, NULL), 0);
	assert_int_equal(set_ref(env, "refs/heads/main", &b,
				 PMDB_EXPECT_ABSENT), PMDB_ECONFLICT);
	assert_int_equal(set_ref(env, "refs/heads/other", &b, &a),
			 PMDB_ECONFLICT);
	pmdb_env_stat(env, &s1);
	/* a conflicting txn leaves nothing: no objects, no other refs */
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "nope", 4, &c), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/new", &c, NULL),
			 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", &c, &b), 0);
	/* a later update keeps the first expect (&b, wrong) */
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", &c, &a), 0);
	assert_int_equal(pmdb_txn_commit(txn), PMDB_ECONFLICT);
	assert_non_null(strstr(pmdb_errdetail(), "refs/heads/main"));
	assert_int_equal(pmdb_object_info(env, &c, NULL, NULL),
			 PMDB_ENOTFOUND);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/new", &r, NULL),
			 PMDB_ENOTFOUND);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	pmdb_env_stat(env, &s2);
	assert_int_equal(s1.txn_seq, s2.txn_seq);
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__refs_basic),
		cmocka_unit_test(test_pmdb__refs_foreach_sorted),
		cmocka_unit_test(test_pmdb__refs_cas_conflict),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
