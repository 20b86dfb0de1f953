/*
 * fsck.h -- reachability over the object graph (refs -> commits -> trees
 * -> blobs, tags -> objects), the store check behind `pmvcs fsck`, and
 * `pmvcs gc` (free what no ref reaches).
 *
 * Threads: these run as readers (gc takes the env's write slot only inside
 * pmdb_env_gc); one call per vcs_oidset at a time.
 */
#ifndef VCS_FSCK_H
#define VCS_FSCK_H

#include "vcs.h"

/* ------------------------------------------------------------------ */
/* Set of ids (open addressing)                                        */
/* ------------------------------------------------------------------ */

typedef struct vcs_oidset {
	pmdb_oid *slots;       /**< zero id = empty slot */
	size_t cap, n;         /**< cap is a power of two */
	int has_zero;          /**< the all-zero id is a member */
} vcs_oidset;

#define VCS_OIDSET_INIT { NULL, 0, 0, 0 }

/** vcs_oidset_add -- insert; returns 1 if new, 0 if present, ENOMEM. */
int vcs_oidset_add(vcs_oidset *s, const pmdb_oid *oid);
/** vcs_oidset_has -- 1 if oid is a member. */
int vcs_oidset_has(const vcs_oidset *s, const pmdb_oid *oid);
/** vcs_oidset_free -- release and reset. NULL-safe. */
void vcs_oidset_free(vcs_oidset *s);

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

#define VCS_FSCK_FULL     0x1u  /**< re-hash every object (git's default) */
#define VCS_FSCK_VERBOSE  0x2u  /**< "Checking <type> <id>" lines */
#define VCS_FSCK_DANGLING 0x4u  /**< report unreferenced objects */

/** Counters of one vcs_fsck() run. */
typedef struct vcs_fsck_result {
	uint64_t store_problems;   /**< from pmdb_env_check() */
	uint64_t missing, broken, bad, dangling;
	uint64_t reachable;        /**< objects reached from refs */
} vcs_fsck_result;

/**
 * vcs_fsck -- check the store (pmdb_env_check), then walk everything
 * reachable from every ref and HEAD, printing git fsck's lines to out:
 * "missing <type> <id>", "broken link from <type> <id>\n              to
 * <type> <id>", "bad object <id>: <cause>", "dangling <type> <id>",
 * "error in ref <name>: <cause>".
 * @return 0 (problems are counted in res), PMDB_ENOMEM, PMDB_ERROR.
 */
int vcs_fsck(vcs_repo *repo, unsigned flags, FILE *out, vcs_fsck_result *res);

/**
 * vcs_reachable -- every id reachable from all refs and HEAD (objects
 * that are missing are not added; problems are not reported).
 * @return 0, PMDB_ENOMEM, PMDB_ECORRUPT (a reachable object is unreadable:
 *  gc must not run then).
 */
int vcs_reachable(vcs_repo *repo, vcs_oidset *out);

/**
 * vcs_reachable_more -- add to set everything reachable from roots (what
 * set holds already is not walked again). On failure set keeps what was
 * added. @return as vcs_reachable().
 */
int vcs_reachable_more(vcs_repo *repo, vcs_oidset *set, const pmdb_oid *roots,
		       size_t n);

/** What `pmvcs gc` expires and prunes; times are seconds since the epoch,
 *  INT64_MIN keeps everything ("never"). */
typedef struct vcs_gc_opts {
	int64_t reflog_expire;        /**< drop log entries older (90 days) */
	int64_t reflog_expire_unreach;/**< ... older and not reachable from
	                                   the ref's value (30 days) */
	int64_t prune_expire;         /**< keep unreachable objects at least
	                                   this young (two weeks) */
} vcs_gc_opts;

/**
 * vcs_gc -- expire reflog entries (vcs_reflog_expire_all()), then drop
 * every object not reachable from a ref, HEAD, a reflog entry, or an
 * unreachable commit or tag younger than opts->prune_expire (its
 * committer/tagger date: docs/design.md "gc"), and compact the pool
 * (pmdb_env_gc). st->freed counts the git objects dropped (reflog records
 * are not counted).
 * @return 0, PMDB_ECORRUPT (refused: the graph is damaged), PMDB_ENOSPC,
 *  PMDB_ENOMEM, PMDB_EPANIC.
 */
int vcs_gc(vcs_repo *repo, const vcs_gc_opts *opts, pmdb_gc_stat *st);

/**
 * vcs_reflog_expire -- git reflog expire: drop the entries of ref's log
 * older than expire, and those older than expire_unreach whose new value
 * is not reachable from the ref's current value, in one transaction.
 * ref NULL: every log. @return 0, PMDB_ECONFLICT (a log moved meanwhile),
 *  pmdb and read errors (message set).
 */
int vcs_reflog_expire(vcs_repo *repo, const char *ref, int64_t expire,
		      int64_t expire_unreach);

/**
 * vcs_expiry_parse -- a git expiry date: "now"/"all" (everything is older:
 * INT64_MAX), "never"/"false" (INT64_MIN), "<epoch>", "@<epoch>", or
 * "<n>.<unit>.ago" (also with spaces; seconds to years, a month is 30
 * days). @return 0, -1 if s is none of these.
 */
int vcs_expiry_parse(const char *s, int64_t now, int64_t *out);

#endif /* VCS_FSCK_H */
