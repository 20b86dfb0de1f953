/*
 * fastimport_read.c -- the stream side of fast-import: a buffered line
 * reader that hands out lines and `data` blocks in place (no copy for
 * data that fits the buffer), error messages naming the input line, the
 * small parsers shared by all commands (idents and dates, marks, ids,
 * quoted paths), and the progress meter and cat-blob output.
 *
 * Invariants:
 *  1. buf[pos, end) holds unread input; lines handed out live in buf and
 *     stay valid until the next fi_next() or fi_data() call.
 *  2. lineno counts every LF consumed (data payloads included), so an
 *     error names the line a text editor shows. On a mapped stream (4)
 *     it is computed from the position when an error needs it, so that
 *     blob bytes are not read here at all (lz4 reads them first).
 *  3. The buffer only grows as input arrives (never to a size a `data`
 *     header merely claims), so a lying header cannot exhaust memory.
 *  4. A stream given mapped (fi_opts.in_map, a regular file) is buf
 *     itself, read only: all of it is "read" (eof), lines are copied out
 *     to linebuf (they are NUL-terminated in place otherwise), and data
 *     payloads are lent straight from the mapping, so blob bytes are
 *     never copied before lz4 reads them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fastimport_int.h"

#define FI_BUF_INIT (1u << 20)
#define FI_MAP_DROP (16u << 20) /* mapped stream: pages this far behind
                                    the parser are dropped, in steps of
                                    this size (bounds resident memory) */

static int fill(fi_state *s, size_t need);
static uint64_t count_lf(const char *p, size_t n);
static uint64_t map_lineno(const fi_state *s);
static int valid_raw_date(const char *p, int strict);
static int parse_rfc2822(const char *p, vcs_str *out);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/** fi_fail -- record "line N: <msg>" (first failure wins); returns -1. */
int
fi_fail(fi_state *s, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	if (s->failed)
		return -1;
	s->failed = 1;
	if (s->mapped)
		s->lineno = map_lineno(s);
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	vcs_str_reset(&s->errmsg);
	vcs_str_addf(&s->errmsg, "line %llu: %s",
		     (unsigned long long)(s->lineno ? s->lineno : 1), tmp);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

/** switch_buf -- move the unread bytes to the spare buffer (grown to
 *  ncap) and make it current. Blobs lent to pmdb_txn_put_async stay in
 *  the old buffer until their ticket is waited for, which happens only
 *  when that buffer is to be reused: so the parser never waits for a
 *  worker that is still behind it by less than one buffer. 0, or -1. */
static int
switch_buf(fi_state *s, size_t ncap)
{
	size_t unread = s->end - s->pos;
	char *t;
	uint64_t tk;
	int rc;

	if (s->spare_ticket && s->txn &&
	    (rc = pmdb_txn_put_wait(s->txn, s->spare_ticket)) < 0) {
		vcs_seterr_pmdb(rc, "storing an object");
		return fi_fail(s, "%s", vcs_errmsg());
	}
	s->spare_ticket = 0;
	if (s->sparecap < ncap) {
		char *nb = realloc(s->spare, ncap);
		if (!nb)
			return fi_fail(s, "out of memory (input buffer of %zu bytes)",
				       ncap);
		s->spare = nb;
		s->sparecap = ncap;
	}
	if (unread)
		memcpy(s->spare, s->buf + s->pos, unread);
	t = s->buf, s->buf = s->spare, s->spare = t;
	ncap = s->cap, s->cap = s->sparecap, s->sparecap = ncap;
	tk = s->buf_ticket, s->buf_ticket = s->spare_ticket, s->spare_ticket = tk;
	s->pos = 0;
	s->end = unread;
	return 0;
}

/** fill -- make need bytes available at buf+pos, or reach EOF. May move
 *  the buffer contents (pointers into buf die). 0, or -1 on I/O error. */
static int
fill(fi_state *s, size_t need)
{
	while (s->end - s->pos < need && !s->eof) {
		if (s->end + 1 >= s->cap) {
			size_t ncap = s->cap ? s->cap : FI_BUF_INIT;
			if (s->end - s->pos + 1 >= ncap / 2)
				ncap *= 2;   /* keep reads large */
			if (switch_buf(s, ncap) < 0)
				return -1;
		}
		ssize_t r = s->rd(s->rdctx, s->buf + s->end, s->cap - 1 - s->end);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return fi_fail(s, "read error: %s", strerror(errno));
		}
		if (r == 0)
			s->eof = 1;
		s->end += (size_t)r;
		s->bytes_in += (uint64_t)r;
	}
	return 0;
}

/** map_drop -- drop the mapped stream's pages more than FI_MAP_DROP
 *  behind the parser. Only the page table entries go: a worker still
 *  reading a lent blob there faults the page in again from the file. */
static void
map_drop(fi_state *s)
{
	size_t to;

	if (s->pos < s->map_dropped + 2 * (size_t)FI_MAP_DROP)
		return;
	to = (s->pos - FI_MAP_DROP) & ~(size_t)4095;
	if (to > s->map_dropped) {
		uintptr_t a = ((uintptr_t)s->buf + s->map_dropped) &
			      ~(uintptr_t)4095;
		(void)madvise((void *)a, (uintptr_t)s->buf + to - a,
			      MADV_DONTNEED);
		s->map_dropped = to;
	}
}

/** map_lineno -- lineno of a mapped stream at s->pos: the LFs consumed,
 *  plus a final line without one if map_line returned it (raw_line
 *  counts it too; the tail of a data payload is not counted). */
static uint64_t
map_lineno(const fi_state *s)
{
	return count_lf(s->buf, s->pos) + (uint64_t)s->map_lastline;
}

/** map_line -- raw_line on a mapped stream: the line is copied to
 *  linebuf (the mapping is read only). 1, 0 at EOF, -1. */
static int
map_line(fi_state *s)
{
	const char *p = s->buf + s->pos;
	const char *nl = memchr(p, '\n', s->end - s->pos);
	size_t n = nl ? (size_t)(nl - p) : s->end - s->pos;

	if (n + 1 > s->linecap) {
		size_t cap = s->linecap ? s->linecap : 256;
		char *b;

		while (cap < n + 1)
			cap *= 2;
		if (!(b = realloc(s->linebuf, cap)))
			return fi_fail(s, "out of memory (line of %zu bytes)", n);
		s->linebuf = b;
		s->linecap = cap;
	}
	memcpy(s->linebuf, p, n);
	s->linebuf[n] = '\0';
	s->line = s->linebuf;
	s->linelen = n;
	if (!nl && !n)
		return 0;  /* "" at EOF */
	s->pos += n + (nl != NULL);
	s->lineno++;
	s->map_lastline = !nl;
	map_drop(s);
	return 1;
}

/** raw_line -- next input line (comments included). 1, 0 at EOF, -1. */
static int
raw_line(fi_state *s)
{
	size_t scanned = 0;

	if (s->mapped)
		return map_line(s);

	for (;;) {
		char *nl = s->end > s->pos + scanned ?
			memchr(s->buf + s->pos + scanned, '\n', s->end - s->pos - scanned) :
			NULL;
		if (nl) {
			s->line = s->buf + s->pos;
			s->linelen = (size_t)(nl - s->line);
			*nl = '\0';
			s->pos += s->linelen + 1;
			s->lineno++;
			return 1;
		}
		if (s->eof) {
			if (s->end == s->pos) {
				s->line = s->buf + s->end;  /* "" at EOF */
				s->line[0] = '\0';
				s->linelen = 0;
				return 0;
			}
			s->line = s->buf + s->pos;
			s->linelen = s->end - s->pos;
			s->line[s->linelen] = '\0';  /* cap > end always */
			s->pos = s->end;
			s->lineno++;
			return 1;
		}
		scanned = s->end - s->pos;
		if (fill(s, scanned + 1) < 0)
			return -1;
	}
}

/** fi_next -- the next command line ('#' comments skipped), or the current
 *  one again after s->unread was set. 1, 0 at EOF, -1. */
int
fi_next(fi_state *s)
{
	if (s->unread) {
		s->unread = 0;
		return 1;
	}
	for (;;) {
		int rc = raw_line(s);
		if (rc <= 0)
			return rc;
		/* git's parse_argv(): the first line that is not a feature or
		 * option (a comment too) ends the stream's option section and
		 * loads the marks. */
		if (!s->seen_data && strncmp(s->line, "feature ", 8) &&
		    strncmp(s->line, "option ", 7)) {
			s->seen_data = 1;
			if (fi_marks_import(s) < 0)
				return -1;
		}
		if (s->line[0] != '#')
			return 1;
	}
}

/** fi_skip_optional_lf -- consume one LF if the next byte is one. */
int
fi_skip_optional_lf(fi_state *s)
{
	if (fill(s, 1) < 0)
		return -1;
	if (s->pos < s->end && s->buf[s->pos] == '\n') {
		s->pos++;
		s->lineno++;
	}
	return 0;
}

/** count_lf -- number of '\n' bytes in p[0, n): 16 bytes a step with
 *  SSE2 (every x86-64 has it; blob bytes pass here on the parser's
 *  thread, so this is on the critical path), else eight at a time. */
static uint64_t
count_lf(const char *p, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;

#ifdef __SSE2__
	const __m128i lf16 = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();

	while (i + 16 <= n) {
		/* per-byte counters (0 - 0xff per match) for at most 255
		 * steps, then summed by psadbw */
		__m128i acc = zero;
		size_t stop = n - i < 255 * 16 ? i + ((n - i) & ~(size_t)15) :
			      i + 255 * 16;

		for (; i < stop; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(p + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, lf16));
		}
		acc = _mm_sad_epu8(acc, zero);
		c += (uint64_t)_mm_cvtsi128_si64(acc) +
		     (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
	}
#else
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, lf = 0x0a0a0a0a0a0a0a0aULL;

	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		v ^= lf;  /* bytes equal to LF are now zero */
		uint64_t t = ((v & lo7) + lo7) | v;
		/* one bit per LF byte, summed by a multiply (no libgcc popcount) */
		c += (((~t & ~lo7) >> 7) * 0x0101010101010101ULL) >> 56;
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/**
 * fi_data -- parse the current "data <count>" / "data <<DELIM" line and
 * its payload, then skip the optional LF. With copy NULL the payload is
 * lent (*p valid until the next read); otherwise it is appended to copy
 * and *p points there.
 */
int
fi_data(fi_state *s, const char **p, size_t *len, vcs_str *copy)
{
	const char *v;
	uint64_t start_line = s->lineno;
	size_t start_pos = s->pos;

	if (strncmp(s->line, "data ", 5) != 0)
		return fi_fail(s, "Expected 'data n' command, found: %s", s->line);
	v = s->line + 5;
	if (v[0] == '<' && v[1] == '<') {
		vcs_str_reset(&s->delim);
		if (vcs_str_add(&s->delim, v + 2, s->linelen - 7) < 0)
			return fi_fail(s, "out of memory");
		vcs_str *dst = copy ? copy : &s->obj;
		if (!copy)
			vcs_str_reset(&s->obj);
		size_t start = dst->len;
		for (;;) {
			int rc = raw_line(s);
			if (rc < 0)
				return -1;
			if (rc == 0) {
				s->lineno = start_line;  /* name the data command */
				s->pos = start_pos;      /* same, if mapped */
				return fi_fail(s, "EOF in data (terminator '%s' not found)",
					       (char *)s->delim.data);
			}
			if (s->linelen == s->delim.len &&
			    !memcmp(s->line, s->delim.data, s->linelen))
				break;
			if (vcs_str_add(dst, s->line, s->linelen) < 0 ||
			    vcs_str_add(dst, "\n", 1) < 0)
				return fi_fail(s, "out of memory");
		}
		*p = (const char *)dst->data + start;
		*len = dst->len - start;
	} else {
		uint64_t n = 0;
		const char *q = v;
		if (*q < '0' || *q > '9')
			return fi_fail(s, "Expected 'data n' command, found: %s", s->line);
		for (; *q >= '0' && *q <= '9'; q++) {
			if (n > (UINT64_MAX - 9) / 10)
				return fi_fail(s, "data is too large: %s", s->line);
			n = n * 10 + (uint64_t)(*q - '0');
		}
		if (*q)
			return fi_fail(s, "Expected 'data n' command, found: %s", s->line);
		if (n > (uint64_t)SIZE_MAX / 2)
			return fi_fail(s, "data is too large to use in this context");
		/* The line pointer dies here; n+1 also brings the optional LF. */
		if (fill(s, (size_t)n + 1) < 0)
			return -1;
		if (s->end - s->pos < n)
			return fi_fail(s, "EOF in data (%llu bytes remaining)",
				       (unsigned long long)(n - (s->end - s->pos)));
		const char *d = s->buf + s->pos;
		s->pos += (size_t)n;
		if (!s->mapped)
			s->lineno += count_lf(d, (size_t)n);
		if (copy) {
			size_t start = copy->len;
			if (vcs_str_add(copy, d, (size_t)n) < 0)
				return fi_fail(s, "out of memory");
			d = (const char *)copy->data + start;
		}
		*p = d;
		*len = (size_t)n;
	}
	/* skip_optional_lf: the byte is already buffered (fill n + 1). */
	if (s->pos < s->end && s->buf[s->pos] == '\n') {
		s->pos++;
		s->lineno++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Idents and dates                                                    */
/* ------------------------------------------------------------------ */

/** valid_raw_date -- git's validate_raw_date: "<digits> <+|-><digits>",
 *  with strict, a tz number of at most 1400. 1 if valid. */
static int
valid_raw_date(const char *p, int strict)
{
	const char *q = p;
	unsigned long long tz = 0;

	while (*q >= '0' && *q <= '9')
		q++;
	if (q == p || *q != ' ')
		return 0;
	q++;
	if (*q != '+' && *q != '-')
		return 0;
	p = ++q;
	while (*q >= '0' && *q <= '9') {
		if (tz < 100000000ULL)
			tz = tz * 10 + (unsigned)(*q - '0');
		q++;
	}
	if (q == p || *q)
		return 0;
	return !strict || tz <= 1400;
}

/** parse_rfc2822 -- "[Day, ]DD Mon YYYY HH:MM[:SS] +zzzz" to raw form:
 *  0, -1 if malformed, PMDB_ENOMEM. */
static int
parse_rfc2822(const char *p, vcs_str *out)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int d, y, hh, mm, ss = 0, n = 0, m;
	char ms[4], sign;
	unsigned tz;
	const char *c = strchr(p, ',');

	if (c)
		p = c + 1;
	if (sscanf(p, " %d %3s %d %d:%d%n", &d, ms, &y, &hh, &mm, &n) != 5)
		return -1;
	p += n;
	if (*p == ':' && sscanf(p, ":%d%n", &ss, &n) == 1)
		p += n;
	if (sscanf(p, " %c%4u%n", &sign, &tz, &n) != 2 ||
	    (sign != '+' && sign != '-') || p[n])
		return -1;
	const char *f = strstr(mon, ms);
	if (!f || strlen(ms) != 3 || (f - mon) % 3)
		return -1;
	m = (int)(f - mon) / 3;
	/* days from civil (Howard Hinnant's algorithm) */
	int yy = y - (m < 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 1 ? -2 : 10)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long days = era * 146097 + doe - 719468;
	long long t = (long long)days * 86400 + hh * 3600 + mm * 60 + ss;
	long off = (long)(tz / 100) * 3600 + (long)(tz % 100) * 60;
	t += sign == '+' ? -off : off;
	if (t < 0)
		return -1;
	return vcs_str_addf(out, "%lld %c%04u", t, sign, tz);
}

/**
 * fi_parse_ident -- git's parse_ident: keep "Name <email> " verbatim
 * (with the odd leading space git adds when the name is empty) and the
 * date as the --date-format wants. *out is malloc'd.
 */
int
fi_parse_ident(fi_state *s, const char *v, char **out)
{
	const char *buf = v, *lt;
	int rc;

	vcs_str_reset(&s->tmp);
	if (*buf == '<' && buf > s->line && buf[-1] == ' ')
		buf--;
	lt = buf + strcspn(buf, "<>");
	if (*lt != '<')
		return fi_fail(s, "Missing < in ident string: %s", buf);
	if (lt != buf && lt[-1] != ' ')
		return fi_fail(s, "Missing space before < in ident string: %s", buf);
	lt = lt + 1 + strcspn(lt + 1, "<>");
	if (*lt != '>')
		return fi_fail(s, "Missing > in ident string: %s", buf);
	lt++;
	if (*lt != ' ')
		return fi_fail(s, "Missing space after > in ident string: %s", buf);
	lt++;
	if (vcs_str_add(&s->tmp, buf, (size_t)(lt - buf)) < 0)
		return fi_fail(s, "out of memory");
	switch (s->date_format) {
	case FI_DATE_RAW:
	case FI_DATE_RAW_PERMISSIVE:
		if (!valid_raw_date(lt, s->date_format == FI_DATE_RAW))
			return fi_fail(s, "Invalid raw date \"%s\" in ident: %s", lt, buf);
		if (vcs_str_adds(&s->tmp, lt) < 0)
			return fi_fail(s, "out of memory");
		break;
	case FI_DATE_RFC2822:
		rc = parse_rfc2822(lt, &s->tmp);
		if (rc == PMDB_ENOMEM)
			return fi_fail(s, "out of memory");
		if (rc < 0)
			return fi_fail(s, "Invalid rfc2822 date \"%s\" in ident: %s",
				       lt, buf);
		break;
	default:
		if (strcmp(lt, "now"))
			return fi_fail(s, "Date in ident must be 'now': %s", buf);
		if (vcs_str_addf(&s->tmp, "%lld +0000", (long long)time(NULL)) < 0)
			return fi_fail(s, "out of memory");
		break;
	}
	free(*out);
	*out = strdup((char *)s->tmp.data);
	return *out ? 0 : fi_fail(s, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Marks, ids, paths                                                   */
/* ------------------------------------------------------------------ */

/** fi_parse_mark_num -- ":<digits>" at *p; eol: nothing may follow, else
 *  one space must follow (and is skipped). */
int
fi_parse_mark_num(fi_state *s, const char **p, int eol, uint64_t *out)
{
	const char *q = *p + 1;
	uint64_t n = 0;

	if (!(*q >= '0' && *q <= '9'))
		return fi_fail(s, "No value after ':' in mark: %s", s->line);
	for (; *q >= '0' && *q <= '9'; q++) {
		if (n > (UINT64_MAX - 9) / 10)
			return fi_fail(s, "mark number too large: %s", s->line);
		n = n * 10 + (uint64_t)(*q - '0');
	}
	if (eol && *q)
		return fi_fail(s, "Garbage after mark: %s", s->line);
	if (!eol) {
		if (*q != ' ')
			return fi_fail(s, "Missing space after mark: %s", s->line);
		q++;
	}
	*p = q;
	*out = n;
	return 0;
}

/** fi_parse_hex -- a full id of the repository's format at *p (not
 *  followed by another hex digit); advances *p. -1 without message. */
int
fi_parse_hex(fi_state *s, const char **p, pmdb_oid *out)
{
	size_t i;

	for (i = 0; i < s->hexlen; i++) {
		char c = (*p)[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return -1;
	}
	if (pmdb_oid_parse(out, *p, s->hexlen, s->repo->algo) < 0)
		return -1;
	*p += s->hexlen;
	return 0;
}

/** fi_path -- a path at *p: C-quoted, or up to a space (to_space) or the
 *  end of the line. Appends to out (reset first); advances *p. */
int
fi_path(fi_state *s, const char **p, vcs_str *out, int to_space)
{
	const char *end = s->line + s->linelen;

	vcs_str_reset(out);
	if (**p == '"') {
		const char *q = *p;
		if (vcs_unquote(out, &q, end) == 0) {
			*p = q;
			return 0;
		}
		vcs_str_reset(out);   /* git takes a bad quote literally */
	}
	const char *e = to_space ? strchr(*p, ' ') : NULL;
	if (!e)
		e = end;
	if (vcs_str_add(out, *p, (size_t)(e - *p)) < 0)
		return fi_fail(s, "out of memory");
	if (!out->data && vcs_str_add(out, "", 0) < 0)
		return fi_fail(s, "out of memory");
	*p = e;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/** now_ns -- monotonic clock in ns (coarse: cheap enough per object). */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/** fi_progress -- refresh the terminal meter (4 times a second). */
void
fi_progress(fi_state *s, int final)
{
	if (!s->o->show_progress || s->o->quiet || s->quiet)
		return;
	uint64_t t = now_ns();
	if (!s->start_ns)
		s->start_ns = t;
	if (!final && t < s->next_progress_ns)
		return;
	s->next_progress_ns = t + 250000000ull;
	double secs = (double)(t - s->start_ns) / 1e9;
	double mb = (double)fi_bytes_read(s) / 1e6;
	uint64_t objs = s->nobj[1] + s->nobj[2] + s->nobj[3] + s->nobj[4];
	fprintf(s->o->err, "\rImporting: %llu objects, %llu commits, %llu trees, "
		"%llu blobs, %llu tags, %.1f MB, %.1f MB/s%s",
		(unsigned long long)objs, (unsigned long long)s->nobj[PMDB_OBJ_COMMIT],
		(unsigned long long)s->nobj[PMDB_OBJ_TREE],
		(unsigned long long)s->nobj[PMDB_OBJ_BLOB],
		(unsigned long long)s->nobj[PMDB_OBJ_TAG],
		mb, secs > 0 ? mb / secs : 0.0, final ? ", done.\n" : "");
	fflush(s->o->err);
}

/** fi_bytes_read -- stream bytes read so far: a mapped stream is there
 *  whole from the start, so there it is the parser's offset. */
uint64_t
fi_bytes_read(const fi_state *s)
{
	return s->mapped ? (uint64_t)s->pos : s->bytes_in;
}

/** fi_catblob_write -- write to the cat-blob stream (flushed by caller). */
int
fi_catblob_write(fi_state *s, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, s->o->cat_blob) != n)
		return fi_fail(s, "write error on cat-blob stream: %s", strerror(errno));
	return 0;
}
