/*
 * diff.h -- git's diff output (unified patch, --stat, --name-only,
 * --name-status) for files and trees held in the pool or given as bytes.
 *
 * The line diff is Myers' O(ND) algorithm with git's xdiff post-processing
 * (slider compaction with the indent heuristic, which git enables by
 * default since 2.14), so patches are byte-identical to git's on ordinary
 * source changes. Hunk headers carry git's default function context: the
 * nearest preceding line starting with a letter, '_' or '$'.
 *
 * Differences from git (documented in vcs/diff.c too): no rename or copy
 * detection (a rename is a delete plus an add, as with git's --no-renames);
 * no combined diffs for merges; binary detection is git's default (a NUL
 * byte in the first 8000 bytes), without .gitattributes.
 *
 * Threads: every call uses only its arguments; several may run at once on
 * one vcs_repo (object reads are lock-free).
 */
#ifndef VCS_DIFF_H
#define VCS_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "vcs.h"

/* ------------------------------------------------------------------ */
/* Options and accumulated per-file counts                             */
/* ------------------------------------------------------------------ */

/** One file's line counts, collected for --stat / --numstat. */
typedef struct vcs_diff_filestat {
	char *path;            /**< owned; path after the change (before if
	                            deleted) */
	size_t added, deleted; /**< lines; 0 for binary */
	int binary;            /**< 1: "Bin" in --stat */
	uint64_t size_a, size_b;  /**< bytes, for binary "Bin a -> b bytes" */
} vcs_diff_filestat;

/** Growable list of vcs_diff_filestat; start with VCS_DIFF_STAT_INIT,
 *  release with vcs_diff_stat_free(). */
typedef struct vcs_diff_stat {
	vcs_diff_filestat *files;
	size_t n, cap;
} vcs_diff_stat;

#define VCS_DIFF_STAT_INIT { NULL, 0, 0 }

/** What to print. Start from VCS_DIFF_OPTS_INIT (a patch with 3 lines of
 *  context). Several output kinds may be combined as git allows
 *  (--stat with -p prints the stat, then the patch). */
typedef struct vcs_diff_opts {
	int context;           /**< -U<n>: lines of context (git: 3) */
	int patch;             /**< print the unified patch (default 1) */
	int stat;              /**< --stat: counts go to acc (required) */
	int name_only;         /**< --name-only: "<path>\n" per file */
	int name_status;       /**< --name-status: "M\t<path>\n" per file */
	int quiet;             /**< print nothing; only report changes */
	int abbrev;            /**< hex digits of ids in "index" lines;
	                            0 = 7 (extended until unique like git) */
	int full_index;        /**< --full-index: whole ids */
	vcs_diff_stat *acc;    /**< per-file counts are appended here when
	                            non-NULL (needed for stat) */
	const struct vcs_pathspec *ps; /**< vcs_diff_trees: only the paths
	                            it selects (log -- PATH); NULL: all */
	uint64_t big;          /**< pool blobs of at least this size are
	                            binary, never read (git's
	                            core.bigFileThreshold rule); 0 =
	                            VCS_BIG_THRESHOLD_DEFAULT */
} vcs_diff_opts;

#define VCS_DIFF_OPTS_INIT { 3, 1, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 }

/* ------------------------------------------------------------------ */
/* Diffing                                                             */
/* ------------------------------------------------------------------ */

/** One side of a file pair. */
typedef struct vcs_diff_side {
	const char *path;      /**< path from the root, '/'-separated */
	uint32_t mode;         /**< git mode (VCS_MODE_*); 0 = absent */
	pmdb_oid oid;          /**< blob id; all zero if unknown (then it is
	                            computed from data for the "index" line) */
	const void *data;      /**< the bytes when they are not in the pool
	                            (working tree; a symlink's target), else
	                            NULL: read from the pool by oid */
	size_t len;            /**< bytes at data */
	int unread;            /**< a big work-tree file left unread (git:
	                            over core.bigFileThreshold): binary, of
	                            len bytes, oid known; data is NULL */
} vcs_diff_side;

/**
 * vcs_diff_pair -- append the diff of one file, as git prints it:
 * "diff --git a/p b/p", mode lines (new/deleted file mode, old/new mode),
 * "index <a>..<b>[ <mode>]", "--- a/p" / "+++ b/p" and the hunks, or
 * "Binary files a/p and b/p differ"; "\ No newline at end of file" where
 * due. Paths are quoted as git quotes them. Name-only / name-status lines
 * and stat counts follow o.
 * @param[in] repo   for pool reads and id abbreviation.
 * @param[out] out   text is appended.
 * @param[in] a,b    old and new side (mode 0 on one side: added/deleted).
 * @param[in] o      NULL for VCS_DIFF_OPTS_INIT.
 * @return 1 if the sides differ (content or mode), 0 if identical (nothing
 *  appended), PMDB_ENOTFOUND / PMDB_ECORRUPT (a blob cannot be read),
 *  PMDB_ENOMEM.
 */
int vcs_diff_pair(vcs_repo *repo, vcs_str *out, const vcs_diff_side *a,
		  const vcs_diff_side *b, const vcs_diff_opts *o);

/**
 * vcs_diff_trees -- diff two trees recursively in git's path order, as
 * "git diff --no-renames A B" does; subtrees with equal ids are skipped
 * without being read. With o->stat the stat block is printed (before the
 * patch, as git does) from an internal accumulator when o->acc is NULL.
 * @param[in] a,b      tree ids, NULL for the empty tree.
 * @param[out] out     text is appended.
 * @param[out] changed number of files that differ (may be NULL).
 * @return 0, PMDB_ENOTFOUND, PMDB_ECORRUPT, PMDB_EINVAL (not a tree),
 *  PMDB_ENOMEM.
 */
int vcs_diff_trees(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b,
		   const vcs_diff_opts *o, vcs_str *out, size_t *changed);

/**
 * vcs_diff_stat_format -- append git's --stat block for the collected
 * files (" path | 12 ++++--", then " N files changed, X insertions(+),
 * Y deletions(-)"), scaled to width columns like git (80 when not on a
 * terminal). Nothing is appended when st is empty.
 * @return 0, PMDB_ENOMEM.
 */
int vcs_diff_stat_format(vcs_str *out, const vcs_diff_stat *st, int width);

/** vcs_diff_stat_add -- append an entry for path (copied; counts zero,
 *  for the caller to fill); NULL when out of memory. */
vcs_diff_filestat *vcs_diff_stat_add(vcs_diff_stat *st, const char *path);

/** vcs_diff_stat_free -- release the list and reset it. NULL-safe. */
void vcs_diff_stat_free(vcs_diff_stat *st);

/* ------------------------------------------------------------------ */
/* Text diff on bytes (the engine; used by the unit tests)             */
/* ------------------------------------------------------------------ */

/**
 * vcs_diff_text -- append only the hunks ("@@ ... @@" and lines) of a
 * line diff of two buffers, as git prints them after the "+++" line.
 * @param[out] added,deleted line counts (may be NULL).
 * @return 0, PMDB_ENOMEM.
 */
int vcs_diff_text(vcs_str *out, const void *a, size_t alen, const void *b,
		  size_t blen, int context, size_t *added, size_t *deleted);

/** vcs_diff_is_binary -- git's default test: a NUL in the first 8000
 *  bytes. */
int vcs_diff_is_binary(const void *data, size_t len);

#endif /* VCS_DIFF_H */
