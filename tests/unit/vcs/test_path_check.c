/*
 * test_path_check.c -- which tree paths checkout may write: git's
 * verify_path with core.protectNTFS and core.protectHFS on, and ".pmvcs"
 * like ".git". tests/e2e/wt_path_check.sh compares the same verdicts
 * with git read-tree -u's.
 */
#include "vcstest.h"

#include "path_check.h"

/* A path and git's verdicts on it: for a file (100644, 100755, and a
 * gitlink) and for a symlink (120000), 1 valid. */
typedef struct verdict {
	const char *path;
	int file_ok, link_ok;
} verdict;

#define BAD(p) { p, 0, 0 }
#define GOOD(p) { p, 1, 1 }
#define BADLINK(p) { p, 1, 0 }

static const verdict cases[] = {
	/* empty components, ".", ".." */
	BAD(""), BAD("/"), BAD("/a"), BAD("a/"), BAD("a//b"), BAD("."),
	BAD(".."), BAD("./a"), BAD("a/./b"), BAD("a/.."), BAD("../a"),
	/* .git in any case, at any depth */
	BAD(".git"), BAD(".git/config"), BAD(".GIT/config"), BAD(".Git"),
	BAD("sub/.git"), BAD("sub/.git/config"), BAD("a/b/.gIt/x"),
	/* NTFS: short name, trailing dots and spaces, stream suffix, a
	 * backslash inside a name as a separator */
	BAD("git~1"), BAD("GIT~1/x"), BAD("sub/git~1"), BAD(".git."),
	BAD(".git. /x"), BAD(".git "), BAD(".git..."),
	BAD(".git::$INDEX_ALLOCATION/x"), BAD("git~1 ."), BAD("a\\.git"),
	BAD("a\\.git\\config"), BAD("a\\git~1"),
	/* HFS+: ignorable code points anywhere in the name */
	BAD("\xe2\x80\x8c.git"), BAD(".\xe2\x80\x8cgit/x"),
	BAD(".g\xe2\x80\x8dit"), BAD(".gi\xe2\x80\x8et"),
	BAD(".git\xe2\x80\x8f"), BAD(".\xe2\x80\xaaGIT/x"),
	BAD(".gi\xe2\x81\xaft/y"), BAD(".g\xef\xbb\xbfit"),
	/* ours, in the same spellings */
	BAD(".pmvcs"), BAD(".pmvcs/pool.set"), BAD("sub/.pmvcs/pool.set"),
	BAD(".PMVCS/x"), BAD(".PmVcS"), BAD("pmvcs~1/x"), BAD(".pmvcs. "),
	BAD("a\\.pmvcs"), BAD(".\xe2\x80\x8cpmvcs/x"),
	/* a .gitmodules symlink, in every spelling */
	BADLINK(".gitmodules"), BADLINK(".GITMODULES"),
	BADLINK("sub/.gitmodules"), BADLINK(".gitmodules."),
	BADLINK(".gitmodules ::$DATA"), BADLINK("gitmod~1"),
	BADLINK("GITMOD~4"), BADLINK("gi7eba~1"), BADLINK("GI7EBA~9"),
	BADLINK("x/.gitmodules/y"), BADLINK(".\xe2\x80\x8cgitmodules"),
	/* names that only look like the above; characters git allows */
	GOOD("a"), GOOD("a/b/c"), GOOD("tab\tna"), GOOD("new\nline"),
	GOOD("sp ace"), GOOD("a:b"), GOOD("\x01"), GOOD("caf\xc3\xa9"),
	GOOD("\xff\xfe"), GOOD(".gitignore"), GOOD(".gitattributes"),
	GOOD(".github/workflows/ci.yml"), GOOD("git"), GOOD("git~2"),
	GOOD("git~1x"), GOOD(".gitx"), GOOD("x.git"), GOOD(".pmvcsignore"),
	GOOD(".pmvcsx"), GOOD("pmvcs"), GOOD("pmvcs~2"), GOOD("..."),
	GOOD(".a"), GOOD("a..b"), GOOD("..a"), GOOD("a/.../b"), GOOD("a\\b"),
	/* git looks at a backslash inside a name only */
	GOOD("\\.git"), GOOD("a/\\.git"),
	/* U+200B is not ignorable for HFS+ */
	GOOD(".g\xe2\x80\x8bit"), GOOD(".\xe2\x80\x8cgitx"),
	GOOD(".gitmodulesx"), GOOD("gitmod~5"), GOOD("gi7ebb~1"),
	GOOD("gi7eba~"), GOOD("gi7eba~0"), GOOD("gi7eba~12"),
};

/* test_vcs_path_valid_verdicts -- every case, every mode */
static void
test_vcs_path_valid_verdicts(void **state)
{
	static const unsigned modes[] = {
		VCS_MODE_BLOB, VCS_MODE_EXEC, VCS_MODE_GITLINK, VCS_MODE_LINK,
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			const verdict *v = &cases[i];
			int want = modes[m] == VCS_MODE_LINK ? v->link_ok : v->file_ok;

			if (vcs_path_valid(v->path, strlen(v->path), modes[m]) != want)
				fail_msg("'%s' (mode %o): expected %s", v->path,
					 modes[m], want ? "valid" : "invalid");
		}
	}
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
	cmocka_unit_test(test_vcs_path_valid_verdicts),
	cmocka_unit_test(test_vcs_path_valid_bounds),
};

PMDB_TEST_MAIN(tests)
