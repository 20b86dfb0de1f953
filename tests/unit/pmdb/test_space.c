/*
 * test_space.c -- the pool's size on disk stays close to what its
 * records need: extents sized to the data, growth by what an extent
 * needs, unused extent tails and free heap space returned to the file
 * system at close (docs/design.md "Space"); and a pool whose space was
 * returned still reads, appends, reopens and checks clean.
 */
#include <dirent.h>
#include "helpers.h"
#include "env.h"
#include "extent.h"

#define OBJ_MAX (300u << 10)

/* fill -- n incompressible bytes determined by seed (xorshift). */
static void
fill(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

/* obj_size -- the size of object k: 1 KiB .. 300 KiB, varied. */
static size_t
obj_size(uint64_t k)
{
	return 1024 + (size_t)((k * 2654435761u) % (OBJ_MAX - 1024));
}

/* put_range -- objects [from, to) in txns of 64, ids into oids. */
static void
put_range(pmdb_env *env, uint64_t from, uint64_t to, pmdb_oid *oids)
{
	uint8_t *d = malloc(OBJ_MAX);
	pmdb_txn *txn = NULL;

	assert_non_null(d);
	for (uint64_t k = from; k < to; k++) {
		if (!txn)
			assert_int_equal(pmdb_txn_begin(env, &txn), 0);
		fill(d, obj_size(k), k);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, d,
					      obj_size(k), &oids[k]), 0);
		if ((k + 1) % 64 == 0 || k + 1 == to) {
			assert_int_equal(pmdb_txn_commit(txn), 0);
			txn = NULL;
		}
	}
	free(d);
}

/* read_range -- every object [from, to) reads back as written. */
static void
read_range(pmdb_env *env, uint64_t from, uint64_t to, const pmdb_oid *oids)
{
	uint8_t *d = malloc(OBJ_MAX);
	pmdb_buf buf = PMDB_BUF_INIT;

	assert_non_null(d);
	for (uint64_t k = from; k < to; k++) {
		fill(d, obj_size(k), k);
		assert_int_equal(pmdb_object_read(env, &oids[k], NULL, &buf),
				 0);
		assert_int_equal(buf.len, obj_size(k));
		assert_memory_equal(buf.data, d, buf.len);
	}
	pmdb_buf_free(&buf);
	free(d);
}

/* disk_bytes -- what du counts for dir/pool: the parts' blocks. */
static uint64_t
disk_bytes(const char *dir)
{
	char path[4200];
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/pool", dir);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/pool/%s", dir, de->d_name);
		assert_int_equal(stat(path, &st), 0);
		n += (uint64_t)st.st_blocks * 512;
	}
	closedir(d);
	return n;
}

/* check_clean -- pmdb_env_check finds nothing. */
static void
check_clean(pmdb_env *env)
{
	uint64_t n = 1;

	assert_int_equal(pmdb_env_check(env, PMDB_CHECK_DATA, NULL, NULL, &n),
			 0);
	assert_int_equal(n, 0);
}

/*
 * check_bound -- on disk, the pool takes at most its records plus 1/8,
 * plus 8 MiB for what does not scale with them (PMDK's lanes and
 * headers, the extent table, index and ref table of a small pool).
 * Before extents were sized to the data and free space was returned, a
 * 48 MB store took 4 + 8 + 16 + 32 MiB extents and fallocated 32 MiB
 * parts: well over twice its records.
 */
static void
check_bound(pmdb_env *env, const char *dir, const char *when)
{
	uint64_t disk = disk_bytes(dir), bound;
	pmdb_stat st;

	assert_int_equal(pmdb_env_stat(env, &st), 0);
	bound = st.stored_bytes + st.stored_bytes / 8 + (8ULL << 20);
	print_message("%s: records %llu, on disk %llu (stat %llu, holes %llu,"
		      " %llu extents of %llu bytes), bound %llu\n", when,
		      (unsigned long long)st.stored_bytes,
		      (unsigned long long)disk,
		      (unsigned long long)st.pool_bytes,
		      (unsigned long long)st.pool_holes,
		      (unsigned long long)st.extents,
		      (unsigned long long)st.extent_bytes,
		      (unsigned long long)bound);
	/* stat reports what du does (the open itself allocates nothing) */
	assert_int_equal(st.pool_bytes, disk);
	assert_true(disk <= bound);
}

/* test_pmdb__space_close_returns_slack -- ~48 MB over several extents
 * and parts: after close the pool is within the bound; reopened, it
 * appends into the returned tail, reads everything back and checks
 * clean, and stays within the bound. */
static void
test_pmdb__space_close_returns_slack(void **state)
{
	const uint64_t n1 = 320, n2 = 400;
	pmdb_oid *oids = calloc(n2, sizeof(*oids));
	char *dir;
	pmdb_env *env = open_new(&dir, "space", PMDB_HASH_SHA1);
	pmdb_stat st;

	(void)state;
	assert_non_null(oids);
	put_range(env, 0, n1, oids);
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_true(st.extents >= 4);
	env = reopen(env, dir);
	check_bound(env, dir, "after the first close");
	assert_int_equal(pmdb_env_stat(env, &st), 0);
	assert_true(st.pool_holes > 0);
	read_range(env, 0, n1, oids);
	/* the last extent's tail is a hole now: appends land in it */
	put_range(env, n1, n2, oids);
	read_range(env, 0, n2, oids);
	check_clean(env);
	env = reopen(env, dir);
	check_bound(env, dir, "after appending");
	read_range(env, 0, n2, oids);
	check_clean(env);
	pmdb_env_close(env);
	free(oids);
	test_rmtree(dir);
}

/* keep_even -- gc callback: keep objects whose id starts even. */
static int
keep_even(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	(void)type;
	(void)ctx;
	return (oid->id[0] & 1) == 0;
}

/* test_pmdb__space_gc_returns_old_store -- after a gc drops about half,
 * the old extents' space goes back at close: the bound holds for what
 * is left, and what is left reads back. */
static void
test_pmdb__space_gc_returns_old_store(void **state)
{
	const uint64_t n = 320;
	pmdb_oid *oids = calloc(n, sizeof(*oids));
	pmdb_buf buf = PMDB_BUF_INIT;
	pmdb_gc_stat gs;
	char *dir;
	pmdb_env *env = open_new(&dir, "spacegc", PMDB_HASH_SHA1);

	(void)state;
	assert_non_null(oids);
	put_range(env, 0, n, oids);
	assert_int_equal(pmdb_env_gc(env, keep_even, NULL, &gs), 0);
	assert_true(gs.freed > n / 4);
	env = reopen(env, dir);
	check_bound(env, dir, "after gc");
	for (uint64_t k = 0; k < n; k++) {
		int rc = pmdb_object_read(env, &oids[k], NULL, &buf);

		assert_int_equal(rc, (oids[k].id[0] & 1) ? PMDB_ENOTFOUND : 0);
	}
	check_clean(env);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	free(oids);
	test_rmtree(dir);
}

/* test_pmdb__space_extent_size -- new extents: whole PMDK chunks with
 * the allocation header, between the first and last size, 1/4 of what
 * the extents hold, and always room for the record asked for. */
static void
test_pmdb__space_extent_size(void **state)
{
	static const uint64_t held[] = { 0, 1, 4ULL << 20, 17ULL << 20,
					 100ULL << 20, 255ULL << 20,
					 1ULL << 30, 1ULL << 40 };
	static const uint64_t need[] = { 0, 64, 5ULL << 20, 100ULL << 20 };

	(void)state;
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++) {
		for (size_t j = 0; j < sizeof(need) / sizeof(need[0]); j++) {
			uint64_t s = pmdb_extent__size(held[i], need[j]);
			uint64_t want = held[i] / PMDB_EXT_SHARE;

			assert_int_equal((s + PMDB_ALLOC_HDR) % PMDB_CHUNK, 0);
			assert_true(s >= need[j]);
			assert_true(s + PMDB_ALLOC_HDR >= PMDB_EXT_FIRST);
			if (need[j] <= PMDB_EXT_FIRST)
				assert_true(s < PMDB_EXT_LAST);
			if (want > PMDB_EXT_FIRST && want < PMDB_EXT_LAST &&
			    need[j] < want)
				assert_true(s >= want - PMDB_CHUNK &&
					    s <= want + PMDB_CHUNK);
		}
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__space_close_returns_slack),
		cmocka_unit_test(test_pmdb__space_gc_returns_old_store),
		cmocka_unit_test(test_pmdb__space_extent_size),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
