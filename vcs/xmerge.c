/*
 * xmerge.c -- the three-way line merge behind vcs_xmerge(): the result
 * git's xdl_merge() gives for the same inputs, conflict markers included.
 *
 * Both sides are diffed against the base with the engine of xdiff.c
 * (without the indent heuristic: git passes no diff flags to its merges).
 * The two change scripts are walked together; a change of one side that
 * overlaps no change of the other is taken; overlapping changes are a
 * conflict unless both sides made the same change. From the ZEALOUS
 * level on, a conflict is then narrowed to the lines on which the two
 * sides really differ (a diff of the two sides' versions), and conflicts
 * closer than four lines (ZEALOUS_ALNUM: or separated only by lines
 * without letters and digits) are joined into one.
 *
 * Invariants:
 *  1. hunks are in file order and do not overlap on the ours side:
 *     h[k].i1 + h[k].chg1 <= h[k+1].i1.
 *  2. a hunk's i0/chg0 (base lines) are exact only until narrowing,
 *     which the diff3 style never does (level capped at EAGER).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "merge.h"
#include "xdiff_int.h"

/** Hunk modes: git's xdmerge_t.mode. */
#define H_CONFLICT 0
#define H_OURS 1
#define H_THEIRS 2
#define H_SAME 4        /* both sides made the same change (narrowed) */

typedef struct hunk {
	int mode;
	long i0, chg0;  /* base lines */
	long i1, chg1;  /* ours lines */
	long i2, chg2;  /* theirs lines */
} hunk;

/** A file cut into lines (each with its '\n', the last may lack it). */
typedef struct lines {
	xrec *r;
	long nrec;
} lines;

typedef struct hunks {
	hunk *h;
	size_t n, cap;
} hunks;

/* ---- lines ------------------------------------------------------- */

/* lines_split -- cut buf as xdiff.c cuts it. */
static int
lines_split(lines *l, const char *buf, size_t len)
{
	size_t cap = 0;
	const char *p = buf, *end = buf + len;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = nl ? nl + 1 : end;

		if (VCS_ARRAY_GROW(l->r, cap, (size_t)l->nrec + 1, 64))
			return PMDB_ENOMEM;
		l->r[l->nrec].p = p;
		l->r[l->nrec].n = (long)(q - p);
		l->nrec++;
		p = q;
	}
	return 0;
}

static void
lines_free(lines *l)
{
	free(l->r);
}

/* copy -- append lines [i, i + n) of l; add_nl: end with '\n' even if
 * the last line lacks one (before a marker line). */
static int
copy(vcs_str *out, const lines *l, long i, long n, int add_nl)
{
	int rc = 0;

	if (n < 1)
		return 0;
	for (long k = i; k < i + n && !rc; k++)
		rc = vcs_str_add(out, l->r[k].p, (size_t)l->r[k].n);
	if (!rc && add_nl &&
	    (l->r[i + n - 1].n == 0 || l->r[i + n - 1].p[l->r[i + n - 1].n - 1] != '\n'))
		rc = vcs_str_add(out, "\n", 1);
	return rc;
}

/* marker -- size copies of c, then " label" if any, then '\n'. */
static int
marker(vcs_str *out, char c, int size, const char *label)
{
	int rc = 0;

	for (int k = 0; k < size && !rc; k++)
		rc = vcs_str_add(out, &c, 1);
	if (!rc && label)
		rc = vcs_str_addf(out, " %s", label);
	return rc ? rc : vcs_str_add(out, "\n", 1);
}

/* ---- hunks ------------------------------------------------------- */

/* append -- git's xdl_append_merge: a change that touches the last
 * hunk on either side joins it (a conflict if the modes differ). */
static int
append(hunks *hs, int mode, long i0, long chg0, long i1, long chg1,
       long i2, long chg2)
{
	hunk *m = hs->n ? &hs->h[hs->n - 1] : NULL;

	if (m && (i1 <= m->i1 + m->chg1 || i2 <= m->i2 + m->chg2)) {
		if (mode != m->mode)
			m->mode = H_CONFLICT;
		m->chg0 = i0 + chg0 - m->i0;
		m->chg1 = i1 + chg1 - m->i1;
		m->chg2 = i2 + chg2 - m->i2;
		return 0;
	}
	if (VCS_ARRAY_GROW(hs->h, hs->cap, hs->n + 1, 16))
		return PMDB_ENOMEM;
	hs->h[hs->n++] = (hunk){ mode, i0, chg0, i1, chg1, i2, chg2 };
	return 0;
}

/* same_lines -- 1 if ours [i1, +n) equals theirs [i2, +n). */
static int
same_lines(const lines *a, long i1, const lines *b, long i2, long n)
{
	for (long k = 0; k < n; k++)
		if (a->r[i1 + k].n != b->r[i2 + k].n ||
		    memcmp(a->r[i1 + k].p, b->r[i2 + k].p, (size_t)a->r[i1 + k].n))
			return 0;
	return 1;
}

/* walk -- pair the scripts base->ours (x1) and base->theirs (x2) into
 * hunks, as git's xdl_do_merge. */
static int
walk(hunks *hs, const lines *l1, const lines *l2, const lines *l0,
     const xchange *x1, long n1, const xchange *x2, long n2, int level)
{
	long a = 0, b = 0;
	int rc = 0;

	while (a < n1 && b < n2 && !rc) {
		const xchange *c1 = &x1[a], *c2 = &x2[b];

		if (c1->i1 + c1->chg1 < c2->i1) {
			rc = append(hs, H_OURS, c1->i1, c1->chg1, c1->i2, c1->chg2,
				    c2->i2 - c2->i1 + c1->i1, c1->chg1);
			a++;
			continue;
		}
		if (c2->i1 + c2->chg1 < c1->i1) {
			rc = append(hs, H_THEIRS, c2->i1, c2->chg1,
				    c1->i2 - c1->i1 + c2->i1, c2->chg1, c2->i2,
				    c2->chg2);
			b++;
			continue;
		}
		if (level == VCS_XMERGE_MINIMAL || c1->i1 != c2->i1 ||
		    c1->chg1 != c2->chg1 || c1->chg2 != c2->chg2 ||
		    !same_lines(l1, c1->i2, l2, c2->i2, c1->chg2)) {
			/* the conflict spans both changes on every side */
			long off = c1->i1 - c2->i1;
			long ffo = off + c1->chg1 - c2->chg1;
			long i0 = c1->i1, i1 = c1->i2, i2 = c2->i2;
			long chg0, chg1, chg2;

			if (off > 0) {
				i0 -= off;
				i1 -= off;
			} else {
				i2 += off;
			}
			chg0 = c1->i1 + c1->chg1 - i0;
			chg1 = c1->i2 + c1->chg2 - i1;
			chg2 = c2->i2 + c2->chg2 - i2;
			if (ffo < 0) {
				chg0 -= ffo;
				chg1 -= ffo;
			} else {
				chg2 += ffo;
			}
			rc = append(hs, H_CONFLICT, i0, chg0, i1, chg1, i2, chg2);
		}
		{
			long e1 = c1->i1 + c1->chg1, e2 = c2->i1 + c2->chg1;
			if (e1 >= e2)
				b++;
			if (e2 >= e1)
				a++;
		}
	}
	for (; a < n1 && !rc; a++)
		rc = append(hs, H_OURS, x1[a].i1, x1[a].chg1, x1[a].i2,
			    x1[a].chg2, x1[a].i1 + l2->nrec - l0->nrec,
			    x1[a].chg1);
	for (; b < n2 && !rc; b++)
		rc = append(hs, H_THEIRS, x2[b].i1, x2[b].chg1,
			    x2[b].i1 + l1->nrec - l0->nrec, x2[b].chg1,
			    x2[b].i2, x2[b].chg2);
	return rc;
}

/* refine -- narrow each conflict to the lines where the two sides'
 * versions differ (git's xdl_refine_conflicts); hs is rebuilt. */
static int
refine(hunks *hs, const lines *l1, const lines *l2)
{
	hunks out = { NULL, 0, 0 };
	int rc = 0;

	for (size_t k = 0; k < hs->n && !rc; k++) {
		hunk m = hs->h[k];
		xchange *x = NULL;
		long nx;
		const char *p1, *p2;
		size_t s1, s2;

		if (m.mode != H_CONFLICT || m.chg1 == 0 || m.chg2 == 0) {
			if (VCS_ARRAY_GROW(out.h, out.cap, out.n + 1, 16))
				rc = PMDB_ENOMEM;
			else
				out.h[out.n++] = m;
			continue;
		}
		p1 = l1->r[m.i1].p;
		s1 = (size_t)(l1->r[m.i1 + m.chg1 - 1].p + l1->r[m.i1 + m.chg1 - 1].n - p1);
		p2 = l2->r[m.i2].p;
		s2 = (size_t)(l2->r[m.i2 + m.chg2 - 1].p + l2->r[m.i2 + m.chg2 - 1].n - p2);
		nx = vcs_xdiff__script(p1, s1, p2, s2, 0, &x);
		if (nx < 0) {
			rc = (int)nx;
			break;
		}
		if (nx == 0) {
			m.mode = H_SAME;
			if (VCS_ARRAY_GROW(out.h, out.cap, out.n + 1, 16))
				rc = PMDB_ENOMEM;
			else
				out.h[out.n++] = m;
			continue;
		}
		for (long j = 0; j < nx && !rc; j++) {
			hunk r = m;

			r.i1 = x[j].i1 + m.i1;
			r.chg1 = x[j].chg1;
			r.i2 = x[j].i2 + m.i2;
			r.chg2 = x[j].chg2;
			if (VCS_ARRAY_GROW(out.h, out.cap, out.n + 1, 16))
				rc = PMDB_ENOMEM;
			else
				out.h[out.n++] = r;
		}
		free(x);
	}
	free(hs->h);
	*hs = out;
	return rc;
}

/* has_alnum -- 1 if a line of ours [i, +n) holds an ASCII letter or
 * digit (git's isalnum ignores bytes >= 0x80). */
static int
has_alnum(const lines *l, long i, long n)
{
	for (long k = i; k < i + n; k++)
		for (long j = 0; j < l->r[k].n; j++) {
			unsigned char c = (unsigned char)l->r[k].p[j];
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z'))
				return 1;
		}
	return 0;
}

/* simplify -- join conflicts fewer than four lines apart (git's
 * xdl_simplify_non_conflicts): one conflict reads shorter than two. */
static void
simplify(hunks *hs, const lines *l1, int alnum)
{
	size_t k = 0;

	while (k + 1 < hs->n) {
		hunk *m = &hs->h[k], *nx = &hs->h[k + 1];
		long begin = m->i1 + m->chg1, end = nx->i1;

		if (m->mode != H_CONFLICT || nx->mode != H_CONFLICT ||
		    (end - begin > 3 && (!alnum || has_alnum(l1, begin, end - begin)))) {
			k++;
			continue;
		}
		m->chg1 = nx->i1 + nx->chg1 - m->i1;
		m->chg2 = nx->i2 + nx->chg2 - m->i2;
		memmove(nx, nx + 1, (hs->n - k - 2) * sizeof(*nx));
		hs->n--;
	}
}

/* fill -- the merged text (git's xdl_fill_merge_buffer). */
static int
fill(vcs_str *out, const hunks *hs, const lines *l0, const lines *l1,
     const lines *l2, const vcs_xmerge_opts *o, int ms)
{
	long i = 0;
	int rc = 0;

	for (size_t k = 0; k < hs->n && !rc; k++) {
		const hunk *m = &hs->h[k];

		if (m->mode == H_CONFLICT) {
			rc = copy(out, l1, i, m->i1 - i, 0);
			rc = rc ? rc : marker(out, '<', ms, o->ours);
			rc = rc ? rc : copy(out, l1, m->i1, m->chg1, 1);
			if (!rc && o->style == VCS_XMERGE_STYLE_DIFF3) {
				rc = marker(out, '|', ms, o->base);
				rc = rc ? rc : copy(out, l0, m->i0, m->chg0, 1);
			}
			rc = rc ? rc : marker(out, '=', ms, NULL);
			rc = rc ? rc : copy(out, l2, m->i2, m->chg2, 1);
			rc = rc ? rc : marker(out, '>', ms, o->theirs);
		} else if (m->mode == H_OURS) {
			rc = copy(out, l1, i, m->i1 + m->chg1 - i, 0);
		} else if (m->mode == H_THEIRS) {
			rc = copy(out, l2, m->i2 - m->i1 + i, m->i1 + m->chg2 - i, 0);
		} else {
			continue;
		}
		i = m->i1 + m->chg1;
	}
	return rc ? rc : copy(out, l1, i, l1->nrec - i, 0);
}

int
vcs_xmerge(vcs_str *out, const void *base, size_t base_len, const void *ours,
	   size_t ours_len, const void *theirs, size_t theirs_len,
	   const vcs_xmerge_opts *o)
{
	vcs_xmerge_opts def = VCS_XMERGE_OPTS_INIT;
	lines l0, l1, l2;
	hunks hs = { NULL, 0, 0 };
	xchange *x1 = NULL, *x2 = NULL;
	long n1, n2;
	int rc, level, ms;

	if (!o)
		o = &def;
	level = o->level;
	ms = o->marker_size > 0 ? o->marker_size : 7;
	/* "diff3 -m" output makes no sense beyond EAGER (git's rule) */
	if (o->style == VCS_XMERGE_STYLE_DIFF3 && level > VCS_XMERGE_EAGER)
		level = VCS_XMERGE_EAGER;
	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	rc = lines_split(&l0, base, base_len);
	rc = rc ? rc : lines_split(&l1, ours, ours_len);
	rc = rc ? rc : lines_split(&l2, theirs, theirs_len);
	if (rc)
		goto out;
	n1 = vcs_xdiff__script(base, base_len, ours, ours_len, 0, &x1);
	n2 = n1 < 0 ? 0 : vcs_xdiff__script(base, base_len, theirs, theirs_len,
					     0, &x2);
	if (n1 < 0 || n2 < 0) {
		rc = PMDB_ENOMEM;
		goto out;
	}
	if (n1 == 0) {
		rc = vcs_str_add(out, theirs, theirs_len);
		goto out;
	}
	if (n2 == 0) {
		rc = vcs_str_add(out, ours, ours_len);
		goto out;
	}
	rc = walk(&hs, &l1, &l2, &l0, x1, n1, x2, n2, level);
	if (!rc && level >= VCS_XMERGE_ZEALOUS) {
		rc = refine(&hs, &l1, &l2);
		if (!rc)
			simplify(&hs, &l1, level > VCS_XMERGE_ZEALOUS);
	}
	if (!rc)
		rc = fill(out, &hs, &l0, &l1, &l2, o, ms);
	if (!rc)
		for (size_t k = 0; k < hs.n; k++)
			rc += hs.h[k].mode == H_CONFLICT;
out:
	if (rc < 0)
		vcs_seterr(rc, "out of memory");
	free(hs.h);
	free(x1);
	free(x2);
	lines_free(&l0);
	lines_free(&l1);
	lines_free(&l2);
	return rc;
}
