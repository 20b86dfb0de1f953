/*
 * cmd_fast_export.c -- pmvcs fast-export: write history as a git
 * fast-import stream on stdout (vcs/fastexport.h does the work).
 * Exit 0 only for a complete stream; 128 after any failure.
 */
#include <string.h>

#include "cmd.h"
#include "fastexport.h"

static const char *const fast_export_usage[] = {
	"pmvcs fast-export [<options>] [--all | <ref>... | <a>..<b> | ^<a>]",
	NULL
};

/** mode_opt -- a --<name>=<mode> option: its names and git's message for
 *  a name that is not one of them. */
typedef struct mode_opt {
	int *value;
	const char *const *names;   /**< NULL-terminated, index = value */
	const char *what;           /**< "Unknown <what> mode: %s" */
} mode_opt;

/** mode_cb -- --signed-tags, --reencode, --tag-of-filtered-object */
static int
mode_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	const mode_opt *m = opt->value;

	if (unset || !arg) {    /* --signed-tags alone: the default */
		*m->value = 0;
		return 0;
	}
	if (!strcmp(m->what, "signed-tags") && !strcmp(arg, "ignore")) {
		*m->value = FE_SIGNED_VERBATIM;     /* git's old name */
		return 0;
	}
	for (int i = 0; m->names[i]; i++)
		if (!strcmp(arg, m->names[i])) {
			*m->value = i;
			return 0;
		}
	return pmvcs_opt_error(err, "Unknown %s mode: %s", m->what, arg);
}

int
cmd_fast_export(pmvcs_ctx *ctx)
{
	static const char *const signed_names[] = {
		"abort", "verbatim", "warn", "strip", "warn-strip", NULL };
	static const char *const reenc_names[] = { "no", "yes", "abort", NULL };
	static const char *const tagf_names[] = { "abort", "drop", "rewrite", NULL };
	fe_opts o;
	vcs_repo *repo;
	int rc, n, data = 1;

	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.out = ctx->out;
	o.err = ctx->err;
	mode_opt signed_m = { &o.signed_tags, signed_names, "signed-tags" };
	mode_opt reenc_m = { &o.reencode, reenc_names, "reencoding" };
	mode_opt tagf_m = { &o.tag_filtered, tagf_names, "tag-of-filtered" };
	const pmvcs_option opts[] = {
		OPT_BOOL(0, "all", &o.all, "every ref (HEAD excluded)"),
		OPT_CALLBACK_F(0, "signed-tags", &signed_m, "mode", "select "
			       "handling of signed tags", PMVCS_OPTF_OPTARG,
			       mode_cb),
		OPT_CALLBACK(0, "tag-of-filtered-object", &tagf_m, "mode",
			     "select handling of tags that tag filtered objects",
			     mode_cb),
		OPT_CALLBACK(0, "reencode", &reenc_m, "mode", "select handling "
			     "of commit messages in an alternate encoding",
			     mode_cb),
		OPT_STRING(0, "export-marks", &o.export_marks, "file",
			   "dump marks to this file"),
		OPT_STRING(0, "import-marks", &o.import_marks, "file",
			   "import marks from this file"),
		OPT_BOOL(0, "use-done-feature", &o.use_done, "use the done "
			 "feature to terminate the stream"),
		OPT_BOOL(0, "reference-excluded-parents", &o.ref_excluded,
			 "reference parents which are not in fast-export stream "
			 "by object id"),
		OPT_BOOL(0, "data", &data, "write blob data (--no-data: name "
			 "blobs by id)"),
		OPT_END()
	};

	/* as git: the options it does not know are revision options, and
	 * none of those is supported here, so they end in the usage (no
	 * abbreviations then: KEEP_UNKNOWN) */
	if ((n = pmvcs_parse(ctx, opts, fast_export_usage,
			     PMVCS_PARSE_KEEP_UNKNOWN)) < 0)
		return PMVCS_EXIT_USAGE;
	o.no_data = !data;
	for (int i = 0; i < n; i++)
		if (ctx->argv[i][0] == '-' && ctx->argv[i][1] == '-')
			return pmvcs_usage(ctx, fast_export_usage, opts);
	o.revs = (const char *const *)ctx->argv;
	o.nrevs = n;
	if (!o.all && !o.nrevs)
		return pmvcs_usage(ctx, fast_export_usage, opts);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = fe_export(repo, &o);
	vcs_repo_free(repo);
	return rc;
}
