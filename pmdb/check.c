/*
 * check.c -- pmdb_env_check: records, index, refs, extent bounds. Runs as
 * a reader (inside one epoch), so it is safe beside a writer; entries
 * committed during the walk may or may not be checked.
 */
#include <stdio.h>
#include <string.h>
#include "epoch.h"
#include "extent.h"
#include "index.h"
#include "ref.h"
#include "bigobj.h"

struct ck {
	struct pmdb_env *env;
	pmdb_problem_cb cb;
	void *ctx;
	uint64_t n;
};

/* report -- count one problem and pass it to the callback. */
static void
report(struct ck *c, const char *what, const uint8_t *id, const char *name,
       const char *msg)
{
	pmdb_oid oid;
	pmdb_problem p = { what, NULL, name, msg };

	if (id) {
		memset(&oid, 0, sizeof(oid));
		memcpy(oid.id, id, c->env->hlen);
		p.oid = &oid;
	}
	c->n++;
	if (c->cb)
		c->cb(&p, c->ctx);
}

/* check_slot -- one index entry against its record. */
static void
check_slot(struct ck *c, const struct pmdb_view *v, struct pmdb_slot *s,
	   uint64_t loc, unsigned flags, pmdb_buf *buf)
{
	struct pmdb_env *env = c->env;
	const struct pmdb_rec *r;
	uint32_t x = PMDB_LOC_EXT(loc);
	pmdb_oid id;

	if (x >= PMDB_EXT_MAX ||
	    !__atomic_load_n(&v->ext[x].base, __ATOMIC_ACQUIRE) ||
	    PMDB_LOC_OFFSET(loc) + sizeof(*r) > v->extab->ent[x].size) {
		report(c, "index", s->id, NULL, "location out of bounds");
		return;
	}
	if (pmdb_rec__check(env, v, loc, &r)) {
		report(c, "object", s->id, NULL, pmdb_errdetail());
		return;
	}
	if (memcmp(r->id, s->id, env->hlen) ||
	    PMDB_META(r->type, r->raw_size) != s->meta) {
		report(c, "index", s->id, NULL, "index entry and record differ");
		return;
	}
	if (r->flags & PMDB_REC_CHUNKED) {
		char msg[256];

		if (pmdb_big__check(env, v, r, flags & PMDB_CHECK_DATA, buf,
				    msg, sizeof(msg)))
			report(c, "object", s->id, NULL, msg);
		return;
	}
	if (!(flags & PMDB_CHECK_DATA))
		return;
	if (pmdb_rec__load(env, r, buf)) {
		report(c, "object", s->id, NULL, pmdb_errdetail());
		return;
	}
	pmdb_hash__object(&id, env->algo, (pmdb_otype)r->type, buf->data,
			  buf->len);
	if (memcmp(id.id, s->id, env->hlen))
		report(c, "object", s->id, NULL, "content does not hash to "
		       "its id");
	/* a big pool read whole would stay resident (bigobj.c (3)) */
	if (r->stored_size >= PMDB_STREAM_CHUNK / 2)
		pmdb_big__unmap(r, sizeof(*r) + r->stored_size);
}

/* check_ref -- a direct ref must name an existing object. */
static int
check_ref(const char *name, const pmdb_oid *oid, const char *target,
	  void *ctx)
{
	struct ck *c = ctx;

	if (!target[0] && pmdb_object_info(c->env, oid, NULL, NULL))
		report(c, "ref", oid->id, name, "ref points to a missing "
		       "object");
	return 0;
}

/* pmdb_env_check -- verify the store; problems go to cb. */
PMDB_EXPORT int
pmdb_env_check(pmdb_env *env, unsigned flags, pmdb_problem_cb cb, void *ctx,
	       uint64_t *nproblems)
{
	struct ck c = { env, cb, ctx, 0 };
	pmdb_buf buf = PMDB_BUF_INIT;
	struct pmdb_erec *rec;
	struct pmdb_view *v;
	uint64_t used = 0;
	char msg[128];

	pmdb__clearerr(); /* no stale detail after this call */
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	for (uint64_t i = 0; i <= v->mask; i++) {
		struct pmdb_slot *s = &v->index->slot[i];
		uint64_t l = __atomic_load_n(&s->loc, __ATOMIC_ACQUIRE);

		if (!l)
			continue;
		if (!pmdb_index__visible(v, l)) {
			/* past a committed tail but inside its extent: a
			 * commit in flight (its slots are published before
			 * the commit point); outside any extent: corrupt */
			uint32_t x = PMDB_LOC_EXT(l);

			if (x >= PMDB_EXT_MAX ||
			    !__atomic_load_n(&v->ext[x].base, __ATOMIC_ACQUIRE) ||
			    PMDB_LOC_OFFSET(l) >= v->extab->ent[x].size)
				report(&c, "index", s->id, NULL,
				       "location out of bounds");
			continue;
		}
		used++;
		check_slot(&c, v, s, l, flags, &buf);
	}
	for (uint64_t x = 0; x < PMDB_EXT_MAX; x++) {
		uint8_t *base = __atomic_load_n(&v->ext[x].base,
						__ATOMIC_ACQUIRE);
		uint64_t tail, size;

		if (!base)
			break;
		tail = __atomic_load_n(&v->ext[x].tail, __ATOMIC_ACQUIRE);
		size = v->extab->ent[x].size;
		if (tail > size) {
			snprintf(msg, sizeof(msg), "extent %llu: tail %llu "
				 "past size %llu", (unsigned long long)x,
				 (unsigned long long)tail,
				 (unsigned long long)size);
			report(&c, "pool", NULL, NULL, msg);
		}
	}
	if (used > (v->mask + 1) * 3 / 4 + 1)
		report(&c, "index", NULL, NULL, "index is over-full");
	pmdb_epoch__leave(rec);
	pmdb_buf_free(&buf);
	pmdb_ref_foreach(env, "", check_ref, &c);
	if (nproblems)
		*nproblems = c.n;
	return 0;
}
