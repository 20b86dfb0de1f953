/*
 * cmd_diff.c -- pmvcs diff: working tree vs HEAD (there is no index),
 * working tree vs a revision, or tree vs tree; output by vcs/diff.c in
 * git's format. Untracked files are not shown, as in git.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"
#include "worktree.h"

static const char diff_usage[] =
	"pmvcs diff [--stat] [--name-only] [--name-status] [--exit-code] "
	"[--quiet] [-U<n>] [<rev> [<rev>]]";

/** tree_of -- resolve spec to a tree id. Exit code or -1. */
static int
tree_of(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec, pmdb_oid *tree)
{
	pmdb_oid oid;
	int rc = vcs_revparse(repo, spec, &oid);

	if (rc)
		return pmvcs_report(ctx, rc, spec, 0);
	rc = vcs_peel(repo, &oid, PMDB_OBJ_TREE, tree);
	if (rc)
		return pmvcs_fatal(ctx, "'%s' does not name a tree or commit", spec);
	return -1;
}

/** diff_worktree -- the tracked changes of the working tree against
 *  tree (HEAD's when NULL). Appends the diff to out. */
static int
diff_worktree(vcs_repo *repo, const pmdb_oid *tree, const vcs_diff_opts *o,
	      vcs_str *out, size_t *changed)
{
	vcs_wt_reader rd = { VCS_STR_INIT };
	vcs_status st;
	int rc = vcs_status_compute(repo, tree, 0, &st);

	if (rc)
		return rc;
	for (size_t i = 0; i < st.ntracked && rc >= 0; i++) {
		const vcs_status_item *it = &st.items[i];
		vcs_diff_side a, b, none;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		memset(&none, 0, sizeof(none));
		a.path = b.path = none.path = it->path;
		a.mode = it->head->mode;
		a.oid = it->head->oid;
		if (it->wt) {
			rc = vcs_wt_read(repo, &rd, it->wt);
			if (rc)
				break;
			b.mode = it->wt->mode;
			b.oid = it->wt->oid;
			b.data = rd.buf.data;
			b.len = rd.buf.len;
		}
		if (it->kind == VCS_ST_TYPECHANGE) {
			/* git shows a type change as a deletion and an addition */
			rc = vcs_diff_pair(repo, out, &a, &none, o);
			if (rc >= 0)
				rc = vcs_diff_pair(repo, out, &none, &b, o);
		} else {
			rc = vcs_diff_pair(repo, out, &a, &b, o);
		}
		if (rc > 0)
			(*changed)++;
	}
	if (rc > 0)
		rc = 0;
	if (!rc && st.hashed)
		vcs_wtcache_write(repo, &st.wt);
	vcs_str_free(&rd.buf);
	vcs_status_clear(&st);
	return rc;
}

/** cmd_diff -- "pmvcs diff [options] [REV [REV]]". */
int
cmd_diff(pmvcs_ctx *ctx)
{
	vcs_diff_opts o = VCS_DIFF_OPTS_INIT;
	vcs_diff_stat acc = VCS_DIFF_STAT_INIT;
	const char *revs[2] = { NULL, NULL };
	int nrev = 0, exit_code = 0, ret = PMVCS_EXIT_FATAL, rc;
	vcs_str out = VCS_STR_INIT;
	vcs_repo *repo = NULL;
	pmdb_oid t1, t2;
	size_t changed = 0;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", diff_usage);
			return 0;
		} else if (!strcmp(a, "--stat")) {
			o.stat = 1;
			o.patch = 0;
		} else if (!strcmp(a, "--name-only")) {
			o.name_only = 1;
			o.patch = 0;
		} else if (!strcmp(a, "--name-status")) {
			o.name_status = 1;
			o.patch = 0;
		} else if (!strcmp(a, "--exit-code")) {
			exit_code = 1;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
			exit_code = 1;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--patch")) {
			o.patch = 1;
		} else if (!strcmp(a, "--full-index")) {
			o.full_index = 1;
		} else if (!strncmp(a, "-U", 2) && a[2]) {
			o.context = atoi(a + 2);
		} else if (!strncmp(a, "--unified=", 10)) {
			o.context = atoi(a + 10);
		} else if (!strcmp(a, "--")) {
			if (i + 1 < ctx->argc) {
				fprintf(ctx->err, "pmvcs: diff does not take paths yet\n");
				return pmvcs_usage(ctx, diff_usage);
			}
		} else if (a[0] == '-') {
			fprintf(ctx->err, "pmvcs: unknown option '%s'\n", a);
			return pmvcs_usage(ctx, diff_usage);
		} else if (nrev < 2) {
			revs[nrev++] = a;
		} else {
			return pmvcs_usage(ctx, diff_usage);
		}
	}
	if (o.stat && nrev < 2)
		o.acc = &acc; /* vcs_diff_trees prints its own stat block */
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	for (int i = 0; i < nrev; i++) {
		ret = tree_of(ctx, repo, revs[i], i ? &t2 : &t1);
		if (ret >= 0)
			goto out;
	}
	if (nrev == 2)
		rc = vcs_diff_trees(repo, &t1, &t2, &o, &out, &changed);
	else
		rc = diff_worktree(repo, nrev ? &t1 : NULL, &o, &out, &changed);
	if (rc) {
		ret = pmvcs_report(ctx, rc, "diff", 0);
		goto out;
	}
	if (o.acc && !o.quiet && acc.n) {
		vcs_str s = VCS_STR_INIT;
		if (vcs_diff_stat_format(&s, &acc, 80) == 0)
			fwrite(s.data, 1, s.len, ctx->out);
		if (o.patch && out.len)
			fputc('\n', ctx->out);
		vcs_str_free(&s);
	}
	if (!o.quiet)
		fwrite(out.data, 1, out.len, ctx->out);
	ret = exit_code && changed ? PMVCS_EXIT_DIFF : PMVCS_EXIT_OK;
out:
	vcs_diff_stat_free(&acc);
	vcs_str_free(&out);
	vcs_repo_free(repo);
	return ret;
}
