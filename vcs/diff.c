/*
 * diff.c -- git's diff output on top of the line engine in xdiff.c: file
 * pairs ("diff --git" headers, mode lines, index lines, binary and
 * symlink cases), recursive tree diffs, --stat / --name-only /
 * --name-status, and git's id abbreviation.
 *
 * Known differences from git (see diff.h): no rename/copy detection, no
 * combined diffs, no .gitattributes (binary = NUL in the first 8000
 * bytes), --stat graph scaled for 80 columns only.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"

/* ------------------------------------------------------------------ */
/* Abbreviation                                                        */
/* ------------------------------------------------------------------ */

/* vcs_default_abbrev -- git's core.abbrev=auto: 7, or more in big pools */
int
vcs_default_abbrev(vcs_repo *repo)
{
	pmdb_stat st;
	uint64_t count = 0;
	int bits = 0, len;

	if (pmdb_env_stat(repo->env, &st) == 0)
		count = st.objects[1] + st.objects[2] + st.objects[3] +
			st.objects[4];
	while (count) {
		bits++;
		count >>= 1;
	}
	len = (bits + 1) / 2;
	return len < 7 ? 7 : len;
}

/* vcs_oid_abbrev_checked -- shortest unique prefix, or an error */
int
vcs_oid_abbrev_checked(vcs_repo *repo, const pmdb_oid *oid, int minlen,
		       char *buf)
{
	int len = minlen > 0 ? minlen : vcs_default_abbrev(repo);
	int hexlen = (int)repo->hexlen;
	int err = 0;

	pmdb_oid_fmt(buf, oid, repo->algo);
	if (len < 4)
		len = 4;
	if (len > hexlen)
		len = hexlen;
	if (!pmdb_oid_is_zero(oid)) {
		for (; len < hexlen; len++) {
			pmdb_oid found;
			int rc = pmdb_object_resolve_prefix(repo->env, buf,
							    (size_t)len, &found);
			if (rc == PMDB_ENOTFOUND ||
			    (rc == 0 && !memcmp(&found, oid, sizeof(found))))
				break;
			if (rc != 0 && rc != PMDB_EAMBIGUOUS) {
				/* a failed lookup says nothing about
				 * uniqueness: keep the whole id */
				char ctx[PMDB_OID_HEXMAX + 32];

				snprintf(ctx, sizeof(ctx), "abbreviating %s", buf);
				err = vcs_seterr_pmdb(rc < 0 ? rc : PMDB_ERROR, ctx);
				len = hexlen;
				break;
			}
		}
	}
	buf[len] = '\0';
	return err;
}

/* vcs_oid_abbrev -- unchecked form: on a failed lookup, the full id */
char *
vcs_oid_abbrev(vcs_repo *repo, const pmdb_oid *oid, int minlen, char *buf)
{
	(void)vcs_oid_abbrev_checked(repo, oid, minlen, buf);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Stat list                                                           */
/* ------------------------------------------------------------------ */

/* stat_push -- append one file's counts; returns the entry or NULL. */
static vcs_diff_filestat *
stat_push(vcs_diff_stat *st, const char *path)
{
	vcs_diff_filestat *f;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		f = realloc(st->files, cap * sizeof(*f));
		if (!f)
			return NULL;
		st->files = f;
		st->cap = cap;
	}
	f = &st->files[st->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	st->n++;
	return f;
}

void
vcs_diff_stat_free(vcs_diff_stat *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->files[i].path);
	free(st->files);
	st->files = NULL;
	st->n = st->cap = 0;
}

/* decimal_width -- digits of n. */
static int
decimal_width(uint64_t n)
{
	int w = 1;

	while (n >= 10) {
		n /= 10;
		w++;
	}
	return w;
}

/* scale_linear -- git's scaling of a count to the graph width. */
static size_t
scale_linear(size_t it, size_t width, size_t max_change)
{
	if (!it)
		return 0;
	return 1 + (it * (width - 1) / max_change);
}

/* add_chars -- n copies of c. */
static int
add_chars(vcs_str *out, char c, size_t n)
{
	int rc = vcs_str_grow(out, n);

	if (rc)
		return rc;
	memset(out->data + out->len, c, n);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

int
vcs_diff_stat_format(vcs_str *out, const vcs_diff_stat *st, int width)
{
	size_t max_len = 0, max_change = 0, adds = 0, dels = 0;
	int number_width = 0, bin_width = 0, rc = 0;
	long graph_width, name_width;
	vcs_str q = VCS_STR_INIT;

	if (!st || !st->n)
		return 0;
	if (width <= 0)
		width = 80;
	for (size_t i = 0; i < st->n; i++) {
		const vcs_diff_filestat *f = &st->files[i];
		vcs_str_reset(&q);
		if (vcs_quote_path(&q, f->path, strlen(f->path)))
			goto nomem;
		if (q.len > max_len)
			max_len = q.len;
		if (f->binary) {
			int w = 14 + decimal_width(f->size_a) + decimal_width(f->size_b);
			if (w > bin_width)
				bin_width = w;
			number_width = 3;
			continue;
		}
		if (f->added + f->deleted > max_change)
			max_change = f->added + f->deleted;
	}
	if (decimal_width(max_change) > number_width)
		number_width = decimal_width(max_change);
	if (width < 16 + 6 + number_width)
		width = 16 + 6 + number_width;
	graph_width = (long)max_change + 4 > bin_width ? (long)max_change
						       : bin_width - 4;
	name_width = (long)max_len;
	if (name_width + number_width + 6 + graph_width > width) {
		if (graph_width > width * 3 / 8 - number_width - 6) {
			graph_width = width * 3 / 8 - number_width - 6;
			if (graph_width < 6)
				graph_width = 6;
		}
		if (name_width > width - number_width - 6 - graph_width)
			name_width = width - number_width - 6 - graph_width;
		else
			graph_width = width - number_width - 6 - name_width;
	}
	for (size_t i = 0; i < st->n && !rc; i++) {
		const vcs_diff_filestat *f = &st->files[i];
		const char *name, *prefix = "";
		size_t len, add = f->added, del = f->deleted;

		vcs_str_reset(&q);
		if (vcs_quote_path(&q, f->path, strlen(f->path)))
			goto nomem;
		name = (const char *)q.data;
		len = q.len;
		if ((long)len > name_width) {
			const char *slash;
			name += len - (size_t)name_width + 3;
			slash = strchr(name, '/');
			if (slash)
				name = slash;
			prefix = "...";
			len = strlen(prefix) + strlen(name);
		}
		rc = vcs_str_addf(out, " %s%s", prefix, name);
		if (!rc && (long)len < name_width)
			rc = add_chars(out, ' ', (size_t)name_width - len);
		rc = rc ? rc : vcs_str_adds(out, " |");
		if (rc)
			break;
		if (f->binary) {
			rc = vcs_str_addf(out, " %*s", number_width, "Bin");
			if (!rc && (f->size_a || f->size_b))
				rc = vcs_str_addf(out, " %llu -> %llu bytes",
						  (unsigned long long)f->size_a,
						  (unsigned long long)f->size_b);
			rc = rc ? rc : vcs_str_adds(out, "\n");
			continue;
		}
		adds += add;
		dels += del;
		rc = vcs_str_addf(out, " %*zu%s", number_width, add + del,
				  add + del ? " " : "");
		if (rc)
			break;
		if (graph_width <= (long)max_change) {
			size_t total = scale_linear(add + del, (size_t)graph_width,
						    max_change);
			if (total < 2 && add && del)
				total = 2;
			if (add < del) {
				add = scale_linear(add, (size_t)graph_width, max_change);
				del = total - add;
			} else {
				del = scale_linear(del, (size_t)graph_width, max_change);
				add = total - del;
			}
		}
		rc = add_chars(out, '+', add);
		rc = rc ? rc : add_chars(out, '-', del);
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	if (!rc) {
		rc = vcs_str_addf(out, " %zu file%s changed", st->n,
				  st->n == 1 ? "" : "s");
		if (!rc && (adds || !dels))
			rc = vcs_str_addf(out, ", %zu insertion%s(+)", adds,
					  adds == 1 ? "" : "s");
		if (!rc && (dels || !adds))
			rc = vcs_str_addf(out, ", %zu deletion%s(-)", dels,
					  dels == 1 ? "" : "s");
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	vcs_str_free(&q);
	return rc;
nomem:
	vcs_str_free(&q);
	return PMDB_ENOMEM;
}

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

/* side_bytes -- the content of one side (empty if absent), and its id
 * (computed for bytes given by the caller when unknown). */
static int
side_bytes(vcs_repo *repo, const vcs_diff_side *s, vcs_str *own,
	   const char **data, size_t *len, pmdb_oid *oid)
{
	*oid = s->oid;
	*data = "";
	*len = 0;
	if (!s->mode)
		return 0;
	if (s->mode == VCS_MODE_GITLINK) {
		char hex[PMDB_OID_HEXMAX + 1];
		int rc = vcs_str_addf(own, "Subproject commit %s\n",
				      pmdb_oid_fmt(hex, oid, repo->algo));
		*data = (const char *)own->data;
		*len = own->len;
		return rc;
	}
	if (s->data) {
		*data = s->data;
		*len = s->len;
		if (pmdb_oid_is_zero(oid))
			return pmdb_hash_object(oid, repo->algo, PMDB_OBJ_BLOB,
						s->data, s->len);
		return 0;
	}
	{
		pmdb_otype t;
		int rc = pmdb_object_read(repo->env, oid, &t, own);
		char hex[PMDB_OID_HEXMAX + 1];
		if (rc)
			return vcs_seterr_pmdb(rc, pmdb_oid_fmt(hex, oid, repo->algo));
		*data = own->data ? (const char *)own->data : "";
		*len = own->len;
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

	rc = side_bytes(repo, a, &ba, &da, &la, &oa);
	rc = rc ? rc : side_bytes(repo, b, &bb, &db, &lb, &ob);
	if (rc)
		goto out;
	*sa = la;
	*sb = lb;
	same = a->mode && b->mode && !memcmp(&oa, &ob, sizeof(oa));
	*binary = vcs_diff_is_binary(da, la) || vcs_diff_is_binary(db, lb);
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
		vcs_diff_side none = { a->path, 0, { { 0 } }, NULL, 0 };
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
		vcs_diff_filestat *f = stat_push(opts.acc, path);
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
	if (ta || tb) {
		/* tree vs tree (or vs nothing): same-name blobs sort apart */
		if (!ea || !eb || memcmp(&ea->oid, &eb->oid, sizeof(ea->oid))) {
			strcat(path, "/");
			rc = walk_trees(w, ea ? &ea->oid : NULL,
					eb ? &eb->oid : NULL, path);
		}
	} else {
		vcs_diff_side a = { path, 0, { { 0 } }, NULL, 0 };
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

/* ------------------------------------------------------------------ */
/* Commit headers                                                      */
/* ------------------------------------------------------------------ */

int
vcs_ident_split(const char *ident, const char **name, size_t *nlen,
		const char **email, size_t *elen, const char **date)
{
	const char *lt = strchr(ident, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;

	if (!lt || !gt)
		return PMDB_EINVAL;
	*name = ident;
	*nlen = (size_t)(lt - ident);
	while (*nlen && ident[*nlen - 1] == ' ')
		(*nlen)--;
	*email = lt + 1;
	*elen = (size_t)(gt - lt - 1);
	*date = gt[1] == ' ' ? gt + 2 : gt + 1;
	return 0;
}

int
vcs_pretty_date(vcs_str *out, const char *epoch_tz)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					  "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
					  "Jun", "Jul", "Aug", "Sep", "Oct",
					  "Nov", "Dec" };
	char *end;
	long long t = strtoll(epoch_tz, &end, 10);
	long tz = strtol(end, NULL, 10);
	long off = (tz / 100) * 3600 + (tz % 100) * 60;
	time_t lt = (time_t)(t + off);
	struct tm tm;

	if (!gmtime_r(&lt, &tm))
		return vcs_str_adds(out, epoch_tz);
	return vcs_str_addf(out, "%s %s %d %02d:%02d:%02d %d %+05ld",
			    wd[tm.tm_wday], mo[tm.tm_mon], tm.tm_mday, tm.tm_hour,
			    tm.tm_min, tm.tm_sec, tm.tm_year + 1900, tz);
}

/* vcs_msg_skip_blank -- see diff.h */
const char *
vcs_msg_skip_blank(const char *m, size_t *n)
{
	while (*n) {
		const char *nl = memchr(m, '\n', *n);
		size_t l = nl ? (size_t)(nl - m) : *n, k;
		for (k = 0; k < l && (m[k] == ' ' || m[k] == '\t'); k++)
			;
		if (k < l || !nl)
			break;
		m += l + 1;
		*n -= l + 1;
	}
	return m;
}

/* msg_body -- message without leading blank lines. */
static const char *
msg_body(const vcs_commit *c, size_t *len)
{
	const char *m = c->message ? c->message : "";
	size_t n = c->message ? c->message_len : 0;

	m = vcs_msg_skip_blank(m, &n);
	*len = n;
	return m;
}

/* add_subject -- first paragraph joined by spaces (git's %s); *rest is
 * what follows it. */
static int
add_subject(vcs_str *out, const char *m, size_t n, const char **rest,
	    size_t *rlen)
{
	int rc = 0, first = 1;

	while (n && !rc) {
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n;
		size_t t = l;
		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t' || m[t - 1] == '\r'))
			t--;
		if (!t)
			break;
		if (!first)
			rc = vcs_str_adds(out, " ");
		rc = rc ? rc : vcs_str_add(out, m, t);
		first = 0;
		m += nl ? l + 1 : l;
		n -= nl ? l + 1 : l;
	}
	while (n && (*m == '\n')) {
		m++;
		n--;
	}
	*rest = m;
	*rlen = n;
	return rc;
}

/* add_ident_part -- %an/%ae/%ad/%at style fields of an ident. */
static int
add_ident_part(vcs_str *out, const char *ident, char what)
{
	const char *name, *email, *date;
	size_t nl, el;

	if (!ident || vcs_ident_split(ident, &name, &nl, &email, &el, &date))
		return 0;
	if (what == 'n')
		return vcs_str_add(out, name, nl);
	if (what == 'e')
		return vcs_str_add(out, email, el);
	if (what == 'd')
		return vcs_pretty_date(out, date);
	if (what == 't')
		return vcs_str_add(out, date, strcspn(date, " "));
	return 0;
}

/* add_abbrev -- sep, then the abbreviated id; a failed lookup is an
 * error (a possibly ambiguous prefix must not be printed) */
static int
add_abbrev(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid, int abbrev,
	   const char *sep)
{
	char h[PMDB_OID_HEXMAX + 1];
	int rc = vcs_oid_abbrev_checked(repo, oid, abbrev, h);

	rc = rc ? rc : vcs_str_adds(out, sep);
	return rc ? rc : vcs_str_adds(out, h);
}

/* pretty_format -- expand a --format string. */
static int
pretty_format(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	      const vcs_commit *c, const char *f, int abbrev)
{
	char h[PMDB_OID_HEXMAX + 1];
	size_t n, rl;
	const char *m = msg_body(c, &n), *rest;
	int rc = 0;

	for (; *f && !rc; f++) {
		if (*f != '%') {
			rc = vcs_str_add(out, f, 1);
			continue;
		}
		f++;
		switch (*f) {
		case 'H': rc = vcs_str_adds(out, vcs_oid_hex(repo, oid, h)); break;
		case 'h': rc = add_abbrev(repo, out, oid, abbrev, ""); break;
		case 'T': rc = vcs_str_adds(out, vcs_oid_hex(repo, &c->tree, h)); break;
		case 't': rc = add_abbrev(repo, out, &c->tree, abbrev, ""); break;
		case 'P': case 'p':
			for (size_t i = 0; i < c->nparents && !rc; i++)
				rc = *f == 'P' ? vcs_str_addf(out, "%s%s",
						  i ? " " : "",
						  vcs_oid_hex(repo, &c->parents[i], h))
				     : add_abbrev(repo, out, &c->parents[i],
						  abbrev, i ? " " : "");
			break;
		case 'a': case 'c':
			if (f[1]) {
				rc = add_ident_part(out, *f == 'a' ? c->author
						    : c->committer, f[1]);
				f++;
			}
			break;
		case 's': rc = add_subject(out, m, n, &rest, &rl); break;
		case 'b':
			{
				vcs_str tmp = VCS_STR_INIT;
				rc = add_subject(&tmp, m, n, &rest, &rl);
				vcs_str_free(&tmp);
				rc = rc ? rc : vcs_str_add(out, rest, rl);
			}
			break;
		case 'B': rc = vcs_str_add(out, m, n); break;
		case 'n': rc = vcs_str_adds(out, "\n"); break;
		case '%': rc = vcs_str_adds(out, "%"); break;
		case '\0': f--; break;
		default: rc = vcs_str_addf(out, "%%%c", *f); break;
		}
	}
	return rc;
}

/* vcs_pretty_commit -- one commit in git log's formats (see diff.h) */
int
vcs_pretty_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
		  const vcs_commit *c, vcs_pretty how, const char *format,
		  int abbrev)
{
	char h[PMDB_OID_HEXMAX + 1];
	const char *m, *rest;
	size_t n, rl;
	int rc;

	if (abbrev <= 0)
		abbrev = vcs_default_abbrev(repo);
	if (how == VCS_PRETTY_FORMAT)
		return pretty_format(repo, out, oid, c, format ? format : "",
				     abbrev);
	m = msg_body(c, &n);
	if (how == VCS_PRETTY_ONELINE) {
		rc = add_abbrev(repo, out, oid, abbrev, "");
		rc = rc ? rc : vcs_str_adds(out, " ");
		rc = rc ? rc : add_subject(out, m, n, &rest, &rl);
		return rc ? rc : vcs_str_adds(out, "\n");
	}
	rc = vcs_str_addf(out, "commit %s\n", vcs_oid_hex(repo, oid, h));
	if (!rc && c->nparents > 1) {
		rc = vcs_str_adds(out, "Merge:");
		for (size_t i = 0; i < c->nparents && !rc; i++)
			rc = add_abbrev(repo, out, &c->parents[i], abbrev, " ");
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	rc = rc ? rc : vcs_str_adds(out, "Author: ");
	rc = rc ? rc : add_ident_part(out, c->author, 'n');
	rc = rc ? rc : vcs_str_adds(out, " <");
	rc = rc ? rc : add_ident_part(out, c->author, 'e');
	rc = rc ? rc : vcs_str_adds(out, ">\nDate:   ");
	rc = rc ? rc : add_ident_part(out, c->author, 'd');
	rc = rc ? rc : vcs_str_adds(out, "\n\n");
	/* as git's pp_remainder: drop leading and trailing blank lines and
	 * each line's trailing blanks, indent the rest by 4 (blank: "    ") */
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' ' ||
		     m[n - 1] == '\t' || m[n - 1] == '\r'))
		n--;
	for (int first = 1; n && !rc; ) {
		const char *nl = memchr(m, '\n', n);
		size_t l = nl ? (size_t)(nl - m) : n, t = l;

		while (t && (m[t - 1] == ' ' || m[t - 1] == '\t' ||
			     m[t - 1] == '\r'))
			t--;
		if (t || !first) {
			rc = vcs_str_adds(out, "    ");
			rc = rc ? rc : vcs_str_add(out, m, t);
			rc = rc ? rc : vcs_str_adds(out, "\n");
			first = 0;
		}
		m += nl ? l + 1 : l;
		n -= nl ? l + 1 : l;
	}
	return rc;
}
