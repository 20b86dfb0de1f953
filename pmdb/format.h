/*
 * format.h -- the persistent layout: every byte libpmdb keeps in the pool.
 * docs/format.md specifies it; a change here changes the on-pool format
 * (PMDB_FORMAT_VERSION) and that page in the same commit. Nothing in this
 * header lives in DRAM only (env.h holds those structures).
 */
#ifndef PMDB_FORMAT_H
#define PMDB_FORMAT_H

#include <libpmemobj.h>
#include "internal.h"

#define PMDB_LAYOUT "pmdb"               /* libpmemobj layout name */
#define PMDB_MAGIC 0x31424d4450ULL       /* "PMDB1" little-endian */
#define PMDB_EXT_MAX 16384u              /* extent table entries */
#define PMDB_LOC_OFF_BITS 40
#define PMDB_LOC_OFF_MASK ((1ULL << PMDB_LOC_OFF_BITS) - 1)
#define PMDB_EXT_FIRST (4ULL << 20)      /* smallest extent: 4 MiB */
#define PMDB_EXT_LAST (64ULL << 20)      /* extents grow to 64 MiB */
#define PMDB_EXT_SHARE 4                 /* ... and to 1/4 of the extent
                                            bytes the pool holds */
#define PMDB_GRANULARITY (32ULL << 20)  /* PMDK's growth step (env.c) */
#define PMDB_EXT_HEADROOM 8              /* growth for an extent adds 1/8
                                            (>= 1 MiB) for other tables */
#define PMDB_CHUNK (256ULL << 10)        /* PMDK's huge-allocation unit */
#define PMDB_ALLOC_HDR 16ULL             /* PMDK's header before a huge
                                            allocation, in its first chunk */
#define PMDB_REC_MAGIC 0x5052u           /* "RP" */
#define PMDB_REC_LZ4 0x1u                /* record flag: lz4-compressed */
#define PMDB_REC_CHUNKED 0x2u            /* record flag: the stored bytes are
                                            a chunked blob's manifest and
                                            raw_size is the blob's size
                                            (bigobj.c) */

/* pmemobj type numbers of our allocations */
enum { PMDB_T_ROOT = 0, PMDB_T_EXTAB = 1, PMDB_T_INDEX = 2,
       PMDB_T_REFTAB = 3, PMDB_T_EXTENT = 4,
       PMDB_T_SCRATCH = 5 /* reservations never published (reclaim.c) */ };

/** One extent: a large allocation records are appended to. */
struct pmdb_pext {
	PMEMoid oid;             /* the allocation; OID_NULL = unused entry
	                            (used entries are contiguous from 0) */
	uint64_t size;           /* usable bytes; 0 after a crash between
	                            allocation and this write (env.c repairs) */
	uint64_t committed_tail; /* bytes [0, tail) hold committed records;
	                            changed only in a commit's pmemobj tx */
};

/** The extent table: PMDB_EXT_MAX entries, used ones contiguous. */
struct pmdb_pextab {
	uint64_t magic;          /* PMDB_MAGIC */
	uint64_t pad[3];         /* zero */
	struct pmdb_pext ent[PMDB_EXT_MAX];
};

/** One record header; the stored bytes follow, padded to 8. */
struct pmdb_rec {
	uint16_t magic;          /* PMDB_REC_MAGIC */
	uint8_t type;            /* pmdb_otype */
	uint8_t flags;           /* PMDB_REC_LZ4: stored bytes are one lz4
	                            block */
	uint32_t crc;            /* crc32c of header (crc = 0) + stored bytes */
	uint64_t txn;            /* txn_seq of the committing transaction
	                            (recovery walks txn_seq + 1's records) */
	uint64_t raw_size;       /* uncompressed size */
	uint64_t stored_size;    /* bytes following the header */
	uint8_t id[PMDB_OID_MAXLEN]; /* object id, zero-padded past hlen */
};
_Static_assert(sizeof(struct pmdb_rec) == 64, "record header is 64 bytes");

/** One index slot; loc == 0 means empty. */
struct pmdb_slot {
	uint8_t id[PMDB_OID_MAXLEN]; /* object id, zero-padded past hlen */
	uint64_t meta;           /* type << 56 | raw size */
	uint64_t loc;            /* (extent + 1) << 40 | offset of record;
	                            store-released last (index.c) */
};
_Static_assert(sizeof(struct pmdb_slot) == 48, "index slot is 48 bytes");

#define PMDB_META(type, size) ((uint64_t)(type) << 56 | (size))
#define PMDB_META_TYPE(m) ((pmdb_otype)((m) >> 56))
#define PMDB_META_SIZE(m) ((m) & ((1ULL << 56) - 1))
#define PMDB_LOC(ext, off) (((uint64_t)(ext) + 1) << PMDB_LOC_OFF_BITS | (off))
#define PMDB_LOC_EXT(l) ((uint32_t)((l) >> PMDB_LOC_OFF_BITS) - 1)
#define PMDB_LOC_OFFSET(l) ((l) & PMDB_LOC_OFF_MASK)

/** The persistent index: 2^bits slots, linear probing on the id. */
struct pmdb_pindex {
	uint64_t magic;          /* PMDB_MAGIC */
	uint64_t bits;           /* log2 of slot count */
	uint64_t pad[6];         /* zero */
	struct pmdb_slot slot[];
};

#define PMDB_REF_USED 0x1u
#define PMDB_REF_SYMBOLIC 0x2u
#define PMDB_REF_TOMB 0x4u       /* deleted: probing goes on past it */

/** One ref entry; seq is odd while a writer changes it (ref.c). */
struct pmdb_pref {
	uint64_t seq;            /* seqlock word: odd while a commit changes
	                            the entry; not in the undo log (ref.c) */
	uint32_t flags;          /* PMDB_REF_*; 0 = never used */
	uint32_t pad;            /* zero */
	uint8_t oid[PMDB_OID_MAXLEN]; /* target id (direct refs), else 0 */
	char name[PMDB_REF_NAME_MAX + 1];   /* NUL-padded */
	char target[PMDB_REF_NAME_MAX + 1]; /* symbolic target, NUL-padded */
};

/** The ref table: 2^bits entries, open addressing on a name hash. */
struct pmdb_preftab {
	uint64_t magic;          /* PMDB_MAGIC */
	uint64_t bits;           /* log2 of entry count */
	uint64_t pad[6];         /* zero */
	struct pmdb_pref ent[];
};

/** The root object. Changed after creation only inside pmemobj txs. */
struct pmdb_root {
	uint64_t magic;          /* PMDB_MAGIC once creation completed */
	uint32_t format_version; /* PMDB_FORMAT_VERSION */
	uint32_t hash_algo;      /* pmdb_hash_algo */
	uint64_t txn_seq;        /* last committed transaction */
	PMEMoid extab;           /* struct pmdb_pextab */
	PMEMoid index;           /* struct pmdb_pindex */
	PMEMoid reftab;          /* struct pmdb_preftab */
	/* counters: written by commit and gc with atomic stores (inside
	 * their pmemobj tx), read by pmdb_env_stat with relaxed loads */
	uint64_t objects[5];     /* committed objects per type (1..4) */
	uint64_t raw_bytes[5];   /* their uncompressed bytes */
	uint64_t stored_bytes;   /* bytes of records (headers included) */
	uint64_t compressed;     /* records stored compressed */
	uint64_t index_used;     /* occupied index slots */
	uint64_t refs;           /* live refs */
	uint64_t pad[8];         /* zero */
};

/* PMDB_ROOT_SET -- store a root counter inside a pmemobj tx: relaxed
 * atomic, as pmdb_env_stat loads it without the writer lock. */
#define PMDB_ROOT_SET(field, v) \
	__atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

_Static_assert(sizeof(struct pmdb_root) == 248, "docs/format.md: root");
_Static_assert(sizeof(struct pmdb_pext) == 32, "docs/format.md: extent");
_Static_assert(sizeof(struct pmdb_pref) == 560, "docs/format.md: ref");
_Static_assert(sizeof(struct pmdb_pindex) == 64, "docs/format.md: index");
_Static_assert(sizeof(struct pmdb_preftab) == 64, "docs/format.md: reftab");

#endif
