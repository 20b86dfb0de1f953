/*
 * parse_options.c -- git's parse-options for pmvcs commands (see
 * parse_options.h for the contract and the messages).
 *
 * The matching rules are git 2.39's (parse-options.c), kept in the same
 * order so that the same command line gives the same result:
 *   1. a lone "-" is an operand; "--" ends the options;
 *   2. "-abc" is a bundle: each letter an option until one takes a value,
 *      which is the rest of the word ("-n5") or else the next word;
 *      "-<digits>" goes to the NUMBER option when no letter matches;
 *   3. "--name[=v]": an exact name wins; else a unique prefix of a name
 *      (or of "no-<name>") is taken; two prefixes are ambiguous. A name
 *      that starts with "no-" ("no-data") is negated by "--data".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse_options.h"

#define USAGE_OPTS_WIDTH 24     /* git's layout of the option lines */
#define USAGE_GAP 2

/* how an option was named on the command line (git's enum opt_parsed) */
#define BY_LONG  1
#define BY_SHORT 2
#define BY_UNSET 4

/* outcome of one step, as git's parse_opt_result */
enum step { STEP_DONE = 0, STEP_ERROR = -1, STEP_HELP = -2,
	    STEP_UNKNOWN = -3 };

/** pstate -- one parse */
typedef struct pstate {
	char **argv;
	int argc, i;            /**< argv[i] is the current word */
	const char *opt;        /**< the rest of the current word still to
	                             read (a bundle, an attached value) */
	FILE *out, *err;
	unsigned flags;         /**< PMVCS_PARSE_* */
} pstate;

int
pmvcs_opt_error(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return -1;
}

/* optname_error -- "error: <switch `x'|option `name'> <what>" */
static int
optname_error(pstate *s, const pmvcs_option *o, int by, const char *what)
{
	if (by & BY_SHORT)
		return pmvcs_opt_error(s->err, "switch `%c' %s", o->short_name,
				       what);
	if (by & BY_UNSET)
		return pmvcs_opt_error(s->err, "option `no-%s' %s", o->long_name,
				       what);
	return pmvcs_opt_error(s->err, "option `%s' %s", o->long_name, what);
}

/* get_arg -- the option's value: the attached rest, else the next word */
static int
get_arg(pstate *s, const pmvcs_option *o, int by, const char **arg)
{
	if (s->opt) {
		*arg = s->opt;
		s->opt = NULL;
	} else if (s->i + 1 < s->argc) {
		*arg = s->argv[++s->i];
	} else {
		return optname_error(s, o, by, "requires a value");
	}
	return 0;
}

/* get_value -- apply option o (git's get_value) */
static int
get_value(pstate *s, const pmvcs_option *o, int by)
{
	int unset = !!(by & BY_UNSET);
	const char *arg = NULL;
	char *end;
	long n;

	if (unset && s->opt)
		return optname_error(s, o, by, "takes no value");
	if (unset && (o->flags & PMVCS_OPTF_NONEG))
		return optname_error(s, o, by, "isn't available");
	if (!(by & BY_SHORT) && s->opt && (o->flags & PMVCS_OPTF_NOARG))
		return optname_error(s, o, by, "takes no value");

	switch (o->type) {
	case PMVCS_OPT_SET_INT:
		*(int *)o->value = unset ? 0 : (int)o->defval;
		return 0;
	case PMVCS_OPT_COUNTUP:
		if (*(int *)o->value < 0)
			*(int *)o->value = 0;
		*(int *)o->value = unset ? 0 : *(int *)o->value + 1;
		return 0;
	case PMVCS_OPT_STRING:
		if (unset)
			*(const char **)o->value = NULL;
		else if ((o->flags & PMVCS_OPTF_OPTARG) && !s->opt)
			*(const char **)o->value = (const char *)o->defval;
		else
			return get_arg(s, o, by, (const char **)o->value);
		return 0;
	case PMVCS_OPT_INTEGER:
		if (unset) {
			*(int *)o->value = 0;
			return 0;
		}
		if ((o->flags & PMVCS_OPTF_OPTARG) && !s->opt) {
			*(int *)o->value = (int)o->defval;
			return 0;
		}
		if (get_arg(s, o, by, &arg))
			return -1;
		n = strtol(arg, &end, 10);
		if (!*arg || *end)
			return optname_error(s, o, by,
					     "expects a numerical value");
		*(int *)o->value = (int)n;
		return 0;
	case PMVCS_OPT_CALLBACK:
		if (!unset && !(o->flags & PMVCS_OPTF_NOARG) &&
		    !((o->flags & PMVCS_OPTF_OPTARG) && !s->opt) &&
		    get_arg(s, o, by, &arg))
			return -1;
		return o->cb(o, arg, unset, s->err) ? -1 : 0;
	default:
		return -1;      /* END, GROUP, NUMBER are never matched */
	}
}

/* parse_short -- the option at s->opt[0] (git's parse_short_opt) */
static int
parse_short(pstate *s, const pmvcs_option *opts)
{
	const pmvcs_option *num = NULL;
	char digits[32];
	size_t len = 0;

	for (const pmvcs_option *o = opts; o->type != PMVCS_OPT_END; o++) {
		if (o->short_name && o->short_name == *s->opt) {
			s->opt = s->opt[1] ? s->opt + 1 : NULL;
			return get_value(s, o, BY_SHORT);
		}
		/* explicit one-digit options take precedence over -<n> */
		if (o->type == PMVCS_OPT_NUMBER)
			num = o;
	}
	if (!num || !isdigit((unsigned char)*s->opt))
		return STEP_UNKNOWN;
	while (isdigit((unsigned char)s->opt[len]))
		len++;
	if (len >= sizeof(digits))
		return pmvcs_opt_error(s->err, "number too long: %s", s->opt);
	memcpy(digits, s->opt, len);
	digits[len] = '\0';
	s->opt = s->opt[len] ? s->opt + len : NULL;
	return num->cb(num, digits, 0, s->err) ? -1 : 0;
}

/* parse_long -- "--<arg>" (git's parse_long_opt, same precedence) */
static int
parse_long(pstate *s, const char *arg, const pmvcs_option *opts)
{
	const char *arg_end = strchr(arg, '=');
	const pmvcs_option *abbrev = NULL, *ambiguous = NULL;
	int abbrev_by = 0, ambiguous_by = 0;
	/* a prefix of ours may be a whole option of whoever reads the
	 * unknown ones (git's rule) */
	int allow_abbrev = !(s->flags & PMVCS_PARSE_KEEP_UNKNOWN);

	if (!arg_end)
		arg_end = arg + strlen(arg);
	for (const pmvcs_option *o = opts; o->type != PMVCS_OPT_END; o++) {
		const char *name = o->long_name, *rest;
		int by = BY_LONG, opt_by = BY_LONG;
		size_t nl;

		if (!name)
			continue;
		/* "no-data" is negated by "--data" */
		if (strncmp(arg, "no-", 3) && !(o->flags & PMVCS_OPTF_NONEG) &&
		    !strncmp(name, "no-", 3)) {
			name += 3;
			opt_by |= BY_UNSET;
		}
		nl = strlen(name);
		rest = !strncmp(arg, name, nl) ? arg + nl : NULL;
		if (!rest) {
			if (allow_abbrev &&
			    !strncmp(name, arg, (size_t)(arg_end - arg))) {
is_abbreviated:
				if (abbrev) {
					/* ambiguous unless an exact match
					 * comes later */
					ambiguous = abbrev;
					ambiguous_by = abbrev_by;
				}
				if (!(by & BY_UNSET) && *arg_end)
					s->opt = arg_end + 1;
				abbrev = o;
				abbrev_by = by ^ opt_by;
				continue;
			}
			if (o->flags & PMVCS_OPTF_NONEG)
				continue;
			/* negated and abbreviated very much ("--no-") */
			if (allow_abbrev && !strncmp("no-", arg, strlen(arg))) {
				by |= BY_UNSET;
				goto is_abbreviated;
			}
			if (strncmp(arg, "no-", 3))
				continue;
			by |= BY_UNSET;
			if (strncmp(arg + 3, name, nl)) {
				/* abbreviated and negated? */
				if (allow_abbrev &&
				    !strncmp(name, arg + 3, strlen(arg + 3)))
					goto is_abbreviated;
				continue;
			}
			rest = arg + 3 + nl;
		}
		if (*rest) {
			if (*rest != '=')
				continue;
			s->opt = rest + 1;
		}
		return get_value(s, o, (by ^ opt_by) | BY_LONG);
	}
	if (ambiguous) {
		pmvcs_opt_error(s->err, "ambiguous option: %s (could be --%s%s "
				"or --%s%s)", arg,
				(ambiguous_by & BY_UNSET) ? "no-" : "",
				ambiguous->long_name,
				(abbrev_by & BY_UNSET) ? "no-" : "",
				abbrev->long_name);
		return STEP_HELP;
	}
	if (abbrev)
		return get_value(s, abbrev, abbrev_by | BY_LONG);
	s->opt = NULL;
	return STEP_UNKNOWN;
}

/* check_typos -- "-list" meant "--list": git stops there (exit 129, no
 * usage) rather than reading it as -l -i -s -t */
static int
check_typos(pstate *s, const char *arg, const pmvcs_option *opts)
{
	if (strlen(arg) < 3)
		return 0;
	if (!strncmp(arg, "no-", 3))
		return pmvcs_opt_error(s->err, "did you mean `--%s` (with two "
				       "dashes)?", arg);
	for (const pmvcs_option *o = opts; o->type != PMVCS_OPT_END; o++)
		if (o->long_name && !strncmp(o->long_name, arg, strlen(arg)))
			return pmvcs_opt_error(s->err, "did you mean `--%s` "
					       "(with two dashes)?", arg);
	return 0;
}

/* usage_argh -- " <arg>", "[=<arg>]" or "[<arg>]" (git's usage_argh) */
static int
usage_argh(FILE *f, const pmvcs_option *o)
{
	const char *a = o->argh ? o->argh : "...";
	int literal = (o->flags & PMVCS_OPTF_LITERAL_ARGHELP) || !o->argh ||
		strpbrk(o->argh, "()<>[]|");
	const char *fmt;

	if (o->flags & PMVCS_OPTF_STUCK)
		fmt = o->long_name ? (literal ? "=%s" : "=<%s>") :
			(literal ? "%s" : "<%s>");
	else if (o->flags & PMVCS_OPTF_OPTARG)
		fmt = o->long_name ? (literal ? "[=%s]" : "[=<%s>]") :
			(literal ? "[%s]" : "[<%s>]");
	else
		fmt = literal ? " %s" : " <%s>";
	return fprintf(f, fmt, a);
}

int
pmvcs_usage_with_options(FILE *f, const char *const *usage,
			 const pmvcs_option *opts)
{
	static const char prefix[] = "usage: ", or[] = "   or: ";
	const char *pfx = prefix;
	int free_text = 0, need_newline;

	for (; *usage; usage++) {
		const char *line = *usage;
		int first = 1;

		if (!*line)
			free_text = 1;
		/* a '\n' in a form continues it under the text */
		do {
			const char *nl = strchr(line, '\n');
			int len = nl ? (int)(nl - line) : (int)strlen(line);

			if (free_text && len)
				fprintf(f, "    %.*s\n", len, line);
			else if (free_text)
				fputc('\n', f);
			else if (first)
				fprintf(f, "%s%.*s\n", pfx, len, line);
			else
				fprintf(f, "%*s%.*s\n", (int)strlen(prefix), "",
					len, line);
			first = 0;
			line = nl ? nl + 1 : NULL;
		} while (line);
		pfx = or;
	}
	need_newline = 1;
	for (const pmvcs_option *o = opts; o && o->type != PMVCS_OPT_END; o++) {
		int pos, pad;

		if (o->type == PMVCS_OPT_GROUP) {
			fputc('\n', f);
			need_newline = 0;
			if (o->help && *o->help)
				fprintf(f, "%s\n", o->help);
			continue;
		}
		if (o->flags & PMVCS_OPTF_HIDDEN)
			continue;
		if (need_newline) {
			fputc('\n', f);
			need_newline = 0;
		}
		pos = fprintf(f, "    ");
		if (o->short_name)
			pos += fprintf(f, "-%c", o->short_name);
		if (o->long_name && o->short_name)
			pos += fprintf(f, ", ");
		if (o->long_name)
			pos += fprintf(f, "--%s", o->long_name);
		if (o->type == PMVCS_OPT_NUMBER)
			pos += fprintf(f, "-NUM");
		if (!(o->flags & PMVCS_OPTF_NOARG) ||
		    (o->flags & PMVCS_OPTF_LITERAL_ARGHELP))
			pos += usage_argh(f, o);
		if (pos == USAGE_OPTS_WIDTH + 1) {
			pad = -1;
		} else if (pos <= USAGE_OPTS_WIDTH) {
			pad = USAGE_OPTS_WIDTH - pos;
		} else {
			fputc('\n', f);
			pad = USAGE_OPTS_WIDTH;
		}
		fprintf(f, "%*s%s\n", pad + USAGE_GAP, "", o->help ? o->help : "");
	}
	fputc('\n', f);
	return 129;
}

/* step -- one word starting with '-' (not "-" or "--") */
static int
step(pstate *s, const char *arg, const pmvcs_option *opts)
{
	int rc;

	if (arg[1] != '-') {
		s->opt = arg + 1;
		rc = parse_short(s, opts);
		if (rc == STEP_UNKNOWN) {
			if (s->opt && check_typos(s, arg + 1, opts))
				return STEP_ERROR;
			return *s->opt == 'h' ? STEP_HELP : STEP_UNKNOWN;
		}
		if (rc)
			return STEP_ERROR;
		if (s->opt && check_typos(s, arg + 1, opts))
			return STEP_ERROR;
		while (s->opt) {
			rc = parse_short(s, opts);
			if (rc == STEP_UNKNOWN)
				return *s->opt == 'h' ? STEP_HELP : STEP_UNKNOWN;
			if (rc)
				return STEP_ERROR;
		}
		return STEP_DONE;
	}
	if (!strcmp(arg + 2, "help") || !strcmp(arg + 2, "help-all"))
		return STEP_HELP;
	rc = parse_long(s, arg + 2, opts);
	return rc == 0 ? STEP_DONE : rc == -1 ? STEP_ERROR : rc;
}

int
pmvcs_parse_options(int argc, char **argv, const pmvcs_option *opts,
		    const char *const *usage, unsigned flags,
		    FILE *out, FILE *err)
{
	pstate s = { argv, argc, 1, NULL, out, err, flags };
	int n = 0;

	if ((flags & PMVCS_PARSE_HELP_STDERR) && argc == 2 &&
	    !strcmp(argv[1], "-h")) {
		pmvcs_usage_with_options(err, usage, opts);
		return -1;
	}
	for (; s.i < argc; s.i++) {
		char *arg = argv[s.i];
		int rc;

		if (arg[0] != '-' || !arg[1]) {
			if (flags & PMVCS_PARSE_STOP_AT_NON_OPTION)
				break;
			argv[n++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			if (flags & PMVCS_PARSE_KEEP_DASHDASH)
				argv[n++] = arg;
			s.i++;
			break;
		}
		s.opt = NULL;
		rc = step(&s, arg, opts);
		if (rc == STEP_DONE)
			continue;
		if (rc == STEP_HELP) {
			pmvcs_usage_with_options(out, usage, opts);
			return -1;
		}
		if (rc == STEP_ERROR)
			return -1;
		/* unknown */
		if (flags & PMVCS_PARSE_KEEP_UNKNOWN) {
			argv[n++] = arg;
			continue;
		}
		if (arg[1] == '-')
			pmvcs_opt_error(err, "unknown option `%s'", arg + 2);
		else if (isascii((unsigned char)*s.opt))
			pmvcs_opt_error(err, "unknown switch `%c'", *s.opt);
		else
			pmvcs_opt_error(err, "unknown non-ascii option in "
					"string: `%s'", arg);
		pmvcs_usage_with_options(err, usage, opts);
		return -1;
	}
	for (; s.i < argc; s.i++)
		argv[n++] = argv[s.i];
	argv[n] = NULL;
	return n;
}
