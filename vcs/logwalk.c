/*
 * logwalk.c -- git's default history walk (see logwalk.h).
 *
 * Order: the queue pops the commit with the latest committer date;
 * commits with equal dates come out in the order they were queued
 * (starting points in order, then parents in order), as git's
 * commit_list_insert_by_date does.
 *
 * Cost per commit: two in-place views (one when it is queued, for its
 * date; one when it is shown, for its parents and message), no copy and
 * no allocation; the seen-set is open addressing (vcs_oidset) and the
 * queue one growing array.
 *
 * Invariants:
 *  1. Every id in the heap is in seen; an id enters the heap at most once.
 *  2. At most one view is held between calls (w->guard, the commit last
 *     returned by next); views taken to read a parent's date are released
 *     before queue() returns.
 */
#include <stdlib.h>
#include <string.h>

#include "fsck.h"
#include "logwalk.h"

typedef struct qitem {
	pmdb_oid oid;
	long long date;
	uint64_t seq;
} qitem;

struct vcs_logwalk {
	vcs_repo *repo;
	size_t hashlen;
	qitem *h;              /* binary max-heap on (date, -seq) */
	size_t n, cap;
	uint64_t seq;
	vcs_oidset seen;
	pmdb_view_guard *guard; /* view of the commit last returned */
};

static int queue(vcs_logwalk *w, const pmdb_oid *oid);

/* vcs_logwalk_new -- an empty walk */
int
vcs_logwalk_new(vcs_logwalk **out, vcs_repo *repo)
{
	vcs_logwalk *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	w->repo = repo;
	w->hashlen = pmdb_hash_len(repo->algo);
	*out = w;
	return 0;
}

/* vcs_logwalk_push -- queue a starting point, peeling tags */
int
vcs_logwalk_push(vcs_logwalk *w, const pmdb_oid *oid)
{
	pmdb_oid c;
	int rc = vcs_peel(w->repo, oid, PMDB_OBJ_COMMIT, &c);

	return rc ? rc : queue(w, &c);
}

/* vcs_logwalk_next -- pop the next commit, queue its parents */
int
vcs_logwalk_next(vcs_logwalk *w, pmdb_oid *oid, vcs_commit_hdr *hdr)
{
	qitem top;
	size_t i = 0;
	int rc;

	pmdb_view_release(w->guard);
	w->guard = NULL;
	if (!w->n)
		return 0;
	top = w->h[0];
	w->h[0] = w->h[--w->n];
	for (;;) {                      /* sift down */
		size_t l = 2 * i + 1, r = l + 1, m = i;
		qitem t;

		if (l < w->n && (w->h[l].date > w->h[m].date ||
				 (w->h[l].date == w->h[m].date &&
				  w->h[l].seq < w->h[m].seq)))
			m = l;
		if (r < w->n && (w->h[r].date > w->h[m].date ||
				 (w->h[r].date == w->h[m].date &&
				  w->h[r].seq < w->h[m].seq)))
			m = r;
		if (m == i)
			break;
		t = w->h[i];
		w->h[i] = w->h[m];
		w->h[m] = t;
		i = m;
	}
	if ((rc = vcs_commit_view(w->repo, &top.oid, hdr, &w->guard)))
		return rc;
	for (size_t p = 0; p < hdr->nparents; p++) {
		pmdb_oid po;

		vcs_commit_hdr_parent(hdr, p, w->hashlen, &po);
		if ((rc = queue(w, &po)))
			return rc;
	}
	*oid = top.oid;
	return 1;
}

/* vcs_logwalk_free -- release everything. NULL-safe. */
void
vcs_logwalk_free(vcs_logwalk *w)
{
	if (!w)
		return;
	pmdb_view_release(w->guard);
	free(w->h);
	vcs_oidset_free(&w->seen);
	free(w);
}

/* vcs_subject_append -- git's %s (see logwalk.h) */
int
vcs_subject_append(vcs_str *out, const char *m, size_t n)
{
	int rc = 0, first = 1;

	while (n) {                     /* skip blank leading lines */
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n, k;

		for (k = 0; k < l && (m[k] == ' ' || m[k] == '\t'); k++)
			;
		if (k < l || !nl)
			break;
		m += l + 1;
		n -= l + 1;
	}
	while (n && !rc) {              /* the first paragraph */
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n, t = l;

		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t' ||
			     m[t - 1] == '\r'))
			t--;
		if (!t)
			break;
		if (!first)
			rc = vcs_str_add(out, " ", 1);
		rc = rc ? rc : vcs_str_add(out, m, t);
		first = 0;
		m += nl ? l + 1 : l;
		n -= nl ? l + 1 : l;
	}
	return rc;
}

/* queue -- add a commit once: read its date in place, push it on the heap */
static int
queue(vcs_logwalk *w, const pmdb_oid *oid)
{
	pmdb_view_guard *g;
	vcs_commit_hdr h;
	size_t i;
	int rc = vcs_oidset_add(&w->seen, oid);

	if (rc < 0)
		return vcs_seterr(rc, "walking history: out of memory");
	if (rc == 0)
		return 0;
	if ((rc = vcs_commit_view(w->repo, oid, &h, &g)))
		return rc;
	pmdb_view_release(g);
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		qitem *nh = realloc(w->h, cap * sizeof(*nh));

		if (!nh)
			return vcs_seterr(PMDB_ENOMEM,
					  "walking history: out of memory");
		w->h = nh;
		w->cap = cap;
	}
	i = w->n++;
	while (i) {                     /* sift up */
		size_t up = (i - 1) / 2;

		if (!(h.date > w->h[up].date))  /* ties: the older seq wins */
			break;
		w->h[i] = w->h[up];
		i = up;
	}
	w->h[i].oid = *oid;
	w->h[i].date = h.date;
	w->h[i].seq = w->seq++;
	return 0;
}
