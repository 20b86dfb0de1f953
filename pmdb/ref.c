/*
 * ref.c -- the persistent ref table and lock-free ref reads.
 *
 * Open addressing on an FNV-1a hash of the name, linear probing; deleted
 * entries become tombstones (probing goes on past them) until the table is
 * rebuilt by growth. Entries change only inside the commit's pmemobj tx.
 *
 * Seqlock per entry, without standalone fences (ThreadSanitizer does not
 * model them): the writer stores seq odd, then writes every field word
 * with a release store (each is ordered after the odd seq); seq turns
 * even again (release) only after the commit's pmemobj tx has ended
 * (pmdb_ref__settle). A reader acquire-loads seq (retrying while odd),
 * copies the fields with acquire loads (so its re-read of seq below is
 * ordered after all of them), and re-reads seq: a change means it raced a
 * writer and retries. On x86 these are plain moves.
 *
 * An aborted commit tx: libpmemobj copies the undo log back over the
 * entries with plain (possibly non-temporal) stores. Were seq in the
 * snapshot, it would go back to its old even value, first, while the
 * other fields were still being copied: a reader that read that value
 * before the commit (or during the copy) would find seq unchanged and
 * accept a torn entry. So seq stays out of the undo log (the tx snapshots
 * from flags on), is odd across the whole tx, rollback included, and ends
 * at a value no reader saw before. After a crash inside the tx seq may be
 * odd on the media: the open makes it even (pmdb_ref__count_used).
 * tests/unit/pmdb/test_refs.c (ref_abort_*) checks both halves.
  */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "epoch.h"
#include "pool.h"
#include "ref.h"

/* name_hash -- FNV-1a of a ref name. */
static uint64_t
name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* acopy -- copy n bytes (multiple of 8, aligned) with acquire loads. */
static void
acopy(void *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	uint64_t *d = dst;

	for (size_t i = 0; i < n / 8; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_ACQUIRE);
}

/* astore -- copy n bytes (multiple of 8, aligned) with release stores. */
static void
astore(void *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	uint64_t *d = dst;

	for (size_t i = 0; i < n / 8; i++)
		__atomic_store_n(&d[i], s[i], __ATOMIC_RELEASE);
}

/* pmdb_ref__alloc -- a zeroed table of 2^bits entries (unlinked). */
int
pmdb_ref__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out)
{
	struct pmdb_preftab *t;

	if (pmdb_pool__zalloc(env, out, sizeof(*t) +
			      (sizeof(struct pmdb_pref) << bits), PMDB_T_REFTAB))
		return pmdb_pool__alloc_error(env, sizeof(*t) +
					      (sizeof(struct pmdb_pref) << bits),
					      "cannot allocate a ref table");
	t = pmemobj_direct(*out);
	t->magic = PMDB_MAGIC;
	t->bits = bits;
	return 0;
}

/* pmdb_ref__count_used -- entries in use or tombstoned; at open (no
 * reader yet), also ends the write of an entry a crash left odd (the file
 * comment). */
uint64_t
pmdb_ref__count_used(struct pmdb_env *env, struct pmdb_preftab *t)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < (1ULL << t->bits); i++) {
		struct pmdb_pref *e = &t->ent[i];

		n += (e->flags & (PMDB_REF_USED | PMDB_REF_TOMB)) != 0;
		if (e->seq & 1) {
			e->seq++;
			pmdb_pool__persist(env, &e->seq, sizeof(e->seq));
		}
	}
	return n;
}

/* pmdb_ref__reserve -- grow the table so nnew more names keep it at most
 * half full (tombstones count). Writer only. @return 0, PMDB_ENOSPC. */
int
pmdb_ref__reserve(struct pmdb_env *env, uint64_t nnew)
{
	struct pmdb_view *v = env->view, want;
	struct pmdb_preftab *ot = v->reftab, *nt;
	unsigned bits = (unsigned)ot->bits;
	uint64_t live = env->root->refs;
	PMEMoid noid;
	int rc = 0;

	if (env->ref_used + nnew <= (1ULL << bits) / 2)
		return 0;
	while (live + nnew > (1ULL << bits) / 4)
		bits++;
	if ((rc = pmdb_ref__alloc(env, bits, &noid)))
		return rc;
	nt = pmemobj_direct(noid);
	for (uint64_t i = 0; i <= v->refmask; i++) {
		struct pmdb_pref *e = &ot->ent[i];
		uint64_t pos;

		if (!(e->flags & PMDB_REF_USED))
			continue;
		pos = name_hash(e->name) & ((1ULL << bits) - 1);
		while (nt->ent[pos].flags)
			pos = (pos + 1) & ((1ULL << bits) - 1);
		nt->ent[pos] = *e;
		nt->ent[pos].seq = 0;
	}
	want = *v;
	want.reftab = nt;
	want.refmask = (1ULL << bits) - 1;
	rc = pmdb_view__install(env, &env->root->reftab, noid, sizeof(*nt) +
				(sizeof(struct pmdb_pref) << bits), &want,
				"ref table growth");
	if (!rc)
		env->ref_used = live;
	return rc;
}

/* pmdb_ref__get -- read name from the view's table, seqlock-consistent.
 * target gets PMDB_REF_NAME_MAX + 1 bytes. @return 0, PMDB_ENOTFOUND. */
int
pmdb_ref__get(const struct pmdb_view *v, const char *name, uint32_t *flags,
	      pmdb_oid *oid, char *target)
{
	struct pmdb_preftab *t = v->reftab;
	uint64_t pos = name_hash(name) & v->refmask;
	char nbuf[PMDB_REF_NAME_MAX + 1];

	for (uint64_t n = 0; n <= v->refmask; n++) {
		struct pmdb_pref *e = &t->ent[pos];
		uint64_t s1, s2;
		uint32_t f;

		for (;;) {
			s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			if (s1 & 1) {
				sched_yield();
				continue;
			}
			f = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
			acopy(nbuf, e->name, sizeof(nbuf));
			acopy(oid->id, e->oid, sizeof(oid->id));
			if (target)
				acopy(target, e->target,
				      PMDB_REF_NAME_MAX + 1);
			s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
			if (s1 == s2)
				break;
		}
		if (!(f & (PMDB_REF_USED | PMDB_REF_TOMB)))
			return PMDB_ENOTFOUND;
		nbuf[PMDB_REF_NAME_MAX] = '\0';
		if ((f & PMDB_REF_USED) && strcmp(nbuf, name) == 0) {
			*flags = f;
			if (target)
				target[PMDB_REF_NAME_MAX] = '\0';
			return 0;
		}
		pos = (pos + 1) & v->refmask;
	}
	return PMDB_ENOTFOUND;
}

/* pmdb_ref__slot_for_write -- the entry holding name, or the entry a new
 * name goes to (first tombstone or empty on its probe path). Writer only;
 * reserve() guarantees a free entry. */
struct pmdb_pref *
pmdb_ref__slot_for_write(struct pmdb_env *env, const char *name, int *isnew)
{
	struct pmdb_view *v = env->view;
	uint64_t pos = name_hash(name) & v->refmask;
	struct pmdb_pref *tomb = NULL;

	for (;;) {
		struct pmdb_pref *e = &v->reftab->ent[pos];

		if (!(e->flags & (PMDB_REF_USED | PMDB_REF_TOMB))) {
			*isnew = 1;
			return tomb ? tomb : e;
		}
		if ((e->flags & PMDB_REF_TOMB) && !tomb)
			tomb = e;
		if ((e->flags & PMDB_REF_USED) && strcmp(e->name, name) == 0) {
			*isnew = 0;
			return e;
		}
		pos = (pos + 1) & v->refmask;
	}
}

/* pmdb_ref__write -- seqlocked update of e: seq odd, then the fields.
 * Inside the commit's pmemobj tx, after the caller has TX_ADDed e from
 * flags on (not seq); pmdb_ref__settle ends it after the tx. */
void
pmdb_ref__write(struct pmdb_pref *e, uint32_t flags, const pmdb_oid *oid,
		const char *name, const char *target)
{
	char nbuf[PMDB_REF_NAME_MAX + 1] = { 0 };
	char tbuf[PMDB_REF_NAME_MAX + 1] = { 0 };
	pmdb_oid z = { { 0 } };
	uint64_t s = e->seq;

	strncpy(nbuf, name, PMDB_REF_NAME_MAX);
	if (target)
		strncpy(tbuf, target, PMDB_REF_NAME_MAX);
	if (!(s & 1))   /* odd already: written earlier in this tx */
		__atomic_store_n(&e->seq, s + 1, __ATOMIC_RELAXED);
	/* release stores below: each is ordered after the odd seq */
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
	astore(e->oid, oid ? oid->id : z.id, sizeof(e->oid));
	astore(e->name, nbuf, sizeof(nbuf));
	astore(e->target, tbuf, sizeof(tbuf));
}

/* pmdb_ref__settle -- end the write of e after the commit's pmemobj tx
 * ended, committed or rolled back: seq even and new. Release: the
 * entry's final bytes (ours, or the rollback's) are visible before it. */
void
pmdb_ref__settle(struct pmdb_pref *e)
{
	uint64_t s = e->seq;

	if (s & 1)
		__atomic_store_n(&e->seq, s + 1, __ATOMIC_RELEASE);
}

/* pmdb_ref_read -- read one ref without following it. */
PMDB_EXPORT int
pmdb_ref_read(pmdb_env *env, const char *name, pmdb_oid *oid, char *target)
{
	char tbuf[PMDB_REF_NAME_MAX + 1];
	struct pmdb_erec *rec;
	pmdb_oid o;
	uint32_t flags;
	int rc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!pmdb_ref_name_valid(name))
		return pmdb__seterr(PMDB_EINVAL, "bad ref name '%s'",
				    name ? name : "(null)");
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	rc = pmdb_ref__get(pmdb_view__get(env), name, &flags, &o, tbuf);
	pmdb_epoch__leave(rec);
	if (rc)
		return pmdb__seterr(rc, "no ref '%s'", name);
	if (flags & PMDB_REF_SYMBOLIC)
		memset(&o, 0, sizeof(o));
	else
		tbuf[0] = '\0';
	if (oid)
		*oid = o;
	if (target)
		strcpy(target, tbuf);
	return 0;
}

/* pmdb_ref_resolve -- follow symbolic refs (at most 5). */
PMDB_EXPORT int
pmdb_ref_resolve(pmdb_env *env, const char *name, pmdb_oid *oid,
		 char *resolved_name)
{
	char cur[PMDB_REF_NAME_MAX + 1], tgt[PMDB_REF_NAME_MAX + 1];
	int rc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!pmdb_ref_name_valid(name))
		return pmdb__seterr(PMDB_EINVAL, "bad ref name '%s'",
				    name ? name : "(null)");
	snprintf(cur, sizeof(cur), "%s", name);
	for (int depth = 0; depth <= 5; depth++) {
		pmdb_oid o;

		if (resolved_name)
			strcpy(resolved_name, cur);
		rc = pmdb_ref_read(env, cur, &o, tgt);
		if (rc == PMDB_EINVAL)
			return pmdb__seterr(PMDB_ENOTFOUND, "ref '%s' points "
					    "to invalid name", name);
		if (rc)
			return rc;
		if (!tgt[0]) {
			if (oid)
				*oid = o;
			return 0;
		}
		strcpy(cur, tgt);
	}
	return pmdb__seterr(PMDB_ENOTFOUND, "ref '%s': symbolic refs nest "
			    "too deep", name);
}

struct refcopy {
	char name[PMDB_REF_NAME_MAX + 1];
	char target[PMDB_REF_NAME_MAX + 1];
	pmdb_oid oid;
};

/* refcopy_cmp -- bytewise name order for qsort. */
static int
refcopy_cmp(const void *a, const void *b)
{
	return strcmp(((const struct refcopy *)a)->name,
		      ((const struct refcopy *)b)->name);
}

/* pmdb_ref_foreach -- refs under prefix, sorted by name. */
PMDB_EXPORT int
pmdb_ref_foreach(pmdb_env *env, const char *prefix, pmdb_ref_cb cb, void *ctx)
{
	struct refcopy *all = NULL, *tmp;
	size_t n = 0, cap = 0, plen = prefix ? strlen(prefix) : 0;
	struct pmdb_erec *rec;
	struct pmdb_view *v;
	int rc = 0;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!(rec = pmdb_epoch__enter(env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	v = pmdb_view__get(env);
	for (uint64_t i = 0; i <= v->refmask; i++) {
		struct pmdb_pref *e = &v->reftab->ent[i];
		struct refcopy c;
		uint64_t s1, s2;
		uint32_t f;

		do {
			while ((s1 = __atomic_load_n(&e->seq,
						     __ATOMIC_ACQUIRE)) & 1)
				sched_yield();
			f = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
			acopy(c.name, e->name, sizeof(c.name));
			acopy(c.target, e->target, sizeof(c.target));
			acopy(c.oid.id, e->oid, sizeof(c.oid.id));
			s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
		} while (s1 != s2);
		if (!(f & PMDB_REF_USED))
			continue;
		c.name[PMDB_REF_NAME_MAX] = c.target[PMDB_REF_NAME_MAX] = 0;
		if (plen && strncmp(c.name, prefix, plen) != 0)
			continue;
		if (!(f & PMDB_REF_SYMBOLIC))
			c.target[0] = '\0';
		else
			memset(&c.oid, 0, sizeof(c.oid));
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(all, cap * sizeof(*all));
			if (!tmp) {
				pmdb_epoch__leave(rec);
				free(all);
				return pmdb__seterr(PMDB_ENOMEM, "ref list");
			}
			all = tmp;
		}
		all[n++] = c;
	}
	pmdb_epoch__leave(rec);
	if (n > 1)
		qsort(all, n, sizeof(*all), refcopy_cmp);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cb(all[i].name, &all[i].oid, all[i].target, ctx);
	free(all);
	return rc;
}
