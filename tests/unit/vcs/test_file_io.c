/*
 * test_file_io.c -- batched file I/O (vcs/file_io.c): both backends read
 * and write the same bytes and modes; errors name the path; the
 * fallback works when forced and when the kernel refuses io_uring.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "file_io.h"
#include "vcstest.h"

#define NFILES 150      /* more than two batches */

/* content -- deterministic bytes of file i (size varies, some big) */
static size_t
content(char *buf, size_t cap, int i)
{
	size_t n = i == 7 ? 200000 : i % 13 == 0 ? 0 : (size_t)(i * 37 % 5000);

	assert_true(n <= cap);
	for (size_t k = 0; k < n; k++)
		buf[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
	return n;
}

/* make_files -- NFILES files and one symlink "lnk" in dir */
static void
make_files(const char *dir)
{
	static char buf[200000];
	char path[4200];

	for (int i = 0; i < NFILES; i++) {
		size_t n = content(buf, sizeof(buf), i);
		snprintf(path, sizeof(path), "%s/f%03d", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/lnk", dir);
	assert_int_equal(symlink("f001", path), 0);
}

/* read_all -- read make_files' files through a handle of mode (in two
 * overlapping batches at a time, as vcs_wt_read_many does) and compare;
 * size_of_3 is the size the caller claims for f003 (a stale scan) */
static void
read_all(const char *dir, int mode, uint64_t size_of_3, vcs_file_io_stats *out)
{
	static char want[200000];
	static vcs_file_io_rd rd[NFILES + 1];
	char paths[NFILES + 1][4200];
	vcs_file_io *io = NULL;
	struct stat st;

	memset(rd, 0, sizeof(rd));
	for (int i = 0; i <= NFILES; i++) {
		if (i < NFILES)
			snprintf(paths[i], sizeof(paths[i]), "%s/f%03d", dir, i);
		else
			snprintf(paths[i], sizeof(paths[i]), "%s/lnk", dir);
		assert_int_equal(lstat(paths[i], &st), 0);
		rd[i].path = paths[i];
		rd[i].name = paths[i] + strlen(dir) + 1;
		rd[i].is_link = i == NFILES;
		rd[i].size = i == 3 ? size_of_3 : (uint64_t)st.st_size;
	}
	assert_int_equal(vcs_file_io_open(&io, mode), 0);
	/* batches [0,64) [64,128) [128,151): submit one ahead */
	size_t b[4] = { 0, 64, 128, NFILES + 1 };
	assert_int_equal(vcs_file_io_read_submit(io, rd + b[0], b[1] - b[0]), 0);
	for (int k = 0; k < 3; k++) {
		if (k + 1 < 3)
			assert_int_equal(vcs_file_io_read_submit(io, rd + b[k + 1],
								b[k + 2] - b[k + 1]), 0);
		assert_int_equal(vcs_file_io_read_reap(io, rd + b[k], b[k + 1] - b[k]), 0);
	}
	for (int i = 0; i < NFILES; i++) {
		size_t n = content(want, sizeof(want), i);
		assert_int_equal(rd[i].buf.len, n);
		assert_memory_equal(rd[i].buf.data, want, n);
		assert_int_equal(rd[i].buf.data[n], '\0');
	}
	assert_int_equal(rd[NFILES].buf.len, 4);
	assert_string_equal((char *)rd[NFILES].buf.data, "f001");
	*out = *vcs_file_io_stats_get(io);
	vcs_file_io_free(io);
	for (int i = 0; i <= NFILES; i++)
		vcs_str_free(&rd[i].buf);
}

/* test_vcs_file_io__read_both -- both backends read identical bytes,
 * also when the expected size of a file is stale */
static void
test_vcs_file_io__read_both(void **state)
{
	char *dir = test_tmpdir("file-io");
	vcs_file_io_stats a, s;
	char why[128];
	int uring = vcs_file_io_probe(why, sizeof(why));

	(void)state;
	make_files(dir);
	read_all(dir, VCS_FILE_IO_AUTO, 111 /* real: 111 too */, &a);
	read_all(dir, VCS_FILE_IO_SYNC, 111, &s);
	assert_int_equal(a.uring, uring);
	assert_int_equal(s.uring, 0);
	assert_string_equal(s.why, "PMVCS_IO=sync");
	assert_int_equal(a.files_read, NFILES + 1);
	assert_int_equal(s.files_read, NFILES + 1);
	assert_int_equal(a.bytes_read, s.bytes_read);
	if (uring) {
		assert_true(a.batches >= 3);
		assert_int_equal(a.redone, 0);
		/* a stale size (the file changed after the scan) is redone */
		read_all(dir, VCS_FILE_IO_AUTO, 50, &a);
		assert_int_equal(a.redone, 1);
		read_all(dir, VCS_FILE_IO_AUTO, 500, &a);
		assert_int_equal(a.redone, 1);
	}
	test_rmtree(dir);
}

/* write_all -- write NFILES files (every 3rd executable, #5 a symlink,
 * #9 over an existing file) into dir with a handle of mode */
static vcs_file_io_stats
write_all(const char *dir, int mode)
{
	static char data[NFILES][200000];
	static vcs_file_io_wr wr[NFILES];
	static char paths[NFILES][4200];
	vcs_file_io_stats st;
	vcs_file_io *io = NULL;
	char p9[4200];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(dfd >= 0);
	memset(wr, 0, sizeof(wr));
	snprintf(p9, sizeof(p9), "%s/w009", dir);
	assert_int_equal(sh_out(NULL, 0, "echo old > '%s'", p9), 0);
	for (int i = 0; i < NFILES; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/w%03d", dir, i);
		/* half by absolute path, half relative to a directory fd */
		wr[i].dirfd = i % 2 ? dfd : AT_FDCWD;
		wr[i].path = i % 2 ? paths[i] + strlen(dir) + 1 : paths[i];
		wr[i].name = paths[i] + strlen(dir) + 1;
		wr[i].is_link = i == 5;
		wr[i].exec = i % 3 == 0;
		if (i == 5) {
			strcpy(data[i], "w001");
			wr[i].len = 4;
		} else {
			wr[i].len = content(data[i], sizeof(data[i]), i);
		}
		wr[i].data = data[i];
	}
	assert_int_equal(vcs_file_io_open(&io, mode), 0);
	for (int i = 0; i < NFILES; i += VCS_FILE_IO_BATCH) {
		size_t n = NFILES - i < VCS_FILE_IO_BATCH ? NFILES - i : VCS_FILE_IO_BATCH;
		assert_int_equal(vcs_file_io_write(io, wr + i, n), 0);
	}
	st = *vcs_file_io_stats_get(io);
	vcs_file_io_free(io);
	close(dfd);
	for (int i = 0; i < NFILES; i++)
		vcs_file_io_wr_clear(&wr[i]);
	return st;
}

/* check_written -- contents, modes, symlink, no temp files left */
static void
check_written(const char *dir)
{
	static char want[200000];
	vcs_str got = VCS_STR_INIT;
	char path[4200], out[64];
	mode_t um = umask(0);
	struct stat st;

	umask(um);
	for (int i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/w%03d", dir, i);
		assert_int_equal(lstat(path, &st), 0);
		if (i == 5) {
			assert_true(S_ISLNK(st.st_mode));
			assert_int_equal(vcs_file_io_read_one(path, "w005", 1, 4, &got), 0);
			assert_string_equal((char *)got.data, "w001");
			continue;
		}
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, (i % 3 == 0 ? 0777 : 0666) & ~um);
		size_t n = content(want, sizeof(want), i);
		assert_int_equal(vcs_file_io_read_one(path, "w", 0, n, &got), 0);
		assert_int_equal(got.len, n);
		assert_memory_equal(got.data, want, n);
	}
	assert_int_equal(sh_out(out, sizeof(out), "ls -A '%s' | grep -c pmvcs-tmp", dir),
			 256); /* grep -c exits 1 on no match */
	assert_string_equal(out, "0");
	vcs_str_free(&got);
}

/* test_vcs_file_io__write_both -- both backends write the same files
 * with the same modes, replacing existing ones, leaving no temp */
static void
test_vcs_file_io__write_both(void **state)
{
	char *d1 = test_tmpdir("file-io-w1"), *d2 = test_tmpdir("file-io-w2");
	vcs_file_io_stats a, s;

	(void)state;
	a = write_all(d1, VCS_FILE_IO_AUTO);
	s = write_all(d2, VCS_FILE_IO_SYNC);
	check_written(d1);
	check_written(d2);
	assert_int_equal(a.files_written, NFILES);
	assert_int_equal(s.files_written, NFILES);
	assert_int_equal(a.bytes_written, s.bytes_written);
	assert_int_equal(a.redone, 0);
	assert_int_equal(sh_out(NULL, 0, "diff -r '%s' '%s'", d1, d2), 0);
	test_rmtree(d1);
	test_rmtree(d2);
}

/* test_vcs_file_io__errors_name_path -- a missing file (read) and a
 * missing directory (write) fail naming the path, both backends */
static void
test_vcs_file_io__errors_name_path(void **state)
{
	char *dir = test_tmpdir("file-io-err");
	char p1[4200], p2[4200];

	(void)state;
	snprintf(p1, sizeof(p1), "%s/there", dir);
	snprintf(p2, sizeof(p2), "%s/gone", dir);
	assert_int_equal(sh_out(NULL, 0, "echo hi > '%s'", p1), 0);
	for (int mode = 0; mode < 2; mode++) {
		vcs_file_io_rd rd[2];
		vcs_file_io_wr wr[1];
		vcs_file_io *io = NULL;
		char p3[4200];

		memset(rd, 0, sizeof(rd));
		memset(wr, 0, sizeof(wr));
		rd[0] = (vcs_file_io_rd){ .path = p1, .name = "there", .size = 3 };
		rd[1] = (vcs_file_io_rd){ .path = p2, .name = "sub/gone", .size = 3 };
		assert_int_equal(vcs_file_io_open(&io, mode), 0);
		assert_int_equal(vcs_file_io_read_submit(io, rd, 2), 0);
		assert_int_equal(vcs_file_io_read_reap(io, rd, 2), PMDB_ERROR);
		assert_string_equal(vcs_errmsg(), "cannot open 'sub/gone': "
				    "No such file or directory");
		assert_string_equal((char *)rd[0].buf.data, "hi\n");

		snprintf(p3, sizeof(p3), "%s/nodir/x", dir);
		wr[0] = (vcs_file_io_wr){ .dirfd = AT_FDCWD, .path = p3, .name = "nodir/x",
					 .data = "x", .len = 1 };
		assert_int_equal(vcs_file_io_write(io, wr, 1), PMDB_ERROR);
		assert_non_null(strstr(vcs_errmsg(), "/nodir/.pmvcs-tmp-"));
		assert_non_null(strstr(vcs_errmsg(), "(a temp file for 'nodir/x')"));
		assert_non_null(strstr(vcs_errmsg(), "No such file or directory"));
		vcs_file_io_wr_clear(&wr[0]);
		vcs_str_free(&rd[0].buf);
		vcs_str_free(&rd[1].buf);
		vcs_file_io_free(io);
	}
	test_rmtree(dir);
}

/* env_sync -- a vcs_getenv_fn with PMVCS_IO=sync */
static const char *
env_sync(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "PMVCS_IO") ? "sync" : NULL;
}

/* refuse_io_uring -- seccomp: io_uring_setup fails with EPERM, as in
 * containers whose profile refuses it */
static void
refuse_io_uring(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		_exit(3);
}

/* test_vcs_file_io__fallback_forced -- PMVCS_IO=sync through the env
 * function, and a kernel refusal (seccomp EPERM), both fall back and
 * still read and write */
static void
test_vcs_file_io__fallback_forced(void **state)
{
	char *dir = test_tmpdir("file-io-fb");
	vcs_file_io *io = NULL;
	char buf[300];
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(vcs_file_io_open_env(&io, env_sync, NULL), 0);
	assert_int_equal(vcs_file_io_stats_get(io)->uring, 0);
	assert_string_equal(vcs_file_io_describe(vcs_file_io_stats_get(io), buf,
						sizeof(buf)),
			    "pread/pwrite fallback (PMVCS_IO=sync)");
	vcs_file_io_free(io);

	make_files(dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		vcs_file_io_stats st;
		char why[128];
		refuse_io_uring();
		if (vcs_file_io_probe(why, sizeof(why)) != 0 ||
		    strcmp(why, "io_uring_queue_init: Operation not permitted"))
			_exit(4);
		read_all(dir, VCS_FILE_IO_AUTO, 111, &st);
		vcs_file_io_describe(&st, buf, sizeof(buf));
		if (st.uring || strcmp(buf, "pread/pwrite fallback "
				       "(io_uring_queue_init: Operation not permitted)"))
			_exit(5);
		st = write_all(dir, VCS_FILE_IO_AUTO);
		if (st.uring || st.files_written != NFILES)
			_exit(6);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_written(dir);
	test_rmtree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_file_io__read_both),
	cmocka_unit_test(test_vcs_file_io__write_both),
	cmocka_unit_test(test_vcs_file_io__errors_name_path),
	cmocka_unit_test(test_vcs_file_io__fallback_forced),
};

PMDB_TEST_MAIN(tests)
