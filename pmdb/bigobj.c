/*
 * bigobj.c -- big blobs in bounded memory: the write stream (chunks plus
 * a manifest under the blob's git id), the read stream, and what read,
 * check and gc need to handle a manifest record (docs/format.md
 * "chunked blob", docs/design.md "Big blobs").
 *
 * Invariants:
 *  1. A manifest record is a PMDB_OBJ_BLOB record flagged
 *     PMDB_REC_CHUNKED, stored raw, whose raw_size is the blob's size (so
 *     index meta, stats and gc's copy treat it as the blob) and whose
 *     bytes are struct pmdb_big_hdr plus the chunk ids.
 *  2. A chunk is an ordinary PMDB_OBJ_CHUNK record (never itself
 *     chunked), put before the manifest in the same txn; so a committed
 *     manifest's chunks are committed too (one commit point).
 *  3. Pages a stream is done with are unmapped (MADV_DONTNEED on the
 *     pool's shared mapping): the bytes stay in the file (msync path) or
 *     the media (DAX) and a later touch faults them back, so this is
 *     never a correctness step. What a txn wrote is flushed and drained
 *     first (pmdb_txn__flush_written), so that commit's flush need not
 *     fault those pages back in to flush them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bigobj.h"
#include "compress.h"
#include "epoch.h"
#include "extent.h"
#include "index.h"
#include "txn.h"

struct pmdb_wstream {
	struct pmdb_txn *txn;    /* NULL: hash only */
	size_t hlen;
	void *md;                /* the blob id's digest */
	uint64_t size, done;
	uint8_t *buf;            /* the chunk being filled */
	size_t fill;
	uint8_t *man;            /* manifest: header, then ids */
	size_t nman, capman;
};

struct pmdb_rstream {
	struct pmdb_env *env;
	pmdb_buf buf;            /* the piece last returned */
	uint8_t *ids;            /* chunked: the manifest's ids; else NULL */
	uint64_t size, chunk, n, next;
	int whole;               /* not chunked: buf not returned yet */
};

/* pmdb_big__unmap -- drop the whole pages of [p, p + len); see (3). */
void
pmdb_big__unmap(const void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	if (b > a)
		(void)madvise((void *)a, b - a, MADV_DONTNEED);
}

/* manifest -- r's header and ids if r is a well-formed manifest.
 * @return 0, PMDB_ECORRUPT. */
static int
manifest(struct pmdb_env *env, const struct pmdb_rec *r,
	 struct pmdb_big_hdr *h, const uint8_t **ids)
{
	char hex[PMDB_OID_HEXMAX + 1];

	if (r->stored_size >= sizeof(*h))
		memcpy(h, r + 1, sizeof(*h));
	if (r->stored_size < sizeof(*h) || h->magic != PMDB_BIG_MAGIC ||
	    h->size != r->raw_size || !h->chunk || h->chunk > (1ULL << 40) ||
	    h->n != (h->size + h->chunk - 1) / h->chunk ||
	    r->stored_size != sizeof(*h) + h->n * env->hlen ||
	    (r->flags & PMDB_REC_LZ4))
		return pmdb__seterr(PMDB_ECORRUPT, "object %s: bad chunk "
				    "manifest", pmdb_oid_fmt(hex,
				    (const pmdb_oid *)r->id, env->algo));
	*ids = (const uint8_t *)(r + 1) + sizeof(*h);
	return 0;
}

/* chunk_load -- decompress chunk id (want bytes) of view v into dst and
 * unmap its record's pages. Caller inside an epoch.
 * @return 0, PMDB_ECORRUPT. */
static int
chunk_load(struct pmdb_env *env, const struct pmdb_view *v,
	   const uint8_t *id, uint64_t want, uint8_t *dst)
{
	char hex[PMDB_OID_HEXMAX + 1];
	const struct pmdb_rec *c;
	uint64_t meta, loc;
	int rc;

	if (!pmdb_index__find(v, id, env->hlen, &meta, &loc) ||
	    !pmdb_index__visible(v, loc))
		return pmdb__seterr(PMDB_ECORRUPT, "chunk %s is missing",
				    pmdb_oid_fmt(hex, (const pmdb_oid *)id,
						 env->algo));
	if ((rc = pmdb_rec__check_id(env, v, loc, id, &c)))
		return rc;
	if (c->type != PMDB_OBJ_CHUNK || c->raw_size != want ||
	    (c->flags & PMDB_REC_CHUNKED))
		return pmdb__seterr(PMDB_ECORRUPT, "chunk %s: wrong type or "
				    "size", pmdb_oid_fmt(hex,
				    (const pmdb_oid *)id, env->algo));
	if (c->flags & PMDB_REC_LZ4) {
		if (pmdb_compress__get(dst, want, (const uint8_t *)(c + 1),
				       c->stored_size))
			return pmdb__seterr(PMDB_ECORRUPT, "chunk %s: bad "
					    "compressed data", pmdb_oid_fmt(
					    hex, (const pmdb_oid *)id,
					    env->algo));
	} else if (c->stored_size != want) {
		return pmdb__seterr(PMDB_ECORRUPT, "chunk %s: size mismatch",
				    pmdb_oid_fmt(hex, (const pmdb_oid *)id,
						 env->algo));
	} else {
		memcpy(dst, c + 1, want);
	}
	pmdb_big__unmap(c, sizeof(*c) + c->stored_size);
	return 0;
}

/* piece -- bytes in chunk i of a blob of size in chunks of chunk. */
static inline uint64_t
piece(uint64_t size, uint64_t chunk, uint64_t i)
{
	return size - i * chunk < chunk ? size - i * chunk : chunk;
}

/* pmdb_big__assemble -- the whole blob of manifest r into buf. */
int
pmdb_big__assemble(struct pmdb_env *env, const struct pmdb_rec *r,
		   pmdb_buf *buf)
{
	struct pmdb_view *v = pmdb_view__get(env);
	struct pmdb_big_hdr h;
	const uint8_t *ids;
	int rc;

	if ((rc = manifest(env, r, &h, &ids)) ||
	    (rc = pmdb_buf__reserve(buf, h.size)))
		return rc;
	for (uint64_t i = 0; i < h.n; i++)
		if ((rc = chunk_load(env, v, ids + i * env->hlen,
				     piece(h.size, h.chunk, i),
				     buf->data + i * h.chunk)))
			return rc;
	buf->len = h.size;
	buf->data[buf->len] = '\0';
	return 0;
}

/* pmdb_big__check -- fsck of one manifest record. */
int
pmdb_big__check(struct pmdb_env *env, const struct pmdb_view *v,
		const struct pmdb_rec *r, int data, pmdb_buf *buf,
		char *msg, size_t msglen)
{
	struct pmdb_big_hdr h;
	const uint8_t *ids;
	void *md = NULL;
	pmdb_oid id;
	int rc;

	if ((rc = manifest(env, r, &h, &ids)))
		goto fail;
	if (r->type != PMDB_OBJ_BLOB) {
		rc = pmdb__seterr(PMDB_ECORRUPT, "a chunked object is no blob");
		goto fail;
	}
	if (data && ((rc = pmdb_hash__open(&md, env->algo, PMDB_OBJ_BLOB,
					   h.size)) ||
		     (rc = pmdb_buf__reserve(buf, h.chunk))))
		goto fail;
	for (uint64_t i = 0; i < h.n; i++) {
		const uint8_t *cid = ids + i * env->hlen;
		uint64_t want = piece(h.size, h.chunk, i), meta, loc;

		if (data) {
			if ((rc = chunk_load(env, v, cid, want, buf->data)) ||
			    (rc = pmdb_hash__update(md, buf->data, want)))
				goto fail;
		} else if (!pmdb_index__find(v, cid, env->hlen, &meta, &loc) ||
			   !pmdb_index__visible(v, loc) ||
			   PMDB_META_TYPE(meta) != PMDB_OBJ_CHUNK ||
			   PMDB_META_SIZE(meta) != want) {
			rc = pmdb__seterr(PMDB_ECORRUPT, "chunk %llu is "
					  "missing or of the wrong size",
					  (unsigned long long)i);
			goto fail;
		}
	}
	if (data) {
		rc = pmdb_hash__close(md, &id);
		md = NULL;
		if (rc)
			goto fail;
		if (memcmp(id.id, r->id, env->hlen)) {
			rc = pmdb__seterr(PMDB_ECORRUPT, "content does not hash "
					  "to its id");
			goto fail;
		}
	}
	return 0;
fail:
	pmdb_hash__close(md, NULL);
	snprintf(msg, msglen, "%s", pmdb_errdetail());
	return rc;
}

/* pmdb_big__each_chunk -- fn for each chunk id of manifest r. */
int
pmdb_big__each_chunk(struct pmdb_env *env, const struct pmdb_rec *r,
		     int (*fn)(const uint8_t *id, void *ctx), void *ctx)
{
	struct pmdb_big_hdr h;
	const uint8_t *ids;
	int rc = 0;

	if (manifest(env, r, &h, &ids))
		return 0;
	for (uint64_t i = 0; i < h.n && !rc; i++)
		rc = fn(ids + i * env->hlen, ctx);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The write stream                                                    */
/* ------------------------------------------------------------------ */

/* pmdb_txn_stream_begin -- start a chunked put (or a streamed hash). */
PMDB_EXPORT int
pmdb_txn_stream_begin(pmdb_txn *txn, pmdb_hash_algo algo, pmdb_otype type,
		      uint64_t size, pmdb_wstream **out)
{
	struct pmdb_wstream *s;
	struct pmdb_big_hdr h = { PMDB_BIG_MAGIC, size, PMDB_STREAM_CHUNK,
				  (size + PMDB_STREAM_CHUNK - 1) /
				  PMDB_STREAM_CHUNK };
	int rc;

	pmdb__clearerr();
	if (!out)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*out = NULL;
	if (txn && txn->failed)
		return pmdb_txn__earlier(txn);
	algo = txn ? txn->env->algo : algo;
	if (type != PMDB_OBJ_BLOB || !pmdb_hash__valid(algo) ||
	    size >= (1ULL << 56))
		return pmdb__seterr(PMDB_EINVAL, "bad type %d, algo %d or size",
				    (int)type, (int)algo);
	if (!(s = calloc(1, sizeof(*s))))
		return pmdb__seterr(PMDB_ENOMEM, "stream");
	s->txn = txn;
	s->hlen = pmdb_hash_len(algo);
	s->size = size;
	s->capman = sizeof(h) + h.n * s->hlen;
	if (txn && (!(s->buf = malloc(PMDB_STREAM_CHUNK)) ||
		    !(s->man = malloc(s->capman)))) {
		pmdb_stream_abort(s);
		return pmdb__seterr(PMDB_ENOMEM, "stream buffers");
	}
	if ((rc = pmdb_hash__open(&s->md, algo, type, size))) {
		pmdb_stream_abort(s);
		return rc;
	}
	if (txn) {
		memcpy(s->man, &h, sizeof(h));
		s->nman = sizeof(h);
	}
	*out = s;
	return 0;
}

/* put_chunk -- store the filled chunk, list it, flush and unmap what the
 * txn wrote (3). */
static int
put_chunk(struct pmdb_wstream *s)
{
	pmdb_oid cid;
	int rc;

	if ((rc = pmdb_txn_put(s->txn, PMDB_OBJ_CHUNK, s->buf, s->fill,
			       &cid)))
		return rc;
	if (s->nman + s->hlen > s->capman)
		return pmdb__seterr(PMDB_EINVAL, "stream: more chunks than "
				    "the size allows");
	memcpy(s->man + s->nman, cid.id, s->hlen);
	s->nman += s->hlen;
	s->fill = 0;
	pmdb_txn__flush_written(s->txn);
	return 0;
}

/* pmdb_stream_write -- hash and buffer len bytes, storing full chunks. */
PMDB_EXPORT int
pmdb_stream_write(pmdb_wstream *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	int rc;

	if (!s || (!data && len) || len > s->size - s->done)
		return pmdb__seterr(PMDB_EINVAL, "stream: more bytes than "
				    "its size");
	if ((rc = pmdb_hash__update(s->md, data, len)))
		return rc;
	s->done += len;
	while (s->txn && len) {
		size_t k = PMDB_STREAM_CHUNK - s->fill;

		k = k < len ? k : len;
		memcpy(s->buf + s->fill, p, k);
		s->fill += k;
		p += k;
		len -= k;
		if (s->fill == PMDB_STREAM_CHUNK && (rc = put_chunk(s)))
			return rc;
	}
	return 0;
}

/* pmdb_stream_finish -- last chunk, manifest, id. */
PMDB_EXPORT int
pmdb_stream_finish(pmdb_wstream *s, pmdb_oid *oid)
{
	pmdb_oid id;
	int rc;

	if (!s)
		return pmdb__seterr(PMDB_EINVAL, "NULL stream");
	if (s->done != s->size) {
		rc = pmdb__seterr(PMDB_EINVAL, "stream: %llu of %llu bytes "
				  "written", (unsigned long long)s->done,
				  (unsigned long long)s->size);
		goto out;
	}
	if (s->txn && s->fill && (rc = put_chunk(s)))
		goto out;
	rc = pmdb_hash__close(s->md, &id);
	s->md = NULL;
	if (rc)
		goto out;
	if (s->txn && !s->size)
		rc = pmdb_txn_put(s->txn, PMDB_OBJ_BLOB, "", 0, NULL);
	else if (s->txn)
		rc = pmdb_txn__put_big(s->txn, s->man, s->nman, &id, s->size);
	if (!rc && oid)
		*oid = id;
out:
	pmdb_stream_abort(s);
	return rc;
}

/* pmdb_stream_abort -- free a write stream. */
PMDB_EXPORT void
pmdb_stream_abort(pmdb_wstream *s)
{
	if (!s)
		return;
	pmdb_hash__close(s->md, NULL);
	free(s->buf);
	free(s->man);
	free(s);
}

/* ------------------------------------------------------------------ */
/* The read stream                                                     */
/* ------------------------------------------------------------------ */

/* pmdb_object_stream -- open an object for reading in pieces. */
PMDB_EXPORT int
pmdb_object_stream(pmdb_env *env, const pmdb_oid *oid, pmdb_otype *type,
		   uint64_t *size, pmdb_rstream **out)
{
	struct pmdb_erec *rec;
	struct pmdb_rstream *s;
	const struct pmdb_rec *r;
	struct pmdb_view *v;
	struct pmdb_big_hdr h;
	const uint8_t *ids;
	char hex[PMDB_OID_HEXMAX + 1];
	uint64_t meta, loc;
	int rc;

	pmdb__clearerr();
	if (!env || !oid || !out)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return pmdb__seterr(PMDB_ENOMEM, "stream");
	s->env = env;
	if (!(rec = pmdb_epoch__enter(env))) {
		free(s);
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	}
	v = pmdb_view__get(env);
	if (!pmdb_index__find(v, oid->id, env->hlen, &meta, &loc) ||
	    !pmdb_index__visible(v, loc)) {
		rc = pmdb__seterr(PMDB_ENOTFOUND, "no object %s",
				  pmdb_oid_fmt(hex, oid, env->algo));
		goto fail;
	}
	if ((rc = pmdb_rec__check_id(env, v, loc, oid->id, &r)))
		goto fail;
	if (!(r->flags & PMDB_REC_CHUNKED)) {
		if ((rc = pmdb_rec__load(env, r, &s->buf)))
			goto fail;
		s->whole = 1;
	} else {
		if ((rc = manifest(env, r, &h, &ids)))
			goto fail;
		if (!(s->ids = malloc(h.n * env->hlen + 1))) {
			rc = pmdb__seterr(PMDB_ENOMEM, "stream");
			goto fail;
		}
		memcpy(s->ids, ids, h.n * env->hlen);
		s->chunk = h.chunk;
		s->n = h.n;
	}
	s->size = r->raw_size;
	if (type)
		*type = (pmdb_otype)r->type;
	if (size)
		*size = s->size;
	pmdb_epoch__leave(rec);
	*out = s;
	return 0;
fail:
	pmdb_epoch__leave(rec);
	pmdb_stream_close(s);
	return rc;
}

/* pmdb_stream_read -- the next piece of an open read stream. */
PMDB_EXPORT int
pmdb_stream_read(pmdb_rstream *s, const void **ptr, size_t *len)
{
	struct pmdb_erec *rec;
	uint64_t want;
	int rc;

	pmdb__clearerr();
	if (!s || !ptr || !len)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*ptr = s->buf.data;
	*len = 0;
	if (!s->ids) {
		*len = s->whole ? s->buf.len : 0;
		s->whole = 0;
		return 0;
	}
	if (s->next == s->n)
		return 0;
	want = piece(s->size, s->chunk, s->next);
	if ((rc = pmdb_buf__reserve(&s->buf, want)))
		return rc;
	if (!(rec = pmdb_epoch__enter(s->env)))
		return pmdb__seterr(PMDB_ENOMEM, "epoch record");
	rc = chunk_load(s->env, pmdb_view__get(s->env),
			s->ids + s->next * s->env->hlen, want, s->buf.data);
	pmdb_epoch__leave(rec);
	if (rc)
		return rc;
	s->next++;
	*ptr = s->buf.data;
	*len = want;
	return 0;
}

/* pmdb_stream_close -- free a read stream. */
PMDB_EXPORT void
pmdb_stream_close(pmdb_rstream *s)
{
	if (!s)
		return;
	pmdb_buf_free(&s->buf);
	free(s->ids);
	free(s);
}
