/*
 * file_io.c -- batched file reads and writes through io_uring, with a
 * plain open/read/write fallback (see file_io.h for the contract).
 *
 * Invariants:
 * 1. Every SQE submitted produces exactly one CQE (no CQE_SKIP flags), so
 *    an item's _pending count reaches 0 exactly when all its operations
 *    have completed or been cancelled; a batch is reaped when all its
 *    items have _pending == 0.
 * 2. A file's chain is put into the submission queue whole: never split
 *    across two io_uring_submit calls (a link does not cross submits).
 * 3. Fixed-file slots: read batches alternate between the slot sets
 *    [0, B) and [B, 2B) (at most two read batches in flight, reaped in
 *    order); writes use [2B, 3B) and are reaped before write returns.
 * 4. A written file reaches its real name only by a rename linked after
 *    its write and close succeeded, or by the plain path which renames
 *    after a complete write and close.
 * 5. user_data = item address | op tag (items are 8-byte aligned): tags
 *    0-2 are read ops, 4-7 write ops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file_io.h"

#define RING_ENTRIES 256
#define CQ_ENTRIES 1024
#define NSLOTS (3 * VCS_FILE_IO_BATCH)

_Static_assert(2 * 3 * VCS_FILE_IO_BATCH <= CQ_ENTRIES,
	       "two read batches in flight must fit the completion queue");
_Static_assert(4 <= RING_ENTRIES, "a write chain must fit the ring");

enum { RD_OPEN, RD_READ, RD_CLOSE, WR_OPEN = 4, WR_WRITE, WR_CLOSE, WR_RENAME };

struct vcs_file_io {
	struct io_uring ring;
	int have_ring;
	unsigned rd_parity;     /**< slot set of the next read batch */
	unsigned rd_inflight;   /**< read batches submitted, not reaped */
	vcs_file_io_stats st;
};

static int ring_setup(vcs_file_io *io);
static int wait_for(vcs_file_io *io, const void *lo, const void *hi,
		    size_t isz, size_t n);
static int write_one(vcs_file_io_wr *w, unsigned attempt);
static int write_direct(vcs_file_io_wr *w);

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

/** vcs_file_io_open -- a handle; io_uring unless refused or mode SYNC. */
int
vcs_file_io_open(vcs_file_io **out, int mode)
{
	vcs_file_io *io = calloc(1, sizeof(*io));

	*out = NULL;
	if (!io)
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (mode == VCS_FILE_IO_SYNC)
		snprintf(io->st.why, sizeof(io->st.why), "PMVCS_IO=sync");
	else
		ring_setup(io);
	io->st.uring = io->have_ring;
	*out = io;
	return 0;
}

/** vcs_file_io_open_env -- PMVCS_IO=sync from the command's env. */
int
vcs_file_io_open_env(vcs_file_io **out, vcs_getenv_fn getenv_fn, void *env_ctx)
{
	const char *v = getenv_fn ? getenv_fn(env_ctx, "PMVCS_IO") : NULL;

	return vcs_file_io_open(out, v && !strcmp(v, "sync") ? VCS_FILE_IO_SYNC :
			       VCS_FILE_IO_AUTO);
}

/** vcs_file_io_free -- close the ring and free. */
void
vcs_file_io_free(vcs_file_io *io)
{
	if (!io)
		return;
	if (io->have_ring)
		io_uring_queue_exit(&io->ring); /* also drops fixed files */
	free(io);
}

/** vcs_file_io_stats_get -- the counters. */
const vcs_file_io_stats *
vcs_file_io_stats_get(const vcs_file_io *io)
{
	return &io->st;
}

/** vcs_file_io_describe -- human-readable backend. */
char *
vcs_file_io_describe(const vcs_file_io_stats *st, char *buf, size_t n)
{
	if (st->uring)
		snprintf(buf, n, "io_uring");
	else
		snprintf(buf, n, "pread/pwrite fallback (%s)", st->why);
	return buf;
}

/** vcs_file_io_print -- the counters on one line. */
void
vcs_file_io_print(FILE *f, const vcs_file_io *io)
{
	char b[200];
	const vcs_file_io_stats *st = &io->st;

	fprintf(f, "io: %s: %llu files read (%llu bytes), %llu written "
		"(%llu bytes), %llu batches, %llu redone\n",
		vcs_file_io_describe(st, b, sizeof(b)),
		(unsigned long long)st->files_read,
		(unsigned long long)st->bytes_read,
		(unsigned long long)st->files_written,
		(unsigned long long)st->bytes_written,
		(unsigned long long)st->batches, (unsigned long long)st->redone);
}

/** vcs_file_io_probe -- open a ring as a command would. */
int
vcs_file_io_probe(char *why, size_t n)
{
	vcs_file_io io;

	memset(&io, 0, sizeof(io));
	ring_setup(&io);
	if (io.have_ring)
		io_uring_queue_exit(&io.ring);
	if (n)
		snprintf(why, n, "%s", io.st.why);
	return io.have_ring;
}

/** vcs_file_io_read_submit -- queue one read chain per file. */
int
vcs_file_io_read_submit(vcs_file_io *io, vcs_file_io_rd *v, size_t n)
{
	unsigned base;
	size_t queued = 0;

	if (n > VCS_FILE_IO_BATCH || io->rd_inflight >= 2)
		return vcs_seterr(PMDB_EINVAL, "file_io: too many reads in flight");
	for (size_t i = 0; i < n; i++)
		v[i]._pending = 0;
	if (!io->have_ring)
		return 0;
	io->rd_inflight++;
	base = io->rd_parity * VCS_FILE_IO_BATCH;
	io->rd_parity ^= 1;
	for (size_t i = 0; i < n; i++) {
		vcs_file_io_rd *r = &v[i];
		struct io_uring_sqe *sqe;
		unsigned slot = base + (unsigned)i;

		r->_open = r->_read = -ECANCELED;
		vcs_str_reset(&r->buf);
		/* small, empty and huge files, symlinks: plain path at reap */
		if (r->is_link || !r->size || r->size >= VCS_FILE_IO_MAX_IO)
			continue;
		if (vcs_str_grow(&r->buf, (size_t)r->size + 2))
			continue; /* reap retries and reports ENOMEM */
		if (io_uring_sq_space_left(&io->ring) < 3)
			io_uring_submit(&io->ring); /* invariant 2 */
		/* O_CLOEXEC is refused for direct descriptors; they are never
		 * in the process fd table, so nothing can inherit them. */
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_openat_direct(sqe, AT_FDCWD, r->path,
					    O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
					    0, slot);
		sqe->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | RD_OPEN);
		sqe = io_uring_get_sqe(&io->ring);
		/* size + 1: a full extra byte means the file grew */
		io_uring_prep_read(sqe, (int)slot, r->buf.data,
				   (unsigned)r->size + 1, 0);
		/* hardlink: a short read (the normal case) still closes */
		sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | RD_READ);
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_close_direct(sqe, slot);
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)r | RD_CLOSE);
		r->_pending = 3;
		queued++;
	}
	if (queued) {
		int rc;
		while ((rc = io_uring_submit(&io->ring)) == -EINTR)
			;
		if (rc < 0) {
			/* nothing reached the kernel: all redone at reap */
			for (size_t i = 0; i < n; i++)
				v[i]._pending = 0;
			io_uring_queue_exit(&io->ring);
			io->have_ring = 0;
			io->rd_inflight = 0;
			snprintf(io->st.why, sizeof(io->st.why),
				 "io_uring_submit: %s", strerror(-rc));
			return 0;
		}
		io->st.batches++;
	}
	return 0;
}

/** vcs_file_io_read_reap -- wait for a batch, redo what fell short. */
int
vcs_file_io_read_reap(vcs_file_io *io, vcs_file_io_rd *v, size_t n)
{
	int rc = 0;

	if (io->have_ring) {
		rc = wait_for(io, v, v + n, sizeof(*v), n);
		if (io->rd_inflight)
			io->rd_inflight--;
	}
	for (size_t i = 0; i < n; i++) {
		vcs_file_io_rd *r = &v[i];
		int err;
		if (io->have_ring && !rc && r->_open == 0 &&
		    r->_read >= 0 && (uint64_t)r->_read == r->size) {
			r->buf.len = (size_t)r->size;
			r->buf.data[r->buf.len] = '\0';
		} else {
			if (io->have_ring && !r->is_link && r->size &&
			    r->size < VCS_FILE_IO_MAX_IO)
				io->st.redone++;
			err = vcs_file_io_read_one(r->path, r->name, r->is_link,
						  r->size, &r->buf);
			if (err && !rc)
				rc = err;
			if (err)
				continue;
		}
		io->st.files_read++;
		io->st.bytes_read += r->buf.len;
	}
	return rc;
}

/** vcs_file_io_read_one -- open, fstat, read (or readlink) one file. */
int
vcs_file_io_read_one(const char *path, const char *name, int is_link,
		    uint64_t size, vcs_str *buf)
{
	struct stat st;
	int fd = -1, rc = 0;

	vcs_str_reset(buf);
	if (is_link) {
		size_t want = (size_t)size + 1;
		for (;;) {
			ssize_t n;
			if (vcs_str_grow(buf, want))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
			n = readlink(path, (char *)buf->data, buf->cap - 1);
			if (n < 0)
				return vcs_seterr(PMDB_ERROR, "cannot read symbolic link '%s': %s",
						  name, strerror(errno));
			if ((size_t)n < buf->cap - 1) {
				buf->len = (size_t)n;
				buf->data[n] = '\0';
				return 0;
			}
			want = buf->cap * 2;
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return vcs_seterr(PMDB_ERROR, "cannot open '%s': %s", name,
				  errno == ELOOP ? "it changed into a symbolic link" :
				  strerror(errno));
	errno = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = vcs_seterr(PMDB_ERROR, "cannot read '%s': %s", name,
				errno ? strerror(errno) : "no longer a regular file");
		goto out;
	}
	if (vcs_str_grow(buf, (size_t)st.st_size + 1)) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory reading '%s'", name);
		goto out;
	}
	while (buf->len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf->data + buf->len,
				  (size_t)st.st_size - buf->len, (off_t)buf->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = vcs_seterr(PMDB_ERROR, "cannot read '%s': %s", name,
					strerror(errno));
			goto out;
		}
		if (n == 0) {
			rc = vcs_seterr(PMDB_ERROR, "cannot read '%s': %s", name,
					"file shrank while being read");
			goto out;
		}
		buf->len += (size_t)n;
	}
	buf->data[buf->len] = '\0';
out:
	close(fd);
	return rc;
}

/** vcs_file_io_write -- write a batch: temp, write, close, rename. */
int
vcs_file_io_write(vcs_file_io *io, vcs_file_io_wr *v, size_t n)
{
	size_t queued = 0;
	int rc = 0;

	if (n > VCS_FILE_IO_BATCH)
		return vcs_seterr(PMDB_EINVAL, "file_io: batch too large");
	for (size_t i = 0; i < n && io->have_ring; i++) {
		vcs_file_io_wr *w = &v[i];
		unsigned slot = 2 * VCS_FILE_IO_BATCH + (unsigned)i;
		struct io_uring_sqe *sqe;
		unsigned ops = w->len ? 4 : 3;

		w->_pending = 0;
		w->_open = w->_write = w->_close = w->_rename = -ECANCELED;
		if (w->is_link || w->direct || w->len >= VCS_FILE_IO_MAX_IO)
			continue;
		if (vcs_file_io_temp_name(&w->tmp, w->path, 0))
			continue; /* redone (and reported) by the plain path */
		if (io_uring_sq_space_left(&io->ring) < ops)
			io_uring_submit(&io->ring); /* invariant 2 */
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_openat_direct(sqe, w->dirfd, (char *)w->tmp.data,
					    O_WRONLY | O_CREAT | O_EXCL,
					    w->exec ? 0777 : 0666, slot);
		sqe->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)w | WR_OPEN);
		if (w->len) {
			sqe = io_uring_get_sqe(&io->ring);
			io_uring_prep_write(sqe, (int)slot, w->data,
					    (unsigned)w->len, 0);
			/* a short write fails the link: no rename (inv. 4) */
			sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
			io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)w | WR_WRITE);
		} else {
			w->_write = 0;
		}
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_close_direct(sqe, slot);
		sqe->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)w | WR_CLOSE);
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_renameat(sqe, w->dirfd, (char *)w->tmp.data,
				       w->dirfd, w->path, 0);
		io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)w | WR_RENAME);
		w->_pending = (int)ops;
		queued++;
	}
	if (queued) {
		int src;
		while ((src = io_uring_submit(&io->ring)) == -EINTR)
			;
		if (src < 0) {
			for (size_t i = 0; i < n; i++)
				v[i]._pending = 0, v[i]._open = -ECANCELED;
		} else {
			io->st.batches++;
			rc = wait_for(io, v, v + n, sizeof(*v), n);
		}
	}
	for (size_t i = 0; i < n; i++) {
		vcs_file_io_wr *w = &v[i];
		int err;
		w->have_st = 0;
		if (w->direct) {
			err = write_direct(w);
			if (err && !rc)
				rc = err;
			if (!err) {
				io->st.files_written++;
				io->st.bytes_written += w->len;
			}
			continue;
		}
		if (io->have_ring && !rc && !w->is_link && w->len < VCS_FILE_IO_MAX_IO &&
		    w->_rename == 0) {
			io->st.files_written++;
			io->st.bytes_written += w->len;
			/* after the rename: a rename changes the file's ctime */
			w->have_st = !fstatat(w->dirfd, w->path, &w->st,
					      AT_SYMLINK_NOFOLLOW);
			continue;
		}
		if (io->have_ring && !w->is_link && w->len < VCS_FILE_IO_MAX_IO) {
			io->st.redone++;
			if (w->_open == 0) /* we made the temp: drop it */
				unlinkat(w->dirfd, (char *)w->tmp.data, 0);
		}
		err = write_one(w, 1);
		if (err && !rc)
			rc = err;
		if (!err) {
			io->st.files_written++;
			io->st.bytes_written += w->len;
		}
	}
	return rc;
}

/** vcs_file_io_wr_clear -- free the temp name buffer. */
void
vcs_file_io_wr_clear(vcs_file_io_wr *w)
{
	vcs_str_free(&w->tmp);
}

/** vcs_file_io_temp_name -- "<dir of path>/.pmvcs-tmp-<ns>-<addr>-<n>". */
int
vcs_file_io_temp_name(vcs_str *tmp, const char *path, unsigned attempt)
{
	const char *slash = strrchr(path, '/');
	struct timespec ts;
	size_t dl = slash ? (size_t)(slash - path) + 1 : 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	vcs_str_reset(tmp);
	return vcs_str_add(tmp, path, dl) ||
	       vcs_str_addf(tmp, ".pmvcs-tmp-%lx-%lx-%x", (long)ts.tv_nsec,
			    (unsigned long)(uintptr_t)tmp, attempt) ?
		vcs_seterr(PMDB_ENOMEM, "out of memory") : 0;
}

/* ------------------------------------------------------------------ */
/* Static helpers                                                      */
/* ------------------------------------------------------------------ */

/** ring_setup -- init the ring and its fixed-file table; on failure
 *  leave have_ring 0 and the reason in st.why. */
static int
ring_setup(vcs_file_io *io)
{
	struct io_uring_params p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = CQ_ENTRIES;
	rc = io_uring_queue_init_params(RING_ENTRIES, &io->ring, &p);
	if (rc < 0) {
		snprintf(io->st.why, sizeof(io->st.why),
			 "io_uring_queue_init: %s", strerror(-rc));
		return rc;
	}
	rc = io_uring_register_files_sparse(&io->ring, NSLOTS);
	if (rc < 0) {
		snprintf(io->st.why, sizeof(io->st.why),
			 "io_uring_register_files: %s", strerror(-rc));
		io_uring_queue_exit(&io->ring);
		return rc;
	}
	io->have_ring = 1;
	io->st.why[0] = '\0';
	return 0;
}

/** apply_cqe -- record one completion in its item. */
static void
apply_cqe(struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	unsigned tag = (unsigned)(ud & 7);
	void *item = (void *)(uintptr_t)(ud & ~(uint64_t)7);

	if (tag < 4) {
		vcs_file_io_rd *r = item;
		if (tag == RD_OPEN)
			r->_open = cqe->res;
		else if (tag == RD_READ)
			r->_read = cqe->res;
		r->_pending--;
	} else {
		vcs_file_io_wr *w = item;
		if (tag == WR_OPEN)
			w->_open = cqe->res;
		else if (tag == WR_WRITE)
			w->_write = cqe->res;
		else if (tag == WR_CLOSE)
			w->_close = cqe->res;
		else
			w->_rename = cqe->res;
		w->_pending--;
	}
}

/** pending_in -- the _pending field of item i of an array at lo. */
static int
pending_in(const void *lo, size_t isz, size_t i)
{
	const char *p = (const char *)lo + i * isz;

	return isz == sizeof(vcs_file_io_rd) ? ((const vcs_file_io_rd *)p)->_pending :
		((const vcs_file_io_wr *)p)->_pending;
}

/** wait_for -- reap CQEs (of any batch) until every item of the array
 *  [lo, hi) of n items has none pending (invariant 1). */
static int
wait_for(vcs_file_io *io, const void *lo, const void *hi, size_t isz, size_t n)
{
	size_t i = 0;

	(void)hi;
	for (;;) {
		struct io_uring_cqe *cqe;
		int rc;
		while (i < n && pending_in(lo, isz, i) == 0)
			i++;
		if (i == n)
			return 0;
		rc = io_uring_wait_cqe(&io->ring, &cqe);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			return vcs_seterr(PMDB_ERROR, "io_uring_wait_cqe: %s",
					  strerror(-rc));
		apply_cqe(cqe);
		io_uring_cqe_seen(&io->ring, cqe);
	}
}

/** write_one -- the plain path: temp (or symlink), write, close, rename. */
static int
write_one(vcs_file_io_wr *w, unsigned attempt)
{
	int fd = -1, rc = 0;

	for (;;) {
		if (vcs_file_io_temp_name(&w->tmp, w->path, attempt++))
			return PMDB_ENOMEM;
		if (w->is_link) {
			char *target = strndup(w->data, w->len);
			int ok;
			if (!target)
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
			ok = symlinkat(target, w->dirfd, (char *)w->tmp.data) == 0;
			free(target);
			if (ok)
				break;
		} else {
			fd = openat(w->dirfd, (char *)w->tmp.data, O_WRONLY |
				    O_CREAT | O_EXCL | O_CLOEXEC,
				    w->exec ? 0777 : 0666);
			if (fd >= 0)
				break;
		}
		if (errno != EEXIST || attempt > 100)
			return vcs_seterr(PMDB_ERROR, "cannot create '%s' (a temp "
					  "file for '%s'): %s", (char *)w->tmp.data,
					  w->name, strerror(errno));
	}
	if (fd >= 0) {
		size_t off = 0;
		while (off < w->len) {
			ssize_t k = pwrite(fd, (const char *)w->data + off,
					   w->len - off, (off_t)off);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
						w->name, strerror(errno));
				break;
			}
			off += (size_t)k;
		}
		if (close(fd) != 0 && !rc)
			rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
					w->name, strerror(errno));
	}
	if (!rc && renameat(w->dirfd, (char *)w->tmp.data, w->dirfd, w->path) != 0)
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s", w->name,
				strerror(errno));
	if (rc)
		unlinkat(w->dirfd, (char *)w->tmp.data, 0);
	else
		w->have_st = !fstatat(w->dirfd, w->path, &w->st,
				      AT_SYMLINK_NOFOLLOW);
	return rc;
}

/** write_direct -- create path itself (its directory is not visible
 *  yet, so nothing can see it half-written): open, write, fstat (the
 *  stat cache's data without a path walk), close. */
static int
write_direct(vcs_file_io_wr *w)
{
	size_t off = 0;
	int fd, rc = 0;

	if (w->is_link) {
		char *target = strndup(w->data, w->len);
		if (!target)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		rc = symlinkat(target, w->dirfd, w->path);
		free(target);
		if (rc)
			return vcs_seterr(PMDB_ERROR, "cannot create '%s': %s",
					  w->name, strerror(errno));
		w->have_st = !fstatat(w->dirfd, w->path, &w->st,
				      AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	fd = openat(w->dirfd, w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    w->exec ? 0777 : 0666);
	if (fd < 0)
		return vcs_seterr(PMDB_ERROR, "cannot create '%s': %s", w->name,
				  strerror(errno));
	while (off < w->len) {
		ssize_t k = write(fd, (const char *)w->data + off, w->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
					w->name, strerror(errno));
			break;
		}
		off += (size_t)k;
	}
	if (!rc)
		w->have_st = !fstat(fd, &w->st);
	if (close(fd) != 0 && !rc)
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s", w->name,
				strerror(errno));
	return rc;
}
