/*
 * reset.c -- git reset's work without an index: move HEAD's branch, and
 * for --hard make the working tree the target's (undo.h).
 *
 * The files move first, the ref after: a crash in between leaves the old
 * ref and new files, which status shows as changes and a second reset
 * finishes; the other order would leave a ref whose tree the working
 * tree silently disagrees with in files reset claimed to have written.
 */
#include <string.h>

#include "file_io.h"
#include "reflog.h"
#include "undo.h"

/** vcs_head_read -- HEAD's branch, commit and tree. */
int
vcs_head_read(vcs_repo *repo, vcs_head_state *out)
{
	vcs_commit c = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pmdb_ref_read(repo->env, "HEAD", &out->commit, out->ref);
	if (rc)
		return vcs_seterr_pmdb(rc, "reading HEAD");
	if (out->ref[0]) {
		rc = pmdb_ref_read(repo->env, out->ref, &out->commit, NULL);
		if (rc == PMDB_ENOTFOUND)
			return 0; /* unborn branch */
		if (rc)
			return vcs_seterr_pmdb(rc, out->ref);
	}
	rc = vcs_commit_read(repo, NULL, &out->commit, &c);
	if (rc)
		return rc;
	out->tree = c.tree;
	out->born = 1;
	vcs_commit_clear(&c);
	return 0;
}

/** vcs_reset_ref -- move HEAD's branch, logged. */
int
vcs_reset_ref(vcs_repo *repo, const vcs_head_state *head,
	      const pmdb_oid *commit, const char *ident, const char *msg)
{
	vcs_ref_change c = {
		.name = head->ref[0] ? head->ref : "HEAD",
		.oid = commit,
		.expect = head->born ? &head->commit : PMDB_EXPECT_ABSENT,
		.ident = ident,
		.msg = msg,
	};
	pmdb_txn *txn = NULL;
	int rc = pmdb_txn_begin(repo->env, &txn);

	if (rc)
		return vcs_seterr_pmdb(rc, "starting a transaction");
	/* git does not log a branch that stays where it is, but HEAD's log
	 * still gets the entry */
	if (head->born && !memcmp(commit, &head->commit, sizeof(*commit)))
		rc = vcs_reflog_append(repo, txn, "HEAD", commit, commit, ident,
				       msg);
	else
		rc = vcs_ref_update(repo, txn, &c);
	if (rc) {
		pmdb_txn_abort(txn);
		return rc;
	}
	rc = pmdb_txn_commit(txn);
	if (rc == PMDB_ECONFLICT)
		return vcs_seterr(rc, "cannot update '%s': another process "
				  "changed it meanwhile", c.name);
	return rc ? vcs_seterr_pmdb(rc, c.name) : 0;
}

/** vcs_reset_hard -- the working tree to commit's tree, then the ref. */
int
vcs_reset_hard(vcs_repo *repo, vcs_file_io *io, const vcs_head_state *head,
	       const pmdb_oid *commit, const char *ident, const char *msg,
	       vcs_checkout_result *res)
{
	vcs_commit c = { 0 };
	pmdb_oid tree;
	int rc = vcs_commit_read(repo, NULL, commit, &c);

	memset(res, 0, sizeof(*res));
	if (rc)
		return rc;
	tree = c.tree;
	vcs_commit_clear(&c);
	rc = vcs_checkout_tree_io(repo, io, head->born ? &head->tree : NULL,
				  &tree, VCS_CHECKOUT_FORCE, res);
	return rc ? rc : vcs_reset_ref(repo, head, commit, ident, msg);
}
