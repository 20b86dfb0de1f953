/*
 * message.c -- commit and tag message helpers shared by the commands:
 * git's stripspace (commit -m, tag -m), a message's subject (%s) and the
 * "<abbrev> <subject>" line of "HEAD is now at".
 */
#include <string.h>

#include "vcs.h"

/** vcs_stripspace -- git's stripspace() of text into out. */
int
vcs_stripspace(vcs_str *out, const char *text, size_t len, int skip_comments)
{
	const char *p = text, *end = text + len;
	size_t empties = 0, start = out->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p;

		p += ll + (nl ? 1 : 0);
		if (skip_comments && ll && line[0] == '#')
			continue;
		while (ll && (line[ll - 1] == ' ' || line[ll - 1] == '\t' ||
			      line[ll - 1] == '\r' || line[ll - 1] == '\v' ||
			      line[ll - 1] == '\f'))
			ll--;
		if (!ll) {
			empties++;
			continue;
		}
		if (empties && out->len > start && vcs_str_add(out, "\n", 1))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		empties = 0;
		if (vcs_str_add(out, line, ll) || vcs_str_add(out, "\n", 1))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	return 0;
}

int
vcs_subject(vcs_str *out, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len;
	int first = 1;

	while (p < end && (*p == '\n'))
		p++;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t t = ll;
		while (t && (p[t - 1] == ' ' || p[t - 1] == '\t' || p[t - 1] == '\r'))
			t--;
		if (!t)
			break;
		if ((!first && vcs_str_add(out, " ", 1)) || vcs_str_add(out, p, t))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		first = 0;
		p += ll + (nl ? 1 : 0);
	}
	return 0;
}

/** vcs_commit_oneline -- "<abbrev> <subject>". */
int
vcs_commit_oneline(vcs_repo *repo, const pmdb_oid *oid, vcs_str *out)
{
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_commit c = { 0 };
	int rc = vcs_commit_read(repo, NULL, oid, &c);

	if (rc)
		return rc;
	vcs_oid_abbrev(repo, oid, 7, hex);
	if (vcs_str_adds(out, hex) || vcs_str_add(out, " ", 1))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	else
		rc = vcs_subject(out, c.message, c.message_len);
	vcs_commit_clear(&c);
	return rc;
}

/* vcs_msg_skip_blank -- see vcs.h */
const char *
vcs_msg_skip_blank(const char *m, size_t *n)
{
	while (*n) {
		const char *nl = memchr(m, '\n', *n);
		size_t l = nl ? (size_t)(nl - m) : *n, k;
		for (k = 0; k < l && (m[k] == ' ' || m[k] == '\t'); k++)
			;
		if (k < l || !nl)
			break;
		m += l + 1;
		*n -= l + 1;
	}
	return m;
}
