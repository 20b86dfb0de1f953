/*
 * read.c -- lock-free object reads: info, info_many, read,
 * resolve_prefix, foreach. Each enters an epoch, loads the view once and
 * uses only it (env.h).
 */
#include <stdlib.h>
#include <string.h>
#include "epoch.h"
#include "extent.h"
#include "index.h"

/* lookup -- meta and loc of a committed object in view v. */
static inline int
lookup(struct pmdb_env *env, const struct pmdb_view *v, const pmdb_oid *oid,
       uint64_t *meta, uint64_t *loc)
{
	if (pmdb_index__find(v, oid->id, env->hlen, meta, loc) &&
	    pmdb_index__visible(v, *loc))
		return 0;
	return PMDB_ENOTFOUND;
}

/* pmdb_object_info -- type and size from the index alone. */
PMDB_EXPORT int
pmdb_object_info(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		 uint64_t *size)
{
	struct pmdb_erec *rec = pmdb_epoch__enter(env);
	uint64_t meta, loc;
	int rc;

	if (!rec)
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	rc = lookup(env, pmdb_view__get(env), oid, &meta, &loc);
	pmdb_epoch__leave(rec);
	if (rc) {
		pmdb__clearerr(); /* a miss is common: no formatted detail */
		return rc;
	}
	if (type)
		*type = PMDB_META_TYPE(meta);
	if (size)
		*size = PMDB_META_SIZE(meta);
	return 0;
}

/* find_fast -- pmdb_index__find for the batched path, inlined: the
 * first 8 id bytes (which also pick the home slot) are compared as one
 * word before the rest. Same memory order as index.c invariant 1. */
static inline int
find_fast(const struct pmdb_view *v, const uint8_t *id, size_t hlen,
	  uint64_t pos, uint64_t *meta, uint64_t *loc)
{
	struct pmdb_slot *s = v->index->slot;
	uint64_t w;

	memcpy(&w, id, sizeof(w));
	for (;; pos = (pos + 1) & v->mask) {
		/* acquire: id/meta of a filled slot are complete */
		uint64_t l = __atomic_load_n(&s[pos].loc, __ATOMIC_ACQUIRE);
		uint64_t sw;

		if (!l)
			return 0;
		memcpy(&sw, s[pos].id, sizeof(sw));
		if (sw == w && memcmp(s[pos].id + 8, id + 8, hlen - 8) == 0) {
			*meta = s[pos].meta;
			*loc = l;
			return 1;
		}
	}
}

/* prefetch_slot -- both cache lines a 48-byte slot may straddle. */
static inline void
prefetch_slot(const struct pmdb_slot *s)
{
	__builtin_prefetch(s);
	__builtin_prefetch((const char *)s + sizeof(*s) - 1);
}

/* pmdb_object_info_many -- info for n ids, software-pipelined: the home
 * slot of id i + AHEAD is computed and prefetched (both lines) while id
 * i is looked up, so AHEAD misses are in flight at once. */
PMDB_EXPORT int
pmdb_object_info_many(pmdb_env *env, const pmdb_oid *oids, size_t n,
		      pmdb_objinfo *out)
{
	enum { AHEAD = 16 };     /* a power of two: ring index by mask */
	uint64_t home[AHEAD];
	struct pmdb_erec *rec;
	struct pmdb_view *v;
	size_t hlen = env->hlen;

	if ((!oids || !out) && n)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	for (size_t i = 0; i < n && i < AHEAD; i++) {
		home[i] = pmdb_index__home(oids[i].id, v->bits);
		prefetch_slot(&v->index->slot[home[i]]);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t meta = 0, loc = 0, pos = home[i & (AHEAD - 1)];
		int ok;

		if (i + AHEAD < n) {
			uint64_t h = pmdb_index__home(oids[i + AHEAD].id,
						      v->bits);

			home[i & (AHEAD - 1)] = h;
			prefetch_slot(&v->index->slot[h]);
		}
		ok = find_fast(v, oids[i].id, hlen, pos, &meta, &loc) &&
		     pmdb_index__visible(v, loc);
		out[i].err = ok ? 0 : PMDB_ENOTFOUND;
		out[i].type = ok ? PMDB_META_TYPE(meta) : PMDB_OBJ_NONE;
		out[i].size = ok ? PMDB_META_SIZE(meta) : 0;
	}
	pmdb_epoch__leave(rec);
	return 0;
}

/* pmdb_object_read -- copy out (and decompress) an object. */
PMDB_EXPORT int
pmdb_object_read(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		 pmdb_buf *buf)
{
	struct pmdb_erec *rec = pmdb_epoch__enter(env);
	const struct pmdb_rec *r;
	struct pmdb_view *v;
	uint64_t meta, loc;
	int rc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!rec)
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	if ((rc = lookup(env, v, oid, &meta, &loc))) {
		char hex[PMDB_OID_HEXMAX + 1];

		pmdb__seterr(rc, "no object %s",
			     pmdb_oid_fmt(hex, oid, env->algo));
	} else if (!(rc = pmdb_rec__check_id(env, v, loc, oid->id, &r)) &&
		   !(rc = pmdb_rec__load(env, r, buf)) && type) {
		*type = (pmdb_otype)r->type;
	}
	pmdb_epoch__leave(rec);
	return rc;
}

/* A guard is the thread's epoch record itself (a raw record: nothing
 * to free), or, with the low bit set, a malloc'd struct vguard that
 * also owns a decompressed copy. */
struct vguard {
	struct pmdb_erec *rec;
	pmdb_buf buf;
};

/* pmdb_object_view -- borrow an object's bytes inside an epoch. */
PMDB_EXPORT int
pmdb_object_view(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		 const void **ptr, size_t *len, pmdb_view_guard **guard)
{
	struct pmdb_erec *rec;
	const struct pmdb_rec *r;
	struct pmdb_view *v;
	struct vguard *g;
	uint64_t meta, loc;
	int rc;

	pmdb__clearerr();
	if (!env || !oid || !ptr || !len || !guard)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*guard = NULL;
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	if ((rc = lookup(env, v, oid, &meta, &loc))) {
		char hex[PMDB_OID_HEXMAX + 1];

		rc = pmdb__seterr(rc, "no object %s",
				  pmdb_oid_fmt(hex, oid, env->algo));
		goto fail;
	}
	if ((rc = pmdb_rec__check_id(env, v, loc, oid->id, &r)))
		goto fail;
	if (type)
		*type = (pmdb_otype)r->type;
	if (!(r->flags & (PMDB_REC_LZ4 | PMDB_REC_CHUNKED))) {
		if (r->stored_size != r->raw_size) {
			rc = pmdb__seterr(PMDB_ECORRUPT, "record size mismatch");
			goto fail;
		}
		*ptr = r + 1;
		*len = r->raw_size;
		*guard = (pmdb_view_guard *)rec;
		return 0;
	}
	if (!(g = calloc(1, sizeof(*g)))) {
		rc = pmdb__seterr(PMDB_ENOMEM, "view guard");
		goto fail;
	}
	g->rec = rec;
	if ((rc = pmdb_rec__load(env, r, &g->buf))) {
		free(g);
		goto fail;
	}
	*ptr = g->buf.data;
	*len = g->buf.len;
	*guard = (pmdb_view_guard *)((uintptr_t)g | 1);
	return 0;
fail:
	pmdb_epoch__leave(rec);
	return rc;
}

/* pmdb_view_release -- leave the view's epoch; free its copy if any. */
PMDB_EXPORT void
pmdb_view_release(pmdb_view_guard *guard)
{
	uintptr_t p = (uintptr_t)guard;

	if (!guard)
		return;
	if (p & 1) {
		struct vguard *g = (struct vguard *)(p & ~(uintptr_t)1);

		pmdb_epoch__leave(g->rec);
		pmdb_buf_free(&g->buf);
		free(g);
		return;
	}
	pmdb_epoch__leave((struct pmdb_erec *)guard);
}

/* prefix_match -- 1 if id starts with the nibbles of pre[0..nib). */
static int
prefix_match(const uint8_t *id, const uint8_t *pre, size_t nib)
{
	if (memcmp(id, pre, nib / 2))
		return 0;
	return !(nib & 1) || (id[nib / 2] >> 4) == (pre[nib / 2] >> 4);
}

/* pmdb_object_resolve_prefix -- expand a short hex id: the ids with
 * this prefix have homes in [lo, hi] (index.c invariant 4), so only that
 * range and its run's tail are scanned. */
PMDB_EXPORT int
pmdb_object_resolve_prefix(pmdb_env *env, const char *hex, size_t hexlen,
			   pmdb_oid *out)
{
	uint8_t lo_id[PMDB_OID_MAXLEN], hi_id[PMDB_OID_MAXLEN];
	struct pmdb_erec *rec;
	struct pmdb_view *v;
	uint64_t lo, hi, found = 0;
	pmdb_oid cand;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!hex || hexlen < 4 || hexlen > 2 * env->hlen)
		return pmdb__seterr(PMDB_EINVAL, "bad short id length %zu",
				    hexlen);
	memset(lo_id, 0, sizeof(lo_id));
	memset(hi_id, 0xff, sizeof(hi_id));
	for (size_t i = 0; i < hexlen; i++) {
		int d = pmdb_oid__hexval((unsigned char)hex[i]);

		if (d < 0)
			return pmdb__seterr(PMDB_EINVAL, "not hex: '%.*s'",
					    (int)hexlen, hex);
		if (i & 1) {
			lo_id[i / 2] = (uint8_t)((lo_id[i / 2] & 0xf0) | d);
			hi_id[i / 2] = (uint8_t)((hi_id[i / 2] & 0xf0) | d);
		} else {
			lo_id[i / 2] = (uint8_t)(d << 4);
			hi_id[i / 2] = (uint8_t)(d << 4 | 0xf);
		}
	}
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	lo = pmdb_index__home(lo_id, v->bits);
	hi = pmdb_index__home(hi_id, v->bits);
	for (uint64_t d = 0; d <= v->mask && found < 2; d++) {
		struct pmdb_slot *s = &v->index->slot[(lo + d) & v->mask];
		uint64_t l = __atomic_load_n(&s->loc, __ATOMIC_ACQUIRE);

		if (!l) {
			if (d >= hi - lo)
				break;
			continue;
		}
		if (prefix_match(s->id, lo_id, hexlen) &&
		    pmdb_index__visible(v, l) &&
		    pmdb_otype__git(PMDB_META_TYPE(s->meta))) {
			memset(&cand, 0, sizeof(cand));
			memcpy(cand.id, s->id, env->hlen);
			found++;
		}
	}
	pmdb_epoch__leave(rec);
	if (found == 0)
		return pmdb__seterr(PMDB_ENOTFOUND, "no object %.*s",
				    (int)hexlen, hex);
	if (found > 1)
		return pmdb__seterr(PMDB_EAMBIGUOUS, "short id %.*s is "
				    "ambiguous", (int)hexlen, hex);
	*out = cand;
	return 0;
}

/* pmdb_object_foreach -- every visible index entry of the current view. */
PMDB_EXPORT int
pmdb_object_foreach(pmdb_env *env, pmdb_object_cb cb, void *ctx)
{
	struct pmdb_erec *rec = pmdb_epoch__enter(env);
	struct pmdb_view *v;
	int rc = 0;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!rec)
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	for (uint64_t i = 0; i <= v->mask && !rc; i++) {
		struct pmdb_slot *s = &v->index->slot[i];
		uint64_t l = __atomic_load_n(&s->loc, __ATOMIC_ACQUIRE);
		pmdb_oid id;

		/* reflog records are pmdb's own, not git objects */
		if (!l || !pmdb_index__visible(v, l) ||
		    !pmdb_otype__git(PMDB_META_TYPE(s->meta)))
			continue;
		memset(&id, 0, sizeof(id));
		memcpy(id.id, s->id, env->hlen);
		rc = cb(&id, PMDB_META_TYPE(s->meta), PMDB_META_SIZE(s->meta),
			ctx);
	}
	pmdb_epoch__leave(rec);
	return rc;
}
