/*
 * reflog.h -- git's reflogs over pmdb: ref updates that log themselves.
 *
 * Each reflog entry is one PMDB_OBJ_LOG record holding git's reflog line
 * and the id of the entry before it; the ref "logs/<refname>" (and
 * "logs/HEAD") names the newest. Entry and ref change are put in the same
 * pmdb transaction, so after a crash both are there or neither is
 * (docs/format.md "reflog entry" has the grammar).
 *
 * Every command changes refs through vcs_ref_update(), so every change is
 * logged as git logs it (core.logAllRefUpdates=true: refs/heads/,
 * refs/remotes/, refs/notes/ and HEAD, plus any ref that has a log).
 *
 * Threads: the txn calls follow pmdb_txn's rules (its one writer); the
 * readers are safe beside a writer and each other.
 */
#ifndef VCS_REFLOG_H
#define VCS_REFLOG_H

#include "vcs.h"

/** One change of a ref, as vcs_ref_update() applies and logs it. */
typedef struct vcs_ref_change {
	const char *name;          /**< the ref to change ("HEAD" too) */
	const pmdb_oid *oid;       /**< new value; NULL (and no target) deletes */
	const char *target;        /**< make name symbolic to this, or NULL */
	const pmdb_oid *expect;    /**< as pmdb_txn_ref_set(); ignored for
	                                symbolic changes */
	const pmdb_oid *log_new;   /**< new value to log for a symbolic change
	                                (NULL: the target's committed value) */
	const char *ident;         /**< "Name <email> <time> <tz>"; NULL: no log */
	const char *msg;           /**< the log message (one line) */
} vcs_ref_change;

/**
 * vcs_ref_update -- apply c in txn and log it: to logs/<name> when name is
 * logged, and to logs/HEAD as well when HEAD points at name. Deleting a
 * ref deletes its log (HEAD's log keeps its entries, as in git).
 * A log is appended to at most once per txn (a second append to the same
 * log in one txn replaces the first: pmdb keeps one update per ref).
 * @return 0, PMDB_ENOMEM, a pmdb_txn error (the txn is then poisoned);
 *  the message is set (vcs_errmsg()).
 */
int vcs_ref_update(vcs_repo *repo, pmdb_txn *txn, const vcs_ref_change *c);

/**
 * vcs_reflog_append -- append one entry (old -> new, ident, msg) to the log
 * of ref in txn; old/new NULL mean the zero id. Returns as vcs_ref_update.
 */
int vcs_reflog_append(vcs_repo *repo, pmdb_txn *txn, const char *ref,
		      const pmdb_oid *old, const pmdb_oid *new,
		      const char *ident, const char *msg);

/** vcs_ref_internal -- 1 if name is one of pmvcs's own refs, which name
 *  PMDB_OBJ_LOG records and no git object: "logs/<ref>",
 *  "gc/unreachable" and "merge/state" (docs/format.md). Commands listing refs skip them. */
int vcs_ref_internal(const char *name);

/**
 * vcs_ref_dwim -- the full name of the existing ref that name (len bytes)
 * means by git's lookup order (<n>, refs/<n>, refs/tags/<n>,
 * refs/heads/<n>, refs/remotes/<n>, refs/remotes/<n>/HEAD), into out
 * (PMDB_REF_NAME_MAX + 1 bytes). @return 0, PMDB_ENOTFOUND, read errors.
 */
int vcs_ref_dwim(vcs_repo *repo, const char *name, size_t len, char *out);

/** vcs_reflog_logged -- 1 if git logs updates of ref by default. */
int vcs_reflog_logged(const char *ref);

/** One parsed entry; the strings point into raw. */
typedef struct vcs_reflog_entry {
	pmdb_oid id;               /**< this entry's record */
	pmdb_oid prev;             /**< the older entry's record, or zero */
	pmdb_oid old_oid, new_oid; /**< the ref's values around the change */
	int64_t time;              /**< seconds since the epoch (ident's) */
	const char *line;          /**< git's line, without its LF */
	const char *ident;         /**< "Name <email> <time> <tz>" */
	size_t ident_len;
	const char *msg;           /**< after the tab, NUL-terminated */
	vcs_str raw;               /**< owns the bytes */
} vcs_reflog_entry;

/** A ref's log, newest first (index N is REF@{N}). */
typedef struct vcs_reflog {
	vcs_reflog_entry *e;
	size_t n;
} vcs_reflog;

/**
 * vcs_reflog_read -- read the whole log of ref (an empty log if it has
 * none). Caller frees with vcs_reflog_clear().
 * @return 0, PMDB_ENOMEM, PMDB_ECORRUPT (an entry does not parse or the
 *  chain names a missing or non-reflog record), read errors.
 */
int vcs_reflog_read(vcs_repo *repo, const char *ref, vcs_reflog *out);

/** vcs_reflog_clear -- free what vcs_reflog_read() made; NULL-safe. */
void vcs_reflog_clear(vcs_reflog *log);

/**
 * vcs_reflog_rewrite -- replace the log of ref by the entries of log whose
 * keep[i] is nonzero (new records, oldest first; none kept deletes the
 * log), in txn. Returns as vcs_ref_update.
 */
int vcs_reflog_rewrite(vcs_repo *repo, pmdb_txn *txn, const char *ref,
		       const vcs_reflog *log, const unsigned char *keep);

/**
 * vcs_reflog_nth -- "REF@{N}": the new value of entry N of ref's log (for
 * "@{N}" pass the branch HEAD points to, or "HEAD" when detached).
 * @return 0, PMDB_ENOTFOUND with git's message ("log for 'x' only has N
 *  entries"), VCS_REFLOG_NONE (positive, no message) when ref has no log, read
 *  errors.
 */
int vcs_reflog_nth(vcs_repo *repo, const char *ref, const char *shown,
		   unsigned long n, pmdb_oid *out);

/**
 * vcs_reflog_move -- git's reflog for branch -m/-c: the log of to becomes
 * from's entries (shared records: a chain names no ref) plus one entry
 * oid -> oid with ident and msg ("Branch: renamed refs/heads/a to
 * refs/heads/b"); a log to had is dropped. head_follows (HEAD names the
 * renamed branch): HEAD's log gets git's pair, oid -> 0 then 0 -> oid.
 * from's own log and the refs themselves are the caller's (one txn).
 * Returns as vcs_ref_update.
 */
int vcs_reflog_move(vcs_repo *repo, pmdb_txn *txn, const char *from,
		    const char *to, const pmdb_oid *oid, int head_follows,
		    const char *ident, const char *msg);

#define VCS_REFLOG_NONE 1   /**< vcs_reflog_nth(): the ref has no log */

#endif
