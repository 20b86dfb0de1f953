/*
 * logwalk.c -- git's default history walk (see logwalk.h).
 *
 * Order: the queue pops the commit with the latest committer date;
 * commits with equal dates come out in the order they were queued
 * (starting points in order, then parents in order), as git's
 * commit_list_insert_by_date does.
 *
 * Cost per commit: one in-place view when it is queued (date; with
 * VCS_LOGWALK_SUBJECT also its parents and subject, copied into one
 * growing arena, so nothing is read twice), a second view when it is
 * shown only for the other formats (they parse the whole commit); no
 * allocation per commit: the seen-set is open addressing keyed by the
 * id's first bytes, the queue and the arena are growing arrays.
 *
 * Invariants:
 *  1. Every id in the heap is in seen; an id enters the heap at most once.
 *  2. At most one view is held between calls (w->guard, the commit last
 *     returned by next, never in subject mode); views taken in queue()
 *     are released before it returns.
 *  3. Subject mode: the arena record of a queued commit is, at aoff,
 *     u32 nparents, nparents raw ids (hashlen bytes each), u32 n, n bytes
 *     of subject. Records are only appended (offsets stay valid).
 */
#include <stdlib.h>
#include <string.h>

#include "logwalk.h"

typedef struct qitem {
	pmdb_oid oid;
	long long date;
	uint64_t seq;
	size_t aoff;           /* subject mode: its arena record */
} qitem;

/* The set of commits queued so far: open addressing, linear probing. */
typedef struct seenset {
	pmdb_oid *slots;
	uint8_t *used;
	size_t cap, n;         /* cap: a power of two, n <= cap / 2 */
} seenset;

struct vcs_logwalk {
	vcs_repo *repo;
	size_t hashlen;
	unsigned flags;
	qitem *h;              /* binary max-heap on (date, -seq) */
	size_t n, cap;
	uint64_t seq;
	seenset seen;
	vcs_str arena;         /* subject mode: see invariant 3 */
	pmdb_view_guard *guard; /* view of the commit last returned */
};

static int queue(vcs_logwalk *w, const pmdb_oid *oid);
static int seen_add(seenset *s, const pmdb_oid *oid);

/* vcs_logwalk_new -- an empty walk */
int
vcs_logwalk_new(vcs_logwalk **out, vcs_repo *repo, unsigned flags)
{
	vcs_logwalk *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	w->repo = repo;
	w->flags = flags;
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
	if (w->flags & VCS_LOGWALK_SUBJECT) {
		uint32_t np, sl;

		memcpy(&np, w->arena.data + top.aoff, 4);
		for (uint32_t p = 0; p < np; p++) {
			pmdb_oid po;

			memset(&po, 0, sizeof(po));
			memcpy(po.id, w->arena.data + top.aoff + 4 +
			       p * w->hashlen, w->hashlen);
			if ((rc = queue(w, &po)))       /* may move arena */
				return rc;
		}
		memset(hdr, 0, sizeof(*hdr));
		top.aoff += 4 + np * w->hashlen;
		memcpy(&sl, w->arena.data + top.aoff, 4);
		hdr->nparents = np;
		hdr->date = top.date;
		hdr->message = (const char *)w->arena.data + top.aoff + 4;
		hdr->message_len = sl;
		*oid = top.oid;
		return 1;
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
	free(w->seen.slots);
	free(w->seen.used);
	vcs_str_free(&w->arena);
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

/* arena_record -- subject mode: append h's record (invariant 3) */
static int
arena_record(vcs_logwalk *w, const vcs_commit_hdr *h, size_t *aoff)
{
	vcs_str *a = &w->arena;
	uint32_t np = (uint32_t)h->nparents, sl;
	size_t at;
	int rc;

	*aoff = a->len;
	if (h->nparents > UINT32_MAX ||
	    (rc = vcs_str_grow(a, 8 + h->nparents * w->hashlen + 80)))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	memcpy(a->data + a->len, &np, 4);
	a->len += 4;
	for (size_t p = 0; p < h->nparents; p++) {
		pmdb_oid po;

		vcs_commit_hdr_parent(h, p, w->hashlen, &po);
		memcpy(a->data + a->len, po.id, w->hashlen);
		a->len += w->hashlen;
	}
	at = a->len;
	a->len += 4;
	if ((rc = vcs_subject_append(a, h->message, h->message_len)))
		return vcs_seterr(rc, "walking history: out of memory");
	if (a->len - at - 4 > UINT32_MAX)
		return vcs_seterr(PMDB_ENOMEM, "walking history: subject too long");
	sl = (uint32_t)(a->len - at - 4);
	memcpy(a->data + at, &sl, 4);
	return 0;
}

/* queue -- add a commit once: read it in place, push it on the heap */
static int
queue(vcs_logwalk *w, const pmdb_oid *oid)
{
	pmdb_view_guard *g;
	vcs_commit_hdr h;
	size_t i, aoff = 0;
	int rc = seen_add(&w->seen, oid);

	if (rc < 0)
		return vcs_seterr(rc, "walking history: out of memory");
	if (rc == 0)
		return 0;
	if ((rc = vcs_commit_view(w->repo, oid, &h, &g)))
		return rc;
	if (w->flags & VCS_LOGWALK_SUBJECT)
		rc = arena_record(w, &h, &aoff);
	pmdb_view_release(g);
	if (rc)
		return rc;
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
	w->h[i].aoff = aoff;
	return 0;
}

/* seen_slot -- home slot of an id: its first 8 bytes (ids are hashes) */
static size_t
seen_slot(const seenset *s, const pmdb_oid *oid)
{
	uint64_t k;

	memcpy(&k, oid->id, sizeof(k));
	return (size_t)k & (s->cap - 1);
}

/* seen_add -- insert; 1 if new, 0 if present, PMDB_ENOMEM */
static int
seen_add(seenset *s, const pmdb_oid *oid)
{
	size_t j;

	if (2 * (s->n + 1) > s->cap) {
		seenset g = { NULL, NULL, s->cap ? 2 * s->cap : 1024, 0 };

		g.slots = malloc(g.cap * sizeof(*g.slots));
		g.used = calloc(g.cap, 1);
		if (!g.slots || !g.used) {
			free(g.slots);
			free(g.used);
			return PMDB_ENOMEM;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->used[i])
				continue;
			for (j = seen_slot(&g, &s->slots[i]); g.used[j];
			     j = (j + 1) & (g.cap - 1))
				;
			g.slots[j] = s->slots[i];
			g.used[j] = 1;
		}
		g.n = s->n;
		free(s->slots);
		free(s->used);
		*s = g;
	}
	for (j = seen_slot(s, oid); s->used[j]; j = (j + 1) & (s->cap - 1))
		if (!memcmp(&s->slots[j], oid, sizeof(*oid)))
			return 0;
	s->slots[j] = *oid;
	s->used[j] = 1;
	s->n++;
	return 1;
}
