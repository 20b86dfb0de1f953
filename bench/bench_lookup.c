/*
 * bench_lookup.c -- object inserts and lookups by id: libpmdb against
 * LMDB and plain libpmemobj, on the same keys and values.
 *
 * usage: bench_lookup [-n N] [-p PMEMOBJ_N] [-b BATCH] [-P] -d DIR
 *
 * -P runs the pmdb part only (for profiling it).
 *
 * N values of 100 random bytes are made; their git blob ids (SHA-1, from
 * pmdb_hash_object) are the keys for every store, so pmdb (which is
 * content-addressed) and LMDB hold the same (id, value) pairs.
 *  - pmdb: one pmdb_txn of N pmdb_txn_put + commit (objects/s); then
 *    pmdb_object_info for every id in a random order: per-lookup p50/p99
 *    (each lookup timed, timer cost subtracted), lookups/s untimed, and
 *    lookups/s on 2 threads; pmdb_object_info_many in batches of BATCH.
 *  - LMDB: one write txn of mdb_put (MDB_NOSYNC: tmpfs); mdb_get in the
 *    same random order inside one read txn: the same statistics.
 *  - libpmemobj: pmemobj_tx_xalloc of 100 bytes + copy per object inside
 *    one big transaction (PMEMOBJ_N objects), as a reference for inserts.
 * The key sequence for lookups is laid out in lookup order beforehand, so
 * that the benchmark itself adds no cache miss per lookup.
 * DIR must be empty or absent; it gets pmdb/, lmdb/ and pmemobj.pool.
 * Set PMEM_IS_PMEM_FORCE=1 for emulated pmem on /dev/shm (bench/run.sh
 * does). Results are "R <name> <value>" lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <libpmemobj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "benchutil.h"
#include "pmdb.h"

#define VAL_LEN 100

/* What the lookup threads share. */
struct lookups {
	size_t n;
	const pmdb_oid *keys;    /* in lookup order */
	size_t hashlen;
	pmdb_env *env;           /* pmdb side, or */
	MDB_env *menv;           /* LMDB side */
	MDB_dbi dbi;
	size_t start;            /* this thread starts at keys[start] */
	uint64_t misses;         /* lookups that failed or had a bad size */
	uint64_t ns;             /* wall time of this thread's pass */
};

static uint64_t mix(uint64_t x);
static void make_values(uint8_t *vals, size_t n);
static void *pmdb_pass(void *arg);
static void *lmdb_pass(void *arg);
static double run_threads(struct lookups *base, void *(*fn)(void *), int nthreads,
			  uint64_t *misses);
static void bench_pmdb(const char *dir, size_t n, const uint8_t *vals,
		       const pmdb_oid *ids, const pmdb_oid *keys, size_t batch);
static void bench_lmdb(const char *dir, size_t n, const uint8_t *vals,
		       const pmdb_oid *ids, const pmdb_oid *keys);
static void bench_pmemobj(const char *dir, size_t n, const uint8_t *vals);
static void print_ratios(void);

/*
 * mix -- splitmix64 finalizer: deterministic pseudo-random bits.
 */
static uint64_t
mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/*
 * make_values -- n values of VAL_LEN pseudo-random bytes, all distinct
 * (the first 8 bytes hold the index).
 */
static void
make_values(uint8_t *vals, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *v = vals + i * VAL_LEN;
		uint64_t x = i;
		memcpy(v, &x, 8);
		for (size_t k = 8; k < VAL_LEN; k += 8) {
			x = mix(x + k);
			memcpy(v + k, &x, VAL_LEN - k < 8 ? VAL_LEN - k : 8);
		}
	}
}

/*
 * pmdb_pass -- pmdb_object_info for every key, from keys[start] round.
 */
static void *
pmdb_pass(void *arg)
{
	struct lookups *l = arg;
	uint64_t t0 = bu_now_ns(), misses = 0;
	for (size_t i = 0, k = l->start; i < l->n; i++) {
		uint64_t size = 0;
		if (pmdb_object_info(l->env, &l->keys[k], NULL, &size) != 0 ||
		    size != VAL_LEN)
			misses++;
		if (++k == l->n)
			k = 0;
	}
	l->ns = bu_now_ns() - t0;
	l->misses = misses;
	return NULL;
}

/*
 * lmdb_pass -- mdb_get for every key inside one read txn.
 */
static void *
lmdb_pass(void *arg)
{
	struct lookups *l = arg;
	uint64_t t0, misses = 0;
	MDB_txn *txn;
	MDB_val key, data;

	if (mdb_txn_begin(l->menv, NULL, MDB_RDONLY, &txn) != 0) {
		l->misses = l->n;
		return NULL;
	}
	t0 = bu_now_ns();
	for (size_t i = 0, k = l->start; i < l->n; i++) {
		key.mv_size = l->hashlen;
		key.mv_data = (void *)l->keys[k].id;
		if (mdb_get(txn, l->dbi, &key, &data) != 0 || data.mv_size != VAL_LEN)
			misses++;
		if (++k == l->n)
			k = 0;
	}
	l->ns = bu_now_ns() - t0;
	l->misses = misses;
	mdb_txn_abort(txn);
	return NULL;
}

/*
 * run_threads -- run fn on nthreads threads, each over all keys from a
 * different start; return the aggregate lookups per second.
 */
static double
run_threads(struct lookups *base, void *(*fn)(void *), int nthreads, uint64_t *misses)
{
	struct lookups l[8];
	pthread_t th[8];
	uint64_t t0, t1;

	*misses = 0;
	for (int t = 0; t < nthreads; t++) {
		l[t] = *base;
		l[t].start = base->n / (size_t)nthreads * (size_t)t;
	}
	t0 = bu_now_ns();
	for (int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, fn, &l[t]) != 0)
			bu_die("pthread_create failed");
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		*misses += l[t].misses;
	}
	t1 = bu_now_ns();
	return (double)base->n * nthreads / ((double)(t1 - t0) * 1e-9);
}

/*
 * bench_pmdb -- insert all in one txn, then the lookup statistics.
 */
static void
bench_pmdb(const char *dir, size_t n, const uint8_t *vals, const pmdb_oid *ids,
	   const pmdb_oid *keys, size_t batch)
{
	pmdb_open_opts opts = PMDB_OPEN_OPTS_INIT;
	struct lookups l;
	pmdb_env *env;
	pmdb_txn *txn;
	pmdb_stat st;
	pmdb_objinfo *info;
	uint32_t *lat;
	uint64_t t0, t1, t2, misses = 0, ovh;
	double rate;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/pmdb", dir);
	opts.flags = PMDB_CREATE | PMDB_EXCL;
	opts.hash = PMDB_HASH_SHA1;
	t0 = bu_now_ns();
	rc = pmdb_env_open(&env, path, &opts);
	if (rc != 0)
		bu_die("pmdb_env_open %s: %s %s", path, pmdb_strerror(rc), pmdb_errdetail());
	bu_result("pmdb.open_ms", (double)(bu_now_ns() - t0) * 1e-6);

	/* inserts: one txn */
	t0 = bu_now_ns();
	if ((rc = pmdb_txn_begin(env, &txn)) != 0)
		bu_die("pmdb_txn_begin: %s", pmdb_strerror(rc));
	for (size_t i = 0; i < n; i++) {
		pmdb_oid got;
		rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, vals + i * VAL_LEN, VAL_LEN, &got);
		if (rc != 0)
			bu_die("pmdb_txn_put #%zu: %s %s", i, pmdb_strerror(rc),
			       pmdb_errdetail());
		if (memcmp(&got, &ids[i], sizeof(got)) != 0)
			bu_die("pmdb_txn_put #%zu: id differs from pmdb_hash_object", i);
	}
	t1 = bu_now_ns();
	if ((rc = pmdb_txn_commit(txn)) != 0)
		bu_die("pmdb_txn_commit: %s %s", pmdb_strerror(rc), pmdb_errdetail());
	t2 = bu_now_ns();
	bu_result("pmdb.insert_per_s", (double)n / ((double)(t2 - t0) * 1e-9));
	bu_result("pmdb.commit_ms", (double)(t2 - t1) * 1e-6);
	if (pmdb_env_stat(env, &st) == 0) {
		bu_result("pmdb.is_pmem", st.is_pmem);
		bu_result("pmdb.index_slots", (double)st.index_slots);
		bu_result("pmdb.pool_mb", (double)st.pool_bytes / 1048576.0);
	}

	/* lookups, each timed */
	lat = malloc(n * sizeof(*lat));
	if (!lat)
		bu_die("out of memory");
	ovh = bu_timer_overhead_ns();
	bu_result("timer_overhead_ns", (double)ovh);
	for (size_t i = 0; i < n; i++) {
		uint64_t size = 0, a, b;
		a = bu_now_ns();
		rc = pmdb_object_info(env, &keys[i], NULL, &size);
		b = bu_now_ns();
		if (rc != 0 || size != VAL_LEN)
			misses++;
		lat[i] = (uint32_t)(b - a > ovh ? b - a - ovh : 0);
	}
	if (misses)
		bu_die("pmdb_object_info: %" PRIu64 " of %zu ids not found or wrong size",
		       misses, n);
	bu_result("pmdb.lookup_p50_ns", bu_percentile(lat, n, 50));
	bu_result("pmdb.lookup_p99_ns", bu_percentile(lat, n, 99));

	/* lookups/s, untimed loop, 1 and 2 threads */
	memset(&l, 0, sizeof(l));
	l.n = n;
	l.keys = keys;
	l.env = env;
	rate = run_threads(&l, pmdb_pass, 1, &misses);
	bu_result("pmdb.lookup_1t_per_s", rate);
	bu_result("pmdb.lookup_1t_mean_ns", 1e9 / rate);
	rate = run_threads(&l, pmdb_pass, 2, &misses);
	bu_result("pmdb.lookup_2t_per_s", rate);
	if (misses)
		bu_die("pmdb_object_info on 2 threads: %" PRIu64 " misses", misses);

	/* batched */
	info = malloc(batch * sizeof(*info));
	if (!info)
		bu_die("out of memory");
	t0 = bu_now_ns();
	for (size_t i = 0; i < n; i += batch) {
		size_t m = n - i < batch ? n - i : batch;
		rc = pmdb_object_info_many(env, keys + i, m, info);
		if (rc != 0)
			bu_die("pmdb_object_info_many: %s", pmdb_strerror(rc));
		for (size_t k = 0; k < m; k++)
			if (info[k].err != 0 || info[k].size != VAL_LEN)
				misses++;
	}
	t1 = bu_now_ns();
	if (misses)
		bu_die("pmdb_object_info_many: %" PRIu64 " misses", misses);
	bu_result("pmdb.batch_ns_per_id", (double)(t1 - t0) / (double)n);
	free(info);
	free(lat);
	pmdb_env_close(env);
}

/*
 * bench_lmdb -- the same inserts and lookups through LMDB.
 */
static void
bench_lmdb(const char *dir, size_t n, const uint8_t *vals, const pmdb_oid *ids,
	   const pmdb_oid *keys)
{
	struct lookups l;
	MDB_env *menv;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, data;
	uint32_t *lat;
	uint64_t t0, t1, misses = 0, ovh;
	double rate;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/lmdb", dir);
	if (mkdir(path, 0755) != 0)
		bu_die("mkdir %s: %s", path, strerror(errno));
	if ((rc = mdb_env_create(&menv)) != 0 ||
	    (rc = mdb_env_set_mapsize(menv, (size_t)n * 400 + (64u << 20))) != 0 ||
	    (rc = mdb_env_open(menv, path, MDB_NOSYNC, 0644)) != 0)
		bu_die("mdb_env_open %s: %s", path, mdb_strerror(rc));

	t0 = bu_now_ns();
	if ((rc = mdb_txn_begin(menv, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0)
		bu_die("mdb_txn_begin: %s", mdb_strerror(rc));
	for (size_t i = 0; i < n; i++) {
		key.mv_size = 20;
		key.mv_data = (void *)ids[i].id;
		data.mv_size = VAL_LEN;
		data.mv_data = (void *)(vals + i * VAL_LEN);
		if ((rc = mdb_put(txn, dbi, &key, &data, 0)) != 0)
			bu_die("mdb_put: %s", mdb_strerror(rc));
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		bu_die("mdb_txn_commit: %s", mdb_strerror(rc));
	t1 = bu_now_ns();
	bu_result("lmdb.insert_per_s", (double)n / ((double)(t1 - t0) * 1e-9));

	lat = malloc(n * sizeof(*lat));
	if (!lat)
		bu_die("out of memory");
	ovh = bu_timer_overhead_ns();
	if ((rc = mdb_txn_begin(menv, NULL, MDB_RDONLY, &txn)) != 0)
		bu_die("mdb_txn_begin: %s", mdb_strerror(rc));
	for (size_t i = 0; i < n; i++) {
		uint64_t a, b;
		key.mv_size = 20;
		key.mv_data = (void *)keys[i].id;
		a = bu_now_ns();
		rc = mdb_get(txn, dbi, &key, &data);
		b = bu_now_ns();
		if (rc != 0 || data.mv_size != VAL_LEN)
			misses++;
		lat[i] = (uint32_t)(b - a > ovh ? b - a - ovh : 0);
	}
	mdb_txn_abort(txn);
	if (misses)
		bu_die("mdb_get: %" PRIu64 " misses", misses);
	bu_result("lmdb.lookup_p50_ns", bu_percentile(lat, n, 50));
	bu_result("lmdb.lookup_p99_ns", bu_percentile(lat, n, 99));
	free(lat);

	memset(&l, 0, sizeof(l));
	l.n = n;
	l.keys = keys;
	l.hashlen = 20;
	l.menv = menv;
	l.dbi = dbi;
	rate = run_threads(&l, lmdb_pass, 1, &misses);
	bu_result("lmdb.lookup_1t_per_s", rate);
	bu_result("lmdb.lookup_1t_mean_ns", 1e9 / rate);
	rate = run_threads(&l, lmdb_pass, 2, &misses);
	bu_result("lmdb.lookup_2t_per_s", rate);
	if (misses)
		bu_die("mdb_get on 2 threads: %" PRIu64 " misses", misses);
	mdb_env_close(menv);
}

/*
 * bench_pmemobj -- one transaction of n tx_alloc(100) + copy + flush.
 */
static void
bench_pmemobj(const char *dir, size_t n, const uint8_t *vals)
{
	char path[4096];
	PMEMobjpool *pop;
	uint64_t t0, t1;
	volatile int failed = 0;

	snprintf(path, sizeof(path), "%s/pmemobj.pool", dir);
	pop = pmemobj_create(path, "bench", (size_t)n * 256 + (64u << 20), 0644);
	if (!pop) {
		bu_fail("pmemobj", "pmemobj_create %s: %s", path, pmemobj_errormsg());
		return;
	}
	t0 = bu_now_ns();
	TX_BEGIN(pop) {
		for (size_t i = 0; i < n; i++) {
			PMEMoid oid = pmemobj_tx_xalloc(VAL_LEN, 1, 0);
			pmemobj_memcpy(pop, pmemobj_direct(oid), vals + i * VAL_LEN,
				       VAL_LEN, PMEMOBJ_F_MEM_NODRAIN);
		}
	} TX_ONABORT {
		/* reported below: the reference row then says FAILED */
		failed = 1;
	} TX_END
	t1 = bu_now_ns();
	if (failed)
		bu_fail("pmemobj", "transaction aborted: %s", pmemobj_errormsg());
	else
		bu_result("pmemobj.insert_per_s", (double)n / ((double)(t1 - t0) * 1e-9));
	pmemobj_close(pop);
}

/*
 * print_ratios -- pmdb against the references, for a human reader.
 */
static void
print_ratios(void)
{
	double v;

	printf("# pmdb vs LMDB (>1: pmdb better)\n");
	if ((v = bu_get("pmdb.insert_per_s")) && bu_get("lmdb.insert_per_s"))
		printf("#   inserts/s          %6.2fx\n", v / bu_get("lmdb.insert_per_s"));
	if ((v = bu_get("pmdb.insert_per_s")) && bu_get("pmemobj.insert_per_s"))
		printf("#   inserts/s vs plain libpmemobj %6.2fx\n",
		       v / bu_get("pmemobj.insert_per_s"));
	if ((v = bu_get("pmdb.lookup_p50_ns")) && bu_get("lmdb.lookup_p50_ns"))
		printf("#   lookup p50         %6.2fx\n", bu_get("lmdb.lookup_p50_ns") / v);
	if ((v = bu_get("pmdb.lookup_p99_ns")) && bu_get("lmdb.lookup_p99_ns"))
		printf("#   lookup p99         %6.2fx\n", bu_get("lmdb.lookup_p99_ns") / v);
	if ((v = bu_get("pmdb.lookup_1t_per_s")) && bu_get("lmdb.lookup_1t_per_s"))
		printf("#   lookups/s, 1 thr   %6.2fx\n", v / bu_get("lmdb.lookup_1t_per_s"));
	if ((v = bu_get("pmdb.lookup_2t_per_s")) && bu_get("lmdb.lookup_2t_per_s"))
		printf("#   lookups/s, 2 thr   %6.2fx\n", v / bu_get("lmdb.lookup_2t_per_s"));
	if ((v = bu_get("pmdb.batch_ns_per_id")) && bu_get("lmdb.lookup_1t_mean_ns"))
		printf("#   batched ns/id      %6.2fx\n", bu_get("lmdb.lookup_1t_mean_ns") / v);
}

int
main(int argc, char **argv)
{
	size_t n = 1000000, pn = 0, batch = 64;
	const char *dir = NULL;
	uint8_t *vals;
	pmdb_oid *ids, *keys;
	size_t *order;
	uint64_t t0;
	int opt, only_pmdb = 0;

	while ((opt = getopt(argc, argv, "n:p:b:d:P")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'p': pn = strtoull(optarg, NULL, 10); break;
		case 'b': batch = strtoull(optarg, NULL, 10); break;
		case 'd': dir = optarg; break;
		case 'P': only_pmdb = 1; break;
		default:
			fprintf(stderr, "usage: bench_lookup [-n N] [-p PMEMOBJ_N] "
					"[-b BATCH] [-P] -d DIR\n");
			return 2;
		}
	}
	if (!dir || n < 2 || batch < 1)
		bu_die("need -d DIR, N >= 2 and BATCH >= 1");
	if (!pn)
		pn = n;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		bu_die("mkdir %s: %s", dir, strerror(errno));

	vals = malloc(n * VAL_LEN);
	ids = calloc(n, sizeof(*ids));
	keys = calloc(n, sizeof(*keys));
	order = malloc(n * sizeof(*order));
	if (!vals || !ids || !keys || !order)
		bu_die("out of memory");
	make_values(vals, n);
	t0 = bu_now_ns();
	for (size_t i = 0; i < n; i++)
		pmdb_hash_object(&ids[i], PMDB_HASH_SHA1, PMDB_OBJ_BLOB, vals + i * VAL_LEN,
				 VAL_LEN);
	bu_result("hash_100b_per_s", (double)n / ((double)(bu_now_ns() - t0) * 1e-9));
	/* random lookup order (Fisher-Yates), keys laid out in that order */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(mix(i ^ 0xabcdef) % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = ids[order[i]];
	free(order);
	bu_result("n", (double)n);

	if (!only_pmdb) {
		bench_lmdb(dir, n, vals, ids, keys);
		bench_pmemobj(dir, pn, vals);
	}
	bench_pmdb(dir, n, vals, ids, keys, batch);
	print_ratios();
	free(vals);
	free(ids);
	free(keys);
	return 0;
}
