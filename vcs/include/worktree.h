/*
 * worktree.h -- the working tree side of pmvcs: ignore rules, scanning,
 * flattening trees, building trees, checkout and status.
 *
 * There is no index (staging area): a commit snapshots the whole working
 * tree, status compares the working tree with HEAD's tree, and checkout
 * moves the working tree from one tree to another. A stat cache in
 * .pmvcs/wtcache (written after commit and checkout; format in status.c)
 * lets status skip hashing files whose size, mtime, ctime and inode did
 * not change, and holds one tree flattened (HEAD's, usually) so that
 * status reads no tree object when HEAD's tree is the cached one.
 *
 * Paths are root-relative, '/'-separated, without a leading or trailing
 * slash. Lists are sorted bytewise by path (git's index order).
 *
 * Threads: nothing here has process-wide state; a list, an ignore set or
 * a cache belongs to one thread. Nothing reads the process cwd. The scan
 * (vcs_wt_scan*) spreads directories over threads of its own and joins
 * them before it returns.
 */
#ifndef VCS_WORKTREE_H
#define VCS_WORKTREE_H

#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "vcs.h"

/* ------------------------------------------------------------------ */
/* Ignore rules (vcs/ignore.c)                                         */
/* ------------------------------------------------------------------ */

#define VCS_IGNORE_FILE ".pmvcsignore"
#define VCS_GITIGNORE_FILE ".gitignore"

/** A stack of pattern lists, one per .pmvcsignore file on the way from
 *  the root to the directory being scanned. */
typedef struct vcs_ignore vcs_ignore;

int vcs_ignore_new(vcs_ignore **out);
void vcs_ignore_free(vcs_ignore *ign);
/** vcs_ignore_push -- add the patterns of one ignore file found in
 *  directory base ("" for the root), text of len bytes. Files pushed
 *  later (deeper) take precedence. 0, PMDB_ENOMEM. */
int vcs_ignore_push(vcs_ignore *ign, const char *base, const char *text,
		    size_t len);
/** vcs_ignore_pop -- drop the most recently pushed file's patterns
 *  (never one borrowed from a parent, see vcs_ignore_child). */
void vcs_ignore_pop(vcs_ignore *ign);
/** vcs_ignore_child -- a new set holding parent's files, borrowed (not
 *  copied): a directory's rules on top of its parent's without touching
 *  the parent, so scanning threads can share the parent read-only. The
 *  parent must stay unchanged and outlive the child. 0, PMDB_ENOMEM. */
int vcs_ignore_child(const vcs_ignore *parent, vcs_ignore **out);
/** vcs_ignore_match -- 1 if path (root-relative) is ignored, else 0. */
int vcs_ignore_match(const vcs_ignore *ign, const char *path, size_t len,
		     int is_dir);
/** vcs_ignore_push_src -- vcs_ignore_push naming the file (src, copied)
 *  for vcs_ignore_hit. 0, PMDB_ENOMEM. */
int vcs_ignore_push_src(vcs_ignore *ign, const char *base, const char *text,
			size_t len, const char *src);
/** The pattern that decided a match (all NULL/0 when none did);
 *  borrowed from the set, valid while it is unchanged. */
typedef struct vcs_ignore_hit {
	const char *src;       /**< its file, as pushed (may be NULL) */
	unsigned line;         /**< 1-based */
	const char *pattern;   /**< as written ("!keep.o", "build/") */
} vcs_ignore_hit;
/** vcs_ignore_match_hit -- vcs_ignore_match that also says which
 *  pattern decided (a negation too: then the result is 0). */
int vcs_ignore_match_hit(const vcs_ignore *ign, const char *path,
			 size_t len, int is_dir, vcs_ignore_hit *hit);
/* Which files (vcs/ignore_files.c; precedence there) */

/** vcs_ignore_push_dir -- push the .gitignore then the .pmvcsignore of
 *  directory dirfd (base: its root-relative path, "" for the root; rel:
 *  the same with a trailing '/', for messages). Missing files add
 *  nothing. 0, PMDB_ERROR (unreadable, message names it), PMDB_ENOMEM. */
int vcs_ignore_push_dir(vcs_ignore *ign, const char *base, int dirfd,
			const char *rel);
/** vcs_ignore_push_top -- push excludes_file (absolute, or NULL/"")
 *  then root/.pmvcs/info/exclude: the rules below every .gitignore.
 *  Codes as vcs_ignore_push_dir. */
int vcs_ignore_push_top(vcs_ignore *ign, const char *root,
			const char *excludes_file);
/** vcs_wt__read_conf -- semi-private (ignore and attribute files): the
 *  whole file name under dirfd (AT_FDCWD: name is a path) into text;
 *  shown names it in messages. 0, 1 not there (or, with AT_FDCWD,
 *  unreadable: git goes on), PMDB_ERROR, PMDB_ENOMEM. */
int vcs_wt__read_conf(int dirfd, const char *name, const char *shown,
		      vcs_str *text);
struct vcs_config;
/** vcs_wt__user_file -- semi-private: the file config key names (as
 *  git spells it, "core.attributesFile"; "~/" expanded, relative to
 *  root), or by default $XDG_CONFIG_HOME/git/<xdg_name> (or
 *  ~/.config/git/<xdg_name>), into buf; "" when there is none. 0,
 *  PMDB_EINVAL (too long). */
int vcs_wt__user_file(const struct vcs_config *cfg, const char *key,
		      const char *xdg_name, const char *root, vcs_getenv_fn fn,
		      void *ctx, char *buf, size_t size);
/** vcs_ignore_excludes_file -- git's core.excludesFile ("~/" expanded,
 *  relative to root) or its default $XDG_CONFIG_HOME/git/ignore (or
 *  ~/.config/git/ignore) into buf; "" when there is none. 0,
 *  PMDB_EINVAL (too long). */
int vcs_ignore_excludes_file(const struct vcs_config *cfg, const char *root,
			     vcs_getenv_fn fn, void *ctx, char *buf,
			     size_t size);

/**
 * vcs_ignore_check -- git check-ignore for one root-relative path under
 * root: the rules of every directory above it, as a scan would apply
 * them; a path inside an ignored directory is decided by that
 * directory's pattern. is_dir: path names a directory.
 * @return 1 ignored, 0 not (hit says which pattern decided, if any),
 *  or a negative code (unreadable ignore file, out of memory).
 */
int vcs_ignore_check(const char *root, const char *excludes_file,
		     const char *path, int is_dir, vcs_ignore_hit *hit,
		     vcs_ignore **keep);

/** vcs_wildmatch -- git's wildmatch(); pathname: '*' and '?' do not
 *  match '/', "**" does. Returns 1 on match. Exposed for tests. */
int vcs_wildmatch(const char *pattern, const char *text, int pathname);

/* ------------------------------------------------------------------ */
/* Entry lists and file reads (vcs/worktree.c), scan (worktree_scan.c) */
/* ------------------------------------------------------------------ */

/** One file: of the working tree (stat fields set) or of a tree. */
typedef struct vcs_wt_entry {
	char *path;            /**< owned, NUL-terminated */
	size_t len;
	uint32_t mode;         /**< VCS_MODE_BLOB, _EXEC, _LINK (_GITLINK
	                            only from trees) */
	uint8_t conv;          /**< enum vcs_conv: set by the scan from the
	                            attributes; reads clean the content */
	uint8_t ignored;       /**< a scan with want_ignored: an ignored
	                            file (or one inside an ignored
	                            directory), listed for status --ignored */
	int have_oid;          /**< oid is valid */
	pmdb_oid oid;
	uint64_t size, ino, dev;
	int64_t mtime_ns, ctime_ns;
} vcs_wt_entry;

/** A list owns its entries' paths: they live in blocks chained from
 *  blocks (no malloc per path), all freed by vcs_wt_list_free. */
typedef struct vcs_wt_list {
	vcs_wt_entry *e;
	size_t n, cap;
	void *blocks;          /**< private: path storage */
} vcs_wt_list;

#define VCS_WT_LIST_INIT { NULL, 0, 0, NULL }

void vcs_wt_list_free(vcs_wt_list *l);
/** vcs_wt_list_add -- append an entry (zeroed, with a copy of path in
 *  l's storage and mode); NULL when out of memory. Sorting is the
 *  caller's business. */
vcs_wt_entry *vcs_wt_list_add(vcs_wt_list *l, const char *path, size_t len,
			      uint32_t mode);
/** vcs_wt_list_reserve -- bytes of storage owned by l (freed with it),
 *  for paths the caller points entries at; NULL when out of memory. */
void *vcs_wt_list_reserve(vcs_wt_list *l, size_t bytes);
/** vcs_wt_list_map -- map the first size bytes of file fd read-only
 *  (private), unmapped by vcs_wt_list_free; NULL on failure (errno).
 *  For files replaced only by rename, never truncated in place. */
const void *vcs_wt_list_map(vcs_wt_list *l, int fd, size_t size);
/** vcs_wt_list_adopt -- move src's path storage (blocks and mappings)
 *  into dst, so entries copied from src to dst keep valid paths after
 *  src is freed; src's entries must not be used after that. */
void vcs_wt_list_adopt(vcs_wt_list *dst, vcs_wt_list *src);
/** vcs_wt_list_sort -- sort l by path (bytewise, git's index order)
 *  unless it is sorted already (checked first: one pass). */
void vcs_wt_list_sort(vcs_wt_list *l);
/** vcs_wt_find -- binary search by path; NULL if absent. */
vcs_wt_entry *vcs_wt_find(const vcs_wt_list *l, const char *path, size_t len);

/**
 * vcs_wt_scan -- list the regular files (100644/100755) and symlinks of
 * the working tree of repo, skipping .pmvcs and .git at any level,
 * special files (FIFOs, sockets, devices: as git does) and what the
 * .pmvcsignore files ignore. Sorted by path; oids not yet known.
 * @return 0, PMDB_ERROR (unreadable directory: named in vcs_errmsg()),
 *  PMDB_ENOMEM.
 */
int vcs_wt_scan(vcs_repo *repo, vcs_wt_list *out);

/**
 * vcs_wt_scan_threads -- vcs_wt_scan with at most threads threads in
 * all, the caller's included (0: as many as online CPUs, up to
 * VCS_WT_SCAN_MAXTHREADS; 1: the calling thread only). Directories are
 * the unit of work: each is read, sorted, matched against the ignore
 * rules and its files lstat'ed (relative to its fd) by one thread; the
 * list is assembled in path order at the end. Extra threads start only
 * once two directories are waiting, and are joined before returning.
 */
int vcs_wt_scan_threads(vcs_repo *repo, vcs_wt_list *out, int threads);
/** vcs_wt_scan_root -- the same for the work tree at root (absolute),
 *  without a repository: status scans while the pool opens. */
int vcs_wt_scan_root(const char *root, vcs_wt_list *out, int threads);
/** vcs_wt_scan_root_ex -- vcs_wt_scan_root with the user's excludes
 *  file (absolute path, or NULL) below the tree's ignore files. */
int vcs_wt_scan_root_ex(const char *root, vcs_wt_list *out, int threads,
			const char *excludes_file);
/** What a scan applies besides the tree's own ignore and attribute
 *  files. */
typedef struct vcs_wt_scan_opts {
	const char *excludes_file;   /**< absolute, or NULL */
	const char *attributes_file; /**< core.attributesFile: absolute, or
	                                  NULL */
	vcs_eol_cfg eol;             /**< core.autocrlf, core.eol */
	int want_ignored;            /**< list ignored files too (flagged
	                                  ignored; ignored directories are
	                                  entered): status --ignored */
} vcs_wt_scan_opts;
/** vcs_wt_scan_root_opts -- vcs_wt_scan_root with o's files and
 *  settings; each entry's conv says how reads clean it (attr.h): the
 *  attribute lookups are skipped while no attribute file is in force
 *  and core.autocrlf is false. */
int vcs_wt_scan_root_opts(const char *root, vcs_wt_list *out, int threads,
			  const vcs_wt_scan_opts *o);
#define VCS_WT_SCAN_MAXTHREADS 4

/** Reusable buffer for file contents. */
typedef struct vcs_wt_reader {
	vcs_str buf;
} vcs_wt_reader;

/**
 * vcs_wt_read -- read one working tree file's content (a symlink's
 * target) into rd->buf with one read. Fails with PMDB_ERROR naming the
 * path if the file vanished, changed type or cannot be read. This is
 * the one place where pmvcs reads working tree files. The content is
 * cleaned as e->conv says (attr.h): what a blob of the file holds.
 */
int vcs_wt_read(vcs_repo *repo, vcs_wt_reader *rd, const vcs_wt_entry *e);

/** vcs_wt_hash -- read and hash e (blob id) unless e->have_oid. */
int vcs_wt_hash(vcs_repo *repo, vcs_wt_reader *rd, vcs_wt_entry *e);

struct vcs_file_io;

/** Called once per file, in list order; data is valid during the call.
 *  A non-zero return stops the reads and is returned. */
typedef int (*vcs_wt_each_fn)(void *arg, vcs_wt_entry *e, const vcs_str *data);

/**
 * vcs_wt_read_many -- read v[0..n) (contents of files, targets of
 * symlinks) in batches through io (file_io.h; NULL: the plain path)
 * and call fn for each in order. The next batch is read while fn works
 * on the current one. Errors as vcs_wt_read(), naming the path.
 * Threads: io belongs to the calling thread.
 */
int vcs_wt_read_many(vcs_repo *repo, struct vcs_file_io *io, vcs_wt_entry **v,
		     size_t n, vcs_wt_each_fn fn, void *arg);

/** vcs_wt_hash_many -- set the blob ids of v[0..n) (read in batches). */
int vcs_wt_hash_many(vcs_repo *repo, struct vcs_file_io *io, vcs_wt_entry **v,
		     size_t n);

/* ------------------------------------------------------------------ */
/* Trees <-> sorted lists (vcs/tree_build.c)                           */
/* ------------------------------------------------------------------ */

/**
 * vcs_tree_flatten -- every blob, symlink and gitlink under tree (NULL:
 * the empty tree), recursively, sorted by path. Reads through txn when
 * non-NULL. 0, PMDB_ENOTFOUND, PMDB_ECORRUPT, PMDB_ENOMEM.
 */
int vcs_tree_flatten(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *tree,
		     vcs_wt_list *out);

/**
 * vcs_tree_build -- write the trees for a sorted list whose oids are all
 * known (bottom-up, with pmdb_txn_put) and return the root tree's id.
 */
int vcs_tree_build(vcs_repo *repo, pmdb_txn *txn, const vcs_wt_list *l,
		   pmdb_oid *root);

/** vcs_head_tree -- HEAD's commit (zeroed if unborn, *born = 0) and its
 *  tree. */
int vcs_head_tree(vcs_repo *repo, pmdb_oid *commit, pmdb_oid *tree,
		  int *born);

/* ------------------------------------------------------------------ */
/* Stat cache (vcs/status.c)                                           */
/* ------------------------------------------------------------------ */

/**
 * vcs_wtcache_apply -- fill the oids of scanned entries whose stat data
 * matches .pmvcs/wtcache (and that are not "racy": modified at or after
 * the cache was written). A missing or bad cache is not an error.
 */
int vcs_wtcache_apply(vcs_repo *repo, vcs_wt_list *l);
/** vcs_wtcache_write -- record the entries of l that have oids and stat
 *  data (ino != 0), keeping the cache's flattened tree (it depends on
 *  the tree id only). Temp file + rename. Failure is harmless. */
int vcs_wtcache_write(vcs_repo *repo, const vcs_wt_list *l);
/** vcs_wtcache_write_tree -- the same, recording tree (every entry of
 *  the tree tree_id, flattened and sorted) as the cache's tree. */
int vcs_wtcache_write_tree(vcs_repo *repo, const vcs_wt_list *l,
			   const vcs_wt_list *tree, const pmdb_oid *tree_id);
/**
 * vcs_wtcache_tree -- if the cache holds tree tree_id flattened, append
 * its entries to out (empty; paths in out's storage) and return 1, as
 * vcs_tree_flatten would have listed them; else 0 (out untouched).
 * <0: PMDB_ENOMEM.
 */
int vcs_wtcache_tree(vcs_repo *repo, const pmdb_oid *tree_id,
		     vcs_wt_list *out);

/* ------------------------------------------------------------------ */
/* Status (vcs/status.c)                                               */
/* ------------------------------------------------------------------ */

/** Kinds of change, as git's short-format letters. */
#define VCS_ST_MODIFIED 'M'
#define VCS_ST_DELETED 'D'
#define VCS_ST_TYPECHANGE 'T'
#define VCS_ST_UNTRACKED '?'

typedef struct vcs_status_item {
	char kind;
	const char *path;      /**< borrowed from the lists; for untracked
	                            directories, a "dir/" copy in dirs */
	size_t len;
	const vcs_wt_entry *head, *wt;  /**< NULL where absent */
} vcs_status_item;

typedef struct vcs_status {
	vcs_wt_list head;      /**< HEAD's tree, flattened */
	vcs_wt_list wt;        /**< the working tree (oids where needed) */
	vcs_status_item *items; /**< tracked changes, then untracked */
	size_t n, ntracked;
	char **dirs;           /**< owned "dir/" strings */
	size_t ndirs;
	pmdb_oid head_commit;
	int born;
	int hashed;            /**< files hashed (cache misses) */
	int tree_cached;       /**< head came from the stat cache */
	int is_head;           /**< head is HEAD's tree (tree_id) */
	pmdb_oid tree_id;      /**< the tree compared with (if born) */
} vcs_status;

/**
 * vcs_status_compute -- compare the working tree with tree (HEAD's tree
 * when NULL, or any tree). collapse_untracked: report an untracked
 * directory as "dir/" as git's default does.
 */
int vcs_status_compute(vcs_repo *repo, const pmdb_oid *tree,
		       int collapse_untracked, vcs_status *out);
/** vcs_status_compute_io -- the same; the files the stat cache does not
 *  vouch for are read in batches through io (file_io.h; NULL: the
 *  plain path, which is what vcs_status_compute uses). */
int vcs_status_compute_io(vcs_repo *repo, struct vcs_file_io *io,
			  const pmdb_oid *tree, int collapse_untracked,
			  vcs_status *out);
/** Returns the working tree's list scanned by the caller (its entries
 *  and storage move into the status, leaving it empty; the caller frees
 *  it in any case), or NULL for status to scan. */
typedef vcs_wt_list *(*vcs_wt_wait_fn)(void *arg);
/** vcs_status_compute_wt -- the same with the working tree scanned by
 *  the caller (vcs_wt_scan_root of repo->worktree, on another thread):
 *  wait(arg), if wait is not NULL, is called at most once, after HEAD's
 *  tree and the stat cache are loaded, so that loading overlaps the
 *  scan. */
int vcs_status_compute_wt(vcs_repo *repo, struct vcs_file_io *io,
			  const pmdb_oid *tree, int collapse_untracked,
			  vcs_wt_wait_fn wait, void *arg, vcs_status *out);
void vcs_status_clear(vcs_status *st);
/** vcs_status_cache_write -- after a status: record what it hashed and
 *  HEAD's tree (when it was not cached yet) in the stat cache, if either
 *  is new. Failure is harmless. */
void vcs_status_cache_write(vcs_repo *repo, const vcs_status *st);

/* ------------------------------------------------------------------ */
/* Checkout (vcs/checkout.c)                                           */
/* ------------------------------------------------------------------ */

#define VCS_CHECKOUT_FORCE 0x1u

typedef struct vcs_checkout_result {
	vcs_wt_list dirty;     /**< tracked files with local changes that
	                            the checkout would overwrite */
	vcs_wt_list untracked; /**< untracked files in the way */
	char *invalid;         /**< the first path of to_tree that may not
	                            be checked out (vcs_path_valid), when
	                            the call failed with PMDB_EINVAL */
	size_t written, removed;
} vcs_checkout_result;

/**
 * vcs_checkout_tree -- move the working tree from tree from_tree (NULL:
 * empty) to to_tree. Without VCS_CHECKOUT_FORCE, refuses (PMDB_ECONFLICT,
 * nothing changed, paths in res) if a file that differs between the two
 * trees has local changes or an untracked file is in the way; local
 * changes to files the two trees agree on are kept, as git keeps them.
 * Files in existing directories are written to a temp name and renamed
 * into place; a directory that does not exist yet is built under a temp
 * name and renamed into place whole, after its files are complete.
 * A path git would refuse to check out (vcs/path_check.h: into .git or
 * .pmvcs, "..", empty components, ...) in to_tree fails the call with
 * PMDB_EINVAL before anything is touched, the first such path (in path
 * order, as git reports it) in res->invalid; such paths of from_tree
 * are left alone (never removed).
 */
int vcs_checkout_tree(vcs_repo *repo, const pmdb_oid *from_tree,
		      const pmdb_oid *to_tree, unsigned flags,
		      vcs_checkout_result *res);
/** vcs_checkout_tree_io -- the same, writing files in batches through
 *  io (file_io.h; NULL: the plain path, as vcs_checkout_tree). */
int vcs_checkout_tree_io(vcs_repo *repo, struct vcs_file_io *io,
			 const pmdb_oid *from_tree, const pmdb_oid *to_tree,
			 unsigned flags, vcs_checkout_result *res);
/** vcs_checkout_lists_io -- vcs_checkout_tree_io between two sorted
 *  lists of tree entries (from may be to itself: then only files that
 *  differ from to are written, with VCS_CHECKOUT_FORCE). Paths in
 *  neither list are left alone. Entries of to get the written files'
 *  stat data; the stat cache is not updated. Codes as
 *  vcs_checkout_tree. */
int vcs_checkout_lists_io(vcs_repo *repo, struct vcs_file_io *io,
			  vcs_wt_list *from, vcs_wt_list *to, unsigned flags,
			  vcs_checkout_result *res);
void vcs_checkout_result_clear(vcs_checkout_result *res);

#endif /* VCS_WORKTREE_H */
