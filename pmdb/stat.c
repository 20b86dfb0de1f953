/*
 * stat.c -- pmdb_env_stat.
 */
#include <stdio.h>
#include <string.h>
#include "epoch.h"
#include "pool.h"

/* pmdb_env_stat -- counters from the root and the current view. */
PMDB_EXPORT int
pmdb_env_stat(pmdb_env *env, pmdb_stat *st)
{
	struct pmdb_root *r = env->root;
	struct pmdb_erec *rec;
	struct pmdb_view *v;
	char parts[4096];
	uint64_t alloc, size, disk;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!st)
		return pmdb__seterr(PMDB_EINVAL, "NULL stat");
	memset(st, 0, sizeof(*st));
	for (int t = 1; t <= 4; t++) {
		st->objects[t] = __atomic_load_n(&r->objects[t],
						 __ATOMIC_RELAXED);
		st->raw_bytes[t] = __atomic_load_n(&r->raw_bytes[t],
						   __ATOMIC_RELAXED);
	}
	st->stored_bytes = __atomic_load_n(&r->stored_bytes, __ATOMIC_RELAXED);
	st->compressed = __atomic_load_n(&r->compressed, __ATOMIC_RELAXED);
	st->index_used = __atomic_load_n(&r->index_used, __ATOMIC_RELAXED);
	st->refs = __atomic_load_n(&r->refs, __ATOMIC_RELAXED);
	st->txn_seq = __atomic_load_n(&r->txn_seq, __ATOMIC_RELAXED);
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	st->index_slots = v->mask + 1;
	/* everything the root reaches; the sweep at open frees the rest */
	alloc = sizeof(*r) + sizeof(struct pmdb_pextab) +
		sizeof(struct pmdb_pindex) +
		st->index_slots * sizeof(struct pmdb_slot) +
		sizeof(struct pmdb_preftab) +
		(v->refmask + 1) * sizeof(struct pmdb_pref);
	for (uint64_t i = 0; i < PMDB_EXT_MAX; i++) {
		if (!__atomic_load_n(&v->ext[i].base, __ATOMIC_ACQUIRE))
			break;
		st->extents++;
		st->extent_bytes += v->extab->ent[i].size;
	}
	alloc += st->extent_bytes;
	pmdb_epoch__leave(rec);
	snprintf(parts, sizeof(parts), "%s/pool", env->dir);
	pmdb_pool__parts(parts, &size, &disk);
	/* what du counts: the parts' allocated blocks, not their length
	 * (unused extent tails and free heap space are holes after close,
	 * pmdb_extent__trim and pmdb_pool__reclaim) */
	st->pool_bytes = disk;
	st->pool_holes = size > disk ? size - disk : 0;
	/* stats.heap.curr_allocated is a persistent PMDK statistic and
	 * stays 0 unless persistent stats are on (which costs a flush per
	 * allocation), so count what the root reaches instead */
	st->pool_free = alloc < size ? size - alloc : 0;
	st->is_pmem = env->is_pmem;
	st->recovered_records = env->recovered;
	return 0;
}
