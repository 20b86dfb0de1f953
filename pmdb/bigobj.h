/*
 * bigobj.h -- chunked blobs (bigobj.c): what the read, check and gc
 * paths need to handle a record flagged PMDB_REC_CHUNKED.
 */
#ifndef PMDB_BIGOBJ_H
#define PMDB_BIGOBJ_H

#include "env.h"

/* A manifest: this header, then n chunk ids of hlen bytes each; chunk i
 * holds bytes [i * chunk, min((i + 1) * chunk, size)) of the blob. */
#define PMDB_BIG_MAGIC 0x314b4e4843424d50ULL  /* "PMBCHNK1" */
struct pmdb_big_hdr {
	uint64_t magic;          /* PMDB_BIG_MAGIC */
	uint64_t size;           /* the blob's bytes (= the record's
	                            raw_size) */
	uint64_t chunk;          /* bytes per chunk but the last */
	uint64_t n;              /* chunks */
};
_Static_assert(sizeof(struct pmdb_big_hdr) == 32, "docs/format.md");

/* pmdb_big__assemble -- the whole content of chunked record r into buf
 * (caller inside an epoch). @return 0, PMDB_ECORRUPT, PMDB_ENOMEM. */
int pmdb_big__assemble(struct pmdb_env *env, const struct pmdb_rec *r,
		       pmdb_buf *buf);

/* pmdb_big__check -- fsck of chunked record r in view v: the manifest is
 * well formed and every chunk is there with its size; with data, the
 * content streamed through the hash is r's id. buf is scratch. @return 0,
 * or nonzero with the problem in msg. */
int pmdb_big__check(struct pmdb_env *env, const struct pmdb_view *v,
		    const struct pmdb_rec *r, int data, pmdb_buf *buf,
		    char *msg, size_t msglen);

/* pmdb_big__each_chunk -- call fn with each chunk id of r's manifest (a
 * bad manifest calls it for none). @return 0 or fn's nonzero value. */
int pmdb_big__each_chunk(struct pmdb_env *env, const struct pmdb_rec *r,
			 int (*fn)(const uint8_t *id, void *ctx), void *ctx);

/* pmdb_big__unmap -- drop the page-table entries of the whole pages in
 * [p, p + len) of the pool mapping (bytes stay in the pool). */
void pmdb_big__unmap(const void *p, size_t len);

#endif
