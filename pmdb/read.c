/*
 * read.c -- lock-free object reads: info, info_many, read,
 * resolve_prefix, foreach. Each enters an epoch, loads the view once and
 * uses only it (env.h).
 */
#include <string.h>
#include "env.h"

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

/* pmdb_object_info_many -- info for n ids, home slots prefetched
 * `ahead` ids in advance so the cache misses overlap. */
PMDB_EXPORT int
pmdb_object_info_many(pmdb_env *env, const pmdb_oid *oids, size_t n,
		      pmdb_objinfo *out)
{
	const size_t ahead = 16;
	struct pmdb_erec *rec;
	struct pmdb_view *v;

	if ((!oids || !out) && n)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	for (size_t i = 0; i < n && i < ahead; i++)
		__builtin_prefetch(&v->index->slot[pmdb_index__home(
			oids[i].id, v->bits)]);
	for (size_t i = 0; i < n; i++) {
		uint64_t meta, loc;

		if (i + ahead < n)
			__builtin_prefetch(&v->index->slot[pmdb_index__home(
				oids[i + ahead].id, v->bits)]);
		out[i].err = lookup(env, v, &oids[i], &meta, &loc);
		out[i].type = out[i].err ? PMDB_OBJ_NONE : PMDB_META_TYPE(meta);
		out[i].size = out[i].err ? 0 : PMDB_META_SIZE(meta);
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
	} else if (!(rc = pmdb_rec__check(env, v, loc, &r)) &&
		   !(rc = pmdb_rec__load(env, r, buf)) && type) {
		*type = (pmdb_otype)r->type;
	}
	pmdb_epoch__leave(rec);
	return rc;
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
		    pmdb_index__visible(v, l)) {
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

		if (!l || !pmdb_index__visible(v, l))
			continue;
		memset(&id, 0, sizeof(id));
		memcpy(id.id, s->id, env->hlen);
		rc = cb(&id, PMDB_META_TYPE(s->meta), PMDB_META_SIZE(s->meta),
			ctx);
	}
	pmdb_epoch__leave(rec);
	return rc;
}
