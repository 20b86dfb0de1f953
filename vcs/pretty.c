/*
 * pretty.c -- commits as git log and show print them: the medium format
 * (git's pretty.c pp_header/pp_remainder), oneline, and --format
 * placeholders.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pretty.h"

/* ------------------------------------------------------------------ */
/* Commit headers                                                      */
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

int
vcs_pretty_date(vcs_str *out, const char *epoch_tz)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					  "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
					  "Jun", "Jul", "Aug", "Sep", "Oct",
					  "Nov", "Dec" };
	char *end;
	long long t = strtoll(epoch_tz, &end, 10);
	long tz = strtol(end, NULL, 10);
	long off = (tz / 100) * 3600 + (tz % 100) * 60;
	time_t lt = (time_t)(t + off);
	struct tm tm;

	if (!gmtime_r(&lt, &tm))
		return vcs_str_adds(out, epoch_tz);
	return vcs_str_addf(out, "%s %s %d %02d:%02d:%02d %d %+05ld",
			    wd[tm.tm_wday], mo[tm.tm_mon], tm.tm_mday, tm.tm_hour,
			    tm.tm_min, tm.tm_sec, tm.tm_year + 1900, tz);
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

/* add_subject -- first paragraph joined by spaces (git's %s); *rest is
 * what follows it. */
static int
add_subject(vcs_str *out, const char *m, size_t n, const char **rest,
	    size_t *rlen)
{
	int rc = 0, first = 1;

	while (n && !rc) {
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n;
		size_t t = l;
		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t' || m[t - 1] == '\r'))
			t--;
		if (!t)
			break;
		if (!first)
			rc = vcs_str_adds(out, " ");
		rc = rc ? rc : vcs_str_add(out, m, t);
		first = 0;
		m += nl ? l + 1 : l;
		n -= nl ? l + 1 : l;
	}
	while (n && (*m == '\n')) {
		m++;
		n--;
	}
	*rest = m;
	*rlen = n;
	return rc;
}

/* add_ident_part -- %an/%ae/%ad/%at style fields of an ident. */
static int
add_ident_part(vcs_str *out, const char *ident, char what)
{
	const char *name, *email, *date;
	size_t nl, el;

	if (!ident || vcs_ident_split(ident, &name, &nl, &email, &el, &date))
		return 0;
	if (what == 'n')
		return vcs_str_add(out, name, nl);
	if (what == 'e')
		return vcs_str_add(out, email, el);
	if (what == 'd')
		return vcs_pretty_date(out, date);
	if (what == 't')
		return vcs_str_add(out, date, strcspn(date, " "));
	return 0;
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

/* pretty_format -- expand a --format string. */
static int
pretty_format(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	      const vcs_commit *c, const char *f, int abbrev)
{
	char h[PMDB_OID_HEXMAX + 1];
	size_t n, rl;
	const char *m = msg_body(c, &n), *rest;
	int rc = 0;

	for (; *f && !rc; f++) {
		if (*f != '%') {
			rc = vcs_str_add(out, f, 1);
			continue;
		}
		f++;
		switch (*f) {
		case 'H': rc = vcs_str_adds(out, vcs_oid_hex(repo, oid, h)); break;
		case 'h': rc = add_abbrev(repo, out, oid, abbrev, ""); break;
		case 'T': rc = vcs_str_adds(out, vcs_oid_hex(repo, &c->tree, h)); break;
		case 't': rc = add_abbrev(repo, out, &c->tree, abbrev, ""); break;
		case 'P': case 'p':
			for (size_t i = 0; i < c->nparents && !rc; i++)
				rc = *f == 'P' ? vcs_str_addf(out, "%s%s",
						  i ? " " : "",
						  vcs_oid_hex(repo, &c->parents[i], h))
				     : add_abbrev(repo, out, &c->parents[i],
						  abbrev, i ? " " : "");
			break;
		case 'a': case 'c':
			if (f[1]) {
				rc = add_ident_part(out, *f == 'a' ? c->author
						    : c->committer, f[1]);
				f++;
			}
			break;
		case 's': rc = add_subject(out, m, n, &rest, &rl); break;
		case 'b':
			{
				vcs_str tmp = VCS_STR_INIT;
				rc = add_subject(&tmp, m, n, &rest, &rl);
				vcs_str_free(&tmp);
				rc = rc ? rc : vcs_str_add(out, rest, rl);
			}
			break;
		case 'B': rc = vcs_str_add(out, m, n); break;
		case 'n': rc = vcs_str_adds(out, "\n"); break;
		case '%': rc = vcs_str_adds(out, "%"); break;
		case '\0': f--; break;
		default: rc = vcs_str_addf(out, "%%%c", *f); break;
		}
	}
	return rc;
}

/* vcs_pretty_commit -- one commit in git log's formats (see diff.h) */
int
vcs_pretty_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
		  const vcs_commit *c, vcs_pretty how, const char *format,
		  int abbrev)
{
	char h[PMDB_OID_HEXMAX + 1];
	const char *m, *rest;
	size_t n, rl;
	int rc;

	if (abbrev <= 0)
		abbrev = vcs_default_abbrev(repo);
	if (how == VCS_PRETTY_FORMAT)
		return pretty_format(repo, out, oid, c, format ? format : "",
				     abbrev);
	m = msg_body(c, &n);
	if (how == VCS_PRETTY_ONELINE) {
		rc = add_abbrev(repo, out, oid, abbrev, "");
		rc = rc ? rc : vcs_str_adds(out, " ");
		rc = rc ? rc : add_subject(out, m, n, &rest, &rl);
		return rc ? rc : vcs_str_adds(out, "\n");
	}
	rc = vcs_str_addf(out, "commit %s\n", vcs_oid_hex(repo, oid, h));
	if (!rc && c->nparents > 1) {
		rc = vcs_str_adds(out, "Merge:");
		for (size_t i = 0; i < c->nparents && !rc; i++)
			rc = add_abbrev(repo, out, &c->parents[i], abbrev, " ");
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	rc = rc ? rc : vcs_str_adds(out, "Author: ");
	rc = rc ? rc : add_ident_part(out, c->author, 'n');
	rc = rc ? rc : vcs_str_adds(out, " <");
	rc = rc ? rc : add_ident_part(out, c->author, 'e');
	rc = rc ? rc : vcs_str_adds(out, ">\nDate:   ");
	rc = rc ? rc : add_ident_part(out, c->author, 'd');
	rc = rc ? rc : vcs_str_adds(out, "\n\n");
	/* as git's pp_remainder: drop leading and trailing blank lines and
	 * each line's trailing blanks, indent the rest by 4 (blank: "    ") */
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' ' ||
		     m[n - 1] == '\t' || m[n - 1] == '\r'))
		n--;
	for (int first = 1; n && !rc; ) {
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n, t = l;

		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t' ||
			     m[t - 1] == '\r'))
			t--;
		if (t || !first) {
			rc = vcs_str_adds(out, "    ");
			rc = rc ? rc : vcs_str_add(out, m, t);
			rc = rc ? rc : vcs_str_adds(out, "\n");
			first = 0;
		}
		m += nl ? l + 1 : l;
		n -= nl ? l + 1 : l;
	}
	return rc;
}
