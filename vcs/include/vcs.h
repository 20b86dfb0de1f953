/*
 * vcs.h -- libpmvcs: git's object model over libpmdb (internal API of the
 * pmvcs tools; not installed).
 *
 * Encodings are git's byte for byte, so that ids match git's in both
 * object formats. Functions return 0 or a negative PMDB_E* code and leave
 * a message for vcs_errmsg(). Nothing here calls exit(), reads the process
 * environment or the process cwd: callers pass what they need, because
 * the server runs commands concurrently on its threads (docs/server.md).
 *
 * Threads: a vcs_repo may be used by many threads for reads (libpmdb reads
 * are lock-free); a vcs_tree_editor belongs to one thread.
 */
#ifndef VCS_H
#define VCS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pmdb.h"

/* ------------------------------------------------------------------ */
/* Errors (vcs/error.c)                                                */
/* ------------------------------------------------------------------ */

/** vcs_seterr -- set the calling thread's message; returns code. */
int vcs_seterr(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** vcs_seterr_pmdb -- code with pmdb_errdetail() (or pmdb_strerror())
 *  prefixed by a context string ("reading abc123"). Returns code. */
int vcs_seterr_pmdb(int code, const char *context);

/** vcs_errmsg -- the calling thread's last message ("" if none). */
const char *vcs_errmsg(void);

/* ------------------------------------------------------------------ */
/* Growable string (vcs/str.c)                                         */
/* ------------------------------------------------------------------ */

/** Byte string, always NUL-terminated at len when data != NULL. It is a
 *  pmdb_buf, so it can be passed where libpmdb fills one. */
typedef pmdb_buf vcs_str;
#define VCS_STR_INIT PMDB_BUF_INIT

int vcs_str_grow(vcs_str *s, size_t extra);            /* 0, PMDB_ENOMEM */
int vcs_str_add(vcs_str *s, const void *p, size_t n);  /* 0, PMDB_ENOMEM */
int vcs_str_adds(vcs_str *s, const char *cstr);
int vcs_str_addf(vcs_str *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vcs_str_reset(vcs_str *s);                        /* len = 0 */
#define vcs_str_free pmdb_buf_free

/* ------------------------------------------------------------------ */
/* Repository (vcs/repo.c)                                             */
/* ------------------------------------------------------------------ */

#define VCS_DOTDIR ".pmvcs"

/** The configuration end-of-line conversion depends on (attr.h). */
typedef struct vcs_eol_cfg {
	int autocrlf;           /**< core.autocrlf: 0 false, 1 true, 2 input */
	int eol;                /**< core.eol: 0 unset/native (LF), 1 lf, 2 crlf */
} vcs_eol_cfg;

typedef struct vcs_repo {
	pmdb_env *env;
	pmdb_hash_algo algo;
	size_t hashlen;        /**< 20 or 32 */
	size_t hexlen;         /**< 40 or 64 */
	char *worktree;        /**< absolute path of the work tree root */
	char *dotdir;          /**< absolute path of worktree/.pmvcs */
	char *excludes_file;   /**< the user's excludes file (absolute,
	                            malloc'ed, freed with the repo) or NULL:
	                            set by whoever opens it, read by scans */
	char *attributes_file; /**< core.attributesFile, the same way */
	vcs_eol_cfg eol;       /**< core.autocrlf/eol, the same way */
	int borrowed;          /**< lent by an owner (the pmvcs server, which
	                            shares one open repo between commands):
	                            vcs_repo_free() does nothing; the owner
	                            clears the flag before freeing it */
} vcs_repo;

typedef struct vcs_open_opts {
	unsigned lock_timeout_ms;  /**< wait for another process's lock */
} vcs_open_opts;

/**
 * vcs_repo_init -- create dir/.pmvcs with a new pool (object format algo)
 * and HEAD -> refs/heads/<initial_branch> ("master" if NULL, as git 2.39).
 * dir is created if missing. Returns PMDB_EEXISTS if a repository exists
 * there already (re-init is refused, unlike git: say so clearly).
 */
int vcs_repo_init(vcs_repo **out, const char *dir, pmdb_hash_algo algo,
		  const char *initial_branch, const vcs_open_opts *opts);

/**
 * vcs_repo_open -- find the repository containing start_dir (it or the
 * nearest parent with a .pmvcs directory) and open its pool.
 * PMDB_ENOTFOUND with message "not a pmvcs repository (or any of the
 * parent directories): <start_dir>".
 */
int vcs_repo_open(vcs_repo **out, const char *start_dir,
		  const vcs_open_opts *opts);

/** vcs_repo_free -- close the pool and free. NULL-safe; a no-op on a
 *  borrowed repo (repo->borrowed set by its owner). */
void vcs_repo_free(vcs_repo *repo);

/** vcs_oid_hex -- format an id of the repo's format (buf >= 65 bytes). */
char *vcs_oid_hex(const vcs_repo *repo, const pmdb_oid *oid, char *buf);

/* ------------------------------------------------------------------ */
/* Object encodings (vcs/object.c)                                     */
/* ------------------------------------------------------------------ */

/** Git file modes as stored in trees. */
#define VCS_MODE_TREE     0040000u
#define VCS_MODE_BLOB     0100644u
#define VCS_MODE_EXEC     0100755u
#define VCS_MODE_LINK     0120000u
#define VCS_MODE_GITLINK  0160000u

/** A parsed commit. Strings are NUL-terminated copies owned by the
 *  struct; free with vcs_commit_clear(). */
typedef struct vcs_commit {
	pmdb_oid tree;
	pmdb_oid *parents;
	size_t nparents;
	char *author;          /**< "Name <email> 1234567890 +0000", raw */
	char *committer;       /**< same form, raw */
	char *encoding;        /**< value of the encoding header, or NULL */
	char *extra;           /**< other header lines verbatim (gpgsig,
	                            mergetag, ... with continuation lines),
	                            each ending in '\n'; NULL if none */
	char *message;         /**< everything after the blank line */
	size_t message_len;
} vcs_commit;

int vcs_commit_parse(vcs_commit *out, const void *data, size_t len,
		     pmdb_hash_algo algo);          /* 0, PMDB_ECORRUPT */
int vcs_commit_format(vcs_str *out, const vcs_commit *c,
		      pmdb_hash_algo algo);         /* appends; 0, ENOMEM */
void vcs_commit_clear(vcs_commit *c);

typedef struct vcs_tree_entry {
	uint32_t mode;
	char *name;            /**< NUL-terminated copy, owned by the tree */
	size_t name_len;
	pmdb_oid oid;
} vcs_tree_entry;

typedef struct vcs_tree {
	vcs_tree_entry *entries;
	size_t n;
} vcs_tree;

int vcs_tree_parse(vcs_tree *out, const void *data, size_t len,
		   pmdb_hash_algo algo);            /* 0, PMDB_ECORRUPT */
/** Sorts entries in git's tree order (a tree's name compares as if it
 *  ended in '/'), then encodes "<octal mode> <name>\0<raw id>" each. */
int vcs_tree_format(vcs_str *out, vcs_tree_entry *entries, size_t n,
		    pmdb_hash_algo algo);
void vcs_tree_clear(vcs_tree *t);
/** git's tree-entry order: <0, 0, >0. */
int vcs_tree_entry_cmp(const char *a, size_t alen, uint32_t amode,
		       const char *b, size_t blen, uint32_t bmode);

typedef struct vcs_tag {
	pmdb_oid object;
	pmdb_otype type;
	char *tag;             /**< tag name */
	char *tagger;          /**< raw ident line value, or NULL */
	char *extra;           /**< other header lines verbatim, or NULL */
	char *message;
	size_t message_len;
} vcs_tag;

int vcs_tag_parse(vcs_tag *out, const void *data, size_t len,
		  pmdb_hash_algo algo);
int vcs_tag_format(vcs_str *out, const vcs_tag *t, pmdb_hash_algo algo);
void vcs_tag_clear(vcs_tag *t);

/** Read and parse in one step (through txn when non-NULL, so objects put
 *  in that txn are seen). PMDB_ENOTFOUND, PMDB_EINVAL if the object has
 *  another type (message says "<id> is a <type>, not a commit"). */
int vcs_commit_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		    vcs_commit *out);
int vcs_tree_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		  vcs_tree *out);
int vcs_tag_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		 vcs_tag *out);

/** Read any object through txn (if non-NULL) or the env. */
int vcs_object_read(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *oid,
		    pmdb_otype *type, vcs_str *out);

/** Peel tags (and, with want TREE, commits) until an object of type want
 *  is reached. PMDB_EINVAL if impossible. want PMDB_OBJ_NONE peels tags
 *  only, to the first non-tag (git's ^{}). */
int vcs_peel(vcs_repo *repo, const pmdb_oid *oid, pmdb_otype want,
	     pmdb_oid *out);

/* ------------------------------------------------------------------ */
/* Commit and tag messages (vcs/message.c)                             */
/* ------------------------------------------------------------------ */

/**
 * vcs_stripspace -- git's stripspace(): drop trailing whitespace of each
 * line, collapse runs of blank lines, drop leading and trailing blank
 * lines, end with '\n' (unless empty); skip_comments also drops lines
 * starting with '#'. Appends to out.
 */
int vcs_stripspace(vcs_str *out, const char *text, size_t len,
		   int skip_comments);

/** vcs_subject -- git's %s of a commit message: the first paragraph
 *  with its lines joined by spaces. Appends to out. */
int vcs_subject(vcs_str *out, const char *msg, size_t len);

/** vcs_commit_oneline -- "<abbrev> <subject>" of a commit (git's
 *  "HEAD is now at" form). Appends to out. */
int vcs_commit_oneline(vcs_repo *repo, const pmdb_oid *oid, vcs_str *out);

/**
 * vcs_msg_skip_blank -- skip a commit message's leading lines that hold
 * only blanks and tabs (git's rule before %s and the medium format); *n
 * is reduced by what was skipped. Pure; thread-safe.
 */
const char *vcs_msg_skip_blank(const char *m, size_t *n);

/* ------------------------------------------------------------------ */
/* Identities (vcs/ident.c)                                            */
/* ------------------------------------------------------------------ */

/** Lookup function for environment variables: the command's environment,
 *  never the process's (a server runs many commands at once). */
typedef const char *(*vcs_getenv_fn)(void *ctx, const char *name);

/** vcs_wait_exit -- wait for child pid: its exit code, 128 + the signal
 *  that killed it, or 128 when it cannot be waited for (vcs/proc.c).
 *  Threads: any. */
int vcs_wait_exit(int pid);

/**
 * vcs_ident_make -- build "Name <email> <epoch> <+hhmm>" for role
 * "AUTHOR" or "COMMITTER" from GIT_<role>_NAME/_EMAIL/_DATE (dates in
 * git's accepted forms: "<epoch> <tz>", "@<epoch> <tz>", RFC 2822, ISO
 * 8601), falling back to the user's passwd entry and the current time.
 * Appends to out.
 */
int vcs_ident_make(vcs_str *out, const char *role, vcs_getenv_fn getenv_fn,
		   void *env_ctx);

struct vcs_config;
/**
 * vcs_ident_make_cfg -- vcs_ident_make as git commit resolves an
 * identity (git's fmt_ident with IDENT_STRICT) when cfg is non-NULL:
 * email from GIT_<role>_EMAIL, <role>.email, user.email, $EMAIL, then
 * login@host; name from GIT_<role>_NAME, <role>.name, user.name, then
 * the passwd entry; user.useConfigOnly honoured. Refuses as git does
 * (vcs_errmsg() is git's fatal message, e.g. "unable to auto-detect
 * email address (got 'root@vm.(none)')") and sets *hint when git prints
 * its "*** Please tell me who you are." advice before it. cfg NULL:
 * exactly vcs_ident_make. @return 0, PMDB_EINVAL, PMDB_ENOMEM.
 */
int vcs_ident_make_cfg(vcs_str *out, const char *role,
		       vcs_getenv_fn getenv_fn, void *env_ctx,
		       const struct vcs_config *cfg, int *hint);

/* ------------------------------------------------------------------ */
/* Tree editor (vcs/tree_editor.c): new trees from old ones by path    */
/* ------------------------------------------------------------------ */

/**
 * An in-memory tree loaded lazily from the pool, edited by path, and
 * written back as tree objects (only the changed subtrees). pmvcs commit
 * and fast-import both build trees with it.
 */
typedef struct vcs_tree_editor vcs_tree_editor;

/** root NULL: empty tree. Reads go through txn when non-NULL. */
int vcs_tree_editor_new(vcs_tree_editor **out, vcs_repo *repo, pmdb_txn *txn,
		  const pmdb_oid *root);
void vcs_tree_editor_free(vcs_tree_editor *t);
/** Replace the whole tree (root NULL = empty): fast-import's deleteall. */
int vcs_tree_editor_reset(vcs_tree_editor *t, const pmdb_oid *root);
/** Set path (slash-separated, no leading/trailing slash) to (mode, oid),
 *  creating parent directories; mode VCS_MODE_TREE grafts a subtree.
 *  Replaces a file or directory in the way. PMDB_EINVAL on bad path. */
int vcs_tree_editor_set(vcs_tree_editor *t, const char *path, size_t len, uint32_t mode,
		  const pmdb_oid *oid);
/** Remove a file or directory; empty parents vanish. PMDB_ENOTFOUND. */
int vcs_tree_editor_remove(vcs_tree_editor *t, const char *path, size_t len);
/** Look up a path ("" is the root: mode VCS_MODE_TREE). A directory with
 *  unwritten changes gets its id computed (written into txn). */
int vcs_tree_editor_get(vcs_tree_editor *t, const char *path, size_t len, uint32_t *mode,
		  pmdb_oid *oid);
/** Write every changed subtree with pmdb_txn_put(txn, ...) and return
 *  the root id. The empty tree is a valid result. */
int vcs_tree_editor_write(vcs_tree_editor *t, pmdb_txn *txn, pmdb_oid *root);
/** Point reads at another txn (or NULL) after the previous one ended. */
void vcs_tree_editor_set_txn(vcs_tree_editor *t, pmdb_txn *txn);
/** Add 1 to *n (owned by the caller, which keeps it alive as long as t)
 *  for every tree t puts into a txn from now on (fast-import's --stats);
 *  NULL stops counting. Threads: t's thread. Persistence: none. */
void vcs_tree_editor_count(vcs_tree_editor *t, uint64_t *n);

/* ------------------------------------------------------------------ */
/* Revisions (vcs/revparse.c)                                          */
/* ------------------------------------------------------------------ */

/**
 * vcs_revparse -- resolve git revision syntax: HEAD, refs/..., branch and
 * tag names (git's lookup order: <n>, refs/<n>, refs/tags/<n>,
 * refs/heads/<n>, refs/remotes/<n>), full and unique short ids (>= 4
 * hex), <rev>~N, <rev>^N, <rev>^, <rev>^{tree}, ^{commit}, ^{tag}, ^{},
 * and <rev>:<path>.
 * @return 0, PMDB_ENOTFOUND ("unknown revision"), PMDB_EAMBIGUOUS.
 */
int vcs_revparse(vcs_repo *repo, const char *spec, pmdb_oid *out);

/** vcs_head -- HEAD's commit (PMDB_ENOTFOUND on an unborn branch) and the
 *  branch name it points to (ref name, NULL if detached; caller frees).
 *  On an unborn branch *branch_ref is still set (caller frees it too).
 *  oid and branch_ref may be NULL. */
int vcs_head(vcs_repo *repo, pmdb_oid *oid, char **branch_ref);

/* ------------------------------------------------------------------ */
/* Id abbreviation (vcs/revparse.c)                                    */
/* ------------------------------------------------------------------ */

/**
 * vcs_oid_abbrev -- hex prefix of oid, at least minlen digits (4..hexlen;
 * 0 means 7), extended like git until no other object in the pool shares
 * it. The id itself need not be in the pool (a working-tree blob).
 * @param[out] buf at least PMDB_OID_HEXMAX+1 bytes.
 * @return buf.
 */
char *vcs_oid_abbrev(vcs_repo *repo, const pmdb_oid *oid, int minlen,
		     char *buf);

/**
 * vcs_oid_abbrev_checked -- vcs_oid_abbrev() that reports a failed lookup:
 * same prefix, but a lookup that fails for another reason than "not
 * found" / "ambiguous" is an error (it says nothing about uniqueness) and
 * buf then holds the whole id, never a prefix that may be ambiguous.
 * minlen 0 means vcs_default_abbrev(repo): pass the length instead when
 * abbreviating many ids.
 * @return 0, or a negative PMDB_E* code (message in vcs_errmsg()).
 */
int vcs_oid_abbrev_checked(vcs_repo *repo, const pmdb_oid *oid, int minlen,
			   char *buf);

/**
 * vcs_default_abbrev -- git's core.abbrev=auto for this pool: 7, or
 * (bits of the object count + 1) / 2 digits in big pools. Costs a
 * pmdb_env_stat (which lists the pool's part files): compute it once per
 * command and pass it on, not once per id.
 */
int vcs_default_abbrev(vcs_repo *repo);

/* ------------------------------------------------------------------ */
/* Path quoting (vcs/quote.c)                                          */
/* ------------------------------------------------------------------ */

/** Append path as git prints it (core.quotePath=true): unchanged unless
 *  it holds '"', '\\', control or non-ASCII bytes, else C-quoted with
 *  octal escapes inside double quotes. */
int vcs_quote_path(vcs_str *out, const char *path, size_t len);
/** Parse a C-quoted string starting at *p (at the opening quote); on
 *  success appends the unquoted bytes and advances *p past the closing
 *  quote. PMDB_EINVAL on a malformed quote. */
int vcs_unquote(vcs_str *out, const char **p, const char *end);

#endif /* VCS_H */
