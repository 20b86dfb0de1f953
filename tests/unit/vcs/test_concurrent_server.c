/*
 * test_concurrent_server.c -- the pmvcs server loop run in this process,
 * driven by client threads at once: readers (stdin in, answers out)
 * beside writers, repo borrowed by every command, clean stop. Named
 * "concurrent" so CI runs it under ThreadSanitizer.
 *
 * The server, client and util sources of tools/pmvcs are compiled in
 * here; the command table is this file's (pmvcs_cmd_find below).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "vcstest.h"
#include "../../../tools/pmvcs/cmd.h"
#include "../../../tools/pmvcs/util.c"
#include "../../../tools/pmvcs/parse_options.c"
#include "../../../tools/pmvcs/client.c"
#include "../../../tools/pmvcs/request.c"
#include "../../../tools/pmvcs/server.c"

#define NREADERS 8
#define NWRITERS 2
#define ROUNDS 10

/* t_read -- for each ref name on stdin print "<name> <content>" of the
 * blob it names, or "<name> missing" */
static int
t_read(pmvcs_ctx *ctx)
{
	vcs_repo *repo = pmvcs_open_repo(ctx);
	char line[256];

	if (!repo)
		return PMVCS_EXIT_FATAL;
	while (fgets(line, sizeof(line), ctx->in)) {
		pmdb_oid oid;
		pmdb_buf b = PMDB_BUF_INIT;
		pmdb_otype type;

		line[strcspn(line, "\n")] = '\0';
		if (pmdb_ref_resolve(repo->env, line, &oid, NULL)) {
			fprintf(ctx->out, "%s missing\n", line);
			continue;
		}
		if (pmdb_object_read(repo->env, &oid, &type, &b)) {
			fprintf(ctx->out, "%s unreadable\n", line);
			continue;
		}
		fprintf(ctx->out, "%s %.*s\n", line, (int)b.len, (char *)b.data);
		pmdb_buf_free(&b);
	}
	vcs_repo_free(repo);   /* borrowed: a no-op */
	return 0;
}

/* t_write -- put blob "v<argv[1]>" and point refs/tags/<argv[1]> at it */
static int
t_write(pmvcs_ctx *ctx)
{
	vcs_repo *repo = pmvcs_open_repo(ctx);
	pmdb_txn *txn = NULL;
	pmdb_oid oid;
	char data[64], ref[64];
	int rc;

	if (!repo || ctx->argc != 2)
		return PMVCS_EXIT_FATAL;
	snprintf(data, sizeof(data), "v%s", ctx->argv[1]);
	snprintf(ref, sizeof(ref), "refs/tags/%s", ctx->argv[1]);
	rc = pmdb_txn_begin(repo->env, &txn);
	if (!rc)
		rc = pmdb_txn_put(txn, PMDB_OBJ_BLOB, data, strlen(data), &oid);
	if (!rc)
		rc = pmdb_txn_ref_set(txn, ref, &oid, NULL);
	if (!rc)
		rc = pmdb_txn_commit(txn);
	else
		pmdb_txn_abort(txn);
	fprintf(ctx->err, "wrote %s\n", ref);
	vcs_repo_free(repo);
	return rc ? PMVCS_EXIT_FATAL : 0;
}

static const pmvcs_cmd_def test_cmds[] = {
	{ "log", t_read, "reader (the server runs log in parallel)" },
	{ "commit", t_write, "writer (the server serialises commit)" },
};

/* pmvcs_cmd_find -- this test's command table */
const pmvcs_cmd_def *
pmvcs_cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof(test_cmds) / sizeof(test_cmds[0]); i++)
		if (!strcmp(test_cmds[i].name, name))
			return &test_cmds[i];
	return NULL;
}

/* pmvcs_unknown_command -- main.c's, which this test does not link */
int
pmvcs_unknown_command(int fd, const char *cmd)
{
	dprintf(fd, "pmvcs: '%s' is not a pmvcs command.\n", cmd);
	return 1;
}

static char sock[4200];
static char wt[4096];   /* the repository's work tree: requests' cwd */

/* call -- run argv through the server with input in; output into out */
static int
call(int argc, char **argv, const char *in, char *out, size_t outsz)
{
	int pin[2], pout[2], perr[2], rc = -1, sp = 0;
	char *envp[] = { "TZ=UTC", NULL };

	if (pipe(pin) || pipe(pout) || pipe(perr))
		return -1;
	if (write(pin[1], in, strlen(in)) != (ssize_t)strlen(in))
		return -1;
	close(pin[1]);
	int fds[3] = { pin[0], pout[1], perr[1] };
	int r = pmvcs_client_call(sock, PMVCS_REQ_RUN, argc, argv, wt, envp,
				  fds, &rc, &sp, NULL);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	ssize_t n = read(pout[0], out, outsz - 1);   /* small: fits the pipe */
	out[n > 0 ? n : 0] = '\0';
	close(pout[0]);
	close(perr[0]);
	return r ? -100 + r : rc;
}

/* reader -- ask ROUNDS times for t0 (always there) and w* (maybe) */
static void *
reader_thread(void *arg)
{
	char out[4096];
	char *argv[] = { "log", NULL };
	long bad = 0;

	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		int rc = call(1, argv, "refs/tags/t0\nrefs/tags/w0-3\nnope\n",
			      out, sizeof(out));
		if (rc != 0 || strncmp(out, "refs/tags/t0 vt0\n", 17) ||
		    (!strstr(out, "refs/tags/w0-3 vw0-3\n") &&
		     !strstr(out, "refs/tags/w0-3 missing\n")) ||
		    !strstr(out, "nope missing\n"))
			bad++;
	}
	return (void *)bad;
}

/* writer -- ROUNDS commits of its own refs */
static void *
writer_thread(void *arg)
{
	long id = (long)arg, bad = 0;
	char out[256], name[32];
	char *argv[] = { "commit", name, NULL };

	for (int i = 0; i < ROUNDS; i++) {
		snprintf(name, sizeof(name), "w%ld-%d", id, i);
		if (call(2, argv, "", out, sizeof(out)) != 0)
			bad++;
	}
	return (void *)bad;
}

/* serve -- the server's thread: loop, then close (answers "stop") */
static void *
serve(void *arg)
{
	pmvcs_server_run(arg);
	pmvcs_server_free(arg);
	return NULL;
}

/* test_concurrent_server__readers_beside_writers -- all answers right */
static void
test_concurrent_server__readers_beside_writers(void **state)
{
	char *dir = test_tmpdir("srv");
	vcs_repo *repo = NULL;
	pmvcs_server *srv = NULL;
	pthread_t st, t[NREADERS + NWRITERS];
	char out[4096];
	char *argv0[] = { "commit", "t0", NULL };
	int rc, sp;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	rc = vcs_repo_init(&repo, dir, PMDB_HASH_SHA1, NULL, NULL);
	if (rc)
		print_error("init: %s\n", vcs_errmsg());
	assert_int_equal(rc, 0);
	snprintf(sock, sizeof(sock), "%s/server.sock", repo->dotdir);
	snprintf(wt, sizeof(wt), "%s", repo->worktree);
	assert_int_equal(pmvcs_server_new(&srv, repo, sock, 0, stderr), 0);
	assert_int_equal(pthread_create(&st, NULL, serve, srv), 0);
	assert_int_equal(call(2, argv0, "", out, sizeof(out)), 0);
	for (long i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader_thread, NULL), 0);
	for (long i = 0; i < NWRITERS; i++)
		assert_int_equal(pthread_create(&t[NREADERS + i], NULL, writer_thread,
						(void *)i), 0);
	for (int i = 0; i < NREADERS + NWRITERS; i++) {
		void *bad;
		pthread_join(t[i], &bad);
		assert_int_equal((long)bad, 0);
	}
	/* every write landed */
	char *argv[] = { "log", NULL };
	assert_int_equal(call(1, argv, "refs/tags/w1-9\n", out, sizeof(out)), 0);
	assert_string_equal(out, "refs/tags/w1-9 vw1-9\n");
	/* unknown command: not run; git's answer and exit code (1) */
	char *argv2[] = { "gc", NULL };
	assert_int_equal(call(1, argv2, "", out, sizeof(out)), 1);
	/* stop: answered once the pool is closed */
	int fds[3] = { 0, 1, 2 };
	assert_int_equal(pmvcs_client_call(sock, PMVCS_REQ_STOP, 0, NULL, "/",
					   NULL, fds, &rc, &sp, NULL), 0);
	pthread_join(st, NULL);
	assert_int_equal(access(sock, F_OK), -1);
	assert_int_equal(vcs_repo_open(&repo, dir, NULL), 0);   /* released */
	vcs_repo_free(repo);
	test_rmtree(dir);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_concurrent_server__readers_beside_writers),
};

PMDB_TEST_MAIN(tests)
