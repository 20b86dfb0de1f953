/*
 * runstat.c -- run one command and report its wall time, CPU time, peak
 * RSS and exit status (a tiny /usr/bin/time -v that needs no package).
 *
 * usage: bench_runstat [-i IN] [-o OUT] [-e ERR] [-r REPORT] -- CMD [ARG...]
 *
 * IN/OUT/ERR redirect the command's stdin, stdout and stderr (OUT and ERR
 * are truncated). One line is appended to REPORT (stderr if none):
 *
 *   wall=<s> user=<s> sys=<s> maxrss_kb=<KiB> status=<exit code|sig N>
 *
 * maxrss is the peak resident set of the command's process (wait4's
 * rusage, as time -v reports it); for a command that runs children, the
 * largest of them if that is larger. The exit status of bench_runstat is
 * the command's (128+N for a signal), so callers can tell failures apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void);
static double tv_s(const struct timeval *tv);
static void redirect(const char *path, int fd, int flags);

/*
 * now_s -- monotonic time in seconds.
 */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * tv_s -- a timeval in seconds.
 */
static double
tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec * 1e-6;
}

/*
 * redirect -- in the child: open path and put it on fd, or exit 127.
 */
static void
redirect(const char *path, int fd, int flags)
{
	int f = open(path, flags, 0644);
	if (f < 0 || dup2(f, fd) < 0) {
		fprintf(stderr, "bench_runstat: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (f != fd)
		close(f);
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *err = NULL, *report = NULL;
	struct rusage ru, ruc;
	double t0, t1;
	int opt, status, code;
	char what[32];
	pid_t pid;
	FILE *rf;

	while ((opt = getopt(argc, argv, "+i:o:e:r:")) != -1) {
		switch (opt) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'e': err = optarg; break;
		case 'r': report = optarg; break;
		default:
			fprintf(stderr, "usage: bench_runstat [-i IN] [-o OUT] [-e ERR] "
					"[-r REPORT] -- CMD [ARG...]\n");
			return 129;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "bench_runstat: no command\n");
		return 129;
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		perror("bench_runstat: fork");
		return 127;
	}
	if (pid == 0) {
		if (in)
			redirect(in, 0, O_RDONLY);
		if (out)
			redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
		if (err)
			redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "bench_runstat: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("bench_runstat: wait4");
		return 127;
	}
	t1 = now_s();
	/* grandchildren (a shell's commands) are in RUSAGE_CHILDREN */
	if (getrusage(RUSAGE_CHILDREN, &ruc) == 0 && ruc.ru_maxrss > ru.ru_maxrss)
		ru.ru_maxrss = ruc.ru_maxrss;
	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		snprintf(what, sizeof(what), "%d", code);
	} else {
		code = 128 + WTERMSIG(status);
		snprintf(what, sizeof(what), "sig%d", WTERMSIG(status));
	}
	rf = report ? fopen(report, "a") : stderr;
	if (!rf) {
		fprintf(stderr, "bench_runstat: %s: %s\n", report, strerror(errno));
		return 127;
	}
	fprintf(rf, "wall=%.6f user=%.3f sys=%.3f maxrss_kb=%ld status=%s\n",
		t1 - t0, tv_s(&ru.ru_utime), tv_s(&ru.ru_stime), ru.ru_maxrss, what);
	if (rf != stderr)
		fclose(rf);
	return code;
}
