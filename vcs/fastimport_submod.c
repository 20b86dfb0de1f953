/*
 * fastimport_submod.c -- git's --rewrite-submodules-from/-to=<name>:<file>
 * (and the same `feature` lines): a pair of marks files for one submodule,
 * the "from" file written by fast-export of its old history, the "to"
 * file by fast-import of its new one. Every id of the "from" file maps to
 * the id the "to" file gives the same mark, and `M` lines naming an id by
 * hex (gitlinks above all) get the mapped id; an id may be of either hash
 * format (the usual case: a SHA-1 submodule moved to SHA-256). Unknown ids
 * of the repository's format pass through, others are an invalid dataref.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fastimport_int.h"

/** A marks file read for the map: (mark, id of any format) pairs. */
typedef struct sub_marks {
	struct sub_mark { uint64_t num; size_t seq; uint8_t len; uint8_t id[32]; } *v;
	size_t n, cap;
} sub_marks;

/** hex_any -- git's parse_oid_hex_any: a SHA-256 id (64 hex) if there is
 *  one at p, else a SHA-1 id (40 hex); its byte length, 0 for neither. */
static size_t
hex_any(const char *p, uint8_t *id)
{
	static const size_t lens[] = { 32, 20 };

	for (size_t k = 0; k < 2; k++) {
		size_t i;
		for (i = 0; i < 2 * lens[k]; i++) {
			int c = p[i], v = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (v < 0)
				break;
			id[i / 2] = (uint8_t)(i % 2 ? (id[i / 2] << 4) | v : v);
		}
		if (i == 2 * lens[k])
			return lens[k];
	}
	return 0;
}

/** read_sub -- spec "<name>:<file>": the file's marks into m, name's
 *  length into *namelen (git's option_rewrite_submodules and
 *  read_mark_file, same messages). 0, or -1 (fi_fail). */
static int
read_sub(fi_state *s, const char *spec, sub_marks *m, size_t *namelen)
{
	const char *colon = strchr(spec, ':');
	char line[512];

	if (!colon)
		return fi_fail(s, "Expected format name:filename for submodule "
			       "rewrite option");
	*namelen = (size_t)(colon - spec);
	char *path = fi_abs_path(s, colon + 1);
	if (!path)
		return fi_fail(s, "out of memory");
	FILE *f = fopen(path, "r");
	int e = errno;
	free(path);
	if (!f)
		return fi_fail(s, "cannot read '%s': %s", colon + 1, strerror(e));
	while (fgets(line, sizeof(line), f)) {
		char *end = strchr(line, '\n');
		if (line[0] != ':' || !end)
			goto corrupt;
		*end = '\0';
		struct sub_mark sm = { 0, 0, 0, { 0 } };
		sm.num = strtoull(line + 1, &end, 10);
		if (!sm.num || end == line + 1 || *end != ' ' ||
		    !(sm.len = (uint8_t)hex_any(end + 1, sm.id)))
			goto corrupt;
		if (VCS_ARRAY_GROW(m->v, m->cap, m->n + 1, 64)) {
			fclose(f);
			return fi_fail(s, "out of memory");
		}
		m->v[m->n++] = sm;
		continue;
corrupt:
		fclose(f);
		return fi_fail(s, "corrupt mark line: %s", line);
	}
	fclose(f);
	return 0;
}

/** cmp_num_seq -- by mark number, then by seq */
static int
cmp_num_seq(const void *a, const void *b)
{
	const struct sub_mark *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/** cmp_num -- sub_mark order by mark number */
static int
cmp_num(const void *a, const void *b)
{
	const struct sub_mark *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/** by_num -- sort m by mark, keeping the last line read for a mark (git's
 *  mark table overwrites): a stable pass over the order of reading. */
static void
by_num(sub_marks *m)
{
	size_t k = 0;

	/* reverse first: then the first of equals after a sort by (num,
	 * position) is the line read last */
	for (size_t i = 0; i < m->n / 2; i++) {
		struct sub_mark t = m->v[i];
		m->v[i] = m->v[m->n - 1 - i];
		m->v[m->n - 1 - i] = t;
	}
	for (size_t i = 0; i < m->n; i++)
		m->v[i].seq = i;
	qsort(m->v, m->n, sizeof(m->v[0]), cmp_num_seq);
	for (size_t i = 0; i < m->n; i++)
		if (!k || m->v[k - 1].num != m->v[i].num)
			m->v[k++] = m->v[i];
	m->n = k;
}

/** cmp_key -- map entries by (length, bytes) */
static int
cmp_key(const void *a, const void *b)
{
	const fi_subent *x = a, *y = b;

	return x->len != y->len ? (x->len < y->len ? -1 : 1) :
	       memcmp(x->from, y->from, x->len);
}

/** cmp_from -- map entries by (length, bytes), then by insertion order */
static int
cmp_from(const void *a, const void *b)
{
	const fi_subent *x = a, *y = b;
	int c = x->len != y->len ? (x->len < y->len ? -1 : 1) :
		memcmp(x->from, y->from, x->len);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/** add_pair -- map every id of from to the id of the same mark in to
 *  (git's build_mark_map_one; a mark missing from to is fatal). */
static int
add_pair(fi_state *s, sub_marks *from, sub_marks *to)
{
	by_num(from);
	by_num(to);
	for (size_t i = 0; i < from->n; i++) {
		const struct sub_mark *f = &from->v[i];
		const struct sub_mark *t = bsearch(f, to->v, to->n, sizeof(to->v[0]),
						   cmp_num);
		if (!t)
			return fi_fail(s, "mark :%llu not declared",
				       (unsigned long long)f->num);
		if (VCS_ARRAY_GROW(s->submap, s->capsubmap, s->nsubmap + 1, 64))
			return fi_fail(s, "out of memory");
		fi_subent *e = &s->submap[s->nsubmap];
		memset(e, 0, sizeof(*e));
		e->len = f->len;
		memcpy(e->from, f->id, f->len);
		memcpy(e->to.id, t->id, t->len);
		e->seq = s->nsubmap++;
	}
	return 0;
}

/** last_spec -- index of the last spec of direction to named like
 *  spec[0..namelen), or -1 (the command line, added last, wins) */
static long
last_spec(fi_state *s, int to, const char *name, size_t namelen)
{
	for (size_t i = s->nsubspecs; i-- > 0;) {
		const char *n = s->subspecs[i].spec, *c = strchr(n, ':');
		if (s->subspecs[i].to == to && c && (size_t)(c - n) == namelen &&
		    !memcmp(n, name, namelen))
			return (long)i;
	}
	return -1;
}

int
fi_submods_add(fi_state *s, const char *spec, int to)
{
	if (VCS_ARRAY_GROW(s->subspecs, s->capsubspecs, s->nsubspecs + 1, 4))
		return fi_fail(s, "out of memory");
	if (!(s->subspecs[s->nsubspecs].spec = strdup(spec)))
		return fi_fail(s, "out of memory");
	s->subspecs[s->nsubspecs++].to = to;
	return 0;
}

int
fi_submods_build(fi_state *s)
{
	sub_marks from = { NULL, 0, 0 }, to = { NULL, 0, 0 };
	int rc = 0;

	for (size_t i = 0; i < s->o->nsub_from; i++)
		if ((rc = fi_submods_add(s, s->o->sub_from[i], 0)) < 0)
			return rc;
	for (size_t i = 0; i < s->o->nsub_to; i++)
		if ((rc = fi_submods_add(s, s->o->sub_to[i], 1)) < 0)
			return rc;
	/* every file is read (git reads each as its option comes) */
	for (size_t i = 0; i < s->nsubspecs && !rc; i++) {
		size_t nl;
		from.n = 0;
		rc = read_sub(s, s->subspecs[i].spec, &from, &nl);
	}
	for (size_t i = 0; i < s->nsubspecs && !rc; i++) {
		const char *spec = s->subspecs[i].spec;
		size_t nl = (size_t)(strchr(spec, ':') - spec);
		if (s->subspecs[i].to || last_spec(s, 0, spec, nl) != (long)i)
			continue;
		long t = last_spec(s, 1, spec, nl);
		if (t < 0) {
			rc = fi_fail(s, "Missing to marks for submodule '%.*s'",
				     (int)nl, spec);
			break;
		}
		from.n = to.n = 0;
		if ((rc = read_sub(s, spec, &from, &nl)) < 0 ||
		    (rc = read_sub(s, s->subspecs[t].spec, &to, &nl)) < 0 ||
		    (rc = add_pair(s, &from, &to)) < 0)
			break;
	}
	free(from.v);
	free(to.v);
	if (!rc && s->nsubmap)
		qsort(s->submap, s->nsubmap, sizeof(s->submap[0]), cmp_from);
	return rc;
}

int
fi_submods_hex(fi_state *s, const char **p, pmdb_oid *oid)
{
	fi_subent key;
	size_t len = hex_any(*p, key.from);

	if (!len)
		return -1;
	key.len = (uint8_t)len;
	key.seq = 0;
	const fi_subent *e = s->nsubmap ? bsearch(&key, s->submap, s->nsubmap,
						  sizeof(key), cmp_key) : NULL;
	if (e) {
		/* git's kh_put keeps the first mapping of an id */
		while (e > s->submap && !cmp_key(e - 1, &key))
			e--;
		*oid = e->to;
	} else if (2 * len == s->hexlen) {
		memset(oid, 0, sizeof(*oid));
		memcpy(oid->id, key.from, len);
	} else {
		return -1;
	}
	*p += 2 * len;
	return 0;
}

void
fi_submods_free(fi_state *s)
{
	for (size_t i = 0; i < s->nsubspecs; i++)
		free(s->subspecs[i].spec);
	free(s->subspecs);
	free(s->submap);
}
