/*
 * view.c -- publishing a new reader view and retiring the old one
 * (epoch.c frees it once no reader can hold it).
 */
#include <stdlib.h>
#include "epoch.h"
#include "pool.h"

/* pmdb_view__dup -- a malloc'd copy of the current view (writer only). */
struct pmdb_view *
pmdb_view__dup(struct pmdb_env *env)
{
	struct pmdb_view *nv = malloc(sizeof(*nv));

	if (nv)
		*nv = *env->view;
	return nv;
}

/* pmdb_view__publish -- make nv current and retire the old view (the
 * caller retires what else it replaced). Writer only. The old view is
 * dead on return, as after free(): when the retire record cannot be
 * allocated it is freed at once, after a full grace period (epoch.c);
 * a caller that needs its fields reads them before. */
int
pmdb_view__publish(struct pmdb_env *env, struct pmdb_view *nv)
{
	struct pmdb_view *old = env->view;

	/* seq_cst (release and more): everything nv points to (a filled
	 * index, a ref table) is visible to a reader that loads the view,
	 * and the store precedes our later seq_cst reads of the readers'
	 * epoch flags (epoch.c invariant 2). */
	__atomic_store_n(&env->view, nv, __ATOMIC_SEQ_CST);
	pmdb_epoch__retire(env, pmdb_epoch__free_dram, old);
	return 0;
}

/*
 * pmdb_view__install -- end a table's growth: persist the new table noid
 * (len bytes: durable before the root names it), point *field (a root
 * pointer) at it in one small pmemobj tx, publish want (the current view
 * with the new table's fields) and retire the old table and view. Writer
 * only. On failure noid is freed and nothing changed. @return 0,
 * PMDB_ENOMEM (what names the growth), PMDB_ENOSPC.
 */
int
pmdb_view__install(struct pmdb_env *env, PMEMoid *field, PMEMoid noid,
		   size_t len, const struct pmdb_view *want, const char *what)
{
	struct pmdb_view *nv = malloc(sizeof(*nv));
	PMEMoid *old = malloc(sizeof(*old));
	int rc;

	pmdb_pool__persist(env, pmemobj_direct(noid), len);
	if (!old || !nv) {
		rc = pmdb__seterr(PMDB_ENOMEM, "%s", what);
		goto fail;
	}
	*old = *field;
	if ((rc = pmdb_pool__swap(env, field, noid)))
		goto fail;
	*nv = *want;
	pmdb_view__publish(env, nv);
	pmdb_epoch__retire(env, pmdb_epoch__free_pmem, old);
	return 0;
fail:
	free(old);
	free(nv);
	pmemobj_free(&noid);
	return rc;
}
