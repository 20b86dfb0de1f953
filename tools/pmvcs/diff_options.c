/*
 * diff_options.c -- the diff output options that diff and show share (and
 * that log -p will): one callback so that each keeps git's rule that the
 * last output kind named decides ("--stat -p" prints both, "-p --stat"
 * the stat alone).
 */
#include <string.h>

#include "cmd.h"
#include "diff.h"

/* pmvcs_diff_format_cb -- see cmd.h */
int
pmvcs_diff_format_cb(const pmvcs_option *opt, const char *arg, int unset,
		     FILE *err)
{
	vcs_diff_opts *o = opt->value;
	const char *name = opt->long_name;

	(void)arg;
	(void)err;
	if (!strcmp(name, "patch")) {
		o->patch = !unset;
		return 0;
	}
	if (!strcmp(name, "stat"))
		o->stat = !unset;
	else if (!strcmp(name, "name-only"))
		o->name_only = !unset;
	else if (!strcmp(name, "name-status"))
		o->name_status = !unset;
	if (!unset)     /* a summary replaces the patch unless -p follows */
		o->patch = 0;
	return 0;
}
