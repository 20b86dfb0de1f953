/*
 * fastimport_refs.c -- the refs of a fast-import session: its branches
 * (with their loaded trees, at most FI_ACTIVE_BRANCHES at once) and
 * annotated tags, resolution of `from`/`merge` targets, and publication
 * of refs at checkpoints and at the end (fast-forward checks, one
 * compare-and-swap txn).
 *
 * Invariants:
 *  1. branch->orig is the ref's value in the pool when the branch was
 *     first named or at the last publication: every ref update of a
 *     publication compares-and-swaps against it, so a concurrent writer
 *     makes the import fail rather than be overwritten.
 *  2. At most FI_ACTIVE_BRANCHES branches hold a loaded vcs_tree_editor; an
 *     evicted branch reloads from its tree id, which is always written
 *     (eviction only happens between commands).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fastimport_int.h"
#include "reflog.h"

static uint64_t hash_name(const char *p);
static int read_parents(fi_state *s, const pmdb_oid *c, pmdb_oid **par,
			size_t *n, size_t *cap);
static int peel_commit(fi_state *s, pmdb_oid *oid);
static int is_ancestor(fi_state *s, const pmdb_oid *old, const pmdb_oid *tip);
static int seen_add(pmdb_oid **seen, size_t *scap, size_t *sn,
		    const pmdb_oid *c);
static int check_ff(fi_state *s, fi_branch *b);

/* ------------------------------------------------------------------ */
/* Branches                                                            */
/* ------------------------------------------------------------------ */

/** hash_name -- FNV-1a of a NUL-terminated name. */
static uint64_t
hash_name(const char *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	return h;
}

/** fi_branch_lookup -- the session's branch called name, or NULL. */
fi_branch *
fi_branch_lookup(fi_state *s, const char *name)
{
	if (!s->bhashcap)
		return NULL;
	size_t j = (size_t)hash_name(name) & (s->bhashcap - 1);
	while (s->bhash[j]) {
		fi_branch *b = s->branches[s->bhash[j] - 1];
		if (!strcmp(b->name, name))
			return b;
		j = (j + 1) & (s->bhashcap - 1);
	}
	return NULL;
}

/** fi_branch_new -- add a branch (git's new_branch: name checked, pool
 *  value remembered as orig; the branch itself starts empty). */
int
fi_branch_new(fi_state *s, const char *name, fi_branch **out)
{
	fi_branch *b;

	if (!pmdb_ref_name_valid(name))
		return fi_fail(s, "Branch name doesn't conform to GIT standards: %s", name);
	if ((s->nbranches + 1) * 2 > s->bhashcap) {
		size_t ncap = s->bhashcap ? s->bhashcap * 2 : 64;
		size_t *nh = calloc(ncap, sizeof(*nh));
		if (!nh)
			return fi_fail(s, "out of memory");
		for (size_t i = 0; i < s->nbranches; i++) {
			size_t j = (size_t)hash_name(s->branches[i]->name) & (ncap - 1);
			while (nh[j])
				j = (j + 1) & (ncap - 1);
			nh[j] = i + 1;
		}
		free(s->bhash);
		s->bhash = nh;
		s->bhashcap = ncap;
	}
	if (VCS_ARRAY_GROW(s->branches, s->capbranches, s->nbranches + 1, 16))
		return fi_fail(s, "out of memory");
	b = calloc(1, sizeof(*b));
	if (!b || !(b->name = strdup(name))) {
		free(b);
		return fi_fail(s, "out of memory");
	}
	if (fi_read_ref(s, name, &b->orig, &b->orig_absent) < 0) {
		free(b->name);
		free(b);
		return -1;
	}
	b->orig_known = 1;
	s->branches[s->nbranches++] = b;
	size_t j = (size_t)hash_name(name) & (s->bhashcap - 1);
	while (s->bhash[j])
		j = (j + 1) & (s->bhashcap - 1);
	s->bhash[j] = s->nbranches;
	*out = b;
	return 0;
}

/** fi_branch_load -- make b->mt hold b's tree, evicting the least
 *  recently used loaded branch when too many are loaded. */
int
fi_branch_load(fi_state *s, fi_branch *b)
{
	b->lru = ++s->lru_clock;
	if (b->mt)
		return 0;
	if (s->nactive >= FI_ACTIVE_BRANCHES) {
		fi_branch *v = NULL;
		for (size_t i = 0; i < s->nbranches; i++) {
			fi_branch *c = s->branches[i];
			if (c->mt && c != b && (!v || c->lru < v->lru))
				v = c;
		}
		if (v) {
			vcs_tree_editor_free(v->mt);
			v->mt = NULL;
			s->nactive--;
		}
	}
	int zero = pmdb_oid_is_zero(&b->tip);
	int rc = vcs_tree_editor_new(&b->mt, s->repo, s->txn, zero ? NULL : &b->tree);
	if (rc < 0)
		return fi_fail(s, "loading the tree of %s: %s", b->name, vcs_errmsg());
	vcs_tree_editor_count(b->mt, &s->nobj[PMDB_OBJ_TREE]);
	s->nactive++;
	return 0;
}

/** fi_branches_free -- free branches and tags. */
void
fi_branches_free(fi_state *s)
{
	for (size_t i = 0; i < s->nbranches; i++) {
		vcs_tree_editor_free(s->branches[i]->mt);
		free(s->branches[i]->name);
		free(s->branches[i]);
	}
	free(s->branches);
	free(s->bhash);
	for (size_t i = 0; i < s->ntags; i++)
		free(s->tags[i].name);
	free(s->tags);
}

/**
 * fi_objectish -- resolve the target of from/merge/tag-from/alias-to the
 * way git does: a branch of this session, a mark, a full id, then any
 * revision of the pool (its refs as at the start). *type is PMDB_OBJ_NONE
 * for an id that is not stored. *src names the session branch, if any.
 */
int
fi_objectish(fi_state *s, const char *p, int need_commit, pmdb_oid *oid,
	     pmdb_otype *type, fi_branch **src)
{
	fi_branch *b = fi_branch_lookup(s, p);
	const char *q = p;

	*src = b;
	if (b) {
		*oid = b->tip;
		*type = PMDB_OBJ_COMMIT;
		return 0;
	}
	if (*p == ':') {
		uint64_t n;
		if (fi_parse_mark_num(s, &q, 1, &n) < 0 ||
		    fi_mark_find(s, n, oid, type) < 0)
			return -1;
		if (need_commit && *type != PMDB_OBJ_COMMIT)
			return fi_fail(s, "Mark :%llu not a commit", (unsigned long long)n);
		return 0;
	}
	if (fi_parse_hex(s, &q, oid) == 0 && !*q)
		return fi_type_or_none(s, oid, type);
	int rc = vcs_revparse(s->repo, p, oid);
	if (rc == 0)
		return fi_type_or_none(s, oid, type);
	if (rc != PMDB_ENOTFOUND && rc != PMDB_EAMBIGUOUS && rc != PMDB_EINVAL)
		return fi_fail(s, "resolving %s: %s", p, vcs_errmsg());
	return fi_fail(s, "Invalid ref name or SHA1 expression: %s", p);
}

/* ------------------------------------------------------------------ */
/* Publication                                                         */
/* ------------------------------------------------------------------ */

/** read_parents -- append the parent ids of commit c to *par. 0, or a
 *  negative code with its message in s (fi_fail): a commit of the walk
 *  that cannot be read is an error, never a "no". */
static int
read_parents(fi_state *s, const pmdb_oid *c, pmdb_oid **par, size_t *n,
	     size_t *cap)
{
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_otype type;
	int rc = pmdb_txn_read(s->txn, c, &type, (pmdb_buf *)&s->tmp);

	pmdb_oid_fmt(hex, c, s->repo->algo);
	if (rc < 0) {
		vcs_seterr_pmdb(rc, hex);
		fi_fail(s, "reading commit %s: %s", hex, vcs_errmsg());
		return rc;
	}
	if (type != PMDB_OBJ_COMMIT) {
		fi_fail(s, "%s is not a commit", hex);
		return PMDB_ECORRUPT;
	}
	const char *p = (const char *)s->tmp.data, *end = p + s->tmp.len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	while (nl && (size_t)(end - nl) > 7 + s->hexlen && !memcmp(nl + 1, "parent ", 7)) {
		if (VCS_ARRAY_GROW(*par, *cap, *n + 1, 64)) {
			fi_fail(s, "walking history: out of memory");
			return PMDB_ENOMEM;
		}
		if (pmdb_oid_parse(&(*par)[*n], nl + 8, s->hexlen, s->repo->algo) < 0) {
			fi_fail(s, "commit %s: bad parent line", hex);
			return PMDB_ECORRUPT;
		}
		(*n)++;
		nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
	}
	return 0;
}

/** peel_commit -- follow tags until a commit. 0; PMDB_ENOTFOUND (quietly)
 *  if oid is missing or leads to no commit (git: "missing commits"); any
 *  other negative code is a failure to read, reported with fi_fail. */
static int
peel_commit(fi_state *s, pmdb_oid *oid)
{
	char hex[PMDB_OID_HEXMAX + 1];

	for (int depth = 0; depth < 32; depth++) {
		pmdb_otype type;
		int rc = pmdb_txn_read(s->txn, oid, &type, (pmdb_buf *)&s->tmp);
		if (rc == PMDB_ENOTFOUND)
			return rc;
		if (rc < 0) {
			pmdb_oid_fmt(hex, oid, s->repo->algo);
			vcs_seterr_pmdb(rc, hex);
			fi_fail(s, "reading %s: %s", hex, vcs_errmsg());
			return rc;
		}
		if (type == PMDB_OBJ_COMMIT)
			return 0;
		if (type != PMDB_OBJ_TAG)
			return PMDB_ENOTFOUND;
		if (s->tmp.len < 7 + s->hexlen || memcmp(s->tmp.data, "object ", 7) ||
		    pmdb_oid_parse(oid, (char *)s->tmp.data + 7, s->hexlen,
				   s->repo->algo) < 0) {
			fi_fail(s, "tag %s: bad object line",
				pmdb_oid_fmt(hex, oid, s->repo->algo));
			return PMDB_ECORRUPT;
		}
	}
	return PMDB_ENOTFOUND;
}

/** seen_add -- insert c into the open-addressing set *seen (capacity
 *  *scap, *sn members, load <= 1/2). 1 if new, 0 if present, PMDB_ENOMEM
 *  (set unchanged but still usable). */
static int
seen_add(pmdb_oid **seen, size_t *scap, size_t *sn, const pmdb_oid *c)
{
	uint64_t h;
	size_t j;

	if ((*sn + 1) * 2 > *scap) {
		size_t ncap = *scap ? *scap * 2 : 1024;
		pmdb_oid *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return PMDB_ENOMEM;
		for (size_t i = 0; i < *scap; i++) {
			if (pmdb_oid_is_zero(&(*seen)[i]))
				continue;
			memcpy(&h, (*seen)[i].id, sizeof(h));
			size_t k = (size_t)h & (ncap - 1);
			while (!pmdb_oid_is_zero(&ns[k]))
				k = (k + 1) & (ncap - 1);
			ns[k] = (*seen)[i];
		}
		free(*seen);
		*seen = ns;
		*scap = ncap;
	}
	memcpy(&h, c->id, sizeof(h));
	j = (size_t)h & (*scap - 1);
	while (!pmdb_oid_is_zero(&(*seen)[j])) {
		if (!memcmp(&(*seen)[j], c, sizeof(*c)))
			return 0;
		j = (j + 1) & (*scap - 1);
	}
	(*seen)[j] = *c;
	(*sn)++;
	return 1;
}

/** is_ancestor -- 1 if old is reachable from tip (git's in_merge_bases),
 *  0 if not; a negative code (reported with fi_fail) if the walk could
 *  not finish: out of memory, a commit that cannot be read. An error is
 *  never taken for "not an ancestor". */
static int
is_ancestor(fi_state *s, const pmdb_oid *old, const pmdb_oid *tip)
{
	pmdb_oid *q = NULL, *seen = NULL;
	size_t n = 0, cap = 0, head = 0, scap = 0, sn = 0;
	int rc;

	if (!memcmp(old, tip, sizeof(*old)))
		return 1;
	rc = read_parents(s, tip, &q, &n, &cap);
	while (!rc && head < n) {
		pmdb_oid c = q[head++];
		int added = seen_add(&seen, &scap, &sn, &c);
		if (added < 0) {
			fi_fail(s, "walking history: out of memory");
			rc = added;
			break;
		}
		if (!added)
			continue;
		if (!memcmp(&c, old, sizeof(c))) {
			rc = 1;
			break;
		}
		rc = read_parents(s, &c, &q, &n, &cap);
	}
	free(q);
	free(seen);
	return rc;
}

/**
 * check_ff -- decide b's update without --force: sets b->refuse to
 * FI_REFUSE_MISSING (old or new tip leads to no commit: git's "missing
 * commits"), FI_REFUSE_NOT_FF (old tip not in the new history) or 0.
 * 0, or -1 (fi_fail) when the answer could not be computed: out of
 * memory, an I/O error, a damaged commit. Errors never become refusals.
 */
static int
check_ff(fi_state *s, fi_branch *b)
{
	pmdb_oid o = b->orig, t = b->tip;
	int rc;

	b->refuse = 0;
	if (s->force || b->orig_absent)
		return 0;
	if ((rc = peel_commit(s, &o)) == 0)
		rc = peel_commit(s, &t);
	if (rc == PMDB_ENOTFOUND) {
		b->refuse = FI_REFUSE_MISSING;
		return 0;
	}
	if (rc < 0)
		return -1;
	rc = is_ancestor(s, &o, &t);
	if (rc < 0)
		return -1;
	if (rc == 0)
		b->refuse = FI_REFUSE_NOT_FF;
	return 0;
}

/**
 * fi_publish -- git's checkpoint: commit the objects txn together with
 * every changed ref (compare-and-swap against orig) in that one txn,
 * refusing non-fast-forwards without --force (warning, exit code 1
 * later), then write the export marks and, unless final, begin a new
 * txn. All-or-nothing: every check that can fail runs before the first
 * ref is staged, and any failure returns -1 (fi_fail) with the txn not
 * committed, so no ref changes at all (the caller aborts it).
 */
int
fi_publish(fi_state *s, int final)
{
	char h1[PMDB_OID_HEXMAX + 1], h2[PMDB_OID_HEXMAX + 1];
	int rc;

	/* pass 1: every decision that reads the pool; nothing printed yet */
	for (size_t i = 0; i < s->nbranches; i++) {
		fi_branch *b = s->branches[i];
		b->refuse = 0;
		if (!b->dirty || pmdb_oid_is_zero(&b->tip) ||
		    (!memcmp(&b->tip, &b->orig, sizeof(b->orig)) && !b->orig_absent))
			continue;
		if (check_ff(s, b) < 0)
			return -1;
	}
	/* pass 2: stage the updates (and report refusals) */
	for (size_t i = 0; i < s->nbranches; i++) {
		fi_branch *b = s->branches[i];
		const pmdb_oid *expect = b->orig_absent ? PMDB_EXPECT_ABSENT : &b->orig;
		if (!b->dirty)
			continue;
		if (pmdb_oid_is_zero(&b->tip)) {
			if (!b->del || b->orig_absent)
				continue;
			vcs_ref_change c = { .name = b->name, .expect = expect };
			rc = vcs_ref_update(s->repo, s->txn, &c);
		} else {
			if (!memcmp(&b->tip, &b->orig, sizeof(b->orig)) && !b->orig_absent)
				continue;
			if (b->refuse == FI_REFUSE_MISSING) {
				fprintf(s->o->err, "error: Branch %s is missing commits.\n",
					b->name);
				s->refused = 1;
				continue;
			}
			if (b->refuse == FI_REFUSE_NOT_FF) {
				fprintf(s->o->err, "warning: Not updating %s (new tip %s "
					"does not contain %s)\n", b->name,
					pmdb_oid_fmt(h1, &b->tip, s->repo->algo),
					pmdb_oid_fmt(h2, &b->orig, s->repo->algo));
				s->refused = 1;
				continue;
			}
			vcs_ref_change c = { .name = b->name, .oid = &b->tip,
					     .expect = expect,
					     .ident = s->o->reflog_ident,
					     .msg = s->o->reflog_msg ?
					    s->o->reflog_msg : "fast-import" };
			rc = vcs_ref_update(s->repo, s->txn, &c);
		}
		if (rc < 0) {
			return fi_fail(s, "updating %s: %s", b->name, vcs_errmsg());
		}
	}
	for (size_t i = 0; i < s->ntags; i++) {
		fi_tagref *t = &s->tags[i];
		if (!t->dirty)
			continue;
		vcs_str_reset(&s->path2);
		if (vcs_str_addf(&s->path2, "refs/tags/%s", t->name) < 0)
			return fi_fail(s, "out of memory");
		vcs_ref_change c = { .name = (char *)s->path2.data,
				     .oid = &t->oid,
				     .expect = t->orig_absent ? PMDB_EXPECT_ABSENT :
					       &t->orig,
				     .ident = s->o->reflog_ident,
				     .msg = s->o->reflog_msg ?
					    s->o->reflog_msg : "fast-import" };
		rc = vcs_ref_update(s->repo, s->txn, &c);
		if (rc < 0) {
			return fi_fail(s, "updating %s: %s", (char *)s->path2.data,
				       vcs_errmsg());
		}
	}
	rc = pmdb_txn_commit(s->txn);
	s->txn = NULL;
	s->objs_lost = rc < 0;
	if (rc < 0) {
		vcs_seterr_pmdb(rc, "committing the import");
		return fi_fail(s, "%s%s", vcs_errmsg(), rc == PMDB_ECONFLICT ?
			       " (a ref changed during the import)" : "");
	}
	s->txn_data = 0;
	for (size_t i = 0; i < s->nbranches; i++) {
		fi_branch *b = s->branches[i];
		if (!b->dirty || b->refuse)
			continue;       /* a refused update is retried next time */
		b->dirty = 0;
		if (!pmdb_oid_is_zero(&b->tip)) {
			b->orig = b->tip;
			b->orig_absent = 0;
		} else if (b->del) {
			b->orig_absent = 1;
		}
	}
	for (size_t i = 0; i < s->ntags; i++) {
		if (s->tags[i].dirty) {
			s->tags[i].orig = s->tags[i].oid;
			s->tags[i].orig_absent = 0;
			s->tags[i].dirty = 0;
		}
	}
	if (s->export_marks && fi_marks_write(s, s->export_marks) < 0)
		return -1;
	if (final)
		return 0;
	rc = pmdb_txn_begin(s->repo->env, &s->txn);
	if (rc < 0) {
		vcs_seterr_pmdb(rc, "starting a transaction");
		return fi_fail(s, "%s", vcs_errmsg());
	}
	for (size_t i = 0; i < s->nbranches; i++)
		if (s->branches[i]->mt)
			vcs_tree_editor_set_txn(s->branches[i]->mt, s->txn);
	return 0;
}
