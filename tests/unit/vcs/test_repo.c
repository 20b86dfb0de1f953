/*
 * test_repo.c -- creating and finding repositories, HEAD.
 */
#include <sys/stat.h>

#include "vcstest.h"

/* test_vcs_repo_init_open -- init, refuse re-init, find from a subdir,
 * unborn HEAD, and "not a repository" */
static void
test_vcs_repo_init_open(void **state)
{
	char *dir = test_tmpdir("repo");
	char sub[4200], other[4200];
	vcs_repo *r = NULL, *r2 = NULL;
	char *branch = NULL;
	pmdb_oid head;

	assert_int_equal(vcs_repo_init(&r, dir, PMDB_HASH_SHA256, NULL, NULL), 0);
	assert_int_equal(r->algo, PMDB_HASH_SHA256);
	assert_int_equal(r->hexlen, 64);
	assert_non_null(strstr(r->dotdir, "/.pmvcs"));
	assert_int_equal(vcs_head(r, &head, &branch), PMDB_ENOTFOUND);
	assert_string_equal(branch, "refs/heads/master");
	free(branch);
	vcs_repo_free(r);

	/* re-init is refused, naming the path */
	assert_int_equal(vcs_repo_init(&r, dir, PMDB_HASH_SHA1, "main", NULL),
			 PMDB_EEXISTS);
	assert_null(r);
	assert_non_null(strstr(vcs_errmsg(), ".pmvcs"));

	/* found from a nested directory, with its format */
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(sh_out(NULL, 0, "mkdir -p '%s'", sub), 0);
	assert_int_equal(vcs_repo_open(&r2, sub, NULL), 0);
	assert_int_equal(r2->algo, PMDB_HASH_SHA256);
	assert_non_null(strstr(r2->worktree, "pmdb-test-repo"));
	assert_null(strstr(r2->worktree, "/a/b"));
	/* the pool is held (here by this process): EBUSY, saying which */
	assert_int_equal(vcs_repo_open(&r, dir, NULL), PMDB_EBUSY);
	assert_null(r);
	assert_non_null(strstr(vcs_errmsg(), "/.pmvcs/pool.set': Resource "
			       "temporarily unavailable"));
	vcs_repo_free(r2);

	/* a directory outside any repository */
	snprintf(other, sizeof(other), "%s", dir);
	char *plain = test_tmpdir("norepo");
	assert_int_equal(vcs_repo_open(&r2, plain, NULL), PMDB_ENOTFOUND);
	assert_non_null(strstr(vcs_errmsg(), "not a pmvcs repository (or any "
			       "of the parent directories): "));
	assert_non_null(strstr(vcs_errmsg(), "pmdb-test-norepo"));
	test_rmtree(plain);

	/* a named initial branch, created in a missing directory */
	snprintf(sub, sizeof(sub), "%s/new/repo", dir);
	assert_int_equal(vcs_repo_init(&r, sub, PMDB_HASH_SHA1, "main", NULL), 0);
	assert_int_equal(vcs_head(r, NULL, &branch), PMDB_ENOTFOUND);
	assert_string_equal(branch, "refs/heads/main");
	free(branch);
	vcs_repo_free(r);
	test_rmtree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_repo_init_open),
};

PMDB_TEST_MAIN(tests)
