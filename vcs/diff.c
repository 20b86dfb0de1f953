/*
 * diff.c -- git's diff output on top of the line engine in xdiff.c: file
 * pairs ("diff --git" headers, mode lines, index lines, binary and
 * symlink cases), recursive tree diffs, --name-only / --name-status.
 * The --stat block is drawn by diff_stat.c.
 *
 * Known differences from git (see diff.h): no rename/copy detection, no
 * combined diffs, no .gitattributes (binary = NUL in the first 8000
 * bytes), --stat graph scaled for 80 columns only.
 */
#include <stdlib.h>
#include <string.h>

#include "bigblob.h"
#include "diff.h"
#include "pathspec.h"

/* ------------------------------------------------------------------ */
/* One file                                                            */
/* ------------------------------------------------------------------ */

int
vcs_diff_is_binary(const void *data, size_t len)
{
	return memchr(data, 0, len < 8000 ? len : 8000) != NULL;
}

/* mode_kind -- file type of a mode: 1 file, 2 symlink, 3 gitlink. */
static int
mode_kind(uint32_t mode)
{
	if (mode == VCS_MODE_LINK)
		return 2;
	if (mode == VCS_MODE_GITLINK)
		return 3;
	return 1;
}

/* side_bytes -- the content of one side (empty if absent), its size and
 * id (computed for bytes given by the caller when unknown). @return 0,
 * 1 for a pool blob of at least big bytes (left unread: only *size and
 * *oid are set), a negative code. */
static int
side_bytes(vcs_repo *repo, const vcs_diff_side *s, vcs_str *own,
	   const char **data, size_t *len, pmdb_oid *oid, uint64_t big,
	   uint64_t *size)
{
	pmdb_otype t;

	*oid = s->oid;
	*data = "";
	*len = 0;
	*size = 0;
	if (!s->mode)
		return 0;
	if (s->unread) {
		*size = s->len;
		return 1;
	}
	/* as git: a blob over core.bigFileThreshold is binary, unread */
	if (!s->data && s->mode != VCS_MODE_GITLINK &&
	    !pmdb_object_info(repo->env, oid, &t, size) &&
	    *size >= (big ? big : VCS_BIG_THRESHOLD_DEFAULT))
		return 1;
	if (s->mode == VCS_MODE_GITLINK) {
		char hex[PMDB_OID_HEXMAX + 1];
		int rc = vcs_str_addf(own, "Subproject commit %s\n",
				      pmdb_oid_fmt(hex, oid, repo->algo));
		*data = (const char *)own->data;
		*len = own->len;
		*size = *len;
		return rc;
	}
	if (s->data) {
		*data = s->data;
		*len = s->len;
		*size = *len;
		if (pmdb_oid_is_zero(oid))
			return pmdb_hash_object(oid, repo->algo, PMDB_OBJ_BLOB,
						s->data, s->len);
		return 0;
	}
	{
		int rc = pmdb_object_read(repo->env, oid, &t, own);
		char hex[PMDB_OID_HEXMAX + 1];
		if (rc)
			return vcs_seterr_pmdb(rc, pmdb_oid_fmt(hex, oid, repo->algo));
		*data = own->data ? (const char *)own->data : "";
		*len = own->len;
		*size = *len;
	}
	return 0;
}

/* add_quoted2 -- prefix+path quoted as one name, as git's quote_two. */
static int
add_quoted2(vcs_str *out, const char *prefix, const char *path)
{
	vcs_str tmp = VCS_STR_INIT;
	int rc = vcs_str_adds(&tmp, prefix);

	rc = rc ? rc : vcs_str_adds(&tmp, path);
	rc = rc ? rc : vcs_quote_path(out, (const char *)tmp.data, tmp.len);
	vcs_str_free(&tmp);
	return rc;
}

/* patch_one -- header and body for a pair of one kind (no typechange). */
static int
patch_one(vcs_repo *repo, vcs_str *out, const vcs_diff_side *a,
	  const vcs_diff_side *b, const vcs_diff_opts *o, size_t *nadd,
	  size_t *ndel, int *binary, uint64_t *sa, uint64_t *sb)
{
	vcs_str ba = VCS_STR_INIT, bb = VCS_STR_INIT;
	const char *da, *db, *path = b->mode ? b->path : a->path;
	size_t la, lb;
	pmdb_oid oa, ob;
	char ha[PMDB_OID_HEXMAX + 1], hb[PMDB_OID_HEXMAX + 1];
	int rc, same, abbrev = o->full_index ? (int)repo->hexlen : o->abbrev;
	int tab = strchr(path, ' ') != NULL;

	int biga = 0, bigb = 0;

	biga = rc = side_bytes(repo, a, &ba, &da, &la, &oa, o->big, sa);
	if (rc >= 0)
		bigb = rc = side_bytes(repo, b, &bb, &db, &lb, &ob, o->big, sb);
	if (rc < 0)
		goto out;
	rc = 0;
	same = a->mode && b->mode && !memcmp(&oa, &ob, sizeof(oa));
	*binary = biga == 1 || bigb == 1 || vcs_diff_is_binary(da, la) ||
		  vcs_diff_is_binary(db, lb);
	if (!o->patch || o->quiet) {
		if (!same && !*binary)
			rc = vcs_diff_text(NULL, da, la, db, lb, o->context,
					   nadd, ndel);
		goto out;
	}
	rc = vcs_str_adds(out, "diff --git ");
	rc = rc ? rc : add_quoted2(out, "a/", a->mode ? a->path : b->path);
	rc = rc ? rc : vcs_str_adds(out, " ");
	rc = rc ? rc : add_quoted2(out, "b/", path);
	rc = rc ? rc : vcs_str_adds(out, "\n");
	if (rc)
		goto out;
	if (!a->mode)
		rc = vcs_str_addf(out, "new file mode %06o\n", b->mode);
	else if (!b->mode)
		rc = vcs_str_addf(out, "deleted file mode %06o\n", a->mode);
	else if (a->mode != b->mode)
		rc = vcs_str_addf(out, "old mode %06o\nnew mode %06o\n",
				  a->mode, b->mode);
	if (rc || same)
		goto out;
	if ((rc = vcs_oid_abbrev_checked(repo, &oa, abbrev, ha)) ||
	    (rc = vcs_oid_abbrev_checked(repo, &ob, abbrev, hb)))
		goto out;
	if (!a->mode)
		memset(ha, '0', strlen(hb)), ha[strlen(hb)] = '\0';
	if (!b->mode)
		memset(hb, '0', strlen(ha)), hb[strlen(ha)] = '\0';
	rc = vcs_str_addf(out, "index %s..%s", ha, hb);
	if (!rc && a->mode && b->mode && a->mode == b->mode)
		rc = vcs_str_addf(out, " %06o", a->mode);
	rc = rc ? rc : vcs_str_adds(out, "\n");
	if (rc)
		goto out;
	if (*binary) {
		rc = vcs_str_adds(out, "Binary files ");
		if (a->mode)
			rc = rc ? rc : add_quoted2(out, "a/", a->path);
		else
			rc = rc ? rc : vcs_str_adds(out, "/dev/null");
		rc = rc ? rc : vcs_str_adds(out, " and ");
		if (b->mode)
			rc = rc ? rc : add_quoted2(out, "b/", b->path);
		else
			rc = rc ? rc : vcs_str_adds(out, "/dev/null");
		rc = rc ? rc : vcs_str_adds(out, " differ\n");
		goto out;
	}
	if (la == 0 && lb == 0)
		goto out;     /* empty file added or deleted: header only */
	rc = vcs_str_adds(out, "--- ");
	if (a->mode)
		rc = rc ? rc : add_quoted2(out, "a/", a->path);
	else
		rc = rc ? rc : vcs_str_adds(out, "/dev/null");
	rc = rc ? rc : vcs_str_adds(out, tab && a->mode ? "\t\n+++ " : "\n+++ ");
	if (b->mode)
		rc = rc ? rc : add_quoted2(out, "b/", b->path);
	else
		rc = rc ? rc : vcs_str_adds(out, "/dev/null");
	rc = rc ? rc : vcs_str_adds(out, tab && b->mode ? "\t\n" : "\n");
	rc = rc ? rc : vcs_diff_text(out, da, la, db, lb, o->context, nadd, ndel);
out:
	vcs_str_free(&ba);
	vcs_str_free(&bb);
	return rc;
}

/* fill_oid -- id of a side given as bytes when the caller left it zero. */
static void
fill_oid(vcs_repo *repo, vcs_diff_side *s)
{
	if (s->mode && s->data && s->mode != VCS_MODE_GITLINK &&
	    pmdb_oid_is_zero(&s->oid))
		pmdb_hash_object(&s->oid, repo->algo, PMDB_OBJ_BLOB, s->data,
				 s->len);
}

/* add_name_line -- "<path>\n" or "<status>\t<path>\n". */
static int
add_name_line(vcs_str *out, char status, const char *path)
{
	if (status && vcs_str_addf(out, "%c\t", status))
		return PMDB_ENOMEM;
	if (vcs_quote_path(out, path, strlen(path)) || vcs_str_adds(out, "\n"))
		return PMDB_ENOMEM;
	return 0;
}

int
vcs_diff_pair(vcs_repo *repo, vcs_str *out, const vcs_diff_side *pa,
	      const vcs_diff_side *pb, const vcs_diff_opts *o)
{
	static const vcs_diff_opts defaults = VCS_DIFF_OPTS_INIT;
	vcs_diff_opts opts = o ? *o : defaults;
	vcs_diff_side sa_ = *pa, sb_ = *pb, *a = &sa_, *b = &sb_;
	size_t add1 = 0, del1 = 0, add2 = 0, del2 = 0;
	int bin1 = 0, bin2 = 0, rc;
	uint64_t sa = 0, sb = 0, xa, xb;
	const char *path = b->mode ? b->path : a->path;
	char status;

	if (!a->mode && !b->mode)
		return 0;
	fill_oid(repo, a);
	fill_oid(repo, b);
	if (a->mode && b->mode && a->mode == b->mode &&
	    !memcmp(&a->oid, &b->oid, sizeof(a->oid)))
		return 0;
	if (!opts.abbrev && !opts.full_index)
		opts.abbrev = vcs_default_abbrev(repo);
	if (a->mode && b->mode && mode_kind(a->mode) != mode_kind(b->mode)) {
		/* git shows a type change as a deletion and an addition */
		vcs_diff_side none = { a->path, 0, { { 0 } }, NULL, 0, 0 };
		status = 'T';
		rc = patch_one(repo, out, a, &none, &opts, &add1, &del1, &bin1,
			       &sa, &xb);
		none.path = b->path;
		rc = rc ? rc : patch_one(repo, out, &none, b, &opts, &add2,
					 &del2, &bin2, &xa, &sb);
	} else {
		status = !a->mode ? 'A' : !b->mode ? 'D' : 'M';
		rc = patch_one(repo, out, a, b, &opts, &add1, &del1, &bin1,
			       &sa, &sb);
	}
	if (rc)
		return rc;
	if (!opts.quiet && opts.name_only)
		rc = add_name_line(out, 0, path);
	else if (!opts.quiet && opts.name_status)
		rc = add_name_line(out, status, path);
	if (!rc && opts.acc) {
		vcs_diff_filestat *f = vcs_diff_stat_add(opts.acc, path);
		if (!f)
			return PMDB_ENOMEM;
		f->added = add1 + add2;
		f->deleted = del1 + del2;
		f->binary = bin1 || bin2;
		f->size_a = sa;
		f->size_b = sb;
	}
	return rc ? rc : 1;
}

/* ------------------------------------------------------------------ */
/* Trees                                                               */
/* ------------------------------------------------------------------ */

typedef struct tree_walk {
	vcs_repo *repo;
	const vcs_diff_opts *o;
	vcs_str *out;
	size_t changed;
} tree_walk;

/* load_tree -- parse a tree (NULL or zero id: empty). */
static int
load_tree(vcs_repo *repo, const pmdb_oid *oid, vcs_tree *t)
{
	memset(t, 0, sizeof(*t));
	if (!oid || pmdb_oid_is_zero(oid))
		return 0;
	return vcs_tree_read(repo, NULL, oid, t);
}

static int walk_trees(tree_walk *w, const pmdb_oid *a, const pmdb_oid *b,
		      const char *prefix);

/* walk_entry -- one name present on one or both sides. */
static int
walk_entry(tree_walk *w, const char *prefix, const vcs_tree_entry *ea,
	   const vcs_tree_entry *eb)
{
	const vcs_tree_entry *e = ea ? ea : eb;
	size_t plen = strlen(prefix);
	char *path = malloc(plen + e->name_len + 2);
	int rc = 0, ta = ea && ea->mode == VCS_MODE_TREE;
	int tb = eb && eb->mode == VCS_MODE_TREE;

	if (!path)
		return PMDB_ENOMEM;
	memcpy(path, prefix, plen);
	memcpy(path + plen, e->name, e->name_len);
	path[plen + e->name_len] = '\0';
	if (w->o->ps && !((ta || tb) ? vcs_pathspec_dir(w->o->ps, path,
							 strlen(path)) :
			  vcs_pathspec_match(w->o->ps, path, strlen(path)))) {
		free(path);     /* outside the paths asked for */
		return 0;
	}
	if (ta || tb) {
		/* tree vs tree (or vs nothing): same-name blobs sort apart */
		if (!ea || !eb || memcmp(&ea->oid, &eb->oid, sizeof(ea->oid))) {
			strcat(path, "/");
			rc = walk_trees(w, ea ? &ea->oid : NULL,
					eb ? &eb->oid : NULL, path);
		}
	} else {
		vcs_diff_side a = { path, 0, { { 0 } }, NULL, 0, 0 };
		vcs_diff_side b = a;
		if (ea) {
			a.mode = ea->mode;
			a.oid = ea->oid;
		}
		if (eb) {
			b.mode = eb->mode;
			b.oid = eb->oid;
		}
		rc = vcs_diff_pair(w->repo, w->out, &a, &b, w->o);
		if (rc == 1) {
			w->changed++;
			rc = 0;
		}
	}
	free(path);
	return rc;
}

/* walk_trees -- merge-walk two trees in git's entry order. */
static int
walk_trees(tree_walk *w, const pmdb_oid *a, const pmdb_oid *b,
	   const char *prefix)
{
	vcs_tree ta, tb;
	size_t i = 0, j = 0;
	int rc = load_tree(w->repo, a, &ta);

	if (rc)
		return rc;
	rc = load_tree(w->repo, b, &tb);
	if (rc) {
		vcs_tree_clear(&ta);
		return rc;
	}
	while (!rc && (i < ta.n || j < tb.n)) {
		const vcs_tree_entry *ea = i < ta.n ? &ta.entries[i] : NULL;
		const vcs_tree_entry *eb = j < tb.n ? &tb.entries[j] : NULL;
		int c;

		if (!ea)
			c = 1;
		else if (!eb)
			c = -1;
		else
			c = vcs_tree_entry_cmp(ea->name, ea->name_len, ea->mode,
					       eb->name, eb->name_len, eb->mode);
		if (c == 0 && (ea->mode == VCS_MODE_TREE) != (eb->mode == VCS_MODE_TREE))
			c = ea->mode == VCS_MODE_TREE ? 1 : -1;
		if (c < 0) {
			rc = walk_entry(w, prefix, ea, NULL);
			i++;
		} else if (c > 0) {
			rc = walk_entry(w, prefix, NULL, eb);
			j++;
		} else {
			rc = walk_entry(w, prefix, ea, eb);
			i++;
			j++;
		}
	}
	vcs_tree_clear(&ta);
	vcs_tree_clear(&tb);
	return rc;
}

int
vcs_diff_trees(vcs_repo *repo, const pmdb_oid *a, const pmdb_oid *b,
	       const vcs_diff_opts *o, vcs_str *out, size_t *changed)
{
	static const vcs_diff_opts defaults = VCS_DIFF_OPTS_INIT;
	vcs_diff_opts opts = o ? *o : defaults;
	vcs_diff_stat acc = VCS_DIFF_STAT_INIT;
	vcs_str patch = VCS_STR_INIT;
	tree_walk w;
	int rc;

	if (!opts.abbrev && !opts.full_index)
		opts.abbrev = vcs_default_abbrev(repo);
	if (opts.stat && !opts.acc)
		opts.acc = &acc;
	w.repo = repo;
	w.o = &opts;
	w.out = opts.stat ? &patch : out;
	w.changed = 0;
	rc = walk_trees(&w, a, b, "");
	if (!rc && opts.stat) {
		if (!opts.quiet)
			rc = vcs_diff_stat_format(out, opts.acc, 80);
		if (!rc && patch.len && opts.patch && !opts.quiet)
			rc = vcs_str_adds(out, "\n") ? PMDB_ENOMEM
				: vcs_str_add(out, patch.data, patch.len);
	}
	if (changed)
		*changed = w.changed;
	vcs_diff_stat_free(&acc);
	vcs_str_free(&patch);
	return rc;
}
