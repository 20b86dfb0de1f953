/*
 * str.c -- growable byte strings (vcs_str is a pmdb_buf, so libpmdb can
 * fill one directly).
 *
 * Invariant: when data != NULL, data[len] == '\0' and len < cap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcs.h"

/* vcs_str_grow -- make room for extra more bytes plus the NUL */
int
vcs_str_grow(vcs_str *s, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - s->len - 1)
		return vcs_seterr(PMDB_ENOMEM, "string too large");
	need = s->len + extra + 1;
	if (s->data && need <= s->cap)
		return 0;
	cap = s->cap < 64 ? 64 : s->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(s->data, cap);
	if (!p)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!s->data)
		p[0] = '\0';
	s->data = p;
	s->cap = cap;
	return 0;
}

/* vcs_str_add -- append n bytes */
int
vcs_str_add(vcs_str *s, const void *p, size_t n)
{
	int err = vcs_str_grow(s, n);

	if (err)
		return err;
	if (n)
		memcpy(s->data + s->len, p, n);
	s->len += n;
	s->data[s->len] = '\0';
	return 0;
}

/* vcs_str_adds -- append a C string */
int
vcs_str_adds(vcs_str *s, const char *cstr)
{
	return vcs_str_add(s, cstr, strlen(cstr));
}

/* vcs_str_addf -- append printf-formatted text */
int
vcs_str_addf(vcs_str *s, const char *fmt, ...)
{
	va_list ap;
	int n, err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return vcs_seterr(PMDB_EINVAL, "bad format string");
	if ((err = vcs_str_grow(s, (size_t)n)))
		return err;
	va_start(ap, fmt);
	vsnprintf((char *)s->data + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
	return 0;
}

/* vcs_str_reset -- empty the string, keeping its memory */
void
vcs_str_reset(vcs_str *s)
{
	s->len = 0;
	if (s->data)
		s->data[0] = '\0';
}
