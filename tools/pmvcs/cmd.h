/*
 * cmd.h -- how a pmvcs command is written.
 *
 * Each command is a function of its context and returns the process exit
 * code. It never calls exit(), never reads the process environment or cwd
 * and never writes to stdin/stdout/stderr directly: everything comes
 * through pmvcs_ctx, so that the resident server (server.c) runs several
 * commands at once on threads.
 *
 * Options are parsed by pmvcs_parse (parse_options.h: a table per command,
 * git's rules and messages), never by hand.
 *
 * Exit codes follow git: 0 success; 1 "differences" / "not found" where git
 * uses 1 (diff --exit-code, cat-file -e, fsck problems); 128 fatal error
 * (message "pmvcs: <what>: <cause>" on err); 129 usage error.
 */
#ifndef PMVCS_CMD_H
#define PMVCS_CMD_H

#include <stdio.h>

#include "parse_options.h"
#include "pretty.h"
#include "reflog.h"
#include "vcs.h"
#include "request.h"

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
	vcs_repo *shared_repo;  /**< in the server: its open repo, lent to the
	                             command (borrowed: vcs_repo_free on it is
	                             a no-op); NULL in-process */
	struct vcs_config *cfg; /**< the configuration, read once by
	                             pmvcs_config(); pmvcs_ctx_release frees */
} pmvcs_ctx;

typedef int (*pmvcs_cmd_fn)(pmvcs_ctx *ctx);

/** A command of the table in main.c. */
typedef struct pmvcs_cmd_def {
	const char *name;
	pmvcs_cmd_fn fn;
	const char *summary;
} pmvcs_cmd_def;

/** pmvcs_cmd_find -- the command named name, or NULL (main.c). */
const pmvcs_cmd_def *pmvcs_cmd_find(const char *name);

/** pmvcs_unknown_command -- git's answer to a word that names no
 *  command ("did you mean", help.c's rules), "pmvcs" where git says
 *  "git", written to fd; returns 1, git's exit code. */
int pmvcs_unknown_command(int fd, const char *cmd);

/** pmvcs_getenv -- look name up in ctx->envp (matches vcs_getenv_fn). */
const char *pmvcs_getenv(void *ctx, const char *name);

/** pmvcs_die -- print git's "fatal: <msg>\n" on ctx->err, for messages
 *  copied from git; return 128. */
int pmvcs_die(pmvcs_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** pmvcs_fatal -- print "pmvcs: <msg>\n" on ctx->err; return 128. */
int pmvcs_fatal(pmvcs_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * pmvcs_parse -- parse the command's options (ctx->argv[1..]) against
 * opts with pmvcs_parse_options (flags PMVCS_PARSE_*), on the command's
 * streams. Afterwards ctx->argv[0..ctx->argc) holds the operands.
 * @return the number of operands, or -1 when the command must return
 *  PMVCS_EXIT_USAGE (help or error printed, as git does).
 */
int pmvcs_parse(pmvcs_ctx *ctx, const pmvcs_option *opts,
		const char *const *usage, unsigned flags);

/**
 * pmvcs_parse_revs -- pmvcs_parse for the commands on git's revision
 * parser (log, show): no prefixes of long names, an unknown option is
 * fatal in git's words ("unrecognized argument: --x", 128), and "--"
 * (paths) is a usage error: no path limiting yet.
 * @return the number of operands (revisions), or minus the exit code.
 */
int pmvcs_parse_revs(pmvcs_ctx *ctx, const pmvcs_option *opts,
		     const char *const *usage);

/** pmvcs_usage -- the usage generated from usage and opts on ctx->err
 *  (a command's own usage error: wrong operands); return 129. */
int pmvcs_usage(pmvcs_ctx *ctx, const char *const *usage,
		const pmvcs_option *opts);

/** pmvcs_msg_opt -- the -m/--message values of commit and tag: each one a
 *  paragraph, joined by a blank line; --no-message drops them. */
typedef struct pmvcs_msg_opt {
	vcs_str text;
	int n;                  /**< messages given */
	int oom;                /**< text is incomplete: out of memory */
} pmvcs_msg_opt;

/** pmvcs_opt_message -- the callback behind OPT_PMVCS_MESSAGE. */
int pmvcs_opt_message(const pmvcs_option *opt, const char *arg, int unset,
		      FILE *err);
#define OPT_PMVCS_MESSAGE(v, h) \
	OPT_CALLBACK('m', "message", (v), "message", (h), pmvcs_opt_message)

/** pmvcs_diff_format_cb -- -p, --stat, --name-only, --name-status on the
 *  vcs_diff_opts in opt->value (diff_options.c). */
int pmvcs_diff_format_cb(const pmvcs_option *opt, const char *arg,
			 int unset, FILE *err);
#define OPT_PMVCS_DIFF_FORMAT(o) \
	OPT_CALLBACK_F('p', "patch", (o), NULL, "generate patch", \
		       PMVCS_OPTF_NOARG, pmvcs_diff_format_cb), \
	OPT_CALLBACK_F(0, "stat", (o), NULL, "generate diffstat", \
		       PMVCS_OPTF_NOARG, pmvcs_diff_format_cb), \
	OPT_CALLBACK_F(0, "name-only", (o), NULL, "show only names of " \
		       "changed files", PMVCS_OPTF_NOARG, pmvcs_diff_format_cb), \
	OPT_CALLBACK_F(0, "name-status", (o), NULL, "show only names and " \
		       "status of changed files", PMVCS_OPTF_NOARG, \
		       pmvcs_diff_format_cb), \
	OPT_INTEGER_F('U', "unified", &(o)->context, "n", "generate diffs " \
		      "with <n> lines context", PMVCS_OPTF_NONEG)

/** pmvcs_pretty_opt -- log's and show's output format options: the last
 *  of --oneline, --format and --pretty wins, as in git; a bad format or
 *  date is kept for pmvcs_pretty_check (pretty_options.c). */
typedef struct pmvcs_pretty_opt {
	vcs_pretty_opts o;
	int tformat;            /**< a newline ends each entry (else one
	                             separates entries) */
	const char *bad_format; /**< --pretty=<this> is unknown */
	const char *bad_date;   /**< --date=<this> is unknown */
	int no_patch;           /**< show -s: the header only */
} pmvcs_pretty_opt;

#define PMVCS_PRETTY_OPT_INIT { { .how = VCS_PRETTY_MEDIUM }, 1, NULL, NULL, 0 }

/** pmvcs_pretty_cb, pmvcs_date_cb -- the callbacks behind
 *  OPT_PMVCS_PRETTY; opt->value is a pmvcs_pretty_opt. */
int pmvcs_pretty_cb(const pmvcs_option *opt, const char *arg, int unset,
		    FILE *err);
int pmvcs_date_cb(const pmvcs_option *opt, const char *arg, int unset,
		  FILE *err);
#define OPT_PMVCS_PRETTY(p) \
	OPT_CALLBACK_F(0, "oneline", (p), NULL, "shorthand for " \
		       "--pretty=oneline --abbrev-commit", \
		       PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, pmvcs_pretty_cb), \
	OPT_CALLBACK_F(0, "format", (p), "format", "pretty-print the " \
		       "commits in the given format", PMVCS_OPTF_NONEG, \
		       pmvcs_pretty_cb), \
	OPT_CALLBACK_F(0, "pretty", (p), "format", "pretty-print the " \
		       "commits in the given format", \
		       PMVCS_OPTF_OPTARG | PMVCS_OPTF_NONEG, pmvcs_pretty_cb), \
	OPT_BOOL(0, "abbrev-commit", &(p)->o.abbrev_commit, "show a " \
		 "prefix that names the commit uniquely"), \
	OPT_CALLBACK_F(0, "date", (p), "format", "date format (iso, " \
		       "iso-strict, rfc, short, raw, unix, relative, local, " \
		       "format:...)", PMVCS_OPTF_NONEG, pmvcs_date_cb)

/** pmvcs_pretty_check -- after parsing: report a bad --pretty or --date
 *  as git does ("invalid --pretty format: <f>", "unknown date format
 *  <d>"), and take "now" from the client's GIT_TEST_DATE_NOW.
 *  @return 0, or PMVCS_EXIT_FATAL (message printed). */
int pmvcs_pretty_check(pmvcs_ctx *ctx, pmvcs_pretty_opt *p);

/**
 * pmvcs_ref_read_error -- set the vcs error for a ref read that failed for
 * another reason than absence: "<name>: <cause> (<libpmdb detail>)", so
 * that the cause is named even when the detail alone does not say it.
 * @return rc.
 */
int pmvcs_ref_read_error(int rc, const char *name);

/** pmvcs_open_repo -- open the repository around ctx->cwd; on failure
 *  prints the cause (path included) and returns NULL. In the server it
 *  returns ctx->shared_repo (borrowed; vcs_repo_free is a no-op). A pool
 *  held by the repository's live server fails at once, saying so. */
vcs_repo *pmvcs_open_repo(pmvcs_ctx *ctx);

/** pmvcs_ref_delete -- delete ref in one transaction, compare-and-swap
 * against *old (the value the caller read and reports). @return 0,
 * PMDB_ECONFLICT when the ref moved since, other pmdb codes; the vcs error
 * message names the ref. */
int pmvcs_ref_delete(vcs_repo *repo, const char *ref, const pmdb_oid *old);

/**
 * pmvcs_ref_set -- one ref change, logged (vcs_ref_update() with the
 * committer identity of ctx's environment), in txn. @return 0 or a pmdb
 * code with the vcs error message set; the txn is poisoned on failure.
 */
int pmvcs_ref_set(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
		  const char *ref, const pmdb_oid *oid, const pmdb_oid *expect,
		  const char *msg);

/** pmvcs_ref_ident -- the reflog identity ("Name <email> <time> <tz>")
 *  pmvcs_ref_set() logs with, into ident (caller frees): the committer
 *  of ctx's environment and configuration. @return 0 or a pmdb code
 *  with the vcs error message set. */
int pmvcs_ref_ident(pmvcs_ctx *ctx, vcs_str *ident);

/** pmvcs_ref_set_symbolic -- pmvcs_ref_set() making ref symbolic to
 *  target; log_new as vcs_ref_change's (NULL: target's value). */
int pmvcs_ref_set_symbolic(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
			   const char *ref, const char *target,
			   const pmdb_oid *log_new, const char *msg);

/** pmvcs_report -- print "pmvcs: <context>: <vcs_errmsg or strerror>"
 *  and return the exit code for err (128, or 1 for ENOTFOUND when
 *  notfound_is_1). */
int pmvcs_report(pmvcs_ctx *ctx, int err, const char *context,
		 int notfound_is_1);

/** pmvcs_config_push -- `-c text` ("key=value" or "key"): append it to
 *  GIT_CONFIG_PARAMETERS as git does (cfgparam.c; libc only).
 *  Process-wide: main() and the front end only. 0, -1 (errno). */
int pmvcs_config_push(const char *text);

/** pmvcs_find_root -- the worktree root around ctx->cwd (absolute) into
 *  buf; 0, or -1 outside a repository (util.c). */
int pmvcs_find_root(pmvcs_ctx *ctx, char *buf, size_t size);

struct vcs_config;
/** pmvcs_config_load -- every scope for the command's repository (root
 *  NULL outside one); on an error prints git's "fatal: <message>" and
 *  returns 128 (util.c). */
int pmvcs_config_load(pmvcs_ctx *ctx, struct vcs_config *cfg);

/** pmvcs_big_threshold -- the command's core.bigFileThreshold
 *  (vcs_big_threshold over its environment and configuration; a config
 *  that does not load counts as none). Threads: ctx's. */
uint64_t pmvcs_big_threshold(pmvcs_ctx *ctx);

/** pmvcs_config -- the command's configuration, read on first use and
 *  kept in ctx (one read per command, however many callers need it);
 *  lent until pmvcs_ctx_release. @return 0, or 128 after the message. */
int pmvcs_config(pmvcs_ctx *ctx, const struct vcs_config **out);

/** pmvcs_ctx_release -- free what the command cached in ctx (util.c). */
void pmvcs_ctx_release(pmvcs_ctx *ctx);

/** pmvcs_excludes -- the command's core.excludesFile (absolute, or ""
 *  when none) into buf, for worktree root (util.c). @return 0, or
 *  128 after git's message (a broken config file). */
int pmvcs_excludes(pmvcs_ctx *ctx, const char *root, char *buf, size_t size);
/** pmvcs_config_flag -- the boolean key (canonical: "advice.statushints")
 *  of the command's configuration; dflt when unset or unreadable (a
 *  broken file is reported by whatever reads it next). */
int pmvcs_config_flag(pmvcs_ctx *ctx, const char *key, int dflt);
/** The command's settings for a scan of its work tree. */
typedef struct pmvcs_scan_cfg {
	char excl[4096];        /**< core.excludesFile, or "" */
	char attrs[4096];       /**< core.attributesFile, or "" */
	vcs_eol_cfg eol;        /**< core.autocrlf, core.eol */
} pmvcs_scan_cfg;
/** pmvcs_scan_config -- the command's excludes and attributes files and
 *  eol settings for the work tree at root (git's config, read once per
 *  command): 0, or 128 after git's message (a broken config file). */
int pmvcs_scan_config(pmvcs_ctx *ctx, const char *root, pmvcs_scan_cfg *out);
struct vcs_wt_scan_opts;
/** pmvcs_scan_opts -- sc as scan options (pointing into sc). */
void pmvcs_scan_opts(const pmvcs_scan_cfg *sc, struct vcs_wt_scan_opts *o);

/** pmvcs_idents -- "Name <email> <when>" of the author and committer
 *  (either may be NULL) as git commit resolves them: environment, then
 *  configuration, then the passwd entry (identity.c); force_author
 *  ("Name <email>", commit --author) or NULL. Refuses with git's
 *  "*** Please tell me who you are." advice and fatal message on err.
 *  @return 0, or 128 after the message. */
int pmvcs_idents(pmvcs_ctx *ctx, const char *force_author, vcs_str *author,
		 vcs_str *committer);

/* Commands: one file each, tools/pmvcs/cmd_<verb>.c */
int cmd_init(pmvcs_ctx *ctx);
int cmd_commit(pmvcs_ctx *ctx);
int cmd_log(pmvcs_ctx *ctx);
int cmd_show(pmvcs_ctx *ctx);
int cmd_rev_list(pmvcs_ctx *ctx);
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
int cmd_reflog(pmvcs_ctx *ctx);
int cmd_stats(pmvcs_ctx *ctx);
int cmd_fast_import(pmvcs_ctx *ctx);
int cmd_fast_export(pmvcs_ctx *ctx);
int cmd_server(pmvcs_ctx *ctx);
int cmd_config(pmvcs_ctx *ctx);
int cmd_check_ignore(pmvcs_ctx *ctx);
int cmd_reset(pmvcs_ctx *ctx);
int cmd_restore(pmvcs_ctx *ctx);

#define PMVCS_RESTORE_OVERLAY 0x1u /**< keep files the source lacks */
#define PMVCS_RESTORE_GUESS 0x2u   /**< checkout without "--": paths[0]
                                        is the source if it names a
                                        revision; "Updated N paths" */
#define PMVCS_RESTORE_QUIET 0x4u   /**< no "Updated N paths" */
/**
 * pmvcs_restore_paths -- write the files of spec (a tree-ish; NULL: HEAD,
 * pmvcs's "index") that match paths[0..n) (relative to ctx->cwd) over the
 * working tree: restore (matching files spec lacks are removed) and, with
 * PMVCS_RESTORE_OVERLAY, checkout [<rev>] -- <paths> (they stay). Prints
 * git's messages (cmd_restore.c). @return the exit code: 0, 1 (a
 * pathspec matched nothing: nothing written), 128.
 */
int pmvcs_restore_paths(pmvcs_ctx *ctx, const char *spec, char **paths,
			size_t n, unsigned flags);
int cmd_merge_file(pmvcs_ctx *ctx);
int cmd_merge_base(pmvcs_ctx *ctx);
int cmd_merge(pmvcs_ctx *ctx);

/** pmvcs_commit_merge -- merge --continue: commit the working tree as
 *  `commit` does, concluding the merge recorded in repo (its heads as
 *  further parents, its message unless -m is given, the record dropped
 *  in the same txn); refuses while a conflicted file still holds
 *  markers (cmd_commit.c). ctx->argv holds commit's options.
 *  @return the exit code, after the messages. */
int pmvcs_commit_merge(pmvcs_ctx *ctx, vcs_repo *repo);
int cmd_remote(pmvcs_ctx *ctx);
int cmd_fetch(pmvcs_ctx *ctx);
int cmd_push(pmvcs_ctx *ctx);
int cmd_clone(pmvcs_ctx *ctx);

/* Resident server (tools/pmvcs/server.c, client.c; docs/server.md) */

#define PMVCS_SOCK_NAME "server.sock"   /**< in <worktree>/.pmvcs */
/** The refusal of a request a stopping server did not finish reading:
 *  the command did not run, the client runs it elsewhere (client.c). */
#define PMVCS_REFUSED_STOPPING "incomplete request (the server is stopping)"

/**
 * pmvcs_find_socket -- walk up from cwd to the nearest directory holding
 * .pmvcs (as vcs_repo_open does) and write "<it>/.pmvcs/server.sock"
 * into buf. Only stat()s; opens nothing.
 * @return 1 if the socket file exists, 0 if it does not (buf is still
 *  set when a repository was found, else ""), -1 if the path is too long.
 */
int pmvcs_find_socket(const char *cwd, char *buf, size_t size);

struct sockaddr_un;
/** pmvcs_sock_addr -- fill a for path; a path longer than sun_path goes
 *  through /proc/self/fd/<dirfd>/server.sock with *dirfd an O_PATH fd of
 *  its directory (close it after connect/bind; -1 if unused).
 *  @return 0, -1 (errno set). */
int pmvcs_sock_addr(const char *path, struct sockaddr_un *a, int *dirfd);


/**
 * pmvcs_client_call -- connect to sock and make one request. For RUN,
 * passes argv (argv[0] the verb), cwd, envp, the isatty flags and fds[3]
 * (the command's stdin, stdout, stderr) and waits for the exit code.
 * Replies to STATUS are copied to out.
 * @param[out] rc      the command's exit code (141 with *sigpipe set if
 *                     it stopped on a broken stdout pipe).
 * Nothing is sent unless sock, its directory and pool.set belong to our
 * euid and the listener runs as it (docs/server.md, "Security"); of envp
 * only the allow-listed variables are sent.
 * @return 0 done; 1 no server there (no socket, ECONNREFUSED, or the
 *  connection reset before the request was read: run in-process or
 *  start one); -1 refused or failed: message written to fds[2] (none if
 *  it is -1) and *rc set to 128.
 */
int pmvcs_client_call(const char *sock, pmvcs_req_kind kind, int argc,
		      char **argv, const char *cwd, char **envp,
		      const int fds[3], int *rc, int *sigpipe, FILE *out);

/** Server state (opaque; server.c). */
typedef struct pmvcs_server pmvcs_server;

/**
 * pmvcs_server_new -- listen on sock (owner-only) serving repo, which the
 * server owns from here on (it marks it borrowed for commands and frees
 * it in pmvcs_server_free). idle_sec 0: no idle timeout.
 * @return 0, or -1 with a message on err.
 */
int pmvcs_server_new(pmvcs_server **out, vcs_repo *repo, const char *sock,
		     unsigned idle_sec, FILE *err);
/** pmvcs_server_run -- serve until stop, idle timeout or
 *  pmvcs_server_wake(srv, 't'); waits for running commands. */
void pmvcs_server_run(pmvcs_server *srv);
/** pmvcs_server_wake -- ask the loop to stop; async-signal-safe. */
void pmvcs_server_wake(pmvcs_server *srv);
/** pmvcs_server_free -- remove the socket, close the pool, free. */
void pmvcs_server_free(pmvcs_server *srv);

/* Starting servers (tools/pmvcs/autostart.c; docs/server.md) */

/**
 * pmvcs_server_serve -- open the repository around ctx->cwd, listen on
 * sock and serve until stopped, in this process. daemon 0: prints
 * "server started: ..." on ctx->out once listening; 1: writes "ok\n" to
 * rep and closes it. Errors go to rep. Process-wide: installs the
 * SIGTERM/SIGINT/SIGHUP handlers; only for a process that is to be the
 * server. @return the exit code (0 after a clean stop, 128).
 */
int pmvcs_server_serve(pmvcs_ctx *ctx, const char *sock, unsigned idle,
		       FILE *rep, int daemon);

/**
 * pmvcs_server_spawn -- start a detached server for the repository whose
 * socket is sock, unless a live one answers; starts are serialised by
 * flock() on .pmvcs/server.lock, so racing starters end with one server.
 * Forks: call before this process opens a pool. Waits until the server
 * listens or fails (its pool open waits ctx->lock_timeout_ms at most).
 * @param[out] pid  the new server's pid (0 when one was live).
 * @param[out] why  on failure, the server's error message (appended).
 * @return 0 started, 1 one was live already, -1 failed.
 */
int pmvcs_server_spawn(pmvcs_ctx *ctx, const char *sock, unsigned idle,
		       long *pid, vcs_str *why);

/** pmvcs_server_idle -- a new server's idle timeout in seconds:
 *  PMVCS_SERVER_IDLE of ctx's environment, else core.serverIdleTimeout
 *  of ctx->cfg (if loaded), else 300. */
unsigned pmvcs_server_idle(pmvcs_ctx *ctx);

/**
 * pmvcs_autostart -- the server by default: when the repository around
 * ctx->cwd (a .pmvcs owned by us and writable) has no live server and
 * core.server is not off, start one (pmvcs_server_spawn). Says nothing on
 * failure: the caller then runs the command in-process, which reports
 * what is wrong. Forks: call before anything opens a pool.
 * Threads: main() only (fork). @return 1 a server listens now, 0 not.
 */
int pmvcs_autostart(pmvcs_ctx *ctx);

#endif /* PMVCS_CMD_H */
