/*
 * test_recovery.c -- crash between publish and commit, check, gc, and
 * the msync path (pool under /tmp) with its flush count.
 */
#include "helpers.h"
#include "env.h"
#include "index.h"

static void
test_pmdb__recovery_publish_crash(void **state)
{
	char *dir, d[64];
	pmdb_env *env = open_new(&dir, "crash", PMDB_HASH_SHA1);
	pmdb_oid keep = put_one(env, PMDB_OBJ_BLOB, "committed"), ids[500];
	pmdb_txn *txn;
	pmdb_stat st;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < 500; i++)
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      (size_t)sprintf(d, "lost %d", i),
					      &ids[i]), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/x", &ids[0],
					  NULL), 0);
	env->crash_after_publish = 1;
	assert_int_equal(pmdb_txn_commit(txn), PMDB_EPANIC);
	/* the published slots are in the pool now */
	{
		uint64_t meta, loc;

		assert_non_null(pmdb_index__find(env->view, ids[0].id, 20,
						 &meta, &loc));
	}
	assert_int_equal(pmdb_txn_begin(env, &txn), PMDB_EPANIC);
	env = reopen(env, dir);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.recovered_records, 500);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 1);
	for (int i = 0; i < 500; i++) {
		uint64_t meta, loc;

		assert_int_equal(pmdb_object_info(env, &ids[i], NULL, NULL),
				 PMDB_ENOTFOUND);
		assert_null(pmdb_index__find(env->view, ids[i].id, 20, &meta,
					     &loc));
	}
	assert_int_equal(pmdb_object_info(env, &keep, NULL, NULL), 0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/x", NULL, NULL),
			 PMDB_ENOTFOUND);
	/* the store works on: the same objects can be put again */
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < 500; i++)
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      (size_t)sprintf(d, "lost %d", i),
					      &ids[i]), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	env = reopen(env, dir);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.recovered_records, 0);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 501);
	for (int i = 0; i < 500; i++)
		assert_int_equal(pmdb_object_info(env, &ids[i], NULL, NULL), 0);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* count_problem -- check callback. */
static void
count_problem(const pmdb_problem *p, void *ctx)
{
	(*(int *)ctx)++;
	assert_non_null(p->what);
	assert_non_null(p->msg);
}

static void
test_pmdb__check_corrupt(void **state)
{
	char *dir, big[5000];
	pmdb_env *env = open_new(&dir, "corrupt", PMDB_HASH_SHA1);
	pmdb_oid a, b;
	pmdb_buf buf = PMDB_BUF_INIT;
	uint64_t n = 99, meta, loc;
	int seen = 0;

	memset(big, 'q', sizeof(big));
	a = put_one(env, PMDB_OBJ_BLOB, "victim object contents");
	b = put_one(env, PMDB_OBJ_BLOB, "bystander");
	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, count_problem,
					&seen, &n), 0);
	assert_int_equal(n, 0);
	/* flip one byte of a's stored data */
	assert_non_null(pmdb_index__find(env->view, a.id, 20, &meta, &loc));
	env->view->ext[PMDB_LOC_EXT(loc)].base[PMDB_LOC_OFFSET(loc) + 64 + 3]
		^= 0x20;
	assert_int_equal(pmdb_env_check(env, 0, count_problem, &seen, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(seen, 1);
	assert_int_equal(pmdb_object_read(env, &a, NULL, &buf), PMDB_ECORRUPT);
	{
		char hex[41];

		pmdb_oid_fmt(hex, &a, PMDB_HASH_SHA1);
		assert_non_null(strstr(pmdb_errdetail(), hex));
	}
	assert_int_equal(pmdb_object_read(env, &b, NULL, &buf), 0);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* keep_even -- gc callback keeping ids whose first byte is even, and
 * blobs named "keep". */
static int
keep_even(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	return !(oid->id[0] & 1);
}

static void
test_pmdb__gc_keep(void **state)
{
	char *dir, d[64];
	pmdb_env *env = open_new(&dir, "gc", PMDB_HASH_SHA1);
	pmdb_oid ids[2000];
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_gc_stat gs;
	pmdb_txn *txn;
	pmdb_stat st;
	uint64_t even = 0;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      (size_t)sprintf(d, "gc %d", i),
					      &ids[i]), 0);
		even += !(ids[i].id[0] & 1);
	}
	for (int i = 0; i < 2000; i++)
		if (!(ids[i].id[0] & 1)) {
			assert_int_equal(pmdb_txn_ref_set(txn,
				"refs/heads/main", &ids[i], NULL), 0);
			break;
		}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(pmdb_env_gc(env, keep_even, NULL, &gs), 0);
	assert_int_equal(gs.kept, even);
	assert_int_equal(gs.freed, 2000 - even);
	assert_true(gs.bytes_after < gs.bytes_before);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 2000; i++) {
			int rc = pmdb_object_read(env, &ids[i], NULL, &buf);

			if (ids[i].id[0] & 1) {
				assert_int_equal(rc, PMDB_ENOTFOUND);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(buf.len,
					 (size_t)sprintf(d, "gc %d", i));
			assert_memory_equal(buf.data, d, buf.len);
		}
		pmdb_env_stat(env, &st);
		assert_int_equal(st.objects[PMDB_OBJ_BLOB], even);
		assert_int_equal(pmdb_ref_read(env, "refs/heads/main", NULL,
					       NULL), 0);
		env = reopen(env, dir);
	}
	/* the store takes new objects after gc */
	put_one(env, PMDB_OBJ_BLOB, "after gc");
	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL, NULL,
					&even), 0);
	assert_int_equal(even, 0);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* commit_n -- commit n fresh objects; return pmdb's flush calls. */
static uint64_t
commit_n(pmdb_env *env, int n, int base)
{
	char d[64];
	pmdb_txn *txn;
	uint64_t before = env->persists;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      (size_t)sprintf(d, "f %d",
							      base + i),
					      NULL), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	return env->persists - before;
}

static void
test_pmdb__msync_path_flushes(void **state)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char dir[] = "/tmp/pmdb-test-msync-XXXXXX";
	pmdb_env *env;
	pmdb_stat st;
	uint64_t f10, f2000;
	char *d;

	const char *force = getenv("PMEM_IS_PMEM_FORCE");

	if (!force || strcmp(force, "0") != 0) {
		/* libpmem reads the variable once at load: rerun this case
		 * in a child process with the msync path forced */
		char exe[4096], cmd[4300];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		assert_true(n > 0);
		exe[n] = '\0';
		snprintf(cmd, sizeof(cmd), "PMEM_IS_PMEM_FORCE=0 '%s' "
			 "test_pmdb__msync_path_flushes", exe);
		assert_int_equal(system(cmd), 0);
		return;
	}
	assert_non_null(mkdtemp(dir));
	o.flags = PMDB_CREATE;
	o.max_size = 8ULL << 30;
	assert_int_equal(pmdb_env_open(&env, dir, &o), 0);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.is_pmem, 0);
	commit_n(env, 10, 0);            /* first extent allocation */
	f10 = commit_n(env, 10, 100);
	f2000 = commit_n(env, 2000, 1000);  /* no growth: 4096 slots */
	print_message("flushes per commit: 10 objects %llu, 2000 objects "
		      "%llu\n", (unsigned long long)f10,
		      (unsigned long long)f2000);
	assert_int_equal(f10, f2000);
	assert_true(f10 <= 4);
	env = reopen(env, dir);
	pmdb_env_stat(env, &st);
	assert_int_equal(st.objects[PMDB_OBJ_BLOB], 2020);
	pmdb_env_close(env);
	d = strdup(dir);
	test_rmtree(d);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__recovery_publish_crash),
		cmocka_unit_test(test_pmdb__check_corrupt),
		cmocka_unit_test(test_pmdb__gc_keep),
		cmocka_unit_test(test_pmdb__msync_path_flushes),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
