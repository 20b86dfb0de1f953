/*
 * util.c -- helpers shared by the pmvcs commands: environment lookup in
 * the command's own environment, option parsing and usage on the
 * command's streams, error reporting, opening the repository (or
 * borrowing the server's, see server.c).
 */
#include <stdarg.h>
#include <string.h>

#include "cmd.h"

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

int
pmvcs_fatal(pmvcs_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("pmvcs: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
	return PMVCS_EXIT_FATAL;
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

vcs_repo *
pmvcs_open_repo(pmvcs_ctx *ctx)
{
	vcs_repo *repo = NULL;
	vcs_open_opts opts = { ctx->lock_timeout_ms };
	int rc;

	if (ctx->shared_repo)
		return ctx->shared_repo;
	rc = vcs_repo_open(&repo, ctx->git_dir ? ctx->git_dir : ctx->cwd,
			   &opts);
	if (rc) {
		pmvcs_report(ctx, rc, NULL, 0);
		return NULL;
	}
	return repo;
}

/* pmvcs_ref_delete -- see cmd.h */
int
pmvcs_ref_delete(vcs_repo *repo, const char *ref, const pmdb_oid *old)
{
	pmdb_txn *txn = NULL;
	int rc = pmdb_txn_begin(repo->env, &txn);

	if (!rc)
		rc = pmdb_txn_ref_set(txn, ref, NULL, old);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
	}
	pmdb_txn_abort(txn);
	if (rc)
		vcs_seterr_pmdb(rc, ref);
	return rc;
}
