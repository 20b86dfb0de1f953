/*
 * test_pathsel.c -- path selection as git reads pathspecs (vcs/pathsel.c): made
 * root-relative, directories and wildcards matching, unmatched items
 * reported, and commit <path>'s selection of HEAD's and the working
 * tree's entries.
 */
#include "vcstest.h"
#include "undo.h"

/* check_norm -- vcs_path_normalize(prefix, arg) is want (NULL: outside) */
static void
check_norm(const char *prefix, const char *arg, const char *want)
{
	int outside = 0;
	char *r = vcs_path_normalize(prefix, arg, &outside);

	if (!want) {
		assert_null(r);
		assert_int_equal(outside, 1);
		return;
	}
	assert_non_null(r);
	assert_string_equal(r, want);
	free(r);
}

/* test_vcs_pathsel_normalize -- ".", "..", slashes, the prefix */
static void
test_vcs_pathsel_normalize(void **state)
{
	(void)state;
	check_norm("", "a", "a");
	check_norm("", ".", "");
	check_norm("", "./d//b/", "d/b");
	check_norm("d", "../a", "a");
	check_norm("d/s", "..", "d");
	check_norm("d", "x/../y", "d/y");
	check_norm("", "..", NULL);
	check_norm("d", "../../a", NULL);
}

/* test_vcs_pathsel_match -- exact, directory, wildcard, everything */
static void
test_vcs_pathsel_match(void **state)
{
	char *args[] = { "a", "d", "*.c", "nope", "e/" };
	vcs_pathsel ps;
	const char *bad;
	size_t k = 0;

	(void)state;
	assert_int_equal(vcs_pathsel_init(&ps, "", args, 5), 0);
	assert_true(vcs_pathsel_match(&ps, "a"));
	assert_false(vcs_pathsel_match(&ps, "ab"));
	assert_true(vcs_pathsel_match(&ps, "a/b")); /* a as a directory */
	assert_true(vcs_pathsel_match(&ps, "d/x/y"));
	assert_false(vcs_pathsel_match(&ps, "dd/x"));
	assert_true(vcs_pathsel_match(&ps, "s/t/u.c")); /* '*' crosses '/' */
	assert_false(vcs_pathsel_match(&ps, "u.h"));
	assert_true(vcs_pathsel_match(&ps, "e/f"));
	bad = vcs_pathsel_unmatched(&ps, &k);
	assert_non_null(bad);
	assert_string_equal(bad, "nope");
	assert_null(vcs_pathsel_unmatched(&ps, &k));
	vcs_pathsel_free(&ps);

	char *all[] = { "." };
	assert_int_equal(vcs_pathsel_init(&ps, "", all, 1), 0);
	assert_true(vcs_pathsel_match(&ps, "any/thing"));
	vcs_pathsel_free(&ps);

	char *out[] = { "ok", "../../x" };
	assert_int_equal(vcs_pathsel_init(&ps, "d", out, 2), PMDB_EINVAL);
	vcs_pathsel_free(&ps); /* harmless after a failed init */
}

/* add -- an entry with a one-byte id (its tag) */
static void
add(vcs_wt_list *l, const char *path, int tag)
{
	vcs_wt_entry *e = vcs_wt_list_add(l, path, strlen(path), VCS_MODE_BLOB);

	assert_non_null(e);
	e->oid.id[0] = (unsigned char)tag;
	e->have_oid = 1;
}

/* test_vcs_pathsel_select -- HEAD outside the pathspec, the working
 * tree inside it (new files, changes and deletions) */
static void
test_vcs_pathsel_select(void **state)
{
	vcs_wt_list head = VCS_WT_LIST_INIT, wt = VCS_WT_LIST_INIT;
	vcs_wt_list out = VCS_WT_LIST_INIT;
	char *args[] = { "d" };
	vcs_pathsel ps;

	(void)state;
	add(&head, "a", 1);
	add(&head, "d/gone", 1);
	add(&head, "d/x", 1);
	add(&wt, "a", 2);       /* changed, outside: HEAD's stays */
	add(&wt, "d/new", 2);   /* new, inside: taken */
	add(&wt, "d/x", 2);     /* changed, inside: taken */
	add(&wt, "z", 2);       /* new, outside: left out */
	assert_int_equal(vcs_pathsel_init(&ps, "", args, 1), 0);
	assert_int_equal(vcs_pathsel_select(&ps, &head, &wt, &out), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.e[0].path, "a");
	assert_int_equal(out.e[0].oid.id[0], 1);
	assert_string_equal(out.e[1].path, "d/new");
	assert_int_equal(out.e[1].oid.id[0], 2);
	assert_string_equal(out.e[2].path, "d/x");
	assert_int_equal(out.e[2].oid.id[0], 2);
	vcs_pathsel_free(&ps);
	vcs_wt_list_free(&head);
	vcs_wt_list_free(&wt);
	vcs_wt_list_free(&out);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_pathsel_normalize),
	cmocka_unit_test(test_vcs_pathsel_match),
	cmocka_unit_test(test_vcs_pathsel_select),
};

PMDB_TEST_MAIN(tests)
