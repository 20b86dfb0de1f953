/*
 * gc.c -- free objects that no ref (nor HEAD) reaches.
 *
 * The reachable set is computed first, as a reader; pmdb_env_gc() then
 * keeps exactly that set and compacts the pool, atomically (see pmdb.h).
 * A damaged graph (a reachable object missing or unreadable) stops gc
 * before anything is freed: deleting on the basis of a partial walk could
 * drop objects that a repaired ref still needs.
 */
#include "fsck.h"

/* keep_cb -- pmdb_env_gc's verdict: keep what the walk reached. */
static int
keep_cb(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	(void)type;
	return vcs_oidset_has(ctx, oid);
}

int
vcs_gc(vcs_repo *repo, pmdb_gc_stat *st)
{
	vcs_oidset live = VCS_OIDSET_INIT;
	int rc = vcs_reachable(repo, &live);

	if (rc)
		return rc;
	rc = pmdb_env_gc(repo->env, keep_cb, &live, st);
	if (rc)
		rc = vcs_seterr_pmdb(rc, "collecting garbage");
	vcs_oidset_free(&live);
	return rc;
}
