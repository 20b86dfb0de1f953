/*
 * epoch.c -- epoch-based reclamation for lock-free readers (ck_epoch in
 * miniature).
 *
 * Invariants:
 *  1. A reader between enter and leave has active >= 1 (its nesting
 *     depth) and epoch = some
 *     value e that the global epoch had at or after its entry; it only
 *     uses objects reachable from the view it loaded after entering.
 *  2. The writer unlinks an object (publishes a view without it) before
 *     retiring it; retire tags it with the global epoch r read after the
 *     unlink.
 *  3. The global epoch moves from g to g + 1 only when every active
 *     reader has epoch == g.
 *  4. An object retired at r is freed only when global >= r + 2: any
 *     reader active then entered after global became r + 1, which
 *     happened after the unlink (2), so it cannot hold the object.
 * Only the writer (holding env->wlock, or env close) retires and
 * reclaims, so the retired list needs no lock.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include "epoch.h"

/* pmdb_epoch__init -- set up the env's epoch state. */
int
pmdb_epoch__init(struct pmdb_env *env)
{
	env->epoch = 1;
	env->erecs = NULL;
	env->retired = NULL;
	if (pthread_mutex_init(&env->ereg, NULL))
		return PMDB_ERROR;
	if (pthread_key_create(&env->ekey, NULL)) {
		pthread_mutex_destroy(&env->ereg);
		return pmdb__seterr(PMDB_ERROR, "no pthread key left");
	}
	return 0;
}

/* pmdb_epoch__fini -- free everything retired and every record; no
 * reader may run any more. */
void
pmdb_epoch__fini(struct pmdb_env *env)
{
	struct pmdb_retired *r, *rn;
	struct pmdb_erec *e, *en;

	for (r = env->retired; r; r = rn) {
		rn = r->next;
		r->fn(env, r->p);
		free(r);
	}
	env->retired = NULL;
	for (e = env->erecs; e; e = en) {
		en = e->next;
		free(e);
	}
	env->erecs = NULL;
	pthread_key_delete(env->ekey);
	pthread_mutex_destroy(&env->ereg);
}

/* erec_register -- give the calling thread a record for env. Records
 * live until env close (a thread that exits leaves an inactive record). */
static struct pmdb_erec *
erec_register(struct pmdb_env *env)
{
	struct pmdb_erec *rec = calloc(1, sizeof(*rec));

	if (!rec)
		return NULL;
	pthread_mutex_lock(&env->ereg);
	rec->next = env->erecs;
	/* release: a walker that sees rec in the list sees rec->next and
	 * its zeroed fields. */
	__atomic_store_n(&env->erecs, rec, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&env->ereg);
	pthread_setspecific(env->ekey, rec);
	return rec;
}

/* pmdb_epoch__enter -- begin a read; NULL only when out of memory. */
struct pmdb_erec *
pmdb_epoch__enter(struct pmdb_env *env)
{
	struct pmdb_erec *rec = pthread_getspecific(env->ekey);

	uint64_t depth;

	if (PMDB_UNLIKELY(!rec) && !(rec = erec_register(env)))
		return NULL;
	depth = __atomic_load_n(&rec->active, __ATOMIC_RELAXED);
	if (depth) {
		/* nested read (a foreach callback): already protected */
		__atomic_store_n(&rec->active, depth + 1, __ATOMIC_RELAXED);
		return rec;
	}
	__atomic_store_n(&rec->epoch,
			 __atomic_load_n(&env->epoch, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	/* seq_cst store (an xchg on x86, the one full barrier a read
	 * pays): our active flag precedes, in the single seq_cst order, our
	 * seq_cst load of the view (pmdb_view__get). The writer's publish
	 * is a seq_cst store followed by seq_cst loads of the flags
	 * (try_advance): so either the writer sees us active, or we see its
	 * new view (Dekker). No standalone fence: ThreadSanitizer does not
	 * model them. */
	__atomic_store_n(&rec->active, 1, __ATOMIC_SEQ_CST);
	return rec;
}

/* pmdb_epoch__leave -- end a read. */
void
pmdb_epoch__leave(struct pmdb_erec *rec)
{
	/* release: every load we made from the view happens before the
	 * writer can see us inactive and free what we read. */
	__atomic_store_n(&rec->active,
			 __atomic_load_n(&rec->active, __ATOMIC_RELAXED) - 1,
			 __ATOMIC_RELEASE);
}

/* pmdb_epoch__retire -- free p with fn once no reader can hold it. On
 * allocation failure, waits for readers and frees at once. */
void
pmdb_epoch__retire(struct pmdb_env *env,
		   void (*fn)(struct pmdb_env *, void *), void *p)
{
	struct pmdb_retired *r = malloc(sizeof(*r));

	if (!r) {
		pmdb_epoch__reclaim(env, 1);
		/* two full advances happened: nobody holds p */
		fn(env, p);
		return;
	}
	/* seq_cst load: ordered after the caller's seq_cst unlink (the
	 * view publish), invariant 2 */
	r->epoch = __atomic_load_n(&env->epoch, __ATOMIC_SEQ_CST);
	r->fn = fn;
	r->p = p;
	r->next = env->retired;
	env->retired = r;
}

/* try_advance -- move the global epoch on if every active reader is in
 * it (invariant 3); return the (possibly new) global epoch. */
static uint64_t
try_advance(struct pmdb_env *env)
{
	uint64_t g = __atomic_load_n(&env->epoch, __ATOMIC_SEQ_CST);
	struct pmdb_erec *e;

	/* seq_cst loads of the flags: they follow our seq_cst publish of
	 * the view in the single order (pairs with the seq_cst active
	 * store in enter). */
	for (e = __atomic_load_n(&env->erecs, __ATOMIC_ACQUIRE); e;
	     e = e->next) {
		if (__atomic_load_n(&e->active, __ATOMIC_SEQ_CST) &&
		    __atomic_load_n(&e->epoch, __ATOMIC_ACQUIRE) != g)
			return g;
	}
	/* only the writer advances: a plain release store suffices */
	__atomic_store_n(&env->epoch, g + 1, __ATOMIC_RELEASE);
	return g + 1;
}

/* pmdb_epoch__reclaim -- advance if possible and free what is safe; with
 * wait, spin (yielding) until everything retired so far is freed. */
void
pmdb_epoch__reclaim(struct pmdb_env *env, int wait)
{
	uint64_t target = __atomic_load_n(&env->epoch, __ATOMIC_RELAXED) + 2;

	for (;;) {
		uint64_t g = try_advance(env);
		struct pmdb_retired **pp = &env->retired, *r;

		if (g < target && wait) {
			g = try_advance(env);
		}
		while ((r = *pp)) {
			if (g >= r->epoch + 2) {
				*pp = r->next;
				r->fn(env, r->p);
				free(r);
			} else {
				pp = &r->next;
			}
		}
		if (!wait || g >= target)
			return;
		sched_yield();
	}
}

/* pmdb_epoch__free_dram -- retire callback for malloc'd memory. */
void
pmdb_epoch__free_dram(struct pmdb_env *env, void *p)
{
	(void)env;
	free(p);
}

/* pmdb_epoch__free_pmem -- retire callback for a pool allocation; p
 * points to a malloc'd PMEMoid. */
void
pmdb_epoch__free_pmem(struct pmdb_env *env, void *p)
{
	PMEMoid *oid = p;

	(void)env;
	pmemobj_free(oid);
	free(oid);
}
