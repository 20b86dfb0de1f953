/*
 * bigblob.c -- big files in bounded memory: the work-tree side of
 * pmdb's streams (include/pmdb.h "Streams"). A file is read with pread
 * a chunk at a time into one buffer, never whole; a blob is written out
 * a chunk at a time. Memory: one PMDB_STREAM_CHUNK buffer here and one
 * in pmdb, whatever the file's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bigblob.h"
#include "config.h"
#include "file_io.h"

/* vcs_big_threshold -- environment, then config, then the default. */
uint64_t
vcs_big_threshold(vcs_getenv_fn getenv_fn, void *env_ctx,
		  const struct vcs_config *cfg)
{
	const char *v = getenv_fn ? getenv_fn(env_ctx,
					      "PMVCS_BIG_FILE_THRESHOLD") : NULL;
	const vcs_config_entry *ent;
	const char *why;
	long long n;

	if (v && *v && !vcs_config_int(v, &n, &why) && n > 0)
		return (uint64_t)n;
	if (cfg && (ent = vcs_config_get(cfg, "core.bigfilethreshold")) &&
	    ent->value && !vcs_config_int(ent->value, &n, &why) && n > 0)
		return (uint64_t)n;
	return VCS_BIG_THRESHOLD_DEFAULT;
}

/* stream_file -- feed work-tree file e through a stream of txn (NULL:
 * hash only) and set e's id. */
static int
stream_file(vcs_repo *repo, pmdb_txn *txn, vcs_wt_entry *e)
{
	vcs_str path = VCS_STR_INIT;
	pmdb_wstream *s = NULL;
	uint8_t *buf = NULL;
	uint64_t off = 0, size;
	struct stat st;
	int fd = -1, rc;

	if (vcs_str_addf(&path, "%s/%s", repo->worktree, e->path) ||
	    !(buf = malloc(PMDB_STREAM_CHUNK))) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		goto out;
	}
	if ((fd = open((char *)path.data, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st)) {
		rc = vcs_seterr(PMDB_ERROR, "cannot read '%s': %s", e->path,
				strerror(errno));
		goto out;
	}
	size = (uint64_t)st.st_size;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if ((rc = pmdb_txn_stream_begin(txn, repo->algo, PMDB_OBJ_BLOB, size,
					&s))) {
		rc = vcs_seterr_pmdb(rc, e->path);
		goto out;
	}
	while (off < size) {
		size_t want = size - off < PMDB_STREAM_CHUNK ?
			      (size_t)(size - off) : PMDB_STREAM_CHUNK;
		ssize_t k = pread(fd, buf, want, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = vcs_seterr(PMDB_ERROR, k ? "cannot read '%s': %s" :
					"'%s' shrank while being read",
					e->path, strerror(errno));
			goto out;
		}
		if ((rc = pmdb_stream_write(s, buf, (size_t)k))) {
			rc = vcs_seterr_pmdb(rc, e->path);
			goto out;
		}
		off += (uint64_t)k;
	}
	rc = pmdb_stream_finish(s, &e->oid);
	s = NULL;
	if (rc) {
		rc = vcs_seterr_pmdb(rc, e->path);
		goto out;
	}
	e->have_oid = 1;
out:
	pmdb_stream_abort(s);
	if (fd >= 0)
		close(fd);
	free(buf);
	vcs_str_free(&path);
	return rc;
}

/* vcs_big_put_file -- store a work-tree file chunked. */
int
vcs_big_put_file(vcs_repo *repo, pmdb_txn *txn, vcs_wt_entry *e)
{
	return stream_file(repo, txn, e);
}

/* vcs_big_hash_file -- a work-tree file's blob id, streamed. */
int
vcs_big_hash_file(vcs_repo *repo, vcs_wt_entry *e)
{
	return stream_file(repo, NULL, e);
}

/* vcs_big_is -- a blob big enough to stream. */
int
vcs_big_is(vcs_repo *repo, const pmdb_oid *oid)
{
	pmdb_otype type;
	uint64_t size;

	return !pmdb_object_info(repo->env, oid, &type, &size) &&
	       type == PMDB_OBJ_BLOB && size >= VCS_BIG_STREAM;
}

/* each_piece -- call fn with each piece of object oid. */
static int
each_piece(vcs_repo *repo, const pmdb_oid *oid,
	   int (*fn)(void *arg, const void *p, size_t len), void *arg)
{
	pmdb_rstream *s;
	const void *p;
	size_t len;
	char hex[PMDB_OID_HEXMAX + 1];
	int rc;

	if ((rc = pmdb_object_stream(repo->env, oid, NULL, NULL, &s)))
		return vcs_seterr_pmdb(rc, pmdb_oid_fmt(hex, oid, repo->algo));
	for (;;) {
		if ((rc = pmdb_stream_read(s, &p, &len))) {
			rc = vcs_seterr_pmdb(rc, pmdb_oid_fmt(hex, oid,
							      repo->algo));
			break;
		}
		if (!len || (rc = fn(arg, p, len)))
			break;
	}
	pmdb_stream_close(s);
	return rc;
}

struct fd_sink {
	int fd;
	const char *name;
	int sparse;              /* a regular file: seek over zero pieces */
	uint64_t off;            /* bytes so far */
};

/* all_zero -- 1 if p[0..len) holds only zero bytes. */
static int
all_zero(const uint8_t *p, size_t len)
{
	return len && !p[0] && !memcmp(p, p + 1, len - 1);
}

/* to_fd -- each_piece callback: write all of a piece (a hole for zeros
 * when sparse: a sparse file checked out stays sparse). */
static int
to_fd(void *arg, const void *p, size_t len)
{
	struct fd_sink *k = arg;

	k->off += len;
	if (k->sparse && all_zero(p, len)) {
		if (lseek(k->fd, (off_t)k->off, SEEK_SET) < 0 ||
		    ftruncate(k->fd, (off_t)k->off))
			return vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
					  k->name, strerror(errno));
		return 0;
	}
	while (len) {
		ssize_t n = write(k->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vcs_seterr(PMDB_ERROR, "cannot write '%s': %s",
					  k->name, strerror(errno));
		p = (const char *)p + n;
		len -= (size_t)n;
	}
	return 0;
}

/* to_file -- each_piece callback: fwrite a piece. */
static int
to_file(void *arg, const void *p, size_t len)
{
	if (fwrite(p, 1, len, arg) != len)
		return vcs_seterr(PMDB_ERROR, "write error: %s",
				  strerror(errno));
	return 0;
}

/* vcs_big_write_fd -- a blob's content to fd. */
int
vcs_big_write_fd(vcs_repo *repo, const pmdb_oid *oid, int fd,
		 const char *name)
{
	struct fd_sink k = { fd, name, 0, 0 };

	return each_piece(repo, oid, to_fd, &k);
}

/* vcs_big_write_file -- a blob's content to a stdio stream. */
int
vcs_big_write_file(vcs_repo *repo, const pmdb_oid *oid, FILE *f)
{
	return each_piece(repo, oid, to_file, f);
}

/* vcs_big_checkout -- write one big file of a checkout. */
int
vcs_big_checkout(vcs_repo *repo, const pmdb_oid *oid, int dirfd,
		 const char *path, const char *name, int exec, int direct,
		 struct stat *st)
{
	vcs_str tmp = VCS_STR_INIT;
	const char *at = path;
	unsigned attempt = 0;
	int fd, rc;

	for (;;) {
		if (!direct) {
			if (vcs_file_io_temp_name(&tmp, path, attempt++))
				return vcs_seterr(PMDB_ENOMEM, "out of memory");
			at = (char *)tmp.data;
		}
		fd = openat(dirfd, at, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    exec ? 0777 : 0666);
		if (fd >= 0)
			break;
		if (direct || errno != EEXIST || attempt > 100) {
			rc = vcs_seterr(PMDB_ERROR, "cannot create '%s': %s",
					name, strerror(errno));
			vcs_str_free(&tmp);
			return rc;
		}
	}
	{
		struct fd_sink k = { fd, name, 1, 0 };

		rc = each_piece(repo, oid, to_fd, &k);
	}
	if (close(fd) && !rc)
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s", name,
				strerror(errno));
	if (!rc && !direct && renameat(dirfd, at, dirfd, path))
		rc = vcs_seterr(PMDB_ERROR, "cannot write '%s': %s", name,
				strerror(errno));
	/* after the rename, as the stat cache compares ctime */
	if (!rc && fstatat(dirfd, path, st, AT_SYMLINK_NOFOLLOW))
		rc = vcs_seterr(PMDB_ERROR, "cannot stat '%s': %s", name,
				strerror(errno));
	if (rc)
		unlinkat(dirfd, at, 0);
	vcs_str_free(&tmp);
	return rc;
}
