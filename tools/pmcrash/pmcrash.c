/*
 * pmcrash.c -- simulate power loss at the flush points of a command.
 *
 * pmcrash [options] --repo DIR -- CMD [ARGS...]
 *
 * 1. Reference run: copy DIR to a scratch directory, run CMD there under the
 *    interposer (preload.c) in record mode: the number of flush points N.
 *    With the default check, the refs are read before and after it.
 * 2. For each chosen point n: copy DIR afresh, run CMD with the power cut at
 *    n (the interposer kills the whole run right after flush n), build the
 *    crash image (image.c) and run the check on it (check.c or --check).
 * 3. Report failures with the command line that reproduces each one.
 *
 * Runs are expected to be deterministic (same flushes in the same order);
 * when a run does not reach its point, it is counted as "not reached".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pmcrash.h"

static const char usage_text[] =
	"usage: pmcrash [options] --repo DIR -- CMD [ARGS...]\n"
	"\n"
	"Simulate a power cut at the flush points of CMD run against a copy of DIR,\n"
	"and check that every crash image is consistent.\n"
	"\n"
	"  --repo=DIR          repository (or any directory holding pool files); CMD\n"
	"                      runs in a fresh copy of it for every crash point\n"
	"  --points=SPEC       all | N | A-B | random:K, comma-separated (default all)\n"
	"  --seed=S            master seed of point choice and images (default: random)\n"
	"  --images=K          crash images built per crashed run (default 1)\n"
	"  --mode=M            random: each unflushed unit kept or lost by the seed;\n"
	"                      drop-all: every unflushed write lost; keep-all: every\n"
	"                      one kept (the same as a process kill) (default random)\n"
	"  --granularity=G     page (4096 B) or line (64 B) units (default: page for\n"
	"                      --media=file, line for --media=pmem)\n"
	"  --media=M           file: PMEM_IS_PMEM_FORCE=0, flushes are msync (default);\n"
	"                      pmem: PMEM_IS_PMEM_FORCE=1, flushes are libpmem\n"
	"                      flush+drain\n"
	"  --check=CMD         check to run in each image (sh -c; exit 0 = good); default:\n"
	"                      `pmvcs fsck` passes and every ref is old or new\n"
	"  --stdin=FILE        feed FILE to CMD on every run\n"
	"  --keep-failures=DIR copy each failing image into DIR\n"
	"  --pmvcs=PATH        pmvcs for the default check (default $PMVCS or pmvcs)\n"
	"  --preload=PATH      the interposer (default $PMCRASH_PRELOAD or beside pmcrash)\n"
	"  --timeout=SEC       limit per command (default 120)\n"
	"  -v, --verbose       say what happens at every point\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit: 0 all points good, 1 some failed, 128 error. CMD and --check see\n"
	"PMCRASH_REPO (the copy), PMCRASH_POINT and PMCRASH_SEED. See docs/pmcrash.md.\n";

/* the state of one pmcrash invocation */
struct ctx {
	struct opts o;
	char work[PATH_MAX - 64];  /* scratch root: short enough for "/image" etc. */
	char run[PATH_MAX];   /* the repository copy the runs use */
	char img[PATH_MAX];   /* a second copy when --images > 1 */
	char kept[PATH_MAX];  /* the image as built, for --keep-failures */
	char base[PATH_MAX];  /* a sparse copy of --repo: what each run starts from */
	char state[PATH_MAX]; /* the interposer's state directory */
	char repo_abs[PATH_MAX];
	struct refs before, after;
	uint64_t total;       /* flush points of the reference run */
	unsigned ok, failed, unreached;
	int argc;
	char **argv;          /* ours, for the reproduce line */
};

/* die -- a tool error */
static int die(const char *msg, const char *arg)
{
	fprintf(stderr, "pmcrash: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	return PMCRASH_EXIT_ERROR;
}

/* parse_u64 -- a number in any base strtoull takes; -1 on junk */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || end == s || *end) ? -1 : 0;
}

/* parse_opts -- fill c->o from argv; 0, or an exit code */
static int parse_opts(struct ctx *c, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "repo", 1, 0, 'r' },    { "points", 1, 0, 'p' },  { "seed", 1, 0, 's' },
		{ "images", 1, 0, 'i' },  { "mode", 1, 0, 'm' },    { "granularity", 1, 0, 'g' },
		{ "media", 1, 0, 'M' },   { "check", 1, 0, 'c' },   { "stdin", 1, 0, 'I' },
		{ "keep-failures", 1, 0, 'k' }, { "pmvcs", 1, 0, 'P' }, { "preload", 1, 0, 'L' },
		{ "timeout", 1, 0, 't' }, { "verbose", 0, 0, 'v' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 }
	};
	struct opts *o = &c->o;
	const char *gran = NULL;
	uint64_t v;
	int ch, seeded = 0;
	o->points = "all";
	o->images = 1;
	o->timeout = 120;
	o->pmvcs = getenv("PMVCS") ? getenv("PMVCS") : "pmvcs";
	o->preload = getenv("PMCRASH_PRELOAD");
	while ((ch = getopt_long(argc, argv, "+vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'r': o->repo = optarg; break;
		case 'p': o->points = optarg; break;
		case 's':
			if (parse_u64(optarg, &o->seed))
				return die("bad --seed", optarg);
			seeded = 1;
			break;
		case 'i':
			if (parse_u64(optarg, &v) || v < 1 || v > 1000)
				return die("bad --images", optarg);
			o->images = (unsigned)v;
			break;
		case 'm':
			if (!strcmp(optarg, "random"))
				o->mode = MODE_RANDOM;
			else if (!strcmp(optarg, "drop-all"))
				o->mode = MODE_DROP_ALL;
			else if (!strcmp(optarg, "keep-all"))
				o->mode = MODE_KEEP_ALL;
			else
				return die("bad --mode (random, drop-all, keep-all)", optarg);
			break;
		case 'g': gran = optarg; break;
		case 'M':
			if (strcmp(optarg, "file") && strcmp(optarg, "pmem"))
				return die("bad --media (file, pmem)", optarg);
			o->media_pmem = !strcmp(optarg, "pmem");
			break;
		case 'c': o->check = optarg; break;
		case 'I': o->stdin_file = optarg; break;
		case 'k': o->keep_dir = optarg; break;
		case 'P': o->pmvcs = optarg; break;
		case 'L': o->preload = optarg; break;
		case 't':
			if (parse_u64(optarg, &v) || v < 1 || v > 86400)
				return die("bad --timeout", optarg);
			o->timeout = (unsigned)v;
			break;
		case 'v': o->verbose++; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: fputs(usage_text, stderr); exit(PMCRASH_EXIT_ERROR);
		}
	}
	if (!o->repo || optind >= argc) {
		fputs(usage_text, stderr);
		return PMCRASH_EXIT_ERROR;
	}
	o->cmd = argv + optind;
	o->unit = o->media_pmem ? 64 : 4096;
	if (gran && !strcmp(gran, "page"))
		o->unit = 4096;
	else if (gran && !strcmp(gran, "line"))
		o->unit = 64;
	else if (gran)
		return die("bad --granularity (page, line)", gran);
	if (!seeded) {
		FILE *f = fopen("/dev/urandom", "r");
		if (!f || fread(&o->seed, sizeof(o->seed), 1, f) != 1)
			o->seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
		if (f)
			fclose(f);
		o->seed &= 0xffffffffull;
	}
	return 0;
}

/* find_preload -- fill o->preload when not given: pmcrash_preload.so beside us */
static int find_preload(struct opts *o)
{
	static char buf[PATH_MAX];
	if (o->preload)
		return access(o->preload, R_OK) == 0 ? 0 : -1;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 32);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	strcpy(slash + 1, "pmcrash_preload.so");
	if (access(buf, R_OK) != 0) {
#ifdef PMCRASH_LIBDIR
		/* installed: the library directory the build was configured
		 * for (lib/<multiarch> on Debian), then ../lib beside us */
		snprintf(buf, sizeof(buf), "%s/pmcrash_preload.so", PMCRASH_LIBDIR);
		if (access(buf, R_OK) == 0) {
			o->preload = buf;
			return 0;
		}
		n = readlink("/proc/self/exe", buf, sizeof(buf) - 32);
		if (n <= 0)
			return -1;
		buf[n] = 0;
		slash = strrchr(buf, '/');
#endif
		strcpy(slash + 1, "../lib/pmcrash_preload.so");
		if (access(buf, R_OK) != 0)
			return -1;
	}
	o->preload = buf;
	return 0;
}

/* image_seed -- the seed of image i at point n */
static uint64_t image_seed(uint64_t master, uint64_t n, unsigned i)
{
	return mix64(master ^ mix64(n * 0x100000001b3ull + i));
}

/* run_once -- fresh copy of the repo, run CMD (crash at point n, 0: none);
 * the result in r; 0 or -1 */
static int run_once(struct ctx *c, uint64_t n, struct result *r)
{
	char e[8][PATH_MAX + 32], seed[32], asan[1024];
	char *env[12];
	int k = 0;
	const char *ao = getenv("ASAN_OPTIONS");
	if (remove_tree(c->run) || remove_tree(c->state) || copy_tree(c->base, c->run))
		return -1;
	char sh[PATH_MAX + 16];
	snprintf(sh, sizeof(sh), "%s/shadow", c->state);
	if (mkdir(c->state, 0700) || mkdir(sh, 0700))
		return -1;
	snprintf(e[0], sizeof(e[0]), "LD_PRELOAD=%s", c->o.preload);
	snprintf(e[1], sizeof(e[1]), "PMCRASH_DIR=%s", c->state);
	snprintf(e[2], sizeof(e[2]), "PMCRASH_ROOT=%s", c->run);
	snprintf(e[3], sizeof(e[3]), "PMCRASH_CRASH_AT=%llu", (unsigned long long)n);
	snprintf(e[4], sizeof(e[4]), "PMCRASH_UNIT=%u", c->o.unit);
	snprintf(e[5], sizeof(e[5]), "PMCRASH_MEDIA=%s", c->o.media_pmem ? "pmem" : "file");
	snprintf(e[6], sizeof(e[6]), "PMEM_IS_PMEM_FORCE=%d", c->o.media_pmem);
	snprintf(e[7], sizeof(e[7]), "PMCRASH_REPO=%s", c->run);
	for (k = 0; k < 8; k++)
		env[k] = e[k];
	env[k++] = c->o.verbose > 1 ? "PMCRASH_LOG=1" : "PMCRASH_LOG=0";
	snprintf(seed, sizeof(seed), "PMCRASH_SEED=%#llx", (unsigned long long)c->o.seed);
	env[k++] = seed;
	/* an ASan target must not insist on coming first in the preload list */
	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sverify_asan_link_order=0", ao ? ao : "",
		 ao && *ao ? ":" : "");
	env[k++] = asan;
	env[k] = NULL;
	return run_cmd(c->o.cmd, c->run, env, c->o.stdin_file, c->o.timeout,
		       c->o.verbose < 2, r);
}

/* read_u64_file -- the number in a state file (binary: the counter) */
static uint64_t read_state(struct ctx *c, const char *name, int binary)
{
	char p[PATH_MAX + 32], buf[32] = { 0 };
	uint64_t v = 0;
	snprintf(p, sizeof(p), "%s/%s", c->state, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return 0;
	if (binary) {
		if (fread(&v, sizeof(v), 1, f) != 1)
			v = 0;
	} else if (fgets(buf, sizeof(buf), f)) {
		v = strtoull(buf, NULL, 10);
	}
	fclose(f);
	return v;
}

/* print_repro -- the command line that reproduces point n */
static void print_repro(struct ctx *c, uint64_t n)
{
	printf("  reproduce: pmcrash --points=%llu --seed=%#llx", (unsigned long long)n,
	       (unsigned long long)c->o.seed);
	for (int i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (!strncmp(a, "--points", 8) || !strncmp(a, "--seed", 6))
			continue;
		if (strpbrk(a, " \t'\"$;&|<>()*?") || !*a)
			printf(" '%s'", a);
		else
			printf(" %s", a);
	}
	printf("\n");
}

/* check_image -- run the check in dir; 1 good, 0 bad, -1 error */
static int check_image(struct ctx *c, const char *dir, uint64_t n, uint64_t seed,
		       char *why, size_t whysize)
{
	if (!c->o.check)
		return check_default(&c->o, dir, &c->before, &c->after, why, whysize);
	char e[3][PATH_MAX + 32], lines[512];
	char *env[] = { e[0], e[1], e[2], NULL };
	snprintf(e[0], sizeof(e[0]), "PMCRASH_REPO=%s", dir);
	snprintf(e[1], sizeof(e[1]), "PMCRASH_POINT=%llu", (unsigned long long)n);
	snprintf(e[2], sizeof(e[2]), "PMCRASH_SEED=%#llx", (unsigned long long)seed);
	struct result r;
	if (run_sh(c->o.check, dir, env, c->o.timeout, &r) != 0)
		return -1;
	int good = r.status == 0;
	if (!good)
		snprintf(why, whysize, "check %s %d: %s", r.signal ? "signal" : "exit",
			 r.signal ? r.signal : r.status, first_lines(r.out, 3, lines, sizeof(lines)));
	result_free(&r);
	return good;
}

/* try_point -- crash at point n, check every image; 0 or -1 (tool error) */
static int try_point(struct ctx *c, uint64_t n)
{
	struct result r;
	if (run_once(c, n, &r) != 0)
		return -1;
	uint64_t at = read_state(c, "crashed", 0);
	if (at != n) {
		c->unreached++;
		printf("point %llu not reached (run %s %d after %llu flush points)\n",
		       (unsigned long long)n, r.signal ? "signal" : "exit",
		       r.signal ? r.signal : r.status,
		       (unsigned long long)read_state(c, "counter", 1));
		result_free(&r);
		return 0;
	}
	result_free(&r);
	for (unsigned i = 0; i < c->o.images; i++) {
		const char *dir = c->run;
		uint64_t seed = image_seed(c->o.seed, n, i);
		struct image_stats st;
		char why[1024] = "";
		if (c->o.images > 1) {
			if (remove_tree(c->img) || copy_tree(c->run, c->img))
				return -1;
			dir = c->img;
		}
		if (image_build(c->state, c->run, dir, c->o.unit, c->o.mode, seed, &st) != 0)
			return -1;
		/* the check may write to the image (recovery): keep it as built */
		if (c->o.keep_dir && (remove_tree(c->kept) || copy_tree(dir, c->kept)))
			return -1;
		int good = check_image(c, dir, n, seed, why, sizeof(why));
		if (good < 0)
			return -1;
		if (good)
			c->ok++;
		else
			c->failed++;
		if (c->o.verbose || !good) {
			printf("point %llu", (unsigned long long)n);
			if (c->o.images > 1)
				printf(" image %u", i);
			printf(" seed %#llx %s", (unsigned long long)c->o.seed,
			       good ? "ok" : "FAILED: ");
			printf("%s (%llu of %llu unflushed %s units dropped)\n", why,
			       (unsigned long long)st.dropped, (unsigned long long)st.differ,
			       c->o.unit == 64 ? "line" : "page");
		}
		if (!good)
			print_repro(c, n);
		if (!good && c->o.keep_dir) {
			char dst[PATH_MAX * 2];
			mkdir(c->o.keep_dir, 0755);
			snprintf(dst, sizeof(dst), "%s/point-%llu-image-%u", c->o.keep_dir,
				 (unsigned long long)n, i);
			remove_tree(dst);
			if (rename(c->kept, dst) == 0 || copy_tree(c->kept, dst) == 0)
				printf("  image kept in %s\n", dst);
		}
		fflush(stdout);
	}
	return 0;
}

/* reference -- refs before, the complete run, refs after; 0 or exit code */
static int reference(struct ctx *c)
{
	struct result r;
	if (!c->o.check) {
		if (remove_tree(c->run) || copy_tree(c->base, c->run) ||
		    refs_read(&c->o, c->run, &c->before) != 0)
			return die("cannot read the refs before the run", NULL);
	}
	if (run_once(c, 0, &r) != 0)
		return die("cannot run", c->o.cmd[0]);
	if (r.status != 0) {
		fprintf(stderr, "pmcrash: the reference run failed (%s %d):\n%s",
			r.signal ? "signal" : "exit", r.signal ? r.signal : r.status, r.out);
		result_free(&r);
		return PMCRASH_EXIT_ERROR;
	}
	result_free(&r);
	c->total = read_state(c, "counter", 1);
	if (c->o.verbose > 1) {
		char p[PATH_MAX + 8];
		snprintf(p, sizeof(p), "%s/log", c->state);
		printf("flush point log: %s (kept)\n", p);
	}
	if (!c->o.check && refs_read(&c->o, c->run, &c->after) != 0)
		return die("cannot read the refs after the run", NULL);
	return 0;
}

/* add_point -- mark point n in the chosen set */
static void add_point(unsigned char *set, uint64_t total, uint64_t n)
{
	if (n >= 1 && n <= total)
		set[n] = 1;
}

/* choose_points -- parse --points into a set over 1..total; 0 or -1 */
static int choose_points(struct ctx *c, unsigned char *set)
{
	char *spec = strdup(c->o.points), *save = NULL;
	uint64_t rng = mix64(c->o.seed ^ 0x706f696e74ull), a, b;
	int rc = 0;
	for (char *t = strtok_r(spec, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(t, '-');
		if (!strcmp(t, "all")) {
			for (uint64_t n = 1; n <= c->total; n++)
				set[n] = 1;
		} else if (!strncmp(t, "random:", 7) && !parse_u64(t + 7, &a)) {
			if (a >= c->total) {
				for (uint64_t n = 1; n <= c->total; n++)
					set[n] = 1;
				continue;
			}
			/* Floyd's sampling: a distinct points */
			for (uint64_t j = c->total - a + 1; j <= c->total; j++) {
				uint64_t x = (rng = mix64(rng)) % j + 1;
				set[set[x] ? j : x] = 1;
			}
		} else if (dash) {
			*dash = 0;
			if (parse_u64(t, &a) || parse_u64(dash + 1, &b))
				rc = -1;
			for (uint64_t n = a; !rc && n <= b && n <= c->total; n++)
				add_point(set, c->total, n);
		} else if (!parse_u64(t, &a)) {
			if (a > c->total)
				printf("point %llu is past the last flush point\n",
				       (unsigned long long)a);
			add_point(set, c->total, a);
		} else {
			rc = -1;
		}
	}
	free(spec);
	return rc;
}

/* setup -- scratch directories and the preload; 0 or exit code */
static int setup(struct ctx *c)
{
	const char *tmp = getenv("PMCRASH_TMPDIR");
	if (!tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	if (!tmp)
		tmp = "/tmp";
	if (find_preload(&c->o) != 0)
		return die("cannot find pmcrash_preload.so (use --preload)", c->o.preload);
	if (!realpath(c->o.repo, c->repo_abs))
		return die("no such repository", c->o.repo);
	c->o.repo = c->repo_abs;
	if (c->o.stdin_file && access(c->o.stdin_file, R_OK) != 0)
		return die("cannot read --stdin", c->o.stdin_file);
	snprintf(c->work, sizeof(c->work), "%s/pmcrash.XXXXXX", tmp);
	if (!mkdtemp(c->work) || !realpath(c->work, c->run))
		return die("cannot make a scratch directory in", tmp);
	if (strlen(c->run) >= sizeof(c->work))
		return die("scratch directory path too long", c->run);
	strcpy(c->work, c->run);
	snprintf(c->run, sizeof(c->run), "%s/repo", c->work);
	snprintf(c->img, sizeof(c->img), "%s/image", c->work);
	snprintf(c->state, sizeof(c->state), "%s/state", c->work);
	snprintf(c->kept, sizeof(c->kept), "%s/kept", c->work);
	snprintf(c->base, sizeof(c->base), "%s/base", c->work);
	/* pool parts are mostly zeros: a sparse copy makes every later copy,
	 * shadow and image cost what the pool holds, not what it reserves */
	char *argv[] = { "cp", "-a", "--sparse=always", "--", c->repo_abs, c->base, NULL };
	struct result r;
	if (run_cmd(argv, NULL, NULL, NULL, 600, 1, &r) != 0)
		return die("cannot copy the repository", c->repo_abs);
	if (r.status != 0) {
		fprintf(stderr, "pmcrash: cannot copy the repository: %s", r.out);
		result_free(&r);
		return PMCRASH_EXIT_ERROR;
	}
	result_free(&r);
	return 0;
}

/* main -- see the top of this file */
int main(int argc, char **argv)
{
	struct ctx c;
	memset(&c, 0, sizeof(c));
	c.argc = argc;
	c.argv = argv;
	int rc = parse_opts(&c, argc, argv);
	if (rc)
		return rc;
	if ((rc = setup(&c)) != 0)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pmcrash: seed %#llx, %s media, %s units, mode %s\n",
	       (unsigned long long)c.o.seed, c.o.media_pmem ? "pmem" : "file",
	       c.o.unit == 64 ? "64-byte line" : "4096-byte page",
	       c.o.mode == MODE_RANDOM ? "random" : c.o.mode == MODE_DROP_ALL ? "drop-all"
										: "keep-all");
	if ((rc = reference(&c)) != 0)
		goto out;
	printf("flush points: %llu\n", (unsigned long long)c.total);
	if (!c.total)
		fprintf(stderr, "pmcrash: warning: no flush point seen; does CMD map its pool "
				"files under %s and persist through libpmem or msync?\n",
			c.o.repo);
	unsigned char *set = calloc(c.total + 2, 1);
	if (!set || choose_points(&c, set) != 0) {
		free(set);
		rc = die("bad --points", c.o.points);
		goto out;
	}
	unsigned tried = 0;
	for (uint64_t n = 1; n <= c.total; n++) {
		if (!set[n])
			continue;
		tried++;
		if (try_point(&c, n) != 0) {
			free(set);
			rc = die("giving up at point", NULL);
			goto out;
		}
	}
	free(set);
	printf("tried %u crash points", tried);
	if (c.o.images > 1)
		printf(" (%u images each)", c.o.images);
	printf(": %u ok, %u failed", c.ok, c.failed);
	if (c.unreached)
		printf(", %u not reached", c.unreached);
	printf("\n");
	rc = c.failed ? PMCRASH_EXIT_FAILED : 0;
out:
	refs_free(&c.before);
	refs_free(&c.after);
	if (c.o.verbose < 2)
		remove_tree(c.work);
	else
		printf("scratch kept in %s\n", c.work);
	return rc;
}
