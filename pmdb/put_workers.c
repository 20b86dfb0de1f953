/*
 * put_workers.c -- pmdb_txn_put_async: lz4 and the record crc on worker threads
 * while the writer goes on; records placed by the writer in submission
 * order.
 *
 * Division of work:
 *   writer (the txn's thread): hashes and dedups at submission (txn.c), so
 *   the id is known at once and the txn's obj array and DRAM hash get
 *   exactly the entries, in exactly the order, that synchronous puts would
 *   give; reserves a scratch span and publishes the job. It later reaps
 *   jobs in submission order: room in the txn's extent, one memcpy of the
 *   finished record (header + lz4 bytes from the scratch, or the caller's
 *   own bytes when lz4 did not pay), the location into the obj entry.
 *   worker: lz4 of the caller's bytes, read in place (never copied between
 *   threads), into the scratch span; the record header and its crc.
 * The caller's bytes must stay unchanged until the job is reaped
 * (pmdb_txn_put_wait on its ticket, commit or abort).
 *
 * Invariants:
 *  1. Jobs are numbered 1, 2, ... per env (tickets); job g runs on worker
 *     (g - 1) % n, in that worker's ring slot (its k-th job) % PUTQ_RING.
 *     q->submitted - q->reaped < PUTQ_RING * n, so no worker has more than
 *     PUTQ_RING jobs in flight and a slot is reused only after its reap.
 *  2. A job's inputs are plain stores by the writer before the release
 *     store of w->posted; the worker reads them after an acquire load of
 *     posted. Its results are plain stores by the worker before the
 *     release (seq_cst) store of job->done; the writer reads them after
 *     an acquire load of done. The scratch bytes follow the same edges.
 *  3. Sleep/wake (both directions) is a Dekker handshake: the sleeper
 *     stores its flag (seq_cst) under q->mu and then re-checks the
 *     condition (seq_cst load); the waker stores the condition (seq_cst)
 *     and then loads the flag (seq_cst), and signals under q->mu when it
 *     is set. One of the two sees the other's store, so no wakeup is
 *     lost.
 *  4. Nothing a job writes is reachable before commit: the scratch is
 *     DRAM, and the record reaches the extent only at reap, past the
 *     txn's tail (txn.c invariant 2). Commit and abort reap every job
 *     first, so commit steps 4-6 are unchanged.
 *  5. A job runs once, on the thread that claims it: its state goes from
 *     k << 1 to k << 1 | 1 (k: its number on its worker) by a CAS. The
 *     worker claims its jobs in order; the writer, instead of waiting for
 *     one, claims it or else the newest unclaimed jobs (of at most
 *     PUTQ_STEAL_MAX bytes) and runs them on its own lz4 state (so
 *     whichever side is slower gets help). A
 *     worker whose CAS fails skips the job: its claimer stores done.
 *     The k in the state stops a worker that is late to a slot from
 *     claiming the later job the writer has put there since.
 */
#define _GNU_SOURCE
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compress.h"
#include "extent.h"
#include "txn.h"

#define PUTQ_RING 512            /* jobs in flight per worker */
#define PUTQ_SCRATCH (4u << 20)  /* initial scratch per worker */
#define PUTQ_MAXW 64             /* worker threads at most */
#define PUTQ_STEAL_MAX (64u << 10) /* larger jobs are not stolen: the
                                       writer would finish one long after
                                       the job it waits for */
#define PUTQ_SPIN 256            /* polls before sleeping (short: a spinning
                                    worker steals a busy machine's CPU) */

struct putq_job {
	/* inputs: writer, before posted's release (2) */
	const uint8_t *src;
	uint64_t len;
	uint8_t *dst;            /* scratch: header + lz4 bytes */
	uint64_t span_end;       /* scratch position after this job */
	uint64_t seq;            /* txn_seq for the header */
	size_t obj;              /* index in txn->obj */
	uint8_t type;
	uint8_t id[PMDB_OID_MAXLEN];
	/* results: worker, before done's release (2) */
	int comp;                /* the scratch holds lz4 bytes */
	int done;                /* atomic */
	uint64_t state;          /* atomic: claim (5) */
};

struct putq_worker {
	struct pmdb_putq *q;
	pthread_t th;
	void *lz4;               /* the worker's lz4 state */
	struct pmdb_gate gate;   /* worker only: its lz4 gate (txn.h) */
	uint64_t posted;         /* atomic: jobs published to this worker */
	uint64_t taken;          /* worker only: jobs run */
	int sleeping;            /* atomic: waits on q->work (3) */
	uint8_t *scratch;        /* writer: allocation, ring of scap bytes */
	uint64_t scap, sw, sr;   /* writer: size, write and release counts */
	uint64_t nsub, nreap;    /* writer: jobs submitted, reaped */
	struct putq_job ring[PUTQ_RING];
};

struct pmdb_putq {
	unsigned n;              /* workers; 0 = puts run inline */
	int stop;                /* atomic: workers exit */
	int node;                /* NUMA node of the pool, -1 = any */
	pthread_mutex_t mu;
	pthread_cond_t work;     /* workers sleep here */
	pthread_cond_t idle;     /* the writer sleeps here */
	int wsleeping;           /* atomic: the writer waits on idle (3) */
	uint64_t submitted;      /* writer: last ticket handed out */
	uint64_t reaped;         /* writer: jobs reaped */
	struct putq_worker *w;
};

/* spin_pause -- one polite busy-wait step. */
static inline void
spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* claim -- take job number k (on its worker), if nobody has (5). */
static inline int
claim(struct putq_job *j, uint64_t k)
{
	uint64_t want = k << 1;

	return __atomic_compare_exchange_n(&j->state, &want, k << 1 | 1, 0,
					   __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

/* run_job -- the compressing part of one job: lz4, header, crc; on the
 * claiming thread's lz4 state and gate. */
static void
run_job(void *lz4, struct pmdb_gate *gate, struct putq_job *j)
{
	struct pmdb_rec *r = (struct pmdb_rec *)j->dst;
	size_t c = 0;
	uint32_t crc;

	if (pmdb_gate__try(gate, j->type)) {
		c = pmdb_compress__try(lz4, (uint8_t *)(r + 1), j->src,
				       j->len);
		pmdb_gate__note(gate, j->type, c != 0);
	}

	r->magic = PMDB_REC_MAGIC;
	r->type = j->type;
	r->flags = c ? PMDB_REC_LZ4 : 0;
	r->crc = 0;
	r->txn = j->seq;
	r->raw_size = j->len;
	r->stored_size = c ? c : j->len;
	memcpy(r->id, j->id, sizeof(r->id));
	crc = pmdb_crc32c(0, r, sizeof(*r));
	r->crc = pmdb_crc32c(crc, c ? (const void *)(r + 1) : j->src,
			     r->stored_size);
	j->comp = c != 0;
}

/* worker_main -- run posted jobs in order; sleep when idle (3). */
static void *
worker_main(void *arg)
{
	struct putq_worker *w = arg;
	struct pmdb_putq *q = w->q;
	int spins = 0;

	if (q->node >= 0)
		(void)numa_run_on_node(q->node);
	for (;;) {
		/* acquire: the job's inputs and scratch are visible (2) */
		if (w->taken < __atomic_load_n(&w->posted, __ATOMIC_ACQUIRE)) {
			struct putq_job *j = &w->ring[w->taken % PUTQ_RING];

			if (!claim(j, w->taken)) {
				w->taken++; /* the writer ran it (5) */
				continue;
			}
			run_job(w->lz4, &w->gate, j);
			w->taken++;
			spins = 0;
			/* seq_cst: release of the results (2), and the
			 * store half of the writer's handshake (3) */
			__atomic_store_n(&j->done, 1, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&q->wsleeping, __ATOMIC_SEQ_CST)) {
				pthread_mutex_lock(&q->mu);
				pthread_cond_broadcast(&q->idle);
				pthread_mutex_unlock(&q->mu);
			}
			continue;
		}
		if (__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE))
			break;
		if (++spins < PUTQ_SPIN) {
			spin_pause();
			continue;
		}
		pthread_mutex_lock(&q->mu);
		__atomic_store_n(&w->sleeping, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&w->posted, __ATOMIC_SEQ_CST) ==
		       w->taken && !__atomic_load_n(&q->stop, __ATOMIC_SEQ_CST))
			pthread_cond_wait(&q->work, &q->mu);
		__atomic_store_n(&w->sleeping, 0, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&q->mu);
		spins = 0;
	}
	return NULL;
}

/* spare_cpus -- CPUs this process may run on, minus the writer's. */
static int
spare_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	else
		n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n > 1 ? n - 1 : 0;
}

/* pool_node -- the NUMA node holding the pool's root, or -1. */
static int
pool_node(struct pmdb_env *env)
{
	int node = -1;

	if (numa_available() < 0 || numa_max_node() < 1)
		return -1;
	if (get_mempolicy(&node, NULL, 0, env->root,
			  MPOL_F_NODE | MPOL_F_ADDR))
		return -1;
	return node;
}

/* putq_start -- create env's queue and workers (first async put).
 * @return 0 (a queue with 0 workers when threads cannot start),
 * PMDB_ENOMEM. */
static int
putq_start(struct pmdb_env *env)
{
	struct pmdb_putq *q = calloc(1, sizeof(*q));
	int want = env->workers < 0 ? spare_cpus() : env->workers;
	unsigned i;

	if (!q)
		return pmdb__seterr(PMDB_ENOMEM, "async put queue");
	want = want > PUTQ_MAXW ? PUTQ_MAXW : want;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->node = pool_node(env);
	if (want > 0 && !(q->w = calloc((size_t)want, sizeof(*q->w))))
		want = 0;
	for (i = 0; i < (unsigned)want; i++) {
		struct putq_worker *w = &q->w[i];

		w->q = q;
		w->scap = PUTQ_SCRATCH;
		if (!(w->lz4 = pmdb_compress__state_new()) ||
		    !(w->scratch = malloc(w->scap)) ||
		    pthread_create(&w->th, NULL, worker_main, w)) {
			pmdb_compress__state_free(w->lz4);
			free(w->scratch);
			break;
		}
	}
	q->n = i; /* fewer (or no) workers still work: see txn.c */
	env->putq = q;
	return 0;
}

/* pmdb_workers__count -- worker threads of env, starting them if needed;
 * 0 when async puts run inline. Writer only. */
int
pmdb_workers__count(struct pmdb_env *env)
{
	if (!env->putq && env->workers != 0 && putq_start(env))
		return 0;
	return env->putq ? (int)env->putq->n : 0;
}

/* pmdb_workers__submitted -- the last ticket handed out. Writer only. */
uint64_t
pmdb_workers__submitted(struct pmdb_env *env)
{
	return env->putq ? env->putq->submitted : 0;
}

/* wait_done -- block until job j is done: spin, then sleep (3). */
static void
wait_done(struct pmdb_putq *q, struct putq_job *j)
{
	for (int i = 0; i < PUTQ_SPIN; i++) {
		if (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
			return;
		spin_pause();
	}
	pthread_mutex_lock(&q->mu);
	__atomic_store_n(&q->wsleeping, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&j->done, __ATOMIC_SEQ_CST))
		pthread_cond_wait(&q->idle, &q->mu);
	__atomic_store_n(&q->wsleeping, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&q->mu);
}

/* help -- the writer would wait for job j (number k on w): run it, or
 * else the newest jobs nobody has claimed, until j is done (5).
 * @return 1 if j is done. */
static int
help(struct pmdb_txn *txn, struct putq_worker *w, struct putq_job *j,
     uint64_t k)
{
	struct putq_job *s;

	if (claim(j, k)) {
		run_job(txn->lz4, &txn->gate, j);
		__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
		return 1;
	}
	for (uint64_t i = w->nsub - 1; i > k; i--) {
		if (__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
			return 1;
		s = &w->ring[i % PUTQ_RING];
		if (s->len > PUTQ_STEAL_MAX)
			continue; /* too long a detour from the wait */
		if (!claim(s, i))
			break; /* the worker has reached it: nothing older */
		run_job(txn->lz4, &txn->gate, s);
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&j->done, __ATOMIC_ACQUIRE);
}

/* reap_one -- place the oldest job (txn may be NULL or failed: then
 * discard it). @return 1 reaped, 0 not done yet (block == 0). */
static int
reap_one(struct pmdb_txn *txn, struct pmdb_putq *q, int block)
{
	struct putq_worker *w = &q->w[q->reaped % q->n];
	struct putq_job *j = &w->ring[w->nreap % PUTQ_RING];
	int rc;

	/* acquire: the worker's results and scratch bytes (2) */
	if (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE)) {
		if (!block)
			return 0;
		if (!txn || txn->failed || !txn->lz4 ||
		    !help(txn, w, j, w->nreap))
			wait_done(q, j);
	}
	if (txn && !txn->failed) {
		const struct pmdb_rec *r = (const struct pmdb_rec *)j->dst;

		rc = pmdb_txn__place(txn, j->obj, r, j->comp ?
				     (const void *)(r + 1) : j->src);
		if (rc) {
			txn->failed = 1;
			txn->arc = txn->arc ? txn->arc : rc;
			pmdb_txn__why(txn);
		}
	}
	w->sr = j->span_end;
	w->nreap++;
	q->reaped++;
	return 1;
}

/* pmdb_workers__reap -- reap jobs up to ticket upto (all: UINT64_MAX), or,
 * without block, those already done. Writer only; txn NULL discards.
 * @return 0, or the first placement error (txn then failed). */
int
pmdb_workers__reap(struct pmdb_txn *txn, uint64_t upto, int block)
{
	struct pmdb_env *env = txn->env;
	struct pmdb_putq *q = env->putq;

	if (q && q->n)
		while (q->reaped < q->submitted && q->reaped < upto &&
		       reap_one(txn, q, block))
			;
	return txn->arc;
}

/* scratch_span -- room for need bytes in w's scratch ring; reaps (in
 * order) until there is. @return the span's start. */
static uint8_t *
scratch_span(struct pmdb_txn *txn, struct pmdb_putq *q,
	     struct putq_worker *w, uint64_t need, uint64_t *end)
{
	uint64_t off, skip;

	/* spans start 8-aligned (the ring's capacity is a multiple of 8):
	 * each begins with a struct pmdb_rec, read and written as such */
	need = (need + 7) & ~(uint64_t)7;
	if (need > w->scap / 2) {
		/* a large object: let w go idle, then grow its scratch */
		uint64_t cap = w->scap;
		uint8_t *n;

		while (w->nreap < w->nsub)
			reap_one(txn, q, 1);
		while (cap / 2 < need)
			cap *= 2;
		if (!(n = malloc(cap)))
			return NULL;
		free(w->scratch);
		w->scratch = n;
		w->scap = cap;
		w->sw = w->sr = 0;
	}
	for (;;) {
		off = w->sw % w->scap;
		skip = off + need > w->scap ? w->scap - off : 0;
		if (w->sw - w->sr + skip + need <= w->scap)
			break;
		reap_one(txn, q, 1);
	}
	*end = w->sw + skip + need;
	w->sw = *end;
	return w->scratch + (skip ? 0 : off);
}

/* pmdb_workers__running -- worker threads already started (never starts
 * them). Writer only. */
int
pmdb_workers__running(struct pmdb_env *env)
{
	return env->putq ? (int)env->putq->n : 0;
}

/* pmdb_workers__pending_src -- the raw bytes of job ticket while it is not
 * reaped (the caller's lent bytes or the scratch copy: the worker only
 * reads them), else NULL. Writer only. */
const void *
pmdb_workers__pending_src(struct pmdb_env *env, uint64_t ticket)
{
	struct pmdb_putq *q = env->putq;
	struct putq_worker *w;

	if (!q || !q->n || ticket <= q->reaped || ticket > q->submitted)
		return NULL;
	/* ticket g went to worker (g - 1) % n as its ((g - 1) / n)-th job
	 * (invariant 1) */
	w = &q->w[(ticket - 1) % q->n];
	return w->ring[((ticket - 1) / q->n) % PUTQ_RING].src;
}

/* pmdb_workers__submit -- queue obj (already in txn->obj, loc 0) for a
 * worker; *ticket names it. Needs pmdb_workers__count(env) > 0.
 * @return 0, PMDB_ENOMEM. */
int
pmdb_workers__submit(struct pmdb_txn *txn, size_t obj, pmdb_otype type,
		  const uint8_t *id, const void *src, size_t len,
		  uint64_t *ticket)
{
	return pmdb_workers__submit_copy(txn, obj, type, id, src, len, 0,
				      ticket);
}

/* pmdb_workers__submit_copy -- pmdb_workers__submit; with copy, src is first
 * copied into the job's scratch span (after the lz4 room), so the
 * caller's bytes are free on return (small objects of synchronous
 * puts: the copy is cheaper than the lz4 it moves off this thread).
 * @return 0, PMDB_ENOMEM. */
int
pmdb_workers__submit_copy(struct pmdb_txn *txn, size_t obj, pmdb_otype type,
		       const uint8_t *id, const void *src, size_t len,
		       int copy, uint64_t *ticket)
{
	struct pmdb_putq *q = txn->env->putq;
	struct putq_worker *w;
	struct putq_job *j;
	uint64_t end, bound = pmdb_compress__bound(len);
	uint8_t *dst;

	while (q->submitted - q->reaped >= (uint64_t)PUTQ_RING * q->n)
		reap_one(txn, q, 1);
	w = &q->w[q->submitted % q->n];
	dst = scratch_span(txn, q, w, sizeof(struct pmdb_rec) + bound +
			   (copy ? len : 0), &end);
	if (!dst)
		return pmdb__seterr(PMDB_ENOMEM, "async put scratch");
	if (copy) {
		/* the span is ours until this job is reaped (w->sr) */
		uint8_t *c = dst + sizeof(struct pmdb_rec) + bound;

		memcpy(c, src, len);
		src = c;
	}
	j = &w->ring[w->nsub % PUTQ_RING];
	j->src = src;
	j->len = len;
	j->dst = dst;
	j->span_end = end;
	j->seq = txn->seq;
	j->obj = obj;
	j->type = (uint8_t)type;
	memcpy(j->id, id, sizeof(j->id));
	j->comp = 0;
	__atomic_store_n(&j->done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&j->state, w->nsub << 1, __ATOMIC_RELAXED);
	w->nsub++;
	*ticket = ++q->submitted;
	/* seq_cst: release of the job (2), and the store half of the
	 * worker's handshake (3) */
	__atomic_store_n(&w->posted, w->nsub, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&w->sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&q->mu);
		pthread_cond_broadcast(&q->work);
		pthread_mutex_unlock(&q->mu);
	}
	return 0;
}

/* pmdb_workers__stop -- join the workers and free the queue (env close;
 * no txn is open, so no job is in flight). */
void
pmdb_workers__stop(struct pmdb_env *env)
{
	struct pmdb_putq *q = env->putq;

	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	/* release: pairs with the workers' acquire/seq_cst loads of stop */
	__atomic_store_n(&q->stop, 1, __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->mu);
	for (unsigned i = 0; i < q->n; i++) {
		pthread_join(q->w[i].th, NULL);
		pmdb_compress__state_free(q->w[i].lz4);
		free(q->w[i].scratch);
	}
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->mu);
	free(q->w);
	free(q);
	env->putq = NULL;
}
