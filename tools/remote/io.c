/*
 * io.c -- git-remote-pmvcs's plumbing: strings, buffered reading of git's
 * commands and streams, child processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remote.h"
#include "vcs.h"

void
rh_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fatal: pmvcs remote: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(128);
}

void
rh_add(rh_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q)
			rh_die("out of memory");
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
rh_adds(rh_buf *b, const char *s)
{
	rh_add(b, s, strlen(s));
}

/** fill -- read more input when the buffer is empty; bytes available,
 *  0 at end, -1 on error. */
static ssize_t
fill(rh_in *in)
{
	ssize_t n;

	if (in->off < in->len)
		return (ssize_t)(in->len - in->off);
	do
		n = read(in->fd, in->buf, sizeof(in->buf));
	while (n < 0 && errno == EINTR);
	in->off = 0;
	in->len = n > 0 ? (size_t)n : 0;
	return n;
}

int
rh_line(rh_in *in, rh_buf *line)
{
	int any = 0;

	line->len = 0;
	rh_add(line, "", 0);
	for (;;) {
		ssize_t n = fill(in);
		if (n < 0)
			return -1;
		if (n == 0)
			return any;
		char *s = in->buf + in->off;
		char *nl = memchr(s, '\n', (size_t)n);
		size_t take = nl ? (size_t)(nl - s) : (size_t)n;
		rh_add(line, s, take);
		in->off += take + (nl != NULL);
		any = 1;
		if (nl)
			return 1;
	}
}

int
rh_peek(rh_in *in)
{
	return fill(in) > 0 ? (unsigned char)in->buf[in->off] : -1;
}

int
rh_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
rh_copy(rh_in *in, size_t n, FILE *out)
{
	while (n) {
		ssize_t a = fill(in);
		if (a <= 0)
			return -1;
		size_t take = (size_t)a < n ? (size_t)a : n;
		if (out && fwrite(in->buf + in->off, 1, take, out) != take)
			return -1;
		in->off += take;
		n -= take;
	}
	return 0;
}

pid_t
rh_spawn(char *const argv[], const char *dir, int in, int out, int err)
{
	pid_t pid = fork();

	if (pid < 0)
		rh_die("cannot run %s: %s", argv[0], strerror(errno));
	if (pid)
		return pid;
	if ((in >= 0 && dup2(in, 0) < 0) || (out >= 0 && dup2(out, 1) < 0) ||
	    (err >= 0 && dup2(err, 2) < 0))
		_exit(127);
	if (in > 2)
		close(in);
	if (out > 2)
		close(out);
	if (err > 2)
		close(err);
	if (dir && chdir(dir) < 0) {
		fprintf(stderr, "fatal: pmvcs remote: %s: %s\n", dir, strerror(errno));
		_exit(128);
	}
	if (strcmp(argv[0], "git")) {
		unsetenv("GIT_DIR");
		unsetenv("GIT_WORK_TREE");
		unsetenv("GIT_PREFIX");
	}
	execvp(argv[0], argv);
	fprintf(stderr, "fatal: pmvcs remote: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

int
rh_wait(pid_t pid)
{
	return vcs_wait_exit(pid);
}

/** run -- argv in dir with data on stdin (NULL: /dev/null), stdout into
 *  out, stderr dropped when quiet. */
static int
run(char *const argv[], const char *dir, const char *data, size_t len,
    rh_buf *out, int quiet)
{
	int p[2], q[2] = { -1, -1 };
	int null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;

	if (data && pipe2(q, O_CLOEXEC) < 0)
		rh_die("pipe: %s", strerror(errno));
	char buf[8192];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		rh_die("pipe: %s", strerror(errno));
	pid_t pid = rh_spawn(argv, dir, q[0], p[1], null);
	close(p[1]);
	if (null >= 0)
		close(null);
	if (data) {
		close(q[0]);
		(void)rh_write(q[1], data, len);    /* a short write shows in rc */
		close(q[1]);
	}
	rh_add(out, "", 0);
	while ((n = read(p[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		rh_add(out, buf, (size_t)n);
	}
	close(p[0]);
	return rh_wait(pid);
}

int
rh_capture(char *const argv[], const char *dir, rh_buf *out, int quiet)
{
	return run(argv, dir, NULL, 0, out, quiet);
}

int
rh_filter(char *const argv[], const char *dir, const char *in, size_t len,
	  rh_buf *out)
{
	return run(argv, dir, in, len, out, 0);
}
