/*
 * remote.h -- git-remote-pmvcs's parts (tools/remote/): a git remote
 * helper (gitremote-helpers(7)) that serves a pmvcs repository to git by
 * running `pmvcs fast-export` / `pmvcs fast-import` (docs/remote.md).
 *
 * The helper is a process of its own, run by git: it may chdir, exit and
 * keep state in statics; the pmvcs commands it runs go through the
 * front end (and so through the repository's server when one runs).
 */
#ifndef PMVCS_REMOTE_H
#define PMVCS_REMOTE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/** A growable byte string (NUL-terminated). */
typedef struct rh_buf {
	char *p;
	size_t len, cap;
} rh_buf;

/** rh_add -- append n bytes; dies on out of memory. */
void rh_add(rh_buf *b, const void *p, size_t n);
/** rh_adds -- append a C string. */
void rh_adds(rh_buf *b, const char *s);
/** rh_die -- "fatal: pmvcs remote: <msg>" on stderr, exit 128. */
void rh_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/** Buffered reader over a file descriptor. */
typedef struct rh_in {
	int fd;
	char buf[65536];
	size_t off, len;
} rh_in;

/** rh_line -- the next line without its LF into line (reset first).
 *  @return 1 a line, 0 end of input (nothing read), -1 read error. */
int rh_line(rh_in *in, rh_buf *line);
/** rh_copy -- move n raw bytes from in to out (NULL: drop them).
 *  @return 0, or -1 (short input or write error). */
int rh_copy(rh_in *in, size_t n, FILE *out);
/** rh_peek -- the next byte without taking it, or -1 at end/error. */
int rh_peek(rh_in *in);
/** rh_write -- write all of p to fd; 0 or -1. */
int rh_write(int fd, const void *p, size_t n);

/**
 * rh_spawn -- run argv (argv[0] looked up in PATH) in dir (NULL: here)
 * with fds in/out/err (-1: inherit); pmvcs commands get an environment
 * without GIT_DIR and GIT_WORK_TREE (they name git's repository, not
 * ours). @return the pid; dies if it cannot fork.
 */
pid_t rh_spawn(char *const argv[], const char *dir, int in, int out,
	       int err);
/** rh_wait -- wait for pid; its exit code (128 + signal if killed). */
int rh_wait(pid_t pid);
/** rh_capture -- run argv in dir, its stdout into out (appended); its
 *  stderr is dropped when quiet. @return its exit code. */
int rh_capture(char *const argv[], const char *dir, rh_buf *out, int quiet);

/** rh_filter -- rh_capture() with in (len bytes, small: it is written
 *  before the output is read) on the child's stdin. */
int rh_filter(char *const argv[], const char *dir, const char *in,
	      size_t len, rh_buf *out);

#endif /* PMVCS_REMOTE_H */
