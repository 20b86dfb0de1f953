/*
 * gc.c -- expire reflogs, then free objects that nothing keeps.
 *
 * The reachable set is computed first, as a reader; pmdb_env_gc() then
 * keeps exactly that set and compacts the pool, atomically (see pmdb.h).
 * A damaged graph (a reachable object missing or unreadable) stops gc
 * before anything is freed: deleting on the basis of a partial walk could
 * drop objects that a repaired ref still needs.
 *
 * Grace period. git keeps an unreachable loose object while its file is
 * younger than gc.pruneExpire (two weeks). pmdb keeps no time per object,
 * so the age is counted from the first gc that found the object
 * unreachable: that gc keeps it and lists it, with the time, in the
 * "gc/unreachable" record (docs/format.md); a later gc drops it once that
 * time is older than the prune date. An object is never dropped earlier
 * than git would drop it (it was written before it was first seen
 * unreachable). Whatever a kept object links to is kept too.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsck.h"
#include "reflog.h"

#define PENDING_REF "gc/unreachable"
#define PENDING_MAGIC "pmvcs-unreachable 1\n"

/* pending -- gc/unreachable: ids with the time first seen unreachable */
typedef struct pending {
	pmdb_oid *ids;
	int64_t *when;
	size_t n, cap;
	vcs_oidset set;            /* the ids, for lookups */
	pmdb_oid rec;              /* the record read (zero if none) */
} pending;

/* pending_add -- append one id */
static int
pending_add(pending *p, const pmdb_oid *id, int64_t when)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256;
		pmdb_oid *ids = realloc(p->ids, cap * sizeof(*ids));
		int64_t *w;

		if (!ids)
			return PMDB_ENOMEM;
		p->ids = ids;
		if (!(w = realloc(p->when, cap * sizeof(*w))))
			return PMDB_ENOMEM;
		p->when = w;
		p->cap = cap;
	}
	p->ids[p->n] = *id;
	p->when[p->n++] = when;
	return vcs_oidset_add(&p->set, id) < 0 ? PMDB_ENOMEM : 0;
}

/* pending_when -- the time listed for id (the list is sorted by id) */
static int64_t
pending_when(const pending *p, const pmdb_oid *id, int64_t dflt)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(&p->ids[mid], id, sizeof(*id));

		if (!c)
			return p->when[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return dflt;
}

/* pending_free -- release */
static void
pending_free(pending *p)
{
	free(p->ids);
	free(p->when);
	vcs_oidset_free(&p->set);
	memset(p, 0, sizeof(*p));
}

/* pending_read -- parse gc/unreachable (none: empty) */
static int
pending_read(vcs_repo *repo, pending *p)
{
	vcs_str data = VCS_STR_INIT;
	pmdb_otype type = PMDB_OBJ_NONE;
	const char *s, *end;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = pmdb_ref_read(repo->env, PENDING_REF, &p->rec, NULL);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	if (!rc)
		rc = pmdb_object_read(repo->env, &p->rec, &type, &data);
	if (rc)
		return vcs_seterr_pmdb(rc, PENDING_REF);
	s = (const char *)data.data;
	end = s + data.len;
	if (type != PMDB_OBJ_LOG || data.len < sizeof(PENDING_MAGIC) - 1 ||
	    memcmp(s, PENDING_MAGIC, sizeof(PENDING_MAGIC) - 1))
		goto bad;
	for (s += sizeof(PENDING_MAGIC) - 1; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		pmdb_oid id;
		char *e;
		long long t;

		if (!nl || (size_t)(nl - s) < repo->hexlen + 2 ||
		    s[repo->hexlen] != ' ' ||
		    pmdb_oid_parse(&id, s, repo->hexlen, repo->algo))
			goto bad;
		t = strtoll(s + repo->hexlen + 1, &e, 10);
		/* written in id order, which pending_when's search needs */
		if (e != nl || (p->n && memcmp(&p->ids[p->n - 1], &id,
					       sizeof(id)) >= 0))
			goto bad;
		if ((rc = pending_add(p, &id, t)))
			goto out;
		s = nl + 1;
	}
	goto out;
bad:
	rc = vcs_seterr(PMDB_ECORRUPT, "%s: malformed record", PENDING_REF);
out:
	vcs_str_free(&data);
	return rc;
}

/* pending_write -- replace gc/unreachable by the list in p (or delete it) */
static int
pending_write(vcs_repo *repo, const pending *p, const pmdb_oid *old,
	      pmdb_oid *out)
{
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_str rec = VCS_STR_INIT;
	pmdb_txn *txn = NULL;
	int rc = vcs_str_adds(&rec, PENDING_MAGIC);

	for (size_t i = 0; !rc && i < p->n; i++)
		rc = vcs_str_addf(&rec, "%s %lld\n",
				  vcs_oid_hex(repo, &p->ids[i], hex),
				  (long long)p->when[i]);
	if (rc) {
		vcs_str_free(&rec);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	rc = pmdb_txn_begin(repo->env, &txn);
	if (!rc && p->n)
		rc = pmdb_txn_put(txn, PMDB_OBJ_LOG, rec.data, rec.len, out);
	if (!rc)
		rc = pmdb_txn_ref_set(txn, PENDING_REF, p->n ? out : NULL,
				      pmdb_oid_is_zero(old) ? PMDB_EXPECT_ANY :
				      old);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
	}
	pmdb_txn_abort(txn);
	vcs_str_free(&rec);
	return rc ? vcs_seterr_pmdb(rc, PENDING_REF) : 0;
}

typedef struct unreached {
	const vcs_oidset *live;
	vcs_str ids;               /* pmdb_oid after pmdb_oid */
	pmdb_oid *id;              /* ids.data, once collected */
	size_t n;
} unreached;

/* collect -- foreach callback: the objects live does not hold */
static int
collect(const pmdb_oid *oid, pmdb_otype type, uint64_t size, void *ctx)
{
	unreached *u = ctx;

	(void)type;
	(void)size;
	if (vcs_oidset_has(u->live, oid))
		return 0;
	return vcs_str_add(&u->ids, oid, sizeof(*oid)) ? PMDB_ENOMEM : 0;
}

/* oid_cmp -- qsort by id bytes */
static int
oid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(pmdb_oid));
}

typedef struct keep_ctx {
	const vcs_oidset *live;
	uint64_t freed;            /* git objects dropped */
} keep_ctx;

/* keep_cb -- pmdb_env_gc's verdict: keep what the walk reached. */
static int
keep_cb(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	keep_ctx *k = ctx;
	int keep = vcs_oidset_has(k->live, oid);

	k->freed += !keep && type != PMDB_OBJ_LOG;
	return keep;
}

/* grace -- add to live the unreachable objects still within the grace
 * period (and what they link to); write the new gc/unreachable */
static int
grace(vcs_repo *repo, int64_t now, int64_t cutoff, vcs_oidset *live)
{
	unreached u = { live, VCS_STR_INIT, NULL, 0 };
	pending old, next;
	pmdb_oid *young = NULL, rec;
	size_t nyoung = 0;
	int rc;

	memset(&next, 0, sizeof(next));
	if ((rc = pending_read(repo, &old)))
		return rc;
	rc = pmdb_object_foreach(repo->env, collect, &u);
	if (rc)
		rc = rc == PMDB_ENOMEM ? vcs_seterr(rc, "out of memory") :
			vcs_seterr_pmdb(rc, "listing objects");
	u.id = (pmdb_oid *)u.ids.data;
	u.n = u.ids.len / sizeof(pmdb_oid);
	if (!rc && u.n)   /* id order: the list is written sorted */
		qsort(u.id, u.n, sizeof(*u.id), oid_cmp);
	if (!rc && u.n && !(young = malloc(u.n * sizeof(*young))))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < u.n; i++) {
		int64_t when = now;

		if (vcs_oidset_has(&old.set, &u.id[i]))
			when = pending_when(&old, &u.id[i], now);
		if (when >= cutoff)
			young[nyoung++] = u.id[i];
	}
	if (!rc)
		rc = vcs_reachable_more(repo, live, young, nyoung);
	/* the list: every kept unreachable object, with its first time */
	for (size_t i = 0; !rc && i < u.n; i++) {
		int64_t when = now;

		if (!vcs_oidset_has(live, &u.id[i]))
			continue;
		if (vcs_oidset_has(&old.set, &u.id[i]))
			when = pending_when(&old, &u.id[i], now);
		rc = pending_add(&next, &u.id[i], when);
		if (rc)
			rc = vcs_seterr(rc, "out of memory");
	}
	memset(&rec, 0, sizeof(rec));
	if (!rc && (next.n || !pmdb_oid_is_zero(&old.rec)))
		rc = pending_write(repo, &next, &old.rec, &rec);
	if (!rc && next.n && vcs_oidset_add(live, &rec) < 0)
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	free(young);
	vcs_str_free(&u.ids);
	pending_free(&old);
	pending_free(&next);
	return rc;
}

int
vcs_gc(vcs_repo *repo, const vcs_gc_opts *opts, pmdb_gc_stat *st)
{
	vcs_oidset live = VCS_OIDSET_INIT;
	int64_t now = (int64_t)time(NULL);
	int rc = vcs_reflog_expire(repo, NULL, opts->reflog_expire,
				   opts->reflog_expire_unreach);

	if (!rc)
		rc = vcs_reachable(repo, &live);
	if (rc)
		return rc;
	rc = grace(repo, now, opts->prune_expire, &live);
	if (!rc) {
		keep_ctx k = { &live, 0 };

		rc = pmdb_env_gc(repo->env, keep_cb, &k, st);
		if (rc)
			rc = vcs_seterr_pmdb(rc, "collecting garbage");
		else if (st)
			st->freed = k.freed;   /* reflog records are not objects */
	}
	vcs_oidset_free(&live);
	return rc;
}

/* ------------------------------------------------------------------ */
/* reflog expire                                                       */
/* ------------------------------------------------------------------ */

typedef struct names {
	char **v;
	size_t n, cap;
} names;

/* log_cb -- collect the refs that have a log */
static int
log_cb(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	names *l = ctx;

	(void)oid;
	(void)target;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return PMDB_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(name + 5)))
		return PMDB_ENOMEM;
	l->n++;
	return 0;
}

/* ancestors -- every commit reachable from tip (git's reflog expire
 * "reachable from the ref" test) */
static int
ancestors(vcs_repo *repo, const pmdb_oid *tip, vcs_oidset *out)
{
	pmdb_oid *stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (pmdb_oid_is_zero(tip))
		return 0;
	if (!(stack = malloc(sizeof(*stack) * (cap = 64))))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	stack[n++] = *tip;
	while (!rc && n) {
		pmdb_oid c = stack[--n];
		vcs_commit cm;
		int added = vcs_oidset_add(out, &c);

		if (added < 0) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if (!added)
			continue;
		/* a tag or a missing commit ends this line: git's
		 * "unreachable" then, as here */
		if (vcs_peel(repo, &c, PMDB_OBJ_COMMIT, &c) ||
		    vcs_commit_read(repo, NULL, &c, &cm))
			continue;
		vcs_oidset_add(out, &c);
		for (size_t i = 0; i < cm.nparents && !rc; i++) {
			if (n == cap) {
				pmdb_oid *s = realloc(stack, 2 * cap * sizeof(*s));

				if (!s) {
					rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
					break;
				}
				stack = s;
				cap *= 2;
			}
			stack[n++] = cm.parents[i];
		}
		vcs_commit_clear(&cm);
	}
	free(stack);
	return rc;
}

/* expire_one -- compute which entries of ref's log stay; rewrite in txn */
static int
expire_one(vcs_repo *repo, pmdb_txn *txn, const char *ref, int64_t expire,
	   int64_t expire_unreach)
{
	vcs_oidset reach = VCS_OIDSET_INIT;
	unsigned char *keep = NULL;
	vcs_reflog log;
	int rc = vcs_reflog_read(repo, ref, &log), walked = 0, dropped = 0;

	if (rc || !log.n)
		return rc;
	if (!(keep = calloc(log.n, 1)))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < log.n; i++) {
		const vcs_reflog_entry *e = &log.e[i];

		keep[i] = e->time >= expire;
		if (keep[i] && e->time < expire_unreach) {
			if (!walked) {
				pmdb_oid tip;

				walked = 1;
				if (pmdb_ref_resolve(repo->env, ref, &tip, NULL))
					memset(&tip, 0, sizeof(tip));
				rc = ancestors(repo, &tip, &reach);
			}
			keep[i] = pmdb_oid_is_zero(&e->new_oid) ||
				  vcs_oidset_has(&reach, &e->new_oid);
		}
		dropped |= !keep[i];
	}
	if (!rc && dropped)
		rc = vcs_reflog_rewrite(repo, txn, ref, &log, keep);
	free(keep);
	vcs_oidset_free(&reach);
	vcs_reflog_clear(&log);
	return rc;
}

int
vcs_reflog_expire(vcs_repo *repo, const char *ref, int64_t expire,
		  int64_t expire_unreach)
{
	names l = { NULL, 0, 0 };
	pmdb_txn *txn = NULL;
	int rc = 0;

	if (ref) {
		if (!(l.v = malloc(sizeof(*l.v))) || !(l.v[0] = strdup(ref)))
			rc = PMDB_ENOMEM;
		else
			l.n = l.cap = 1;
	} else {
		rc = pmdb_ref_foreach(repo->env, "logs/", log_cb, &l);
	}
	if (rc)
		rc = rc == PMDB_ENOMEM ? vcs_seterr(rc, "out of memory") :
			vcs_seterr_pmdb(rc, "listing reflogs");
	if (!rc && (rc = pmdb_txn_begin(repo->env, &txn)))
		rc = vcs_seterr_pmdb(rc, "starting a transaction");
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = expire_one(repo, txn, l.v[i], expire, expire_unreach);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
		if (rc)
			rc = vcs_seterr_pmdb(rc, "expiring reflogs");
	}
	pmdb_txn_abort(txn);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}

/* vcs_expiry_parse -- see fsck.h */
int
vcs_expiry_parse(const char *s, int64_t now, int64_t *out)
{
	static const struct { const char *name; int64_t secs; } units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
		{ "day", 86400 }, { "week", 7 * 86400 },
		{ "month", 30 * 86400 }, { "year", 365 * 86400 },
	};
	char *end;
	long long n;

	/* git's parse_expiry_date: "now" and "all" expire everything */
	if (!strcmp(s, "now") || !strcmp(s, "all")) {
		*out = INT64_MAX;
		return 0;
	}
	if (!strcmp(s, "never") || !strcmp(s, "false")) {
		*out = INT64_MIN;
		return 0;
	}
	if (!isdigit((unsigned char)s[*s == '@']))
		return -1;
	n = strtoll(s + (*s == '@'), &end, 10);
	if (!*end) {
		*out = n;
		return 0;
	}
	if (*end != '.' && *end != ' ')
		return -1;
	end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].name);

		if (strncmp(end, units[i].name, l))
			continue;
		end += l;
		if (*end == 's')
			end++;
		if ((*end == '.' || *end == ' ') && !strcmp(end + 1, "ago")) {
			*out = now - (int64_t)n * units[i].secs;
			return 0;
		}
		return -1;
	}
	return -1;
}
