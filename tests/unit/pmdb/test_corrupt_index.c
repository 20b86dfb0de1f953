/*
 * test_corrupt_index.c -- a corrupted index slot is found by
 * pmdb_env_check() and never followed: the read that meets it returns an
 * error (or misses), nothing crashes (ASan runs this too), and the other
 * objects still read.
 */
#include "helpers.h"
#include "env.h"
#include "index.h"

/* count_problem -- check callback: count, and remember the last "what". */
static void
count_problem(const pmdb_problem *p, void *ctx)
{
	(*(int *)ctx)++;
	assert_non_null(p->msg);
}

/* setup_pair -- a victim and a bystander in a fresh pool; returns the
 * victim's slot. */
static struct pmdb_slot *
setup_pair(pmdb_env **envp, char **dir, pmdb_oid *a, pmdb_oid *b)
{
	uint64_t meta, loc;
	struct pmdb_slot *s;

	*envp = open_new(dir, "corrupt-index", PMDB_HASH_SHA1);
	*a = put_one(*envp, PMDB_OBJ_BLOB, "the victim of an index flip");
	*b = put_one(*envp, PMDB_OBJ_BLOB, "an innocent bystander");
	s = pmdb_index__find((*envp)->view, a->id, 20, &meta, &loc);
	assert_non_null(s);
	return s;
}

/* expect_found -- check reports exactly one problem; b still reads. */
static void
expect_found(pmdb_env *env, const pmdb_oid *b)
{
	pmdb_buf buf = PMDB_BUF_INIT;
	uint64_t n = 0;
	int seen = 0;

	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, count_problem,
					&seen, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(seen, 1);
	assert_int_equal(pmdb_object_read(env, b, NULL, &buf), 0);
	pmdb_buf_free(&buf);
}

static void
test_pmdb__index_flipped_id(void **state)
{
	pmdb_env *env;
	char *dir;
	pmdb_oid a, b;
	pmdb_buf buf = PMDB_BUF_INIT;
	struct pmdb_slot *s = setup_pair(&env, &dir, &a, &b);

	s->id[5] ^= 0x01;       /* the slot now names an id its record lacks */
	expect_found(env, &b);
	/* the victim's id no longer matches any slot: a miss, not a wrong object */
	assert_int_equal(pmdb_object_read(env, &a, NULL, &buf), PMDB_ENOTFOUND);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__index_flipped_meta(void **state)
{
	pmdb_env *env;
	char *dir;
	pmdb_oid a, b;
	pmdb_buf buf = PMDB_BUF_INIT;
	struct pmdb_slot *s = setup_pair(&env, &dir, &a, &b);

	s->meta ^= 0x40;        /* wrong size in the slot */
	expect_found(env, &b);
	/* the record itself is intact: the content read is the true one */
	if (pmdb_object_read(env, &a, NULL, &buf) == 0)
		assert_memory_equal(buf.data, "the victim of an index flip", buf.len);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__index_flipped_loc(void **state)
{
	pmdb_env *env;
	char *dir;
	pmdb_oid a, b;
	pmdb_buf buf = PMDB_BUF_INIT;
	struct pmdb_slot *s = setup_pair(&env, &dir, &a, &b);
	int rc;

	s->loc ^= 1ULL << 35;   /* far past the extent's end */
	expect_found(env, &b);
	rc = pmdb_object_read(env, &a, NULL, &buf);
	assert_true(rc == PMDB_ECORRUPT || rc == PMDB_ENOTFOUND);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__index_loc_to_other_record(void **state)
{
	pmdb_env *env;
	char *dir;
	pmdb_oid a, b;
	pmdb_buf buf = PMDB_BUF_INIT;
	uint64_t meta, bloc;
	struct pmdb_slot *s = setup_pair(&env, &dir, &a, &b);
	int rc;

	/* a's slot points at b's intact record: reading a must not return b */
	assert_non_null(pmdb_index__find(env->view, b.id, 20, &meta, &bloc));
	s->loc = bloc;
	expect_found(env, &b);
	rc = pmdb_object_read(env, &a, NULL, &buf);
	assert_int_equal(rc, PMDB_ECORRUPT);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__index_flipped_id),
		cmocka_unit_test(test_pmdb__index_flipped_meta),
		cmocka_unit_test(test_pmdb__index_flipped_loc),
		cmocka_unit_test(test_pmdb__index_loc_to_other_record),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
