/*
 * test_reflog.c -- reflog entries: append and read back through
 * vcs_ref_update(), the record grammar of docs/format.md, and fsck
 * naming a damaged log.
 */
#include <stdio.h>

#include "fsck.h"
#include "reflog.h"
#include "vcstest.h"

#define IDENT "C O Mitter <c@example.com> 1700000000 +0100"

/* put_blob -- store a blob, committed, and return its id */
static pmdb_oid
put_blob(vcs_repo *r, const char *s)
{
	pmdb_txn *txn = NULL;
	pmdb_oid id;

	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, s, strlen(s), &id), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	return id;
}

/* set -- one logged ref change in its own txn */
static void
set(vcs_repo *r, const char *name, const pmdb_oid *oid, const char *msg)
{
	vcs_ref_change c = { .name = name, .oid = oid, .ident = IDENT,
			     .msg = msg };
	pmdb_txn *txn = NULL;

	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	assert_int_equal(vcs_ref_update(r, txn, &c), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
}

/* test_vcs_reflog_append_read -- newest first, git's line, HEAD follows
 * its branch, tags are not logged, deleting drops the log */
static void
test_vcs_reflog_append_read(void **state)
{
	char *dir = test_tmpdir("reflog");
	char hex[PMDB_OID_HEXMAX + 1], hex2[PMDB_OID_HEXMAX + 1], want[256];
	vcs_repo *r = NULL;
	vcs_reflog log;
	pmdb_oid a, b, got;

	assert_int_equal(vcs_repo_init(&r, dir, PMDB_HASH_SHA1, NULL, NULL), 0);
	a = put_blob(r, "a");
	b = put_blob(r, "b");
	set(r, "refs/heads/master", &a, "one");
	set(r, "refs/heads/master", &b, "two\nignored");
	set(r, "refs/tags/t", &a, "tag");
	assert_int_equal(vcs_reflog_read(r, "refs/heads/master", &log), 0);
	assert_int_equal(log.n, 2);
	snprintf(want, sizeof(want), "%s %s " IDENT "\ttwo",
		 hex_of(hex, &a, r->algo), hex_of(hex2, &b, r->algo));
	assert_string_equal(log.e[0].line, want);
	assert_string_equal(log.e[0].msg, "two");
	assert_int_equal(log.e[0].time, 1700000000);
	assert_true(pmdb_oid_is_zero(&log.e[1].old_oid));
	assert_memory_equal(&log.e[0].prev, &log.e[1].id, sizeof(pmdb_oid));
	vcs_reflog_clear(&log);
	assert_int_equal(vcs_reflog_read(r, "HEAD", &log), 0);
	assert_int_equal(log.n, 2);
	vcs_reflog_clear(&log);
	assert_int_equal(vcs_reflog_read(r, "refs/tags/t", &log), 0);
	assert_int_equal(log.n, 0);
	assert_int_equal(vcs_reflog_nth(r, "refs/heads/master", "master", 1,
					&got), 0);
	assert_memory_equal(&got, &a, sizeof(got));
	assert_int_equal(vcs_reflog_nth(r, "refs/heads/master", "master", 2,
					&got), PMDB_ENOTFOUND);
	assert_string_equal(vcs_errmsg(), "log for 'master' only has 2 entries");
	assert_int_equal(vcs_reflog_nth(r, "refs/tags/t", "t", 0, &got),
			 VCS_REFLOG_NONE);
	set(r, "refs/heads/master", NULL, "");
	assert_int_equal(pmdb_ref_read(r->env, "logs/refs/heads/master", NULL,
				       NULL), PMDB_ENOTFOUND);
	assert_int_equal(vcs_reflog_read(r, "HEAD", &log), 0);
	assert_int_equal(log.n, 2);
	vcs_reflog_clear(&log);
	vcs_repo_free(r);
	test_rmtree(dir);
}

/* test_vcs_reflog_damaged -- a malformed entry is refused by the reader,
 * named by fsck, and stops gc */
static void
test_vcs_reflog_damaged(void **state)
{
	static const char *const bad[] = {
		"no line at all\n",
		"0000000000000000000000000000000000000000 zz A <a> 1 +0000\tm\n",
		"prev 12\n0000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000 A <a> 1 +0000\tm\n",
		"0000000000000000000000000000000000000000 "
		"0000000000000000000000000000000000000000 A <a> 1 +0000 no tab\n",
	};
	char *dir = test_tmpdir("reflogbad");
	char *text = NULL;
	size_t len = 0;
	vcs_repo *r = NULL;
	vcs_fsck_result res;
	pmdb_gc_stat st;
	vcs_gc_opts o = { 0, 0, 0 };
	vcs_reflog log;

	assert_int_equal(vcs_repo_init(&r, dir, PMDB_HASH_SHA1, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pmdb_txn *txn = NULL;
		pmdb_oid id;
		FILE *out = open_memstream(&text, &len);

		assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_LOG, bad[i],
					      strlen(bad[i]), &id), 0);
		assert_int_equal(pmdb_txn_ref_set(txn, "logs/refs/heads/x", &id,
						  PMDB_EXPECT_ANY), 0);
		assert_int_equal(pmdb_txn_commit(txn), 0);
		assert_int_equal(vcs_reflog_read(r, "refs/heads/x", &log),
				 PMDB_ECORRUPT);
		assert_int_equal(vcs_fsck(r, 0, out, &res), 0);
		fclose(out);
		assert_true(res.bad > 0);
		assert_non_null(strstr(text, "error in ref logs/refs/heads/x: "
				       "reflog of refs/heads/x: entry "));
		free(text);
		text = NULL;
		assert_int_equal(vcs_gc(r, &o, &st), PMDB_ECORRUPT);
	}
	vcs_repo_free(r);
	test_rmtree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_reflog_append_read),
	cmocka_unit_test(test_vcs_reflog_damaged),
};

PMDB_TEST_MAIN(tests)
