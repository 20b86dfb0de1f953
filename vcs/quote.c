/*
 * quote.c -- git's C-style path quoting (core.quotePath=true) and its
 * inverse, as fast-import reads quoted paths.
 */
#include <string.h>

#include "vcs.h"

/* need_quote -- 1 if git quotes byte c in a path */
static int
need_quote(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f;
}

/* escape_letter -- git's one-letter escape for c, or 0 for octal */
static char
escape_letter(unsigned char c)
{
	switch (c) {
	case '\a': return 'a';
	case '\b': return 'b';
	case '\t': return 't';
	case '\n': return 'n';
	case '\v': return 'v';
	case '\f': return 'f';
	case '\r': return 'r';
	case '"': return '"';
	case '\\': return '\\';
	default: return 0;
	}
}

/* vcs_quote_path -- append path, C-quoted if git would quote it */
int
vcs_quote_path(vcs_str *out, const char *path, size_t len)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t i, start;
	int err, any = 0;

	for (i = 0; i < len; i++)
		if (need_quote(p[i])) {
			any = 1;
			break;
		}
	if (!any)
		return vcs_str_add(out, path, len);
	if ((err = vcs_str_add(out, "\"", 1)))
		return err;
	for (start = 0, i = 0; i < len; i++) {
		char esc[4];
		char l;

		if (!need_quote(p[i]))
			continue;
		if ((err = vcs_str_add(out, path + start, i - start)))
			return err;
		start = i + 1;
		l = escape_letter(p[i]);
		esc[0] = '\\';
		if (l) {
			esc[1] = l;
			err = vcs_str_add(out, esc, 2);
		} else {
			esc[1] = (char)('0' + ((p[i] >> 6) & 3));
			esc[2] = (char)('0' + ((p[i] >> 3) & 7));
			esc[3] = (char)('0' + (p[i] & 7));
			err = vcs_str_add(out, esc, 4);
		}
		if (err)
			return err;
	}
	if ((err = vcs_str_add(out, path + start, len - start)))
		return err;
	return vcs_str_add(out, "\"", 1);
}

/* vcs_unquote -- parse "..." at *p as git's unquote_c_style does */
int
vcs_unquote(vcs_str *out, const char **pp, const char *end)
{
	const char *p = *pp;
	int err;

	if (p >= end || *p != '"')
		return vcs_seterr(PMDB_EINVAL, "quoted string expected");
	p++;
	for (;;) {
		const char *run = p;
		unsigned char c;

		while (p < end && *p != '"' && *p != '\\')
			p++;
		if ((err = vcs_str_add(out, run, (size_t)(p - run))))
			return err;
		if (p >= end)
			return vcs_seterr(PMDB_EINVAL,
					  "unterminated quoted string");
		if (*p == '"') {
			*pp = p + 1;
			return 0;
		}
		/* backslash */
		if (++p >= end)
			return vcs_seterr(PMDB_EINVAL,
					  "unterminated quoted string");
		switch (*p) {
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'v': c = '\v'; break;
		case '\\': c = '\\'; break;
		case '"': c = '"'; break;
		case '0': case '1': case '2': case '3':
			/* git takes exactly three octal digits, first <= 3 */
			if (end - p < 3 || p[1] < '0' || p[1] > '7' ||
			    p[2] < '0' || p[2] > '7')
				return vcs_seterr(PMDB_EINVAL,
						  "bad octal escape in quoted string");
			c = (unsigned char)(((p[0] - '0') << 6) |
					    ((p[1] - '0') << 3) | (p[2] - '0'));
			p += 2;
			break;
		default:
			return vcs_seterr(PMDB_EINVAL,
					  "bad escape '\\%c' in quoted string",
					  *p);
		}
		p++;
		if ((err = vcs_str_add(out, &c, 1)))
			return err;
	}
}
