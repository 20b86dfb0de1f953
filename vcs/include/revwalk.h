/*
 * revwalk.h -- the history walk behind `pmvcs log`: commits reachable from
 * the pushed starting points, newest committer date first, each once, in
 * git's order; commits are read in place (pmdb_object_view) and only the
 * header fields the walk and --oneline need are scanned.
 *
 * Threads: a walk belongs to one thread (it holds views taken by it).
 * Walks of a served repository (repo->borrowed) share a process-wide
 * cache of commit records (see revwalk.c), safe across threads.
 */
#ifndef VCS_REVWALK_H
#define VCS_REVWALK_H

#include "vcs.h"

/* ------------------------------------------------------------------ */
/* Commit headers in place (vcs/object.c)                              */
/* ------------------------------------------------------------------ */

/** A commit scanned in place: pointers into the caller's bytes. */
typedef struct vcs_commit_hdr {
	const void *data;      /**< the whole commit (vcs_commit_view only) */
	size_t len;
	const char *parents;   /**< first "parent " line (nparents of them) */
	size_t nparents;
	long long date;        /**< committer epoch (0 if none is readable) */
	const char *message;   /**< everything after the blank line */
	size_t message_len;
} vcs_commit_hdr;

/**
 * vcs_commit_scan -- check a commit's encoding as vcs_commit_parse does
 * and point out its parents, committer date and message; no allocation.
 * @return 0, PMDB_ECORRUPT, PMDB_EINVAL (unknown algo).
 */
int vcs_commit_scan(vcs_commit_hdr *out, const void *data, size_t len,
		    pmdb_hash_algo algo);

/** vcs_commit_hdr_parent -- parent i (< nparents) of a scanned commit;
 *  hashlen is pmdb_hash_len(algo). */
void vcs_commit_hdr_parent(const vcs_commit_hdr *h, size_t i, size_t hashlen,
			   pmdb_oid *out);

/**
 * vcs_commit_view -- borrow commit oid in place (pmdb_object_view) and
 * scan it. out's pointers (and out->data) stay valid until
 * pmdb_view_release(*guard); hold it briefly.
 * @return 0, PMDB_ENOTFOUND, PMDB_EINVAL (not a commit), PMDB_ECORRUPT,
 *  PMDB_ENOMEM; on failure *guard is NULL and vcs_errmsg() says why.
 */
int vcs_commit_view(vcs_repo *repo, const pmdb_oid *oid, vcs_commit_hdr *out,
		    pmdb_view_guard **guard);

/* ------------------------------------------------------------------ */
/* The walk (vcs/revwalk.c)                                            */
/* ------------------------------------------------------------------ */

typedef struct vcs_revwalk vcs_revwalk;

/** Walk flag: the caller needs only id, date and subject (--oneline):
 *  each commit is read once, when queued, and its subject kept. */
#define VCS_REVWALK_SUBJECT 0x1u

/** vcs_revwalk_new -- an empty walk over repo (flags: VCS_REVWALK_*).
 *  0, PMDB_ENOMEM. */
int vcs_revwalk_new(vcs_revwalk **out, vcs_repo *repo, unsigned flags);

/**
 * vcs_revwalk_push -- add a starting point (tags are peeled); a commit
 * already queued or shown is ignored.
 * @return 0, PMDB_EINVAL (leads to no commit), PMDB_ENOTFOUND,
 *  PMDB_ECORRUPT, PMDB_ENOMEM.
 */
int vcs_revwalk_push(vcs_revwalk *w, const pmdb_oid *oid);

/**
 * vcs_revwalk_next -- the next commit to show; its parents are queued.
 * @param[out] oid, hdr  the commit; hdr's pointers are valid until the
 *  next call of next or free. With VCS_REVWALK_SUBJECT, hdr->message is
 *  already git's %s of the commit (vcs_subject_append gives it back
 *  unchanged), hdr->data and hdr->parents are NULL.
 * @return 1 (a commit), 0 (walk done), or a negative code (a parent is
 *  missing or unreadable: the walk must stop, vcs_errmsg() says why).
 */
int vcs_revwalk_next(vcs_revwalk *w, pmdb_oid *oid, vcs_commit_hdr *hdr);

/**
 * vcs_revwalk_abbrev -- the abbreviated id of the commit the last
 * vcs_revwalk_next returned (oid), as vcs_oid_abbrev_checked(repo, oid,
 * minlen, buf) gives it. A served walk in subject mode remembers the
 * length per commit while the pool is unchanged, so a repeated log does
 * not probe the index for each id.
 * @return 0, or a negative PMDB_E* code (vcs_errmsg() says why).
 */
int vcs_revwalk_abbrev(vcs_revwalk *w, const pmdb_oid *oid, int minlen,
		       char *buf);

/** vcs_revwalk_free -- release the walk and any view it holds. NULL-safe. */
void vcs_revwalk_free(vcs_revwalk *w);

/**
 * vcs_subject_append -- git's %s of a message (leading blank lines
 * skipped, first paragraph with its lines joined by one space, trailing
 * blanks of each line dropped), appended to out.
 * @return 0, PMDB_ENOMEM.
 */
int vcs_subject_append(vcs_str *out, const char *msg, size_t len);

#endif /* VCS_REVWALK_H */
