/*
 * tree_editor.c -- mutable trees: load lazily, edit by path, write back only
 * what changed.
 *
 * Each directory is an mnode. Its entries live in a main array sorted in
 * git's tree order (binary search) plus a small unsorted pending array
 * for inserts that do not append: pending is scanned linearly and merged
 * into the main array once it outgrows sqrt(n), so n random inserts cost
 * O(n sqrt n), not O(n^2) memmoves; in-order inserts (the common case:
 * fast-export writes paths sorted) append at once. Removals from the
 * main array leave a tombstone (dead) compacted at the next merge.
 * Invariants:
 *  1. !loaded => the node's entries were never read; oid names them.
 *  2. !dirty  => oid is the id of the node's current contents (it is in
 *     the pool or was put in a txn), so write() reuses it unhashed.
 *  3. dirty   => loaded, and every ancestor is dirty too.
 *  4. An entry with sub != NULL is a directory whose contents are sub's;
 *     its own oid is valid only while sub is clean.
 *  5. A dirty directory left empty is dropped from its parent at write
 *     (git cannot store an empty directory).
 *  6. A live name appears once across main and pending; main's live and
 *     dead entries are in git's order.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "vcs.h"

typedef struct mnode mnode;

typedef struct ment {
	char *name;             /* NUL-terminated, owned */
	size_t name_len;
	uint32_t mode;
	uint32_t dead;          /* tombstone in the main array */
	pmdb_oid oid;           /* see invariant 4 */
	mnode *sub;             /* expanded directory, or NULL */
} ment;

struct mnode {
	ment *e;                /* main array, sorted */
	size_t n, cap, ndead;
	ment *p;                /* pending inserts, unsorted */
	size_t np, pcap;
	pmdb_oid oid;           /* see invariants 1-2 */
	unsigned loaded : 1;
	unsigned dirty : 1;
};

struct vcs_tree_editor {
	vcs_repo *repo;
	pmdb_txn *txn;          /* reads go through it when non-NULL */
	mnode *root;
	vcs_str buf;            /* encoding scratch, reused by every write */
	uint64_t *nput;         /* trees put into a txn, or NULL */
};

/* node_new -- a directory node; oid NULL = new empty (loaded, dirty) */
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

static void node_free(mnode *n);

/* ent_free -- free what an entry owns */
static void
ent_free(ment *e)
{
	free(e->name);
	node_free(e->sub);
	e->name = NULL;
	e->sub = NULL;
}

/* node_free -- free a node and everything under it */
static void
node_free(mnode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		ent_free(&n->e[i]);
	for (i = 0; i < n->np; i++)
		ent_free(&n->p[i]);
	free(n->e);
	free(n->p);
	free(n);
}

/* live -- number of live entries */
static size_t
live(const mnode *n)
{
	return n->n - n->ndead + n->np;
}

/* node_load -- read a node's entries from the pool (invariant 1) */
static int
node_load(vcs_tree_editor *t, mnode *n)
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

/* ent_cmp -- git's order on entries */
static int
ent_cmp(const void *a, const void *b)
{
	const ment *x = a, *y = b;

	return vcs_tree_entry_cmp(x->name, x->name_len, x->mode,
				  y->name, y->name_len, y->mode);
}

/* merge -- fold pending into main and drop tombstones: afterwards main
 * holds every live entry in order and pending is empty */
static int
merge(mnode *n)
{
	size_t i = 0, j = 0, k = 0, total;
	ment *m;

	if (n->np == 0 && n->ndead == 0)
		return 0;
	if (n->np > 1)
		qsort(n->p, n->np, sizeof(*n->p), ent_cmp);
	total = live(n);
	if (!(m = malloc((total ? total : 1) * sizeof(*m))))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (i < n->n || j < n->np) {
		if (i < n->n && n->e[i].dead) {
			free(n->e[i++].name);
		} else if (j >= n->np ||
			   (i < n->n && ent_cmp(&n->e[i], &n->p[j]) < 0)) {
			m[k++] = n->e[i++];
		} else {
			m[k++] = n->p[j++];
		}
	}
	free(n->e);
	n->e = m;
	n->n = k;
	n->cap = total ? total : 1;
	n->ndead = 0;
	n->np = 0;
	return 0;
}

/* lower_bound -- first main index whose entry is >= (name, mode) */
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

/* same_name -- 1 if e is called name */
static int
same_name(const ment *e, const char *name, size_t len)
{
	return e->name_len == len && memcmp(e->name, name, len) == 0;
}

/* find -- the live entry called name (file or directory), or NULL; in
 * main the two kinds sort at different places, so look at both */
static ment *
find(const mnode *n, const char *name, size_t len)
{
	size_t i;

	i = lower_bound(n, name, len, VCS_MODE_BLOB);
	if (i < n->n && !n->e[i].dead && same_name(&n->e[i], name, len))
		return &n->e[i];
	i = lower_bound(n, name, len, VCS_MODE_TREE);
	if (i < n->n && !n->e[i].dead && same_name(&n->e[i], name, len))
		return &n->e[i];
	for (i = 0; i < n->np; i++)
		if (same_name(&n->p[i], name, len))
			return &n->p[i];
	return NULL;
}

/* remove_ent -- drop a live entry found by find() */
static void
remove_ent(mnode *n, ment *e)
{
	if (e >= n->p && e < n->p + n->np) {
		ent_free(e);
		*e = n->p[--n->np];
	} else {
		/* keep name and mode: binary searches still pass over the
		 * tombstone in order; merge() frees the name */
		node_free(e->sub);
		e->sub = NULL;
		e->dead = 1;
		n->ndead++;
	}
}

/* insert -- add a new entry (name must be absent); returns it or NULL
 * (ENOMEM, message set) */
static ment *
insert(mnode *n, const char *name, size_t len, uint32_t mode,
       const pmdb_oid *oid)
{
	ment key = { (char *)name, len, mode, 0, { { 0 } }, NULL };
	ment *e;
	char *copy;

	if (!(copy = malloc(len + 1))) {
		vcs_seterr(PMDB_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(copy, name, len);
	copy[len] = '\0';
	if (n->np == 0 && (n->n == 0 || ent_cmp(&n->e[n->n - 1], &key) < 0)) {
		/* in order: append to main */
		if (VCS_ARRAY_GROW(n->e, n->cap, n->n + 1, 8))
			goto nomem;
		e = &n->e[n->n++];
	} else {
		if (VCS_ARRAY_GROW(n->p, n->pcap, n->np + 1, 8))
			goto nomem;
		e = &n->p[n->np++];
	}
	*e = key;
	e->name = copy;
	if (oid)
		e->oid = *oid;
	/* keep the linear part short: merge once pending^2 > main */
	if (n->np > 16 && n->np * n->np > n->n) {
		ment saved = *e;

		if (merge(n))
			return NULL;
		return find(n, saved.name, saved.name_len);
	}
	return e;
nomem:
	free(copy);
	vcs_seterr(PMDB_ENOMEM, "out of memory");
	return NULL;
}

/* next_comp -- split the next path component; -1 if it is invalid */
static int
next_comp(const char **p, const char *end, const char **c, size_t *clen)
{
	const char *s = *p, *slash = memchr(s, '/', (size_t)(end - s));
	const char *ce = slash ? slash : end;

	*c = s;
	*clen = (size_t)(ce - s);
	/* "." and ".." are names like any other here, as in git's
	 * fast-import: a tree may hold them (its ids must be git's);
	 * checkout refuses to write them (vcs/path_check.c) */
	if (*clen == 0 || memchr(s, '\0', *clen))
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

/* valid_path -- 1 if every component of path is acceptable; checked
 * before any edit so that a bad path changes nothing */
static int
valid_path(const char *path, size_t len)
{
	const char *p = path, *end = path + len, *c;
	size_t clen;

	if (len == 0)
		return 0;
	while (p < end)
		if (next_comp(&p, end, &c, &clen))
			return 0;
	return 1;
}

/* vcs_tree_editor_new -- a tree starting at root (NULL: empty) */
int
vcs_tree_editor_new(vcs_tree_editor **out, vcs_repo *repo, pmdb_txn *txn,
	      const pmdb_oid *root)
{
	vcs_tree_editor *t = calloc(1, sizeof(*t));

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

/* vcs_tree_editor_free -- free the tree. NULL-safe */
void
vcs_tree_editor_free(vcs_tree_editor *t)
{
	if (!t)
		return;
	node_free(t->root);
	vcs_str_free(&t->buf);
	free(t);
}

/* vcs_tree_editor_reset -- replace everything (fast-import's deleteall) */
int
vcs_tree_editor_reset(vcs_tree_editor *t, const pmdb_oid *root)
{
	mnode *n = node_new(root);

	if (!n)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	node_free(t->root);
	t->root = n;
	return 0;
}

/* vcs_tree_editor_set_txn -- point reads at another txn */
void
vcs_tree_editor_set_txn(vcs_tree_editor *t, pmdb_txn *txn)
{
	t->txn = txn;
}

/* vcs_tree_editor_count -- count the trees put into *n */
void
vcs_tree_editor_count(vcs_tree_editor *t, uint64_t *n)
{
	t->nput = n;
}

/* descend -- the directory node for entry e, expanding it; NULL + err */
static mnode *
descend(vcs_tree_editor *t, ment *e, int *err)
{
	if (!e->sub && !(e->sub = node_new(&e->oid))) {
		*err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		return NULL;
	}
	if ((*err = node_load(t, e->sub)))
		return NULL;
	return e->sub;
}

/* vcs_tree_editor_set -- put (mode, oid) at path, making directories */
int
vcs_tree_editor_set(vcs_tree_editor *t, const char *path, size_t len, uint32_t mode,
	      const pmdb_oid *oid)
{
	const char *p = path, *end = path + len, *c;
	mnode *n = t->root;
	size_t clen;
	ment *e;
	int err;

	if (mode != VCS_MODE_TREE && mode != VCS_MODE_BLOB &&
	    mode != VCS_MODE_EXEC && mode != VCS_MODE_LINK &&
	    mode != VCS_MODE_GITLINK)
		return vcs_seterr(PMDB_EINVAL, "invalid mode %o for '%.*s'",
				  (unsigned)mode, (int)len, path);
	if (!valid_path(path, len))
		return bad_path(path, len);
	if ((err = node_load(t, n)))
		return err;
	/* Nodes are marked dirty on the way down: if a later step fails the
	 * only cost is a re-encode of an unchanged tree (same id). */
	for (;;) {
		if (next_comp(&p, end, &c, &clen))
			return bad_path(path, len);
		n->dirty = 1;
		e = find(n, c, clen);
		if (p == end)
			break;
		if (e && e->mode != VCS_MODE_TREE) {
			/* a file in the way becomes a directory */
			remove_ent(n, e);
			e = NULL;
		}
		if (!e) {
			if (!(e = insert(n, c, clen, VCS_MODE_TREE, NULL)))
				return PMDB_ENOMEM;
			if (!(e->sub = node_new(NULL)))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
			n = e->sub;
		} else if (!(n = descend(t, e, &err))) {
			return err;
		}
	}
	if (e && (e->mode == VCS_MODE_TREE) == (mode == VCS_MODE_TREE)) {
		/* same kind: same place in the order, replace in place */
		node_free(e->sub);
		e->sub = NULL;
		e->mode = mode;
		e->oid = *oid;
		return 0;
	}
	if (e)
		remove_ent(n, e);
	if (!insert(n, c, clen, mode, oid))
		return PMDB_ENOMEM;
	return 0;
}

/* remove_rec -- remove path under n; sets *empty when n ends up empty */
static int
remove_rec(vcs_tree_editor *t, mnode *n, const char *path, size_t len,
	   const char *p, const char *end, int *empty)
{
	const char *c;
	size_t clen;
	ment *e;
	int err, sub_empty = 0;

	if (next_comp(&p, end, &c, &clen))
		return bad_path(path, len);
	if ((err = node_load(t, n)))
		return err;
	e = find(n, c, clen);
	if (!e || (p != end && e->mode != VCS_MODE_TREE))
		return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does not exist",
				  (int)len, path);
	if (p != end) {
		mnode *sub = descend(t, e, &err);

		if (!sub)
			return err;
		if ((err = remove_rec(t, sub, path, len, p, end, &sub_empty)))
			return err;
	}
	if (p == end || sub_empty)
		remove_ent(n, e);
	n->dirty = 1;
	*empty = live(n) == 0;
	return 0;
}

/* vcs_tree_editor_remove -- remove path; parents left empty go too */
int
vcs_tree_editor_remove(vcs_tree_editor *t, const char *path, size_t len)
{
	int empty = 0;

	if (len == 0)
		return bad_path(path, len);
	return remove_rec(t, t->root, path, len, path, path + len, &empty);
}

/* put_mode -- git's octal mode and a space at p (no printf: this runs
 * for every entry of every tree an import writes); returns the end */
static uint8_t *
put_mode(uint8_t *p, uint32_t mode)
{
	uint8_t tmp[12];
	size_t k = 0;

	do {
		tmp[k++] = (uint8_t)('0' + (mode & 7));
		mode >>= 3;
	} while (mode);
	while (k)
		*p++ = tmp[--k];
	*p++ = ' ';
	return p;
}

/* encode -- n's entries (merged: main only) as a git tree in t->buf */
static int
encode(vcs_tree_editor *t, const mnode *n, size_t hashlen)
{
	size_t need = 0, i;
	uint8_t *p;
	int err;

	for (i = 0; i < n->n; i++)
		need += 12 + n->e[i].name_len + 1 + hashlen;
	vcs_str_reset(&t->buf);
	if ((err = vcs_str_grow(&t->buf, need)))
		return err;
	p = t->buf.data;
	for (i = 0; i < n->n; i++) {
		const ment *e = &n->e[i];

		p = put_mode(p, e->mode);
		memcpy(p, e->name, e->name_len + 1);
		p += e->name_len + 1;
		memcpy(p, e->oid.id, hashlen);
		p += hashlen;
	}
	t->buf.len = (size_t)(p - t->buf.data);
	t->buf.data[t->buf.len] = '\0';
	return 0;
}

/* write_node -- encode dirty subtrees bottom-up; with txn NULL only
 * compute ids (nothing stored, so nothing is marked clean) */
static int
write_node(vcs_tree_editor *t, mnode *n, pmdb_txn *txn)
{
	size_t hashlen = t->repo->hashlen, i;
	int err;

	if (!n->dirty)
		return 0;
	for (i = 0; i < n->n; i++) {
		ment *e = &n->e[i];

		/* a sub may be clean yet newer than e->oid: get() writes
		 * subtrees on its own, so always copy the sub's id */
		if (!e->dead && e->sub) {
			if ((err = write_node(t, e->sub, txn)))
				return err;
			if (live(e->sub) == 0) {
				/* invariant 5: empty directories vanish */
				remove_ent(n, e);
				continue;
			}
			e->oid = e->sub->oid;
		}
	}
	for (i = 0; i < n->np; i++) {
		ment *e = &n->p[i];

		if (e->sub) {
			if ((err = write_node(t, e->sub, txn)))
				return err;
			if (live(e->sub) == 0) {
				remove_ent(n, e);
				i--;            /* the last one moved here */
				continue;
			}
			e->oid = e->sub->oid;
		}
	}
	if ((err = merge(n)))
		return err;
	/* children are done: the one scratch buffer is free for this node */
	if ((err = encode(t, n, hashlen)))
		return err;
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
	if (t->nput)
		(*t->nput)++;
	n->dirty = 0;
	return 0;
}

/* vcs_tree_editor_write -- store every changed subtree; return the root id */
int
vcs_tree_editor_write(vcs_tree_editor *t, pmdb_txn *txn, pmdb_oid *root)
{
	int err;

	if (!txn)
		return vcs_seterr(PMDB_EINVAL, "vcs_tree_editor_write needs a txn");
	if ((err = write_node(t, t->root, txn)))
		return err;
	*root = t->root->oid;
	return 0;
}

/* vcs_tree_editor_get -- mode and id at path ("" = root) */
int
vcs_tree_editor_get(vcs_tree_editor *t, const char *path, size_t len, uint32_t *mode,
	      pmdb_oid *oid)
{
	const char *p = path, *end = path + len, *c;
	mnode *n = t->root;
	ment *e = NULL;
	size_t clen;
	int err;

	while (p < end) {
		if (next_comp(&p, end, &c, &clen))
			return bad_path(path, len);
		if ((err = node_load(t, n)))
			return err;
		if (!(e = find(n, c, clen)))
			return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does "
					  "not exist", (int)len, path);
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
	if (e && live(n) == 0)
		return vcs_seterr(PMDB_ENOTFOUND, "path '%.*s' does not exist",
				  (int)len, path);
	*mode = VCS_MODE_TREE;
	*oid = n->oid;
	return 0;
}
