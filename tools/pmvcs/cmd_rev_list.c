/*
 * cmd_rev_list.c -- pmvcs rev-list: the ids of the commits git's
 * revision walk gives (vcs/revision.c, the limiting log takes), one per
 * line; --parents adds the parents as the walk sees them (after history
 * simplification), --count prints only how many, --objects lists the
 * trees, blobs and tags after the commits as git does.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cmd.h"
#include "revision.h"

static const char *const rev_list_usage[] = {
	"pmvcs rev-list [<options>] <commit>... [--] [<path>...]",
	NULL
};

#define FLUSH (64u << 10)

/* max_cb -- -n <n>, --max-count=<n>, -<n>: read as git does (atoi) */
static int
max_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	(void)err;
	*(long long *)opt->value = unset ? -1 : atoll(arg);
	return 0;
}

typedef struct out_ctx {
	pmvcs_ctx *ctx;
	vcs_repo *repo;
	vcs_str buf;
} out_ctx;

static int
flush(out_ctx *o, int force)
{
	if (o->buf.len && (force || o->buf.len >= FLUSH)) {
		fwrite(o->buf.data, 1, o->buf.len, o->ctx->out);
		vcs_str_reset(&o->buf);
	}
	return 0;
}

/* show_object -- "<id> <path>" (git prints the name raw, up to a
 * newline) */
static int
show_object(const pmdb_oid *oid, const char *path, void *arg)
{
	out_ctx *o = arg;
	char hex[PMDB_OID_HEXMAX + 1];
	size_t n = strcspn(path, "\n");

	vcs_oid_hex(o->repo, oid, hex);
	if (vcs_str_adds(&o->buf, hex) || vcs_str_add(&o->buf, " ", 1) ||
	    vcs_str_add(&o->buf, path, n) || vcs_str_add(&o->buf, "\n", 1))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	return flush(o, 0);
}

int
cmd_rev_list(pmvcs_ctx *ctx)
{
	long long max = -1;
	int count = 0, parents = 0, objects = 0, n, left = 0, rc;
	out_ctx o = { ctx, NULL, VCS_STR_INIT };
	vcs_rev_info *r = NULL;
	pmdb_oid *shown = NULL;
	size_t nshown = 0, cap = 0;
	const char *now;
	const pmvcs_option opts[] = {
		OPT_CALLBACK('n', "max-count", &max, "n", "limit the number of "
			     "commits to output", max_cb),
		OPT_NUMBER_CALLBACK(&max, "limit the number of commits to "
				    "output", max_cb),
		OPT_BOOL(0, "count", &count, "print the number of commits only"),
		OPT_BOOL(0, "objects", &objects, "list the trees and blobs too"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, rev_list_usage, PMVCS_PARSE_KEEP_UNKNOWN |
			     PMVCS_PARSE_KEEP_DASHDASH)) < 0)
		return PMVCS_EXIT_USAGE;
	if (!(o.repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if ((rc = vcs_rev_new(&r, o.repo, ctx->git_dir ? ctx->git_dir :
			      ctx->cwd))) {
		rc = pmvcs_report(ctx, rc, NULL, 0);
		goto out;
	}
	if ((now = pmvcs_getenv(ctx, "GIT_TEST_DATE_NOW")))
		vcs_rev_set_now(r, strtoll(now, NULL, 10));
	if ((rc = vcs_rev_setup(r, n, ctx->argv, &left, NULL))) {
		rc = pmvcs_report(ctx, rc, NULL, 0);
		goto out;
	}
	if (left) {
		rc = pmvcs_fatal(ctx, "unrecognized argument: %s", ctx->argv[0]);
		goto out;
	}
	if (!vcs_rev_given(r)) {
		rc = pmvcs_usage(ctx, rev_list_usage, opts);
		goto out;
	}
	vcs_rev_max_count(r, max);
	parents = vcs_rev_show_parents(r);
	if (count) {
		long long c = vcs_rev_count(r);

		if (c < 0)
			rc = pmvcs_report(ctx, (int)c, NULL, 0);
		else
			fprintf(ctx->out, "%lld\n", c);
		goto out;
	}
	for (;;) {
		char hex[PMDB_OID_HEXMAX + 1];
		pmdb_oid oid;
		int err = vcs_rev_next(r, &oid);

		if (!err)
			break;
		if (err < 0) {
			flush(&o, 1);
			rc = pmvcs_report(ctx, err, NULL, 0);
			goto out;
		}
		err = vcs_rev_is_boundary(r) ? vcs_str_add(&o.buf, "-", 1) : 0;
		err = err ? err : vcs_str_adds(&o.buf, vcs_oid_hex(o.repo, &oid,
								   hex));
		if (!err && parents) {
			const pmdb_oid *p;
			size_t np = vcs_rev_parents(r, &oid, &p);

			for (size_t k = 0; !err && k < np; k++) {
				err = vcs_str_add(&o.buf, " ", 1);
				err = err ? err : vcs_str_adds(&o.buf,
						vcs_oid_hex(o.repo, &p[k], hex));
			}
		}
		err = err ? err : vcs_str_add(&o.buf, "\n", 1);
		if (!err && objects &&
		    VCS_ARRAY_GROW(shown, cap, nshown + 1, 256))
			err = PMDB_ENOMEM;
		if (err) {
			rc = pmvcs_fatal(ctx, "out of memory");
			goto out;
		}
		if (objects)
			shown[nshown++] = oid;
		flush(&o, 0);
	}
	if (objects && (rc = vcs_rev_objects(r, shown, nshown, show_object, &o))) {
		flush(&o, 1);
		rc = pmvcs_report(ctx, rc, NULL, 0);
		goto out;
	}
	flush(&o, 1);
	rc = 0;
out:
	free(shown);
	vcs_str_free(&o.buf);
	vcs_rev_free(r);
	vcs_repo_free(o.repo);
	return rc;
}
