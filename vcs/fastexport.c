/*
 * fastexport.c -- history out as a git fast-import stream (see
 * fastexport.h for what is written and in which order): the object
 * table, revision selection, the commit walk and fe_export() itself.
 * Output is in fastexport_out.c, marks files in fastexport_marks.c.
 *
 * Invariants:
 *  1. Every object seen has one entry in the object table (oid -> mark,
 *     flags); marks are handed out in output order, from 1 or from one
 *     past the highest imported mark.
 *  2. A commit is written only after all its parents that are written at
 *     all (iterative post-order walk), so `from :<mark>` always names a
 *     mark already defined in the stream or imported.
 *  3. File changes list every deletion before any modification, so a
 *     path that turns from file into directory (or back) imports right.
 *  4. A failure is never an answer: every read that fails for another
 *     reason than "does not exist" stops the export with 128. Refs, marks
 *     and the walk are resolved before the first byte of output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fastexport_int.h"
#include "reflog.h"

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

/** fe__fail -- print "pmvcs: fast-export: <msg>"; returns -1. */
int
fe__fail(fe_state *s, const char *fmt, ...)
{
	va_list ap;

	fputs("pmvcs: fast-export: ", s->o->err);
	va_start(ap, fmt);
	vfprintf(s->o->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->o->err);
	return -1;
}

/** fe__cause -- libpmdb's detail message for err, or the code's name. */
const char *
fe__cause(int err)
{
	const char *d = pmdb_errdetail();

	return d && *d ? d : pmdb_strerror(err);
}

/** slot -- index of oid's entry in tab (cap a power of 2), or of the
 *  empty slot where it belongs. */
static size_t
slot(const fe_obj *tab, size_t cap, const pmdb_oid *oid)
{
	uint64_t h;

	memcpy(&h, oid->id, sizeof(h));
	size_t j = (size_t)h & (cap - 1);
	while (!pmdb_oid_is_zero(&tab[j].oid) &&
	       memcmp(&tab[j].oid, oid, sizeof(*oid)))
		j = (j + 1) & (cap - 1);
	return j;
}

/** fe__find -- the table entry of oid, or NULL when absent. */
fe_obj *
fe__find(fe_state *s, const pmdb_oid *oid)
{
	if (!s->cap)
		return NULL;
	fe_obj *e = &s->tab[slot(s->tab, s->cap, oid)];
	return pmdb_oid_is_zero(&e->oid) ? NULL : e;
}

/** fe__named -- marked, or excluded and referenced by id. */
int
fe__named(fe_state *s, const pmdb_oid *oid)
{
	fe_obj *e = fe__find(s, oid);

	if (e && (e->flags & FE_MARKED))
		return 1;
	return e && s->o->ref_excluded && (e->flags & FE_UNINT) ? 2 : 0;
}

/** fe__put_ref -- how the stream names a named object. */
void
fe__put_ref(fe_state *s, const pmdb_oid *oid)
{
	char h[PMDB_OID_HEXMAX + 1];
	fe_obj *e = fe__find(s, oid);

	if (e && (e->flags & FE_MARKED))
		fprintf(s->out, ":%u", e->mark);
	else
		fputs(pmdb_oid_fmt(h, oid, s->repo->algo), s->out);
}

/** fe__obj -- the table entry of oid, created when absent (NULL on OOM:
 *  only a new entry allocates, so an existing one is always found). */
fe_obj *
fe__obj(fe_state *s, const pmdb_oid *oid)
{
	fe_obj *e = fe__find(s, oid);

	if (e)
		return e;
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4096;
		fe_obj *nt = calloc(nc, sizeof(*nt));
		if (!nt)
			return NULL;
		for (size_t i = 0; i < s->cap; i++)
			if (!pmdb_oid_is_zero(&s->tab[i].oid))
				nt[slot(nt, nc, &s->tab[i].oid)] = s->tab[i];
		free(s->tab);
		s->tab = nt;
		s->cap = nc;
	}
	e = &s->tab[slot(s->tab, s->cap, oid)];
	e->oid = *oid;
	s->n++;
	return e;
}

/** fe__read_commit -- vcs_commit_read() that reports its failure. */
int
fe__read_commit(fe_state *s, const pmdb_oid *oid, vcs_commit *c)
{
	char h[PMDB_OID_HEXMAX + 1];

	memset(c, 0, sizeof(*c));
	return vcs_commit_read(s->repo, NULL, oid, c) == 0 ? 0 :
		fe__fail(s, "cannot read commit %s: %s",
			 pmdb_oid_fmt(h, oid, s->repo->algo), vcs_errmsg());
}

/* ------------------------------------------------------------------ */
/* Revisions                                                           */
/* ------------------------------------------------------------------ */

/** add_ref -- a positive revision: full ref name and value. */
static int
add_ref(fe_state *s, const char *name, const pmdb_oid *oid)
{
	for (size_t i = 0; i < s->nrefs; i++)
		if (!strcmp(s->refs[i].name, name))
			return 0;
	if (VCS_ARRAY_GROW(s->refs, s->caprefs, s->nrefs + 1, 64))
		return fe__fail(s, "out of memory");
	fe_ref *r = &s->refs[s->nrefs];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(name)))
		return fe__fail(s, "out of memory");
	r->oid = *oid;
	s->nrefs++;
	return 0;
}

/** all_cb -- pmdb_ref_foreach callback for --all (direct refs only);
 *  1 stops the walk after add_ref() reported its failure. */
static int
all_cb(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	if ((target && *target) || vcs_ref_internal(name))
		return 0;
	return add_ref(ctx, name, oid) < 0 ? 1 : 0;
}

/** add_all -- --all: every direct ref. */
static int
add_all(fe_state *s)
{
	int rc = pmdb_ref_foreach(s->repo->env, "", all_cb, s);

	if (rc == 1)
		return -1;   /* add_ref() said why */
	if (rc != 0)
		return fe__fail(s, "cannot list refs: %s", fe__cause(rc));
	return 0;
}

/** positive -- resolve a revision to a ref (git's dwim order); only
 *  "no such ref" (or a name that cannot be a ref) tries the next form. */
static int
positive(fe_state *s, const char *spec)
{
	static const char *const fmt[] = {
		"%s", "refs/%s", "refs/tags/%s", "refs/heads/%s", "refs/remotes/%s",
	};
	char resolved[PMDB_REF_NAME_MAX + 1];
	pmdb_oid oid;

	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		vcs_str_reset(&s->buf);
		if (vcs_str_addf(&s->buf, fmt[i], spec) < 0)
			return fe__fail(s, "out of memory");
		int rc = pmdb_ref_resolve(s->repo->env, (char *)s->buf.data, &oid,
					  resolved);
		if (rc == 0)
			return add_ref(s, resolved, &oid);
		if (rc != PMDB_ENOTFOUND && rc != PMDB_EINVAL)
			return fe__fail(s, "cannot read ref %s: %s",
					(char *)s->buf.data, fe__cause(rc));
	}
	return fe__fail(s, "'%s' is not a ref (fast-export needs ref names)", spec);
}

/** negative -- a revision whose history is excluded. */
static int
negative(fe_state *s, const char *spec)
{
	pmdb_oid oid;
	int rc = vcs_revparse(s->repo, spec, &oid);

	if (rc == PMDB_ENOTFOUND)
		return fe__fail(s, "unknown revision: %s", spec);
	if (rc < 0)
		return fe__fail(s, "cannot resolve %s: %s", spec, vcs_errmsg());
	if (VCS_ARRAY_GROW(s->neg, s->capneg, s->nneg + 1, 64))
		return fe__fail(s, "out of memory");
	s->neg[s->nneg++] = oid;
	return 0;
}

/** add_revs -- o->revs: "<ref>", "A..B" and "^A". */
static int
add_revs(fe_state *s)
{
	const fe_opts *o = s->o;

	for (size_t i = 0; i < o->nrevs; i++) {
		const char *r = o->revs[i], *dots = strstr(r, "..");
		if (r[0] == '^') {
			if (negative(s, r + 1) < 0)
				return -1;
		} else if (dots) {
			char *a = strndup(r, (size_t)(dots - r));
			if (!a)
				return fe__fail(s, "out of memory");
			int e = negative(s, *a ? a : "HEAD") < 0 ||
				positive(s, dots[2] ? dots + 2 : "HEAD") < 0;
			free(a);
			if (e)
				return -1;
		} else if (positive(s, r) < 0) {
			return -1;
		}
	}
	return 0;
}

/** peel_commit -- the commit oid names, through tags: *has 1 and *c set,
 *  or *has 0 when it ends at a tree or blob; -1 after a failed read. */
static int
peel_commit(fe_state *s, const pmdb_oid *oid, int *has, pmdb_oid *c,
	    pmdb_otype *type_out)
{
	char h[PMDB_OID_HEXMAX + 1];
	pmdb_otype type;
	pmdb_oid t;
	int rc;

	*has = 0;
	if ((rc = pmdb_object_info(s->repo->env, oid, &type, NULL)) != 0)
		return rc == PMDB_ENOTFOUND ?
			fe__fail(s, "object %s not found", pmdb_oid_fmt(h, oid, s->repo->algo)) :
			fe__fail(s, "cannot read %s: %s", pmdb_oid_fmt(h, oid, s->repo->algo),
				 fe__cause(rc));
	if (type_out)
		*type_out = type;
	if (type != PMDB_OBJ_TAG) {
		*has = type == PMDB_OBJ_COMMIT;
		*c = *oid;
		return 0;
	}
	if (vcs_peel(s->repo, oid, PMDB_OBJ_NONE, &t) < 0)
		return fe__fail(s, "cannot peel %s: %s", pmdb_oid_fmt(h, oid, s->repo->algo),
				vcs_errmsg());
	if ((rc = pmdb_object_info(s->repo->env, &t, &type, NULL)) != 0)
		return fe__fail(s, "cannot read %s: %s", pmdb_oid_fmt(h, &t, s->repo->algo),
				fe__cause(rc));
	*has = type == PMDB_OBJ_COMMIT;
	*c = t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Walk                                                                */
/* ------------------------------------------------------------------ */

/** mark_uninteresting -- flag every ancestor of the negative revisions. */
static int
mark_uninteresting(fe_state *s)
{
	pmdb_oid *q = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; i < s->nneg && !rc; i++) {
		pmdb_oid c;
		int has;
		if ((rc = peel_commit(s, &s->neg[i], &has, &c, NULL)) < 0 || !has)
			continue;   /* ^<tree>, ^<blob>: nothing to exclude */
		if (VCS_ARRAY_GROW(q, cap, n + 1, 64))
			rc = fe__fail(s, "out of memory");
		else
			q[n++] = c;
	}
	while (n && !rc) {
		pmdb_oid c = q[--n];
		vcs_commit cm;
		fe_obj *e = fe__obj(s, &c);
		if (!e) {
			rc = fe__fail(s, "out of memory");
			break;
		}
		if (e->flags & FE_UNINT)
			continue;
		e->flags |= FE_UNINT;
		if ((rc = fe__read_commit(s, &c, &cm)) < 0)
			break;
		for (size_t i = 0; i < cm.nparents; i++) {
			if (VCS_ARRAY_GROW(q, cap, n + 1, 64)) {
				rc = fe__fail(s, "out of memory");
				break;
			}
			q[n++] = cm.parents[i];
		}
		vcs_commit_clear(&cm);
	}
	free(q);
	return rc;
}

/** walk -- post-order from ref r's commit: parents before children. */
static int
walk(fe_state *s, size_t r, const pmdb_oid *tip)
{
	struct frame { pmdb_oid oid; pmdb_oid *par; size_t np, next; } *st = NULL;
	size_t n = 0, cap = 0;
	pmdb_oid next = *tip;
	int rc = 0, push = 1;

	while (!rc) {
		if (push) {
			fe_obj *e = fe__obj(s, &next);
			push = 0;
			if (!e) {
				rc = fe__fail(s, "out of memory");
				break;
			}
			if (!(e->flags & (FE_MARKED | FE_UNINT | FE_VISITED))) {
				vcs_commit cm;
				e->flags |= FE_VISITED;
				if ((rc = fe__read_commit(s, &next, &cm)) < 0)
					break;
				if (VCS_ARRAY_GROW(st, cap, n + 1, 64)) {
					vcs_commit_clear(&cm);
					rc = fe__fail(s, "out of memory");
					break;
				}
				st[n] = (struct frame){ next, cm.parents, cm.nparents, 0 };
				cm.parents = NULL;
				cm.nparents = 0;
				vcs_commit_clear(&cm);
				n++;
			}
		}
		if (!n)
			break;
		struct frame *f = &st[n - 1];
		if (f->next < f->np) {
			next = f->par[f->next++];
			push = 1;
			continue;
		}
		if (VCS_ARRAY_GROW(s->order, s->caporder, s->norder + 1, 64)) {
			rc = fe__fail(s, "out of memory");
			break;
		}
		s->order[s->norder].oid = f->oid;
		s->order[s->norder++].ref = r;
		free(f->par);
		n--;
	}
	while (n)
		free(st[--n].par);
	free(st);
	return rc;
}

/** select_all -- everything that can fail before output: refs, marks,
 *  the excluded history and the walk. */
static int
select_all(fe_state *s)
{
	const fe_opts *o = s->o;

	if (o->all && add_all(s) < 0)
		return -1;
	if (add_revs(s) < 0)
		return -1;
	if (o->import_marks && fe__read_marks(s, o->import_marks) < 0)
		return -1;
	if (mark_uninteresting(s) < 0)
		return -1;
	for (size_t i = 0; i < s->nrefs; i++) {
		fe_ref *r = &s->refs[i];
		if (peel_commit(s, &r->oid, &r->has_commit, &r->commit, &r->type) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->nrefs; i++)
		if (s->refs[i].has_commit && walk(s, i, &s->refs[i].commit) < 0)
			return -1;
	return 0;
}

/** write_refs -- commits in walk order, then tags and resets of refs
 *  whose tip was written under another name. */
static int
write_refs(fe_state *s)
{
	for (size_t i = 0; i < s->norder; i++)
		if (fe__export_commit(s, &s->order[i].oid, &s->refs[s->order[i].ref]) < 0)
			return -1;
	/* refs whose history is all excluded: set by id, last ref first as
	 * git does (it walks its list of extra refs backwards) */
	for (size_t i = s->nrefs; i-- > 0;) {
		fe_ref *r = &s->refs[i];
		if (r->type == PMDB_OBJ_COMMIT && fe__named(s, &r->oid) == 2) {
			fprintf(s->out, "reset %s\nfrom ", r->name);
			fe__put_ref(s, &r->oid);
			fputs("\n\n", s->out);
		}
	}
	for (size_t i = 0; i < s->nrefs; i++) {
		fe_ref *r = &s->refs[i];
		if (r->type == PMDB_OBJ_TAG) {
			if (fe__export_tag(s, r) < 0)
				return -1;
		} else if (r->type == PMDB_OBJ_COMMIT) {
			fe_obj *e = fe__find(s, &r->oid);
			if (e && (e->flags & FE_MARKED) && e->mark != r->last_mark)
				fprintf(s->out, "reset %s\nfrom :%u\n\n", r->name, e->mark);

		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

/** fe_export -- select, then write (fastexport.h); 0 or 128. */
int
fe_export(vcs_repo *repo, const fe_opts *o)
{
	fe_state st;
	fe_state *s = &st;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->repo = repo;
	s->o = o;
	s->out = o->out;
	if (select_all(s) < 0)
		goto out;
	if (o->use_done)
		fputs("feature done\n", s->out);
	if (write_refs(s) < 0)
		goto out;
	/* the stream is complete only if every byte of it went out */
	if (fflush(s->out) != 0 || ferror(s->out)) {
		fe__fail(s, "write error: %s", strerror(errno));
		goto out;
	}
	if (o->export_marks && fe__write_marks(s, o->export_marks) < 0)
		goto out;
	if (o->use_done)
		fputs("done\n", s->out);
	if (fflush(s->out) != 0 || ferror(s->out)) {
		fe__fail(s, "write error: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < s->nrefs; i++)
		free(s->refs[i].name);
	free(s->refs);
	free(s->neg);
	free(s->order);
	free(s->tab);
	free(s->ch);
	vcs_str_free(&s->paths);
	vcs_str_free(&s->buf);
	return rc < 0 ? 128 : 0;
}
