/*
 * server.c -- the resident pool server: one open repository, commands
 * run on threads for clients that pass argv, cwd, environment and their
 * stdin/stdout/stderr over a Unix socket (docs/server.md).
 *
 * Invariants:
 *  1. The repo is opened once, before the socket exists, and closed only
 *     after the socket is gone and no command runs (srv->active == 0).
 *     Commands get it borrowed (repo->borrowed): their vcs_repo_free is a
 *     no-op.
 *  2. Only the owner's uid is served: the socket is created under umask
 *     077 and chmod 0600, and every connection's SO_PEERCRED uid is
 *     checked (a chmod'ed socket still refuses others).
 *  3. Commands that write the pool, the work tree or files under .pmvcs
 *     (writer(), below) run one at a time under srv->writer, with the
 *     client's umask; all others run in parallel (libpmdb readers are
 *     lock-free beside its one write txn). Also covers the .pmvcs/wtcache
 *     rewrite (a fixed temporary name, vcs/status.c) and checkout's tree.
 *  4. A command whose client went away finishes: its writes fail with
 *     EPIPE and are dropped (as the client process would have died of
 *     SIGPIPE, reported as exit 141); libpmdb commits are all-or-nothing.
 *  5. srv->mu guards active, stop, stop_fd and last; nothing else is
 *     shared between threads but the repo and srv->writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define REQ_MAX (4u << 20)   /* request payload limit (client.c agrees) */
#define MAX_FDS 4

struct pmvcs_server {
	vcs_repo *repo;
	char *sock;
	int lfd;                   /* listening socket */
	int wake[2];               /* self-pipe: 't' stop, 'c' command ended */
	unsigned idle_sec;
	uid_t uid;
	pthread_mutex_t mu;        /* guards the fields below (inv. 5) */
	pthread_cond_t done;       /* signalled when active drops */
	int active;                /* connections being served */
	int stop;                  /* stop requested */
	int stop_fd;               /* connection of "stop", answered last */
	struct timespec last;      /* end of the last activity */
	pthread_mutex_t writer;    /* serialises writer commands (inv. 3) */
};

/* One connection being served. */
typedef struct conn {
	pmvcs_server *srv;
	int fd;
	int fds[MAX_FDS];
	int nfds;
	char *req;
	size_t len;
	int dead;                  /* stdout/stderr got EPIPE (inv. 4) */
} conn;

/* An output stream of a command: writes go straight to the client's fd. */
typedef struct outc {
	conn *c;
	int fd;
} outc;

static void *conn_main(void *arg);

/* now -- monotonic clock */
static struct timespec
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* pmvcs_server_new -- bind the owner-only socket around repo */
int
pmvcs_server_new(pmvcs_server **out, vcs_repo *repo, const char *sock,
		 unsigned idle_sec, FILE *err)
{
	pmvcs_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_un a;
	int dirfd = -1;

	*out = NULL;
	if (!srv || !(srv->sock = strdup(sock))) {
		free(srv);
		fprintf(err, "pmvcs: server: out of memory\n");
		return -1;
	}
	srv->repo = repo;
	srv->idle_sec = idle_sec;
	srv->uid = geteuid();
	srv->stop_fd = -1;
	srv->wake[0] = srv->wake[1] = -1;
	srv->last = now();
	pthread_mutex_init(&srv->mu, NULL);
	pthread_mutex_init(&srv->writer, NULL);
	pthread_cond_init(&srv->done, NULL);
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0 || pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK) ||
	    pmvcs_sock_addr(sock, &a, &dirfd))
		goto fail;
	/* the pool lock is ours: a socket left here is stale */
	unlink(sock);
	mode_t old = umask(077);   /* before any command thread exists */
	int b = bind(srv->lfd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (dirfd >= 0)
		close(dirfd);
	if (b || chmod(sock, 0600) || listen(srv->lfd, 64))
		goto fail;
	repo->borrowed = 1;
	*out = srv;
	return 0;
fail:
	fprintf(err, "pmvcs: server: cannot listen on %s: %s\n", sock,
		strerror(errno));
	srv->repo = NULL;
	pmvcs_server_free(srv);
	return -1;
}

/* pmvcs_server_wake -- ask the loop to stop (async-signal-safe) */
void
pmvcs_server_wake(pmvcs_server *srv)
{
	if (write(srv->wake[1], "t", 1) < 0) {
		/* pipe full: a wake-up is pending anyway */
	}
}

/* idle_ms -- poll timeout: -1 while commands run, else what is left of
 * the idle timeout (0: expired). Called with mu held. */
static int
idle_ms(pmvcs_server *srv)
{
	if (srv->active || !srv->idle_sec)
		return -1;
	struct timespec t = now();
	long long el = (t.tv_sec - srv->last.tv_sec) * 1000LL +
		       (t.tv_nsec - srv->last.tv_nsec) / 1000000;
	long long left = srv->idle_sec * 1000LL - el;
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* pmvcs_server_run -- accept loop; threads per connection */
void
pmvcs_server_run(pmvcs_server *srv)
{
	for (;;) {
		struct pollfd p[2] = { { srv->lfd, POLLIN, 0 },
				       { srv->wake[0], POLLIN, 0 } };
		int ms;

		pthread_mutex_lock(&srv->mu);
		ms = srv->stop ? 0 : idle_ms(srv);
		int stop = srv->stop || ms == 0;
		pthread_mutex_unlock(&srv->mu);
		if (stop)
			break;
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			char b[64];
			ssize_t r = read(srv->wake[0], b, sizeof(b));
			if (r > 0 && memchr(b, 't', (size_t)r)) {
				pthread_mutex_lock(&srv->mu);
				srv->stop = 1;
				pthread_mutex_unlock(&srv->mu);
			}
		}
		if (!(p[0].revents & POLLIN))
			continue;
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
		conn *c = fd >= 0 ? calloc(1, sizeof(*c)) : NULL;
		pthread_t t;
		pthread_attr_t at;

		if (!c) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		c->srv = srv;
		c->fd = fd;
		pthread_mutex_lock(&srv->mu);
		srv->active++;
		pthread_mutex_unlock(&srv->mu);
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, conn_main, c)) {
			close(fd);
			free(c);
			pthread_mutex_lock(&srv->mu);
			srv->active--;
			pthread_mutex_unlock(&srv->mu);
		}
		pthread_attr_destroy(&at);
	}
	/* no new clients (they fall back, then wait for the pool lock) */
	unlink(srv->sock);
	close(srv->lfd);
	srv->lfd = -1;
	pthread_mutex_lock(&srv->mu);
	srv->stop = 1;
	while (srv->active)
		pthread_cond_wait(&srv->done, &srv->mu);
	pthread_mutex_unlock(&srv->mu);
}

/* pmvcs_server_free -- close the pool, then answer "stop" (inv. 1) */
void
pmvcs_server_free(pmvcs_server *srv)
{
	if (!srv)
		return;
	if (srv->lfd >= 0) {
		close(srv->lfd);
		unlink(srv->sock);
	}
	if (srv->repo) {
		srv->repo->borrowed = 0;
		vcs_repo_free(srv->repo);
	}
	if (srv->stop_fd >= 0) {
		send(srv->stop_fd, "stopped\n", 8, MSG_NOSIGNAL);
		close(srv->stop_fd);
	}
	if (srv->wake[0] >= 0)
		close(srv->wake[0]);
	if (srv->wake[1] >= 0)
		close(srv->wake[1]);
	pthread_mutex_destroy(&srv->mu);
	pthread_mutex_destroy(&srv->writer);
	pthread_cond_destroy(&srv->done);
	free(srv->sock);
	free(srv);
}

/* reply -- send text to the client (it may be gone: ignored) */
static void
reply(conn *c, const char *fmt, ...)
{
	char b[4096];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		send(c->fd, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1,
		     MSG_NOSIGNAL);
}

/* read_full -- n bytes or -1 */
static int
read_full(int fd, char *buf, size_t n)
{
	while (n) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* recv_req -- header with fds, then the payload (docs/server.md) */
static int
recv_req(conn *c)
{
	char hdr[8];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
	} u;
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr m = { 0 };
	uint32_t len;
	ssize_t r;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	do
		r = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			int n = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int),
				       sizeof(int));
				if (c->nfds < MAX_FDS)
					c->fds[c->nfds++] = fd;
				else
					close(fd);
			}
		}
	if ((m.msg_flags & MSG_CTRUNC) ||
	    (r < (ssize_t)sizeof(hdr) &&
	     read_full(c->fd, hdr + r, sizeof(hdr) - (size_t)r)) ||
	    memcmp(hdr, "PMV1", 4))
		return -1;
	memcpy(&len, hdr + 4, 4);
	if (len == 0 || len > REQ_MAX || !(c->req = malloc(len + 1)) ||
	    read_full(c->fd, c->req, len))
		return -1;
	c->req[len] = '\0';
	c->len = len;
	return 0;
}

/* field -- next NUL-terminated field at *off, or NULL */
static const char *
field(conn *c, size_t *off)
{
	const char *f = c->req + *off;
	size_t n;

	if (*off >= c->len)
		return NULL;
	n = strnlen(f, c->len - *off);
	if (*off + n >= c->len)
		return NULL;
	*off += n + 1;
	return f;
}

/* num -- a decimal field in [0, max], or -1 */
static long
num(conn *c, size_t *off, long max)
{
	const char *f = field(c, off);
	char *end;
	long v;

	if (!f || !*f)
		return -1;
	v = strtol(f, &end, 10);
	return *end || v < 0 || v > max ? -1 : v;
}

/* out_write -- cookie write: straight to the fd; EPIPE marks the command
 * dead and drops everything after (inv. 4) */
static ssize_t
out_write(void *cookie, const char *buf, size_t n)
{
	outc *o = cookie;

	for (size_t off = 0; off < n; ) {
		ssize_t w;
		if (o->c->dead) {
			errno = EPIPE;
			return -1;
		}
		w = write(o->fd, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			o->c->dead = 1;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return (ssize_t)n;
}

/* writer -- 1 if the command writes the pool, the work tree or .pmvcs
 * files (inv. 3) */
static int
writer(int argc, char **argv)
{
	static const char *const w[] = { "commit", "checkout", "fast-import",
		"gc", "branch", "tag", "status", "diff", "reflog" };

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(argv[0], w[i]))
			return 1;
	/* fast-export takes no option prefixes (its parser keeps unknown
	 * options for the revision parser, see cmd_fast_export.c), so
	 * "--export-marks" is always spelled out: "=<file>" or " <file>" */
	if (!strcmp(argv[0], "fast-export"))
		for (int i = 1; i < argc; i++)
			if (!strncmp(argv[i], "--export-marks", 14))
				return 1;
	return 0;
}

/* run -- build the ctx from the request and run the command */
static int
run(conn *c, size_t off)
{
	static const cookie_io_functions_t io = { .write = out_write };
	pmvcs_ctx ctx;
	const char *cwd = field(c, &off);
	long mask = num(c, &off, 0777), flags = num(c, &off, 7);
	long argc = num(c, &off, 1 << 20), envc;
	char **argv = NULL, **envp = NULL, catarg[40];
	outc oo, oe;
	int rc = PMVCS_EXIT_FATAL, in_dup = -1;
	const pmvcs_cmd_def *cmd;

	if (!cwd || *cwd != '/' || mask < 0 || flags < 0 || argc < 1 ||
	    c->nfds != 3 + !!(flags & 4) || !(argv = calloc((size_t)argc + 1,
							   sizeof(*argv))))
		goto bad;
	for (long i = 0; i < argc; i++)
		if (!(argv[i] = (char *)field(c, &off)))
			goto bad;
	if ((flags & 4) && num(c, &off, 65535) < 0)
		goto bad;
	if ((envc = num(c, &off, 1 << 20)) < 0 ||
	    !(envp = calloc((size_t)envc + 1, sizeof(*envp))))
		goto bad;
	for (long i = 0; i < envc; i++)
		if (!(envp[i] = (char *)field(c, &off)))
			goto bad;
	cmd = pmvcs_cmd_find(argv[0]);
	if (!cmd || !strcmp(argv[0], "init") || !strcmp(argv[0], "server")) {
		dprintf(c->fds[2], "pmvcs: '%s' is not served by the pmvcs "
			"server\n", argv[0]);
		rc = PMVCS_EXIT_USAGE;
		goto done;
	}
	/* --cat-blob-fd=N names the client's fd N: point it at ours */
	for (long i = 1; !strcmp(argv[0], "fast-import") && i < argc; i++)
		if (!strncmp(argv[i], "--cat-blob-fd=", 14)) {
			long n = atol(argv[i] + 14);
			int fd = n <= 2 ? c->fds[n] : (flags & 4) ? c->fds[3] : -1;
			snprintf(catarg, sizeof(catarg), "--cat-blob-fd=%d", fd);
			argv[i] = catarg;
		}
	memset(&ctx, 0, sizeof(ctx));
	oo.c = oe.c = c;
	oo.fd = c->fds[1];
	oe.fd = c->fds[2];
	ctx.argc = (int)argc;
	ctx.argv = argv;
	ctx.cwd = cwd;
	ctx.envp = envp;
	ctx.in_fd = c->fds[0];
	ctx.out_fd = c->fds[1];
	ctx.err_fd = c->fds[2];
	ctx.out_is_tty = flags & 1;
	ctx.err_is_tty = !!(flags & 2);
	ctx.lock_timeout_ms = 5000;
	ctx.shared_repo = c->srv->repo;
	in_dup = dup(c->fds[0]);
	ctx.in = in_dup >= 0 ? fdopen(in_dup, "r") : NULL;
	ctx.out = fopencookie(&oo, "w", io);
	ctx.err = fopencookie(&oe, "w", io);
	if (!ctx.in || !ctx.out || !ctx.err) {
		if (!ctx.in && in_dup >= 0)
			close(in_dup);
		dprintf(c->fds[2], "pmvcs: server: out of memory\n");
		goto streams;
	}
	setvbuf(ctx.out, NULL, ctx.out_is_tty ? _IOLBF : _IOFBF, BUFSIZ);
	setvbuf(ctx.err, NULL, _IONBF, 0);
	int w = writer((int)argc, argv);
	if (w) {
		pthread_mutex_lock(&c->srv->writer);
		mask = umask((mode_t)mask);
	}
	rc = cmd->fn(&ctx);
	if (fflush(ctx.out) != 0 && rc == 0 && !c->dead) {
		fprintf(ctx.err, "pmvcs: write error on stdout: %s\n",
			strerror(errno));
		rc = PMVCS_EXIT_FATAL;
	}
	if (w) {
		umask((mode_t)mask);
		pthread_mutex_unlock(&c->srv->writer);
	}
streams:
	if (ctx.in)
		fclose(ctx.in);
	if (ctx.out)
		fclose(ctx.out);
	if (ctx.err)
		fclose(ctx.err);
done:
	free(argv);
	free(envp);
	return rc;
bad:
	free(argv);
	free(envp);
	reply(c, "refused malformed request\n");
	return -1;
}

/* status -- "key value" lines about the server */
static void
status(conn *c)
{
	pmvcs_server *srv = c->srv;

	pthread_mutex_lock(&srv->mu);
	int active = srv->active - 1;
	pthread_mutex_unlock(&srv->mu);
	reply(c, "pid %ld\nworktree %s\nsocket %s\nrunning %d\n"
	      "idle-timeout %u\n", (long)getpid(), srv->repo->worktree,
	      srv->sock, active, srv->idle_sec);
}

/* conn_main -- serve one connection, then signal the loop */
static void *
conn_main(void *arg)
{
	conn *c = arg;
	pmvcs_server *srv = c->srv;
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	size_t off = 0;
	const char *kind;
	int keep = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) ||
	    cr.uid != srv->uid) {
		reply(c, "refused uid %ld is not the server's owner "
		      "(uid %ld)\n", getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED,
						 &cr, &cl) ? -1L : (long)cr.uid,
		      (long)srv->uid);
	} else if (recv_req(c) || !(kind = field(c, &off))) {
		reply(c, "refused malformed request\n");
	} else if (!strcmp(kind, "run")) {
		int rc = run(c, off);
		if (rc >= 0)
			reply(c, c->dead ? "rc 141 sigpipe\n" : "rc %d\n", rc);
	} else if (!strcmp(kind, "status")) {
		status(c);
	} else if (!strcmp(kind, "stop")) {
		pthread_mutex_lock(&srv->mu);
		if (srv->stop_fd < 0) {
			srv->stop_fd = c->fd;
			keep = 1;
		}
		srv->stop = 1;
		pthread_mutex_unlock(&srv->mu);
		if (!keep)
			reply(c, "stopped\n");
	} else {
		reply(c, "refused unknown request '%s'\n", kind);
	}
	for (int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	if (!keep)
		close(c->fd);
	free(c->req);
	free(c);
	/* wake the loop while still counted: srv lives until active is 0 */
	pthread_mutex_lock(&srv->mu);
	if (write(srv->wake[1], "c", 1) < 0) {
		/* pipe full: the loop wakes anyway */
	}
	srv->active--;
	srv->last = now();
	pthread_cond_broadcast(&srv->done);
	pthread_mutex_unlock(&srv->mu);
	return NULL;
}
