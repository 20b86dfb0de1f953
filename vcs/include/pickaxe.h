/*
 * pickaxe.h -- git's log -S<string> and -G<regex>: which files of a
 * commit's diff change the number of occurrences of a string (-S; a
 * regex with --pickaxe-regex) or add or remove a line matching a regex
 * (-G).
 *
 * Threads: a vcs_pickaxe is read-only once made. Persistence: reads only.
 */
#ifndef VCS_PICKAXE_H
#define VCS_PICKAXE_H

#include <regex.h>

#include "pathspec.h"
#include "vcs.h"

typedef struct vcs_pickaxe {
	int kind;              /**< 'S' or 'G'; 0: none */
	int regex;             /**< -S takes a regex (--pickaxe-regex) */
	const char *needle;    /**< borrowed */
	regex_t re;            /**< compiled when regex or 'G' */
} vcs_pickaxe;

/**
 * vcs_pickaxe_init -- compile the needle (regexes as git's: extended,
 * newline-sensitive).
 * @return 0, or PMDB_EINVAL with git's "invalid regex" message.
 */
int vcs_pickaxe_init(vcs_pickaxe *p, int kind, const char *needle, int regex);

/**
 * vcs_pickaxe_files -- the files changed between trees a (NULL: empty)
 * and b, within limit (may be empty: all), whose change matches: each
 * is added to out as a literal path from the root, so that a diff with
 * out shows those files only, as git's pickaxe filters the diff queue.
 * @return how many matched (>= 0), or a negative PMDB_E* code.
 */
int vcs_pickaxe_files(vcs_repo *repo, const vcs_pickaxe *p,
		      const pmdb_oid *a, const pmdb_oid *b,
		      const vcs_pathspec *limit, vcs_pathspec *out);

/** vcs_pickaxe_free -- release the regex. */
void vcs_pickaxe_free(vcs_pickaxe *p);

#endif /* VCS_PICKAXE_H */
