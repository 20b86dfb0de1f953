/*
 * pretty_options.c -- the output format options log and show share:
 * --oneline, --format, --pretty, --abbrev-commit, --date.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int
pmvcs_pretty_cb(const pmvcs_option *opt, const char *arg, int unset,
		FILE *err)
{
	pmvcs_pretty_opt *p = opt->value;

	(void)err;
	p->bad_format = NULL;
	p->tformat = 1;
	p->o.format = NULL;
	(void)unset;            /* no --no- forms, as in git */
	if (!strcmp(opt->long_name, "oneline")) {
		/* git: --pretty=oneline --abbrev-commit */
		p->o.how = VCS_PRETTY_ONELINE;
		p->o.abbrev_commit = 1;
		return 0;
	}
	if (!arg) {
		/* --pretty alone: the default */
		p->o.how = VCS_PRETTY_MEDIUM;
		return 0;
	}
	/* reported later, in git's words: the parser's own error would be
	 * a usage error (129) where git's is fatal (128) */
	if (vcs_pretty_parse(&p->o, arg, &p->tformat))
		p->bad_format = arg;
	return 0;
}

int
pmvcs_date_cb(const pmvcs_option *opt, const char *arg, int unset,
	      FILE *err)
{
	pmvcs_pretty_opt *p = opt->value;

	(void)err;
	(void)unset;            /* no --no-date, as in git */
	p->bad_date = NULL;
	p->o.date_given = 1;
	if (vcs_date_parse(&p->o.date, arg))
		p->bad_date = arg;
	return 0;
}

int
pmvcs_pretty_check(pmvcs_ctx *ctx, pmvcs_pretty_opt *p)
{
	/* git's get_time(): tests pin "now"; the client's environment, as
	 * a served command runs in the server's process */
	const char *now = pmvcs_getenv(ctx, "GIT_TEST_DATE_NOW");

	p->o.date.now = now ? strtoll(now, NULL, 10) : 0;
	if (p->bad_format)
		return pmvcs_fatal(ctx, "invalid --pretty format: %s",
				   p->bad_format);
	if (p->bad_date)
		return pmvcs_fatal(ctx, "unknown date format %s", p->bad_date);
	return 0;
}
