/*
 * bigblob.h -- big files in bounded memory (vcs/bigblob.c): committed as
 * chunked blobs (pmdb_txn_stream_begin), hashed, checked out and printed
 * a chunk at a time. docs/design.md "Big blobs".
 *
 * Threads: every call uses only its arguments (server threads may run
 * them at once on one repo). Persistence: only vcs_big_put_file writes,
 * into the caller's txn.
 */
#ifndef VCS_BIGBLOB_H
#define VCS_BIGBLOB_H

#include <sys/stat.h>
#include "vcs.h"
#include "worktree.h"

struct vcs_config;

/** Blobs and files of at least this size are streamed on every read or
 *  hash path, whatever their storage. */
#define VCS_BIG_STREAM (8ull << 20)
/** core.bigFileThreshold when neither the environment nor the config
 *  says (git's default is 512 MiB; ours is lower as a whole blob costs
 *  twice its size here). */
#define VCS_BIG_THRESHOLD_DEFAULT (32ull << 20)

/**
 * vcs_big_threshold -- files of at least this size are committed
 * chunked: $PMVCS_BIG_FILE_THRESHOLD, else core.bigFileThreshold (git's
 * k/m/g units), else VCS_BIG_THRESHOLD_DEFAULT. A value that does not
 * parse is ignored (the default holds).
 * @param[in] cfg may be NULL.
 */
uint64_t vcs_big_threshold(vcs_getenv_fn getenv_fn, void *env_ctx,
			   const struct vcs_config *cfg);

/**
 * vcs_big_put_file -- store work-tree file e (regular) into txn as a
 * chunked blob, reading it in pieces; sets e->oid and e->have_oid.
 * @return 0, PMDB_ERROR (open/read failed or the file changed size
 *  while read: vcs_errmsg() names it), pmdb's put codes.
 */
int vcs_big_put_file(vcs_repo *repo, pmdb_txn *txn, vcs_wt_entry *e);

/** vcs_big_hash_file -- vcs_big_put_file that stores nothing (status). */
int vcs_big_hash_file(vcs_repo *repo, vcs_wt_entry *e);

/** vcs_big_is -- 1 if oid is a blob of at least VCS_BIG_STREAM bytes
 *  (its size from the index alone), else 0. */
int vcs_big_is(vcs_repo *repo, const pmdb_oid *oid);

/**
 * vcs_big_write_fd -- write blob oid's content to fd, a chunk at a time.
 * @return 0, PMDB_ERROR (a write failed, named by name), pmdb's read
 *  codes.
 */
int vcs_big_write_fd(vcs_repo *repo, const pmdb_oid *oid, int fd,
		     const char *name);

/** vcs_big_write_file -- vcs_big_write_fd to a stdio stream. */
int vcs_big_write_file(vcs_repo *repo, const pmdb_oid *oid, FILE *f);

/**
 * vcs_big_checkout -- create file path in directory dirfd with blob
 * oid's content, as vcs_file_io_write does (direct: path itself, else a
 * temp name renamed over path; exec: mode 0777 before umask); st gets
 * the file as written. Messages name name.
 * @return 0, PMDB_ERROR, pmdb's read codes.
 */
int vcs_big_checkout(vcs_repo *repo, const pmdb_oid *oid, int dirfd,
		     const char *path, const char *name, int exec, int direct,
		     struct stat *st);

#endif
