/*
 * concurrent_reader.c -- a reader thread beside a writer, lock-free.
 *
 * The main thread commits N versions of one blob ("version K\n") and moves
 * refs/heads/main to each in its own transaction; a reader thread resolves
 * the ref and reads the object it names, as often as it can. pmdb's
 * readers never block and never see a torn state: every read gives a
 * complete version, and versions never go backwards (a ref is published
 * only after the object it names is durable and indexed).
 *
 * usage: example_concurrent_reader <dir> [N]     exit 0 when all held
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pmdb.h>

static pmdb_env *env;
static atomic_int done;
static long reads, last_seen = -1, bad;

/* reader -- resolve and read until the writer is done */
static void *
reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&done)) {
		pmdb_buf buf = PMDB_BUF_INIT;
		pmdb_oid oid;
		long k;

		if (pmdb_ref_resolve(env, "refs/heads/main", &oid, NULL))
			continue;          /* not created yet */
		if (pmdb_object_read(env, &oid, NULL, &buf) ||
		    sscanf((char *)buf.data, "version %ld\n", &k) != 1 ||
		    k < last_seen)
			bad++;
		else
			last_seen = k;
		reads++;
		pmdb_buf_free(&buf);
	}
	return NULL;
}

/* commit_version -- one txn: the blob of version k and the ref to it */
static int
commit_version(long k)
{
	char text[64];
	pmdb_txn *txn;
	pmdb_oid oid;
	int rc, n = snprintf(text, sizeof(text), "version %ld\n", k);

	if ((rc = pmdb_txn_begin(env, &txn)))
		return rc;
	if ((rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, text, (size_t)n, &oid)) ||
	    (rc = pmdb_txn_ref_set(txn, "refs/heads/main", &oid,
				   PMDB_EXPECT_ANY))) {
		pmdb_txn_abort(txn);
		return rc;
	}
	return pmdb_txn_commit(txn);
}

int
main(int argc, char **argv)
{
	pmdb_open_opts opts = PMDB_OPEN_OPTS_INIT;
	long n = argc > 2 ? atol(argv[2]) : 200;
	pthread_t t;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <dir> [N]\n", argv[0]);
		return 2;
	}
	opts.flags = PMDB_CREATE;
	if ((rc = pmdb_env_open(&env, argv[1], &opts))) {
		fprintf(stderr, "open: %s (%s)\n", pmdb_strerror(rc),
			pmdb_errdetail());
		return 1;
	}
	pthread_create(&t, NULL, reader, NULL);
	for (long k = 0; k < n && !rc; k++)
		rc = commit_version(k);
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	if (rc)
		fprintf(stderr, "commit: %s (%s)\n", pmdb_strerror(rc),
			pmdb_errdetail());
	printf("%ld commits, %ld reads, %ld bad, last read version %ld\n",
	       n, reads, bad, last_seen);
	pmdb_env_close(env);
	return rc || bad ? 1 : 0;
}
