/*
 * config.h -- git's configuration files, read and written as git does.
 *
 * The format is git's (git-config(1) "CONFIGURATION FILE"): [section],
 * [section "subsection"] (case kept) and the old [section.subsection]
 * (lowercased), case-insensitive section and variable names, values with
 * "quotes", \n \t \b \\ \" escapes, '\' line continuations, '#'/';'
 * comments, a variable without '=' meaning boolean true, include.path and
 * includeIf "gitdir:"/"gitdir/i:" (matched against the .pmvcs directory).
 *
 * Files are read in git's order, later ones winning: system
 * (/etc/gitconfig or $GIT_CONFIG_SYSTEM, unless $GIT_CONFIG_NOSYSTEM),
 * global ($GIT_CONFIG_GLOBAL, else $XDG_CONFIG_HOME/git/config then
 * ~/.gitconfig), local (<worktree>/.pmvcs/config), then the command
 * scope: GIT_CONFIG_COUNT/KEY_n/VALUE_n, then GIT_CONFIG_PARAMETERS (what
 * `pmvcs -c key=value` sets, quoted as git quotes it).
 *
 * Writing (config_write.c) is git's git_config_set_multivar_in_file():
 * the file's other bytes are kept, a changed variable's line is rewritten,
 * a new one goes after the last variable of the last matching section, and
 * a section left empty without comments around it is removed.
 *
 * Threads: a vcs_config belongs to one thread; nothing reads the process
 * environment (lookups go through the caller's vcs_getenv_fn) or cwd.
 * Errors: 0 or a negative PMDB_E* code with a vcs_errmsg() message that is
 * git's ("bad config line 3 in file /x", "key does not contain a section").
 */
#ifndef VCS_CONFIG_H
#define VCS_CONFIG_H

#include <stddef.h>

#include "vcs.h"

/** Where an entry came from, git's scopes. */
typedef enum vcs_config_scope {
	VCS_CONFIG_SYSTEM, VCS_CONFIG_GLOBAL, VCS_CONFIG_LOCAL,
	VCS_CONFIG_COMMAND
} vcs_config_scope;

/** One "key = value" as read. */
typedef struct vcs_config_entry {
	char *key;            /**< canonical: section and name lowercased */
	char *value;          /**< NULL when the line had no '=' */
	const char *origin;   /**< "file:<path>" or "command line:" (owned by
	                           the vcs_config, quoted as git quotes it) */
	vcs_config_scope scope;
} vcs_config_entry;

/** Every entry read, in reading order (later wins). */
typedef struct vcs_config {
	vcs_config_entry *v;
	size_t n, cap;
	char **origins;       /**< owned strings entries point into */
	size_t norigins;
	const char *dotdir;   /**< absolute .pmvcs dir for includeIf, or NULL
	                           (borrowed from the caller) */
	int no_includes;      /**< 1: do not follow include.path */
	vcs_getenv_fn getenv_fn; /**< HOME for "~/" includes (may be NULL) */
	void *env_ctx;
	char dotdir_buf[4096];
} vcs_config;

#define VCS_CONFIG_INIT { NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL, "" }

/** vcs_config_free -- release everything; the struct can be reused. */
void vcs_config_free(vcs_config *cfg);

/**
 * vcs_config_parse -- add the entries of one file's text. shown is the
 * path git would print (origin, messages, base of relative includes);
 * real is where to open relative includes from (shown when NULL).
 * @return 0; PMDB_EINVAL on a syntax error ("bad config line N in file
 *  <shown>"), PMDB_ENOMEM.
 */
int vcs_config_parse(vcs_config *cfg, const char *text, size_t len,
		     const char *shown, const char *real,
		     vcs_config_scope scope);

/**
 * vcs_config_read_file -- vcs_config_parse of the file at real (shown as
 * shown); a missing file adds nothing and returns 0.
 * @return 0, PMDB_EINVAL (syntax), PMDB_ERROR (unreadable, errno message).
 */
int vcs_config_read_file(vcs_config *cfg, const char *shown,
			 const char *real, vcs_config_scope scope);

/**
 * vcs_config_read_command -- the command scope from the environment
 * (GIT_CONFIG_COUNT..., then GIT_CONFIG_PARAMETERS).
 * @return 0; PMDB_EINVAL with git's message ("bogus format in
 *  GIT_CONFIG_PARAMETERS", "missing config key GIT_CONFIG_KEY_0", a bad
 *  key).
 */
int vcs_config_read_command(vcs_config *cfg, vcs_getenv_fn getenv_fn,
			    void *env_ctx);

/** Paths of the files one scope reads, in order (at most 2). */
typedef struct vcs_config_files {
	char shown[2][4096];
	char real[2][4096];
	int n;
} vcs_config_files;

/**
 * vcs_config_scope_files -- which files scope reads. root is the
 * worktree root (absolute; NULL outside a repository: no local file);
 * relative paths ($GIT_CONFIG_GLOBAL...) are opened from root, else cwd.
 * For VCS_CONFIG_GLOBAL with write set: the one file `git config
 * --global` writes (~/.gitconfig, or the XDG file when only it exists).
 * @return 0; PMDB_ENOTFOUND when the scope has no file (no HOME, no
 *  repository, system disabled).
 */
int vcs_config_scope_files(vcs_config_files *out, vcs_config_scope scope,
			   int write, const char *root, const char *cwd,
			   vcs_getenv_fn getenv_fn, void *env_ctx);

/**
 * vcs_config_load -- the file scopes in git's order (system, global,
 * local; the caller adds vcs_config_read_command, whose errors git
 * reports apart); root and cwd as above.
 * Sets cfg->getenv_fn/env_ctx and, in a repository, cfg->dotdir (which
 * then points into cfg: valid until vcs_config_free).
 * @return as vcs_config_read_file.
 */
int vcs_config_load(vcs_config *cfg, const char *root, const char *cwd,
		    vcs_getenv_fn getenv_fn, void *env_ctx);

/** vcs_config_get -- the last entry for canonical key, or NULL
 *  (borrowed from cfg). */
const vcs_config_entry *vcs_config_get(const vcs_config *cfg,
				       const char *key);

/**
 * vcs_config_parse_key -- git_config_parse_key(): check key and make
 * its canonical form (section and name lowercased, subsection kept).
 * @param[out] out     malloc'ed canonical key (caller frees).
 * @param[out] baselen length of "section[.subsection]" (may be NULL).
 * @return 0; PMDB_EINVAL with git's message and *code git's exit code
 *  (1 invalid key, 2 no section or name) when code is non-NULL.
 */
int vcs_config_parse_key(const char *key, char **out, size_t *baselen,
			 int *code);

/** vcs_config_bool -- git_parse_maybe_bool() with ints: 1, 0, or -1
 *  when value is not a boolean. NULL is true. */
int vcs_config_bool(const char *value);

/** vcs_config_int -- git_parse_int64 (k/m/g suffixes). 0, or -1 with
 *  *why "invalid unit" / "out of range". */
int vcs_config_int(const char *value, long long *out, const char **why);

/* ------------------------------------------------------------------ */
/* Parser events, shared with the writer (config_write.c)              */
/* ------------------------------------------------------------------ */

typedef enum vcs_config_event {
	VCS_CFGEV_NONE, VCS_CFGEV_WHITESPACE, VCS_CFGEV_COMMENT,
	VCS_CFGEV_SECTION, VCS_CFGEV_ENTRY
} vcs_config_event;

/** Callbacks of vcs_config__parse: entry gets the canonical key and
 *  value (NULL: no '='); event gets git's parse events, [begin, end)
 *  byte ranges, after the entry callback of an ENTRY. section_cs is 1
 *  when the last section header's subsection was quoted. */
typedef struct vcs_config_parser_cb {
	int (*entry)(void *arg, const char *key, const char *value);
	int (*event)(void *arg, vcs_config_event type, size_t begin,
		     size_t end, const char *section, int section_cs);
	void *arg;
} vcs_config_parser_cb;

/** vcs_config__add -- append one entry (copied); origin borrowed for
 *  cfg's lifetime, NULL for "command line:". 0, PMDB_ENOMEM. */
int vcs_config__add(vcs_config *cfg, const char *key, const char *value,
		    const char *origin, vcs_config_scope scope);

/** vcs_config__parse -- git_parse_source(): 0, or PMDB_EINVAL with
 *  "bad config line N in file <shown>"; a callback's error passes. */
int vcs_config__parse(const char *text, size_t len, const char *shown,
		      const vcs_config_parser_cb *cb);

/* ------------------------------------------------------------------ */
/* Writing (vcs/config_write.c)                                        */
/* ------------------------------------------------------------------ */

/** How vcs_config_set_in_file treats existing values of the key. */
enum {
	VCS_CONFIG_SET_REPLACE = 0, /**< one value: replace it (2+: refused) */
	VCS_CONFIG_SET_ALL = 1,     /**< replace or remove every value */
	VCS_CONFIG_SET_ADD = 2      /**< keep them all, add one more */
};

/**
 * vcs_config_set_in_file -- git_config_set_multivar_in_file(): set key
 * to value (NULL: remove it) in the file at path, keeping the file's
 * other bytes, and replace the file atomically (path.lock, rename).
 * @return 0; otherwise a negative code with *code set to git config's
 *  exit code: 1/2 bad key, 3 invalid file (message: two "error:" lines
 *  without the first prefix), 4 cannot write, 5 nothing to unset or
 *  several values to replace (message left to the caller), 128 a syntax
 *  error git dies on ("bad config line N in file F").
 */
int vcs_config_set_in_file(const char *path, const char *shown,
			   const char *key, const char *value, int how,
			   int *code);

#endif
