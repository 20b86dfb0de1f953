/*
 * cmd_commit.c -- pmvcs commit: snapshot the whole working tree.
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
#include "worktree.h"

static const char *const commit_usage[] = {
	"pmvcs commit [-q | --quiet] [--allow-empty] [--author=<author>]\n"
	"             (-m <msg> [-m <msg>...] | -F <file>)",
	NULL
};

/** head_state -- what HEAD points to, read once at the start. */
typedef struct head_state {
	char ref[PMDB_REF_NAME_MAX + 1]; /**< branch ref, "" if detached */
	pmdb_oid oid;                    /**< current commit if born */
	int born;
	pmdb_oid tree;                   /**< its tree if born */
} head_state;

/** read_head -- fill hs from the pool. */
static int
read_head(vcs_repo *repo, head_state *hs)
{
	char target[PMDB_REF_NAME_MAX + 1];
	vcs_commit c = { 0 };
	int rc;

	memset(hs, 0, sizeof(*hs));
	rc = pmdb_ref_read(repo->env, "HEAD", &hs->oid, target);
	if (rc)
		return vcs_seterr_pmdb(rc, "reading HEAD");
	if (target[0]) {
		strcpy(hs->ref, target);
		rc = pmdb_ref_read(repo->env, target, &hs->oid, NULL);
		if (rc == PMDB_ENOTFOUND)
			return 0;
		if (rc)
			return vcs_seterr_pmdb(rc, target);
	}
	hs->born = 1;
	rc = vcs_commit_read(repo, NULL, &hs->oid, &c);
	if (rc)
		return rc;
	hs->tree = c.tree;
	vcs_commit_clear(&c);
	return 0;
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
	vcs_str out = VCS_STR_INIT, q = VCS_STR_INIT;
	size_t files = 0, ins = 0, del = 0, i = 0, j = 0;

	o.patch = 0;
	o.acc = &acc;
	o.big = big;
	if (vcs_diff_trees(repo, hs->born ? &hs->tree : NULL, tree, &o, &out,
			   &files) != 0)
		goto out;
	for (size_t k = 0; k < acc.n; k++) {
		ins += acc.files[k].added;
		del += acc.files[k].deleted;
	}
	fprintf(ctx->out, " %zu file%s changed", files, files == 1 ? "" : "s");
	if (ins || !del)
		fprintf(ctx->out, ", %zu insertion%s(+)", ins, ins == 1 ? "" : "s");
	if (del || !ins)
		fprintf(ctx->out, ", %zu deletion%s(-)", del, del == 1 ? "" : "s");
	fputc('\n', ctx->out);
	if (vcs_tree_flatten(repo, NULL, hs->born ? &hs->tree : NULL, &old))
		goto out;
	while (i < old.n || j < now->n) {
		const vcs_wt_entry *a = i < old.n ? &old.e[i] : NULL;
		const vcs_wt_entry *b = j < now->n ? &now->e[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);
		const vcs_wt_entry *e = c < 0 ? a : b;

		vcs_str_reset(&q);
		if (vcs_quote_path(&q, e->path, e->len))
			break;
		if (c < 0)
			fprintf(ctx->out, " delete mode %06o %s\n", a->mode, q.data);
		else if (c > 0)
			fprintf(ctx->out, " create mode %06o %s\n", b->mode, q.data);
		else if (a->mode != b->mode &&
			 (a->mode == VCS_MODE_LINK) == (b->mode == VCS_MODE_LINK))
			fprintf(ctx->out, " mode change %06o => %06o %s\n",
				a->mode, b->mode, q.data);
		i += c <= 0;
		j += c >= 0;
	}
out:
	vcs_diff_stat_free(&acc);
	vcs_wt_list_free(&old);
	vcs_str_free(&out);
	vcs_str_free(&q);
}

/** make_commit -- encode and put the commit object. */
static int
make_commit(vcs_repo *repo, pmdb_txn *txn, const head_state *hs,
	    const pmdb_oid *tree, vcs_str *msg, const vcs_str *author,
	    const vcs_str *committer, pmdb_oid *out)
{
	vcs_str enc = VCS_STR_INIT;
	vcs_commit c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.tree = *tree;
	c.parents = hs->born ? (pmdb_oid *)&hs->oid : NULL;
	c.nparents = hs->born ? 1 : 0;
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
	vcs_str_free(&enc);
	return rc;
}

/** The options beside the message. */
typedef struct commit_opts {
	int quiet, allow_empty;
	const char *author;     /**< --author, or NULL */
	const char *file;       /**< -F, or NULL */
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
parse_args(pmvcs_ctx *ctx, pmvcs_msg_opt *m, commit_opts *co)
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
		OPT_GROUP("Commit contents options"),
		OPT_BOOL(0, "allow-empty", &co->allow_empty, "ok to record an "
			 "empty change"),
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
	if (n) {
		fprintf(ctx->err, "pmvcs: unknown argument '%s' (pmvcs commit "
			"takes no paths: it records the whole working tree)\n",
			ctx->argv[0]);
		return pmvcs_usage(ctx, commit_usage, opts);
	}
	if (co->file)
		return read_msg_file(ctx, co->file, m) ?: -1;
	if (!m->n) {
		fprintf(ctx->err, "pmvcs: commit needs a message: use -m <msg> "
			"or -F <file> (there is no editor)\n");
		return pmvcs_usage(ctx, commit_usage, opts);
	}
	return -1;
}

/** cmd_commit -- "pmvcs commit -m MSG [-q] [--allow-empty]". */
int
cmd_commit(pmvcs_ctx *ctx)
{
	vcs_str msg = VCS_STR_INIT, line = VCS_STR_INIT;
	vcs_str author = VCS_STR_INIT, committer = VCS_STR_INIT;
	pmvcs_msg_opt m = { VCS_STR_INIT, 0, 0 };
	char excl[4096];
	vcs_wt_list wt = VCS_WT_LIST_INIT;
	vcs_repo *repo = NULL;
	vcs_file_io *io = NULL;
	pmdb_txn *txn = NULL;
	const char *iostats;
	head_state hs;
	pmdb_oid tree, commit;
	commit_opts co = { 0, 0, NULL, NULL };
	uint64_t big;
	int rc, ret;
	char hex[PMDB_OID_HEXMAX + 1];

	ret = parse_args(ctx, &m, &co);
	if (ret >= 0)
		goto out;
	ret = PMVCS_EXIT_FATAL;
	if (vcs_stripspace(&msg, m.text.data ? (char *)m.text.data : "",
			   m.text.len, 0))
		goto fail;
	if (!msg.len) {
		fprintf(ctx->err, "Aborting commit due to empty commit message.\n");
		ret = PMVCS_EXIT_DIFF;
		goto out;
	}
	/* before the pool opens: git refuses a commit without identity */
	if ((ret = pmvcs_idents(ctx, co.author, &author, &committer)))
		goto out;
	ret = PMVCS_EXIT_FATAL;
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		goto out;
	if ((ret = pmvcs_excludes(ctx, repo->worktree, excl, sizeof(excl))))
		goto out;
	ret = PMVCS_EXIT_FATAL;
	rc = read_head(repo, &hs);
	if (!rc)
		rc = vcs_wt_scan_root_ex(repo->worktree, &wt, 0,
					 excl[0] ? excl : NULL);
	if (!rc)
		rc = vcs_wtcache_apply(repo, &wt);
	if (rc)
		goto fail;
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
	if (!co.allow_empty && ((hs.born && !memcmp(&tree, &hs.tree, sizeof(tree))) ||
			     (!hs.born && !wt.n))) {
		pmdb_txn_abort(txn);
		txn = NULL;
		if (hs.ref[0] && !strncmp(hs.ref, "refs/heads/", 11))
			fprintf(ctx->out, "On branch %s\n", hs.ref + 11);
		fprintf(ctx->out, hs.born ? "nothing to commit, working tree clean\n" :
			"nothing to commit (create/copy files to track)\n");
		ret = PMVCS_EXIT_DIFF;
		goto out;
	}
	rc = make_commit(repo, txn, &hs, &tree, &msg, &author, &committer,
			 &commit);
	if (rc)
		goto fail;
	/* git's reflog message: the message's first line */
	vcs_str_reset(&line);
	rc = vcs_str_addf(&line, "%s: %.*s", hs.born ? "commit" :
			  "commit (initial)", (int)strcspn((char *)msg.data, "\n"),
			  (char *)msg.data);
	if (rc) {
		vcs_seterr(rc, "out of memory");
		goto fail;
	}
	rc = pmvcs_ref_set(ctx, repo, txn, hs.ref[0] ? hs.ref : "HEAD", &commit,
			   hs.born ? &hs.oid : PMDB_EXPECT_ABSENT,
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
	vcs_oid_abbrev(repo, &commit, 7, hex);
	vcs_str_reset(&line);
	vcs_subject(&line, (char *)msg.data, msg.len);
	fprintf(ctx->out, "[%s%s %s] %s\n",
		!hs.ref[0] ? "detached HEAD" :
		!strncmp(hs.ref, "refs/heads/", 11) ? hs.ref + 11 : hs.ref,
		hs.born ? "" : " (root-commit)", hex,
		line.data ? (char *)line.data : "");
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
	vcs_repo_free(repo);
	vcs_str_free(&m.text);
	vcs_str_free(&msg);
	vcs_str_free(&line);
	vcs_str_free(&author);
	vcs_str_free(&committer);
	return ret;
}
