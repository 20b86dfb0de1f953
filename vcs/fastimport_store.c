/*
 * fastimport_store.c -- what fast-import stores and looks up in the
 * pool: objects put into the import's txn (blobs lent from the input
 * buffer to pmdb's compressing workers), object types, and the refs'
 * values that publication compares against.
 */
#include <string.h>

#include "fastimport_int.h"

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

/** fi_put -- store an object in the import's txn and count it. */
int
fi_put(fi_state *s, pmdb_otype type, const void *data, size_t len,
       pmdb_oid *oid)
{
	int rc = pmdb_txn_put(s->txn, type, data, len, oid);

	if (rc < 0) {
		vcs_seterr_pmdb(rc, "storing an object");
		return fi_fail(s, "%s", vcs_errmsg());
	}
	s->nobj[type]++;
	s->txn_data += len;
	fi_progress(s, 0);
	return 0;
}

/** fi_put_blob -- fi_put for a blob; when data lies in the input buffer
 *  it is lent to pmdb's workers (compressed while the parser goes on) and
 *  the buffer is not reused before the put's ticket is waited for. */
int
fi_put_blob(fi_state *s, const char *data, size_t len, pmdb_oid *oid)
{
	uintptr_t d = (uintptr_t)data, b = (uintptr_t)s->buf;
	uint64_t ticket = 0;
	int rc;

	if (!(d >= b && d + len <= b + s->cap))
		return fi_put(s, PMDB_OBJ_BLOB, data, len, oid);
	rc = pmdb_txn_put_async(s->txn, PMDB_OBJ_BLOB, data, len, oid, &ticket);
	if (rc < 0) {
		vcs_seterr_pmdb(rc, "storing an object");
		return fi_fail(s, "%s", vcs_errmsg());
	}
	if (ticket)
		s->buf_ticket = ticket;
	s->nobj[PMDB_OBJ_BLOB]++;
	s->txn_data += len;
	fi_progress(s, 0);
	return 0;
}

/** fi_type_of -- type of a stored object; PMDB_ENOTFOUND quietly. */
int
fi_type_of(fi_state *s, const pmdb_oid *oid, pmdb_otype *type)
{
	return pmdb_txn_info(s->txn, oid, type, NULL);
}

/** fi_type_or_none -- type of oid, PMDB_OBJ_NONE if it is not stored;
 *  0, or -1 (fi_fail) when the lookup itself failed (out of memory, I/O):
 *  such a failure is never taken for "not stored". */
int
fi_type_or_none(fi_state *s, const pmdb_oid *oid, pmdb_otype *type)
{
	char hex[PMDB_OID_HEXMAX + 1];
	int rc = pmdb_txn_info(s->txn, oid, type, NULL);

	if (rc == PMDB_ENOTFOUND)
		*type = PMDB_OBJ_NONE;
	if (rc == 0 || rc == PMDB_ENOTFOUND)
		return 0;
	pmdb_oid_fmt(hex, oid, s->repo->algo);
	vcs_seterr_pmdb(rc, hex);
	return fi_fail(s, "looking up %s: %s", hex, vcs_errmsg());
}

/** fi_read_ref -- the pool's value of ref name as a publication's
 *  compare-and-swap base: *absent is 1 when the ref does not exist (or is
 *  symbolic). 0, or -1 (fi_fail) when it cannot be read. */
int
fi_read_ref(fi_state *s, const char *name, pmdb_oid *oid, int *absent)
{
	char target[PMDB_REF_NAME_MAX + 1] = "";
	int rc = pmdb_ref_read(s->repo->env, name, oid, target);

	if (rc < 0 && rc != PMDB_ENOTFOUND) {
		vcs_seterr_pmdb(rc, name);
		return fi_fail(s, "reading %s: %s", name, vcs_errmsg());
	}
	*absent = rc < 0 || target[0];
	if (*absent)
		memset(oid, 0, sizeof(*oid));
	return 0;
}
