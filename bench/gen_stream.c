/*
 * gen_stream.c -- write a large, realistic git fast-import stream.
 *
 * usage: gen_stream [-n COMMITS] [-s SIZE[k|M|G]] [-f FILES] [-m MAXFILE] [-r SEED]
 *
 * The stream is a deterministic function of its arguments. It looks like
 * the history of a source tree, so that sizes, compressibility (lz4, zlib)
 * and git's deltas behave as on real projects:
 *  - an initial commit of FILES files in nested directories (C sources and
 *    headers, scripts, docs), whose text is made of lines of identifiers,
 *    keywords and punctuation drawn from a per-seed vocabulary;
 *  - then COMMITS-1 commits, each editing a few files with small hunks
 *    (changed, inserted and deleted lines) of the previous version, now
 *    and then adding or deleting a file; the number of files touched per
 *    commit is steered so that the whole stream comes close to SIZE;
 *  - every 40 commits a topic branch of 2-5 commits merged back with a
 *    real merge commit (two parents); an annotated tag every 250 commits.
 * Blobs are emitted with marks before the commit that uses them, as
 * `git fast-export` writes them.
 *
 * MAXFILE caps the size of new files (e.g. -n 1 -f 10000 -m 2048 makes a
 * 10,000-file tree for `status`).
 *
 * Memory: the current text of every file (FILES x ~8 KB), not the stream.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One file of the simulated working tree. */
struct file {
	char *path;
	char *text;
	size_t len, cap;
	unsigned mode;          /* 0100644 or 0100755 */
	uint64_t mark;          /* mark of its current blob */
	size_t local;           /* picks its own identifiers (gen_line) */
	int live;
};

/* The whole generator state. */
struct gen {
	uint64_t rng;
	char **words;           /* identifier vocabulary */
	size_t nwords;
	char **idioms;          /* lines that recur, as "}" or "return 0;" */
	size_t nidioms;
	char **dirs;            /* directory paths ("" is the root) */
	size_t ndirs;
	struct file *files;
	size_t nfiles, capfiles;
	uint64_t next_mark;
	uint64_t when;          /* committer time, seconds */
	uint64_t out_bytes;     /* bytes written so far */
	uint64_t ncommits;      /* commits written so far */
	size_t maxfile;         /* cap on the size of a new file */
	FILE *out;
};

static uint64_t rnd(struct gen *g);
static size_t rnd_below(struct gen *g, size_t n);
static void die(const char *msg);
static void *xmalloc(size_t n);
static void gen_vocab(struct gen *g);
static void gen_dirs(struct gen *g, size_t n);
static void gen_line(struct gen *g, size_t local, char *buf, size_t *len);
static void gen_idioms(struct gen *g, size_t n);
static void file_reserve(struct file *f, size_t extra);
static void file_fill(struct gen *g, struct file *f, size_t target);
static void file_edit(struct gen *g, struct file *f);
static struct file *file_new(struct gen *g);
static void out_write(struct gen *g, const void *p, size_t n);
static void out_printf(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void emit_blob(struct gen *g, struct file *f);
static void emit_data(struct gen *g, const char *p, size_t n);
static uint64_t emit_commit_head(struct gen *g, const char *ref,
				 uint64_t from, uint64_t merge);
static uint64_t parse_size(const char *s);
static void gen_free(struct gen *g);

/*
 * rnd -- xorshift64* step: the only source of randomness.
 */
static uint64_t
rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

/*
 * rnd_below -- uniform-enough integer in [0, n); n > 0.
 */
static size_t
rnd_below(struct gen *g, size_t n)
{
	return (size_t)((rnd(g) >> 11) % n);
}

/*
 * die -- report a fatal error and exit.
 */
static void
die(const char *msg)
{
	fprintf(stderr, "gen_stream: %s: %s\n", msg, strerror(errno));
	exit(1);
}

/*
 * xmalloc -- malloc or die.
 */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		die("out of memory");
	return p;
}

/*
 * gen_vocab -- make 3,000 identifiers out of syllables, plus keywords;
 * lines draw from them with a skewed distribution, so repeated words make
 * the text about as compressible as real source.
 */
static void
gen_vocab(struct gen *g)
{
	static const char *syl[] = {
		"ar", "be", "ci", "do", "en", "fa", "get", "ho", "in", "ka",
		"lo", "me", "na", "op", "pre", "qu", "re", "set", "to", "un",
		"val", "wr", "xi", "buf", "len", "cnt", "ptr", "idx", "map", "node",
	};
	static const char *kw[] = {
		"if", "else", "for", "while", "return", "int", "size_t", "char",
		"const", "static", "struct", "void", "unsigned", "uint64_t", "NULL",
		"break", "continue", "sizeof", "goto", "case",
	};
	size_t nsyl = sizeof(syl) / sizeof(syl[0]);
	size_t nkw = sizeof(kw) / sizeof(kw[0]);

	g->nwords = 3000 + nkw;
	g->words = xmalloc(g->nwords * sizeof(char *));
	for (size_t i = 0; i < nkw; i++)
		g->words[i] = (char *)kw[i];
	for (size_t i = nkw; i < g->nwords; i++) {
		char w[64];
		size_t n = 0, parts = 1 + rnd_below(g, 3);
		for (size_t p = 0; p < parts; p++) {
			const char *s = syl[rnd_below(g, nsyl)];
			if (p && rnd_below(g, 2))
				w[n++] = '_';
			memcpy(w + n, s, strlen(s));
			n += strlen(s);
		}
		w[n] = 0;
		g->words[i] = strdup(w);
		if (!g->words[i])
			die("out of memory");
	}
}

/*
 * gen_dirs -- n nested directories; each new one hangs under a random
 * earlier one (the root is dirs[0] = ""), which gives depths of 1-6.
 */
static void
gen_dirs(struct gen *g, size_t n)
{
	g->dirs = xmalloc(n * sizeof(char *));
	g->dirs[0] = "";
	for (size_t i = 1; i < n; i++) {
		const char *parent = g->dirs[rnd_below(g, i < 8 ? 1 : i / 2 + 1)];
		const char *w = g->words[20 + rnd_below(g, g->nwords - 20)];
		size_t len = strlen(parent) + strlen(w) + 16;
		g->dirs[i] = xmalloc(len);
		snprintf(g->dirs[i], len, "%s%s%s%zu", parent, *parent ? "/" : "",
			 w, i);
	}
	g->ndirs = n;
}

/*
 * gen_line -- one line of source-like text, newline included, into buf
 * (at least 256 bytes); *len gets its length. local picks the file's own
 * 12 identifiers (its "local variables"), used for 60% of the words, so
 * that a file repeats itself as real code does.
 */
static void
gen_line(struct gen *g, size_t local, char *buf, size_t *len)
{
	static const char *punct[] = { " = ", "(", ");", ", ", " + ", "->",
				       " == ", "[", "];", " {", "}", ";", " && " };
	size_t n = 0, depth = rnd_below(g, 4), words;

	if (rnd_below(g, 8) == 0) {     /* blank line */
		buf[0] = '\n';
		*len = 1;
		return;
	}
	if (g->nidioms && rnd_below(g, 100) < 65) {
		size_t r = rnd_below(g, g->nidioms);
		const char *l = g->idioms[r * r / g->nidioms];
		*len = strlen(l);
		memcpy(buf, l, *len);
		return;
	}
	for (size_t i = 0; i < depth; i++)
		buf[n++] = '\t';
	if (rnd_below(g, 10) == 0) {    /* comment */
		memcpy(buf + n, "/* ", 3);
		n += 3;
	}
	words = 1 + rnd_below(g, 7);
	for (size_t i = 0; i < words && n < 200; i++) {
		/* skewed: small indices (keywords, common words) are frequent */
		uint64_t r = rnd_below(g, g->nwords);
		size_t idx = (size_t)(r * r * r / ((uint64_t)g->nwords * g->nwords));
		if (rnd_below(g, 10) < 8)
			idx = (local * 7919 + rnd_below(g, 12)) % g->nwords;
		size_t wl = strlen(g->words[idx]);
		memcpy(buf + n, g->words[idx], wl);
		n += wl;
		if (i + 1 < words) {
			const char *p = punct[rnd_below(g, sizeof(punct) / sizeof(punct[0]))];
			memcpy(buf + n, p, strlen(p));
			n += strlen(p);
		}
	}
	buf[n++] = '\n';
	*len = n;
}

/*
 * gen_idioms -- n lines made once and then repeated through every file,
 * with the skew of real code (closing braces, returns, includes).
 */
static void
gen_idioms(struct gen *g, size_t n)
{
	static const char *fixed[] = { "}\n", "\t}\n", "\treturn 0;\n",
				       "\t\tbreak;\n", "\t} else {\n", "{\n",
				       "\t\treturn -1;\n", "#include <stdio.h>\n",
				       "#include <string.h>\n", " */\n" };
	size_t nf = sizeof(fixed) / sizeof(fixed[0]);
	char line[256];
	size_t len;

	g->idioms = xmalloc(n * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (i < nf) {
			g->idioms[i] = (char *)fixed[i];
			continue;
		}
		gen_line(g, i, line, &len);
		g->idioms[i] = xmalloc(len + 1);
		memcpy(g->idioms[i], line, len);
		g->idioms[i][len] = 0;
	}
	g->nidioms = n;
}

/*
 * file_reserve -- make room for extra more bytes of text.
 */
static void
file_reserve(struct file *f, size_t extra)
{
	if (f->len + extra <= f->cap)
		return;
	size_t cap = f->cap ? f->cap : 4096;
	while (cap < f->len + extra)
		cap *= 2;
	f->text = realloc(f->text, cap);
	if (!f->text)
		die("out of memory");
	f->cap = cap;
}

/*
 * file_fill -- append lines until the text is at least target bytes.
 */
static void
file_fill(struct gen *g, struct file *f, size_t target)
{
	char line[256];
	size_t n;

	while (f->len < target) {
		gen_line(g, f->local, line, &n);
		file_reserve(f, n);
		memcpy(f->text + f->len, line, n);
		f->len += n;
	}
}

/*
 * line_start -- offset of the start of the line holding byte off.
 */
static size_t
line_start(const struct file *f, size_t off)
{
	while (off > 0 && f->text[off - 1] != '\n')
		off--;
	return off;
}

/*
 * line_end -- offset just past the newline of the line starting at off.
 */
static size_t
line_end(const struct file *f, size_t off)
{
	const char *nl = memchr(f->text + off, '\n', f->len - off);
	return nl ? (size_t)(nl - f->text) + 1 : f->len;
}

/*
 * file_edit -- 1-4 hunks: replace a line, insert 1-8 lines, or delete
 * 1-3 lines at random places; files above 48 KB shrink more than grow.
 */
static void
file_edit(struct gen *g, struct file *f)
{
	size_t hunks = 1 + rnd_below(g, 4);
	char line[256];
	size_t n;

	for (size_t h = 0; h < hunks; h++) {
		size_t at = f->len ? line_start(f, rnd_below(g, f->len)) : 0;
		size_t kind = rnd_below(g, 10);
		if (f->len > 48 * 1024 && kind < 6)
			kind = 9;
		if (kind < 4 && at < f->len) {          /* change a line */
			size_t end = line_end(f, at);
			gen_line(g, f->local, line, &n);
			file_reserve(f, n);
			memmove(f->text + at + n, f->text + end, f->len - end);
			memcpy(f->text + at, line, n);
			f->len = f->len - (end - at) + n;
		} else if (kind < 8) {                  /* insert lines */
			size_t k = 1 + rnd_below(g, 8);
			for (size_t i = 0; i < k; i++) {
				gen_line(g, f->local, line, &n);
				file_reserve(f, n);
				memmove(f->text + at + n, f->text + at, f->len - at);
				memcpy(f->text + at, line, n);
				f->len += n;
			}
		} else if (at < f->len) {               /* delete lines */
			size_t end = at, k = 1 + rnd_below(g, 3);
			for (size_t i = 0; i < k && end < f->len; i++)
				end = line_end(f, end);
			memmove(f->text + at, f->text + end, f->len - end);
			f->len -= end - at;
		}
	}
}

/*
 * file_new -- add a file with a fresh path and 200 B..~60 KB of text
 * (log-uniform sizes, median ~3.5 KB, mean ~8 KB).
 */
static struct file *
file_new(struct gen *g)
{
	static const char *ext[] = { ".c", ".c", ".c", ".h", ".h", ".py",
				     ".md", ".sh", ".txt", ".S" };
	struct file *f;
	char path[512];
	const char *dir, *w;
	size_t target;

	if (g->nfiles == g->capfiles) {
		g->capfiles = g->capfiles ? g->capfiles * 2 : 1024;
		g->files = realloc(g->files, g->capfiles * sizeof(*g->files));
		if (!g->files)
			die("out of memory");
	}
	f = &g->files[g->nfiles];
	memset(f, 0, sizeof(*f));
	dir = g->dirs[rnd_below(g, g->ndirs)];
	w = g->words[20 + rnd_below(g, g->nwords - 20)];
	snprintf(path, sizeof(path), "%s%s%s_%zu%s", dir, *dir ? "/" : "", w,
		 g->nfiles, ext[rnd_below(g, sizeof(ext) / sizeof(ext[0]))]);
	f->path = strdup(path);
	if (!f->path)
		die("out of memory");
	f->mode = strstr(path, ".sh") ? 0100755 : 0100644;
	f->live = 1;
	f->local = rnd_below(g, g->nwords);
	/* log-uniform in [200, 200 * 2^8.2] */
	target = 200;
	for (size_t bits = rnd_below(g, 83); bits >= 10; bits -= 10)
		target *= 2;
	target += rnd_below(g, target);
	if (target > g->maxfile)
		target = g->maxfile;
	file_fill(g, f, target);
	g->nfiles++;
	return f;
}

/*
 * out_write -- write n bytes of the stream or die.
 */
static void
out_write(struct gen *g, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, g->out) != n)
		die("write");
	g->out_bytes += n;
}

/*
 * out_printf -- formatted stream output.
 */
static void
out_printf(struct gen *g, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = EOVERFLOW;
		die("line too long");
	}
	out_write(g, buf, (size_t)n);
}

/*
 * emit_data -- a "data <n>" command and its bytes.
 */
static void
emit_data(struct gen *g, const char *p, size_t n)
{
	out_printf(g, "data %zu\n", n);
	out_write(g, p, n);
	out_write(g, "\n", 1);
}

/*
 * emit_blob -- the file's current text as a blob with a new mark.
 */
static void
emit_blob(struct gen *g, struct file *f)
{
	f->mark = g->next_mark++;
	out_printf(g, "blob\nmark :%" PRIu64 "\n", f->mark);
	emit_data(g, f->text, f->len);
}

/*
 * emit_commit_head -- "commit", mark, author, committer, message, from
 * and merge lines (0 = none); returns the commit's mark.
 */
static uint64_t
emit_commit_head(struct gen *g, const char *ref, uint64_t from, uint64_t merge)
{
	static const char *who[] = { "Ada Lovelace <ada@example.org>",
				     "Linus T <lt@example.com>",
				     "Grace Hopper <grace@navy.example>",
				     "Ken Thompson <ken@bell.example>",
				     "Barbara Liskov <bl@mit.example>" };
	static const char *tz[] = { "+0000", "+0100", "-0700", "+0530", "+0900" };
	uint64_t mark = g->next_mark++;
	size_t a = rnd_below(g, 5), c = rnd_below(g, 5);
	char msg[600];
	size_t n = 0, words = 3 + rnd_below(g, 10);

	g->when += 60 + rnd_below(g, 20000);
	out_printf(g, "commit %s\nmark :%" PRIu64 "\n", ref, mark);
	out_printf(g, "author %s %" PRIu64 " %s\n", who[a], g->when - rnd_below(g, 5000),
		   tz[a]);
	out_printf(g, "committer %s %" PRIu64 " %s\n", who[c], g->when, tz[c]);
	for (size_t i = 0; i < words && n < 400; i++) {
		const char *w = g->words[rnd_below(g, g->nwords)];
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%s", i ? " " : "", w);
	}
	if (rnd_below(g, 3) == 0)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n,
				      "\n\nThis change touches %zu things.", words);
	if (rnd_below(g, 5))                 /* 20% lack a final newline */
		msg[n++] = '\n';
	emit_data(g, msg, n);
	if (from)
		out_printf(g, "from :%" PRIu64 "\n", from);
	if (merge)
		out_printf(g, "merge :%" PRIu64 "\n", merge);
	g->ncommits++;
	return mark;
}

/*
 * emit_fileop -- an M line for f's current blob, or a D line.
 */
static void
emit_fileop(struct gen *g, const struct file *f)
{
	if (f->live)
		out_printf(g, "M %o :%" PRIu64 " %s\n", f->mode, f->mark, f->path);
	else
		out_printf(g, "D %s\n", f->path);
}

/*
 * emit_change_commit -- one ordinary commit on ref that edits about
 * nfiles files; touched files are appended to touched (if not NULL).
 */
static uint64_t
emit_change_commit(struct gen *g, const char *ref, uint64_t from,
		   size_t nfiles, size_t *touched, size_t *ntouched)
{
	size_t idx[256];
	size_t k = 0;
	uint64_t mark;

	if (nfiles > 256)
		nfiles = 256;
	for (size_t i = 0; i < nfiles; i++) {
		size_t r = rnd_below(g, 100), j;
		if (r < 3) {                             /* new file */
			file_new(g);
			j = g->nfiles - 1;
		} else {
			j = rnd_below(g, g->nfiles);
			if (!g->files[j].live)
				continue;
			if (r < 5 && g->nfiles > 50) {   /* delete it */
				g->files[j].live = 0;
				idx[k++] = j;
				continue;
			}
			file_edit(g, &g->files[j]);
		}
		emit_blob(g, &g->files[j]);
		idx[k++] = j;
	}
	mark = emit_commit_head(g, ref, from, 0);
	for (size_t i = 0; i < k; i++) {
		emit_fileop(g, &g->files[idx[i]]);
		if (touched && *ntouched < 4096)
			touched[(*ntouched)++] = idx[i];
	}
	out_write(g, "\n", 1);
	return mark;
}

/*
 * parse_size -- "100M", "1G", "512k" or plain bytes.
 */
static uint64_t
parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': return v << 10;
	case 'm': case 'M': return v << 20;
	case 'g': case 'G': return v << 30;
	default: return v;
	}
}

/*
 * gen_free -- release everything (so that leak checkers stay quiet).
 */
static void
gen_free(struct gen *g)
{
	for (size_t i = 0; i < g->nfiles; i++) {
		free(g->files[i].path);
		free(g->files[i].text);
	}
	free(g->files);
	for (size_t i = 20; i < g->nwords; i++)     /* 0..19: keywords */
		free(g->words[i]);
	free(g->words);
	for (size_t i = 10; i < g->nidioms; i++)    /* 0..9: fixed lines */
		free(g->idioms[i]);
	free(g->idioms);
	for (size_t i = 1; i < g->ndirs; i++)       /* 0: "" */
		free(g->dirs[i]);
	free(g->dirs);
}

int
main(int argc, char **argv)
{
	struct gen g;
	uint64_t commits = 2000, size = 100ull << 20, seed = 1, head, tags = 0;
	size_t nfiles = 3000, avg = 8192, maxfile = 1 << 20;
	static size_t touched[4096];
	int opt;

	while ((opt = getopt(argc, argv, "n:s:f:m:r:h")) != -1) {
		switch (opt) {
		case 'n': commits = strtoull(optarg, NULL, 10); break;
		case 's': size = parse_size(optarg); break;
		case 'f': nfiles = strtoull(optarg, NULL, 10); break;
		case 'm': maxfile = parse_size(optarg); break;
		case 'r': seed = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: gen_stream [-n COMMITS] [-s SIZE[k|M|G]] "
					"[-f FILES] [-m MAXFILE] [-r SEED] > stream\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (commits < 1 || nfiles < 1) {
		fprintf(stderr, "gen_stream: need at least one commit and one file\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.rng = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
	if (!g.rng)
		g.rng = 1;
	g.out = stdout;
	g.next_mark = 1;
	g.when = 1300000000;
	g.maxfile = maxfile ? maxfile : 1;
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	gen_vocab(&g);
	gen_idioms(&g, 400);
	gen_dirs(&g, nfiles / 12 + 2);

	/* initial commit: every file */
	for (size_t i = 0; i < nfiles; i++)
		emit_blob(&g, file_new(&g));
	head = emit_commit_head(&g, "refs/heads/main", 0, 0);
	for (size_t i = 0; i < g.nfiles; i++)
		emit_fileop(&g, &g.files[i]);
	out_write(&g, "\n", 1);

	while (g.ncommits < commits) {
		uint64_t left = commits - g.ncommits;
		uint64_t budget = size > g.out_bytes ? size - g.out_bytes : 0;
		size_t per = (size_t)(budget / left / avg);
		per = per ? per : 1;
		/* jitter: 1/2x .. 3/2x of the steered number of files */
		per = per / 2 + rnd_below(&g, per + 1);
		per = per ? per : 1;
		if (g.ncommits % 40 == 0 && left > 6) {
			/* topic branch, then a merge commit into main */
			char ref[64];
			size_t nt = 0, k = 2 + rnd_below(&g, 4);
			uint64_t b = head;
			snprintf(ref, sizeof(ref), "refs/heads/topic-%" PRIu64, g.ncommits);
			for (size_t i = 0; i < k; i++)
				b = emit_change_commit(&g, ref, b, per, touched, &nt);
			head = emit_commit_head(&g, "refs/heads/main", head, b);
			for (size_t i = 0; i < nt; i++)
				emit_fileop(&g, &g.files[touched[i]]);
			out_write(&g, "\n", 1);
		} else {
			head = emit_change_commit(&g, "refs/heads/main", head, per, NULL, NULL);
		}
		if (g.ncommits / 250 > tags) {
			tags = g.ncommits / 250;
			out_printf(&g, "tag v%" PRIu64 ".0\nfrom :%" PRIu64 "\n"
				   "tagger Ada Lovelace <ada@example.org> %" PRIu64 " +0000\n",
				   tags, head, g.when);
			emit_data(&g, "Release.\n", 9);
		}
	}
	if (fflush(stdout) != 0)
		die("write");
	fprintf(stderr, "gen_stream: %" PRIu64 " commits, %zu files, %" PRIu64 " bytes\n",
		g.ncommits, g.nfiles, g.out_bytes);
	gen_free(&g);
	return 0;
}
