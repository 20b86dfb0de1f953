/*
 * env.h -- the persistent layout (docs/format.md) and the DRAM env, view
 * and txn structures shared by libpmdb's modules.
 *
 * Reader view: every lock-free read enters an epoch, loads env->view once
 * (acquire) and uses only what that view names. A writer that replaces a
 * part (index growth, ref table growth, gc) builds a new view, publishes it
 * with a release store and retires the old view and the replaced
 * persistent objects through the epoch system (epoch.c).
 */
#ifndef PMDB_ENV_H
#define PMDB_ENV_H

#include <pthread.h>
#include <libpmemobj.h>
#include "internal.h"

/* ---- persistent layout (every field is described in docs/format.md) ---- */

#define PMDB_LAYOUT "pmdb"
#define PMDB_MAGIC 0x31424d4450ULL       /* "PMDB1" little-endian */
#define PMDB_EXT_MAX 16384u              /* extent table entries */
#define PMDB_LOC_OFF_BITS 40
#define PMDB_LOC_OFF_MASK ((1ULL << PMDB_LOC_OFF_BITS) - 1)
#define PMDB_EXT_FIRST (4ULL << 20)      /* smallest extent: 4 MiB */
#define PMDB_EXT_LAST (64ULL << 20)      /* extents grow to 64 MiB */
#define PMDB_EXT_SHARE 4                 /* ... and to 1/4 of the extent
                                            bytes the pool holds */
#define PMDB_GRANULARITY (32ULL << 20)  /* PMDK's growth step (pool.c) */
#define PMDB_EXT_HEADROOM 8              /* growth for an extent adds 1/8
                                            (>= 1 MiB) for other tables */
#define PMDB_CHUNK (256ULL << 10)        /* PMDK's huge-allocation unit */
#define PMDB_ALLOC_HDR 16ULL             /* PMDK's header before a huge
                                            allocation, in its first chunk */
#define PMDB_REC_MAGIC 0x5052u           /* "RP" */
#define PMDB_REC_LZ4 0x1u                /* record flag: lz4-compressed */

/* pmemobj type numbers of our allocations */
enum { PMDB_T_ROOT = 0, PMDB_T_EXTAB = 1, PMDB_T_INDEX = 2,
       PMDB_T_REFTAB = 3, PMDB_T_EXTENT = 4,
       PMDB_T_SCRATCH = 5 /* reservations never published (pool.c) */ };

/** One extent: a large allocation records are appended to. */
struct pmdb_pext {
	PMEMoid oid;             /* the allocation; OID_NULL = unused entry */
	uint64_t size;           /* usable bytes */
	uint64_t committed_tail; /* bytes [0, tail) hold committed records */
};

/** The extent table: PMDB_EXT_MAX entries, used ones contiguous. */
struct pmdb_pextab {
	uint64_t magic;          /* PMDB_MAGIC */
	uint64_t pad[3];
	struct pmdb_pext ent[PMDB_EXT_MAX];
};

/** One record header; the stored bytes follow, padded to 8. */
struct pmdb_rec {
	uint16_t magic;          /* PMDB_REC_MAGIC */
	uint8_t type;            /* pmdb_otype */
	uint8_t flags;           /* PMDB_REC_LZ4 */
	uint32_t crc;            /* crc32c of header (crc = 0) + stored bytes */
	uint64_t txn;            /* txn_seq of the committing transaction */
	uint64_t raw_size;       /* uncompressed size */
	uint64_t stored_size;    /* bytes following the header */
	uint8_t id[PMDB_OID_MAXLEN];
};
_Static_assert(sizeof(struct pmdb_rec) == 64, "record header is 64 bytes");

/** One index slot; loc == 0 means empty. */
struct pmdb_slot {
	uint8_t id[PMDB_OID_MAXLEN];
	uint64_t meta;           /* type << 56 | raw size */
	uint64_t loc;            /* (extent + 1) << 40 | offset of record */
};
_Static_assert(sizeof(struct pmdb_slot) == 48, "index slot is 48 bytes");

#define PMDB_META(type, size) ((uint64_t)(type) << 56 | (size))
#define PMDB_META_TYPE(m) ((pmdb_otype)((m) >> 56))
#define PMDB_META_SIZE(m) ((m) & ((1ULL << 56) - 1))
#define PMDB_LOC(ext, off) (((uint64_t)(ext) + 1) << PMDB_LOC_OFF_BITS | (off))
#define PMDB_LOC_EXT(l) ((uint32_t)((l) >> PMDB_LOC_OFF_BITS) - 1)
#define PMDB_LOC_OFFSET(l) ((l) & PMDB_LOC_OFF_MASK)

/** The persistent index: 2^bits slots. */
struct pmdb_pindex {
	uint64_t magic;          /* PMDB_MAGIC */
	uint64_t bits;           /* log2 of slot count */
	uint64_t pad[6];
	struct pmdb_slot slot[];
};

#define PMDB_REF_USED 0x1u
#define PMDB_REF_SYMBOLIC 0x2u
#define PMDB_REF_TOMB 0x4u       /* deleted: probing goes on past it */

/** One ref entry; seq is odd while a writer changes it. */
struct pmdb_pref {
	uint64_t seq;
	uint32_t flags;          /* PMDB_REF_* */
	uint32_t pad;
	uint8_t oid[PMDB_OID_MAXLEN];
	char name[PMDB_REF_NAME_MAX + 1];
	char target[PMDB_REF_NAME_MAX + 1];
};

/** The ref table: 2^bits entries, open addressing on a name hash. */
struct pmdb_preftab {
	uint64_t magic;
	uint64_t bits;
	uint64_t pad[6];
	struct pmdb_pref ent[];
};

/** The root object. */
struct pmdb_root {
	uint64_t magic;          /* PMDB_MAGIC once creation completed */
	uint32_t format_version; /* PMDB_FORMAT_VERSION */
	uint32_t hash_algo;      /* pmdb_hash_algo */
	uint64_t txn_seq;        /* last committed transaction */
	PMEMoid extab;           /* struct pmdb_pextab */
	PMEMoid index;           /* struct pmdb_pindex */
	PMEMoid reftab;          /* struct pmdb_preftab */
	uint64_t objects[5];     /* committed objects per type */
	uint64_t raw_bytes[5];   /* their uncompressed bytes */
	uint64_t stored_bytes;   /* bytes of records (headers included) */
	uint64_t compressed;     /* records stored compressed */
	uint64_t index_used;     /* occupied index slots */
	uint64_t refs;           /* live refs */
	uint64_t pad[8];
};

_Static_assert(sizeof(struct pmdb_root) == 248, "docs/format.md: root");
_Static_assert(sizeof(struct pmdb_pext) == 32, "docs/format.md: extent");
_Static_assert(sizeof(struct pmdb_pref) == 560, "docs/format.md: ref");
_Static_assert(sizeof(struct pmdb_pindex) == 64, "docs/format.md: index");
_Static_assert(sizeof(struct pmdb_preftab) == 64, "docs/format.md: reftab");

/* ---- DRAM ---- */

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
	                            (writer; putq.c) */

	/* test hooks */
	int crash_after_publish; /* commit returns after step 5, no step 6 */
};

/* epoch.c */
int pmdb_epoch__init(struct pmdb_env *env);
void pmdb_epoch__fini(struct pmdb_env *env);
struct pmdb_erec *pmdb_epoch__enter(struct pmdb_env *env);
void pmdb_epoch__leave(struct pmdb_erec *rec);
void pmdb_epoch__retire(struct pmdb_env *env,
			void (*fn)(struct pmdb_env *, void *), void *p);
void pmdb_epoch__reclaim(struct pmdb_env *env, int wait);
void pmdb_epoch__free_dram(struct pmdb_env *env, void *p);
void pmdb_epoch__free_pmem(struct pmdb_env *env, void *p);

/** pmdb_view__get -- the current view (caller is inside an epoch or is
 *  the writer). seq_cst (a plain load on x86): acquire for the view's
 *  contents, and ordered after the epoch entry's seq_cst store (epoch.c). */
static inline struct pmdb_view *
pmdb_view__get(struct pmdb_env *env)
{
	return __atomic_load_n(&env->view, __ATOMIC_SEQ_CST);
}

/* pool.c */
int pmdb_pool__swap(struct pmdb_env *env, PMEMoid *field, PMEMoid nv);
int pmdb_pool__alloc_error(struct pmdb_env *env, uint64_t size,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pmdb_pool__persist(struct pmdb_env *env, const void *p, size_t len);
int pmdb_pool__parts(const char *partdir, uint64_t *size, uint64_t *disk);
uint64_t pmdb_pool__discard(struct pmdb_env *env, const void *p, size_t len);
int pmdb_pool__zalloc(struct pmdb_env *env, PMEMoid *out, size_t size,
		      uint64_t type);
uint64_t pmdb_pool__reclaim(const char *dir, int runs);
void pmdb_pool__flush(struct pmdb_env *env, const void *p, size_t len);
void pmdb_pool__drain(struct pmdb_env *env);
int pmdb_view__publish(struct pmdb_env *env, struct pmdb_view *nv);
struct pmdb_view *pmdb_view__dup(struct pmdb_env *env);

/* crc32c.c */
uint32_t pmdb_crc32c(uint32_t crc, const void *p, size_t len);

/* compress.c */
#define PMDB_LZ4_MIN 256          /* smaller objects are stored raw */
size_t pmdb_compress__bound(size_t len);
size_t pmdb_compress__try(void *st, uint8_t *dst, const void *src,
			  size_t len);
size_t pmdb_compress__put(void *lz4state, uint8_t *dst, const void *src,
			  size_t len, int *compressed);
int pmdb_compress__get(uint8_t *dst, size_t rawlen, const uint8_t *src,
		       size_t stored);
void *pmdb_compress__state_new(void);
void pmdb_compress__state_free(void *st);

/* extent.c */
int pmdb_extent__add(struct pmdb_env *env, uint64_t minsize, uint32_t *ext);
uint64_t pmdb_extent__size(uint64_t held, uint64_t minsize);
int pmdb_extent__alloc(struct pmdb_env *env, PMEMoid *oid, uint64_t size);
uint64_t pmdb_extent__trim(struct pmdb_env *env);
uint32_t pmdb_rec__crc(const struct pmdb_rec *r);
int pmdb_rec__check(struct pmdb_env *env, const struct pmdb_view *v,
		    uint64_t loc, const struct pmdb_rec **out);
int pmdb_rec__check_id(struct pmdb_env *env, const struct pmdb_view *v,
		       uint64_t loc, const uint8_t *id,
		       const struct pmdb_rec **out);
int pmdb_rec__load(struct pmdb_env *env, const struct pmdb_rec *r,
		   pmdb_buf *buf);

/* index.c */
static inline uint64_t
pmdb_index__home(const uint8_t *id, unsigned bits)
{
	uint64_t x = (uint64_t)id[0] << 56 | (uint64_t)id[1] << 48 |
		     (uint64_t)id[2] << 40 | (uint64_t)id[3] << 32 |
		     (uint64_t)id[4] << 24 | (uint64_t)id[5] << 16 |
		     (uint64_t)id[6] << 8 | id[7];
	return bits ? x >> (64 - bits) : 0;
}
struct pmdb_slot *pmdb_index__find(const struct pmdb_view *v,
				   const uint8_t *id, size_t hlen,
				   uint64_t *meta, uint64_t *loc);
uint64_t pmdb_index__insert(struct pmdb_pindex *ix, const uint8_t *id,
			    size_t hlen, uint64_t meta, uint64_t loc);
int pmdb_index__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out);
int pmdb_index__reserve(struct pmdb_env *env, uint64_t nnew);
void pmdb_index__delete(struct pmdb_pindex *ix, uint64_t pos);

/* pmdb_index__visible -- 1 if the record at loc is committed (index.c
 * invariant 5). Inline: every lookup calls it. */
static inline int
pmdb_index__visible(const struct pmdb_view *v, uint64_t loc)
{
	uint32_t x = PMDB_LOC_EXT(loc);

	/* acquire pairs with the writer's release of the tail after the
	 * commit point */
	return x < PMDB_EXT_MAX &&
	       PMDB_LOC_OFFSET(loc) <
	       __atomic_load_n(&v->ext[x].tail, __ATOMIC_ACQUIRE);
}

/* ref.c */
int pmdb_ref__alloc(struct pmdb_env *env, unsigned bits, PMEMoid *out);
int pmdb_ref__reserve(struct pmdb_env *env, uint64_t nnew);
int pmdb_ref__get(const struct pmdb_view *v, const char *name, uint32_t *flags,
		  pmdb_oid *oid, char *target);
struct pmdb_pref *pmdb_ref__slot_for_write(struct pmdb_env *env,
					   const char *name, int *isnew);
void pmdb_ref__write(struct pmdb_pref *e, uint32_t flags, const pmdb_oid *oid,
		     const char *name, const char *target);
uint64_t pmdb_ref__count_used(struct pmdb_preftab *t);

/* putq.c */
struct pmdb_txn;
int pmdb_putq__submit(struct pmdb_txn *txn, size_t obj, pmdb_otype type,
		      const uint8_t *id, const void *src, size_t len,
		      uint64_t *ticket);
int pmdb_putq__reap(struct pmdb_txn *txn, uint64_t upto, int block);
uint64_t pmdb_putq__submitted(struct pmdb_env *env);
int pmdb_putq__workers(struct pmdb_env *env);
void pmdb_putq__stop(struct pmdb_env *env);

/* recover.c */
int pmdb_recover__run(struct pmdb_env *env);
int pmdb_recover__sweep(struct pmdb_env *env);

#endif
