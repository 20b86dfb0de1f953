/*
 * pretty.c -- commits as git log and show print them: the named formats
 * (git's pretty.c pp_header/pp_title_line/pp_remainder) and --format
 * placeholders (format_commit_one). Dates are in pretty_date.c.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decorate.h"
#include "pretty.h"

/* ------------------------------------------------------------------ */
/* Commit headers and message parts                                    */
/* ------------------------------------------------------------------ */

int
vcs_ident_split(const char *ident, const char **name, size_t *nlen,
		const char **email, size_t *elen, const char **date)
{
	const char *lt = strchr(ident, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;

	if (!lt || !gt)
		return PMDB_EINVAL;
	*name = ident;
	*nlen = (size_t)(lt - ident);
	while (*nlen && ident[*nlen - 1] == ' ')
		(*nlen)--;
	*email = lt + 1;
	*elen = (size_t)(gt - lt - 1);
	*date = gt[1] == ' ' ? gt + 2 : gt + 1;
	return 0;
}

/* msg_body -- message without leading blank lines. */
static const char *
msg_body(const vcs_commit *c, size_t *len)
{
	const char *m = c->message ? c->message : "";
	size_t n = c->message ? c->message_len : 0;

	m = vcs_msg_skip_blank(m, &n);
	*len = n;
	return m;
}

/* line_len -- length of the line at m (without '\n'), its trimmed length
 * in *t (git's is_blank_line: trailing whitespace dropped) */
static size_t
line_len(const char *m, size_t n, size_t *t)
{
	const char *nl = memchr(m, '\n', n);
	size_t l = nl ? (size_t)(nl - m) : n;

	*t = l;
	while (*t && isspace((unsigned char)m[*t - 1]))
		(*t)--;
	return l;
}

/* add_subject -- first paragraph joined by sep (git's %s: " "); *rest is
 * what follows it, blank lines skipped. */
static int
add_subject(vcs_str *out, const char *m, size_t n, const char *sep,
	    const char **rest, size_t *rlen)
{
	int rc = 0, first = 1;

	while (n && !rc) {
		size_t t, l = line_len(m, n, &t);

		if (!t)
			break;
		if (!first)
			rc = vcs_str_adds(out, sep);
		rc = rc ? rc : vcs_str_add(out, m, t);
		first = 0;
		m += l < n ? l + 1 : l;
		n -= l < n ? l + 1 : l;
	}
	while (n) {
		size_t t, l = line_len(m, n, &t);
		if (t)
			break;
		m += l < n ? l + 1 : l;
		n -= l < n ? l + 1 : l;
	}
	*rest = m;
	*rlen = n;
	return rc;
}

/* add_lines -- git's pp_remainder: each line trimmed and indented (a
 * blank one as "<indent>"), leading blank lines dropped; title_only stops
 * at the first blank line (short); mboxrd quotes ">*From " lines. The
 * trailing blank lines go, as git's strbuf_rtrim of the whole entry. */
static int
add_lines(vcs_str *out, const char *m, size_t n, const char *indent,
	  int title_only, int mboxrd)
{
	int rc = 0, first = 1;
	size_t keep = out->len;

	while (n && !rc) {
		const char *line = m;
		size_t t, l = line_len(m, n, &t);

		m += l < n ? l + 1 : l;
		n -= l < n ? l + 1 : l;
		if (!t && first)
			continue;
		if (!t && title_only)
			break;
		first = 0;
		rc = vcs_str_adds(out, indent);
		if (!rc && mboxrd) {
			size_t q = 0;
			while (q < t && line[q] == '>')
				q++;
			if (t - q >= 5 && !memcmp(line + q, "From ", 5))
				rc = vcs_str_adds(out, ">");
		}
		rc = rc ? rc : vcs_str_add(out, line, t);
		rc = rc ? rc : vcs_str_adds(out, "\n");
		if (t)
			keep = out->len;
	}
	if (!rc)
		out->len = keep;
	return rc;
}

/* add_ident_part -- git's format_person_part: the %a<what> / %c<what>
 * placeholders. 1 if what is one, 0 if not (the caller then copies the
 * placeholder literally, as git), negative on error. */
static int
add_ident_part(vcs_str *out, const char *ident, char what,
	       const vcs_date *date)
{
	static const vcs_date_mode fixed[] = {
		VCS_DATE_RFC, VCS_DATE_ISO, VCS_DATE_ISO_STRICT, VCS_DATE_SHORT,
		VCS_DATE_RELATIVE,
	};
	vcs_date fd = { VCS_DATE_DEFAULT, 0, NULL, date ? date->now : 0 };
	const char *name, *email, *when, *at;
	const char *dates = "DiIsr";
	size_t nl, el;
	int rc;

	if (!what || !strchr("nNeElLdDiIsrt", what))
		return 0;
	if (!ident || vcs_ident_split(ident, &name, &nl, &email, &el, &when))
		return 1;       /* git prints nothing for a broken ident */
	switch (what) {
	case 'n': case 'N': rc = vcs_str_add(out, name, nl); break;
	case 'e': case 'E': rc = vcs_str_add(out, email, el); break;
	case 'l': case 'L':
		at = memchr(email, '@', el);
		rc = vcs_str_add(out, email, at ? (size_t)(at - email) : el);
		break;
	case 'd': rc = vcs_date_format(out, when, date); break;
	case 't': rc = vcs_str_add(out, when, strcspn(when, " ")); break;
	default:
		fd.mode = fixed[strchr(dates, what) - dates];
		rc = vcs_date_format(out, when, &fd);
		break;
	}
	return rc ? rc : 1;
}

/* add_abbrev -- sep, then the abbreviated id; a failed lookup is an
 * error (a possibly ambiguous prefix must not be printed) */
static int
add_abbrev(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid, int abbrev,
	   const char *sep)
{
	char h[PMDB_OID_HEXMAX + 1];
	int rc = vcs_oid_abbrev_checked(repo, oid, abbrev, h);

	rc = rc ? rc : vcs_str_adds(out, sep);
	return rc ? rc : vcs_str_adds(out, h);
}

/* add_sanitized -- git's %f: the subject's first line, runs of anything
 * but [A-Za-z0-9._] as one '-', ".." as '.', no trailing '.' or '-' */
static int
add_sanitized(vcs_str *out, const char *m, size_t n)
{
	size_t start = out->len;
	int space = 2, rc = 0;

	for (size_t i = 0; i < n && m[i] != '\n' && !rc; i++) {
		unsigned char ch = (unsigned char)m[i];
		if (isalnum(ch) || ch == '.' || ch == '_') {
			if (space == 1)
				rc = vcs_str_adds(out, "-");
			space = 0;
			rc = rc ? rc : vcs_str_add(out, &m[i], 1);
			if (ch == '.')
				while (i + 1 < n && m[i + 1] == '.')
					i++;
		} else {
			space |= 1;
		}
	}
	while (!rc && out->len > start && (out->data[out->len - 1] == '.' ||
					   out->data[out->len - 1] == '-'))
		out->len--;
	return rc;
}

/* hexval -- one hex digit, or -1 */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* placeholder -- expand the placeholder at f (after '%'). Returns the
 * bytes consumed, 0 for an unknown one (git copies it literally), or a
 * negative error. */
static int
placeholder(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	    const vcs_commit *c, const char *f, const vcs_pretty_opts *o)
{
	char h[PMDB_OID_HEXMAX + 1];
	size_t n, rl;
	const char *m = msg_body(c, &n), *rest, *e;
	vcs_str tmp = VCS_STR_INIT;
	int rc = 0, hi, lo;

	switch (*f) {
	case 'H': rc = vcs_str_adds(out, vcs_oid_hex(repo, oid, h)); break;
	case 'h': rc = add_abbrev(repo, out, oid, o->abbrev, ""); break;
	case 'T': rc = vcs_str_adds(out, vcs_oid_hex(repo, &c->tree, h)); break;
	case 't': rc = add_abbrev(repo, out, &c->tree, o->abbrev, ""); break;
	case 'P': case 'p':
		for (size_t i = 0; i < c->nparents && !rc; i++)
			rc = *f == 'P' ? vcs_str_addf(out, "%s%s", i ? " " : "",
					vcs_oid_hex(repo, &c->parents[i], h))
			     : add_abbrev(repo, out, &c->parents[i], o->abbrev,
					  i ? " " : "");
		break;
	case 'a': case 'c':
		rc = add_ident_part(out, *f == 'a' ? c->author : c->committer,
				    f[1], &o->date);
		return rc <= 0 ? rc : 2;
	case 's': rc = add_subject(out, m, n, " ", &rest, &rl); break;
	case 'f': rc = add_sanitized(out, m, n); break;
	case 'b':
		rc = add_subject(&tmp, m, n, " ", &rest, &rl);
		rc = rc ? rc : vcs_str_add(out, rest, rl);
		vcs_str_free(&tmp);
		break;
	case 'B': rc = vcs_str_add(out, m, n); break;
	case 'e': rc = c->encoding ? vcs_str_adds(out, c->encoding) : 0; break;
	case 'm':
		rc = vcs_str_adds(out, o->boundary ? "-" : o->left ? "<" : ">");
		break;
	case 'd': case 'D':
		rc = o->decor ? vcs_decor_format(o->decor, oid, out, *f == 'd') : 0;
		break;
	case 'n': rc = vcs_str_adds(out, "\n"); break;
	case '%': rc = vcs_str_adds(out, "%"); break;
	case 'x':
		if ((hi = hexval(f[1])) < 0 || (lo = hexval(f[2])) < 0)
			return 0;
		h[0] = (char)(hi << 4 | lo);
		rc = vcs_str_add(out, h, 1);
		return rc ? rc : 3;
	case 'C':
		/* colours: output here is never coloured (no --color, no
		 * terminal check yet), so each is consumed silently */
		if (f[1] == '(') {
			if (!(e = strchr(f, ')')))
				return 0;
			return (int)(e - f + 1);
		}
		for (const char *const *k = (const char *const[]){ "red",
			"green", "blue", "reset", NULL }; *k; k++)
			if (!strncmp(f + 1, *k, strlen(*k)))
				return (int)(1 + strlen(*k));
		return 0;
	default:
		return 0;
	}
	return rc ? rc : 1;
}

/* A pending %<(N), %>(N), %><(N) and their |-forms: how the next
 * placeholder's expansion is padded or truncated (git's flush types). */
typedef struct pad {
	char how;              /* 0 none, '<' left, '>' right, 'c' centre */
	int column;            /* |: up to column N, not N wide */
	int width;
	int trunc;             /* 0, 't' trunc, 'l' ltrunc, 'm' mtrunc */
} pad;

/* parse_pad -- "%<(N[,trunc])" and friends at f (after '%'); the bytes
 * consumed, or 0 if f is not one */
static int
parse_pad(const char *f, pad *p)
{
	const char *q = f, *end;
	char *num_end;
	long w;

	memset(p, 0, sizeof(*p));
	if (q[0] == '<')
		p->how = '<';
	else if (q[0] == '>' && q[1] == '<')
		p->how = 'c', q++;
	else if (q[0] == '>')
		p->how = '>';
	else
		return 0;
	q++;
	if (*q == '|') {
		p->column = 1;
		q++;
	}
	if (*q != '(' || !(end = strchr(q, ')')))
		return 0;
	w = strtol(q + 1, &num_end, 10);
	if (num_end == q + 1 || w < 1 || w > 100000)   /* git: N >= 1 */
		return 0;
	if (*num_end == ',') {
		size_t n = (size_t)(end - num_end - 1);

		if (n == 5 && !strncmp(num_end + 1, "trunc", 5))
			p->trunc = 't';
		else if (n == 6 && !strncmp(num_end + 1, "ltrunc", 6))
			p->trunc = 'l';
		else if (n == 6 && !strncmp(num_end + 1, "mtrunc", 6))
			p->trunc = 'm';
		else
			return 0;
	} else if (num_end != end) {
		return 0;
	}
	p->width = (int)w;
	return (int)(end - f + 1);
}

/* cols -- display columns of n bytes (one per UTF-8 character) */
static size_t
cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* col_off -- the byte offset of column k in s (n bytes) */
static size_t
col_off(const char *s, size_t n, size_t k)
{
	size_t i = 0;

	for (; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && !k--)
			break;
	return i;
}

/* add_padded -- git's format_and_pad_commit for one expansion t */
static int
add_padded(vcs_str *out, const pad *p, const char *t, size_t n)
{
	long width = p->width;
	size_t occ = cols(t, n), keep;
	int rc = 0;

	if (p->column) {        /* up to column N of the current line */
		const char *line = out->data ? (const char *)out->data : "";
		size_t start = out->len;

		while (start && line[start - 1] != '\n')
			start--;
		width -= (long)cols(line + start, out->len - start);
	}
	if (p->trunc && (long)occ > width && width < 2)
		return vcs_str_adds(out, "..");        /* git's, too */
	if (p->trunc && (long)occ > width) {
		keep = (size_t)width - 2;
		if (p->trunc == 't') {
			rc = vcs_str_add(out, t, col_off(t, n, keep));
			return rc ? rc : vcs_str_adds(out, "..");
		}
		if (p->trunc == 'l') {
			rc = vcs_str_adds(out, "..");
			return rc ? rc : vcs_str_adds(out, t + col_off(t, n,
								  occ - keep));
		}
		rc = vcs_str_add(out, t, col_off(t, n, keep / 2));
		rc = rc ? rc : vcs_str_adds(out, "..");
		return rc ? rc : vcs_str_adds(out, t + col_off(t, n, occ -
							   (keep - keep / 2)));
	}
	if ((long)occ >= width)
		return vcs_str_add(out, t, n);
	{
		size_t gap = (size_t)(width - (long)occ);
		size_t left = p->how == '>' ? gap : p->how == 'c' ? gap / 2 : 0;

		for (size_t i = 0; i < left && !rc; i++)
			rc = vcs_str_add(out, " ", 1);
		rc = rc ? rc : vcs_str_add(out, t, n);
		for (size_t i = left; i < gap && !rc; i++)
			rc = vcs_str_add(out, " ", 1);
	}
	return rc;
}

/* pretty_format -- expand a --format string. */
static int
pretty_format(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	      const vcs_commit *c, const char *f, const vcs_pretty_opts *o)
{
	vcs_str tmp = VCS_STR_INIT;
	pad pending = { 0, 0, 0, 0 };
	int rc = 0;

	while (*f && rc >= 0) {
		const char *pct = strchr(f, '%');
		size_t lit = pct ? (size_t)(pct - f) : strlen(f);
		pad np;

		if ((rc = vcs_str_add(out, f, lit)) || !pct)
			break;
		f = pct + 1;
		if ((rc = parse_pad(f, &np)) > 0) {
			pending = np;
			f += rc;
			rc = 0;
			continue;
		}
		if (pending.how && *f) {
			vcs_str_reset(&tmp);
			rc = placeholder(repo, &tmp, oid, c, f, o);
			if (rc > 0) {
				f += rc;
				rc = add_padded(out, &pending, tmp.data ?
						(const char *)tmp.data : "",
						tmp.len);
				pending.how = 0;
				continue;
			}
		} else {
			rc = *f ? placeholder(repo, out, oid, c, f, o) : 0;
		}
		if (rc > 0)
			f += rc;
		else if (!rc)
			rc = vcs_str_adds(out, "%");  /* literally, as git */
	}
	vcs_str_free(&tmp);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ */
/* Named formats                                                       */
/* ------------------------------------------------------------------ */

int
vcs_pretty_parse(vcs_pretty_opts *o, const char *arg, int *tformat)
{
	static const struct { const char *name; vcs_pretty how; } f[] = {
		{ "raw", VCS_PRETTY_RAW }, { "medium", VCS_PRETTY_MEDIUM },
		{ "short", VCS_PRETTY_SHORT }, { "email", VCS_PRETTY_EMAIL },
		{ "mboxrd", VCS_PRETTY_MBOXRD }, { "fuller", VCS_PRETTY_FULLER },
		{ "full", VCS_PRETTY_FULL }, { "oneline", VCS_PRETTY_ONELINE },
		{ "reference", VCS_PRETTY_REFERENCE },
	};
	size_t best = 0, n = strlen(arg);
	int found = -1;

	*tformat = 1;
	o->format = NULL;
	if (!strncmp(arg, "format:", 7) || !strncmp(arg, "tformat:", 8) ||
	    strchr(arg, '%') || !*arg) {
		o->how = VCS_PRETTY_FORMAT;
		*tformat = arg[0] != 'f' || strncmp(arg, "format:", 7);
		o->format = strncmp(arg, "format:", 7) &&
			strncmp(arg, "tformat:", 8) ? arg : strchr(arg, ':') + 1;
		return 0;
	}
	/* git's find_commit_format: a prefix of a name; the shortest name
	 * that begins so wins ("f" is full) */
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!strncmp(f[i].name, arg, n) &&
		    (found < 0 || strlen(f[i].name) < best)) {
			found = (int)i;
			best = strlen(f[i].name);
		}
	if (found < 0)
		return PMDB_EINVAL;
	o->how = f[found].how;
	return 0;
}

/* add_person -- "<label><name> <<email>>\n" */
static int
add_person(vcs_str *out, const char *label, const char *ident)
{
	int rc = vcs_str_adds(out, label);

	rc = rc ? rc : add_ident_part(out, ident, 'n', NULL);
	rc = rc < 0 ? rc : vcs_str_adds(out, " <");
	rc = rc ? rc : add_ident_part(out, ident, 'e', NULL);
	return rc < 0 ? rc : vcs_str_adds(out, ">\n");
}

/* add_when -- "<label><date>\n" */
static int
add_when(vcs_str *out, const char *label, const char *ident,
	 const vcs_date *d)
{
	int rc = vcs_str_adds(out, label);

	rc = rc ? rc : add_ident_part(out, ident, 'd', d);
	return rc < 0 ? rc : vcs_str_adds(out, "\n");
}

/* add_email_from -- "From: <name> <<email>>", the name quoted as git's
 * add_rfc822_quoted when it holds an RFC 822 special */
static int
add_email_from(vcs_str *out, const char *ident)
{
	const char *name, *email, *when;
	size_t nl, el;
	int rc = vcs_str_adds(out, "From: ");

	if (rc || vcs_ident_split(ident ? ident : "", &name, &nl, &email, &el,
				  &when))
		return rc;
	for (size_t i = 0; i < nl; i++)
		if (strchr("()<>@,;:\\\".[]", name[i])) {
			rc = vcs_str_adds(out, "\"");
			for (size_t j = 0; j < nl && !rc; j++) {
				if (name[j] == '"' || name[j] == '\\')
					rc = vcs_str_adds(out, "\\");
				rc = rc ? rc : vcs_str_add(out, &name[j], 1);
			}
			rc = rc ? rc : vcs_str_adds(out, "\"");
			nl = 0;
			break;
		}
	rc = rc ? rc : vcs_str_add(out, name, nl);
	rc = rc ? rc : vcs_str_addf(out, " <%.*s>\n", (int)el, email);
	return rc;
}

/* add_email -- git format-patch's header, then the body unindented */
static int
add_email(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	  const vcs_commit *c, int mboxrd)
{
	static const vcs_date rfc = { VCS_DATE_RFC, 0, NULL, 0 };
	char h[PMDB_OID_HEXMAX + 1];
	const char *m, *rest;
	size_t n, rl;
	int rc = vcs_str_addf(out, "From %s Mon Sep 17 00:00:00 2001\n",
			      vcs_oid_hex(repo, oid, h));

	rc = rc ? rc : add_email_from(out, c->author);
	rc = rc ? rc : add_when(out, "Date: ", c->author, &rfc);
	rc = rc ? rc : vcs_str_adds(out, "Subject: [PATCH] ");
	m = msg_body(c, &n);
	rc = rc ? rc : add_subject(out, m, n, " ", &rest, &rl);
	rc = rc ? rc : vcs_str_adds(out, "\n\n");
	return rc ? rc : add_lines(out, rest, rl, "", 0, mboxrd);
}

/* is_utf8_name -- git's same_encoding(name, "UTF-8") */
static int
is_utf8_name(const char *n, size_t len)
{
	return (len == 5 && !strncasecmp(n, "utf-8", 5)) ||
	       (len == 4 && !strncasecmp(n, "utf8", 4));
}

/* add_raw_headers -- the commit's header lines as stored */
static int
add_raw_headers(vcs_repo *repo, vcs_str *out, const vcs_commit *c)
{
	vcs_str raw = VCS_STR_INIT;
	int rc = vcs_commit_format(&raw, c, repo->algo);
	size_t end = raw.len;

	for (size_t i = 0; !rc && i + 1 < raw.len; i++)
		if (raw.data[i] == '\n' && raw.data[i + 1] == '\n') {
			end = i + 1;
			break;
		}
	/* git re-encodes the message to UTF-8 for output and drops the
	 * header then (replace_encoding_header); the text is not re-encoded
	 * here (see docs) */
	for (size_t i = 0; !rc && i < end; ) {
		const char *l = (const char *)raw.data + i;
		const char *nl = memchr(l, '\n', end - i);
		size_t ll = nl ? (size_t)(nl - l) + 1 : end - i;

		if (ll < 9 || memcmp(l, "encoding ", 9) ||
		    is_utf8_name(l + 9, ll - 10))
			rc = vcs_str_add(out, l, ll);
		i += ll;
	}
	vcs_str_free(&raw);
	return rc;
}

/* vcs_pretty_commit -- one commit in git log's formats */
int
vcs_pretty_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
		  const vcs_commit *c, const vcs_pretty_opts *opts)
{
	static const vcs_pretty_opts dflt = { VCS_PRETTY_MEDIUM, NULL, 0, 0,
					      { VCS_DATE_DEFAULT, 0, NULL, 0 }, 0,
					      NULL, 0, 0, 0 };
	vcs_pretty_opts o = opts ? *opts : dflt;
	char h[PMDB_OID_HEXMAX + 1];
	const char *m, *rest, *prefix;
	size_t n, rl;
	int rc;

	if (o.abbrev <= 0)
		o.abbrev = vcs_default_abbrev(repo);
	switch (o.how) {
	case VCS_PRETTY_FORMAT:
		return pretty_format(repo, out, oid, c, o.format ? o.format : "",
				     &o);
	case VCS_PRETTY_REFERENCE:
		if (!o.date_given)
			o.date.mode = VCS_DATE_SHORT;
		rc = pretty_format(repo, out, oid, c, "%h (%s, %ad)", &o);
		return rc ? rc : vcs_str_adds(out, "\n");
	case VCS_PRETTY_EMAIL: case VCS_PRETTY_MBOXRD:
		return add_email(repo, out, oid, c, o.how == VCS_PRETTY_MBOXRD);
	default:
		break;
	}
	m = msg_body(c, &n);
	/* git's put_revision_mark: "-" before a boundary commit's id */
	prefix = o.how == VCS_PRETTY_ONELINE ? (o.boundary ? "- " : "") :
		 o.boundary ? "commit - " : "commit ";
	if (o.abbrev_commit)
		rc = add_abbrev(repo, out, oid, o.abbrev, prefix);
	else
		rc = vcs_str_addf(out, "%s%s", prefix, vcs_oid_hex(repo, oid, h));
	if (!rc && o.decorate && o.decor)
		rc = vcs_decor_format(o.decor, oid, out, 1);
	if (o.how == VCS_PRETTY_ONELINE) {
		rc = rc ? rc : vcs_str_adds(out, " ");
		rc = rc ? rc : add_subject(out, m, n, " ", &rest, &rl);
		return rc ? rc : vcs_str_adds(out, "\n");
	}
	rc = rc ? rc : vcs_str_adds(out, "\n");
	if (o.how == VCS_PRETTY_RAW) {
		rc = rc ? rc : add_raw_headers(repo, out, c);
	} else if (!rc && c->nparents > 1) {
		rc = vcs_str_adds(out, "Merge:");
		for (size_t i = 0; i < c->nparents && !rc; i++)
			rc = add_abbrev(repo, out, &c->parents[i], o.abbrev, " ");
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	switch (o.how) {
	case VCS_PRETTY_MEDIUM:
		rc = rc ? rc : add_person(out, "Author: ", c->author);
		rc = rc ? rc : add_when(out, "Date:   ", c->author, &o.date);
		break;
	case VCS_PRETTY_SHORT:
		rc = rc ? rc : add_person(out, "Author: ", c->author);
		break;
	case VCS_PRETTY_FULL:
		rc = rc ? rc : add_person(out, "Author: ", c->author);
		rc = rc ? rc : add_person(out, "Commit: ", c->committer);
		break;
	case VCS_PRETTY_FULLER:
		rc = rc ? rc : add_person(out, "Author:     ", c->author);
		rc = rc ? rc : add_when(out, "AuthorDate: ", c->author, &o.date);
		rc = rc ? rc : add_person(out, "Commit:     ", c->committer);
		rc = rc ? rc : add_when(out, "CommitDate: ", c->committer,
					&o.date);
		break;
	default:
		break;
	}
	rc = rc ? rc : vcs_str_adds(out, "\n");
	return rc ? rc : add_lines(out, m, n, "    ",
				   o.how == VCS_PRETTY_SHORT, 0);
}
