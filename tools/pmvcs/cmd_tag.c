/*
 * cmd_tag.c -- pmvcs tag: list, create (lightweight or annotated) and
 * delete tags. Ref changes are compare-and-swap updates.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"
#include "worktree.h"

static const char *const tag_usage[] = {
	"pmvcs tag [-a] [-f] [-m <msg>] <tagname> [<commit> | <object>]",
	"pmvcs tag -d <tagname>...",
	"pmvcs tag [-l] [<pattern>...]",
	NULL
};

/** list_state -- patterns for the listing callback. */
typedef struct list_state {
	pmvcs_ctx *ctx;
	char **pats;
	int npats;
} list_state;

/** list_cb -- print one tag name if it matches a pattern. */
static int
list_cb(const char *name, const pmdb_oid *oid, const char *target, void *v)
{
	list_state *ls = v;
	const char *shortname = name + 10;
	int ok = ls->npats == 0;

	for (int i = 0; i < ls->npats && !ok; i++)
		ok = vcs_wildmatch(ls->pats[i], shortname, 0);
	if (ok)
		fprintf(ls->ctx->out, "%s\n", shortname);
	return 0;
}

/** tag_ref -- "refs/tags/<name>" into buf; 0 if invalid. */
static int
tag_ref(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "refs/tags/%s", name) >= size)
		return 0;
	return pmdb_ref_name_valid(buf) && name[0] != '-';
}

/** delete_tags -- "tag -d NAME...". */
static int
delete_tags(pmvcs_ctx *ctx, vcs_repo *repo, char **names, int n)
{
	int ret = PMVCS_EXIT_OK;

	for (int i = 0; i < n; i++) {
		char ref[PMDB_REF_NAME_MAX + 1], hex[PMDB_OID_HEXMAX + 1];
		pmdb_oid old;
		int rc = tag_ref(ref, sizeof(ref), names[i]) ?
			pmdb_ref_read(repo->env, ref, &old, NULL) : PMDB_ENOTFOUND;

		if (rc == PMDB_ENOTFOUND) {
			fprintf(ctx->err, "error: tag '%s' not found.\n", names[i]);
			ret = PMVCS_EXIT_DIFF;
			continue;
		}
		if (rc) {
			/* a read that failed says nothing about the tag */
			pmvcs_ref_read_error(rc, ref);
			return pmvcs_report(ctx, rc, "cannot delete tag", 0);
		}
		rc = pmvcs_ref_delete(repo, ref, &old);
		if (rc) {
			ret = pmvcs_report(ctx, rc, "cannot delete tag", 0);
			continue;
		}
		vcs_oid_abbrev(repo, &old, 7, hex);
		fprintf(ctx->out, "Deleted tag '%s' (was %s)\n", names[i], hex);
	}
	return ret;
}

/** create_tag -- lightweight, or annotated when msg != NULL. */
static int
create_tag(pmvcs_ctx *ctx, vcs_repo *repo, const char *name, const char *rev,
	   const vcs_str *msg, int force)
{
	char ref[PMDB_REF_NAME_MAX + 1];
	vcs_str tagger = VCS_STR_INIT, enc = VCS_STR_INIT, clean = VCS_STR_INIT;
	pmdb_txn *txn = NULL;
	pmdb_oid obj, val, old;
	int have_old, rc;

	if (!tag_ref(ref, sizeof(ref), name))
		return pmvcs_fatal(ctx, "'%s' is not a valid tag name", name);
	rc = pmdb_ref_read(repo->env, ref, &old, NULL);
	if (rc && rc != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(rc, ref);
		return pmvcs_fatal(ctx, "cannot create tag '%s': %s", name,
				   vcs_errmsg());
	}
	have_old = rc == 0;
	if (have_old && !force)
		return pmvcs_fatal(ctx, "tag '%s' already exists", name);
	/* git's message only when rev names nothing; else the cause */
	rc = vcs_revparse(repo, rev, &obj);
	if (rc == PMDB_ENOTFOUND || rc == PMDB_EAMBIGUOUS)
		return pmvcs_fatal(ctx, "not a valid object name: '%s'", rev);
	if (rc)
		return pmvcs_fatal(ctx, "cannot create tag '%s': %s", name,
				   vcs_errmsg());
	rc = pmdb_txn_begin(repo->env, &txn);
	if (rc) {
		vcs_seterr_pmdb(rc, "starting a transaction");
		goto fail;
	}
	val = obj;
	if (msg) {
		vcs_tag t;
		memset(&t, 0, sizeof(t));
		t.object = obj;
		rc = pmdb_object_info(repo->env, &obj, &t.type, NULL);
		if (rc) {
			vcs_seterr_pmdb(rc, rev);
			goto fail;
		}
		if ((rc = pmvcs_idents(ctx, NULL, NULL, &tagger)))
			goto out;
		rc = vcs_stripspace(&clean, msg->data ? (char *)msg->data : "",
				    msg->len, 1);
		if (rc)
			goto fail;
		t.tag = (char *)name;
		t.tagger = (char *)tagger.data;
		t.message = clean.data ? (char *)clean.data : "";
		t.message_len = clean.len;
		rc = vcs_tag_format(&enc, &t, repo->algo);
		if (!rc)
			rc = pmdb_txn_put(txn, PMDB_OBJ_TAG, enc.data, enc.len, &val);
		if (rc) {
			vcs_seterr_pmdb(rc, "writing the tag");
			goto fail;
		}
	}
	/* tags are not logged (git's core.logAllRefUpdates=true) unless a
	 * log exists; the message is git's "tag: tagging <id> (<type>)"'s
	 * short form */
	rc = pmvcs_ref_set(ctx, repo, txn, ref, &val,
			   have_old ? &old : PMDB_EXPECT_ABSENT, "tag");
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
	}
	if (rc == PMDB_ECONFLICT) {
		rc = pmvcs_fatal(ctx, "tag '%s' already exists", name);
		goto out;
	}
	if (rc) {
		vcs_seterr_pmdb(rc, ref);
		goto fail;
	}
	if (have_old && memcmp(&old, &val, sizeof(old))) {
		char hex[PMDB_OID_HEXMAX + 1];
		vcs_oid_abbrev(repo, &old, 7, hex);
		fprintf(ctx->out, "Updated tag '%s' (was %s)\n", name, hex);
	}
	rc = PMVCS_EXIT_OK;
	goto out;
fail:
	rc = pmvcs_fatal(ctx, "cannot create tag '%s': %s", name, vcs_errmsg());
out:
	pmdb_txn_abort(txn);
	vcs_str_free(&tagger);
	vcs_str_free(&enc);
	vcs_str_free(&clean);
	return rc;
}

/** cmd_tag -- "pmvcs tag ...". */
int
cmd_tag(pmvcs_ctx *ctx)
{
	int del = 0, list = 0, annotate = 0, force = 0, first, ret;
	pmvcs_msg_opt msg = { VCS_STR_INIT, 0, 0 };
	vcs_repo *repo;
	char **pos;
	const pmvcs_option opts[] = {
		OPT_BOOL('l', "list", &list, "list tag names"),
		OPT_BOOL('d', "delete", &del, "delete tags"),
		OPT_GROUP("Tag creation options"),
		OPT_BOOL('a', "annotate", &annotate, "annotated tag, needs a "
			 "message"),
		OPT_PMVCS_MESSAGE(&msg, "tag message"),
		OPT__FORCE(&force, "replace the tag if exists"),
		OPT_END()
	};

	if ((first = pmvcs_parse(ctx, opts, tag_usage, 0)) < 0) {
		ret = PMVCS_EXIT_USAGE;
		goto out;
	}
	pos = ctx->argv;
	if (msg.oom) {
		ret = pmvcs_fatal(ctx, "out of memory");
		goto out;
	}
	if (annotate && !msg.n) {
		fprintf(ctx->err, "pmvcs: an annotated tag needs a message: "
			"use -m <msg> (there is no editor)\n");
		ret = pmvcs_usage(ctx, tag_usage, opts);
		goto out;
	}
	if ((del && (!first || msg.n)) || (!del && !list && first > 2) ||
	    (!del && !list && !first && msg.n)) {
		ret = pmvcs_usage(ctx, tag_usage, opts);
		goto out;
	}
	repo = pmvcs_open_repo(ctx);
	if (!repo) {
		ret = PMVCS_EXIT_FATAL;
		goto out;
	}
	if (del) {
		ret = delete_tags(ctx, repo, pos, first);
	} else if (list || !first) {
		list_state ls = { ctx, pos, first };
		int rc = pmdb_ref_foreach(repo->env, "refs/tags/", list_cb, &ls);
		if (rc)
			pmvcs_ref_read_error(rc, "refs");
		ret = rc ? pmvcs_report(ctx, rc, "cannot list tags", 0) :
			PMVCS_EXIT_OK;
	} else {
		ret = create_tag(ctx, repo, pos[0], first > 1 ? pos[1] : "HEAD",
				 msg.n ? &msg.text : NULL, force);
	}
	vcs_repo_free(repo);
out:
	vcs_str_free(&msg.text);
	return ret;
}
