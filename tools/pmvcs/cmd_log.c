/*
 * cmd_log.c -- pmvcs log: commits reachable from the given revisions (HEAD
 * by default), newest committer date first, each once, in git's formats.
 *
 * Order: git's default walk pops the commit with the latest committer
 * date; commits with equal dates come out in the order they were queued
 * (starting revisions in order, then parents in order), as git's
 * commit_list_insert_by_date does.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"
#include "pretty.h"
#include "revwalk.h"

static const char *const log_usage[] = {
	"pmvcs log [<options>] [<revision>...]",
	NULL
};

#define LOG_FLUSH (64u << 10)   /* write out in chunks of this size */

typedef struct all_cb {
	vcs_revwalk *w;
} all_cb;

/* each_ref -- --all: every ref that leads to a commit. A ref to a tree
 * or blob is skipped (as git does); any other failure (out of memory, a
 * missing or unreadable object) stops the walk: an incomplete log must
 * not pass for the whole one. */
static int
each_ref(const char *name, const pmdb_oid *oid, const char *target, void *v)
{
	all_cb *a = v;
	int rc;

	(void)name;
	if (target && *target)
		return 0;
	rc = vcs_revwalk_push(a->w, oid);
	return rc == PMDB_EINVAL ? 0 : rc;
}

/* show_one -- append one commit to out in the chosen format */
static int
show_one(vcs_repo *repo, vcs_revwalk *w, vcs_str *out, const pmdb_oid *oid,
	 const vcs_commit_hdr *h, const vcs_pretty_opts *o)
{
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_commit c;
	int err;

	if (o->how == VCS_PRETTY_ONELINE) {
		/* only the id and the subject, kept by the walk */
		if (!o->abbrev_commit)
			vcs_oid_hex(repo, oid, hex);
		else if ((err = vcs_revwalk_abbrev(w, oid, o->abbrev, hex)))
			return err;
		err = vcs_str_adds(out, hex);
		err = err ? err : vcs_str_add(out, " ", 1);
		/* the walk runs with VCS_REVWALK_SUBJECT: message is %s */
		err = err ? err : vcs_str_add(out, h->message, h->message_len);
		return err ? err : vcs_str_add(out, "\n", 1);
	}
	if ((err = vcs_commit_parse(&c, h->data, h->len, repo->algo)))
		return err;
	err = vcs_pretty_commit(repo, out, oid, &c, o);
	vcs_commit_clear(&c);
	return err;
}

/* flush_out -- write out's bytes to the command's output */
static void
flush_out(pmvcs_ctx *ctx, vcs_str *out)
{
	if (out->len)
		fwrite(out->data, 1, out->len, ctx->out);
	vcs_str_reset(out);
}

/* max_cb -- -n <n>, --max-count=<n>, -<n>: read as git does (atoi: a
 * number that does not parse is 0) */
static int
max_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	(void)err;
	*(long long *)opt->value = unset ? -1 : atoll(arg);
	return 0;
}

/* cmd_log -- entry point. */
int
cmd_log(pmvcs_ctx *ctx)
{
	pmvcs_pretty_opt p = PMVCS_PRETTY_OPT_INIT;
	long long max = -1, shown = 0;
	int all = 0, rc = 0, nrevs;
	vcs_revwalk *w = NULL;
	vcs_repo *repo;
	vcs_str buf = VCS_STR_INIT;
	const pmvcs_option opts[] = {
		OPT_PMVCS_PRETTY(&p),
		OPT_CALLBACK('n', "max-count", &max, "n", "limit the number of "
			     "commits to output", max_cb),
		OPT_NUMBER_CALLBACK(&max, "limit the number of commits to "
				    "output", max_cb),
		OPT_BOOL(0, "all", &all, "every ref, and HEAD"),
		OPT_END()
	};

	if ((nrevs = pmvcs_parse_revs(ctx, opts, log_usage)) < 0)
		return -nrevs;
	if (pmvcs_pretty_check(ctx, &p))
		return PMVCS_EXIT_FATAL;
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if ((rc = vcs_revwalk_new(&w, repo, p.o.how == VCS_PRETTY_ONELINE ?
				  VCS_REVWALK_SUBJECT : 0))) {
		rc = pmvcs_report(ctx, rc, NULL, 0);
		vcs_repo_free(repo);
		return rc;
	}
	for (int i = 0; i < nrevs && !rc; i++) {
		const char *a = ctx->argv[i];
		pmdb_oid oid;
		if ((rc = vcs_revparse(repo, a, &oid)) || (rc = vcs_revwalk_push(w, &oid)))
			rc = pmvcs_report(ctx, rc, NULL, 0);
	}
	if (!rc && all) {
		all_cb a = { w };
		vcs_seterr(0, "%s", "");
		rc = pmdb_ref_foreach(repo->env, "refs/", each_ref, &a);
		if (rc && !*vcs_errmsg())
			vcs_seterr_pmdb(rc, "reading refs");
		if (rc)
			rc = pmvcs_report(ctx, rc, "listing refs", 0);
	}
	if (!rc && (!nrevs || all)) {
		pmdb_oid head;
		int err = vcs_head(repo, &head, NULL);
		if (!err) {
			if ((err = vcs_revwalk_push(w, &head)))
				rc = pmvcs_report(ctx, err, "HEAD", 0);
		} else if (err != PMDB_ENOTFOUND) {
			/* HEAD unreadable is not an unborn branch */
			rc = pmvcs_report(ctx, err, NULL, 0);
		} else if (!all) {
			char *br = NULL;
			vcs_head(repo, NULL, &br);
			rc = pmvcs_fatal(ctx, "your current branch '%s' does not have "
					 "any commits yet", br && !strncmp(br, "refs/heads/", 11)
					 ? br + 11 : "HEAD");
			free(br);
		}
	}
	if (!rc)        /* once per log: it costs a pmdb_env_stat */
		p.o.abbrev = vcs_default_abbrev(repo);
	while (!rc && (max < 0 || shown < max)) {
		pmdb_oid oid;
		vcs_commit_hdr h;
		size_t mark = buf.len;
		int err = vcs_revwalk_next(w, &oid, &h);

		if (err == 0)
			break;
		err = err < 0 ? err : 0;
		/* git prints nothing at all for an empty tformat (an empty
		 * format: still gets its separators) */
		if (!err && p.o.how == VCS_PRETTY_FORMAT && p.tformat &&
		    !*p.o.format) {
			shown++;
			continue;
		}
		/* git: a blank line between entries, but for oneline,
		 * reference and tformat, whose entries end in a newline */
		if (!err && shown && p.o.how != VCS_PRETTY_ONELINE &&
		    p.o.how != VCS_PRETTY_REFERENCE &&
		    (p.o.how != VCS_PRETTY_FORMAT || !p.tformat))
			err = vcs_str_add(&buf, "\n", 1);
		if (!err)
			err = show_one(repo, w, &buf, &oid, &h, &p.o);
		if (!err && p.o.how == VCS_PRETTY_FORMAT && p.tformat)
			err = vcs_str_add(&buf, "\n", 1);
		if (err) {
			buf.len = mark;         /* whole commits only */
			flush_out(ctx, &buf);
			rc = pmvcs_report(ctx, err, NULL, 0);
			break;
		}
		if (buf.len >= LOG_FLUSH)
			flush_out(ctx, &buf);
		shown++;
	}
	if (!rc)
		flush_out(ctx, &buf);
	vcs_str_free(&buf);
	vcs_revwalk_free(w);
	vcs_repo_free(repo);
	return rc;
}
