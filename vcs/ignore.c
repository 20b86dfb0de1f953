/*
 * ignore.c -- ignore rules with gitignore's syntax and semantics (which
 * files hold them: ignore_files.c).
 *
 * Per file: blank lines and "#" comments are skipped ("\#" is a literal
 * '#'); trailing spaces are dropped unless escaped; "!" negates ("\!" is a
 * literal '!'); a trailing "/" matches directories only; a pattern with a
 * '/' at the start or in the middle is matched against the path relative
 * to the ignore file's directory (leading '/' dropped), any other pattern
 * against the basename at any depth. Matching is git's wildmatch with
 * WM_PATHNAME ("**" spans directories). Among all patterns, the last one
 * that matches decides, deeper files winning over shallower ones. As in
 * git, a file inside an ignored directory cannot be re-included: the
 * scanner never enters ignored directories.
 */
#define _GNU_SOURCE /* memrchr, nftw */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "worktree.h"

#define PAT_NEGATE 0x1u
#define PAT_DIRONLY 0x2u
#define PAT_ANCHORED 0x4u

typedef struct pattern {
	char *text;            /**< NUL-terminated, escapes kept */
	unsigned flags;
	unsigned line;         /**< 1-based line in its file */
	char *shown;           /**< the line as git's check-ignore -v shows it */
} pattern;

typedef struct pattern_file {
	char *base;            /**< directory of the file, "" for the root */
	size_t baselen;
	char *src;             /**< its name for check-ignore -v, or NULL */
	pattern *pats;
	size_t n;
} pattern_file;

struct vcs_ignore {
	pattern_file *files;
	size_t n, cap;
	size_t nborrowed;      /**< files[0..nborrowed) are a parent's */
};

enum { WM_NOMATCH = 1, WM_MATCH = 0, WM_ABORT_ALL = -1,
       WM_ABORT_TO_STARSTAR = -2 };

static int dowild(const unsigned char *pstart, const unsigned char *p,
		  const unsigned char *text, int pathname);

/** vcs_ignore_new -- an empty rule set. */
int
vcs_ignore_new(vcs_ignore **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** file_clear -- free one file's patterns. */
static void
file_clear(pattern_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->pats[i].text);
		free(f->pats[i].shown);
	}
	free(f->pats);
	free(f->base);
	free(f->src);
}

/** vcs_ignore_free -- free the set. NULL-safe. */
void
vcs_ignore_free(vcs_ignore *ign)
{
	if (!ign)
		return;
	for (size_t i = ign->nborrowed; i < ign->n; i++)
		file_clear(&ign->files[i]);
	free(ign->files);
	free(ign);
}

/** parse_line -- turn one line into a pattern; 0 if the line has none. */
static int
parse_line(const char *s, size_t len, pattern *out)
{
	unsigned flags = 0;

	if (len && s[len - 1] == '\r')
		len--;
	/* trailing spaces go unless escaped by a backslash */
	while (len && s[len - 1] == ' ') {
		size_t bs = 0;
		while (bs + 1 < len && s[len - 2 - bs] == '\\')
			bs++;
		if (bs % 2)
			break;
		len--;
	}
	if (!len || s[0] == '#')
		return 0;
	if (!(out->shown = strndup(s, len)))
		return -1;
	if (s[0] == '!') {
		flags |= PAT_NEGATE;
		s++;
		len--;
	}
	if (len && s[len - 1] == '/') {
		flags |= PAT_DIRONLY;
		len--;
	}
	if (!len)
		goto none;
	if (memchr(s, '/', len))
		flags |= PAT_ANCHORED;
	if (s[0] == '/') {
		s++;
		len--;
		if (!len)
			goto none;
	}
	out->text = strndup(s, len);
	out->flags = flags;
	if (out->text)
		return 1;
	free(out->shown);
	return -1;
none:
	free(out->shown);
	out->shown = NULL;
	return 0;
}

/** vcs_ignore_push -- add the patterns of one ignore file. */
int
vcs_ignore_push(vcs_ignore *ign, const char *base, const char *text,
		size_t len)
{
	return vcs_ignore_push_src(ign, base, text, len, NULL);
}

/** vcs_ignore_push_src -- the same, naming the file for check-ignore. */
int
vcs_ignore_push_src(vcs_ignore *ign, const char *base, const char *text,
		    size_t len, const char *src)
{
	pattern_file f = { 0 };
	size_t cap = 0;
	unsigned line = 0;
	const char *p = text, *end = text + len;

	if (VCS_ARRAY_GROW(ign->files, ign->cap, ign->n + 1, 8))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	f.base = strdup(base);
	f.src = src ? strdup(src) : NULL;
	if (!f.base || (src && !f.src)) {
		free(f.base);
		free(f.src);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	f.baselen = strlen(base);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		pattern pat;
		int r;

		if (VCS_ARRAY_GROW(f.pats, cap, f.n + 1, 8))
			goto nomem;
		line++;
		r = parse_line(p, ll, &pat);
		if (r < 0)
			goto nomem;
		pat.line = line;
		if (r)
			f.pats[f.n++] = pat;
		p += ll + (nl ? 1 : 0);
	}
	ign->files[ign->n++] = f;
	return 0;
nomem:
	file_clear(&f);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** vcs_ignore_pop -- drop the last file pushed. */
void
vcs_ignore_pop(vcs_ignore *ign)
{
	if (ign->n > ign->nborrowed)
		file_clear(&ign->files[--ign->n]);
}

/** vcs_ignore_child -- a set starting with parent's files, borrowed. */
int
vcs_ignore_child(const vcs_ignore *parent, vcs_ignore **out)
{
	vcs_ignore *c = calloc(1, sizeof(*c));
	size_t cap = parent->n + 1;

	if (c)
		c->files = malloc(cap * sizeof(*c->files));
	if (!c || !c->files) {
		free(c);
		*out = NULL;
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	/* shallow copies: the parent keeps ownership of patterns and base */
	if (parent->n)
		memcpy(c->files, parent->files, parent->n * sizeof(*c->files));
	c->n = c->nborrowed = parent->n;
	c->cap = cap;
	*out = c;
	return 0;
}

/** vcs_ignore_match -- 1 if path is ignored. */
int
vcs_ignore_match(const vcs_ignore *ign, const char *path, size_t len,
		 int is_dir)
{
	return vcs_ignore_match_hit(ign, path, len, is_dir, NULL);
}

/** vcs_ignore_match_hit -- the same, saying which pattern decided. */
int
vcs_ignore_match_hit(const vcs_ignore *ign, const char *path, size_t len,
		     int is_dir, vcs_ignore_hit *hit)
{
	const char *slash, *bname;
	char buf[512], *copy = buf;
	int res = 0, done = 0;

	if (hit)
		memset(hit, 0, sizeof(*hit));
	if (!ign->n)
		return 0; /* the common case: called for every scanned file */
	slash = memrchr(path, '/', len);
	bname = slash ? slash + 1 : path;
	/* wildmatch wants NUL-terminated text: copy, on the stack if short */
	if (len >= sizeof(buf) && !(copy = malloc(len + 1)))
		return 0;
	memcpy(copy, path, len);
	copy[len] = '\0';
	for (size_t i = ign->n; i-- > 0 && !done;) {
		const pattern_file *f = &ign->files[i];
		const char *rel = copy;

		if (f->baselen) {
			if (len <= f->baselen || strncmp(copy, f->base, f->baselen) ||
			    copy[f->baselen] != '/')
				continue;
			rel = copy + f->baselen + 1;
		}
		for (size_t j = f->n; j-- > 0;) {
			const pattern *pt = &f->pats[j];
			int m;

			if ((pt->flags & PAT_DIRONLY) && !is_dir)
				continue;
			if (pt->flags & PAT_ANCHORED)
				m = vcs_wildmatch(pt->text, rel, 1);
			else
				m = vcs_wildmatch(pt->text, copy + (bname - path), 1);
			if (m) {
				res = !(pt->flags & PAT_NEGATE);
				done = 1;
				if (hit) {
					hit->src = f->src;
					hit->line = pt->line;
					hit->pattern = pt->shown;
				}
				break;
			}
		}
	}
	if (copy != buf)
		free(copy);
	return res;
}

/** vcs_wildmatch -- 1 if text matches pattern. */
int
vcs_wildmatch(const char *pat, const char *text, int pathname)
{
	return dowild((const unsigned char *)pat,
		      (const unsigned char *)pat,
		      (const unsigned char *)text, pathname) == WM_MATCH;
}

/** posix_class -- does c belong to [:name:]? -1 for an unknown name. */
static int
posix_class(const unsigned char *name, size_t n, int c)
{
#define CL(s, f) if (n == sizeof(s) - 1 && !memcmp(name, s, n)) return !!f(c)
	CL("alnum", isalnum);
	CL("alpha", isalpha);
	CL("blank", isblank);
	CL("cntrl", iscntrl);
	CL("digit", isdigit);
	CL("graph", isgraph);
	CL("lower", islower);
	CL("print", isprint);
	CL("punct", ispunct);
	CL("space", isspace);
	CL("upper", isupper);
	CL("xdigit", isxdigit);
#undef CL
	return -1;
}

/** match_class -- match t against the class starting at *pp (just past
 *  '['); advances *pp to the closing ']'. WM_* result. */
static int
match_class(const unsigned char **pp, int t)
{
	const unsigned char *p = *pp;
	int negated, matched = 0, prev = 0, c = *p;

	if (c == '^')
		c = '!';
	negated = c == '!';
	if (negated)
		c = *++p;
	do {
		if (!c)
			return WM_ABORT_ALL;
		if (c == '\\') {
			c = *++p;
			if (!c)
				return WM_ABORT_ALL;
			if (t == c)
				matched = 1;
		} else if (c == '-' && prev && p[1] && p[1] != ']') {
			c = *++p;
			if (c == '\\') {
				c = *++p;
				if (!c)
					return WM_ABORT_ALL;
			}
			if (t <= c && t >= prev)
				matched = 1;
			c = 0;
		} else if (c == '[' && p[1] == ':') {
			const unsigned char *s = p + 2, *e = s;
			int r;
			while (*e && *e != ']')
				e++;
			if (!*e)
				return WM_ABORT_ALL;
			if (e - s < 1 || e[-1] != ':') {
				/* not a class: a literal '[' */
				if (t == '[')
					matched = 1;
			} else {
				r = posix_class(s, (size_t)(e - 1 - s), t);
				if (r < 0)
					return WM_ABORT_ALL;
				if (r)
					matched = 1;
				p = e;
				c = 0;
			}
		} else if (t == c) {
			matched = 1;
		}
		prev = c;
		c = *++p;
	} while (c != ']');
	*pp = p;
	if (matched == negated || t == '/')
		return WM_NOMATCH;
	return WM_MATCH;
}

/** dowild -- git's wildmatch core (WM_PATHNAME when pathname). */
static int
dowild(const unsigned char *pstart, const unsigned char *p,
       const unsigned char *text, int pathname)
{
	int pc;

	for (; (pc = *p) != '\0'; text++, p++) {
		int t = *text, match_slash, r;

		if (t == '\0' && pc != '*')
			return WM_ABORT_ALL;
		switch (pc) {
		case '\\':
			pc = *++p;
			/* fall through */
		default:
			if (t != pc)
				return WM_NOMATCH;
			continue;
		case '?':
			if (pathname && t == '/')
				return WM_NOMATCH;
			continue;
		case '[':
			p++;
			r = match_class(&p, t);
			if (r != WM_MATCH)
				return r;
			continue;
		case '*':
			if (*++p == '*') {
				const unsigned char *prev = p - 2;
				while (*++p == '*')
					;
				if (!pathname) {
					match_slash = 1;
				} else if ((prev < pstart || *prev == '/') &&
					   (*p == '\0' || *p == '/' ||
					    (p[0] == '\\' && p[1] == '/'))) {
					if (p[0] == '/' &&
					    dowild(pstart, p + 1, text, pathname) == WM_MATCH)
						return WM_MATCH;
					match_slash = 1;
				} else {
					match_slash = 0;
				}
			} else {
				match_slash = !pathname;
			}
			if (*p == '\0') {
				if (!match_slash && strchr((const char *)text, '/'))
					return WM_NOMATCH;
				return WM_MATCH;
			} else if (!match_slash && *p == '/') {
				const char *sl = strchr((const char *)text, '/');
				if (!sl)
					return WM_NOMATCH;
				text = (const unsigned char *)sl;
				break;
			}
			for (;;) {
				if (t == '\0')
					break;
				r = dowild(pstart, p, text, pathname);
				if (r != WM_NOMATCH) {
					if (!match_slash || r != WM_ABORT_TO_STARSTAR)
						return r;
				} else if (!match_slash && t == '/') {
					return WM_ABORT_TO_STARSTAR;
				}
				t = *++text;
			}
			return WM_ABORT_ALL;
		}
	}
	return *text ? WM_NOMATCH : WM_MATCH;
}
