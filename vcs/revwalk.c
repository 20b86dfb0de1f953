/*
 * revwalk.c -- git's default history walk (see revwalk.h).
 *
 * Order: the queue pops the commit with the latest committer date;
 * commits with equal dates come out in the order they were queued
 * (starting points in order, then parents in order), as git's
 * commit_list_insert_by_date does.
 *
 * Cost per commit: one in-place view when it is queued (date; with
 * VCS_REVWALK_SUBJECT also its parents and subject, copied into one
 * growing arena, so nothing is read twice), a second view when it is
 * shown only for the other formats (they parse the whole commit); no
 * allocation per commit: the seen-set is open addressing keyed by the
 * id's first bytes, the queue and the arena are growing arrays.
 *
 * Served walks (repo->borrowed: the pmvcs server's long-lived repo) keep
 * the subject-mode records in a process-wide cache, the in-memory
 * counterpart of git's commit-graph: a second log of the same history
 * reads no commit from the pool at all, only the cache (a commit is
 * immutable: its id fixes its parents, date and subject for good). The
 * cache belongs to the first env that fills it; walks on any other env
 * run uncached. It is only added to, never freed (the server keeps one
 * env for its lifetime), and is bounded by CACHE_MAX bytes. It also
 * remembers each commit's abbreviation length while the pool is unchanged
 * (invariant 5). PMVCS_NO_LOG_CACHE set in the server's environment turns
 * it off (for A/B measurements).
 *
 * Invariants:
 *  1. Every id in the heap is in seen; an id enters the heap at most once.
 *  2. At most one view is held between calls (w->guard, the commit last
 *     returned by next, never in subject mode); views taken in queue()
 *     are released before it returns.
 *  3. Subject mode: a queued commit's record (qitem.rec), 8-aligned, is
 *     i64 date, u64 abbrev stamp, u32 nparents, nparents raw ids (hashlen
 *     bytes each), u32 n, n bytes of subject. Records live in blocks that
 *     never move (the walk's own, or the cache's) and are immutable once
 *     written, but for the stamp (atomic).
 *  4. Cache: a record is reachable from the table only once complete;
 *     table and blocks change only under cache.mu.
 *  5. Abbreviation stamp: epoch << 16 | minlen << 8 | digits, where
 *     digits is what vcs_oid_abbrev_checked gave for minlen while the
 *     pool was in the state cache.epoch names (txn_seq and the object
 *     count, which every commit and every gc that removes something
 *     change). A stamp of an older epoch is ignored, so a cached length
 *     never outlives the objects that made it unique, and a commit whose
 *     length is reused was found in the index in this pool state.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "oidset.h"
#include "revwalk.h"

#define BLOCK_MIN (64u << 10)      /* record block size */
#define REC_HDR 20                 /* date, stamp, nparents */
#define CACHE_MAX (256u << 20)     /* cache bytes: beyond, walks copy */

/* A block of records; blocks never move (invariant 3). */
typedef struct block {
	struct block *next;
	size_t used, cap;
	uint8_t data[];
} block;

/* The served walks' record cache (see the header comment). */
static struct {
	pthread_mutex_t mu;
	pmdb_env *env;         /* whose commits these are */
	struct cslot {
		pmdb_oid oid;
		const uint8_t *rec;    /* NULL: empty slot */
	} *slots;
	size_t cap, n;         /* cap: a power of two, n <= cap / 2 */
	block *blocks;
	size_t bytes;
	uint64_t txn_seq, objects;     /* the pool state of epoch */
	uint64_t epoch;                /* invariant 5; 0: none yet */
} cache = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0, NULL, 0, 0, 0, 0 };

typedef struct qitem {
	pmdb_oid oid;
	long long date;
	uint64_t seq;
	const uint8_t *rec;    /* subject mode: its record (invariant 3) */
} qitem;


struct vcs_revwalk {
	vcs_repo *repo;
	size_t hashlen;
	unsigned flags;
	qitem *h;              /* binary max-heap on (date, -seq) */
	size_t n, cap;
	uint64_t seq;
	vcs_oidset seen;       /* the commits queued so far */
	block *blocks;         /* subject mode: records not in the cache */
	vcs_str scratch;       /* subject mode: the record being built */
	int cached;            /* subject mode and served: use the cache */
	uint64_t epoch;        /* cached: the pool state at the start */
	const uint8_t *last;   /* subject mode: record last returned */
	pmdb_view_guard *guard; /* view of the commit last returned */
};

static int queue(vcs_revwalk *w, const pmdb_oid *oid);

/* start_epoch -- a cached walk's pool state (invariant 5): a new epoch if
 * the pool changed since the last walk looked; without a stat, no
 * stamps are trusted or written (epoch 0) */
static void
start_epoch(vcs_revwalk *w)
{
	pmdb_stat st;
	uint64_t objects;

	w->epoch = 0;
	if (pmdb_env_stat(w->repo->env, &st))
		return;
	objects = st.objects[1] + st.objects[2] + st.objects[3] +
		  st.objects[4];
	pthread_mutex_lock(&cache.mu);
	if (!cache.epoch || cache.txn_seq != st.txn_seq ||
	    cache.objects != objects) {
		cache.epoch++;
		cache.txn_seq = st.txn_seq;
		cache.objects = objects;
	}
	w->epoch = cache.epoch;
	pthread_mutex_unlock(&cache.mu);
}

/* vcs_revwalk_new -- an empty walk */
int
vcs_revwalk_new(vcs_revwalk **out, vcs_repo *repo, unsigned flags)
{
	vcs_revwalk *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	w->repo = repo;
	w->flags = flags;
	w->hashlen = pmdb_hash_len(repo->algo);
	w->cached = (flags & VCS_REVWALK_SUBJECT) && repo->borrowed &&
		    !getenv("PMVCS_NO_LOG_CACHE");
	if (w->cached)
		start_epoch(w);
	*out = w;
	return 0;
}

/* vcs_revwalk_push -- queue a starting point, peeling tags */
int
vcs_revwalk_push(vcs_revwalk *w, const pmdb_oid *oid)
{
	pmdb_oid c;
	int rc = vcs_peel(w->repo, oid, PMDB_OBJ_COMMIT, &c);

	return rc ? rc : queue(w, &c);
}

/* vcs_revwalk_next -- pop the next commit, queue its parents */
int
vcs_revwalk_next(vcs_revwalk *w, pmdb_oid *oid, vcs_commit_hdr *hdr)
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
	if (w->flags & VCS_REVWALK_SUBJECT) {
		const uint8_t *r = top.rec + 16;
		uint32_t np, sl;

		memcpy(&np, r, 4);
		r += 4;
		for (uint32_t p = 0; p < np; p++, r += w->hashlen) {
			pmdb_oid po;

			memset(&po, 0, sizeof(po));
			memcpy(po.id, r, w->hashlen);
			if ((rc = queue(w, &po)))
				return rc;
		}
		memset(hdr, 0, sizeof(*hdr));
		memcpy(&sl, r, 4);
		hdr->nparents = np;
		hdr->date = top.date;
		hdr->message = (const char *)r + 4;
		hdr->message_len = sl;
		w->last = top.rec;
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

/* vcs_revwalk_free -- release everything. NULL-safe. */
void
vcs_revwalk_free(vcs_revwalk *w)
{
	if (!w)
		return;
	pmdb_view_release(w->guard);
	free(w->h);
	vcs_oidset_free(&w->seen);
	while (w->blocks) {
		block *b = w->blocks;

		w->blocks = b->next;
		free(b);
	}
	vcs_str_free(&w->scratch);
	free(w);
}

/* vcs_subject_append -- git's %s (see revwalk.h) */
int
vcs_subject_append(vcs_str *out, const char *m, size_t n)
{
	int rc = 0, first = 1;

	m = vcs_msg_skip_blank(m, &n);
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

/* block_alloc -- n bytes that never move, from the block list *head */
static uint8_t *
block_alloc(block **head, size_t n)
{
	block *b = *head;
	uint8_t *p;

	n = (n + 7) & ~(size_t)7;       /* records are 8-aligned (inv. 3) */
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;

		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->next = *head;
		b->used = 0;
		b->cap = cap;
		*head = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

/* build_record -- subject mode: h's record (invariant 3) into scratch */
static int
build_record(vcs_revwalk *w, const vcs_commit_hdr *h)
{
	vcs_str *a = &w->scratch;
	uint32_t np = (uint32_t)h->nparents, sl;
	int64_t date = h->date;
	size_t at;

	vcs_str_reset(a);
	if (h->nparents > UINT32_MAX ||
	    vcs_str_grow(a, REC_HDR + 4 + h->nparents * w->hashlen + 80))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	memcpy(a->data, &date, 8);
	memset(a->data + 8, 0, 8);      /* no abbreviation stamp yet */
	memcpy(a->data + 16, &np, 4);
	a->len = REC_HDR;
	for (size_t p = 0; p < h->nparents; p++) {
		pmdb_oid po;

		vcs_commit_hdr_parent(h, p, w->hashlen, &po);
		memcpy(a->data + a->len, po.id, w->hashlen);
		a->len += w->hashlen;
	}
	at = a->len;
	a->len += 4;
	if (vcs_subject_append(a, h->message, h->message_len))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	if (a->len - at - 4 > UINT32_MAX)
		return vcs_seterr(PMDB_ENOMEM, "walking history: subject too long");
	sl = (uint32_t)(a->len - at - 4);
	memcpy(a->data + at, &sl, 4);
	return 0;
}

/* cslot_home -- home slot of an id in the cache table */
static size_t
cslot_home(const pmdb_oid *oid, size_t cap)
{
	uint64_t k;

	memcpy(&k, oid->id, sizeof(k));
	return (size_t)k & (cap - 1);
}

/* cache_find_locked -- the cached record of oid, or NULL */
static const uint8_t *
cache_find_locked(const pmdb_oid *oid)
{
	if (!cache.cap)
		return NULL;
	for (size_t j = cslot_home(oid, cache.cap); cache.slots[j].rec;
	     j = (j + 1) & (cache.cap - 1))
		if (!memcmp(&cache.slots[j].oid, oid, sizeof(*oid)))
			return cache.slots[j].rec;
	return NULL;
}

/* cache_find -- a served walk's lookup; NULL if not cached (or the cache
 * belongs to another env) */
static const uint8_t *
cache_find(vcs_revwalk *w, const pmdb_oid *oid)
{
	const uint8_t *rec = NULL;

	pthread_mutex_lock(&cache.mu);
	if (cache.env == w->repo->env)
		rec = cache_find_locked(oid);
	pthread_mutex_unlock(&cache.mu);
	return rec;
}

/* cache_grow_locked -- double the table; 0 or PMDB_ENOMEM */
static int
cache_grow_locked(void)
{
	size_t cap = cache.cap ? 2 * cache.cap : 4096;
	struct cslot *ns = calloc(cap, sizeof(*ns));

	if (!ns)
		return PMDB_ENOMEM;
	for (size_t i = 0; i < cache.cap; i++) {
		size_t j;

		if (!cache.slots[i].rec)
			continue;
		for (j = cslot_home(&cache.slots[i].oid, cap); ns[j].rec;
		     j = (j + 1) & (cap - 1))
			;
		ns[j] = cache.slots[i];
	}
	free(cache.slots);
	cache.slots = ns;
	cache.cap = cap;
	return 0;
}

/* cache_add -- store the record in scratch for oid; the stored record,
 * or NULL if the cache is full, taken by another env, or out of memory
 * (the caller then keeps its own copy: the cache is only a speed-up) */
static const uint8_t *
cache_add(vcs_revwalk *w, const pmdb_oid *oid)
{
	const uint8_t *rec = NULL;
	uint8_t *p;
	size_t j;

	pthread_mutex_lock(&cache.mu);
	if (!cache.env)
		cache.env = w->repo->env;
	if (cache.env != w->repo->env ||
	    cache.bytes + w->scratch.len > CACHE_MAX)
		goto out;
	if ((rec = cache_find_locked(oid)))     /* another walk was first */
		goto out;
	if ((2 * (cache.n + 1) > cache.cap && cache_grow_locked()) ||
	    !(p = block_alloc(&cache.blocks, w->scratch.len)))
		goto out;
	memcpy(p, w->scratch.data, w->scratch.len);
	cache.bytes += w->scratch.len;
	for (j = cslot_home(oid, cache.cap); cache.slots[j].rec;
	     j = (j + 1) & (cache.cap - 1))
		;
	cache.slots[j].oid = *oid;
	cache.slots[j].rec = rec = p;   /* complete: now findable (inv. 4) */
	cache.n++;
out:
	pthread_mutex_unlock(&cache.mu);
	return rec;
}

/* read_record -- subject mode: oid's record, from the cache or read in
 * place (and then cached, or copied into the walk's blocks) */
static int
read_record(vcs_revwalk *w, const pmdb_oid *oid, const uint8_t **rec)
{
	pmdb_view_guard *g;
	vcs_commit_hdr h;
	uint8_t *p;
	int rc;

	if (w->cached && (*rec = cache_find(w, oid)))
		return 0;
	if ((rc = vcs_commit_view(w->repo, oid, &h, &g)))
		return rc;
	rc = build_record(w, &h);
	pmdb_view_release(g);
	if (rc)
		return rc;
	if (w->cached && (*rec = cache_add(w, oid)))
		return 0;
	if (!(p = block_alloc(&w->blocks, w->scratch.len)))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	memcpy(p, w->scratch.data, w->scratch.len);
	*rec = p;
	return 0;
}

/* queue -- add a commit once: read it (or its record), push it on the
 * heap */
static int
queue(vcs_revwalk *w, const pmdb_oid *oid)
{
	const uint8_t *rec = NULL;
	long long date;
	size_t i;
	int rc = vcs_oidset_add(&w->seen, oid);

	if (rc < 0)
		return vcs_seterr(rc, "walking history: out of memory");
	if (rc == 0)
		return 0;
	if (w->flags & VCS_REVWALK_SUBJECT) {
		int64_t d;

		if ((rc = read_record(w, oid, &rec)))
			return rc;
		memcpy(&d, rec, 8);
		date = d;
	} else {
		pmdb_view_guard *g;
		vcs_commit_hdr h;

		if ((rc = vcs_commit_view(w->repo, oid, &h, &g)))
			return rc;
		date = h.date;
		pmdb_view_release(g);
	}
	if (VCS_ARRAY_GROW(w->h, w->cap, w->n + 1, 256))
		return vcs_seterr(PMDB_ENOMEM, "walking history: out of memory");
	i = w->n++;
	while (i) {                     /* sift up */
		size_t up = (i - 1) / 2;

		if (!(date > w->h[up].date))    /* ties: the older seq wins */
			break;
		w->h[i] = w->h[up];
		i = up;
	}
	w->h[i].oid = *oid;
	w->h[i].date = date;
	w->h[i].seq = w->seq++;
	w->h[i].rec = rec;
	return 0;
}

/* vcs_revwalk_abbrev -- the last commit's abbreviated id (revwalk.h) */
int
vcs_revwalk_abbrev(vcs_revwalk *w, const pmdb_oid *oid, int minlen, char *buf)
{
	uint64_t *stamp = w->last ? (uint64_t *)(void *)(w->last + 8) : NULL;
	uint64_t st, want = w->epoch << 16 | (uint64_t)(minlen & 0xff) << 8;
	int rc;

	if (!w->cached || !w->epoch || !stamp || minlen <= 0 || minlen > 0xff)
		return vcs_oid_abbrev_checked(w->repo, oid, minlen, buf);
	st = __atomic_load_n(stamp, __ATOMIC_RELAXED);
	if ((st & ~(uint64_t)0xff) == want) {
		size_t n = st & 0xff;

		pmdb_oid_fmt(buf, oid, w->repo->algo);
		if (n < w->repo->hexlen)
			buf[n] = '\0';
		return 0;
	}
	if ((rc = vcs_oid_abbrev_checked(w->repo, oid, minlen, buf)))
		return rc;
	/* a cached record is not proof the commit is still in the pool
	 * (a gc may have dropped it): the stamp is (invariant 5) */
	if ((rc = pmdb_object_info(w->repo->env, oid, NULL, NULL))) {
		char hex[PMDB_OID_HEXMAX + 1];

		return rc == PMDB_ENOTFOUND ?
		       vcs_seterr(rc, "object %s not found",
				  vcs_oid_hex(w->repo, oid, hex)) :
		       vcs_seterr_pmdb(rc, "walking history");
	}
	__atomic_store_n(stamp, want | (strlen(buf) & 0xff), __ATOMIC_RELAXED);
	return 0;
}
