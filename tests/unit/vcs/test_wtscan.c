/*
 * test_wtscan.c -- the working tree scan (vcs/worktree.c): with one
 * thread and with several, the same sorted list of exactly the files a
 * walk by hand expects (ignore files at several depths, ignored
 * directories never entered, .git/.pmvcs and special files skipped);
 * ignore rule sets layered with vcs_ignore_child; lists owning a file
 * mapping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "vcstest.h"
#include "worktree.h"

/** put -- write text to root/rel, creating the directories on the way. */
static void
put(const char *root, const char *rel, const char *text)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0777);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/** str_cmp -- qsort on char *. */
static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/** build_tree -- many directories (so that several threads get work),
 *  ignore files at three depths; *want gets the paths a scan must list,
 *  sorted. */
static size_t
build_tree(const char *root, char ***want)
{
	char **w = calloc(4096, sizeof(*w)), rel[256], path[4096];
	size_t n = 0;

	put(root, ".pmvcsignore", "*.o\nbuild/\n");
	w[n++] = strdup(".pmvcsignore");
	for (int d = 0; d < 30; d++) {
		for (int s = 0; s < 4; s++) {
			for (int f = 0; f < 6; f++) {
				snprintf(rel, sizeof(rel), "d%02d/s%d/f%d.c", d, s, f);
				put(root, rel, rel);
				w[n++] = strdup(rel);
				snprintf(rel, sizeof(rel), "d%02d/s%d/f%d.o", d, s, f);
				put(root, rel, "ignored by the root's *.o");
			}
			snprintf(rel, sizeof(rel), "d%02d/s%d/build/out", d, s);
			put(root, rel, "inside an ignored directory");
		}
		snprintf(rel, sizeof(rel), "d%02d/top-%d", d, d);
		put(root, rel, "x");
		w[n++] = strdup(rel);
		/* a name sorting between "d%02d/s0..." and "d%02d/s0/..." */
		snprintf(rel, sizeof(rel), "d%02d/s0-x", d);
		put(root, rel, "y");
		w[n++] = strdup(rel);
	}
	/* deeper rules: re-include keep.o below d03, ignore *.c below d05/s1 */
	put(root, "d03/.pmvcsignore", "!keep.o\n");
	w[n++] = strdup("d03/.pmvcsignore");
	put(root, "d03/s2/keep.o", "kept");
	w[n++] = strdup("d03/s2/keep.o");
	put(root, "d05/s1/.pmvcsignore", "*.c\n");
	w[n++] = strdup("d05/s1/.pmvcsignore");
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(w[i], "d05/s1/", 7) && strstr(w[i], ".c")) {
			free(w[i]);
			w[i--] = w[--n];
		}
	}
	/* never listed: .git and .pmvcs at any depth, a FIFO */
	put(root, ".git/config", "x");
	put(root, "d07/.git/HEAD", "x");
	put(root, "d08/.pmvcs/pool.set", "x");
	snprintf(path, sizeof(path), "%s/d09/fifo", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	/* a symlink is listed (as a link), an empty directory is not */
	snprintf(path, sizeof(path), "%s/d10/link", root);
	assert_int_equal(symlink("top-10", path), 0);
	w[n++] = strdup("d10/link");
	snprintf(path, sizeof(path), "%s/empty", root);
	mkdir(path, 0777);
	qsort(w, n, sizeof(*w), str_cmp);
	*want = w;
	return n;
}

/** check_list -- l holds exactly want[0..n), in that order. */
static void
check_list(const vcs_wt_list *l, char **want, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l->e[i].path, want[i]);
		assert_int_equal(l->e[i].len, strlen(want[i]));
		assert_true(l->e[i].ino != 0);
		assert_int_equal(l->e[i].mode, !strcmp(want[i], "d10/link") ?
				 VCS_MODE_LINK : VCS_MODE_BLOB);
	}
}

/** test_wtscan__threads_agree -- 1, 2 and 4 threads list the same files,
 *  the ones expected, sorted. */
static void
test_wtscan__threads_agree(void **state)
{
	char *root = test_tmpdir("wtscan");
	char **want;
	size_t n = build_tree(root, &want);

	(void)state;
	for (int t = 1; t <= 4; t *= 2) {
		/* several rounds: which thread takes which directory varies */
		for (int round = 0; round < 5; round++) {
			vcs_wt_list l = VCS_WT_LIST_INIT;
			assert_int_equal(vcs_wt_scan_root(root, &l, t), 0);
			check_list(&l, want, n);
			vcs_wt_list_free(&l);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(want[i]);
	free(want);
	test_rmtree(root);
}

/** test_wtscan__stat_fields -- a file's stat data is its own (each
 *  directory's files stat'ed relative to that directory). */
static void
test_wtscan__stat_fields(void **state)
{
	char *root = test_tmpdir("wtscan"), path[4096];
	vcs_wt_list l = VCS_WT_LIST_INIT;
	struct stat st;

	(void)state;
	for (int d = 0; d < 12; d++) {
		char rel[64], text[64];
		snprintf(rel, sizeof(rel), "a%d/b/c%d", d, d);
		snprintf(text, sizeof(text), "%*s", d + 1, "z"); /* size d + 1 */
		put(root, rel, text);
	}
	snprintf(path, sizeof(path), "%s/a3/b/c3", root);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(vcs_wt_scan_root(root, &l, 4), 0);
	assert_int_equal(l.n, 12);
	for (size_t i = 0; i < l.n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, l.e[i].path);
		assert_int_equal(lstat(path, &st), 0);
		assert_int_equal(l.e[i].size, (uint64_t)st.st_size);
		assert_int_equal(l.e[i].ino, (uint64_t)st.st_ino);
		assert_int_equal(l.e[i].mtime_ns, (int64_t)st.st_mtim.tv_sec *
				 1000000000 + st.st_mtim.tv_nsec);
		assert_int_equal(l.e[i].mode, !strcmp(l.e[i].path, "a3/b/c3") ?
				 VCS_MODE_EXEC : VCS_MODE_BLOB);
	}
	vcs_wt_list_free(&l);
	test_rmtree(root);
}

/** test_wtscan__unreadable -- an unreadable directory fails the scan
 *  with its name, whichever thread meets it (not as root: root reads
 *  anything). */
static void
test_wtscan__unreadable(void **state)
{
	char *root = test_tmpdir("wtscan"), path[4096];

	(void)state;
	if (geteuid() == 0) {
		test_rmtree(root);
		skip();
	}
	for (int d = 0; d < 20; d++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "d%02d/x/f", d);
		put(root, rel, "f");
	}
	snprintf(path, sizeof(path), "%s/d13/x", root);
	assert_int_equal(chmod(path, 0), 0);
	for (int t = 1; t <= 4; t *= 2) {
		vcs_wt_list l = VCS_WT_LIST_INIT;
		assert_int_equal(vcs_wt_scan_root(root, &l, t), PMDB_ERROR);
		assert_non_null(strstr(vcs_errmsg(), "d13/x"));
		vcs_wt_list_free(&l);
	}
	chmod(path, 0755);
	test_rmtree(root);
}

/** count_fds -- open descriptors of this process. */
static int
count_fds(void)
{
	char buf[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
		n += access(buf, F_OK) == 0;
	}
	return n;
}

/** scan_limited -- scan root with t threads while new descriptors must
 *  be below lim; the result, and no descriptor left open. */
static int
scan_limited(const char *root, int t, rlim_t lim, vcs_wt_list *l, int before)
{
	struct rlimit old, low;
	int rc;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = lim;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	rc = vcs_wt_scan_root(root, l, t);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(count_fds(), before);
	return rc;
}

/** test_wtscan__fd_exhaustion -- out of descriptors: with none to
 *  spare the scan fails cleanly (every thread joined, nothing left
 *  open); with only the root's and one more, subdirectories are opened
 *  by path when their turn comes: one thread completes, several either
 *  complete or fail cleanly naming a directory. */
static void
test_wtscan__fd_exhaustion(void **state)
{
	char *root = test_tmpdir("wtscan");
	int before, a, b;

	(void)state;
	for (int d = 0; d < 40; d++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "d%02d/x/y/f", d);
		put(root, rel, "f");
	}
	before = count_fds();
	/* the two lowest free descriptor numbers */
	a = open("/dev/null", O_RDONLY);
	b = open("/dev/null", O_RDONLY);
	assert_true(a >= 0 && b > a);
	close(a);
	close(b);
	for (int t = 1; t <= 4; t *= 2) {
		vcs_wt_list l = VCS_WT_LIST_INIT;
		int rc = scan_limited(root, t, (rlim_t)a + 1, &l, before);

		assert_int_equal(rc, PMDB_ERROR);
		assert_non_null(strstr(vcs_errmsg(), "cannot open directory"));
		vcs_wt_list_free(&l);
		rc = scan_limited(root, t, (rlim_t)b + 1, &l, before);
		if (t == 1)
			assert_int_equal(rc, 0);
		if (rc) {
			assert_int_equal(rc, PMDB_ERROR);
			assert_non_null(strstr(vcs_errmsg(), "cannot open directory 'd"));
		} else {
			assert_int_equal(l.n, 40);
		}
		vcs_wt_list_free(&l);
		assert_int_equal(vcs_wt_scan_root(root, &l, t), 0);
		assert_int_equal(l.n, 40);
		vcs_wt_list_free(&l);
	}
	test_rmtree(root);
}

/** test_wtscan__ignore_child -- a child set adds its file's rules on
 *  top of its parent's, which it borrows and never frees or changes. */
static void
test_wtscan__ignore_child(void **state)
{
	vcs_ignore *top = NULL, *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(vcs_ignore_new(&top), 0);
	assert_int_equal(vcs_ignore_push(top, "", "*.o\n", 4), 0);
	assert_int_equal(vcs_ignore_child(top, &a), 0);
	assert_int_equal(vcs_ignore_push(a, "a", "!keep.o\n*.tmp\n", 14), 0);
	assert_int_equal(vcs_ignore_child(top, &b), 0);
	assert_true(vcs_ignore_match(a, "a/x.o", 5, 0));
	assert_false(vcs_ignore_match(a, "a/keep.o", 8, 0));
	assert_true(vcs_ignore_match(a, "a/y.tmp", 7, 0));
	assert_true(vcs_ignore_match(b, "b/keep.o", 8, 0));   /* a's rule */
	assert_false(vcs_ignore_match(b, "b/y.tmp", 7, 0));   /* stays in a */
	vcs_ignore_pop(b);      /* nothing of its own: the parent's stays */
	assert_true(vcs_ignore_match(b, "b/x.o", 5, 0));
	vcs_ignore_free(a);
	vcs_ignore_free(b);
	assert_true(vcs_ignore_match(top, "x.o", 3, 0));
	vcs_ignore_free(top);
}

/** test_wtscan__list_map -- a list owns a read-only mapping of a file
 *  next to its blocks and still allocates after it. */
static void
test_wtscan__list_map(void **state)
{
	char *root = test_tmpdir("wtscan"), path[4096];
	vcs_wt_list l = VCS_WT_LIST_INIT;
	const char *m;
	int fd;

	(void)state;
	put(root, "file", "mapped bytes");
	snprintf(path, sizeof(path), "%s/file", root);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_non_null(vcs_wt_list_add(&l, "before", 6, VCS_MODE_BLOB));
	m = vcs_wt_list_map(&l, fd, 12);
	close(fd);
	assert_non_null(m);
	assert_memory_equal(m, "mapped bytes", 12);
	assert_non_null(vcs_wt_list_add(&l, "after", 5, VCS_MODE_BLOB));
	assert_non_null(vcs_wt_list_reserve(&l, 1 << 20)); /* a block of its own */
	assert_string_equal(l.e[0].path, "before");
	assert_string_equal(l.e[1].path, "after");
	vcs_wt_list_free(&l);
	test_rmtree(root);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wtscan__threads_agree),
		cmocka_unit_test(test_wtscan__stat_fields),
		cmocka_unit_test(test_wtscan__unreadable),
		cmocka_unit_test(test_wtscan__fd_exhaustion),
		cmocka_unit_test(test_wtscan__ignore_child),
		cmocka_unit_test(test_wtscan__list_map),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
