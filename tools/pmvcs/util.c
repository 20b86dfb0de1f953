/*
 * util.c -- helpers shared by the pmvcs commands: environment lookup in
 * the command's own environment, option parsing and usage on the
 * command's streams, error reporting, opening the repository (or
 * borrowing the server's, see server.c).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bigblob.h"
#include "cmd.h"
#include "config.h"
#include "worktree.h"

const char *
pmvcs_getenv(void *vctx, const char *name)
{
	pmvcs_ctx *ctx = vctx;
	size_t n = strlen(name);

	for (char **e = ctx->envp; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* vfatal -- "<who>: <message>\n" on ctx->err; 128 */
static int
vfatal(pmvcs_ctx *ctx, const char *who, const char *fmt, va_list ap)
{
	fprintf(ctx->err, "%s: ", who);
	vfprintf(ctx->err, fmt, ap);
	fputc('\n', ctx->err);
	return PMVCS_EXIT_FATAL;
}

int
pmvcs_die(pmvcs_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfatal(ctx, "fatal", fmt, ap);
	va_end(ap);
	return rc;
}

int
pmvcs_fatal(pmvcs_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfatal(ctx, "pmvcs", fmt, ap);
	va_end(ap);
	return rc;
}

int
pmvcs_parse(pmvcs_ctx *ctx, const pmvcs_option *opts,
	    const char *const *usage, unsigned flags)
{
	int n = pmvcs_parse_options(ctx->argc, ctx->argv, opts, usage, flags,
				    ctx->out, ctx->err);

	if (n >= 0)
		ctx->argc = n;
	return n;
}

int
pmvcs_parse_revs(pmvcs_ctx *ctx, const pmvcs_option *opts,
		 const char *const *usage)
{
	int n = pmvcs_parse(ctx, opts, usage, PMVCS_PARSE_KEEP_UNKNOWN |
			    PMVCS_PARSE_KEEP_DASHDASH);

	if (n < 0)
		return -PMVCS_EXIT_USAGE;
	for (int i = 0; i < n; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "--"))
			return -pmvcs_usage(ctx, usage, opts);
		if (a[0] == '-' && a[1])
			return -pmvcs_fatal(ctx, "unrecognized argument: %s", a);
	}
	return n;
}

int
pmvcs_usage(pmvcs_ctx *ctx, const char *const *usage,
	    const pmvcs_option *opts)
{
	pmvcs_usage_with_options(ctx->err, usage, opts);
	return PMVCS_EXIT_USAGE;
}

/* pmvcs_opt_message -- see cmd.h */
int
pmvcs_opt_message(const pmvcs_option *opt, const char *arg, int unset,
		  FILE *err)
{
	pmvcs_msg_opt *m = opt->value;

	(void)err;
	if (unset) {
		vcs_str_reset(&m->text);
		m->n = 0;
		return 0;
	}
	if ((m->n++ && vcs_str_adds(&m->text, "\n\n")) ||
	    vcs_str_adds(&m->text, arg))
		m->oom = 1;     /* the command reports it: a fatal error */
	return 0;
}

/* pmvcs_ref_read_error -- see cmd.h */
int
pmvcs_ref_read_error(int rc, const char *name)
{
	const char *d = pmdb_errdetail();
	char detail[256];

	snprintf(detail, sizeof(detail), "%s", d ? d : "");
	if (!detail[0] || !strcmp(detail, pmdb_strerror(rc)))
		return vcs_seterr(rc, "%s: %s", name, pmdb_strerror(rc));
	return vcs_seterr(rc, "%s: %s (%s)", name, pmdb_strerror(rc), detail);
}

int
pmvcs_report(pmvcs_ctx *ctx, int err, const char *context, int notfound_is_1)
{
	const char *msg = vcs_errmsg();

	if (!msg || !*msg)
		msg = pmdb_strerror(err);
	if (context && *context)
		fprintf(ctx->err, "pmvcs: %s: %s\n", context, msg);
	else
		fprintf(ctx->err, "pmvcs: %s\n", msg);
	if (notfound_is_1 && err == PMDB_ENOTFOUND)
		return PMVCS_EXIT_DIFF;
	return PMVCS_EXIT_FATAL;
}

/* server_pid -- pid of the live server of ours for the repository
 * around dir (it answers "status"), or 0. Says nothing: a socket it
 * refuses or a dead server are simply not a server here. */
static long
server_pid(const char *dir)
{
	char abs[PATH_MAX], sock[PATH_MAX + 32], *text = NULL;
	int fds[3] = { -1, -1, -1 }, rc, sp;
	size_t n = 0;
	long pid = 0;
	FILE *out;

	if (!realpath(dir, abs) ||
	    pmvcs_find_socket(abs, sock, sizeof(sock)) != 1 ||
	    !(out = open_memstream(&text, &n)))
		return 0;
	/* an answer that is not a status leaves no "pid" line */
	pmvcs_client_call(sock, PMVCS_REQ_STATUS, 0, NULL, abs, NULL, fds,
			  &rc, &sp, out);
	fclose(out);
	if (text && !strncmp(text, "pid ", 4))
		pid = atol(text + 4);
	free(text);
	return pid;
}

/* pmvcs_open_repo -- see cmd.h. A pool held by the repository's own
 * server (--no-server, PMVCS_NO_SERVER=1) is said at once, not after
 * waiting out the lock timeout (issue 16). */
vcs_repo *
pmvcs_open_repo(pmvcs_ctx *ctx)
{
	vcs_repo *repo = NULL;
	vcs_open_opts opts = { ctx->lock_timeout_ms }, now = { 0 };
	const char *dir = ctx->git_dir ? ctx->git_dir : ctx->cwd;
	pmvcs_scan_cfg sc;
	long pid;
	int rc;

	if (ctx->shared_repo)
		return ctx->shared_repo;
	rc = vcs_repo_open(&repo, dir, &now);
	if (rc == PMDB_EBUSY && (pid = server_pid(dir)) > 0) {
		pmvcs_fatal(ctx, "the pool is held by this repository's server "
			    "(pid %ld); run 'pmvcs server stop' to run commands "
			    "without it", pid);
		return NULL;
	}
	if (rc == PMDB_EBUSY && opts.lock_timeout_ms)
		rc = vcs_repo_open(&repo, dir, &opts);
	if (rc) {
		pmvcs_report(ctx, rc, NULL, 0);
		return NULL;
	}
	/* the user's excludes and attributes files and eol settings, for
	 * every scan and checkout of this command */
	if (pmvcs_scan_config(ctx, repo->worktree, &sc)) {
		vcs_repo_free(repo);
		return NULL;
	}
	repo->eol = sc.eol;
	if ((sc.excl[0] && !(repo->excludes_file = strdup(sc.excl))) ||
	    (sc.attrs[0] && !(repo->attributes_file = strdup(sc.attrs)))) {
		vcs_repo_free(repo);
		pmvcs_fatal(ctx, "out of memory");
		return NULL;
	}
	return repo;
}

/* pmvcs_ref_delete -- see cmd.h */
int
pmvcs_ref_delete(vcs_repo *repo, const char *ref, const pmdb_oid *old)
{
	vcs_ref_change c = { .name = ref, .expect = old };
	pmdb_txn *txn = NULL;
	int rc = pmdb_txn_begin(repo->env, &txn);

	if (rc)
		return vcs_seterr_pmdb(rc, ref);
	rc = vcs_ref_update(repo, txn, &c);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
		if (rc)
			vcs_seterr_pmdb(rc, ref);
	}
	pmdb_txn_abort(txn);
	return rc;
}

/* pmvcs_find_root -- worktree root around cwd */
int
pmvcs_find_root(pmvcs_ctx *ctx, char *buf, size_t size)
{
	char *end;

	if (pmvcs_find_socket(ctx->cwd, buf, size) < 0 || !buf[0])
		return -1;
	end = strrchr(buf, '/');          /* drop "/server.sock" */
	*end = '\0';
	end = strrchr(buf, '/');          /* drop "/.pmvcs" */
	*end = '\0';
	if (!buf[0])
		strcpy(buf, "/");
	return 0;
}

/* pmvcs_config_load -- every scope, git's messages on errors */
int
pmvcs_config_load(pmvcs_ctx *ctx, vcs_config *cfg)
{
	char root[4096];
	int in_repo = pmvcs_find_root(ctx, root, sizeof(root)) == 0;

	int err = vcs_config_load(cfg, in_repo ? root : NULL, ctx->cwd,
				  pmvcs_getenv, ctx);

	/* git's own words for what git refuses; ours for our failures */
	if (err == PMDB_EINVAL) {
		fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
		return PMVCS_EXIT_FATAL;
	}
	if (err)
		return pmvcs_fatal(ctx, "reading the configuration: %s",
				   vcs_errmsg());
	err = vcs_config_read_command(cfg, pmvcs_getenv, ctx);
	if (err == PMDB_EINVAL) {
		fprintf(ctx->err, "error: %s\nfatal: unable to parse "
			"command-line config\n", vcs_errmsg());
		return PMVCS_EXIT_FATAL;
	}
	if (err)
		return pmvcs_fatal(ctx, "reading the configuration: %s",
				   vcs_errmsg());
	return 0;
}

/* pmvcs_config -- see cmd.h */
int
pmvcs_config(pmvcs_ctx *ctx, const vcs_config **out)
{
	if (!ctx->cfg) {
		vcs_config *cfg = malloc(sizeof(*cfg));
		int rc;

		if (!cfg)
			return pmvcs_fatal(ctx, "out of memory");
		*cfg = (vcs_config)VCS_CONFIG_INIT;
		if ((rc = pmvcs_config_load(ctx, cfg))) {
			vcs_config_free(cfg);
			free(cfg);
			return rc;
		}
		ctx->cfg = cfg;
	}
	*out = ctx->cfg;
	return 0;
}

/* pmvcs_big_threshold -- see cmd.h */
uint64_t
pmvcs_big_threshold(pmvcs_ctx *ctx)
{
	const vcs_config *cfg = NULL;

	if (pmvcs_config(ctx, &cfg))
		cfg = NULL;
	return vcs_big_threshold(pmvcs_getenv, ctx, cfg);
}

/* pmvcs_ctx_release -- see cmd.h */
void
pmvcs_ctx_release(pmvcs_ctx *ctx)
{
	if (ctx->cfg) {
		vcs_config_free(ctx->cfg);
		free(ctx->cfg);
		ctx->cfg = NULL;
	}
}

/* pmvcs_excludes -- the command's core.excludesFile */
int
pmvcs_excludes(pmvcs_ctx *ctx, const char *root, char *buf, size_t size)
{
	const vcs_config *cfg = NULL;
	int rc = pmvcs_config(ctx, &cfg);

	buf[0] = '\0';
	if (!rc && vcs_ignore_excludes_file(cfg, root, pmvcs_getenv, ctx, buf,
					    size))
		rc = pmvcs_fatal(ctx, "%s", vcs_errmsg());
	return rc;
}

/* pmvcs_config_flag -- a boolean of the command's configuration */
int
pmvcs_config_flag(pmvcs_ctx *ctx, const char *key, int dflt)
{
	const vcs_config *cfg = NULL;
	const vcs_config_entry *e;
	int v;

	if (pmvcs_config(ctx, &cfg) || !(e = vcs_config_get(cfg, key)))
		return dflt;
	v = vcs_config_bool(e->value);
	return v < 0 ? dflt : v;
}

/* pmvcs_scan_config -- the command's scan settings */
int
pmvcs_scan_config(pmvcs_ctx *ctx, const char *root, pmvcs_scan_cfg *out)
{
	const vcs_config *cfg = NULL;
	int rc = pmvcs_excludes(ctx, root, out->excl, sizeof(out->excl));

	out->attrs[0] = '\0';
	memset(&out->eol, 0, sizeof(out->eol));
	if (!rc)
		rc = pmvcs_config(ctx, &cfg);
	if (!rc && vcs_attr_config(cfg, root, pmvcs_getenv, ctx, &out->eol,
				   out->attrs, sizeof(out->attrs)))
		rc = pmvcs_fatal(ctx, "%s", vcs_errmsg());
	return rc;
}

/* pmvcs_scan_opts -- sc as vcs_wt_scan_opts */
void
pmvcs_scan_opts(const pmvcs_scan_cfg *sc, vcs_wt_scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->excludes_file = sc->excl[0] ? sc->excl : NULL;
	o->attributes_file = sc->attrs[0] ? sc->attrs : NULL;
	o->eol = sc->eol;
}

/* pmvcs_ref_ident -- see cmd.h */
int
pmvcs_ref_ident(pmvcs_ctx *ctx, vcs_str *ident)
{
	const vcs_config *cfg = NULL;
	int hint = 0, rc;

	/* the config's identity as commits get it; where git would refuse
	 * it for a commit, reflogs still take the guessed one, as git's
	 * (non-strict) reflog ident does */
	if (pmvcs_config(ctx, &cfg))
		/* the load said why on ctx->err; the caller names the ref */
		return vcs_seterr(PMDB_ERROR, "cannot read the configuration");
	rc = vcs_ident_make_cfg(ident, "COMMITTER", pmvcs_getenv, ctx, cfg,
				&hint);
	if (rc == PMDB_EINVAL) {
		vcs_str_free(ident);
		*ident = (vcs_str)VCS_STR_INIT;
		rc = vcs_ident_make(ident, "COMMITTER", pmvcs_getenv, ctx);
	}
	return rc;
}

/* ref_change -- vcs_ref_update() with ctx's committer as the log's ident */
static int
ref_change(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
	   vcs_ref_change *c)
{
	vcs_str ident = VCS_STR_INIT;
	int rc = pmvcs_ref_ident(ctx, &ident);

	if (!rc) {
		c->ident = (const char *)ident.data;
		rc = vcs_ref_update(repo, txn, c);
	}
	vcs_str_free(&ident);
	return rc;
}

/* pmvcs_ref_set -- see cmd.h */
int
pmvcs_ref_set(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn, const char *ref,
	      const pmdb_oid *oid, const pmdb_oid *expect, const char *msg)
{
	vcs_ref_change c = { .name = ref, .oid = oid, .expect = expect,
			     .msg = msg };

	return ref_change(ctx, repo, txn, &c);
}

/* pmvcs_ref_set_symbolic -- see cmd.h */
int
pmvcs_ref_set_symbolic(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
		       const char *ref, const char *target,
		       const pmdb_oid *log_new, const char *msg)
{
	vcs_ref_change c = { .name = ref, .target = target,
			     .log_new = log_new, .msg = msg };

	return ref_change(ctx, repo, txn, &c);
}
