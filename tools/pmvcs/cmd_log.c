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
#include "fsck.h"

#define LOG_USAGE \
	"pmvcs log [--oneline] [-n <n> | -<n>] [--all] [--format=<fmt>] [<rev>...]"

typedef struct qitem {
	pmdb_oid oid;
	long long date;
	uint64_t seq;
} qitem;

typedef struct walkq {
	qitem *h;              /* binary max-heap on (date, -seq) */
	size_t n, cap;
	uint64_t seq;
	vcs_oidset seen;
} walkq;

/* before -- heap order: later date first, then earlier queued. */
static int
before(const qitem *a, const qitem *b)
{
	if (a->date != b->date)
		return a->date > b->date;
	return a->seq < b->seq;
}

/* commit_date -- committer epoch of a commit (0 if unreadable). */
static long long
commit_date(const vcs_commit *c)
{
	const char *gt = c->committer ? strrchr(c->committer, '>') : NULL;

	return gt ? strtoll(gt + 1, NULL, 10) : 0;
}

/* q_push -- queue a commit once. */
static int
q_push(walkq *q, const pmdb_oid *oid, long long date)
{
	int added = vcs_oidset_add(&q->seen, oid);
	size_t i;

	if (added < 0)
		return vcs_seterr(added, "walking history: out of memory");
	if (added == 0)
		return 0;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		qitem *h = realloc(q->h, cap * sizeof(*h));
		if (!h)
			return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
		q->h = h;
		q->cap = cap;
	}
	i = q->n++;
	q->h[i].oid = *oid;
	q->h[i].date = date;
	q->h[i].seq = q->seq++;
	while (i && before(&q->h[i], &q->h[(i - 1) / 2])) {
		qitem t = q->h[i];
		q->h[i] = q->h[(i - 1) / 2];
		q->h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	return 0;
}

/* q_pop -- the next commit to show. */
static qitem
q_pop(walkq *q)
{
	qitem top = q->h[0];
	size_t i = 0;

	q->h[0] = q->h[--q->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && before(&q->h[l], &q->h[m]))
			m = l;
		if (r < q->n && before(&q->h[r], &q->h[m]))
			m = r;
		if (m == i)
			break;
		qitem t = q->h[i];
		q->h[i] = q->h[m];
		q->h[m] = t;
		i = m;
	}
	return top;
}

/* push_rev -- queue a starting commit (peeling tags). */
static int
push_rev(walkq *q, vcs_repo *repo, const pmdb_oid *oid)
{
	pmdb_oid c;
	vcs_commit cm;
	int rc = vcs_peel(repo, oid, PMDB_OBJ_COMMIT, &c);

	if (rc)
		return rc;
	if ((rc = vcs_commit_read(repo, NULL, &c, &cm)))
		return rc;
	rc = q_push(q, &c, commit_date(&cm));
	vcs_commit_clear(&cm);
	return rc;
}

typedef struct all_cb {
	walkq *q;
	vcs_repo *repo;
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
	rc = push_rev(a->q, a->repo, oid);
	return rc == PMDB_EINVAL ? 0 : rc;
}

/* cmd_log -- entry point. */
int
cmd_log(pmvcs_ctx *ctx)
{
	vcs_pretty how = VCS_PRETTY_MEDIUM;
	const char *format = NULL;
	long long max = -1, shown = 0;
	int all = 0, rc = 0, nrevs = 0, tformat = 1;
	walkq q;
	vcs_repo *repo;
	vcs_str buf = VCS_STR_INIT;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", LOG_USAGE);
			return 0;
		} else if (!strcmp(a, "--oneline")) {
			how = VCS_PRETTY_ONELINE;
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (!strcmp(a, "-n") && i + 1 < ctx->argc) {
			max = atoll(ctx->argv[++i]);
		} else if (!strncmp(a, "-n", 2) && a[2]) {
			max = atoll(a + 2);
		} else if (!strncmp(a, "--max-count=", 12)) {
			max = atoll(a + 12);
		} else if (a[0] == '-' && a[1] >= '0' && a[1] <= '9') {
			max = atoll(a + 1);
		} else if (!strncmp(a, "--format=", 9) || !strncmp(a, "--pretty=", 9)) {
			format = a + 9;
			how = VCS_PRETTY_FORMAT;
			if (!strncmp(format, "format:", 7)) {
				format += 7;
				tformat = 0;
			} else if (!strncmp(format, "tformat:", 8)) {
				format += 8;
			} else if (!strcmp(format, "oneline")) {
				how = VCS_PRETTY_ONELINE;
			} else if (!strcmp(format, "medium")) {
				how = VCS_PRETTY_MEDIUM;
			}
		} else if (a[0] == '-') {
			return pmvcs_usage(ctx, LOG_USAGE);
		} else {
			nrevs++;
		}
	}
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	memset(&q, 0, sizeof(q));
	for (int i = 1; i < ctx->argc && !rc; i++) {
		const char *a = ctx->argv[i];
		pmdb_oid oid;
		if (a[0] == '-') {
			if (!strcmp(a, "-n"))
				i++;
			continue;
		}
		if ((rc = vcs_revparse(repo, a, &oid)) || (rc = push_rev(&q, repo, &oid)))
			rc = pmvcs_report(ctx, rc, NULL, 0);
	}
	if (!rc && all) {
		all_cb a = { &q, repo };
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
			if ((err = push_rev(&q, repo, &head)))
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
	while (!rc && q.n && (max < 0 || shown < max)) {
		qitem it = q_pop(&q);
		vcs_commit c;
		int err = vcs_commit_read(repo, NULL, &it.oid, &c);
		if (err) {
			rc = pmvcs_report(ctx, err, NULL, 0);
			break;
		}
		vcs_str_reset(&buf);
		if (shown && (how == VCS_PRETTY_MEDIUM ||
			      (how == VCS_PRETTY_FORMAT && !tformat)))
			err = vcs_str_adds(&buf, "\n");
		if (!err)
			err = vcs_pretty_commit(repo, &buf, &it.oid, &c, how, format);
		if (!err && how == VCS_PRETTY_FORMAT && tformat)
			err = vcs_str_adds(&buf, "\n");
		for (size_t p = 0; !err && p < c.nparents; p++) {
			vcs_commit pc;
			if (vcs_oidset_has(&q.seen, &c.parents[p]))
				continue;
			if ((err = vcs_commit_read(repo, NULL, &c.parents[p], &pc)))
				break;
			err = q_push(&q, &c.parents[p], commit_date(&pc));
			vcs_commit_clear(&pc);
		}
		vcs_commit_clear(&c);
		if (err) {
			rc = pmvcs_report(ctx, err, NULL, 0);
			break;
		}
		if (buf.len)
			fwrite(buf.data, 1, buf.len, ctx->out);
		shown++;
	}
	vcs_str_free(&buf);
	free(q.h);
	vcs_oidset_free(&q.seen);
	vcs_repo_free(repo);
	return rc;
}
