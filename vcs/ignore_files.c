/*
 * ignore_files.c -- which files hold ignore rules, in git's precedence
 * (gitignore(5)), lowest first as vcs_ignore_push wants them:
 * core.excludesFile (default $XDG_CONFIG_HOME/git/ignore), then
 * .pmvcs/info/exclude (git's .git/info/exclude), then in each directory
 * from the root down its .gitignore and then its .pmvcsignore (pmvcs's
 * own name, kept: it wins over .gitignore in the same directory).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "worktree.h"

/* vcs_wt__read_conf -- the whole file name under dirfd; 1 if it is not
 * there (or, for the user's files opened by path, unreadable: git warns
 * and goes on, pmvcs just goes on) */
int
vcs_wt__read_conf(int dirfd, const char *name, const char *shown, vcs_str *text)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	vcs_str_reset(text);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EISDIR ||
		       errno == ELOOP || (errno == EACCES && dirfd == AT_FDCWD) ?
		       1 :
		       vcs_seterr(PMDB_ERROR, "cannot read '%s': %s", shown,
				  strerror(errno));
	for (;;) {
		ssize_t n;

		if (vcs_str_grow(text, 4096)) {
			close(fd);
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		}
		n = read(fd, text->data + text->len, text->cap - text->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			/* a directory named like an ignore file: git skips it */
			return e == EISDIR ? 1 :
			       vcs_seterr(PMDB_ERROR, "cannot read '%s': %s",
					  shown, strerror(e));
		}
		if (n == 0)
			break;
		text->len += (size_t)n;
	}
	close(fd);
	return 0;
}

/* vcs_ignore_push_dir -- a directory's .gitignore, then .pmvcsignore */
int
vcs_ignore_push_dir(vcs_ignore *ign, const char *base, int dirfd,
		    const char *rel)
{
	static const char *const names[] = { VCS_GITIGNORE_FILE,
					     VCS_IGNORE_FILE };
	vcs_str text = VCS_STR_INIT;
	char shown[4096];
	int rc = 0;

	for (size_t i = 0; i < 2 && rc >= 0; i++) {
		snprintf(shown, sizeof(shown), "%s%s", rel, names[i]);
		rc = vcs_wt__read_conf(dirfd, names[i], shown, &text);
		if (rc == 0)
			rc = vcs_ignore_push_src(ign, base, text.data ?
						 (char *)text.data : "",
						 text.len, shown);
	}
	vcs_str_free(&text);
	return rc < 0 ? rc : 0;
}

/* vcs_ignore_push_top -- core.excludesFile, then .pmvcs/info/exclude */
int
vcs_ignore_push_top(vcs_ignore *ign, const char *root,
		    const char *excludes_file)
{
	vcs_str text = VCS_STR_INIT;
	char path[4096];
	int rc = 1;

	if (excludes_file && *excludes_file) {
		rc = vcs_wt__read_conf(AT_FDCWD, excludes_file, excludes_file, &text);
		if (rc == 0)
			rc = vcs_ignore_push_src(ign, "", text.data ?
						 (char *)text.data : "",
						 text.len, excludes_file);
	}
	if (rc >= 0 && snprintf(path, sizeof(path), "%s/%s/info/exclude",
				root, VCS_DOTDIR) < (int)sizeof(path)) {
		rc = vcs_wt__read_conf(AT_FDCWD, path, VCS_DOTDIR "/info/exclude", &text);
		if (rc == 0)
			rc = vcs_ignore_push_src(ign, "", text.data ?
						 (char *)text.data : "",
						 text.len,
						 VCS_DOTDIR "/info/exclude");
	}
	vcs_str_free(&text);
	return rc < 0 ? rc : 0;
}

/* vcs_ignore_excludes_file -- git's core.excludesFile resolution */
int
vcs_ignore_excludes_file(const vcs_config *cfg, const char *root,
			 vcs_getenv_fn fn, void *ctx, char *buf, size_t size)
{
	return vcs_wt__user_file(cfg, "core.excludesFile", "ignore", root, fn,
				 ctx, buf, size);
}

/* vcs_wt__user_file -- a user file named by key or found in git's XDG
 * directory, as git resolves core.excludesFile and core.attributesFile */
int
vcs_wt__user_file(const vcs_config *cfg, const char *key, const char *xdg_name,
		  const char *root, vcs_getenv_fn fn, void *ctx, char *buf,
		  size_t size)
{
	char canon[64];
	const vcs_config_entry *e;
	const char *home = fn ? fn(ctx, "HOME") : NULL;
	const char *xdg = fn ? fn(ctx, "XDG_CONFIG_HOME") : NULL;
	size_t i;
	int n;

	for (i = 0; key[i] && i + 1 < sizeof(canon); i++)
		canon[i] = (char)tolower((unsigned char)key[i]);
	canon[i] = '\0';
	e = vcs_config_get(cfg, canon);
	buf[0] = '\0';
	if (e && e->value && *e->value) {
		const char *v = e->value;

		if (v[0] == '~' && v[1] == '/' && home)
			n = snprintf(buf, size, "%s%s", home, v + 1);
		else if (v[0] != '/' && root)
			n = snprintf(buf, size, "%s/%s", root, v);
		else
			n = snprintf(buf, size, "%s", v);
	} else if (xdg && *xdg) {
		n = snprintf(buf, size, "%s/git/%s", xdg, xdg_name);
	} else if (home) {
		n = snprintf(buf, size, "%s/.config/git/%s", home, xdg_name);
	} else {
		return 0;
	}
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return vcs_seterr(PMDB_EINVAL, "%s: path too long", key);
	}
	return 0;
}

/* vcs_ignore_check -- git check-ignore's answer for one path */
int
vcs_ignore_check(const char *root, const char *excludes_file,
		 const char *path, int is_dir, vcs_ignore_hit *hit,
		 vcs_ignore **keep)
{
	char prefix[4096];
	const char *p = path, *slash;
	int dfd, rc;

	memset(hit, 0, sizeof(*hit));
	/* one set, every level pushed on it: hit borrows from it */
	if ((rc = vcs_ignore_new(keep)))
		return rc;
	if ((rc = vcs_ignore_push_top(*keep, root, excludes_file)))
		return rc;
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0 && (rc = vcs_ignore_push_dir(*keep, "", dfd, ""))) {
		close(dfd);
		return rc;
	}
	while ((slash = strchr(p, '/')) && slash[1]) {
		size_t plen = (size_t)(slash - path);
		int nfd;

		/* a directory above ignored: its pattern decides */
		if ((rc = vcs_ignore_match_hit(*keep, path, plen, 1, hit)))
			break;
		if (plen >= sizeof(prefix) - 1)
			break;
		memcpy(prefix, path, plen);
		prefix[plen] = '\0';
		nfd = dfd < 0 ? -1 : openat(dfd, prefix + (p - path),
					    O_RDONLY | O_DIRECTORY |
					    O_CLOEXEC | O_NOFOLLOW);
		if (dfd >= 0)
			close(dfd);
		dfd = nfd;
		if (dfd >= 0) {
			char rel[4096 + 1];

			snprintf(rel, sizeof(rel), "%s/", prefix);
			if ((rc = vcs_ignore_push_dir(*keep, prefix, dfd, rel))) {
				close(dfd);
				return rc;
			}
		}
		p = slash + 1;
	}
	if (dfd >= 0)
		close(dfd);
	if (rc)
		return rc;
	return vcs_ignore_match_hit(*keep, path, strlen(path), is_dir, hit);
}
