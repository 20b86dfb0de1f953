/*
 * request.c -- decode a server request (request.h, docs/server.md).
 *
 * The payload comes from a socket whose peer passed the SO_PEERCRED
 * check, but it is still parsed as hostile input: a bug here runs in the
 * server that holds the pool. It is bounded by PMVCS_REQ_MAX, every
 * field must end inside it, and nothing may follow the last field
 * (tests/fuzz/fuzz_server_req.c).
 */
#include <stdlib.h>
#include <string.h>

#include "request.h"

/* A cursor over the payload. */
typedef struct cur {
	const char *p;
	size_t n, off;
} cur;

/* field -- next NUL-terminated field, or NULL if it does not end in p */
static const char *
field(cur *c)
{
	const char *f = c->p + c->off;
	size_t len;

	if (c->off >= c->n)
		return NULL;
	len = strnlen(f, c->n - c->off);
	if (c->off + len >= c->n)
		return NULL;
	c->off += len + 1;
	return f;
}

/* num -- a decimal field in [0, max] (digits only: no sign, no blanks),
 * or -1 */
static long
num(cur *c, long max)
{
	const char *f = field(c);
	long v = 0;

	if (!f || !*f)
		return -1;
	for (; *f; f++) {
		if (*f < '0' || *f > '9')
			return -1;
		v = v * 10 + (*f - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* strings -- count NUL-terminated fields into a new NULL-ended array;
 * count is at most the bytes left (each field takes one at least) */
static char **
strings(cur *c, long count)
{
	char **v;

	if (count < 0 || (size_t)count > c->n - c->off)
		return NULL;
	if (!(v = calloc((size_t)count + 1, sizeof(*v))))
		return NULL;
	for (long i = 0; i < count; i++)
		if (!(v[i] = (char *)field(c))) {
			free(v);
			return NULL;
		}
	return v;
}

/* pmvcs_req_header -- see request.h */
int
pmvcs_req_header(const unsigned char hdr[PMVCS_REQ_HDR], uint32_t *len)
{
	if (memcmp(hdr, "PMV1", 4))
		return -1;
	memcpy(len, hdr + 4, 4);
	return *len == 0 || *len > PMVCS_REQ_MAX ? -1 : 0;
}

/* pmvcs_req_decode -- see request.h */
int
pmvcs_req_decode(pmvcs_req *r, const char *p, size_t n, int nfds,
		 const char **why)
{
	cur c = { p, n, 0 };
	const char *kind;
	long v;

	memset(r, 0, sizeof(*r));
	r->catfd = -1;
	*why = "malformed request";
	if (n > PMVCS_REQ_MAX || !(kind = field(&c)))
		return -1;
	if (!strcmp(kind, "status") || !strcmp(kind, "stop")) {
		r->kind = kind[1] == 't' && kind[2] == 'a' ? PMVCS_REQ_STATUS
			  : PMVCS_REQ_STOP;
		return c.off == n && nfds == 0 ? 0 : -1;
	}
	if (strcmp(kind, "run")) {
		*why = "unknown request";
		return -1;
	}
	r->kind = PMVCS_REQ_RUN;
	if (!(r->cwd = field(&c)) || r->cwd[0] != '/')
		return -1;
	if ((v = num(&c, 0777)) < 0)
		return -1;
	r->umask = (unsigned)v;
	if ((v = num(&c, 7)) < 0 || nfds != ((v & 4) ? 4 : 3))
		return -1;
	r->flags = (unsigned)v;
	if ((v = num(&c, 1 << 20)) < 1)
		return -1;
	r->argc = (int)v;
	if (!(r->argv = strings(&c, v)))
		goto bad;
	if ((r->flags & 4) && (r->catfd = (int)num(&c, 65535)) < 3)
		goto bad;
	if ((v = num(&c, 1 << 20)) < 0)
		goto bad;
	r->envc = (int)v;
	if (!(r->envp = strings(&c, v)) || c.off != n)
		goto bad;
	for (int i = 0; i < r->envc; i++)
		if (!strchr(r->envp[i], '=') || r->envp[i][0] == '=')
			goto bad;
	return 0;
bad:
	pmvcs_req_release(r);
	return -1;
}

/* pmvcs_req_release -- see request.h */
void
pmvcs_req_release(pmvcs_req *r)
{
	free(r->argv);
	free(r->envp);
	r->argv = r->envp = NULL;
}
