/*
 * env.h -- the DRAM structures of an open pool: the env, the reader view,
 * epoch records. The persistent layout is format.h; each module's
 * prototypes are in its own header (pool.h, epoch.h, extent.h, ...).
 *
 * Reader view: every lock-free read enters an epoch, loads env->view once
 * (seq_cst, pmdb_view__get in epoch.h) and uses only what that view
 * names. A writer that replaces a part (index growth, ref table growth,
 * gc) builds a new view, publishes it with a seq_cst store and retires
 * the old view and the replaced persistent objects through the epoch
 * system (view.c, epoch.c).
 */
#ifndef PMDB_ENV_H
#define PMDB_ENV_H

#include <pthread.h>
#include "format.h"

/** A reader's picture of an extent: base pointer and visible tail. */
struct pmdb_vext {
	uint8_t *base;           /* atomic: set before any loc points in */
	uint64_t tail;           /* atomic: committed tail, release-stored */
};

/** What a reader uses; replaced wholesale, retired through epochs. */
struct pmdb_view {
	struct pmdb_pindex *index;
	uint64_t mask;           /* slots - 1 */
	unsigned bits;
	struct pmdb_preftab *reftab;
	uint64_t refmask;
	struct pmdb_pextab *extab;
	struct pmdb_vext *ext;   /* PMDB_EXT_MAX entries; shared by views
	                            over the same extent table */
};

/** A per-thread epoch record registered with an env. */
struct pmdb_erec {
	uint64_t active;         /* atomic: nonzero while inside a read */
	uint64_t epoch;          /* atomic: global epoch seen at entry */
	struct pmdb_erec *next;  /* immutable after registration */
};

/** Something to free once no reader can use it. */
struct pmdb_retired {
	uint64_t epoch;
	void (*fn)(struct pmdb_env *env, void *p);
	void *p;
	struct pmdb_retired *next;
};

struct pmdb_env {
	PMEMobjpool *pop;
	struct pmdb_root *root;
	pmdb_hash_algo algo;
	size_t hlen;
	char *dir;
	int is_pmem;
	int panic;               /* atomic: set after a fatal error */
	struct pmdb_view *view;  /* atomic: current view */

	pthread_mutex_t wlock;   /* the one write txn (and gc) */
	uint64_t n_ext;          /* extents in use (writer) */
	uint64_t ref_used;       /* used + tomb entries (writer) */

	/* epochs */
	uint64_t epoch;          /* atomic: global epoch */
	struct pmdb_erec *erecs; /* atomic list head */
	pthread_mutex_t ereg;    /* serializes registration */
	pthread_key_t ekey;      /* thread -> its pmdb_erec for this env */
	struct pmdb_retired *retired; /* writer-only list */

	/* counters */
	uint64_t recovered;      /* records rolled back at open */
	uint64_t persists;       /* flush/persist/drain calls made by pmdb */
	uint64_t open_tables[3]; /* extents, index and ref table offsets
	                            at open: changed = the heap changed */
	int reshaped;            /* gc, sweep or extent growth ran */

	struct pmdb_txn *txn;    /* the open write txn, if any (writer) */
	int workers;             /* pmdb_open_opts.workers */
	struct pmdb_putq *putq;  /* async put workers, started lazily
	                            (writer; put_workers.c) */

	/* test hooks */
	int crash_after_publish; /* commit returns after step 5, no step 6 */
	void (*in_commit_tx)(struct pmdb_env *env); /* called inside the
	                            commit's pmemobj tx after the ref writes
	                            (may pmemobj_tx_abort) */
};

#endif
