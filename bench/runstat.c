/*
 * runstat.c -- run one command and report its wall time, CPU time, peak
 * RSS and exit status (a tiny /usr/bin/time -v that needs no package).
 *
 * usage: bench_runstat [-i IN] [-o OUT] [-e ERR] [-r REPORT] -- CMD [ARG...]
 *
 * IN/OUT/ERR redirect the command's stdin, stdout and stderr (OUT and ERR
 * are truncated). One line is appended to REPORT (stderr if none):
 *
 *   wall=<s> user=<s> sys=<s> maxrss_kb=<KiB> maxanon_kb=<KiB> status=<code|sigN>
 *
 * maxrss is the peak resident set of the command's process (wait4's
 * rusage, as time -v reports it); for a command that runs children, the
 * largest of them if that is larger. It counts the pages of mapped files
 * too, so for pmvcs it includes the pool pages it touched (on tmpfs they
 * are the storage itself). maxanon is the peak of RssAnon (heap, stacks:
 * memory the process holds of its own), sampled from /proc every 5 ms. The exit status of bench_runstat is
 * the command's (128+N for a signal), so callers can tell failures apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
static long rss_anon_kb(pid_t pid);
static void *sampler(void *arg);

/* What the sampler thread watches and finds. */
struct sampler {
	pid_t pid;
	int stop;          /* set by main when the child is reaped */
	long max_kb;       /* peak RssAnon seen */
};

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
 * rss_anon_kb -- the RssAnon line of /proc/pid/status, or -1.
 */
static long
rss_anon_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "RssAnon:", 8)) {
			kb = strtol(line + 8, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * sampler -- every 5 ms, read the child's RssAnon; keep the peak.
 */
static void *
sampler(void *arg)
{
	struct sampler *s = arg;
	long kb;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 5000000 };
		if ((kb = rss_anon_kb(s->pid)) > s->max_kb)
			s->max_kb = kb;
		nanosleep(&ts, NULL);
	}
	return NULL;
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
	struct sampler samp = { 0, 0, 0 };
	pthread_t th;
	pid_t w;
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
	/* a sampler thread polls RssAnon; this thread blocks in wait4 so
	 * that the end time is exact */
	samp.pid = pid;
	if (pthread_create(&th, NULL, sampler, &samp) != 0) {
		perror("bench_runstat: pthread_create");
		return 127;
	}
	while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	t1 = now_s();
	__atomic_store_n(&samp.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (w < 0) {
		perror("bench_runstat: wait4");
		return 127;
	}
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
	fprintf(rf, "wall=%.6f user=%.3f sys=%.3f maxrss_kb=%ld maxanon_kb=%ld status=%s\n",
		t1 - t0, tv_s(&ru.ru_utime), tv_s(&ru.ru_stime), ru.ru_maxrss, samp.max_kb,
		what);
	if (rf != stderr)
		fclose(rf);
	return code;
}
