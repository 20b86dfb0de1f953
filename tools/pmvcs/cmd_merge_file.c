/*
 * cmd_merge_file.c -- pmvcs merge-file: git merge-file over three files,
 * the three-way line merge of vcs/xmerge.c on its own (no repository
 * needed). Exit code: the number of conflicts (at most 127), as git.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "diff.h"
#include "merge.h"

static const char *const merge_file_usage[] = {
	"git merge-file [<options>] [-L <name1> [-L <orig> [-L <name2>]]] "
	"<file1> <orig-file> <file2>",
	NULL
};

/** The -L values, in order. */
typedef struct labels {
	const char *v[3];
	int n;
} labels;

/* label_cb -- one -L: at most three, as git. */
static int
label_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	labels *l = opt->value;

	(void)unset;
	if (l->n >= 3) {
		fprintf(err, "error: too many labels on the command line\n");
		return -1;
	}
	l->v[l->n++] = arg;
	return 0;
}

/* read_file -- path (relative to the cwd) into out; 0, or -1 after
 * git's message. */
static int
read_file(pmvcs_ctx *ctx, const char *name, vcs_str *out)
{
	char path[8192], buf[65536];
	FILE *f;
	size_t n;
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' ? "" : ctx->cwd,
		 name[0] == '/' ? "" : "/", name);
	if (stat(path, &st)) {
		fprintf(ctx->err, "error: Could not stat %s: %s\n", name,
			strerror(errno));
		return -1;
	}
	f = fopen(path, "rb");
	if (!f) {
		fprintf(ctx->err, "error: Could not open %s: %s\n", name,
			strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (vcs_str_add(out, buf, n)) {
			fclose(f);
			fprintf(ctx->err, "error: out of memory\n");
			return -1;
		}
	fclose(f);
	return 0;
}

/** cmd_merge_file -- "pmvcs merge-file [-p] [--diff3] [-L n]... a o b". */
int
cmd_merge_file(pmvcs_ctx *ctx)
{
	labels l = { { NULL, NULL, NULL }, 0 };
	int to_stdout = 0, diff3 = 0, quiet = 0, marker_size = 7;
	const pmvcs_option opts[] = {
		OPT_BOOL('p', "stdout", &to_stdout, "send results to standard "
			 "output"),
		OPT_BOOL(0, "diff3", &diff3, "use a diff3 based merge"),
		OPT_INTEGER_F(0, "marker-size", &marker_size, "n", "for "
			      "conflicts, use this marker size", 0),
		OPT__QUIET(&quiet, "do not warn about conflicts"),
		OPT_CALLBACK('L', NULL, &l, "name", "set labels for "
			     "file1/orig-file/file2", label_cb),
		OPT_END()
	};
	vcs_str f[3] = { VCS_STR_INIT, VCS_STR_INIT, VCS_STR_INIT };
	vcs_str out = VCS_STR_INIT;
	vcs_xmerge_opts xo = VCS_XMERGE_OPTS_INIT;
	int n, ret = 255;

	n = pmvcs_parse(ctx, opts, merge_file_usage, 0);
	if (n < 0)
		return PMVCS_EXIT_USAGE;
	if (n != 3)
		return pmvcs_usage(ctx, merge_file_usage, opts);
	xo.level = VCS_XMERGE_ZEALOUS_ALNUM;
	xo.marker_size = marker_size;
	/* git 2.39's merge-file ignores merge.conflictStyle */
	xo.style = diff3 > 0 ? VCS_XMERGE_STYLE_DIFF3 : VCS_XMERGE_STYLE_MERGE;
	xo.ours = l.n > 0 ? l.v[0] : ctx->argv[0];
	xo.base = l.n > 1 ? l.v[1] : ctx->argv[1];
	xo.theirs = l.n > 2 ? l.v[2] : ctx->argv[2];
	for (int i = 0; i < 3; i++)
		if (read_file(ctx, ctx->argv[i], &f[i]))
			goto out;
	for (int i = 0; i < 3; i++)
		if ((f[i].len && vcs_diff_is_binary(f[i].data, f[i].len))) {
			fprintf(ctx->err, "error: Cannot merge binary files: %s\n",
				ctx->argv[i]);
			goto out;
		}
	ret = vcs_xmerge(&out, (f[1].data ? (const void *)f[1].data : ""), f[1].len,
			 (f[0].data ? (const void *)f[0].data : ""), f[0].len,
			 (f[2].data ? (const void *)f[2].data : ""), f[2].len, &xo);
	if (ret < 0) {
		fprintf(ctx->err, "error: %s\n", vcs_errmsg());
		ret = 255;
		goto out;
	}
	if (to_stdout) {
		fwrite((out.data ? (const void *)out.data : ""), 1, out.len, ctx->out);
	} else {
		char path[8192];
		FILE *w;

		snprintf(path, sizeof(path), "%s%s%s",
			 ctx->argv[0][0] == '/' ? "" : ctx->cwd,
			 ctx->argv[0][0] == '/' ? "" : "/", ctx->argv[0]);
		w = fopen(path, "wb");
		if (!w || fwrite((out.data ? (const void *)out.data : ""), 1, out.len, w) != out.len) {
			fprintf(ctx->err, "error: Could not open %s for writing\n",
				ctx->argv[0]);
			if (w)
				fclose(w);
			ret = 255;
			goto out;
		}
		if (fclose(w)) {
			fprintf(ctx->err, "error: Could not close %s\n", ctx->argv[0]);
			ret = 255;
			goto out;
		}
	}
	if (ret > 127)
		ret = 127;
out:
	for (int i = 0; i < 3; i++)
		vcs_str_free(&f[i]);
	vcs_str_free(&out);
	return ret;
}
