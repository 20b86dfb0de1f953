/*
 * attr_files.c -- which files hold git attributes and the configuration
 * that goes with them (core.autocrlf, core.eol, core.attributesFile), in
 * git's precedence (attr.h). The file reads are ignore_files.c's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attr.h"
#include "config.h"
#include "worktree.h"

/* vcs_attr_config -- the eol settings and the user's attributes file */
int
vcs_attr_config(const vcs_config *cfg, const char *root, vcs_getenv_fn fn,
		void *ctx, vcs_eol_cfg *eol, char *file, size_t size)
{
	const vcs_config_entry *e = vcs_config_get(cfg, "core.autocrlf");

	memset(eol, 0, sizeof(*eol));
	if (e && e->value && !strcasecmp(e->value, "input"))
		eol->autocrlf = 2;
	else if (e)
		eol->autocrlf = vcs_config_bool(e->value) == 1;
	e = vcs_config_get(cfg, "core.eol");
	if (e && e->value)
		eol->eol = !strcasecmp(e->value, "lf") ? 1 :
			!strcasecmp(e->value, "crlf") ? 2 : 0;
	return vcs_wt__user_file(cfg, "core.attributesFile", "attributes",
				 root, fn, ctx, file, size);
}

/* push_file -- read one file and push it; missing: nothing */
static int
push_file(vcs_attr *a, enum vcs_attr_level level, const char *base,
	  int dirfd, const char *name, const char *shown)
{
	vcs_str text = VCS_STR_INIT;
	int rc = vcs_wt__read_conf(dirfd, name, shown, &text);

	if (rc == 0)
		rc = vcs_attr_push(a, level, base,
				   text.data ? (char *)text.data : "", text.len);
	vcs_str_free(&text);
	return rc < 0 ? rc : 0;
}

/* vcs_attr_push_top -- the user's file, then .pmvcs/info/attributes */
int
vcs_attr_push_top(vcs_attr *a, const char *root, const char *user_file)
{
	char path[4096];
	int rc = 0;

	if (user_file && *user_file)
		rc = push_file(a, VCS_ATTR_USER, "", AT_FDCWD, user_file,
			       user_file);
	if (!rc && snprintf(path, sizeof(path), "%s/%s/info/attributes", root,
			    VCS_DOTDIR) < (int)sizeof(path))
		rc = push_file(a, VCS_ATTR_INFO, "", AT_FDCWD, path,
			       VCS_DOTDIR "/info/attributes");
	return rc;
}

/* vcs_attr_push_dir -- a directory's .gitattributes */
int
vcs_attr_push_dir(vcs_attr *a, const char *base, int dirfd, const char *rel)
{
	char shown[4096];

	snprintf(shown, sizeof(shown), "%s%s", rel, VCS_ATTR_FILE);
	return push_file(a, VCS_ATTR_DIR, base, dirfd, VCS_ATTR_FILE, shown);
}

/* by_depth -- qsort: shallower directories first */
static int
by_depth(const void *a, const void *b)
{
	const vcs_wt_entry *x = *(vcs_wt_entry *const *)a;
	const vcs_wt_entry *y = *(vcs_wt_entry *const *)b;

	return (x->len > y->len) - (x->len < y->len);
}

/* vcs_attr_tree_conv -- attributes from a tree's own .gitattributes */
int
vcs_attr_tree_conv(vcs_repo *repo, vcs_wt_list *l)
{
	vcs_attr *a = NULL;
	vcs_wt_entry **v = NULL;
	vcs_str blob = VCS_STR_INIT;
	size_t n = 0, fl = sizeof(VCS_ATTR_FILE) - 1;
	int rc = vcs_attr_new(&a);

	if (!rc)
		rc = vcs_attr_push_top(a, repo->worktree, repo->attributes_file);
	for (size_t i = 0; i < l->n && !rc; i++) {
		vcs_wt_entry *e = &l->e[i];

		if (e->mode == VCS_MODE_LINK || e->mode == VCS_MODE_GITLINK ||
		    e->len < fl || memcmp(e->path + e->len - fl, VCS_ATTR_FILE, fl) ||
		    (e->len > fl && e->path[e->len - fl - 1] != '/'))
			continue;
		if (!v && !(v = calloc(l->n, sizeof(*v))))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else
			v[n++] = e;
	}
	/* a deeper file must come later (attr.h); path order may put
	 * "a/-b/.gitattributes" before "a/.gitattributes" */
	if (n > 1)
		qsort(v, n, sizeof(*v), by_depth);
	for (size_t i = 0; i < n && !rc; i++) {
		pmdb_otype type;
		char *base = strndup(v[i]->path, v[i]->len > fl ?
				     v[i]->len - fl - 1 : 0);

		if (!base) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		rc = vcs_object_read(repo, NULL, &v[i]->oid, &type, &blob);
		if (!rc && type == PMDB_OBJ_BLOB)
			rc = vcs_attr_push(a, VCS_ATTR_DIR, base, blob.data ?
					   (char *)blob.data : "", blob.len);
		free(base);
	}
	if (!rc && vcs_attr_active(a, &repo->eol)) {
		for (size_t i = 0; i < l->n; i++) {
			vcs_wt_entry *e = &l->e[i];

			if (e->mode == VCS_MODE_BLOB || e->mode == VCS_MODE_EXEC)
				e->conv = (uint8_t)vcs_attr_conv(a, e->path, e->len,
								 &repo->eol);
		}
	}
	vcs_str_free(&blob);
	free(v);
	vcs_attr_free(a);
	return rc;
}
