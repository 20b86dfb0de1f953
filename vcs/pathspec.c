/*
 * pathspec.c -- git's pathspecs (see pathspec.h).
 *
 * An item is kept normalised from the root ("a/./b/../c" is "a/c"), so
 * that matching is a byte comparison plus, for patterns, wildmatch. The
 * bytes before the first wildcard (nowild) must match literally: that is
 * what lets a tree walk skip directories (vcs_pathspec_dir).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "pathspec.h"
#include "vcs.h"

/* is_wild -- a byte that makes an item a pattern */
static int
is_wild(char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

int
vcs_pathspec_is_pattern(const char *arg)
{
	if (arg[0] == ':' && arg[1] && arg[1] != ':')
		return 1;
	for (; *arg; arg++)
		if (is_wild(*arg))
			return 1;
	return 0;
}

/* wildmatch -- git's wildmatch on NUL-terminated strings: * ? [set] and
 * \ escapes; with pathname, '*' and '?' stop at '/' and "**" between
 * slashes (or at an end) spans directories. 1 on a match. */
static int
wildmatch(const char *p, const char *s, int pathname)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			int dbl = p[1] == '*';

			while (*p == '*')
				p++;
			if (!pathname)
				dbl = 1;
			else if (dbl && *p == '/') {
				/* "**\/" also matches no directory at all */
				if (wildmatch(p + 1, s, pathname))
					return 1;
			}
			if (!*p)
				return dbl || !strchr(s, '/');
			for (; *s; s++) {
				if (wildmatch(p, s, pathname))
					return 1;
				if (!dbl && *s == '/')
					return 0;
			}
			return 0;
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (pathname && *s == '/')
				return 0;
			continue;
		}
		if (*p == '[') {
			const char *q = p + 1;
			int neg = 0, hit = 0;

			if (*q == '!' || *q == '^') {
				neg = 1;
				q++;
			}
			do {
				char lo = *q, hi;

				if (!lo)
					return 0;       /* unterminated: no match */
				if (lo == '\\' && q[1])
					lo = *++q;
				hi = lo;
				if (q[1] == '-' && q[2] && q[2] != ']') {
					hi = q[2] == '\\' && q[3] ? q[3] : q[2];
					q += q[2] == '\\' ? 3 : 2;
				}
				if ((unsigned char)*s >= (unsigned char)lo &&
				    (unsigned char)*s <= (unsigned char)hi)
					hit = 1;
				q++;
			} while (*q != ']');
			if (hit == neg || (pathname && *s == '/'))
				return 0;
			p = q;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		if (*p != *s)
			return 0;
	}
	return !*s;
}

/* magic -- read a leading ":(...)" or short magic; returns where the
 * path starts, or NULL for unknown magic */
static const char *
magic(const char *arg, unsigned *m, int *top)
{
	if (arg[0] != ':')
		return arg;
	if (arg[1] == '(') {
		const char *p = arg + 2;

		for (;;) {
			size_t n = strcspn(p, ",)");

			if (n == 4 && !strncmp(p, "glob", 4))
				*m |= VCS_PS_GLOB;
			else if (n == 7 && !strncmp(p, "literal", 7))
				*m |= VCS_PS_LITERAL;
			else if (n == 3 && !strncmp(p, "top", 3))
				*top = 1;
			else if (n == 7 && !strncmp(p, "exclude", 7))
				*m |= VCS_PS_EXCLUDE;
			else if (n)
				return NULL;
			p += n;
			if (*p == ')')
				return p + 1;
			if (!*p)
				return NULL;
			p++;
		}
	}
	for (arg++; *arg == '/' || *arg == '!' || *arg == '^'; arg++) {
		if (*arg == '/')
			*top = 1;
		else
			*m |= VCS_PS_EXCLUDE;
	}
	if (*arg == ':')
		arg++;
	return arg;
}

int
vcs_pathspec_add(vcs_pathspec *ps, const char *prefix, const char *arg)
{
	unsigned m = 0;
	int top = 0;
	const char *path = magic(arg, &m, &top);
	vcs_str s = VCS_STR_INIT;
	vcs_pathspec_item *it;
	int trail;

	if (!path)
		return vcs_seterr(PMDB_EINVAL, "Invalid pathspec magic '%s' in "
				  "'%s'", arg + 1, arg);
	trail = *path && path[strlen(path) - 1] == '/';
	if (vcs_str_grow(&s, 1) || (!top && vcs_str_adds(&s, prefix)) ||
	    vcs_str_adds(&s, path))
		goto oom;
	/* normalise: drop "." and empty parts, fold ".."; the writer
	 * never passes the reader, but a part's '/' may land on the NUL
	 * the reader still needs, so each part is measured first */
	{
		char *r = (char *)s.data, *w = r, *base = r, *end = r + s.len;

		while (r < end) {
			char *e = memchr(r, '/', (size_t)(end - r));
			size_t n = e ? (size_t)(e - r) : (size_t)(end - r);

			if (n == 2 && r[0] == '.' && r[1] == '.') {
				if (w == base) {
					vcs_str_free(&s);
					return vcs_seterr(PMDB_EINVAL, "%s: '%s' is "
							  "outside repository", arg, arg);
				}
				for (w--; w > base && w[-1] != '/'; w--)
					;
			} else if (n && !(n == 1 && r[0] == '.')) {
				memmove(w, r, n);
				w += n;
				if (w < end)
					*w++ = '/';
			}
			r += e ? n + 1 : n;
		}
		if (w > base && w[-1] == '/' && !trail)
			w--;            /* the last part's '/' */
		if (w > base && w[-1] != '/' && trail)
			*w++ = '/';     /* room: the input ended in one */
		*w = '\0';
		s.len = (size_t)(w - base);
	}
	if (VCS_ARRAY_GROW(ps->items, ps->cap, ps->n + 1, 4))
		goto oom;
	it = &ps->items[ps->n];
	it->match = (char *)s.data;
	it->len = s.len;
	it->magic = m;
	it->nowild = 0;
	while (it->nowild < it->len && ((m & VCS_PS_LITERAL) ||
					!is_wild(it->match[it->nowild])))
		it->nowild++;
	ps->n++;
	if (!(m & VCS_PS_EXCLUDE))
		ps->npositive++;
	return 0;
oom:
	vcs_str_free(&s);
	return vcs_seterr(PMDB_ENOMEM, "pathspec: out of memory");
}

/* item_match -- one item against a file path */
static int
item_match(const vcs_pathspec_item *it, const char *path, size_t len)
{
	if (!it->len)
		return 1;
	if (it->nowild == it->len) {
		if (len < it->len || memcmp(path, it->match, it->len))
			return 0;
		return len == it->len || it->match[it->len - 1] == '/' ||
		       path[it->len] == '/';
	}
	if (len < it->nowild || memcmp(path, it->match, it->nowild))
		return 0;
	return wildmatch(it->match, path, (it->magic & VCS_PS_GLOB) != 0);
}

int
vcs_pathspec_match(const vcs_pathspec *ps, const char *path, size_t len)
{
	int hit = !ps->npositive;

	for (size_t i = 0; i < ps->n && !hit; i++)
		if (!(ps->items[i].magic & VCS_PS_EXCLUDE))
			hit = item_match(&ps->items[i], path, len);
	for (size_t i = 0; i < ps->n && hit; i++)
		if (ps->items[i].magic & VCS_PS_EXCLUDE)
			hit = !item_match(&ps->items[i], path, len);
	return hit;
}

int
vcs_pathspec_dir(const vcs_pathspec *ps, const char *dir, size_t len)
{
	if (!ps->npositive)
		return 1;
	for (size_t i = 0; i < ps->n; i++) {
		const vcs_pathspec_item *it = &ps->items[i];
		size_t k = it->nowild < len ? it->nowild : len;

		if (it->magic & VCS_PS_EXCLUDE)
			continue;
		if (!it->len)
			return 1;
		/* the item's literal part agrees with "dir/" as far as both go */
		if (memcmp(it->match, dir, k))
			continue;
		if (it->nowild > len && it->match[len] != '/')
			continue;
		if (it->nowild == it->len && it->len < len &&
		    it->match[it->len - 1] != '/' && dir[it->len] != '/')
			continue;
		return 1;
	}
	return 0;
}

void
vcs_pathspec_free(vcs_pathspec *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		free(ps->items[i].match);
	free(ps->items);
	ps->items = NULL;
	ps->n = ps->cap = ps->npositive = 0;
}
