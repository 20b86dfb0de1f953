/*
 * txn.h -- the DRAM write transaction: the private header of the txn
 * module (txn.c, txn_read.c, txn_refs.c, put_workers.c), the one module
 * split over files that call each other.
 */
#ifndef PMDB_TXN_H
#define PMDB_TXN_H

#include "env.h"
#include "put_workers.h"

/*
 * The lz4 gate: trees whose names are short are mostly 20-byte ids, and
 * lz4 then never saves the 1/8 the rule asks for (a generated history:
 * 0 of 21,304 trees), yet costs as much as on text. Per type, after
 * PMDB_GATE_STREAK misses in a row only one object in PMDB_GATE_PROBE is
 * tried, until one is kept again. Trees and tags only: blobs and their
 * mix of text and binary are always tried. Each thread has its own gate.
 */
#define PMDB_GATE_STREAK 32
#define PMDB_GATE_PROBE 16

struct pmdb_gate {
	uint32_t streak[7];      /* misses in a row, per type */
	uint32_t skipped[7];     /* objects stored raw untried */
};

/** pmdb_gate__try -- 1 if an object of type should go through lz4. */
static inline int
pmdb_gate__try(struct pmdb_gate *g, int type)
{
	if ((type != PMDB_OBJ_TREE && type != PMDB_OBJ_TAG) ||
	    g->streak[type] < PMDB_GATE_STREAK)
		return 1;
	return ++g->skipped[type] % PMDB_GATE_PROBE == 0;
}

/** pmdb_gate__note -- record whether lz4 paid for an object of type. */
static inline void
pmdb_gate__note(struct pmdb_gate *g, int type, int kept)
{
	if (kept)
		g->streak[type] = 0;
	else if (g->streak[type] < UINT32_MAX)
		g->streak[type]++;
}

/** One object put in this txn. */
struct txn_obj {
	uint8_t id[PMDB_OID_MAXLEN];
	uint64_t meta;
	uint64_t loc;
};

/** One extent range this txn appended to: [start, end); bytes below
 *  flushed are durable already (pmdb_txn__flush_written). */
struct txn_ext {
	uint32_t ext;
	uint64_t start, end, flushed;
};

enum { TXN_REF_SET, TXN_REF_DELETE, TXN_REF_SYMBOLIC };
enum { TXN_EXPECT_ANY, TXN_EXPECT_ABSENT, TXN_EXPECT_VALUE };

/** One ref update, applied at commit if the ref holds expect. */
struct txn_ref {
	char name[PMDB_REF_NAME_MAX + 1];
	char target[PMDB_REF_NAME_MAX + 1];
	int kind, expect_kind;
	pmdb_oid oid, expect;
	struct pmdb_pref *slot;  /* entry written in the commit tx, until
	                            settled (txn_refs.c) */
};

struct pmdb_txn {
	struct pmdb_env *env;
	int failed;              /* poisoned: only abort is allowed */
	int arc;                 /* first error of an async put's reap */
	uint64_t seq;            /* root->txn_seq + 1 */
	struct txn_obj *obj;
	size_t nobj, capobj;
	uint64_t *ht;            /* tag << 32 | obj index + 1; 0 = empty */
	uint64_t htmask;
	struct txn_ext *ext;
	size_t next, capext;
	struct txn_ref *refs;
	size_t nref, capref;
	void *lz4;
	struct pmdb_gate gate;   /* for lz4 on this thread */
	char why[256];           /* the first failure's detail, for the
	                            "failed earlier" errors after it */
	uint32_t pf_ext;         /* extent + 1 prefaulted up to pf_end */
	uint64_t pf_end;
	uint64_t d_objects[7], d_raw[7], d_stored, d_compressed;
};

/* txn_refs.c */
int pmdb_txn__check_refs(struct pmdb_txn *txn);
void pmdb_txn__apply_refs(struct pmdb_txn *txn, int64_t *dlive);
void pmdb_txn__settle_refs(struct pmdb_txn *txn);
/* put_workers.c, beyond put_workers.h */
int pmdb_workers__running(struct pmdb_env *env);
const void *pmdb_workers__pending_src(struct pmdb_env *env, uint64_t ticket);
int pmdb_workers__submit_copy(struct pmdb_txn *txn, size_t obj,
			      pmdb_otype type,
			      const uint8_t *id, const void *src, size_t len,
			      int copy, uint64_t *ticket);
/* txn_read.c */
int pmdb_txn__objloc(struct pmdb_txn *txn, const pmdb_oid *oid,
		     uint64_t *meta, uint64_t *loc);
/* txn.c, for txn_read.c */
struct txn_obj *pmdb_txn__find(struct pmdb_txn *txn, const uint8_t *id);
/* txn.c, for bigobj.c */
void pmdb_txn__flush_written(struct pmdb_txn *txn);
int pmdb_txn__put_big(struct pmdb_txn *txn, const void *manifest, size_t len,
		      const pmdb_oid *id, uint64_t size);
/* txn.c, for put_workers.c */
int pmdb_txn__place(struct pmdb_txn *txn, size_t obj,
		    const struct pmdb_rec *hdr, const void *data);

/* txn.c: keep the calling thread's current detail as the first failure's
 * (no-op once one is kept); EBADTXN naming it. */
void pmdb_txn__why(struct pmdb_txn *txn);
int pmdb_txn__earlier(const struct pmdb_txn *txn);

#endif
