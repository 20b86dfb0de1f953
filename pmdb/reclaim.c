/*
 * reclaim.c -- give a closed pool's free heap space back to the file
 * system (pmdb_env_close calls it after pmemobj_close).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "pool.h"

#define RECLAIM_MAX 4096  /* allocations per reclaim: bounds its cost */

/* What pmdb_pool__reclaim holds while it punches. */
struct grab {
	PMEMobjpool *pop;
	struct pobj_action *act;
	uint64_t n, bytes;
};

/* grab_one -- reserve size bytes (flags: the class) and punch their
 * pages. @return 0, -1 (no such free space, or enough). */
static int
grab_one(struct grab *g, size_t size, uint64_t flags)
{
	PMEMoid o;

	if (g->n >= RECLAIM_MAX)
		return -1;
	o = pmemobj_xreserve(g->pop, &g->act[g->n], size, PMDB_T_SCRATCH,
			     flags);
	if (OID_IS_NULL(o))
		return -1;
	if (flags == 0) {
		/* whole chunks: keep each chunk's first page, where PMDK
		 * writes the header of whatever it allocates there next. A
		 * store into a hole the full file system cannot back is a
		 * SIGBUS inside PMDK; our own writes into holes are checked
		 * first (txn.c prefault_ahead) and fail as PMDB_ENOSPC */
		uint8_t *c = (uint8_t *)pmemobj_direct(o) - PMDB_ALLOC_HDR;
		uint8_t *end = (uint8_t *)pmemobj_direct(o) +
			       pmemobj_alloc_usable_size(o);

		for (; c + 4096 < end; c += PMDB_CHUNK) {
			uint8_t *ce = c + PMDB_CHUNK < end ? c + PMDB_CHUNK : end;

			g->bytes += pmdb_pool__discard(NULL, c + 4096,
						       (size_t)(ce - c - 4096));
		}
	} else {
		/* a run's unit: its header page is kept (partial page) */
		g->bytes += pmdb_pool__discard(NULL, pmemobj_direct(o),
					       pmemobj_alloc_usable_size(o));
	}
	g->n++;
	return 0;
}

/* grab_runs -- the free units of the allocation classes whose units
 * hold a whole page next to PMDK's header: PMDK carves objects up to a
 * few MiB (the extent table, index, ref table, its own log extensions)
 * out of runs of up to 4 MiB, whose unused units are otherwise
 * fallocated space. One unit per reservation: after a failed reservation
 * PMDK sets a run that has reservations aside, so larger requests first
 * would lose the rest. Runs only: the huge pass holds every free chunk,
 * so no new run can be made. */
static void
grab_runs(struct grab *g)
{
	for (unsigned id = 1; id < 255 && g->n < RECLAIM_MAX; id++) {
		struct pobj_alloc_class_desc d;
		char q[64];
		size_t hdr;

		snprintf(q, sizeof(q), "heap.alloc_class.%u.desc", id);
		/* units under 64 KiB: one reservation and one punch each
		 * cost more time (~7 ms on a small import) than the few
		 * pages they give back (none measurable after zlib) */
		if (pmemobj_ctl_get(g->pop, q, &d) || d.unit_size < 65536)
			continue;
		hdr = d.header_type == POBJ_HEADER_LEGACY ? 64 :
		      d.header_type == POBJ_HEADER_COMPACT ? 16 : 0;
		while (grab_one(g, d.unit_size - hdr,
				POBJ_CLASS_ID(id)) == 0)
			;
	}
}

/*
 * pmdb_pool__reclaim -- give the free heap space of the pool in dir back
 * to the file system; dir's env is closed (pmdb_env_close calls this
 * after pmemobj_close, when the session allocated or freed).
 *
 * PMDK fallocates each part whole and keeps no record we could read of
 * which space is free, so the free space is taken the only way PMDK
 * offers: reserve it (pmemobj_xreserve, growth off so nothing new is
 * made): free chunks largest first, then the free units of runs; punch
 * the pages of each reservation; cancel them all. A reservation is DRAM
 * state only (the persistent heap changes at publish, which never
 * happens): no flush, nothing left after a crash, and the blocks are
 * ours while we punch them, so nothing inside PMDK is assumed.
 *
 * On a fresh open of the pool: in the session that just ended, runs its
 * buckets still held and frees PMDK had not counted yet kept about 1.5
 * of zlib's 40 MB out of reach. When another process took the pool in
 * between, the open fails and nothing happens.
 *
 * runs: also the free units of runs, one reservation each. PMDK writes
 * and flushes its header into every reservation: a cache-line flush on
 * pmem, but an msync on the msync path (about 120 after the zlib import,
 * 270 after a first commit), so there the huge chunks only.
 * @return the bytes given back.
 */
uint64_t
pmdb_pool__reclaim(const char *dir, int runs)
{
	size_t off = 0, on = PMDB_GRANULARITY;
	struct grab g = { NULL, NULL, 0, 0 };
	uint64_t size = PMDB_EXT_LAST * 16, part;
	char path[PATH_MAX];
	int sig;

	snprintf(path, sizeof(path), "%s/pool", dir);
	if (pmdb_pool__parts(path, &part, NULL))
		return 0;
	snprintf(path, sizeof(path), "%s/pool.set", dir);
	if (!(g.pop = pmdb_pmdk__open(path, &sig)))
		return 0;
	if (!(g.act = malloc(RECLAIM_MAX * sizeof(struct pobj_action))) ||
	    pmemobj_ctl_set(g.pop, "heap.size.granularity", &off)) {
		free(g.act);
		pmdb_pmdk__close(g.pop);
		return 0;
	}
	while (size > part)
		size /= 2;
	/* whole chunks (PMDK's header included), halving on failure */
	for (size = size / PMDB_CHUNK * PMDB_CHUNK; size >= PMDB_CHUNK; ) {
		if (grab_one(&g, size - PMDB_ALLOC_HDR, 0)) {
			if (g.n >= RECLAIM_MAX)
				break;
			size = size / 2 / PMDB_CHUNK * PMDB_CHUNK;
		}
	}
	if (runs)
		grab_runs(&g);
	if (g.n)
		pmemobj_cancel(g.pop, g.act, g.n);
	pmemobj_ctl_set(g.pop, "heap.size.granularity", &on);
	free(g.act);
	pmdb_pmdk__close(g.pop);
	return g.bytes;
}
