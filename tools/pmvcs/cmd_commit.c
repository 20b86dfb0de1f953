/*
 * cmd_commit.c -- pmvcs commit: snapshot the whole working tree, or with
 * paths only those paths' state on top of HEAD's tree (docs/undo.md).
 *
 * There is no staging area: every file the scan finds (honoring
 * git's ignore files, docs/config.md) goes into the new tree. Blobs, trees, the commit and the
 * branch update (compare-and-swap against the value read at the start)
 * are one pmdb transaction: a file that cannot be read aborts it and
 * nothing is written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "bigblob.h"
#include "file_io.h"
#include "diff.h"
#include "merge_cmd.h"
#include "undo.h"
#include "worktree.h"

static const char *const commit_usage[] = {
	"pmvcs commit [-q | --quiet] [--allow-empty] [--allow-empty-message]\n"
	"             [--amend [--no-edit]] [--author=<author>]\n"
	"             (-m <msg> [-m <msg>...] | -F <file>) [--] [<pathspec>...]",
	NULL
};

/** head_state -- what HEAD points to, read once at the start, and what
 *  the new commit goes on: HEAD, or HEAD's parents for --amend. */
typedef struct head_state {
	char ref[PMDB_REF_NAME_MAX + 1]; /**< branch ref, "" if detached */
	pmdb_oid oid;                    /**< current commit if born */
	int born;
	pmdb_oid tree;                   /**< its tree if born */
	pmdb_oid *parents;               /**< of the new commit (owned by
	                                      amended, or &oid) */
	size_t nparents;
	pmdb_oid base;                   /**< first parent's tree */
	vcs_commit amended;              /**< --amend: HEAD's commit */
} head_state;

/** read_head -- fill hs from the pool; amend: the new commit replaces
 *  HEAD (git's "You have nothing to amend." when unborn: 128). */
static int
read_head(pmvcs_ctx *ctx, vcs_repo *repo, head_state *hs, int amend)
{
	vcs_head_state h;
	vcs_commit c = { 0 };
	int rc = vcs_head_read(repo, &h);

	memset(hs, 0, sizeof(*hs));
	if (rc)
		return pmvcs_fatal(ctx, "%s", vcs_errmsg());
	strcpy(hs->ref, h.ref);
	hs->oid = h.commit;
	hs->born = h.born;
	hs->tree = h.tree;
	hs->base = h.tree;
	hs->parents = &hs->oid;
	hs->nparents = h.born;
	if (!amend)
		return 0;
	if (!h.born) {
		fprintf(ctx->err, "fatal: You have nothing to amend.\n");
		return PMVCS_EXIT_FATAL;
	}
	if ((rc = vcs_commit_read(repo, NULL, &hs->oid, &hs->amended)))
		return pmvcs_report(ctx, rc, "reading HEAD", 0);
	hs->parents = hs->amended.parents;
	hs->nparents = hs->amended.nparents;
	if (hs->nparents && !(rc = vcs_commit_read(repo, NULL, &hs->parents[0],
						   &c)))
		hs->base = c.tree;
	vcs_commit_clear(&c);
	return rc ? pmvcs_report(ctx, rc, "reading HEAD^", 0) : 0;
}

/** put_cb -- vcs_wt_each_fn: put one file's content as a blob. */
static int
put_cb(void *arg, vcs_wt_entry *e, const vcs_str *data)
{
	int rc = pmdb_txn_put(arg, PMDB_OBJ_BLOB, data->data, data->len, &e->oid);

	if (rc)
		return vcs_seterr_pmdb(rc, e->path);
	e->have_oid = 1;
	return 0;
}

/** store_blobs -- put every scanned file into txn (skipping files whose
 *  cached id is already stored); fills the oids. Files are read in
 *  batches through io while the previous batch is hashed and stored;
 *  files of at least big bytes are streamed in as chunked blobs. */
static int
store_blobs(vcs_repo *repo, vcs_file_io *io, pmdb_txn *txn, vcs_wt_list *l,
	    uint64_t big)
{
	vcs_wt_entry **v = malloc((l->n ? l->n : 1) * sizeof(*v));
	size_t n = 0;
	int rc;

	if (!v)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		vcs_wt_entry *e = &l->e[i];
		if (e->have_oid && pmdb_txn_has(txn, &e->oid) == 1)
			continue;
		e->have_oid = 0; /* hashed again from what is read */
		if (e->mode != VCS_MODE_LINK && e->size >= big) {
			if ((rc = vcs_big_put_file(repo, txn, e)))
				goto out;
			continue;
		}
		v[n++] = e;
	}
	rc = vcs_wt_read_many(repo, io, v, n, put_cb, txn);
out:
	free(v);
	return rc;
}

/** print_summary -- git's " N files changed, ..." and create/delete
 *  mode lines for parent -> tree. Failures only shorten the output. */
static void
print_summary(pmvcs_ctx *ctx, vcs_repo *repo, const head_state *hs,
	      const pmdb_oid *tree, const vcs_wt_list *now, uint64_t big)
{
	vcs_diff_opts o = VCS_DIFF_OPTS_INIT;
	vcs_diff_stat acc = VCS_DIFF_STAT_INIT;
	vcs_wt_list old = VCS_WT_LIST_INIT;
	vcs_str out = VCS_STR_INIT;
	size_t files = 0, ins = 0, del = 0;

	o.patch = 0;
	o.acc = &acc;
	o.big = big;
	if (vcs_diff_trees(repo, hs->nparents ? &hs->base : NULL, tree, &o, &out,
			   &files) != 0)
		goto out;
	for (size_t k = 0; k < acc.n; k++) {
		ins += acc.files[k].added;
		del += acc.files[k].deleted;
	}
	if (!files)
		goto out; /* git prints no stat line for an empty change */
	fprintf(ctx->out, " %zu file%s changed", files, files == 1 ? "" : "s");
	if (ins || !del)
		fprintf(ctx->out, ", %zu insertion%s(+)", ins, ins == 1 ? "" : "s");
	if (del || !ins)
		fprintf(ctx->out, ", %zu deletion%s(-)", del, del == 1 ? "" : "s");
	fputc('\n', ctx->out);
	if (vcs_tree_flatten(repo, NULL, hs->nparents ? &hs->base : NULL, &old))
		goto out;
	pmvcs_print_summary(ctx, &old, now);
out:
	vcs_diff_stat_free(&acc);
	vcs_wt_list_free(&old);
	vcs_str_free(&out);
}

/** make_commit -- encode and put the commit object. */
static int
make_commit(vcs_repo *repo, pmdb_txn *txn, const head_state *hs,
	    const vcs_merge_state *ms, const pmdb_oid *tree, vcs_str *msg,
	    const vcs_str *author, const vcs_str *committer, pmdb_oid *out)
{
	vcs_str enc = VCS_STR_INIT;
	pmdb_oid *par = NULL;
	vcs_commit c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.tree = *tree;
	c.parents = hs->parents;
	c.nparents = hs->nparents;
	if (ms && hs->born) {
		/* concluding a merge: HEAD, then what was merged */
		par = malloc((ms->nheads + 1) * sizeof(*par));
		if (!par)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		par[0] = hs->oid;
		memcpy(par + 1, ms->heads, ms->nheads * sizeof(*par));
		c.parents = par;
		c.nparents = ms->nheads + 1;
	}
	c.author = (char *)author->data;
	c.committer = (char *)committer->data;
	c.message = (char *)msg->data;
	c.message_len = msg->len;
	rc = vcs_commit_format(&enc, &c, repo->algo);
	if (!rc) {
		rc = pmdb_txn_put(txn, PMDB_OBJ_COMMIT, enc.data, enc.len, out);
		if (rc)
			rc = vcs_seterr_pmdb(rc, "writing the commit");
	}
	free(par);
	vcs_str_free(&enc);
	return rc;
}

/** ident_len -- the "Name <email>" part of an ident line. */
static size_t
ident_len(const char *ident)
{
	const char *gt = strchr(ident, '>');

	return gt ? (size_t)(gt - ident + 1) : strlen(ident);
}

/** amend_author -- git's author for --amend: HEAD's (name, email and
 *  date), with --author's name and email when given. */
static int
amend_author(const head_state *hs, const char *force, vcs_str *author)
{
	const char *old = hs->amended.author ? hs->amended.author : "";
	size_t ol = ident_len(old);
	vcs_str a = VCS_STR_INIT;
	int rc = force ? vcs_str_add(&a, author->data, ident_len(
					     (char *)author->data)) :
		vcs_str_add(&a, old, ol);

	if (!rc)
		rc = vcs_str_adds(&a, old + ol);
	if (rc) {
		vcs_str_free(&a);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	vcs_str_free(author);
	*author = a;
	return 0;
}

/** print_idents -- git's summary lines after "[branch id] subject":
 *  " Author:" when author and committer differ, " Date:" (the author
 *  date) for --amend. */
static void
print_idents(pmvcs_ctx *ctx, const vcs_str *author, const vcs_str *committer,
	     int amend)
{
	const char *a = (char *)author->data, *c = (char *)committer->data;
	size_t al = ident_len(a);
	vcs_str date = VCS_STR_INIT;

	if (al != ident_len(c) || memcmp(a, c, al))
		fprintf(ctx->out, " Author: %.*s\n", (int)al, a);
	if (amend && !vcs_pretty_date(&date, a + al + (a[al] == ' ')))
		fprintf(ctx->out, " Date: %s\n", (char *)date.data);
	vcs_str_free(&date);
}

/** log_head_only -- an amend that made HEAD's very commit again (same
 *  tree, message and dates): git logs it in HEAD's log only, as the
 *  branch does not move. */
static int
log_head_only(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
	      const pmdb_oid *commit, const char *msg)
{
	vcs_str ident = VCS_STR_INIT;
	int rc = pmvcs_ref_ident(ctx, &ident);

	if (!rc)
		rc = vcs_reflog_append(repo, txn, "HEAD", commit, commit,
				       (char *)ident.data, msg);
	vcs_str_free(&ident);
	return rc;
}

/** The options beside the message. */
typedef struct commit_opts {
	int quiet, allow_empty, allow_empty_message, amend, edit;
	const char *author;     /**< --author, or NULL */
	const char *file;       /**< -F, or NULL */
	char **paths;           /**< pathspecs (in ctx->argv) */
	size_t npaths;
} commit_opts;

/** read_msg_file -- -F: the file's text (relative to the cwd; "-" is
 *  stdin) into m, as git reads it; 0, or 128 after git's message. */
static int
read_msg_file(pmvcs_ctx *ctx, const char *file, pmvcs_msg_opt *m)
{
	char path[8192], buf[8192];
	FILE *f;
	size_t n;
	int stdin_ = !strcmp(file, "-");

	if (!stdin_ && snprintf(path, sizeof(path), "%s%s%s",
				file[0] == '/' ? "" : ctx->cwd,
				file[0] == '/' ? "" : "/", file) >=
	    (int)sizeof(path))
		return pmvcs_fatal(ctx, "-F: path too long");
	f = stdin_ ? ctx->in : fopen(path, "r");
	if (!f) {
		fprintf(ctx->err, "fatal: could not read log file '%s': %s\n",
			file, strerror(errno));
		return PMVCS_EXIT_FATAL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (vcs_str_add(&m->text, buf, n))
			m->oom = 1;
	if (ferror(f)) {
		fprintf(ctx->err, "fatal: could not read log file '%s': %s\n",
			file, strerror(errno));
		if (!stdin_)
			fclose(f);
		return PMVCS_EXIT_FATAL;
	}
	if (!stdin_)
		fclose(f);
	m->n = 1;
	return m->oom ? pmvcs_fatal(ctx, "out of memory") : 0;
}

/** parse_args -- options into m and co; -1 to go on, else the exit
 *  code. */
static int
parse_args(pmvcs_ctx *ctx, pmvcs_msg_opt *m, commit_opts *co, int merging)
{
	const pmvcs_option opts[] = {
		OPT__QUIET(&co->quiet, "suppress summary after successful "
			   "commit"),
		OPT_GROUP("Commit message options"),
		OPT_STRING('F', "file", &co->file, "file", "read message from "
			   "file"),
		OPT_STRING(0, "author", &co->author, "author", "override author "
			   "for commit"),
		OPT_PMVCS_MESSAGE(m, "commit message"),
		OPT_BOOL('e', "edit", &co->edit, "force edit of commit"),
		OPT_GROUP("Commit contents options"),
		OPT_BOOL(0, "amend", &co->amend, "amend previous commit"),
		OPT_BOOL(0, "allow-empty", &co->allow_empty, "ok to record an "
			 "empty change"),
		OPT_BOOL(0, "allow-empty-message", &co->allow_empty_message,
			 "ok to record a change with an empty message"),
		OPT_END()
	};
	int n = pmvcs_parse(ctx, opts, commit_usage, PMVCS_PARSE_HELP_STDERR);

	if (n < 0)
		return PMVCS_EXIT_USAGE;
	if (m->oom)
		return pmvcs_fatal(ctx, "out of memory");
	if (co->file && m->n) {
		fprintf(ctx->err, "fatal: options '-m' and '-F' cannot be used "
			"together\n");
		return PMVCS_EXIT_FATAL;
	}
	co->paths = ctx->argv;
	co->npaths = (size_t)n;
	if (co->file)
		return read_msg_file(ctx, co->file, m) ?: -1;
	/* --amend without a message keeps HEAD's, as --no-edit does: there
	 * is no editor to offer it in */
	if (!m->n && !merging && (co->edit == 1 || !co->amend)) {
		fprintf(ctx->err, "pmvcs: commit needs a message: use -m <msg> "
			"or -F <file>%s (there is no editor)\n",
			co->amend ? " or --no-edit" : "");
		return pmvcs_usage(ctx, commit_usage, opts);
	}
	return -1;
}

/** clean -- does the working tree equal HEAD's tree (untracked files
 *  aside: git's "working tree clean" ignores them too)? A failed status
 *  counts as not clean. */
static int
clean(vcs_repo *repo)
{
	vcs_status st;
	int ok;

	memset(&st, 0, sizeof(st)); /* cleared even if compute fails early */
	ok = !vcs_status_compute(repo, NULL, 1, &st) && !st.ntracked &&
	     st.n == st.ntracked;

	vcs_status_clear(&st);
	return ok;
}

/** select_paths -- commit PATH...: *wt becomes HEAD's tree with the
 *  matching paths' working tree state (git's commit --only). Every file
 *  the scan finds counts as known: there is no index to add it to. Exit
 *  code (git's pathspec error: 1), or -1 to go on. */
static int
select_paths(pmvcs_ctx *ctx, vcs_repo *repo, const head_state *hs,
	     const commit_opts *co, vcs_wt_list *wt)
{
	vcs_wt_list head_l = VCS_WT_LIST_INIT, sel = VCS_WT_LIST_INIT;
	vcs_pathsel ps;
	const char *bad;
	size_t k = 0;
	int ret = -1;
	int rc = vcs_pathsel_init(&ps, vcs_pathsel_prefix(repo->worktree,
							    ctx->cwd),
				   co->paths, co->npaths);

	if (rc == PMDB_EINVAL) {
		fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
		return PMVCS_EXIT_FATAL;
	}
	if (!rc && hs->born)
		rc = vcs_tree_flatten(repo, NULL, &hs->tree, &head_l);
	if (!rc)
		rc = vcs_pathsel_select(&ps, &head_l, wt, &sel);
	if (rc)
		ret = pmvcs_report(ctx, rc, "commit", 0);
	while (!rc && (bad = vcs_pathsel_unmatched(&ps, &k))) {
		fprintf(ctx->err, "error: pathspec '%s' did not match any "
			"file(s) known to git\n", bad);
		ret = PMVCS_EXIT_DIFF;
	}
	if (ret < 0) {
		vcs_wt_list_free(wt);
		*wt = sel;
		sel = (vcs_wt_list)VCS_WT_LIST_INIT;
	}
	vcs_pathsel_free(&ps);
	vcs_wt_list_free(&head_l);
	vcs_wt_list_free(&sel);
	return ret;
}

/** merge_check -- refuse to conclude a merge whose conflicts are not
 *  resolved, in git's words (the hint says how it is done here). */
static int
merge_check(pmvcs_ctx *ctx, const vcs_repo *repo, const vcs_merge_state *ms)
{
	int bad = 0;

	for (size_t i = 0; i < ms->npaths; i++)
		if (vcs_merge_unresolved(repo, ms->paths[i])) {
			fprintf(ctx->out, "U\t%s\n", ms->paths[i]);
			bad = 1;
		}
	if (!bad)
		return 0;
	fprintf(ctx->err, "error: Committing is not possible because you have "
		"unmerged files.\nhint: Fix them up in the work tree (remove the "
		"conflict markers),\nhint: then run 'pmvcs merge --continue'.\n"
		"fatal: Exiting because of an unresolved conflict.\n");
	return PMVCS_EXIT_FATAL;
}

/** commit_run -- the commit; repo_in: merge --continue's open repo
 *  (NULL: open it here). During a merge the commit concludes it. */
static int
commit_run(pmvcs_ctx *ctx, vcs_repo *repo_in)
{
	vcs_str msg = VCS_STR_INIT, line = VCS_STR_INIT;
	vcs_str author = VCS_STR_INIT, committer = VCS_STR_INIT;
	pmvcs_msg_opt m = { VCS_STR_INIT, 0, 0 };
	pmvcs_scan_cfg sc;
	vcs_wt_scan_opts so;
	vcs_wt_list wt = VCS_WT_LIST_INIT;
	vcs_repo *repo = NULL;
	vcs_file_io *io = NULL;
	pmdb_txn *txn = NULL;
	const char *iostats;
	head_state hs;
	pmdb_oid tree, commit;
	commit_opts co = { .edit = -1 };
	vcs_merge_state ms;
	uint64_t big;
	int rc, ret, merging = 0;
	char hex[PMDB_OID_HEXMAX + 1];

	memset(&hs, 0, sizeof(hs)); /* cleared at out, whatever the path */
	memset(&ms, 0, sizeof(ms));
	ret = parse_args(ctx, &m, &co, repo_in != NULL);
	if (ret >= 0)
		goto out;
	/* before the pool opens: git refuses a commit without identity */
	if ((ret = pmvcs_idents(ctx, co.author, &author, &committer)))
		goto out;
	ret = PMVCS_EXIT_FATAL;
	repo = repo_in ? repo_in : pmvcs_open_repo(ctx);
	if (!repo)
		goto out;
	rc = vcs_merge_state_read(repo, &ms);
	if (rc == PMDB_ENOTFOUND && repo_in) {
		fprintf(ctx->err, "fatal: There is no merge in progress "
			"(MERGE_HEAD missing).\n");
		goto out;
	}
	if (rc && rc != PMDB_ENOTFOUND)
		goto fail;
	merging = !rc;
	if (merging && (ret = merge_check(ctx, repo, &ms)))
		goto out;
	ret = PMVCS_EXIT_FATAL;
	if ((ret = pmvcs_scan_config(ctx, repo->worktree, &sc)))
		goto out;
	pmvcs_scan_opts(&sc, &so);
	if ((ret = read_head(ctx, repo, &hs, co.amend)))
		goto out;
	ret = PMVCS_EXIT_FATAL;
	if (co.amend && (rc = amend_author(&hs, co.author, &author)))
		goto fail;
	if (!m.n && co.amend)
		rc = vcs_stripspace(&msg, hs.amended.message,
				    hs.amended.message_len, 0);
	else if (!m.n && merging)   /* the merge's message, # lines cut */
		rc = vcs_stripspace(&msg, ms.msg, strlen(ms.msg), 1);
	else
		rc = vcs_stripspace(&msg, m.text.data ? (char *)m.text.data : "",
				    m.text.len, 0);
	if (rc)
		goto fail;
	if (!msg.len && !co.allow_empty_message) {
		fprintf(ctx->err, "Aborting commit due to empty commit message.\n");
		ret = PMVCS_EXIT_DIFF;
		goto out;
	}
	rc = vcs_wt_scan_root_opts(repo->worktree, &wt, 0, &so);
	if (!rc)
		rc = vcs_wtcache_apply(repo, &wt);
	if (rc)
		goto fail;
	if (co.npaths && (ret = select_paths(ctx, repo, &hs, &co, &wt)) >= 0)
		goto out;
	ret = PMVCS_EXIT_FATAL;
	big = pmvcs_big_threshold(ctx);
	rc = pmdb_txn_begin(repo->env, &txn);
	if (rc) {
		vcs_seterr_pmdb(rc, "starting a transaction");
		goto fail;
	}
	rc = vcs_file_io_open_env(&io, pmvcs_getenv, ctx);
	if (!rc)
		rc = store_blobs(repo, io, txn, &wt, big);
	if (!rc)
		rc = vcs_tree_build(repo, txn, &wt, &tree);
	if (rc)
		goto fail;
	if (!co.allow_empty && !co.amend && !merging &&
	    ((hs.born && !memcmp(&tree, &hs.tree, sizeof(tree))) ||
	     (!hs.born && !wt.n))) {
		pmdb_txn_abort(txn);
		txn = NULL;
		if (hs.ref[0] && !strncmp(hs.ref, "refs/heads/", 11)) {
			fprintf(ctx->out, "On branch %s\n", hs.ref + 11);
		} else if (hs.born) {   /* git's status header, as status's */
			vcs_oid_abbrev(repo, &hs.oid, 7, hex);
			fprintf(ctx->out, "HEAD detached at %s\n", hex);
		}
		/* with paths other files may differ: git lists them (its
		 * long status), pmvcs says only that these did not */
		fprintf(ctx->out, co.npaths && !clean(repo) ?
			"no changes to the given paths\n" :
			hs.born ? "nothing to commit, working tree clean\n" :
			"nothing to commit (create/copy files to track)\n");
		ret = PMVCS_EXIT_DIFF;
		goto out;
	}
	rc = make_commit(repo, txn, &hs, merging ? &ms : NULL, &tree, &msg,
			 &author, &committer, &commit);
	if (!rc && merging)
		rc = vcs_merge_state_remove(repo, txn);
	if (rc)
		goto fail;
	/* git's reflog message: the message's first line */
	vcs_str_reset(&line);
	rc = vcs_str_addf(&line, "%s: %.*s", co.amend ? "commit (amend)" :
			  !hs.born ? "commit (initial)" :
			  merging ? "commit (merge)" : "commit",
			  (int)strcspn(msg.len ? (char *)msg.data : "", "\n"),
			  msg.len ? (char *)msg.data : "");
	if (rc) {
		vcs_seterr(rc, "out of memory");
		goto fail;
	}
	while (line.len && ((char *)line.data)[line.len - 1] == ' ')
		((char *)line.data)[--line.len] = '\0'; /* git's copy_reflog_msg */
	if (hs.born && !memcmp(&commit, &hs.oid, sizeof(commit)))
		rc = log_head_only(ctx, repo, txn, &commit, (char *)line.data);
	else
		rc = pmvcs_ref_set(ctx, repo, txn, hs.ref[0] ? hs.ref : "HEAD",
				   &commit, hs.born ? &hs.oid : PMDB_EXPECT_ABSENT,
				   (char *)line.data);
	if (rc)
		goto fail;
	rc = pmdb_txn_commit(txn);
	txn = NULL;
	if (rc == PMDB_ECONFLICT) {
		fprintf(ctx->err, "pmvcs: cannot update '%s': another process "
			"changed it meanwhile; nothing was committed\n",
			hs.ref[0] ? hs.ref : "HEAD");
		goto out;
	}
	if (rc) {
		vcs_seterr_pmdb(rc, "committing");
		goto fail;
	}
	/* the committed tree is wt itself: cache it flattened, so that
	 * status reads no tree (a stale cache only costs hashing) */
	vcs_wtcache_write_tree(repo, &wt, &wt, &tree);
	ret = PMVCS_EXIT_OK;
	if (co.quiet)
		goto out;
	if (merging) {
		vcs_oid_abbrev(repo, &commit, 7, hex);
		vcs_str_reset(&line);
		vcs_subject(&line, (char *)msg.data, msg.len);
		fprintf(ctx->out, "[%s %s] %s\n", !hs.ref[0] ? "detached HEAD" :
			!strncmp(hs.ref, "refs/heads/", 11) ? hs.ref + 11 : hs.ref,
			hex, line.data ? (char *)line.data : "");
		goto out;
	}
	vcs_oid_abbrev(repo, &commit, 7, hex);
	vcs_str_reset(&line);
	vcs_subject(&line, (char *)msg.data, msg.len);
	fprintf(ctx->out, "[%s%s %s] %s\n",
		!hs.ref[0] ? "detached HEAD" :
		!strncmp(hs.ref, "refs/heads/", 11) ? hs.ref + 11 : hs.ref,
		hs.born ? "" : " (root-commit)", hex,
		line.data ? (char *)line.data : "");
	print_idents(ctx, &author, &committer, co.amend);
	print_summary(ctx, repo, &hs, &tree, &wt, big);
	goto out;
fail:
	pmvcs_fatal(ctx, "%s", vcs_errmsg());
	ret = PMVCS_EXIT_FATAL;
out:
	iostats = pmvcs_getenv(ctx, "PMVCS_IO_STATS");
	if (io && iostats && *iostats && strcmp(iostats, "0"))
		vcs_file_io_print(ctx->err, io);
	vcs_file_io_free(io);
	pmdb_txn_abort(txn);
	vcs_wt_list_free(&wt);
	if (repo != repo_in)
		vcs_repo_free(repo);
	vcs_merge_state_clear(&ms);
	vcs_str_free(&m.text);
	vcs_str_free(&msg);
	vcs_str_free(&line);
	vcs_str_free(&author);
	vcs_str_free(&committer);
	vcs_commit_clear(&hs.amended);
	return ret;
}

/** cmd_commit -- "pmvcs commit -m MSG [-q] [--allow-empty] [PATH...]". */
int
cmd_commit(pmvcs_ctx *ctx)
{
	return commit_run(ctx, NULL);
}

/* pmvcs_commit_merge -- see cmd.h */
int
pmvcs_commit_merge(pmvcs_ctx *ctx, vcs_repo *repo)
{
	return commit_run(ctx, repo);
}
