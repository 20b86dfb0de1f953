/*
 * fsck.c -- id sets, reachability from refs, and `pmvcs fsck`'s checks.
 *
 * The walk is iterative (an explicit stack of ids), so deep histories do
 * not exhaust the C stack. Each object is visited once (the set records
 * it before its links are followed).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fsck.h"
#include "merge.h"
#include "reflog.h"

/* ------------------------------------------------------------------ */
/* Id set                                                              */
/* ------------------------------------------------------------------ */

/* slot_of -- first probe slot: ids are hashes, their bytes are uniform. */
static size_t
slot_of(const vcs_oidset *s, const pmdb_oid *oid)
{
	uint64_t h;

	memcpy(&h, oid->id, sizeof(h));
	return (size_t)h & (s->cap - 1);
}

/* grow -- double the table. */
static int
grow(vcs_oidset *s)
{
	vcs_oidset n = { NULL, s->cap ? s->cap * 2 : 1024, 0, s->has_zero };

	n.slots = calloc(n.cap, sizeof(pmdb_oid));
	if (!n.slots)
		return PMDB_ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		if (pmdb_oid_is_zero(&s->slots[i]))
			continue;
		size_t j = slot_of(&n, &s->slots[i]);
		while (!pmdb_oid_is_zero(&n.slots[j]))
			j = (j + 1) & (n.cap - 1);
		n.slots[j] = s->slots[i];
		n.n++;
	}
	free(s->slots);
	*s = n;
	return 0;
}

int
vcs_oidset_add(vcs_oidset *s, const pmdb_oid *oid)
{
	size_t j;

	if (pmdb_oid_is_zero(oid)) {
		int was = s->has_zero;
		s->has_zero = 1;
		return !was;
	}
	if ((s->n + 1) * 2 > s->cap && grow(s))
		return PMDB_ENOMEM;
	for (j = slot_of(s, oid); !pmdb_oid_is_zero(&s->slots[j]);
	     j = (j + 1) & (s->cap - 1))
		if (!memcmp(&s->slots[j], oid, sizeof(*oid)))
			return 0;
	s->slots[j] = *oid;
	s->n++;
	return 1;
}

int
vcs_oidset_has(const vcs_oidset *s, const pmdb_oid *oid)
{
	if (pmdb_oid_is_zero(oid))
		return s->has_zero;
	if (!s->cap)
		return 0;
	for (size_t j = slot_of(s, oid); !pmdb_oid_is_zero(&s->slots[j]);
	     j = (j + 1) & (s->cap - 1))
		if (!memcmp(&s->slots[j], oid, sizeof(*oid)))
			return 1;
	return 0;
}

void
vcs_oidset_free(vcs_oidset *s)
{
	if (!s)
		return;
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------ */
/* Graph walk                                                          */
/* ------------------------------------------------------------------ */

typedef struct walk_item {
	pmdb_oid oid;
	pmdb_otype want;       /* type the link expects (NONE: any) */
	pmdb_oid from;         /* linking object (zero for a ref) */
	pmdb_otype from_type;
} walk_item;

typedef struct walker {
	vcs_repo *repo;
	vcs_oidset seen;
	walk_item *stack;
	size_t n, cap;
	FILE *out;             /* NULL: silent */
	unsigned flags;
	vcs_fsck_result *res;
	int fatal;             /* a reachable object was unreadable */
} walker;

/* push -- queue a link for visiting. */
static int
push(walker *w, const pmdb_oid *oid, pmdb_otype want, const pmdb_oid *from,
     pmdb_otype from_type)
{
	if (VCS_ARRAY_GROW(w->stack, w->cap, w->n + 1, 256))
		return PMDB_ENOMEM;
	w->stack[w->n].oid = *oid;
	w->stack[w->n].want = want;
	memset(&w->stack[w->n].from, 0, sizeof(pmdb_oid));
	if (from)
		w->stack[w->n].from = *from;
	w->stack[w->n].from_type = from_type;
	w->n++;
	return 0;
}

/* type_name -- git's name of a type, "object" when unknown. */
static const char *
type_name(pmdb_otype t)
{
	const char *n = pmdb_otype_name(t);

	return n ? n : "object";
}

/* report_missing -- "broken link" (when linked) and "missing" lines. */
static void
report_missing(walker *w, const walk_item *it)
{
	char h1[PMDB_OID_HEXMAX + 1], h2[PMDB_OID_HEXMAX + 1];

	w->res->missing++;
	w->fatal = 1;
	if (!w->out)
		return;
	if (it->from_type != PMDB_OBJ_NONE) {
		w->res->broken++;
		fprintf(w->out, "broken link from %7s %s\n              to %7s %s\n",
			type_name(it->from_type),
			vcs_oid_hex(w->repo, &it->from, h1),
			type_name(it->want), vcs_oid_hex(w->repo, &it->oid, h2));
	}
	fprintf(w->out, "missing %s %s\n", type_name(it->want),
		vcs_oid_hex(w->repo, &it->oid, h2));
}

/* report_bad -- "bad object <id>: <cause>". */
static void
report_bad(walker *w, const pmdb_oid *oid, const char *cause)
{
	char h[PMDB_OID_HEXMAX + 1];

	w->res->bad++;
	w->fatal = 1;
	if (w->out)
		fprintf(w->out, "bad object %s: %s\n", vcs_oid_hex(w->repo, oid, h),
			cause);
}

/* visit -- read one object and queue its links. */
static int
visit(walker *w, const walk_item *it)
{
	vcs_str data = VCS_STR_INIT;
	pmdb_otype type;
	uint64_t size;
	char h[PMDB_OID_HEXMAX + 1];
	int rc = pmdb_object_info(w->repo->env, &it->oid, &type, &size);

	if (rc == PMDB_ENOTFOUND) {
		report_missing(w, it);
		return 0;
	}
	if (rc)
		return rc;
	w->res->reachable++;
	if (it->want != PMDB_OBJ_NONE && it->want != type) {
		char msg[128];
		snprintf(msg, sizeof(msg), "is a %s, but %s %s links to it as a %s",
			 type_name(type), type_name(it->from_type),
			 vcs_oid_hex(w->repo, &it->from, h), type_name(it->want));
		report_bad(w, &it->oid, msg);
	}
	if (w->out && (w->flags & VCS_FSCK_VERBOSE))
		fprintf(w->out, "Checking %s %s\n", type_name(type),
			vcs_oid_hex(w->repo, &it->oid, h));
	if (type == PMDB_OBJ_BLOB)
		return 0;
	rc = pmdb_object_read(w->repo->env, &it->oid, NULL, &data);
	if (rc == PMDB_ECORRUPT || rc == PMDB_ENOTFOUND) {
		report_bad(w, &it->oid, pmdb_errdetail()[0] ? pmdb_errdetail()
							 : pmdb_strerror(rc));
		return 0;
	}
	if (rc)
		return rc;
	if (type == PMDB_OBJ_COMMIT) {
		vcs_commit c;
		if (vcs_commit_parse(&c, data.data, data.len, w->repo->algo)) {
			report_bad(w, &it->oid, vcs_errmsg());
		} else {
			rc = push(w, &c.tree, PMDB_OBJ_TREE, &it->oid, type);
			for (size_t i = 0; !rc && i < c.nparents; i++)
				rc = push(w, &c.parents[i], PMDB_OBJ_COMMIT,
					  &it->oid, type);
			vcs_commit_clear(&c);
		}
	} else if (type == PMDB_OBJ_TREE) {
		vcs_tree t;
		if (vcs_tree_parse(&t, data.data, data.len, w->repo->algo)) {
			report_bad(w, &it->oid, vcs_errmsg());
		} else {
			for (size_t i = 0; !rc && i < t.n; i++) {
				uint32_t m = t.entries[i].mode;
				if (m == VCS_MODE_GITLINK)
					continue;   /* submodule commits live elsewhere */
				rc = push(w, &t.entries[i].oid,
					  m == VCS_MODE_TREE ? PMDB_OBJ_TREE
							     : PMDB_OBJ_BLOB,
					  &it->oid, type);
			}
			vcs_tree_clear(&t);
		}
	} else if (type == PMDB_OBJ_TAG) {
		vcs_tag t;
		if (vcs_tag_parse(&t, data.data, data.len, w->repo->algo)) {
			report_bad(w, &it->oid, vcs_errmsg());
		} else {
			rc = push(w, &t.object, t.type, &it->oid, type);
			vcs_tag_clear(&t);
		}
	}
	vcs_str_free(&data);
	return rc;
}

/* run_walk -- pop until the stack is empty. */
static int
run_walk(walker *w)
{
	int rc = 0;

	while (!rc && w->n) {
		walk_item it = w->stack[--w->n];
		int added = vcs_oidset_add(&w->seen, &it.oid);
		if (added < 0)
			return added;
		if (added)
			rc = visit(w, &it);
	}
	return rc;
}

/* bad_record -- the record ref name names is damaged: fsck reports
 * it, gc must not run */
static int
bad_record(walker *w, const char *name)
{
	w->res->bad++;
	w->fatal = 1;
	if (w->out)
		fprintf(w->out, "error in ref %s: %s\n", name, vcs_errmsg());
	return 0;
}

/* log_roots -- a reflog: its records are live, and the values its
 * entries name are roots (as git fsck and gc treat reflogs) */
static int
log_roots(walker *w, const char *name)
{
	vcs_reflog log;
	int rc = vcs_reflog_read(w->repo, name + 5, &log);

	if (rc == PMDB_ENOMEM)
		return rc;
	if (rc)   /* a damaged log: fsck reports it, gc must not run */
		return bad_record(w, name);
	for (size_t i = 0; !rc && i < log.n; i++) {
		const vcs_reflog_entry *e = &log.e[i];

		if (vcs_oidset_add(&w->seen, &e->id) < 0)
			rc = PMDB_ENOMEM;
		if (!rc && !pmdb_oid_is_zero(&e->old_oid))
			rc = push(w, &e->old_oid, PMDB_OBJ_NONE, NULL,
				  PMDB_OBJ_NONE);
		if (!rc && !pmdb_oid_is_zero(&e->new_oid))
			rc = push(w, &e->new_oid, PMDB_OBJ_NONE, NULL,
				  PMDB_OBJ_NONE);
	}
	vcs_reflog_clear(&log);
	return rc;
}

/* merge_roots -- an unfinished merge's record is live, and what it
 * names (the heads, the trees before and after) are roots: abort and
 * continue need them (docs/merge.md) */
static int
merge_roots(walker *w, const char *name, const pmdb_oid *rec)
{
	vcs_merge_state st;
	int rc = vcs_merge_state_read(w->repo, &st);

	if (rc == PMDB_ENOMEM)
		return rc;
	if (rc)
		return bad_record(w, name);
	if (vcs_oidset_add(&w->seen, rec) < 0)
		rc = PMDB_ENOMEM;
	if (!rc)
		rc = push(w, &st.orig_head, PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE);
	if (!rc)
		rc = push(w, &st.result_tree, PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE);
	for (size_t i = 0; !rc && i < st.nheads; i++)
		rc = push(w, &st.heads[i], PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE);
	vcs_merge_state_clear(&st);
	return rc;
}

/* ref_cb -- queue each ref's target (symbolic refs are followed by
 * their own target entry); logs/<ref> are reflogs. */
static int
ref_cb(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	walker *w = ctx;

	if (target && *target)
		return 0;
	if (!strncmp(name, "logs/", 5))
		return log_roots(w, name);
	if (!strcmp(name, VCS_MERGE_STATE_REF))
		return merge_roots(w, name, oid);
	if (vcs_ref_internal(name))
		return 0;   /* gc's list of unreachable objects: not roots */
	return push(w, oid, PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE);
}

/* walk_from_refs -- seed with every ref and HEAD, then walk. */
static int
walk_from_refs(walker *w)
{
	pmdb_oid head;
	int rc = pmdb_ref_foreach(w->repo->env, "", ref_cb, w);

	if (rc)
		return rc;
	if (pmdb_ref_resolve(w->repo->env, "HEAD", &head, NULL) == 0 &&
	    (rc = push(w, &head, PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE)))
		return rc;
	return run_walk(w);
}

int
vcs_reachable_more(vcs_repo *repo, vcs_oidset *set, const pmdb_oid *roots,
		   size_t n)
{
	vcs_fsck_result res;
	walker w;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	memset(&res, 0, sizeof(res));
	w.repo = repo;
	w.res = &res;
	w.seen = *set;
	for (size_t i = 0; !rc && i < n; i++)
		rc = push(&w, &roots[i], PMDB_OBJ_NONE, NULL, PMDB_OBJ_NONE);
	if (!rc)
		rc = run_walk(&w);
	free(w.stack);
	*set = w.seen;
	if (!rc && w.fatal)
		rc = vcs_seterr(PMDB_ECORRUPT, "some objects are missing or "
				"corrupt; run 'pmvcs fsck'");
	return rc;
}

int
vcs_reachable(vcs_repo *repo, vcs_oidset *out)
{
	vcs_fsck_result res;
	walker w;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&res, 0, sizeof(res));
	w.repo = repo;
	w.res = &res;
	rc = walk_from_refs(&w);
	free(w.stack);
	if (!rc && w.fatal)
		rc = vcs_seterr(PMDB_ECORRUPT, "some reachable objects are "
				"missing or corrupt; run 'pmvcs fsck'");
	if (rc) {
		vcs_oidset_free(&w.seen);
		return rc;
	}
	*out = w.seen;
	return 0;
}

/* ------------------------------------------------------------------ */
/* fsck                                                                */
/* ------------------------------------------------------------------ */

typedef struct fsck_ctx {
	vcs_repo *repo;
	FILE *out;
	vcs_fsck_result *res;
} fsck_ctx;

/* problem_cb -- print one pmdb_env_check() finding. */
static void
problem_cb(const pmdb_problem *p, void *vctx)
{
	fsck_ctx *c = vctx;
	char h[PMDB_OID_HEXMAX + 1];

	c->res->store_problems++;
	if (p->oid)
		fprintf(c->out, "bad object %s: %s\n",
			vcs_oid_hex(c->repo, p->oid, h), p->msg);
	else if (p->name)
		fprintf(c->out, "error in ref %s: %s\n", p->name, p->msg);
	else
		fprintf(c->out, "error in %s: %s\n", p->what, p->msg);
}

typedef struct all_objs {
	pmdb_oid *ids;
	pmdb_otype *types;
	size_t n, cap;
	const vcs_oidset *seen;
} all_objs;

/* collect_unreached -- foreach callback: remember unreachable objects. */
static int
collect_unreached(const pmdb_oid *oid, pmdb_otype type, uint64_t size,
		  void *vctx)
{
	all_objs *a = vctx;

	if (vcs_oidset_has(a->seen, oid))
		return 0;
	if (a->n == a->cap) {
		/* two arrays, one capacity: a->cap moves once both grew */
		size_t icap = a->cap, tcap = a->cap;
		if (VCS_ARRAY_GROW(a->ids, icap, a->n + 1, 64) ||
		    VCS_ARRAY_GROW(a->types, tcap, a->n + 1, 64))
			return PMDB_ENOMEM;
		a->cap = icap;
	}
	a->ids[a->n] = *oid;
	a->types[a->n++] = type;
	return 0;
}

/* oid_cmp -- qsort by id bytes. */
static int
oid_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(pmdb_oid));
}

/* mark_links -- add everything obj links to into used. */
static void
mark_links(vcs_repo *repo, const pmdb_oid *oid, pmdb_otype type,
	   vcs_oidset *used)
{
	vcs_str data = VCS_STR_INIT;

	if (type == PMDB_OBJ_BLOB ||
	    pmdb_object_read(repo->env, oid, NULL, &data))
		return;
	if (type == PMDB_OBJ_COMMIT) {
		vcs_commit c;
		if (!vcs_commit_parse(&c, data.data, data.len, repo->algo)) {
			vcs_oidset_add(used, &c.tree);
			for (size_t i = 0; i < c.nparents; i++)
				vcs_oidset_add(used, &c.parents[i]);
			vcs_commit_clear(&c);
		}
	} else if (type == PMDB_OBJ_TREE) {
		vcs_tree t;
		if (!vcs_tree_parse(&t, data.data, data.len, repo->algo)) {
			for (size_t i = 0; i < t.n; i++)
				vcs_oidset_add(used, &t.entries[i].oid);
			vcs_tree_clear(&t);
		}
	} else if (type == PMDB_OBJ_TAG) {
		vcs_tag t;
		if (!vcs_tag_parse(&t, data.data, data.len, repo->algo)) {
			vcs_oidset_add(used, &t.object);
			vcs_tag_clear(&t);
		}
	}
	vcs_str_free(&data);
}

/* report_dangling -- unreachable objects no other unreachable one uses,
 * in id order (as git lists them from a pack). */
static int
report_dangling(walker *w)
{
	all_objs a;
	vcs_oidset used = VCS_OIDSET_INIT;
	char h[PMDB_OID_HEXMAX + 1];
	int rc;

	memset(&a, 0, sizeof(a));
	a.seen = &w->seen;
	rc = pmdb_object_foreach(w->repo->env, collect_unreached, &a);
	if (!rc) {
		for (size_t i = 0; i < a.n; i++)
			mark_links(w->repo, &a.ids[i], a.types[i], &used);
		pmdb_oid *sorted = malloc((a.n + 1) * sizeof(pmdb_oid));
		if (!sorted) {
			rc = PMDB_ENOMEM;
		} else {
			if (a.n)
				memcpy(sorted, a.ids, a.n * sizeof(pmdb_oid));
			qsort(sorted, a.n, sizeof(pmdb_oid), oid_cmp);
			for (size_t i = 0; i < a.n; i++) {
				pmdb_otype t;
				if (vcs_oidset_has(&used, &sorted[i]) ||
				    pmdb_object_info(w->repo->env, &sorted[i], &t, NULL))
					continue;
				w->res->dangling++;
				fprintf(w->out, "dangling %s %s\n", type_name(t),
					vcs_oid_hex(w->repo, &sorted[i], h));
			}
			free(sorted);
		}
	}
	free(a.ids);
	free(a.types);
	vcs_oidset_free(&used);
	return rc;
}

int
vcs_fsck(vcs_repo *repo, unsigned flags, FILE *out, vcs_fsck_result *res)
{
	fsck_ctx fc = { repo, out, res };
	walker w;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = pmdb_env_check(repo->env, (flags & VCS_FSCK_FULL) ? PMDB_CHECK_DATA : 0,
			    problem_cb, &fc, NULL);
	if (rc)
		return vcs_seterr_pmdb(rc, "checking the pool");
	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.out = out;
	w.flags = flags;
	w.res = res;
	rc = walk_from_refs(&w);
	if (!rc && (flags & VCS_FSCK_DANGLING))
		rc = report_dangling(&w);
	free(w.stack);
	vcs_oidset_free(&w.seen);
	return rc;
}
