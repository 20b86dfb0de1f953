/*
 * revision.c -- git's setup_revisions for pmvcs (see revision.h): the
 * arguments (revisions, ranges, revision options, paths and git's rule
 * for telling them apart), date limits and the commit filters of
 * --author, --committer and --grep. The walk is revision_walk.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "array.h"
#include "revision_int.h"
#include "revwalk.h"

#define AMBIG_HINT "\nUse '--' to separate paths from revisions, like " \
	"this:\n'pmvcs <command> [<revision>...] -- [<file>...]'"

int
vcs_rev_new(vcs_rev_info **out, vcs_repo *repo, const char *cwd)
{
	vcs_rev_info *r = calloc(1, sizeof(*r));
	size_t wl;

	*out = NULL;
	if (!r || !(r->cwd = strdup(cwd)))
		goto oom;
	r->repo = repo;
	r->max_count = -1;
	r->max_age = r->min_age = -1;
	r->max_parents = -1;
	r->fast = -1;
	/* the pathspec prefix: cwd below the work tree, with a '/' */
	wl = strlen(repo->worktree);
	if (!strncmp(cwd, repo->worktree, wl) && cwd[wl] == '/') {
		const char *p = cwd + wl + 1;
		size_t n = strlen(p);

		if (!(r->prefix = malloc(n + 2)))
			goto oom;
		memcpy(r->prefix, p, n);
		strcpy(r->prefix + n, n && p[n - 1] != '/' ? "/" : "");
	} else if (!(r->prefix = strdup(""))) {
		goto oom;
	}
	*out = r;
	return 0;
oom:
	if (r)
		free(r->cwd);
	free(r);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

static void
free_patterns(rpattern *p, size_t n)
{
	/* a raw or -F pattern keeps its string; a compiled one has none */
	for (size_t i = 0; i < n; i++) {
		if (p[i].fixed)
			free(p[i].fixed);
		else
			regfree(&p[i].re);
	}
	free(p);
}

void
vcs_rev_free(vcs_rev_info *r)
{
	if (!r)
		return;
	free(r->cwd);
	free(r->prefix);
	free(r->nodes);
	free(r->tab);
	free(r->par);
	free(r->pending);
	free(r->tags);
	vcs_pathspec_free(&r->ps);
	free_patterns(r->authors, r->nauthors);
	free_patterns(r->committers, r->ncommitters);
	free_patterns(r->greps, r->ngreps);
	free(r->q.h);
	free(r->list);
	free(r->out);
	free(r->pbuf);
	free(r->fp);
	free(r->bnd);
	vcs_str_free(&r->scratch);
	free(r);
}

void
vcs_rev_unshow(vcs_rev_info *r)
{
	r->shown--;
}

void
vcs_rev_max_count(vcs_rev_info *r, long long n)
{
	r->max_count = n;
}

int
vcs_rev_first_parent(const vcs_rev_info *r)
{
	return r->first_parent;
}

int
vcs_rev_show_parents(const vcs_rev_info *r)
{
	return r->rewrite;
}

int
vcs_rev_is_boundary(const vcs_rev_info *r)
{
	return r->nn && (r->nodes[r->last].flags & F_BOUNDARY);
}

int
vcs_rev_is_left(const vcs_rev_info *r)
{
	return r->nn && (r->nodes[r->last].flags & F_LEFT);
}

int
vcs_rev_given(const vcs_rev_info *r)
{
	return r->npending || r->rev_given;
}

int
vcs_rev_unborn(const vcs_rev_info *r)
{
	return r->unborn;
}

const vcs_pathspec *
vcs_rev_pathspec(const vcs_rev_info *r)
{
	return &r->ps;
}

void
vcs_rev_set_now(vcs_rev_info *r, long long now)
{
	r->now = now;
}

int
vcs_rev_simple(vcs_rev_info *r, const pmdb_oid **starts, size_t *n)
{
	if (r->limited || r->ps.n || r->nauthors || r->ncommitters ||
	    r->ngreps || r->skip || r->max_age != -1 || r->min_age != -1 ||
	    r->min_parents || r->max_parents != -1 || r->first_parent ||
	    r->reverse || r->topo || r->date_order || r->boundary)
		return 0;
	if (VCS_ARRAY_GROW(r->pbuf, r->pbufcap, r->npending + 1, 4))
		return 0;
	for (size_t k = 0; k < r->npending; k++)
		r->pbuf[k] = r->nodes[r->pending[k]].oid;
	*starts = r->pbuf;
	*n = r->npending;
	return 1;
}

/* ---- starting points -------------------------------------------- */

/* add_pending -- a starting commit with flags (a tag is peeled; an id
 * that leads to no commit is PMDB_EINVAL) */
static int
add_pending(vcs_rev_info *r, const pmdb_oid *oid, uint32_t flags)
{
	pmdb_oid c;
	uint32_t i;
	int rc;

	if ((rc = vcs_peel(r->repo, oid, PMDB_OBJ_COMMIT, &c)) ||
	    (rc = rev_node(r, &c, &i)) || (rc = rev_parse_node(r, i)))
		return rc;
	r->nodes[i].flags |= flags;
	/* rev-list --objects shows the tags it was given (git's pending) */
	if (!(flags & F_UNINT) && memcmp(&c, oid, sizeof(c))) {
		if (VCS_ARRAY_GROW(r->tags, r->tagcap, r->ntags + 1, 4))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		r->tags[r->ntags++] = *oid;
	}
	if (flags & F_UNINT) {
		rev_mark_parents_unint(r, i);
		r->limited = 1;
	}
	if (VCS_ARRAY_GROW(r->pending, r->pendcap, r->npending + 1, 16))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	r->pending[r->npending++] = i;
	return 0;
}

typedef struct refs_cb {
	vcs_rev_info *r;
	uint32_t flags;
} refs_cb;

/* each_ref -- --all, --branches, --tags: refs to commits (git skips a
 * ref to a tree or blob) */
static int
each_ref(const char *name, const pmdb_oid *oid, const char *target, void *v)
{
	refs_cb *a = v;
	int rc;

	(void)name;
	if (target && *target)
		return 0;
	rc = add_pending(a->r, oid, a->flags);
	return rc == PMDB_EINVAL ? 0 : rc;
}

static int
add_refs(vcs_rev_info *r, const char *prefix, uint32_t flags, int head)
{
	refs_cb a = { r, flags };
	pmdb_oid h;
	int rc;

	r->rev_given = 1;
	vcs_seterr(0, "%s", "");
	rc = pmdb_ref_foreach(r->repo->env, prefix, each_ref, &a);
	if (rc && !*vcs_errmsg())
		vcs_seterr_pmdb(rc, "reading refs");
	if (rc || !head)
		return rc;
	rc = vcs_head(r->repo, &h, NULL);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	return rc ? rc : add_pending(r, &h, flags);
}

/* resolve -- a revision spec to an id: 0, PMDB_ENOTFOUND (names
 * nothing) or a read error */
static int
resolve(vcs_rev_info *r, const char *spec, size_t len, pmdb_oid *oid)
{
	char *s = strndup(spec, len);
	int rc;

	if (!s)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	rc = vcs_revparse(r->repo, *s ? s : "HEAD", oid);
	free(s);
	return rc;
}

/* dotdot -- A..B and A...B; 1 if arg is not one (or names nothing) */
static int
dotdot(vcs_rev_info *r, const char *arg, uint32_t flags)
{
	const char *dd = strstr(arg, "..");
	int sym, rc;
	pmdb_oid a, b;
	uint32_t ai, bi, *bases = NULL;
	size_t nb = 0;

	if (!dd)
		return 1;
	sym = dd[2] == '.';
	if ((rc = resolve(r, arg, (size_t)(dd - arg), &a)) ||
	    (rc = resolve(r, dd + 2 + sym, strlen(dd + 2 + sym), &b)))
		return rc == PMDB_ENOTFOUND ? 1 : rc;
	if (!sym) {
		rc = add_pending(r, &a, flags ^ (F_UNINT | F_BOTTOM));
		return rc ? rc : add_pending(r, &b, flags);
	}
	{
		pmdb_oid ca, cb;

		if ((rc = vcs_peel(r->repo, &a, PMDB_OBJ_COMMIT, &ca)) ||
		    (rc = vcs_peel(r->repo, &b, PMDB_OBJ_COMMIT, &cb)) ||
		    (rc = rev_node(r, &ca, &ai)) || (rc = rev_node(r, &cb, &bi)) ||
		    (rc = rev_merge_bases(r, ai, bi, &bases, &nb)))
			return rc;
	}
	for (size_t k = 0; k < nb && !rc; k++)
		rc = add_pending(r, &r->nodes[bases[k]].oid,
				 flags ^ (F_UNINT | F_BOTTOM));
	free(bases);
	rc = rc ? rc : add_pending(r, &a, flags | F_LEFT);
	return rc ? rc : add_pending(r, &b, flags);
}

/* rev_arg -- git's handle_revision_arg: 0 (taken), 1 (not a revision),
 * or an error */
static int
rev_arg(vcs_rev_info *r, const char *arg, uint32_t flags)
{
	size_t len = strlen(arg);
	pmdb_oid oid;
	uint32_t i;
	int rc;

	if ((rc = dotdot(r, arg, flags)) <= 0)
		return rc;
	if (len > 2 && arg[len - 2] == '^' &&
	    (arg[len - 1] == '@' || arg[len - 1] == '!')) {
		int bang = arg[len - 1] == '!';

		if ((rc = resolve(r, arg, len - 2, &oid)))
			return rc == PMDB_ENOTFOUND ? 1 : rc;
		{
			pmdb_oid c;

			if ((rc = vcs_peel(r->repo, &oid, PMDB_OBJ_COMMIT, &c)) ||
			    (rc = rev_node(r, &c, &i)) ||
			    (rc = rev_parse_node(r, i)))
				return rc;
		}
		if (bang && (rc = add_pending(r, &oid, flags)))
			return rc;
		for (uint32_t k = 0; k < r->nodes[i].npar; k++) {
			pmdb_oid p = r->nodes[r->par[r->nodes[i].par + k]].oid;

			if ((rc = add_pending(r, &p, bang ? flags ^ (F_UNINT |
						F_BOTTOM) : flags)))
				return rc;
		}
		return 0;
	}
	if (*arg == '^') {
		flags ^= F_UNINT | F_BOTTOM;
		arg++;
	}
	if ((rc = vcs_revparse(r->repo, arg, &oid)))
		return rc == PMDB_ENOTFOUND ? 1 : rc;
	return add_pending(r, &oid, flags);
}

/* ---- dates: the forms of git's approxidate that scripts use ------ */

/* days -- days since 1970-01-01 of a proleptic Gregorian date */
static long long
days(long long y, int m, int d)
{
	long long era;
	unsigned yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	return era * 146097 + (long long)(yoe * 365 + yoe / 4 - yoe / 100 +
					  doy) - 719468;
}

/* approxidate -- "@N", N (9 digits or more), "YYYY-MM-DD[ T]HH:MM[:SS]
 * [+-HHMM|Z]" (no zone: local time; no time: now's time of day, as
 * git), "N <unit>[s] ago" / "N.units.ago", "now", "yesterday".
 * 0, or PMDB_EINVAL for anything else. */
static int
approxidate(const char *s, long long now, long long *out)
{
	static const struct { const char *name; long long secs; } units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
		{ "day", 86400 }, { "week", 604800 }, { "month", 2592000 },
		{ "year", 31536000 },
	};
	int y, mo, d, h = -1, mi = 0, sec = 0, n;
	char *end;

	if (*s == '@' || (strlen(s) >= 9 && strspn(s, "0123456789") ==
			  strlen(s))) {
		long long v = strtoll(s + (*s == '@'), &end, 10);

		if (*end)
			return PMDB_EINVAL;
		*out = v;
		return 0;
	}
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!strcmp(s, "yesterday")) {
		*out = now - 86400;
		return 0;
	}
	if (isdigit((unsigned char)*s) && strstr(s, "ago")) {
		long long v = strtoll(s, &end, 10);

		while (*end == ' ' || *end == '.')
			end++;
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t ul = strlen(units[u].name);

			if (strncmp(end, units[u].name, ul))
				continue;
			end += ul;
			end += *end == 's';
			while (*end == ' ' || *end == '.')
				end++;
			if (strcmp(end, "ago"))
				return PMDB_EINVAL;
			*out = now - v * units[u].secs;
			return 0;
		}
		return PMDB_EINVAL;
	}
	n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return PMDB_EINVAL;
	s += n;
	if (*s == ' ' || *s == 'T') {
		n = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return PMDB_EINVAL;
		s += 1 + n;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &sec, &n) != 1)
				return PMDB_EINVAL;
			s += 1 + n;
		}
	}
	while (*s == ' ')
		s++;
	if (*s == 'Z' || *s == '+' || *s == '-') {
		int zh = 0, zm = 0, sign = *s == '-' ? -1 : 1;

		if (*s != 'Z' && (strlen(s + 1) != 4 ||
				  strspn(s + 1, "0123456789") != 4))
			return PMDB_EINVAL;
		if (*s != 'Z') {
			zh = (s[1] - '0') * 10 + (s[2] - '0');
			zm = (s[3] - '0') * 10 + (s[4] - '0');
		}
		if (h < 0)
			return PMDB_EINVAL;
		*out = days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		       sign * (zh * 3600 + zm * 60);
		return 0;
	}
	if (*s)
		return PMDB_EINVAL;
	{
		struct tm tm;
		time_t t = (time_t)now;

		if (!localtime_r(&t, &tm))
			return PMDB_EINVAL;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		if (h >= 0) {
			tm.tm_hour = h;
			tm.tm_min = mi;
			tm.tm_sec = sec;
		}
		tm.tm_isdst = -1;
		*out = (long long)mktime(&tm);
	}
	return 0;
}

/* ---- --author, --committer, --grep ------------------------------ */

static int
add_pattern(rpattern **v, size_t *n, const char *s)
{
	size_t cap = *n;
	char *d = strdup(s);

	if (!d || VCS_ARRAY_GROW(*v, cap, *n + 1, 4)) {
		free(d);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[(*n)++].fixed = d;
	return 0;
}

/* compile -- turn the raw strings into patterns (-E, -F, -i) */
static int
compile(vcs_rev_info *r, rpattern *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *s = v[i].fixed;
		int rc;

		if (r->fixed)
			continue;
		rc = regcomp(&v[i].re, s, REG_NEWLINE | (r->ere ? REG_EXTENDED :
							 0) |
			     (r->icase ? REG_ICASE : 0));
		if (rc) {
			char msg[128];

			/* v[i].fixed stays: freed as a raw string */
			regerror(rc, &v[i].re, msg, sizeof(msg));
			return vcs_seterr(PMDB_EINVAL, "command line, '%s': %s",
					  s, msg);
		}
		v[i].fixed = NULL;
		free(s);
	}
	return 0;
}

/* find_fixed -- -F: s (len bytes) holds f (case folded with -i) */
static int
find_fixed(const char *s, size_t len, const char *f, int icase)
{
	size_t fl = strlen(f);

	for (size_t i = 0; i + fl <= len; i++) {
		size_t k = 0;

		while (k < fl && (icase ? tolower((unsigned char)s[i + k]) ==
				  tolower((unsigned char)f[k]) : s[i + k] == f[k]))
			k++;
		if (k == fl)
			return 1;
	}
	return 0;
}

/* pat_match -- one pattern against one line (len bytes, copied to make
 * it a C string for regexec) */
static int
pat_match(vcs_rev_info *r, const rpattern *p, const char *s, size_t len)
{
	char *c;
	int hit;

	if (p->fixed)
		return find_fixed(s, len, p->fixed, r->icase);
	if (!(c = strndup(s, len)))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	hit = !regexec(&p->re, c, 0, NULL, 0);
	free(c);
	return hit;
}

/* header_match -- any of v against the "author "/"committer " line's
 * name and email (git strips the date) */
static int
header_match(vcs_rev_info *r, const rpattern *v, size_t n,
	     const char *data, size_t hdrlen, const char *field)
{
	size_t fl = strlen(field);
	const char *p = data, *end = data + hdrlen;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *gt = e;

		if ((size_t)(e - p) > fl && !memcmp(p, field, fl)) {
			while (gt > p && gt[-1] != '>')
				gt--;
			if (gt == p)
				gt = e;
			for (size_t i = 0; i < n; i++) {
				int m = pat_match(r, &v[i], p + fl,
						  (size_t)(gt - p - fl));
				if (m)
					return m;
			}
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* body_match -- --grep over the message lines: any pattern (all of
 * them with --all-match) */
static int
body_match(vcs_rev_info *r, const char *msg, size_t len)
{
	for (size_t i = 0; i < r->ngreps; i++) {
		const char *p = msg, *end = msg + len;
		int hit = 0;

		while (p < end && !hit) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *e = nl ? nl : end;

			if ((hit = pat_match(r, &r->greps[i], p,
					     (size_t)(e - p))) < 0)
				return hit;
			p = nl ? nl + 1 : end;
		}
		if (hit && !r->all_match)
			return 1;
		if (!hit && r->all_match)
			return 0;
	}
	return r->all_match;
}

/* rev_commit_match -- git's commit_match */
int
rev_commit_match(vcs_rev_info *r, uint32_t i)
{
	pmdb_view_guard *g;
	vcs_commit_hdr h;
	size_t hdrlen;
	int rc = 1;

	if (!r->nauthors && !r->ncommitters && !r->ngreps)
		return 1;
	if (!r->grep_ready) {
		r->grep_ready = 1;
		if ((rc = compile(r, r->authors, r->nauthors)) ||
		    (rc = compile(r, r->committers, r->ncommitters)) ||
		    (rc = compile(r, r->greps, r->ngreps)))
			return rc;
	}
	if ((rc = vcs_commit_view(r->repo, &r->nodes[i].oid, &h, &g)))
		return rc;
	hdrlen = (size_t)(h.message - (const char *)h.data);
	rc = 1;
	if (r->nauthors)
		rc = header_match(r, r->authors, r->nauthors, h.data, hdrlen,
				  "author ");
	if (rc > 0 && r->ncommitters)
		rc = header_match(r, r->committers, r->ncommitters, h.data,
				  hdrlen, "committer ");
	if (rc > 0 && r->ngreps) {
		rc = body_match(r, h.message, h.message_len);
		if (rc >= 0 && r->invert)
			rc = !rc;
	}
	pmdb_view_release(g);
	return rc;
}

/* ---- arguments -------------------------------------------------- */

/* opt_value -- "--name=v" or "--name" "v": the value, or NULL; *i moves
 * past a separate value */
static const char *
opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, "--", 2) || strncmp(a + 2, name, n))
		return NULL;
	if (a[2 + n] == '=')
		return a + 3 + n;
	if (a[2 + n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* path_exists -- git's check that a name is a file in the work tree */
static int
path_exists(vcs_rev_info *r, const char *arg)
{
	vcs_str p = VCS_STR_INIT;
	struct stat st;
	int ok;

	if (vcs_str_addf(&p, "%s/%s", r->cwd, arg)) {
		vcs_str_free(&p);
		return 0;
	}
	ok = !lstat((const char *)p.data, &st);
	vcs_str_free(&p);
	return ok;
}

/* rev_option -- the revision options; 1 if taken, 0 if not ours,
 * negative on error */
static int
rev_option(vcs_rev_info *r, int argc, char **argv, int *i, uint32_t *flags,
	   long long now)
{
	const char *a = argv[*i], *v;
	int rc;
	static const struct { const char *opt, *prefix; int head; } refs[] = {
		{ "--all", "refs/", 1 }, { "--branches", "refs/heads/", 0 },
		{ "--tags", "refs/tags/", 0 }, { "--remotes", "refs/remotes/", 0 },
	};
	/* numbers are read as git does (atoi: garbage is 0) */
	struct { const char *name; long long *to; int date; } vals[] = {
		{ "skip", &r->skip, 0 }, { "max-age", &r->max_age, 0 },
		{ "min-age", &r->min_age, 0 }, { "since", &r->max_age, 1 },
		{ "after", &r->max_age, 1 }, { "until", &r->min_age, 1 },
		{ "before", &r->min_age, 1 },
	};
	struct { const char *opt; int *to, val; } flag[] = {
		{ "-i", &r->icase, 1 }, { "--regexp-ignore-case", &r->icase, 1 },
		{ "-E", &r->ere, 1 }, { "--extended-regexp", &r->ere, 1 },
		{ "-F", &r->fixed, 1 }, { "--fixed-strings", &r->fixed, 1 },
		{ "--all-match", &r->all_match, 1 },
		{ "--invert-grep", &r->invert, 1 },
		{ "--merges", &r->min_parents, 2 },
		{ "--no-merges", &r->max_parents, 1 },
		{ "--no-min-parents", &r->min_parents, 0 },
		{ "--no-max-parents", &r->max_parents, -1 },
		{ "--first-parent", &r->first_parent, 1 },
		{ "--full-history", &r->full_history, 1 },
		{ "--reverse", &r->reverse, 1 }, { "--parents", &r->rewrite, 1 },
		{ "--boundary", &r->boundary, 1 },
		{ "--topo-order", &r->topo, 1 }, { "--date-order", &r->date_order, 1 },
	};
	struct { const char *name; rpattern **v; size_t *n; } pats[] = {
		{ "author", &r->authors, &r->nauthors },
		{ "committer", &r->committers, &r->ncommitters },
		{ "grep", &r->greps, &r->ngreps },
	};

	if (!strcmp(a, "--not")) {
		*flags ^= F_UNINT | F_BOTTOM;
		return 1;
	}
	for (size_t k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
		if (!strcmp(a, refs[k].opt))
			return (rc = add_refs(r, refs[k].prefix, *flags,
					      refs[k].head)) ? rc : 1;
	for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		if (!(v = opt_value(argc, argv, i, vals[k].name)))
			continue;
		if (!vals[k].date)
			*vals[k].to = atoll(v);
		else if (approxidate(v, now, vals[k].to))
			return vcs_seterr(PMDB_EINVAL, "unsupported date: %s", v);
		return 1;
	}
	for (size_t k = 0; k < sizeof(pats) / sizeof(pats[0]); k++)
		if ((v = opt_value(argc, argv, i, pats[k].name)))
			return (rc = add_pattern(pats[k].v, pats[k].n, v)) ?
			       rc : 1;
	for (size_t k = 0; k < 2; k++)
		if ((v = opt_value(argc, argv, i, k ? "max-parents" :
				   "min-parents"))) {
			*(k ? &r->max_parents : &r->min_parents) = atoi(v);
			return 1;
		}
	for (size_t k = 0; k < sizeof(flag) / sizeof(flag[0]); k++)
		if (!strcmp(a, flag[k].opt)) {
			*flag[k].to = flag[k].val;
			return 1;
		}
	if (!strcmp(a, "--basic-regexp")) {
		r->ere = r->fixed = 0;
		return 1;
	}
	return 0;
}

int
vcs_rev_setup(vcs_rev_info *r, int argc, char **argv, int *left,
	      const char *def)
{
	uint32_t flags = 0;
	int dashdash = -1, nleft = 0, rc = 0, i;
	long long now = r->now ? r->now : (long long)time(NULL);

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	for (i = 0; i < (dashdash >= 0 ? dashdash : argc); i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1]) {
			if ((rc = rev_option(r, argc, argv, &i, &flags, now)) < 0)
				return rc;
			if (!rc)
				argv[nleft++] = argv[i];
			continue;
		}
		if ((rc = rev_arg(r, a, flags)) < 0)
			return rc;
		if (!rc) {
			if (dashdash < 0 && path_exists(r, a))
				return vcs_seterr(PMDB_EINVAL, "ambiguous argument "
						  "'%s': both revision and "
						  "filename" AMBIG_HINT, a);
			continue;
		}
		if (dashdash >= 0)
			return vcs_seterr(PMDB_ENOTFOUND, "bad revision '%s'", a);
		/* git: the first non-revision starts the paths; each must
		 * name a file (or look like a pathspec) */
		for (int j = i; j < argc; j++) {
			if (argv[j][0] == '-')
				return vcs_seterr(PMDB_EINVAL, "option '%s' must "
						  "come before non-option "
						  "arguments", argv[j]);
			if (j > i && !vcs_pathspec_is_pattern(argv[j]) &&
			    !path_exists(r, argv[j]))
				return vcs_seterr(PMDB_ENOTFOUND, "%s: no such "
						  "path in the working tree.\n"
						  "Use 'pmvcs <command> -- "
						  "<path>...' to specify paths "
						  "that do not exist locally.",
						  argv[j]);
			if (!vcs_pathspec_is_pattern(argv[j]) &&
			    !path_exists(r, argv[j]))
				return vcs_seterr(PMDB_ENOTFOUND, "ambiguous "
						  "argument '%s': unknown "
						  "revision or path not in the "
						  "working tree." AMBIG_HINT,
						  argv[j]);
			if ((rc = vcs_pathspec_add(&r->ps, r->prefix, argv[j])))
				return rc;
		}
		break;
	}
	for (i = dashdash + 1; dashdash >= 0 && i < argc; i++)
		if ((rc = vcs_pathspec_add(&r->ps, r->prefix, argv[i])))
			return rc;
	*left = nleft;
	if (r->topo || r->date_order)
		r->limited = 1;
	if (!r->npending && !r->rev_given && def) {
		pmdb_oid h;

		rc = vcs_revparse(r->repo, def, &h);
		if (rc == PMDB_ENOTFOUND) {
			r->unborn = 1;
			return 0;
		}
		if (rc || (rc = add_pending(r, &h, 0)))
			return rc;
	}
	return 0;
}
