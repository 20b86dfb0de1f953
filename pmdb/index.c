/*
 * index.c -- the persistent hash index: open addressing, linear probing,
 * home slot = top `bits` bits of the id, lock-free readers.
 *
 * Invariants:
 *  1. A slot with loc != 0 holds a complete id and meta: the writer stores
 *     id and meta first, then loc with release; readers acquire-load loc
 *     and read id/meta only when it is nonzero.
 *  2. While readers may run, a filled slot never changes and is never
 *     emptied (deletion happens only in recovery, before any reader, and
 *     gc builds a new table instead).
 *  3. The load stays <= 3/4 (reserve grows first), so every probe ends at
 *     an empty slot.
 *  4. Entries with home slot h sit at h or after it (cyclically) with no
 *     empty slot between: so ids with one prefix, whose homes form the
 *     range [lo, hi], lie between lo and the first empty slot after hi.
 *  5. An entry is visible to readers only when its record lies below the
 *     extent's committed tail (pmdb_index__visible); entries of a commit
 *     in flight are thus invisible until the commit point.
 *  6. A table replaced by growth is retired through the epochs, never
 *     freed while a reader may hold the view naming it.
 */
#include <stdlib.h>
#include <string.h>
#include "epoch.h"
#include "pool.h"
#include "index.h"

/* pmdb_index__find -- the slot holding id, or NULL. Lock-free. */
struct pmdb_slot *
pmdb_index__find(const struct pmdb_view *v, const uint8_t *id, size_t hlen,
		 uint64_t *meta, uint64_t *loc)
{
	struct pmdb_slot *s = v->index->slot;
	uint64_t pos = pmdb_index__home(id, v->bits);

	for (;;) {
		/* acquire: id/meta of a filled slot are complete (1) */
		uint64_t l = __atomic_load_n(&s[pos].loc, __ATOMIC_ACQUIRE);

		if (!l)
			return NULL;
		if (hlen == 20 ? memcmp(s[pos].id, id, 20) == 0 :
		    memcmp(s[pos].id, id, 32) == 0) {
			*meta = s[pos].meta;
			*loc = l;
			return &s[pos];
		}
		pos = (pos + 1) & v->mask;
	}
}

/* pmdb_index__insert -- put (id, meta, loc) in its first free slot and
 * return the slot number. Writer only; id must be absent. */
uint64_t
pmdb_index__insert(struct pmdb_pindex *ix, const uint8_t *id, size_t hlen,
		   uint64_t meta, uint64_t loc)
{
	uint64_t mask = (1ULL << ix->bits) - 1;
	uint64_t pos = pmdb_index__home(id, (unsigned)ix->bits);
	struct pmdb_slot *s;

	while (__atomic_load_n(&ix->slot[pos].loc, __ATOMIC_RELAXED))
		pos = (pos + 1) & mask;
	s = &ix->slot[pos];
	memcpy(s->id, id, hlen);
	memset(s->id + hlen, 0, PMDB_OID_MAXLEN - hlen);
	s->meta = meta;
	/* release: publishes id and meta with the location (1) */
	__atomic_store_n(&s->loc, loc, __ATOMIC_RELEASE);
	return pos;
}

/* pmdb_index__alloc -- a zeroed table of 2^bits slots, unreferenced until
 * the caller links it (a crash before that leaks it to the sweep). */
int
pmdb_index__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out)
{
	struct pmdb_pindex *ix;

	if (pmdb_pool__zalloc(env, out, sizeof(*ix) +
			      (sizeof(struct pmdb_slot) << bits), PMDB_T_INDEX))
		return pmdb_pool__alloc_error(env, sizeof(*ix) +
					      (sizeof(struct pmdb_slot) << bits),
					      "cannot allocate an index of "
					      "2^%u slots", bits);
	ix = pmemobj_direct(*out);
	ix->magic = PMDB_MAGIC;
	ix->bits = bits;
	return 0;
}

/* pmdb_index__reserve -- grow the index so nnew more entries keep the
 * load <= 3/4 (3). Writer only. @return 0, PMDB_ENOSPC. */
int
pmdb_index__reserve(struct pmdb_env *env, uint64_t nnew)
{
	struct pmdb_view *v = env->view, want;
	uint64_t used = env->root->index_used, need = used + nnew;
	unsigned bits = v->bits;
	struct pmdb_pindex *nix;
	PMEMoid noid;
	int rc = 0;

	while (need > ((3ULL << bits) >> 2))
		bits++;
	if (bits == v->bits)
		return 0;
	if ((rc = pmdb_index__alloc(env, bits, &noid)))
		return rc;
	nix = pmemobj_direct(noid);
	for (uint64_t i = 0; i <= v->mask; i++) {
		struct pmdb_slot *s = &v->index->slot[i];

		if (s->loc)
			pmdb_index__insert(nix, s->id, PMDB_OID_MAXLEN,
					   s->meta, s->loc);
	}
	/* the whole new table is durable before the root names it: after
	 * a crash the root must never point at unflushed slots; the old
	 * table is retired (6) */
	want = *v;
	want.index = nix;
	want.bits = bits;
	want.mask = (1ULL << bits) - 1;
	return pmdb_view__install(env, &env->root->index, noid, sizeof(*nix) +
				  (sizeof(struct pmdb_slot) << bits), &want,
				  "index growth");
}

/* pmdb_index__delete -- empty slot pos by backward-shift deletion and
 * persist what moved. Recovery only: no reader exists (2). */
void
pmdb_index__delete(struct pmdb_pindex *ix, uint64_t pos)
{
	uint64_t mask = (1ULL << ix->bits) - 1, i = pos, j = pos;
	struct pmdb_slot *s = ix->slot;

	memset(&s[i], 0, sizeof(s[i]));
	for (;;) {
		uint64_t k;

		j = (j + 1) & mask;
		if (!s[j].loc)
			break;
		k = pmdb_index__home(s[j].id, (unsigned)ix->bits);
		/* j stays if its home k lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s[i] = s[j];
		memset(&s[j], 0, sizeof(s[j]));
		i = j;
	}
}
