/*
 * autostart.c -- starting a repository's server: by `pmvcs server start`
 * (cmd_server.c) or by the first command that finds none (main.c), the
 * server by default (docs/server.md, "Lifecycle").
 *
 * Invariants:
 *  1. One starter at a time per repository: .pmvcs/server.lock is
 *     flock()ed around "is a server live? else fork one and wait until it
 *     listens", so ten clients at once in a fresh repository end with one
 *     server; the others find it live once they get the lock. The lock
 *     dies with its holder (flock), so a killed starter blocks nobody.
 *  2. The daemon is forked before anything opens the pool (libpmdb: no
 *     fork with an open env), works from "/" and keeps no descriptor of
 *     its starter but the report pipe: stdio goes to /dev/null and every
 *     other fd is closed at once, so the lock fd is not shared with it
 *     and a pipe the first client had open (a test's $(...), a
 *     coprocess) is not held for the server's whole life.
 *  3. An automatic start never reports anything: any failure (pool held by
 *     another process, socket refused by the file system, a damaged pool)
 *     means "run in-process", and the in-process run says what is wrong,
 *     in the words it always used. Its daemon opens the pool without
 *     waiting (lock timeout 0): a pool held by a --no-server process or by
 *     a server that is stopping is the in-process run's to wait for.
 *  4. Nothing here is process-wide but sig_srv, set once in a daemon
 *     before its signal handlers exist.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"

#define IDLE_DEFAULT 300        /* seconds; docs/server.md */
#define LOCK_NAME "server.lock" /* beside the socket (inv. 1) */

/* The server a signal stops: the only process-wide state of a server
 * process, set once before the signals are installed (inv. 4). */
static pmvcs_server *sig_srv;

/* on_signal -- SIGTERM/SIGINT/SIGHUP: stop cleanly (async-signal-safe) */
static void
on_signal(int sig)
{
	(void)sig;
	if (sig_srv)
		pmvcs_server_wake(sig_srv);
}

/* pmvcs_server_serve -- see cmd.h */
int
pmvcs_server_serve(pmvcs_ctx *ctx, const char *sock, unsigned idle,
		   FILE *rep, int daemon)
{
	pmvcs_ctx c = *ctx;
	pmvcs_server *srv;
	vcs_repo *repo;
	struct sigaction sa;

	c.err = rep;
	if (!(repo = pmvcs_open_repo(&c)))
		return PMVCS_EXIT_FATAL;
	if (pmvcs_server_new(&srv, repo, sock, idle, rep)) {
		vcs_repo_free(repo);
		return PMVCS_EXIT_FATAL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);   /* dead clients: EPIPE instead */
	sig_srv = srv;
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!daemon) {
		fprintf(ctx->out, "server started: pid %ld, socket %s\n",
			(long)getpid(), sock);
		fflush(ctx->out);
	} else {
		fputs("ok\n", rep);
		fclose(rep);
	}
	pmvcs_server_run(srv);
	pmvcs_server_free(srv);
	return 0;
}

/* pmvcs_server_idle -- see cmd.h */
unsigned
pmvcs_server_idle(pmvcs_ctx *ctx)
{
	const char *v = pmvcs_getenv(ctx, "PMVCS_SERVER_IDLE");
	const vcs_config *cfg = NULL;
	const vcs_config_entry *e;
	long long n;
	const char *why;

	if ((!v || !*v) && ctx->cfg) {
		cfg = ctx->cfg;
		if ((e = vcs_config_get(cfg, "core.serveridletimeout")))
			v = e->value;
	}
	if (v && *v && !vcs_config_int(v, &n, &why) && n >= 0 &&
	    n <= 86400LL * 365)
		return (unsigned)n;
	return IDLE_DEFAULT;
}

/* live -- 1 if a server of ours answers "status" on sock (says nothing) */
static int
live(const char *sock)
{
	int fds[3] = { -1, -1, -1 }, rc, sp;
	char *text = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);
	int r;

	if (!out)
		return 0;
	r = pmvcs_client_call(sock, PMVCS_REQ_STATUS, 0, NULL, "/", NULL, fds,
			      &rc, &sp, out);
	fclose(out);
	r = r == 0 && text && !strncmp(text, "pid ", 4);
	free(text);
	return r;
}

/* daemon_child -- in the forked child: detach (inv. 2), serve; never
 * returns */
static void
daemon_child(pmvcs_ctx *ctx, const char *sock, unsigned idle, int repfd)
{
	int null = open("/dev/null", O_RDWR);
	FILE *rep;

	setsid();
	/* commands use their request's cwd, never the process's: hold no
	 * directory of the first client's (an unmount, a removed tree) */
	if (chdir("/") != 0)
		_exit(PMVCS_EXIT_FATAL);
	if (null < 0 || dup2(repfd, 3) != 3)
		_exit(PMVCS_EXIT_FATAL);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	/* everything else: the lock, the parent's other pipes (inv. 2) */
	if (close_range(4, ~0U, 0) != 0)
		for (int fd = 4; fd < 1024; fd++)
			close(fd);
	if (!(rep = fdopen(3, "w")))
		_exit(PMVCS_EXIT_FATAL);
	setvbuf(rep, NULL, _IONBF, 0);
	_exit(pmvcs_server_serve(ctx, sock, idle, rep, 1));
}

/* lock_starts -- take .pmvcs/server.lock (inv. 1); its fd, or -1 */
static int
lock_starts(const char *sock)
{
	char path[PATH_MAX];
	const char *slash = strrchr(sock, '/');
	int fd;

	if (!slash || snprintf(path, sizeof(path), "%.*s/" LOCK_NAME,
			       (int)(slash - sock), sock) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/* pmvcs_server_spawn -- see cmd.h */
int
pmvcs_server_spawn(pmvcs_ctx *ctx, const char *sock, unsigned idle,
		   long *pid, vcs_str *why)
{
	int p[2], lk, st, ret = -1;
	pid_t child;
	char buf[4096];
	size_t n = 0;

	*pid = 0;
	if ((lk = lock_starts(sock)) < 0) {
		vcs_str_addf(why, "pmvcs: server: cannot lock the start of "
			     "%s: %s\n", sock, strerror(errno));
		return -1;
	}
	if (live(sock)) {
		close(lk);
		return 1;
	}
	fflush(ctx->out);
	fflush(ctx->err);
	if (pipe2(p, O_CLOEXEC)) {
		vcs_str_addf(why, "pmvcs: server: pipe: %s\n", strerror(errno));
		close(lk);
		return -1;
	}
	if ((child = fork()) < 0) {
		vcs_str_addf(why, "pmvcs: server: fork: %s\n", strerror(errno));
		close(p[0]);
		close(p[1]);
		close(lk);
		return -1;
	}
	if (child == 0)
		daemon_child(ctx, sock, idle, p[1]);
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) == sizeof(buf) - 1)
			break;
		if (n >= 3 && !memcmp(buf + n - 3, "ok\n", 3))
			break;
	}
	close(p[0]);
	buf[n] = '\0';
	if (n >= 3 && !strcmp(buf + n - 3, "ok\n")) {
		*pid = (long)child;
		ret = 0;
	} else {
		/* it exits before its report ends: reap it */
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		vcs_str_addf(why, "%s", n ? buf : "pmvcs: server: failed to "
			     "start\n");
	}
	close(lk);   /* only now: losers of the race find it live (inv. 1) */
	return ret;
}

/* owned_dir -- 1 if the .pmvcs holding sock is ours and writable: a
 * server is started only where its socket would be trusted (client.c) */
static int
owned_dir(const char *sock)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(sock, '/');
	struct stat st;

	if (!slash || (size_t)(slash - sock) >= sizeof(dir))
		return 0;
	memcpy(dir, sock, (size_t)(slash - sock));
	dir[slash - sock] = '\0';
	return stat(dir, &st) == 0 && st.st_uid == geteuid() &&
	       access(dir, W_OK | X_OK) == 0;
}

/* pmvcs_autostart -- see cmd.h */
int
pmvcs_autostart(pmvcs_ctx *ctx)
{
	char sock[PATH_MAX + 32];
	vcs_config cfg = VCS_CONFIG_INIT;
	const vcs_config_entry *e;
	pmvcs_ctx c = *ctx;
	vcs_str why = VCS_STR_INIT;
	FILE *quiet;
	char *junk = NULL;
	size_t jn = 0;
	long pid;
	int off, r;

	if (pmvcs_find_socket(ctx->cwd, sock, sizeof(sock)) < 0 || !*sock ||
	    !owned_dir(sock))
		return 0;
	/* core.server: a broken configuration is the command's to report */
	if (!(quiet = open_memstream(&junk, &jn)))
		return 0;
	c.err = quiet;
	c.cfg = NULL;
	r = pmvcs_config_load(&c, &cfg);
	fclose(quiet);
	free(junk);
	c.err = ctx->err;
	e = r ? NULL : vcs_config_get(&cfg, "core.server");
	off = r || (e && e->value && (vcs_config_bool(e->value) == 0 ||
				      !strcasecmp(e->value, "off")));
	c.cfg = &cfg;
	unsigned idle = pmvcs_server_idle(&c);
	vcs_config_free(&cfg);
	if (off)
		return 0;
	c.cfg = NULL;
	c.lock_timeout_ms = 0;   /* inv. 3 */
	r = pmvcs_server_spawn(&c, sock, idle, &pid, &why);
	vcs_str_free(&why);      /* inv. 3 */
	return r >= 0;
}
