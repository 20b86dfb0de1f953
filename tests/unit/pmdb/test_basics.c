/*
 * test_basics.c -- ids, hex, error names, ref names, compression rule.
 */
#include <errno.h>
#include "testutil.h"
#include <pmdb.h>
#include "compress.h"
#include "env.h"

/* hex_of -- id of (type, data) as hex. */
static void
hex_of(char *out, pmdb_hash_algo a, pmdb_otype t, const char *d, size_t n)
{
	pmdb_oid oid;

	assert_int_equal(pmdb_hash_object(&oid, a, t, d, n), 0);
	pmdb_oid_fmt(out, &oid, a);
}

static void
test_pmdb__hash_git_ids(void **state)
{
	char hex[PMDB_OID_HEXMAX + 1];

	hex_of(hex, PMDB_HASH_SHA1, PMDB_OBJ_BLOB, "", 0);
	assert_string_equal(hex, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	hex_of(hex, PMDB_HASH_SHA256, PMDB_OBJ_BLOB, "", 0);
	assert_string_equal(hex, "473a0f4c3be8a93681a267e3b1e9a7dcda1185436"
			    "fe141f7749120a303721813");
	hex_of(hex, PMDB_HASH_SHA1, PMDB_OBJ_BLOB, "hello\n", 6);
	assert_string_equal(hex, "ce013625030ba8dba906f756967f9e9ca394464a");
	/* the empty tree */
	hex_of(hex, PMDB_HASH_SHA1, PMDB_OBJ_TREE, "", 0);
	assert_string_equal(hex, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
}

static void
test_pmdb__hash_bad_args(void **state)
{
	pmdb_oid oid;

	assert_int_equal(pmdb_hash_object(&oid, 7, PMDB_OBJ_BLOB, "", 0),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_hash_object(&oid, PMDB_HASH_SHA1, 9, "", 0),
			 PMDB_EINVAL);
}

static void
test_pmdb__oid_fmt_parse(void **state)
{
	const char *h = "CE013625030ba8dba906f756967f9e9ca394464a";
	char out[PMDB_OID_HEXMAX + 1];
	pmdb_oid oid, z;

	assert_int_equal(pmdb_oid_parse(&oid, h, 40, PMDB_HASH_SHA1), 0);
	assert_string_equal(pmdb_oid_fmt(out, &oid, PMDB_HASH_SHA1),
			    "ce013625030ba8dba906f756967f9e9ca394464a");
	for (int i = 20; i < 32; i++)
		assert_int_equal(oid.id[i], 0);
	assert_int_equal(pmdb_oid_parse(&oid, h, 39, PMDB_HASH_SHA1),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_oid_parse(&oid, h, 40, PMDB_HASH_SHA256),
			 PMDB_EINVAL);
	assert_int_equal(pmdb_oid_parse(&oid, "g0136250", 8, PMDB_HASH_SHA1),
			 PMDB_EINVAL);
	memset(&z, 0, sizeof(z));
	assert_true(pmdb_oid_is_zero(&z));
	assert_false(pmdb_oid_is_zero(&oid));
}

static void
test_pmdb__names(void **state)
{
	pmdb_hash_algo a;
	pmdb_otype t;

	assert_int_equal(pmdb_hash_len(PMDB_HASH_SHA1), 20);
	assert_int_equal(pmdb_hash_len(PMDB_HASH_SHA256), 32);
	assert_int_equal(pmdb_hash_len(0), 0);
	assert_string_equal(pmdb_hash_name(PMDB_HASH_SHA256), "sha256");
	assert_int_equal(pmdb_hash_from_name(&a, "sha1"), 0);
	assert_int_equal(a, PMDB_HASH_SHA1);
	assert_int_equal(pmdb_hash_from_name(&a, "md5"), PMDB_EINVAL);
	assert_string_equal(pmdb_otype_name(PMDB_OBJ_TAG), "tag");
	assert_null(pmdb_otype_name(0));
	assert_int_equal(pmdb_otype_from_name(&t, "treex", 4), 0);
	assert_int_equal(t, PMDB_OBJ_TREE);
	assert_int_equal(pmdb_otype_from_name(&t, "tre", 3), PMDB_EINVAL);
}

static void
test_pmdb__strerror(void **state)
{
	for (int e = PMDB_ERROR; e < PMDB_LAST_ERRCODE; e++) {
		assert_non_null(pmdb_strerror(e));
		assert_true(strlen(pmdb_strerror(e)) > 0);
	}
	assert_string_equal(pmdb_strerror(PMDB_ENOTFOUND), "not found");
	assert_string_equal(pmdb_strerror(0), "success");
	assert_string_equal(pmdb_strerror(ENOENT), strerror(ENOENT));
	assert_string_equal(pmdb_errdetail(), pmdb_errdetail());
}

static void
test_pmdb__ref_names(void **state)
{
	const char *good[] = { "HEAD", "refs/heads/main", "refs/tags/v1.0",
			       "refs/heads/a-b_c/d", "refs/x@y" };
	const char *bad[] = { "", "main", "refs/heads/", "/refs/x",
			      "refs//x", "refs/.hidden", "refs/x.lock",
			      "refs/a..b", "refs/a b", "refs/a~1", "refs/a^",
			      "refs/a:b", "refs/a?", "refs/a*", "refs/a[",
			      "refs/a\\b", "refs/a@{1}", "@", "refs/x.",
			      "refs/\x01" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(pmdb_ref_name_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_false(pmdb_ref_name_valid(bad[i]));
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname));
		memcpy(longname, "refs/", 5);
		longname[256] = '\0';
		assert_false(pmdb_ref_name_valid(longname));
		longname[255] = '\0';
		assert_true(pmdb_ref_name_valid(longname));
	}
}

static void
test_pmdb__compress_rule(void **state)
{
	uint8_t src[4096], dst[8192], back[4096];
	void *st = pmdb_compress__state_new();
	size_t n;
	int comp;

	memset(src, 'a', sizeof(src));
	n = pmdb_compress__put(st, dst, src, sizeof(src), &comp);
	assert_true(comp);
	assert_true(n < sizeof(src) / 8);
	assert_int_equal(pmdb_compress__get(back, sizeof(src), dst, n), 0);
	assert_memory_equal(back, src, sizeof(src));
	/* random bytes do not compress: kept raw */
	srand(1);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)rand();
	n = pmdb_compress__put(st, dst, src, sizeof(src), &comp);
	assert_false(comp);
	assert_int_equal(n, sizeof(src));
	assert_memory_equal(dst, src, n);
	/* under 256 bytes: raw even if compressible */
	memset(src, 'b', 255);
	n = pmdb_compress__put(st, dst, src, 255, &comp);
	assert_false(comp);
	assert_int_equal(n, 255);
	n = pmdb_compress__put(st, dst, src, 256, &comp);
	assert_true(comp);
	pmdb_compress__state_free(st);
}

static void
test_pmdb__crc32c(void **state)
{
	/* the standard check value of CRC-32C */
	assert_int_equal(pmdb_crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(pmdb_crc32c(pmdb_crc32c(0, "1234", 4), "56789", 5),
			 0xe3069283u);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__hash_git_ids),
		cmocka_unit_test(test_pmdb__hash_bad_args),
		cmocka_unit_test(test_pmdb__oid_fmt_parse),
		cmocka_unit_test(test_pmdb__names),
		cmocka_unit_test(test_pmdb__strerror),
		cmocka_unit_test(test_pmdb__ref_names),
		cmocka_unit_test(test_pmdb__compress_rule),
		cmocka_unit_test(test_pmdb__crc32c),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
