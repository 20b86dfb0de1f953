/*
 * request.h -- the server's request decoder (docs/server.md, "Protocol"),
 * apart from any socket so that it can be fuzzed (tests/fuzz).
 */
#ifndef PMVCS_REQUEST_H
#define PMVCS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define PMVCS_REQ_MAX (4u << 20)   /**< payload limit (client.c agrees) */
#define PMVCS_REQ_HDR 8            /**< "PMV1" and the u32 length */

/** What a client asks for. */
typedef enum pmvcs_req_kind {
	PMVCS_REQ_RUN, PMVCS_REQ_STATUS, PMVCS_REQ_STOP
} pmvcs_req_kind;

/** A decoded request. Strings point into the payload it was decoded
 *  from; argv and envp are arrays owned by the request (NULL-ended). */
typedef struct pmvcs_req {
	pmvcs_req_kind kind;
	const char *cwd;     /**< absolute */
	unsigned umask;      /**< <= 0777 */
	unsigned flags;      /**< 1 stdout tty, 2 stderr tty, 4 catfd */
	int argc;            /**< >= 1 for RUN */
	char **argv;
	int catfd;           /**< the client's --cat-blob-fd, or -1 */
	int envc;
	char **envp;
} pmvcs_req;

/**
 * pmvcs_req_header -- check a request header.
 * @param[out] len the payload length, 1..PMVCS_REQ_MAX.
 * @return 0, or -1 if it is not one. Threads: any.
 */
int pmvcs_req_header(const unsigned char hdr[PMVCS_REQ_HDR], uint32_t *len);

/**
 * pmvcs_req_decode -- decode payload p of n bytes, which came with nfds
 * descriptors, into *r (docs/server.md, "Protocol"). Every field must be
 * NUL-terminated inside p, numbers plain decimal in range, and nothing
 * may follow the last field. p must outlive *r.
 * @param[out] why on failure: "malformed request" or "unknown request"
 *  (static text).
 * @return 0 (release *r with pmvcs_req_release), -1 (nothing to release).
 *  Threads: any; Persistence: none.
 */
int pmvcs_req_decode(pmvcs_req *r, const char *p, size_t n, int nfds,
		     const char **why);

/** pmvcs_req_release -- free what pmvcs_req_decode allocated in r. */
void pmvcs_req_release(pmvcs_req *r);

#endif /* PMVCS_REQUEST_H */
