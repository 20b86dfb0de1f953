/*
 * cmd_fast_import.c -- pmvcs fast-import: read a git fast-import stream on
 * stdin into the repository (vcs/fastimport.h does the work).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fastimport.h"

static const char usage_text[] =
	"pmvcs fast-import [<options>] < <stream>\n\n"
	"    --import-marks=<file>        load marks before the stream\n"
	"    --import-marks-if-exists=<file>  same, if the file exists\n"
	"    --export-marks=<file>        write marks at checkpoints and at the end\n"
	"    --force                      allow non-fast-forward branch updates\n"
	"    --quiet                      no progress meter\n"
	"    --stats                      print statistics at the end\n"
	"    --cat-blob-fd=<fd>           answers to cat-blob, ls and get-mark\n"
	"    --date-format=<fmt>          raw (default), raw-permissive, rfc2822, now\n"
	"    --done                       require a final 'done' command\n"
	"    --allow-unsafe-features      let the stream name marks files\n"
	"  (accepted and ignored, as they concern git's packs: --max-pack-size,\n"
	"   --big-file-threshold, --depth, --active-branches, --export-pack-edges)";

/** read_fd -- fi_read_fn over a file descriptor. */
static ssize_t
read_fd(void *ctx, void *buf, size_t n)
{
	return read(*(int *)ctx, buf, n);
}

/** map_input -- map the rest of fd (from its offset) when it is a
 *  non-empty regular file, so that fi_import lends blobs straight from
 *  the page cache instead of copying them through read(2). The mapping,
 *  to unmap, goes to base and blen; NULL when fd is read instead (pipes,
 *  sockets, failures). */
static const char *
map_input(int fd, size_t *len, void **base, size_t *blen)
{
	struct stat st;
	off_t off = lseek(fd, 0, SEEK_CUR), a;
	void *m;

	*base = NULL;
	if (off < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size <= off || (uint64_t)st.st_size > SIZE_MAX / 2)
		return NULL;
	a = off & ~(off_t)(sysconf(_SC_PAGESIZE) - 1);
	m = mmap(NULL, (size_t)(st.st_size - a), PROT_READ, MAP_PRIVATE, fd, a);
	if (m == MAP_FAILED)
		return NULL;
	(void)madvise(m, (size_t)(st.st_size - a), MADV_SEQUENTIAL);
	*base = m;
	*blen = (size_t)(st.st_size - a);
	*len = (size_t)(st.st_size - off);
	return (const char *)m + (off - a);
}

/** starts -- if a starts with prefix, point *v after it. */
static int
starts(const char *a, const char *prefix, const char **v)
{
	size_t n = strlen(prefix);

	if (strncmp(a, prefix, n))
		return 0;
	*v = a + n;
	return 1;
}

int
cmd_fast_import(pmvcs_ctx *ctx)
{
	fi_opts o;
	const char *v;
	int catfd = -1, require_done = 0, rc;
	FILE *cat = NULL;
	vcs_repo *repo;

	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.out = ctx->out;
	o.err = ctx->err;
	o.show_progress = ctx->err_is_tty;
	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fprintf(ctx->out, "usage: %s\n", usage_text);
			return PMVCS_EXIT_USAGE;
		} else if (starts(a, "--import-marks=", &v)) {
			o.import_marks = v;
			o.import_marks_if_exists = 0;
		} else if (starts(a, "--import-marks-if-exists=", &v)) {
			o.import_marks = v;
			o.import_marks_if_exists = 1;
		} else if (starts(a, "--export-marks=", &v)) {
			o.export_marks = v;
		} else if (!strcmp(a, "--force")) {
			o.force = 1;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if (!strcmp(a, "--stats")) {
			o.stats = 1;
		} else if (!strcmp(a, "--done")) {
			require_done = 1;
		} else if (!strcmp(a, "--allow-unsafe-features")) {
			o.allow_unsafe = 1;
		} else if (starts(a, "--cat-blob-fd=", &v)) {
			char *end;
			long fd = strtol(v, &end, 10);
			if (!*v || *end || fd < 0 || fd > 65535)
				return pmvcs_fatal(ctx, "fast-import: invalid --cat-blob-fd: %s", v);
			catfd = (int)fd;
		} else if (starts(a, "--date-format=", &v)) {
			if (!strcmp(v, "raw"))
				o.date_format = FI_DATE_RAW;
			else if (!strcmp(v, "raw-permissive"))
				o.date_format = FI_DATE_RAW_PERMISSIVE;
			else if (!strcmp(v, "rfc2822"))
				o.date_format = FI_DATE_RFC2822;
			else if (!strcmp(v, "now"))
				o.date_format = FI_DATE_NOW;
			else
				return pmvcs_fatal(ctx, "fast-import: unknown --date-format: %s", v);
		} else if (starts(a, "--max-pack-size=", &v) ||
			   starts(a, "--big-file-threshold=", &v) ||
			   starts(a, "--depth=", &v) || starts(a, "--active-branches=", &v) ||
			   starts(a, "--export-pack-edges=", &v) ||
			   !strcmp(a, "--relative-marks") || !strcmp(a, "--no-relative-marks")) {
			/* git's pack tuning: nothing to do here */
		} else {
			fprintf(ctx->err, "pmvcs: fast-import: unknown option: %s\n", a);
			return pmvcs_usage(ctx, usage_text);
		}
	}
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	if (catfd >= 0 && catfd != ctx->out_fd) {
		int fd = catfd == ctx->err_fd ? -1 : dup(catfd);
		cat = catfd == ctx->err_fd ? ctx->err : fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!cat) {
			if (fd >= 0)
				close(fd);
			vcs_repo_free(repo);
			return pmvcs_fatal(ctx, "fast-import: cannot use --cat-blob-fd=%d: %s",
					   catfd, strerror(errno));
		}
		o.cat_blob = cat;
	}
	o.require_done = require_done;
	int in_fd = ctx->in_fd;
	void *mbase;
	size_t mlen = 0;
	o.in_map = map_input(in_fd, &o.in_len, &mbase, &mlen);
	rc = fi_import(repo, &o, read_fd, &in_fd);
	if (mbase)
		munmap(mbase, mlen);
	if (cat && cat != ctx->err)
		fclose(cat);
	vcs_repo_free(repo);
	return rc;
}
