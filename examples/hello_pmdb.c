/*
 * hello_pmdb.c -- store a blob, point a branch at it, read it back.
 *
 * usage: example_hello_pmdb <dir>
 */
#include <stdio.h>
#include <string.h>
#include <pmdb.h>

/* fail -- print a pmdb error with its detail; return 1. */
static int
fail(const char *what, int rc)
{
	fprintf(stderr, "%s: %s (%s)\n", what, pmdb_strerror(rc),
		pmdb_errdetail());
	return 1;
}

/* main -- open or create the pool, commit one object and one ref. */
int
main(int argc, char **argv)
{
	pmdb_open_opts opts = PMDB_OPEN_OPTS_INIT;
	char hex[PMDB_OID_HEXMAX + 1];
	pmdb_buf buf = PMDB_BUF_INIT;
	const char *text = "hello\n";
	pmdb_env *env;
	pmdb_txn *txn;
	pmdb_oid oid;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	opts.flags = PMDB_CREATE;
	if ((rc = pmdb_env_open(&env, argv[1], &opts)))
		return fail("open", rc);
	if ((rc = pmdb_txn_begin(env, &txn)))
		return fail("begin", rc);
	if ((rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, text, strlen(text), &oid)) ||
	    (rc = pmdb_txn_ref_set(txn, "refs/heads/main", &oid,
				   PMDB_EXPECT_ANY)) ||
	    (rc = pmdb_txn_ref_set_symbolic(txn, "HEAD", "refs/heads/main"))) {
		pmdb_txn_abort(txn);
		return fail("put", rc);
	}
	if ((rc = pmdb_txn_commit(txn)))
		return fail("commit", rc);
	if ((rc = pmdb_ref_resolve(env, "HEAD", &oid, NULL)) ||
	    (rc = pmdb_object_read(env, &oid, NULL, &buf)))
		return fail("read", rc);
	printf("HEAD -> %s: %s", pmdb_oid_fmt(hex, &oid, pmdb_env_hash(env)),
	       (char *)buf.data);
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	return 0;
}
