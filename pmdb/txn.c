/*
 * txn.c -- the write transaction and the commit protocol of
 * docs/design.md.
 *
 * Invariants:
 *  1. One txn (or gc) per env at a time: env->wlock is held from
 *     txn_begin until commit/abort returns.
 *  2. put only appends past the current extent's committed tail (or into
 *     extents allocated by this txn); nothing it writes is reachable from
 *     the index or the root's tails until commit.
 *  3. Commit order: async puts reaped (put_workers.c) -> ref checks (no
 *     side effects) -> room (index and ref
 *     table growth, each its own small tx) -> flush record bytes, drain ->
 *     publish index slots, flush, drain -> readers' tails -> one pmemobj
 *     tx moving the tails, applying refs and txn_seq += 1 (the commit
 *     point).
 *  4. An index slot never points at record bytes that are not durable
 *     (step 4 drains before step 5 stores a location).
 *  5. Readers ignore slots whose record lies at or past the extent's
 *     visible (DRAM) tail. The visible tails move just before the
 *     commit point's tx, so a ref changed by that tx never names an
 *     object readers cannot see; objects of a commit whose tx then
 *     fails are hidden again (and the env panics). A crash loses them
 *     with the process that saw them.
 *  6. A failure after step 5 leaves published slots past the tails; the
 *     env is marked panicked and the next open's recovery removes them.
 *  7. Flushes per commit: one per touched extent + one index flush (one
 *     msync span on the msync path) + drains + the pmemobj tx's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "compress.h"
#include "pool.h"
#include "epoch.h"
#include "extent.h"
#include "index.h"
#include "ref.h"
#include "txn.h"
#include "bigobj.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

/* ht_tag -- the 32-bit tag a hash entry keeps (id bytes 8..11), so most
 * probes are rejected without touching the object array. */
static inline uint64_t
ht_tag(const uint8_t *id)
{
	uint32_t t;

	memcpy(&t, id + 8, sizeof(t));
	return (uint64_t)t << 32;
}

/* id_eq -- compare two ids of hlen bytes (constant sizes inline). */
static inline int
id_eq(const uint8_t *a, const uint8_t *b, size_t hlen)
{
	return hlen == 20 ? memcmp(a, b, 20) == 0 : memcmp(a, b, 32) == 0;
}

/* ht_find -- the txn's object with id, or NULL. Entries are
 * tag << 32 | (object index + 1); 0 is empty. */
static struct txn_obj *
ht_find(struct pmdb_txn *txn, const uint8_t *id, size_t hlen)
{
	uint64_t h, pos, e, tag = ht_tag(id);

	if (!txn->ht)
		return NULL;
	memcpy(&h, id, sizeof(h));
	for (pos = h & txn->htmask; (e = txn->ht[pos]); pos = (pos + 1) &
	     txn->htmask) {
		struct txn_obj *o = &txn->obj[(uint32_t)e - 1];

		if ((e & ~0xffffffffULL) == tag && id_eq(o->id, id, hlen))
			return o;
	}
	return NULL;
}

/* ht_prefetch -- start loading the home bucket of id. */
static inline void
ht_prefetch(struct pmdb_txn *txn, const uint8_t *id)
{
	uint64_t h;

	if (txn->ht) {
		memcpy(&h, id, sizeof(h));
		__builtin_prefetch(&txn->ht[h & txn->htmask]);
	}
}

/* ht_add -- index obj[i] in the DRAM hash (room guaranteed by grow). */
static void
ht_add(struct pmdb_txn *txn, size_t i)
{
	uint64_t h, pos;

	memcpy(&h, txn->obj[i].id, sizeof(h));
	for (pos = h & txn->htmask; txn->ht[pos]; pos = (pos + 1) &
	     txn->htmask)
		;
	txn->ht[pos] = ht_tag(txn->obj[i].id) | (uint32_t)(i + 1);
}

/* obj_grow -- room for one more object, keeping the hash <= 1/2 full. */
static int
obj_grow(struct pmdb_txn *txn)
{
	if (txn->nobj == txn->capobj) {
		size_t cap = txn->capobj ? txn->capobj * 2 : 1024;
		struct txn_obj *n = realloc(txn->obj, cap * sizeof(*n));

		if (!n)
			return PMDB_ENOMEM;
		txn->obj = n;
		txn->capobj = cap;
	}
	if ((txn->nobj + 1) * 2 > txn->htmask + 1 || !txn->ht) {
		uint64_t size = txn->ht ? (txn->htmask + 1) * 2 : 4096;
		uint64_t *n = calloc(size, sizeof(*n));

		if (!n)
			return PMDB_ENOMEM;
		free(txn->ht);
		txn->ht = n;
		txn->htmask = size - 1;
		for (size_t i = 0; i < txn->nobj; i++)
			ht_add(txn, i);
	}
	return 0;
}

/* Pages of the extent are mapped writable this far ahead of the records
 * being appended: one madvise per step instead of a fault per page, and
 * never for the part of an extent that stays unused. */
#define TXN_PREFAULT (2ULL << 20)

/* prefault_ahead -- map [x->end, x->end + need + TXN_PREFAULT) of x's
 * extent writable (clipped to the extent), if not done yet. Besides
 * saving a fault per page, this is where a full file system shows: the
 * pages may be holes (a closed pool gives its unused extent tails back,
 * docs/design.md "Space"), and a store into a hole the file system cannot
 * back raises SIGBUS, while MADV_POPULATE_WRITE fails with EFAULT (or
 * ENOMEM) instead. On the msync path too: the pages are written next
 * anyway. A kernel without it (EINVAL, before 5.14) keeps the old
 * behaviour. @return 0, PMDB_ENOSPC. */
static int
prefault_ahead(struct pmdb_txn *txn, const struct txn_ext *x, uint64_t need)
{
	struct pmdb_env *env = txn->env;
	uint64_t size = env->view->extab->ent[x->ext].size, to;
	uintptr_t base = (uintptr_t)env->view->ext[x->ext].base, a, b;

	if (txn->pf_ext != x->ext + 1) {
		txn->pf_ext = x->ext + 1;
		txn->pf_end = x->end;
	}
	if (x->end + need <= txn->pf_end)
		return 0;
	to = x->end + need + TXN_PREFAULT;
	to = to < size ? to : size;
	a = (base + (txn->pf_end > x->end ? txn->pf_end : x->end)) &
	    ~(uintptr_t)4095;
	b = (base + to + 4095) & ~(uintptr_t)4095;
	if (b > a && madvise((void *)a, b - a, MADV_POPULATE_WRITE) &&
	    (errno == EFAULT || errno == ENOMEM || errno == EIO)) {
		txn->pf_ext = 0;   /* nothing is known to be backed */
		return pmdb__seterr(PMDB_ENOSPC, "No space left on device: "
				    "cannot back %llu bytes of extent %u "
				    "(pool '%s/pool.set')",
				    (unsigned long long)(b - a), x->ext,
				    env->dir);
	}
	txn->pf_end = to;
	return 0;
}

/* release_filled -- after a commit: drop the page-table entries of the
 * extents this txn filled and moved past (all but its last). Their records
 * are durable and no writer stores there again, so a long import keeps
 * about one txn's worth of pool pages mapped instead of every page it
 * wrote (the 1 GB stream: RSS 808 MB, of which 28 MB heap). MADV_DONTNEED
 * on the pool's shared file mapping (or DAX) drops mappings only: the
 * bytes stay in the file, and a reader that touches them faults them back
 * in. Whole pages; a failure changes nothing. */
static void
release_filled(struct pmdb_txn *txn)
{
	for (size_t i = 0; i + 1 < txn->next; i++) {
		const struct txn_ext *x = &txn->ext[i];
		uintptr_t base = (uintptr_t)txn->env->view->ext[x->ext].base;
		/* from the extent's start: earlier txns' records there are
		 * durable too, and only a txn that moves on knows it is full */
		uintptr_t a = base & ~(uintptr_t)4095;
		uintptr_t b = (base + x->end + 4095) & ~(uintptr_t)4095;

		if (b > a)
			(void)madvise((void *)a, b - a, MADV_DONTNEED);
	}
}

/* room -- where a record of need bytes goes: the txn's current extent,
 * or a new one. @return 0, PMDB_ENOSPC, PMDB_ENOMEM. */
static int
room(struct pmdb_txn *txn, uint64_t need, struct txn_ext **out)
{
	struct pmdb_env *env = txn->env;
	struct txn_ext *x = txn->next ? &txn->ext[txn->next - 1] : NULL;
	uint32_t e;
	int rc;

	if (!x && env->n_ext) {
		/* first put: continue the last extent at its tail */
		e = (uint32_t)env->n_ext - 1;
		if (txn->capext == 0 &&
		    !(txn->ext = malloc(4 * sizeof(*txn->ext))))
			return PMDB_ENOMEM;
		txn->capext = txn->capext ? txn->capext : 4;
		x = &txn->ext[txn->next++];
		x->ext = e;
		x->start = x->end = env->view->extab->ent[e].committed_tail;
		x->flushed = x->start;
	}
	if (x && x->end + need <= env->view->extab->ent[x->ext].size) {
		if ((rc = prefault_ahead(txn, x, need)))
			return rc;
		*out = x;
		return 0;
	}
	if ((rc = pmdb_extent__add(env, need, &e)))
		return rc;
	if (txn->next == txn->capext) {
		size_t cap = txn->capext ? txn->capext * 2 : 4;
		struct txn_ext *n = realloc(txn->ext, cap * sizeof(*n));

		if (!n)
			return PMDB_ENOMEM;
		txn->ext = n;
		txn->capext = cap;
	}
	x = &txn->ext[txn->next++];
	x->ext = e;
	x->start = x->end = x->flushed = 0;
	if ((rc = prefault_ahead(txn, x, need)))
		return rc;
	*out = x;
	return 0;
}

/* txn_free -- release the txn and the writer lock. */
static void
txn_free(struct pmdb_txn *txn)
{
	struct pmdb_env *env = txn->env;

	/* no job may read the caller's bytes or the scratch after this;
	 * failed: jobs not reaped yet are discarded, not placed */
	txn->failed = 1;
	pmdb_workers__reap(txn, UINT64_MAX, 1);
	env->txn = NULL;
	free(txn->obj);
	free(txn->ht);
	free(txn->ext);
	free(txn->refs);
	pmdb_compress__state_free(txn->lz4);
	free(txn);
	pmdb_epoch__reclaim(env, 0);
	pthread_mutex_unlock(&env->wlock);
}

/* pmdb_txn_begin -- take the writer slot and start a txn. */
PMDB_EXPORT int
pmdb_txn_begin(pmdb_env *env, pmdb_txn **out)
{
	struct pmdb_txn *txn;

	pmdb__clearerr(); /* no stale detail after this call */
	if (__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE))
		return pmdb__seterr(PMDB_EPANIC, "env must be reopened");
	if (!(txn = calloc(1, sizeof(*txn))))
		return pmdb__seterr(PMDB_ENOMEM, "txn");
	txn->lz4 = pmdb_compress__state_new();
	pthread_mutex_lock(&env->wlock);
	if (__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&env->wlock);
		pmdb_compress__state_free(txn->lz4);
		free(txn);
		return pmdb__seterr(PMDB_EPANIC, "env must be reopened");
	}
	txn->env = env;
	txn->seq = env->root->txn_seq + 1;
	env->txn = txn;
	*out = txn;
	return 0;
}

/* Objects up to this size are compressed before the dedup probes
 * (their misses overlap the work; a duplicate wastes little). */
#define TXN_DEFER_MAX 4096

/* is_dup -- 1 if the txn or the committed store holds id already. */
static inline int
is_dup(struct pmdb_txn *txn, const pmdb_oid *id)
{
	struct pmdb_env *env = txn->env;
	uint64_t meta, loc;

	return ht_find(txn, id->id, env->hlen) ||
	       (pmdb_index__find(env->view, id->id, env->hlen, &meta, &loc) &&
		pmdb_index__visible(env->view, loc));
}

/* put_begin -- check a put's arguments and hash the object.
 * @return 0, PMDB_EBADTXN, PMDB_EINVAL, PMDB_ENOMEM, PMDB_ERROR (any
 * failure but EBADTXN poisons the txn). */
static int
put_begin(pmdb_txn *txn, pmdb_otype type, const void *data, size_t len,
	  pmdb_oid *id)
{
	int rc;

	if (!txn || txn->failed)
		return pmdb_txn__earlier(txn);
	if (!pmdb_otype__valid(type) || (!data && len) ||
	    len >= (1ULL << 56)) {
		txn->failed = 1;
		return pmdb__seterr(PMDB_EINVAL, "bad object type %d or size",
				    (int)type);
	}
	if ((rc = pmdb_hash__object(id, txn->env->algo, type, data, len))) {
		txn->failed = 1;
		return rc;
	}
	return 0;
}

/* put_hashed -- dedup, compress and append one hashed object. big != 0:
 * data is the manifest of a chunked blob of big bytes (bigobj.c), stored
 * raw under id with PMDB_REC_CHUNKED and big as its size. */
static int
put_hashed(pmdb_txn *txn, pmdb_otype type, const void *data, size_t len,
	   const pmdb_oid *idp, uint64_t big)
{
	struct pmdb_env *env = txn->env;
	struct txn_ext *x;
	struct pmdb_rec *r;
	uint64_t need;
	size_t stored;
	pmdb_oid id = *idp;
	int rc, comp;

	/* The dedup probes (txn hash, index home slot) are DRAM misses on
	 * a large txn: start them now and compress meanwhile. The record is
	 * written past x->end and only counted once we know it is new. */
	if (PMDB_UNLIKELY(len > TXN_DEFER_MAX) && is_dup(txn, &id))
		return 0; /* large: never compress or place a duplicate */
	ht_prefetch(txn, id.id);
	__builtin_prefetch(&env->view->index->slot[pmdb_index__home(
		id.id, env->view->bits)]);
	need = sizeof(*r) + ((pmdb_compress__bound(len) + 7) & ~7ULL);
	if ((rc = room(txn, need, &x)) || (rc = obj_grow(txn)))
		goto fail;
	r = (struct pmdb_rec *)(env->view->ext[x->ext].base + x->end);
	/* commits stay raw so readers can parse them in place
	 * (pmdb_object_view) */
	{
		int try = !big && type != PMDB_OBJ_COMMIT && len >= PMDB_LZ4_MIN &&
			  pmdb_gate__try(&txn->gate, type);

		stored = pmdb_compress__put(try ? txn->lz4 : NULL,
					    (uint8_t *)(r + 1), data, len,
					    &comp);
		if (try)
			pmdb_gate__note(&txn->gate, type, comp);
	}
	if (len <= TXN_DEFER_MAX && is_dup(txn, &id)) {
		/* a duplicate: leave no valid header behind the bytes
		 * (recovery walks records past the tail by magic and crc) */
		r->magic = 0;
		return 0;
	}
	r->magic = PMDB_REC_MAGIC;
	r->type = (uint8_t)type;
	r->flags = comp ? PMDB_REC_LZ4 : big ? PMDB_REC_CHUNKED : 0;
	r->crc = 0;
	r->txn = txn->seq;
	r->raw_size = big ? big : len;
	r->stored_size = stored;
	memcpy(r->id, id.id, sizeof(r->id));
	r->crc = pmdb_rec__crc(r);
	/* no flush here: step 4 of commit flushes the whole range once */
	memcpy(txn->obj[txn->nobj].id, id.id, sizeof(id.id));
	txn->obj[txn->nobj].meta = PMDB_META(type, r->raw_size);
	txn->obj[txn->nobj].loc = PMDB_LOC(x->ext, x->end);
	ht_add(txn, txn->nobj++);
	x->end += sizeof(*r) + ((stored + 7) & ~7ULL);
	txn->d_objects[type]++;
	txn->d_raw[type] += r->raw_size;
	txn->d_stored += sizeof(*r) + stored;
	txn->d_compressed += comp;
	return 0;
fail:
	txn->failed = 1;
	if (rc == PMDB_ENOMEM)
		pmdb__seterr(rc, "out of memory in put");
	pmdb_txn__why(txn);
	return rc;
}

/* pmdb_txn__put_big -- store a chunked blob's manifest (bigobj.c) under
 * id, with size as the blob's size; a no-op if id exists. */
int
pmdb_txn__put_big(struct pmdb_txn *txn, const void *manifest, size_t len,
		  const pmdb_oid *id, uint64_t size)
{
	if (!txn || txn->failed)
		return pmdb_txn__earlier(txn);
	return put_hashed(txn, PMDB_OBJ_BLOB, manifest, len, id, size);
}

static int put_queued(pmdb_txn *txn, pmdb_otype type, const void *data,
		      size_t len, const pmdb_oid *id, int copy,
		      uint64_t *ticket);

/* Trees and tags up to this size that a synchronous put stores are
 * copied to a worker's scratch and compressed there when the env's
 * workers run already (an import): lz4 leaves the writer's thread for
 * a memcpy. Commits stay inline (raw); blobs keep put's old path. */
#define TXN_COPY_MAX (64u << 10)

/* pmdb_txn_put -- hash, dedup, compress and append one object. */
PMDB_EXPORT int
pmdb_txn_put(pmdb_txn *txn, pmdb_otype type, const void *data, size_t len,
	     pmdb_oid *oid)
{
	pmdb_oid id;
	int rc;

	if ((rc = put_begin(txn, type, data, len, &id)))
		return rc;
	if (oid)
		*oid = id;
	if ((type == PMDB_OBJ_TREE || type == PMDB_OBJ_TAG) &&
	    len >= PMDB_LZ4_MIN && len <= TXN_COPY_MAX &&
	    pmdb_workers__running(txn->env)) {
		/* placement errors surface at a later put or at commit,
		 * as for async puts (the txn is poisoned either way) */
		if ((rc = pmdb_workers__reap(txn, UINT64_MAX, 0)))
			return rc;
		return put_queued(txn, type, data, len, &id, 1, NULL);
	}
	return put_hashed(txn, type, data, len, &id, 0);
}

/* Larger objects are put synchronously: a worker's scratch holds twice
 * the largest job, and the RSS of an import must stay bounded. */
#define TXN_ASYNC_MAX (8u << 20)

/* pmdb_txn_put_async -- hash and dedup now, compress on a worker. */
PMDB_EXPORT int
pmdb_txn_put_async(pmdb_txn *txn, pmdb_otype type, const void *data,
		   size_t len, pmdb_oid *oid, uint64_t *ticket)
{
	pmdb_oid id;
	int rc;

	if (ticket)
		*ticket = 0; /* nothing to wait for (put inline or a dup) */
	if ((rc = put_begin(txn, type, data, len, &id)))
		return rc;
	if (oid)
		*oid = id;
	/* keep the scratch and the ring short: place what is done */
	if ((rc = pmdb_workers__reap(txn, UINT64_MAX, 0)))
		return rc;
	if (type == PMDB_OBJ_COMMIT || len < PMDB_LZ4_MIN ||
	    len > TXN_ASYNC_MAX || !pmdb_workers__count(txn->env))
		return put_hashed(txn, type, data, len, &id, 0);
	return put_queued(txn, type, data, len, &id, 0, ticket);
}

/* put_queued -- dedup a hashed object and queue it for a worker (copy:
 * its bytes go to the scratch; else the caller lends them until
 * *ticket is reaped). Needs running workers. */
static int
put_queued(pmdb_txn *txn, pmdb_otype type, const void *data, size_t len,
	   const pmdb_oid *idp, int copy, uint64_t *ticket)
{
	uint64_t t = 0;
	struct txn_obj *o;
	pmdb_oid id = *idp;
	int rc;

	if (is_dup(txn, &id))
		return 0;
	if ((rc = obj_grow(txn)))
		goto fail;
	o = &txn->obj[txn->nobj];
	memcpy(o->id, id.id, sizeof(id.id));
	o->meta = PMDB_META(type, len);
	o->loc = 0; /* pending (tagged below); pmdb_txn__place sets it */
	ht_add(txn, txn->nobj++);
	txn->d_objects[type]++;
	txn->d_raw[type] += len;
	if ((rc = pmdb_workers__submit_copy(txn, txn->nobj - 1, type, id.id,
					 data, len, copy, &t)))
		goto fail;
	/* pending until reaped: the ticket, tagged by bit 0 (a placed
	 * location is 8-aligned), so a read waits for this job only */
	txn->obj[txn->nobj - 1].loc = t << 1 | 1;
	if (ticket)
		*ticket = t;
	return 0;
fail:
	txn->failed = 1;
	return pmdb__seterr(rc, "out of memory in put");
}

/* pmdb_txn__why -- see txn.h */
void
pmdb_txn__why(struct pmdb_txn *txn)
{
	if (!txn->why[0])
		snprintf(txn->why, sizeof(txn->why), "%s", pmdb_errdetail());
}

/* pmdb_txn__earlier -- see txn.h */
int
pmdb_txn__earlier(const struct pmdb_txn *txn)
{
	if (txn && txn->why[0])
		return pmdb__seterr(PMDB_EBADTXN, "txn failed earlier: %s",
				    txn->why);
	return pmdb__seterr(PMDB_EBADTXN, "txn failed earlier");
}

/* pmdb_txn_put_wait -- reap async puts up to ticket. */
PMDB_EXPORT int
pmdb_txn_put_wait(pmdb_txn *txn, uint64_t ticket)
{
	if (!txn)
		return pmdb__seterr(PMDB_EBADTXN, "NULL txn");
	if (txn->arc)
		return txn->arc;
	if (txn->failed)
		return pmdb_txn__earlier(txn);
	return pmdb_workers__reap(txn, ticket, 1);
}

/* pmdb_txn__place -- reap side of an async put (put_workers.c): append the
 * finished record hdr (its stored bytes at data) and point obj at it.
 * @return 0, PMDB_ENOSPC, PMDB_ENOMEM. */
int
pmdb_txn__place(struct pmdb_txn *txn, size_t obj, const struct pmdb_rec *hdr,
		const void *data)
{
	uint64_t need = sizeof(*hdr) + ((hdr->stored_size + 7) & ~7ULL);
	struct txn_ext *x;
	uint8_t *dst;
	int rc;

	if ((rc = room(txn, need, &x)))
		return rc;
	dst = txn->env->view->ext[x->ext].base + x->end;
	memcpy(dst, hdr, sizeof(*hdr));
	memcpy(dst + sizeof(*hdr), data, hdr->stored_size);
	/* no flush here: step 4 of commit flushes the whole range once */
	txn->obj[obj].loc = PMDB_LOC(x->ext, x->end);
	x->end += need;
	txn->d_stored += sizeof(*hdr) + hdr->stored_size;
	txn->d_compressed += !!(hdr->flags & PMDB_REC_LZ4);
	return 0;
}

/* pmdb_txn__find -- the txn's own object with id, or NULL (for
 * txn_read.c; put's dedup calls the inline ht_find). */
struct txn_obj *
pmdb_txn__find(struct pmdb_txn *txn, const uint8_t *id)
{
	return ht_find(txn, id, txn->env->hlen);
}

/* pmdb_txn__flush_written -- flush (and drain) the records appended so
 * far, ahead of commit step 4, and unmap their whole pages: a big blob's
 * chunks then hold no resident pool pages, not even at commit, whose
 * flush would fault them back on the pmem path (bigobj.c). Early
 * durability of bytes no index entry names yet is harmless (invariant
 * 4 only asks for it before step 5). */
void
pmdb_txn__flush_written(struct pmdb_txn *txn)
{
	struct pmdb_env *env = txn->env;

	for (size_t i = 0; i < txn->next; i++) {
		struct txn_ext *x = &txn->ext[i];
		uint8_t *base = env->view->ext[x->ext].base;
		uint64_t from = x->flushed > x->start ? x->flushed : x->start;
		/* an extent the txn moved past: also the pages prefault_ahead
		 * mapped beyond its records (up to a record and 2 MiB each) */
		uint64_t to = i + 1 < txn->next ?
			      env->view->extab->ent[x->ext].size : x->end;

		if (to <= from)
			continue;
		if (x->end > from) {
			pmdb_pool__flush(env, base + from, x->end - from);
			pmdb_pool__drain(env);
		}
		pmdb_big__unmap(base + from, to - from);
		x->flushed = x->end;
	}
}

/* flush_data -- commit step 4: each touched extent range once, drain. */
static void
flush_data(struct pmdb_txn *txn)
{
	struct pmdb_env *env = txn->env;

	for (size_t i = 0; i < txn->next; i++) {
		struct txn_ext *x = &txn->ext[i];

		uint64_t from = x->flushed > x->start ? x->flushed : x->start;

		if (x->end > from)
			pmdb_pool__flush(env, env->view->ext[x->ext].base +
					 from, x->end - from);
	}
	/* drain: record bytes are durable before step 5 stores any
	 * location pointing at them (invariant 4) */
	pmdb_pool__drain(env);
}

/* publish_index -- commit step 5: insert every new id, flush the slots
 * (per line on pmem, one span on the msync path), drain. */
static void
publish_index(struct pmdb_txn *txn)
{
	struct pmdb_env *env = txn->env;
	struct pmdb_view *v = env->view;
	uint64_t lo = UINT64_MAX, hi = 0;
	const size_t ahead = 8;

	for (size_t i = 0; i < txn->nobj; i++) {
		struct txn_obj *o = &txn->obj[i];
		uint64_t pos;

		if (i + ahead < txn->nobj)
			__builtin_prefetch(&v->index->slot[pmdb_index__home(
				txn->obj[i + ahead].id, v->bits)], 1);
		pos = pmdb_index__insert(v->index, o->id, env->hlen, o->meta,
					 o->loc);
		if (env->is_pmem)
			pmemobj_flush(env->pop, &v->index->slot[pos],
				      sizeof(struct pmdb_slot));
		lo = pos < lo ? pos : lo;
		hi = pos > hi ? pos : hi;
	}
	if (txn->nobj && !env->is_pmem)
		pmdb_pool__flush(env, &v->index->slot[lo],
				 (hi - lo + 1) * sizeof(struct pmdb_slot));
	else if (txn->nobj)
		env->persists++; /* the per-line flushes above, as one */
	/* drain: slots are durable before the commit point names them */
	pmdb_pool__drain(env);
}

/* commit_tx -- commit step 6: tails, refs, counters, txn_seq in one
 * pmemobj tx (the commit point). @return 0, PMDB_ENOSPC. */
static int
commit_tx(struct pmdb_txn *txn)
{
	struct pmdb_env *env = txn->env;
	struct pmdb_root *root = env->root;
	struct pmdb_pextab *xt = env->view->extab;
	int64_t dlive = 0;
	volatile int rc = 0;

	TX_BEGIN(env->pop) {
		pmemobj_tx_add_range_direct(root, sizeof(*root));
		for (size_t i = 0; i < txn->next; i++) {
			struct pmdb_pext *e = &xt->ent[txn->ext[i].ext];

			pmemobj_tx_add_range_direct(&e->committed_tail,
						    sizeof(uint64_t));
			e->committed_tail = txn->ext[i].end;
		}
		pmdb_txn__apply_refs(txn, &dlive);
		if (PMDB_UNLIKELY(env->in_commit_tx != NULL))
			env->in_commit_tx(env);
		/* atomic stores: pmdb_env_stat reads these without the
		 * writer lock (relaxed: each counter is a value of its
		 * own; a stat is no snapshot of the commit) */
		for (int t = 1; t <= 4; t++) {
			PMDB_ROOT_SET(root->objects[t], root->objects[t] +
			   txn->d_objects[t]);
			PMDB_ROOT_SET(root->raw_bytes[t], root->raw_bytes[t] +
			   txn->d_raw[t]);
		}
		PMDB_ROOT_SET(root->stored_bytes, root->stored_bytes + txn->d_stored);
		PMDB_ROOT_SET(root->compressed, root->compressed + txn->d_compressed);
		PMDB_ROOT_SET(root->index_used, root->index_used + txn->nobj);
		PMDB_ROOT_SET(root->refs, (uint64_t)((int64_t)root->refs + dlive));
		PMDB_ROOT_SET(root->txn_seq, txn->seq);
	} TX_ONABORT {
		rc = pmdb__seterr(PMDB_ENOSPC, "commit transaction failed: %s",
				  pmemobj_errormsg());
	} TX_END
	pmdb_txn__settle_refs(txn);   /* rolled back or not (ref.c) */
	return rc;
}

/* pmdb_txn_commit -- the protocol of the file comment; frees txn. */
PMDB_EXPORT int
pmdb_txn_commit(pmdb_txn *txn)
{
	struct pmdb_env *env;
	size_t nnewref = 0;
	int rc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!txn)
		return pmdb__seterr(PMDB_EINVAL, "NULL txn");
	env = txn->env;
	/* step 1: every async put placed (its record in the extent) */
	if (!txn->failed && (rc = pmdb_workers__reap(txn, UINT64_MAX, 1))) {
		txn_free(txn);
		return rc;
	}
	if (txn->failed) {
		rc = pmdb_txn__earlier(txn);   /* names the cause: before free */
		txn_free(txn);
		return rc;
	}
	/* step 2: compare-and-swap checks, before any side effect */
	if ((rc = pmdb_txn__check_refs(txn)))
		goto out;
	/* step 3: room (each growth is its own atomic swap) */
	for (size_t i = 0; i < txn->nref; i++)
		nnewref += txn->refs[i].kind != TXN_REF_DELETE;
	if ((rc = pmdb_index__reserve(env, txn->nobj)) ||
	    (rc = pmdb_ref__reserve(env, nnewref)))
		goto out;
	flush_data(txn);                       /* step 4 */
	publish_index(txn);                    /* step 5 */
	if (PMDB_UNLIKELY(env->crash_after_publish)) {
		/* test hook: behave as if power failed here */
		__atomic_store_n(&env->panic, 1, __ATOMIC_RELEASE);
		rc = pmdb__seterr(PMDB_EPANIC, "simulated crash");
		goto out;
	}
	/* step 6a: readers may now see the new records (invariant 5),
	 * before the refs that the tx below changes can name them; the
	 * release pairs with the acquire in pmdb_index__visible */
	for (size_t i = 0; i < txn->next; i++)
		__atomic_store_n(&env->view->ext[txn->ext[i].ext].tail,
				 txn->ext[i].end, __ATOMIC_RELEASE);
	if ((rc = commit_tx(txn))) {           /* step 6b: commit point */
		for (size_t i = 0; i < txn->next; i++)
			__atomic_store_n(&env->view->ext[txn->ext[i].ext].tail,
					 txn->ext[i].start, __ATOMIC_RELEASE);
		__atomic_store_n(&env->panic, 1, __ATOMIC_RELEASE);
		rc = PMDB_EPANIC;
		goto out;
	}
	release_filled(txn);
out:
	txn_free(txn);
	return rc;
}

/* pmdb_txn_abort -- discard the txn; its extent bytes are reused. */
PMDB_EXPORT void
pmdb_txn_abort(pmdb_txn *txn)
{
	if (txn)
		txn_free(txn);
}
