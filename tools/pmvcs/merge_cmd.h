/*
 * merge_cmd.h -- what cmd_merge.c and cmd_merge_octopus.c share
 * (merge_cmd.c): HEAD and the named commits, git's default message, the
 * working tree move with git's refusal, the merge commit, the diffstat.
 * Private to tools/pmvcs/.
 */
#ifndef PMVCS_MERGE_CMD_H
#define PMVCS_MERGE_CMD_H

#include "cmd.h"
#include "merge.h"
#include "worktree.h"

/** One commit to merge, as named on the command line. */
typedef struct head {
	const char *name;
	pmdb_oid oid;
	pmdb_oid tree;
	char kind[16];          /* "branch", "tag", "commit" */
	const char *short_;     /* name as git's message shows it */
} head;

/** HEAD, read once. */
typedef struct cur {
	char ref[PMDB_REF_NAME_MAX + 1];
	pmdb_oid oid, tree;
	int born;
} cur;

/** pmvcs_merge__read_cur -- HEAD's branch, commit and tree (c->born 0
 *  on an unborn branch). 0 or a pmdb code. */
int pmvcs_merge__read_cur(vcs_repo *repo, cur *c);
/** pmvcs_merge__resolve -- a command-line commit into h; 0, or 1 after
 *  git's "merge: X - not something we can merge". */
int pmvcs_merge__resolve(pmvcs_ctx *ctx, vcs_repo *repo, const char *name,
			 head *h);
/** pmvcs_merge__default_msg -- git's fmt_merge_msg for h[0..n) into m. */
int pmvcs_merge__default_msg(vcs_str *m, const cur *c, const head *h,
			     size_t n);
/** pmvcs_merge__print_stat -- git's diffstat and summary of from -> to. */
void pmvcs_merge__print_stat(pmvcs_ctx *ctx, vcs_repo *repo,
			     const pmdb_oid *from, const pmdb_oid *to);
/** pmvcs_merge__move_worktree -- from -> to; 0, 1 (refused: git's
 *  message printed), or a negative code. */
int pmvcs_merge__move_worktree(pmvcs_ctx *ctx, vcs_repo *repo,
			       const pmdb_oid *from, const pmdb_oid *to,
			       unsigned flags);
/** pmvcs_merge__put_commit -- the merge commit of tree with HEAD and
 *  h[0..n) as parents, into txn; 0, 1 (no identity: printed), code. */
int pmvcs_merge__put_commit(pmvcs_ctx *ctx, vcs_repo *repo, pmdb_txn *txn,
			    const cur *c, const head *h, size_t n,
			    const pmdb_oid *tree, const vcs_str *msg,
			    pmdb_oid *out);
/** pmvcs_merge__finish_txn -- commit txn; 1 if ref moved meanwhile
 *  (printed), else 0 or a code. */
int pmvcs_merge__finish_txn(pmvcs_ctx *ctx, pmdb_txn *txn, const char *ref);
/** pmvcs_print_summary -- git's " create mode", " delete mode" and
 *  " mode change" lines from the sorted file list a to b (commit's and
 *  merge's summary). Failures only shorten the output. */
void pmvcs_print_summary(pmvcs_ctx *ctx, const vcs_wt_list *a,
			 const vcs_wt_list *b);
/** pmvcs_merge_octopus -- merge h[0..n) (n > 1) into HEAD as git's
 *  octopus strategy (cmd_merge_octopus.c); the exit code. */
int pmvcs_merge_octopus(pmvcs_ctx *ctx, vcs_repo *repo, const cur *c,
			const head *h, size_t n, const vcs_str *msg);

#endif /* PMVCS_MERGE_CMD_H */
