/*
 * cmd_fast_export.c -- pmvcs fast-export: write history as a git
 * fast-import stream on stdout (vcs/fastexport.h does the work).
 * Exit 0 only for a complete stream; 128 after any failure.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fastexport.h"

static const char usage_text[] =
	"pmvcs fast-export [<options>] [--all | <ref>... | <a>..<b> | ^<a>]\n\n"
	"    --all                        every ref (HEAD excluded)\n"
	"    --export-marks=<file>        write the commit marks at the end\n"
	"    --import-marks=<file>        commits in it count as already exported\n"
	"    --signed-tags=<mode>         abort (default), verbatim, warn, strip, warn-strip\n"
	"    --reencode=<mode>            no (default: keep encoding headers), yes, abort\n"
	"    --tag-of-filtered-object=<mode>  abort (default), drop, rewrite (as drop)\n"
	"    --no-data                    name blobs by id instead of writing them\n"
	"    --use-done-feature           start with 'feature done', end with 'done'\n"
	"                                 (only when the export succeeded)";

/** pick -- index of v in names[] (NULL-terminated), or -1. */
static int
pick(const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

int
cmd_fast_export(pmvcs_ctx *ctx)
{
	static const char *const signed_names[] = {
		"abort", "verbatim", "warn", "strip", "warn-strip", NULL };
	static const char *const reenc_names[] = { "no", "yes", "abort", NULL };
	static const char *const tagf_names[] = { "abort", "drop", "rewrite", NULL };
	fe_opts o;
	const char **revs;
	vcs_repo *repo;
	int rc, k;

	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.out = ctx->out;
	o.err = ctx->err;
	revs = calloc((size_t)ctx->argc + 1, sizeof(*revs));
	if (!revs)
		return pmvcs_fatal(ctx, "fast-export: out of memory");
	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", usage_text);
			free(revs);
			return PMVCS_EXIT_USAGE;
		} else if (!strcmp(a, "--all")) {
			o.all = 1;
		} else if (!strncmp(a, "--export-marks=", 15)) {
			o.export_marks = a + 15;
		} else if (!strncmp(a, "--import-marks=", 15)) {
			o.import_marks = a + 15;
		} else if (!strcmp(a, "--signed-tags")) {
			o.signed_tags = FE_SIGNED_ABORT;
		} else if (!strncmp(a, "--signed-tags=", 14) &&
			   (k = pick(a + 14, signed_names)) >= 0) {
			o.signed_tags = k;
		} else if (!strcmp(a, "--signed-tags=ignore")) {
			o.signed_tags = FE_SIGNED_VERBATIM;
		} else if (!strncmp(a, "--reencode=", 11) &&
			   (k = pick(a + 11, reenc_names)) >= 0) {
			o.reencode = k;
		} else if (!strncmp(a, "--tag-of-filtered-object=", 25) &&
			   (k = pick(a + 25, tagf_names)) >= 0) {
			o.tag_filtered = k;
		} else if (!strcmp(a, "--no-data")) {
			o.no_data = 1;
		} else if (!strcmp(a, "--use-done-feature")) {
			o.use_done = 1;
		} else if (!strcmp(a, "--data")) {
			o.no_data = 0;
		} else if (!strcmp(a, "--")) {
			continue;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(ctx->err, "pmvcs: fast-export: unknown option: %s\n", a);
			free(revs);
			return pmvcs_usage(ctx, usage_text);
		} else {
			revs[o.nrevs++] = a;
		}
	}
	o.revs = revs;
	if (!o.all && !o.nrevs) {
		free(revs);
		return pmvcs_usage(ctx, usage_text);
	}
	if (!(repo = pmvcs_open_repo(ctx))) {
		free(revs);
		return PMVCS_EXIT_FATAL;
	}
	rc = fe_export(repo, &o);
	vcs_repo_free(repo);
	free(revs);
	return rc;
}
