/*
 * cmd_status.c -- pmvcs status: the working tree's changes against
 * HEAD's tree, in git's long or short format.
 *
 * There is no index, so every change is "not staged": git's short
 * format shows it in the second column (" M a", " D b", " T c") and
 * untracked files as "?? d" (an untracked directory as "?? dir/"),
 * and with --ignored the ignored ones as "!! e" (status_ignored.c).
 * Paths are relative to the current directory as git prints them
 * ("../a"; status.relativePaths=false: to the root), except with
 * --porcelain, whose paths are the root's.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "file_io.h"
#include "diff.h"
#include "merge.h"
#include "worktree.h"

static const char *const status_usage[] = {
	"pmvcs status [<options>]",
	NULL
};

/** print_path -- a path as git quotes it, relative to prefix ("" or
 *  "dir/": where the command runs) as git's quote_path() makes it;
 *  quote_sp: in double quotes if it holds a space (the short format). */
static void
print_path(pmvcs_ctx *ctx, vcs_str *q, const char *prefix, const char *path,
	   size_t len, int quote_sp)
{
	vcs_str rel = VCS_STR_INIT;
	size_t pl = strlen(prefix), i = 0, common = 0;

	/* the directories path and prefix share, then a "../" for each
	 * directory of prefix left */
	while (i < pl && i < len && path[i] == prefix[i])
		if (path[i++] == '/')
			common = i;
	if (i == pl)
		common = pl;
	for (size_t k = common; k < pl; k++)
		if (prefix[k] == '/')
			vcs_str_add(&rel, "../", 3);
	vcs_str_add(&rel, path + common, len - common);
	if (!rel.len)
		vcs_str_add(&rel, "./", 2);
	vcs_str_reset(q);
	if (rel.data && vcs_quote_path(q, (char *)rel.data, rel.len) == 0) {
		int sp = quote_sp && q->data[0] != '"' &&
			memchr(q->data, ' ', q->len);

		fprintf(ctx->out, sp ? "\"%.*s\"" : "%.*s", (int)q->len,
			(char *)q->data);
	}
	vcs_str_free(&rel);
}

/** An unfinished merge's conflicts still holding markers (merge.h). */
typedef struct unmerged {
	vcs_merge_state ms;
	char *open;            /**< per ms.paths: still unresolved */
	size_t n;              /**< how many are */
} unmerged;

/** unmerged_kind -- the conflict of path still open, or 0. */
static int
unmerged_kind(const unmerged *u, const char *path)
{
	for (size_t i = 0; u && i < u->ms.npaths; i++)
		if (u->open[i] && !strcmp(u->ms.paths[i], path))
			return u->ms.kinds[i] ? u->ms.kinds[i] : VCS_MERGE_CONTENT;
	return 0;
}

/** print_short -- "XY path" lines (git's "UU"/"AA" for conflicts),
 *  then "!! path" for ign. */
static void
print_short(pmvcs_ctx *ctx, const vcs_status *st, int untracked,
	    const char *prefix, const vcs_wt_list *ign, const unmerged *u)
{
	vcs_str q = VCS_STR_INIT;

	for (size_t i = 0; i < st->n; i++) {
		const vcs_status_item *it = &st->items[i];
		int k = it->kind == VCS_ST_UNTRACKED ? 0 :
			unmerged_kind(u, it->path);
		if (k) {
			fputs(k == VCS_MERGE_ADD_ADD ? "AA " : "UU ", ctx->out);
		} else if (it->kind == VCS_ST_UNTRACKED) {
			if (!untracked)
				continue;
			fputs("?? ", ctx->out);
		} else {
			fprintf(ctx->out, " %c ", it->kind);
		}
		print_path(ctx, &q, prefix, it->path, it->len, 1);
		fputc('\n', ctx->out);
	}
	for (size_t i = 0; ign && i < ign->n; i++) {
		fputs("!! ", ctx->out);
		print_path(ctx, &q, prefix, ign->e[i].path, ign->e[i].len, 1);
		fputc('\n', ctx->out);
	}
	vcs_str_free(&q);
}

/** print_long -- git's long format. */
static void
print_long(pmvcs_ctx *ctx, vcs_repo *repo, const vcs_status *st,
	   const char *head_ref, int untracked, const char *prefix,
	   const vcs_wt_list *ign, int hints, const unmerged *u)
{
	size_t nchanged = 0;
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
	if (u && u->n) {
		/* git's block; the advice says how it is done without index */
		fprintf(ctx->out, "You have unmerged paths.\n");
		if (hints)
			fprintf(ctx->out, "  (fix conflicts and run \"pmvcs merge "
				"--continue\")\n  (use \"pmvcs merge --abort\" to "
				"abort the merge)\n");
		fprintf(ctx->out, "\nUnmerged paths:\n");
		if (hints)
			fprintf(ctx->out, "  (remove the conflict markers to mark "
				"resolution)\n");
		for (size_t i = 0; i < u->ms.npaths; i++) {
			if (!u->open[i])
				continue;
			fputs(u->ms.kinds[i] == VCS_MERGE_ADD_ADD ?
			      "\tboth added:      " : "\tboth modified:   ", ctx->out);
			print_path(ctx, &q, prefix, u->ms.paths[i],
				   strlen(u->ms.paths[i]), 0);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	} else if (u) {
		fprintf(ctx->out, "All conflicts fixed but you are still merging.\n");
		if (hints)
			fprintf(ctx->out, "  (use \"pmvcs merge --continue\" to "
				"conclude merge)\n");
		fputc('\n', ctx->out);
	}
	for (size_t i = 0; i < st->ntracked; i++)
		nchanged += !unmerged_kind(u, st->items[i].path);
	if (nchanged) {
		fprintf(ctx->out, "Changes not staged for commit:\n");
		if (hints)
			fprintf(ctx->out, "  (use \"pmvcs commit -m <msg>\" to "
				"record all changes)\n  (use \"pmvcs checkout "
				"-f HEAD\" to discard them)\n");
		for (size_t i = 0; i < st->ntracked; i++) {
			const vcs_status_item *it = &st->items[i];
			if (unmerged_kind(u, it->path))
				continue;
			fputs(it->kind == VCS_ST_MODIFIED ? "\tmodified:   " :
			      it->kind == VCS_ST_DELETED ? "\tdeleted:    " :
			      "\ttypechange: ", ctx->out);
			print_path(ctx, &q, prefix, it->path, it->len, 0);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	}
	if (nu) {
		fprintf(ctx->out, "Untracked files:\n");
		if (hints)
			fprintf(ctx->out, "  (\"pmvcs commit\" records them; "
				"list them in .gitignore to ignore them)\n");
		for (size_t i = st->ntracked; i < st->n; i++) {
			fputc('\t', ctx->out);
			print_path(ctx, &q, prefix, st->items[i].path,
				   st->items[i].len, 0);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	}
	if (ign && ign->n) {
		fprintf(ctx->out, "Ignored files:\n");
		if (hints)
			fprintf(ctx->out, "  (\"pmvcs commit\" leaves them "
				"out)\n");
		for (size_t i = 0; i < ign->n; i++) {
			fputc('\t', ctx->out);
			print_path(ctx, &q, prefix, ign->e[i].path, ign->e[i].len,
				   0);
			fputc('\n', ctx->out);
		}
		fputc('\n', ctx->out);
	}
	/* git's closing line; advice.statusHints=false drops its hint */
	if (st->ntracked)
		fprintf(ctx->out, "no changes added to commit%s\n",
			hints ? " (use \"pmvcs commit\")" : "");
	else if (nu)
		fprintf(ctx->out, "nothing added to commit but untracked files "
			"present%s\n", hints ? " (use \"pmvcs commit\" to track)" :
			"");
	else if (!st->born)
		fprintf(ctx->out, "nothing to commit%s\n", hints ?
			" (create/copy files and use \"pmvcs commit\" to track)" :
			"");
	else if (!untracked)
		fprintf(ctx->out, "nothing to commit%s\n",
			hints ? " (use -u to show untracked files)" : "");
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
	vcs_wt_list ign;       /**< --ignored: the ignored files, moved
	                            out of wt */
	int rc, started, taken;
	int want_ignored;
	pmvcs_scan_cfg sc;      /**< the command's scan settings */
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
	vcs_wt_scan_opts o;
	size_t k = 0;

	pmvcs_scan_opts(&p->sc, &o);
	o.want_ignored = p->want_ignored;
	p->rc = vcs_wt_scan_root_opts(p->root, &p->wt, 0, &o);
	if (p->rc || !p->want_ignored)
		return NULL;
	/* status must not see them: it would call them untracked */
	for (size_t i = 0; i < p->wt.n; i++) {
		vcs_wt_entry *e = &p->wt.e[i];

		if (!e->ignored)
			p->wt.e[k++] = *e;
		else if (!vcs_wt_list_add(&p->ign, e->path, e->len, e->mode))
			p->rc = PMDB_ENOMEM;
	}
	p->wt.n = k;
	return NULL;
}

/** prescan_start -- start scanning the work tree root (NULL: the one
 *  around start); without a thread (no repository found, no memory)
 *  status scans later, in place. */
static void
prescan_start(pmvcs_ctx *ctx, prescan *p, const char *root,
	      const char *start, int want_ignored)
{
	memset(p, 0, sizeof(*p));
	p->want_ignored = want_ignored;
	p->root = root ? strdup(root) : find_root(start);
	/* this command's excludes file (a broken config: no prescan, the
	 * repository's open reports it) */
	if (p->root && pmvcs_scan_config(ctx, p->root, &p->sc)) {
		free(p->root);
		p->root = NULL;
	}
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
	p->taken = 1;
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
	vcs_wt_list_free(&p->ign);
	free(p->root);
}

/** has_under -- does l (sorted) hold a path inside directory dir (dl
 *  bytes, its '/' included)? */
static int
has_under(const vcs_wt_list *l, const char *dir, size_t dl)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {   /* the first path not below dir */
		size_t mid = lo + (hi - lo) / 2;
		const vcs_wt_entry *e = &l->e[mid];
		int c = memcmp(e->path, dir, e->len < dl ? e->len : dl);

		if (c < 0 || (!c && e->len < dl))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->e[lo].len >= dl &&
		!memcmp(l->e[lo].path, dir, dl);
}

/** ignored_list -- what git's status --ignored lists: with collapse
 *  (git's default "traditional" mode) a directory that holds nothing
 *  but ignored files, tracked ones or others, as "dir/" (the topmost
 *  such); every file otherwise (-uall). */
static int
ignored_list(const vcs_status *st, const vcs_wt_list *ign, int collapse,
	     vcs_wt_list *out)
{
	const char *last = NULL;
	size_t lastlen = 0;

	for (size_t i = 0; i < ign->n; i++) {
		const vcs_wt_entry *e = &ign->e[i];
		const char *s = e->path;
		size_t len = e->len;

		if (last && len > lastlen && !memcmp(s, last, lastlen))
			continue;   /* inside the directory just listed */
		for (s = collapse ? strchr(s, '/') : NULL; s;
		     s = strchr(s + 1, '/')) {
			size_t dl = (size_t)(s - e->path) + 1;

			if (!has_under(&st->head, e->path, dl) &&
			    !has_under(&st->wt, e->path, dl)) {
				len = dl;
				break;
			}
		}
		if (!vcs_wt_list_add(out, e->path, len, e->mode))
			return PMDB_ENOMEM;
		last = out->e[out->n - 1].path;
		lastlen = len;
		if (last[len - 1] != '/')
			last = NULL;
	}
	return 0;
}

/** fmt_state -- the output format: the last of -s, --porcelain and
 *  --long wins, as in git (the two short forms print the same here). */
typedef struct fmt_state {
	int shortfmt;              /**< 0 long, 1 -s, 2 --porcelain */
	const char *bad_version;   /**< --porcelain=<this> is not v1 */
} fmt_state;

/** porcelain_cb -- "--porcelain[=v1]"; another version fails after the
 *  parse, with git's message (a fatal error, not a usage one) */
static int
porcelain_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	fmt_state *f = opt->value;

	(void)unset;
	(void)err;
	f->shortfmt = 2;
	if (arg && strcmp(arg, "v1"))
		f->bad_version = arg;
	return 0;
}

/** cmd_status -- "pmvcs status [-s] [--porcelain]". */
int
cmd_status(pmvcs_ctx *ctx)
{
	char head_ref[PMDB_REF_NAME_MAX + 1] = "";
	int untracked = 1, collapse = 1, rc, hints, relative, merging;
	unmerged um;
	fmt_state fmt = { 0, NULL };
	const char *umode = NULL, *imode = NULL, *prefix = "";
	vcs_wt_list ign = VCS_WT_LIST_INIT;
	const char *iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	vcs_file_io *io = NULL;
	vcs_repo *repo;
	vcs_status st;
	prescan pre;

	const pmvcs_option opts[] = {
		OPT_SET_INT('s', "short", &fmt.shortfmt, "show status concisely",
			    1),
		OPT_CALLBACK_F(0, "porcelain", &fmt, "version",
			       "machine-readable output",
			       PMVCS_OPTF_OPTARG | PMVCS_OPTF_NONEG, porcelain_cb),
		OPT_SET_INT(0, "long", &fmt.shortfmt, "show status in long "
			    "format (default)", 0),
		{ PMVCS_OPT_STRING, 'u', "untracked-files", &umode, "mode",
		  "show untracked files, optional modes: all, normal, no. "
		  "(Default: all)", PMVCS_OPTF_OPTARG, (intptr_t)"all", NULL },
		{ PMVCS_OPT_STRING, 0, "ignored", &imode, "mode",
		  "show ignored files, optional modes: traditional, matching, "
		  "no. (Default: traditional)", PMVCS_OPTF_OPTARG,
		  (intptr_t)"traditional", NULL },
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, status_usage,
			      PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc)         /* pathspecs are not supported */
		return pmvcs_usage(ctx, status_usage, opts);
	if (fmt.bad_version)
		return pmvcs_fatal(ctx, "unsupported porcelain version '%s'",
				   fmt.bad_version);
	if (umode && !strcmp(umode, "no"))
		untracked = 0;
	else if (umode && !strcmp(umode, "all"))
		collapse = 0;
	else if (umode && strcmp(umode, "normal"))
		return pmvcs_fatal(ctx, "Invalid untracked files mode '%s'", umode);
	if (imode && !strcmp(imode, "no"))
		imode = NULL;
	else if (imode && !strcmp(imode, "matching"))
		return pmvcs_fatal(ctx, "--ignored=matching is not supported "
				   "(docs/git-differences.md)");
	else if (imode && strcmp(imode, "traditional"))
		return pmvcs_die(ctx, "Invalid ignored mode '%s'", imode);
	hints = pmvcs_config_flag(ctx, "advice.statushints", 1);
	relative = pmvcs_config_flag(ctx, "status.relativepaths", 1);
	prescan_start(ctx, &pre, ctx->shared_repo ? ctx->shared_repo->worktree : NULL,
		      ctx->git_dir ? ctx->git_dir : ctx->cwd, imode != NULL);
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
	if (!rc && imode && pre.taken && (rc = ignored_list(&st, &pre.ign,
							    collapse, &ign)))
		vcs_status_clear(&st);
	prescan_free(&pre);
	if (io && iostats && *iostats && strcmp(iostats, "0"))
		vcs_file_io_print(ctx->err, io);
	vcs_file_io_free(io);
	if (rc) {
		rc = pmvcs_report(ctx, rc, "status", 0);
		vcs_repo_free(repo);
		return rc;
	}
	/* git: paths relative to the cwd, but --porcelain's to the root */
	if (relative && fmt.shortfmt != 2) {
		size_t wl = strlen(repo->worktree);

		if (!strncmp(ctx->cwd, repo->worktree, wl) && ctx->cwd[wl] == '/')
			prefix = ctx->cwd + wl + 1;
	}
	memset(&um, 0, sizeof(um));
	rc = vcs_merge_state_read(repo, &um.ms);
	if (rc && rc != PMDB_ENOTFOUND) {
		rc = pmvcs_report(ctx, rc, "status", 0);
		vcs_wt_list_free(&ign);
		vcs_status_clear(&st);
		vcs_repo_free(repo);
		return rc;
	}
	merging = !rc;
	if (merging && !(um.open = calloc(um.ms.npaths + 1, 1)))
		merging = 0;   /* out of memory: the plain status */
	for (size_t i = 0; merging && i < um.ms.npaths; i++)
		um.n += um.open[i] = (char)vcs_merge_unresolved(repo, um.ms.paths[i]);
	{
		char pre_s[4096];

		snprintf(pre_s, sizeof(pre_s), "%s%s", prefix, *prefix ? "/" : "");
		if (fmt.shortfmt)
			print_short(ctx, &st, untracked, pre_s, imode ? &ign : NULL,
				    merging ? &um : NULL);
		else
			print_long(ctx, repo, &st, head_ref, untracked, pre_s,
				   imode ? &ign : NULL, hints,
				   merging ? &um : NULL);
	}
	free(um.open);
	vcs_merge_state_clear(&um.ms);
	vcs_wt_list_free(&ign);
	/* next status skips what was hashed and reads no tree */
	vcs_status_cache_write(repo, &st);
	vcs_status_clear(&st);
	vcs_repo_free(repo);
	return PMVCS_EXIT_OK;
}
