/*
 * test_torn_part.c -- a kill during pool growth can leave the next part
 * file of the directory poolset created but not sized; PMDK then refuses
 * the pool ("size 0 smaller than 2097152"). Open must recover from it and
 * every committed object must still read. (Found by e2e.fi_kill under load.)
 */
#include <dirent.h>
#include "helpers.h"

/* next_part -- path of the part after the highest existing one. */
static void
next_part(const char *dir, char *out, size_t len)
{
	char pdir[4096];
	struct dirent *de;
	int max = -1;
	DIR *d;

	snprintf(pdir, sizeof(pdir), "%s/pool", dir);
	d = opendir(pdir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".pmem") && atoi(de->d_name) > max)
			max = atoi(de->d_name);
	closedir(d);
	assert_true(max >= 0);
	snprintf(out, len, "%s/%06d.pmem", pdir, max + 1);
}

/* torn -- leave a part of size bytes where the next one would go. */
static void
torn(size_t size)
{
	char *dir, part[4200];
	pmdb_env *env = open_new(&dir, "torn", PMDB_HASH_SHA1);
	pmdb_oid a = put_one(env, PMDB_OBJ_BLOB, "committed before the growth");
	pmdb_buf buf = PMDB_BUF_INIT;
	int fd;

	pmdb_env_close(env);
	next_part(dir, part, sizeof(part));
	fd = open(part, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	env = NULL;
	assert_int_equal(pmdb_env_open(&env, dir, NULL), 0);
	assert_int_equal(pmdb_object_read(env, &a, NULL, &buf), 0);
	assert_memory_equal(buf.data, "committed before the growth", buf.len);
	assert_int_equal(access(part, F_OK), -1);
	/* and the pool still grows and commits */
	put_one(env, PMDB_OBJ_BLOB, "after the repair");
	pmdb_buf_free(&buf);
	pmdb_env_close(env);
	test_rmtree(dir);
}

static void
test_pmdb__torn_part_empty(void **state)
{
	torn(0);
}

static void
test_pmdb__torn_part_short(void **state)
{
	torn(4096);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__torn_part_empty),
		cmocka_unit_test(test_pmdb__torn_part_short),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
