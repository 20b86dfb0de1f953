/*
 * remote_git.h -- pmvcs's git remotes (docs/remote.md, "pmvcs fetch"):
 * git is the transport. Each remote has a bare git mirror in
 * .pmvcs/remotes/<name>.git that `git fetch` / `git push` keep in step
 * with the remote; history crosses between the mirror and the pool by
 * git fast-export into fi_import (fetch) and fe_export into git
 * fast-import (push), with git's marks file in the mirror as the only
 * record of what both sides have (ids are the same on both sides).
 *
 * Threads: every call runs on the command's thread, spawning git with
 * the command's environment, stdout and stderr; nothing global.
 */
#ifndef PMVCS_REMOTE_GIT_H
#define PMVCS_REMOTE_GIT_H

#include <sys/types.h>

#include "cmd.h"

/**
 * pmvcs_git -- run `git args...` (args NULL-terminated, without "git")
 * with stdin in (-1: /dev/null), stdout out (-1: the command's) and the
 * command's stderr and environment. wait 0: return at once with the pid
 * in *pid (the caller waits with pmvcs_git_wait).
 * @return git's exit code (wait), 0 (started), or -1 (cannot run git:
 *  message printed).
 */
int pmvcs_git(pmvcs_ctx *ctx, int in, int out, const char *const *args,
	      int wait, pid_t *pid);

/** pmvcs_git_wait -- wait for pid; its exit code (128+sig if killed). */
int pmvcs_git_wait(pid_t pid);

/** pmvcs_remote_mirror -- "<root>/.pmvcs/remotes/<name>.git" into buf;
 *  0, or -1 when it does not fit. */
int pmvcs_remote_mirror(const char *root, const char *name, char *buf,
			size_t size);

/** pmvcs_remote_url -- remote.<name>.url from the command's
 *  configuration (borrowed), or NULL. */
const char *pmvcs_remote_url(pmvcs_ctx *ctx, const char *name);

/**
 * pmvcs_remote_fetch -- bring the remote's branches into
 * refs/remotes/<name>/ and its tags into refs/tags/ of repo: the mirror
 * (created when missing) fetched from url by git, then exported into the
 * pool; refs change in one transaction, each logged with msg (NULL: not
 * logged, as git clone leaves the remote-tracking refs).
 * @return 0, or the exit code after the message (git's own, or pmvcs's).
 * Persistence: objects and refs as fi_import; the mirror's marks file
 * moves only after the pool committed, so a crash between the two makes
 * the next fetch send again what the pool may already have.
 */
int pmvcs_remote_fetch(pmvcs_ctx *ctx, vcs_repo *repo, const char *root,
		       const char *name, const char *url, const char *msg);

/**
 * pmvcs_remote_export -- the history of refs (full names, n of them)
 * into the mirror of remote name, under the same names (forced: the
 * mirror's refs are scratch for the push that follows), leaving out what
 * the remote-tracking refs refs/remotes/<name>/ already hold (named by
 * id: the mirror has it, it came from there).
 * @return 0, or the exit code after the message.
 */
int pmvcs_remote_export(pmvcs_ctx *ctx, vcs_repo *repo, const char *mirror,
			const char *name, const char *const *refs, size_t n);

#endif /* PMVCS_REMOTE_GIT_H */
