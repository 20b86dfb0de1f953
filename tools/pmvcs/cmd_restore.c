/*
 * cmd_restore.c -- pmvcs restore [--source=<rev>] [-W] <pathspec>...,
 * and the paths form of checkout (checkout [<rev>] -- <pathspec>...):
 * files of a revision (HEAD by default: there is no index, docs/undo.md)
 * written over the working tree's. restore removes the matching files the
 * revision lacks (git's no-overlay mode); checkout keeps them (overlay).
 * A pathspec that matches nothing is git's error and nothing is touched.
 * No ref changes: nothing to log.
 */
#include <string.h>

#include "cmd.h"
#include "file_io.h"
#include "undo.h"

static const char *const restore_usage[] = {
	"pmvcs restore [<options>] [--source=<branch>] <file>...",
	NULL
};

/** source_tree -- spec's tree, flattened, into out; exit code or -1.
 *  checkout and restore name an unknown revision in their own words. */
static int
source_tree(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec, int checkout,
	    pmdb_oid *tree, vcs_wt_list *out)
{
	pmdb_oid oid;
	int rc = vcs_revparse(repo, spec, &oid);

	if (rc == PMDB_ENOTFOUND || rc == PMDB_EAMBIGUOUS) {
		fprintf(ctx->err, checkout ? "fatal: invalid reference: %s\n" :
			"fatal: could not resolve %s\n", spec);
		return PMVCS_EXIT_FATAL;
	}
	if (!rc)
		rc = vcs_peel(repo, &oid, PMDB_OBJ_TREE, tree);
	if (rc == PMDB_EINVAL) {
		fprintf(ctx->err, "fatal: reference is not a tree: %s\n", spec);
		return PMVCS_EXIT_FATAL;
	}
	if (!rc)
		rc = vcs_tree_flatten(repo, NULL, tree, out);
	return rc ? pmvcs_report(ctx, rc, spec, 0) : -1;
}

/** count_changed -- git checkout's count: the matching files of src
 *  whose "index" entry (HEAD's) changes, or whose working tree file
 *  differs from it. Call before the files are written. */
static int
count_changed(vcs_repo *repo, const vcs_wt_list *head, const vcs_wt_list *src,
	      vcs_pathsel *ps, size_t *out)
{
	vcs_status st;
	int rc;

	*out = 0;
	memset(&st, 0, sizeof(st));
	if ((rc = vcs_status_compute(repo, NULL, 0, &st))) {
		vcs_status_clear(&st); /* what a failed compute holds */
		return rc;
	}
	for (size_t i = 0; i < src->n; i++) {
		const vcs_wt_entry *e = &src->e[i], *h;
		int dirty = 0;

		if (!vcs_pathsel_match(ps, e->path))
			continue;
		h = vcs_wt_find(head, e->path, e->len);
		for (size_t k = 0; k < st.ntracked && !dirty; k++)
			dirty = st.items[k].len == e->len &&
				!memcmp(st.items[k].path, e->path, e->len);
		*out += dirty || !h || h->mode != e->mode ||
			memcmp(&h->oid, &e->oid, sizeof(e->oid));
	}
	vcs_status_clear(&st);
	return 0;
}

/** pmvcs_restore_paths -- see cmd.h */
int
pmvcs_restore_paths(pmvcs_ctx *ctx, const char *spec, char **paths,
		    size_t n, unsigned flags)
{
	int no_overlay = !(flags & PMVCS_RESTORE_OVERLAY);
	int guess = (flags & PMVCS_RESTORE_GUESS) != 0;
	int count = guess && !(flags & PMVCS_RESTORE_QUIET);
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_oid tree;
	vcs_wt_list head = VCS_WT_LIST_INIT, src = VCS_WT_LIST_INIT;
	vcs_checkout_result res = { 0 };
	vcs_pathsel ps = { 0 };
	const char *iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	const char *prefix, *bad;
	vcs_file_io *io = NULL;
	vcs_repo *repo = pmvcs_open_repo(ctx);
	vcs_head_state hs;
	size_t k = 0, changed = 0;
	int ret, rc;

	if (!repo)
		return PMVCS_EXIT_FATAL;
	/* pathspecs are relative to the command's cwd, as git's */
	prefix = vcs_pathsel_prefix(repo->worktree, ctx->cwd);
	if (guess && n > 1 && !vcs_revparse(repo, paths[0], &tree)) {
		spec = paths[0];
		paths++;
		n--;
	}
	rc = vcs_pathsel_init(&ps, prefix, paths, n);
	if (rc == PMDB_EINVAL) {
		fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
		ret = PMVCS_EXIT_FATAL;
		goto out;
	}
	if (!rc)
		rc = vcs_head_read(repo, &hs);
	if (!rc && hs.born)
		rc = vcs_tree_flatten(repo, NULL, &hs.tree, &head);
	if (rc) {
		ret = pmvcs_report(ctx, rc, "restore", 0);
		goto out;
	}
	if (spec && (ret = source_tree(ctx, repo, spec, !no_overlay, &tree,
						 &src)) >= 0)
		goto out;
	rc = count ? count_changed(repo, &head, spec ? &src : &head, &ps,
				   &changed) : 0;
	if (!rc)
		rc = vcs_file_io_open_env(&io, pmvcs_getenv, ctx);
	if (!rc)
		rc = vcs_restore_paths(repo, io, &head, spec ? &src : &head, &ps,
				       no_overlay, &res);
	if (io && iostats && *iostats && strcmp(iostats, "0"))
		vcs_file_io_print(ctx->err, io);
	vcs_file_io_free(io);
	if (rc == PMDB_ENOTFOUND) {
		while ((bad = vcs_pathsel_unmatched(&ps, &k)))
			fprintf(ctx->err, "error: pathspec '%s' did not match any "
				"file(s) known to git\n", bad);
		ret = PMVCS_EXIT_DIFF;
	} else if (rc == PMDB_EINVAL && res.invalid) {
		fprintf(ctx->err, "error: invalid path '%s'\n", res.invalid);
		ret = PMVCS_EXIT_FATAL;
	} else if (rc) {
		ret = pmvcs_report(ctx, rc, no_overlay ? "restore" : "checkout", 0);
	} else {
		ret = PMVCS_EXIT_OK;
		/* git's checkout counts when no "--" said these are paths */
		if (count)
			fprintf(ctx->err, "Updated %zu path%s from %s\n",
				changed, changed == 1 ? "" : "s",
				spec ? vcs_oid_abbrev(repo, &tree, 7, hex) :
				"the index");
	}
out:
	vcs_checkout_result_clear(&res);
	vcs_pathsel_free(&ps);
	vcs_wt_list_free(&head);
	vcs_wt_list_free(&src);
	vcs_repo_free(repo);
	return ret;
}

/** cmd_restore -- "pmvcs restore [-s REV] [-W] [-q] PATH...". */
int
cmd_restore(pmvcs_ctx *ctx)
{
	const char *source = NULL;
	int worktree = 0, staged = 0, quiet = 0, n;
	const pmvcs_option opts[] = {
		OPT_STRING('s', "source", &source, "tree-ish", "which tree-ish "
			   "to checkout from"),
		OPT_BOOL('S', "staged", &staged, "restore the index"),
		OPT_BOOL('W', "worktree", &worktree, "restore the working tree "
			 "(default)"),
		OPT__QUIET(&quiet, "suppress progress reporting"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, restore_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (staged)
		return pmvcs_fatal(ctx, "restore --staged: there is no staging "
				   "area, nothing is staged (docs/undo.md)");
	if (!n) {
		fprintf(ctx->err, "fatal: you must specify path(s) to restore\n");
		return PMVCS_EXIT_FATAL;
	}
	return pmvcs_restore_paths(ctx, source, ctx->argv, (size_t)n, 0);
}
