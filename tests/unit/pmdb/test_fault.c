/*
 * test_fault.c -- the SQLite OOM loop inside the unit suite: a scenario
 * runs in a fresh child process (this program re-executed with
 * "--child <scenario> <N> <persist>") with the Nth allocation failing,
 * for N = 1, 2, ... until a run sees no failure. Each child must end
 * cleanly: every call returns 0 or a negative PMDB_E* code, nothing
 * crashes, and (under ASan) no memory error is reported. A fresh process
 * per N matters: OpenSSL and the faultinject library count from start-up.
 *
 * Scenarios:
 *  hash  OpenSSL's own allocations fail (CRYPTO_set_mem_functions) while
 *        pmdb_hash_object sets up its digests; a retry must work or fail
 *        cleanly again (bug: a crash in the second EVP_MD_fetch).
 *  env   every malloc made by libpmdb fails in turn (pmdb_faultinject.so,
 *        FAULT_CALLER=exe) through create, puts, refs, commit and gc;
 *        the parent then reopens the pool and checks it (bug: gc read
 *        its old view after a failed retire had freed it).
 *  full  every fallocate fails ENOSPC (a full disk under PMDK's growing
 *        poolset): the put that needs a new extent must fail with
 *        PMDB_ENOSPC, naming "No space left on device" and the pool.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <openssl/crypto.h>
#include "helpers.h"

#define CHILD_DONE 10   /* exit code: no failure was injected */
#define CHILD_OK 0      /* exit code: a failure was injected, handled */

static long child_n;        /* the allocation to fail */
static int child_persist;   /* fail it and every later one */
static long child_calls;    /* allocations seen so far */
static int child_injected;  /* a failure was injected */

/* fail_now -- count one allocation; 1 if it must fail. */
static int
fail_now(void)
{
	long c = ++child_calls;

	if (c == child_n || (child_persist && c > child_n)) {
		child_injected = 1;
		return 1;
	}
	return 0;
}

/* ossl_malloc -- OpenSSL's malloc with the Nth call failing. */
static void *
ossl_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fail_now() ? NULL : malloc(n);
}

/* ossl_realloc -- OpenSSL's realloc with the Nth call failing. */
static void *
ossl_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return fail_now() ? NULL : realloc(p, n);
}

/* ossl_free -- OpenSSL's free. */
static void
ossl_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* child_code -- check a libpmdb result in a child: 0 or a PMDB_E*. */
static void
child_code(const char *what, int rc)
{
	if (rc == 0 || (rc >= PMDB_ERROR && rc < PMDB_LAST_ERRCODE))
		return;
	fprintf(stderr, "child: %s returned %d (%s)\n", what, rc,
		pmdb_errdetail());
	exit(3);
}

/* child_hash -- scenario "hash" (file comment). */
static int
child_hash(void)
{
	static const char want[] = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_oid id;
	int rc;

	if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
		fprintf(stderr, "child: OpenSSL allocated before main\n");
		return 4;
	}
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = pmdb_hash_object(&id, PMDB_HASH_SHA1, PMDB_OBJ_BLOB,
				      "", 0);
		child_code("pmdb_hash_object", rc);
		if (rc == 0) {
			pmdb_oid_fmt(hex, &id, PMDB_HASH_SHA1);
			if (strcmp(hex, want)) {
				fprintf(stderr, "child: wrong id %s\n", hex);
				return 5;
			}
			rc = pmdb_hash_object(&id, PMDB_HASH_SHA256,
					      PMDB_OBJ_BLOB, "", 0);
			child_code("pmdb_hash_object(SHA256)", rc);
		}
		if (rc && !strstr(pmdb_errdetail(), "OpenSSL")) {
			fprintf(stderr, "child: detail '%s'\n",
				pmdb_errdetail());
			return 6;
		}
	}
	return child_injected ? CHILD_OK : CHILD_DONE;
}

/* keep_odd -- gc callback: keep objects whose first id byte is odd, and
 * every commit (so that refs stay valid). */
static int
keep_odd(const pmdb_oid *oid, pmdb_otype type, void *ctx)
{
	(void)ctx;
	return type == PMDB_OBJ_COMMIT || (oid->id[0] & 1);
}

/* child_env -- scenario "env": create, 3 txns, gc; stop at the first
 * failure of each step but go on with the next (the env must stay
 * usable, or say PMDB_EPANIC). */
static int
child_env(const char *dir)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	pmdb_env *env = NULL;
	char buf[64];
	int rc;

	o.flags = PMDB_CREATE;
	o.max_size = 8ULL << 30;
	rc = pmdb_env_open(&env, dir, &o);
	child_code("pmdb_env_open", rc);
	if (rc)
		return CHILD_OK;
	for (int t = 0; t < 3; t++) {
		pmdb_txn *txn = NULL;
		pmdb_oid id, c;

		rc = pmdb_txn_begin(env, &txn);
		child_code("pmdb_txn_begin", rc);
		if (rc)
			continue;
		for (int i = 0; i < 40 && !rc; i++) {
			snprintf(buf, sizeof(buf), "object %d of txn %d", i, t);
			rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, buf,
					  strlen(buf), &id);
			child_code("pmdb_txn_put", rc);
		}
		snprintf(buf, sizeof(buf), "commit %d", t);
		if (!rc)
			child_code("pmdb_txn_put", rc = pmdb_txn_put(
				txn, PMDB_OBJ_COMMIT, buf, strlen(buf), &c));
		snprintf(buf, sizeof(buf), "refs/heads/b%d", t);
		if (!rc)
			child_code("pmdb_txn_ref_set", rc = pmdb_txn_ref_set(
				txn, buf, &c, NULL));
		if (rc) {
			pmdb_txn_abort(txn);
			continue;
		}
		child_code("pmdb_txn_commit", pmdb_txn_commit(txn));
	}
	child_code("pmdb_env_gc", pmdb_env_gc(env, keep_odd, NULL, NULL));
	child_code("pmdb_env_check", pmdb_env_check(env, 0, NULL, NULL,
						    NULL));
	pmdb_env_close(env);
	return CHILD_OK;
}

/* child_full -- scenario "full": puts of 1 MiB until the pool needs a
 * part it cannot get; the failure must name the cause and the pool. */
static int
child_full(const char *dir)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	pmdb_env *env = NULL;
	size_t len = 1 << 20;
	char *data = malloc(len), want[4200];
	int rc = 0;

	o.max_size = 8ULL << 30;
	if (pmdb_env_open(&env, dir, &o)) {
		fprintf(stderr, "child: open: %s\n", pmdb_errdetail());
		return 4;
	}
	for (int i = 0; i < 200 && !rc; i++) {
		pmdb_txn *txn = NULL;
		pmdb_oid id;

		memset(data, 0, len);
		for (size_t k = 0; k < len; k += 8)   /* incompressible */
			memcpy(data + k, &(uint64_t){ k * 0x9e3779b97f4a7c15ULL
						     ^ (uint64_t)i }, 8);
		if ((rc = pmdb_txn_begin(env, &txn)))
			break;
		rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, data, len, &id);
		if (rc)
			pmdb_txn_abort(txn);
		else
			rc = pmdb_txn_commit(txn);
	}
	fprintf(stderr, "child: %d (%s): %s\n", rc, pmdb_strerror(rc),
		pmdb_errdetail());
	snprintf(want, sizeof(want), "pool '%s/pool.set'", dir);
	if (rc != PMDB_ENOSPC ||
	    !strstr(pmdb_errdetail(), "No space left on device") ||
	    !strstr(pmdb_errdetail(), want))
		return 5;
	pmdb_env_close(env);
	free(data);
	return CHILD_OK;
}

/* run_child -- run scenario at N in a fresh process under env (NULL
 * terminated "K=V" strings added); return its exit code, failing the
 * test on a signal. */
static int
run_child(const char *scenario, const char *dir, long n, int persist,
	  const char *const *env)
{
	char ns[32], ps[8];
	int status;
	pid_t pid;

	snprintf(ns, sizeof(ns), "%ld", n);
	snprintf(ps, sizeof(ps), "%d", persist);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (; env && *env; env++)
			putenv((char *)*env);
		execl("/proc/self/exe", "test_fault", "--child", scenario,
		      ns, ps, dir, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status)) {
		fprintf(stderr, "%s: N=%ld%s: killed by signal %d\n", scenario,
			n, persist ? " and later" : "", WTERMSIG(status));
		fail();
	}
	return WEXITSTATUS(status);
}

static char fault_link[64];

static void
fault_link_remove(void)
{
	unlink(fault_link);
}

/* preload_name -- LIB as LD_PRELOAD can name it: ld.so splits the list
 * at spaces and colons, so a library whose path holds one (a build in
 * "p q/") is named through a symbolic link in /tmp, removed at exit. */
static const char *
preload_name(const char *lib)
{
	if (!strpbrk(lib, " :"))
		return lib;
	if (!fault_link[0]) {
		snprintf(fault_link, sizeof(fault_link),
			 "/tmp/pmdb-test-faultinject.%d.so", (int)getpid());
		unlink(fault_link);
		if (symlink(lib, fault_link) != 0) {
			perror(fault_link);
			abort();
		}
		atexit(fault_link_remove);
	}
	return fault_link;
}

/* fault_env -- the variables that make pmdb_faultinject.so fail FUNC at
 * N (counted in $count, see injected()); NULL without the library. */
static const char *const *
fault_env(char (*vars)[4200], const char *func, long n, int persist,
	  const char *count)
{
	static const char *env[9];
	const char *lib = getenv("FAULTINJECT");

	if (!lib || !*lib)
		return NULL;
	snprintf(vars[0], 4200, "LD_PRELOAD=%s", preload_name(lib));
	snprintf(vars[1], 4200, "FAULT_FUNC=%s", func);
	snprintf(vars[2], 4200, "FAULT_AT=%ld", n);
	snprintf(vars[3], 4200, "FAULT_PERSIST=%d", persist);
	snprintf(vars[4], 4200, "FAULT_CALLER=%s",
		 strcmp(func, "malloc") ? "" : "exe");
	snprintf(vars[5], 4200, "ASAN_OPTIONS=verify_asan_link_order=0:%s",
		 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "");
	snprintf(vars[6], 4200, "FAULT_COUNT_FILE=%s", count);
	for (int i = 0; i < 7; i++)
		env[i] = vars[i];
	env[7] = NULL;
	return env;
}

/* injected -- the failures pmdb_faultinject.so injected, from its
 * count file ("<calls> <injected>"; -1 when missing). */
static long
injected(const char *count)
{
	FILE *f = fopen(count, "r");
	long calls = 0, inj = -1;

	if (f) {
		if (fscanf(f, "%ld %ld", &calls, &inj) != 2)
			inj = -1;
		fclose(f);
	}
	unlink(count);
	return inj;
}

/* long_run -- PMDB_FAULT_LONG=1: try every point (docs/testing.md). */
static int
long_run(void)
{
	const char *l = getenv("PMDB_FAULT_LONG");

	return l && !strcmp(l, "1");
}

/* test_fault__hash_oom -- OpenSSL out of memory while pmdb sets up its
 * digests: clean error, never a crash; a retry works or fails cleanly. */
static void
test_fault__hash_oom(void **state)
{
	long n, points = 0;
	int rc;

	(void)state;
	for (int persist = 0; persist <= 1; persist++) {
		/* OpenSSL's start-up makes ~5,000 allocations: every one
		 * of the first 100, then every 3rd (every 7th for "N and
		 * later"), unless PMDB_FAULT_LONG=1 */
		for (n = 1; n < 100000; n += n < 100 || long_run() ? 1 :
		     persist ? 7 : 3) {
			rc = run_child("hash", "-", n, persist, NULL);
			if (rc == CHILD_DONE)
				break;
			points++;
			if (rc != CHILD_OK)
				fprintf(stderr, "hash: N=%ld%s: exit %d\n", n,
					persist ? " and later" : "", rc);
			assert_int_equal(rc, CHILD_OK);
		}
		assert_true(n > 1); /* the setup allocates at all */
	}
	fprintf(stderr, "hash: %ld failure points, all clean\n", points);
}

/* test_fault__env_oom -- every malloc of libpmdb fails in turn through
 * create, commit and gc; after each run the pool opens and checks. */
static void
test_fault__env_oom(void **state)
{
	char vars[7][4200], count[4200];
	long n, points = 0, inj;
	int rc;

	(void)state;
	snprintf(count, sizeof(count), "/tmp/pmdb-test-fault.%d", getpid());
	if (!fault_env(vars, "malloc", 0, 0, count))
		skip();
	for (int persist = 0; persist <= 1; persist++) {
		for (n = 1; n < 100000; n++) {
			char *dir = test_tmpdir("fault");
			pmdb_env *env = NULL;
			uint64_t nprob = 1;

			rc = run_child("env", dir, n, persist,
				       fault_env(vars, "malloc", n, persist,
						 count));
			inj = injected(count);
			if (rc != CHILD_OK)
				fprintf(stderr, "env: N=%ld%s: exit %d\n", n,
					persist ? " and later" : "", rc);
			assert_int_equal(rc, CHILD_OK);
			assert_true(inj >= 0);
			/* what is left opens (or was never made) and
			 * passes the check */
			if (pmdb_env_open(&env, dir, NULL) == 0) {
				assert_int_equal(pmdb_env_check(env, 0, NULL,
							NULL, &nprob), 0);
				assert_int_equal(nprob, 0);
				pmdb_env_close(env);
			}
			test_rmtree(dir);
			if (inj == 0)
				break;
			points++;
		}
	}
	fprintf(stderr, "env: %ld failure points, all clean\n", points);
}

/* test_fault__full_disk -- a pool that cannot add a part says why
 * (ENOSPC, "No space left on device") and names its set file. */
static void
test_fault__full_disk(void **state)
{
	char vars[7][4200];
	char *dir = NULL;
	const char *const *env = fault_env(vars, "fallocate", 1, 1,
					   "/dev/null");
	int rc;

	(void)state;
	if (!env)
		skip();
	/* the pool exists (its first part too) before the disk fills */
	pmdb_env_close(open_new(&dir, "full", PMDB_HASH_SHA1));
	rc = run_child("full", dir, 1, 1, env);
	test_rmtree(dir);
	assert_int_equal(rc, CHILD_OK);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault__hash_oom),
		cmocka_unit_test(test_fault__env_oom),
		cmocka_unit_test(test_fault__full_disk),
	};

	if (argc == 6 && !strcmp(argv[1], "--child")) {
		int persist = atoi(argv[4]);

		child_n = atol(argv[3]);
		child_persist = persist;
		if (!strcmp(argv[2], "hash"))
			return child_hash();
		if (!strcmp(argv[2], "env"))
			return child_env(argv[5]);
		if (!strcmp(argv[2], "full"))
			return child_full(argv[5]);
		return 2;
	}
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
