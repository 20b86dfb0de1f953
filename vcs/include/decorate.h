/*
 * decorate.h -- git's ref decorations of commits (log --decorate, %d,
 * %D): which refs point at an object, named and ordered as git shows
 * them ("HEAD -> master, tag: v1.0, origin/main").
 *
 * Threads: a vcs_decor is read-only once loaded; share it freely.
 * Persistence: reads refs only.
 */
#ifndef VCS_DECORATE_H
#define VCS_DECORATE_H

#include "vcs.h"

typedef struct vcs_decor vcs_decor;

/**
 * vcs_decor_load -- every ref git decorates with (refs/heads/,
 * refs/remotes/, refs/tags/, refs/stash and HEAD; an annotated tag
 * decorates the tag and what it points at), names in full (git's
 * --decorate=full) or short.
 * @return 0, PMDB_ENOMEM, or a read error (vcs_errmsg() says which).
 */
int vcs_decor_load(vcs_decor **out, vcs_repo *repo, int full);

/**
 * vcs_decor_format -- append oid's decorations in git's order: with
 * parens, " (a, b)"; without, "a, b"; nothing when it has none.
 * @return 0, PMDB_ENOMEM.
 */
int vcs_decor_format(const vcs_decor *d, const pmdb_oid *oid, vcs_str *out,
		     int parens);

/** vcs_decor_free -- release. NULL-safe. */
void vcs_decor_free(vcs_decor *d);

#endif /* VCS_DECORATE_H */
