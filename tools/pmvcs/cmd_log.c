/*
 * cmd_log.c -- pmvcs log: the commits git's revision walk gives for the
 * arguments (vcs/revision.c: ranges, limiting, paths, ordering), each in
 * git's formats, with -p / --stat / --name-only / --name-status after it.
 * A plain walk (positive revisions, nothing filtered) takes the faster
 * vcs_revwalk, whose served cache makes a repeated --oneline cheap.
 *
 * Order: git's default walk pops the commit with the latest committer
 * date; commits with equal dates come out in the order they were queued
 * (starting revisions in order, then parents in order), as git's
 * commit_list_insert_by_date does.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "decorate.h"
#include "diff.h"
#include "pickaxe.h"
#include "pretty.h"
#include "revision.h"
#include "revwalk.h"

static const char *const log_usage[] = {
	"pmvcs log [<options>] [<revision>...]",
	NULL
};

#define LOG_FLUSH (64u << 10)   /* write out in chunks of this size */

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
		if (!err && o->decorate && o->decor)
			err = vcs_decor_format(o->decor, oid, out, 1);
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

/* --decorate's mode: 0 no, 1 short, 2 full, -1 auto (on a terminal) */
typedef struct decor_opt {
	int mode;
	const char *bad;
} decor_opt;

/* decorate_cb -- --decorate[=short|full|auto|no], --no-decorate */
static int
decorate_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	decor_opt *d = opt->value;
	int *mode = &d->mode;

	(void)err;
	d->bad = NULL;
	if (unset)
		*mode = 0;
	else if (!arg || !strcmp(arg, "short"))
		*mode = 1;
	else if (!strcmp(arg, "full"))
		*mode = 2;
	else if (!strcmp(arg, "auto"))
		*mode = -1;
	else if (!strcmp(arg, "no"))
		*mode = 0;
	else
		d->bad = arg;   /* reported as git does, fatal */
	return 0;
}

/* entry_sep -- git's separator before an entry that is not the first: a
 * blank line, but for oneline, reference and tformat, whose entries end
 * in a newline */
static int
entry_sep(vcs_str *buf, const pmvcs_pretty_opt *p)
{
	if (p->o.how == VCS_PRETTY_ONELINE || p->o.how == VCS_PRETTY_REFERENCE ||
	    (p->o.how == VCS_PRETTY_FORMAT && p->tformat))
		return 0;
	return vcs_str_add(buf, "\n", 1);
}

/* show_diff -- git's log_tree_diff: a non-merge commit's changes against
 * its parent (a root's against the empty tree; a merge's against its
 * first parent with --first-parent), after a separator line
 * ("---" when both a stat and a patch follow) unless the header is one
 * line or empty; nothing at all when no path changed */
typedef struct log_diff {
	vcs_diff_opts d;       /* -p, --stat, --name-only, --name-status */
	int numstat, shortstat;
	int first_parent;
	int any;               /* some diff output is asked for */
	vcs_pickaxe pick;      /* -S, -G: commits and files to show */
} log_diff;

/* diff_text -- git's diff_flush order for trees a, b: --numstat, --stat,
 * --shortstat, then (after a blank line) the patch; names alone when
 * asked for (they leave out the rest, set up in cmd_log) */
static int
diff_text(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b,
	  const log_diff *ld, vcs_str *out)
{
	vcs_diff_stat st = VCS_DIFF_STAT_INIT;
	vcs_diff_opts so = ld->d;
	vcs_str block = VCS_STR_INIT, patch = VCS_STR_INIT;
	const char *last;
	int rc;

	if (!ld->numstat && !ld->shortstat)
		return vcs_diff_trees(repo, a, b, &ld->d, out, NULL);
	so.patch = 0;
	so.stat = 1;
	so.acc = &st;
	rc = vcs_diff_trees(repo, a, b, &so, &block, NULL);
	for (size_t i = 0; !rc && ld->numstat && i < st.n; i++) {
		const vcs_diff_filestat *f = &st.files[i];

		rc = f->binary ? vcs_str_adds(out, "-\t-\t") :
		     vcs_str_addf(out, "%zu\t%zu\t", f->added, f->deleted);
		rc = rc ? rc : vcs_quote_path(out, f->path, strlen(f->path));
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	if (!rc && ld->d.stat)
		rc = vcs_str_add(out, block.data, block.len);
	if (!rc && ld->shortstat && block.len) {
		/* the stat block's last line is git's --shortstat */
		block.data[block.len - 1] = '\0';
		last = strrchr((char *)block.data, '\n');
		last = last ? last + 1 : (const char *)block.data;
		rc = vcs_str_addf(out, "%s\n", last);
	}
	if (!rc && ld->d.patch) {
		so = ld->d;
		so.stat = 0;
		rc = vcs_diff_trees(repo, a, b, &so, &patch, NULL);
		if (!rc && patch.len && out->len)
			rc = vcs_str_adds(out, "\n");
		rc = rc ? rc : vcs_str_add(out, patch.data, patch.len);
	}
	vcs_diff_stat_free(&st);
	vcs_str_free(&block);
	vcs_str_free(&patch);
	return rc;
}

static int
show_diff(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	  const log_diff *ld, const pmvcs_pretty_opt *p)
{
	vcs_str diff = VCS_STR_INIT;
	vcs_commit c;
	pmdb_oid ptree;
	int rc = vcs_commit_read(repo, NULL, oid, &c);

	if (rc)
		return rc;
	/* merges: no diff, but against the first parent with
	 * --first-parent (git's --diff-merges=first-parent) */
	if (c.nparents <= 1 || ld->first_parent) {
		if (c.nparents >= 1)
			rc = vcs_peel(repo, &c.parents[0], PMDB_OBJ_TREE, &ptree);
		rc = rc ? rc : diff_text(repo, c.nparents ? &ptree : NULL,
					 &c.tree, ld, &diff);
	}
	if (!rc && diff.len) {
		if (p->o.how != VCS_PRETTY_ONELINE &&
		    !(p->o.how == VCS_PRETTY_FORMAT && !*p->o.format))
			rc = vcs_str_adds(out, ld->d.stat && ld->d.patch ?
					  "---\n" : "\n");
		rc = rc ? rc : vcs_str_add(out, diff.data, diff.len);
		if (rc)
			rc = vcs_seterr(rc, "out of memory");
	}
	vcs_str_free(&diff);
	vcs_commit_clear(&c);
	return rc;
}

/* entry_done -- after one entry: on err, keep whole commits only, say
 * why and return the exit code; else write out a full chunk, 0 */
static int
entry_done(pmvcs_ctx *ctx, vcs_str *buf, size_t mark, int err)
{
	if (err) {
		buf->len = mark;
		flush_out(ctx, buf);
		return pmvcs_report(ctx, err, NULL, 0);
	}
	if (buf->len >= LOG_FLUSH)
		flush_out(ctx, buf);
	return 0;
}

/* walk_simple -- the plain date walk from starts (vcs_revwalk) */
static int
walk_simple(pmvcs_ctx *ctx, vcs_repo *repo, const pmdb_oid *starts,
	    size_t n, long long max, const pmvcs_pretty_opt *p)
{
	vcs_revwalk *w = NULL;
	vcs_str buf = VCS_STR_INIT;
	long long shown = 0;
	int rc;

	if ((rc = vcs_revwalk_new(&w, repo, p->o.how == VCS_PRETTY_ONELINE ?
				  VCS_REVWALK_SUBJECT : 0)))
		return pmvcs_report(ctx, rc, NULL, 0);
	for (size_t i = 0; i < n && !rc; i++)
		if ((rc = vcs_revwalk_push(w, &starts[i])))
			rc = pmvcs_report(ctx, rc, NULL, 0);
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
		if (!err && p->o.how == VCS_PRETTY_FORMAT && p->tformat &&
		    !*p->o.format) {
			shown++;
			continue;
		}
		if (!err && shown)
			err = entry_sep(&buf, p);
		if (!err)
			err = show_one(repo, w, &buf, &oid, &h, &p->o);
		if (!err && p->o.how == VCS_PRETTY_FORMAT && p->tformat)
			err = vcs_str_add(&buf, "\n", 1);
		if ((rc = entry_done(ctx, &buf, mark, err)))
			break;
		shown++;
	}
	if (!rc)
		flush_out(ctx, &buf);
	vcs_str_free(&buf);
	vcs_revwalk_free(w);
	return rc;
}

/* picked -- -S / -G: how many of the commit's files match (into hits);
 * a merge has no diff (but with --first-parent) and so none */
static int
picked(vcs_repo *repo, const pmdb_oid *oid, const log_diff *ld,
       const vcs_pathspec *limit, vcs_pathspec *hits)
{
	vcs_commit c;
	pmdb_oid ptree;
	int rc = vcs_commit_read(repo, NULL, oid, &c);

	if (rc)
		return rc;
	if (c.nparents > 1 && !ld->first_parent) {
		vcs_commit_clear(&c);
		return 0;
	}
	if (c.nparents)
		rc = vcs_peel(repo, &c.parents[0], PMDB_OBJ_TREE, &ptree);
	rc = rc ? rc : vcs_pickaxe_files(repo, &ld->pick, c.nparents ? &ptree :
					 NULL, &c.tree, limit, hits);
	vcs_commit_clear(&c);
	return rc;
}

/* walk_full -- git's revision walk (vcs_rev_next), headers and diffs */
static int
walk_full(pmvcs_ctx *ctx, vcs_repo *repo, vcs_rev_info *r,
	  const log_diff *ld, const pmvcs_pretty_opt *p)
{
	vcs_str buf = VCS_STR_INIT;
	long long shown = 0;
	int rc = 0;

	for (;;) {
		vcs_pathspec hits = { NULL, 0, 0, 0 };
		log_diff pl = *ld;
		pmdb_oid oid;
		size_t mark = buf.len;
		int err = vcs_rev_next(r, &oid), pick;

		if (err == 0)
			break;
		err = err < 0 ? err : 0;
		/* -S, -G: only commits with a matching file, showing those
		 * files; the others do not count for -n (git's cmd_log_walk) */
		if (!err && ld->pick.kind &&
		    (pick = picked(repo, &oid, ld, vcs_rev_pathspec(r), &hits)) <= 0) {
			vcs_pathspec_free(&hits);
			if (pick == 0) {
				vcs_rev_unshow(r);
				continue;
			}
			err = pick;
		}
		pl.d.ps = &hits;
		if (!err && p->o.how == VCS_PRETTY_FORMAT && p->tformat &&
		    !*p->o.format && !ld->any) {
			vcs_pathspec_free(&hits);
			shown++;
			continue;
		}
		if (!err && shown)
			err = entry_sep(&buf, p);
		if (!err) {
			vcs_pretty_opts po = p->o;
			vcs_commit c;

			po.boundary = vcs_rev_is_boundary(r);
			po.left = vcs_rev_is_left(r);
			if (!(err = vcs_commit_read(repo, NULL, &oid, &c))) {
				err = vcs_pretty_commit(repo, &buf, &oid, &c, &po);
				vcs_commit_clear(&c);
			}
		}
		if (!err && p->o.how == VCS_PRETTY_FORMAT && p->tformat &&
		    *p->o.format)
			err = vcs_str_add(&buf, "\n", 1);
		if (!err && ld->any)
			err = show_diff(repo, &buf, &oid, ld->pick.kind ? &pl : ld, p);
		vcs_pathspec_free(&hits);
		if ((rc = entry_done(ctx, &buf, mark, err)))
			break;
		shown++;
	}
	if (!rc)
		flush_out(ctx, &buf);
	vcs_str_free(&buf);
	return rc;
}

/* cmd_log -- entry point. */
int
cmd_log(pmvcs_ctx *ctx)
{
	pmvcs_pretty_opt p = PMVCS_PRETTY_OPT_INIT;
	log_diff ld = { VCS_DIFF_OPTS_INIT, 0, 0, 0, 0, { 0, 0, NULL, { 0 } } };
	const char *pick_s = NULL, *pick_g = NULL;
	int pick_regex = 0;
	long long max = -1;
	int rc = 0, n, left = 0, no_patch = 0, decor_mode;
	decor_opt dopt = { -1, NULL };
	vcs_decor *decor = NULL;
	const pmdb_oid *starts;
	size_t nstarts;
	vcs_rev_info *r = NULL;
	vcs_repo *repo;
	const char *now;
	const pmvcs_option opts[] = {
		OPT_PMVCS_PRETTY(&p),
		OPT_PMVCS_DIFF_FORMAT(&ld.d),
		OPT_BOOL(0, "numstat", &ld.numstat, "machine-friendly --stat"),
		OPT_BOOL(0, "shortstat", &ld.shortstat, "only the last line of --stat"),
		OPT_STRING('S', NULL, &pick_s, "string", "commits that change "
			   "the number of occurrences of <string>"),
		OPT_STRING('G', NULL, &pick_g, "regex", "commits that add or "
			   "remove a line matching <regex>"),
		OPT_BOOL(0, "pickaxe-regex", &pick_regex, "-S takes a regex"),
		OPT_BOOL('s', "no-patch", &no_patch, "suppress diff output"),
		OPT_CALLBACK_F(0, "decorate", &dopt, "style", "decorate "
			       "the commits with the refs that point at them",
			       PMVCS_OPTF_OPTARG, decorate_cb),
		OPT_CALLBACK('n', "max-count", &max, "n", "limit the number of "
			     "commits to output", max_cb),
		OPT_NUMBER_CALLBACK(&max, "limit the number of commits to "
				    "output", max_cb),
		OPT_END()
	};

	ld.d.patch = 0;            /* log: no diff unless asked */
	ld.d.context = -1;         /* -U<n> asks for a patch too (git) */
	if ((n = pmvcs_parse(ctx, opts, log_usage, PMVCS_PARSE_KEEP_UNKNOWN |
			     PMVCS_PARSE_KEEP_DASHDASH)) < 0)
		return PMVCS_EXIT_USAGE;
	if (pmvcs_pretty_check(ctx, &p))
		return PMVCS_EXIT_FATAL;
	if (dopt.bad)
		return pmvcs_fatal(ctx, "invalid --decorate option: %s", dopt.bad);
	if ((pick_s || pick_g) &&
	    vcs_pickaxe_init(&ld.pick, pick_g ? 'G' : 'S', pick_g ? pick_g :
			     pick_s, pick_regex))
		return pmvcs_report(ctx, PMDB_EINVAL, NULL, 0);
	decor_mode = dopt.mode;
	if (decor_mode == -1)
		decor_mode = ctx->out_is_tty;
	if (ld.d.context >= 0)
		ld.d.patch = 2;
	else
		ld.d.context = 3;
	if (no_patch)
		ld.d.patch = ld.d.stat = ld.d.name_only = ld.d.name_status =
			ld.numstat = ld.shortstat = 0;
	/* git's diff_setup_done: names alone leave out stat and patch */
	if (ld.d.name_only || ld.d.name_status)
		ld.d.patch = ld.d.stat = ld.numstat = ld.shortstat = 0;
	ld.any = ld.d.patch || ld.d.stat || ld.d.name_only ||
		 ld.d.name_status || ld.numstat || ld.shortstat;
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if ((rc = vcs_rev_new(&r, repo, ctx->git_dir ? ctx->git_dir :
			      ctx->cwd))) {
		rc = pmvcs_report(ctx, rc, NULL, 0);
		goto out;
	}
	if ((now = pmvcs_getenv(ctx, "GIT_TEST_DATE_NOW")))
		vcs_rev_set_now(r, strtoll(now, NULL, 10));
	if ((rc = vcs_rev_setup(r, n, ctx->argv, &left, "HEAD"))) {
		rc = pmvcs_report(ctx, rc, NULL, 0);
		goto out;
	}
	if (left) {
		rc = pmvcs_fatal(ctx, "unrecognized argument: %s", ctx->argv[0]);
		goto out;
	}
	if (vcs_rev_unborn(r)) {
		char *br = NULL;

		vcs_head(repo, NULL, &br);
		rc = pmvcs_fatal(ctx, "your current branch '%s' does not have "
				 "any commits yet", br && !strncmp(br, "refs/heads/",
								   11) ? br + 11 : "HEAD");
		free(br);
		goto out;
	}
	vcs_rev_max_count(r, max);
	ld.first_parent = vcs_rev_first_parent(r);
	/* git: the diffs of a path-limited log show those paths only */
	if (vcs_rev_pathspec(r)->n)
		ld.d.ps = vcs_rev_pathspec(r);
	/* once per log: it costs a pmdb_env_stat */
	ld.d.abbrev = p.o.abbrev = vcs_default_abbrev(repo);
	/* refs are read once, when something shows them */
	if (decor_mode > 0 || (p.o.how == VCS_PRETTY_FORMAT && p.o.format &&
			       (strstr(p.o.format, "%d") ||
				strstr(p.o.format, "%D")))) {
		if ((rc = vcs_decor_load(&decor, repo, decor_mode == 2))) {
			rc = pmvcs_report(ctx, rc, NULL, 0);
			goto out;
		}
		p.o.decor = decor;
		p.o.decorate = decor_mode > 0;
	}
	if (!ld.any && !ld.pick.kind && vcs_rev_simple(r, &starts, &nstarts))
		rc = walk_simple(ctx, repo, starts, nstarts, max, &p);
	else
		rc = walk_full(ctx, repo, r, &ld, &p);
out:
	vcs_pickaxe_free(&ld.pick);
	vcs_decor_free(decor);
	vcs_rev_free(r);
	vcs_repo_free(repo);
	return rc;
}
