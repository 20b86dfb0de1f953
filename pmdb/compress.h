/*
 * compress.h -- lz4 for records (compress.c).
 */
#ifndef PMDB_COMPRESS_H
#define PMDB_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
