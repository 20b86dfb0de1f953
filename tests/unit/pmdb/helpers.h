/*
 * helpers.h -- shared by the pmdb unit tests.
 */
#ifndef PMDB_TEST_HELPERS_H
#define PMDB_TEST_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "testutil.h"
#include <pmdb.h>

/* open_new -- create a pool in a fresh test dir. */
static inline pmdb_env *
open_new(char **dir, const char *tag, pmdb_hash_algo algo)
{
	pmdb_open_opts o = PMDB_OPEN_OPTS_INIT;
	pmdb_env *env = NULL;

	*dir = test_tmpdir(tag);
	o.flags = PMDB_CREATE;
	o.hash = algo;
	/* 8 GiB of address space: ThreadSanitizer's shadow layout cannot
	 * always fit the default 1 TiB reservation */
	o.max_size = 8ULL << 30;
	if (pmdb_env_open(&env, *dir, &o))
		fprintf(stderr, "open_new: %s\n", pmdb_errdetail());
	assert_non_null(env);
	return env;
}

/* reopen -- close and open again. */
static inline pmdb_env *
reopen(pmdb_env *env, const char *dir)
{
	pmdb_env *n = NULL;
	int rc;

	pmdb_env_close(env);
	rc = pmdb_env_open(&n, dir, NULL);
	if (rc)
		fprintf(stderr, "reopen: %s\n", pmdb_errdetail());
	assert_int_equal(rc, 0);
	return n;
}

/* put_one -- put a NUL-terminated string as an object in its own txn. */
static inline pmdb_oid
put_one(pmdb_env *env, pmdb_otype t, const char *s)
{
	pmdb_txn *txn;
	pmdb_oid oid;

	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_put(txn, t, s, strlen(s), &oid), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	return oid;
}

/* part_file -- path of the first pool part file in dir/pool. */
static inline void
part_file(char *out, size_t n, const char *dir)
{
	char cmd[4200];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -1 '%s/pool' | head -1", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, (int)n, p));
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
	{
		char *tmp = malloc(strlen(dir) + strlen(out) + 8);

		sprintf(tmp, "%s/pool/%s", dir, out);
		snprintf(out, n, "%s", tmp);
		free(tmp);
	}
}

#endif
