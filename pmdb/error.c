/*
 * error.c -- error names and the per-thread detail message.
 *
 * The detail is the only mutable state of libpmdb not owned by an env:
 * one buffer per thread, so concurrent calls never share it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define PMDB_ERRDETAIL_MAX 512

static __thread char errdetail[PMDB_ERRDETAIL_MAX];

static const char *const errnames[] = {
	[0] = "unexpected failure",
	[PMDB_ENOTFOUND - PMDB_ERROR] = "not found",
	[PMDB_EEXISTS - PMDB_ERROR] = "already exists",
	[PMDB_EAMBIGUOUS - PMDB_ERROR] = "ambiguous short id",
	[PMDB_ECONFLICT - PMDB_ERROR] = "ref did not hold its expected value",
	[PMDB_EBUSY - PMDB_ERROR] = "pool is held by another process",
	[PMDB_EVERSION - PMDB_ERROR] = "pool has another on-pool format version",
	[PMDB_EFORMAT - PMDB_ERROR] = "pool has another object format",
	[PMDB_ENOTPOOL - PMDB_ERROR] = "not a pmdb pool, or truncated",
	[PMDB_ECORRUPT - PMDB_ERROR] = "stored data is corrupt",
	[PMDB_ENOSPC - PMDB_ERROR] = "no space left in pool",
	[PMDB_ENOMEM - PMDB_ERROR] = "out of memory",
	[PMDB_EINVAL - PMDB_ERROR] = "invalid argument",
	[PMDB_EBADTXN - PMDB_ERROR] = "transaction failed earlier; abort it",
	[PMDB_EPANIC - PMDB_ERROR] = "environment unusable after fatal error",
};

_Static_assert(sizeof(errnames) / sizeof(errnames[0]) ==
	       (size_t)(PMDB_LAST_ERRCODE - PMDB_ERROR),
	       "every pmdb_error needs a name");

/* pmdb_strerror -- name a pmdb code, 0, or an errno value. */
PMDB_EXPORT const char *
pmdb_strerror(int err)
{
	if (err == 0)
		return "success";
	if (err >= PMDB_ERROR && err < PMDB_LAST_ERRCODE)
		return errnames[err - PMDB_ERROR];
	if (err < 0 && err > -4096)
		err = -err; /* a -errno slipped through: still name it */
	if (err > 0) {
		/* strerror() may use a static buffer on some libcs, but
		 * glibc returns static strings for known values and a
		 * per-thread buffer for unknown ones: safe here. */
		return strerror(err);
	}
	return "unknown error";
}

/* pmdb_errdetail -- the calling thread's last detail message. */
PMDB_EXPORT const char *
pmdb_errdetail(void)
{
	return errdetail;
}

/* pmdb__seterr -- format a detail for this thread; return code. */
int
pmdb__seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errdetail, sizeof(errdetail), fmt, ap);
	va_end(ap);
	return code;
}

/* pmdb__clearerr -- empty this thread's detail. */
void
pmdb__clearerr(void)
{
	errdetail[0] = '\0';
}
