/*
 * test_pool.c -- create/open/reopen and the open errors.
 */
#include <time.h>
#include "helpers.h"
#include "env.h"

static void
test_pmdb__pool_create_reopen(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "create", PMDB_HASH_SHA256);
	pmdb_stat st;
	pmdb_oid oid = put_one(env, PMDB_OBJ_BLOB, "hello\n");
	pmdb_buf buf = PMDB_BUF_INIT;

	assert_int_equal(pmdb_env_hash(env), PMDB_HASH_SHA256);
	env = reopen(env, dir);
	assert_int_equal(pmdb_env_hash(env), PMDB_HASH_SHA256);
	assert_int_equal(pmdb_object_read(env, &oid, NULL, &buf), 0);
	assert_string_equal((char *)buf.data, "hello\n");
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 1);
	assert_int_equal(st.txn_seq, 1);
	assert_true(st.pool_bytes > 0);
	/* 8 MiB first part + one 32 MiB growth step (granularity) */
	assert_true(st.pool_bytes <= (40ULL << 20));
	if (getenv("PMEM_IS_PMEM_FORCE") &&
	    strcmp(getenv("PMEM_IS_PMEM_FORCE"), "1") == 0)
		assert_int_equal(st.is_pmem, 1);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__pool_notfound_exists(void **state)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char *dir = test_tmpdir("nf");
	pmdb_env *env = NULL;

	assert_int_equal(pmdb_env_open(&env, dir, NULL), PMDB_ENOTFOUND);
	assert_null(env);
	o.flags = PMDB_CREATE | PMDB_EXCL;
	o.max_size = 8ULL << 30;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	pmdb_env_close(env);
	assert_int_equal(pmdb_env_open(&env, dir, &o), PMDB_EEXISTS);
	o.flags = PMDB_CREATE;
	o.max_size = 8ULL << 30;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__pool_busy_in_process(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "busy", PMDB_HASH_SHA1), *e2 = NULL;

	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	struct timespec t0, t1;
	long ms;

	assert_int_equal(pmdb_env_open(&e2, dir, NULL), PMDB_EBUSY);
	assert_non_null(strstr(pmdb_errdetail(), "another process"));
	/* with a timeout it retries, then gives up */
	o.lock_timeout_ms = 100;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pmdb_env_open(&e2, dir, &o), PMDB_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 95);
	assert_null(e2);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__pool_truncated(void **state)
{
	char *dir, part[4200];
	pmdb_env *env = open_new(&dir, "trunc", PMDB_HASH_SHA1);

	pmdb_env_close(env);
	part_file(part, sizeof(part), dir);
	assert_int_equal(truncate(part, 4096), 0);
	assert_int_equal(pmdb_env_open(&env, dir, NULL), PMDB_ENOTPOOL);
	test_rmtree(dir);
}

static void
test_pmdb__pool_garbage(void **state)
{
	char *dir, part[4200], junk[65536];
	pmdb_env *env = open_new(&dir, "garbage", PMDB_HASH_SHA1);
	int fd;

	pmdb_env_close(env);
	part_file(part, sizeof(part), dir);
	memset(junk, 0x5a, sizeof(junk));
	fd = open(part, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 0), sizeof(junk));
	close(fd);
	assert_int_equal(pmdb_env_open(&env, dir, NULL), PMDB_ENOTPOOL);
	test_rmtree(dir);
}

static void
test_pmdb__pool_version(void **state)
{
	char *dir;
	pmdb_env *env = open_new(&dir, "version", PMDB_HASH_SHA1);

	/* test-only: poke the version field through the internal layout */
	env->root->format_version = PMDB_FORMAT_VERSION + 1;
	pmemobj_persist(env->pop, &env->root->format_version, 4);
	pmdb_env_close(env);
	env = NULL;
	assert_int_equal(pmdb_env_open(&env, dir, NULL), PMDB_EVERSION);
	test_rmtree(dir);
}

static void
test_pmdb__pool_hash_check(void **state)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char *dir;
	pmdb_env *env = open_new(&dir, "hashchk", PMDB_HASH_SHA1);

	pmdb_env_close(env);
	o.hash = PMDB_HASH_SHA256;
	o.check_hash = 1;
	assert_int_equal(pmdb_env_open(&env, dir, &o), PMDB_EFORMAT);
	o.check_hash = 0;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	assert_int_equal(pmdb_env_hash(env), PMDB_HASH_SHA1);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__pool_moved(void **state)
{
	char *dir, moved[4200];
	pmdb_env *env = open_new(&dir, "moved", PMDB_HASH_SHA1);
	pmdb_oid oid = put_one(env, PMDB_OBJ_BLOB, "moved");

	pmdb_env_close(env);
	snprintf(moved, sizeof(moved), "%s-moved", dir);
	assert_int_equal(rename(dir, moved), 0);
	assert_int_equal(pmdb_env_open(&env, moved, NULL), 0);
	assert_int_equal(pmdb_object_info(env, &oid, NULL, NULL), 0);
	pmdb_env_close(env);
	assert_int_equal(rename(moved, dir), 0);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__pool_create_reopen),
		cmocka_unit_test(test_pmdb__pool_notfound_exists),
		cmocka_unit_test(test_pmdb__pool_busy_in_process),
		cmocka_unit_test(test_pmdb__pool_truncated),
		cmocka_unit_test(test_pmdb__pool_garbage),
		cmocka_unit_test(test_pmdb__pool_version),
		cmocka_unit_test(test_pmdb__pool_hash_check),
		cmocka_unit_test(test_pmdb__pool_moved),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
