/*
 * cmd_reset.c -- pmvcs reset [--soft | --mixed | --hard] [-q] [<commit>]:
 * move the current branch (HEAD when detached) to a commit, logged as
 * git logs it ("reset: moving to <commit>"), so that
 * "reset --hard HEAD@{1}" undoes a reset. Without an index --soft and
 * --mixed differ only in what they print; --hard also makes the working
 * tree the commit's (vcs/reset.c, docs/undo.md).
 */
#include <string.h>

#include "cmd.h"
#include "file_io.h"
#include "undo.h"

static const char *const reset_usage[] = {
	"pmvcs reset [--mixed | --soft | --hard] [-q] [<commit>]",
	NULL
};

enum { MIXED = 1, SOFT, HARD };

/** unknown_rev -- git's words for a name that is neither revision nor
 *  path. */
static int
unknown_rev(pmvcs_ctx *ctx, const char *spec)
{
	fprintf(ctx->err, "fatal: ambiguous argument '%s': unknown revision or "
		"path not in the working tree.\nUse '--' to separate paths "
		"from revisions, like this:\n'git <command> [<revision>...] -- "
		"[<file>...]'\n", spec);
	return PMVCS_EXIT_FATAL;
}

/** with_paths -- reset with paths: git's refusals for --soft and
 *  --hard; with no index there is nothing for --mixed to unstage. */
static int
with_paths(pmvcs_ctx *ctx, int mode)
{
	if (mode == HARD || mode == SOFT) {
		fprintf(ctx->err, "fatal: Cannot do %s reset with paths.\n",
			mode == HARD ? "hard" : "soft");
		return PMVCS_EXIT_FATAL;
	}
	return pmvcs_fatal(ctx, "reset <paths>: there is no staging area, "
			   "nothing is staged; use 'pmvcs restore "
			   "--source=<commit> <paths>' to change files");
}

/** unstaged -- git's "Unstaged changes after reset:" list: tracked
 *  files of the new commit that the working tree changes (no index:
 *  every such file counts). Root-relative paths, as git's. */
static int
unstaged(pmvcs_ctx *ctx, vcs_repo *repo, const pmdb_oid *tree)
{
	vcs_status st;
	int rc;

	memset(&st, 0, sizeof(st));
	if ((rc = vcs_status_compute(repo, tree, 0, &st))) {
		vcs_status_clear(&st); /* what a failed compute holds */
		return rc;
	}
	for (size_t i = 0; i < st.ntracked; i++) {
		if (!i)
			fprintf(ctx->out, "Unstaged changes after reset:\n");
		fprintf(ctx->out, "%c\t%.*s\n", st.items[i].kind,
			(int)st.items[i].len, st.items[i].path);
	}
	vcs_status_clear(&st);
	return 0;
}

/** resolve -- spec to a commit and its tree; exit code or -1. */
static int
resolve(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec, pmdb_oid *commit,
	pmdb_oid *tree)
{
	vcs_commit c = { 0 };
	pmdb_oid oid;
	int rc = vcs_revparse(repo, spec, &oid);

	if (rc == PMDB_ENOTFOUND || rc == PMDB_EAMBIGUOUS)
		return unknown_rev(ctx, spec);
	if (!rc)
		rc = vcs_peel(repo, &oid, PMDB_OBJ_COMMIT, commit);
	if (rc == PMDB_EINVAL) {
		fprintf(ctx->err, "fatal: Could not parse object '%s'.\n", spec);
		return PMVCS_EXIT_FATAL;
	}
	if (!rc)
		rc = vcs_commit_read(repo, NULL, commit, &c);
	if (rc)
		return pmvcs_report(ctx, rc, spec, 0);
	*tree = c.tree;
	vcs_commit_clear(&c);
	return -1;
}

/** cmd_reset -- "pmvcs reset [--soft|--mixed|--hard] [-q] [REV]". */
int
cmd_reset(pmvcs_ctx *ctx)
{
	int mode = 0, quiet = 0, n, ret, rc;
	const char *spec = "HEAD";
	const char *iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	vcs_checkout_result res = { 0 };
	vcs_str ident = VCS_STR_INIT, msg = VCS_STR_INIT, line = VCS_STR_INIT;
	vcs_file_io *io = NULL;
	vcs_repo *repo = NULL;
	vcs_head_state head;
	pmdb_oid commit, tree;
	const pmvcs_option opts[] = {
		OPT__QUIET(&quiet, "be quiet, only report errors"),
		OPT_SET_INT(0, "mixed", &mode, "reset HEAD and index", MIXED),
		OPT_SET_INT(0, "soft", &mode, "reset only HEAD", SOFT),
		OPT_SET_INT(0, "hard", &mode, "reset HEAD, index and working "
			    "tree", HARD),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, reset_usage,
			     PMVCS_PARSE_KEEP_DASHDASH)) < 0)
		return PMVCS_EXIT_USAGE;
	if (!mode)
		mode = MIXED;
	if (n && strcmp(ctx->argv[0], "--"))
		spec = ctx->argv[0];
	else if (n)
		return with_paths(ctx, mode); /* "-- PATH..." */
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	ret = resolve(ctx, repo, spec, &commit, &tree);
	if (ret >= 0)
		goto out;
	if (n > 1) {
		ret = with_paths(ctx, mode);
		goto out;
	}
	rc = vcs_head_read(repo, &head);
	if (!rc)
		rc = pmvcs_ref_ident(ctx, &ident);
	if (!rc && vcs_str_addf(&msg, "reset: moving to %s", spec))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (rc) {
		ret = pmvcs_report(ctx, rc, "reset", 0);
		goto out;
	}
	if (mode == HARD) {
		rc = vcs_file_io_open_env(&io, pmvcs_getenv, ctx);
		if (!rc)
			rc = vcs_reset_hard(repo, io, &head, &commit,
					    (char *)ident.data, (char *)msg.data,
					    &res);
		if (io && iostats && *iostats && strcmp(iostats, "0"))
			vcs_file_io_print(ctx->err, io);
		vcs_file_io_free(io);
	} else {
		rc = vcs_reset_ref(repo, &head, &commit, (char *)ident.data,
				   (char *)msg.data);
	}
	if (rc == PMDB_EINVAL && res.invalid) {
		/* git reset --hard's words and exit code */
		fprintf(ctx->err, "error: invalid path '%s'\nfatal: Could not "
			"reset index file to revision '%s'.\n", res.invalid, spec);
		ret = PMVCS_EXIT_FATAL;
		goto out;
	}
	if (rc) {
		ret = pmvcs_report(ctx, rc, "reset", 0);
		goto out;
	}
	ret = PMVCS_EXIT_OK;
	if (quiet || mode == SOFT)
		goto out;
	if (mode == HARD)
		rc = vcs_commit_oneline(repo, &commit, &line);
	else
		rc = unstaged(ctx, repo, &tree);
	if (rc)
		ret = pmvcs_report(ctx, rc, "reset: the branch moved, but", 0);
	else if (mode == HARD)
		fprintf(ctx->out, "HEAD is now at %s\n", (char *)line.data);
out:
	vcs_checkout_result_clear(&res);
	vcs_str_free(&ident);
	vcs_str_free(&msg);
	vcs_str_free(&line);
	vcs_repo_free(repo);
	return ret;
}
