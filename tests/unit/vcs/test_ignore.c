/*
 * test_ignore.c -- the .pmvcsignore matcher (vcs/ignore.c): gitignore's
 * syntax and precedence, and git's wildmatch. Expectations follow git's
 * documentation (gitignore(5)) and t/t3070-wildmatch.sh.
 */
#include "testutil.h"
#include "worktree.h"

/** ign_of -- a rule set with one root file of text. */
static vcs_ignore *
ign_of(const char *text)
{
	vcs_ignore *ign = NULL;

	assert_int_equal(vcs_ignore_new(&ign), 0);
	assert_int_equal(vcs_ignore_push(ign, "", text, strlen(text)), 0);
	return ign;
}

#define M(ign, path, dir) vcs_ignore_match(ign, path, strlen(path), dir)

/** test_ignore__basename -- a pattern without '/' matches at any depth. */
static void
test_ignore__basename(void **state)
{
	vcs_ignore *ign = ign_of("*.o\n# a comment\n\nfoo\n");

	assert_true(M(ign, "a.o", 0));
	assert_true(M(ign, "x/y/b.o", 0));
	assert_false(M(ign, "a.c", 0));
	assert_true(M(ign, "d/foo", 1));
	assert_false(M(ign, "# a comment", 0));
	assert_false(M(ign, "foobar", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__negation -- the last matching pattern wins. */
static void
test_ignore__negation(void **state)
{
	vcs_ignore *ign = ign_of("*.log\n!keep.log\n");

	assert_true(M(ign, "a.log", 0));
	assert_false(M(ign, "keep.log", 0));
	assert_false(M(ign, "sub/keep.log", 0));
	vcs_ignore_free(ign);
	ign = ign_of("!keep.log\n*.log\n");
	assert_true(M(ign, "keep.log", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__dironly -- a trailing '/' matches directories only. */
static void
test_ignore__dironly(void **state)
{
	vcs_ignore *ign = ign_of("build/\n");

	assert_true(M(ign, "build", 1));
	assert_true(M(ign, "src/build", 1));
	assert_false(M(ign, "build", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__anchored -- a leading or middle '/' anchors the
 *  pattern to the ignore file's directory. */
static void
test_ignore__anchored(void **state)
{
	vcs_ignore *ign = ign_of("/top\ndoc/*.txt\n");

	assert_true(M(ign, "top", 0));
	assert_false(M(ign, "sub/top", 0));
	assert_true(M(ign, "doc/a.txt", 0));
	assert_false(M(ign, "doc/x/a.txt", 0));
	assert_false(M(ign, "x/doc/a.txt", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__doublestar -- "**" in its three positions. */
static void
test_ignore__doublestar(void **state)
{
	vcs_ignore *ign = ign_of("**/logs\nabc/**\na/**/b\n");

	assert_true(M(ign, "logs", 1));
	assert_true(M(ign, "x/y/logs", 0));
	assert_true(M(ign, "abc/d", 0));
	assert_true(M(ign, "abc/d/e", 0));
	assert_false(M(ign, "abc", 1));
	assert_true(M(ign, "a/b", 0));
	assert_true(M(ign, "a/x/b", 0));
	assert_true(M(ign, "a/x/y/b", 0));
	assert_false(M(ign, "a/xb", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__escapes -- "\#", "\!", escaped trailing spaces. */
static void
test_ignore__escapes(void **state)
{
	vcs_ignore *ign = ign_of("\\#hash\n\\!bang\ntrail  \nsp\\ \n");

	assert_true(M(ign, "#hash", 0));
	assert_true(M(ign, "!bang", 0));
	assert_true(M(ign, "trail", 0));
	assert_false(M(ign, "trail  ", 0));
	assert_true(M(ign, "sp ", 0));
	assert_false(M(ign, "sp", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__nested -- a deeper file applies below its directory
 *  only, and wins over the root's rules. */
static void
test_ignore__nested(void **state)
{
	vcs_ignore *ign = ign_of("*.tmp\n");
	const char *sub = "!keep.tmp\n/local\n";

	assert_int_equal(vcs_ignore_push(ign, "sub", sub, strlen(sub)), 0);
	assert_true(M(ign, "a.tmp", 0));
	assert_false(M(ign, "sub/keep.tmp", 0));
	assert_true(M(ign, "keep.tmp", 0));
	assert_true(M(ign, "sub/local", 0));
	assert_false(M(ign, "local", 0));
	assert_false(M(ign, "sub/x/local", 0));
	vcs_ignore_pop(ign);
	assert_true(M(ign, "sub/keep.tmp", 0));
	vcs_ignore_free(ign);
}

/** test_ignore__wildmatch -- classes and '?' from git's t3070. */
static void
test_ignore__wildmatch(void **state)
{
	assert_true(vcs_wildmatch("a[bc]d", "abd", 1));
	assert_false(vcs_wildmatch("a[!bc]d", "abd", 1));
	assert_true(vcs_wildmatch("a[^bc]d", "aed", 1));
	assert_true(vcs_wildmatch("[a-c]x", "bx", 1));
	assert_true(vcs_wildmatch("[[:digit:]]*", "7up", 1));
	assert_false(vcs_wildmatch("[[:alpha:]]", "1", 1));
	assert_true(vcs_wildmatch("a?c", "abc", 1));
	assert_false(vcs_wildmatch("a?c", "a/c", 1));
	assert_true(vcs_wildmatch("a?c", "a/c", 0));
	assert_false(vcs_wildmatch("a*", "a/b", 1));
	assert_true(vcs_wildmatch("a*", "a/b", 0));
	assert_true(vcs_wildmatch("foo/*", "foo/bar", 1));
	assert_true(vcs_wildmatch("\\*", "*", 1));
	assert_false(vcs_wildmatch("\\*", "x", 1));
	assert_true(vcs_wildmatch("**/foo", "foo", 1));
	assert_true(vcs_wildmatch("*[al]?", "ball", 1));
	assert_false(vcs_wildmatch("[", "[", 1));
	assert_true(vcs_wildmatch("[]]", "]", 1));
	assert_true(vcs_wildmatch("[a-]", "-", 1));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignore__basename),
		cmocka_unit_test(test_ignore__negation),
		cmocka_unit_test(test_ignore__dironly),
		cmocka_unit_test(test_ignore__anchored),
		cmocka_unit_test(test_ignore__doublestar),
		cmocka_unit_test(test_ignore__escapes),
		cmocka_unit_test(test_ignore__nested),
		cmocka_unit_test(test_ignore__wildmatch),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
