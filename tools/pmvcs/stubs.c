/*
 * stubs.c -- TEMPORARY weak definitions so pmvcs links while commands are
 * being written; each real cmd_<verb>.c overrides its stub. This file is
 * deleted once every command exists.
 */
#include "cmd.h"

#define STUB(fn, verb)                                                     \
	__attribute__((weak)) int fn(pmvcs_ctx *ctx)                       \
	{                                                                  \
		return pmvcs_fatal(ctx, "'%s' is not implemented yet", verb); \
	}
STUB(cmd_init, "init")
STUB(cmd_commit, "commit")
STUB(cmd_log, "log")
STUB(cmd_show, "show")
STUB(cmd_cat_file, "cat-file")
STUB(cmd_ls_tree, "ls-tree")
STUB(cmd_rev_parse, "rev-parse")
STUB(cmd_show_ref, "show-ref")
STUB(cmd_checkout, "checkout")
STUB(cmd_branch, "branch")
STUB(cmd_tag, "tag")
STUB(cmd_diff, "diff")
STUB(cmd_status, "status")
STUB(cmd_fsck, "fsck")
STUB(cmd_gc, "gc")
STUB(cmd_stats, "stats")
STUB(cmd_fast_import, "fast-import")
STUB(cmd_fast_export, "fast-export")
