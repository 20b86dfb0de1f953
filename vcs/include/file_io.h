/*
 * file_io.h -- batched working tree file I/O: io_uring (liburing) with a
 * pread/pwrite fallback behind one API.
 *
 * A vcs_file_io is opened per operation (one commit, one status, one
 * checkout) and belongs to the thread that opened it: it owns one ring.
 * Nothing here has process-wide state and nothing reads the process
 * environment; the caller decides the backend (PMVCS_IO=sync arrives
 * through the command's environment).
 *
 * Reads: a batch of up to VCS_FILE_IO_BATCH files is submitted as one
 * linked chain per file, openat(direct) -> read(size + 1) -> close, one
 * io_uring_submit for the batch. The expected size comes from the scan's
 * lstat, and reading one byte more proves the size did not change; any
 * file whose chain does not return exactly that size (it grew, shrank,
 * vanished, turned into something else) is read again by the plain path,
 * which reports errors with the same messages in both backends. Two
 * batches may be in flight at once, so that the caller hashes one while
 * the kernel reads the next.
 *
 * Writes: per file openat(temp, O_CREAT|O_EXCL) -> write -> close ->
 * renameat(temp, real name), linked, so a file appears under its real
 * name only complete (the crash rule of checkout.c). A chain that fails
 * is cleaned up and redone by the plain path. Symlinks are created
 * synchronously (symlink + rename). Direct writes (into a directory
 * that is itself still under a temp name) skip the temp name and always
 * take the plain path, openat -> write -> fstat -> close: on tmpfs the
 * ring punts every O_CREAT open to an io-wq worker, which cost more
 * than the four syscalls it saves (docs/io.md).
 *
 * Caveats: sizes above VCS_FILE_IO_MAX_IO bytes and empty files always
 * take the plain path. The fallback is chosen once, at open: when
 * io_uring_queue_init (or registering the fixed-file table) fails, or
 * when the caller forces it.
 */
#ifndef VCS_FILE_IO_H
#define VCS_FILE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "vcs.h"

#define VCS_FILE_IO_BATCH 64              /**< files per batch */
#define VCS_FILE_IO_MAX_IO (1u << 30)     /**< larger files: plain path */

/** Backend choice at open. */
#define VCS_FILE_IO_AUTO 0                /**< io_uring when it works */
#define VCS_FILE_IO_SYNC 1                /**< pread/pwrite always */

/** What ran and how much; the command may print it. */
typedef struct vcs_file_io_stats {
	int uring;              /**< 1: io_uring backend */
	char why[128];          /**< fallback reason ("" with io_uring):
	                             "PMVCS_IO=sync",
	                             "io_uring_queue_init: <strerror>" */
	uint64_t files_read, bytes_read;
	uint64_t files_written, bytes_written;
	uint64_t batches;       /**< submissions of a batch to the ring */
	uint64_t redone;        /**< files redone by the plain path */
} vcs_file_io_stats;

typedef struct vcs_file_io vcs_file_io;

/** One file to read. The caller fills path, name, is_link and size; buf
 *  is the output (reusable across batches). Private fields start with _. */
typedef struct vcs_file_io_rd {
	const char *path;       /**< absolute path */
	const char *name;       /**< path in error messages (root-relative) */
	int is_link;            /**< read the symlink's target */
	uint64_t size;          /**< expected size (lstat at scan) */
	vcs_str buf;            /**< out: content, NUL-terminated */
	int _open, _read;       /**< private: CQE results */
	int _pending;           /**< private: CQEs outstanding */
} vcs_file_io_rd;

/** One file to write. */
typedef struct vcs_file_io_wr {
	int dirfd;              /**< directory path is relative to, or
	                             AT_FDCWD (-100) with an absolute path */
	const char *path;       /**< final path (its directory must exist) */
	const char *name;       /**< path in error messages */
	const void *data;
	size_t len;
	int is_link;            /**< data is the symlink's target */
	int exec;               /**< create with 0777 instead of 0666 */
	int direct;             /**< create path itself (O_EXCL), no temp:
	                             only inside a directory that is not
	                             yet visible under its real name */
	struct stat st;         /**< out: the file as written (lstat of
	                             path after the rename; fstat of the
	                             fd for direct writes) */
	int have_st;            /**< out: st is set */
	vcs_str tmp;            /**< private: temp name */
	int _open, _write, _close, _rename, _pending;
} vcs_file_io_wr;

/**
 * vcs_file_io_open -- a handle for one operation. VCS_FILE_IO_AUTO tries
 * io_uring and falls back (reason in the stats); opening never fails
 * because io_uring is refused.
 * Threads: the handle belongs to the calling thread.
 * @return 0, PMDB_ENOMEM.
 */
int vcs_file_io_open(vcs_file_io **out, int mode);

/** vcs_file_io_open_env -- as vcs_file_io_open, with the mode from the
 *  command's environment: PMVCS_IO=sync forces the fallback. */
int vcs_file_io_open_env(vcs_file_io **out, vcs_getenv_fn getenv_fn,
			void *env_ctx);

/** vcs_file_io_free -- close the ring. NULL-safe. Batches still in
 *  flight must have been reaped. */
void vcs_file_io_free(vcs_file_io *io);

/** vcs_file_io_stats_get -- counters so far (borrowed, valid until free). */
const vcs_file_io_stats *vcs_file_io_stats_get(const vcs_file_io *io);

/** vcs_file_io_describe -- "io_uring" or "pread/pwrite fallback (<why>)"
 *  into buf of n bytes; returns buf. */
char *vcs_file_io_describe(const vcs_file_io_stats *st, char *buf, size_t n);

/** vcs_file_io_print -- one line "io: <backend>: N files read (B bytes),
 *  N written (B bytes), N batches, N redone" on f. For the commands'
 *  PMVCS_IO_STATS=1. */
void vcs_file_io_print(FILE *f, const vcs_file_io *io);

/**
 * vcs_file_io_probe -- can this process use io_uring? Opens and closes a
 * ring (what a command would get). 1 if yes, else 0 with the reason in
 * why (n bytes).
 */
int vcs_file_io_probe(char *why, size_t n);

/**
 * vcs_file_io_read_submit -- start reading v[0..n) (n <= VCS_FILE_IO_BATCH).
 * With the fallback this does nothing; reap does the reads. At most two
 * batches may be submitted and not yet reaped.
 * @return 0, PMDB_EINVAL (too many in flight).
 */
int vcs_file_io_read_submit(vcs_file_io *io, vcs_file_io_rd *v, size_t n);

/**
 * vcs_file_io_read_reap -- finish the batch v[0..n): wait for it, redo by
 * the plain path what did not read exactly, fill each buf.
 * @return 0, PMDB_ERROR (a file vanished, changed type or cannot be
 *  read: message names it; the batch is still fully reaped), PMDB_ENOMEM.
 */
int vcs_file_io_read_reap(vcs_file_io *io, vcs_file_io_rd *v, size_t n);

/**
 * vcs_file_io_read_one -- the plain path for one file: open, fstat,
 * read (readlink for a symlink) into buf. Used by the fallback and
 * vcs_wt_read(). Messages name name.
 * @return 0, PMDB_ERROR, PMDB_ENOMEM.
 */
int vcs_file_io_read_one(const char *path, const char *name, int is_link,
			uint64_t size, vcs_str *buf);

/**
 * vcs_file_io_write -- write v[0..n) (n <= VCS_FILE_IO_BATCH), each to a
 * temp name in its directory and renamed over path. On return every
 * file is either complete under its name or absent (its temp removed).
 * Persistence: no fsync (as git's checkout without core.fsync).
 * @return 0, PMDB_ERROR (message names the first failing path),
 *  PMDB_ENOMEM.
 */
int vcs_file_io_write(vcs_file_io *io, vcs_file_io_wr *v, size_t n);

/** vcs_file_io_temp_name -- "<dir of path>/.pmvcs-tmp-<ns>-<addr>-<n>"
 *  into tmp (reset first): a fresh name beside path. 0, PMDB_ENOMEM. */
int vcs_file_io_temp_name(vcs_str *tmp, const char *path, unsigned attempt);

/** vcs_file_io_wr_clear -- free a write item's private buffers. */
void vcs_file_io_wr_clear(vcs_file_io_wr *w);

#endif /* VCS_FILE_IO_H */
