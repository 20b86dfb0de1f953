/*
 * gc.c -- copying garbage collection (design.md "gc").
 *
 * Under the writer lock: every visible object keep() accepts is copied
 * (record bytes as they are, crc included) into new extents listed in a
 * new extent table, and inserted into a new index. Everything new is
 * persisted, then one pmemobj tx swaps extent table and index (and the
 * counters) in the root: a crash before it leaves the old store and
 * unreferenced new allocations that the next open's sweep frees; after
 * it, the new store. The old extents, table and index are retired through
 * the epochs, so readers still on the old view finish safely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bigobj.h"
#include "epoch.h"
#include "pool.h"
#include "extent.h"
#include "index.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

struct gcstate {
	struct pmdb_env *env;
	struct pmdb_pextab *nxt;     /* new extent table */
	struct pmdb_vext *next;      /* its reader view */
	struct pmdb_pindex *nix;     /* new index */
	uint64_t n_ext;              /* new extents in use */
	uint64_t objects[7], raw[7], stored, compressed, kept, bytes;
	uint64_t hint;               /* old committed bytes: bounds the copy */
};

/* gc_back -- back every page of a new extent before the copies write
 * into it, as txn.c prefault_ahead does for the put path: its pages may
 * be holes (docs/design.md "Space"), and a store into a hole a full file
 * system cannot back is a SIGBUS, while MADV_POPULATE_WRITE fails with
 * EFAULT/ENOMEM/EIO. The extent is sized to what is left to copy, so it
 * is backed whole. A kernel without it (EINVAL) keeps the old behaviour.
 * @return 0, PMDB_ENOSPC. */
static int
gc_back(struct gcstate *g, void *base, uint64_t size)
{
	uintptr_t a = (uintptr_t)base & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)base + size + 4095) & ~(uintptr_t)4095;

	if (madvise((void *)a, b - a, MADV_POPULATE_WRITE) &&
	    (errno == EFAULT || errno == ENOMEM || errno == EIO))
		return pmdb__seterr(PMDB_ENOSPC, "No space left on device: "
				    "gc cannot back %llu bytes of a new "
				    "extent (pool '%s/pool.set')",
				    (unsigned long long)(b - a), g->env->dir);
	return 0;
}

/* gc_room -- a place for need bytes in the new extents. */
static int
gc_room(struct gcstate *g, uint64_t need, uint32_t *x, uint64_t *off)
{
	struct pmdb_pext *e = g->n_ext ? &g->nxt->ent[g->n_ext - 1] : NULL;
	uint64_t left = g->hint > g->bytes ? g->hint - g->bytes : 0;
	uint64_t size = left < PMDB_EXT_LAST ? left : PMDB_EXT_LAST;
	int rc;

	if (e && e->committed_tail + need <= e->size) {
		*x = (uint32_t)g->n_ext - 1;
		*off = e->committed_tail;
		return 0;
	}
	if (g->n_ext >= PMDB_EXT_MAX)
		return pmdb__seterr(PMDB_ENOSPC, "extent table is full");
	if (size < need)
		size = need;
	if (size < (64u << 10))
		size = 64u << 10;  /* small stores get a small first extent */
	size = (size + 4095) & ~4095ULL;
	if (size > PMDB_CHUNK) /* whole chunks, PMDK's header included */
		size = (size + PMDB_ALLOC_HDR + PMDB_CHUNK - 1) / PMDB_CHUNK *
		       PMDB_CHUNK - PMDB_ALLOC_HDR;
	e = &g->nxt->ent[g->n_ext];
	/* the allocation is owned by the (still unreferenced) new table */
	if (pmdb_extent__alloc(g->env, &e->oid, size))
		return pmdb_pool__alloc_error(g->env, size, "gc: cannot "
					      "allocate an extent");
	e->size = pmemobj_alloc_usable_size(e->oid);
	e->committed_tail = 0;
	g->next[g->n_ext].base = pmemobj_direct(e->oid);
	/* n_ext counts it first: an error frees it with the others */
	*x = (uint32_t)g->n_ext++;
	if ((rc = gc_back(g, pmemobj_direct(e->oid), e->size)))
		return rc;
	*off = 0;
	return 0;
}

/* gc_copy -- copy one record into the new store. */
static int
gc_copy(struct gcstate *g, const struct pmdb_rec *r)
{
	uint64_t len = sizeof(*r) + ((r->stored_size + 7) & ~7ULL), off = 0;
	uint32_t x = 0;
	int rc;

	if ((rc = gc_room(g, len, &x, &off)))
		return rc;
	memcpy(g->next[x].base + off, r, sizeof(*r) + r->stored_size);
	if (r->stored_size >= PMDB_STREAM_CHUNK / 2) {
		/* a big pool's copy would otherwise stay resident twice
		 * (bigobj.c (3)): flush the copy so far now (the final
		 * flush would fault it back in on the pmem path), unmap
		 * both. next[x].tail counts the flushed bytes until the
		 * swap sets the real tail. */
		uint64_t from = g->next[x].tail;

		pmdb_pool__flush(g->env, g->next[x].base + from,
				 off + len - from);
		pmdb_pool__drain(g->env);
		g->next[x].tail = off + len;
		pmdb_big__unmap(r, sizeof(*r) + r->stored_size);
		pmdb_big__unmap(g->next[x].base + off, len);
	}
	g->nxt->ent[x].committed_tail = off + len;
	pmdb_index__insert(g->nix, r->id, g->env->hlen,
			   PMDB_META(r->type, r->raw_size), PMDB_LOC(x, off));
	g->objects[r->type]++;
	g->raw[r->type] += r->raw_size;
	g->stored += sizeof(*r) + r->stored_size;
	g->compressed += (r->flags & PMDB_REC_LZ4) != 0;
	g->kept++;
	g->bytes += len;
	return 0;
}

/* gc_free_new -- undo: free the new allocations (nothing references
 * them). */
static void
gc_free_new(struct gcstate *g, PMEMoid *xt, PMEMoid *ix)
{
	for (uint64_t i = 0; i < g->n_ext; i++)
		pmemobj_free(&g->nxt->ent[i].oid);
	pmemobj_free(xt);
	pmemobj_free(ix);
	free(g->next);
}

/* retire_old -- hand the old store to the epochs: its extents, index
 * and extent table (oxt, whose entries xt are read here, so it goes
 * last) and the DRAM extent array ext. Takes these and not the old view:
 * pmdb_view__publish may have freed that already (its retire can fall
 * back to an immediate free when out of memory). */
static void
retire_old(struct pmdb_env *env, const struct pmdb_pextab *xt, void *ext,
	   uint64_t n_ext, PMEMoid oxt, PMEMoid oix)
{
	PMEMoid all[2] = { oix, oxt };

	for (uint64_t i = 0; i < n_ext + 2; i++) {
		PMEMoid *p = malloc(sizeof(*p));

		if (!p)
			continue; /* leaked until the next open's sweep */
		*p = i < n_ext ? xt->ent[i].oid : all[i - n_ext];
		pmdb_epoch__retire(env, pmdb_epoch__free_pmem, p);
	}
	pmdb_epoch__retire(env, pmdb_epoch__free_dram, ext);
}

/* gc_swap -- the one pmemobj tx naming the new store in the root. */
static int
gc_swap(struct pmdb_env *env, PMEMoid nxt, PMEMoid nix,
	const struct gcstate *gp)
{
	struct pmdb_root *root = env->root;
	const struct gcstate g = *gp;
	volatile int rc = 0;

	TX_BEGIN(env->pop) {
		pmemobj_tx_add_range_direct(root, sizeof(*root));
		root->extab = nxt;
		root->index = nix;
		/* atomic stores: pmdb_env_stat reads the counters
		 * without the writer lock (as commit_tx writes them) */
		for (int t = 1; t <= 4; t++) {
			PMDB_ROOT_SET(root->objects[t], g.objects[t]);
			PMDB_ROOT_SET(root->raw_bytes[t], g.raw[t]);
		}
		PMDB_ROOT_SET(root->stored_bytes, g.stored);
		PMDB_ROOT_SET(root->compressed, g.compressed);
		PMDB_ROOT_SET(root->index_used, g.kept);
	} TX_ONABORT {
		rc = pmdb__seterr(PMDB_ENOSPC, "gc swap failed: %s",
				  pmemobj_errormsg());
	} TX_END
	return rc;
}

/* What keep_chunk marks: the verdict bits of gc_decide. */
struct keep_chunks {
	struct pmdb_env *env;
	const struct pmdb_view *ov;
	uint64_t *bits, *nkeep;
};

/* keep_chunk -- pmdb_big__each_chunk callback: keep one chunk (once). */
static int
keep_chunk(const uint8_t *id, void *ctx)
{
	struct keep_chunks *k = ctx;
	struct pmdb_slot *s;
	uint64_t meta, loc, i;

	if (!(s = pmdb_index__find(k->ov, id, k->env->hlen, &meta, &loc)) ||
	    !pmdb_index__visible(k->ov, loc) ||
	    PMDB_META_TYPE(meta) != PMDB_OBJ_CHUNK)
		return 0; /* missing: fsck reports it; gc keeps what is */
	i = (uint64_t)(s - k->ov->index->slot);
	if (!(k->bits[i / 64] >> (i % 64) & 1)) {
		k->bits[i / 64] |= 1ULL << (i % 64);
		++*k->nkeep;
	}
	return 0;
}

/* gc_decide -- call keep() for every visible object of view ov; set
 * bit i of *out for each slot i to keep; count visible and kept objects.
 * @return 0, PMDB_ENOMEM. */
static int
gc_decide(struct pmdb_env *env, const struct pmdb_view *ov,
	  pmdb_keep_cb keep, void *ctx, uint64_t **out, uint64_t *total,
	  uint64_t *nkeep)
{
	uint64_t *bits = calloc((ov->mask + 64) / 64, sizeof(*bits));

	if (!bits)
		return pmdb__seterr(PMDB_ENOMEM, "gc verdicts");
	*total = *nkeep = 0;
	for (uint64_t i = 0; i <= ov->mask; i++) {
		struct pmdb_slot *s = &ov->index->slot[i];
		pmdb_oid id;

		if (!s->loc || !pmdb_index__visible(ov, s->loc))
			continue;
		++*total;
		/* a chunk lives as long as a kept blob lists it (below) */
		if (PMDB_META_TYPE(s->meta) == PMDB_OBJ_CHUNK)
			continue;
		memset(&id, 0, sizeof(id));
		memcpy(id.id, s->id, env->hlen);
		if (!keep(&id, PMDB_META_TYPE(s->meta), ctx))
			continue;
		bits[i / 64] |= 1ULL << (i % 64);
		++*nkeep;
	}
	for (uint64_t i = 0; i <= ov->mask; i++) {
		struct pmdb_slot *s = &ov->index->slot[i];
		struct keep_chunks k = { env, ov, bits, nkeep };
		const struct pmdb_rec *r;

		if ((bits[i / 64] >> (i % 64) & 1) &&
		    PMDB_META_TYPE(s->meta) == PMDB_OBJ_BLOB &&
		    !pmdb_rec__check(env, ov, s->loc, &r) &&
		    (r->flags & PMDB_REC_CHUNKED))
			pmdb_big__each_chunk(env, r, keep_chunk, &k);
	}
	*out = bits;
	return 0;
}

/* pmdb_env_gc -- keep what keep() accepts, compact, swap, retire. */
PMDB_EXPORT int
pmdb_env_gc(pmdb_env *env, pmdb_keep_cb keep, void *ctx, pmdb_gc_stat *st)
{
	struct gcstate g;
	struct pmdb_view *ov, *nv;
	struct pmdb_pextab *oextab;
	void *oext;
	struct pmdb_root *root = env->root;
	uint64_t before = 0;
	uint64_t total = 0, nkeep = 0, on_ext, cap_before = 0;
	uint64_t *verdict = NULL;
	PMEMoid nxt = OID_NULL, nix = OID_NULL, oxt, oix;
	unsigned bits = 12;
	int rc = 0;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!keep)
		return pmdb__seterr(PMDB_EINVAL, "NULL keep callback");
	pthread_mutex_lock(&env->wlock);
	if (__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE)) {
		pthread_mutex_unlock(&env->wlock);
		return pmdb__seterr(PMDB_EPANIC, "env must be reopened");
	}
	memset(&g, 0, sizeof(g));
	g.env = env;
	ov = env->view;
	on_ext = env->n_ext;
	for (uint64_t i = 0; i < on_ext; i++)
		before += ov->extab->ent[i].committed_tail;
	g.hint = before;
	for (uint64_t i = 0; i < on_ext; i++)
		cap_before += ov->extab->ent[i].size;
	/* pass 1: ask keep() once per object, remember the verdicts; when
	 * it keeps everything there is nothing to compact, and copying
	 * would only grow the pool */
	if ((rc = gc_decide(env, ov, keep, ctx, &verdict, &total, &nkeep)))
		goto out;
	if (nkeep == total) {
		if (st) {
			st->kept = total;
			st->freed = 0;
			st->bytes_before = st->bytes_after = cap_before;
		}
		goto out;
	}
	while (nkeep > ((3ULL << bits) >> 2))
		bits++;
	g.next = calloc(PMDB_EXT_MAX, sizeof(*g.next));
	if (!g.next) {
		rc = pmdb__seterr(PMDB_ENOMEM, "gc");
		goto out;
	}
	if (pmdb_pool__zalloc(env, &nxt, sizeof(struct pmdb_pextab),
			      PMDB_T_EXTAB) ||
	    (rc = pmdb_index__alloc(env, bits, &nix))) {
		rc = rc ? rc : pmdb_pool__alloc_error(
			env, sizeof(struct pmdb_pextab),
			"gc: cannot allocate an extent table");
		goto undo;
	}
	g.nxt = pmemobj_direct(nxt);
	g.nxt->magic = PMDB_MAGIC;
	g.nix = pmemobj_direct(nix);
	for (uint64_t i = 0; i <= ov->mask; i++) {
		struct pmdb_slot *s = &ov->index->slot[i];
		const struct pmdb_rec *r;

		if (!(verdict[i / 64] >> (i % 64) & 1))
			continue;
		if ((rc = pmdb_rec__check(env, ov, s->loc, &r)) ||
		    (rc = gc_copy(&g, r)))
			goto undo;
	}
	/* The new store is durable before the root names it. */
	for (uint64_t i = 0; i < g.n_ext; i++)
		pmdb_pool__flush(env, g.next[i].base + g.next[i].tail,
				 g.nxt->ent[i].committed_tail - g.next[i].tail);
	pmdb_pool__flush(env, g.nxt, sizeof(*g.nxt));
	pmdb_pool__flush(env, g.nix, sizeof(*g.nix) +
			 (sizeof(struct pmdb_slot) << bits));
	pmdb_pool__drain(env);
	if (!(nv = pmdb_view__dup(env))) {
		rc = pmdb__seterr(PMDB_ENOMEM, "gc");
		goto undo;
	}
	oxt = root->extab;
	oix = root->index;
	rc = gc_swap(env, nxt, nix, &g);
	if (rc)
		goto undo_nv;
	for (uint64_t i = 0; i < g.n_ext; i++)
		g.next[i].tail = g.nxt->ent[i].committed_tail;
	nv->extab = g.nxt;
	nv->ext = g.next;
	nv->index = g.nix;
	nv->bits = bits;
	nv->mask = (1ULL << bits) - 1;
	env->n_ext = g.n_ext;
	oextab = ov->extab;
	oext = ov->ext;
	pmdb_view__publish(env, nv);   /* ov is dead from here on */
	ov = NULL;
	retire_old(env, oextab, oext, on_ext, oxt, oix);
	pmdb_epoch__reclaim(env, 0);
	env->reshaped = 1;  /* close gives the old store's space back */
	if (st) {
		st->kept = g.kept;
		st->freed = total - g.kept;
		st->bytes_before = cap_before;
		st->bytes_after = 0;
		for (uint64_t i = 0; i < g.n_ext; i++)
			st->bytes_after += g.nxt->ent[i].size;
	}
	goto out;
undo_nv:
	free(nv);
undo:
	g.nxt = g.nxt ? g.nxt : NULL;
	if (g.nxt)
		gc_free_new(&g, &nxt, &nix);
	else {
		if (!OID_IS_NULL(nix))
			pmemobj_free(&nix);
		if (!OID_IS_NULL(nxt))
			pmemobj_free(&nxt);
		free(g.next);
	}
out:
	free(verdict);
	pthread_mutex_unlock(&env->wlock);
	return rc;
}
