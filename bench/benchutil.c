/*
 * benchutil.c -- helpers shared by the bench_* programs (see benchutil.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

/* Results printed so far, for bu_get(). */
static struct {
	const char *name;
	double value;
} results[128];
static size_t nresults;

static int cmp_u32(const void *a, const void *b);
static void push_blob(bu_stream *s, size_t *cap, const uint8_t *p, size_t n);

/*
 * bu_now_ns -- CLOCK_MONOTONIC in nanoseconds.
 */
uint64_t
bu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * bu_cpu_ns -- CLOCK_THREAD_CPUTIME_ID in nanoseconds.
 */
uint64_t
bu_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * bu_timer_overhead_ns -- median of 10,001 back-to-back clock pairs.
 */
uint64_t
bu_timer_overhead_ns(void)
{
	enum { N = 10001 };
	static uint32_t v[N];
	for (size_t i = 0; i < N; i++) {
		uint64_t a = bu_now_ns();
		uint64_t b = bu_now_ns();
		v[i] = (uint32_t)(b - a);
	}
	return bu_percentile(v, N, 50);
}

/*
 * cmp_u32 -- qsort order of uint32_t.
 */
static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * bu_percentile -- sort v, return the element at rank p% (nearest rank).
 */
uint32_t
bu_percentile(uint32_t *v, size_t n, double p)
{
	size_t k;
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	k = (size_t)(p / 100.0 * (double)n);
	return v[k >= n ? n - 1 : k];
}

/*
 * bu_result -- one machine-readable result line.
 */
void
bu_result(const char *name, double value)
{
	printf("R %s %.6g\n", name, value);
	fflush(stdout);
	if (nresults < sizeof(results) / sizeof(results[0])) {
		results[nresults].name = name;
		results[nresults].value = value;
		nresults++;
	}
}

/*
 * bu_get -- look a printed result up by name (the latest wins).
 */
double
bu_get(const char *name)
{
	for (size_t i = nresults; i > 0; i--)
		if (!strcmp(results[i - 1].name, name))
			return results[i - 1].value;
	return 0;
}

/*
 * bu_fail -- a non-fatal failure of one part, as a line run.sh reads.
 */
void
bu_fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("F %s ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * bu_die -- fatal error.
 */
void
bu_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * push_blob -- append one blob to s's arrays.
 */
static void
push_blob(bu_stream *s, size_t *cap, const uint8_t *p, size_t n)
{
	if (s->nblobs == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		s->blob = realloc(s->blob, *cap * sizeof(*s->blob));
		s->len = realloc(s->len, *cap * sizeof(*s->len));
		if (!s->blob || !s->len)
			bu_die("out of memory");
	}
	s->blob[s->nblobs] = p;
	s->len[s->nblobs] = n;
	s->nblobs++;
	s->blob_bytes += n;
}

/*
 * bu_stream_open -- map the stream; walk it line by line, skipping the
 * payload of every `data <n>`, and keep those that follow a `blob` line.
 */
void
bu_stream_open(bu_stream *s, const char *path)
{
	struct stat st;
	const uint8_t *p, *end;
	size_t cap = 0;
	int in_blob = 0;
	int fd = open(path, O_RDONLY);

	memset(s, 0, sizeof(*s));
	if (fd < 0 || fstat(fd, &st) != 0)
		bu_die("%s: %s", path, strerror(errno));
	s->size = (size_t)st.st_size;
	s->base = mmap(NULL, s->size ? s->size : 1, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
		       fd, 0);
	if (s->base == MAP_FAILED)
		bu_die("mmap %s: %s", path, strerror(errno));
	close(fd);
	p = s->base;
	end = p + s->size;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll == 4 && !memcmp(p, "blob", 4)) {
			in_blob = 1;
		} else if (ll > 5 && !memcmp(p, "data ", 5) && p[5] != '<') {
			size_t n = strtoull((const char *)p + 5, NULL, 10);
			const uint8_t *d = p + ll + 1;
			if (d + n > end)
				bu_die("%s: truncated data", path);
			if (in_blob)
				push_blob(s, &cap, d, n);
			in_blob = 0;
			p = d + n;
			continue;
		} else if (ll && !(ll >= 5 && !memcmp(p, "mark ", 5)) &&
			   !(ll >= 12 && !memcmp(p, "original-oid", 12))) {
			in_blob = 0;
		}
		p += ll + 1;
	}
}

/*
 * bu_stream_close -- release the mapping and the arrays.
 */
void
bu_stream_close(bu_stream *s)
{
	if (s->base)
		munmap((void *)s->base, s->size ? s->size : 1);
	free(s->blob);
	free(s->len);
	memset(s, 0, sizeof(*s));
}
