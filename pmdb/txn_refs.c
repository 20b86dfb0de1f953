/*
 * txn_refs.c -- ref updates of a write txn: recorded in DRAM, checked
 * (compare-and-swap) and applied at commit under the writer lock.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ref.h"
#include "txn.h"

/* ref_slot -- the txn's update record for name, appended if new (keeping
 * the first expect of an updated one). NULL on ENOMEM. */
static struct txn_ref *
ref_slot(struct pmdb_txn *txn, const char *name, const pmdb_oid *expect)
{
	struct txn_ref *r;

	for (size_t i = 0; i < txn->nref; i++)
		if (strcmp(txn->refs[i].name, name) == 0)
			return &txn->refs[i];
	if (txn->nref == txn->capref) {
		size_t cap = txn->capref ? txn->capref * 2 : 8;
		struct txn_ref *n = realloc(txn->refs, cap * sizeof(*n));

		if (!n)
			return NULL;
		txn->refs = n;
		txn->capref = cap;
	}
	r = &txn->refs[txn->nref++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (expect == PMDB_EXPECT_ANY) {
		r->expect_kind = TXN_EXPECT_ANY;
	} else if (expect == PMDB_EXPECT_ABSENT) {
		r->expect_kind = TXN_EXPECT_ABSENT;
	} else {
		r->expect_kind = TXN_EXPECT_VALUE;
		r->expect = *expect;
	}
	return r;
}

/* pmdb_txn_ref_set -- set or delete a direct ref at commit. */
PMDB_EXPORT int
pmdb_txn_ref_set(pmdb_txn *txn, const char *name, const pmdb_oid *oid,
		 const pmdb_oid *expect)
{
	struct txn_ref *r;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!txn || txn->failed)
		return pmdb_txn__earlier(txn);
	if (!pmdb_ref_name_valid(name))
		return pmdb__seterr(PMDB_EINVAL, "bad ref name '%s'",
				    name ? name : "(null)");
	if (!(r = ref_slot(txn, name, expect))) {
		txn->failed = 1;
		return pmdb__seterr(PMDB_ENOMEM, "ref update");
	}
	r->kind = oid ? TXN_REF_SET : TXN_REF_DELETE;
	if (oid)
		r->oid = *oid;
	r->target[0] = '\0';
	return 0;
}

/* pmdb_txn_ref_set_symbolic -- make name point to target at commit. */
PMDB_EXPORT int
pmdb_txn_ref_set_symbolic(pmdb_txn *txn, const char *name, const char *target)
{
	struct txn_ref *r;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!txn || txn->failed)
		return pmdb_txn__earlier(txn);
	if (!pmdb_ref_name_valid(name) || !pmdb_ref_name_valid(target))
		return pmdb__seterr(PMDB_EINVAL, "bad ref name '%s' -> '%s'",
				    name ? name : "(null)",
				    target ? target : "(null)");
	if (!(r = ref_slot(txn, name, PMDB_EXPECT_ANY))) {
		txn->failed = 1;
		return pmdb__seterr(PMDB_ENOMEM, "ref update");
	}
	r->kind = TXN_REF_SYMBOLIC;
	memset(&r->oid, 0, sizeof(r->oid));
	snprintf(r->target, sizeof(r->target), "%s", target);
	return 0;
}

/* pmdb_txn__check_refs -- every update's expect holds now (commit step
 * 2, under the writer lock, so nothing changes before step 6).
 * @return 0, PMDB_ECONFLICT naming the ref. */
int
pmdb_txn__check_refs(struct pmdb_txn *txn)
{
	for (size_t i = 0; i < txn->nref; i++) {
		struct txn_ref *r = &txn->refs[i];
		pmdb_oid cur;
		uint32_t flags = 0;
		int found;

		if (r->expect_kind == TXN_EXPECT_ANY)
			continue;
		found = pmdb_ref__get(txn->env->view, r->name, &flags, &cur,
				      NULL) == 0;
		if (r->expect_kind == TXN_EXPECT_ABSENT && !found)
			continue;
		if (r->expect_kind == TXN_EXPECT_VALUE && found &&
		    !(flags & PMDB_REF_SYMBOLIC) &&
		    memcmp(cur.id, r->expect.id, sizeof(cur.id)) == 0)
			continue;
		return pmdb__seterr(PMDB_ECONFLICT, "ref '%s' %s", r->name,
				    r->expect_kind == TXN_EXPECT_ABSENT ?
				    "exists already" :
				    found ? "changed" : "does not exist");
	}
	return 0;
}

/* pmdb_txn__apply_refs -- write every update; inside the commit's
 * pmemobj tx (each entry is TX_ADDed from flags on: seq stays out of the
 * undo log, ref.c). *dlive gets the change in the number of live refs.
 * Each written entry is noted in its update's slot, before it turns odd,
 * for pmdb_txn__settle_refs. */
void
pmdb_txn__apply_refs(struct pmdb_txn *txn, int64_t *dlive)
{
	for (size_t i = 0; i < txn->nref; i++) {
		struct txn_ref *r = &txn->refs[i];
		struct pmdb_pref *e;
		int isnew;

		e = pmdb_ref__slot_for_write(txn->env, r->name, &isnew);
		if (r->kind == TXN_REF_DELETE && isnew)
			continue;
		pmemobj_tx_add_range_direct(&e->flags, sizeof(*e) -
					    offsetof(struct pmdb_pref, flags));
		r->slot = e;
		if (r->kind == TXN_REF_DELETE) {
			pmdb_ref__write(e, PMDB_REF_TOMB, NULL, r->name, NULL);
			(*dlive)--;
			continue;
		}
		if (isnew) {
			(*dlive)++;
			if (!(e->flags & PMDB_REF_TOMB))
				txn->env->ref_used++;
		}
		pmdb_ref__write(e, PMDB_REF_USED |
				(r->kind == TXN_REF_SYMBOLIC ?
				 PMDB_REF_SYMBOLIC : 0),
				r->kind == TXN_REF_SET ? &r->oid : NULL,
				r->name,
				r->kind == TXN_REF_SYMBOLIC ? r->target : NULL);
	}
}

/* pmdb_txn__settle_refs -- after the commit's pmemobj tx ended (either
 * way): end the seqlocked write of every entry apply_refs touched. */
void
pmdb_txn__settle_refs(struct pmdb_txn *txn)
{
	for (size_t i = 0; i < txn->nref; i++) {
		if (txn->refs[i].slot)
			pmdb_ref__settle(txn->refs[i].slot);
		txn->refs[i].slot = NULL;
	}
}
