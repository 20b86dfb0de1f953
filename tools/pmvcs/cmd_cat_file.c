/*
 * cmd_cat_file.c -- pmvcs cat-file: an object's type, size or content,
 * one at a time or in batches (git's formats).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"

#define CAT_FILE_USAGE                                                      \
	"pmvcs cat-file (-t | -s | -e | -p | <type>) <object>\n"           \
	"   or: pmvcs cat-file (--batch | --batch-check) [--batch-all-objects]"

/* print_tree -- a tree in ls-tree's format (cat-file -p). */
static int
print_tree(pmvcs_ctx *ctx, vcs_repo *repo, const vcs_str *data)
{
	vcs_tree t;
	vcs_str q = VCS_STR_INIT;
	char h[PMDB_OID_HEXMAX + 1];
	int rc = vcs_tree_parse(&t, data->data, data->len, repo->algo);

	if (rc)
		return rc;
	for (size_t i = 0; i < t.n; i++) {
		const vcs_tree_entry *e = &t.entries[i];
		const char *type = e->mode == VCS_MODE_TREE ? "tree" :
				   e->mode == VCS_MODE_GITLINK ? "commit" : "blob";
		vcs_str_reset(&q);
		vcs_quote_path(&q, e->name, e->name_len);
		fprintf(ctx->out, "%06o %s %s\t%s\n", e->mode, type,
			vcs_oid_hex(repo, &e->oid, h), q.data ? (char *)q.data : "");
	}
	vcs_str_free(&q);
	vcs_tree_clear(&t);
	return 0;
}

/* batch_one -- answer one --batch / --batch-check request. */
static int
batch_one(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec,
	  const pmdb_oid *known, int contents)
{
	pmdb_oid oid;
	pmdb_otype type;
	uint64_t size;
	char h[PMDB_OID_HEXMAX + 1];
	int rc;

	if (known)
		oid = *known;
	else if (vcs_revparse(repo, spec, &oid)) {
		fprintf(ctx->out, "%s missing\n", spec);
		return 0;
	}
	rc = pmdb_object_info(repo->env, &oid, &type, &size);
	if (rc) {
		fprintf(ctx->out, "%s missing\n", known ? vcs_oid_hex(repo, &oid, h)
							: spec);
		return 0;
	}
	fprintf(ctx->out, "%s %s %llu\n", vcs_oid_hex(repo, &oid, h),
		pmdb_otype_name(type), (unsigned long long)size);
	if (contents) {
		vcs_str data = VCS_STR_INIT;
		rc = pmdb_object_read(repo->env, &oid, NULL, &data);
		if (rc)
			return pmvcs_report(ctx, vcs_seterr_pmdb(rc, h), NULL, 0);
		if (data.len)
			fwrite(data.data, 1, data.len, ctx->out);
		fputc('\n', ctx->out);
		vcs_str_free(&data);
	}
	return 0;
}

typedef struct all_ids {
	pmdb_oid *v;
	size_t n, cap;
} all_ids;

/* collect -- foreach callback gathering every id. */
static int
collect(const pmdb_oid *oid, pmdb_otype type, uint64_t size, void *vctx)
{
	all_ids *a = vctx;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		pmdb_oid *v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return PMDB_ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = *oid;
	return 0;
}

/* oid_cmp -- qsort by id. */
static int
oid_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(pmdb_oid));
}

/* batch -- --batch / --batch-check over stdin or all objects. */
static int
batch(pmvcs_ctx *ctx, vcs_repo *repo, int contents, int all)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (all) {
		all_ids a = { NULL, 0, 0 };
		rc = pmdb_object_foreach(repo->env, collect, &a);
		if (rc) {
			free(a.v);
			return pmvcs_report(ctx, vcs_seterr_pmdb(rc, "listing objects"),
					    NULL, 0);
		}
		qsort(a.v, a.n, sizeof(pmdb_oid), oid_cmp);
		for (size_t i = 0; i < a.n && !rc; i++)
			rc = batch_one(ctx, repo, NULL, &a.v[i], contents);
		free(a.v);
		return rc;
	}
	while (!rc && (n = getline(&line, &cap, ctx->in)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		rc = batch_one(ctx, repo, line, NULL, contents);
		fflush(ctx->out);
	}
	free(line);
	return rc;
}

/* single -- -t / -s / -e / -p / <type> on one object. */
static int
single(pmvcs_ctx *ctx, vcs_repo *repo, const char *mode, const char *spec)
{
	pmdb_oid oid;
	pmdb_otype type, want;
	uint64_t size;
	vcs_str data = VCS_STR_INIT;
	int rc = vcs_revparse(repo, spec, &oid);

	if (rc == 0)
		rc = pmdb_object_info(repo->env, &oid, &type, &size);
	if (rc) {
		if (!strcmp(mode, "-e"))
			return PMVCS_EXIT_DIFF;
		return pmvcs_fatal(ctx, "Not a valid object name %s", spec);
	}
	if (!strcmp(mode, "-e"))
		return 0;
	if (!strcmp(mode, "-t")) {
		fprintf(ctx->out, "%s\n", pmdb_otype_name(type));
		return 0;
	}
	if (!strcmp(mode, "-s")) {
		fprintf(ctx->out, "%llu\n", (unsigned long long)size);
		return 0;
	}
	if (strcmp(mode, "-p")) {
		/* cat-file <type> <obj>: peel to that type, print raw */
		if (pmdb_otype_from_name(&want, mode, strlen(mode)))
			return pmvcs_usage(ctx, CAT_FILE_USAGE);
		if (vcs_peel(repo, &oid, want, &oid))
			return pmvcs_fatal(ctx, "git cat-file %s: bad file", spec);
		type = want;
	}
	rc = pmdb_object_read(repo->env, &oid, NULL, &data);
	if (rc)
		return pmvcs_report(ctx, vcs_seterr_pmdb(rc, spec), NULL, 0);
	if (!strcmp(mode, "-p") && type == PMDB_OBJ_TREE)
		rc = print_tree(ctx, repo, &data);
	else
		if (data.len)
			fwrite(data.data, 1, data.len, ctx->out);
	vcs_str_free(&data);
	return rc ? pmvcs_report(ctx, rc, spec, 0) : 0;
}

/* cmd_cat_file -- entry point. */
int
cmd_cat_file(pmvcs_ctx *ctx)
{
	const char *mode = NULL, *spec = NULL;
	int do_batch = 0, check = 0, all = 0, rc;
	vcs_repo *repo;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", CAT_FILE_USAGE);
			return 0;
		} else if (!strcmp(a, "--batch")) {
			do_batch = 1;
		} else if (!strcmp(a, "--batch-check")) {
			do_batch = check = 1;
		} else if (!strcmp(a, "--batch-all-objects")) {
			all = 1;
		} else if (!mode && (!strcmp(a, "-t") || !strcmp(a, "-s") ||
				     !strcmp(a, "-e") || !strcmp(a, "-p"))) {
			mode = a;
		} else if (a[0] == '-') {
			return pmvcs_usage(ctx, CAT_FILE_USAGE);
		} else if (!mode) {
			mode = a;
		} else if (!spec) {
			spec = a;
		} else {
			return pmvcs_usage(ctx, CAT_FILE_USAGE);
		}
	}
	if (do_batch ? (mode || spec) : (!mode || !spec || all))
		return pmvcs_usage(ctx, CAT_FILE_USAGE);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = do_batch ? batch(ctx, repo, !check, all)
		      : single(ctx, repo, mode, spec);
	vcs_repo_free(repo);
	return rc;
}
