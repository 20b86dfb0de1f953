/*
 * test_array.c -- VCS_ARRAY_GROW: doubling from the minimum, contents
 * kept, and a failed growth leaves the array and its capacity as they
 * were.
 */
#include <stdint.h>

#include "vcstest.h"
#include "array.h"

/* test_vcs_array_grow_doubles -- caps 4, 8, 16 ... and nothing lost */
static void
test_vcs_array_grow_doubles(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, cap = 0, want = 4;

	(void)state;
	for (uint64_t i = 0; i < 1000; i++) {
		assert_int_equal(VCS_ARRAY_GROW(v, cap, n + 1, 4), 0);
		assert_true(cap >= n + 1);
		if (n == want) /* grew only when full, to twice the size */
			want *= 2;
		assert_int_equal(cap, want);
		v[n++] = i * 7;
	}
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(v[i], i * 7);
	/* room enough already: no change */
	assert_int_equal(VCS_ARRAY_GROW(v, cap, 10, 4), 0);
	assert_int_equal(cap, 1024);
	/* a need far ahead: doubled until it fits */
	assert_int_equal(VCS_ARRAY_GROW(v, cap, 5000, 4), 0);
	assert_int_equal(cap, 8192);
	assert_int_equal(v[999], 999 * 7);
	free(v);
}

/* test_vcs_array_grow_overflow -- an impossible size fails cleanly */
static void
test_vcs_array_grow_overflow(void **state)
{
	uint64_t *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(VCS_ARRAY_GROW(v, cap, 3, 16), 0);
	v[2] = 42;
	before = v;
	assert_int_equal(VCS_ARRAY_GROW(v, cap, SIZE_MAX / 4, 16), -1);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(v[2], 42);
	assert_int_equal(VCS_ARRAY_GROW(v, cap, SIZE_MAX, 16), -1);
	assert_int_equal(cap, 16);
	free(v);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_array_grow_doubles),
	cmocka_unit_test(test_vcs_array_grow_overflow),
};

PMDB_TEST_MAIN(tests)
