/*
 * buf.c -- caller-owned byte buffers (pmdb_buf).
 */
#include <stdlib.h>
#include "internal.h"

/* pmdb_buf_free -- release data and reset to PMDB_BUF_INIT. */
PMDB_EXPORT void
pmdb_buf_free(pmdb_buf *buf)
{
	if (!buf)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

/* pmdb_buf__reserve -- ensure cap >= n + 1 (room for the NUL). */
int
pmdb_buf__reserve(pmdb_buf *buf, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (n + 1 < n)
		return pmdb__seterr(PMDB_ENOMEM, "buffer of %zu bytes", n);
	if (buf->data && buf->cap >= n + 1)
		return 0;
	cap = buf->cap ? buf->cap : 64;
	while (cap < n + 1)
		cap = cap * 2 > cap ? cap * 2 : n + 1;
	p = realloc(buf->data, cap);
	if (!p)
		return pmdb__seterr(PMDB_ENOMEM, "buffer of %zu bytes", n);
	buf->data = p;
	buf->cap = cap;
	return 0;
}
