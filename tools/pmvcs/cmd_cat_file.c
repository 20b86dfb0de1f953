/*
 * cmd_cat_file.c -- pmvcs cat-file: an object's type, size or content,
 * one at a time or in batches (git's formats).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "bigblob.h"
#include "cmd.h"
#include "diff.h"

static const char *const cat_file_usage[] = {
	"pmvcs cat-file <type> <object>",
	"pmvcs cat-file (-e | -p) <object>",
	"pmvcs cat-file (-t | -s) <object>",
	"pmvcs cat-file (--batch | --batch-check) [--batch-all-objects]",
	NULL
};

/* mode_cb -- -e, -p, -t, -s: one of them (git's OPT_CMDMODE) */
static int
mode_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	static const char *const modes[] = { "-e", "-p", "-t", "-s" };
	const char **mode = opt->value;
	const char *want = NULL;

	(void)arg;
	(void)unset;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i][1] == opt->short_name)
			want = modes[i];
	if (*mode && *mode != want)
		return pmvcs_opt_error(err, "switch `%c' is incompatible with %s",
				       opt->short_name, *mode);
	*mode = want;
	return 0;
}

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

#define OUT_FLUSH (256u << 10)  /* write out in chunks of this size */
#define OUT_DIRECT (64u << 10)  /* contents this big bypass the buffer */

/* One object of --batch-all-objects, from the index alone. */
typedef struct objent {
	pmdb_oid oid;
	uint64_t size;
	pmdb_otype type;
} objent;

typedef struct all_ids {
	objent *v;
	size_t n, cap;
} all_ids;

/* out_flush -- write the buffered output */
static void
out_flush(pmvcs_ctx *ctx, vcs_str *out)
{
	if (out->len)
		fwrite(out->data, 1, out->len, ctx->out);
	vcs_str_reset(out);
}

/* add_header -- "<hex> <type> <size>\n" */
static int
add_header(vcs_str *out, vcs_repo *repo, const pmdb_oid *oid,
	   pmdb_otype type, uint64_t size)
{
	static const char hexdig[] = "0123456789abcdef";
	char line[PMDB_OID_HEXMAX + 48], *p = line, num[24];
	const char *tn = pmdb_otype_name(type);
	size_t hashlen = repo->hexlen / 2, k = sizeof(num);
	int err;

	for (size_t i = 0; i < hashlen; i++) {
		*p++ = hexdig[oid->id[i] >> 4];
		*p++ = hexdig[oid->id[i] & 15];
	}
	*p++ = ' ';
	do
		num[--k] = (char)('0' + size % 10);
	while ((size /= 10));
	if ((err = vcs_str_add(out, line, (size_t)(p - line))))
		return err;
	err = vcs_str_adds(out, tn ? tn : "unknown");
	err = err ? err : vcs_str_add(out, " ", 1);
	err = err ? err : vcs_str_add(out, num + k, sizeof(num) - k);
	return err ? err : vcs_str_add(out, "\n", 1);
}

/* emit -- one object's answer. Objects under 256 bytes are stored raw
 * and read in place (a view); larger ones may be compressed and are
 * read into the reusable tmp (no allocation per object). With ctx NULL
 * (a worker) everything goes to out, nothing is written. */
static int
emit(pmvcs_ctx *ctx, vcs_repo *repo, vcs_str *out, vcs_str *tmp,
     const pmdb_oid *oid, pmdb_otype type, uint64_t size, int contents)
{
	char h[PMDB_OID_HEXMAX + 1];
	pmdb_view_guard *g = NULL;
	const void *ptr;
	size_t len;
	int rc;

	if (!contents)
		return add_header(out, repo, oid, type, size);
	if (type == PMDB_OBJ_BLOB && size >= VCS_BIG_STREAM && ctx) {
		/* a chunk at a time: never the whole blob in memory */
		rc = add_header(out, repo, oid, type, size);
		out_flush(ctx, out);
		rc = rc ? rc : vcs_big_write_file(repo, oid, ctx->out);
		return rc ? rc : vcs_str_add(out, "\n", 1);
	}
	if (size < 256) {
		rc = pmdb_object_view(repo->env, oid, NULL, &ptr, &len, &g);
	} else {
		rc = pmdb_object_read(repo->env, oid, NULL, tmp);
		ptr = tmp->data;
		len = tmp->len;
	}
	if (rc)
		return vcs_seterr_pmdb(rc, vcs_oid_hex(repo, oid, h));
	rc = add_header(out, repo, oid, type, len);
	if (!rc && len >= OUT_DIRECT && ctx) {
		out_flush(ctx, out);
		fwrite(ptr, 1, len, ctx->out);
	} else if (!rc && len) {
		rc = vcs_str_add(out, ptr, len);
	}
	pmdb_view_release(g);
	rc = rc ? rc : vcs_str_add(out, "\n", 1);
	if (!rc && ctx && out->len >= OUT_FLUSH)
		out_flush(ctx, out);
	return rc;
}

/* batch_one -- answer one --batch / --batch-check request from stdin. */
static int
batch_one(pmvcs_ctx *ctx, vcs_repo *repo, vcs_str *out, vcs_str *tmp,
	  const char *spec, int contents)
{
	pmdb_oid oid;
	pmdb_otype type;
	uint64_t size;

	if (vcs_revparse(repo, spec, &oid) ||
	    pmdb_object_info(repo->env, &oid, &type, &size)) {
		int err = vcs_str_adds(out, spec);
		return err ? err : vcs_str_adds(out, " missing\n");
	}
	return emit(ctx, repo, out, tmp, &oid, type, size, contents);
}

/* collect -- foreach callback gathering every id with its type and size. */
static int
collect(const pmdb_oid *oid, pmdb_otype type, uint64_t size, void *vctx)
{
	all_ids *a = vctx;

	if (VCS_ARRAY_GROW(a->v, a->cap, a->n + 1, 4096))
		return PMDB_ENOMEM;
	a->v[a->n].oid = *oid;
	a->v[a->n].size = size;
	a->v[a->n].type = type;
	a->n++;
	return 0;
}

/* sort_ids -- git's order (by id): a counting sort on the first two
 * bytes, then insertion sort inside each (small) bucket. */
static int
sort_ids(all_ids *a)
{
	size_t *cnt = calloc(65537, sizeof(*cnt));
	objent *tmp = malloc((a->n ? a->n : 1) * sizeof(*tmp));

	if (!cnt || !tmp) {
		free(cnt);
		free(tmp);
		return PMDB_ENOMEM;
	}
	for (size_t i = 0; i < a->n; i++)
		cnt[(a->v[i].oid.id[0] << 8 | a->v[i].oid.id[1]) + 1]++;
	for (size_t b = 1; b <= 65536; b++)
		cnt[b] += cnt[b - 1];
	for (size_t i = 0; i < a->n; i++)
		tmp[cnt[a->v[i].oid.id[0] << 8 | a->v[i].oid.id[1]]++] = a->v[i];
	/* cnt[b] is now the end of bucket b */
	for (size_t b = 0, lo = 0; b < 65536; lo = cnt[b++]) {
		for (size_t i = lo + 1; i < cnt[b]; i++) {
			objent x = tmp[i];
			size_t j = i;

			while (j > lo && memcmp(&tmp[j - 1].oid, &x.oid,
						sizeof(x.oid)) > 0) {
				tmp[j] = tmp[j - 1];
				j--;
			}
			tmp[j] = x;
		}
	}
	free(a->v);
	free(cnt);
	a->v = tmp;
	return 0;
}

/* A chunk of the sorted objects, answered by a worker into its own
 * buffer and written by the command's thread in order. */
#define PAR_CHUNK (512u << 10)  /* bytes of contents per chunk, roughly */
#define PAR_MIN (8u << 20)      /* below this much, one thread does all */
#define PAR_THREADS 4

typedef struct pslot {
	vcs_str out;
	int ready;              /* 1: out holds chunk slot_idx; written next */
	size_t idx;             /* chunk held (or being filled) */
	int rc;
	char msg[256];          /* the worker's vcs_errmsg() on failure */
} pslot;

typedef struct pjob {
	pmvcs_ctx *ctx;
	vcs_repo *repo;
	const all_ids *a;
	const size_t *bound;    /* chunk c is [bound[c], bound[c + 1]) */
	size_t nchunks, next;   /* next chunk to hand out */
	size_t written;         /* chunks written so far */
	int stop;
	pslot *slots;
	size_t nslots;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} pjob;

/* worker -- fill chunks in turn; chunk c waits for slot c % nslots to
 * be written out (bounds memory to nslots chunks) */
static void *
worker(void *v)
{
	pjob *j = v;
	vcs_str tmp = VCS_STR_INIT;

	for (;;) {
		size_t c;
		pslot *sl;
		int rc = 0;

		pthread_mutex_lock(&j->mu);
		c = j->next++;
		while (!j->stop && c < j->nchunks && c >= j->written + j->nslots)
			pthread_cond_wait(&j->cv, &j->mu);
		pthread_mutex_unlock(&j->mu);
		if (j->stop || c >= j->nchunks) {
			vcs_str_free(&tmp);
			return NULL;
		}
		sl = &j->slots[c % j->nslots];
		vcs_str_reset(&sl->out);
		for (size_t i = j->bound[c]; i < j->bound[c + 1] && !rc; i++)
			rc = emit(NULL, j->repo, &sl->out, &tmp, &j->a->v[i].oid,
				  j->a->v[i].type, j->a->v[i].size, 1);
		if (rc)
			snprintf(sl->msg, sizeof(sl->msg), "%s", vcs_errmsg());
		pthread_mutex_lock(&j->mu);
		sl->rc = rc;
		sl->idx = c;
		sl->ready = 1;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
}

/* batch_par -- --batch-all-objects --batch on nthreads workers; the
 * output is the same bytes in the same order as one thread writes */
static int
batch_par(pmvcs_ctx *ctx, vcs_repo *repo, const all_ids *a, int nthreads)
{
	pjob j;
	pthread_t th[PAR_THREADS];
	size_t *bound = malloc((a->n + 1) * sizeof(*bound)), nc = 0, acc = 0;
	int started = 0, rc = 0;

	if (!bound)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	bound[nc] = 0;
	for (size_t i = 0; i < a->n; i++) {
		acc += a->v[i].size + 64;
		if (acc >= PAR_CHUNK || i + 1 == a->n) {
			bound[++nc] = i + 1;
			acc = 0;
		}
	}
	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.repo = repo;
	j.a = a;
	j.bound = bound;
	j.nchunks = nc;
	j.nslots = 2 * (size_t)nthreads;
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	if (!(j.slots = calloc(j.nslots, sizeof(*j.slots)))) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	for (; started < nthreads; started++)
		if (pthread_create(&th[started], NULL, worker, &j))
			break;
	if (!started)
		rc = vcs_seterr(PMDB_ERROR, "cannot start a thread");
	for (size_t c = 0; c < nc && !rc; c++) {
		pslot *sl = &j.slots[c % j.nslots];

		pthread_mutex_lock(&j.mu);
		while (!(sl->ready && sl->idx == c))
			pthread_cond_wait(&j.cv, &j.mu);
		pthread_mutex_unlock(&j.mu);
		if (sl->rc) {
			rc = vcs_seterr(sl->rc, "%s", sl->msg);
			break;
		}
		out_flush(ctx, &sl->out);
		pthread_mutex_lock(&j.mu);
		sl->ready = 0;
		j.written = c + 1;
		pthread_cond_broadcast(&j.cv);
		pthread_mutex_unlock(&j.mu);
	}
	pthread_mutex_lock(&j.mu);
	j.stop = 1;
	pthread_cond_broadcast(&j.cv);
	pthread_mutex_unlock(&j.mu);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
out:
	for (size_t k = 0; j.slots && k < j.nslots; k++)
		vcs_str_free(&j.slots[k].out);
	free(j.slots);
	pthread_cond_destroy(&j.cv);
	pthread_mutex_destroy(&j.mu);
	free(bound);
	return rc;
}

/* batch_all -- --batch-all-objects: every object, sorted by id. */
static int
batch_all(pmvcs_ctx *ctx, vcs_repo *repo, vcs_str *out, vcs_str *tmp,
	  int contents)
{
	all_ids a = { NULL, 0, 0 };
	uint64_t total = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = pmdb_object_foreach(repo->env, collect, &a);

	if (rc) {
		free(a.v);
		return vcs_seterr_pmdb(rc, "listing objects");
	}
	if ((rc = sort_ids(&a))) {
		free(a.v);
		return vcs_seterr(rc, "listing objects: out of memory");
	}
	for (size_t i = 0; contents && i < a.n; i++) {
		total += a.v[i].size;
		/* a worker holds its answers whole: big blobs stream here */
		if (a.v[i].type == PMDB_OBJ_BLOB &&
		    a.v[i].size >= VCS_BIG_STREAM)
			ncpu = 1;
	}
	if (contents && total >= PAR_MIN && ncpu > 1) {
		rc = batch_par(ctx, repo, &a, ncpu > PAR_THREADS ? PAR_THREADS
								 : (int)ncpu);
		free(a.v);
		return rc;
	}
	for (size_t i = 0; i < a.n && !rc; i++)
		rc = emit(ctx, repo, out, tmp, &a.v[i].oid, a.v[i].type,
			  a.v[i].size, contents);
	free(a.v);
	return rc;
}

/* batch -- --batch / --batch-check over stdin or all objects. Requests
 * are read in large chunks; the answers are flushed whenever no more
 * input is waiting, so an interactive peer gets each answer in time. */
static int
batch(pmvcs_ctx *ctx, vcs_repo *repo, int contents, int all)
{
	vcs_str out = VCS_STR_INIT, in = VCS_STR_INIT, tmp = VCS_STR_INIT;
	size_t start = 0;
	int rc = 0;

	if (all) {
		rc = batch_all(ctx, repo, &out, &tmp, contents);
		goto done;
	}
	for (;;) {
		char *nl;
		ssize_t n;

		while (!rc && in.len > start &&
		       (nl = memchr(in.data + start, '\n', in.len - start))) {
			*nl = '\0';
			rc = batch_one(ctx, repo, &out, &tmp, (char *)in.data + start,
				       contents);
			start = (size_t)(nl - (char *)in.data) + 1;
		}
		if (rc)
			break;
		if (start)
			memmove(in.data, in.data + start, in.len - start);
		in.len -= start;
		start = 0;
		out_flush(ctx, &out);
		fflush(ctx->out);
		if ((rc = vcs_str_grow(&in, 64u << 10)))
			break;
		n = read(ctx->in_fd, in.data + in.len, in.cap - in.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = vcs_seterr(PMDB_ERROR, "reading requests: %s",
					strerror(errno));
			break;
		}
		if (n == 0) {
			if (in.len) {           /* a last line without '\n' */
				in.data[in.len] = '\0';
				rc = batch_one(ctx, repo, &out, &tmp, (char *)in.data,
					       contents);
			}
			break;
		}
		in.len += (size_t)n;
	}
done:
	out_flush(ctx, &out);
	vcs_str_free(&out);
	vcs_str_free(&in);
	vcs_str_free(&tmp);
	return rc ? pmvcs_report(ctx, rc, NULL, 0) : 0;
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

	/* git: -e is quiet (exit 1) only for a well-formed name whose
	 * object is missing; a name that does not resolve is fatal */
	if (rc)
		return pmvcs_die(ctx, "Not a valid object name %s", spec);
	rc = pmdb_object_info(repo->env, &oid, &type, &size);
	if (rc) {
		if (!strcmp(mode, "-e"))
			return PMVCS_EXIT_DIFF;
		return pmvcs_die(ctx, "Not a valid object name %s", spec);
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
			return pmvcs_usage(ctx, cat_file_usage, NULL);
		if (vcs_peel(repo, &oid, want, &oid))
			return pmvcs_fatal(ctx, "git cat-file %s: bad file", spec);
		type = want;
	}
	if (type == PMDB_OBJ_BLOB &&
	    !pmdb_object_info(repo->env, &oid, NULL, &size) &&
	    size >= VCS_BIG_STREAM) {
		rc = vcs_big_write_file(repo, &oid, ctx->out);
		return rc ? pmvcs_report(ctx, rc, spec, 0) : 0;
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
	int batch_full = 0, check = 0, all = 0, do_batch, rc, n;
	vcs_repo *repo;
	const pmvcs_option opts[] = {
		OPT_GROUP("Check object existence or emit object contents"),
		OPT_CALLBACK_F('e', NULL, &mode, NULL, "check if <object> exists",
			       PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, mode_cb),
		OPT_CALLBACK_F('p', NULL, &mode, NULL, "pretty-print <object> "
			       "content", PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG,
			       mode_cb),
		OPT_GROUP(""),
		OPT_CALLBACK_F('t', NULL, &mode, NULL, "show object type",
			       PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, mode_cb),
		OPT_CALLBACK_F('s', NULL, &mode, NULL, "show object size",
			       PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, mode_cb),
		OPT_GROUP("Batch objects requested on stdin (or "
			  "--batch-all-objects)"),
		OPT_BOOL(0, "batch", &batch_full, "show full <object> or <rev> "
			 "contents"),
		OPT_BOOL(0, "batch-check", &check, "like --batch, but don't emit "
			 "<contents>"),
		OPT_BOOL(0, "batch-all-objects", &all, "with --batch[-check]: "
			 "ignores stdin, batches all known objects"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, cat_file_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	do_batch = batch_full || check;
	/* "<type> <object>": the type is the first operand */
	if (!mode && n > 0) {
		mode = ctx->argv[0];
		spec = n > 1 ? ctx->argv[1] : NULL;
		n -= 2;
	} else if (n > 0) {
		spec = ctx->argv[0];
		n -= 1;
	}
	if (n > 0 || (do_batch ? (mode || spec) : (!mode || !spec || all)))
		return pmvcs_usage(ctx, cat_file_usage, opts);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = do_batch ? batch(ctx, repo, !check, all)
		      : single(ctx, repo, mode, spec);
	vcs_repo_free(repo);
	return rc;
}
