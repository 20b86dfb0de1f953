/*
 * undo.h -- moving a branch back and putting files back: the machinery of
 * reset (vcs/reset.c), and of restore, checkout <rev> -- <path> and
 * commit <path> (pathspecs: vcs/pathsel.c).
 *
 * There is no index (docs/undo.md): the "index" of git's commands is
 * HEAD's tree here, so reset --soft and --mixed both only move the
 * branch, and restore without --source takes files from HEAD.
 *
 * Threads: as vcs.h; each call belongs to one thread. Persistence: ref
 * changes are one pmdb transaction each; working tree files are written
 * to a temp name and renamed into place (vcs/checkout.c), before the ref
 * moves, so a crash leaves the old ref with some files already new.
 */
#ifndef VCS_UNDO_H
#define VCS_UNDO_H

#include "vcs.h"
#include "worktree.h"

struct vcs_file_io;

/** HEAD as read once at the start of a command. */
typedef struct vcs_head_state {
	char ref[PMDB_REF_NAME_MAX + 1]; /**< the branch HEAD names, "" when
	                                      detached */
	int born;                        /**< commit and tree are valid */
	pmdb_oid commit;
	pmdb_oid tree;
} vcs_head_state;

/** vcs_head_read -- fill out. @return 0, read errors (message set). */
int vcs_head_read(vcs_repo *repo, vcs_head_state *out);

/**
 * vcs_reset_ref -- set the branch of head (HEAD itself when detached) to
 * commit, compare-and-swap against head->commit (absent when unborn),
 * logged with ident ("Name <email> <time> <tz>") and msg, as git's reset
 * logs it ("reset: moving to <rev>"; logged even when nothing moves).
 * @return 0, PMDB_ECONFLICT (the ref moved since head was read), pmdb
 *  errors; the message is set.
 * Persistence: one transaction.
 */
int vcs_reset_ref(vcs_repo *repo, const vcs_head_state *head,
		  const pmdb_oid *commit, const char *ident, const char *msg);

/**
 * vcs_reset_hard -- git reset --hard: the working tree goes from head's
 * tree to commit's (local changes to tracked files are overwritten, files
 * tracked in head but not in commit are removed, untracked files in the
 * way are replaced, other untracked files stay), then vcs_reset_ref().
 * io: file_io.h handle (NULL: plain writes). res as vcs_checkout_tree's
 * (res->invalid: a path git refuses to write; nothing was touched).
 * @return 0, PMDB_EINVAL (invalid path), PMDB_ECONFLICT (ref moved:
 *  the files are already written), read/write errors.
 */
int vcs_reset_hard(vcs_repo *repo, struct vcs_file_io *io,
		   const vcs_head_state *head, const pmdb_oid *commit,
		   const char *ident, const char *msg, vcs_checkout_result *res);

/* ------------------------------------------------------------------ */
/* Path selection (vcs/pathsel.c)                                      */
/* ------------------------------------------------------------------ */

/** A command's pathspecs, made root-relative. */
typedef struct vcs_pathsel {
	char **items;          /**< owned: root-relative, "" = everything */
	char **orig;           /**< borrowed: as the user wrote them */
	int *glob;             /**< item holds a wildcard (* ? [) */
	unsigned char *hit;    /**< matched something (set by match) */
	size_t n;
} vcs_pathsel;

/**
 * vcs_pathsel_init -- args (relative to prefix, the cwd below the root:
 * "" or "dir/sub") as git reads pathspecs: "." and ".." resolved, a
 * trailing "/" dropped. @return 0, PMDB_EINVAL (a path leaves the work
 * tree; message "'<arg>' is outside repository"), PMDB_ENOMEM.
 */
int vcs_pathsel_init(vcs_pathsel *ps, const char *prefix, char **args,
		      size_t n);
void vcs_pathsel_free(vcs_pathsel *ps);
/** vcs_path_normalize -- prefix/arg (root-relative prefix, "" at the
 *  root) with "." and ".." resolved and no empty or trailing components,
 *  as a new string the caller frees; NULL with *outside set when it
 *  leaves the work tree, NULL alone when out of memory. */
char *vcs_path_normalize(const char *prefix, const char *arg, int *outside);
/** vcs_pathsel_prefix -- the part of cwd (absolute) below worktree, the
 *  prefix for vcs_pathsel_init: "" at the root or outside it; points
 *  into cwd. */
const char *vcs_pathsel_prefix(const char *worktree, const char *cwd);

/** vcs_pathsel_match -- does the root-relative path match an item (the
 *  path itself, a directory above it, or a wildcard pattern where '*'
 *  crosses '/', as git's)? Marks the items that match in ps->hit. */
int vcs_pathsel_match(vcs_pathsel *ps, const char *path);

/** vcs_pathsel_unmatched -- the first item that matched nothing (its
 *  original text), or NULL. */
const char *vcs_pathsel_unmatched(const vcs_pathsel *ps, size_t *from);

/**
 * vcs_pathsel_select -- commit <paths>: the entries of head (HEAD's tree
 * flattened) whose paths match no item of ps, and the entries of wt (the
 * scanned working tree) whose paths match one, into out (empty), sorted.
 * A matching path HEAD has and the working tree lacks is left out (its
 * deletion is committed). Entries keep their ids and stat data; ps->hit
 * is set from both lists. @return 0, PMDB_ENOMEM.
 */
int vcs_pathsel_select(vcs_pathsel *ps, const vcs_wt_list *head,
			const vcs_wt_list *wt, vcs_wt_list *out);

/**
 * vcs_restore_paths -- write the files of source (a flattened tree) that
 * match ps into the working tree, overwriting local changes. no_overlay
 * (git restore): files of head (HEAD's tree, flattened) that match ps
 * but are not in source are removed too; overlay (git checkout <rev> --):
 * they stay. Untracked files matching ps are left alone. Both lists are
 * sorted; ps->hit is set from both.
 * @return 0, PMDB_EINVAL (res->invalid), read/write errors.
 */
int vcs_restore_paths(vcs_repo *repo, struct vcs_file_io *io,
		      const vcs_wt_list *head, const vcs_wt_list *source,
		      vcs_pathsel *ps, int no_overlay,
		      vcs_checkout_result *res);

#endif /* VCS_UNDO_H */
