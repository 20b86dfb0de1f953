/*
 * test_concurrent.c -- lock-free readers beside a committing writer that
 * also grows the index, grows the ref table and runs gc (run under
 * ThreadSanitizer in CI).
 */
#include <pthread.h>
#include "helpers.h"

#define NCOMMITS 120
#define PER 60
#define NOBJ (NCOMMITS * PER)
#define NREADERS 3

struct shared {
	pmdb_env *env;
	pmdb_oid ids[NOBJ];
	uint64_t committed;        /* atomic: ids[0..committed) are durable */
	int done;                  /* atomic */
	uint64_t missing, reads;   /* atomic */
};

/* content -- the i-th object's bytes. */
static size_t
content(char *out, uint64_t i)
{
	return (size_t)sprintf(out, "concurrent object %llu %s", (unsigned long
			       long)i, i % 3 ? "" : "with a longer tail that "
			       "makes lz4 worth trying on this record");
}

/* keep_all -- gc keeps everything, so readers must never miss. */
static int
keep_all(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	return 1;
}

/* reader -- look up, read and list random committed objects and refs. */
static void *
reader(void *arg)
{
	struct shared *sh = arg;
	pmdb_buf buf = PMDB_BUF_INIT;
	unsigned seed = (unsigned)(uintptr_t)&buf;
	char d[256];

	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		uint64_t n = __atomic_load_n(&sh->committed, __ATOMIC_ACQUIRE);
		pmdb_objinfo info[8];
		pmdb_oid many[8], r;
		uint64_t i;

		if (!n)
			continue;
		i = (uint64_t)rand_r(&seed) % n;
		if (pmdb_object_info(sh->env, &sh->ids[i], NULL, NULL) ||
		    pmdb_object_read(sh->env, &sh->ids[i], NULL, &buf) ||
		    buf.len != content(d, i) || memcmp(buf.data, d, buf.len))
			__atomic_fetch_add(&sh->missing, 1, __ATOMIC_RELAXED);
		for (int k = 0; k < 8; k++)
			many[k] = sh->ids[(uint64_t)rand_r(&seed) % n];
		pmdb_object_info_many(sh->env, many, 8, info);
		for (int k = 0; k < 8; k++)
			if (info[k].err)
				__atomic_fetch_add(&sh->missing, 1,
						   __ATOMIC_RELAXED);
		if (pmdb_ref_resolve(sh->env, "HEAD", &r, NULL) ||
		    pmdb_object_info(sh->env, &r, NULL, NULL))
			__atomic_fetch_add(&sh->missing, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->reads, 1, __ATOMIC_RELAXED);
	}
	pmdb_buf_free(&buf);
	return NULL;
}

static void
test_pmdb__concurrent_readers_writer_gc(void **state)
{
	struct shared *sh = calloc(1, sizeof(*sh));
	pthread_t th[NREADERS];
	char *dir, d[256], name[64];
	pmdb_txn *txn;

	sh->env = open_new(&dir, "concurrent", PMDB_HASH_SHA1);
	/* a first commit so HEAD resolves from the start */
	assert_int_equal(pmdb_txn_begin(sh->env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d, content(d, 0),
				      &sh->ids[0]), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", &sh->ids[0],
					  NULL), 0);
	assert_int_equal(pmdb_txn_ref_set_symbolic(txn, "HEAD",
						   "refs/heads/main"), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	__atomic_store_n(&sh->committed, 1, __ATOMIC_RELEASE);
	for (int t = 0; t < NREADERS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, reader, sh), 0);
	for (uint64_t c = 0, i = 1; c < NCOMMITS; c++) {
		uint64_t first = i;

		assert_int_equal(pmdb_txn_begin(sh->env, &txn), 0);
		for (; i < first + PER && i < NOBJ; i++)
			assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
						      content(d, i),
						      &sh->ids[i]), 0);
		snprintf(name, sizeof(name), "refs/tags/t%llu",
			 (unsigned long long)c);
		assert_int_equal(pmdb_txn_ref_set(txn, name, &sh->ids[i - 1],
						  PMDB_EXPECT_ABSENT), 0);
		assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main",
						  &sh->ids[i - 1], NULL), 0);
		assert_int_equal(pmdb_txn_commit(txn), 0);
		__atomic_store_n(&sh->committed, i, __ATOMIC_RELEASE);
		if (c % 30 == 29)
			assert_int_equal(pmdb_env_gc(sh->env, keep_all, NULL,
						     NULL), 0);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	for (int t = 0; t < NREADERS; t++)
		pthread_join(th[t], NULL);
	print_message("reads: %llu, missing: %llu\n",
		      (unsigned long long)sh->reads,
		      (unsigned long long)sh->missing);
	assert_int_equal(sh->missing, 0);
	assert_true(sh->reads > 0);
	pmdb_env_close(sh->env);
	test_rmtree(dir);
	free(sh);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__concurrent_readers_writer_gc),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
