/*
 * env.c -- pmdb_env_open and pmdb_env_close: the top of libpmdb. Opens
 * the pool's files (poolset.c), checks the root, builds the first reader
 * view, runs recovery; at close stops the workers, trims and reclaims.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "env.h"
#include "epoch.h"
#include "pool.h"
#include "extent.h"
#include "put_workers.h"
#include "recover.h"
#include "ref.h"

/* path_join -- malloc'd "a/b". */
static char *
path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* detect_pmem -- ask libpmem (loaded by libpmemobj) whether the mapping
 * is pmem; honours PMEM_IS_PMEM_FORCE as PMDK itself does. */
static int
detect_pmem(void *addr, size_t len)
{
	int (*is_pmem)(const void *, size_t);

	*(void **)&is_pmem = dlsym(RTLD_DEFAULT, "pmem_is_pmem");
	if (is_pmem)
		return is_pmem(addr, len) ? 1 : 0;
	const char *f = getenv("PMEM_IS_PMEM_FORCE");
	return f && atoi(f) == 1;
}

/* check_root -- magic, version, hash of an opened pool. */
static int
check_root(struct pmdb_env *env, const char *setpath, const pmdb_open_opts *o)
{
	struct pmdb_root *r;
	PMEMoid root;

	if (pmemobj_root_size(env->pop) < sizeof(struct pmdb_root))
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': no pmdb root",
				    setpath);
	root = pmemobj_root(env->pop, sizeof(struct pmdb_root));
	r = pmemobj_direct(root);
	if (!r || r->magic != PMDB_MAGIC)
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': bad magic", setpath);
	if (r->format_version != PMDB_FORMAT_VERSION)
		return pmdb__seterr(PMDB_EVERSION,
				    "'%s': on-pool format %u, this library "
				    "writes %u", setpath, r->format_version,
				    PMDB_FORMAT_VERSION);
	if (!pmdb_hash__valid((pmdb_hash_algo)r->hash_algo))
		return pmdb__seterr(PMDB_ENOTPOOL, "'%s': unknown hash %u",
				    setpath, r->hash_algo);
	if (o->check_hash && (pmdb_hash_algo)r->hash_algo != o->hash)
		return pmdb__seterr(PMDB_EFORMAT,
				    "'%s': object format %s, expected %s",
				    setpath,
				    pmdb_hash_name((pmdb_hash_algo)r->hash_algo),
				    pmdb_hash_name(o->hash) ?
				    pmdb_hash_name(o->hash) : "?");
	env->root = r;
	env->algo = (pmdb_hash_algo)r->hash_algo;
	env->hlen = pmdb_hash_len(env->algo);
	return 0;
}

/* build_view -- the first view from the root; extent bases and tails. */
static int
build_view(struct pmdb_env *env)
{
	struct pmdb_view *v = calloc(1, sizeof(*v));
	struct pmdb_pextab *xt = pmemobj_direct(env->root->extab);
	struct pmdb_pindex *ix = pmemobj_direct(env->root->index);
	struct pmdb_preftab *rt = pmemobj_direct(env->root->reftab);

	if (!v || !(v->ext = calloc(PMDB_EXT_MAX, sizeof(*v->ext)))) {
		free(v);
		return pmdb__seterr(PMDB_ENOMEM, "view");
	}
	if (!xt || !ix || !rt || xt->magic != PMDB_MAGIC ||
	    ix->magic != PMDB_MAGIC || rt->magic != PMDB_MAGIC ||
	    ix->bits > 40 || rt->bits > 30) {
		free(v->ext);
		free(v);
		return pmdb__seterr(PMDB_ENOTPOOL, "pool tables are damaged");
	}
	v->extab = xt;
	v->index = ix;
	v->bits = (unsigned)ix->bits;
	v->mask = (1ULL << ix->bits) - 1;
	v->reftab = rt;
	v->refmask = (1ULL << rt->bits) - 1;
	env->n_ext = 0;
	while (env->n_ext < PMDB_EXT_MAX &&
	       !OID_IS_NULL(xt->ent[env->n_ext].oid)) {
		struct pmdb_pext *e = &xt->ent[env->n_ext];

		if (e->size == 0) {
			/* crash between the allocation and the size write */
			e->size = pmemobj_alloc_usable_size(e->oid);
			pmdb_pool__persist(env, &e->size, sizeof(e->size));
		}
		v->ext[env->n_ext].base = pmemobj_direct(e->oid);
		v->ext[env->n_ext].tail = e->committed_tail;
		env->n_ext++;
	}
	env->view = v;
	env->ref_used = pmdb_ref__count_used(env, rt);
	return 0;
}

struct tables_arg {
	struct pmdb_env *env;
	const char *setpath;
	const pmdb_open_opts *o;
};

/* open_tables -- check the root, build the first view, recover: the
 * steps after pmemobj_open that walk what PMDK and pmdb keep in the pool,
 * run under pmdb_guard__run. */
static int
open_tables(void *a)
{
	struct tables_arg *ta = a;
	struct pmdb_env *env = ta->env;
	int rc;

	if ((rc = check_root(env, ta->setpath, ta->o)) ||
	    (rc = build_view(env)))
		return rc;
	env->is_pmem = detect_pmem(env->root, sizeof(*env->root));
	if ((rc = pmdb_recover__run(env)) || (rc = pmdb_recover__sweep(env)))
		return rc;
	return 0;
}

/* pmdb_env_open -- open (or create) the pool in dir. */
PMDB_EXPORT int
pmdb_env_open(pmdb_env **out, const char *dir, const pmdb_open_opts *opts)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	char absdir[PATH_MAX];
	char *setpath = NULL, *partdir = NULL;
	struct pmdb_env *env = NULL;
	struct stat st;
	int rc, exists;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!out || !dir)
		return pmdb__seterr(PMDB_EINVAL, "NULL argument");
	*out = NULL;
	if (opts && opts->version >= 2)
		o = *opts;
	else if (opts) /* version 1 had no workers field */
		memcpy(&o, opts, offsetof(pmdb_open_opts, workers));
	if (!pmdb_hash__valid(o.hash))
		return pmdb__seterr(PMDB_EINVAL, "bad hash %d", (int)o.hash);
	if ((o.flags & PMDB_CREATE) && mkdir(dir, 0755) && errno != EEXIST)
		return pmdb__seterr(PMDB_ERROR, "cannot create '%s': %s", dir,
				    strerror(errno));
	if (!realpath(dir, absdir))
		/* only a missing directory is "no pool": EACCES and the like
		 * say why the pool cannot be reached */
		return pmdb__seterr(errno == ENOENT || errno == ENOTDIR ?
				    PMDB_ENOTFOUND : PMDB_ERROR,
				    "%s '%s': %s", errno == ENOENT ||
				    errno == ENOTDIR ? "no pool in" :
				    "cannot open pool in", dir, strerror(errno));
	setpath = path_join(absdir, "pool.set");
	partdir = path_join(absdir, "pool");
	env = calloc(1, sizeof(*env));
	if (!setpath || !partdir || !env) {
		rc = pmdb__seterr(PMDB_ENOMEM, "open");
		goto fail;
	}
	exists = stat(setpath, &st) == 0;
	if (!exists && errno != ENOENT) {
		rc = pmdb__seterr(PMDB_ERROR, "cannot open pool '%s': %s",
				  setpath, strerror(errno));
		goto fail;
	}
	/* PMDK reads the part directory itself and only says "cannot load
	 * part files" when it may not: name the directory and the cause */
	if (exists && access(partdir, R_OK | W_OK | X_OK) != 0 && errno != ENOENT) {
		rc = pmdb__seterr(PMDB_ERROR, "cannot open pool '%s': '%s': %s",
				  setpath, partdir, strerror(errno));
		goto fail;
	}
	if (exists && (o.flags & PMDB_CREATE) && (o.flags & PMDB_EXCL)) {
		rc = pmdb__seterr(PMDB_EEXISTS, "a pool exists in '%s'", dir);
		goto fail;
	}
	if (!exists && !(o.flags & PMDB_CREATE)) {
		rc = pmdb__seterr(PMDB_ENOTFOUND, "no pool in '%s'", dir);
		goto fail;
	}
	if (!exists &&
	    (rc = pmdb_poolset__create(absdir, setpath, partdir, &o)))
		goto fail;
	if ((rc = pmdb_poolset__fix(setpath, partdir, o.mode ? o.mode : 0644)) ||
	    (rc = pmdb_poolset__open(&env->pop, setpath, partdir,
				     o.lock_timeout_ms)))
		goto fail;
	{
		/* Smaller growth steps than the 128 MiB default: the pool
		 * grows by 32 MiB parts. Failure is harmless. */
		size_t g = PMDB_GRANULARITY;

		pmemobj_ctl_set(env->pop, "heap.size.granularity", &g);
	}
	env->dir = strdup(absdir);
	env->workers = o.workers;
	if (pthread_mutex_init(&env->wlock, NULL) ||
	    (rc = pmdb_epoch__init(env))) {
		rc = rc ? rc : PMDB_ERROR;
		goto fail;
	}
	{
		struct tables_arg ta = { env, setpath, &o };
		int sig;

		rc = pmdb_guard__run(open_tables, &ta, &sig);
		if (sig) {
			/* PMDK's state may be mid-update: abandon it (guard.c) */
			env->pop = NULL;
			rc = pmdb__seterr(PMDB_ECORRUPT, "pool '%s' is damaged: "
					  "%s while reading its tables (PMDK's "
					  "heap metadata or pmdb's)", setpath,
					  strsignal(sig));
		}
	}
	if (rc)
		goto fail_epoch;
	env->open_tables[0] = env->n_ext;
	env->open_tables[1] = env->root->index.off;
	env->open_tables[2] = env->root->reftab.off;
	free(setpath);
	free(partdir);
	*out = env;
	return 0;
fail_epoch:
	if (env->view) {
		free(env->view->ext);
		free(env->view);
	}
	pmdb_epoch__fini(env);
	pthread_mutex_destroy(&env->wlock);
fail:
	if (env && env->pop)
		pmdb_pmdk__close(env->pop);
	if (env)
		free(env->dir);
	free(env);
	free(setpath);
	free(partdir);
	return rc;
}

/* pmdb_env_close -- free everything; no call may run beside it. */
PMDB_EXPORT void
pmdb_env_close(pmdb_env *env)
{
	int reclaim = 0;

	if (!env)
		return;
	if (env->txn)
		pmdb_txn_abort(env->txn);
	pmdb_workers__stop(env);
	pmdb_epoch__fini(env);  /* frees what was retired: before reclaim */
	if (!__atomic_load_n(&env->panic, __ATOMIC_ACQUIRE)) {
		pmdb_extent__trim(env);
		/* only after allocations or frees: costs an open */
		reclaim = env->reshaped || env->open_tables[0] != env->n_ext ||
			  env->open_tables[1] != env->root->index.off ||
			  env->open_tables[2] != env->root->reftab.off;
	}
	free(env->view->ext);
	free(env->view);
	pthread_mutex_destroy(&env->wlock);
	pmdb_pmdk__close(env->pop);
	if (reclaim)
		pmdb_pool__reclaim(env->dir, env->is_pmem);
	free(env->dir);
	free(env);
}

/* pmdb_env_hash -- the pool's object format. */
PMDB_EXPORT pmdb_hash_algo
pmdb_env_hash(const pmdb_env *env)
{
	return env->algo;
}
