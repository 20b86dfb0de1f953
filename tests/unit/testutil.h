/*
 * testutil.h -- shared by the cmocka unit tests.
 *
 * PMDB_TEST_MAIN(tests) runs the group, or only the case named in argv[1]
 * (ctest registers each case on its own). test_tmpdir() makes a fresh
 * directory for a pool: under $PMDB_TEST_DIR, else /dev/shm (emulated
 * pmem when PMEM_IS_PMEM_FORCE=1), else /tmp.
 */
#ifndef PMDB_TESTUTIL_H
#define PMDB_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#define PMDB_TEST_MAIN(tests)                                              \
	int main(int argc, char **argv)                                    \
	{                                                                  \
		if (argc > 1)                                              \
			cmocka_set_test_filter(argv[1]);                   \
		return cmocka_run_group_tests(tests, NULL, NULL);          \
	}

/* Returns a malloc'd path of a new empty directory; rm -rf it with
 * test_rmtree(). */
static inline char *
test_tmpdir(const char *tag)
{
	const char *base = getenv("PMDB_TEST_DIR");
	char *path = malloc(4096);

	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(path, 4096, "%s/pmdb-test-%s-XXXXXX", base, tag);
	if (!mkdtemp(path)) {
		perror(path);
		abort();
	}
	return path;
}

static inline void
test_rmtree(char *path)
{
	char cmd[4200];

	if (!path)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
	free(path);
}

#endif
