/*
 * object.c -- git's commit, tree and tag encodings (see docs/objects.md),
 * reading them from the pool, and peeling.
 *
 * Parsers take untrusted bytes (objects may come from a damaged pool or a
 * fuzzer): every read is bounded by end, and anything that would not
 * format back to the same bytes is PMDB_ECORRUPT, so that parse+format is
 * the identity on accepted input (ids are preserved).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "revwalk.h"
#include "vcs.h"

static const char hexdig[] = "0123456789abcdef";

/* corrupt -- the parsers' one failure */
static int
corrupt(const char *what, const char *why)
{
	return vcs_seterr(PMDB_ECORRUPT, "malformed %s: %s", what, why);
}

/* xmemdup -- NUL-terminated copy of n bytes, or NULL */
static char *
xmemdup(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* hexval1 -- 1 + value of each lowercase hex digit, 0 for anything else */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* parse_hex -- exactly hashlen*2 lowercase hex digits (git writes only
 * lowercase; accepting upper case would not round-trip) */
static int
parse_hex(pmdb_oid *out, const char *p, const char *end, size_t hashlen)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i;

	if ((size_t)(end - p) < 2 * hashlen)
		return -1;
	for (i = 0; i < hashlen; i++) {
		int hi = hexval1[u[2 * i]] - 1, lo = hexval1[u[2 * i + 1]] - 1;

		if ((hi | lo) < 0)
			return -1;
		out->id[i] = (uint8_t)(hi << 4 | lo);
	}
	memset(out->id + hashlen, 0, sizeof(out->id) - hashlen);
	return 0;
}

/* add_hex -- append an id as lowercase hex */
static int
add_hex(vcs_str *out, const pmdb_oid *oid, size_t hashlen)
{
	char hex[PMDB_OID_HEXMAX];
	size_t i;

	for (i = 0; i < hashlen; i++) {
		hex[2 * i] = hexdig[oid->id[i] >> 4];
		hex[2 * i + 1] = hexdig[oid->id[i] & 15];
	}
	return vcs_str_add(out, hex, 2 * hashlen);
}

/* has_prefix -- 1 if [p, end) starts with the C string pfx */
static int
has_prefix(const char *p, const char *end, const char *pfx)
{
	size_t n = strlen(pfx);

	return (size_t)(end - p) >= n && memcmp(p, pfx, n) == 0;
}

/* oid_header -- parse "<key> <hex>\n" at *pp; 0 or -1 */
static int
oid_header(const char **pp, const char *end, const char *key_sp,
	   size_t hashlen, pmdb_oid *out)
{
	const char *p = *pp + strlen(key_sp);

	if (parse_hex(out, p, end, hashlen))
		return -1;
	p += 2 * hashlen;
	if (p >= end || *p != '\n')
		return -1;
	*pp = p + 1;
	return 0;
}

/* str_header -- parse "<key> <value>\n" at *pp into a copy (value may not
 * hold NUL: it is kept as a C string) */
static int
str_header(const char **pp, const char *end, const char *key_sp, char **out)
{
	const char *p = *pp + strlen(key_sp);
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (!nl || memchr(p, '\0', (size_t)(nl - p)))
		return -1;
	if (!(*out = xmemdup(p, (size_t)(nl - p))))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	*pp = nl + 1;
	return 0;
}

/* extra_headers -- copy the remaining header lines verbatim up to the
 * blank line; *pp ends on the blank line's '\n' */
static int
extra_headers(const char **pp, const char *end, char **out)
{
	const char *start = *pp, *p = *pp;

	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl || memchr(p, '\0', (size_t)(nl - p)))
			return -1;
		p = nl + 1;
	}
	if (p >= end)
		return -1;              /* no blank line: unterminated header */
	if (p > start && !(*out = xmemdup(start, (size_t)(p - start))))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	*pp = p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commits                                                             */
/* ------------------------------------------------------------------ */

/* vcs_commit_parse -- parse a commit object's content */
int
vcs_commit_parse(vcs_commit *out, const void *data, size_t len,
		 pmdb_hash_algo algo)
{
	const char *p = data, *end = p + len;
	size_t hashlen = pmdb_hash_len(algo);
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (!has_prefix(p, end, "tree ") ||
	    oid_header(&p, end, "tree ", hashlen, &out->tree))
		return corrupt("commit", "bad tree line");
	while (has_prefix(p, end, "parent ")) {
		pmdb_oid *np;

		if ((out->nparents & (out->nparents - 1)) == 0) {
			size_t cap = out->nparents ? out->nparents * 2 : 1;

			np = realloc(out->parents, cap * sizeof(*np));
			if (!np) {
				err = vcs_seterr(PMDB_ENOMEM, "out of memory");
				goto fail;
			}
			out->parents = np;
		}
		if (oid_header(&p, end, "parent ", hashlen,
			       &out->parents[out->nparents])) {
			err = corrupt("commit", "bad parent line");
			goto fail;
		}
		out->nparents++;
	}
	if (!has_prefix(p, end, "author ") ||
	    (err = str_header(&p, end, "author ", &out->author))) {
		err = err == PMDB_ENOMEM ? err : corrupt("commit", "bad author line");
		goto fail;
	}
	if (!has_prefix(p, end, "committer ") ||
	    (err = str_header(&p, end, "committer ", &out->committer))) {
		err = err == PMDB_ENOMEM ? err :
			corrupt("commit", "bad committer line");
		goto fail;
	}
	/* only directly after committer is it "the" encoding header: that is
	 * where vcs_commit_format puts it back */
	if (has_prefix(p, end, "encoding ") &&
	    (err = str_header(&p, end, "encoding ", &out->encoding))) {
		err = err == PMDB_ENOMEM ? err :
			corrupt("commit", "bad encoding line");
		goto fail;
	}
	if ((err = extra_headers(&p, end, &out->extra))) {
		err = err == PMDB_ENOMEM ? err :
			corrupt("commit", "unterminated header");
		goto fail;
	}
	p++;                            /* the blank line */
	out->message_len = (size_t)(end - p);
	if (!(out->message = xmemdup(p, out->message_len))) {
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	vcs_commit_clear(out);
	return err;
}

/* vcs_commit_scan -- the fields log needs, in place, no allocation:
 * accepts exactly what vcs_commit_parse accepts */
int
vcs_commit_scan(vcs_commit_hdr *out, const void *data, size_t len,
		pmdb_hash_algo algo)
{
	const char *p = data, *end = p + len, *nl, *gt;
	size_t hashlen = pmdb_hash_len(algo);
	pmdb_oid tmp;

	memset(out, 0, sizeof(*out));
	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (!has_prefix(p, end, "tree ") ||
	    oid_header(&p, end, "tree ", hashlen, &tmp))
		return corrupt("commit", "bad tree line");
	out->parents = p;
	while (has_prefix(p, end, "parent ")) {
		if (oid_header(&p, end, "parent ", hashlen, &tmp))
			return corrupt("commit", "bad parent line");
		out->nparents++;
	}
	if (!has_prefix(p, end, "author ") ||
	    !(nl = memchr(p, '\n', (size_t)(end - p))) ||
	    memchr(p, '\0', (size_t)(nl - p)))
		return corrupt("commit", "bad author line");
	p = nl + 1;
	if (!has_prefix(p, end, "committer ") ||
	    !(nl = memchr(p, '\n', (size_t)(end - p))) ||
	    memchr(p, '\0', (size_t)(nl - p)))
		return corrupt("commit", "bad committer line");
	/* the date after the last '>', as git's parse_commit_date and the
	 * old walk (strtoll, which stops at the line's end) read it */
	for (gt = nl; gt > p && gt[-1] != '>'; gt--)
		;
	if (gt > p) {
		long long d = 0;
		int neg = 0;

		while (gt < nl && (*gt == ' ' || *gt == '\t'))
			gt++;
		if (gt < nl && (*gt == '-' || *gt == '+'))
			neg = *gt++ == '-';
		while (gt < nl && *gt >= '0' && *gt <= '9' && d < (1LL << 58))
			d = d * 10 + (*gt++ - '0');
		out->date = neg ? -d : d;
	}
	p = nl + 1;
	while (p < end && *p != '\n') {        /* encoding, extra headers */
		if (!(nl = memchr(p, '\n', (size_t)(end - p))) ||
		    memchr(p, '\0', (size_t)(nl - p)))
			return corrupt("commit", "unterminated header");
		p = nl + 1;
	}
	if (p >= end)
		return corrupt("commit", "unterminated header");
	p++;                            /* the blank line */
	out->message = p;
	out->message_len = (size_t)(end - p);
	return 0;
}

/* vcs_commit_hdr_parent -- parent i of a scanned commit (i < nparents) */
void
vcs_commit_hdr_parent(const vcs_commit_hdr *h, size_t i, size_t hashlen,
		      pmdb_oid *out)
{
	const char *p = h->parents + i * (7 + 2 * hashlen + 1) + 7;

	/* validated by vcs_commit_scan: cannot fail */
	(void)parse_hex(out, p, p + 2 * hashlen, hashlen);
}

/* read_error -- the vcs error for a failed read of oid: "object X not
 * found", or pmdb's error with "reading X" */
static int
read_error(vcs_repo *repo, const pmdb_oid *oid, int err)
{
	char hex[PMDB_OID_HEXMAX + 1], ctx[PMDB_OID_HEXMAX + 16];

	if (err == PMDB_ENOTFOUND)
		return vcs_seterr(err, "object %s not found",
				  vcs_oid_hex(repo, oid, hex));
	snprintf(ctx, sizeof(ctx), "reading %s", vcs_oid_hex(repo, oid, hex));
	return vcs_seterr_pmdb(err, ctx);
}

/* vcs_commit_view -- borrow a commit in place and scan it; on success
 * release *guard when done with out's pointers */
int
vcs_commit_view(vcs_repo *repo, const pmdb_oid *oid, vcs_commit_hdr *out,
		pmdb_view_guard **guard)
{
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_otype type = PMDB_OBJ_NONE;
	const void *ptr;
	size_t len;
	int err = pmdb_object_view(repo->env, oid, &type, &ptr, &len, guard);

	if (err)
		return read_error(repo, oid, err);
	if (type != PMDB_OBJ_COMMIT) {
		const char *tn = pmdb_otype_name(type);

		err = vcs_seterr(PMDB_EINVAL, "%s is a %s, not a commit",
				 vcs_oid_hex(repo, oid, hex),
				 tn ? tn : "unknown");
	} else if (!(err = vcs_commit_scan(out, ptr, len, repo->algo))) {
		out->data = ptr;
		out->len = len;
		return 0;
	}
	pmdb_view_release(*guard);
	*guard = NULL;
	return err;
}

/* vcs_commit_format -- append a commit's encoding as git writes it */
int
vcs_commit_format(vcs_str *out, const vcs_commit *c, pmdb_hash_algo algo)
{
	size_t hashlen = pmdb_hash_len(algo), i;
	int err = 0;

	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (!c->author || !c->committer)
		return vcs_seterr(PMDB_EINVAL, "commit without author or committer");
	err = vcs_str_adds(out, "tree ");
	err = err ? err : add_hex(out, &c->tree, hashlen);
	err = err ? err : vcs_str_add(out, "\n", 1);
	for (i = 0; i < c->nparents && !err; i++) {
		err = vcs_str_adds(out, "parent ");
		err = err ? err : add_hex(out, &c->parents[i], hashlen);
		err = err ? err : vcs_str_add(out, "\n", 1);
	}
	err = err ? err : vcs_str_addf(out, "author %s\ncommitter %s\n",
				       c->author, c->committer);
	if (c->encoding && !err)
		err = vcs_str_addf(out, "encoding %s\n", c->encoding);
	if (c->extra && !err)
		err = vcs_str_adds(out, c->extra);
	err = err ? err : vcs_str_add(out, "\n", 1);
	if (c->message && !err)
		err = vcs_str_add(out, c->message, c->message_len);
	return err;
}

/* vcs_commit_clear -- free a parsed commit's strings */
void
vcs_commit_clear(vcs_commit *c)
{
	free(c->parents);
	free(c->author);
	free(c->committer);
	free(c->encoding);
	free(c->extra);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* Trees                                                               */
/* ------------------------------------------------------------------ */

/* vcs_tree_entry_cmp -- git's base_name_compare: a tree's name sorts as
 * if it ended in '/' */
int
vcs_tree_entry_cmp(const char *a, size_t alen, uint32_t amode,
		   const char *b, size_t blen, uint32_t bmode)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;
	unsigned ca, cb;

	if (r)
		return r;
	ca = alen > n ? (unsigned char)a[n] : (amode == VCS_MODE_TREE ? '/' : 0);
	cb = blen > n ? (unsigned char)b[n] : (bmode == VCS_MODE_TREE ? '/' : 0);
	return (int)ca - (int)cb;
}

/* vcs_tree_parse -- parse "<octal mode> <name>\0<raw id>" entries */
int
vcs_tree_parse(vcs_tree *out, const void *data, size_t len,
	       pmdb_hash_algo algo)
{
	const char *p = data, *end = p + len;
	size_t hashlen = pmdb_hash_len(algo), cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	while (p < end) {
		vcs_tree_entry *e;
		const char *name, *nul;
		uint32_t mode = 0;

		/* mode: octal, no leading zero (would not round-trip) */
		if (*p < '1' || *p > '7') {
			err = corrupt("tree", "bad mode");
			goto fail;
		}
		while (p < end && *p >= '0' && *p <= '7') {
			if (mode > 0777777) {
				err = corrupt("tree", "mode too large");
				goto fail;
			}
			mode = mode * 8 + (uint32_t)(*p++ - '0');
		}
		if (p >= end || *p != ' ') {
			err = corrupt("tree", "bad mode");
			goto fail;
		}
		name = ++p;
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul || nul == name || (size_t)(end - nul - 1) < hashlen) {
			err = corrupt("tree", "truncated entry");
			goto fail;
		}
		/* a name with '/' would make two entries one path. "." and
		 * ".." are read, as git reads them (its fast-import writes
		 * them); checkout refuses to write them (vcs/path_check.c) */
		if (memchr(name, '/', (size_t)(nul - name))) {
			err = corrupt("tree", "bad entry name");
			goto fail;
		}
		if (VCS_ARRAY_GROW(out->entries, cap, out->n + 1, 16)) {
			err = vcs_seterr(PMDB_ENOMEM, "out of memory");
			goto fail;
		}
		e = &out->entries[out->n];
		e->mode = mode;
		e->name_len = (size_t)(nul - name);
		memset(&e->oid, 0, sizeof(e->oid));
		memcpy(e->oid.id, nul + 1, hashlen);
		if (!(e->name = xmemdup(name, e->name_len))) {
			err = vcs_seterr(PMDB_ENOMEM, "out of memory");
			goto fail;
		}
		out->n++;
		/* sorted and unique, as git writes them; lookups rely on it */
		if (out->n > 1 &&
		    vcs_tree_entry_cmp(e[-1].name, e[-1].name_len, e[-1].mode,
				       e->name, e->name_len, e->mode) >= 0) {
			err = corrupt("tree", "entries not sorted");
			goto fail;
		}
		p = nul + 1 + hashlen;
	}
	return 0;
fail:
	vcs_tree_clear(out);
	return err;
}

/* entry_qcmp -- qsort adaptor for vcs_tree_entry_cmp */
static int
entry_qcmp(const void *a, const void *b)
{
	const vcs_tree_entry *x = a, *y = b;

	return vcs_tree_entry_cmp(x->name, x->name_len, x->mode,
				  y->name, y->name_len, y->mode);
}

/* vcs_tree_format -- sort entries in git's order and encode them */
int
vcs_tree_format(vcs_str *out, vcs_tree_entry *entries, size_t n,
		pmdb_hash_algo algo)
{
	size_t hashlen = pmdb_hash_len(algo), i;
	int err;

	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (n > 1)
		qsort(entries, n, sizeof(*entries), entry_qcmp);
	for (i = 0; i < n; i++) {
		const vcs_tree_entry *e = &entries[i];

		if ((err = vcs_str_addf(out, "%o ", (unsigned)e->mode)) ||
		    (err = vcs_str_add(out, e->name, e->name_len)) ||
		    (err = vcs_str_add(out, "", 1)) ||
		    (err = vcs_str_add(out, e->oid.id, hashlen)))
			return err;
	}
	return 0;
}

/* vcs_tree_clear -- free a parsed tree */
void
vcs_tree_clear(vcs_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->entries[i].name);
	free(t->entries);
	t->entries = NULL;
	t->n = 0;
}

/* ------------------------------------------------------------------ */
/* Tags                                                                */
/* ------------------------------------------------------------------ */

/* vcs_tag_parse -- parse an annotated tag's content */
int
vcs_tag_parse(vcs_tag *out, const void *data, size_t len, pmdb_hash_algo algo)
{
	const char *p = data, *end = p + len, *nl;
	size_t hashlen = pmdb_hash_len(algo);
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (!has_prefix(p, end, "object ") ||
	    oid_header(&p, end, "object ", hashlen, &out->object))
		return corrupt("tag", "bad object line");
	if (!has_prefix(p, end, "type "))
		return corrupt("tag", "bad type line");
	p += 5;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || pmdb_otype_from_name(&out->type, p, (size_t)(nl - p)))
		return corrupt("tag", "bad type line");
	p = nl + 1;
	if (!has_prefix(p, end, "tag ") ||
	    (err = str_header(&p, end, "tag ", &out->tag))) {
		err = err == PMDB_ENOMEM ? err : corrupt("tag", "bad tag line");
		goto fail;
	}
	if (has_prefix(p, end, "tagger ") &&
	    (err = str_header(&p, end, "tagger ", &out->tagger))) {
		err = err == PMDB_ENOMEM ? err : corrupt("tag", "bad tagger line");
		goto fail;
	}
	if ((err = extra_headers(&p, end, &out->extra))) {
		err = err == PMDB_ENOMEM ? err : corrupt("tag", "unterminated header");
		goto fail;
	}
	p++;
	out->message_len = (size_t)(end - p);
	if (!(out->message = xmemdup(p, out->message_len))) {
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	vcs_tag_clear(out);
	return err;
}

/* vcs_tag_format -- append a tag's encoding as git writes it */
int
vcs_tag_format(vcs_str *out, const vcs_tag *t, pmdb_hash_algo algo)
{
	size_t hashlen = pmdb_hash_len(algo);
	const char *tname = pmdb_otype_name(t->type);
	int err;

	if (!hashlen)
		return vcs_seterr(PMDB_EINVAL, "unknown object format");
	if (!tname || !t->tag)
		return vcs_seterr(PMDB_EINVAL, "tag without type or name");
	err = vcs_str_adds(out, "object ");
	err = err ? err : add_hex(out, &t->object, hashlen);
	err = err ? err : vcs_str_addf(out, "\ntype %s\ntag %s\n", tname, t->tag);
	if (t->tagger && !err)
		err = vcs_str_addf(out, "tagger %s\n", t->tagger);
	if (t->extra && !err)
		err = vcs_str_adds(out, t->extra);
	err = err ? err : vcs_str_add(out, "\n", 1);
	if (t->message && !err)
		err = vcs_str_add(out, t->message, t->message_len);
	return err;
}

/* vcs_tag_clear -- free a parsed tag */
void
vcs_tag_clear(vcs_tag *t)
{
	free(t->tag);
	free(t->tagger);
	free(t->extra);
	free(t->message);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ */
/* Reading from the pool                                               */
/* ------------------------------------------------------------------ */

/* vcs_object_read -- read any object through txn or the env */
int
vcs_object_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		pmdb_otype *type, vcs_str *out)
{
	int err;

	err = txn ? pmdb_txn_read(txn, oid, type, out)
		  : pmdb_object_read(repo->env, oid, type, out);
	if (err)
		return read_error(repo, oid, err);
	return 0;
}

/* read_typed -- read oid and check it has type want */
static int
read_typed(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
	   pmdb_otype want, vcs_str *buf)
{
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_otype type = PMDB_OBJ_NONE;
	int err = vcs_object_read(repo, txn, oid, &type, buf);

	if (err)
		return err;
	if (type != want) {
		const char *tn = pmdb_otype_name(type);

		return vcs_seterr(PMDB_EINVAL, "%s is a %s, not a %s",
				  vcs_oid_hex(repo, oid, hex),
				  tn ? tn : "unknown", pmdb_otype_name(want));
	}
	return 0;
}

/* vcs_commit_read -- read and parse a commit */
int
vcs_commit_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		vcs_commit *out)
{
	vcs_str buf = VCS_STR_INIT;
	int err = read_typed(repo, txn, oid, PMDB_OBJ_COMMIT, &buf);

	if (!err)
		err = vcs_commit_parse(out, buf.data, buf.len, repo->algo);
	else
		memset(out, 0, sizeof(*out));
	vcs_str_free(&buf);
	return err;
}

/* vcs_tree_read -- read and parse a tree */
int
vcs_tree_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
	      vcs_tree *out)
{
	vcs_str buf = VCS_STR_INIT;
	int err = read_typed(repo, txn, oid, PMDB_OBJ_TREE, &buf);

	if (!err)
		err = vcs_tree_parse(out, buf.data, buf.len, repo->algo);
	else
		memset(out, 0, sizeof(*out));
	vcs_str_free(&buf);
	return err;
}

/* vcs_tag_read -- read and parse an annotated tag */
int
vcs_tag_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
	     vcs_tag *out)
{
	vcs_str buf = VCS_STR_INIT;
	int err = read_typed(repo, txn, oid, PMDB_OBJ_TAG, &buf);

	if (!err)
		err = vcs_tag_parse(out, buf.data, buf.len, repo->algo);
	else
		memset(out, 0, sizeof(*out));
	vcs_str_free(&buf);
	return err;
}

/* vcs_peel -- follow tags (and commit -> tree) until type want */
int
vcs_peel(vcs_repo *repo, const pmdb_oid *oid, pmdb_otype want,
	 pmdb_oid *out)
{
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_oid cur = *oid;
	int depth, err;

	/* tag chains are short in practice; the bound stops a cycle
	 * crafted into a damaged pool */
	for (depth = 0; depth < 64; depth++) {
		pmdb_otype type;

		err = pmdb_object_info(repo->env, &cur, &type, NULL);
		if (err == PMDB_ENOTFOUND)
			return vcs_seterr(err, "object %s not found",
					  vcs_oid_hex(repo, &cur, hex));
		if (err) {
			/* keep the code: out of memory is not "not found" */
			char ctx[PMDB_OID_HEXMAX + 16];

			snprintf(ctx, sizeof(ctx), "reading %s",
				 vcs_oid_hex(repo, &cur, hex));
			return vcs_seterr_pmdb(err, ctx);
		}
		if (type == want || (want == PMDB_OBJ_NONE &&
				     type != PMDB_OBJ_TAG)) {
			*out = cur;
			return 0;
		}
		if (type == PMDB_OBJ_TAG) {
			vcs_tag tag;

			if ((err = vcs_tag_read(repo, NULL, &cur, &tag)))
				return err;
			cur = tag.object;
			vcs_tag_clear(&tag);
		} else if (type == PMDB_OBJ_COMMIT && want == PMDB_OBJ_TREE) {
			vcs_commit c;

			if ((err = vcs_commit_read(repo, NULL, &cur, &c)))
				return err;
			cur = c.tree;
			vcs_commit_clear(&c);
		} else {
			const char *tn = pmdb_otype_name(type);

			return vcs_seterr(PMDB_EINVAL,
					  "%s is a %s, cannot be peeled to a %s",
					  vcs_oid_hex(repo, oid, hex),
					  tn ? tn : "unknown",
					  pmdb_otype_name(want) ?
					  pmdb_otype_name(want) : "non-tag");
		}
	}
	return vcs_seterr(PMDB_ECORRUPT, "tag chain too long at %s",
			  vcs_oid_hex(repo, oid, hex));
}
