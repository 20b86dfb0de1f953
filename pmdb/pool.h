/*
 * pool.h -- the bottom helper layer (pool.c, reclaim.c, pmdk_arena.c,
 * poolset.c). Calls nothing else of libpmdb but error.c: any module may
 * include it.
 */
#ifndef PMDB_POOL_H
#define PMDB_POOL_H

#include <limits.h>
#include "format.h"

struct pmdb_env;

/* pool.c */
int pmdb_pool__persist(struct pmdb_env *env, const void *p, size_t len);
void pmdb_pool__flush(struct pmdb_env *env, const void *p, size_t len);
void pmdb_pool__drain(struct pmdb_env *env);
uint64_t pmdb_pool__discard(struct pmdb_env *env, const void *p, size_t len);
int pmdb_pool__zalloc(struct pmdb_env *env, PMEMoid *out, size_t size,
		      uint64_t type);
int pmdb_pool__swap(struct pmdb_env *env, PMEMoid *field, PMEMoid nv);
int pmdb_pool__alloc_error(struct pmdb_env *env, uint64_t size,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pmdb_pool__parts(const char *partdir, uint64_t *size, uint64_t *disk);
int pmdb_pool__room_errno(const char *dir, uint64_t size);

/* reclaim.c */
uint64_t pmdb_pool__reclaim(const char *dir, int runs);

/* pmdk_arena.c: pmemobj_open with PMDK's runtime state in the arena,
 * under a guard; NULL with errno set on failure, and *sig the signal
 * that ended it if it faulted (else 0) */
PMEMobjpool *pmdb_pmdk__open(const char *setpath, int *sig);

/* setname.c: the path PMDK is given for a set file (a private copy
 * naming the part directory by descriptor when its path has characters
 * PMDK's set-file parser cannot take); done() after the open or create
 * keeps the descriptor with pop, or closes it. pmdb_pmdk__close()
 * replaces pmemobj_close() for every pool pmdb opens. */
struct pmdb_setname {
	char path[PATH_MAX];
	int dirfd, memfd;
};
int pmdb_setname__get(struct pmdb_setname *n, const char *setpath);
void pmdb_setname__done(struct pmdb_setname *n, PMEMobjpool *pop);
void pmdb_pmdk__close(PMEMobjpool *pop);

/* guard.c */
int pmdb_guard__run(int (*fn)(void *), void *arg, int *sig);

/* heapcheck.c */
int pmdb_heap__check(const char *setpath, const char *partdir);

/* poolset.c */
int pmdb_poolset__create(const char *dir, const char *setpath,
			 const char *partdir, const pmdb_open_opts *o);
int pmdb_poolset__fix(const char *setpath, const char *partdir,
		      unsigned mode);
int pmdb_poolset__open(PMEMobjpool **out, const char *setpath,
		       const char *partdir, unsigned timeout_ms);

#endif
