/*
 * cmd_server.c -- pmvcs server start|stop|status: run the resident pool
 * server of the repository around cwd (server.c), or talk to it.
 *
 * start forks before anything opens the pool (libpmdb: no fork with an
 * open env); the child reports "ok" or its error through a pipe, so the
 * parent's exit code says whether the server is listening.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const char *const server_usage[] = {
	"pmvcs server start [--idle-timeout=<sec>] [--foreground]",
	"pmvcs server stop",
	"pmvcs server status",
	"",
	"Keep the repository's pool open in a resident process that runs",
	"pmvcs commands for its owner (socket .pmvcs/" PMVCS_SOCK_NAME ").",
	"The idle timeout defaults to 600 s (0: never). Commands run",
	"in-process with --no-server or PMVCS_NO_SERVER=1.",
	NULL
};

/* The server a signal stops: the only process-wide state of a server
 * process, set once before the signals are installed. */
static pmvcs_server *sig_srv;

/* on_signal -- SIGTERM/SIGINT/SIGHUP: stop cleanly (async-signal-safe) */
static void
on_signal(int sig)
{
	(void)sig;
	if (sig_srv)
		pmvcs_server_wake(sig_srv);
}

/* locate -- the socket path for ctx->cwd; message and -1 if no repo */
static int
locate(pmvcs_ctx *ctx, char *sock, size_t size)
{
	int r = pmvcs_find_socket(ctx->cwd, sock, size);

	if (r < 0 || !*sock) {
		pmvcs_fatal(ctx, "not a pmvcs repository (or any of the parent "
			    "directories): %s", ctx->cwd);
		return -1;
	}
	return r;
}

/* ask -- a status/stop request: 0 answered, 1 no server, -1 failed */
static int
ask(pmvcs_ctx *ctx, const char *sock, pmvcs_req_kind kind, FILE *out)
{
	int fds[3] = { ctx->in_fd, ctx->out_fd, ctx->err_fd }, rc, sp;

	return pmvcs_client_call(sock, kind, 0, NULL, ctx->cwd, NULL, fds,
				 &rc, &sp, out);
}

/* started -- say what runs where (issue 16: "server start" was silent) */
static void
started(pmvcs_ctx *ctx, long pid, const char *sock)
{
	fprintf(ctx->out, "server started: pid %ld, socket %s\n", pid, sock);
	fflush(ctx->out);
}

/* serve -- open the repo, listen, run until stopped; report on rep */
static int
serve(pmvcs_ctx *ctx, const char *sock, unsigned idle, FILE *rep,
      int daemon)
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
	if (!daemon)
		started(ctx, (long)getpid(), sock);
	if (daemon) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		fputs("ok\n", rep);
		fclose(rep);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
	pmvcs_server_run(srv);
	pmvcs_server_free(srv);
	return 0;
}

/* start -- fork a daemon (or serve here with --foreground) */
static int
start(pmvcs_ctx *ctx, const char *sock, unsigned idle, int foreground)
{
	int p[2];
	pid_t pid;

	if (foreground)
		return serve(ctx, sock, idle, ctx->err, 0);
	fflush(ctx->out);
	fflush(ctx->err);
	if (pipe2(p, O_CLOEXEC))
		return pmvcs_fatal(ctx, "server: pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		return pmvcs_fatal(ctx, "server: fork: %s", strerror(errno));
	if (pid == 0) {
		FILE *rep = fdopen(p[1], "w");
		close(p[0]);
		setsid();
		if (!rep)
			_exit(PMVCS_EXIT_FATAL);
		setvbuf(rep, NULL, _IONBF, 0);
		int rc = serve(ctx, sock, idle, rep, 1);
		_exit(rc);
	}
	close(p[1]);
	char buf[4096];
	size_t n = 0;
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
		started(ctx, (long)pid, sock);
		return PMVCS_EXIT_OK;
	}
	fputs(n ? buf : "pmvcs: server: failed to start\n", ctx->err);
	return PMVCS_EXIT_FATAL;
}

/* cmd_server -- pmvcs server start|stop|status */
int
cmd_server(pmvcs_ctx *ctx)
{
	char sock[PATH_MAX], *end;
	unsigned long idle = 600;
	int foreground = 0, r;
	const char *verb, *idle_arg = NULL;
	const pmvcs_option none[] = { OPT_END() };
	const pmvcs_option start_opts[] = {
		OPT_STRING(0, "idle-timeout", &idle_arg, "sec", "stop after "
			   "this many idle seconds (default 600; 0: never)"),
		OPT_BOOL(0, "foreground", &foreground, "serve from this process"),
		OPT_END()
	};

	/* "server <verb> [<options>]": the verb first, then its options
	 * (parsed with the verb as the command's name) */
	if ((r = pmvcs_parse(ctx, none, server_usage,
			     PMVCS_PARSE_STOP_AT_NON_OPTION)) < 0)
		return PMVCS_EXIT_USAGE;
	if (!r)
		return pmvcs_usage(ctx, server_usage, none);
	verb = ctx->argv[0];
	if ((r = pmvcs_parse(ctx, strcmp(verb, "start") ? none : start_opts,
			     server_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (r)
		return pmvcs_usage(ctx, server_usage, none);
	if (idle_arg) {
		idle = strtoul(idle_arg, &end, 10);
		if (!*idle_arg || *end || idle > 86400 * 365)
			return pmvcs_fatal(ctx, "server: invalid "
					   "--idle-timeout: %s", idle_arg);
	}
	if ((r = locate(ctx, sock, sizeof(sock))) < 0)
		return PMVCS_EXIT_FATAL;
	if (!strcmp(verb, "start")) {
		if (r == 1 && ask(ctx, sock, PMVCS_REQ_STATUS, NULL) == 0)
			return pmvcs_fatal(ctx, "server: a server is already "
					   "running for this repository (%s)",
					   sock);
		return start(ctx, sock, (unsigned)idle, foreground);
	}
	if (!strcmp(verb, "stop") || !strcmp(verb, "status")) {
		int stop = !strcmp(verb, "stop");
		r = r == 1 ? ask(ctx, sock, stop ? PMVCS_REQ_STOP :
				 PMVCS_REQ_STATUS, stop ? NULL : ctx->out) : 1;
		if (r == 1) {
			fprintf(stop ? ctx->err : ctx->out, "%sno server is "
				"running for this repository\n",
				stop ? "pmvcs: server: " : "");
			return PMVCS_EXIT_DIFF;
		}
		return r ? PMVCS_EXIT_FATAL : PMVCS_EXIT_OK;
	}
	return pmvcs_usage(ctx, server_usage, none);
}
