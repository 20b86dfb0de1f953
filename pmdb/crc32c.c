/*
 * crc32c.c -- CRC-32C (Castagnoli) with SSE4.2 and a table fallback.
 *
 * The dispatch is decided once (__builtin_cpu_supports is cheap and
 * constant for the process); the table is built at compile time's first
 * use under pthread_once and read-only afterwards.
 */
#include <pthread.h>
#include <string.h>
#include <nmmintrin.h>
#include "internal.h"

static uint32_t crc_table[8][256];   /* written once under crc_once */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static int crc_hw;                    /* idem */

/* crc_init -- build the slicing-by-8 table and probe SSE4.2. */
static void
crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xff];
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
}

/* crc_sw -- slicing-by-8 software CRC-32C (crc is pre-inverted). */
static uint32_t
crc_sw(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		w ^= crc;
		crc = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^
		      crc_table[5][(w >> 16) & 0xff] ^
		      crc_table[4][(w >> 24) & 0xff] ^
		      crc_table[3][(w >> 32) & 0xff] ^
		      crc_table[2][(w >> 40) & 0xff] ^
		      crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return crc;
}

/* crc_hw_sse42 -- the same with the crc32 instruction. */
__attribute__((target("sse4.2"))) static uint32_t
crc_hw_sse42(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		len -= 8;
	}
	crc = (uint32_t)c;
	while (len--)
		crc = _mm_crc32_u8(crc, *p++);
	return crc;
}

/* pmdb_crc32c -- extend crc (0 to start) over p[0..len). */
uint32_t
pmdb_crc32c(uint32_t crc, const void *p, size_t len)
{
	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	crc = crc_hw ? crc_hw_sse42(crc, p, len) : crc_sw(crc, p, len);
	return ~crc;
}
