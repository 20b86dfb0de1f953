/*
 * test_tree_editor.c -- mutable trees: ids against git write-tree, editing
 * semantics, lazy loading and no-op writes.
 */
#include "vcstest.h"

typedef struct file {
	uint32_t mode;
	const char *path;
	const char *content;
} file;

static const file files[] = {
	{ VCS_MODE_BLOB, "README", "readme\n" },
	{ VCS_MODE_BLOB, "src/main.c", "int main;\n" },
	{ VCS_MODE_EXEC, "src/lib/build.sh", "#!/bin/sh\n" },
	{ VCS_MODE_LINK, "src/lib/link", "build.sh" },
	{ VCS_MODE_BLOB, "src/lib.c", "lib\n" },
	{ VCS_MODE_BLOB, "src-x", "x\n" },
	{ VCS_MODE_BLOB, "a/b/c/d/deep", "deep\n" },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* put_blob -- store content, return its id */
static pmdb_oid
put_blob(pmdb_txn *txn, const char *content)
{
	pmdb_oid o;

	assert_int_equal(pmdb_txn_put(txn, PMDB_OBJ_BLOB, content,
				      strlen(content), &o), 0);
	return o;
}

/* git_tree -- git write-tree of the first n files, in a git repo of the
 * same format (the reference id) */
static void
git_tree(char *out, pmdb_hash_algo algo, const file *f, size_t n)
{
	char *repo = git_repo(algo);
	char blob[100];

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sh_out(blob, sizeof(blob), "printf '%%s' '%s' | "
					"git -C '%s' hash-object -w --stdin",
					f[i].content, repo), 0);
		assert_int_equal(sh_out(NULL, 0, "git -C '%s' update-index --add "
					"--cacheinfo %o,%s,'%s'", repo,
					(unsigned)f[i].mode, blob, f[i].path), 0);
	}
	assert_int_equal(sh_out(out, 100, "git -C '%s' write-tree", repo), 0);
	test_rmtree(repo);
}

/* new_repo -- an empty pmvcs repository */
static vcs_repo *
new_repo(pmdb_hash_algo algo, char **dir)
{
	vcs_repo *r;

	*dir = test_tmpdir("tree-editor");
	assert_int_equal(vcs_repo_init(&r, *dir, algo, NULL, NULL), 0);
	return r;
}

/* set_files -- set the first n files into t */
static void
set_files(vcs_tree_editor *t, pmdb_txn *txn, const file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pmdb_oid o = put_blob(txn, f[i].content);

		assert_int_equal(vcs_tree_editor_set(t, f[i].path, strlen(f[i].path),
					       f[i].mode, &o), 0);
	}
}

/* test_vcs_tree_editor_write_matches_git -- nested dirs, all modes, both
 * formats: root and subtree ids equal git's */
static void
test_vcs_tree_editor_write_matches_git(void **state)
{
	static const pmdb_hash_algo algos[] = { PMDB_HASH_SHA1, PMDB_HASH_SHA256 };

	for (size_t a = 0; a < 2; a++) {
		char *dir, want[100], got[100];
		vcs_repo *r = new_repo(algos[a], &dir);
		vcs_tree_editor *t;
		pmdb_txn *txn;
		pmdb_oid root, o;
		uint32_t mode;

		assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
		assert_int_equal(vcs_tree_editor_new(&t, r, txn, NULL), 0);
		set_files(t, txn, files, NFILES);
		assert_int_equal(vcs_tree_editor_write(t, txn, &root), 0);
		git_tree(want, algos[a], files, NFILES);
		assert_string_equal(vcs_oid_hex(r, &root, got), want);

		assert_int_equal(vcs_tree_editor_get(t, "", 0, &mode, &o), 0);
		assert_int_equal(mode, VCS_MODE_TREE);
		assert_memory_equal(&o, &root, sizeof(o));
		assert_int_equal(vcs_tree_editor_get(t, "src/lib/link", 12, &mode, &o), 0);
		assert_int_equal(mode, VCS_MODE_LINK);
		assert_int_equal(vcs_tree_editor_get(t, "src/nope", 8, &mode, &o),
				 PMDB_ENOTFOUND);
		assert_int_equal(vcs_tree_editor_get(t, "README/x", 8, &mode, &o),
				 PMDB_ENOTFOUND);
		assert_int_equal(pmdb_txn_commit(txn), 0);
		vcs_tree_editor_free(t);
		vcs_repo_free(r);
		test_rmtree(dir);
	}
}

/* test_vcs_tree_editor_edit_semantics -- file replaced by dir and back,
 * removing the last entry removes the dir, bad paths */
static void
test_vcs_tree_editor_edit_semantics(void **state)
{
	static const file final[] = {
		{ VCS_MODE_BLOB, "README", "readme\n" },
		{ VCS_MODE_BLOB, "src/main.c", "int main;\n" },
		{ VCS_MODE_BLOB, "src/lib.c", "lib\n" },
		{ VCS_MODE_BLOB, "src-x/inner", "x\n" },
		{ VCS_MODE_BLOB, "a", "deep\n" },
	};
	char *dir, want[100], got[100];
	vcs_repo *r = new_repo(PMDB_HASH_SHA1, &dir);
	pmdb_oid root, o, x;
	vcs_tree_editor *t;
	pmdb_txn *txn;
	uint32_t mode;

	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	assert_int_equal(vcs_tree_editor_new(&t, r, txn, NULL), 0);
	set_files(t, txn, files, NFILES);
	x = put_blob(txn, "x\n");
	/* a file in the way becomes a directory */
	assert_int_equal(vcs_tree_editor_set(t, "src-x/inner", 11, VCS_MODE_BLOB, &x), 0);
	assert_int_equal(vcs_tree_editor_get(t, "src-x", 5, &mode, &o), 0);
	assert_int_equal(mode, VCS_MODE_TREE);
	/* removing the last files of src/lib removes the directory */
	assert_int_equal(vcs_tree_editor_remove(t, "src/lib/build.sh", 16), 0);
	assert_int_equal(vcs_tree_editor_remove(t, "src/lib/link", 12), 0);
	assert_int_equal(vcs_tree_editor_get(t, "src/lib", 7, &mode, &o),
			 PMDB_ENOTFOUND);
	assert_int_equal(vcs_tree_editor_remove(t, "src/lib", 7), PMDB_ENOTFOUND);
	/* a directory replaced by a file */
	o = put_blob(txn, "deep\n");
	assert_int_equal(vcs_tree_editor_set(t, "a", 1, VCS_MODE_BLOB, &o), 0);
	/* an empty directory made and emptied vanishes */
	assert_int_equal(vcs_tree_editor_set(t, "e/f/g", 5, VCS_MODE_BLOB, &x), 0);
	assert_int_equal(vcs_tree_editor_remove(t, "e/f/g", 5), 0);
	assert_int_equal(vcs_tree_editor_get(t, "e", 1, &mode, &o), PMDB_ENOTFOUND);
	/* bad paths and modes */
	assert_int_equal(vcs_tree_editor_set(t, "/a", 2, VCS_MODE_BLOB, &x), PMDB_EINVAL);
	assert_int_equal(vcs_tree_editor_set(t, "a/", 2, VCS_MODE_BLOB, &x), PMDB_EINVAL);
	assert_int_equal(vcs_tree_editor_set(t, "a//b", 4, VCS_MODE_BLOB, &x), PMDB_EINVAL);
	assert_int_equal(vcs_tree_editor_set(t, "", 0, VCS_MODE_BLOB, &x), PMDB_EINVAL);
	assert_int_equal(vcs_tree_editor_set(t, "m", 1, 0100664, &x), PMDB_EINVAL);
	assert_int_equal(vcs_tree_editor_remove(t, "nope", 4), PMDB_ENOTFOUND);

	assert_int_equal(vcs_tree_editor_write(t, txn, &root), 0);
	git_tree(want, PMDB_HASH_SHA1, final, sizeof(final) / sizeof(final[0]));
	assert_string_equal(vcs_oid_hex(r, &root, got), want);

	/* deleteall: reset to empty, the empty tree */
	assert_int_equal(vcs_tree_editor_reset(t, NULL), 0);
	assert_int_equal(vcs_tree_editor_write(t, txn, &root), 0);
	assert_string_equal(vcs_oid_hex(r, &root, got),
			    "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
	assert_int_equal(pmdb_txn_commit(txn), 0);
	vcs_tree_editor_free(t);
	vcs_repo_free(r);
	test_rmtree(dir);
}

/* test_vcs_tree_editor_lazy_and_noop_write -- a tree loaded from the pool is
 * edited in place; a write with nothing changed touches no txn */
static void
test_vcs_tree_editor_lazy_and_noop_write(void **state)
{
	char *dir, want[100], got[100];
	vcs_repo *r = new_repo(PMDB_HASH_SHA1, &dir);
	/* never dereferenced if the write is a no-op, as it must be: any
	 * put or read through it would crash the test */
	pmdb_txn *poison = (pmdb_txn *)(uintptr_t)0x10;
	pmdb_oid root, root2, o;
	vcs_tree_editor *t;
	pmdb_txn *txn;
	uint32_t mode;

	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	assert_int_equal(vcs_tree_editor_new(&t, r, txn, NULL), 0);
	set_files(t, txn, files, NFILES);
	assert_int_equal(vcs_tree_editor_write(t, txn, &root), 0);
	assert_int_equal(vcs_tree_editor_write(t, poison, &root2), 0);
	assert_memory_equal(&root, &root2, sizeof(root));
	assert_int_equal(pmdb_txn_commit(txn), 0);
	vcs_tree_editor_free(t);

	/* reload from the pool: reads go to the env */
	assert_int_equal(vcs_tree_editor_new(&t, r, NULL, &root), 0);
	assert_int_equal(vcs_tree_editor_write(t, poison, &root2), 0);
	assert_memory_equal(&root, &root2, sizeof(root));
	assert_int_equal(vcs_tree_editor_get(t, "a/b/c/d/deep", 12, &mode, &o), 0);
	assert_int_equal(mode, VCS_MODE_BLOB);
	assert_int_equal(vcs_tree_editor_write(t, poison, &root2), 0);
	assert_memory_equal(&root, &root2, sizeof(root));

	/* one edit deep down; untouched subtrees keep their ids */
	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	vcs_tree_editor_set_txn(t, txn);
	o = put_blob(txn, "changed\n");
	assert_int_equal(vcs_tree_editor_set(t, "src/lib/build.sh", 16, VCS_MODE_EXEC,
				       &o), 0);
	assert_int_equal(vcs_tree_editor_write(t, txn, &root2), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	vcs_tree_editor_set_txn(t, NULL);
	file changed[NFILES];
	memcpy(changed, files, sizeof(files));
	changed[2].content = "changed\n";
	git_tree(want, PMDB_HASH_SHA1, changed, NFILES);
	assert_string_equal(vcs_oid_hex(r, &root2, got), want);

	/* reset to the old root: no write needed */
	assert_int_equal(vcs_tree_editor_reset(t, &root), 0);
	assert_int_equal(vcs_tree_editor_write(t, poison, &root2), 0);
	assert_memory_equal(&root, &root2, sizeof(root));
	vcs_tree_editor_free(t);
	vcs_repo_free(r);
	test_rmtree(dir);
}

/* test_vcs_tree_editor_many_paths -- 30,000 paths in shuffled order into a few
 * directories, then removal of half: fast, and equal to in-order */
static void
test_vcs_tree_editor_many_paths(void **state)
{
	enum { N = 30000 };
	char *dir;
	vcs_repo *r = new_repo(PMDB_HASH_SHA1, &dir);
	vcs_tree_editor *t1, *t2;
	pmdb_oid blob, a, b;
	pmdb_txn *txn;
	unsigned *perm = malloc(N * sizeof(*perm));
	char path[64];

	for (unsigned i = 0; i < N; i++)
		perm[i] = i;
	srand(7);
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1), tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	assert_int_equal(pmdb_txn_begin(r->env, &txn), 0);
	blob = put_blob(txn, "x");
	assert_int_equal(vcs_tree_editor_new(&t1, r, txn, NULL), 0);
	assert_int_equal(vcs_tree_editor_new(&t2, r, txn, NULL), 0);
	for (unsigned i = 0; i < N; i++) {
		int n1 = snprintf(path, sizeof(path), "d%u/f%06u", perm[i] % 3,
				  perm[i]);
		assert_int_equal(vcs_tree_editor_set(t1, path, (size_t)n1,
					       VCS_MODE_BLOB, &blob), 0);
		n1 = snprintf(path, sizeof(path), "d%u/f%06u", i % 3, i);
		assert_int_equal(vcs_tree_editor_set(t2, path, (size_t)n1,
					       VCS_MODE_BLOB, &blob), 0);
	}
	for (unsigned i = 0; i < N; i += 2) {
		int n1 = snprintf(path, sizeof(path), "d%u/f%06u", perm[i] % 3,
				  perm[i]);
		assert_int_equal(vcs_tree_editor_remove(t1, path, (size_t)n1), 0);
		assert_int_equal(vcs_tree_editor_remove(t2, path, (size_t)n1), 0);
	}
	assert_int_equal(vcs_tree_editor_write(t1, txn, &a), 0);
	assert_int_equal(vcs_tree_editor_write(t2, txn, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	pmdb_txn_abort(txn);
	vcs_tree_editor_free(t1);
	vcs_tree_editor_free(t2);
	free(perm);
	vcs_repo_free(r);
	test_rmtree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_tree_editor_write_matches_git),
	cmocka_unit_test(test_vcs_tree_editor_edit_semantics),
	cmocka_unit_test(test_vcs_tree_editor_lazy_and_noop_write),
	cmocka_unit_test(test_vcs_tree_editor_many_paths),
};

PMDB_TEST_MAIN(tests)
