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

static const char *const fast_import_usage[] = {
	"pmvcs fast-import [<options>] < <stream>",
	NULL
};

/** fi_args -- the command line: git's fast-import reads "--<name>=<value>"
 *  only (no "--<name> <value>", no prefixes), hence OPTARG callbacks and
 *  KEEP_UNKNOWN below. The server (server.c) relies on that too: it
 *  rewrites "--cat-blob-fd=<n>" in place. */
typedef struct fi_args {
	fi_opts *o;
	int catfd;
	const char *missing;    /**< an option given without its value */
	const char *bad_name;   /**< cat-blob-fd or date-format ... */
	const char *bad_arg;    /**< ... with this value it cannot take */
	const char **sub[2];    /**< --rewrite-submodules-from / -to */
	size_t nsub[2];
	int nomem;
	int bad_pack;           /**< --depth/--active-branches refused */
	char why[128];          /**< git's message for bad_pack */
} fi_args;

/** value_cb -- the options with a value */
static int
value_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	fi_args *f = opt->value;
	const char *name = opt->long_name;
	char *end;
	long fd;

	(void)unset;
	(void)err;
	if (!arg) {
		if (!f->missing)
			f->missing = name;
		return 0;
	}
	if (!strcmp(name, "import-marks") ||
	    !strcmp(name, "import-marks-if-exists")) {
		f->o->import_marks = arg;
		f->o->import_marks_if_exists = name[12] != '\0';
	} else if (!strcmp(name, "export-marks")) {
		f->o->export_marks = arg;
	} else if (!strncmp(name, "rewrite-submodules-", 19)) {
		int k = name[19] == 't';
		const char **v = realloc(f->sub[k], (f->nsub[k] + 1) * sizeof(*v));
		if (!v)
			f->nomem = 1;
		else
			(f->sub[k] = v)[f->nsub[k]++] = arg;
	} else if (!strcmp(name, "cat-blob-fd")) {
		fd = strtol(arg, &end, 10);
		if (!*arg || *end || fd < 0 || fd > 65535) {
			f->bad_name = name;
			f->bad_arg = arg;
		} else {
			f->catfd = (int)fd;
		}
	} else if (!strcmp(name, "date-format")) {
		if (!strcmp(arg, "raw"))
			f->o->date_format = FI_DATE_RAW;
		else if (!strcmp(arg, "raw-permissive"))
			f->o->date_format = FI_DATE_RAW_PERMISSIVE;
		else if (!strcmp(arg, "rfc2822"))
			f->o->date_format = FI_DATE_RFC2822;
		else if (!strcmp(arg, "now"))
			f->o->date_format = FI_DATE_NOW;
		else if (!f->bad_name) {
			f->bad_name = name;
			f->bad_arg = arg;
		}
	} else if (!f->bad_pack &&
		   fi_check_pack_arg(name, strlen(name), arg, f->why,
				     sizeof(f->why)) < 0) {
		f->bad_pack = 1;
	}       /* else git's pack tuning: nothing to do here */
	return 0;
}

#define FI_VALUE(name, argh, help) \
	OPT_CALLBACK_F(0, name, &args, argh, help, \
		       PMVCS_OPTF_OPTARG | PMVCS_OPTF_STUCK | PMVCS_OPTF_NONEG, \
		       value_cb)
#define FI_IGNORED(name) \
	OPT_CALLBACK_F(0, name, &args, "n", "accepted, ignored (git's " \
		       "packs)", PMVCS_OPTF_OPTARG | PMVCS_OPTF_NONEG | \
		       PMVCS_OPTF_HIDDEN, value_cb)

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

int
cmd_fast_import(pmvcs_ctx *ctx)
{
/* the exits past the parse free the --rewrite-submodules-* lists */
#define DONE(code) do { rc = (code); goto out; } while (0)
	fi_opts o;
	int require_done = 0, relative = 0, rc, n;
	FILE *cat = NULL;
	vcs_repo *repo;
	fi_args args = { .o = &o, .catfd = -1 };
	const pmvcs_option opts[] = {
		FI_VALUE("import-marks", "file", "load marks before the stream"),
		FI_VALUE("import-marks-if-exists", "file", "same, if the file "
			 "exists"),
		FI_VALUE("export-marks", "file", "write marks at checkpoints and "
			 "at the end"),
		OPT_BOOL_F(0, "force", &o.force, "allow non-fast-forward branch "
			   "updates", PMVCS_OPTF_NONEG),
		OPT_BOOL_F(0, "quiet", &o.quiet, "no progress meter",
			   PMVCS_OPTF_NONEG),
		OPT_BOOL_F(0, "stats", &o.stats, "print statistics at the end",
			   PMVCS_OPTF_NONEG),
		FI_VALUE("cat-blob-fd", "fd", "answers to cat-blob, ls and "
			 "get-mark"),
		FI_VALUE("date-format", "fmt", "raw (default), raw-permissive, "
			 "rfc2822, now"),
		OPT_BOOL_F(0, "done", &require_done, "require a final 'done' "
			   "command", PMVCS_OPTF_NONEG),
		OPT_BOOL_F(0, "allow-unsafe-features", &o.allow_unsafe, "let the "
			   "stream name marks files", PMVCS_OPTF_NONEG),
		FI_VALUE("rewrite-submodules-from", "name:file", "map the ids "
			 "of a submodule from this marks file ..."),
		FI_VALUE("rewrite-submodules-to", "name:file", "... to the ids "
			 "of the same marks in this one"),
		FI_IGNORED("max-pack-size"),
		FI_IGNORED("big-file-threshold"),
		FI_IGNORED("depth"),
		FI_IGNORED("active-branches"),
		FI_IGNORED("export-pack-edges"),
		OPT_BOOL_F(0, "relative-marks", &relative, "accepted, ignored",
			   PMVCS_OPTF_HIDDEN),
		OPT_END()
	};

	memset(&o, 0, sizeof(o));
	o.cwd = ctx->cwd;
	o.out = ctx->out;
	o.err = ctx->err;
	o.show_progress = ctx->err_is_tty;
	if ((n = pmvcs_parse(ctx, opts, fast_import_usage,
			     PMVCS_PARSE_KEEP_UNKNOWN |
			     PMVCS_PARSE_HELP_STDERR)) < 0)
		DONE(PMVCS_EXIT_USAGE);
	/* git dies on these (fatal, not a usage error) */
	if (args.missing)
		DONE(pmvcs_fatal(ctx, "unknown option --%s", args.missing));
	if (args.bad_name && !strcmp(args.bad_name, "cat-blob-fd"))
		DONE(pmvcs_fatal(ctx, "fast-import: invalid --cat-blob-fd: %s",
				   args.bad_arg));
	if (args.bad_name)
		DONE(pmvcs_fatal(ctx, "fast-import: unknown --date-format: %s",
				   args.bad_arg));
	if (args.bad_pack || args.nomem)
		DONE(pmvcs_fatal(ctx, "fast-import: %s", args.nomem ?
				 "out of memory" : args.why));
	o.sub_from = args.sub[0];
	o.nsub_from = args.nsub[0];
	o.sub_to = args.sub[1];
	o.nsub_to = args.nsub[1];
	if (n && ctx->argv[0][0] == '-')
		DONE(pmvcs_fatal(ctx, "unknown option %s", ctx->argv[0]));
	if (n)
		DONE(pmvcs_usage(ctx, fast_import_usage, opts));
	int catfd = args.catfd;
	if (!(repo = pmvcs_open_repo(ctx)))
		DONE(PMVCS_EXIT_FATAL);
	if (catfd >= 0 && catfd != ctx->out_fd) {
		int fd = catfd == ctx->err_fd ? -1 : dup(catfd);
		cat = catfd == ctx->err_fd ? ctx->err : fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!cat) {
			if (fd >= 0)
				close(fd);
			vcs_repo_free(repo);
			DONE(pmvcs_fatal(ctx, "fast-import: cannot use --cat-blob-fd=%d: %s",
					   catfd, strerror(errno)));
		}
		o.cat_blob = cat;
	}
	o.require_done = require_done;
	int in_fd = ctx->in_fd;
	void *mbase;
	size_t mlen = 0;
	o.in_map = map_input(in_fd, &o.in_len, &mbase, &mlen);
	/* git logs fast-import's ref updates as the running committer */
	vcs_str ident = VCS_STR_INIT;
	if (!vcs_ident_make(&ident, "COMMITTER", pmvcs_getenv, ctx))
		o.reflog_ident = (const char *)ident.data;
	rc = fi_import(repo, &o, read_fd, &in_fd);
	vcs_str_free(&ident);
	if (mbase)
		munmap(mbase, mlen);
	if (cat && cat != ctx->err)
		fclose(cat);
	vcs_repo_free(repo);
out:
	free(args.sub[0]);
	free(args.sub[1]);
	return rc;
#undef DONE
}
