/*
 * error.c -- libpmvcs's per-thread error message.
 *
 * The server runs commands concurrently on its threads (docs/server.md),
 * so the message lives in thread-local storage: each thread sees only its
 * own last failure, and no lock is needed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vcs.h"

#define VCS_ERRMSG_MAX 1024

static _Thread_local char errmsg[VCS_ERRMSG_MAX];

/* vcs_seterr -- format the calling thread's message; returns code */
int
vcs_seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return code;
}

/* vcs_seterr_pmdb -- context plus libpmdb's detail (or the code's name) */
int
vcs_seterr_pmdb(int code, const char *context)
{
	/* copy the detail first: pmdb's buffer may be reused by any call */
	char detail[VCS_ERRMSG_MAX];
	const char *d = pmdb_errdetail();
	size_t n = 0;

	if (!d || !*d)
		d = pmdb_strerror(code);

	snprintf(detail, sizeof(detail), "%s", d);
	if (context && *context) {
		int r = snprintf(errmsg, sizeof(errmsg), "%s: ", context);

		n = r < 0 ? 0 : (size_t)r >= sizeof(errmsg) ?
			sizeof(errmsg) - 1 : (size_t)r;
	}
	snprintf(errmsg + n, sizeof(errmsg) - n, "%s", detail);
	return code;
}

/* vcs_errmsg -- the calling thread's last message ("" if none) */
const char *
vcs_errmsg(void)
{
	return errmsg;
}
