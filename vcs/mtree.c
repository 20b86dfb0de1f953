/*
 * mtree.c -- mutable trees: load lazily, edit by path, write back only
 * what changed.
 *
 * Each directory is an mnode holding its entries sorted in git's tree
 * order, so lookups are binary searches and writing a directory needs no
 * sort. Invariants:
 *  1. !loaded => the node's entries were never read; oid names them.
 *  2. !dirty  => oid is the id of the node's current contents (it is in
 *     the pool or was put in a txn), so write() reuses it unhashed.
 *  3. dirty   => loaded, and every ancestor is dirty too.
 *  4. An entry with sub != NULL is a directory whose contents are sub's;
 *     its own oid is valid only while sub is clean.
 *  5. A dirty directory left empty is dropped from its parent at write
 *     (git cannot store an empty directory).
 */
#include <stdlib.h>
#include <string.h>

#include "vcs.h"

typedef struct mnode mnode;

typedef struct ment {
	char *name;             /* NUL-terminated, owned */
	size_t name_len;
	uint32_t mode;
	pmdb_oid oid;           /* see invariant 4 */
	mnode *sub;             /* expanded directory, or NULL */
} ment;

struct mnode {
	ment *e;
	size_t n, cap;
	pmdb_oid oid;           /* see invariants 1-2 */
	unsigned loaded : 1;
	unsigned dirty : 1;
};

struct vcs_mtree {
	vcs_repo *repo;
	pmdb_txn *txn;          /* reads go through it when non-NULL */
	mnode *root;
	vcs_str buf;            /* encoding scratch, reused by every write */
};

/* node_new -- a directory node; root NULL = new empty (loaded, dirty) */
static mnode *
node_new(const pmdb_oid *oid)
{
	mnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	if (oid) {
		n->oid = *oid;
	} else {
		n->loaded = 1;
		n->dirty = 1;
	}
	return n;
}

/* node_free -- free a node and everything under it */
static void
node_free(mnode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++) {
		free(n->e[i].name);
		node_free(n->e[i].sub);
	}
	free(n->e);
	free(n);
}

/* node_load -- read a node's entries from the pool (invariant 1) */
static int
node_load(vcs_mtree *t, mnode *n)
{
	vcs_tree tree;
	size_t i;
	int err;

	if (n->loaded)
		return 0;
	if ((err = vcs_tree_read(t->repo, t->txn, &n->oid, &tree)))
		return err;
	n->e = calloc(tree.n ? tree.n : 1, sizeof(*n->e));
	if (!n->e) {
		vcs_tree_clear(&tree);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	/* the parser checked git's order: take its names as they are */
	for (i = 0; i < tree.n; i++) {
		n->e[i].name = tree.entries[i].name;
		n->e[i].name_len = tree.entries[i].name_len;
		n->e[i].mode = tree.entries[i].mode;
		n->e[i].oid = tree.entries[i].oid;
	}
	n->cap = tree.n ? tree.n : 1;
	n->n = tree.n;
	free(tree.entries);
	n->loaded = 1;
	return 0;
}

/* lower_bound -- first index whose entry is >= (name, mode) */
static size_t
lower_bound(const mnode *n, const char *name, size_t len, uint32_t mode)
{
	size_t lo = 0, hi = n->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const ment *e = &n->e[mid];

		if (vcs_tree_entry_cmp(e->name, e->name_len, e->mode,
				       name, len, mode) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* name_at -- 1 if entry i of n is called name */
static int
name_at(const mnode *n, size_t i, const char *name, size_t len)
{
	return i < n->n && n->e[i].name_len == len &&
	       memcmp(n->e[i].name, name, len) == 0;
}

/* find -- index of the entry called name (file or directory), or -1;
 * the two kinds sort at different places, so look at both */
static ptrdiff_t
find(const mnode *n, const char *name, size_t len)
{
	size_t i = lower_bound(n, name, len, VCS_MODE_BLOB);

	if (name_at(n, i, name, len))
		return (ptrdiff_t)i;
	i = lower_bound(n, name, len, VCS_MODE_TREE);
	if (name_at(n, i, name, len))
		return (ptrdiff_t)i;
	return -1;
}

/* remove_at -- drop entry i of n */
static void
remove_at(mnode *n, size_t i)
{
	free(n->e[i].name);
	node_free(n->e[i].sub);
	memmove(&n->e[i], &n->e[i + 1], (n->n - i - 1) * sizeof(*n->e));
	n->n--;
}

/* insert -- add a new entry (name must be absent); returns it or NULL */
static ment *
insert(mnode *n, const char *name, size_t len, uint32_t mode,
       const pmdb_oid *oid)
{
	size_t i = lower_bound(n, name, len, mode);
	char *copy;
	ment *e;

	if (n->n == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;

		if (!(e = realloc(n->e, cap * sizeof(*e))))
			return NULL;
		n->e = e;
		n->cap = cap;
	}
	if (!(copy = malloc(len + 1)))
		return NULL;
	memcpy(copy, name, len);
	copy[len] = '\0';
	memmove(&n->e[i + 1], &n->e[i], (n->n - i) * sizeof(*n->e));
	n->n++;
	e = &n->e[i];
	e->name = copy;
	e->name_len = len;
	e->mode = mode;
	memset(&e->oid, 0, sizeof(e->oid));
	if (oid)
		e->oid = *oid;
	e->sub = NULL;
	return e;
}

/* next_comp -- split the next path component; -1 if it is invalid */
static int
next_comp(const char **p, const char *end, const char **c, size_t *clen)
{
	const char *s = *p, *slash = memchr(s, '/', (size_t)(end - s));
	const char *ce = slash ? slash : end;

	*c = s;
	*clen = (size_t)(ce - s);
	if (*clen == 0 || memchr(s, '\0', *clen) ||
	    (*clen == 1 && s[0] == '.') ||
	    (*clen == 2 && s[0] == '.' && s[1] == '.'))
		return -1;
	if (slash && slash + 1 == end)
		return -1;              /* trailing slash */
	*p = slash ? slash + 1 : end;
	return 0;
}

/* bad_path -- the EINVAL every path check returns */
static int
bad_path(const char *path, size_t len)
{
	return vcs_seterr(PMDB_EINVAL, "invalid path '%.*s'", (int)len, path);
}

/* vcs_mtree_new -- a tree starting at root (NULL: empty) */
int
vcs_mtree_new(vcs_mtree **out, vcs_repo *repo, pmdb_txn *txn,
	      const pmdb_oid *root)
{
	vcs_mtree *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || !(t->root = node_new(root))) {
		free(t);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	t->repo = repo;
	t->txn = txn;
	*out = t;
	return 0;
}

/* vcs_mtree_free -- free the tree. NULL-safe */
void
vcs_mtree_free(vcs_mtree *t)
{
	if (!t)
		return;
	node_free(t->root);
	vcs_str_free(&t->buf);
	free(t);
}

/* vcs_mtree_reset -- replace everything (fast-import's deleteall) */
int
vcs_mtree_reset(vcs_mtree *t, const pmdb_oid *root)
{
	mnode *n = node_new(root);

	if (!n)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	node_free(t->root);
	t->root = n;
	return 0;
}

/* vcs_mtree_set_txn -- point reads at another txn */
void
vcs_mtree_set_txn(vcs_mtree *t, pmdb_txn *txn)
{
	t->txn = txn;
}

/* descend -- the directory node for entry e, expanding it; NULL + err */
static mnode *
descend(vcs_mtree *t, ment *e, int *err)
{
	if (!e->sub && !(e->sub = node_new(&e->oid))) {
		*err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		return NULL;
	}
	if ((*err = node_load(t, e->sub)))
		return NULL;
	return e->sub;
}

/* vcs_mtree_set -- put (mode, oid) at path, making directories */
int
vcs_mtree_set(vcs_mtree *t, const char *path, size_t len, uint32_t mode,
	      const pmdb_oid *oid)
{
	const char *p = path, *end = path + len, *c;
	mnode *n = t->root;
	size_t clen;
	ptrdiff_t i;
	ment *e;
	int err;

	if (mode != VCS_MODE_TREE && mode != VCS_MODE_BLOB &&
	    mode != VCS_MODE_EXEC && mode != VCS_MODE_LINK &&
	    mode != VCS_MODE_GITLINK)
		return vcs_seterr(PMDB_EINVAL, "invalid mode %o for '%.*s'",
				  (unsigned)mode, (int)len, path);
	if (len == 0)
		return bad_path(path, len);
	if ((err = node_load(t, n)))
		return err;
	/* Nodes are marked dirty on the way down: if a later step fails the
	 * only cost is a re-encode of an unchanged tree (same id). */
	for (;;) {
		if (next_comp(&p, end, &c, &clen))
			return bad_path(path, len);
		n->dirty = 1;
		i = find(n, c, clen);
		if (p == end)
			break;
		if (i >= 0 && n->e[i].mode != VCS_MODE_TREE) {
			/* a file in the way becomes a directory */
			remove_at(n, (size_t)i);
			i = -1;
		}
		if (i < 0) {
			if (!(e = insert(n, c, clen, VCS_MODE_TREE, NULL)) ||
			    !(e->sub = node_new(NULL)))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
			n = e->sub;
		} else if (!(n = descend(t, &n->e[i], &err))) {
			return err;
		}
	}
	if (i >= 0 && (n->e[i].mode == VCS_MODE_TREE) == (mode == VCS_MODE_TREE)) {
		/* same kind: same place in the order, replace in place */
		e = &n->e[i];
		node_free(e->sub);
		e->sub = NULL;
		e->mode = mode;
		e->oid = *oid;
		return 0;
	}
	if (i >= 0)
		remove_at(n, (size_t)i);
	if (!insert(n, c, clen, mode, oid))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	return 0;
}

/* remove_rec -- remove path under n; sets *empty when n ends up empty */
static int
remove_rec(vcs_mtree *t, mnode *n, const char *path, size_t len,
	   const char *p, const char *end, int *empty)
{
	const char *c;
	size_t clen;
	ptrdiff_t i;
	int err, sub_empty = 0;

	if (next_comp(&p, end, &c, &clen))
		return bad_path(path, len);
	if ((err = node_load(t, n)))
		return err;
	i = find(n, c, clen);
	if (i < 0 || (p != end && n->e[i].mode != VCS_MODE_TREE))
		return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does not exist",
				  (int)len, path);
	if (p != end) {
		mnode *sub = descend(t, &n->e[i], &err);

		if (!sub)
			return err;
		if ((err = remove_rec(t, sub, path, len, p, end, &sub_empty)))
			return err;
	}
	if (p == end || sub_empty)
		remove_at(n, (size_t)i);
	n->dirty = 1;
	*empty = n->n == 0;
	return 0;
}

/* vcs_mtree_remove -- remove path; parents left empty go too */
int
vcs_mtree_remove(vcs_mtree *t, const char *path, size_t len)
{
	int empty = 0;

	if (len == 0)
		return bad_path(path, len);
	return remove_rec(t, t->root, path, len, path, path + len, &empty);
}

/* write_node -- encode dirty subtrees bottom-up; with txn NULL only
 * compute ids (nothing stored, so nothing is marked clean) */
static int
write_node(vcs_mtree *t, mnode *n, pmdb_txn *txn)
{
	size_t hashlen = t->repo->hashlen, i, j;
	int err;

	if (!n->dirty)
		return 0;
	for (i = 0, j = 0; i < n->n; i++) {
		ment *e = &n->e[i];

		if (e->sub && e->sub->dirty) {
			if ((err = write_node(t, e->sub, txn)))
				return err;
			if (e->sub->n == 0) {
				/* invariant 5: empty directories vanish */
				free(e->name);
				node_free(e->sub);
				continue;
			}
			e->oid = e->sub->oid;
		}
		if (i != j)
			n->e[j] = *e;
		j++;
	}
	n->n = j;
	/* children are done: the one scratch buffer is free for this node */
	vcs_str_reset(&t->buf);
	for (i = 0; i < n->n; i++) {
		const ment *e = &n->e[i];

		if ((err = vcs_str_addf(&t->buf, "%o ", (unsigned)e->mode)) ||
		    (err = vcs_str_add(&t->buf, e->name, e->name_len + 1)) ||
		    (err = vcs_str_add(&t->buf, e->oid.id, hashlen)))
			return err;
	}
	if (!txn) {
		err = pmdb_hash_object(&n->oid, t->repo->algo, PMDB_OBJ_TREE,
				       t->buf.data ? t->buf.data : (uint8_t *)"",
				       t->buf.len);
		return err ? vcs_seterr_pmdb(err, "hashing a tree") : 0;
	}
	err = pmdb_txn_put(txn, PMDB_OBJ_TREE,
			   t->buf.data ? t->buf.data : (uint8_t *)"",
			   t->buf.len, &n->oid);
	if (err)
		return vcs_seterr_pmdb(err, "writing a tree");
	n->dirty = 0;
	return 0;
}

/* vcs_mtree_write -- store every changed subtree; return the root id */
int
vcs_mtree_write(vcs_mtree *t, pmdb_txn *txn, pmdb_oid *root)
{
	int err;

	if (!txn)
		return vcs_seterr(PMDB_EINVAL, "vcs_mtree_write needs a txn");
	if ((err = write_node(t, t->root, txn)))
		return err;
	*root = t->root->oid;
	return 0;
}

/* vcs_mtree_get -- mode and id at path ("" = root) */
int
vcs_mtree_get(vcs_mtree *t, const char *path, size_t len, uint32_t *mode,
	      pmdb_oid *oid)
{
	const char *p = path, *end = path + len, *c;
	mnode *n = t->root;
	ment *e = NULL;
	size_t clen;
	int err;

	while (p < end) {
		ptrdiff_t i;

		if (next_comp(&p, end, &c, &clen))
			return bad_path(path, len);
		if ((err = node_load(t, n)))
			return err;
		if ((i = find(n, c, clen)) < 0)
			return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does "
					  "not exist", (int)len, path);
		e = &n->e[i];
		if (p == end)
			break;
		if (e->mode != VCS_MODE_TREE)
			return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does "
					  "not exist", (int)len, path);
		if (!(n = descend(t, e, &err)))
			return err;
	}
	if (e && (e->mode != VCS_MODE_TREE || !e->sub)) {
		*mode = e->mode;
		*oid = e->oid;
		return 0;
	}
	n = e ? e->sub : t->root;
	if (n->dirty && (err = write_node(t, n, t->txn)))
		return err;
	if (n->n == 0 && e)
		return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does not exist",
				  (int)len, path);
	*mode = VCS_MODE_TREE;
	*oid = n->oid;
	return 0;
}
