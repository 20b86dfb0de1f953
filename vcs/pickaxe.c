/*
 * pickaxe.c -- log -S / -G (see pickaxe.h).
 *
 * Each changed file's lines are taken from a patch without context: for
 * -G a removed or added line must match; for -S the occurrences in the
 * removed lines must differ in number from those in the added ones,
 * which for a needle without a newline is git's test (the occurrences
 * in the whole old and new files differ) since unchanged lines hold as
 * many on both sides. Binary files (no lines) never match here.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "pickaxe.h"

int
vcs_pickaxe_init(vcs_pickaxe *p, int kind, const char *needle, int regex)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->regex = regex;
	p->needle = needle;
	if (kind == 'G' || regex) {
		int rc = regcomp(&p->re, needle, REG_EXTENDED | REG_NEWLINE);

		if (rc) {
			char msg[128];

			regerror(rc, &p->re, msg, sizeof(msg));
			p->kind = 0;
			return vcs_seterr(PMDB_EINVAL, "invalid regex: %s", msg);
		}
	}
	return 0;
}

void
vcs_pickaxe_free(vcs_pickaxe *p)
{
	if (p->kind && (p->kind == 'G' || p->regex))
		regfree(&p->re);
	p->kind = 0;
}

/* count -- occurrences of the needle in one line (non-overlapping, as
 * git's contains()); -1 when out of memory */
static long
count(const vcs_pickaxe *p, const char *s, size_t n)
{
	long c = 0;

	if (!p->regex) {
		size_t nl = strlen(p->needle);

		if (!nl)
			return 0;
		for (size_t i = 0; i + nl <= n;) {
			if (!memcmp(s + i, p->needle, nl)) {
				c++;
				i += nl;
			} else {
				i++;
			}
		}
		return c;
	} else {
		char *line = strndup(s, n), *d = line;
		int flags = 0;
		regmatch_t m;

		if (!line)
			return -1;
		while (*d && !regexec(&p->re, d, 1, &m, flags)) {
			flags |= REG_NOTBOL;
			d += m.rm_eo;
			if (*d && m.rm_so == m.rm_eo)
				d++;
			c++;
		}
		free(line);
		return c;
	}
}

/* chunk_matches -- one file's part of the patch; 1, 0 or -1 (memory) */
static int
chunk_matches(const vcs_pickaxe *p, const char *s, size_t n)
{
	const char *end = s + n;
	long removed = 0, added = 0;
	int in_hunk = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (l >= 2 && s[0] == '@' && s[1] == '@') {
			in_hunk = 1;
		} else if (in_hunk && l && (s[0] == '+' || s[0] == '-')) {
			if (p->kind == 'G') {
				char *line = strndup(s + 1, l - 1);
				int hit;

				if (!line)
					return -1;
				hit = !regexec(&p->re, line, 0, NULL, 0);
				free(line);
				if (hit)
					return 1;
			} else {
				long c = count(p, s + 1, l - 1);

				if (c < 0)
					return -1;
				*(s[0] == '+' ? &added : &removed) += c;
			}
		}
		s = nl ? nl + 1 : end;
	}
	return p->kind == 'S' && added != removed;
}

int
vcs_pickaxe_files(vcs_repo *repo, const vcs_pickaxe *p,
		  const pmdb_oid *a, const pmdb_oid *b,
		  const vcs_pathspec *limit, vcs_pathspec *out)
{
	vcs_diff_opts o = VCS_DIFF_OPTS_INIT;
	vcs_diff_stat st = VCS_DIFF_STAT_INIT;
	vcs_str text = VCS_STR_INIT, item = VCS_STR_INIT;
	const char *s, *end;
	size_t k = 0;
	int rc, hits = 0;

	o.context = 0;
	o.full_index = 1;       /* the ids do not matter: skip abbreviating */
	o.ps = limit && limit->n ? limit : NULL;
	o.acc = &st;
	if ((rc = vcs_diff_trees(repo, a, b, &o, &text, NULL)))
		goto out;
	s = text.data ? (const char *)text.data : "";
	end = s + text.len;
	/* one "diff --git" chunk per file, in the order of st */
	while (s < end && k < st.n) {
		const char *next = s;

		do {
			const char *nl = memchr(next, '\n', (size_t)(end - next));

			next = nl ? nl + 1 : end;
		} while (next < end && strncmp(next, "diff --git ", 11));
		if ((rc = chunk_matches(p, s, (size_t)(next - s))) < 0) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			goto out;
		}
		if (rc) {
			vcs_str_reset(&item);
			if (vcs_str_adds(&item, ":(top,literal)") ||
			    vcs_str_adds(&item, st.files[k].path)) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				goto out;
			}
			if ((rc = vcs_pathspec_add(out, "", (const char *)item.data)))
				goto out;
			hits++;
		}
		rc = 0;
		s = next;
		k++;
	}
out:
	vcs_diff_stat_free(&st);
	vcs_str_free(&text);
	vcs_str_free(&item);
	return rc < 0 ? rc : hits;
}
