/*
 * revision.h -- git's revision walk setup, shared by log, rev-list and
 * show: which commits (A..B, A...B, ^A, --not, REV^@, REV^!, --all,
 * --branches, --tags, paths), which of them to show (-n, --skip,
 * --since/--until, --author/--committer/--grep, parent counts, history
 * simplification by paths) and in what order (git's date walk,
 * --topo-order, --date-order, --reverse, --first-parent).
 *
 * Output is git's byte for byte on the same history: the walk is git's
 * (revision.c: process_parents, limit_list, try_to_simplify_commit,
 * get_commit_action, sort_in_topological_order), ties included.
 *
 * Threads: a vcs_rev_info belongs to one thread; it holds no global
 * state, so concurrent walks (served commands) are independent.
 * Persistence: reads only.
 */
#ifndef VCS_REVISION_H
#define VCS_REVISION_H

#include "pathspec.h"
#include "vcs.h"

typedef struct vcs_rev_info vcs_rev_info;

/**
 * vcs_rev_new -- an empty walk over repo.
 * @param cwd  the command's directory (absolute): paths given without
 *  "--" are checked there, pathspecs are read relative to it.
 * @return 0, PMDB_ENOMEM.
 */
int vcs_rev_new(vcs_rev_info **out, vcs_repo *repo, const char *cwd);

/**
 * vcs_rev_setup -- read the arguments the command's own options left:
 * revisions, revision options and paths, as git's setup_revisions does
 * (unknown options are left for the caller in argv, compacted; *left is
 * their count). cmd names the command in git's "ambiguous argument"
 * hint. With no positive revision, def ("HEAD"; NULL: none) is used.
 * @return 0; PMDB_ENOTFOUND / PMDB_EINVAL with git's message
 *  ("bad revision 'x'", "ambiguous argument 'x': ...", "option 'x' must
 *  come before non-option arguments"), PMDB_ENOMEM, read errors.
 */
int vcs_rev_setup(vcs_rev_info *r, int argc, char **argv, int *left,
		  const char *def);

/** vcs_rev_set_now -- "now" for relative dates (--since="2 days ago"):
 *  git's GIT_TEST_DATE_NOW, read by the caller; 0 is the clock. Call
 *  before vcs_rev_setup. */
void vcs_rev_set_now(vcs_rev_info *r, long long now);

/** vcs_rev_max_count -- set -n (negative: no limit); commands whose
 *  option table reads -n hand it over here. */
void vcs_rev_max_count(vcs_rev_info *r, long long n);

/** vcs_rev_unshow -- the commit vcs_rev_next gave last was not shown
 *  after all (log -S/-G: no file matched): it does not count for -n,
 *  as in git's cmd_log_walk. */
void vcs_rev_unshow(vcs_rev_info *r);

/** vcs_rev_simple -- 1 if the walk is git's plain date walk from
 *  positive starts, nothing filtered or reordered (callers may use the
 *  faster vcs_revwalk); *starts / *n are then the starting commits,
 *  valid until the next call on r. */
int vcs_rev_simple(vcs_rev_info *r, const pmdb_oid **starts,
		   size_t *n);

/** vcs_rev_first_parent -- 1 with --first-parent (git's log then shows
 *  a merge's diff against its first parent). */
int vcs_rev_first_parent(const vcs_rev_info *r);

/** vcs_rev_show_parents -- 1 if --parents was given (parents are then
 *  rewritten as git does: vcs_rev_parents names shown commits). */
int vcs_rev_show_parents(const vcs_rev_info *r);

/** vcs_rev_is_boundary -- 1 if the commit vcs_rev_next gave last is a
 *  --boundary commit (git marks it "-"). */
int vcs_rev_is_boundary(const vcs_rev_info *r);

/** vcs_rev_is_left -- 1 if the commit vcs_rev_next gave last is on the
 *  left side of A...B (git's %m shows "<"). */
int vcs_rev_is_left(const vcs_rev_info *r);

/** vcs_rev_given -- 1 if the arguments named any starting point (or
 *  --all and friends, even if they found none): rev-list needs one. */
int vcs_rev_given(const vcs_rev_info *r);

/** vcs_rev_unborn -- 1 if setup fell back to def and def names nothing
 *  (an unborn branch): the caller says so in git's words. */
int vcs_rev_unborn(const vcs_rev_info *r);

/**
 * vcs_rev_next -- the next commit to show (after vcs_rev_setup); the
 * first call prepares the walk (limiting, sorting).
 * @return 1 with *oid set, 0 at the end, or a negative code (an object
 *  missing or unreadable: vcs_errmsg() says which).
 */
int vcs_rev_next(vcs_rev_info *r, pmdb_oid *oid);

/** vcs_rev_parents -- the parents of a commit vcs_rev_next returned, as
 *  git shows them (after history simplification); valid until the next
 *  call. */
size_t vcs_rev_parents(vcs_rev_info *r, const pmdb_oid *oid,
		       const pmdb_oid **out);

/** vcs_rev_count -- rev-list --count: the number of commits the walk
 *  shows (consumes the walk). @return >= 0 or a negative code. */
long long vcs_rev_count(vcs_rev_info *r);

/** Called by vcs_rev_objects for each object; path is "" for a root
 *  tree, the tag's name for a tag. Nonzero stops the walk (returned). */
typedef int (*vcs_rev_object_fn)(const pmdb_oid *oid, const char *path,
				 void *arg);

/**
 * vcs_rev_objects -- rev-list --objects after the commits: the tags given
 * (with their names), then each of the n shown commits' trees and blobs
 * not seen before, depth first in tree order, as git lists them; those
 * of the uninteresting parents of shown commits are left out.
 * @return 0, the callback's nonzero value, or a read error.
 */
int vcs_rev_objects(vcs_rev_info *r, const pmdb_oid *commits, size_t n,
		    vcs_rev_object_fn fn, void *arg);

/** vcs_rev_pathspec -- the paths given (may be empty), e.g. to limit a
 *  diff to them. */
const vcs_pathspec *vcs_rev_pathspec(const vcs_rev_info *r);

/** vcs_rev_free -- release everything. NULL-safe. */
void vcs_rev_free(vcs_rev_info *r);

#endif /* VCS_REVISION_H */
