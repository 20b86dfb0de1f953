/*
 * status.c -- compare the working tree with a tree (HEAD's), the stat
 * cache that lets that comparison skip hashing, and git's stripspace.
 *
 * Stat cache (.pmvcs/wtcache): "PMVCSWT1\n" then one record per file,
 * "<mode octal> <hex id> <size> <mtime ns> <ctime ns> <ino> <dev>\t<path>\0",
 * sorted by path. An entry is trusted only when all stat fields match and
 * the file's mtime is older than the cache file's own mtime (git's "racy
 * git" rule: a file changed in the same clock tick as the cache was
 * written might have changed after it was hashed).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulkio.h"
#include "worktree.h"

#define CACHE_NAME "wtcache"
#define CACHE_MAGIC "PMVCSWT1\n"

/** read_whole -- read a file into out; -1 with errno on failure. */
static int
read_whole(const char *path, vcs_str *out, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || vcs_str_grow(out, (size_t)st->st_size + 1)) {
		close(fd);
		return -1;
	}
	while (out->len < (size_t)st->st_size) {
		ssize_t n = read(fd, out->data + out->len,
				 (size_t)st->st_size - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	close(fd);
	out->data[out->len] = '\0';
	return 0;
}

/** vcs_wtcache_apply -- fill oids of unchanged entries from the cache. */
int
vcs_wtcache_apply(vcs_repo *repo, vcs_wt_list *l)
{
	vcs_str path = VCS_STR_INIT, data = VCS_STR_INIT;
	struct stat cst;
	int64_t cache_ns;
	char *p, *end;
	size_t i = 0;

	if (vcs_str_addf(&path, "%s/%s", repo->dotdir, CACHE_NAME) ||
	    read_whole((char *)path.data, &data, &cst) != 0 ||
	    data.len < sizeof(CACHE_MAGIC) - 1 ||
	    memcmp(data.data, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1))
		goto out;
	cache_ns = (int64_t)cst.st_mtim.tv_sec * 1000000000 + cst.st_mtim.tv_nsec;
	p = (char *)data.data + sizeof(CACHE_MAGIC) - 1;
	end = (char *)data.data + data.len;
	while (p < end && i < l->n) {
		char *tab = memchr(p, '\t', (size_t)(end - p)), *nul, *q;
		char hex[PMDB_OID_HEXMAX + 1];
		unsigned mode;
		uint64_t size, ino, dev;
		int64_t mt, ct;
		int c = 1;

		if (!tab || !(nul = memchr(tab, '\0', (size_t)(end - tab))))
			break;
		*tab = '\0';
		if (sscanf(p, "%o %64s %" SCNu64 " %" SCNd64 " %" SCNd64 " %"
			   SCNu64 " %" SCNu64, &mode, hex, &size, &mt, &ct, &ino,
			   &dev) != 7)
			break;
		q = tab + 1;
		/* advance the scanned list to this path */
		while (i < l->n && (c = strcmp(l->e[i].path, q)) < 0)
			i++;
		p = nul + 1;
		if (i >= l->n || c != 0)
			continue;
		vcs_wt_entry *e = &l->e[i];
		if (e->mode == mode && e->size == size && e->mtime_ns == mt &&
		    e->ctime_ns == ct && e->ino == ino && e->dev == dev &&
		    e->mtime_ns < cache_ns &&
		    pmdb_oid_parse(&e->oid, hex, strlen(hex), repo->algo) == 0)
			e->have_oid = 1;
		i++;
	}
out:
	vcs_str_free(&path);
	vcs_str_free(&data);
	return 0;
}

/** vcs_wtcache_write -- write the cache for l's hashed entries. */
int
vcs_wtcache_write(vcs_repo *repo, const vcs_wt_list *l)
{
	vcs_str path = VCS_STR_INIT, tmp = VCS_STR_INIT, data = VCS_STR_INIT;
	int rc = 0, fd = -1;

	if (vcs_str_addf(&path, "%s/%s", repo->dotdir, CACHE_NAME) ||
	    vcs_str_addf(&tmp, "%s/%s.tmp", repo->dotdir, CACHE_NAME) ||
	    vcs_str_adds(&data, CACHE_MAGIC)) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < l->n; i++) {
		const vcs_wt_entry *e = &l->e[i];
		char hex[PMDB_OID_HEXMAX + 1];
		if (!e->have_oid || !e->ino)
			continue;
		pmdb_oid_fmt(hex, &e->oid, repo->algo);
		if (vcs_str_addf(&data, "%o %s %" PRIu64 " %" PRId64 " %" PRId64
				 " %" PRIu64 " %" PRIu64 "\t", e->mode, hex,
				 e->size, e->mtime_ns, e->ctime_ns, e->ino,
				 e->dev) ||
		    vcs_str_add(&data, e->path, e->len + 1)) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			goto out;
		}
	}
	fd = open((char *)tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data.data, data.len) != (ssize_t)data.len ||
	    close(fd) != 0 || (fd = -1, rename((char *)tmp.data,
					      (char *)path.data) != 0)) {
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
				(char *)path.data, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink((char *)tmp.data);
	}
out:
	vcs_str_free(&path);
	vcs_str_free(&tmp);
	vcs_str_free(&data);
	return rc;
}

/** is_link -- 1 for a symlink mode. */
static int
is_link(uint32_t mode)
{
	return mode == VCS_MODE_LINK;
}

/** add_item -- append a status item. */
static int
add_item(vcs_status *st, size_t *cap, char kind, const char *path,
	 size_t len, const vcs_wt_entry *h, const vcs_wt_entry *w)
{
	if (st->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 32;
		vcs_status_item *ni = realloc(st->items, nc * sizeof(*ni));
		if (!ni)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		st->items = ni;
		*cap = nc;
	}
	st->items[st->n++] = (vcs_status_item){ kind, path, len, h, w };
	return 0;
}

/** str_cmp -- qsort comparator for char *. */
static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/** tracked_dirs -- sorted unique directories ("a", "a/b") holding
 *  tracked files. */
static int
tracked_dirs(const vcs_wt_list *head, char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n = 0, cap = 0, u = 0;

	for (size_t i = 0; i < head->n; i++) {
		const char *p = head->e[i].path;
		for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 32;
				char **nv = realloc(v, nc * sizeof(*nv));
				if (!nv)
					goto nomem;
				v = nv;
				cap = nc;
			}
			if (!(v[n] = strndup(p, (size_t)(s - p))))
				goto nomem;
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < n; i++) {
		if (u && !strcmp(v[u - 1], v[i]))
			free(v[i]);
		else
			v[u++] = v[i];
	}
	*out = v;
	*nout = u;
	return 0;
nomem:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return vcs_seterr(PMDB_ENOMEM, "out of memory");
}

/** untracked -- add the untracked items, collapsed to their topmost
 *  directory without tracked files when collapse is set. */
static int
untracked(vcs_status *st, size_t *cap, const vcs_wt_entry **u, size_t nu,
	  int collapse)
{
	char **dirs = NULL;
	size_t ndirs = 0;
	int rc = collapse ? tracked_dirs(&st->head, &dirs, &ndirs) : 0;
	const char *last = NULL;
	size_t lastlen = 0;

	for (size_t i = 0; i < nu && !rc; i++) {
		const vcs_wt_entry *e = u[i];
		const char *s = collapse ? strchr(e->path, '/') : NULL;

		if (last && e->len > lastlen && !memcmp(e->path, last, lastlen))
			continue; /* inside the directory reported last */
		for (; s; s = strchr(s + 1, '/')) {
			char *d = strndup(e->path, (size_t)(s - e->path) + 1), **dn;
			if (!d) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			d[s - e->path] = '\0';
			if (ndirs && bsearch(&d, dirs, ndirs, sizeof(*dirs), str_cmp)) {
				free(d);
				continue;
			}
			d[s - e->path] = '/';
			dn = realloc(st->dirs, (st->ndirs + 1) * sizeof(*dn));
			if (!dn) {
				free(d);
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				break;
			}
			st->dirs = dn;
			st->dirs[st->ndirs++] = d;
			last = d;
			lastlen = (size_t)(s - e->path) + 1;
			rc = add_item(st, cap, VCS_ST_UNTRACKED, d, lastlen, NULL, e);
			break;
		}
		if (!rc && !s)
			rc = add_item(st, cap, VCS_ST_UNTRACKED, e->path, e->len,
				      NULL, e);
	}
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

/** hash_stale -- hash, in batches, the working tree files that the
 *  comparison with st->head will look at and the cache did not vouch
 *  for (same path, not a gitlink, same file/symlink kind). */
static int
hash_stale(vcs_repo *repo, vcs_bulkio *io, vcs_status *st)
{
	vcs_wt_entry **v = NULL;
	size_t n = 0, i = 0, j = 0;
	int rc;

	while (i < st->head.n && j < st->wt.n) {
		vcs_wt_entry *h = &st->head.e[i], *w = &st->wt.e[j];
		int c = strcmp(h->path, w->path);

		i += c <= 0;
		j += c >= 0;
		if (c || h->mode == VCS_MODE_GITLINK || w->have_oid ||
		    is_link(h->mode) != is_link(w->mode))
			continue;
		if (!v && !(v = malloc(st->wt.n * sizeof(*v))))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		v[n++] = w;
	}
	rc = n ? vcs_wt_hash_many(repo, io, v, n) : 0;
	if (!rc)
		st->hashed += (int)n;
	free(v);
	return rc;
}

/** vcs_status_compute -- compare the working tree with a tree. */
int
vcs_status_compute(vcs_repo *repo, const pmdb_oid *tree,
		   int collapse_untracked, vcs_status *st)
{
	return vcs_status_compute_io(repo, NULL, tree, collapse_untracked, st);
}

/** vcs_status_compute_io -- the same, reading stale files through io. */
int
vcs_status_compute_io(vcs_repo *repo, vcs_bulkio *io, const pmdb_oid *tree,
		      int collapse_untracked, vcs_status *st)
{
	vcs_wt_reader rd = { VCS_STR_INIT };
	const vcs_wt_entry **u = NULL;
	size_t cap = 0, nu = 0, i = 0, j = 0;
	pmdb_oid htree;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = vcs_head_tree(repo, &st->head_commit, &htree, &st->born);
	if (rc)
		return rc;
	if (!tree && st->born)
		tree = &htree;
	rc = vcs_tree_flatten(repo, NULL, tree, &st->head);
	if (!rc)
		rc = vcs_wt_scan(repo, &st->wt);
	if (!rc)
		rc = vcs_wtcache_apply(repo, &st->wt);
	if (!rc)
		rc = hash_stale(repo, io, st);
	if (rc)
		return rc;
	u = calloc(st->wt.n ? st->wt.n : 1, sizeof(*u));
	if (!u)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	while (!rc && (i < st->head.n || j < st->wt.n)) {
		vcs_wt_entry *h = i < st->head.n ? &st->head.e[i] : NULL;
		vcs_wt_entry *w = j < st->wt.n ? &st->wt.e[j] : NULL;
		int c = !h ? 1 : !w ? -1 : strcmp(h->path, w->path);

		if (c < 0) {
			if (h->mode != VCS_MODE_GITLINK)
				rc = add_item(st, &cap, VCS_ST_DELETED, h->path,
					      h->len, h, NULL);
			i++;
			continue;
		}
		if (c > 0) {
			u[nu++] = w;
			j++;
			continue;
		}
		i++;
		j++;
		if (h->mode == VCS_MODE_GITLINK)
			continue;
		if (is_link(h->mode) != is_link(w->mode)) {
			rc = add_item(st, &cap, VCS_ST_TYPECHANGE, h->path, h->len,
				      h, w);
			continue;
		}
		if (!w->have_oid) {
			rc = vcs_wt_hash(repo, &rd, w);
			if (rc)
				break;
			st->hashed++;
		}
		if (h->mode != w->mode || memcmp(&h->oid, &w->oid, sizeof(h->oid)))
			rc = add_item(st, &cap, VCS_ST_MODIFIED, h->path, h->len,
				      h, w);
	}
	st->ntracked = st->n;
	if (!rc)
		rc = untracked(st, &cap, u, nu, collapse_untracked);
	free(u);
	vcs_str_free(&rd.buf);
	return rc;
}

/** vcs_status_clear -- free everything st holds. */
void
vcs_status_clear(vcs_status *st)
{
	vcs_wt_list_free(&st->head);
	vcs_wt_list_free(&st->wt);
	for (size_t i = 0; i < st->ndirs; i++)
		free(st->dirs[i]);
	free(st->dirs);
	free(st->items);
	memset(st, 0, sizeof(*st));
}

/** vcs_stripspace -- git's stripspace() of text into out. */
int
vcs_stripspace(vcs_str *out, const char *text, size_t len, int skip_comments)
{
	const char *p = text, *end = text + len;
	size_t empties = 0, start = out->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p;

		p += ll + (nl ? 1 : 0);
		if (skip_comments && ll && line[0] == '#')
			continue;
		while (ll && (line[ll - 1] == ' ' || line[ll - 1] == '\t' ||
			      line[ll - 1] == '\r' || line[ll - 1] == '\v' ||
			      line[ll - 1] == '\f'))
			ll--;
		if (!ll) {
			empties++;
			continue;
		}
		if (empties && out->len > start && vcs_str_add(out, "\n", 1))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		empties = 0;
		if (vcs_str_add(out, line, ll) || vcs_str_add(out, "\n", 1))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	return 0;
}
