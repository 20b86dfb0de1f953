/*
 * convert.c -- end-of-line conversion between the working tree and
 * blobs, with the rules of git's convert.c (gitattributes(5), "text",
 * "eol", core.autocrlf), so that ids and checked-out bytes are git's.
 *
 * In (clean): a text file has each CR LF pair made LF; nothing else
 * changes, and a file without a CR LF pair is left alone. text=auto
 * (and autocrlf) first asks whether the file looks like text: not when
 * it holds a NUL byte, a CR not followed by LF, or more than one
 * non-printable byte per 128 printable ones (BS, TAB, ESC and FF count
 * as printable, DEL and the other control bytes do not; a final ^Z is
 * not counted, for DOS editors).
 *
 * Out (smudge): with CRLF output each LF without a CR before it gets
 * one; text=auto leaves a blob alone if it already holds any CR or does
 * not look like text.
 */
#include <string.h>

#include "attr.h"

/** What a buffer holds, counted once. */
typedef struct text_stat {
	size_t nul, lonecr, lonelf, crlf;
	size_t printable, nonprintable;
} text_stat;

/** count -- the statistics of p[0..n) */
static void
count(const unsigned char *p, size_t n, text_stat *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '\r') {
			if (i + 1 < n && p[i + 1] == '\n') {
				s->crlf++;
				i++;
			} else {
				s->lonecr++;
			}
		} else if (c == '\n') {
			s->lonelf++;
		} else if (c == 127) {
			s->nonprintable++;
		} else if (c >= 32 || c == '\b' || c == '\t' || c == 033 ||
			   c == '\f') {
			s->printable++;
		} else {
			s->nul += c == 0;
			s->nonprintable++;
		}
	}
	if (n && p[n - 1] == 032)   /* ^Z at the end: a DOS end of file */
		s->nonprintable--;
}

/** looks_binary -- text=auto's test */
static int
looks_binary(const text_stat *s)
{
	return s->lonecr || s->nul || (s->printable >> 7) < s->nonprintable;
}

static int
is_auto(enum vcs_conv c)
{
	return c == VCS_CONV_AUTO_LF || c == VCS_CONV_AUTO_CRLF;
}

/** vcs_convert_clean -- CR LF -> LF where git makes it */
void
vcs_convert_clean(enum vcs_conv conv, vcs_str *buf)
{
	unsigned char *p = buf->data, *o;
	text_stat s;
	size_t n = buf->len;

	if (conv == VCS_CONV_NONE || !n)
		return;
	count(p, n, &s);
	if (!s.crlf || (is_auto(conv) && looks_binary(&s)))
		return;
	o = p;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		*o++ = p[i];
	}
	buf->len = (size_t)(o - p);
}

/** vcs_convert_smudge -- LF -> CR LF where git makes it */
int
vcs_convert_smudge(enum vcs_conv conv, vcs_str *buf)
{
	vcs_str out = VCS_STR_INIT;
	const unsigned char *p = buf->data;
	size_t n = buf->len, start = 0;
	text_stat s;

	if (conv != VCS_CONV_TEXT_CRLF && conv != VCS_CONV_AUTO_CRLF)
		return 0;
	count(p, n, &s);
	if (!s.lonelf)
		return 0;
	if (is_auto(conv) && (s.lonecr || s.crlf || looks_binary(&s)))
		return 0;
	if (vcs_str_grow(&out, n + s.lonelf + 1))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n' || (i && p[i - 1] == '\r'))
			continue;
		vcs_str_add(&out, p + start, i - start);
		vcs_str_add(&out, "\r\n", 2);
		start = i + 1;
	}
	vcs_str_add(&out, p + start, n - start);  /* room reserved above */
	vcs_str_free(buf);
	*buf = out;
	return 0;
}
