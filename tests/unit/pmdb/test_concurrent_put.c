/*
 * test_concurrent_put.c -- pmdb_txn_put_async against its workers: ids,
 * dedup, contents and records as pmdb_txn_put gives them, buffers reused
 * after their tickets, reads of puts in flight, abort with jobs in flight,
 * scratch growth and ring wrap-around (run under ThreadSanitizer in CI).
 */
#include <pthread.h>
#include "helpers.h"

#define NOBJ 3000

/* fill_obj -- the i-th object's bytes into out; returns its size: small
 * (raw), text (compresses), random (does not), some large, some dups. */
static size_t
fill_obj(uint8_t *out, uint64_t i)
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL + 1;
	size_t n;

	if (i % 97 == 5)
		i -= 5; /* a duplicate of an earlier object */
	switch (i % 4) {
	case 0:
		return (size_t)sprintf((char *)out, "small %llu",
				       (unsigned long long)i);
	case 1:
		n = 300 + (size_t)(i * 37 % 20000);
		for (size_t k = 0; k < n; k++)
			out[k] = (uint8_t)"abcdefgh ijk\n"[(k + i) % 13];
		sprintf((char *)out, "text %llu", (unsigned long long)i);
		return n;
	case 2:
		n = 256 + (size_t)(i * 53 % 9000);
		for (size_t k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			out[k] = (uint8_t)x;
		}
		return n;
	default:
		/* every 40th: larger than half a worker's scratch */
		n = i % 40 == 3 ? (3u << 20) + (size_t)i : 4096;
		for (size_t k = 0; k < n; k++)
			out[k] = (uint8_t)(k / 7 + i);
		return n;
	}
}

/* open_workers -- a fresh pool whose env has nworkers workers. */
static pmdb_env *
open_workers(char **dir, const char *tag, int nworkers)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	pmdb_env *env = NULL;

	*dir = test_tmpdir(tag);
	o.flags = PMDB_CREATE;
	o.max_size = 8ULL << 30;
	o.workers = nworkers;
	assert_int_equal(pmdb_env_open(&env, *dir, &o), 0);
	return env;
}

/* run_puts -- put objects [0, NOBJ) through async puts from a few
 * reused buffers (each reused only after its ticket), some through
 * pmdb_txn_put, reading some while in flight; check ids. */
static void
run_puts(pmdb_env *env, pmdb_oid *ids, int commit_mid)
{
	enum { NBUF = 6 };
	uint8_t *bufs[NBUF];
	uint64_t tick[NBUF] = { 0 };
	pmdb_buf rb = PMDB_BUF_INIT;
	pmdb_txn *txn;

	for (int b = 0; b < NBUF; b++)
		assert_non_null(bufs[b] = malloc((4u << 20)));
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (uint64_t i = 0; i < NOBJ; i++) {
		int b = (int)(i % NBUF);
		size_t n;
		pmdb_oid want;

		assert_int_equal(pmdb_txn_put_wait(txn, tick[b]), 0);
		n = fill_obj(bufs[b], i);
		assert_int_equal(pmdb_hash_object(&want, PMDB_HASH_SHA1,
						  PMDB_OBJ_BLOB, bufs[b], n),
				 0);
		if (i % 11 == 0)
			assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB,
						      bufs[b], n, &ids[i]), 0);
		else
			assert_int_equal(pmdb_txn_put_async(txn, PMDB_OBJ_BLOB,
							    bufs[b], n,
							    &ids[i], &tick[b]),
					 0);
		assert_memory_equal(ids[i].id, want.id, 20);
		assert_int_equal(pmdb_txn_has(txn, &ids[i]), 1);
		if (i % 101 == 7) {
			/* a put in flight is readable */
			assert_int_equal(pmdb_txn_read(txn, &ids[i], NULL,
						       &rb), 0);
			assert_int_equal(rb.len, n);
			assert_memory_equal(rb.data, bufs[b], n);
		}
		if (commit_mid && i == NOBJ / 2) {
			assert_int_equal(pmdb_txn_commit(txn), 0);
			assert_int_equal(pmdb_txn_begin(env, &txn), 0);
		}
	}
	assert_int_equal(pmdb_txn_commit(txn), 0);
	for (int b = 0; b < NBUF; b++)
		free(bufs[b]);
	pmdb_buf_free(&rb);
}

/* check_all -- every object reads back as written. */
static void
check_all(pmdb_env *env, const pmdb_oid *ids)
{
	uint8_t *d = malloc(4u << 20);
	pmdb_buf rb = PMDB_BUF_INIT;

	assert_non_null(d);
	for (uint64_t i = 0; i < NOBJ; i++) {
		size_t n = fill_obj(d, i);

		assert_int_equal(pmdb_object_read(env, &ids[i], NULL, &rb), 0);
		assert_int_equal(rb.len, n);
		assert_memory_equal(rb.data, d, n);
	}
	free(d);
	pmdb_buf_free(&rb);
}

/* run_case -- puts with nworkers, reopen, check; stats as with none. */
static void
run_case(const char *tag, int nworkers, int commit_mid)
{
	pmdb_oid *ids = calloc(NOBJ, sizeof(*ids));
	char *dir;
	pmdb_env *env = open_workers(&dir, tag, nworkers);
	pmdb_stat st;

	assert_non_null(ids);
	run_puts(env, ids, commit_mid);
	check_all(env, ids);
	env = reopen(env, dir);
	check_all(env, ids);
	{
		uint64_t np = 1;

		assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL,
						NULL, &np), 0);
		assert_int_equal(np, 0);
	}
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_true(st.objects[PMDB_OBJ_BLOB] < NOBJ); /* dups deduped */
	pmdb_env_close(env);
	test_rmtree(dir);
	free(ids);
}

static void
test_pmdb__concurrent_put_async_workers(void **state)
{
	(void)state;
	run_case("concurrent-put", 3, 1);
}

static void
test_pmdb__concurrent_put_async_one_worker(void **state)
{
	(void)state;
	run_case("concurrent-put1", 1, 0);
}

static void
test_pmdb__concurrent_put_async_inline(void **state)
{
	(void)state;
	run_case("concurrent-put0", 0, 0);
}

static void
test_pmdb__concurrent_put_async_abort(void **state)
{
	char *dir;
	pmdb_env *env = open_workers(&dir, "concurrent-abort", 2);
	uint8_t *d = malloc(NOBJ * 64 + (4u << 20));
	pmdb_oid ids[200], id;
	pmdb_txn *txn;
	size_t off = 0;

	(void)state;
	assert_non_null(d);
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	for (uint64_t i = 0; i < 200; i++) {
		size_t n = fill_obj(d + off, i * 4 + 1);

		assert_int_equal(pmdb_txn_put_async(txn, PMDB_OBJ_BLOB, d + off,
						    n, &ids[i], NULL), 0);
		off += n;
	}
	pmdb_txn_abort(txn); /* waits for the jobs before d is freed */
	free(d);
	for (int i = 0; i < 200; i++)
		assert_int_equal(pmdb_object_info(env, &ids[i], NULL, NULL),
				 PMDB_ENOTFOUND);
	id = put_one(env, PMDB_OBJ_BLOB, "after the abort");
	env = reopen(env, dir);
	assert_int_equal(pmdb_object_info(env, &id, NULL, NULL), 0);
	{
		uint64_t np = 1;

		assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL,
						NULL, &np), 0);
		assert_int_equal(np, 0);
	}
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__concurrent_put_async_workers),
		cmocka_unit_test(test_pmdb__concurrent_put_async_one_worker),
		cmocka_unit_test(test_pmdb__concurrent_put_async_inline),
		cmocka_unit_test(test_pmdb__concurrent_put_async_abort),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
