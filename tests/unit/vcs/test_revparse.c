/*
 * test_revparse.c -- revision syntax on a small history built through
 * the API:  c1 -- c2 -- m (master, HEAD)
 *             \         /
 *              c3 -----+ (side);  tags: v1 (annotated, c1), light (c2)
 */
#include "vcstest.h"

typedef struct hist {
	char *dir;
	vcs_repo *r;
	pmdb_oid c1, c2, c3, m, t1, t2, tag, one;
} hist;

/* mk_tree -- a tree of (path, blob) pairs */
static pmdb_oid
mk_tree(hist *h, pmdb_txn *txn, const char *const *paths,
	const pmdb_oid *blobs, size_t n)
{
	vcs_tree_editor *t;
	pmdb_oid root;

	assert_int_equal(vcs_tree_editor_new(&t, h->r, txn, NULL), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vcs_tree_editor_set(t, paths[i], strlen(paths[i]),
					       VCS_MODE_BLOB, &blobs[i]), 0);
	assert_int_equal(vcs_tree_editor_write(t, txn, &root), 0);
	vcs_tree_editor_free(t);
	return root;
}

/* mk_commit -- store a commit */
static pmdb_oid
mk_commit(hist *h, pmdb_txn *txn, const pmdb_oid *tree, pmdb_oid *parents,
	  size_t np, const char *msg)
{
	vcs_commit c = { *tree, parents, np, TEST_AUTHOR, TEST_COMMITTER,
			 NULL, NULL, (char *)msg, strlen(msg) };
	vcs_str s = VCS_STR_INIT;
	pmdb_oid o;

	assert_int_equal(vcs_commit_format(&s, &c, h->r->algo), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_COMMIT, s.data, s.len, &o), 0);
	vcs_str_free(&s);
	return o;
}

/* build -- the history above */
static void
build(hist *h, pmdb_hash_algo algo)
{
	static const char *const p1[] = { "file" };
	static const char *const p2[] = { "file", "dir/sub" };
	pmdb_oid b[2], two, par[2];
	vcs_tag tag = { { { 0 } }, PMDB_OBJ_COMMIT, "v1", TEST_COMMITTER, NULL,
			"tag v1\n", 7 };
	vcs_str s = VCS_STR_INIT;
	pmdb_txn *txn;

	memset(h, 0, sizeof(*h));
	h->dir = test_tmpdir("rev");
	assert_int_equal(vcs_repo_init(&h->r, h->dir, algo, NULL, NULL), 0);
	assert_int_equal(pmdb_txn_begin(h->r->env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "one\n", 4, &h->one), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, "two\n", 4, &two), 0);
	b[0] = h->one;
	h->t1 = mk_tree(h, txn, p1, b, 1);
	b[0] = two;
	b[1] = h->one;
	h->t2 = mk_tree(h, txn, p2, b, 2);
	h->c1 = mk_commit(h, txn, &h->t1, NULL, 0, "c1\n");
	h->c2 = mk_commit(h, txn, &h->t2, &h->c1, 1, "c2\n");
	h->c3 = mk_commit(h, txn, &h->t1, &h->c1, 1, "c3");
	par[0] = h->c2;
	par[1] = h->c3;
	h->m = mk_commit(h, txn, &h->t2, par, 2, "merge\n");
	tag.object = h->c1;
	assert_int_equal(vcs_tag_format(&s, &tag, algo), 0);
	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_TAG, s.data, s.len, &h->tag), 0);
	vcs_str_free(&s);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/master", &h->m,
					  PMDB_EXPECT_ANY), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/side", &h->c3,
					  PMDB_EXPECT_ANY), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/tags/light", &h->c2,
					  PMDB_EXPECT_ANY), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/tags/v1", &h->tag,
					  PMDB_EXPECT_ANY), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
}

/* expect -- spec resolves to want */
static void
expect(hist *h, const char *spec, const pmdb_oid *want)
{
	char a[100], b[100];
	pmdb_oid got;
	int err = vcs_revparse(h->r, spec, &got);

	if (err)
		fail_msg("%s: error %d: %s", spec, err, vcs_errmsg());
	if (memcmp(&got, want, sizeof(got)))
		fail_msg("%s: got %s, want %s", spec, vcs_oid_hex(h->r, &got, a),
			 vcs_oid_hex(h->r, want, b));
}

/* test_vcs_revparse_history -- refs, ~, ^, ^{}, rev:path, ids */
static void
test_vcs_revparse_history(void **state)
{
	static const pmdb_hash_algo algos[] = { PMDB_HASH_SHA1, PMDB_HASH_SHA256 };

	for (size_t a = 0; a < 2; a++) {
		hist h;
		char hex[100], spec[120];
		pmdb_oid o;

		build(&h, algos[a]);
		expect(&h, "HEAD", &h.m);
		expect(&h, "@", &h.m);
		expect(&h, "master", &h.m);
		expect(&h, "heads/master", &h.m);
		expect(&h, "refs/heads/side", &h.c3);
		expect(&h, "side", &h.c3);
		expect(&h, "light", &h.c2);
		expect(&h, "v1", &h.tag);
		expect(&h, "tags/v1", &h.tag);
		expect(&h, "v1^{}", &h.c1);
		expect(&h, "v1^{commit}", &h.c1);
		expect(&h, "v1^{tag}", &h.tag);
		expect(&h, "v1^{tree}", &h.t1);
		expect(&h, "v1^0", &h.c1);
		expect(&h, "HEAD^{tree}", &h.t2);
		expect(&h, "HEAD~", &h.c2);
		expect(&h, "HEAD^", &h.c2);
		expect(&h, "HEAD~2", &h.c1);
		expect(&h, "HEAD^2", &h.c3);
		expect(&h, "master^2~1", &h.c1);
		expect(&h, "HEAD^0", &h.m);
		expect(&h, "HEAD:dir/sub", &h.one);
		expect(&h, "HEAD:", &h.t2);
		expect(&h, "v1:file", &h.one);
		vcs_oid_hex(h.r, &h.m, hex);
		expect(&h, hex, &h.m);
		snprintf(spec, sizeof(spec), "%.10s~1", hex);
		expect(&h, spec, &h.c2);

		static const char *const bad[] = {
			"nosuch", "HEAD~3", "HEAD^3", "HEAD^{blob}", "HEAD:nope",
			"HEAD:file/x", "v1^{bogus}", "", "^HEAD", "HEAD^{tree",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (vcs_revparse(h.r, bad[i], &o) != PMDB_ENOTFOUND)
				fail_msg("'%s' did not give ENOTFOUND", bad[i]);
		assert_int_equal(vcs_revparse(h.r, "nosuch", &o), PMDB_ENOTFOUND);
		assert_string_equal(vcs_errmsg(), "ambiguous argument 'nosuch': "
				    "unknown revision or path not in the "
				    "working tree.");
		vcs_repo_free(h.r);
		test_rmtree(h.dir);
	}
}

/* test_vcs_revparse_ambiguous_and_head -- a 4-digit prefix shared by two
 * objects; vcs_head on a branch and detached */
static void
test_vcs_revparse_ambiguous_and_head(void **state)
{
	hist h;
	pmdb_txn *txn;
	pmdb_oid o, seen[65536 / 8];
	char hex[100], prefix[5] = "", *branch;
	unsigned short *first = calloc(65536, sizeof(*first));

	build(&h, PMDB_HASH_SHA1);
	assert_int_equal(pmdb_txn_begin(h.r->env, &txn), 0);
	/* blobs until two ids share their first 16 bits (birthday: ~300) */
	for (unsigned i = 1; i < sizeof(seen) / sizeof(seen[0]) && !prefix[0]; i++) {
		char body[32];
		int n = snprintf(body, sizeof(body), "amb %u\n", i);
		unsigned k;

		assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, body,
					      (size_t)n, &o), 0);
		seen[i] = o;
		k = (unsigned)o.id[0] << 8 | o.id[1];
		if (first[k])
			snprintf(prefix, sizeof(prefix), "%.4s",
				 vcs_oid_hex(h.r, &o, hex));
		first[k] = (unsigned short)i;
	}
	free(first);
	assert_true(prefix[0] != '\0');
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(vcs_revparse(h.r, prefix, &o), PMDB_EAMBIGUOUS);
	snprintf(hex, sizeof(hex), "short object ID %s is ambiguous", prefix);
	assert_string_equal(vcs_errmsg(), hex);

	assert_int_equal(vcs_head(h.r, &o, &branch), 0);
	assert_memory_equal(&o, &h.m, sizeof(o));
	assert_string_equal(branch, "refs/heads/master");
	free(branch);
	/* detached */
	assert_int_equal(pmdb_txn_begin(h.r->env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "HEAD", &h.c1, PMDB_EXPECT_ANY), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	assert_int_equal(vcs_head(h.r, &o, &branch), 0);
	assert_memory_equal(&o, &h.c1, sizeof(o));
	assert_null(branch);
	expect(&h, "HEAD", &h.c1);
	vcs_repo_free(h.r);
	test_rmtree(h.dir);
}

/* test_vcs_read_typed_and_peel -- typed reads say what they found */
static void
test_vcs_read_typed_and_peel(void **state)
{
	hist h;
	vcs_commit c;
	vcs_tree t;
	pmdb_oid o;

	build(&h, PMDB_HASH_SHA1);
	assert_int_equal(vcs_commit_read(h.r, NULL, &h.m, &c), 0);
	assert_int_equal(c.nparents, 2);
	assert_memory_equal(&c.parents[1], &h.c3, sizeof(o));
	vcs_commit_clear(&c);
	assert_int_equal(vcs_tree_read(h.r, NULL, &h.m, &t), PMDB_EINVAL);
	assert_non_null(strstr(vcs_errmsg(), "is a commit, not a tree"));
	assert_int_equal(vcs_peel(h.r, &h.tag, PMDB_OBJ_TREE, &o), 0);
	assert_memory_equal(&o, &h.t1, sizeof(o));
	assert_int_equal(vcs_peel(h.r, &h.m, PMDB_OBJ_BLOB, &o), PMDB_EINVAL);
	vcs_repo_free(h.r);
	test_rmtree(h.dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_revparse_history),
	cmocka_unit_test(test_vcs_revparse_ambiguous_and_head),
	cmocka_unit_test(test_vcs_read_typed_and_peel),
};

PMDB_TEST_MAIN(tests)
