/*
 * helper.c -- git-remote-pmvcs ALIAS URL: git's remote helper for pmvcs
 * repositories (gitremote-helpers(7); docs/remote.md). git runs it for
 * `pmvcs::<path>` URLs and talks to it on stdin/stdout:
 *
 *   capabilities  import, export, refspec, the marks options
 *                 (git's own marks file), option
 *   list          the repository's refs (`pmvcs show-ref`) and HEAD
 *   import REF..  a fast-import stream of REFs for git's fast-import, from
 *                 `pmvcs fast-export`, minus what git already has (the
 *                 tips of the refs under refs/pmvcs/ALIAS/heads, by id),
 *                 heads renamed
 *                 into that private namespace
 *   export        git's fast-export stream into `pmvcs fast-import`,
 *                 then "ok REF" / "error REF why" for each ref it names
 *
 * No marks of its own: ids are the same on both sides, so git's marks
 * file (written by git only once a push was reported ok, or by git's
 * fast-import on a fetch from objects pmvcs has) is valid for pmvcs as
 * it is; a fetch stream names old commits by id, never by a mark of an
 * earlier session. That is why a helper killed mid-fetch cannot leave
 * "mark :N not declared" behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remote.h"

/** The helper's one session (a process of its own: statics are fine). */
static struct {
	const char *alias;
	char repo[PATH_MAX];    /**< the pmvcs worktree, absolute */
	char pmvcs[PATH_MAX];   /**< the pmvcs front end to run */
	char *marks;            /**< git's marks file for this remote */
	int force;              /**< option force true */
	long kill_after;        /**< PMVCS_TEST_KILL_AFTER_COMMITS (tests) */
} H;

static rh_in in = { .fd = 0 };

/** private_prefix -- where git keeps the remote's heads for us. */
static void
private_prefix(rh_buf *b)
{
	rh_adds(b, "refs/pmvcs/");
	rh_adds(b, H.alias);
	rh_adds(b, "/heads/");
}

/** setup -- the repository, the pmvcs beside this program, the marks. */
static void
setup(const char *alias, const char *url)
{
	char self[PATH_MAX], probe[PATH_MAX + 16];
	rh_buf pm = { 0 };
	struct stat st;
	ssize_t n;

	H.alias = alias;
	if (!strncmp(url, "pmvcs://", 8))
		url += 8;
	if (!realpath(url, H.repo) ||
	    (snprintf(probe, sizeof(probe), "%s/.pmvcs", H.repo),
	     stat(probe, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "fatal: '%s' does not appear to be a pmvcs "
			"repository\n", url);
		exit(128);
	}
	/* the pmvcs installed (or built) beside us, else the one in PATH */
	strcpy(H.pmvcs, "pmvcs");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			rh_adds(&pm, self);
			rh_adds(&pm, "/pmvcs");
			if (!access(pm.p, X_OK) && pm.len < sizeof(H.pmvcs))
				strcpy(H.pmvcs, pm.p);
			free(pm.p);
		}
	}
	const char *gd = getenv("GIT_DIR");
	char gdabs[PATH_MAX];
	if (gd && realpath(gd, gdabs)) {
		rh_buf m = { 0 };
		rh_adds(&m, gdabs);
		rh_adds(&m, "/pmvcs");
		mkdir(m.p, 0777);
		rh_adds(&m, "/");
		rh_adds(&m, alias);
		mkdir(m.p, 0777);
		rh_adds(&m, "/git.marks");
		H.marks = m.p;
		/* git's fast-import and fast-export refuse a missing one */
		int fd = open(H.marks, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd >= 0)
			close(fd);
	}
	const char *k = getenv("PMVCS_TEST_KILL_AFTER_COMMITS");
	H.kill_after = k ? strtol(k, NULL, 10) : 0;
}

static void
out(const char *s)
{
	fputs(s, stdout);
}

static void
capabilities(void)
{
	rh_buf b = { 0 };

	private_prefix(&b);
	printf("import\nexport\nrefspec refs/heads/*:%s*\n"
	       "refspec refs/tags/*:refs/pmvcs/%s/tags/*\n", b.p, H.alias);
	if (H.marks) {
		printf("*import-marks %s\n", H.marks);
		printf("*export-marks %s\n", H.marks);
	}
	out("option\n\n");
	free(b.p);
}

/** show_ref -- "<id> <ref>" lines of the repository (none: empty). */
static void
show_ref(rh_buf *refs)
{
	char *argv[] = { H.pmvcs, "show-ref", NULL };
	int rc = rh_capture(argv, H.repo, refs, 0);

	if (rc > 1)   /* 1: no refs at all, as git's show-ref */
		rh_die("cannot list the refs of %s", H.repo);
}

static void
list(void)
{
	rh_buf refs = { 0 }, head = { 0 };
	char *argv[] = { H.pmvcs, "rev-parse", "--abbrev-ref", "HEAD", NULL };

	show_ref(&refs);
	out(refs.p);
	/* HEAD names a branch unless detached ("HEAD") or unborn (fails) */
	if (!rh_capture(argv, H.repo, &head, 1) && head.len > 1 &&
	    strcmp(head.p, "HEAD\n"))
		printf("@refs/heads/%s HEAD\n", strtok(head.p, "\n"));
	out("\n");
	free(refs.p);
	free(head.p);
}

/** option -- the options git may set; "unsupported" for the others. */
static void
option(const char *rest)
{
	if (!strcmp(rest, "force true") || !strcmp(rest, "force false")) {
		H.force = rest[6] == 't';
		out("ok\n");
	} else if (!strncmp(rest, "verbosity ", 10) ||
		   !strncmp(rest, "progress ", 9) ||
		   !strncmp(rest, "followtags ", 11)) {
		out("ok\n");
	} else {
		out("unsupported\n");
	}
}

/** have_tips -- "^<id>" for each head git already has from this remote:
 *  what the next stream may leave out and name by id. */
static void
have_tips(char ***argv, size_t *argc)
{
	rh_buf pre = { 0 }, ids = { 0 };
	char *g[] = { "git", "for-each-ref", "--format=^%(if)%(*objectname)%(then)"
		      "%(*objectname)%(else)%(objectname)%(end)", NULL, NULL };

	rh_adds(&pre, "refs/pmvcs/");
	rh_adds(&pre, H.alias);
	rh_adds(&pre, "/");
	g[3] = pre.p;
	if (rh_capture(g, NULL, &ids, 1) == 0) {
		for (char *save = NULL, *t = strtok_r(ids.p, "\n", &save); t;
		     t = strtok_r(NULL, "\n", &save)) {
			*argv = realloc(*argv, (*argc + 2) * sizeof(**argv));
			if (!*argv)
				rh_die("out of memory");
			(*argv)[(*argc)++] = strdup(t);
		}
	}
	free(pre.p);
	free(ids.p);
}

/** max_mark -- the largest mark in git's marks file (0: none). */
static unsigned long long
max_mark(void)
{
	FILE *f = H.marks ? fopen(H.marks, "r") : NULL;
	unsigned long long m = 0, n;
	char buf[256];

	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, ":%llu", &n) == 1 && n > m)
			m = n;
	if (f)
		fclose(f);
	return m;
}

/** put_shifted -- write line to to with its mark reference (":N" at
 *  offset at, if any) moved up by base: marks of this session follow
 *  those git's marks file already holds, so that file keeps naming every
 *  commit git has from us (its fast-export needs them on a push). */
static void
put_shifted(FILE *to, const char *line, size_t at, unsigned long long base)
{
	char *end;

	if (line[at] != ':' || line[at + 1] < '0' || line[at + 1] > '9') {
		fprintf(to, "%s\n", line);
		return;
	}
	unsigned long long n = strtoull(line + at + 1, &end, 10);
	fprintf(to, "%.*s:%llu%s\n", (int)at, line, n + base, end);
}

/** The relay's rename of a ref: heads and tags into the private
 *  namespace. */
static int
put_ref_line(FILE *to, const char *line)
{
	static const char *const kinds[] = { "commit ", "reset " };

	for (int k = 0; k < 2; k++) {
		size_t kl = strlen(kinds[k]);
		if (strncmp(line, kinds[k], kl) || strncmp(line + kl, "refs/", 5))
			continue;
		const char *rest = line + kl + 5;
		if (strncmp(rest, "heads/", 6) && strncmp(rest, "tags/", 5))
			return 0;
		fprintf(to, "%srefs/pmvcs/%s/%s\n", kinds[k], H.alias, rest);
		return 1;
	}
	return 0;
}

/**
 * relay_export -- run argv (a pmvcs fast-export) and pass its stream to
 * to (git's fast-import) with refs renamed into the private namespace,
 * marks moved up by base and annotated tags left out (import_tags() adds
 * them). "feature done" goes out before the first byte of the stream: an
 * export that fails before writing anything (an excluded id pmvcs does
 * not have) can then be retried.
 * @return the export's exit code; *wrote: whether anything went out.
 */
static int
relay_export(char **argv, FILE *to, unsigned long long base, int *wrote)
{
	int p[2], null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	rh_buf line = { 0 };
	long commits = 0;
	int skip = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		rh_die("pipe: %s", strerror(errno));
	pid_t pid = rh_spawn(argv, H.repo, null, p[1], -1);
	close(p[1]);
	close(null);
	rh_in ex = { .fd = p[0] };
	*wrote = 0;
	int r;
	while ((r = rh_line(&ex, &line)) == 1) {
		if (!*wrote)
			fputs("feature done\n", to);
		*wrote = 1;
		if (!strncmp(line.p, "data ", 5)) {
			char *end;
			unsigned long long n = strtoull(line.p + 5, &end, 10);
			if (!skip)
				fprintf(to, "%s\n", line.p);
			if (*end || rh_copy(&ex, n, skip ? NULL : to) < 0)
				break;
			/* a tag ends with its message and an optional LF */
			if (skip && rh_peek(&ex) == '\n')
				ex.off++;
			skip = 0;
			continue;
		}
		if (!strncmp(line.p, "tag ", 4))
			skip = 1;
		if (skip || put_ref_line(to, line.p))
			;
		else if (!strncmp(line.p, "mark ", 5) ||
			 !strncmp(line.p, "from ", 5))
			put_shifted(to, line.p, 5, base);
		else if (!strncmp(line.p, "merge ", 6))
			put_shifted(to, line.p, 6, base);
		else if (line.p[0] == 'M' && line.p[1] == ' ' && strchr(line.p + 2, ' '))
			put_shifted(to, line.p, (size_t)(strchr(line.p + 2, ' ') + 1 - line.p),
				    base);
		else
			fprintf(to, "%s\n", line.p);
		/* tests: die like kill -9 at a point they choose */
		if (!strncmp(line.p, "commit ", 7) && H.kill_after &&
		    ++commits > H.kill_after) {
			fflush(to);
			kill(getpid(), SIGKILL);
		}
	}
	close(p[0]);
	int rc = rh_wait(pid);
	free(line.p);
	return r < 0 && !rc ? 128 : rc;
}

/** tag_refs -- "<ref> <id>" lines for the annotated tags among refs (a
 *  NUL-separated list). */
static void
tag_refs(const rh_buf *refs, rh_buf *tags)
{
	rh_buf q = { 0 }, a = { 0 };
	char *argv[] = { H.pmvcs, "cat-file", "--batch-check", NULL };

	for (const char *n = refs->p; n && *n; n += strlen(n) + 1)
		if (!strncmp(n, "refs/tags/", 10)) {
			rh_adds(&q, n);
			rh_adds(&q, "\n");
		}
	if (!q.len)
		return;
	if (rh_filter(argv, H.repo, q.p, q.len, &a))
		rh_die("cannot read the tags of %s", H.repo);
	/* answers come in the order asked: "<id> <type> <size>" */
	char *save = NULL, *l = strtok_r(a.p, "\n", &save);
	for (const char *n = refs->p; n && *n && l; n += strlen(n) + 1) {
		if (strncmp(n, "refs/tags/", 10))
			continue;
		char *sp = strchr(l, ' ');
		if (sp && !strncmp(sp, " tag ", 5)) {
			rh_adds(tags, n);
			rh_adds(tags, " ");
			rh_add(tags, l, (size_t)(sp - l));
			rh_adds(tags, "\n");
		}
		l = strtok_r(NULL, "\n", &save);
	}
	free(q.p);
	free(a.p);
}

/** import_tags -- the annotated tags into git: each tag object as it is
 *  (same bytes, same id) and its private ref, in one ref transaction. A
 *  tag object may land before its commit did: git checks connectivity
 *  only once the whole fetch is in. */
static void
import_tags(const rh_buf *tags)
{
	rh_buf upd = { 0 };
	char *save = NULL;
	rh_buf copy = { 0 };

	if (!tags->len)
		return;
	rh_add(&copy, tags->p, tags->len);
	for (char *l = strtok_r(copy.p, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *id = strrchr(l, ' ');
		*id++ = '\0';
		rh_buf obj = { 0 }, got = { 0 };
		char *cat[] = { H.pmvcs, "cat-file", "tag", id, NULL };
		char *hash[] = { "git", "hash-object", "-t", "tag", "-w",
				 "--literally", "--stdin", NULL };
		if (rh_capture(cat, H.repo, &obj, 0) ||
		    rh_filter(hash, NULL, obj.p, obj.len, &got) ||
		    strncmp(got.p, id, strlen(id)))
			rh_die("cannot copy tag %s (%s)", l, id);
		rh_adds(&upd, "update refs/pmvcs/");
		rh_adds(&upd, H.alias);
		rh_adds(&upd, l + 4);
		rh_adds(&upd, " ");
		rh_adds(&upd, id);
		rh_adds(&upd, "\n");
		free(obj.p);
		free(got.p);
	}
	char *ur[] = { "git", "update-ref", "--stdin", NULL };
	rh_buf none = { 0 };
	if (rh_filter(ur, NULL, upd.p, upd.len, &none))
		rh_die("cannot update the remote's tags");
	free(none.p);
	free(upd.p);
	free(copy.p);
}

/**
 * import -- "import REF" lines up to a blank one: one stream for all,
 * into a git fast-import of our own (marks in git's marks file), then
 * the annotated tags; git's fast-import gets an empty stream, once all
 * is in. Our own: so that tags land in the private namespace, which
 * fast-import's `tag` command cannot do (it writes refs/tags/ itself,
 * and git clone refuses refs it did not create).
 */
static void
import(const char *first)
{
	rh_buf line = { 0 }, refs = { 0 }, tags = { 0 };
	size_t argc = 0, nrefs;
	char **argv = malloc(8 * sizeof(*argv));

	if (!argv)
		rh_die("out of memory");
	/* git's fast-import must fail if we die before the end, not read an
	 * empty stream as nothing to do: "done" is then required */
	out("feature done\n");
	fflush(stdout);
	argv[argc++] = H.pmvcs;
	argv[argc++] = "fast-export";
	argv[argc++] = "--reference-excluded-parents";
	argv[argc++] = "--signed-tags=verbatim";
	/* a tag of a commit git has is left out; import_tags() copies it */
	argv[argc++] = "--tag-of-filtered-object=drop";
	argv[argc++] = strdup(first);
	rh_add(&refs, first, strlen(first) + 1);
	while (rh_line(&in, &line) == 1 && line.len) {
		if (strncmp(line.p, "import ", 7))
			rh_die("expected import, got '%s'", line.p);
		argv = realloc(argv, (argc + 2) * sizeof(*argv));
		if (!argv)
			rh_die("out of memory");
		argv[argc++] = strdup(line.p + 7);
		rh_add(&refs, line.p + 7, line.len - 7 + 1);
	}
	nrefs = argc;
	have_tips(&argv, &argc);
	argv[argc] = NULL;
	tag_refs(&refs, &tags);

	/* git's own fast-import, fed by us, marks kept in git's file */
	rh_buf im = { 0 }, ex = { 0 };
	rh_adds(&im, "--import-marks-if-exists=");
	rh_adds(&im, H.marks);
	rh_adds(&ex, "--export-marks=");
	rh_adds(&ex, H.marks);
	char *fi[] = { "git", "fast-import", "--quiet", im.p, ex.p, NULL };
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		rh_die("pipe: %s", strerror(errno));
	pid_t fpid = rh_spawn(fi, NULL, p[0], 2, -1);
	close(p[0]);
	FILE *to = fdopen(p[1], "w");
	if (!to)
		rh_die("fdopen: %s", strerror(errno));
	unsigned long long base = max_mark();
	int wrote, rc = relay_export(argv, to, base, &wrote);
	if (rc && !wrote && argc > nrefs) {
		/* an excluded tip pmvcs does not have: send everything */
		argv[nrefs] = NULL;
		rc = relay_export(argv, to, base, &wrote);
	}
	if (rc)
		rh_die("pmvcs fast-export failed (exit %d)", rc);
	if (!wrote)
		fputs("feature done\n", to);
	fputs("done\n", to);
	if (fclose(to) || rh_wait(fpid))
		rh_die("git fast-import failed");
	import_tags(&tags);
	out("done\n");
	fflush(stdout);
	for (size_t i = 5; i < argc; i++)
		free(argv[i]);
	free(argv);
	free(line.p);
	free(refs.p);
	free(tags.p);
	free(im.p);
	free(ex.p);
}

/** ref_value -- the id of ref in show-ref output refs, or "". */
static void
ref_value(const char *refs, const char *ref, char *id, size_t size)
{
	size_t rl = strlen(ref);

	id[0] = '\0';
	for (const char *l = refs; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *sp = strchr(l, ' ');
		if (sp && !strncmp(sp + 1, ref, rl) &&
		    (sp[1 + rl] == '\n' || !sp[1 + rl])) {
			size_t n = (size_t)(sp - l) < size - 1 ? (size_t)(sp - l) : size - 1;
			memcpy(id, l, n);
			id[n] = '\0';
			return;
		}
	}
}

/** add_ref -- record a ref the stream updates (once each). */
static void
add_ref(rh_buf *names, const char *ref)
{
	size_t rl = strlen(ref);

	for (const char *n = names->p; n && *n; n += strlen(n) + 1)
		if (!strcmp(n, ref))
			return;
	rh_add(names, ref, rl + 1);
}

/** export -- git's stream (to "done") into pmvcs fast-import; report. */
static void
export(void)
{
	rh_buf line = { 0 }, names = { 0 }, before = { 0 }, after = { 0 };
	rh_buf marks_opt = { 0 };
	char *argv[6];
	int argc = 0, p[2], r, done = 0;

	argv[argc++] = H.pmvcs;
	argv[argc++] = "fast-import";
	argv[argc++] = "--quiet";
	if (H.force)
		argv[argc++] = "--force";
	if (H.marks) {
		rh_adds(&marks_opt, "--import-marks-if-exists=");
		rh_adds(&marks_opt, H.marks);
		argv[argc++] = marks_opt.p;
	}
	argv[argc] = NULL;
	show_ref(&before);
	if (pipe2(p, O_CLOEXEC) < 0)
		rh_die("pipe: %s", strerror(errno));
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	/* its refusals are reported as git words them, below */
	FILE *errs = tmpfile();
	pid_t pid = rh_spawn(argv, H.repo, p[0], null, errs ? fileno(errs) : -1);
	close(p[0]);
	close(null);
	FILE *to = fdopen(p[1], "w");
	if (!to)
		rh_die("fdopen: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	while ((r = rh_line(&in, &line)) == 1) {
		fprintf(to, "%s\n", line.p);
		if (!strncmp(line.p, "data ", 5)) {
			char *end;
			unsigned long long n = strtoull(line.p + 5, &end, 10);
			if (*end || rh_copy(&in, n, to) < 0)
				break;
		} else if (!strncmp(line.p, "commit ", 7) ||
			   !strncmp(line.p, "reset ", 6)) {
			add_ref(&names, strchr(line.p, ' ') + 1);
		} else if (!strncmp(line.p, "tag ", 4)) {
			rh_buf t = { 0 };
			rh_adds(&t, "refs/tags/");
			rh_adds(&t, line.p + 4);
			add_ref(&names, t.p);
			free(t.p);
		} else if (!strcmp(line.p, "done")) {
			done = 1;
			break;
		}
	}
	fclose(to);
	int rc = rh_wait(pid);
	if (!done)
		rh_die("git's fast-export stream ended early");
	if (errs) {
		char buf[4096];
		rewind(errs);
		while (fgets(buf, sizeof(buf), errs))
			if (strncmp(buf, "warning: Not updating ", 22))
				fputs(buf, stderr);
		fclose(errs);
	}
	show_ref(&after);
	for (const char *n = names.p; n && *n; n += strlen(n) + 1) {
		char b[130], a[130];
		ref_value(before.p, n, b, sizeof(b));
		ref_value(after.p, n, a, sizeof(a));
		if (!rc || (rc == 1 && strcmp(a, b))) {
			printf("ok %s\n", n);
		} else if (rc == 1) {
			/* git's words (transport-helper.c): "fetch first" when
			 * it lacks the tip it would have to merge */
			char *probe[] = { "git", "cat-file", "-e", b, NULL };
			rh_buf none = { 0 };
			int have = b[0] && !rh_capture(probe, NULL, &none, 1);
			free(none.p);
			printf("error %s %s\n", n, have ? "non-fast forward" :
			       "fetch first");
		} else {
			printf("error %s pmvcs fast-import failed\n", n);
		}
	}
	out("\n");
	fflush(stdout);
	free(line.p);
	free(names.p);
	free(before.p);
	free(after.p);
	free(marks_opt.p);
}

int
main(int argc, char **argv)
{
	rh_buf line = { 0 };

	if (argc < 3) {
		fputs("usage: git-remote-pmvcs <remote> <url>\n", stderr);
		return 129;
	}
	setup(argv[1], argv[2]);
	while (rh_line(&in, &line) == 1) {
		if (!strcmp(line.p, "capabilities"))
			capabilities();
		else if (!strcmp(line.p, "list") || !strcmp(line.p, "list for-push"))
			list();
		else if (!strncmp(line.p, "option ", 7))
			option(line.p + 7);
		else if (!strncmp(line.p, "import ", 7))
			import(line.p + 7);
		else if (!strcmp(line.p, "export"))
			export();
		else if (!line.len)
			break;          /* git is done with us */
		else
			rh_die("unknown command '%s'", line.p);
		fflush(stdout);
	}
	free(line.p);
	return 0;
}
