/*
 * cmd_server.c -- pmvcs server start|stop|status: run the resident pool
 * server of the repository around cwd (server.c), or talk to it.
 *
 * start forks a daemon (autostart.c, shared with the server by default);
 * it reports "ok" or its error through a pipe, so the exit code says
 * whether the server is listening.
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
	"The first command in a repository starts it (core.server=off,",
	"PMVCS_NO_SERVER=1 or --no-server: in-process). The idle timeout",
	"defaults to 300 s (PMVCS_SERVER_IDLE, core.serverIdleTimeout; 0:",
	"never).",
	NULL
};

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

/* start -- fork a daemon (or serve here with --foreground) */
static int
start(pmvcs_ctx *ctx, const char *sock, unsigned idle, int foreground)
{
	vcs_str why = VCS_STR_INIT;
	long pid;
	int r;

	if (foreground)
		return pmvcs_server_serve(ctx, sock, idle, ctx->err, 0);
	r = pmvcs_server_spawn(ctx, sock, idle, &pid, &why);
	if (r == 0)
		fprintf(ctx->out, "server started: pid %ld, socket %s\n", pid,
			sock);
	else if (r == 1)
		pmvcs_fatal(ctx, "server: a server is already running for "
			    "this repository (%s)", sock);
	else
		fputs(why.data ? (char *)why.data : "", ctx->err);
	vcs_str_free(&why);
	return r ? PMVCS_EXIT_FATAL : PMVCS_EXIT_OK;
}

/* cmd_server -- pmvcs server start|stop|status */
int
cmd_server(pmvcs_ctx *ctx)
{
	char sock[PATH_MAX], *end;
	unsigned long idle;
	int foreground = 0, r;
	const char *verb, *idle_arg = NULL;
	const pmvcs_option none[] = { OPT_END() };
	const pmvcs_option start_opts[] = {
		OPT_STRING(0, "idle-timeout", &idle_arg, "sec", "stop after "
			   "this many idle seconds (default 300; 0: never)"),
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
	if (!idle_arg) {
		const struct vcs_config *cfg;   /* core.serverIdleTimeout */
		if (pmvcs_config(ctx, &cfg))
			return PMVCS_EXIT_FATAL;
		idle = pmvcs_server_idle(ctx);
	} else {
		idle = strtoul(idle_arg, &end, 10);
		if (!*idle_arg || *end || idle > 86400 * 365)
			return pmvcs_fatal(ctx, "server: invalid "
					   "--idle-timeout: %s", idle_arg);
	}
	if ((r = locate(ctx, sock, sizeof(sock))) < 0)
		return PMVCS_EXIT_FATAL;
	if (!strcmp(verb, "start")) {
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
