/*
 * merge.h -- git's merge machinery over the pool: merge bases
 * (merge_base.c), the three-way line merge (xmerge.c), the three-way tree
 * merge (merge_tree.c) and the record of an unfinished merge
 * (merge_state.c). docs/merge.md says what matches git and what does not.
 *
 * Threads: every call uses only its arguments; several may run at once
 * on one vcs_repo (object reads are lock-free; writes go through the
 * caller's txn, which belongs to the caller's thread).
 */
#ifndef VCS_MERGE_H
#define VCS_MERGE_H

#include "vcs.h"
#include "worktree.h"

/* ------------------------------------------------------------------ */
/* Merge bases (vcs/merge_base.c)                                      */
/* ------------------------------------------------------------------ */

/**
 * vcs_merge_bases -- the best common ancestors of a and b, as git's
 * get_merge_bases(): none of them an ancestor of another, newest
 * committer date first (a criss-cross history has several).
 * @param[out] out  malloc'ed array (caller frees; NULL when *n is 0).
 * @return 0, PMDB_ENOTFOUND / PMDB_ECORRUPT (a commit cannot be read),
 *  PMDB_ENOMEM. Persistence: none (reads only).
 */
int vcs_merge_bases(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b,
		    pmdb_oid **out, size_t *n);

/**
 * vcs_is_ancestor -- 1 if a is b or an ancestor of b, 0 if not, or a
 * negative code as vcs_merge_bases. Persistence: none.
 */
int vcs_is_ancestor(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b);

/* ------------------------------------------------------------------ */
/* Three-way line merge (vcs/xmerge.c)                                 */
/* ------------------------------------------------------------------ */

/** How hard overlapping changes are looked at (git's XDL_MERGE_*). */
#define VCS_XMERGE_MINIMAL 0       /**< overlap is conflict */
#define VCS_XMERGE_EAGER 1         /**< ... unless both sides agree */
#define VCS_XMERGE_ZEALOUS 2       /**< conflicts cut to the lines that
                                        differ (git merge) */
#define VCS_XMERGE_ZEALOUS_ALNUM 3 /**< and joined across lines without
                                        letters or digits (merge-file) */

/** Conflict output styles (git's merge.conflictStyle). */
#define VCS_XMERGE_STYLE_MERGE 0
#define VCS_XMERGE_STYLE_DIFF3 1

typedef struct vcs_xmerge_opts {
	int level;             /**< VCS_XMERGE_* level */
	int style;             /**< VCS_XMERGE_STYLE_* */
	int marker_size;       /**< 7 in git; <= 0 means 7 */
	const char *ours;      /**< label after "<<<<<<<", or NULL */
	const char *base;      /**< label after "|||||||", or NULL */
	const char *theirs;    /**< label after ">>>>>>>", or NULL */
} vcs_xmerge_opts;

#define VCS_XMERGE_OPTS_INIT \
	{ VCS_XMERGE_ZEALOUS, VCS_XMERGE_STYLE_MERGE, 7, NULL, NULL, NULL }

/**
 * vcs_xmerge -- git's xdl_merge(): merge the changes base -> ours and
 * base -> theirs, line by line, writing conflicts with git's markers.
 * @param[out] out  the merged text is appended.
 * @return the number of conflicts (>= 0), or PMDB_ENOMEM.
 * Threads: pure. Persistence: none.
 */
int vcs_xmerge(vcs_str *out, const void *base, size_t base_len,
	       const void *ours, size_t ours_len, const void *theirs,
	       size_t theirs_len, const vcs_xmerge_opts *o);

/* ------------------------------------------------------------------ */
/* Tree merge (vcs/merge_tree.c)                                       */
/* ------------------------------------------------------------------ */

/** What happened to one path. */
typedef enum vcs_merge_kind {
	VCS_MERGE_AUTO = 1,        /**< content merged cleanly */
	VCS_MERGE_CONTENT,         /**< CONFLICT (content) */
	VCS_MERGE_ADD_ADD,         /**< CONFLICT (add/add) */
	VCS_MERGE_MODIFY_DELETE,   /**< CONFLICT (modify/delete), theirs
	                                deleted it */
	VCS_MERGE_DELETE_MODIFY,   /**< ... ours deleted it */
	VCS_MERGE_TYPE,            /**< CONFLICT (distinct types) or a
	                                binary/symlink conflict: ours kept */
	VCS_MERGE_DIR_FILE         /**< CONFLICT (file/directory) */
} vcs_merge_kind;

typedef struct vcs_merge_note {
	char *path;            /**< owned */
	vcs_merge_kind kind;
	char *moved;           /**< file/directory: where the file went */
	int binary;            /**< content conflict of a binary file */
} vcs_merge_note;

typedef struct vcs_merge_result {
	pmdb_oid tree;         /**< the merged tree (conflict files with
	                            their markers), put in the caller's txn */
	vcs_merge_note *notes; /**< in path order */
	size_t n;
	size_t conflicts;      /**< notes that are conflicts */
} vcs_merge_result;

typedef struct vcs_merge_tree_opts {
	int style;             /**< VCS_XMERGE_STYLE_* */
	const char *ours;      /**< label of ours ("HEAD") */
	const char *theirs;    /**< label of theirs (the branch as named) */
	const char *base;      /**< label of the base (diff3) */
	int marker_size;       /**< 7; git adds 2 inside a virtual base */
} vcs_merge_tree_opts;

/**
 * vcs_merge_trees -- git's ort merge of trees ours and theirs with base
 * (NULL: empty tree) without rename detection: paths both sides changed
 * are merged line by line; the result's blobs and trees are put in txn.
 * @param[out] res  caller releases it with vcs_merge_result_clear().
 * @return 0 (clean or not: see res->conflicts), PMDB_ENOTFOUND,
 *  PMDB_ECORRUPT, PMDB_ENOMEM, a txn error (the txn is then poisoned).
 * Persistence: objects in txn only; refs and working tree untouched.
 */
int vcs_merge_trees(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *base,
		    const pmdb_oid *ours, const pmdb_oid *theirs,
		    const vcs_merge_tree_opts *o, vcs_merge_result *res);

void vcs_merge_result_clear(vcs_merge_result *res);

/* ------------------------------------------------------------------ */
/* The unfinished merge (vcs/merge_state.c)                            */
/* ------------------------------------------------------------------ */

/** The internal ref naming the record of an unfinished merge. */
#define VCS_MERGE_STATE_REF "merge/state"

/** What git keeps in MERGE_HEAD, ORIG_HEAD, MERGE_MSG and its index's
 *  conflict stages (docs/format.md "merge state"). */
typedef struct vcs_merge_state {
	pmdb_oid orig_head;    /**< HEAD before the merge */
	pmdb_oid orig_tree;    /**< its tree (what --abort goes back to) */
	pmdb_oid result_tree;  /**< the tree written into the working tree */
	pmdb_oid *heads;       /**< MERGE_HEAD: the commits merged */
	size_t nheads;
	char *msg;             /**< MERGE_MSG (NUL-terminated) */
	char **paths;          /**< conflicted paths, sorted */
	unsigned char *kinds;  /**< their vcs_merge_kind, one per path */
	size_t npaths;
} vcs_merge_state;

/**
 * vcs_merge_state_write -- record st in txn (a PMDB_OBJ_LOG record named
 * by VCS_MERGE_STATE_REF), expecting no merge to be recorded.
 * @return 0, PMDB_ENOMEM, a txn error. Persistence: with txn's commit.
 */
int vcs_merge_state_write(vcs_repo *repo, pmdb_txn *txn,
			  const vcs_merge_state *st);

/**
 * vcs_merge_state_read -- the recorded merge into out.
 * @return 0, PMDB_ENOTFOUND (no merge in progress), PMDB_ECORRUPT,
 *  PMDB_ENOMEM. Free with vcs_merge_state_clear().
 */
int vcs_merge_state_read(vcs_repo *repo, vcs_merge_state *out);

/** vcs_merge_state_remove -- drop the record in txn (the merge is
 *  concluded or aborted). 0 or a txn error. */
int vcs_merge_state_remove(vcs_repo *repo, pmdb_txn *txn);

void vcs_merge_state_clear(vcs_merge_state *st);

/**
 * vcs_merge_unresolved -- 1 if the working tree file path (relative to
 * repo->worktree) still holds a line opening or closing a conflict
 * ("<<<<<<< " or ">>>>>>> ", git's marker size): the user has not
 * resolved it. A missing or unreadable file is resolved (0): there is no
 * index, so this is how a resolution is marked (docs/merge.md).
 * Threads: any. Persistence: none (reads the working tree).
 */
int vcs_merge_unresolved(const vcs_repo *repo, const char *path);

#endif /* VCS_MERGE_H */
