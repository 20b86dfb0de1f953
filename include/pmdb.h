/*
 * pmdb.h -- libpmdb: a persistent-memory transactional object database.
 *
 * libpmdb stores content-addressed, immutable objects (git's ids: the hash
 * of "<type> <size>\0<content>", SHA-1 or SHA-256) and named refs in a
 * crash-consistent libpmemobj pool that grows on demand. It is the storage
 * engine under pmvcs, but knows nothing of commits or trees beyond their
 * type tag.
 *
 * Objects: an environment (pmdb_env) is one open pool. Readers call
 * pmdb_object_* and pmdb_ref_* directly on the env: they take no lock and
 * may run on any number of threads while one write transaction runs.
 * Writers group object puts and ref updates in a pmdb_txn; at commit, all
 * of it becomes durable and visible, or (on any failure or crash) none of
 * it does. Ref updates carry compare-and-swap semantics: each names the
 * value it expects and the commit fails with PMDB_ECONFLICT if another
 * writer changed it.
 *
 * Persistence: object data is appended to large extents and flushed once
 * per commit; index entries are published only after the data they point
 * to is durable; refs change last, inside one libpmemobj transaction. The
 * number of flushes per commit does not grow with the number of objects.
 * The on-pool format is described in docs/format.md.
 *
 * Errors: every call returns 0 or a negative PMDB_E* code; positive values
 * are never returned. pmdb_strerror() names any code (and errno values);
 * pmdb_errdetail() gives the calling thread's last detailed message
 * (which path, which object, which cause).
 *
 * Caveats (read these, as LMDB's users read lmdb.h's):
 *  - One process per pool: libpmemobj takes an exclusive lock at open. A
 *    second process waits up to the open's lock timeout, then gets
 *    PMDB_EBUSY. Share a pool between processes through one server.
 *  - One write transaction at a time per env: pmdb_txn_begin() blocks
 *    while another is open. Readers never block and never see a partial
 *    transaction.
 *  - Do not fork() with an open env and use it in the child.
 *  - Pointers lent by a call (pmdb_object_view) stay valid only until the
 *    matching release; copies returned in pmdb_buf are the caller's.
 */
#ifndef PMDB_H
#define PMDB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this API and of the on-pool format it writes. */
#define PMDB_VERSION_MAJOR 0
#define PMDB_VERSION_MINOR 1
#define PMDB_FORMAT_VERSION 3

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/**
 * Error codes: 0 is success; libpmdb's own codes are negative, in a band
 * that cannot clash with -errno. Functions name the codes they return;
 * anything unexpected is PMDB_ERROR with a detail message.
 */
typedef enum pmdb_error {
	PMDB_OK = 0,
	PMDB_ERROR = -31000,   /**< unexpected failure; see pmdb_errdetail() */
	PMDB_ENOTFOUND,        /**< no such object, ref or pool */
	PMDB_EEXISTS,          /**< already exists (pool at create, ref) */
	PMDB_EAMBIGUOUS,       /**< a short id matches more than one object */
	PMDB_ECONFLICT,        /**< a ref did not hold its expected value */
	PMDB_EBUSY,            /**< the pool is held by another process */
	PMDB_EVERSION,         /**< pool of another on-pool format version */
	PMDB_EFORMAT,          /**< pool of another object format (hash) */
	PMDB_ENOTPOOL,         /**< file is not a pmdb pool, or is truncated */
	PMDB_ECORRUPT,         /**< stored bytes fail their checksum or id */
	PMDB_ENOSPC,           /**< the pool or its file system is full */
	PMDB_ENOMEM,           /**< out of DRAM */
	PMDB_EINVAL,           /**< invalid argument (bad name, size, id) */
	PMDB_EBADTXN,          /**< txn failed earlier: only abort is allowed */
	PMDB_EPANIC,           /**< env is unusable after a fatal error; reopen */
	PMDB_LAST_ERRCODE      /**< sentinel, not an error */
} pmdb_error;

/**
 * pmdb_strerror -- name an error code.
 * @param[in] err a pmdb_error (negative), 0, or an errno value (positive).
 * @return a static string; never NULL.
 * Threads: safe.
 */
const char *pmdb_strerror(int err);

/**
 * pmdb_errdetail -- the calling thread's last detailed error message.
 * @return a string owned by the library, valid until the thread's next
 * libpmdb call; "" when the last failure left no detail. Every call that
 * can fail clears the detail when it starts (the lookups
 * pmdb_object_info/_many and pmdb_txn_put, whose cost matters per id,
 * instead set or clear it on each failure), so the message never belongs
 * to an earlier call.
 * Threads: safe; each thread has its own message.
 */
const char *pmdb_errdetail(void);

/* ------------------------------------------------------------------ */
/* Ids and types                                                       */
/* ------------------------------------------------------------------ */

/** Object formats, chosen per pool at creation. */
typedef enum pmdb_hash_algo {
	PMDB_HASH_SHA1 = 1,    /**< 20-byte ids, git's default */
	PMDB_HASH_SHA256 = 2   /**< 32-byte ids, git --object-format=sha256 */
} pmdb_hash_algo;

/** Object types, numbered as git's pack format numbers them. */
typedef enum pmdb_otype {
	PMDB_OBJ_NONE = 0,
	PMDB_OBJ_COMMIT = 1,
	PMDB_OBJ_TREE = 2,
	PMDB_OBJ_BLOB = 3,
	PMDB_OBJ_TAG = 4,
	/**
	 * A reflog entry (not a git type, no pack number): stored, read and
	 * checked like the others, id hashed over "reflog <size>\0<bytes>",
	 * but never listed by pmdb_object_foreach() nor matched by
	 * pmdb_object_resolve_prefix(), and not counted in pmdb_stat.objects.
	 * docs/format.md "reflog entry" has its grammar.
	 */
	PMDB_OBJ_LOG = 5,
	/**
	 * A chunk of a big blob (not a git type): one piece of the content
	 * of a blob written with pmdb_txn_stream_begin(), id hashed over
	 * "chunk <size>\0<bytes>". Hidden like PMDB_OBJ_LOG; kept by
	 * pmdb_env_gc() exactly when a kept blob lists it (docs/format.md
	 * "chunked blob").
	 */
	PMDB_OBJ_CHUNK = 6
} pmdb_otype;

#define PMDB_OID_MAXLEN 32     /**< bytes in the largest id (SHA-256) */
#define PMDB_OID_HEXMAX 64     /**< hex digits in the largest id */

/** An object id. Only the first pmdb_hash_len(algo) bytes are used; the
 *  rest are zero, so whole structs compare equal with memcmp. */
typedef struct pmdb_oid {
	uint8_t id[PMDB_OID_MAXLEN];
} pmdb_oid;

/**
 * pmdb_hash_len -- bytes in an id of the given format (20 or 32); 0 if
 * algo is unknown. Threads: safe.
 */
size_t pmdb_hash_len(pmdb_hash_algo algo);

/**
 * pmdb_hash_name -- "sha1" or "sha256" (git's --object-format names);
 * NULL if unknown. Threads: safe.
 */
const char *pmdb_hash_name(pmdb_hash_algo algo);

/**
 * pmdb_hash_from_name -- parse "sha1"/"sha256".
 * @return PMDB_EINVAL for any other name. Threads: safe.
 */
int pmdb_hash_from_name(pmdb_hash_algo *out, const char *name);

/**
 * pmdb_otype_name / pmdb_otype_from_name -- "commit", "tree", "blob",
 * "tag". name returns NULL for an unknown type; from_name returns
 * PMDB_EINVAL. Threads: safe.
 */
const char *pmdb_otype_name(pmdb_otype type);
int pmdb_otype_from_name(pmdb_otype *out, const char *name, size_t len);

/**
 * pmdb_hash_object -- compute git's id for an object without storing it.
 * @param[out] out  the id (unused tail bytes zeroed).
 * @return 0, PMDB_EINVAL (bad algo or type), PMDB_ENOMEM (OpenSSL could
 *  not start; a later call tries again). Threads: safe.
 */
int pmdb_hash_object(pmdb_oid *out, pmdb_hash_algo algo, pmdb_otype type,
		     const void *data, size_t len);

/**
 * pmdb_oid_fmt -- write an id as lower-case hex plus a NUL.
 * @param[out] out at least 2*len+1 bytes (PMDB_OID_HEXMAX+1 always fits).
 * @return out. Threads: safe.
 */
char *pmdb_oid_fmt(char *out, const pmdb_oid *oid, pmdb_hash_algo algo);

/**
 * pmdb_oid_parse -- parse exactly 2*len hex digits (either case).
 * @return 0, PMDB_EINVAL if hex is not a full id of this format.
 * Threads: safe.
 */
int pmdb_oid_parse(pmdb_oid *out, const char *hex, size_t hexlen,
		   pmdb_hash_algo algo);

/** pmdb_oid_is_zero -- 1 if every byte is zero (git's "null id"). */
int pmdb_oid_is_zero(const pmdb_oid *oid);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/** A caller-owned byte buffer filled by the library; release with
 *  pmdb_buf_free(). data is NUL-terminated one byte past len, so text
 *  objects can be printed directly. */
typedef struct pmdb_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
} pmdb_buf;

#define PMDB_BUF_INIT { NULL, 0, 0 }

/** pmdb_buf_free -- release data and reset to PMDB_BUF_INIT. NULL-safe. */
void pmdb_buf_free(pmdb_buf *buf);

/* ------------------------------------------------------------------ */
/* Environment                                                         */
/* ------------------------------------------------------------------ */

typedef struct pmdb_env pmdb_env;
typedef struct pmdb_txn pmdb_txn;

/** Flags for pmdb_open_opts.flags. */
#define PMDB_CREATE     0x1u  /**< create the pool if the directory has none */
#define PMDB_EXCL       0x2u  /**< with CREATE: fail with EEXISTS if present */

/** Options for pmdb_env_open(). Start from PMDB_OPEN_OPTS_INIT. */
typedef struct pmdb_open_opts {
	unsigned version;          /**< PMDB_OPEN_OPTS_VERSION */
	unsigned flags;            /**< PMDB_CREATE, PMDB_EXCL */
	pmdb_hash_algo hash;       /**< object format at creation; ignored
	                                when opening an existing pool unless
	                                check_hash is set */
	int check_hash;            /**< nonzero: fail with PMDB_EFORMAT when
	                                an existing pool's format != hash */
	unsigned lock_timeout_ms;  /**< how long to wait for another process
	                                holding the pool; 0 = fail at once */
	uint64_t max_size;         /**< address space reserved for growth;
	                                0 = default (1 TiB, costs no memory) */
	unsigned mode;             /**< file mode at creation; 0 = 0644 */
	int workers;               /**< (version >= 2) threads that compress
	                                for pmdb_txn_put_async: -1 = one per
	                                CPU the process may use beyond the
	                                first (the INIT default), 0 = none
	                                (async puts run inline), n = n (at
	                                most 64); started at the first
	                                async put, pinned to the pool's NUMA
	                                node when libnuma reports several */
} pmdb_open_opts;

#define PMDB_OPEN_OPTS_VERSION 2
#define PMDB_OPEN_OPTS_INIT { PMDB_OPEN_OPTS_VERSION, 0, PMDB_HASH_SHA1, 0, \
			      0, 0, 0, -1 }

/**
 * pmdb_env_open -- open (or create) the pool kept in directory dir.
 *
 * The pool is a libpmemobj poolset in dir (dir/pool.set and its parts in
 * dir/pool/), which grows on demand; creation never reserves more disk or
 * RAM than it uses. Recovery of a transaction cut short by a crash runs
 * here, in time proportional to the work that was in flight.
 *
 * @param[out] out   the env; close with pmdb_env_close().
 * @param[in]  dir   directory holding the pool (created with CREATE).
 * @param[in]  opts  NULL for defaults.
 * @return 0; PMDB_ENOTFOUND (no pool and no PMDB_CREATE), PMDB_EEXISTS
 *  (PMDB_EXCL and a pool exists), PMDB_EBUSY (another process holds it
 *  after lock_timeout_ms), PMDB_EVERSION, PMDB_EFORMAT, PMDB_ENOTPOOL
 *  (truncated or foreign file), PMDB_ENOSPC, PMDB_ENOMEM, PMDB_EINVAL
 *  (NULL argument, bad hash), PMDB_ERROR.
 * Threads: safe to call from any thread; opening one pool twice in one
 *  process fails with PMDB_EBUSY.
 * Persistence: creation is atomic: a crash during create leaves no pool
 *  that opens.
 */
int pmdb_env_open(pmdb_env **out, const char *dir, const pmdb_open_opts *opts);

/**
 * pmdb_env_close -- close the env; aborts an open txn. NULL-safe.
 * Threads: no other call on env may run or follow.
 */
void pmdb_env_close(pmdb_env *env);

/** pmdb_env_hash -- the pool's object format. Threads: safe. */
pmdb_hash_algo pmdb_env_hash(const pmdb_env *env);

/** Counters reported by pmdb_env_stat(). */
typedef struct pmdb_stat {
	uint64_t objects[5];       /**< count per pmdb_otype (index 1..4) */
	uint64_t raw_bytes[5];     /**< uncompressed object bytes per type */
	uint64_t stored_bytes;     /**< bytes of object records in extents */
	uint64_t compressed;       /**< objects stored lz4-compressed */
	uint64_t extents;          /**< extents allocated */
	uint64_t extent_bytes;     /**< capacity of those extents */
	uint64_t index_slots;      /**< capacity of the hash index */
	uint64_t index_used;       /**< occupied index slots */
	uint64_t refs;             /**< live refs */
	uint64_t pool_bytes;       /**< bytes the pool's part files take on
	                                disk (allocated blocks, as du
	                                counts them) */
	uint64_t pool_free;        /**< the parts' length minus the usable
	                                bytes of every live allocation: free
	                                heap space in the parts that exist
	                                now (an upper bound: PMDK's own
	                                headers count as free; much of it
	                                is holes, see pool_holes); the pool
	                                may grow past it with new parts */
	uint64_t txn_seq;          /**< last committed transaction number */
	int is_pmem;               /**< 1: flushes are cache-line flushes;
	                                0: msync path */
	uint64_t recovered_records;/**< records rolled back at this open */
	uint64_t pool_holes;       /**< the parts' length minus pool_bytes:
	                                unused extent tails and free heap
	                                space given back to the file system
	                                (docs/design.md "Space") */
} pmdb_stat;

/**
 * pmdb_env_stat -- fill st with counts and sizes.
 * @return 0, PMDB_EINVAL (NULL st), PMDB_ENOMEM (no epoch record).
 * Threads: safe (a consistent snapshot is not
 *  guaranteed while a writer commits).
 */
int pmdb_env_stat(pmdb_env *env, pmdb_stat *st);

/* ------------------------------------------------------------------ */
/* Object reads (lock-free)                                            */
/* ------------------------------------------------------------------ */

/**
 * pmdb_object_info -- type and uncompressed size of an object, from the
 * index alone (no data is touched).
 * @param[out] type,size may be NULL.
 * @return 0, PMDB_ENOTFOUND, PMDB_ENOMEM (no epoch record).
 * Threads: safe, lock-free.
 */
int pmdb_object_info(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		     uint64_t *size);

/** Result of one id in pmdb_object_info_many(). */
typedef struct pmdb_objinfo {
	int err;                   /**< 0 or PMDB_ENOTFOUND */
	pmdb_otype type;
	uint64_t size;
} pmdb_objinfo;

/**
 * pmdb_object_info_many -- pmdb_object_info() for n ids at once; the
 * lookups are software-pipelined (prefetched) so their cache misses
 * overlap.
 * @param[out] out n results, in the order of oids.
 * @return 0 (per-id results in out[i].err), PMDB_EINVAL, PMDB_ENOMEM
 *  (no epoch record).
 * Threads: safe, lock-free.
 */
int pmdb_object_info_many(pmdb_env *env, const pmdb_oid *oids, size_t n,
			  pmdb_objinfo *out);

/**
 * pmdb_object_read -- copy out an object's content (decompressed).
 * @param[out] type may be NULL.
 * @param[out] buf  replaced with the content; caller frees it.
 * @return 0, PMDB_ENOTFOUND, PMDB_ECORRUPT (checksum mismatch: the object
 *  is named in pmdb_errdetail()), PMDB_ENOMEM.
 * Threads: safe, lock-free.
 */
int pmdb_object_read(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		     pmdb_buf *buf);

/** A held zero-copy view (pmdb_object_view); opaque. */
typedef struct pmdb_view_guard pmdb_view_guard;

/**
 * pmdb_object_view -- borrow an object's content in place, without a
 * copy: for a record stored raw (commits always are, and every object
 * under 256 bytes) ptr points into the pool itself; a compressed record
 * is decompressed into a buffer the guard owns.
 *
 * The bytes are checked against the record's crc first (as
 * pmdb_object_read does). The caller stays inside a read epoch until
 * pmdb_view_release(guard): gc and index growth cannot free what ptr
 * points to meanwhile, but they also cannot reclaim anything else, so
 * hold views briefly (parse, then release). Several views may be held
 * at once by one thread.
 * @param[out] type   may be NULL.
 * @param[out] ptr    the content (len bytes; not NUL-terminated); valid
 *                    until pmdb_view_release(*guard). Read-only.
 * @param[out] len    its length.
 * @param[out] guard  release with pmdb_view_release(); NULL on failure.
 * @return 0, PMDB_ENOTFOUND, PMDB_ECORRUPT (named in pmdb_errdetail()),
 *  PMDB_ENOMEM, PMDB_EINVAL (NULL argument).
 * Threads: safe, lock-free; the guard must be released by the thread
 *  that took it, before that thread closes or leaves the env.
 */
int pmdb_object_view(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		     const void **ptr, size_t *len, pmdb_view_guard **guard);

/**
 * pmdb_view_release -- end a view taken by pmdb_object_view(); ptr is
 * dead afterwards. NULL-safe. Threads: the thread that took the view.
 */
void pmdb_view_release(pmdb_view_guard *guard);

/**
 * pmdb_object_resolve_prefix -- expand an abbreviated hex id.
 * @param[in] hex   at least 4 hex digits (either case), at most a full id.
 * @return 0, PMDB_ENOTFOUND, PMDB_EAMBIGUOUS, PMDB_EINVAL (not hex, < 4),
 *  PMDB_ENOMEM (no epoch record).
 * Threads: safe, lock-free.
 */
int pmdb_object_resolve_prefix(pmdb_env *env, const char *hex, size_t hexlen,
			       pmdb_oid *out);

/**
 * Callback for pmdb_object_foreach(): return 0 to go on, nonzero to stop
 * (that value is returned by foreach).
 */
typedef int (*pmdb_object_cb)(const pmdb_oid *oid, pmdb_otype type,
			      uint64_t size, void *ctx);

/**
 * pmdb_object_foreach -- call cb for every committed object of a git type
 * (PMDB_OBJ_LOG records are left out), in no fixed order (callers that
 * need git's order sort the ids).
 * @return 0, cb's nonzero value, PMDB_ENOMEM (no epoch record).
 * Threads: safe; objects committed during
 *  the walk may or may not be seen.
 */
int pmdb_object_foreach(pmdb_env *env, pmdb_object_cb cb, void *ctx);

/* ------------------------------------------------------------------ */
/* Refs (reads lock-free)                                              */
/* ------------------------------------------------------------------ */

#define PMDB_REF_NAME_MAX 255   /**< longest ref name in bytes */

/**
 * pmdb_ref_read -- read one ref without following it.
 * @param[out] oid     the value of a direct ref (may be NULL).
 * @param[out] target  for a symbolic ref, the name it points to (at least
 *                     PMDB_REF_NAME_MAX+1 bytes; may be NULL); "" for a
 *                     direct ref.
 * @return 0, PMDB_ENOTFOUND, PMDB_EINVAL (bad name), PMDB_ENOMEM (no
 *  epoch record).
 * Threads: safe, lock-free; never sees a half-written value.
 */
int pmdb_ref_read(pmdb_env *env, const char *name, pmdb_oid *oid,
		  char *target);

/**
 * pmdb_ref_resolve -- read a ref, following symbolic refs (at most 5).
 * @param[out] resolved_name  the direct ref reached (PMDB_REF_NAME_MAX+1
 *                            bytes; may be NULL).
 * @return 0, PMDB_ENOTFOUND (missing, or a symbolic ref to a missing ref:
 *  resolved_name is still filled), PMDB_EINVAL, PMDB_ENOMEM (no epoch
 *  record).
 * Threads: safe, lock-free.
 */
int pmdb_ref_resolve(pmdb_env *env, const char *name, pmdb_oid *oid,
		     char *resolved_name);

/** Callback for pmdb_ref_foreach(); target is "" for direct refs. */
typedef int (*pmdb_ref_cb)(const char *name, const pmdb_oid *oid,
			   const char *target, void *ctx);

/**
 * pmdb_ref_foreach -- call cb for each ref whose name starts with prefix
 * ("" for all), sorted by name (bytewise, as git sorts).
 * @return 0, cb's nonzero value, PMDB_ENOMEM. Threads: safe.
 */
int pmdb_ref_foreach(pmdb_env *env, const char *prefix, pmdb_ref_cb cb,
		     void *ctx);

/**
 * pmdb_ref_name_valid -- 1 if name is a legal ref name by git's
 * check-ref-format rules (plus "HEAD"), else 0. Threads: safe.
 */
int pmdb_ref_name_valid(const char *name);

/* ------------------------------------------------------------------ */
/* Write transactions                                                  */
/* ------------------------------------------------------------------ */

/**
 * pmdb_txn_begin -- start the env's write transaction.
 * @param[out] out the txn; ends with pmdb_txn_commit() or _abort().
 * @return 0, PMDB_EPANIC, PMDB_ENOMEM.
 * Threads: blocks while another thread holds a write txn on env.
 */
int pmdb_txn_begin(pmdb_env *env, pmdb_txn **out);

/**
 * pmdb_txn_put -- store an object (if absent) and return its id.
 *
 * The data is hashed, compressed with lz4 when that saves space, and
 * appended to the txn's extent; nothing is flushed until commit. Storing
 * an object that exists already (committed, or earlier in this txn) is
 * free and not an error.
 * @param[out] oid   the id (may be NULL).
 * @return 0, PMDB_ENOSPC, PMDB_ENOMEM, PMDB_EINVAL (bad type or size),
 *  PMDB_EBADTXN (NULL txn, or it failed earlier), PMDB_ERROR (the digest
 *  failed). Any failure poisons the txn: only pmdb_txn_abort() is allowed after.
 * Threads: only the thread that began txn.
 * Persistence: durable and visible to readers only after commit.
 */
int pmdb_txn_put(pmdb_txn *txn, pmdb_otype type, const void *data,
		 size_t len, pmdb_oid *oid);

/**
 * pmdb_txn_put_async -- pmdb_txn_put() that compresses on a worker thread.
 *
 * The object is hashed and deduplicated at once, in call order (so *oid,
 * pmdb_txn_has/_info and the txn's contents are exactly those of
 * pmdb_txn_put); lz4 and the record checksum run on one of the env's
 * workers (pmdb_open_opts.workers), reading data in place: the caller
 * lends data and must leave it unchanged and allocated until
 * pmdb_txn_put_wait() with *ticket (or a later ticket) returns, or the txn
 * commits or aborts. Records are placed in the txn's extent in call order
 * by this thread. Commits, objects under 256 bytes, objects over 8 MiB and
 * envs without workers are put inline (*ticket = 0: data is free at once).
 * @param[out] oid     the id (may be NULL).
 * @param[out] ticket  what to wait for before reusing data (may be NULL:
 *                     then wait with UINT64_MAX).
 * @return 0, PMDB_EINVAL (bad type), PMDB_EBADTXN, PMDB_ENOMEM,
 *  PMDB_ENOSPC (placing an earlier async put failed), PMDB_ERROR (the
 *  digest failed). Any failure poisons the txn.
 * Threads: only the thread that began txn; workers never call back.
 * Persistence: as pmdb_txn_put(): durable and visible only after commit,
 *  which first waits for every async put of the txn.
 */
int pmdb_txn_put_async(pmdb_txn *txn, pmdb_otype type, const void *data,
		       size_t len, pmdb_oid *oid, uint64_t *ticket);

/**
 * pmdb_txn_put_wait -- finish the async puts up to ticket (UINT64_MAX:
 * all): their data is no longer read and their records are placed.
 * Tickets grow per env; a ticket of an earlier (committed or aborted) txn
 * is already finished.
 * @return 0, PMDB_EBADTXN (the txn failed earlier), PMDB_ENOSPC,
 *  PMDB_ENOMEM (placing a record failed: the txn is poisoned).
 * Threads: only the thread that began txn.
 * Persistence: none (records are placed in DRAM-visible extent space,
 *  flushed at commit).
 */
int pmdb_txn_put_wait(pmdb_txn *txn, uint64_t ticket);

/**
 * pmdb_txn_has -- 1 if the object exists, committed or put in this txn.
 * @return 1, 0. Threads: only txn's thread.
 */
int pmdb_txn_has(pmdb_txn *txn, const pmdb_oid *oid);

/**
 * pmdb_txn_read -- pmdb_object_read() that also sees this txn's puts.
 * @return as pmdb_object_read(). Threads: only txn's thread.
 */
int pmdb_txn_read(pmdb_txn *txn, const pmdb_oid *oid, pmdb_otype *type,
		  pmdb_buf *buf);

/**
 * pmdb_txn_info -- pmdb_object_info() that also sees this txn's puts.
 * @return 0, PMDB_ENOTFOUND. Threads: only txn's thread.
 */
int pmdb_txn_info(pmdb_txn *txn, const pmdb_oid *oid, pmdb_otype *type,
		  uint64_t *size);

/** Special values for pmdb_txn_ref_set()'s expect argument. */
#define PMDB_EXPECT_ANY     ((const pmdb_oid *)0)        /**< no check */
extern const pmdb_oid pmdb_expect_absent;                 /**< must not exist */
#define PMDB_EXPECT_ABSENT  (&pmdb_expect_absent)

/**
 * pmdb_txn_ref_set -- set (or, with oid NULL, delete) a direct ref at
 * commit, if it then holds expect.
 *
 * @param[in] expect PMDB_EXPECT_ANY, PMDB_EXPECT_ABSENT, or the value the
 *  ref must hold at commit (a symbolic ref never matches a value).
 * @return 0, PMDB_EINVAL (bad name), PMDB_ENOMEM, PMDB_EBADTXN. The check
 *  against expect happens at commit (PMDB_ECONFLICT there); a later
 *  update of the same ref in one txn replaces the earlier one but keeps
 *  the first expect.
 * Threads: only txn's thread. Persistence: at commit, with all puts.
 */
int pmdb_txn_ref_set(pmdb_txn *txn, const char *name, const pmdb_oid *oid,
		     const pmdb_oid *expect);

/**
 * pmdb_txn_ref_set_symbolic -- make name a symbolic ref to target (which
 * need not exist yet), as HEAD -> refs/heads/main.
 * @return 0, PMDB_EINVAL, PMDB_ENOMEM, PMDB_EBADTXN.
 * Threads: only txn's thread. Persistence: at commit.
 */
int pmdb_txn_ref_set_symbolic(pmdb_txn *txn, const char *name,
			      const char *target);

/**
 * pmdb_txn_commit -- make every put and ref update of txn durable and
 * visible, atomically; then free txn (in every case).
 *
 * Order: object data is flushed (one flush per extent touched), index
 * entries are published and flushed, then refs and extent tails change
 * in one libpmemobj transaction. A crash before that transaction leaves
 * nothing of txn; after it, everything.
 * @return 0, PMDB_ECONFLICT (a ref did not hold its expected value:
 *  nothing was written; the ref is named in pmdb_errdetail()),
 *  PMDB_ENOSPC, PMDB_ENOMEM (growing the index or ref table, or placing
 *  an async put), PMDB_EBADTXN, PMDB_EINVAL (NULL txn), PMDB_EPANIC (env
 *  must be reopened).
 * Threads: only txn's thread.
 */
int pmdb_txn_commit(pmdb_txn *txn);

/**
 * pmdb_txn_abort -- discard txn and free it. NULL-safe. Space its puts
 * used is reused by the next txn. Threads: only txn's thread.
 */
void pmdb_txn_abort(pmdb_txn *txn);

/* ------------------------------------------------------------------ */
/* Streams: big objects in bounded memory                             */
/* ------------------------------------------------------------------ */

/*
 * A big blob is written and read piece by piece. pmdb_txn_stream_begin()
 * stores it as content-addressed PMDB_OBJ_CHUNK records of
 * PMDB_STREAM_CHUNK bytes (identical chunks, such as the zeros of a
 * sparse file, are stored once) plus a manifest record under the blob's
 * git id, which streams over "blob <size>\0" and the content: ids equal
 * git's. pmdb_object_info() gives the blob's type and size;
 * pmdb_object_read() and _view() of a chunked blob assemble it whole (memory
 * = its size); pmdb_object_stream() reads any object a chunk at a time.
 * The pool pages a stream writes or reads are unmapped once done with
 * (the bytes stay in the pool), so the resident set stays near two
 * chunks on the msync path (docs/design.md "Big blobs").
 */
#define PMDB_STREAM_CHUNK (8u << 20)   /**< bytes per chunk */

typedef struct pmdb_wstream pmdb_wstream;
typedef struct pmdb_rstream pmdb_rstream;

/**
 * pmdb_txn_stream_begin -- start writing an object of exactly size bytes
 * into txn, in pieces (pmdb_stream_write), stored chunked.
 * @param[in] txn   the txn; NULL: only hash (pmdb_stream_finish gives
 *                  the id, nothing is stored), with algo.
 * @param[in] algo  the id format when txn is NULL (else the env's).
 * @param[in] type  PMDB_OBJ_BLOB (chunked storage is for blobs only).
 * @param[out] out  the stream; end it with _finish or _abort.
 * @return 0, PMDB_EINVAL (bad type or algo), PMDB_EBADTXN, PMDB_ENOMEM.
 * Threads: txn's thread only, and no other put of txn until the stream
 *  ends. Persistence: as pmdb_txn_put().
 */
int pmdb_txn_stream_begin(pmdb_txn *txn, pmdb_hash_algo algo,
			  pmdb_otype type, uint64_t size, pmdb_wstream **out);

/**
 * pmdb_stream_write -- append len bytes (copied; data is free at return).
 * @return 0, PMDB_EINVAL (more than size in all), and pmdb_txn_put()'s
 *  codes (a failure poisons the txn; the stream must still be aborted).
 */
int pmdb_stream_write(pmdb_wstream *s, const void *data, size_t len);

/**
 * pmdb_stream_finish -- store the manifest (when the blob is new) and
 * give the id; frees s in every case.
 * @param[out] oid  the object's git id (may be NULL).
 * @return 0, PMDB_EINVAL (fewer bytes written than size), pmdb_txn_put()'s
 *  codes.
 */
int pmdb_stream_finish(pmdb_wstream *s, pmdb_oid *oid);

/** pmdb_stream_abort -- drop s (its chunks stay in the txn, unreferenced
 *  if it commits: gc frees them). NULL-safe. */
void pmdb_stream_abort(pmdb_wstream *s);

/**
 * pmdb_object_stream -- open any committed object for reading in pieces:
 * a chunked blob a chunk at a time, any other object in one piece.
 * @param[out] type,size  may be NULL.
 * @param[out] out        the stream; close with pmdb_stream_close().
 * @return 0, PMDB_ENOTFOUND, PMDB_ECORRUPT (a bad manifest), PMDB_ENOMEM.
 * Threads: safe, lock-free; one stream is used by one thread at a time.
 */
int pmdb_object_stream(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		       uint64_t *size, pmdb_rstream **out);

/**
 * pmdb_stream_read -- the next piece in *ptr and *len, valid until the next
 * call on s; *len == 0 at the end.
 * @return 0, PMDB_ECORRUPT (a chunk missing, of the wrong size, or its
 *  checksum fails; named in pmdb_errdetail()), PMDB_ENOMEM.
 */
int pmdb_stream_read(pmdb_rstream *s, const void **ptr, size_t *len);

/** pmdb_stream_close -- free s. NULL-safe. */
void pmdb_stream_close(pmdb_rstream *s);

/* ------------------------------------------------------------------ */
/* Maintenance                                                         */
/* ------------------------------------------------------------------ */

/** One problem found by pmdb_env_check(). */
typedef struct pmdb_problem {
	const char *what;          /**< "object", "index", "ref", "pool" */
	const pmdb_oid *oid;       /**< the object concerned, or NULL */
	const char *name;          /**< the ref concerned, or NULL */
	const char *msg;           /**< what is wrong, human-readable */
} pmdb_problem;

typedef void (*pmdb_problem_cb)(const pmdb_problem *p, void *ctx);

#define PMDB_CHECK_DATA  0x1u  /**< re-hash every object's bytes (slow) */

/**
 * pmdb_env_check -- verify the store: every record's checksum (and with
 * PMDB_CHECK_DATA its id), index <-> record agreement, every ref's target
 * exists, extent bounds. Does not know reachability (pmvcs does).
 * @param[out] nproblems count of problems found (may be NULL).
 * @return 0 (even if problems were found), PMDB_ENOMEM.
 * Threads: runs as a reader; safe beside a writer.
 */
int pmdb_env_check(pmdb_env *env, unsigned flags, pmdb_problem_cb cb,
		   void *ctx, uint64_t *nproblems);

/** Callback deciding what pmdb_env_gc() keeps: return 1 to keep. */
typedef int (*pmdb_keep_cb)(const pmdb_oid *oid, pmdb_otype type, void *ctx);

/** Result of pmdb_env_gc(). */
typedef struct pmdb_gc_stat {
	uint64_t kept, freed;
	uint64_t bytes_before, bytes_after;  /**< extent bytes (capacity of
	                                        the extents allocated) before
	                                        and after; equal when
	                                        nothing was freed */
} pmdb_gc_stat;

/**
 * pmdb_env_gc -- drop every object keep() rejects and compact the rest
 * into new extents with a new index, swapped in atomically; the old
 * extents are freed once no reader can still use them (epoch-based
 * reclamation).
 * @param[out] st may be NULL.
 * @return 0, PMDB_ENOSPC, PMDB_ENOMEM (nothing changed for either),
 *  PMDB_EINVAL (NULL keep), PMDB_EPANIC.
 * Threads: takes the write txn slot; readers go on meanwhile.
 * Persistence: a crash at any point leaves the old store or the new one.
 */
int pmdb_env_gc(pmdb_env *env, pmdb_keep_cb keep, void *ctx,
		pmdb_gc_stat *st);

#ifdef __cplusplus
}
#endif
#endif /* PMDB_H */
