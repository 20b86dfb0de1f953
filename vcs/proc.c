/*
 * proc.c -- child processes: what their end means, as git reports it.
 */
#include <errno.h>
#include <sys/wait.h>

#include "vcs.h"

int
vcs_wait_exit(int pid)
{
	int st;

	while (waitpid((pid_t)pid, &st, 0) < 0)
		if (errno != EINTR)
			return 128;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
