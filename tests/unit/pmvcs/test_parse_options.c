/*
 * test_parse_options.c -- the commands' option parser: values, forms,
 * operands, and git's messages (the e2e test wt_options.sh compares the
 * messages with real git; these cases pin each rule on its own).
 */
#include "testutil.h"

#include "parse_options.h"

/** opts_state -- every kind of value one table can set */
typedef struct opts_state {
	int quiet, verbose, force, all, data, allow, allow_msg, number, num;
	const char *msg, *fmt, *opt, *stuck;
	int ncb, cb_unset;
	const char *cb_arg;
	FILE *out, *err;
	char *outbuf, *errbuf;
	size_t outlen, errlen;
} opts_state;

static opts_state st;

static int
record_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	opts_state *s = opt->value;

	(void)err;
	s->ncb++;
	s->cb_arg = arg;
	s->cb_unset = unset;
	return 0;
}

static int
num_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	(void)unset;
	if (!strcmp(arg, "13"))
		return pmvcs_opt_error(err, "unlucky %s", arg);
	*(int *)opt->value = atoi(arg);
	return 0;
}

static const char *const usage[] = {
	"pmvcs test [<options>] <x>...",
	"pmvcs test -d <name>\n"
	"           [<more>]",
	NULL
};

static const pmvcs_option opts[] = {
	OPT__QUIET(&st.quiet, "be quiet"),
	OPT__VERBOSE(&st.verbose, "be verbose"),
	OPT_BOOL('f', "force", &st.force, "force it"),
	OPT_BOOL('a', "all", &st.all, "everything"),
	OPT_BOOL(0, "allow-empty", &st.allow, "allow empty"),
	OPT_BOOL(0, "allow-empty-message", &st.allow_msg, "allow empty message"),
	OPT_BOOL(0, "no-data", &st.data, "no data"),
	OPT_STRING('m', "message", &st.msg, "msg", "the message"),
	OPT_STRING_F(0, "format", &st.fmt, "fmt", "a format", PMVCS_OPTF_NONEG),
	{ PMVCS_OPT_STRING, 'o', "opt", &st.opt, "x", "optional", PMVCS_OPTF_OPTARG,
	  (intptr_t)"dflt", NULL },
	{ PMVCS_OPT_STRING, 0, "stuck", &st.stuck, "v", "only --stuck=v",
	  PMVCS_OPTF_OPTARG | PMVCS_OPTF_STUCK, 0, NULL },
	OPT_INTEGER('n', "max-count", &st.number, "limit"),
	OPT_CALLBACK('c', "call", &st, "arg", "a callback", record_cb),
	OPT_NUMBER_CALLBACK(&st.num, "-<n>", num_cb),
	OPT_END()
};

static int
setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	st.number = -1;
	st.out = open_memstream(&st.outbuf, &st.outlen);
	st.err = open_memstream(&st.errbuf, &st.errlen);
	return st.out && st.err ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	fclose(st.out);
	fclose(st.err);
	free(st.outbuf);
	free(st.errbuf);
	return 0;
}

/* parse -- argv from a NULL-terminated list; the operands stay in av */
static int
parse_flags(char **av, unsigned flags, ...)
{
	va_list ap;
	int n = 0, rc;

	av[n++] = "test";
	va_start(ap, flags);
	for (char *a; (a = va_arg(ap, char *)); )
		av[n++] = a;
	va_end(ap);
	av[n] = NULL;
	rc = pmvcs_parse_options(n, av, opts, usage, flags, st.out, st.err);
	fflush(st.out);
	fflush(st.err);
	return rc;
}
#define parse(av, ...) parse_flags(av, 0, __VA_ARGS__, NULL)

/* first_line -- the first line of buf (static copy) */
static const char *
first_line(const char *buf)
{
	static char line[256];
	size_t n = buf ? strcspn(buf, "\n") : 0;

	snprintf(line, sizeof(line), "%.*s", (int)n, buf ? buf : "");
	return line;
}

static void
test_pmvcs_opts__bundle_and_values(void **state)
{
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "-qqv", "-fn5", "-mhello", "x"), 1);
	assert_int_equal(st.quiet, 2);
	assert_int_equal(st.verbose, 1);
	assert_int_equal(st.force, 1);
	assert_int_equal(st.number, 5);
	assert_string_equal(st.msg, "hello");
	assert_string_equal(av[0], "x");
	assert_null(av[1]);
	assert_int_equal(parse(av, "-n", "7", "-m", "two words"), 0);
	assert_int_equal(st.number, 7);
	assert_string_equal(st.msg, "two words");
	assert_int_equal(st.errlen, 0);
}

static void
test_pmvcs_opts__long_forms(void **state)
{
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "--message=a=b", "--max-count", "3",
			       "--verbose", "--verbose", "--no-verbose"), 0);
	assert_string_equal(st.msg, "a=b");
	assert_int_equal(st.number, 3);
	assert_int_equal(st.verbose, 0);
	assert_int_equal(parse(av, "--force", "--no-force", "--all"), 0);
	assert_int_equal(st.force, 0);
	assert_int_equal(st.all, 1);
	/* a name that starts with no- is negated without it */
	assert_int_equal(parse(av, "--no-data"), 0);
	assert_int_equal(st.data, 1);
	assert_int_equal(parse(av, "--data"), 0);
	assert_int_equal(st.data, 0);
	/* optional argument: only attached */
	assert_int_equal(parse(av, "--opt", "x"), 1);
	assert_string_equal(st.opt, "dflt");
	assert_string_equal(av[0], "x");
	assert_int_equal(parse(av, "--opt=v", "-ow"), 0);
	assert_string_equal(st.opt, "w");
	assert_int_equal(parse(av, "--no-message"), 0);
	assert_null(st.msg);
	/* STUCK: the same, only the usage differs */
	assert_int_equal(parse(av, "--stuck", "v"), 1);
	assert_null(st.stuck);
	assert_int_equal(parse(av, "--stuck=v"), 0);
	assert_string_equal(st.stuck, "v");
	assert_int_equal(st.errlen, 0);
}

static void
test_pmvcs_opts__prefixes(void **state)
{
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "--mess", "m", "--verb", "--allow-empty-m"), 0);
	assert_string_equal(st.msg, "m");
	assert_int_equal(st.verbose, 1);
	assert_int_equal(st.allow_msg, 1);
	/* an exact name beats the longer one it prefixes */
	assert_int_equal(parse(av, "--allow-empty"), 0);
	assert_int_equal(st.allow, 1);
	assert_int_equal(parse(av, "--no-verb"), 0);
	assert_int_equal(st.verbose, 0);
	assert_int_equal(parse(av, "--allow"), -1);
	assert_string_equal(first_line(st.errbuf), "error: ambiguous option: "
			    "allow (could be --allow-empty or --allow-empty-message)");
	/* git prints the usage after an ambiguity on stdout */
	assert_string_equal(first_line(st.outbuf),
			    "usage: pmvcs test [<options>] <x>...");
}

static void
test_pmvcs_opts__operands_and_dashdash(void **state)
{
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "a", "-q", "-", "b", "--", "-f", "c"), 5);
	assert_string_equal(av[0], "a");
	assert_string_equal(av[1], "-");
	assert_string_equal(av[2], "b");
	assert_string_equal(av[3], "-f");
	assert_string_equal(av[4], "c");
	assert_int_equal(st.quiet, 1);
	assert_int_equal(st.force, 0);
	assert_int_equal(parse_flags(av, PMVCS_PARSE_KEEP_DASHDASH, "a", "--",
				     "b", NULL), 3);
	assert_string_equal(av[1], "--");
	assert_int_equal(parse_flags(av, PMVCS_PARSE_STOP_AT_NON_OPTION,
				     "-q", "sub", "-f", NULL), 2);
	assert_string_equal(av[0], "sub");
	assert_string_equal(av[1], "-f");
	assert_int_equal(st.force, 0);
	assert_int_equal(parse_flags(av, PMVCS_PARSE_KEEP_UNKNOWN, "--bogus",
				     "-q", "-Z", NULL), 2);
	assert_string_equal(av[0], "--bogus");
	assert_string_equal(av[1], "-Z");
	assert_int_equal(st.errlen, 0);
}

static void
test_pmvcs_opts__callbacks_and_numbers(void **state)
{
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "--call=x", "-3"), 0);
	assert_int_equal(st.ncb, 1);
	assert_string_equal(st.cb_arg, "x");
	assert_int_equal(st.num, 3);
	assert_int_equal(parse(av, "--no-call", "-q12"), 0);
	assert_int_equal(st.cb_unset, 1);
	assert_null(st.cb_arg);
	assert_int_equal(st.num, 12);
	assert_int_equal(parse(av, "-13"), -1);
	assert_string_equal(first_line(st.errbuf), "error: unlucky 13");
}

/* expect_error -- parse fails with this first error line; usage on err
 * follows when with_usage */
static void
expect_error(const char *arg, const char *arg2, const char *want, int with_usage)
{
	char *av[16];

	teardown(NULL);
	setup(NULL);
	assert_int_equal(parse_flags(av, 0, arg, arg2, NULL), -1);
	assert_string_equal(first_line(st.errbuf), want);
	if (with_usage)
		assert_non_null(strstr(st.errbuf, "\nusage: pmvcs test"));
	else
		assert_null(strstr(st.errbuf, "usage:"));
	assert_int_equal(st.outlen, 0);
}

static void
test_pmvcs_opts__git_errors(void **state)
{
	(void)state;
	expect_error("--bogus", NULL, "error: unknown option `bogus'", 1);
	expect_error("--bogus=1", NULL, "error: unknown option `bogus=1'", 1);
	expect_error("-Z", NULL, "error: unknown switch `Z'", 1);
	expect_error("-qZ", NULL, "error: unknown switch `Z'", 1);
	expect_error("--no-format", NULL, "error: unknown option `no-format'", 1);
	expect_error("-m", NULL, "error: switch `m' requires a value", 0);
	expect_error("--message", NULL, "error: option `message' requires a value",
		     0);
	expect_error("--quiet=1", NULL, "error: option `quiet' takes no value", 0);
	expect_error("--no-message=x", NULL,
		     "error: option `no-message' takes no value", 0);
	expect_error("-n", "x", "error: switch `n' expects a numerical value", 0);
	expect_error("--max-count=", NULL,
		     "error: option `max-count' expects a numerical value", 0);
	expect_error("-all", NULL, "error: did you mean `--all` (with two "
		     "dashes)?", 0);
	/* -n takes "o-force" as its value before any typo check, as in git */
	expect_error("-no-force", NULL,
		     "error: switch `n' expects a numerical value", 0);
}

static void
test_pmvcs_opts__help(void **state)
{
	static const char want[] =
		"usage: pmvcs test [<options>] <x>...\n"
		"   or: pmvcs test -d <name>\n"
		"                  [<more>]\n"
		"\n"
		"    -q, --quiet           be quiet\n"
		"    -v, --verbose         be verbose\n"
		"    -f, --force           force it\n"
		"    -a, --all             everything\n"
		"    --allow-empty         allow empty\n"
		"    --allow-empty-message allow empty message\n"
		"    --no-data             no data\n"
		"    -m, --message <msg>   the message\n"
		"    --format <fmt>        a format\n"
		"    -o, --opt[=<x>]       optional\n"
		"    --stuck=<v>           only --stuck=v\n"
		"    -n, --max-count <n>   limit\n"
		"    -c, --call <arg>      a callback\n"
		"    -NUM                  -<n>\n"
		"\n";
	char *av[16];

	(void)state;
	assert_int_equal(parse(av, "-q", "-h"), -1);
	assert_string_equal(st.outbuf, want);
	assert_int_equal(st.errlen, 0);
	teardown(NULL);
	setup(NULL);
	assert_int_equal(parse(av, "--help"), -1);
	assert_string_equal(st.outbuf, want);
	teardown(NULL);
	setup(NULL);
	/* the git commands that check a lone -h first print it on stderr */
	assert_int_equal(parse_flags(av, PMVCS_PARSE_HELP_STDERR, "-h", NULL),
			 -1);
	assert_string_equal(st.errbuf, want);
	assert_int_equal(st.outlen, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__bundle_and_values,
					setup, teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__long_forms, setup,
					teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__prefixes, setup,
					teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__operands_and_dashdash,
					setup, teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__callbacks_and_numbers,
					setup, teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__git_errors, setup,
					teardown),
	cmocka_unit_test_setup_teardown(test_pmvcs_opts__help, setup, teardown),
};

PMDB_TEST_MAIN(tests)
