/*
 * xdiff.c -- the line diff engine behind vcs_diff_text(): Myers' O(ND)
 * algorithm with the same preparation, cost cut-offs and post-processing
 * that git's xdiff applies by default, so that hunks come out as git's.
 *
 * Steps (each one changes which of several minimal diffs is chosen, which
 * is why all are needed to match git byte for byte):
 *  1. lines are records including their '\n'; equal records share a class;
 *  2. common leading/trailing records are set aside; records with no match
 *     in the other file are marked changed at once, and records with many
 *     matches too when they sit in a run of such unmatched lines;
 *  3. the remaining records are diffed by divide and conquer on the middle
 *     snake, with the cost limit sqrt(N) (at least 256) and the "good
 *     snake" heuristic above cost 256;
 *  4. each group of changes is slid up and down as far as equal lines
 *     allow, merged with neighbours, aligned with the other side's groups,
 *     else placed by the indent heuristic (git's default since 2.14):
 *     xdiff_compact.c;
 *  5. hunks are emitted with `context` lines, merging changes closer than
 *     2 * context lines, with the default function-name rule.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "diff.h"
#include "xdiff_int.h"

/* Invariants: see xdiff_int.h. */

#define SNAKE_CNT 20
#define HEUR_MIN_COST 256
#define MAX_COST_MIN 256
#define K_HEUR 4
#define KPDIS_RUN 4
#define MAX_EQLIMIT 1024
#define SIMSCAN_WINDOW 100
#define LINE_MAX_ ((long)(~0UL >> 1))

typedef struct xenv {
	xfile f1, f2;
	long mxcost;
} xenv;

/* ---- preparation ------------------------------------------------- */

/* bogosqrt -- xdiff's cheap square-root bound (a power of two). */
static long
bogosqrt(long n)
{
	long i;

	for (i = 1; n > 0; n >>= 2)
		i <<= 1;
	return i;
}

/* split_lines -- fill f->recs with the lines of buf (last may lack '\n'). */
static int
split_lines(xfile *f, const char *buf, size_t len)
{
	size_t cap = 16;
	long n = 0;
	const char *p = buf, *end = buf + len;

	f->recs = malloc(sizeof(xrec) * cap);
	if (!f->recs)
		return PMDB_ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = nl ? nl + 1 : end;
		if (VCS_ARRAY_GROW(f->recs, cap, (size_t)n + 1, 16))
			return PMDB_ENOMEM;
		f->recs[n].p = p;
		f->recs[n].n = (long)(q - p);
		f->recs[n].cls = -1;
		n++;
		p = q;
	}
	f->nrec = n;
	/* chg is indexed from -1; it points one past its allocation as soon as
	 * it exists, so xfile_free() can always free chg - 1 */
	f->chg = calloc((size_t)n + 2, 1);
	if (!f->chg)
		return PMDB_ENOMEM;
	f->chg++;
	f->rindex = malloc(sizeof(long) * ((size_t)n + 1));
	f->ha = malloc(sizeof(long) * ((size_t)n + 1));
	if (!f->rindex || !f->ha)
		return PMDB_ENOMEM;
	return 0;
}

/* hash_bytes -- FNV-1a over one record. */
static uint64_t
hash_bytes(const char *p, long n)
{
	uint64_t h = 1469598103934665603ull;

	for (long i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
	return h;
}

/* classify -- give equal records of both files the same class id;
 * returns the number of classes or a negative error. */
static long
classify(xenv *xe)
{
	long total = xe->f1.nrec + xe->f2.nrec, nclass = 0;
	size_t hsize = 16;
	long *table;
	xrec **byclass;

	while (hsize < (size_t)total * 2)
		hsize <<= 1;
	table = malloc(sizeof(long) * hsize);
	byclass = malloc(sizeof(xrec *) * ((size_t)total + 1));
	if (!table || !byclass) {
		free(table);
		free(byclass);
		return PMDB_ENOMEM;
	}
	memset(table, 0xff, sizeof(long) * hsize);
	for (int w = 0; w < 2; w++) {
		xfile *f = w ? &xe->f2 : &xe->f1;
		for (long i = 0; i < f->nrec; i++) {
			xrec *r = &f->recs[i];
			size_t h = (size_t)hash_bytes(r->p, r->n) & (hsize - 1);
			while (table[h] >= 0) {
				xrec *o = byclass[table[h]];
				if (o->n == r->n && !memcmp(o->p, r->p, (size_t)r->n))
					break;
				h = (h + 1) & (hsize - 1);
			}
			if (table[h] < 0) {
				table[h] = nclass;
				byclass[nclass++] = r;
			}
			r->cls = table[h];
		}
	}
	free(table);
	free(byclass);
	return nclass;
}

/* clean_mmatch -- 1 if multi-match record i sits in a run dominated by
 * unmatched records (then it is discarded like them). */
static int
clean_mmatch(const char *dis, long i, long s, long e)
{
	long r, rdis0, rpdis0, rdis1, rpdis1;

	if (i - s > SIMSCAN_WINDOW)
		s = i - SIMSCAN_WINDOW;
	if (e - i > SIMSCAN_WINDOW)
		e = i + SIMSCAN_WINDOW;
	for (r = 1, rdis0 = 0, rpdis0 = 1; i - r >= s; r++) {
		if (!dis[i - r])
			rdis0++;
		else if (dis[i - r] == 2)
			rpdis0++;
		else
			break;
	}
	if (rdis0 == 0)
		return 0;
	for (r = 1, rdis1 = 0, rpdis1 = 1; i + r <= e; r++) {
		if (!dis[i + r])
			rdis1++;
		else if (dis[i + r] == 2)
			rpdis1++;
		else
			break;
	}
	if (rdis1 == 0)
		return 0;
	rdis1 += rdis0;
	rpdis1 += rpdis0;
	return rpdis1 * KPDIS_RUN < rpdis1 + rdis1;
}

/* prepare -- trim common ends, then choose the records Myers sees. */
static int
prepare(xenv *xe, long nclass)
{
	xfile *f1 = &xe->f1, *f2 = &xe->f2;
	long i, lim = f1->nrec < f2->nrec ? f1->nrec : f2->nrec;
	long *cnt1 = calloc((size_t)nclass + 1, sizeof(long));
	long *cnt2 = calloc((size_t)nclass + 1, sizeof(long));
	char *dis = malloc((size_t)(f1->nrec + f2->nrec) + 2);

	if (!cnt1 || !cnt2 || !dis) {
		free(cnt1);
		free(cnt2);
		free(dis);
		return PMDB_ENOMEM;
	}
	for (i = 0; i < lim && f1->recs[i].cls == f2->recs[i].cls; i++)
		;
	f1->dstart = f2->dstart = i;
	lim -= i;
	for (i = 0; i < lim && f1->recs[f1->nrec - 1 - i].cls ==
			       f2->recs[f2->nrec - 1 - i].cls; i++)
		;
	f1->dend = f1->nrec - i - 1;
	f2->dend = f2->nrec - i - 1;

	/* xdiff counts matches over the whole other file */
	for (i = 0; i < f1->nrec; i++)
		cnt1[f1->recs[i].cls]++;
	for (i = 0; i < f2->nrec; i++)
		cnt2[f2->recs[i].cls]++;
	for (int w = 0; w < 2; w++) {
		xfile *f = w ? f2 : f1;
		long *other = w ? cnt1 : cnt2;
		long mlim = bogosqrt(f->nrec), nreff = 0;
		char *d = dis;

		if (mlim > MAX_EQLIMIT)
			mlim = MAX_EQLIMIT;
		for (i = f->dstart; i <= f->dend; i++) {
			long nm = other[f->recs[i].cls];
			d[i] = nm == 0 ? 0 : nm >= mlim ? 2 : 1;
		}
		for (i = f->dstart; i <= f->dend; i++) {
			if (d[i] == 1 ||
			    (d[i] == 2 && !clean_mmatch(d, i, f->dstart, f->dend))) {
				f->rindex[nreff] = i;
				f->ha[nreff] = f->recs[i].cls;
				nreff++;
			} else {
				f->chg[i] = 1;
			}
		}
		f->nreff = nreff;
	}
	free(cnt1);
	free(cnt2);
	free(dis);
	return 0;
}

/* ---- Myers -------------------------------------------------------- */

typedef struct split {
	long i1, i2;
	int min_lo, min_hi;
} split;

/* find_split -- middle snake of box (off1,off2)-(lim1,lim2), or a good
 * enough point once the cost grows past the heuristics' limits. */
static void
find_split(xenv *xe, long off1, long lim1, long off2, long lim2,
	   long *kf, long *kb, int need_min, split *sp)
{
	const long *h1 = xe->f1.ha, *h2 = xe->f2.ha;
	long dmin = off1 - lim2, dmax = lim1 - off2;
	long fmid = off1 - off2, bmid = lim1 - lim2;
	long odd = (fmid - bmid) & 1;
	long fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
	long ec, d, i1, i2, prev1, best, dd, v, k;

	kf[fmid] = off1;
	kb[bmid] = lim1;
	for (ec = 1;; ec++) {
		int got_snake = 0;

		if (fmin > dmin)
			kf[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			kf[++fmax + 1] = -1;
		else
			--fmax;
		for (d = fmax; d >= fmin; d -= 2) {
			i1 = kf[d - 1] >= kf[d + 1] ? kf[d - 1] + 1 : kf[d + 1];
			prev1 = i1;
			i2 = i1 - d;
			while (i1 < lim1 && i2 < lim2 && h1[i1] == h2[i2]) {
				i1++;
				i2++;
			}
			if (i1 - prev1 > SNAKE_CNT)
				got_snake = 1;
			kf[d] = i1;
			if (odd && bmin <= d && d <= bmax && kb[d] <= i1) {
				sp->i1 = i1;
				sp->i2 = i2;
				sp->min_lo = sp->min_hi = 1;
				return;
			}
		}
		if (bmin > dmin)
			kb[--bmin - 1] = LINE_MAX_;
		else
			++bmin;
		if (bmax < dmax)
			kb[++bmax + 1] = LINE_MAX_;
		else
			--bmax;
		for (d = bmax; d >= bmin; d -= 2) {
			i1 = kb[d - 1] < kb[d + 1] ? kb[d - 1] : kb[d + 1] - 1;
			prev1 = i1;
			i2 = i1 - d;
			while (i1 > off1 && i2 > off2 && h1[i1 - 1] == h2[i2 - 1]) {
				i1--;
				i2--;
			}
			if (prev1 - i1 > SNAKE_CNT)
				got_snake = 1;
			kb[d] = i1;
			if (!odd && fmin <= d && d <= fmax && i1 <= kf[d]) {
				sp->i1 = i1;
				sp->i2 = i2;
				sp->min_lo = sp->min_hi = 1;
				return;
			}
		}
		if (need_min)
			continue;
		if (got_snake && ec > HEUR_MIN_COST) {
			for (best = 0, d = fmax; d >= fmin; d -= 2) {
				dd = d > fmid ? d - fmid : fmid - d;
				i1 = kf[d];
				i2 = i1 - d;
				v = (i1 - off1) + (i2 - off2) - dd;
				if (v > K_HEUR * ec && v > best &&
				    off1 + SNAKE_CNT <= i1 && i1 < lim1 &&
				    off2 + SNAKE_CNT <= i2 && i2 < lim2) {
					for (k = 1; h1[i1 - k] == h2[i2 - k]; k++)
						if (k == SNAKE_CNT) {
							best = v;
							sp->i1 = i1;
							sp->i2 = i2;
							break;
						}
				}
			}
			if (best > 0) {
				sp->min_lo = 1;
				sp->min_hi = 0;
				return;
			}
			for (best = 0, d = bmax; d >= bmin; d -= 2) {
				dd = d > bmid ? d - bmid : bmid - d;
				i1 = kb[d];
				i2 = i1 - d;
				v = (lim1 - i1) + (lim2 - i2) - dd;
				if (v > K_HEUR * ec && v > best &&
				    off1 < i1 && i1 <= lim1 - SNAKE_CNT &&
				    off2 < i2 && i2 <= lim2 - SNAKE_CNT) {
					for (k = 0; h1[i1 + k] == h2[i2 + k]; k++)
						if (k == SNAKE_CNT - 1) {
							best = v;
							sp->i1 = i1;
							sp->i2 = i2;
							break;
						}
				}
			}
			if (best > 0) {
				sp->min_lo = 0;
				sp->min_hi = 1;
				return;
			}
		}
		if (ec >= xe->mxcost) {
			long fbest = -1, fbest1 = -1;
			long bbest = LINE_MAX_, bbest1 = LINE_MAX_;

			for (d = fmax; d >= fmin; d -= 2) {
				i1 = kf[d] < lim1 ? kf[d] : lim1;
				i2 = i1 - d;
				if (lim2 < i2) {
					i1 = lim2 + d;
					i2 = lim2;
				}
				if (fbest < i1 + i2) {
					fbest = i1 + i2;
					fbest1 = i1;
				}
			}
			for (d = bmax; d >= bmin; d -= 2) {
				i1 = kb[d] > off1 ? kb[d] : off1;
				i2 = i1 - d;
				if (i2 < off2) {
					i1 = off2 + d;
					i2 = off2;
				}
				if (i1 + i2 < bbest) {
					bbest = i1 + i2;
					bbest1 = i1;
				}
			}
			if ((lim1 + lim2) - bbest < fbest - (off1 + off2)) {
				sp->i1 = fbest1;
				sp->i2 = fbest - fbest1;
				sp->min_lo = 1;
				sp->min_hi = 0;
			} else {
				sp->i1 = bbest1;
				sp->i2 = bbest - bbest1;
				sp->min_lo = 0;
				sp->min_hi = 1;
			}
			return;
		}
	}
}

/* compare_boxes -- divide and conquer; marks changed records. */
static void
compare_boxes(xenv *xe, long off1, long lim1, long off2, long lim2,
	      long *kf, long *kb, int need_min)
{
	const long *h1 = xe->f1.ha, *h2 = xe->f2.ha;

	while (off1 < lim1 && off2 < lim2 && h1[off1] == h2[off2]) {
		off1++;
		off2++;
	}
	while (off1 < lim1 && off2 < lim2 && h1[lim1 - 1] == h2[lim2 - 1]) {
		lim1--;
		lim2--;
	}
	if (off1 == lim1) {
		for (; off2 < lim2; off2++)
			xe->f2.chg[xe->f2.rindex[off2]] = 1;
	} else if (off2 == lim2) {
		for (; off1 < lim1; off1++)
			xe->f1.chg[xe->f1.rindex[off1]] = 1;
	} else {
		split sp = { 0, 0, 0, 0 };

		find_split(xe, off1, lim1, off2, lim2, kf, kb, need_min, &sp);
		compare_boxes(xe, off1, sp.i1, off2, sp.i2, kf, kb, sp.min_lo);
		compare_boxes(xe, sp.i1, lim1, sp.i2, lim2, kf, kb, sp.min_hi);
	}
}

/* ---- script and emission ------------------------------------------ */

/* build_script -- the list of changes in file order; returns count. */
static long
build_script(const xenv *xe, xchange **out)
{
	const char *c1 = xe->f1.chg, *c2 = xe->f2.chg;
	long i1, i2, l1, l2, n = 0;
	size_t cap = 8;
	xchange *v = malloc(sizeof(*v) * cap);

	if (!v)
		return PMDB_ENOMEM;
	for (i1 = xe->f1.nrec, i2 = xe->f2.nrec; i1 >= 0 || i2 >= 0; i1--, i2--) {
		if (c1[i1 - 1] || c2[i2 - 1]) {
			for (l1 = i1; c1[i1 - 1]; i1--)
				;
			for (l2 = i2; c2[i2 - 1]; i2--)
				;
			if (VCS_ARRAY_GROW(v, cap, (size_t)n + 1, 8)) {
				free(v);
				return PMDB_ENOMEM;
			}
			v[n].i1 = i1;
			v[n].i2 = i2;
			v[n].chg1 = l1 - i1;
			v[n].chg2 = l2 - i2;
			n++;
		}
	}
	for (long a = 0, b = n - 1; a < b; a++, b--) {
		xchange t = v[a];
		v[a] = v[b];
		v[b] = t;
	}
	*out = v;
	return n;
}

/* emit_rec -- one line with its prefix, plus git's no-newline marker. */
static int
emit_rec(vcs_str *out, char pre, const xrec *r)
{
	int rc = vcs_str_add(out, &pre, 1);

	if (!rc)
		rc = vcs_str_add(out, r->p, (size_t)r->n);
	if (!rc && (r->n == 0 || r->p[r->n - 1] != '\n'))
		rc = vcs_str_adds(out, "\n\\ No newline at end of file\n");
	return rc;
}

/* find_func -- git's default funcname: last line before s starting with
 * a letter, '_' or '$', cut to 80 bytes, trailing blanks dropped. */
static long
find_func(const xfile *f, long s, const char **p)
{
	while (s-- > 0) {
		const xrec *r = &f->recs[s];
		unsigned char c = r->n > 0 ? (unsigned char)r->p[0] : 0;
		if (r->n > 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 c == '_' || c == '$')) {
			long len = r->n > 80 ? 80 : r->n;
			while (len > 0 && strchr(" \t\n\r\v\f", r->p[len - 1]))
				len--;
			*p = r->p;
			return len;
		}
	}
	return 0;
}

/* add_range -- "-a,b" as git writes it (",1" omitted, start-1 if empty). */
static int
add_range(vcs_str *out, char sign, long s, long c)
{
	int rc = vcs_str_addf(out, "%c%ld", sign, c ? s : s - 1);

	if (!rc && c != 1)
		rc = vcs_str_addf(out, ",%ld", c);
	return rc;
}

/* emit -- write the hunks for the script. */
static int
emit(vcs_str *out, const xenv *xe, const xchange *v, long n, long ctx)
{
	long max_common = 2 * ctx;
	int rc = 0;

	for (long h = 0; h < n && !rc;) {
		long e = h, s1, s2, e1, e2, lctx, flen;
		const char *fp = NULL;

		while (e + 1 < n && v[e + 1].i1 - (v[e].i1 + v[e].chg1) <= max_common)
			e++;
		s1 = v[h].i1 - ctx > 0 ? v[h].i1 - ctx : 0;
		s2 = v[h].i2 - ctx > 0 ? v[h].i2 - ctx : 0;
		lctx = ctx;
		if (xe->f1.nrec - (v[e].i1 + v[e].chg1) < lctx)
			lctx = xe->f1.nrec - (v[e].i1 + v[e].chg1);
		if (xe->f2.nrec - (v[e].i2 + v[e].chg2) < lctx)
			lctx = xe->f2.nrec - (v[e].i2 + v[e].chg2);
		e1 = v[e].i1 + v[e].chg1 + lctx;
		e2 = v[e].i2 + v[e].chg2 + lctx;
		flen = find_func(&xe->f1, s1, &fp);
		rc = vcs_str_adds(out, "@@ ");
		rc = rc ? rc : add_range(out, '-', s1 + 1, e1 - s1);
		rc = rc ? rc : vcs_str_adds(out, " ");
		rc = rc ? rc : add_range(out, '+', s2 + 1, e2 - s2);
		rc = rc ? rc : vcs_str_adds(out, " @@");
		if (!rc && flen > 0) {
			rc = vcs_str_adds(out, " ");
			rc = rc ? rc : vcs_str_add(out, fp, (size_t)flen);
		}
		rc = rc ? rc : vcs_str_adds(out, "\n");
		for (; !rc && s1 < v[h].i1; s1++)
			rc = emit_rec(out, ' ', &xe->f1.recs[s1]);
		for (long c = h; !rc && c <= e; c++) {
			for (; !rc && s1 < v[c].i1; s1++)
				rc = emit_rec(out, ' ', &xe->f1.recs[s1]);
			for (long i = 0; !rc && i < v[c].chg1; i++)
				rc = emit_rec(out, '-', &xe->f1.recs[v[c].i1 + i]);
			for (long i = 0; !rc && i < v[c].chg2; i++)
				rc = emit_rec(out, '+', &xe->f2.recs[v[c].i2 + i]);
			s1 = v[c].i1 + v[c].chg1;
		}
		for (; !rc && s1 < e1; s1++)
			rc = emit_rec(out, ' ', &xe->f1.recs[s1]);
		h = e + 1;
	}
	return rc;
}

/* xfile_free -- release one side. */
static void
xfile_free(xfile *f)
{
	free(f->recs);
	if (f->chg)
		free(f->chg - 1);
	free(f->rindex);
	free(f->ha);
}

/* run -- steps 1-4 on a and b into xe; the script into *script. */
static long
run(xenv *xe, const void *a, size_t alen, const void *b, size_t blen,
    int indent, xchange **script)
{
	long nclass, *kvd = NULL, n;
	int rc;

	memset(xe, 0, sizeof(*xe));
	*script = NULL;
	rc = split_lines(&xe->f1, a, alen);
	rc = rc ? rc : split_lines(&xe->f2, b, blen);
	if (rc)
		return rc;
	nclass = classify(xe);
	if (nclass < 0)
		return nclass;
	rc = prepare(xe, nclass);
	if (rc)
		return rc;
	{
		long nd = xe->f1.nreff + xe->f2.nreff + 3;
		kvd = malloc(sizeof(long) * (size_t)(2 * nd + 2));
		if (!kvd)
			return PMDB_ENOMEM;
		xe->mxcost = bogosqrt(nd);
		if (xe->mxcost < MAX_COST_MIN)
			xe->mxcost = MAX_COST_MIN;
		compare_boxes(xe, 0, xe->f1.nreff, 0, xe->f2.nreff,
			      kvd + xe->f2.nreff + 1, kvd + nd + xe->f2.nreff + 1, 0);
	}
	free(kvd);
	vcs_xdiff__compact(&xe->f1, &xe->f2, indent);
	vcs_xdiff__compact(&xe->f2, &xe->f1, indent);
	n = build_script(xe, script);
	return n;
}

long
vcs_xdiff__script(const void *a, size_t alen, const void *b, size_t blen,
		  int indent, xchange **out)
{
	xenv xe;
	long n = run(&xe, a, alen, b, blen, indent, out);

	xfile_free(&xe.f1);
	xfile_free(&xe.f2);
	if (n <= 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

int
vcs_diff_text(vcs_str *out, const void *a, size_t alen, const void *b,
	      size_t blen, int context, size_t *added, size_t *deleted)
{
	xenv xe;
	xchange *script = NULL;
	long n;
	int rc = 0;

	if (context < 0)
		context = 3;
	n = run(&xe, a, alen, b, blen, 1, &script);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	if (added || deleted) {
		size_t na = 0, nd = 0;
		for (long i = 0; i < n; i++) {
			na += (size_t)script[i].chg2;
			nd += (size_t)script[i].chg1;
		}
		if (added)
			*added = na;
		if (deleted)
			*deleted = nd;
	}
	if (out)
		rc = emit(out, &xe, script, n, context);
out:
	free(script);
	xfile_free(&xe.f1);
	xfile_free(&xe.f2);
	return rc;
}
