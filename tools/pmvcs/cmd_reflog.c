/*
 * cmd_reflog.c -- pmvcs reflog: show, expire, delete and test reflogs
 * (git reflog's verbs and output; vcs/reflog.h keeps the logs).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "diff.h"
#include "fsck.h"

static const char *const reflog_usage[] = {
	"pmvcs reflog [show] [<ref>]",
	"pmvcs reflog expire [--expire=<time>] [--expire-unreachable=<time>] "
	"[--all | <refs>...]",
	"pmvcs reflog delete <ref>@{<n>}...",
	"pmvcs reflog exists <ref>",
	NULL
};

/* unknown -- git's message for a name that is no ref */
static int
unknown(pmvcs_ctx *ctx, const char *spec)
{
	vcs_seterr(PMDB_ENOTFOUND, "ambiguous argument '%s': unknown revision "
		   "or path not in the working tree.", spec);
	return pmvcs_report(ctx, PMDB_ENOTFOUND, NULL, 0);
}

/* resolve -- the ref a user's name means: "HEAD" by default */
static int
resolve(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec, char *full)
{
	int rc = vcs_ref_dwim(repo, spec, strlen(spec), full);

	if (rc == PMDB_ENOTFOUND)
		return unknown(ctx, spec);
	return rc ? pmvcs_report(ctx, rc, spec, 0) : 0;
}

/* show -- "<abbrev> <spec>@{N}: <message>" per entry, newest first */
static int
show(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec)
{
	char full[PMDB_REF_NAME_MAX + 1], hex[PMDB_OID_HEXMAX + 1];
	vcs_reflog log;
	int rc;

	if ((rc = resolve(ctx, repo, spec, full)))
		return rc;
	if ((rc = vcs_reflog_read(repo, full, &log)))
		return pmvcs_report(ctx, rc, "reflog", 0);
	for (size_t i = 0; i < log.n; i++) {
		const vcs_reflog_entry *e = &log.e[i];

		/* git's walk skips entries whose commit is gone */
		if (pmdb_object_info(repo->env, &e->new_oid, NULL, NULL))
			continue;
		vcs_oid_abbrev(repo, &e->new_oid, 7, hex);
		fprintf(ctx->out, "%s %s@{%zu}: %s\n", hex, spec, i, e->msg);
	}
	vcs_reflog_clear(&log);
	return PMVCS_EXIT_OK;
}

/* expiry_cb -- --expire=<time>, --expire-unreachable=<time> */
static int
expiry_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	if (unset) {
		*(int64_t *)opt->value = INT64_MIN;
		return 0;
	}
	if (vcs_expiry_parse(arg, (int64_t)time(NULL), opt->value)) {
		fprintf(err, "error: invalid timestamp '%s' given to '--%s'\n",
			arg, opt->long_name);
		return -1;
	}
	return 0;
}

/* expire -- "reflog expire": git's defaults, 90 and 30 days; the
 * operands are ctx->argv[0..n) */
static int
expire(pmvcs_ctx *ctx, vcs_repo *repo, int all, int64_t all_t,
       int64_t unreach_t, int n)
{
	char full[PMDB_REF_NAME_MAX + 1];
	int rc;

	if (all) {
		rc = vcs_reflog_expire(repo, NULL, all_t, unreach_t);
		return rc ? pmvcs_report(ctx, rc, "reflog expire", 0) : 0;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = resolve(ctx, repo, ctx->argv[i], full)))
			return rc;
		if ((rc = vcs_reflog_expire(repo, full, all_t, unreach_t)))
			return pmvcs_report(ctx, rc, "reflog expire", 0);
	}
	return PMVCS_EXIT_OK;
}

/* delete_one -- "reflog delete REF@{N}": drop entry N */
static int
delete_one(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec)
{
	char full[PMDB_REF_NAME_MAX + 1], name[PMDB_REF_NAME_MAX + 1];
	const char *at = strstr(spec, "@{");
	unsigned char *keep = NULL;
	pmdb_txn *txn = NULL;
	vcs_reflog log;
	char *end;
	unsigned long n;
	int rc;

	if (!at || at == spec || (size_t)(at - spec) > PMDB_REF_NAME_MAX)
		return pmvcs_fatal(ctx, "not a reflog: %s", spec);
	n = strtoul(at + 2, &end, 10);
	if (end == at + 2 || strcmp(end, "}"))
		return pmvcs_fatal(ctx, "not a reflog: %s", spec);
	snprintf(name, sizeof(name), "%.*s", (int)(at - spec), spec);
	if ((rc = resolve(ctx, repo, name, full)))
		return rc;
	if ((rc = vcs_reflog_read(repo, full, &log)))
		return pmvcs_report(ctx, rc, "reflog delete", 0);
	if (n >= log.n) {
		vcs_reflog_clear(&log);
		return pmvcs_fatal(ctx, "reflog for '%s' has only %zu entries",
				   name, log.n);
	}
	if (!(keep = malloc(log.n))) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	} else {
		memset(keep, 1, log.n);
		keep[n] = 0;
		rc = pmdb_txn_begin(repo->env, &txn);
		if (rc)
			vcs_seterr_pmdb(rc, "starting a transaction");
	}
	if (!rc)
		rc = vcs_reflog_rewrite(repo, txn, full, &log, keep);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
		if (rc)
			vcs_seterr_pmdb(rc, "reflog delete");
	}
	pmdb_txn_abort(txn);
	free(keep);
	vcs_reflog_clear(&log);
	return rc ? pmvcs_report(ctx, rc, "reflog delete", 0) : 0;
}

/* cmd_reflog -- entry point: "reflog [<verb>] [<options>] [<args>]" */
int
cmd_reflog(pmvcs_ctx *ctx)
{
	int64_t now = (int64_t)time(NULL);
	int64_t all_t = now - 90 * 86400, unreach_t = now - 30 * 86400;
	const char *verb = "show";
	int all = 0, n, ret = PMVCS_EXIT_OK;
	vcs_repo *repo;
	const pmvcs_option none[] = { OPT_END() };
	const pmvcs_option expire_opts[] = {
		OPT_CALLBACK(0, "expire", &all_t, "timestamp",
			     "prune entries older than the specified time",
			     expiry_cb),
		OPT_CALLBACK(0, "expire-unreachable", &unreach_t, "timestamp",
			     "prune entries older than <time> that are not "
			     "reachable from the current tip of the branch",
			     expiry_cb),
		OPT_BOOL(0, "all", &all, "process the reflogs of all references"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, none, reflog_usage,
			     PMVCS_PARSE_STOP_AT_NON_OPTION)) < 0)
		return PMVCS_EXIT_USAGE;
	if (n && (!strcmp(ctx->argv[0], "show") ||
		  !strcmp(ctx->argv[0], "expire") ||
		  !strcmp(ctx->argv[0], "delete") ||
		  !strcmp(ctx->argv[0], "exists"))) {
		verb = ctx->argv[0];
		n = pmvcs_parse(ctx, strcmp(verb, "expire") ? none : expire_opts,
				reflog_usage, 0);
		if (n < 0)
			return PMVCS_EXIT_USAGE;
	}
	/* "reflog <ref>" is "reflog show <ref>" */
	if ((!strcmp(verb, "show") && n > 1) ||
	    (!strcmp(verb, "exists") && n != 1) ||
	    (!strcmp(verb, "expire") && all && n))
		return pmvcs_usage(ctx, reflog_usage, none);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if (!strcmp(verb, "show")) {
		ret = show(ctx, repo, n ? ctx->argv[0] : "HEAD");
	} else if (!strcmp(verb, "expire")) {
		ret = expire(ctx, repo, all, all_t, unreach_t, n);
	} else if (!strcmp(verb, "exists")) {
		/* git takes the full ref name here, no lookup rules */
		vcs_reflog log;
		int rc = vcs_reflog_read(repo, ctx->argv[0], &log);

		ret = rc ? pmvcs_report(ctx, rc, "reflog exists", 0) :
			log.n ? PMVCS_EXIT_OK : PMVCS_EXIT_DIFF;
		vcs_reflog_clear(&log);
	} else {
		for (int i = 0; i < n && !ret; i++)
			ret = delete_one(ctx, repo, ctx->argv[i]);
	}
	vcs_repo_free(repo);
	return ret;
}
