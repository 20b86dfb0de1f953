/*
 * benchutil.h -- small helpers shared by the bench_* programs: a clock,
 * percentiles, result lines, and a reader of the blobs of a fast-import
 * stream. Not part of libpmdb.
 */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

/** bu_now_ns -- CLOCK_MONOTONIC in nanoseconds. */
uint64_t bu_now_ns(void);

/** bu_cpu_ns -- CPU time of the calling thread in nanoseconds (what
 *  `openssl speed` divides by, unless -elapsed: immune to other load). */
uint64_t bu_cpu_ns(void);

/** bu_timer_overhead_ns -- median cost of one bu_now_ns() pair, to be
 *  subtracted from per-operation samples. */
uint64_t bu_timer_overhead_ns(void);

/** bu_percentile -- the p-th percentile (0..100) of v; sorts v. */
uint32_t bu_percentile(uint32_t *v, size_t n, double p);

/** bu_result -- print "R <name> <value>" (the line bench/run.sh parses)
 *  and remember it for bu_get(). */
void bu_result(const char *name, double value);

/** bu_get -- the last value bu_result() printed under name; 0 if none. */
double bu_get(const char *name);

/** A fast-import stream mapped in memory, and its blobs. */
typedef struct bu_stream {
	const uint8_t *base;     /**< the mapped file */
	size_t size;
	size_t nblobs;
	const uint8_t **blob;    /**< blob[i]: start of blob i's bytes */
	size_t *len;             /**< len[i]: its length */
	uint64_t blob_bytes;     /**< sum of len[] */
} bu_stream;

/**
 * bu_stream_open -- map path and find every `blob` command's data
 * (`data <n>` form only, as fast-export writes it). Exits on failure.
 */
void bu_stream_open(bu_stream *s, const char *path);

/** bu_stream_close -- unmap and free. */
void bu_stream_close(bu_stream *s);

/** bu_fail -- print "F <what> <reason>": that part failed, go on. */
void bu_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** bu_die -- print "<prog>: <msg>" and exit 1. */
void bu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* BENCHUTIL_H */
