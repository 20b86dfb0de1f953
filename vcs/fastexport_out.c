/*
 * fastexport_out.c -- fast-export's output: blobs, commits with their
 * file changes against the first exported parent, and annotated tags
 * (fastexport.c decides what is written and in which order).
 *
 * Every read and allocation here is checked: a failure stops the export
 * (fastexport.h: what was already written stays written, but the stream
 * never ends with "done" and the exit code is 128).
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "bigblob.h"
#include "array.h"
#include "fastexport_int.h"

static int diff(fe_state *s, const pmdb_oid *a, const pmdb_oid *b, size_t poff,
		size_t plen);

/** put_path -- a path as git's fast-export prints it: C-quoted when
 *  needed, in plain quotes when it holds a space. */
static int
put_path(fe_state *s, const char *p, size_t len)
{
	vcs_str_reset(&s->buf);
	if (vcs_quote_path(&s->buf, p, len) < 0)
		return fe__fail(s, "out of memory");
	if (s->buf.len == len && memchr(p, ' ', len))
		fprintf(s->out, "\"%.*s\"", (int)len, p);
	else
		fwrite(s->buf.data, 1, s->buf.len, s->out);
	return 0;
}

/** export_blob -- write a blob with a new mark unless it has one. */
static int
export_blob(fe_state *s, const pmdb_oid *oid)
{
	fe_obj *e = fe__obj(s, oid);
	pmdb_otype type;
	char h[PMDB_OID_HEXMAX + 1];

	if (!e)
		return fe__fail(s, "out of memory");
	if (e->flags & FE_MARKED)
		return 0;
	if (vcs_big_is(s->repo, oid)) {
		uint64_t size = 0;

		/* a chunk at a time: never the whole blob in memory */
		pmdb_object_info(s->repo->env, oid, NULL, &size);
		e->mark = ++s->last_mark;
		e->flags |= FE_MARKED;
		fprintf(s->out, "blob\nmark :%u\ndata %llu\n", e->mark,
			(unsigned long long)size);
		if (vcs_big_write_file(s->repo, oid, s->out))
			return fe__fail(s, "cannot read blob %s: %s",
					pmdb_oid_fmt(h, oid, s->repo->algo),
					vcs_errmsg());
		fputc('\n', s->out);
		return 0;
	}
	vcs_str_reset(&s->buf);
	if (vcs_object_read(s->repo, NULL, oid, &type, &s->buf) < 0)
		return fe__fail(s, "cannot read blob %s: %s",
				pmdb_oid_fmt(h, oid, s->repo->algo), vcs_errmsg());
	e->mark = ++s->last_mark;
	e->flags |= FE_MARKED;
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
	if (VCS_ARRAY_GROW(s->ch, s->capch, s->nch + 1, 64))
		return fe__fail(s, "out of memory");
	fe_change *c = &s->ch[s->nch];
	c->op = op;
	c->mode = mode;
	c->oid = *oid;
	c->off = s->paths.len;
	if ((plen && (vcs_str_add(&s->paths, prefix, plen) < 0 ||
		      vcs_str_add(&s->paths, "/", 1) < 0)) ||
	    vcs_str_add(&s->paths, name, nlen) < 0)
		return fe__fail(s, "out of memory");
	c->len = s->paths.len - c->off;
	s->nch++;
	return 0;
}

/** subdiff -- diff() of subtree y (old side a) under prefix pp. */
static int
subdiff(fe_state *s, const pmdb_oid *a, const vcs_tree_entry *y, const char *pp,
	size_t plen)
{
	size_t off = s->paths.len;

	if ((plen && (vcs_str_add(&s->paths, pp, plen) < 0 ||
		      vcs_str_add(&s->paths, "/", 1) < 0)) ||
	    vcs_str_add(&s->paths, y->name, y->name_len) < 0)
		return fe__fail(s, "out of memory");
	return diff(s, a, &y->oid, off, s->paths.len - off);
}

/** diff_entry -- one step of diff(): x (old) against y (new), c their
 *  order; advances *i and/or *j. */
static int
diff_entry(fe_state *s, const vcs_tree_entry *x, const vcs_tree_entry *y, int c,
	   const char *pp, size_t plen, size_t *i, size_t *j)
{
	int rc = 0;

	if (c < 0) {
		rc = add_change(s, 'D', x->mode, &x->oid, pp, plen, x->name, x->name_len);
		++*i;
	} else if (c > 0) {   /* git's order: a tree never ties a file */
		if (y->mode == VCS_MODE_TREE)
			rc = subdiff(s, NULL, y, pp, plen);
		else
			rc = add_change(s, 'M', y->mode, &y->oid, pp, plen, y->name,
					y->name_len);
		++*j;
	} else {
		if (x->mode == VCS_MODE_TREE) {
			if (memcmp(&x->oid, &y->oid, sizeof(x->oid)))
				rc = subdiff(s, &x->oid, y, pp, plen);
		} else if (x->mode != y->mode || memcmp(&x->oid, &y->oid, sizeof(x->oid))) {
			rc = add_change(s, 'M', y->mode, &y->oid, pp, plen, y->name,
					y->name_len);
		}
		++*i;
		++*j;
	}
	return rc;
}

/** diff -- queue the changes from tree a to tree b (NULL: empty). */
static int
diff(fe_state *s, const pmdb_oid *a, const pmdb_oid *b, size_t poff, size_t plen)
{
	vcs_tree ta, tb;
	vcs_str pre = VCS_STR_INIT;
	size_t i = 0, j = 0;
	int rc = 0;
	char h[PMDB_OID_HEXMAX + 1];

	memset(&ta, 0, sizeof(ta));
	memset(&tb, 0, sizeof(tb));
	if (a && vcs_tree_read(s->repo, NULL, a, &ta) < 0) {
		rc = fe__fail(s, "cannot read tree %s: %s",
			      pmdb_oid_fmt(h, a, s->repo->algo), vcs_errmsg());
		goto out;
	}
	if (b && vcs_tree_read(s->repo, NULL, b, &tb) < 0) {
		rc = fe__fail(s, "cannot read tree %s: %s",
			      pmdb_oid_fmt(h, b, s->repo->algo), vcs_errmsg());
		goto out;
	}
	/* the prefix lives in s->paths, which may move: copy it */
	if (plen && vcs_str_add(&pre, s->paths.data + poff, plen) < 0) {
		rc = fe__fail(s, "out of memory");
		goto out;
	}
	while (!rc && (i < ta.n || j < tb.n)) {
		vcs_tree_entry *x = i < ta.n ? &ta.entries[i] : NULL;
		vcs_tree_entry *y = j < tb.n ? &tb.entries[j] : NULL;
		int c = !x ? 1 : !y ? -1 :
			vcs_tree_entry_cmp(x->name, x->name_len, x->mode,
					   y->name, y->name_len, y->mode);
		rc = diff_entry(s, x, y, c, (const char *)pre.data, plen, &i, &j);
	}
out:
	vcs_str_free(&pre);
	vcs_tree_clear(&ta);
	vcs_tree_clear(&tb);
	return rc;
}

/** reencode -- message converted to UTF-8 into s->buf: 0; 1 if iconv
 *  cannot convert it (kept as is, as git does); -1 on out of memory
 *  (reported). */
static int
reencode(fe_state *s, const char *enc, const char *msg, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", enc);

	if (cd == (iconv_t)-1)
		return errno == ENOMEM ? fe__fail(s, "out of memory") : 1;
	vcs_str_reset(&s->buf);
	if (vcs_str_grow(&s->buf, len * 4 + 16) < 0) {
		iconv_close(cd);
		return fe__fail(s, "out of memory");
	}
	char *in = (char *)msg, *outp = (char *)s->buf.data;
	size_t inl = len, outl = s->buf.cap - 1;
	size_t r = iconv(cd, &in, &inl, &outp, &outl);
	iconv_close(cd);
	if (r == (size_t)-1)
		return 1;
	s->buf.len = (size_t)(outp - (char *)s->buf.data);
	s->buf.data[s->buf.len] = '\0';
	return 0;
}

/** put_message -- "encoding" (if kept) and the "data" block of c. */
static int
put_message(fe_state *s, const pmdb_oid *oid, const vcs_commit *c)
{
	char h[PMDB_OID_HEXMAX + 1];
	const char *msg = c->message ? c->message : "";
	size_t mlen = c->message ? c->message_len : 0;

	if (c->encoding) {
		int r = 1;
		if (s->o->reencode == FE_REENCODE_ABORT)
			return fe__fail(s, "Encountered commit-specific encoding %s in commit "
					"%s; use --reencode=[yes|no] to handle it", c->encoding,
					pmdb_oid_fmt(h, oid, s->repo->algo));
		if (s->o->reencode == FE_REENCODE_YES &&
		    (r = reencode(s, c->encoding, msg, mlen)) < 0)
			return -1;
		if (r == 0) {
			msg = (const char *)s->buf.data;
			mlen = s->buf.len;
		} else {
			fprintf(s->out, "encoding %s\n", c->encoding);
		}
	}
	fprintf(s->out, "data %zu\n", mlen);
	fwrite(msg, 1, mlen, s->out);
	return 0;
}

/** put_changes -- the queued changes: every D, then every M. */
static int
put_changes(fe_state *s)
{
	char h[PMDB_OID_HEXMAX + 1];

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nch; i++) {
			fe_change *ch = &s->ch[i];
			if (ch->op != (pass ? 'M' : 'D'))
				continue;
			if (ch->op == 'D') {
				fputs("D ", s->out);
			} else if (ch->mode == VCS_MODE_GITLINK || s->o->no_data) {
				fprintf(s->out, "M %06o %s ", ch->mode,
					pmdb_oid_fmt(h, &ch->oid, s->repo->algo));
			} else {
				fe_obj *b = fe__find(s, &ch->oid);
				if (!b || !(b->flags & FE_MARKED))   /* export_blob ran */
					return fe__fail(s, "internal error: blob %s has no mark",
							pmdb_oid_fmt(h, &ch->oid, s->repo->algo));
				fprintf(s->out, "M %06o :%u ", ch->mode, b->mark);
			}
			if (put_path(s, (const char *)s->paths.data + ch->off, ch->len) < 0)
				return -1;
			fputc('\n', s->out);
		}
	}
	return 0;
}

/** fe__export_commit -- blobs, then the commit with its file changes. */
int
fe__export_commit(fe_state *s, const pmdb_oid *oid, fe_ref *ref)
{
	vcs_commit c, p;
	const pmdb_oid *base = NULL;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (fe__read_commit(s, oid, &c) < 0)
		return -1;
	if (c.nparents && fe__named(s, &c.parents[0])) {
		if (fe__read_commit(s, &c.parents[0], &p) < 0)
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
		has_from |= fe__named(s, &c.parents[i]) != 0;
	fe_obj *e = fe__obj(s, oid);   /* the walk created it: no allocation */
	if (!e) {
		fe__fail(s, "out of memory");
		goto out;
	}
	if (!has_from)
		fprintf(s->out, "reset %s\n", ref->name);
	e->mark = ++s->last_mark;
	e->flags |= FE_MARKED | FE_COMMIT;
	ref->last_mark = e->mark;
	fprintf(s->out, "commit %s\nmark :%u\nauthor %s\ncommitter %s\n", ref->name,
		e->mark, c.author, c.committer);
	if (put_message(s, oid, &c) < 0)
		goto out;
	int first = 1;
	for (size_t i = 0; i < c.nparents; i++) {
		if (!fe__named(s, &c.parents[i]))
			continue;
		fprintf(s->out, "%s ", first ? "from" : "merge");
		fe__put_ref(s, &c.parents[i]);
		fputc('\n', s->out);
		first = 0;
	}
	if (put_changes(s) < 0)
		goto out;
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

/** tag_message_len -- how much of tag t's message to write, by
 *  --signed-tags; -1 (reported) in abort mode on a signed tag. */
static long long
tag_message_len(fe_state *s, fe_ref *r, const vcs_tag *t)
{
	char h[PMDB_OID_HEXMAX + 1];
	size_t mlen = t->message ? t->message_len : 0, sig = sig_start(t->message, mlen);

	if (sig >= mlen)
		return (long long)mlen;
	switch (s->o->signed_tags) {
	case FE_SIGNED_ABORT:
		return fe__fail(s, "encountered signed tag %s; use --signed-tags=<mode> "
				"to handle it", pmdb_oid_fmt(h, &r->oid, s->repo->algo));
	case FE_SIGNED_WARN:
		fprintf(s->o->err, "warning: exporting signed tag %s\n",
			pmdb_oid_fmt(h, &r->oid, s->repo->algo));
		return (long long)mlen;
	case FE_SIGNED_WARN_STRIP:
		fprintf(s->o->err, "warning: stripping signature from tag %s\n",
			pmdb_oid_fmt(h, &r->oid, s->repo->algo));
		return (long long)sig;
	case FE_SIGNED_STRIP:
		return (long long)sig;
	default:
		return (long long)mlen;
	}
}

/** fe__export_tag -- an annotated tag ref, after the commits. */
int
fe__export_tag(fe_state *s, fe_ref *r)
{
	vcs_tag t;
	char h[PMDB_OID_HEXMAX + 1];
	const char *name = r->name;
	pmdb_otype type;
	long long mlen;
	int rc = -1, err;

	memset(&t, 0, sizeof(t));
	if (vcs_tag_read(s->repo, NULL, &r->oid, &t) < 0)
		return fe__fail(s, "cannot read tag %s: %s",
				pmdb_oid_fmt(h, &r->oid, s->repo->algo), vcs_errmsg());
	if (!strncmp(name, "refs/tags/", 10))
		name += 10;
	/* fastexport.c peeled this tag already: its target exists */
	if ((err = pmdb_object_info(s->repo->env, &t.object, &type, NULL)) != 0) {
		fe__fail(s, "cannot read %s: %s", pmdb_oid_fmt(h, &t.object, s->repo->algo),
			 fe__cause(err));
		goto out;
	}
	if (type == PMDB_OBJ_TAG) {
		fe__fail(s, "Error: Cannot export nested tags unless --mark-tags is specified.");
		goto out;
	}
	if (type == PMDB_OBJ_BLOB && export_blob(s, &t.object) < 0)
		goto out;
	/* git names a tag's target by mark only, whatever
	 * --reference-excluded-parents says */
	if (fe__named(s, &t.object) != 1) {
		if (s->o->tag_filtered == FE_TAGF_ABORT) {
			fe__fail(s, "tag %s tags unexported object; use "
				 "--tag-of-filtered-object=<mode> to handle it", r->name);
			goto out;
		}
		rc = 0;   /* drop (rewrite is treated as drop: see docs) */
		goto out;
	}
	if ((mlen = tag_message_len(s, r, &t)) < 0)
		goto out;
	fprintf(s->out, "tag %s\nfrom ", name);
	fe__put_ref(s, &t.object);      /* a mark (above) */
	fputc('\n', s->out);
	if (t.tagger)
		fprintf(s->out, "tagger %s\n", t.tagger);
	fprintf(s->out, "data %lld\n", mlen);
	fwrite(t.message ? t.message : "", 1, (size_t)mlen, s->out);
	fputc('\n', s->out);
	rc = 0;
out:
	vcs_tag_clear(&t);
	return rc;
}
