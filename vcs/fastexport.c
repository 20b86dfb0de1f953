/*
 * fastexport.c -- history out as a git fast-import stream (see
 * fastexport.h for what is written and in which order).
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
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fastexport.h"

#define F_MARKED   0x1u   /* has a mark (written or imported) */
#define F_UNINT    0x2u   /* reachable from a negative revision */
#define F_VISITED  0x4u   /* queued by the walk */

typedef struct fe_obj {
	pmdb_oid oid;
	uint32_t mark;
	uint32_t flags;
} fe_obj;

typedef struct fe_ref {
	char *name;
	pmdb_oid oid;          /* ref value */
	uint32_t last_mark;    /* last commit written as "commit <name>" */
} fe_ref;

typedef struct fe_change {
	char op;               /* 'D' or 'M' */
	uint32_t mode;
	pmdb_oid oid;
	size_t off, len;       /* path in fe_state.paths */
} fe_change;

typedef struct fe_state {
	vcs_repo *repo;
	const fe_opts *o;
	FILE *out;
	fe_obj *tab;
	size_t cap, n;
	uint32_t last_mark;
	fe_ref *refs;
	size_t nrefs, caprefs;
	pmdb_oid *neg;
	size_t nneg, capneg;
	struct fe_item { pmdb_oid oid; size_t ref; } *order;
	size_t norder, caporder;
	fe_change *ch;
	size_t nch, capch;
	vcs_str paths, buf;
} fe_state;

static int fail(fe_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** fail -- print "pmvcs: fast-export: <msg>"; returns -1. */
static int
fail(fe_state *s, const char *fmt, ...)
{
	va_list ap;

	fputs("pmvcs: fast-export: ", s->o->err);
	va_start(ap, fmt);
	vfprintf(s->o->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->o->err);
	return -1;
}

/** grow -- make room for one more element in *arr. */
static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, nc * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/** obj -- the table entry of oid, created when absent (NULL on OOM). */
static fe_obj *
obj(fe_state *s, const pmdb_oid *oid)
{
	uint64_t h;

	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4096;
		fe_obj *nt = calloc(nc, sizeof(*nt));
		if (!nt)
			return NULL;
		for (size_t i = 0; i < s->cap; i++) {
			if (pmdb_oid_is_zero(&s->tab[i].oid))
				continue;
			memcpy(&h, s->tab[i].oid.id, sizeof(h));
			size_t j = (size_t)h & (nc - 1);
			while (!pmdb_oid_is_zero(&nt[j].oid))
				j = (j + 1) & (nc - 1);
			nt[j] = s->tab[i];
		}
		free(s->tab);
		s->tab = nt;
		s->cap = nc;
	}
	memcpy(&h, oid->id, sizeof(h));
	size_t j = (size_t)h & (s->cap - 1);
	while (!pmdb_oid_is_zero(&s->tab[j].oid)) {
		if (!memcmp(&s->tab[j].oid, oid, sizeof(*oid)))
			return &s->tab[j];
		j = (j + 1) & (s->cap - 1);
	}
	s->tab[j].oid = *oid;
	s->n++;
	return &s->tab[j];
}

/* ------------------------------------------------------------------ */
/* Revisions and marks                                                 */
/* ------------------------------------------------------------------ */

/** add_ref -- a positive revision: full ref name and value. */
static int
add_ref(fe_state *s, const char *name, const pmdb_oid *oid)
{
	for (size_t i = 0; i < s->nrefs; i++)
		if (!strcmp(s->refs[i].name, name))
			return 0;
	if (grow((void **)&s->refs, &s->caprefs, s->nrefs, sizeof(*s->refs)) < 0)
		return fail(s, "out of memory");
	fe_ref *r = &s->refs[s->nrefs];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(name)))
		return fail(s, "out of memory");
	r->oid = *oid;
	s->nrefs++;
	return 0;
}

/** all_cb -- pmdb_ref_foreach callback for --all (direct refs only). */
static int
all_cb(const char *name, const pmdb_oid *oid, const char *target, void *ctx)
{
	if (target && *target)
		return 0;
	return add_ref(ctx, name, oid) < 0 ? -1 : 0;
}

/** positive -- resolve a revision to a ref (git's dwim order). */
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
		vcs_str_addf(&s->buf, fmt[i], spec);
		if (s->buf.data && pmdb_ref_resolve(s->repo->env, (char *)s->buf.data, &oid,
						    resolved) == 0)
			return add_ref(s, resolved, &oid);
	}
	return fail(s, "'%s' is not a ref (fast-export needs ref names)", spec);
}

/** negative -- a revision whose history is excluded. */
static int
negative(fe_state *s, const char *spec)
{
	pmdb_oid oid;

	if (vcs_revparse(s->repo, spec, &oid) < 0)
		return fail(s, "unknown revision: %s", spec);
	if (grow((void **)&s->neg, &s->capneg, s->nneg, sizeof(*s->neg)) < 0)
		return fail(s, "out of memory");
	s->neg[s->nneg++] = oid;
	return 0;
}

/** read_marks -- ":<mark> <id>" lines: those commits count as written. */
static int
read_marks(fe_state *s, const char *file)
{
	vcs_str p = VCS_STR_INIT;
	char line[256];
	FILE *f;

	if (file[0] != '/' && s->o->cwd)
		vcs_str_addf(&p, "%s/", s->o->cwd);
	vcs_str_adds(&p, file);
	f = p.data ? fopen((char *)p.data, "r") : NULL;
	vcs_str_free(&p);
	if (!f)
		return fail(s, "cannot read '%s': %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *end;
		pmdb_oid oid;
		pmdb_otype type;
		unsigned long long m = strtoull(line + 1, &end, 10);
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		fe_obj *e = NULL;
		const char *why = line[0] != ':' || !m || m > UINT32_MAX || *end != ' ' ||
			pmdb_oid_parse(&oid, end + 1, s->repo->hexlen, s->repo->algo) < 0 ?
			"corrupt mark line" :
			pmdb_object_info(s->repo->env, &oid, &type, NULL) < 0 ? "object not found" :
			!(e = obj(s, &oid)) ? "out of memory" : NULL;
		if (why) {
			fclose(f);
			return fail(s, "%s: %s", why, line);
		}
		e->mark = (uint32_t)m;
		e->flags |= F_MARKED;
		if (m > s->last_mark)
			s->last_mark = (uint32_t)m;
	}
	fclose(f);
	return 0;
}

/** write_marks -- commit marks, ascending (git writes commit marks only). */
static int
write_marks(fe_state *s, const char *file)
{
	vcs_str p = VCS_STR_INIT;
	char h[PMDB_OID_HEXMAX + 1];
	uint32_t *idx = calloc((size_t)s->last_mark + 1, sizeof(*idx));
	FILE *f;

	if (file[0] != '/' && s->o->cwd)
		vcs_str_addf(&p, "%s/", s->o->cwd);
	vcs_str_adds(&p, file);
	f = p.data && idx ? fopen((char *)p.data, "w") : NULL;
	vcs_str_free(&p);
	if (!f) {
		free(idx);
		return fail(s, "cannot write '%s': %s", file, strerror(errno));
	}
	for (size_t i = 0; i < s->cap; i++) {
		pmdb_otype t;
		fe_obj *e = &s->tab[i];
		if (e->mark && pmdb_object_info(s->repo->env, &e->oid, &t, NULL) == 0 &&
		    t == PMDB_OBJ_COMMIT)
			idx[e->mark] = (uint32_t)i + 1;
	}
	for (uint32_t m = 1; m <= s->last_mark; m++)
		if (idx[m])
			fprintf(f, ":%u %s\n", m, pmdb_oid_fmt(h, &s->tab[idx[m] - 1].oid, s->repo->algo));
	free(idx);
	if (fclose(f) != 0)
		return fail(s, "cannot write '%s': %s", file, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Walk                                                                */
/* ------------------------------------------------------------------ */

/** read_commit -- vcs_commit_read() that reports its failure. */
static int
read_commit(fe_state *s, const pmdb_oid *oid, vcs_commit *c)
{
	char h[PMDB_OID_HEXMAX + 1];

	memset(c, 0, sizeof(*c));
	return vcs_commit_read(s->repo, NULL, oid, c) == 0 ? 0 :
		fail(s, "cannot read commit %s: %s", pmdb_oid_fmt(h, oid, s->repo->algo),
		     vcs_errmsg());
}

/** mark_uninteresting -- flag every ancestor of the negative revisions. */
static int
mark_uninteresting(fe_state *s)
{
	pmdb_oid *q = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; i < s->nneg; i++) {
		pmdb_oid c;
		if (vcs_peel(s->repo, &s->neg[i], PMDB_OBJ_COMMIT, &c) < 0)
			continue;
		if (grow((void **)&q, &cap, n, sizeof(*q)) < 0)
			return fail(s, "out of memory");
		q[n++] = c;
	}
	while (n && !rc) {
		pmdb_oid c = q[--n];
		vcs_commit cm;
		fe_obj *e = obj(s, &c);
		if (!e) {
			rc = fail(s, "out of memory");
			break;
		}
		if (e->flags & F_UNINT)
			continue;
		e->flags |= F_UNINT;
		if ((rc = read_commit(s, &c, &cm)) < 0)
			break;
		for (size_t i = 0; i < cm.nparents; i++) {
			if (grow((void **)&q, &cap, n, sizeof(*q)) < 0) {
				rc = fail(s, "out of memory");
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
			fe_obj *e = obj(s, &next);
			push = 0;
			if (!e) {
				rc = fail(s, "out of memory");
				break;
			}
			if (!(e->flags & (F_MARKED | F_UNINT | F_VISITED))) {
				vcs_commit cm;
				e->flags |= F_VISITED;
				if ((rc = read_commit(s, &next, &cm)) < 0)
					break;
				if (grow((void **)&st, &cap, n, sizeof(*st)) < 0) {
					vcs_commit_clear(&cm);
					rc = fail(s, "out of memory");
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
		if (grow((void **)&s->order, &s->caporder, s->norder, sizeof(*s->order)) < 0) {
			rc = fail(s, "out of memory");
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

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/** put_path -- a path as git's fast-export prints it: C-quoted when
 *  needed, in plain quotes when it holds a space. */
static void
put_path(fe_state *s, const char *p, size_t len)
{
	vcs_str_reset(&s->buf);
	vcs_quote_path(&s->buf, p, len);
	if (s->buf.len == len && memchr(p, ' ', len))
		fprintf(s->out, "\"%.*s\"", (int)len, p);
	else
		fwrite(s->buf.data, 1, s->buf.len, s->out);
}

/** export_blob -- write a blob with a new mark unless it has one. */
static int
export_blob(fe_state *s, const pmdb_oid *oid)
{
	fe_obj *e = obj(s, oid);
	pmdb_otype type;
	char h[PMDB_OID_HEXMAX + 1];

	if (!e)
		return fail(s, "out of memory");
	if (e->flags & F_MARKED)
		return 0;
	vcs_str_reset(&s->buf);
	if (vcs_object_read(s->repo, NULL, oid, &type, &s->buf) < 0)
		return fail(s, "cannot read blob %s: %s", pmdb_oid_fmt(h, oid, s->repo->algo), vcs_errmsg());
	e->mark = ++s->last_mark;
	e->flags |= F_MARKED;
	fprintf(s->out, "blob\nmark :%u\ndata %zu\n", e->mark, s->buf.len);
	fwrite(s->buf.data, 1, s->buf.len, s->out);
	fputc('\n', s->out);
	return 0;
}

/** add_change -- queue "D path" or "M mode oid path" (prefix/name). */
static int
add_change(fe_state *s, char op, uint32_t mode, const pmdb_oid *oid,
	   const char *prefix, size_t plen, const char *name, size_t nlen)
{
	if (grow((void **)&s->ch, &s->capch, s->nch, sizeof(*s->ch)) < 0)
		return fail(s, "out of memory");
	fe_change *c = &s->ch[s->nch++];
	c->op = op;
	c->mode = mode;
	c->oid = *oid;
	c->off = s->paths.len;
	if (plen) {
		vcs_str_add(&s->paths, prefix, plen);
		vcs_str_add(&s->paths, "/", 1);
	}
	if (vcs_str_add(&s->paths, name, nlen) < 0)
		return fail(s, "out of memory");
	c->len = s->paths.len - c->off;
	return 0;
}

static int diff(fe_state *s, const pmdb_oid *a, const pmdb_oid *b, size_t poff,
		size_t plen);

/** subdiff -- diff() of subtree y (old side a) under prefix pp. */
static int
subdiff(fe_state *s, const pmdb_oid *a, const vcs_tree_entry *y, const char *pp,
	size_t plen)
{
	size_t off = s->paths.len;

	vcs_str_add(&s->paths, pp ? pp : "", plen);
	if (plen)
		vcs_str_add(&s->paths, "/", 1);
	vcs_str_add(&s->paths, y->name, y->name_len);
	return diff(s, a, &y->oid, off, s->paths.len - off);
}

/** diff -- queue the changes from tree a to tree b (NULL: empty). */
static int
diff(fe_state *s, const pmdb_oid *a, const pmdb_oid *b, size_t poff, size_t plen)
{
	vcs_tree ta, tb;
	size_t i = 0, j = 0;
	int rc = 0;
	char h[PMDB_OID_HEXMAX + 1];

	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	if ((a && vcs_tree_read(s->repo, NULL, a, &ta) < 0) ||
	    (b && vcs_tree_read(s->repo, NULL, b, &tb) < 0)) {
		rc = fail(s, "cannot read tree %s: %s", pmdb_oid_fmt(h, a ? a : b, s->repo->algo), vcs_errmsg());
		goto out;
	}
	while (!rc && (i < ta.n || j < tb.n)) {
		vcs_tree_entry *x = i < ta.n ? &ta.entries[i] : NULL;
		vcs_tree_entry *y = j < tb.n ? &tb.entries[j] : NULL;
		int c = !x ? 1 : !y ? -1 :
			vcs_tree_entry_cmp(x->name, x->name_len, x->mode,
					   y->name, y->name_len, y->mode);
		/* the prefix lives in s->paths, which may move: copy it */
		vcs_str pre = VCS_STR_INIT;
		if (plen)
			vcs_str_add(&pre, s->paths.data + poff, plen);
		const char *pp = (const char *)pre.data;
		if (c < 0) {
			rc = add_change(s, 'D', x->mode, &x->oid, pp, plen, x->name, x->name_len);
			i++;
		} else if (c > 0) {   /* git's order: a tree never ties a file */
			if (y->mode == VCS_MODE_TREE) {
				rc = subdiff(s, NULL, y, pp, plen);
			} else {
				rc = add_change(s, 'M', y->mode, &y->oid, pp, plen, y->name,
						y->name_len);
			}
			j++;
		} else {
			if (x->mode == VCS_MODE_TREE) {
				if (memcmp(&x->oid, &y->oid, sizeof(x->oid)))
					rc = subdiff(s, &x->oid, y, pp, plen);
			} else if (x->mode != y->mode || memcmp(&x->oid, &y->oid, sizeof(x->oid))) {
				rc = add_change(s, 'M', y->mode, &y->oid, pp, plen, y->name,
						y->name_len);
			}
			i++;
			j++;
		}
		vcs_str_free(&pre);
	}
out:
	vcs_tree_clear(&ta);
	vcs_tree_clear(&tb);
	return rc;
}

/** reencode -- message converted to UTF-8 into s->buf; -1 if iconv fails. */
static int
reencode(fe_state *s, const char *enc, const char *msg, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", enc);

	if (cd == (iconv_t)-1)
		return -1;
	vcs_str_reset(&s->buf);
	if (vcs_str_grow(&s->buf, len * 4 + 16) < 0) {
		iconv_close(cd);
		return -1;
	}
	char *in = (char *)msg, *outp = (char *)s->buf.data;
	size_t inl = len, outl = s->buf.cap - 1;
	size_t r = iconv(cd, &in, &inl, &outp, &outl);
	iconv_close(cd);
	if (r == (size_t)-1)
		return -1;
	s->buf.len = (size_t)(outp - (char *)s->buf.data);
	s->buf.data[s->buf.len] = '\0';
	return 0;
}

/** export_commit -- blobs, then the commit with its file changes. */
static int
export_commit(fe_state *s, const pmdb_oid *oid, fe_ref *ref)
{
	vcs_commit c, p;
	char h[PMDB_OID_HEXMAX + 1];
	const pmdb_oid *base = NULL;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (read_commit(s, oid, &c) < 0)
		return -1;
	if (c.nparents && (obj(s, &c.parents[0])->flags & F_MARKED)) {
		if (read_commit(s, &c.parents[0], &p) < 0)
			goto out;
		base = &p.tree;
	}
	s->nch = 0;
	vcs_str_reset(&s->paths);
	if (diff(s, base, &c.tree, 0, 0) < 0)
		goto out;
	for (size_t i = 0; i < s->nch && !s->o->no_data; i++)
		if (s->ch[i].op == 'M' && s->ch[i].mode != VCS_MODE_GITLINK &&
		    export_blob(s, &s->ch[i].oid) < 0)
			goto out;
	int has_from = 0;
	for (size_t i = 0; i < c.nparents; i++)
		has_from |= !!(obj(s, &c.parents[i])->flags & F_MARKED);
	if (!has_from)
		fprintf(s->out, "reset %s\n", ref->name);
	fe_obj *e = obj(s, oid);
	e->mark = ++s->last_mark;
	e->flags |= F_MARKED;
	ref->last_mark = e->mark;
	fprintf(s->out, "commit %s\nmark :%u\nauthor %s\ncommitter %s\n", ref->name,
		e->mark, c.author, c.committer);
	const char *msg = c.message ? c.message : "";
	size_t mlen = c.message ? c.message_len : 0;
	if (c.encoding) {
		if (s->o->reencode == FE_REENCODE_ABORT) {
			fail(s, "Encountered commit-specific encoding %s in commit %s; use "
			     "--reencode=[yes|no] to handle it", c.encoding, pmdb_oid_fmt(h, oid, s->repo->algo));
			goto out;
		}
		if (s->o->reencode == FE_REENCODE_YES &&
		    reencode(s, c.encoding, msg, mlen) == 0) {
			msg = (const char *)s->buf.data;
			mlen = s->buf.len;
		} else {
			fprintf(s->out, "encoding %s\n", c.encoding);
		}
	}
	fprintf(s->out, "data %zu\n", mlen);
	fwrite(msg, 1, mlen, s->out);
	int first = 1;
	for (size_t i = 0; i < c.nparents; i++) {
		fe_obj *pe = obj(s, &c.parents[i]);
		if (!(pe->flags & F_MARKED))
			continue;
		fprintf(s->out, "%s :%u\n", first ? "from" : "merge", pe->mark);
		first = 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nch; i++) {
			fe_change *ch = &s->ch[i];
			if (ch->op != (pass ? 'M' : 'D'))
				continue;
			if (ch->op == 'D')
				fputs("D ", s->out);
			else if (ch->mode == VCS_MODE_GITLINK || s->o->no_data)
				fprintf(s->out, "M %06o %s ", ch->mode, pmdb_oid_fmt(h, &ch->oid, s->repo->algo));
			else
				fprintf(s->out, "M %06o :%u ", ch->mode, obj(s, &ch->oid)->mark);
			put_path(s, (const char *)s->paths.data + ch->off, ch->len);
			fputc('\n', s->out);
		}
	}
	fputc('\n', s->out);
	rc = 0;
out:
	vcs_commit_clear(&c);
	vcs_commit_clear(&p);
	return rc;
}

/** sig_start -- offset of the last signature block in a tag message. */
static size_t
sig_start(const char *m, size_t len)
{
	static const char *const begin[] = {
		"-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----",
		"-----BEGIN SSH SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----",
	};
	size_t at = len;

	for (size_t i = 0; i < len;) {
		for (size_t k = 0; k < 4; k++) {
			size_t bl = strlen(begin[k]);
			if (len - i >= bl && !memcmp(m + i, begin[k], bl))
				at = i;
		}
		const char *nl = memchr(m + i, '\n', len - i);
		i = nl ? (size_t)(nl - m) + 1 : len;
	}
	return at;
}

/** export_tag -- an annotated tag ref, after the commits. */
static int
export_tag(fe_state *s, fe_ref *r)
{
	vcs_tag t;
	char h[PMDB_OID_HEXMAX + 1];
	const char *name = r->name;
	pmdb_otype type;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	if (vcs_tag_read(s->repo, NULL, &r->oid, &t) < 0)
		return fail(s, "cannot read tag %s: %s", pmdb_oid_fmt(h, &r->oid, s->repo->algo), vcs_errmsg());
	if (!strncmp(name, "refs/tags/", 10))
		name += 10;
	if (pmdb_object_info(s->repo->env, &t.object, &type, NULL) < 0)
		type = t.type;
	if (type == PMDB_OBJ_TAG) {
		fail(s, "Error: Cannot export nested tags unless --mark-tags is specified.");
		goto out;
	}
	if (type == PMDB_OBJ_BLOB && export_blob(s, &t.object) < 0)
		goto out;
	fe_obj *e = obj(s, &t.object);
	if (!(e->flags & F_MARKED)) {
		if (s->o->tag_filtered == FE_TAGF_ABORT) {
			fail(s, "tag %s tags unexported object; use "
			     "--tag-of-filtered-object=<mode> to handle it", r->name);
			goto out;
		}
		rc = 0;   /* drop (rewrite is treated as drop: see docs) */
		goto out;
	}
	size_t mlen = t.message ? t.message_len : 0, sig = sig_start(t.message, mlen);
	if (sig < mlen) {
		switch (s->o->signed_tags) {
		case FE_SIGNED_ABORT:
			fail(s, "encountered signed tag %s; use --signed-tags=<mode> to handle it",
			     pmdb_oid_fmt(h, &r->oid, s->repo->algo));
			goto out;
		case FE_SIGNED_WARN:
			fprintf(s->o->err, "warning: exporting signed tag %s\n", pmdb_oid_fmt(h, &r->oid, s->repo->algo));
			break;
		case FE_SIGNED_WARN_STRIP:
			fprintf(s->o->err, "warning: stripping signature from tag %s\n",
				pmdb_oid_fmt(h, &r->oid, s->repo->algo));
			/* fall through */
		case FE_SIGNED_STRIP:
			mlen = sig;
			break;
		default:
			break;
		}
	}
	fprintf(s->out, "tag %s\nfrom :%u\n", name, e->mark);
	if (t.tagger)
		fprintf(s->out, "tagger %s\n", t.tagger);
	fprintf(s->out, "data %zu\n", mlen);
	fwrite(t.message ? t.message : "", 1, mlen, s->out);
	fputc('\n', s->out);
	rc = 0;
out:
	vcs_tag_clear(&t);
	return rc;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

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
	if (o->all && pmdb_ref_foreach(repo->env, "", all_cb, s) != 0)
		goto out;
	for (size_t i = 0; i < o->nrevs; i++) {
		const char *r = o->revs[i], *dots = strstr(r, "..");
		if (r[0] == '^') {
			if (negative(s, r + 1) < 0)
				goto out;
		} else if (dots) {
			char *a = strndup(r, (size_t)(dots - r));
			int e = !a || negative(s, *a ? a : "HEAD") < 0 ||
				positive(s, dots[2] ? dots + 2 : "HEAD") < 0;
			free(a);
			if (e)
				goto out;
		} else if (positive(s, r) < 0) {
			goto out;
		}
	}
	if (o->import_marks && read_marks(s, o->import_marks) < 0)
		goto out;
	if (mark_uninteresting(s) < 0)
		goto out;
	for (size_t i = 0; i < s->nrefs; i++) {
		pmdb_oid c;
		if (vcs_peel(repo, &s->refs[i].oid, PMDB_OBJ_COMMIT, &c) == 0 && walk(s, i, &c) < 0)
			goto out;
	}
	for (size_t i = 0; i < s->norder; i++)
		if (export_commit(s, &s->order[i].oid, &s->refs[s->order[i].ref]) < 0)
			goto out;
	for (size_t i = 0; i < s->nrefs; i++) {
		fe_ref *r = &s->refs[i];
		pmdb_otype type;
		if (pmdb_object_info(repo->env, &r->oid, &type, NULL) < 0)
			continue;
		if (type == PMDB_OBJ_TAG) {
			if (export_tag(s, r) < 0)
				goto out;
		} else if (type == PMDB_OBJ_COMMIT) {
			fe_obj *e = obj(s, &r->oid);
			if ((e->flags & F_MARKED) && e->mark != r->last_mark)
				fprintf(s->out, "reset %s\nfrom :%u\n\n", r->name, e->mark);
		}
	}
	if (o->export_marks && write_marks(s, o->export_marks) < 0)
		goto out;
	if (fflush(s->out) != 0) {
		fail(s, "write error: %s", strerror(errno));
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
