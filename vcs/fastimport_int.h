/*
 * fastimport_int.h -- fast-import's state and the calls between its
 * files (vcs/fastimport*.c); private to them. The public side, for the
 * command and the fuzzer, is fastimport.h.
 *
 * Files: fastimport.c (fi_import, the command loop, blob/tag/reset/
 * alias/feature/option), fastimport_read.c (line reader, small parsers),
 * fastimport_store.c (objects and ref reads), fastimport_marks.c (marks
 * table and files), fastimport_refs.c (branches, tags, publication),
 * fastimport_commit.c (commit, ls, cat-blob, get-mark),
 * fastimport_notes.c (notes fan-out), fastimport_submod.c (submodule id
 * rewriting).
 */
#ifndef VCS_FASTIMPORT_INT_H
#define VCS_FASTIMPORT_INT_H

#include "fastimport.h"

#define FI_ACTIVE_BRANCHES 8      /**< branches whose trees stay loaded */
#define FI_MARK_FLAT_MAX (1u << 24) /**< marks below this: flat array */

/** One mark: an object id and its type (0: mark unset). */
typedef struct fi_mark {
	uint8_t id[PMDB_OID_MAXLEN];
	uint8_t type;
} fi_mark;

/** Marks: flat array for small numbers, open addressing for huge ones. */
typedef struct fi_marks {
	fi_mark *flat;
	size_t nflat;             /**< entries allocated in flat */
	struct fi_bigmark { uint64_t num; fi_mark m; } *big;
	size_t nbig, capbig;      /**< used, slots (power of two) */
	uint64_t max;             /**< highest mark set */
	uint64_t count;           /**< marks set */
} fi_marks;

/** A branch (any ref named by commit/reset) of the session. */
typedef struct fi_branch {
	char *name;
	pmdb_oid tip;             /**< zero: none yet */
	pmdb_oid tree;            /**< tip's root tree (valid if tip set) */
	pmdb_oid orig;            /**< ref value at start / last checkpoint */
	int orig_known;           /**< orig read from the pool */
	int orig_absent;          /**< the ref did not exist then */
	int del;                  /**< reset to the null id: delete */
	int dirty;                /**< tip changed since last publish */
	int refuse;               /**< FI_REFUSE_*: update refused at the
	                               last publication (set by it) */
	vcs_tree_editor *mt;            /**< loaded tree, or NULL */
	uint64_t lru;
	uint64_t num_notes;
} fi_branch;

/** Why fi_publish() left a branch's ref alone (without --force). */
#define FI_REFUSE_MISSING 1       /**< old or new tip is no commit */
#define FI_REFUSE_NOT_FF  2       /**< new tip does not contain old */

/** An annotated tag of the session (refs/tags/<name>). */
typedef struct fi_tagref {
	char *name;
	pmdb_oid oid;
	pmdb_oid orig;
	int orig_known, orig_absent, dirty;
} fi_tagref;

/** One id mapping of --rewrite-submodules-from/-to (fastimport_submod.c). */
typedef struct fi_subent {
	uint8_t from[32];         /**< the old id, SHA-1 or SHA-256 */
	uint8_t len;              /**< its bytes: 20 or 32 */
	size_t seq;               /**< insertion order: the first wins */
	pmdb_oid to;
} fi_subent;

/** Import state; one per fi_import() call. */
typedef struct fi_state {
	vcs_repo *repo;
	const fi_opts *o;
	pmdb_txn *txn;
	size_t hexlen;
	/* reader */
	fi_read_fn rd;
	void *rdctx;
	char *buf;
	size_t cap, pos, end;
	char *spare;              /**< the other input buffer (see fill()) */
	size_t sparecap;
	uint64_t buf_ticket;      /**< last async put lending bytes of buf */
	uint64_t spare_ticket;    /**< same for spare */
	int eof;
	uint64_t lineno;          /**< lines consumed (current line's no.) */
	char *line;               /**< current line, NUL-terminated */
	size_t linelen;
	int unread;               /**< current line to be returned again */
	uint64_t bytes_in;
	int mapped;               /**< buf is opts.in_map (read-only): lines
	                               are copied to linebuf */
	char *linebuf;
	size_t linecap;
	size_t map_dropped;       /**< map pages before this are dropped */
	int map_lastline;         /**< map_line returned a last line without
	                               LF (lineno counts it) */
	/* error */
	int failed;
	vcs_str errmsg;
	/* marks, branches, tags */
	fi_marks marks;
	fi_branch **branches;
	size_t nbranches, capbranches;
	size_t *bhash;            /**< index+1 per slot, 0 = empty */
	size_t bhashcap;
	uint64_t lru_clock;
	size_t nactive;
	fi_tagref *tags;
	size_t ntags, captags;
	/* options seen */
	int seen_data;
	int marks_read;
	int stream_import_marks;  /**< import-marks features seen */
	int marks_done;           /**< import marks loaded (git's
	                               import_marks_file_done) */
	int publishing;           /**< inside fi_publish(): the open txn may
	                               hold ref updates */
	int objs_lost;            /**< a txn holding objects failed to commit:
	                               marks may name objects not stored */
	int require_done;
	int seen_done;
	int force, quiet, stats;
	int date_format;
	char *import_marks, *export_marks;
	int import_if_exists;
	struct fi_subspec { char *spec; int to; } *subspecs; /**< rewrite-
	                               submodules-from (to 0) / -to (1) */
	size_t nsubspecs, capsubspecs;
	fi_subent *submap;        /**< sorted by (len, from, seq) */
	size_t nsubmap, capsubmap;
	/* scratch */
	vcs_str msg, obj, path, path2, tmp, delim;
	char *author, *committer, *tagger, *encoding;
	/* counters */
	uint64_t nobj[5], ncommits_total;
	uint64_t txn_data;
	uint64_t next_progress_ns, start_ns;
	int refused;              /**< some ref update refused: exit 1 */
} fi_state;

/* fastimport_read.c: line reader, data, errors, idents, ids, paths,
 * progress and cat-blob output */
int fi_fail(fi_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fi_next(fi_state *s);                 /* 1 line, 0 EOF, <0 error */
int fi_skip_optional_lf(fi_state *s);
int fi_data(fi_state *s, const char **p, size_t *len, vcs_str *copy);
int fi_parse_ident(fi_state *s, const char *v, char **out);
int fi_parse_mark_num(fi_state *s, const char **p, int eol, uint64_t *out);
int fi_parse_hex(fi_state *s, const char **p, pmdb_oid *out);
int fi_path(fi_state *s, const char **p, vcs_str *out, int to_space);
void fi_progress(fi_state *s, int final);
uint64_t fi_bytes_read(const fi_state *s);
int fi_catblob_write(fi_state *s, const void *p, size_t n);

/* fastimport_store.c: objects into the import's txn, lookups, refs */
int fi_put(fi_state *s, pmdb_otype type, const void *data, size_t len,
	   pmdb_oid *oid);
int fi_put_blob(fi_state *s, const char *data, size_t len, pmdb_oid *oid);
int fi_type_of(fi_state *s, const pmdb_oid *oid, pmdb_otype *type);
int fi_type_or_none(fi_state *s, const pmdb_oid *oid, pmdb_otype *type);
int fi_read_ref(fi_state *s, const char *name, pmdb_oid *oid, int *absent);

/* fastimport_marks.c: marks table and marks files */
int fi_mark_set(fi_state *s, uint64_t num, const pmdb_oid *oid,
		pmdb_otype type);
const fi_mark *fi_mark_get(const fi_marks *m, uint64_t num);
int fi_mark_find(fi_state *s, uint64_t num, pmdb_oid *oid,
		 pmdb_otype *type);
void fi_marks_free(fi_marks *m);
int fi_marks_read(fi_state *s, const char *file, int if_exists);
int fi_marks_import(fi_state *s);
int fi_marks_write(fi_state *s, const char *file);
char *fi_abs_path(fi_state *s, const char *file);

/* fastimport_submod.c: --rewrite-submodules-from/-to */
int fi_submods_add(fi_state *s, const char *spec, int to);
int fi_submods_build(fi_state *s);
int fi_submods_hex(fi_state *s, const char **p, pmdb_oid *oid);
void fi_submods_free(fi_state *s);

/* fastimport_refs.c: branch and tag tables, from/merge targets, ref
 * publication at checkpoints */
fi_branch *fi_branch_lookup(fi_state *s, const char *name);
int fi_branch_new(fi_state *s, const char *name, fi_branch **out);
int fi_branch_load(fi_state *s, fi_branch *b);
void fi_branches_free(fi_state *s);
int fi_objectish(fi_state *s, const char *p, int need_commit,
		 pmdb_oid *oid, pmdb_otype *type, fi_branch **src);
int fi_publish(fi_state *s, int final);

/* fastimport_commit.c: commit, file changes, notes, ls, cat-blob */
int fi_cmd_commit(fi_state *s, const char *arg);
int fi_parse_from(fi_state *s, fi_branch *b);
int fi_cmd_ls(fi_state *s, const char *p, fi_branch *b);
int fi_cmd_cat_blob(fi_state *s, const char *p);
int fi_cmd_get_mark(fi_state *s, const char *p);
int fi_commit_tree(fi_state *s, const pmdb_oid *commit, pmdb_oid *tree);

/* fastimport_notes.c: git's notes fan-out */
#define FI_NOTES_COUNT 0xffu      /**< fi_notes_rewrite: count, move none */
unsigned fi_notes_fanout(uint64_t num_notes);
int fi_notes_path(fi_state *s, const char *hex, unsigned fanout, char *out,
		  size_t *len);
int fi_notes_rewrite(fi_state *s, fi_branch *b, unsigned fanout,
		     uint64_t *count);

#endif /* VCS_FASTIMPORT_INT_H */
