/*
 * client.c -- the cheap half of the resident server: find the
 * repository's socket and hand a command to the server.
 *
 * Nothing here opens the pool or initialises OpenSSL: a served command
 * costs a few stat()s, one connect and one sendmsg. The wire format is in
 * docs/server.md; server.c is the other end.
 *
 * The socket is trusted only as git trusts a repository (its "dubious
 * ownership" check): the socket, the .pmvcs holding it and its pool.set
 * must belong to our euid, and the process listening must run as it
 * (SO_PEERCRED), or nothing is sent: the command's descriptors and
 * environment would otherwise go to whoever made the socket. Of the
 * environment only what commands read is sent (env_allowed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

/* pmvcs_find_socket -- nearest .pmvcs at or above cwd, its socket path */
int
pmvcs_find_socket(const char *cwd, char *buf, size_t size)
{
	char dir[PATH_MAX];
	struct stat st;
	size_t n = strlen(cwd);

	buf[0] = '\0';
	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, cwd, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	for (;;) {
		int w = snprintf(buf, size, "%s/" VCS_DOTDIR,
				 n == 1 && dir[0] == '/' ? "" : dir);
		if (w < 0 || (size_t)w + sizeof("/" PMVCS_SOCK_NAME) > size) {
			buf[0] = '\0';
			return -1;
		}
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) {
			strcat(buf, "/" PMVCS_SOCK_NAME);
			return lstat(buf, &st) == 0 && S_ISSOCK(st.st_mode);
		}
		char *slash = strrchr(dir, '/');
		if (!slash || (slash == dir && dir[1] == '\0')) {
			buf[0] = '\0';
			return 0;
		}
		slash[slash == dir ? 1 : 0] = '\0';
		n = strlen(dir);
	}
}

/* pmvcs_sock_addr -- sockaddr for path, via /proc/self/fd when long */
int
pmvcs_sock_addr(const char *path, struct sockaddr_un *a, int *dirfd)
{
	size_t n = strlen(path);
	const char *slash;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	*dirfd = -1;
	if (n < sizeof(a->sun_path)) {
		memcpy(a->sun_path, path, n + 1);
		return 0;
	}
	if (!(slash = strrchr(path, '/')) || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	char dir[PATH_MAX];
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if ((*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/%s",
		 *dirfd, slash + 1);
	return 0;
}

/* env_allowed -- 1 for the variables a served command may read: git's
 * and ours, and what locale, terminal, pager and editor choices need.
 * Everything else (tokens, keys, passwords) stays in the client. */
static int
env_allowed(const char *e)
{
	static const char *const pre[] = { "GIT_", "PMVCS_", "LC_" };
	static const char *const names[] = { "TZ", "LANG", "LANGUAGE",
		"TERM", "COLUMNS", "LINES", "HOME", "PAGER", "EDITOR",
		"VISUAL", "XDG_CONFIG_HOME", "NO_COLOR", "EMAIL" };
	size_t n = strcspn(e, "=");

	if (!e[n])
		return 0;
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(e, pre[i], strlen(pre[i])))
			return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(e, names[i], n))
			return 1;
	return 0;
}

/* put -- append a NUL-terminated field to the payload */
static int
put(vcs_str *p, const char *s)
{
	return vcs_str_add(p, s, strlen(s) + 1);
}

/* putn -- append a decimal field */
static int
putn(vcs_str *p, long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%ld", v);
	return put(p, b);
}

/* cat_blob_fd -- N of fast-import's --cat-blob-fd=N if above 2, else -1:
 * that descriptor travels with the request too */
static int
cat_blob_fd(int argc, char **argv)
{
	int fd = -1;

	if (argc < 1 || strcmp(argv[0], "fast-import"))
		return -1;
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--cat-blob-fd=", 14)) {
			char *end;
			long v = strtol(argv[i] + 14, &end, 10);
			fd = (!*end && v > 2 && v < 65536 &&
			      fcntl((int)v, F_GETFD) >= 0) ? (int)v : -1;
		}
	return fd;
}

/* build -- the request payload (docs/server.md: payload) */
static int
build(vcs_str *p, pmvcs_req_kind kind, int argc, char **argv,
      const char *cwd, char **envp, const int fds[3], int extra)
{
	static const char *const kinds[] = { "run", "status", "stop" };
	mode_t mask;
	long envc = 0, flags = 0;

	if (put(p, kinds[kind]) < 0)
		return -1;
	if (kind != PMVCS_REQ_RUN)
		return 0;
	mask = umask(0);
	umask(mask);
	flags |= isatty(fds[1]) ? 1 : 0;
	flags |= isatty(fds[2]) ? 2 : 0;
	flags |= extra >= 0 ? 4 : 0;
	for (char **e = envp; e && *e; e++)
		envc += env_allowed(*e) &&
			strncmp(*e, "PMVCS_CLIENT_TZOFF=", 19);
	envc++; /* PMVCS_CLIENT_TZOFF, below */
	if (put(p, cwd) < 0 || putn(p, (long)mask) < 0 || putn(p, flags) < 0 ||
	    putn(p, argc) < 0)
		return -1;
	for (int i = 0; i < argc; i++)
		if (put(p, argv[i]) < 0)
			return -1;
	if (extra >= 0 && putn(p, extra) < 0)
		return -1;
	if (putn(p, envc) < 0)
		return -1;
	for (char **e = envp; e && *e; e++)
		if (env_allowed(*e) && strncmp(*e, "PMVCS_CLIENT_TZOFF=", 19) &&
		    put(p, *e) < 0)
			return -1;
	/* the server's own zone is not the client's, and glibc has no
	 * per-thread TZ: send the client's UTC offset for "now" (ident.c) */
	{
		char tz[48];
		time_t now = time(NULL);
		struct tm tm;
		long off = localtime_r(&now, &tm) ? tm.tm_gmtoff / 60 : 0;

		snprintf(tz, sizeof(tz), "PMVCS_CLIENT_TZOFF=%ld", off);
		if (put(p, tz) < 0)
			return -1;
	}
	return p->len > PMVCS_REQ_MAX ? -1 : 0;
}

/* send_req -- header with the fds attached, then the payload */
static int
send_req(int s, const vcs_str *p, const int *fds, int nfds)
{
	char hdr[8] = { 'P', 'M', 'V', '1' };
	uint32_t len = (uint32_t)p->len;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} c;
	struct iovec iov = { hdr, sizeof(hdr) };
	struct msghdr m = { 0 };

	memcpy(hdr + 4, &len, 4);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (nfds) {
		memset(&c, 0, sizeof(c));
		m.msg_control = c.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(h), fds, nfds * sizeof(int));
	}
	if (sendmsg(s, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(hdr))
		return -1;
	for (size_t off = 0; off < p->len; ) {
		ssize_t w = send(s, (char *)p->data + off, p->len - off,
				 MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* client_fail -- message on errfd (none if -1); rc 128 */
static int
client_fail(int errfd, int *rc, const char *fmt, const char *a, const char *b)
{
	char msg[PATH_MAX + 256];
	int n = snprintf(msg, sizeof(msg), fmt, a, b);

	if (n > 0 && errfd >= 0 && write(errfd, msg, (size_t)n < sizeof(msg) ? (size_t)n
			   : sizeof(msg) - 1) < 0) {
		/* nowhere left to report it */
	}
	*rc = PMVCS_EXIT_FATAL;
	return -1;
}

/* trusted -- 0 if sock, the .pmvcs holding it and its pool.set belong
 * to our euid (git's "dubious ownership" rule), 1 if it is gone (a
 * server that just stopped), else a message on errfd and -1. Only
 * stat()s: a refused socket is never connected to. */
static int
trusted(const char *sock, int errfd, int *rc)
{
	char dir[PATH_MAX], set[PATH_MAX + 16];
	const char *slash = strrchr(sock, '/');
	uid_t me = geteuid();
	struct stat st;
	char uid[32];

	if (!slash || (size_t)(slash - sock) >= sizeof(dir))
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: %s\n", sock, "path too long");
	memcpy(dir, sock, (size_t)(slash - sock));
	dir[slash - sock] = '\0';
	snprintf(set, sizeof(set), "%s/pool.set", dir);
	if (lstat(sock, &st) != 0 && errno == ENOENT)
		return 1;
	if (lstat(sock, &st) != 0 || !S_ISSOCK(st.st_mode))
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: %s\n", sock, "not a socket");
	if (st.st_uid != me) {
		snprintf(uid, sizeof(uid), "%ld", (long)st.st_uid);
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: owned by uid %s\n", sock, uid);
	}
	if (stat(dir, &st) != 0)
		st.st_uid = (uid_t)-1;
	if (st.st_uid != me) {
		snprintf(uid, sizeof(uid), "%ld", (long)st.st_uid);
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: its directory is owned by "
				   "uid %s\n", sock, uid);
	}
	if (lstat(set, &st) != 0 || !S_ISREG(st.st_mode))
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: %s\n", sock,
				   "no pool beside it (pool.set)");
	if (st.st_uid != me) {
		snprintf(uid, sizeof(uid), "%ld", (long)st.st_uid);
		return client_fail(errfd, rc, "pmvcs: refusing the server "
				   "socket at %s: its pool is owned by uid "
				   "%s\n", sock, uid);
	}
	return 0;
}

/* pmvcs_client_call -- one request to the server at sock */
int
pmvcs_client_call(const char *sock, pmvcs_req_kind kind, int argc,
		  char **argv, const char *cwd, char **envp, const int fds[3],
		  int *rc, int *sigpipe, FILE *out)
{
	struct sockaddr_un a;
	vcs_str p = VCS_STR_INIT, reply = VCS_STR_INIT;
	int s, dirfd, extra = -1, sent[4], nfds = 0, ret = -1;

	*rc = PMVCS_EXIT_FATAL;
	*sigpipe = 0;
	int tr = trusted(sock, fds[2], rc);
	if (tr)
		return tr;
	if (pmvcs_sock_addr(sock, &a, &dirfd))
		return 1;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		if (dirfd >= 0)
			close(dirfd);
		return 1;
	}
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		close(s);
		if (dirfd >= 0)
			close(dirfd);
		if (e == EACCES || e == EPERM)
			return client_fail(fds[2], rc, "pmvcs: cannot connect to the "
				    "pmvcs server at %s: %s (it belongs to "
				    "another user)\n", sock, strerror(e));
		return 1;   /* ENOENT, ECONNREFUSED (stale): in-process */
	}
	if (dirfd >= 0)
		close(dirfd);
	/* the socket file was ours, but the directory may have changed
	 * hands since: the listener itself must be us too */
	struct ucred cr = { .uid = (uid_t)-1 };
	socklen_t cl = sizeof(cr);
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) ||
	    cr.uid != geteuid()) {
		char uid[32];
		snprintf(uid, sizeof(uid), "%ld", (long)cr.uid);
		client_fail(fds[2], rc, "pmvcs: refusing the server socket at "
			    "%s: the server runs as uid %s\n", sock, uid);
		goto out;
	}
	if (kind == PMVCS_REQ_RUN) {
		extra = cat_blob_fd(argc, argv);
		memcpy(sent, fds, 3 * sizeof(int));
		nfds = 3;
		if (extra >= 0)
			sent[nfds++] = extra;
	}
	if (build(&p, kind, argc, argv, cwd, envp, fds, extra) < 0) {
		client_fail(fds[2], rc, "pmvcs: request too large for the server%s%s\n",
		     "", "");
		goto out;
	}
	/* on a failed send, still read: the server may have said why */
	int send_err = send_req(s, &p, sent, nfds) < 0 ? errno : 0, rd_err = 0;
	shutdown(s, SHUT_WR);
	for (;;) {
		char buf[4096];
		ssize_t r = read(s, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rd_err = errno;
		if (r <= 0)
			break;
		if (vcs_str_add(&reply, buf, (size_t)r) < 0)
			break;
	}
	const char *t = reply.data ? (char *)reply.data : "";
	/* Not a word back and the connection reset, or the request not
	 * even sent: the server closed it before reading the whole request
	 * (a listener closing with connections not yet accepted, at an idle
	 * exit or a stop; AF_UNIX resets the peer of a socket closed with
	 * unread data), or it stopped while reading it. It never ran the
	 * command, which only starts once the request is read: "no server",
	 * run it elsewhere. A server killed
	 * while a command ran had read it all: plain end of file, below. */
	if ((!*t && (rd_err == ECONNRESET || send_err == EPIPE ||
		     send_err == ECONNRESET)) ||
	    !strcmp(t, "refused " PMVCS_REFUSED_STOPPING "\n")) {
		ret = 1;
		goto out;
	}
	if (!strncmp(t, "rc ", 3)) {
		*rc = atoi(t + 3);
		*sigpipe = strstr(t, " sigpipe") != NULL;
		ret = 0;
	} else if (!strncmp(t, "refused ", 8)) {
		client_fail(fds[2], rc, "pmvcs: the server at %s refused: %s", sock,
		     t + 8);
	} else if (send_err) {
		client_fail(fds[2], rc, "pmvcs: cannot send to the server at %s: %s\n",
		     sock, strerror(send_err));
	} else if (kind != PMVCS_REQ_RUN && *t) {
		if (out)
			fputs(t, out);
		*rc = 0;
		ret = 0;
	} else {
		client_fail(fds[2], rc, "pmvcs: the server at %s ended before %s\n",
		     sock, kind == PMVCS_REQ_RUN ? "the command did"
		     : "answering");
	}
out:
	close(s);
	vcs_str_free(&p);
	vcs_str_free(&reply);
	return ret;
}
