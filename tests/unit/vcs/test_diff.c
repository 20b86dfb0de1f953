/*
 * test_diff.c -- the line diff engine (vcs_diff_text) against git.
 *
 * Every expected text below is what git 2.39 printed from its first "@@"
 * line on, for the two texts of the case written to files fa and fb:
 *     git diff --no-index -- fa fb | sed -n '/^@@/,$p'
 */
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"
#include "diff.h"

typedef struct dcase {
	const char *name, *a, *b, *expect;
} dcase;

static const dcase cases[] = {
	{ "change_middle",
	  "a\n"
	    "b\n"
	    "c\n"
	    "d\n"
	    "e\n"
	    "f\n"
	    "g\n",
	  "a\n"
	    "b\n"
	    "c\n"
	    "D\n"
	    "e\n"
	    "f\n"
	    "g\n",
	  "@@ -1,7 +1,7 @@\n"
	    " a\n"
	    " b\n"
	    " c\n"
	    "-d\n"
	    "+D\n"
	    " e\n"
	    " f\n"
	    " g\n" },
	{ "no_newline_new",
	  "a\n"
	    "b\n",
	  "a\n"
	    "b\n"
	    "c",
	  "@@ -1,2 +1,3 @@\n"
	    " a\n"
	    " b\n"
	    "+c\n"
	    "\\ No newline at end of file\n" },
	{ "no_newline_both",
	  "x\n"
	    "y",
	  "x\n"
	    "z",
	  "@@ -1,2 +1,2 @@\n"
	    " x\n"
	    "-y\n"
	    "\\ No newline at end of file\n"
	    "+z\n"
	    "\\ No newline at end of file\n" },
	{ "empty_to_text",
	  "",
	  "one\n"
	    "two\n",
	  "@@ -0,0 +1,2 @@\n"
	    "+one\n"
	    "+two\n" },
	{ "text_to_empty",
	  "one\n"
	    "two\n",
	  "",
	  "@@ -1,2 +0,0 @@\n"
	    "-one\n"
	    "-two\n" },
	{ "add_only_top",
	  "b\n"
	    "c\n"
	    "d\n",
	  "a\n"
	    "b\n"
	    "c\n"
	    "d\n",
	  "@@ -1,3 +1,4 @@\n"
	    "+a\n"
	    " b\n"
	    " c\n"
	    " d\n" },
	{ "two_hunks",
	  "l1\n"
	    "l2\n"
	    "l3\n"
	    "l4\n"
	    "l5\n"
	    "l6\n"
	    "l7\n"
	    "l8\n"
	    "l9\n"
	    "l10\n"
	    "l11\n"
	    "l12\n"
	    "l13\n"
	    "l14\n"
	    "l15\n"
	    "l16\n"
	    "l17\n"
	    "l18\n"
	    "l19\n"
	    "l20\n",
	  "l1\n"
	    "L2\n"
	    "l3\n"
	    "l4\n"
	    "l5\n"
	    "l6\n"
	    "l7\n"
	    "l8\n"
	    "l9\n"
	    "l10\n"
	    "l11\n"
	    "l12\n"
	    "l13\n"
	    "l14\n"
	    "l15\n"
	    "l16\n"
	    "l17\n"
	    "L18\n"
	    "l19\n"
	    "l20\n",
	  "@@ -1,5 +1,5 @@\n"
	    " l1\n"
	    "-l2\n"
	    "+L2\n"
	    " l3\n"
	    " l4\n"
	    " l5\n"
	    "@@ -15,6 +15,6 @@ l14\n"
	    " l15\n"
	    " l16\n"
	    " l17\n"
	    "-l18\n"
	    "+L18\n"
	    " l19\n"
	    " l20\n" },
	{ "merged_context",
	  "l1\n"
	    "l2\n"
	    "l3\n"
	    "l4\n"
	    "l5\n"
	    "l6\n"
	    "l7\n"
	    "l8\n"
	    "l9\n"
	    "l10\n"
	    "l11\n"
	    "l12\n"
	    "l13\n"
	    "l14\n",
	  "l1\n"
	    "l2\n"
	    "L3\n"
	    "l4\n"
	    "l5\n"
	    "l6\n"
	    "l7\n"
	    "l8\n"
	    "L9\n"
	    "l10\n"
	    "l11\n"
	    "l12\n"
	    "l13\n"
	    "l14\n",
	  "@@ -1,12 +1,12 @@\n"
	    " l1\n"
	    " l2\n"
	    "-l3\n"
	    "+L3\n"
	    " l4\n"
	    " l5\n"
	    " l6\n"
	    " l7\n"
	    " l8\n"
	    "-l9\n"
	    "+L9\n"
	    " l10\n"
	    " l11\n"
	    " l12\n" },
	{ "funcname",
	  "int f(void)\n"
	    "{\n"
	    "\tint a;\n"
	    "\tint b;\n"
	    "\tint c;\n"
	    "\tint d;\n"
	    "\treturn 0;\n"
	    "}\n",
	  "int f(void)\n"
	    "{\n"
	    "\tint a;\n"
	    "\tint b;\n"
	    "\tint c;\n"
	    "\tint d;\n"
	    "\treturn 1;\n"
	    "}\n",
	  "@@ -4,5 +4,5 @@ int f(void)\n"
	    " \tint b;\n"
	    " \tint c;\n"
	    " \tint d;\n"
	    "-\treturn 0;\n"
	    "+\treturn 1;\n"
	    " }\n" },
	{ "indent_heuristic",
	  "if (a) {\n"
	    "\tx();\n"
	    "}\n"
	    "\n"
	    "if (b) {\n"
	    "\ty();\n"
	    "}\n",
	  "if (a) {\n"
	    "\tx();\n"
	    "}\n"
	    "\n"
	    "if (c) {\n"
	    "\tz();\n"
	    "}\n"
	    "\n"
	    "if (b) {\n"
	    "\ty();\n"
	    "}\n",
	  "@@ -2,6 +2,10 @@ if (a) {\n"
	    " \tx();\n"
	    " }\n"
	    " \n"
	    "+if (c) {\n"
	    "+\tz();\n"
	    "+}\n"
	    "+\n"
	    " if (b) {\n"
	    " \ty();\n"
	    " }\n" },
};

/* run_case -- diff one pair and compare with git's hunks. */
static void
run_case(const char *name)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const dcase *c = &cases[i];
		vcs_str out = VCS_STR_INIT;
		size_t add = 0, del = 0;

		if (strcmp(c->name, name))
			continue;
		assert_int_equal(0, vcs_diff_text(&out, c->a, strlen(c->a), c->b,
						  strlen(c->b), 3, &add, &del));
		assert_string_equal(c->expect, out.data ? (char *)out.data : "");
		vcs_str_free(&out);
		return;
	}
	fail_msg("no case %s", name);
}

#define CASE(n) \
	static void test_diff__##n(void **state) { (void)state; run_case(#n); }
CASE(change_middle)
CASE(no_newline_new)
CASE(no_newline_both)
CASE(empty_to_text)
CASE(text_to_empty)
CASE(add_only_top)
CASE(two_hunks)
CASE(merged_context)
CASE(funcname)
CASE(indent_heuristic)

/* test_diff__identical -- equal texts give no hunk at all. */
static void
test_diff__identical(void **state)
{
	vcs_str out = VCS_STR_INIT;
	size_t add = 9, del = 9;

	(void)state;
	assert_int_equal(0, vcs_diff_text(&out, "a\nb\n", 4, "a\nb\n", 4, 3,
					  &add, &del));
	assert_int_equal(0, out.len);
	assert_int_equal(0, add);
	assert_int_equal(0, del);
	vcs_str_free(&out);
}

/* test_diff__binary -- git's rule: a NUL in the first 8000 bytes. */
static void
test_diff__binary(void **state)
{
	static char big[9000];

	(void)state;
	assert_true(vcs_diff_is_binary("p\0q", 3));
	assert_false(vcs_diff_is_binary("text\n", 5));
	memset(big, 'x', sizeof(big));
	big[8500] = '\0';
	assert_false(vcs_diff_is_binary(big, sizeof(big)));
	big[10] = '\0';
	assert_true(vcs_diff_is_binary(big, sizeof(big)));
}

/* test_diff__context_zero -- -U0 hunks (git diff -U0 --no-index). */
static void
test_diff__context_zero(void **state)
{
	vcs_str out = VCS_STR_INIT;

	(void)state;
	assert_int_equal(0, vcs_diff_text(&out, "a\nb\nc\n", 6, "a\nB\nc\n", 6,
					  0, NULL, NULL));
	assert_string_equal("@@ -2 +2 @@ a\n-b\n+B\n", (char *)out.data);
	vcs_str_free(&out);
}

/* test_diff__counts -- added/deleted lines feed --stat. */
static void
test_diff__counts(void **state)
{
	size_t add = 0, del = 0;

	(void)state;
	assert_int_equal(0, vcs_diff_text(NULL, "a\nb\nc\n", 6, "a\nx\ny\nc\n",
					  8, 3, &add, &del));
	assert_int_equal(2, add);
	assert_int_equal(1, del);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff__change_middle),
		cmocka_unit_test(test_diff__no_newline_new),
		cmocka_unit_test(test_diff__no_newline_both),
		cmocka_unit_test(test_diff__empty_to_text),
		cmocka_unit_test(test_diff__text_to_empty),
		cmocka_unit_test(test_diff__add_only_top),
		cmocka_unit_test(test_diff__two_hunks),
		cmocka_unit_test(test_diff__merged_context),
		cmocka_unit_test(test_diff__funcname),
		cmocka_unit_test(test_diff__indent_heuristic),
		cmocka_unit_test(test_diff__identical),
		cmocka_unit_test(test_diff__binary),
		cmocka_unit_test(test_diff__context_zero),
		cmocka_unit_test(test_diff__counts),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
