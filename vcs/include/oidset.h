/*
 * oidset.h -- a set of object ids: open addressing keyed by an id's
 * first bytes (ids are hashes), no allocation per id. The history walks
 * use it for "seen" (revwalk.c, revision_objects.c).
 *
 * Threads: a set belongs to one thread. Persistence: DRAM only.
 */
#ifndef VCS_OIDSET_H
#define VCS_OIDSET_H

#include <stdint.h>

#include "pmdb.h"

typedef struct vcs_oidset {
	pmdb_oid *slots;
	uint8_t *used;
	size_t cap, n;         /* cap: a power of two, n <= cap / 2 */
} vcs_oidset;

#define VCS_OIDSET_INIT { NULL, NULL, 0, 0 }

/** vcs_oidset_add -- insert oid: 1 if new, 0 if present, PMDB_ENOMEM
 *  (the set is unchanged then). */
int vcs_oidset_add(vcs_oidset *s, const pmdb_oid *oid);

/** vcs_oidset_free -- release; the set is empty again. */
void vcs_oidset_free(vcs_oidset *s);

#endif /* VCS_OIDSET_H */
