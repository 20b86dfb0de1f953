/*
 * decorate.c -- git's ref decorations (see decorate.h).
 *
 * git's load_ref_decorations adds every ref in name order, then HEAD,
 * each in front of the object's list; format_decorations shows the list
 * from the front and folds the branch HEAD points at into "HEAD -> x".
 * Here the entries are kept in the order added and sorted by id (a
 * stable sort), and each object's run is read backwards.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "decorate.h"

enum { D_LOCAL, D_REMOTE, D_TAG, D_STASH, D_HEAD };

typedef struct dent {
	pmdb_oid oid;
	char *name;            /* full ref name */
	int type;
	size_t seq;
} dent;

struct vcs_decor {
	vcs_repo *repo;
	dent *v;
	size_t n, cap;
	char *head_branch;     /* what HEAD points at, or NULL (detached) */
	int full;
};

static int
add(vcs_decor *d, const pmdb_oid *oid, const char *name, int type)
{
	char *s = strdup(name);

	if (!s || VCS_ARRAY_GROW(d->v, d->cap, d->n + 1, 64)) {
		free(s);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	d->v[d->n].oid = *oid;
	d->v[d->n].name = s;
	d->v[d->n].type = type;
	d->v[d->n].seq = d->n;
	d->n++;
	return 0;
}

/* add_ref -- git's add_ref_decoration: the ref, and through tags what
 * they point at (as tags) */
static int
add_ref(vcs_decor *d, const char *name, const pmdb_oid *oid)
{
	pmdb_oid o = *oid;
	int type, rc;

	if (!strncmp(name, "refs/heads/", 11))
		type = D_LOCAL;
	else if (!strncmp(name, "refs/remotes/", 13))
		type = D_REMOTE;
	else if (!strncmp(name, "refs/tags/", 10))
		type = D_TAG;
	else if (!strcmp(name, "refs/stash"))
		type = D_STASH;
	else if (!strcmp(name, "HEAD"))
		type = D_HEAD;
	else
		return 0;       /* git's default decoration filter */
	if ((rc = add(d, &o, name, type)))
		return rc;
	for (;;) {
		pmdb_otype t;
		vcs_tag tag;

		if (pmdb_object_info(d->repo->env, &o, &t, NULL) || t != PMDB_OBJ_TAG)
			return 0;
		if ((rc = vcs_tag_read(d->repo, NULL, &o, &tag)))
			return rc == PMDB_ENOMEM ? rc : 0;
		o = tag.object;
		vcs_tag_clear(&tag);
		if ((rc = add(d, &o, name, D_TAG)))
			return rc;
	}
}

static int
each_ref(const char *name, const pmdb_oid *oid, const char *target, void *v)
{
	if (target && *target)
		return 0;
	return add_ref(v, name, oid);
}

static int
cmp_dent(const void *a, const void *b)
{
	const dent *x = a, *y = b;
	int c = memcmp(&x->oid, &y->oid, sizeof(x->oid));

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
vcs_decor_load(vcs_decor **out, vcs_repo *repo, int full)
{
	vcs_decor *d = calloc(1, sizeof(*d));
	pmdb_oid head;
	int rc;

	*out = NULL;
	if (!d)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	d->repo = repo;
	d->full = full;
	vcs_seterr(0, "%s", "");
	rc = pmdb_ref_foreach(repo->env, "refs/", each_ref, d);
	if (rc && !*vcs_errmsg())
		vcs_seterr_pmdb(rc, "reading refs");
	if (!rc && !vcs_head(repo, &head, &d->head_branch))
		rc = add_ref(d, "HEAD", &head);
	if (rc) {
		vcs_decor_free(d);
		return rc;
	}
	qsort(d->v, d->n, sizeof(*d->v), cmp_dent);
	*out = d;
	return 0;
}

/* add_name -- git's show_name */
static int
add_name(const vcs_decor *d, vcs_str *out, const dent *e)
{
	const char *n = e->name;

	if (!d->full) {
		if (!strncmp(n, "refs/heads/", 11))
			n += 11;
		else if (!strncmp(n, "refs/tags/", 10))
			n += 10;
		else if (!strncmp(n, "refs/remotes/", 13))
			n += 13;
	}
	return vcs_str_adds(out, n);
}

int
vcs_decor_format(const vcs_decor *d, const pmdb_oid *oid, vcs_str *out,
		 int parens)
{
	size_t lo = 0, hi = d->n, first, end;
	const dent *cur = NULL, *headd = NULL;
	const char *sep = parens ? " (" : "";
	int rc = 0;

	while (lo < hi) {           /* the first entry of oid */
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(&d->v[mid].oid, oid, sizeof(*oid)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (end = first; end < d->n && !memcmp(&d->v[end].oid, oid,
						 sizeof(*oid)); end++)
		;
	if (first == end)
		return 0;
	/* git's current_pointed_by_HEAD */
	for (size_t k = first; k < end; k++)
		if (d->v[k].type == D_HEAD)
			headd = &d->v[k];
	for (size_t k = first; headd && d->head_branch && k < end; k++)
		if (d->v[k].type == D_LOCAL &&
		    !strcmp(d->v[k].name, d->head_branch))
			cur = &d->v[k];
	for (size_t k = end; k-- > first && !rc;) {
		const dent *e = &d->v[k];

		if (e == cur)
			continue;
		rc = vcs_str_adds(out, sep);
		if (!rc && e->type == D_TAG)
			rc = vcs_str_adds(out, "tag: ");
		rc = rc ? rc : add_name(d, out, e);
		if (!rc && cur && e->type == D_HEAD) {
			rc = vcs_str_adds(out, " -> ");
			rc = rc ? rc : add_name(d, out, cur);
		}
		sep = ", ";
	}
	if (!rc && parens)
		rc = vcs_str_adds(out, ")");
	return rc ? vcs_seterr(PMDB_ENOMEM, "out of memory") : 0;
}

void
vcs_decor_free(vcs_decor *d)
{
	if (!d)
		return;
	for (size_t k = 0; k < d->n; k++)
		free(d->v[k].name);
	free(d->v);
	free(d->head_branch);
	free(d);
}
