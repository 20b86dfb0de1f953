/*
 * proc.c -- running the command under test, the checks, cp and rm.
 *
 * Every command runs in a process group of its own, so that the interposer
 * can kill the whole run at a power cut and a timeout can kill what is left,
 * and without address-space randomisation, so that runs repeat exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pmcrash.h"

extern char **environ;

static volatile sig_atomic_t alarm_fired;

/* on_alarm -- a command ran past --timeout */
static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* child_exec -- in the child: set up group, cwd, env, stdio; exec */
static void child_exec(char *const argv[], const char *dir, char *const env[],
		       const char *in_file, int out_fd)
{
	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	/* the same addresses in every run: libpmemobj keeps run-time pointers
	 * in the pool's mapped header, and a crash image must not depend on
	 * where ASLR put the heap (a failing seed must reproduce byte for byte) */
	personality(ADDR_NO_RANDOMIZE);
	if (dir && chdir(dir) != 0) {
		fprintf(stderr, "pmcrash: cannot enter %s: %s\n", dir, strerror(errno));
		_exit(127);
	}
	int in = open(in_file ? in_file : "/dev/null", O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "pmcrash: cannot open %s: %s\n", in_file, strerror(errno));
		_exit(127);
	}
	dup2(in, 0);
	close(in);
	if (out_fd >= 0) {
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		close(out_fd);
	}
	/* the power is cut in this process group: the command must run
	 * here, not in a resident server it would start or hand itself to
	 * (docs/server.md, "Environments"); --env may still override */
	setenv("PMVCS_NO_SERVER", "1", 1);
	for (int i = 0; env && env[i]; i++)
		putenv(env[i]);
	char pg[32];
	snprintf(pg, sizeof(pg), "%d", (int)getpid());
	setenv("PMCRASH_PGID", pg, 1);
	execvp(argv[0], argv);
	fprintf(stderr, "pmcrash: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* run_cmd -- see pmcrash.h */
int run_cmd(char *const argv[], const char *dir, char *const env[], const char *in_file,
	    unsigned timeout, int capture, struct result *res)
{
	int pfd[2] = { -1, -1 };
	memset(res, 0, sizeof(*res));
	if (capture && pipe2(pfd, O_CLOEXEC) != 0) {
		perror("pmcrash: pipe");
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("pmcrash: fork");
		return -1;
	}
	if (pid == 0) {
		if (capture)
			close(pfd[0]);
		child_exec(argv, dir, env, in_file, capture ? pfd[1] : -1);
	}
	setpgid(pid, pid);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm_fired = 0;
	alarm(timeout);
	size_t cap = 0;
	if (capture) {
		close(pfd[1]);
		char buf[8192];
		for (;;) {
			ssize_t n = read(pfd[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR) {
				if (alarm_fired)
					kill(-pid, SIGKILL);
				continue;
			}
			if (n <= 0)
				break;
			if (res->len + (size_t)n + 1 > cap) {
				cap = (res->len + (size_t)n + 1) * 2;
				res->out = realloc(res->out, cap);
				if (!res->out)
					abort();
			}
			memcpy(res->out + res->len, buf, (size_t)n);
			res->len += (size_t)n;
		}
		close(pfd[0]);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("pmcrash: waitpid");
			alarm(0);
			return -1;
		}
		if (alarm_fired)
			kill(-pid, SIGKILL);
	}
	alarm(0);
	/* the rest of the group (a pipeline, a background job) dies with it */
	kill(-pid, SIGKILL);
	if (!res->out)
		res->out = calloc(1, 1);
	else
		res->out[res->len] = 0;
	res->timeout = alarm_fired;
	if (WIFSIGNALED(st)) {
		res->signal = WTERMSIG(st);
		res->status = 128 + res->signal;
	} else {
		res->status = WEXITSTATUS(st);
	}
	return 0;
}

/* run_sh -- see pmcrash.h */
int run_sh(const char *script, const char *dir, char *const env[], unsigned timeout,
	   struct result *res)
{
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	return run_cmd(argv, dir, env, NULL, timeout, 1, res);
}

/* result_free -- see pmcrash.h */
void result_free(struct result *res)
{
	free(res->out);
	res->out = NULL;
}

/* copy_tree -- see pmcrash.h */
int copy_tree(const char *src, const char *dst)
{
	struct result r;
	char *argv[] = { "cp", "-a", "--", (char *)src, (char *)dst, NULL };
	if (run_cmd(argv, NULL, NULL, NULL, 600, 1, &r) != 0)
		return -1;
	int rc = r.status == 0 ? 0 : -1;
	if (rc)
		fprintf(stderr, "pmcrash: cp -a %s %s: %s", src, dst, r.out);
	result_free(&r);
	return rc;
}

/* remove_tree -- see pmcrash.h */
int remove_tree(const char *path)
{
	struct result r;
	char *argv[] = { "rm", "-rf", "--", (char *)path, NULL };
	if (run_cmd(argv, NULL, NULL, NULL, 600, 1, &r) != 0)
		return -1;
	int rc = r.status == 0 ? 0 : -1;
	if (rc)
		fprintf(stderr, "pmcrash: rm -rf %s: %s", path, r.out);
	result_free(&r);
	return rc;
}

/* first_lines -- see pmcrash.h */
const char *first_lines(const char *s, int n, char *buf, size_t size)
{
	size_t j = 0;
	int lines = 0;
	buf[0] = 0;
	for (; *s && lines < n && j + 4 < size; s++) {
		if (*s == '\n') {
			lines++;
			if (s[1] && lines < n) {
				memcpy(buf + j, " | ", 3);
				j += 3;
			}
			continue;
		}
		buf[j++] = *s;
	}
	buf[j] = 0;
	return buf;
}
