/*
 * epoch.h -- epoch-based reclamation (epoch.c) and the reader view
 * (view.c).
 */
#ifndef PMDB_EPOCH_H
#define PMDB_EPOCH_H

#include "env.h"

/* epoch.c */
int pmdb_epoch__init(struct pmdb_env *env);
void pmdb_epoch__fini(struct pmdb_env *env);
struct pmdb_erec *pmdb_epoch__enter(struct pmdb_env *env);
void pmdb_epoch__leave(struct pmdb_erec *rec);
void pmdb_epoch__retire(struct pmdb_env *env,
			void (*fn)(struct pmdb_env *, void *), void *p);
void pmdb_epoch__reclaim(struct pmdb_env *env, int wait);
void pmdb_epoch__free_dram(struct pmdb_env *env, void *p);
void pmdb_epoch__free_pmem(struct pmdb_env *env, void *p);

/** pmdb_view__get -- the current view (caller is inside an epoch or is
 *  the writer). seq_cst (a plain load on x86): acquire for the view's
 *  contents, and ordered after the epoch entry's seq_cst store (epoch.c). */
static inline struct pmdb_view *
pmdb_view__get(struct pmdb_env *env)
{
	return __atomic_load_n(&env->view, __ATOMIC_SEQ_CST);
}

/* view.c */
struct pmdb_view *pmdb_view__dup(struct pmdb_env *env);
int pmdb_view__publish(struct pmdb_env *env, struct pmdb_view *nv);
int pmdb_view__install(struct pmdb_env *env, PMEMoid *field, PMEMoid noid,
		       size_t len, const struct pmdb_view *want,
		       const char *what);

#endif
