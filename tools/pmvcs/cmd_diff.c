/*
 * cmd_diff.c -- pmvcs diff: working tree vs HEAD (there is no index),
 * working tree vs a revision, or tree vs tree; output by vcs/diff.c in
 * git's format. Untracked files are not shown, as in git.
 */
#include <stdlib.h>
#include <string.h>

#include "bigblob.h"
#include "cmd.h"
#include "diff.h"
#include "worktree.h"

static const char *const diff_usage[] = {
	"pmvcs diff [<options>] [<commit>]",
	"pmvcs diff [<options>] <commit> <commit>",
	NULL
};

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

/** typechange -- git's patch shows a type change as a deletion and an
 *  addition, but its stat, name-only and name-status list one "T" file. */
static int
typechange(vcs_repo *repo, vcs_str *out, const vcs_diff_side *a,
	   const vcs_diff_side *b, const vcs_diff_opts *o)
{
	vcs_diff_opts po = *o;
	vcs_diff_side none;
	int rc;

	memset(&none, 0, sizeof(none));
	none.path = a->path;
	po.name_only = po.name_status = 0;
	rc = vcs_diff_pair(repo, out, a, &none, &po);
	if (rc >= 0)
		rc = vcs_diff_pair(repo, out, &none, b, &po);
	if (rc < 0)
		return rc;
	if (o->acc && o->acc->n >= 2) {
		vcs_diff_stat *st = o->acc;
		st->files[st->n - 2].added += st->files[st->n - 1].added;
		st->files[st->n - 2].deleted += st->files[st->n - 1].deleted;
		free(st->files[st->n - 1].path);
		st->n--;
	}
	if (o->quiet || (!o->name_only && !o->name_status))
		return 1;
	if (o->name_status && vcs_str_adds(out, "T\t"))
		return PMDB_ENOMEM;
	if (vcs_quote_path(out, a->path, strlen(a->path)) ||
	    vcs_str_adds(out, "\n"))
		return PMDB_ENOMEM;
	return 1;
}

/** item_cmp -- order status items by path. */
static int
item_cmp(const void *x, const void *y)
{
	return strcmp(((const vcs_status_item *)x)->path,
		      ((const vcs_status_item *)y)->path);
}

/** diff_worktree -- the tracked changes of the working tree against
 *  tree (HEAD's when NULL). Appends the diff to out. */
static int
diff_worktree(vcs_repo *repo, const pmdb_oid *tree, const vcs_diff_opts *o,
	      vcs_str *out, size_t *changed)
{
	vcs_wt_reader rd = { VCS_STR_INIT };
	vcs_wt_list tracked = VCS_WT_LIST_INIT;
	pmdb_oid hc, ht;
	vcs_status st;
	int born = 0, rc = vcs_status_compute(repo, tree, 0, &st);

	/* against another revision, files tracked at HEAD but absent
	 * there are additions (git's index holds them) */
	if (!rc && tree)
		rc = vcs_head_tree(repo, &hc, &ht, &born);
	if (!rc && tree && born)
		rc = vcs_tree_flatten(repo, NULL, &ht, &tracked);
	if (rc)
		goto out;
	/* tracked changes and additions, in git's path order */
	if (st.n)
		qsort(st.items, st.n, sizeof(*st.items), item_cmp);
	for (size_t i = 0; i < st.n && rc >= 0; i++) {
		const vcs_status_item *it = &st.items[i];
		vcs_diff_side a, b;

		if (it->kind == VCS_ST_UNTRACKED &&
		    !vcs_wt_find(&tracked, it->path, it->len))
			continue;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.path = b.path = it->path;
		if (it->head) {
			a.mode = it->head->mode;
			a.oid = it->head->oid;
		}
		if (it->wt && it->wt->mode != VCS_MODE_LINK &&
		    it->wt->size >= (o->big ? o->big : VCS_BIG_THRESHOLD_DEFAULT)) {
			/* as git: binary, never read whole; only its id */
			vcs_wt_entry e = *it->wt;

			if (!e.have_oid && (rc = vcs_big_hash_file(repo, &e)))
				break;
			b.mode = e.mode;
			b.oid = e.oid;
			b.len = it->wt->size;
			b.unread = 1;
		} else if (it->wt) {
			rc = vcs_wt_read(repo, &rd, it->wt);
			if (rc)
				break;
			b.mode = it->wt->mode;
			b.oid = it->wt->oid;
			b.data = rd.buf.data;
			b.len = rd.buf.len;
		}
		if (it->kind == VCS_ST_TYPECHANGE) {
			rc = typechange(repo, out, &a, &b, o);
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
out:
	vcs_wt_list_free(&tracked);
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

	int quiet = 0, n;
	const pmvcs_option opts[] = {
		OPT_PMVCS_DIFF_FORMAT(&o),
		OPT_BOOL(0, "full-index", &o.full_index, "show full pre- and "
			 "post-image object names on the \"index\" lines"),
		OPT_BOOL(0, "exit-code", &exit_code, "exit with 1 if there were "
			 "differences, 0 otherwise"),
		OPT_BOOL(0, "quiet", &quiet, "disable all output of the program"),
		OPT_END()
	};

	/* git's diff options take no abbreviations and name an unknown
	 * one in diff's own words: KEEP_UNKNOWN, reported below */
	if ((n = pmvcs_parse(ctx, opts, diff_usage, PMVCS_PARSE_KEEP_UNKNOWN |
			     PMVCS_PARSE_KEEP_DASHDASH |
			     PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	if (quiet)
		o.quiet = exit_code = 1;
	for (int i = 0; i < n; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "--")) {
			if (i + 1 < n) {
				fprintf(ctx->err, "pmvcs: diff does not take paths yet\n");
				return pmvcs_usage(ctx, diff_usage, opts);
			}
		} else if (a[0] == '-' && a[1]) {
			/* git's words, without a usage; git exits 255 (its
			 * cmd_diff returns error()), pmvcs the usage code */
			fprintf(ctx->err, "error: invalid option: %s\n", a);
			return PMVCS_EXIT_USAGE;
		} else if (nrev < 2) {
			revs[nrev++] = a;
		} else {
			return pmvcs_usage(ctx, diff_usage, opts);
		}
	}
	if (o.stat && nrev < 2)
		o.acc = &acc; /* vcs_diff_trees prints its own stat block */
	repo = pmvcs_open_repo(ctx);
	o.big = pmvcs_big_threshold(ctx);
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
	if (!o.quiet && out.len)
		fwrite(out.data, 1, out.len, ctx->out);
	ret = exit_code && changed ? PMVCS_EXIT_DIFF : PMVCS_EXIT_OK;
out:
	vcs_diff_stat_free(&acc);
	vcs_str_free(&out);
	vcs_repo_free(repo);
	return ret;
}
