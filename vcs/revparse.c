/*
 * revparse.c -- git revision syntax over the pool's refs and objects.
 *
 * Supported: <ref> | <hex id> | <short hex id>, then any sequence of ~N,
 * ^N, ^{type}, ^{}, then optionally :<path>; and :/<regex>, the newest
 * commit reachable from a ref whose message matches. Ref names are looked up in
 * git's order (see vcs.h); refs win over short ids, as in git.
 *
 * Errors: PMDB_ENOTFOUND ("unknown revision") and PMDB_EAMBIGUOUS are
 * answers about the spec; a read that fails (PMDB_ENOMEM, PMDB_ECORRUPT,
 * I/O) is returned with its own code and message, never turned into
 * "unknown revision": callers tell the two apart.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reflog.h"
#include "revwalk.h"
#include "vcs.h"

/* unknown -- git rev-parse's message for a spec that names nothing */
static int
unknown(const char *spec)
{
	return vcs_seterr(PMDB_ENOTFOUND, "ambiguous argument '%s': unknown "
			  "revision or path not in the working tree.", spec);
}

/* try_ref -- resolve one candidate ref name; 0, ENOTFOUND, or error */
static int
try_ref(vcs_repo *repo, const char *name, pmdb_oid *out)
{
	int err;

	/* pmvcs's own refs name no git object */
	if (strlen(name) > PMDB_REF_NAME_MAX || vcs_ref_internal(name))
		return PMDB_ENOTFOUND;
	err = pmdb_ref_resolve(repo->env, name, out, NULL);
	/* a name that is not a legal ref is simply not this kind of ref */
	return err == PMDB_EINVAL ? PMDB_ENOTFOUND : err;
}

/* resolve_base -- a ref name, a full id or a short id */
static int
resolve_base(vcs_repo *repo, const char *spec, const char *base,
	     size_t len, pmdb_oid *out)
{
	static const char *const rules[] = {
		"%.*s", "refs/%.*s", "refs/tags/%.*s", "refs/heads/%.*s",
		"refs/remotes/%.*s", "refs/remotes/%.*s/HEAD"
	};
	char name[PMDB_REF_NAME_MAX + 32];
	size_t i;
	int err, allhex = len > 0;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)base[i]))
			allhex = 0;
	if (allhex && len == repo->hexlen &&
	    pmdb_oid_parse(out, base, len, repo->algo) == 0) {
		pmdb_otype t = PMDB_OBJ_NONE;

		/* a reflog record or a big blob's chunk is no object a
		 * user can name */
		if (pmdb_object_info(repo->env, out, &t, NULL) == 0 &&
		    (t == PMDB_OBJ_LOG || t == PMDB_OBJ_CHUNK))
			return unknown(spec);
		return 0;
	}
	if (len == 1 && base[0] == '@')
		base = "HEAD", len = 4;
	if (len && len <= PMDB_REF_NAME_MAX) {
		for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
			snprintf(name, sizeof(name), rules[i], (int)len, base);
			err = try_ref(repo, name, out);
			if (err != PMDB_ENOTFOUND)
				return err ? vcs_seterr_pmdb(err, name) : 0;
		}
	}
	if (allhex && len >= 4 && len <= repo->hexlen) {
		err = pmdb_object_resolve_prefix(repo->env, base, len, out);
		if (err == PMDB_EAMBIGUOUS)
			return vcs_seterr(err, "short object ID %.*s is "
					  "ambiguous", (int)len, base);
		if (err != PMDB_ENOTFOUND && err != PMDB_EINVAL)
			return err ? vcs_seterr_pmdb(err, spec) : 0;
	}
	return unknown(spec);
}

/* resolve_at -- "<ref>@{N}" and "@{N}": entry N of that ref's log, the
 * ref found by git's lookup rules (dwim_log), "@{N}" the current branch */
static int
resolve_at(vcs_repo *repo, const char *spec, const char *base, size_t len,
	   const char *at, pmdb_oid *out)
{
	char name[PMDB_REF_NAME_MAX + 32], target[PMDB_REF_NAME_MAX + 1] = "";
	const char *shown = NULL;
	size_t rlen = (size_t)(at - base);
	unsigned long n = 0;
	int err;

	for (const char *d = at + 2; d < base + len - 1; d++) {
		if (!isdigit((unsigned char)*d) || n > 100000000ul)
			return unknown(spec);  /* @{-1}, @{date}, @{upstream} */
		n = n * 10 + (unsigned long)(*d - '0');
	}
	if (at + 2 == base + len - 1 || base[len - 1] != '}')
		return unknown(spec);
	if (rlen == 0 || (rlen == 1 && base[0] == '@')) {
		err = pmdb_ref_read(repo->env, "HEAD", NULL, target);
		if (err)
			return err == PMDB_ENOTFOUND ? unknown(spec) :
				vcs_seterr_pmdb(err, "HEAD");
		snprintf(name, sizeof(name), "%s", target[0] ? target : "HEAD");
		shown = target[0] && !strncmp(target, "refs/heads/", 11) ?
			target + 11 : name;
	} else {
		err = vcs_ref_dwim(repo, base, rlen, name);
		if (err == PMDB_ENOTFOUND)
			return unknown(spec);
		if (err)
			return err;
		snprintf(target, sizeof(target), "%.*s", (int)rlen, base);
		shown = target;
	}
	err = vcs_reflog_nth(repo, name, shown, n, out);
	return err == VCS_REFLOG_NONE ? unknown(spec) : err;
}

/* nth_parent -- parent n (1-based) of the commit at oid */
static int
nth_parent(vcs_repo *repo, const char *spec, pmdb_oid *oid, unsigned long n)
{
	vcs_commit c;
	int err;

	if ((err = vcs_peel(repo, oid, PMDB_OBJ_COMMIT, oid)))
		return err == PMDB_EINVAL ? unknown(spec) : err;
	if (n == 0)
		return 0;
	if ((err = vcs_commit_read(repo, NULL, oid, &c)))
		return err;
	if (n > c.nparents) {
		vcs_commit_clear(&c);
		return unknown(spec);
	}
	*oid = c.parents[n - 1];
	vcs_commit_clear(&c);
	return 0;
}

/* peel_to -- ^{type}: "", "object", "commit", "tree", "blob", "tag" */
static int
peel_to(vcs_repo *repo, const char *spec, pmdb_oid *oid, const char *type,
	size_t len)
{
	pmdb_otype want;
	int err;

	if (len == 0) {
		want = PMDB_OBJ_NONE;
	} else if (len == 6 && memcmp(type, "object", 6) == 0) {
		err = pmdb_object_info(repo->env, oid, NULL, NULL);
		if (err == PMDB_ENOTFOUND)
			return unknown(spec);
		return err ? vcs_seterr_pmdb(err, spec) : 0;
	} else if (pmdb_otype_from_name(&want, type, len)) {
		return unknown(spec);
	}
	err = vcs_peel(repo, oid, want, oid);
	return err == PMDB_EINVAL ? unknown(spec) : err;
}

/* walk_path -- <tree>:<path>: follow path through trees */
static int
walk_path(vcs_repo *repo, const char *spec, const char *rev, size_t revlen,
	  pmdb_oid *oid, const char *path)
{
	int err;

	if ((err = vcs_peel(repo, oid, PMDB_OBJ_TREE, oid)))
		return err == PMDB_EINVAL ? unknown(spec) : err;
	while (*path) {
		const char *slash = strchr(path, '/');
		size_t clen = slash ? (size_t)(slash - path) : strlen(path);
		vcs_tree tree;
		size_t i;
		int found = 0;

		if (clen == 0 || (clen == 1 && path[0] == '.')) {
			path += clen + (slash ? 1 : 0);
			continue;
		}
		if ((err = vcs_tree_read(repo, NULL, oid, &tree))) {
			if (err != PMDB_EINVAL)
				return err;
			break;          /* path goes on below a file */
		}
		for (i = 0; i < tree.n && !found; i++)
			if (tree.entries[i].name_len == clen &&
			    memcmp(tree.entries[i].name, path, clen) == 0) {
				*oid = tree.entries[i].oid;
				found = 1;
			}
		vcs_tree_clear(&tree);
		if (!found)
			break;
		path += clen + (slash ? 1 : 0);
	}
	if (*path)
		return vcs_seterr(PMDB_ENOTFOUND, "path '%s' does not exist "
				  "in '%.*s'", strchr(spec, ':') + 1,
				  (int)revlen, rev);
	return 0;
}

typedef struct oneline_cb {
	pmdb_oid *v;
	size_t n, cap;
} oneline_cb;

static int
oneline_ref(const char *name, const pmdb_oid *oid, const char *target,
	    void *v)
{
	oneline_cb *a = v;

	(void)name;
	if (target && *target)
		return 0;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;
		pmdb_oid *nv = realloc(a->v, cap * sizeof(*nv));

		if (!nv)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		a->v = nv;
		a->cap = cap;
	}
	a->v[a->n++] = *oid;
	return 0;
}

/* oneline -- git's :/<regex>: walk from every ref and HEAD, newest
 * first; the first commit whose message matches ("!-" negates, "!!" is
 * a literal '!') */
static int
oneline(vcs_repo *repo, const char *spec, pmdb_oid *out)
{
	const char *pat = spec + 2;
	int neg = 0, rc, found = 0;
	oneline_cb a = { NULL, 0, 0 };
	vcs_revwalk *w = NULL;
	regex_t re;
	pmdb_oid head;

	if (pat[0] == '!') {
		if (pat[1] == '-') {
			neg = 1;
			pat += 2;
		} else if (pat[1] == '!') {
			pat++;
		} else {
			return unknown(spec);
		}
	}
	if (regcomp(&re, pat, REG_EXTENDED))
		return unknown(spec);
	if ((rc = vcs_revwalk_new(&w, repo, 0)))
		goto out;
	/* git's list: each ref put in front, HEAD last (so first), then
	 * sorted by date: equal dates keep that order */
	rc = pmdb_ref_foreach(repo->env, "refs/", oneline_ref, &a);
	if (!rc && !vcs_head(repo, &head, NULL) &&
	    (rc = vcs_revwalk_push(w, &head)) == PMDB_EINVAL)
		rc = 0;
	for (size_t i = a.n; !rc && i--;)
		if ((rc = vcs_revwalk_push(w, &a.v[i])) == PMDB_EINVAL)
			rc = 0;
	while (!rc && !found) {
		vcs_commit_hdr h;
		char *msg;

		if ((rc = vcs_revwalk_next(w, out, &h)) <= 0)
			break;
		rc = 0;
		if (!(msg = strndup(h.message, h.message_len))) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		found = neg ^ !regexec(&re, msg, 0, NULL, 0);
		free(msg);
	}
	if (!rc && !found)
		rc = unknown(spec);
out:
	vcs_revwalk_free(w);
	free(a.v);
	regfree(&re);
	return rc < 0 ? rc : 0;
}

/* vcs_revparse -- resolve a revision spec */
int
vcs_revparse(vcs_repo *repo, const char *spec, pmdb_oid *out)
{
	const char *colon = strchr(spec, ':');
	const char *end = colon ? colon : spec + strlen(spec);
	const char *p = spec, *at;
	pmdb_oid oid;
	int err;

	if (spec[0] == ':' && spec[1] == '/' && spec[2])
		return oneline(repo, spec, out);
	/* the base ends at the first '~' or '^' (no ref name holds them) */
	while (p < end && *p != '~' && *p != '^')
		p++;
	if (p == spec)
		return unknown(spec);   /* ":path" (the index) or "^x" */
	at = spec;
	while ((at = memchr(at, '@', (size_t)(p - at))) && at + 1 < p &&
	       at[1] != '{')
		at++;
	if (at && at + 1 >= p)
		at = NULL;
	err = at ? resolve_at(repo, spec, spec, (size_t)(p - spec), at, &oid) :
		resolve_base(repo, spec, spec, (size_t)(p - spec), &oid);
	if (err)
		return err;
	while (p < end) {
		char op = *p++;
		unsigned long n = 1;

		if (op == '^' && p < end && *p == '{') {
			const char *close = memchr(p, '}', (size_t)(end - p));

			if (!close)
				return unknown(spec);
			if ((err = peel_to(repo, spec, &oid, p + 1,
					   (size_t)(close - p - 1))))
				return err;
			p = close + 1;
			continue;
		}
		if (p < end && isdigit((unsigned char)*p)) {
			n = 0;
			while (p < end && isdigit((unsigned char)*p)) {
				if (n > 100000000ul)
					return unknown(spec);
				n = n * 10 + (unsigned long)(*p++ - '0');
			}
		}
		if (op == '^') {
			if ((err = nth_parent(repo, spec, &oid, n)))
				return err;
		} else {
			if ((err = nth_parent(repo, spec, &oid, 0)))
				return err;
			while (n--)
				if ((err = nth_parent(repo, spec, &oid, 1)))
					return err;
		}
	}
	if (colon && (err = walk_path(repo, spec, spec, (size_t)(colon - spec),
				      &oid, colon + 1)))
		return err;
	*out = oid;
	return 0;
}

/* vcs_head -- HEAD's commit and the branch it points to */
int
vcs_head(vcs_repo *repo, pmdb_oid *oid, char **branch_ref)
{
	char target[PMDB_REF_NAME_MAX + 1] = "";
	pmdb_oid o;
	int err;

	if (branch_ref)
		*branch_ref = NULL;
	err = pmdb_ref_read(repo->env, "HEAD", &o, target);
	if (err)
		return err == PMDB_ENOTFOUND ?
			vcs_seterr(err, "HEAD is missing") :
			vcs_seterr_pmdb(err, "reading HEAD");
	if (target[0]) {
		if (branch_ref && !(*branch_ref = strdup(target)))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		err = pmdb_ref_resolve(repo->env, "HEAD", &o, NULL);
		if (err == PMDB_ENOTFOUND)
			return vcs_seterr(err, "your current branch '%s' does "
					  "not have any commits yet",
					  strncmp(target, "refs/heads/", 11) ?
					  target : target + 11);
		if (err)
			return vcs_seterr_pmdb(err, "reading HEAD");
	}
	if (oid)
		*oid = o;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Abbreviation: the shortest unique prefix of an id                   */
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
