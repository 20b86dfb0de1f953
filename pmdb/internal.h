/*
 * internal.h -- declarations shared by libpmdb's modules (not installed).
 *
 * Naming: pmdb_<mod>__<fn> for helpers other modules call. Everything that
 * belongs to one open pool hangs off struct pmdb_env (env.h; the
 * persistent layout is format.h, each module has its own header); the only
 * process-wide state is immutable after first use (EVP_MD handles, the
 * crc32c dispatch) or per thread (error detail, EVP_MD_CTX cache).
 */
#ifndef PMDB_INTERNAL_H
#define PMDB_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "pmdb.h"

/** Mark a definition as part of the shared library's ABI. */
#define PMDB_EXPORT __attribute__((visibility("default")))

#define PMDB_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMDB_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* error.c */

/**
 * pmdb__seterr -- record a printf-style detail for the calling thread and
 * return code, so callers can write `return pmdb__seterr(PMDB_EINVAL, ...)`.
 */
int pmdb__seterr(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** pmdb__clearerr -- forget the calling thread's detail. */
void pmdb__clearerr(void);

/* buf.c */

/**
 * pmdb_buf__reserve -- make room for n bytes plus the NUL terminator;
 * keeps the content. @return 0, PMDB_ENOMEM.
 */
int pmdb_buf__reserve(pmdb_buf *buf, size_t n);

/* hash.c */

/**
 * pmdb_hash__object -- git id of (type, data): hash "<type> <len>\0" then
 * data with the calling thread's cached EVP_MD_CTX. algo and type must be
 * valid (callers check).  @return 0, PMDB_ERROR (OpenSSL failed).
 */
int pmdb_hash__object(pmdb_oid *out, pmdb_hash_algo algo, pmdb_otype type,
		      const void *data, size_t len);
/* streamed ids (bigobj.c): open, update, close (out NULL: discard) */
int pmdb_hash__open(void **out, pmdb_hash_algo algo, pmdb_otype type,
		    uint64_t len);
int pmdb_hash__update(void *ctx, const void *data, size_t len);
int pmdb_hash__close(void *ctx, pmdb_oid *out);

/** pmdb_hash__valid -- 1 if algo is a known pmdb_hash_algo. */
static inline int
pmdb_hash__valid(pmdb_hash_algo algo)
{
	return algo == PMDB_HASH_SHA1 || algo == PMDB_HASH_SHA256;
}

/** pmdb_otype__valid -- 1 if type is commit, tree, blob, tag, reflog or
 *  chunk. */
static inline int
pmdb_otype__valid(pmdb_otype type)
{
	return type >= PMDB_OBJ_COMMIT && type <= PMDB_OBJ_CHUNK;
}

/** pmdb_otype__git -- 1 if type is one of git's (listed, counted). */
static inline int
pmdb_otype__git(pmdb_otype type)
{
	return type >= PMDB_OBJ_COMMIT && type <= PMDB_OBJ_TAG;
}

/* crc32c.c */
uint32_t pmdb_crc32c(uint32_t crc, const void *p, size_t len);

/* oid.c */

/** pmdb_oid__hexval -- value of one hex digit, or -1. */
int pmdb_oid__hexval(int c);

#endif
