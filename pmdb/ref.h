/*
 * ref.h -- the persistent ref table (ref.c).
 */
#ifndef PMDB_REF_H
#define PMDB_REF_H

#include "env.h"

int pmdb_ref__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out);
int pmdb_ref__reserve(struct pmdb_env *env, uint64_t nnew);
int pmdb_ref__get(const struct pmdb_view *v, const char *name, uint32_t *flags,
		  pmdb_oid *oid, char *target);
struct pmdb_pref *pmdb_ref__slot_for_write(struct pmdb_env *env,
					   const char *name, int *isnew);
void pmdb_ref__write(struct pmdb_pref *e, uint32_t flags, const pmdb_oid *oid,
		     const char *name, const char *target);
void pmdb_ref__settle(struct pmdb_pref *e);
uint64_t pmdb_ref__count_used(struct pmdb_env *env, struct pmdb_preftab *t);

#endif
