/*
 * main.c -- pmvcs entry point: global options, then one command.
 *
 * The only place that touches process-wide state (environ, cwd, stdio,
 * exit): it packs them into a pmvcs_ctx so that commands stay callable
 * from a server thread. When the repository has a resident server
 * (.pmvcs/server.sock), the command is handed to it instead (client.c):
 * no pool open, no OpenSSL, just a connect; when it has none, the command
 * starts one (autostart.c) unless core.server is off, --no-server or
 * PMVCS_NO_SERVER=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

extern char **environ;

static const pmvcs_cmd_def commands[] = {
	{ "init", cmd_init, "Create an empty repository and its pool" },
	{ "commit", cmd_commit, "Record a snapshot of the whole working tree" },
	{ "log", cmd_log, "Show commit logs" },
	{ "rev-list", cmd_rev_list, "List commits (and objects) of a revision walk" },
	{ "show", cmd_show, "Show a commit (with its diff), tree, blob or tag" },
	{ "cat-file", cmd_cat_file, "Print an object's type, size or content" },
	{ "ls-tree", cmd_ls_tree, "List the contents of a tree" },
	{ "rev-parse", cmd_rev_parse, "Resolve revisions to object ids" },
	{ "show-ref", cmd_show_ref, "List refs and their ids" },
	{ "checkout", cmd_checkout, "Switch branches or restore a revision" },
	{ "branch", cmd_branch, "List, create or delete branches" },
	{ "tag", cmd_tag, "List, create or delete tags" },
	{ "diff", cmd_diff, "Show changes between revisions or the working tree" },
	{ "status", cmd_status, "Show the working tree's changes" },
	{ "fast-import", cmd_fast_import, "Import a git fast-import stream" },
	{ "fast-export", cmd_fast_export, "Write history as a fast-import stream" },
	{ "fsck", cmd_fsck, "Verify the pool, objects, index and refs" },
	{ "gc", cmd_gc, "Free unreachable objects and compact the pool" },
	{ "reflog", cmd_reflog, "Show, expire or delete reflog entries" },
	{ "stats", cmd_stats, "Object counts, bytes stored and pool space" },
	{ "server", cmd_server, "Start, stop or query the resident pool server" },
	{ "config", cmd_config, "Get and set git configuration options" },
	{ "check-ignore", cmd_check_ignore, "Debug gitignore / exclude files" },
	{ "reset", cmd_reset, "Move the current branch (and the files: --hard)" },
	{ "restore", cmd_restore, "Restore working tree files from a revision" },
	{ "merge-file", cmd_merge_file, "Run a three-way file merge" },
	{ "merge", cmd_merge, "Join two or more development histories together" },
	{ "merge-base", cmd_merge_base, "Find as good common ancestors as possible for a merge" },
	{ "remote", cmd_remote, "Manage the git remotes (git is the transport)" },
	{ "fetch", cmd_fetch, "Fetch a git remote's branches and tags" },
	{ "push", cmd_push, "Push refs to a git remote" },
	{ "clone", cmd_clone, "Clone a git repository into a new pmvcs one" },
};

/* pmvcs_cmd_find -- the command named name, or NULL */
const pmvcs_cmd_def *
pmvcs_cmd_find(const char *name)
{
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(commands[c].name, name))
			return &commands[c];
	return NULL;
}

/* served -- run cmd through the repository's server if one listens;
 * 1 with *rc set if it did, 0 to run in-process */
static int
served(const char *cwd, int argc, char **argv, int *rc)
{
	char sock[4096];
	int fds[3] = { 0, 1, 2 }, sigpipe;

	if (pmvcs_find_socket(cwd, sock, sizeof(sock)) != 1)
		return 0;
	for (int fd = 0; fd < 3; fd++)   /* closed stdio: pass /dev/null */
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 0;
	if (pmvcs_client_call(sock, PMVCS_REQ_RUN, argc, argv, cwd, environ,
			      fds, rc, &sigpipe, NULL) == 1)
		return 0;
	if (sigpipe) {   /* the command met a closed pipe: die as it would */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	return 1;
}

/* Unknown commands: git's help_unknown_cmd() (help.c). Candidates are
 * scored by a weighted Damerau-Levenshtein distance with git's weights
 * (a swap of two neighbours 0, a substitution 2, an insertion 1, a
 * deletion 3) plus one; a common command (git's "common" list) that
 * the typed word is a prefix of scores 0. The prefix matches and then
 * every candidate tied at the best other score are listed if that
 * score is below git's SIMILARITY_FLOOR (7). */
#define SIMILARITY_FLOOR 7

/* edit_distance -- the weighted distance from typed word a to b: the
 * cheapest edit script over three rolling rows (the swap needs the row
 * two back) */
static int
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *r0 = calloc(lb + 1, sizeof(int)), *r1 = calloc(lb + 1, sizeof(int));
	int *r2 = calloc(lb + 1, sizeof(int)), *t, d;

	if (!r0 || !r1 || !r2) {
		free(r0), free(r1), free(r2);
		return SIMILARITY_FLOOR * 100;
	}
	for (size_t j = 0; j <= lb; j++)
		r1[j] = (int)j * 1;                       /* insertions */
	for (size_t i = 0; i < la; i++) {
		r2[0] = (int)(i + 1) * 3;                 /* deletions */
		for (size_t j = 0; j < lb; j++) {
			int v = r1[j] + 2 * (a[i] != b[j]);
			if (i && j && a[i - 1] == b[j] && a[i] == b[j - 1] &&
			    v > r0[j - 1])
				v = r0[j - 1];
			if (v > r1[j + 1] + 3)
				v = r1[j + 1] + 3;
			if (v > r2[j] + 1)
				v = r2[j] + 1;
			r2[j + 1] = v;
		}
		t = r0, r0 = r1, r1 = r2, r2 = t;
	}
	d = r1[lb];
	free(r0), free(r1), free(r2);
	return d;
}

/* is_common -- in git's list of common commands (command-list.txt) */
static int
is_common(const char *name)
{
	static const char *const common[] = {
		"add", "bisect", "branch", "clone", "commit",
		"diff", "fetch", "grep", "init", "log", "merge", "mv", "pull",
		"push", "rebase", "reset", "restore", "rm", "show", "status",
		"switch", "tag",
	};

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (!strcmp(common[i], name))
			return 1;
	return 0;
}

typedef struct scored {
	const char *name;
	int score;
} scored;

static int
scored_cmp(const void *pa, const void *pb)
{
	const scored *a = pa, *b = pb;

	return a->score != b->score ? a->score - b->score :
		strcmp(a->name, b->name);
}

/* pmvcs_unknown_command -- see cmd.h */
int
pmvcs_unknown_command(int fd, const char *cmd)
{
	enum { N = sizeof(commands) / sizeof(commands[0]) };
	scored s[N];
	size_t n = 0;
	int best;

	for (size_t i = 0; i < N; i++) {
		s[i].name = commands[i].name;
		s[i].score = is_common(s[i].name) &&
			!strncmp(s[i].name, cmd, strlen(cmd)) ? 0 :
			edit_distance(cmd, s[i].name) + 1;
	}
	qsort(s, N, sizeof(s[0]), scored_cmp);
	while (n < N && !s[n].score)
		n++;
	if (n >= N) {
		best = SIMILARITY_FLOOR + 1;  /* a prefix of all: too vague */
	} else {
		/* git's quirk kept: the prefix matches, then all tied at
		 * the best remaining score */
		for (best = s[n++].score; n < N && s[n].score == best; n++)
			;
	}
	dprintf(fd, "pmvcs: '%s' is not a pmvcs command. See 'pmvcs --help'.\n",
		cmd);
	if (best < SIMILARITY_FLOOR) {
		dprintf(fd, n == 1 ? "\nThe most similar command is\n" :
			"\nThe most similar commands are\n");
		for (size_t i = 0; i < n; i++)
			dprintf(fd, "\t%s\n", s[i].name);
	}
	return PMVCS_EXIT_DIFF;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: pmvcs [-C <path>] [-c <name>=<value>] [--lock-timeout=<ms>]\n"
		   "             [--no-server] <command>\n"
		   "             [<args>]\n\n"
		   "A git-compatible history store on a persistent-memory pool.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "   %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'pmvcs <command> -h' for a command's options.\n"
		   "Environment: PMVCS_LOCK_TIMEOUT (ms to wait for a pool held by\n"
		   "another process, default 5000), GIT_AUTHOR_*/GIT_COMMITTER_*,\n"
		   "GIT_CONFIG_* (as git's), "
		   "PMVCS_NO_SERVER=1 (like --no-server: never use or start the\n"
		   "repository's server; core.server=off: never start one).\n");
}

int
main(int argc, char **argv)
{
	pmvcs_ctx ctx;
	char cwd[4096];
	int i = 1, rc;
	const char *ns = getenv("PMVCS_NO_SERVER");
	int no_server = ns && !strcmp(ns, "1");
	const pmvcs_cmd_def *cmd;

	memset(&ctx, 0, sizeof(ctx));
	ctx.envp = environ;
	ctx.in = stdin;
	ctx.out = stdout;
	ctx.err = stderr;
	ctx.in_fd = 0;
	ctx.out_fd = 1;
	ctx.err_fd = 2;
	ctx.out_is_tty = isatty(1);
	ctx.err_is_tty = isatty(2);
	ctx.lock_timeout_ms = 5000;
	const char *lt = getenv("PMVCS_LOCK_TIMEOUT");
	if (lt && *lt)
		ctx.lock_timeout_ms = (unsigned)strtoul(lt, NULL, 10);

	if (!getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "pmvcs: cannot read the current directory: %s\n",
			strerror(errno));
		return PMVCS_EXIT_FATAL;
	}

	/* Global options stay hand-parsed, not with parse_options: as in
	 * git (git.c's handle_options), they stop at the verb and take no
	 * prefixes or bundles, and front/front.c (libc only, no table)
	 * must find the same verb in the same argv to hand it to a server;
	 * one grammar that both can read. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("pmvcs version %d.%d (pool format %d)\n",
			       PMDB_VERSION_MAJOR, PMDB_VERSION_MINOR,
			       PMDB_FORMAT_VERSION);
			return 0;
		} else if (!strcmp(a, "-C") && i + 1 < argc) {
			if (chdir(argv[++i]) != 0 || !getcwd(cwd, sizeof(cwd))) {
				fprintf(stderr, "pmvcs: cannot change to '%s': %s\n",
					argv[i], strerror(errno));
				return PMVCS_EXIT_FATAL;
			}
		} else if (!strcmp(a, "-c") && i + 1 < argc) {
			/* git's way: into the environment, which the server
			 * gets with the command */
			if (pmvcs_config_push(argv[++i])) {
				fprintf(stderr, "pmvcs: -c: %s\n", strerror(errno));
				return PMVCS_EXIT_FATAL;
			}
		} else if (!strcmp(a, "--no-server")) {
			no_server = 1;
		} else if (!strncmp(a, "--lock-timeout=", 15)) {
			ctx.lock_timeout_ms = (unsigned)strtoul(a + 15, NULL, 10);
		} else {
			fprintf(stderr, "pmvcs: unknown option: %s\n", a);
			usage(stderr);
			return PMVCS_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return PMVCS_EXIT_USAGE;
	}
	ctx.envp = environ;     /* again: -c may have moved it */
	ctx.cwd = cwd;
	ctx.argc = argc - i;
	ctx.argv = argv + i;
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	if ((cmd = pmvcs_cmd_find(argv[i]))) {
		/* the server by default: a live one serves the command, else
		 * the first command starts one (autostart.c) and is served
		 * by it. init makes the repository and server manages it:
		 * never served; config (how the server is turned off) is
		 * served by a live server but starts none */
		int servable = !no_server && strcmp(argv[i], "init") &&
			       strcmp(argv[i], "server");
		if (servable && served(cwd, ctx.argc, ctx.argv, &rc))
			return rc;
		if (servable && strcmp(argv[i], "config") &&
		    pmvcs_autostart(&ctx) &&
		    served(cwd, ctx.argc, ctx.argv, &rc))
			return rc;
		rc = cmd->fn(&ctx);
		pmvcs_ctx_release(&ctx);
		if (fflush(stdout) != 0 && rc == 0) {
			fprintf(stderr, "pmvcs: write error on stdout: %s\n",
				strerror(errno));
			rc = PMVCS_EXIT_FATAL;
		}
		return rc;
	}
	return pmvcs_unknown_command(2, argv[i]);
}
