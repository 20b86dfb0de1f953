/*
 * pathspec.h -- git's pathspecs for the history commands: which paths of
 * a tree a command looks at. Paths are '/'-separated from the root.
 *
 * Forms: a literal path (the file, or everything under the directory),
 * a pattern with * ? [ (git's default: fnmatch where '*' also matches
 * '/'), and the magic prefixes ":(glob)" ('*' stops at '/'), ":(literal)",
 * ":(top)" / ":/" (from the root, not the current directory) and
 * ":(exclude)" / ":!" / ":^" (paths to leave out).
 *
 * Threads: a vcs_pathspec is read-only once built; share it freely.
 */
#ifndef VCS_PATHSPEC_H
#define VCS_PATHSPEC_H

#include <stddef.h>

#define VCS_PS_GLOB     0x1u    /* :(glob) */
#define VCS_PS_LITERAL  0x2u    /* :(literal) */
#define VCS_PS_EXCLUDE  0x4u    /* :(exclude), :!, :^ */

typedef struct vcs_pathspec_item {
	char *match;           /**< from the root, normalised; owned */
	size_t len;
	size_t nowild;         /**< bytes before the first wildcard */
	unsigned magic;        /**< VCS_PS_* */
} vcs_pathspec_item;

typedef struct vcs_pathspec {
	vcs_pathspec_item *items;
	size_t n, cap;
	size_t npositive;      /**< items without VCS_PS_EXCLUDE */
} vcs_pathspec;

/**
 * vcs_pathspec_add -- append arg, read relative to prefix (the current
 * directory below the work tree root: "" or "dir/sub/").
 * @return 0; PMDB_EINVAL with vcs_errmsg() in git's words for a path
 *  outside the repository or unknown magic; PMDB_ENOMEM.
 */
int vcs_pathspec_add(vcs_pathspec *ps, const char *prefix, const char *arg);

/** vcs_pathspec_match -- 1 if the file path (len bytes) is selected:
 *  it matches a positive item (or there are only excludes) and no
 *  exclude. An empty pathspec selects everything. */
int vcs_pathspec_match(const vcs_pathspec *ps, const char *path, size_t len);

/** vcs_pathspec_dir -- 0 if nothing under directory dir (no trailing
 *  '/') can be selected, 1 if something may be: a tree walk skips the
 *  directory on 0. */
int vcs_pathspec_dir(const vcs_pathspec *ps, const char *dir, size_t len);

/** vcs_pathspec_is_pattern -- 1 if arg looks like a pathspec rather
 *  than a file name (magic or wildcards), as git's rule for arguments
 *  without "--" asks. */
int vcs_pathspec_is_pattern(const char *arg);

/** vcs_pathspec_free -- release the items. NULL-safe. */
void vcs_pathspec_free(vcs_pathspec *ps);

#endif /* VCS_PATHSPEC_H */
