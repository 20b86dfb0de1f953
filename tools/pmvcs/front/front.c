/*
 * front.c -- the `pmvcs` executable: a libc-only front end.
 *
 * Loading the full program costs ~1.7 ms before main() (libpmemobj,
 * libpmem, libndctl, libudev, libkmod, libcrypto... and their
 * constructors), more than a served command itself takes. So `pmvcs` is
 * this small program: when the repository has a resident server it hands
 * the command over (client.c) and exits with its code; otherwise it
 * execs `pmvcs-core` (the full program, same directory, or $PMVCS_CORE)
 * with the untouched argv, from the original working directory, which
 * then runs the command in-process. The core repeats the server check
 * (cheap) so it stays correct when run directly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"

extern char **environ;

/* core_path -- $PMVCS_CORE, else pmvcs-core beside /proc/self/exe */
static int
core_path(char *buf, size_t size)
{
	const char *env = getenv("PMVCS_CORE");
	ssize_t n;
	char *slash;

	if (env && *env)
		return snprintf(buf, size, "%s", env) < (int)size ? 0 : -1;
	n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	if (!(slash = strrchr(buf, '/')) ||
	    (size_t)(slash - buf) + sizeof("/pmvcs-core") > size)
		return -1;
	strcpy(slash, "/pmvcs-core");
	return 0;
}

/* run_core -- exec the full program from the original cwd; returns only
 * on failure (exit code 128 after a message naming the path) */
static int
run_core(int cwd_fd, char **argv)
{
	char core[PATH_MAX];

	if (cwd_fd >= 0 && fchdir(cwd_fd) != 0) {
		fprintf(stderr, "pmvcs: cannot return to the working directory: "
			"%s\n", strerror(errno));
		return PMVCS_EXIT_FATAL;
	}
	if (core_path(core, sizeof(core))) {
		fprintf(stderr, "pmvcs: cannot locate pmvcs-core (set "
			"PMVCS_CORE)\n");
		return PMVCS_EXIT_FATAL;
	}
	argv[0] = core;
	execv(core, argv);
	fprintf(stderr, "pmvcs: cannot run %s: %s\n", core, strerror(errno));
	return PMVCS_EXIT_FATAL;
}

int
main(int argc, char **argv)
{
	const char *ns = getenv("PMVCS_NO_SERVER");
	char cwd[PATH_MAX], sock[PATH_MAX + 32];
	int fds[3] = { 0, 1, 2 }, cwd_fd = -1, i, rc, sigpipe;

	if ((ns && !strcmp(ns, "1")) || argc < 2)
		return run_core(-1, argv);
	/* global options as main.c parses them (by hand: see there why);
	 * anything unusual goes to the core, which reports it. The
	 * command's own options are not read here: the server or the core
	 * parses them (parse_options.c) */
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			if (cwd_fd < 0 &&
			    (cwd_fd = open(".", O_PATH | O_DIRECTORY |
					   O_CLOEXEC)) < 0)
				return run_core(-1, argv);
			if (chdir(argv[++i]) != 0)
				return run_core(cwd_fd, argv);
		} else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			i++;    /* pushed below, only when the server runs it */
		} else if (strncmp(argv[i], "--lock-timeout=", 15)) {
			return run_core(cwd_fd, argv);   /* --no-server, -h... */
		}
	}
	if (i >= argc || !strcmp(argv[i], "init") ||
	    !strcmp(argv[i], "server") || !getcwd(cwd, sizeof(cwd)) ||
	    pmvcs_find_socket(cwd, sock, sizeof(sock)) != 1)
		return run_core(cwd_fd, argv);
	for (int fd = 0; fd < 3; fd++)   /* closed stdio: pass /dev/null */
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return run_core(cwd_fd, argv);
	/* -c goes into the environment as git puts it (cfgparam.c); the
	 * core, if it runs after all, does that itself from its argv */
	const char *old = getenv("GIT_CONFIG_PARAMETERS");
	char *saved = old ? strdup(old) : NULL;

	if (old && !saved)
		return run_core(cwd_fd, argv);
	for (int k = 1; k < i; k++) {
		if (!strcmp(argv[k], "-C"))
			k++;
		else if (!strcmp(argv[k], "-c") && pmvcs_config_push(argv[++k]))
			return run_core(cwd_fd, argv);
	}
	if (pmvcs_client_call(sock, PMVCS_REQ_RUN, argc - i, argv + i, cwd,
			      environ, fds, &rc, &sigpipe, NULL) == 1) {
		if (saved ? setenv("GIT_CONFIG_PARAMETERS", saved, 1) :
		    unsetenv("GIT_CONFIG_PARAMETERS"))
			return PMVCS_EXIT_FATAL;
		return run_core(cwd_fd, argv);   /* no server after all */
	}
	free(saved);
	if (sigpipe) {   /* the command met a closed pipe: die as it would */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	return rc;
}
