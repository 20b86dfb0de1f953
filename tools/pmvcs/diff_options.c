/*
 * diff_options.c -- the diff output options that diff and show share (and
 * log): one callback so that each keeps git's rule: the patch is the
 * default only while no output kind is named, and a -p given is kept
 * ("--stat -p" and "-p --stat" both print the stat, then the patch;
 * "--stat" alone the stat).
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
		o->patch = unset ? 0 : 2;       /* 2: asked for, not default */
		return 0;
	}
	if (!strcmp(name, "stat"))
		o->stat = !unset;
	else if (!strcmp(name, "name-only"))
		o->name_only = !unset;
	else if (!strcmp(name, "name-status"))
		o->name_status = !unset;
	if (!unset && o->patch != 2)    /* replaces the default patch */
		o->patch = 0;
	return 0;
}
