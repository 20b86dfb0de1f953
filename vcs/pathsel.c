/*
 * pathsel.c -- git's pathspecs for the commands that take some paths
 * (restore, checkout <rev> -- <path>, commit <path>), and restore's work:
 * files of a tree put back into the working tree (undo.h).
 *
 * A pathspec item names a path, everything below a directory, or, holding
 * a wildcard, every path wildmatch() matches with '*' crossing '/' (git's
 * default, not :(glob) magic). Items are made root-relative first, so
 * "../x" from a subdirectory works as in git.
 */
#include <stdlib.h>
#include <string.h>

#include "undo.h"

/** vcs_path_normalize -- prefix/arg with "." and ".." resolved. */
char *
vcs_path_normalize(const char *prefix, const char *arg, int *outside)
{
	size_t pl = strlen(prefix), al = strlen(arg), o = 0;
	char *tmp = malloc(pl + al + 2), *out = malloc(pl + al + 2);
	char *save = NULL, *tok;

	*outside = 0;
	if (!tmp || !out) {
		free(tmp);
		free(out);
		return NULL;
	}
	memcpy(tmp, prefix, pl);
	tmp[pl] = '/';
	memcpy(tmp + pl + 1, arg, al + 1);
	out[0] = '\0';
	for (tok = strtok_r(tmp, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(tok);

		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			char *s = strrchr(out, '/');
			if (!o) {
				*outside = 1;
				break;
			}
			o = s ? (size_t)(s - out) : 0;
			out[o] = '\0';
			continue;
		}
		if (o)
			out[o++] = '/';
		memcpy(out + o, tok, n + 1);
		o += n;
	}
	free(tmp);
	if (*outside) {
		free(out);
		return NULL;
	}
	return out;
}

/** vcs_pathsel_init -- root-relative items of args. */
int
vcs_pathsel_init(vcs_pathsel *ps, const char *prefix, char **args, size_t n)
{
	memset(ps, 0, sizeof(*ps));
	ps->items = calloc(n + 1, sizeof(*ps->items));
	ps->glob = calloc(n + 1, sizeof(*ps->glob));
	ps->hit = calloc(n + 1, 1);
	ps->orig = args;
	if (!ps->items || !ps->glob || !ps->hit) {
		vcs_pathsel_free(ps);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		int outside;

		ps->items[i] = vcs_path_normalize(prefix, args[i], &outside);
		ps->n = i + 1;
		if (outside) {
			vcs_pathsel_free(ps);
			return vcs_seterr(PMDB_EINVAL, "%s: '%s' is outside "
					  "repository", args[i], args[i]);
		}
		if (!ps->items[i]) {
			vcs_pathsel_free(ps);
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
		ps->glob[i] = strpbrk(args[i], "*?[") != NULL;
	}
	return 0;
}

/** vcs_pathsel_free -- NULL-safe; ps may be half made. */
void
vcs_pathsel_free(vcs_pathsel *ps)
{
	for (size_t i = 0; ps->items && i < ps->n; i++)
		free(ps->items[i]);
	free(ps->items);
	free(ps->glob);
	free(ps->hit);
	memset(ps, 0, sizeof(*ps));
}

/** vcs_pathsel_match -- does path match an item? Marks every item that
 *  does. */
int
vcs_pathsel_match(vcs_pathsel *ps, const char *path)
{
	int any = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const char *it = ps->items[i];
		size_t il = strlen(it);
		int m;

		if (ps->glob[i])
			m = vcs_wildmatch(it, path, 0);
		else
			m = !il || (!strncmp(path, it, il) &&
				    (path[il] == '\0' || path[il] == '/'));
		if (m)
			ps->hit[i] = 1;
		any |= m;
	}
	return any;
}

/** vcs_pathsel_unmatched -- the next item from *from on that matched
 *  nothing. */
const char *
vcs_pathsel_unmatched(const vcs_pathsel *ps, size_t *from)
{
	for (; *from < ps->n; (*from)++)
		if (!ps->hit[*from])
			return ps->orig[(*from)++];
	return NULL;
}

/** pick -- the entries of l that match ps, copied into out. */
static int
pick(const vcs_wt_list *l, vcs_pathsel *ps, vcs_wt_list *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const vcs_wt_entry *e = &l->e[i];
		vcs_wt_entry *c;

		if (!vcs_pathsel_match(ps, e->path))
			continue;
		if (!(c = vcs_wt_list_add(out, e->path, e->len, e->mode)))
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		c->oid = e->oid;
		c->have_oid = e->have_oid;
	}
	return 0;
}

/** vcs_restore_paths -- source's matching files into the working tree. */
int
vcs_restore_paths(vcs_repo *repo, struct vcs_file_io *io,
		  const vcs_wt_list *head, const vcs_wt_list *source,
		  vcs_pathsel *ps, int no_overlay, vcs_checkout_result *res)
{
	vcs_wt_list from = VCS_WT_LIST_INIT, to = VCS_WT_LIST_INIT;
	size_t k = 0;
	int rc = pick(source, ps, &to);

	memset(res, 0, sizeof(*res));
	/* no overlay: what HEAD has and source lacks goes too */
	if (!rc && no_overlay)
		rc = pick(head, ps, &from);
	if (!rc && vcs_pathsel_unmatched(ps, &k))
		rc = vcs_seterr(PMDB_ENOTFOUND, "pathspec did not match");
	if (!rc)
		rc = vcs_checkout_lists_io(repo, io, no_overlay ? &from : &to,
					   &to, VCS_CHECKOUT_FORCE, res);
	vcs_wt_list_free(&from);
	vcs_wt_list_free(&to);
	return rc;
}

/** copy_entry -- e (paths, mode, id, stat data) appended to out. */
static int
copy_entry(vcs_wt_list *out, const vcs_wt_entry *e)
{
	vcs_wt_entry *c = vcs_wt_list_add(out, e->path, e->len, e->mode);
	char *path;

	if (!c)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	path = c->path;
	*c = *e;
	c->path = path;
	return 0;
}

/** vcs_pathsel_select -- head with the matching paths taken from wt. */
int
vcs_pathsel_select(vcs_pathsel *ps, const vcs_wt_list *head,
		    const vcs_wt_list *wt, vcs_wt_list *out)
{
	size_t i = 0, j = 0;
	int rc = 0;

	while (!rc && (i < head->n || j < wt->n)) {
		const vcs_wt_entry *h = i < head->n ? &head->e[i] : NULL;
		const vcs_wt_entry *w = j < wt->n ? &wt->e[j] : NULL;
		int c = !h ? 1 : !w ? -1 : strcmp(h->path, w->path);
		const char *path = c <= 0 ? h->path : w->path;

		i += c <= 0;
		j += c >= 0;
		if (!vcs_pathsel_match(ps, path))
			rc = c <= 0 ? copy_entry(out, h) : 0;
		else if (c >= 0)
			rc = copy_entry(out, w);
		/* matching, in HEAD only: deleted from the tree */
	}
	return rc;
}

/** vcs_pathsel_prefix -- cwd below worktree. */
const char *
vcs_pathsel_prefix(const char *worktree, const char *cwd)
{
	size_t wl = strlen(worktree);

	return !strncmp(cwd, worktree, wl) && cwd[wl] == '/' ? cwd + wl + 1 : "";
}
