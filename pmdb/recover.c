/*
 * recover.c -- repair at open: roll back index entries of a commit cut
 * short (design.md "Recovery") and free allocations nothing references
 * (a crash during extent/index/ref table growth or gc before its swap).
 * Both run before the env is returned, so no reader exists.
 */
#include <stdlib.h>
#include <string.h>
#include "extent.h"
#include "pool.h"
#include "index.h"
#include "recover.h"

/* pmdb_recover__run -- for each extent, walk records right after the
 * committed tail that belong to txn_seq + 1 and have a valid crc, and
 * clear any index slot pointing at them. Work is proportional to the
 * bytes of the interrupted commit. */
int
pmdb_recover__run(struct pmdb_env *env)
{
	struct pmdb_view *v = env->view;
	uint64_t next = env->root->txn_seq + 1, removed = 0;

	for (uint64_t x = 0; x < env->n_ext; x++) {
		struct pmdb_pext *e = &v->extab->ent[x];
		uint64_t off = e->committed_tail;

		while (off + sizeof(struct pmdb_rec) <= e->size) {
			struct pmdb_rec *r = (struct pmdb_rec *)
					     (v->ext[x].base + off);
			uint64_t meta, loc;
			struct pmdb_slot *s;

			if (r->magic != PMDB_REC_MAGIC || r->txn != next ||
			    r->stored_size > e->size - off - sizeof(*r) ||
			    pmdb_rec__crc(r) != r->crc)
				break;
			env->recovered++;
			s = pmdb_index__find(v, r->id, env->hlen, &meta, &loc);
			if (s && loc == PMDB_LOC(x, off)) {
				pmdb_index__delete(v->index,
						   (uint64_t)(s - v->index->slot));
				removed++;
			}
			off += sizeof(*r) + ((r->stored_size + 7) & ~7ULL);
		}
	}
	if (removed) {
		/* rare path: persist the whole table once rather than track
		 * every slot the backward shifts moved */
		pmdb_pool__persist(env, v->index->slot,
				   (v->mask + 1) * sizeof(struct pmdb_slot));
	}
	return 0;
}

/* cmp_u64 -- qsort/bsearch order of offsets. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* pmdb_recover__sweep -- free every allocation the root does not reach. */
int
pmdb_recover__sweep(struct pmdb_env *env)
{
	struct pmdb_root *root = env->root;
	struct pmdb_pextab *xt = env->view->extab;
	uint64_t *live, nlive = 0, nfree = 0, capfree = 0;
	PMEMoid oid, *dead = NULL, rootoid;

	live = malloc((env->n_ext + 4) * sizeof(*live));
	if (!live)
		return pmdb__seterr(PMDB_ENOMEM, "sweep");
	live[nlive++] = root->extab.off;
	live[nlive++] = root->index.off;
	live[nlive++] = root->reftab.off;
	for (uint64_t i = 0; i < env->n_ext; i++)
		live[nlive++] = xt->ent[i].oid.off;
	qsort(live, nlive, sizeof(*live), cmp_u64);
	rootoid = pmemobj_root(env->pop, sizeof(*root));
	for (oid = pmemobj_first(env->pop); !OID_IS_NULL(oid);
	     oid = pmemobj_next(oid)) {
		if (oid.off == rootoid.off ||
		    bsearch(&oid.off, live, nlive, sizeof(*live), cmp_u64))
			continue;
		if (nfree == capfree) {
			uint64_t cap = capfree ? capfree * 2 : 16;
			PMEMoid *n = realloc(dead, cap * sizeof(*n));

			if (!n)
				break;
			dead = n;
			capfree = cap;
		}
		dead[nfree++] = oid;
	}
	/* freed after the walk: pmemobj_next must not see freed objects */
	for (uint64_t i = 0; i < nfree; i++)
		pmemobj_free(&dead[i]);
	if (nfree)
		env->reshaped = 1;  /* close gives the space back */
	free(dead);
	free(live);
	return 0;
}
