/*
 * extent.h -- extents and the records in them (extent.c).
 */
#ifndef PMDB_EXTENT_H
#define PMDB_EXTENT_H

#include "env.h"

int pmdb_extent__add(struct pmdb_env *env, uint64_t minsize, uint32_t *ext);
uint64_t pmdb_extent__size(uint64_t held, uint64_t minsize);
int pmdb_extent__alloc(struct pmdb_env *env, PMEMoid *oid, uint64_t size);
uint64_t pmdb_extent__trim(struct pmdb_env *env);
uint32_t pmdb_rec__crc(const struct pmdb_rec *r);
int pmdb_rec__check(struct pmdb_env *env, const struct pmdb_view *v,
		    uint64_t loc, const struct pmdb_rec **out);
int pmdb_rec__check_id(struct pmdb_env *env, const struct pmdb_view *v,
		       uint64_t loc, const uint8_t *id,
		       const struct pmdb_rec **out);
int pmdb_rec__load(struct pmdb_env *env, const struct pmdb_rec *r,
		   pmdb_buf *buf);

#endif
