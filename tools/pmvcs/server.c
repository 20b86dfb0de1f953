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
 *     client's umask (process-wide); all others run in parallel, beside
 *     a writer (libpmdb readers are lock-free beside its write txn):
 *     readers never wait for writers. status and diff are readers: the
 *     .pmvcs/wtcache they rewrite goes through a temporary file of its
 *     own (mkostemp, mode 0600, no umask) and a rename (vcs/status.c),
 *     so any number of them may run beside each other and a writer.
 *  4. A command whose client went away finishes: its writes fail with
 *     EPIPE and are dropped (as the client process would have died of
 *     SIGPIPE, reported as exit 141); libpmdb commits are all-or-nothing.
 *  5. srv->mu guards active, reading, stop, stop_fd, served and last; nothing
 *     else is shared between threads but the repo and srv->writer.
 *  6. A client cannot hold the server: its request must arrive within
 *     REQ_DEADLINE_MS, at most MAX_CONNS connections are served at once
 *     (more wait in the listen backlog), and connections still reading
 *     their request neither keep the idle timeout from firing nor delay
 *     stop: srv->quit becomes readable when the loop ends and they give
 *     up at once.
 *  7. A server does not outlive its repository: when its socket file is
 *     gone or another file (checked at least every CHECK_MS while idle),
 *     it stops as if idle. A removed work tree (a test's temporary
 *     directory) thus gives its memory back without waiting out the
 *     idle timeout.
 *  8. The time zone is process-wide (glibc's localtime reads TZ), so
 *     commands run in zone groups: any number at once whose client has
 *     the same TZ (or none), the server's TZ set to it (setenv, tzset)
 *     only while no command runs (zone_enter); a command of another zone
 *     waits for those running, and newcomers of the current zone wait
 *     behind it (no starvation). Dates printed in local time
 *     (log --date=local, GIT_*_DATE without a zone) are then the
 *     client's, as in-process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define MAX_FDS 4
#define MAX_CONNS 64           /* threads serving connections (inv. 6) */
#define CHECK_MS 10000         /* socket still ours? (inv. 7) */
#define REQ_DEADLINE_MS 10000  /* to receive a whole request (inv. 6);
				  PMVCS_SERVER_REQ_TIMEOUT_MS overrides */

struct pmvcs_server {
	vcs_repo *repo;
	char *sock;
	int lfd;                   /* listening socket */
	int wake[2];               /* self-pipe: 't' stop, 'c' command ended */
	int quit[2];               /* written once the loop ends (inv. 6) */
	unsigned idle_sec;
	long deadline_ms;          /* to receive a request (inv. 6) */
	uid_t uid;
	dev_t sock_dev;            /* the socket file we bound (inv. 7) */
	ino_t sock_ino;
	pthread_mutex_t mu;        /* guards the fields below (inv. 5) */
	pthread_cond_t done;       /* signalled when active drops */
	int active;                /* connections being served */
	int reading;               /* of which still reading the request */
	int stop;                  /* stop requested */
	int stop_fd;               /* connection of "stop", answered last */
	unsigned long served;      /* run requests taken since the start */
	struct timespec last;      /* end of the last activity */
	pthread_mutex_t writer;    /* serialises writer commands (inv. 3) */
	pthread_mutex_t zmu;       /* guards the zone fields (inv. 8) */
	pthread_cond_t zcv;
	char *zone;                /* TZ now set, NULL: unset */
	int zusers;                /* commands running in zone */
	int zwaiting;              /* commands waiting for another zone */
};

/* One connection being served. */
typedef struct conn {
	pmvcs_server *srv;
	int fd;
	int fds[MAX_FDS];
	int nfds;
	char *req;
	size_t len;
	pmvcs_req r;               /* decoded from req */
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
	const char *dl = getenv("PMVCS_SERVER_REQ_TIMEOUT_MS");
	srv->deadline_ms = dl && *dl ? atol(dl) : 0;
	if (srv->deadline_ms <= 0 || srv->deadline_ms > 86400000L)
		srv->deadline_ms = REQ_DEADLINE_MS;
	srv->uid = geteuid();
	srv->stop_fd = -1;
	srv->wake[0] = srv->wake[1] = -1;
	srv->quit[0] = srv->quit[1] = -1;
	srv->last = now();
	pthread_mutex_init(&srv->mu, NULL);
	pthread_mutex_init(&srv->writer, NULL);
	pthread_cond_init(&srv->done, NULL);
	pthread_mutex_init(&srv->zmu, NULL);
	pthread_cond_init(&srv->zcv, NULL);
	const char *tz = getenv("TZ");
	if (tz && !(srv->zone = strdup(tz))) {
		free(srv->sock);
		free(srv);
		fprintf(err, "pmvcs: server: out of memory\n");
		return -1;
	}
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0 || pipe2(srv->wake, O_CLOEXEC | O_NONBLOCK) ||
	    pipe2(srv->quit, O_CLOEXEC | O_NONBLOCK) ||
	    pmvcs_sock_addr(sock, &a, &dirfd))
		goto fail;
	/* the pool lock is ours: a socket left here is stale */
	unlink(sock);
	mode_t old = umask(077);   /* before any command thread exists */
	int b = bind(srv->lfd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (dirfd >= 0)
		close(dirfd);
	struct stat st;
	if (b || chmod(sock, 0600) || listen(srv->lfd, 64) ||
	    lstat(sock, &st))
		goto fail;
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
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
	if (srv->active > srv->reading || !srv->idle_sec)
		return -1;
	struct timespec t = now();
	long long el = (t.tv_sec - srv->last.tv_sec) * 1000LL +
		       (t.tv_nsec - srv->last.tv_nsec) / 1000000;
	long long left = srv->idle_sec * 1000LL - el;
	return left <= 0 ? 0 : left > CHECK_MS ? CHECK_MS : (int)left;
}

/* orphaned -- 1 if our socket file is gone or replaced (inv. 7) */
static int
orphaned(pmvcs_server *srv)
{
	struct stat st;

	return lstat(srv->sock, &st) != 0 ? errno == ENOENT || errno == ENOTDIR
	       : st.st_dev != srv->sock_dev || st.st_ino != srv->sock_ino;
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
		int full = srv->active >= MAX_CONNS;
		pthread_mutex_unlock(&srv->mu);
		if (stop)
			break;
		/* at the cap, new clients wait in the backlog (inv. 6) */
		p[0].fd = full ? -1 : srv->lfd;
		p[0].revents = 0;
		int np = poll(p, 2, ms < 0 ? CHECK_MS : ms);
		if (np < 0 && errno != EINTR)
			break;
		if (np == 0 && orphaned(srv))
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
		srv->reading++;
		pthread_mutex_unlock(&srv->mu);
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, conn_main, c)) {
			close(fd);
			free(c);
			pthread_mutex_lock(&srv->mu);
			srv->active--;
			srv->reading--;
			pthread_mutex_unlock(&srv->mu);
		}
		pthread_attr_destroy(&at);
	}
	/* no new clients: those not yet accepted get their connection
	 * reset and start a new server or run in-process (client.c); the
	 * socket file is removed only if it is still ours (inv. 7) */
	if (!orphaned(srv))
		unlink(srv->sock);
	close(srv->lfd);
	srv->lfd = -1;
	if (write(srv->quit[1], "q", 1) < 0) {
		/* cannot fail on an empty pipe; readers time out anyway */
	}
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
	for (int i = 0; i < 2; i++)
		if (srv->quit[i] >= 0)
			close(srv->quit[i]);
	pthread_mutex_destroy(&srv->mu);
	pthread_mutex_destroy(&srv->writer);
	pthread_cond_destroy(&srv->done);
	pthread_mutex_destroy(&srv->zmu);
	pthread_cond_destroy(&srv->zcv);
	free(srv->zone);
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

/* wait_in -- poll fd for input until the request deadline; -1 when it
 * passed or the server stops (inv. 6), with *why saying which */
static int
wait_in(conn *c, const struct timespec *end, const char **why)
{
	for (;;) {
		struct pollfd p[2] = { { c->fd, POLLIN, 0 },
				       { c->srv->quit[0], POLLIN, 0 } };
		struct timespec t = now();
		long long ms = (end->tv_sec - t.tv_sec) * 1000LL +
			       (end->tv_nsec - t.tv_nsec) / 1000000;

		if (ms <= 0) {
			*why = "incomplete request (deadline passed)";
			return -1;
		}
		int r = poll(p, 2, (int)ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;   /* the deadline, above */
		if (r < 0 || (p[1].revents & POLLIN)) {
			*why = PMVCS_REFUSED_STOPPING;
			return -1;
		}
		return 0;
	}
}

/* read_full -- n bytes before the deadline, or -1 */
static int
read_full(conn *c, char *buf, size_t n, const struct timespec *end,
	  const char **why)
{
	while (n) {
		if (wait_in(c, end, why))
			return -1;
		ssize_t r = read(c->fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* recv_req -- header with fds, then the payload (docs/server.md), all
 * before the deadline (inv. 6) */
static int
recv_req(conn *c, const char **why)
{
	unsigned char hdr[PMVCS_REQ_HDR];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
	} u;
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr m = { 0 };
	struct timespec end = now();
	uint32_t len;
	ssize_t r;

	end.tv_sec += c->srv->deadline_ms / 1000;
	end.tv_nsec += c->srv->deadline_ms % 1000 * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	do
		r = wait_in(c, &end, why) ? -2
		    : recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC);
	while (r == -1 && errno == EINTR);
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
	     read_full(c, (char *)hdr + r, sizeof(hdr) - (size_t)r, &end,
		       why)) ||
	    pmvcs_req_header(hdr, &len))
		return -1;
	if (!(c->req = malloc(len)) || read_full(c, c->req, len, &end, why))
		return -1;
	c->len = len;
	return 0;
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

/* writer -- 1 if the command may write the pool, the work tree or .pmvcs
 * files (inv. 3). The readers are listed, not the writers: a command
 * added later is serialised until someone lists it here. */
static int
writer(int argc, char **argv)
{
	static const char *const r[] = { "log", "show", "cat-file",
		"ls-tree", "rev-parse", "show-ref", "fsck", "stats", "status",
		"diff", "check-ignore", "rev-list", "merge-base" };

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (!strcmp(argv[0], r[i]))
			return 0;
	/* fast-export takes no option prefixes (its parser keeps unknown
	 * options for the revision parser, see cmd_fast_export.c), so
	 * "--export-marks" is always spelled out: "=<file>" or " <file>" */
	if (!strcmp(argv[0], "fast-export")) {
		for (int i = 1; i < argc; i++)
			if (!strncmp(argv[i], "--export-marks", 14))
				return 1;
		return 0;
	}
	return 1;
}

/* same_zone -- 1 if TZ values a and b (NULL: unset) are equal */
static int
same_zone(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* zone_enter -- wait until commands of zone tz (NULL: no TZ) may run,
 * setting the process's TZ to it when none runs (inv. 8); 0, or -1 out
 * of memory */
static int
zone_enter(pmvcs_server *srv, const char *tz)
{
	int waited = 0, rc = 0;

	pthread_mutex_lock(&srv->zmu);
	while (srv->zusers > 0 && (!same_zone(srv->zone, tz) ||
				   (srv->zwaiting > waited))) {
		if (!waited) {
			waited = 1;
			srv->zwaiting++;
		}
		pthread_cond_wait(&srv->zcv, &srv->zmu);
	}
	if (waited)
		srv->zwaiting--;
	if (!same_zone(srv->zone, tz)) {
		char *z = tz ? strdup(tz) : NULL;
		/* no command runs: nothing reads the environment now */
		if ((tz && !z) || (tz ? setenv("TZ", tz, 1) : unsetenv("TZ"))) {
			free(z);
			rc = -1;
		} else {
			free(srv->zone);
			srv->zone = z;
			tzset();
		}
	}
	if (!rc)
		srv->zusers++;
	pthread_cond_broadcast(&srv->zcv);
	pthread_mutex_unlock(&srv->zmu);
	return rc;
}

/* zone_leave -- the end of a command that zone_enter let in */
static void
zone_leave(pmvcs_server *srv)
{
	pthread_mutex_lock(&srv->zmu);
	if (--srv->zusers == 0)
		pthread_cond_broadcast(&srv->zcv);
	pthread_mutex_unlock(&srv->zmu);
}

/* env_tz -- the TZ value in envp, or NULL */
static const char *
env_tz(char **envp)
{
	for (char **e = envp; e && *e; e++)
		if (!strncmp(*e, "TZ=", 3))
			return *e + 3;
	return NULL;
}

/* inside -- 1 if path is dir or below it */
static int
inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) &&
	       (path[n] == '/' || path[n] == '\0' || (n == 1 && *dir == '/'));
}

/* in_worktree -- 1 if the request's cwd is in the served work tree, as
 * it is when the client found the socket from there; a request from
 * elsewhere would run on another directory's files (refused) */
static int
in_worktree(const char *cwd, const char *wt)
{
	char real[PATH_MAX];

	if (inside(cwd, wt))
		return 1;
	/* a symlinked spelling of the same place */
	return realpath(cwd, real) && inside(real, wt);
}

/* run -- build the ctx from the request and run the command */
static int
run(conn *c)
{
	static const cookie_io_functions_t io = { .write = out_write };
	const pmvcs_req *r = &c->r;
	pmvcs_ctx ctx;
	char catarg[40];
	outc oo, oe;
	int rc = PMVCS_EXIT_FATAL, in_dup = -1;
	mode_t mask = (mode_t)r->umask;
	const pmvcs_cmd_def *cmd;

	if (!in_worktree(r->cwd, c->srv->repo->worktree)) {
		reply(c, "refused the directory %s is outside the work tree "
		      "%s\n", r->cwd, c->srv->repo->worktree);
		return -1;
	}
	cmd = pmvcs_cmd_find(r->argv[0]);
	if (!cmd)   /* as in-process: the front end hands any verb over */
		return pmvcs_unknown_command(c->fds[2], r->argv[0]);
	if (!strcmp(r->argv[0], "init") ||
	    !strcmp(r->argv[0], "server")) {
		dprintf(c->fds[2], "pmvcs: '%s' is not served by the pmvcs "
			"server\n", r->argv[0]);
		return PMVCS_EXIT_USAGE;
	}
	/* --cat-blob-fd=N names the client's fd N: point it at ours */
	for (int i = 1; !strcmp(r->argv[0], "fast-import") && i < r->argc; i++)
		if (!strncmp(r->argv[i], "--cat-blob-fd=", 14)) {
			long n = atol(r->argv[i] + 14);
			int fd = n >= 0 && n <= 2 ? c->fds[n]
				 : r->catfd >= 0 ? c->fds[3] : -1;
			snprintf(catarg, sizeof(catarg), "--cat-blob-fd=%d", fd);
			r->argv[i] = catarg;
		}
	memset(&ctx, 0, sizeof(ctx));
	oo.c = oe.c = c;
	oo.fd = c->fds[1];
	oe.fd = c->fds[2];
	ctx.argc = r->argc;
	ctx.argv = r->argv;
	ctx.cwd = r->cwd;
	ctx.envp = r->envp;
	ctx.in_fd = c->fds[0];
	ctx.out_fd = c->fds[1];
	ctx.err_fd = c->fds[2];
	ctx.out_is_tty = r->flags & 1;
	ctx.err_is_tty = !!(r->flags & 2);
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
	int w = writer(r->argc, r->argv);
	if (w)
		pthread_mutex_lock(&c->srv->writer);
	if (zone_enter(c->srv, env_tz(r->envp))) {
		if (w)
			pthread_mutex_unlock(&c->srv->writer);
		fprintf(ctx.err, "pmvcs: server: out of memory\n");
		goto streams;
	}
	if (w)
		mask = umask(mask);
	rc = cmd->fn(&ctx);
	pmvcs_ctx_release(&ctx);
	if (fflush(ctx.out) != 0 && rc == 0 && !c->dead) {
		fprintf(ctx.err, "pmvcs: write error on stdout: %s\n",
			strerror(errno));
		rc = PMVCS_EXIT_FATAL;
	}
	if (w)
		umask(mask);
	zone_leave(c->srv);
	if (w)
		pthread_mutex_unlock(&c->srv->writer);
streams:
	if (ctx.in)
		fclose(ctx.in);
	if (ctx.out)
		fclose(ctx.out);
	if (ctx.err)
		fclose(ctx.err);
	return rc;
}

/* status -- "key value" lines about the server */
static void
status(conn *c)
{
	pmvcs_server *srv = c->srv;

	pthread_mutex_lock(&srv->mu);
	int active = srv->active - srv->reading - 1;   /* not this one */
	unsigned long served = srv->served;
	pthread_mutex_unlock(&srv->mu);
	reply(c, "pid %ld\nworktree %s\nsocket %s\nrunning %d\n"
	      "idle-timeout %u\nserved %lu\n", (long)getpid(),
	      srv->repo->worktree, srv->sock, active, srv->idle_sec, served);
}

/* conn_main -- serve one connection, then signal the loop */
static void *
conn_main(void *arg)
{
	conn *c = arg;
	pmvcs_server *srv = c->srv;
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	const char *why = "malformed request";
	int keep = 0, bad, peer;

	pthread_setname_np(pthread_self(), "pmvcs-conn");   /* countable */
	peer = getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) ? -1
	       : cr.uid == srv->uid;
	bad = peer != 1 || recv_req(c, &why) ||
	      pmvcs_req_decode(&c->r, c->req, c->len, c->nfds, &why);
	pthread_mutex_lock(&srv->mu);
	srv->reading--;
	pthread_mutex_unlock(&srv->mu);
	if (peer != 1) {
		reply(c, "refused uid %ld is not the server's owner "
		      "(uid %ld)\n", peer < 0 ? -1L : (long)cr.uid,
		      (long)srv->uid);
	} else if (bad) {
		reply(c, "refused %s\n", why);
	} else if (c->r.kind == PMVCS_REQ_RUN) {
		pthread_mutex_lock(&srv->mu);
		srv->served++;
		pthread_mutex_unlock(&srv->mu);
		int rc = run(c);
		if (rc >= 0)
			reply(c, c->dead ? "rc 141 sigpipe\n" : "rc %d\n", rc);
	} else if (c->r.kind == PMVCS_REQ_STATUS) {
		status(c);
	} else {
		pthread_mutex_lock(&srv->mu);
		if (srv->stop_fd < 0) {
			srv->stop_fd = c->fd;
			keep = 1;
		}
		srv->stop = 1;
		pthread_mutex_unlock(&srv->mu);
		if (!keep)
			reply(c, "stopped\n");
	}
	for (int i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	if (!keep)
		close(c->fd);
	pmvcs_req_release(&c->r);
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
