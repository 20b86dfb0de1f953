/*
 * parse_options.h -- the one option parser of every pmvcs command.
 *
 * Modelled on git's parse-options (git 2.39): a command describes its
 * options in a table ending with OPT_END(); the parser handles short and
 * long names, bundled short flags (-nq), "--opt=value" and "--opt value",
 * "-n5" and "-n 5", "--no-<opt>" for every option not marked NONEG,
 * unambiguous prefixes of long names ("--mess" for "--message"), "--" to
 * end the options, options after the operands (as git permutes them), and
 * -h / --help. Its messages, streams and exit code copy git's so that a
 * script sees the same thing from pmvcs and git:
 *
 *   unknown option     "error: unknown option `bogus'" or
 *                      "error: unknown switch `Z'", then the usage on err
 *   missing value      "error: option `message' requires a value"
 *                      ("switch `m'" for a short name); no usage
 *   value not wanted   "error: option `quiet' takes no value"
 *   bad number         "error: option `max-count' expects a numerical value"
 *   ambiguous prefix   "error: ambiguous option: a (could be --all or
 *                      --abbrev)", then the usage on out (as git does)
 *   -h, --help         the usage on out (on err with PMVCS_OPT_HELP_STDERR
 *                      when -h is the only argument)
 *
 * and the command then exits with 129 (PMVCS_EXIT_USAGE). The usage text
 * is generated from the usage lines and the table, in git's layout, so
 * that -h always tells the truth.
 *
 * Libc only: no dependency on vcs/ or pmdb/ (the unit test links it
 * alone). Threads: the parser keeps no state outside its arguments, so
 * commands on server threads may parse concurrently.
 */
#ifndef PMVCS_PARSE_OPTIONS_H
#define PMVCS_PARSE_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

typedef enum pmvcs_opt_type {
	PMVCS_OPT_END,          /**< ends the table */
	PMVCS_OPT_GROUP,        /**< a heading line in the usage */
	PMVCS_OPT_SET_INT,      /**< int: = defval; --no-: 0 (OPT_BOOL: 1) */
	PMVCS_OPT_COUNTUP,      /**< int: +1 each time; --no-: 0 */
	PMVCS_OPT_STRING,       /**< const char *: the argument; --no-: NULL */
	PMVCS_OPT_INTEGER,      /**< int: a decimal argument; --no-: 0 */
	PMVCS_OPT_CALLBACK,     /**< cb(opt, arg, unset, err) */
	PMVCS_OPT_NUMBER,       /**< "-<digits>" (log -3): cb with the digits */
} pmvcs_opt_type;

/* option flags (pmvcs_option.flags) */
#define PMVCS_OPTF_NONEG  0x01  /**< no "--no-" form */
#define PMVCS_OPTF_NOARG  0x02  /**< takes no argument (callbacks) */
#define PMVCS_OPTF_OPTARG 0x04  /**< argument only attached: --o=v, -ov;
                                     alone it takes defval */
#define PMVCS_OPTF_HIDDEN 0x08  /**< accepted, not listed in the usage */
#define PMVCS_OPTF_LITERAL_ARGHELP 0x10 /**< argh printed without <> */
#define PMVCS_OPTF_STUCK  0x20  /**< with OPTARG: the usage shows the value
                                     as needed, "--name=<value>" (grammars
                                     like fast-import's that take only
                                     that form; the command checks it) */

typedef struct pmvcs_option pmvcs_option;

/**
 * pmvcs_opt_cb -- called for a CALLBACK or NUMBER option. arg is the
 * argument (NULL for NOARG, for --no-<opt> and for an absent OPTARG);
 * unset is 1 for --no-<opt>. The command's state is opt->value.
 * @return 0, or -1 after printing "error: ..." on err: the parser then
 *  stops and the command exits 129 (as git's callbacks do).
 */
typedef int (*pmvcs_opt_cb)(const pmvcs_option *opt, const char *arg,
			    int unset, FILE *err);

/** One row of a command's option table; build rows with the OPT_ macros. */
struct pmvcs_option {
	pmvcs_opt_type type;
	int short_name;         /**< 'q', or 0 */
	const char *long_name;  /**< "quiet", or NULL */
	void *value;            /**< int *, const char ** or the cb's state */
	const char *argh;       /**< argument name in the usage ("msg") */
	const char *help;       /**< one line for the usage */
	int flags;              /**< PMVCS_OPTF_* */
	intptr_t defval;        /**< SET_INT value; OPTARG default */
	pmvcs_opt_cb cb;
};

#define OPT_END() { PMVCS_OPT_END, 0, NULL, NULL, NULL, NULL, 0, 0, NULL }
#define OPT_GROUP(h) { PMVCS_OPT_GROUP, 0, NULL, NULL, NULL, (h), 0, 0, NULL }
#define OPT_SET_INT_F(s, l, v, h, i, f) \
	{ PMVCS_OPT_SET_INT, (s), (l), (v), NULL, (h), \
	  PMVCS_OPTF_NOARG | (f), (i), NULL }
#define OPT_SET_INT(s, l, v, h, i) OPT_SET_INT_F(s, l, v, h, i, 0)
#define OPT_BOOL_F(s, l, v, h, f) OPT_SET_INT_F(s, l, v, h, 1, f)
#define OPT_BOOL(s, l, v, h) OPT_BOOL_F(s, l, v, h, 0)
#define OPT_COUNTUP(s, l, v, h) \
	{ PMVCS_OPT_COUNTUP, (s), (l), (v), NULL, (h), PMVCS_OPTF_NOARG, 0, NULL }
#define OPT_STRING_F(s, l, v, a, h, f) \
	{ PMVCS_OPT_STRING, (s), (l), (v), (a), (h), (f), 0, NULL }
#define OPT_STRING(s, l, v, a, h) OPT_STRING_F(s, l, v, a, h, 0)
#define OPT_INTEGER_F(s, l, v, a, h, f) \
	{ PMVCS_OPT_INTEGER, (s), (l), (v), (a), (h), (f), 0, NULL }
#define OPT_INTEGER(s, l, v, h) OPT_INTEGER_F(s, l, v, "n", h, 0)
#define OPT_CALLBACK_F(s, l, v, a, h, f, cb) \
	{ PMVCS_OPT_CALLBACK, (s), (l), (v), (a), (h), (f), 0, (cb) }
#define OPT_CALLBACK(s, l, v, a, h, cb) OPT_CALLBACK_F(s, l, v, a, h, 0, cb)
#define OPT_NUMBER_CALLBACK(v, h, cb) \
	{ PMVCS_OPT_NUMBER, 0, NULL, (v), NULL, (h), \
	  PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, 0, (cb) }
#define OPT__QUIET(v, h) OPT_COUNTUP('q', "quiet", (v), (h))
#define OPT__VERBOSE(v, h) OPT_COUNTUP('v', "verbose", (v), (h))
#define OPT__FORCE(v, h) OPT_COUNTUP('f', "force", (v), (h))

/* parse flags (pmvcs_parse_options' flags) */
#define PMVCS_PARSE_KEEP_DASHDASH   0x01 /**< leave "--" among the operands */
#define PMVCS_PARSE_STOP_AT_NON_OPTION 0x02 /**< the first operand ends the
                                                  options */
#define PMVCS_PARSE_KEEP_UNKNOWN    0x04 /**< pass unknown options through as
                                              operands (the command reports
                                              them in its own words) */
#define PMVCS_PARSE_HELP_STDERR     0x08 /**< a lone -h prints on err: the git
                                              commands that check "-h" before
                                              parsing (branch, commit, gc...) */

/**
 * pmvcs_parse_options -- parse argv[1..argc) against opts, storing values
 * through the table's pointers as it goes.
 * @param argv  argv[0] is the command's name (skipped); the array is
 *              rewritten in place: the operands (and, with the flags,
 *              "--" and unknown options) move to argv[0..n), in order, and
 *              argv[n] is set to NULL. The strings are not copied: STRING
 *              values point into argv's strings.
 * @param usage the usage lines, NULL-terminated ("pmvcs tag ...", then the
 *              "or:" forms); an empty string starts free text.
 * @param out, err  where -h and the errors go (the command's streams).
 * @return n >= 0 operands, or -1 when the command must stop and exit 129:
 *  the help or the error has been printed.
 */
int pmvcs_parse_options(int argc, char **argv, const pmvcs_option *opts,
			const char *const *usage, unsigned flags,
			FILE *out, FILE *err);

/**
 * pmvcs_usage_with_options -- print git's usage layout ("usage: ...",
 * "   or: ...", a blank line, one line per visible option, a blank line) on f.
 * For a command's own usage errors (a wrong number of operands).
 * @return 129 (PMVCS_EXIT_USAGE), to return from the command.
 */
int pmvcs_usage_with_options(FILE *f, const char *const *usage,
			     const pmvcs_option *opts);

/**
 * pmvcs_opt_error -- print "error: <fmt>\n" on err, as git's error().
 * @return -1, to return from a callback.
 */
int pmvcs_opt_error(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PMVCS_PARSE_OPTIONS_H */
