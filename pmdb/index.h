/*
 * index.h -- the persistent object index (index.c).
 */
#ifndef PMDB_INDEX_H
#define PMDB_INDEX_H

#include "env.h"

static inline uint64_t
pmdb_index__home(const uint8_t *id, unsigned bits)
{
	uint64_t x = (uint64_t)id[0] << 56 | (uint64_t)id[1] << 48 |
		     (uint64_t)id[2] << 40 | (uint64_t)id[3] << 32 |
		     (uint64_t)id[4] << 24 | (uint64_t)id[5] << 16 |
		     (uint64_t)id[6] << 8 | id[7];
	return bits ? x >> (64 - bits) : 0;
}
struct pmdb_slot *pmdb_index__find(const struct pmdb_view *v,
				   const uint8_t *id, size_t hlen,
				   uint64_t *meta, uint64_t *loc);
uint64_t pmdb_index__insert(struct pmdb_pindex *ix, const uint8_t *id,
			    size_t hlen, uint64_t meta, uint64_t loc);
int pmdb_index__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out);
int pmdb_index__reserve(struct pmdb_env *env, uint64_t nnew);
void pmdb_index__delete(struct pmdb_pindex *ix, uint64_t pos);

/* pmdb_index__visible -- 1 if the record at loc is committed (index.c
 * invariant 5). Inline: every lookup calls it. */
static inline int
pmdb_index__visible(const struct pmdb_view *v, uint64_t loc)
{
	uint32_t x = PMDB_LOC_EXT(loc);

	/* acquire pairs with the writer's release of the tail after the
	 * commit point */
	return x < PMDB_EXT_MAX &&
	       PMDB_LOC_OFFSET(loc) <
	       __atomic_load_n(&v->ext[x].tail, __ATOMIC_ACQUIRE);
}

#endif
