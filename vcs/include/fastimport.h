/*
 * fastimport.h -- git's fast-import stream format into a pmvcs repository
 * (vcs/fastimport*.c). The grammar accepted is in docs/fast-import.md.
 *
 * Ids are git's: objects are encoded byte for byte as git fast-import
 * encodes them (raw ident text, raw dates, encoding headers), so that the
 * same stream gives the same refs in git and in pmvcs, SHA-1 or SHA-256.
 *
 * Persistence: objects go into the pool through one pmdb txn that is
 * committed (objects only) every fi_opts.txn_bytes of data; refs change
 * only at `checkpoint` and at the end of the stream, all in one txn whose
 * updates compare-and-swap against the values the refs had at the start
 * (or the previous checkpoint). A killed import leaves refs as they were
 * at the last checkpoint; re-running it deduplicates stored objects.
 *
 * Memory: the stream is never held whole: two read buffers as large as
 * the largest `data` block (blobs are lent from them to pmdb's compressing
 * workers, see fastimport_read.c), or, for a stream mapped from a regular
 * file (fi_opts.in_map), a window of its pages around the parser (pages
 * far behind are dropped), one mark entry per mark (a flat array indexed by
 * mark number), and the trees of at most FI_ACTIVE_BRANCHES
 * (fastimport_int.h) branches.
 *
 * Threads: an import runs on the calling thread; nothing is global, so
 * several imports into different repositories may run at once.
 */
#ifndef VCS_FASTIMPORT_H
#define VCS_FASTIMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "vcs.h"

/** Date formats of `--date-format` (git's names). */
enum fi_date_format {
	FI_DATE_RAW = 0,         /**< "<epoch> <+hhmm>", |tz| <= 1400 */
	FI_DATE_RAW_PERMISSIVE,  /**< "<epoch> <+N>", any tz number */
	FI_DATE_RFC2822,         /**< "Tue, 14 Nov 2023 22:13:20 +0100" */
	FI_DATE_NOW              /**< the literal "now" */
};

/** Reader of the stream: like read(2); returns bytes read, 0 at end of
 *  input, -1 with errno on error. */
typedef ssize_t (*fi_read_fn)(void *ctx, void *buf, size_t n);

/** Options of one import. Zero-initialise, then set what is needed. */
typedef struct fi_opts {
	const char *cwd;          /**< base of relative marks paths */
	const char *import_marks; /**< --import-marks=<file> */
	int import_marks_if_exists;
	const char *export_marks; /**< --export-marks=<file> */
	int force;                /**< --force: allow non-fast-forwards */
	int quiet;                /**< --quiet */
	int stats;                /**< --stats */
	int allow_unsafe;         /**< --allow-unsafe-features */
	int require_done;         /**< --done: the stream must end in done */
	int show_progress;        /**< refresh a progress line on err */
	int date_format;          /**< enum fi_date_format */
	uint64_t txn_bytes;       /**< commit objects every this many bytes
	                               (0: 64 MiB) */
	FILE *out;                /**< `progress` echo (stdout) */
	FILE *err;                /**< messages, progress meter */
	FILE *cat_blob;           /**< answers to cat-blob/ls/get-mark */
	const char *const *sub_from; /**< --rewrite-submodules-from=
	                               <name>:<file>, nsub_from of them */
	size_t nsub_from;
	const char *const *sub_to;   /**< --rewrite-submodules-to=... */
	size_t nsub_to;
	const char *in_map;       /**< the whole stream mapped (PROT_READ,
	                               a file mapping), or NULL: then it is
	                               read through rd. Blobs are lent to
	                               pmdb's workers straight from it (no
	                               copy); pages behind the parser are
	                               dropped (MADV_DONTNEED) so resident
	                               memory stays bounded. Must stay
	                               mapped until fi_import returns. */
	size_t in_len;            /**< bytes at in_map */
	const char *reflog_ident; /**< "Name <email> <time> <tz>" logging
	                               each ref update as "fast-import" (git's
	                               message), or NULL: no reflog entries */
	const char *reflog_msg;   /**< the entries' message instead of
	                               "fast-import" (pmvcs fetch: git's
	                               "fetch: fast-forward"), or NULL */
} fi_opts;

/**
 * fi_import -- read a whole stream through rd and import it into repo.
 * @return the exit code git fast-import would give: 0; 1 when some ref
 *  was not updated (non-fast-forward without --force: a warning names
 *  it); 128 on a malformed stream or a storage failure, after printing
 *  "pmvcs: fast-import: line N: <what was expected>" on opts->err. Refs
 *  then stay as they were before the stream or at its last checkpoint.
 * Threads: the calling thread only. Persistence: see the file comment.
 */
int fi_import(vcs_repo *repo, const fi_opts *opts, fi_read_fn rd,
	      void *rdctx);

/**
 * fi_check_pack_arg -- validate the value of git's pack tuning options
 * --depth and --active-branches (name: "depth" or "active-branches",
 * namelen bytes of it), which pmvcs does not use but refuses as git's
 * ulong_arg() does: a non-negative integer in C notation, depth at most
 * 8191 (git's MAX_DEPTH).
 * @return 0 when valid or another option; -1 with git's message (without
 *  "fatal: ") in why (why_len bytes).
 * Threads: any. Persistence: none.
 */
int fi_check_pack_arg(const char *name, size_t namelen, const char *arg,
		      char *why, size_t why_len);

#endif /* VCS_FASTIMPORT_H */
