/*
 * test_config.c -- git's configuration format (vcs/config.c): values,
 * quoting, continuations, comments, case rules, syntax errors with git's
 * line numbers, the command scope's quoting, and the writer keeping a
 * file's other bytes (vcs/config_write.c). Expectations are what git
 * 2.39 gives on the same text (e2e/cfg_config.sh runs git itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"
#include "config.h"

/** parse_text -- cfg of one file's text; the parse's code */
static int
parse_text(vcs_config *cfg, const char *text)
{
	return vcs_config_parse(cfg, text, strlen(text), "f", NULL,
				VCS_CONFIG_LOCAL);
}

/** get -- the value of key ("(none)" when it has no '=', NULL unset) */
static const char *
get(const vcs_config *cfg, const char *key)
{
	const vcs_config_entry *e = vcs_config_get(cfg, key);

	return !e ? NULL : e->value ? e->value : "(none)";
}

/** test_config__values -- quoting, escapes, spaces, comments, '\'. */
static void
test_config__values(void **state)
{
	vcs_config cfg = VCS_CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_text(&cfg,
		"; top\n[a]\n\tq = \"x  y\" ; c\n\tsp =  in\t\tside  \n"
		"\tesc = \"t\\tq\\\"\\\\\" n\\n\n\tcont = one\\\n two\n"
		"\tflag\n\tempty =\n\thash = a#b\n[b] k = v\n"), 0);
	assert_string_equal(get(&cfg, "a.q"), "x  y");
	assert_string_equal(get(&cfg, "a.sp"), "in  side");
	assert_string_equal(get(&cfg, "a.esc"), "t\tq\"\\ n\n");
	assert_string_equal(get(&cfg, "a.cont"), "one two");
	assert_string_equal(get(&cfg, "a.flag"), "(none)");
	assert_string_equal(get(&cfg, "a.empty"), "");
	assert_string_equal(get(&cfg, "a.hash"), "a");
	assert_string_equal(get(&cfg, "b.k"), "v");
	assert_string_equal(cfg.v[0].origin, "file:f");
	vcs_config_free(&cfg);
}

/** test_config__case -- names fold, quoted subsections do not, the
 *  old [a.B] form folds, the last value wins. */
static void
test_config__case(void **state)
{
	vcs_config cfg = VCS_CONFIG_INIT;

	(void)state;
	assert_int_equal(parse_text(&cfg,
		"[Sec \"SuB\"]\n\tKey = 1\n[sec.OLD]\n\tK = 2\n"
		"[sec \"q\\\"x\"]\n\tk = 3\n[sec]\n\tk = 4\n\tK = 5\n"), 0);
	assert_string_equal(get(&cfg, "sec.SuB.key"), "1");
	assert_null(get(&cfg, "sec.sub.key"));
	assert_string_equal(get(&cfg, "sec.old.k"), "2");
	assert_string_equal(get(&cfg, "sec.q\"x.k"), "3");
	assert_string_equal(get(&cfg, "sec.k"), "5");
	vcs_config_free(&cfg);
}

/** test_config__errors -- git's messages and line numbers. */
static void
test_config__errors(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "[a]\n\tk = \"open\n", "bad config line 2 in file f" },
		{ "[bad\n", "bad config line 1 in file f" },
		{ "[a]\n\t1k = v\n", "bad config line 2 in file f" },
		{ "[a]\n\tk = x\\q\n", "bad config line 2 in file f" },
		{ "[a \"s\" ]\n", "bad config line 1 in file f" },
	};
	char *key = NULL;
	int code = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vcs_config cfg = VCS_CONFIG_INIT;

		assert_int_equal(parse_text(&cfg, bad[i].text), PMDB_EINVAL);
		assert_string_equal(vcs_errmsg(), bad[i].msg);
		vcs_config_free(&cfg);
	}
	assert_int_equal(vcs_config_parse_key("nosec", &key, NULL, &code),
			 PMDB_EINVAL);
	assert_int_equal(code, 2);
	assert_int_equal(vcs_config_parse_key("a.1b", &key, NULL, &code),
			 PMDB_EINVAL);
	assert_int_equal(code, 1);
	assert_int_equal(vcs_config_parse_key("A.MiX.KeY", &key, NULL, NULL), 0);
	assert_string_equal(key, "a.MiX.key");
	free(key);
}

/** env_of -- a getenv over a NULL-terminated "NAME=value" list */
static const char *
env_of(void *ctx, const char *name)
{
	size_t n = strlen(name);

	for (const char **e = ctx; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/** test_config__command -- GIT_CONFIG_COUNT first, then the quoted
 *  GIT_CONFIG_PARAMETERS (new and old style, '\'' and '\!'). */
static void
test_config__command(void **state)
{
	const char *env[] = {
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=A.B",
		"GIT_CONFIG_VALUE_0=count",
		"GIT_CONFIG_PARAMETERS='a.b'='it'\\''s'\\!'' 'c.d' 'e.f=old'",
		NULL
	};
	const char *bogus[] = { "GIT_CONFIG_PARAMETERS='a.b'x", NULL };
	vcs_config cfg = VCS_CONFIG_INIT;

	(void)state;
	assert_int_equal(vcs_config_read_command(&cfg, env_of, env), 0);
	assert_int_equal(cfg.n, 4);
	assert_string_equal(cfg.v[0].value, "count");
	assert_string_equal(get(&cfg, "a.b"), "it's!");
	assert_string_equal(get(&cfg, "c.d"), "(none)");
	assert_string_equal(get(&cfg, "e.f"), "old");
	assert_string_equal(cfg.v[1].origin, "command line:");
	vcs_config_free(&cfg);
	assert_int_equal(vcs_config_read_command(&cfg, env_of, bogus),
			 PMDB_EINVAL);
	assert_string_equal(vcs_errmsg(), "bogus format in GIT_CONFIG_PARAMETERS");
	vcs_config_free(&cfg);
}

/** set_in -- run vcs_config_set_in_file on a file holding before;
 *  returns the file's text after (static buffer) */
static const char *
set_in(const char *before, const char *key, const char *value, int how,
       int *code)
{
	static char after[4096];
	char path[] = "/tmp/test_config.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, before, strlen(before)),
			 (ssize_t)strlen(before));
	close(fd);
	vcs_config_set_in_file(path, path, key, value, how, code);
	assert_non_null(f = fopen(path, "r"));
	n = fread(after, 1, sizeof(after) - 1, f);
	after[n] = '\0';
	fclose(f);
	unlink(path);
	return after;
}

/** test_config__write -- git's placement: replace in place, append to
 *  the last matching section, new section at the end, remove a section
 *  left empty unless a comment is near; refusals with git's codes. */
static void
test_config__write(void **state)
{
	const char *base = "# top\n[a]\n\tk = 1 ; old\n\tx = y\n# tail\n[b]\n\tz = 1\n";
	int code;

	(void)state;
	assert_string_equal(set_in(base, "a.K", "2", 0, &code),
			    "# top\n[a]\n\tK = 2\n\tx = y\n# tail\n[b]\n\tz = 1\n");
	assert_int_equal(code, 0);
	assert_string_equal(set_in(base, "a.n", "v w", 0, &code),
			    "# top\n[a]\n\tk = 1 ; old\n\tx = y\n\tn = v w\n"
			    "# tail\n[b]\n\tz = 1\n");
	assert_string_equal(set_in(base, "c.Sub.k", " sp;", 0, &code),
			    "# top\n[a]\n\tk = 1 ; old\n\tx = y\n# tail\n[b]\n"
			    "\tz = 1\n[c \"Sub\"]\n\tk = \" sp;\"\n");
	assert_string_equal(set_in(base, "b.z", NULL, 0, &code),
			    "# top\n[a]\n\tk = 1 ; old\n\tx = y\n# tail\n[b]\n");
	assert_string_equal(set_in("[a]\n\tk = 1\n[b]\n\tz = 1\n", "b.z", NULL,
				   0, &code), "[a]\n\tk = 1\n");
	assert_string_equal(set_in("[a]\n\tk = 1\n\tk = 2", "a.k", "3",
				   VCS_CONFIG_SET_ADD, &code),
			    "[a]\n\tk = 1\n\tk = 2\n\tk = 3\n");
	assert_string_equal(set_in("[a]\n\tk = 1\n\tk = 2\n", "a.k", "3", 0,
				   &code), "[a]\n\tk = 1\n\tk = 2\n");
	assert_int_equal(code, 5);
	assert_string_equal(set_in("[a]\n\tk = 1\n\tk = 2\n", "a.k", "3",
				   VCS_CONFIG_SET_ALL, &code), "[a]\n\tk = 3\n");
	set_in(base, "a.none", NULL, 0, &code);
	assert_int_equal(code, 5);
	set_in(base, "nosection", "v", 0, &code);
	assert_int_equal(code, 2);
	set_in("[a]\n\tk = \"open\n", "a.k", "v", 0, &code);
	assert_int_equal(code, 128);
}

/** test_config__types -- git's booleans and k/m/g integers. */
static void
test_config__types(void **state)
{
	long long v;
	const char *why;

	(void)state;
	assert_int_equal(vcs_config_bool(NULL), 1);
	assert_int_equal(vcs_config_bool("Yes"), 1);
	assert_int_equal(vcs_config_bool("off"), 0);
	assert_int_equal(vcs_config_bool(""), 0);
	assert_int_equal(vcs_config_bool("2"), 1);
	assert_int_equal(vcs_config_bool("maybe"), -1);
	assert_int_equal(vcs_config_int("4k", &v, &why), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(vcs_config_int("1G", &v, &why), 0);
	assert_int_equal(v, 1073741824LL);
	assert_int_equal(vcs_config_int("4x", &v, &why), -1);
	assert_string_equal(why, "invalid unit");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__values),
		cmocka_unit_test(test_config__case),
		cmocka_unit_test(test_config__errors),
		cmocka_unit_test(test_config__command),
		cmocka_unit_test(test_config__write),
		cmocka_unit_test(test_config__types),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
