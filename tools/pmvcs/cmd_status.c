/*
 * cmd_status.c -- pmvcs status: the working tree's changes against
 * HEAD's tree, in git's long or short format.
 *
 * There is no index, so every change is "not staged": git's short
 * format shows it in the second column (" M a", " D b", " T c") and
 * untracked files as "?? d" (an untracked directory as "?? dir/").
 * Paths are relative to the repository root (git prints them relative
 * to the current directory in the long format).
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "file_io.h"
#include "diff.h"
#include "worktree.h"

static const char status_usage[] =
	"pmvcs status [-s | --short] [--porcelain[=v1]] [-u[no|normal|all]]";

/** print_path -- a path as git quotes it. */
static void
print_path(pmvcs_ctx *ctx, vcs_str *q, const char *path, size_t len)
{
	vcs_str_reset(q);
	if (vcs_quote_path(q, path, len) == 0)
		fwrite(q->data, 1, q->len, ctx->out);
}

/** print_short -- "XY path" lines. */
static void
print_short(pmvcs_ctx *ctx, const vcs_status *st, int untracked)
{
	vcs_str q = VCS_STR_INIT;

	for (size_t i = 0; i < st->n; i++) {
		const vcs_status_item *it = &st->items[i];
		if (it->kind == VCS_ST_UNTRACKED) {
			if (!untracked)
				continue;
			fputs("?? ", ctx->out);
		} else {
			fprintf(ctx->out, " %c ", it->kind);
		}
		print_path(ctx, &q, it->path, it->len);
		fputc('\n', ctx->out);
	}
	vcs_str_free(&q);
}

/** print_long -- git's long format. */
static void
print_long(pmvcs_ctx *ctx, vcs_repo *repo, const vcs_status *st,
	   const char *head_ref, int untracked)
{
	vcs_str q = VCS_STR_INIT;
	size_t nu = untracked ? st->n - st->ntracked : 0;
	char hex[PMDB_OID_HEXMAX + 1];

	if (!strncmp(head_ref, "refs/heads/", 11)) {
		fprintf(ctx->out, "On branch %s\n", head_ref + 11);
	} else {
		vcs_oid_abbrev(repo, &st->head_commit, 7, hex);
		fprintf(ctx->out, "HEAD detached at %s\n", hex);
	}
	if (!st->born)
		fprintf(ctx->out, "\nNo commits yet\n\n");
	if (st->ntracked) {
		fprintf(ctx->out, "Changes not staged for commit:\n"
			"  (use \"pmvcs commit -m <msg>\" to record all changes)\n"
			"  (use \"pmvcs checkout -f HEAD\" to discard them)\n");
		for (size_t i = 0; i < st->ntracked; i++) {
			const vcs_status_item *it = &st->items[i];
			fputs(it->kind == VCS_ST_MODIFIED ? "\tmodified:   " :
			      it->kind == VCS_ST_DELETED ? "\tdeleted:    " :
			      "\ttypechange: ", ctx->out);
			print_path(ctx, &q, it->path, it->len);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	}
	if (nu) {
		fprintf(ctx->out, "Untracked files:\n"
			"  (\"pmvcs commit\" records them; list them in "
			".pmvcsignore to ignore them)\n");
		for (size_t i = st->ntracked; i < st->n; i++) {
			fputc('\t', ctx->out);
			print_path(ctx, &q, st->items[i].path, st->items[i].len);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	}
	if (st->ntracked)
		fprintf(ctx->out, "no changes added to commit (use \"pmvcs commit\")\n");
	else if (nu)
		fprintf(ctx->out, "nothing added to commit but untracked files "
			"present (use \"pmvcs commit\" to track)\n");
	else if (!st->born)
		fprintf(ctx->out, "nothing to commit (create/copy files and use "
			"\"pmvcs commit\" to track)\n");
	else
		fprintf(ctx->out, "nothing to commit, working tree clean\n");
	vcs_str_free(&q);
}

/*
 * Scanning while the pool opens. In a process of its own, status spends
 * about as long opening the pool (libpmemobj) as lstat'ing the tree, and
 * the scan needs no pool: a thread scans the work tree found the way
 * vcs_repo_open finds it while the caller opens the repository. The
 * list is used only if the opened repository's work tree is the one
 * scanned, and the thread is always joined before status returns. In
 * the server, whose pool is open, the thread scans while the caller
 * reads HEAD's tree and the stat cache.
 */
typedef struct prescan {
	char *root;            /**< the work tree scanned (absolute) */
	const vcs_repo *repo;  /**< the repository opened meanwhile */
	vcs_wt_list wt;
	int rc, started;
	pthread_t tid;
} prescan;

/** find_root -- the directory at or above start holding .pmvcs, as
 *  vcs_repo_open looks for it; malloc'd, NULL if none. */
static char *
find_root(const char *start)
{
	char abs[PATH_MAX], dot[PATH_MAX + sizeof("/" VCS_DOTDIR)];
	struct stat st;

	if (!realpath(start, abs))
		return NULL;
	for (;;) {
		char *slash;
		snprintf(dot, sizeof(dot), "%s%s%s", abs,
			 abs[1] ? "/" : "", VCS_DOTDIR);
		if (stat(dot, &st) == 0 && S_ISDIR(st.st_mode))
			return strdup(abs);
		slash = strrchr(abs, '/');
		if (!slash || (slash == abs && !abs[1]))
			return NULL;
		slash[slash == abs ? 1 : 0] = '\0';
	}
}

/** prescan_main -- the scanning thread. */
static void *
prescan_main(void *arg)
{
	prescan *p = arg;

	p->rc = vcs_wt_scan_root(p->root, &p->wt, 0);
	return NULL;
}

/** prescan_start -- start scanning the work tree root (NULL: the one
 *  around start); without a thread (no repository found, no memory)
 *  status scans later, in place. */
static void
prescan_start(prescan *p, const char *root, const char *start)
{
	memset(p, 0, sizeof(*p));
	p->root = root ? strdup(root) : find_root(start);
	if (p->root && pthread_create(&p->tid, NULL, prescan_main, p) == 0)
		p->started = 1;
}

/** prescan_take -- join the thread; the list if it is repo's work
 *  tree's and complete, else NULL. */
static vcs_wt_list *
prescan_take(prescan *p, const vcs_repo *repo)
{
	if (p->started)
		pthread_join(p->tid, NULL);
	p->started = 0;
	if (!p->root || p->rc || !repo || strcmp(p->root, repo->worktree))
		return NULL; /* status scans again and reports any error */
	return &p->wt;
}

/** prescan_wait -- vcs_wt_wait_fn: status has loaded what it needs
 *  from the pool and the stat cache; now it needs the scan. */
static vcs_wt_list *
prescan_wait(void *arg)
{
	prescan *p = arg;

	return prescan_take(p, p->repo);
}

/** prescan_free -- join (if still running) and free. */
static void
prescan_free(prescan *p)
{
	prescan_take(p, NULL);
	vcs_wt_list_free(&p->wt);
	free(p->root);
}

/** cmd_status -- "pmvcs status [-s] [--porcelain]". */
int
cmd_status(pmvcs_ctx *ctx)
{
	char head_ref[PMDB_REF_NAME_MAX + 1] = "";
	int shortfmt = 0, untracked = 1, collapse = 1, rc;
	const char *iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	vcs_file_io *io = NULL;
	vcs_repo *repo;
	vcs_status st;
	prescan pre;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", status_usage);
			return 0;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--short") ||
			   !strcmp(a, "--porcelain") || !strcmp(a, "--porcelain=v1")) {
			shortfmt = 1;
		} else if (!strcmp(a, "--long")) {
			shortfmt = 0;
		} else if (!strcmp(a, "-uno") || !strcmp(a, "--untracked-files=no")) {
			untracked = 0;
		} else if (!strcmp(a, "-uall") || !strcmp(a, "--untracked-files=all") ||
			   !strcmp(a, "-u")) {
			collapse = 0;
		} else if (!strcmp(a, "-unormal") ||
			   !strcmp(a, "--untracked-files=normal")) {
			collapse = 1;
		} else {
			fprintf(ctx->err, "pmvcs: unknown argument '%s'\n", a);
			return pmvcs_usage(ctx, status_usage);
		}
	}
	prescan_start(&pre, ctx->shared_repo ? ctx->shared_repo->worktree : NULL,
		      ctx->git_dir ? ctx->git_dir : ctx->cwd);
	repo = pmvcs_open_repo(ctx);
	if (!repo) {
		prescan_free(&pre);
		return PMVCS_EXIT_FATAL;
	}
	rc = pmdb_ref_read(repo->env, "HEAD", NULL, head_ref);
	if (!rc)
		rc = vcs_file_io_open_env(&io, pmvcs_getenv, ctx);
	pre.repo = repo;
	if (!rc)
		rc = vcs_status_compute_wt(repo, io, NULL, collapse, prescan_wait,
					   &pre, &st);
	prescan_free(&pre);
	if (io && iostats && *iostats && strcmp(iostats, "0"))
		vcs_file_io_print(ctx->err, io);
	vcs_file_io_free(io);
	if (rc) {
		rc = pmvcs_report(ctx, rc, "status", 0);
		vcs_repo_free(repo);
		return rc;
	}
	if (shortfmt)
		print_short(ctx, &st, untracked);
	else
		print_long(ctx, repo, &st, head_ref, untracked);
	/* next status skips what was hashed and reads no tree */
	vcs_status_cache_write(repo, &st);
	vcs_status_clear(&st);
	vcs_repo_free(repo);
	return PMVCS_EXIT_OK;
}
