/*
 * revision_objects.c -- rev-list --objects (see revision.h): git's
 * traverse_commit_list after the commits: the given tags, then the trees
 * and blobs of the shown commits, each object once, with the edges'
 * trees (uninteresting parents of shown commits) marked seen first so
 * that "A..B" lists only what B adds.
 */
#include <stdlib.h>
#include <string.h>

#include "oidset.h"
#include "revision_int.h"

typedef struct ctx {
	vcs_rev_info *r;
	vcs_oidset seen;
	vcs_rev_object_fn fn;
	void *arg;
	vcs_str path;
} ctx;

/* tree -- show (unless mark_only) a tree and what it holds, once */
static int
tree(ctx *c, const pmdb_oid *oid, int mark_only)
{
	vcs_tree t;
	size_t mark = c->path.len;
	int rc = vcs_oidset_add(&c->seen, oid);

	if (rc <= 0)
		return rc < 0 ? vcs_seterr(rc, "out of memory") : 0;
	if (!mark_only && (rc = c->fn(oid, c->path.data ? (char *)c->path.data :
				      "", c->arg)))
		return rc;
	if ((rc = vcs_tree_read(c->r->repo, NULL, oid, &t)))
		return rc;
	if (c->path.len && vcs_str_add(&c->path, "/", 1))
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < t.n; i++) {
		const vcs_tree_entry *e = &t.entries[i];
		size_t m2 = c->path.len;

		if (e->mode == VCS_MODE_GITLINK)
			continue;
		if (vcs_str_add(&c->path, e->name, e->name_len)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if (e->mode == VCS_MODE_TREE) {
			rc = tree(c, &e->oid, mark_only);
		} else if ((rc = vcs_oidset_add(&c->seen, &e->oid)) < 0) {
			rc = vcs_seterr(rc, "out of memory");
		} else if (rc) {
			rc = mark_only ? 0 : c->fn(&e->oid, (char *)c->path.data,
						   c->arg);
		}
		c->path.len = m2;
		c->path.data[m2] = '\0';
	}
	vcs_tree_clear(&t);
	c->path.len = mark;
	if (c->path.data)
		c->path.data[mark] = '\0';
	return rc;
}

int
vcs_rev_objects(vcs_rev_info *r, const pmdb_oid *commits, size_t n,
		vcs_rev_object_fn fn, void *arg)
{
	ctx c = { r, VCS_OIDSET_INIT, fn, arg, VCS_STR_INIT };
	int rc = 0;

	/* the edges: trees of uninteresting parents are not to be shown */
	for (size_t k = 0; !rc && k < n; k++) {
		uint32_t i;

		if ((rc = rev_node(r, &commits[k], &i)) ||
		    (rc = rev_parse_node(r, i)))
			break;
		for (uint32_t p = 0; !rc && p < r->nodes[i].npar; p++) {
			uint32_t pi = r->par[r->nodes[i].par + p];

			if (!(r->nodes[pi].flags & F_UNINT))
				continue;
			if (!(rc = rev_parse_node(r, pi)))
				rc = tree(&c, &r->nodes[pi].tree, 1);
		}
	}
	for (size_t k = 0; !rc && k < r->ntags; k++) {
		pmdb_oid o = r->tags[k];
		pmdb_otype type = PMDB_OBJ_TAG;

		while (!rc && type == PMDB_OBJ_TAG) {
			vcs_tag t;

			if ((rc = vcs_tag_read(r->repo, NULL, &o, &t)))
				break;
			if ((rc = vcs_oidset_add(&c.seen, &o)) < 0)
				rc = vcs_seterr(rc, "out of memory");
			else if (rc)
				rc = fn(&o, t.tag, arg);
			o = t.object;
			type = t.type;
			vcs_tag_clear(&t);
		}
	}
	for (size_t k = 0; !rc && k < n; k++) {
		uint32_t i;

		if (!(rc = rev_node(r, &commits[k], &i)))
			rc = tree(&c, &r->nodes[i].tree, 0);
	}
	vcs_oidset_free(&c.seen);
	vcs_str_free(&c.path);
	return rc;
}
