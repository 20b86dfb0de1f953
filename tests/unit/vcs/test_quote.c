/*
 * test_quote.c -- path quoting as git prints it, and unquoting.
 */
#include "vcstest.h"

/* quoted -- vcs_quote_path into a static-free caller buffer */
static void
check_quote(const char *path, size_t len, const char *want)
{
	vcs_str s = VCS_STR_INIT;

	assert_int_equal(vcs_quote_path(&s, path, len), 0);
	assert_string_equal((char *)s.data, want);
	vcs_str_free(&s);
}

/* test_vcs_quote_path_cases -- escapes git uses (core.quotePath) */
static void
test_vcs_quote_path_cases(void **state)
{
	check_quote("plain/path.c", 12, "plain/path.c");
	check_quote("sp ace", 6, "sp ace");
	check_quote("a\tb", 3, "\"a\\tb\"");
	check_quote("q\"b\\", 4, "\"q\\\"b\\\\\"");
	check_quote("\a\b\v\f\r\n", 6, "\"\\a\\b\\v\\f\\r\\n\"");
	check_quote("\x01\x7f", 2, "\"\\001\\177\"");
	check_quote("caf\xc3\xa9", 5, "\"caf\\303\\251\"");
}

/* test_vcs_quote_path_matches_git -- git ls-files prints the same */
static void
test_vcs_quote_path_matches_git(void **state)
{
	static const char *names[] = {
		"tab\there", "new\nline", "caf\xc3\xa9", "q\"uote", "back\\slash",
		"bell\a", "del\x7f", "plain",
	};
	char *repo = git_repo(PMDB_HASH_SHA1);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4200], line[4200];
		vcs_str s = VCS_STR_INIT;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", repo, names[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(sh_out(NULL, 0, "cd '%s' && git add -A", repo), 0);
		assert_int_equal(sh_out(line, sizeof(line), "cd '%s' && git -c "
					"core.quotePath=true ls-files -o -c -- "
					"&& git rm -q --cached -r . >/dev/null "
					"&& rm -f ./*", repo), 0);
		assert_int_equal(vcs_quote_path(&s, names[i], strlen(names[i])), 0);
		assert_string_equal((char *)s.data, line);
		vcs_str_free(&s);
	}
	test_rmtree(repo);
}

/* test_vcs_unquote_roundtrip -- every byte survives quote+unquote, and
 * fast-import's octal escapes are read */
static void
test_vcs_unquote_roundtrip(void **state)
{
	char all[256];
	vcs_str q = VCS_STR_INIT, u = VCS_STR_INIT;
	const char *p, *oct = "\"a\\101\\303\\251z\" rest";

	for (int i = 0; i < 256; i++)
		all[i] = (char)(i == 0 ? 1 : i);
	assert_int_equal(vcs_quote_path(&q, all, 256), 0);
	p = (const char *)q.data;
	assert_int_equal(vcs_unquote(&u, &p, p + q.len), 0);
	assert_ptr_equal(p, (const char *)q.data + q.len);
	assert_int_equal(u.len, 256);
	assert_memory_equal(u.data, all, 256);

	vcs_str_reset(&u);
	p = oct;
	assert_int_equal(vcs_unquote(&u, &p, oct + strlen(oct)), 0);
	assert_string_equal((char *)u.data, "aA\xc3\xa9z");
	assert_string_equal(p, " rest");
	vcs_str_free(&q);
	vcs_str_free(&u);
}

/* test_vcs_unquote_malformed -- bad quotes are PMDB_EINVAL */
static void
test_vcs_unquote_malformed(void **state)
{
	static const char *bad[] = {
		"noquote", "\"unterminated", "\"bad \\x escape\"", "\"\\4000\"",
		"\"\\12\"", "\"trailing\\", "\"\\19x\"",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vcs_str u = VCS_STR_INIT;
		size_t len = strlen(bad[i]);
		char *copy = malloc(len);       /* exact size: ASan sees overreads */
		const char *p = copy;

		memcpy(copy, bad[i], len);
		if (vcs_unquote(&u, &p, copy + len) != PMDB_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		free(copy);
		vcs_str_free(&u);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_quote_path_cases),
	cmocka_unit_test(test_vcs_quote_path_matches_git),
	cmocka_unit_test(test_vcs_unquote_roundtrip),
	cmocka_unit_test(test_vcs_unquote_malformed),
};

PMDB_TEST_MAIN(tests)
