/*
 * vcstest.h -- helpers for libpmvcs's unit tests: running real git to
 * get reference ids, and small conveniences.
 */
#ifndef VCSTEST_H
#define VCSTEST_H

#include "testutil.h"
#include "vcs.h"

/* sh_out -- run a shell command, keep its stdout's first line (no '\n')
 * in out; returns the exit status (0 on success) */
static inline int
sh_out(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int
sh_out(char *out, size_t n, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	FILE *f;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out && n) {
		out[0] = '\0';
		if (fgets(out, (int)n, f))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(f) != EOF)
		;
	rc = pclose(f);
	return rc;
}

/* git_repo -- a new git repository of the given format; free with
 * test_rmtree() */
static inline char *
git_repo(pmdb_hash_algo algo)
{
	char *dir = test_tmpdir("git");

	assert_int_equal(sh_out(NULL, 0, "git init -q --object-format=%s '%s'",
				pmdb_hash_name(algo), dir), 0);
	return dir;
}

/* hex_of -- id as hex in a caller buffer */
static inline const char *
hex_of(char *buf, const pmdb_oid *oid, pmdb_hash_algo algo)
{
	return pmdb_oid_fmt(buf, oid, algo);
}

/* oid_from -- parse a full hex id, failing the test if bad */
static inline pmdb_oid
oid_from(const char *hex, pmdb_hash_algo algo)
{
	pmdb_oid o;

	assert_int_equal(pmdb_oid_parse(&o, hex, strlen(hex), algo), 0);
	return o;
}

#define GIT_ENV "GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent " \
	"GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com " \
	"GIT_AUTHOR_DATE='1112911993 +0200' " \
	"GIT_COMMITTER_NAME='C O Mitter' " \
	"GIT_COMMITTER_EMAIL=committer@example.com " \
	"GIT_COMMITTER_DATE='1112912053 -0130' "
#define TEST_AUTHOR "A U Thor <author@example.com> 1112911993 +0200"
#define TEST_COMMITTER "C O Mitter <committer@example.com> 1112912053 -0130"

#endif
