/*
 * attr.c -- git attribute lines and their matching, for text, eol and
 * the built-in macro binary (which files: attr_files.c; the rules:
 * attr.h and gitattributes(5)).
 *
 * A line is "pattern attr...": an attribute is set ("text"), unset
 * ("-text"), unspecified again ("!text") or given a value ("eol=lf").
 * For each attribute the highest-precedence matching line decides:
 * info/attributes first, then the deepest .gitattributes up to the
 * root's, then the user's file; within a file, later lines first; within
 * a line, later assignments first. "binary" set expands to -diff -merge
 * -text when it decides (git's macroexpand_one), so "binary text" leaves
 * text set and "text binary" leaves it unset, as in git.
 */
#define _GNU_SOURCE /* memrchr */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "attr.h"
#include "worktree.h"

enum { A_TEXT, A_EOL, A_BINARY };
/* values; 0 is "not decided yet" */
enum { V_SET = 1, V_UNSET, V_UNSPEC, V_AUTO, V_INPUT, V_LF, V_CRLF, V_OTHER };

typedef struct assign {
	uint8_t attr, val;
} assign;

typedef struct attr_line {
	char *pat;             /**< NUL-terminated, leading '/' dropped */
	int anchored;          /**< held a '/': matched against the path */
	assign *a;
	size_t na;
} attr_line;

typedef struct attr_file {
	char *base;            /**< its directory, "" for the root */
	size_t baselen;
	attr_line *lines;
	size_t n;
} attr_file;

struct vcs_attr {
	const attr_file *user, *info;   /**< lowest and highest */
	const attr_file **dirs;         /**< shallow to deep */
	size_t ndirs, dircap;
	attr_file **own;                /**< the files this set frees */
	size_t nown, owncap;
};

/** file_free -- one file's lines. */
static void
file_free(attr_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->lines[i].pat);
		free(f->lines[i].a);
	}
	free(f->lines);
	free(f->base);
	free(f);
}

/** vcs_attr_new -- an empty set. */
int
vcs_attr_new(vcs_attr **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** vcs_attr_free -- the set and the files it owns. */
void
vcs_attr_free(vcs_attr *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nown; i++)
		file_free(a->own[i]);
	free(a->own);
	free(a->dirs);
	free(a);
}

/** vcs_attr_child -- parent's files, borrowed. */
int
vcs_attr_child(const vcs_attr *parent, vcs_attr **out)
{
	int rc = vcs_attr_new(out);

	if (rc || !parent)
		return rc;
	(*out)->user = parent->user;
	(*out)->info = parent->info;
	if (parent->ndirs &&
	    VCS_ARRAY_GROW((*out)->dirs, (*out)->dircap, parent->ndirs, 8)) {
		vcs_attr_free(*out);
		*out = NULL;
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < parent->ndirs; i++)
		(*out)->dirs[i] = parent->dirs[i];
	(*out)->ndirs = parent->ndirs;
	return 0;
}

/** is_blank -- git's attribute-line separators */
static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/** parse_assign -- one "attr", "-attr", "!attr" or "attr=value" token;
 *  0 with *keep 0 for an attribute eol conversion does not read */
static void
parse_assign(const char *s, size_t len, assign *out, int *keep)
{
	const char *eq = memchr(s, '=', len);
	size_t nl = eq ? (size_t)(eq - s) : len;
	uint8_t val = V_SET;

	*keep = 0;
	if (!eq && (s[0] == '-' || s[0] == '!')) {
		val = s[0] == '-' ? V_UNSET : V_UNSPEC;
		s++;
		nl--;
	}
	if (eq) {
		size_t vl = len - nl - 1;
		const char *v = eq + 1;

		val = vl == 4 && !memcmp(v, "auto", 4) ? V_AUTO :
			vl == 5 && !memcmp(v, "input", 5) ? V_INPUT :
			vl == 2 && !memcmp(v, "lf", 2) ? V_LF :
			vl == 4 && !memcmp(v, "crlf", 4) ? V_CRLF : V_OTHER;
	}
	if (nl == 4 && !memcmp(s, "text", 4))
		out->attr = A_TEXT;
	else if (nl == 3 && !memcmp(s, "eol", 3))
		out->attr = A_EOL;
	else if (nl == 6 && !memcmp(s, "binary", 6))
		out->attr = A_BINARY;
	else
		return;
	out->val = val;
	*keep = 1;
}

/** parse_line -- one line into l; 0 if it has nothing for us, 1 if it
 *  does, -1 out of memory */
static int
parse_line(const char *s, size_t len, attr_line *l)
{
	const char *end = s + len, *p;
	size_t cap = 0, pl;

	memset(l, 0, sizeof(*l));
	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s == '#')
		return 0;
	/* git warns and skips a negative pattern; a quoted one, a macro
	 * definition: skipped here (attr.h) */
	if (*s == '!' || *s == '"' || (end - s >= 6 && !memcmp(s, "[attr]", 6)))
		return 0;
	for (p = s; p < end && !is_blank(*p); p++)
		;
	pl = (size_t)(p - s);
	if (pl && s[pl - 1] == '/')
		return 0; /* directories only: no file matches it */
	l->anchored = memchr(s, '/', pl) != NULL;
	if (*s == '/') {
		s++;
		pl--;
	}
	if (!pl || !(l->pat = strndup(s, pl)))
		return pl ? -1 : 0;
	while (p < end) {
		const char *t;
		assign a;
		int keep;

		while (p < end && is_blank(*p))
			p++;
		for (t = p; t < end && !is_blank(*t); t++)
			;
		if (t == p)
			break;
		parse_assign(p, (size_t)(t - p), &a, &keep);
		p = t;
		if (!keep)
			continue;
		if (VCS_ARRAY_GROW(l->a, cap, l->na + 1, 4))
			return -1;
		l->a[l->na++] = a;
	}
	if (l->na)
		return 1;
	free(l->pat);
	return 0;
}

/** vcs_attr_push -- add one file's lines. */
int
vcs_attr_push(vcs_attr *a, enum vcs_attr_level level, const char *base,
	      const char *text, size_t len)
{
	attr_file *f = calloc(1, sizeof(*f));
	const char *p = text, *end = text + len;
	size_t cap = 0;

	if (!f || !(f->base = strdup(base)))
		goto nomem;
	f->baselen = strlen(base);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		attr_line l;
		int r;

		if (VCS_ARRAY_GROW(f->lines, cap, f->n + 1, 8))
			goto nomem;
		r = parse_line(p, ll, &l);
		if (r < 0) {
			free(l.pat);
			free(l.a);
			goto nomem;
		}
		if (r)
			f->lines[f->n++] = l;
		p += ll + (nl ? 1 : 0);
	}
	if (!f->n) {
		file_free(f);
		return 0;
	}
	if (VCS_ARRAY_GROW(a->own, a->owncap, a->nown + 1, 4))
		goto nomem;
	if (level == VCS_ATTR_DIR &&
	    VCS_ARRAY_GROW(a->dirs, a->dircap, a->ndirs + 1, 8))
		goto nomem;
	a->own[a->nown++] = f;
	if (level == VCS_ATTR_USER)
		a->user = f;
	else if (level == VCS_ATTR_INFO)
		a->info = f;
	else
		a->dirs[a->ndirs++] = f;
	return 0;
nomem:
	file_free(f);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** vcs_attr_empty -- no lines anywhere */
int
vcs_attr_empty(const vcs_attr *a)
{
	return !a || (!a->user && !a->info && !a->ndirs);
}

typedef struct decided {
	uint8_t text, eol, binary;
} decided;

/** file_decide -- apply f's lines matching path, last line first */
static void
file_decide(const attr_file *f, const char *path, size_t len, decided *d)
{
	const char *rel = path, *bname = memrchr(path, '/', len);

	/* only the files of the path's own directories apply */
	if (f->baselen) {
		if (len <= f->baselen || memcmp(path, f->base, f->baselen) ||
		    path[f->baselen] != '/')
			return;
		rel = path + f->baselen + 1;
	}
	bname = bname ? bname + 1 : path;
	for (size_t i = f->n; i-- > 0 && !(d->text && d->eol);) {
		const attr_line *l = &f->lines[i];

		if (!vcs_wildmatch(l->pat, l->anchored ? rel : bname, 1))
			continue;
		for (size_t k = l->na; k-- > 0;) {
			const assign *s = &l->a[k];

			if (s->attr == A_TEXT && !d->text) {
				d->text = s->val;
			} else if (s->attr == A_EOL && !d->eol) {
				d->eol = s->val;
			} else if (s->attr == A_BINARY && !d->binary) {
				d->binary = s->val;
				if (s->val == V_SET && !d->text)
					d->text = V_UNSET;  /* -text */
			}
		}
	}
}

/** text_eol_is_crlf -- git's: what "text" writes without eol= */
static int
text_eol_is_crlf(const vcs_eol_cfg *cfg)
{
	if (cfg->autocrlf)
		return cfg->autocrlf == 1;
	return cfg->eol == 2;
}

/** vcs_attr_conv -- git's convert_attrs() reduced to the line ends */
enum vcs_conv
vcs_attr_conv(const vcs_attr *a, const char *path, size_t len,
	      const vcs_eol_cfg *cfg)
{
	decided d = { 0, 0, 0 };
	enum vcs_conv c;

	if (a) {
		if (a->info)
			file_decide(a->info, path, len, &d);
		for (size_t i = a->ndirs; i-- > 0;)
			file_decide(a->dirs[i], path, len, &d);
		if (a->user)
			file_decide(a->user, path, len, &d);
	}
	if (d.text == V_UNSET)
		return VCS_CONV_NONE;
	/* eol= decides the output; alone it makes the file text */
	if (d.eol == V_LF || d.eol == V_CRLF) {
		if (d.text == V_AUTO)
			return d.eol == V_LF ? VCS_CONV_AUTO_LF : VCS_CONV_AUTO_CRLF;
		return d.eol == V_LF ? VCS_CONV_TEXT_LF : VCS_CONV_TEXT_CRLF;
	}
	if (d.text == V_INPUT)
		return VCS_CONV_TEXT_LF;
	if (d.text == V_SET || d.text == V_AUTO) {
		c = text_eol_is_crlf(cfg) ? VCS_CONV_TEXT_CRLF : VCS_CONV_TEXT_LF;
		if (d.text == V_AUTO)
			c = c == VCS_CONV_TEXT_CRLF ? VCS_CONV_AUTO_CRLF :
				VCS_CONV_AUTO_LF;
		return c;
	}
	return cfg->autocrlf == 1 ? VCS_CONV_AUTO_CRLF :
		cfg->autocrlf == 2 ? VCS_CONV_AUTO_LF : VCS_CONV_NONE;
}

/** vcs_attr_active -- could anything convert? */
int
vcs_attr_active(const vcs_attr *a, const vcs_eol_cfg *cfg)
{
	return cfg->autocrlf || !vcs_attr_empty(a);
}
