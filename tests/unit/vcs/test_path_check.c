/*
 * test_path_check.c -- which tree paths checkout may write: git's
 * verify_path with core.protectNTFS and core.protectHFS on, and ".pmvcs"
 * like ".git". tests/e2e/wt_path_check.sh compares the same verdicts
 * with git read-tree -u's.
 */
#include "vcstest.h"

#include "path_check.h"

/* valid -- vcs_path_valid on a NUL-terminated path */
static int
valid(const char *path, unsigned mode)
{
	return vcs_path_valid(path, strlen(path), mode);
}

/* check_all -- every path of list must get verdict want for mode */
static void
check_all(const char *const *list, size_t n, unsigned mode, int want)
{
	for (size_t i = 0; i < n; i++)
		if (valid(list[i], mode) != want)
			fail_msg("'%s' (mode %o): expected %s", list[i], mode,
				 want ? "valid" : "invalid");
}

#define CHECK(list, mode, want) \
	check_all(list, sizeof(list) / sizeof(list[0]), mode, want)

/* test_vcs_path_valid_refuses -- .git, .pmvcs, dots, empty components,
 * in every spelling git knows */
static void
test_vcs_path_valid_refuses(void **state)
{
	static const char *const bad[] = {
		"", "/", "/a", "a/", "a//b", ".", "..", "./a", "a/./b", "a/..",
		"../a", ".git", ".git/config", ".GIT/config", ".Git", "sub/.git",
		"sub/.git/config", "a/b/.gIt/x",
		/* NTFS: short name, trailing dots and spaces, stream suffix,
		 * a backslash as a separator */
		"git~1", "GIT~1/x", "sub/git~1", ".git.", ".git. /x", ".git ",
		".git...", ".git::$INDEX_ALLOCATION/x", "git~1 .", "a\\.git",
		"a\\.git\\config", "a\\git~1",
		/* HFS+: ignorable code points anywhere in the name */
		"\xe2\x80\x8c.git", ".\xe2\x80\x8cgit/x", ".g\xe2\x80\x8dit",
		".gi\xe2\x80\x8et", ".git\xe2\x80\x8f", ".\xe2\x80\xaaGIT/x",
		".gi\xe2\x81\xaft/y", ".g\xef\xbb\xbfit",
		/* ours, in the same spellings */
		".pmvcs", ".pmvcs/pool.set", "sub/.pmvcs/pool.set", ".PMVCS/x",
		".PmVcS", "pmvcs~1/x", ".pmvcs. ", "a\\.pmvcs",
		".\xe2\x80\x8cpmvcs/x",
	};

	CHECK(bad, VCS_MODE_BLOB, 0);
	CHECK(bad, VCS_MODE_EXEC, 0);
	CHECK(bad, VCS_MODE_LINK, 0);
	CHECK(bad, VCS_MODE_GITLINK, 0);
}

/* test_vcs_path_valid_accepts -- names that only look like the above,
 * and characters git allows */
static void
test_vcs_path_valid_accepts(void **state)
{
	static const char *const good[] = {
		"a", "a/b/c", "tab\tna", "new\nline", "sp ace", "a:b", "\x01",
		"caf\xc3\xa9", "\xff\xfe", ".gitignore", ".gitattributes",
		".gitmodules", ".github/workflows/ci.yml", "git", "git~2",
		"git~1x", ".gitx", "x.git", ".pmvcsignore", ".pmvcsx", "pmvcs",
		"pmvcs~2", "...", ".a", "a..b", "..a", "a/.../b", "a\\b",
		"\\.git", "a/\\.git", /* git looks at a backslash inside a name only */
		".g\xe2\x80\x8bit", /* U+200B is not ignorable for HFS+ */
		".\xe2\x80\x8cgitx", "gi7eba~1",
	};

	CHECK(good, VCS_MODE_BLOB, 1);
	CHECK(good, VCS_MODE_EXEC, 1);
	CHECK(good, VCS_MODE_GITLINK, 1);
}

/* test_vcs_path_valid_symlink -- a .gitmodules symlink is refused in
 * every spelling, a file of that name is not */
static void
test_vcs_path_valid_symlink(void **state)
{
	static const char *const bad[] = {
		".gitmodules", ".GITMODULES", "sub/.gitmodules", ".gitmodules.",
		".gitmodules ::$DATA", "gitmod~1", "GITMOD~4", "gi7eba~1",
		"GI7EBA~9", "x/.gitmodules/y", ".\xe2\x80\x8cgitmodules",
	};
	static const char *const good[] = {
		".gitmodulesx", "gitmod~5", "gi7ebb~1", "gi7eba~", "gi7eba~0", "gi7eba~12",
	};

	CHECK(bad, VCS_MODE_LINK, 0);
	CHECK(good, VCS_MODE_LINK, 1);
	CHECK(bad, VCS_MODE_BLOB, 1);
}

/* test_vcs_path_valid_bounds -- a NUL inside the given length, or a
 * length that is not the string's, is invalid */
static void
test_vcs_path_valid_bounds(void **state)
{
	static const char nul[] = "a\0b";
	char *exact = strdup("abc");

	assert_int_equal(vcs_path_valid(nul, 3, VCS_MODE_BLOB), 0);
	assert_int_equal(vcs_path_valid("abc", 2, VCS_MODE_BLOB), 0);
	assert_int_equal(vcs_path_valid(exact, 3, VCS_MODE_BLOB), 1);
	free(exact);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_path_valid_refuses),
	cmocka_unit_test(test_vcs_path_valid_accepts),
	cmocka_unit_test(test_vcs_path_valid_symlink),
	cmocka_unit_test(test_vcs_path_valid_bounds),
};

PMDB_TEST_MAIN(tests)
