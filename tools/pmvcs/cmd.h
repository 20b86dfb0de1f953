/*
 * cmd.h -- how a pmvcs command is written.
 *
 * Each command is a function of its context and returns the process exit
 * code. It never calls exit(), never reads the process environment or cwd
 * and never writes to stdin/stdout/stderr directly: everything comes
 * through pmvcs_ctx, so that a resident server can run several commands at
 * once on threads (../shared/ROADMAP.md).
 *
 * Exit codes follow git: 0 success; 1 "differences" / "not found" where git
 * uses 1 (diff --exit-code, cat-file -e, fsck problems); 128 fatal error
 * (message "pmvcs: <what>: <cause>" on err); 129 usage error.
 */
#ifndef PMVCS_CMD_H
#define PMVCS_CMD_H

#include <stdio.h>

#include "vcs.h"

#define PMVCS_EXIT_OK 0
#define PMVCS_EXIT_DIFF 1
#define PMVCS_EXIT_FATAL 128
#define PMVCS_EXIT_USAGE 129

typedef struct pmvcs_ctx {
	int argc;
	char **argv;            /**< argv[0] is the verb ("commit") */
	const char *cwd;        /**< absolute working directory */
	char **envp;            /**< the command's environment */
	FILE *in, *out, *err;
	int in_fd, out_fd, err_fd;
	int out_is_tty, err_is_tty;
	unsigned lock_timeout_ms; /**< from --lock-timeout / PMVCS_LOCK_TIMEOUT */
	const char *git_dir;    /**< -C / PMVCS_DIR override, or NULL */
} pmvcs_ctx;

typedef int (*pmvcs_cmd_fn)(pmvcs_ctx *ctx);

/** ctx_getenv -- look name up in ctx->envp (matches vcs_getenv_fn). */
const char *pmvcs_getenv(void *ctx, const char *name);

/** pmvcs_fatal -- print "pmvcs: <msg>\n" on ctx->err; return 128. */
int pmvcs_fatal(pmvcs_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** pmvcs_usage -- print "usage: <text>\n" on ctx->err; return 129. */
int pmvcs_usage(pmvcs_ctx *ctx, const char *usage);

/** pmvcs_open_repo -- open the repository around ctx->cwd; on failure
 *  prints the cause (path included) and returns NULL. */
vcs_repo *pmvcs_open_repo(pmvcs_ctx *ctx);

/** pmvcs_report -- print "pmvcs: <context>: <vcs_errmsg or strerror>"
 *  and return the exit code for err (128, or 1 for ENOTFOUND when
 *  notfound_is_1). */
int pmvcs_report(pmvcs_ctx *ctx, int err, const char *context,
		 int notfound_is_1);

/* Commands: one file each, tools/pmvcs/cmd_<verb>.c */
int cmd_init(pmvcs_ctx *ctx);
int cmd_commit(pmvcs_ctx *ctx);
int cmd_log(pmvcs_ctx *ctx);
int cmd_show(pmvcs_ctx *ctx);
int cmd_cat_file(pmvcs_ctx *ctx);
int cmd_ls_tree(pmvcs_ctx *ctx);
int cmd_rev_parse(pmvcs_ctx *ctx);
int cmd_show_ref(pmvcs_ctx *ctx);
int cmd_checkout(pmvcs_ctx *ctx);
int cmd_branch(pmvcs_ctx *ctx);
int cmd_tag(pmvcs_ctx *ctx);
int cmd_diff(pmvcs_ctx *ctx);
int cmd_status(pmvcs_ctx *ctx);
int cmd_fsck(pmvcs_ctx *ctx);
int cmd_gc(pmvcs_ctx *ctx);
int cmd_stats(pmvcs_ctx *ctx);
int cmd_fast_import(pmvcs_ctx *ctx);
int cmd_fast_export(pmvcs_ctx *ctx);

#endif /* PMVCS_CMD_H */
