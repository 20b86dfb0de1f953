/*
 * extent.c -- extents (large allocations records are appended to) and
 * record headers.
 *
 * A new extent is allocated atomically by libpmemobj straight into its
 * extent table entry (the entry owns it even across a crash); its size is
 * persisted next. The entry's committed_tail stays 0 until a commit moves
 * it, so a txn that aborts leaves an empty extent the next txn reuses.
 * Extents are sized to the data (pmdb_extent__size), the pool grows by
 * what a new extent needs (pmdb_extent__alloc), and the unused tails go
 * back to the file system at close (pmdb_extent__trim).
 */
#include <stdio.h>
#include <string.h>
#include "compress.h"
#include "pool.h"
#include "epoch.h"
#include "extent.h"
#include "bigobj.h"

/* pmdb_extent__size -- the request size of a new extent when the pool's
 * extents hold held bytes and a record of minsize must fit: 1/4 of held,
 * at least PMDB_EXT_FIRST and at most PMDB_EXT_LAST (so the unused tail
 * of the newest extent is bounded by a share of the data, not by a
 * doubling), at least minsize; rounded so that PMDK's header and the
 * extent fill whole chunks exactly (a power of two plus the header took
 * one more chunk, and often a whole part more). */
uint64_t
pmdb_extent__size(uint64_t held, uint64_t minsize)
{
	uint64_t size = held / PMDB_EXT_SHARE, chunks;

	size = size < PMDB_EXT_FIRST ? PMDB_EXT_FIRST : size;
	size = size > PMDB_EXT_LAST ? PMDB_EXT_LAST : size;
	chunks = (size + PMDB_CHUNK - 1) / PMDB_CHUNK;
	if (minsize > UINT64_MAX / 2)
		return minsize;
	if (chunks * PMDB_CHUNK - PMDB_ALLOC_HDR < minsize)
		chunks = (minsize + PMDB_ALLOC_HDR + PMDB_CHUNK - 1) /
			 PMDB_CHUNK;
	return chunks * PMDB_CHUNK - PMDB_ALLOC_HDR;
}

/*
 * pmdb_extent__alloc -- pmemobj_alloc of an extent (type PMDB_T_EXTENT)
 * into *oid (atomically, as pmemobj_alloc publishes), growing the pool
 * by what the extent needs rather than by PMDK's step.
 *
 * With automatic growth PMDK adds parts of PMDB_GRANULARITY until the
 * allocation fits, and each part is fallocated whole: the free rest of
 * the last part stays on disk until close (pmdb_pool__reclaim). So:
 * growth off, try the free space the heap has; if no free block fits,
 * add one part of the extent's size plus headroom (1/PMDB_EXT_HEADROOM,
 * at least 1 MiB: the index and ref tables grow into it instead of
 * making PMDK add a 32 MiB part), allocate again; growth back on. Any
 * failure falls back to PMDK's own growth, whose error reporting the
 * caller already handles. Writer only (the ctl is pool-wide; only the
 * writer allocates). @return 0, or pmemobj_alloc's -1 with errno set.
 */
int
pmdb_extent__alloc(struct pmdb_env *env, PMEMoid *oid, uint64_t size)
{
	size_t off = 0, on = PMDB_GRANULARITY;
	uint64_t grow = size + PMDB_ALLOC_HDR + PMDB_CHUNK;
	int rc = -1;

	grow += grow / PMDB_EXT_HEADROOM > (1ULL << 20) ?
		grow / PMDB_EXT_HEADROOM : (1ULL << 20);
	grow = (grow + 4095) & ~4095ULL;
	if (pmemobj_ctl_set(env->pop, "heap.size.granularity", &off) == 0) {
		rc = pmemobj_alloc(env->pop, oid, size, PMDB_T_EXTENT, NULL,
				   NULL);
		if (rc && pmemobj_ctl_exec(env->pop, "heap.size.extend",
					   &grow) == 0)
			rc = pmemobj_alloc(env->pop, oid, size, PMDB_T_EXTENT,
					   NULL, NULL);
		pmemobj_ctl_set(env->pop, "heap.size.granularity", &on);
	}
	if (rc)
		rc = pmemobj_alloc(env->pop, oid, size, PMDB_T_EXTENT, NULL,
				   NULL);
	return rc;
}

/* pmdb_extent__add -- allocate extent number env->n_ext with at least
 * minsize bytes; the reader view learns its base before any index entry
 * can point into it. Writer only. @return 0, PMDB_ENOSPC. */
int
pmdb_extent__add(struct pmdb_env *env, uint64_t minsize, uint32_t *ext)
{
	struct pmdb_view *v = env->view;
	struct pmdb_pextab *xt = v->extab;
	uint64_t i = env->n_ext, size, held = 0;
	struct pmdb_pext *e;

	if (i >= PMDB_EXT_MAX)
		return pmdb__seterr(PMDB_ENOSPC, "extent table is full");
	for (uint64_t k = 0; k < i; k++)
		held += xt->ent[k].size;
	size = pmdb_extent__size(held, minsize);
	if (size > PMDB_LOC_OFF_MASK)
		return pmdb__seterr(PMDB_EINVAL, "object too large");
	e = &xt->ent[i];
	/* pmemobj_alloc publishes e->oid atomically and persistently. */
	if (pmdb_extent__alloc(env, &e->oid, size))
		return pmdb_pool__alloc_error(env, size, "cannot allocate a "
					      "%llu-byte extent",
					      (unsigned long long)size);
	e->size = pmemobj_alloc_usable_size(e->oid);
	e->committed_tail = 0;
	env->reshaped = 1;
	/* no prefault of the whole extent: the txn backs its pages 2 MiB
	 * ahead of the records (txn.c prefault_ahead), so the tail that
	 * stays unused is never populated (and punched again at close) */
	/* persist size and tail: open trusts them for bounds checks */
	pmdb_pool__persist(env, &e->size, 2 * sizeof(uint64_t));
	__atomic_store_n(&v->ext[i].tail, 0, __ATOMIC_RELAXED);
	/* release: readers that later acquire an index loc into extent i
	 * (published after this, in commit step 5) see the base. */
	__atomic_store_n(&v->ext[i].base, (uint8_t *)pmemobj_direct(e->oid),
			 __ATOMIC_RELEASE);
	env->n_ext = i + 1;
	*ext = (uint32_t)i;
	return 0;
}

/*
 * pmdb_extent__trim -- return every extent's unused tail (the whole
 * pages past its committed tail) to the file system. Writer only, with
 * no txn open and no put in flight (pmdb_env_close calls it).
 *
 * And the unused entries of the extent table, which hold zeros.
 *
 * Why this is safe: readers and fsck use bytes below a committed tail
 * only; recovery looks past a tail for the records of a commit cut short
 * (txn_seq + 1), and those exist only after a crash, which this env's
 * open already repaired, or after a commit failed past its index
 * publication, which panics the env: a panicked env is not trimmed, so
 * the next open still finds them. The next append into a trimmed range
 * gets zero pages from the file system.
 * @return the bytes given back.
 */
uint64_t
pmdb_extent__trim(struct pmdb_env *env)
{
	struct pmdb_view *v = env->view;
	uint64_t n = 0;

	if (__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE) || env->txn)
		return 0;
	/* the table's unused entries are zeros, as a hole reads: 512 KiB
	 * of which a pool uses a few lines */
	if (env->n_ext < PMDB_EXT_MAX)
		n += pmdb_pool__discard(env, &v->extab->ent[env->n_ext],
					(PMDB_EXT_MAX - env->n_ext) *
					sizeof(struct pmdb_pext));
	for (uint64_t x = 0; x < env->n_ext; x++) {
		struct pmdb_pext *e = &v->extab->ent[x];

		if (e->committed_tail < e->size)
			n += pmdb_pool__discard(env, v->ext[x].base +
						e->committed_tail,
						e->size - e->committed_tail);
	}
	return n;
}

/* pmdb_rec__crc -- crc32c of the header (crc field as 0) and data. */
uint32_t
pmdb_rec__crc(const struct pmdb_rec *r)
{
	struct pmdb_rec h = *r;
	uint32_t c;

	h.crc = 0;
	c = pmdb_crc32c(0, &h, sizeof(h));
	return pmdb_crc32c(c, r + 1, r->stored_size);
}

/* pmdb_rec__check -- find the record at loc and verify bounds, magic and
 * crc. @return 0, PMDB_ECORRUPT (detail names the id if known). */
int
pmdb_rec__check(struct pmdb_env *env, const struct pmdb_view *v,
		uint64_t loc, const struct pmdb_rec **out)
{
	uint32_t x = PMDB_LOC_EXT(loc);
	uint64_t off = PMDB_LOC_OFFSET(loc), tail;
	const struct pmdb_rec *r;
	char hex[PMDB_OID_HEXMAX + 1];
	uint8_t *base;

	if (x >= PMDB_EXT_MAX ||
	    !(base = __atomic_load_n(&v->ext[x].base, __ATOMIC_ACQUIRE)))
		return pmdb__seterr(PMDB_ECORRUPT, "location %llx: no extent",
				    (unsigned long long)loc);
	tail = v->extab->ent[x].size;
	if (off + sizeof(*r) > tail)
		return pmdb__seterr(PMDB_ECORRUPT, "location %llx: out of "
				    "bounds", (unsigned long long)loc);
	r = (const struct pmdb_rec *)(base + off);
	/* the id is formatted only on the error paths: this runs on every
	 * read, and formatting cost ~9% of a log walk */
	if (r->magic != PMDB_REC_MAGIC || r->stored_size > tail - off -
	    sizeof(*r))
		return pmdb__seterr(PMDB_ECORRUPT, "object %s: bad record "
				    "header", pmdb_oid_fmt(hex,
				    (const pmdb_oid *)r->id, env->algo));
	if (pmdb_rec__crc(r) != r->crc)
		return pmdb__seterr(PMDB_ECORRUPT, "object %s: checksum "
				    "mismatch", pmdb_oid_fmt(hex,
				    (const pmdb_oid *)r->id, env->algo));
	*out = r;
	return 0;
}

/* pmdb_rec__check_id -- pmdb_rec__check() plus: the record is the object
 * the caller looked up. An index slot whose location was corrupted can
 * point at another intact record; without this a read would return that
 * object's bytes under the wrong id. @return 0, PMDB_ECORRUPT. */
int
pmdb_rec__check_id(struct pmdb_env *env, const struct pmdb_view *v,
		   uint64_t loc, const uint8_t *id, const struct pmdb_rec **out)
{
	char hex[PMDB_OID_HEXMAX + 1];
	int rc;

	if ((rc = pmdb_rec__check(env, v, loc, out)))
		return rc;
	if (memcmp((*out)->id, id, env->hlen))
		return pmdb__seterr(PMDB_ECORRUPT, "object %s: index entry "
				    "points at another object's record",
				    pmdb_oid_fmt(hex, (const pmdb_oid *)id,
						 env->algo));
	return 0;
}

/* pmdb_rec__load -- copy (and decompress) a checked record into buf. */
int
pmdb_rec__load(struct pmdb_env *env, const struct pmdb_rec *r, pmdb_buf *buf)
{
	char hex[PMDB_OID_HEXMAX + 1];
	int rc;

	if (r->flags & PMDB_REC_CHUNKED)
		return pmdb_big__assemble(env, r, buf);
	if ((rc = pmdb_buf__reserve(buf, r->raw_size)))
		return rc;
	if (r->flags & PMDB_REC_LZ4) {
		if (pmdb_compress__get(buf->data, r->raw_size,
				       (const uint8_t *)(r + 1),
				       r->stored_size))
			return pmdb__seterr(PMDB_ECORRUPT, "object %s: bad "
					    "compressed data",
					    pmdb_oid_fmt(hex,
							 (const pmdb_oid *)r->id,
							 env->algo));
	} else {
		if (r->stored_size != r->raw_size)
			return pmdb__seterr(PMDB_ECORRUPT, "object %s: size "
					    "mismatch",
					    pmdb_oid_fmt(hex,
							 (const pmdb_oid *)r->id,
							 env->algo));
		memcpy(buf->data, r + 1, r->raw_size);
	}
	buf->len = r->raw_size;
	buf->data[buf->len] = '\0';
	return 0;
}
