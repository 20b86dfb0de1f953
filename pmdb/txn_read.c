/*
 * txn_read.c -- reads inside a write txn: the txn's own puts first (an
 * async put still in flight from the bytes its worker reads), then the
 * committed store. Only the txn's thread calls these.
 */
#include <string.h>
#include "extent.h"
#include "index.h"
#include "txn.h"

/* objloc -- meta and location of an object the txn can see (its own
 * puts first, then committed ones); *loc only with needloc (an async
 * put in flight is then placed first). @return 0, PMDB_ENOTFOUND. */
static int
objloc(struct pmdb_txn *txn, const pmdb_oid *oid, uint64_t *meta,
       uint64_t *loc, int needloc)
{
	struct pmdb_env *env = txn->env;
	struct txn_obj *o = pmdb_txn__find(txn, oid->id);

	if (o && (o->loc & 1) && needloc) {
		/* an async put still in flight: place it (and those before
		 * it, not those after: the worker may be far behind) */
		pmdb_workers__reap(txn, o->loc >> 1, 1);
		if (o->loc & 1)
			return PMDB_ENOTFOUND; /* its placement failed */
	}
	if (o) {
		*meta = o->meta;
		*loc = o->loc;
		return 0;
	}
	if (pmdb_index__find(env->view, oid->id, env->hlen, meta, loc) &&
	    pmdb_index__visible(env->view, *loc))
		return 0;
	return PMDB_ENOTFOUND;
}

/* pmdb_txn__objloc -- objloc with the location. */
int
pmdb_txn__objloc(struct pmdb_txn *txn, const pmdb_oid *oid, uint64_t *meta,
		 uint64_t *loc)
{
	return objloc(txn, oid, meta, loc, 1);
}

/* pmdb_txn_has -- 1 if the txn can see the object. */
PMDB_EXPORT int
pmdb_txn_has(pmdb_txn *txn, const pmdb_oid *oid)
{
	uint64_t meta, loc;

	return txn && oid && objloc(txn, oid, &meta, &loc, 0) == 0;
}

/* pmdb_txn_info -- type and size of an object the txn can see. */
PMDB_EXPORT int
pmdb_txn_info(pmdb_txn *txn, const pmdb_oid *oid, pmdb_otype *type,
	      uint64_t *size)
{
	uint64_t meta, loc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (objloc(txn, oid, &meta, &loc, 0))
		return pmdb__seterr(PMDB_ENOTFOUND, "no such object");
	if (type)
		*type = PMDB_META_TYPE(meta);
	if (size)
		*size = PMDB_META_SIZE(meta);
	return 0;
}

/* read_pending -- pmdb_txn_read of an async put not reaped yet, from
 * the raw bytes its worker reads (the caller's, or the scratch copy), so
 * the reader does not wait for every job queued before it (an import
 * reads back trees it has just written). @return 0 (read), 1 (not
 * pending: read the record), PMDB_ENOMEM. */
static int
read_pending(struct pmdb_txn *txn, const pmdb_oid *oid, pmdb_otype *type,
	     pmdb_buf *buf)
{
	struct txn_obj *o = pmdb_txn__find(txn, oid->id);
	const void *src;
	uint64_t len;
	int rc;

	if (!o || !(o->loc & 1) ||
	    !(src = pmdb_workers__pending_src(txn->env, o->loc >> 1)))
		return 1;
	len = PMDB_META_SIZE(o->meta);
	if ((rc = pmdb_buf__reserve(buf, len)))
		return rc;
	memcpy(buf->data, src, len);
	buf->len = len;
	buf->data[len] = '\0';
	if (type)
		*type = PMDB_META_TYPE(o->meta);
	return 0;
}

/* pmdb_txn_read -- content of an object the txn can see. */
PMDB_EXPORT int
pmdb_txn_read(pmdb_txn *txn, const pmdb_oid *oid, pmdb_otype *type,
	      pmdb_buf *buf)
{
	const struct pmdb_rec *r;
	uint64_t meta, loc;
	int rc;

	pmdb__clearerr(); /* no stale detail after this call */
	if (txn && (rc = read_pending(txn, oid, type, buf)) <= 0)
		return rc;
	if (pmdb_txn__objloc(txn, oid, &meta, &loc))
		return pmdb__seterr(PMDB_ENOTFOUND, "no such object");
	if ((rc = pmdb_rec__check_id(txn->env, txn->env->view, loc, oid->id,
				      &r)) ||
	    (rc = pmdb_rec__load(txn->env, r, buf)))
		return rc;
	if (type)
		*type = (pmdb_otype)r->type;
	return 0;
}
