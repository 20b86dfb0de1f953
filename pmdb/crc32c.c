/*
 * crc32c.c -- CRC-32C (Castagnoli): SSE4.2 on x86-64, the CRC32
 * extension on arm64, a slicing-by-8 table anywhere else.
 *
 * The dispatch is decided once (the CPU's features are constant for the
 * process); the table is built at first use under pthread_once and
 * read-only afterwards.
 */
#include <pthread.h>
#include <string.h>
#if defined(__x86_64__)
#include <nmmintrin.h>
#elif defined(__aarch64__)
#include <arm_acle.h>
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#endif
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
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
#elif defined(__aarch64__)
	crc_hw = (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
#endif
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

#if defined(__x86_64__)
/* crc_hw_crc -- the same with SSE4.2's crc32 instruction. */
__attribute__((target("sse4.2"))) static uint32_t
crc_hw_crc(uint32_t crc, const uint8_t *p, size_t len)
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
#elif defined(__aarch64__)
/* crc_hw_crc -- the same with ARMv8's crc32c instructions. */
__attribute__((target("+crc"))) static uint32_t
crc_hw_crc(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		crc = __crc32cd(crc, w);
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = __crc32cb(crc, *p++);
	return crc;
}
#else
#define crc_hw_crc crc_sw       /* crc_hw is never set here */
#endif

/* pmdb_crc32c -- extend crc (0 to start) over p[0..len). */
uint32_t
pmdb_crc32c(uint32_t crc, const void *p, size_t len)
{
	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	crc = crc_hw ? crc_hw_crc(crc, p, len) : crc_sw(crc, p, len);
	return ~crc;
}
