/*
 * compress.c -- lz4 straight into the extent, raw when it does not pay.
 *
 * Rule: objects under 256 bytes are stored raw (measured on zlib's
 * history: lz4 saved 2-6% of the bytes of objects of 64-255 bytes, and
 * their bytes are a sliver of the total, while it cost ~10% of a put);
 * otherwise lz4 (default
 * level, acceleration 1) writes into the extent, and the result is kept
 * only if it is smaller than 7/8 of the raw size (it saves at least 1/8);
 * else the raw bytes overwrite it. A per-txn LZ4_stream_t is reset with
 * LZ4_resetStream_fast before each object, so each block is independent
 * and the 16 KiB state is not cleared per object. Callers skip lz4 for
 * trees and tags that keep failing the rule (the gate in txn.h).
 */
#include <string.h>
#include <lz4.h>
#include "compress.h"
#include "internal.h"


/* pmdb_compress__bound -- bytes put may write for len raw bytes. */
size_t
pmdb_compress__bound(size_t len)
{
	if (len < PMDB_LZ4_MIN || len > LZ4_MAX_INPUT_SIZE)
		return len;
	return (size_t)LZ4_compressBound((int)len);
}

/* pmdb_compress__state_new -- an lz4 stream for one txn. */
void *
pmdb_compress__state_new(void)
{
	return LZ4_createStream();
}

/* pmdb_compress__state_free -- release it. NULL-safe. */
void
pmdb_compress__state_free(void *st)
{
	if (st)
		LZ4_freeStream(st);
}

/* pmdb_compress__put -- write src (compressed if it pays) to dst, which
 * has pmdb_compress__bound(len) bytes; return the stored size. */
size_t
pmdb_compress__put(void *st, uint8_t *dst, const void *src, size_t len,
		   int *compressed)
{
	*compressed = 0;
	if (st && len >= PMDB_LZ4_MIN && len <= LZ4_MAX_INPUT_SIZE) {
		int bound = LZ4_compressBound((int)len), c;

		LZ4_resetStream_fast(st);
		c = LZ4_compress_fast_continue(st, src, (char *)dst, (int)len,
					       bound, 1);
		if (c > 0 && (size_t)c < len - len / 8) {
			*compressed = 1;
			return (size_t)c;
		}
	}
	if (len)
		memcpy(dst, src, len);
	return len;
}

/* pmdb_compress__try -- lz4 of src into dst (pmdb_compress__bound(len)
 * bytes) when it pays by the rule of the file comment: the compressed
 * size, or 0 when the raw bytes should be stored (dst then holds junk).
 * Threads: st belongs to the calling thread. */
size_t
pmdb_compress__try(void *st, uint8_t *dst, const void *src, size_t len)
{
	int bound, c;

	if (!st || len < PMDB_LZ4_MIN || len > LZ4_MAX_INPUT_SIZE)
		return 0;
	bound = LZ4_compressBound((int)len);
	LZ4_resetStream_fast(st);
	c = LZ4_compress_fast_continue(st, src, (char *)dst, (int)len, bound,
				       1);
	return c > 0 && (size_t)c < len - len / 8 ? (size_t)c : 0;
}

/* pmdb_compress__get -- decompress stored bytes into dst of rawlen.
 * @return 0, PMDB_ECORRUPT (caller names the object). */
int
pmdb_compress__get(uint8_t *dst, size_t rawlen, const uint8_t *src,
		   size_t stored)
{
	int n;

	if (rawlen > LZ4_MAX_INPUT_SIZE || stored > INT32_MAX)
		return PMDB_ECORRUPT;
	n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)stored,
				(int)rawlen);
	return n == (int)rawlen ? 0 : PMDB_ECORRUPT;
}
