/*
 * pmcrash.h -- shared declarations of the pmcrash power-cut simulator.
 *
 * Modules: pmcrash.c (options, the run loop), proc.c (running commands),
 * image.c (building crash images), check.c (the default check).
 */
#ifndef PMCRASH_H
#define PMCRASH_H

#include <stddef.h>
#include <stdint.h>

#define PMCRASH_EXIT_FAILED 1
#define PMCRASH_EXIT_ERROR 128

enum image_mode { MODE_RANDOM, MODE_DROP_ALL, MODE_KEEP_ALL };

/* what to run, as parsed from the command line */
struct opts {
	const char *repo;        /* --repo: copied afresh for every run */
	char **cmd;              /* after "--" */
	const char *points;      /* --points */
	uint64_t seed;           /* --seed */
	unsigned images;         /* --images: crash images per crashed run */
	unsigned unit;           /* --granularity: 4096 or 64 */
	int media_pmem;          /* --media=pmem */
	enum image_mode mode;    /* --mode */
	const char *check;       /* --check or NULL: the default check */
	const char *stdin_file;  /* --stdin */
	const char *keep_dir;    /* --keep-failures */
	const char *pmvcs;       /* --pmvcs, $PMVCS or "pmvcs" */
	const char *preload;     /* --preload, $PMCRASH_PRELOAD or beside us */
	unsigned timeout;        /* --timeout, seconds per command */
	int verbose;             /* -v */
};

/* a command's captured result */
struct result {
	int status;   /* exit code, or 128 + signal */
	int signal;   /* terminating signal or 0 */
	int timeout;  /* killed after --timeout */
	char *out;    /* stdout and stderr, NUL-terminated (owned) */
	size_t len;
};

/** run_cmd -- run argv in dir with extra env ("K=V" strings, NULL-ended),
 *  stdin from in_file (or /dev/null), in a process group of its own; capture
 *  its output when res->out is wanted (capture != 0), else inherit ours.
 *  @return 0, or -1 when it could not be started (message printed) */
int run_cmd(char *const argv[], const char *dir, char *const env[], const char *in_file,
	    unsigned timeout, int capture, struct result *res);

/** run_sh -- run "sh -c script" like run_cmd, output captured */
int run_sh(const char *script, const char *dir, char *const env[], unsigned timeout,
	   struct result *res);

/** result_free -- release res->out */
void result_free(struct result *res);

/** copy_tree -- cp -a src dst (dst must not exist); 0 or -1 */
int copy_tree(const char *src, const char *dst);

/** remove_tree -- rm -rf path; 0 or -1 */
int remove_tree(const char *path);

/** first_lines -- the first n lines of s joined by " | ", in buf */
const char *first_lines(const char *s, int n, char *buf, size_t size);

/* image statistics */
struct image_stats {
	uint64_t differ;   /* units where the file and its shadow differ */
	uint64_t dropped;  /* of those, units given the shadow's bytes */
	unsigned files;
};

/** image_build -- turn the pool files of the crashed run in run_dir into a
 *  crash image: every unit differing from its shadow in state_dir keeps the
 *  file's bytes or takes the shadow's, per mode and seed. When run_dir is
 *  not the directory the run used (orig_root), paths are rebased.
 *  @return 0, or -1 (message printed) */
int image_build(const char *state_dir, const char *orig_root, const char *run_dir,
		unsigned unit, enum image_mode mode, uint64_t seed, struct image_stats *st);

/** mix64 -- splitmix64 finaliser: the seed of (master, point, image) */
uint64_t mix64(uint64_t x);

/* refs of a repository as "name id" lines, sorted, for the default check */
struct refs {
	char *text;
	int ok;
};

/** refs_read -- read the refs and HEAD of the repository in dir with pmvcs;
 *  0 or -1 */
int refs_read(const struct opts *o, const char *dir, struct refs *out);

/** refs_free -- release a refs_read result */
void refs_free(struct refs *r);

/** check_default -- pmvcs fsck must pass and every ref must equal its
 *  value in before or in after; on failure write why into why.
 *  @return 1 good, 0 bad, -1 tool error */
int check_default(const struct opts *o, const char *dir, const struct refs *before,
		  const struct refs *after, char *why, size_t whysize);

#endif
