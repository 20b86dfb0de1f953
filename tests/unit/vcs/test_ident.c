/*
 * test_ident.c -- vcs_ident_make against `git var GIT_*_IDENT`.
 */
#include <time.h>

#include "vcstest.h"

typedef struct envpair {
	const char *name, *value;
} envpair;

/* lookup -- getenv callback over a NULL-terminated envpair array */
static const char *
lookup(void *ctx, const char *name)
{
	for (const envpair *e = ctx; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e->value;
	return NULL;
}

/* git_ident -- what `git var GIT_<role>_IDENT` prints for these values
 * (TZ pinned so a date without zone means the same to both) */
static void
git_ident(char *out, size_t n, const char *role, const char *name,
	  const char *email, const char *date)
{
	assert_int_equal(sh_out(out, n, "HOME=/nonexistent GIT_CONFIG_NOSYSTEM=1 "
				"GIT_%s_NAME='%s' GIT_%s_EMAIL='%s' "
				"GIT_%s_DATE='%s' git var GIT_%s_IDENT",
				role, name, role, email, role, date, role), 0);
}

/* test_vcs_ident_dates_match_git -- every accepted date form, crud in
 * names and emails, both roles */
static void
test_vcs_ident_dates_match_git(void **state)
{
	static const char *dates[] = {
		"1112911993 +0200",
		"@1112911993 -0730",
		"@1112911993 +0000",
		"1112911993 -0000",
		"Thu, 07 Apr 2005 22:13:13 +0200",
		"Thu, 7 Apr 2005 22:13:13 -0500",
		"2005-04-07T22:13:13+02:00",
		"2005-04-07T22:13:13-0330",
		"2005-04-07 22:13:13 +0200",
		"2005-04-07T22:13:13Z",
		"Mon Jun 13 10:00:00 2022 +0100",
	};
	static const struct { const char *name, *email; } who[] = {
		{ "A U Thor", "author@example.com" },
		{ "  .Jane Doe,; ", " <jane@example.com> " },
		{ "J<o>hn", "j@x" },
	};

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		for (size_t w = 0; w < 3; w++) {
			const char *role = (i + w) % 2 ? "AUTHOR" : "COMMITTER";
			char want[512], vn[64], ve[64], vd[64];
			vcs_str s = VCS_STR_INIT;

			snprintf(vn, sizeof(vn), "GIT_%s_NAME", role);
			snprintf(ve, sizeof(ve), "GIT_%s_EMAIL", role);
			snprintf(vd, sizeof(vd), "GIT_%s_DATE", role);
			envpair env[] = {
				{ vn, who[w].name }, { ve, who[w].email },
				{ vd, dates[i] }, { NULL, NULL }
			};

			git_ident(want, sizeof(want), role, who[w].name,
				  who[w].email, dates[i]);
			assert_int_equal(vcs_ident_make(&s, role, lookup, env), 0);
			if (strcmp((char *)s.data, want))
				fail_msg("date '%s': got '%s', git says '%s'",
					 dates[i], (char *)s.data, want);
			vcs_str_free(&s);
		}
	}
}

/* test_vcs_ident_fallback_and_errors -- no variables: passwd name and
 * the current time; a bad date is PMDB_EINVAL and appends nothing */
static void
test_vcs_ident_fallback_and_errors(void **state)
{
	envpair none[] = { { NULL, NULL } };
	envpair bad[] = {
		{ "GIT_AUTHOR_NAME", "X" }, { "GIT_AUTHOR_EMAIL", "x@y" },
		{ "GIT_AUTHOR_DATE", "not a date" }, { NULL, NULL }
	};
	envpair email_var[] = {
		{ "GIT_COMMITTER_NAME", "X" }, { "EMAIL", "from@email.var" },
		{ "GIT_COMMITTER_DATE", "@0 +0000" }, { NULL, NULL }
	};
	vcs_str s = VCS_STR_INIT;
	long long ts;
	char sign;
	int tz;
	const char *gt;

	assert_int_equal(vcs_ident_make(&s, "AUTHOR", lookup, none), 0);
	gt = strrchr((char *)s.data, '>');
	assert_non_null(gt);
	assert_int_equal(sscanf(gt, "> %lld %c%d", &ts, &sign, &tz), 3);
	assert_true(sign == '+' || sign == '-');
	assert_true(llabs(ts - (long long)time(NULL)) < 60);
	assert_non_null(strchr((char *)s.data, '<'));

	vcs_str_reset(&s);
	assert_int_equal(vcs_str_adds(&s, "keep"), 0);
	assert_int_equal(vcs_ident_make(&s, "AUTHOR", lookup, bad), PMDB_EINVAL);
	assert_string_equal((char *)s.data, "keep");
	assert_non_null(strstr(vcs_errmsg(), "date"));

	vcs_str_reset(&s);
	assert_int_equal(vcs_ident_make(&s, "COMMITTER", lookup, email_var), 0);
	assert_string_equal((char *)s.data, "X <from@email.var> 0 +0000");
	vcs_str_free(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_ident_dates_match_git),
	cmocka_unit_test(test_vcs_ident_fallback_and_errors),
};

PMDB_TEST_MAIN(tests)
