/*
 * fuzz_server_req.c -- libFuzzer target for the server's request decoder
 * (tools/pmvcs/request.c), also linked into a replay driver so that the
 * corpus (corpus/server_req) runs in every ctest.
 *
 * An input is one byte giving the number of descriptors that came with
 * the request (mod 5), then the payload. Its first 8 bytes also go
 * through the header check. The payload is copied into a buffer of its
 * exact size, so that ASan sees any read past it. A decoded request is
 * checked against the grammar (docs/server.md): a violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* in -- 1 if s and its NUL lie inside p[0..n) */
static int
in(const char *s, const char *p, size_t n)
{
	return s >= p && s < p + n && memchr(s, '\0', (size_t)(p + n - s));
}

/* check -- what a decoded request promises, else abort */
static void
check(const pmvcs_req *r, const char *p, size_t n, int nfds)
{
	if (r->kind != PMVCS_REQ_RUN) {
		if (nfds)
			abort();
		return;
	}
	if (!in(r->cwd, p, n) || r->cwd[0] != '/' || r->umask > 0777 ||
	    r->flags > 7 || r->argc < 1 || nfds != ((r->flags & 4) ? 4 : 3) ||
	    ((r->flags & 4) ? r->catfd < 3 : r->catfd != -1) ||
	    r->argv[r->argc] || r->envp[r->envc])
		abort();
	for (int i = 0; i < r->argc; i++)
		if (!in(r->argv[i], p, n))
			abort();
	for (int i = 0; i < r->envc; i++)
		if (!in(r->envp[i], p, n) || !strchr(r->envp[i], '=') ||
		    r->envp[i][0] == '=')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pmvcs_req r;
	const char *why;
	uint32_t len;
	char *p;

	if (size < 1)
		return 0;
	if (size >= PMVCS_REQ_HDR &&
	    !pmvcs_req_header(data, &len) && (len == 0 || len > PMVCS_REQ_MAX))
		abort();
	int nfds = data[0] % 5;
	size_t n = size - 1;
	if (!(p = malloc(n ? n : 1)))
		return 0;
	memcpy(p, data + 1, n);
	if (pmvcs_req_decode(&r, p, n, nfds, &why) == 0) {
		check(&r, p, n, nfds);
		pmvcs_req_release(&r);
	} else if (!why || (strcmp(why, "malformed request") &&
			    strcmp(why, "unknown request"))) {
		abort();
	}
	free(p);
	return 0;
}
