/*
 * cmd_ls_tree.c -- pmvcs ls-tree: "<mode> <type> <id>\t<path>" per entry
 * (git's format and flags).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char *const ls_tree_usage[] = {
	"pmvcs ls-tree [<options>] <tree-ish> [<path>...]",
	NULL
};

typedef struct ls_opts {
	int recurse, show_trees, only_trees, long_fmt, name_only;
	char **paths;
	int npaths;
} ls_opts;

/* path_wanted -- 0: skip, 1: show, 2: descend only (a parent of a
 * requested path). Paths are from the root. */
static int
path_wanted(const ls_opts *o, const char *path, int is_tree)
{
	size_t n = strlen(path);

	if (!o->npaths)
		return 1;
	for (int i = 0; i < o->npaths; i++) {
		const char *p = o->paths[i];
		size_t pl = strlen(p);
		while (pl && p[pl - 1] == '/')
			pl--;
		if (n == pl && !strncmp(path, p, pl))
			return 1;
		if (n > pl && !strncmp(path, p, pl) && path[pl] == '/')
			return 1;
		if (is_tree && pl > n && !strncmp(p, path, n) && p[n] == '/')
			return 2;
	}
	return 0;
}

/* list -- print one tree's entries (recursively with -r). */
static int
list(pmvcs_ctx *ctx, vcs_repo *repo, const ls_opts *o, const pmdb_oid *tree,
     const char *prefix)
{
	vcs_tree t;
	vcs_str path = VCS_STR_INIT, q = VCS_STR_INIT;
	char h[PMDB_OID_HEXMAX + 1];
	int rc = vcs_tree_read(repo, NULL, tree, &t);

	if (rc)
		return rc;
	for (size_t i = 0; i < t.n && !rc; i++) {
		const vcs_tree_entry *e = &t.entries[i];
		int is_tree = e->mode == VCS_MODE_TREE, want;
		const char *type = is_tree ? "tree" :
				   e->mode == VCS_MODE_GITLINK ? "commit" : "blob";

		vcs_str_reset(&path);
		vcs_str_adds(&path, prefix);
		vcs_str_add(&path, e->name, e->name_len);
		want = path_wanted(o, (char *)path.data, is_tree);
		if (!want)
			continue;
		if (is_tree && (o->recurse || want == 2)) {
			if (o->show_trees || o->only_trees) {
				if (want == 1)
					goto print;
			}
			vcs_str_adds(&path, "/");
			rc = list(ctx, repo, o, &e->oid, (char *)path.data);
			continue;
		}
		if (o->only_trees && !is_tree)
			continue;
print:
		vcs_str_reset(&q);
		vcs_quote_path(&q, (char *)path.data, path.len);
		if (o->name_only) {
			fprintf(ctx->out, "%s\n", (char *)q.data);
		} else if (o->long_fmt) {
			uint64_t size = 0;
			char sz[32] = "-";
			if (!is_tree && e->mode != VCS_MODE_GITLINK &&
			    !pmdb_object_info(repo->env, &e->oid, NULL, &size))
				snprintf(sz, sizeof(sz), "%llu",
					 (unsigned long long)size);
			fprintf(ctx->out, "%06o %s %s %7s\t%s\n", e->mode, type,
				vcs_oid_hex(repo, &e->oid, h), sz, (char *)q.data);
		} else {
			fprintf(ctx->out, "%06o %s %s\t%s\n", e->mode, type,
				vcs_oid_hex(repo, &e->oid, h), (char *)q.data);
		}
		if (is_tree && o->recurse && !o->only_trees) {
			vcs_str_adds(&path, "/");
			rc = list(ctx, repo, o, &e->oid, (char *)path.data);
		}
	}
	vcs_str_free(&path);
	vcs_str_free(&q);
	vcs_tree_clear(&t);
	return rc;
}

/* cmd_ls_tree -- entry point. */
int
cmd_ls_tree(pmvcs_ctx *ctx)
{
	ls_opts o;
	const char *spec = NULL;
	pmdb_oid oid, tree;
	vcs_repo *repo;
	int rc;

	memset(&o, 0, sizeof(o));
	const pmvcs_option opts[] = {
		OPT_BOOL('d', NULL, &o.only_trees, "only show trees"),
		OPT_BOOL('r', NULL, &o.recurse, "recurse into subtrees"),
		OPT_BOOL('t', NULL, &o.show_trees, "show trees when recursing"),
		OPT_BOOL('l', "long", &o.long_fmt, "include object size"),
		OPT_BOOL(0, "name-only", &o.name_only, "list only filenames"),
		OPT_BOOL(0, "name-status", &o.name_only, "list only filenames"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, ls_tree_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc < 1)
		return pmvcs_usage(ctx, ls_tree_usage, opts);
	spec = ctx->argv[0];
	o.paths = ctx->argv + 1;
	o.npaths = rc - 1;
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = vcs_revparse(repo, spec, &oid);
	if (rc) {
		vcs_repo_free(repo);
		return pmvcs_fatal(ctx, "Not a valid object name %s", spec);
	}
	if (vcs_peel(repo, &oid, PMDB_OBJ_TREE, &tree)) {
		vcs_repo_free(repo);
		return pmvcs_fatal(ctx, "not a tree object");
	}
	rc = list(ctx, repo, &o, &tree, "");
	vcs_repo_free(repo);
	return rc ? pmvcs_report(ctx, rc, spec, 0) : 0;
}
