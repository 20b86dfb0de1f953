/*
 * path_check.c -- refuse tree paths that would write into .git or
 * .pmvcs, or outside the working tree (see path_check.h).
 *
 * The rules are git's verify_path with core.protectNTFS and
 * core.protectHFS on, so that a tree git refuses to check out on any of
 * its platforms is refused here too; ".pmvcs" is checked wherever
 * ".git" is, in the same spellings. Each component is checked at its
 * start with the rest of the path after it: the NTFS and HFS+ checks
 * end a name at '/', as git's do.
 *
 * Why the foreign filesystems matter on Linux: a working tree may sit
 * on an NTFS or HFS+ volume (or be copied to one), where "GIT~1",
 * ".git. " or ".g\u200cit" open the real ".git".
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "path_check.h"
#include "vcs.h"

/** utf8_next -- decode one UTF-8 character at *s and advance past it.
 *  A malformed sequence (bad continuation, overlong form, surrogate,
 *  U+FFFE/U+FFFF, beyond U+10FFFF) returns 0 and sets *s to NULL; the
 *  terminating NUL returns 0 without moving. */
static uint32_t
utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t ch;
	size_t n;

	if (p[0] < 0x80) {
		if (p[0])
			(*s)++;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		if ((p[1] & 0xc0) != 0x80 || (p[0] & 0xfe) == 0xc0)
			goto bad;
		ch = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		n = 2;
	} else if ((p[0] & 0xf0) == 0xe0) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && (p[1] & 0xe0) == 0x80) ||
		    (p[0] == 0xed && (p[1] & 0xe0) == 0xa0) ||
		    (p[0] == 0xef && p[1] == 0xbf && (p[2] & 0xfe) == 0xbe))
			goto bad;
		ch = ((uint32_t)(p[0] & 0x0f) << 12) |
		     ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		n = 3;
	} else if ((p[0] & 0xf8) == 0xf0) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80 ||
		    (p[0] == 0xf0 && (p[1] & 0xf0) == 0x80) ||
		    (p[0] == 0xf4 && p[1] > 0x8f) || p[0] > 0xf4)
			goto bad;
		ch = ((uint32_t)(p[0] & 0x07) << 18) |
		     ((uint32_t)(p[1] & 0x3f) << 12) |
		     ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		n = 4;
	} else {
		goto bad;
	}
	*s += n;
	return ch;
bad:
	*s = NULL;
	return 0;
}

/** hfs_next -- the next character HFS+ compares: the code points it
 *  ignores in names (zero-width and direction marks) are skipped.
 *  0 at the end of the path or on malformed UTF-8. */
static uint32_t
hfs_next(const char **s)
{
	for (;;) {
		uint32_t c = utf8_next(s);
		if (!*s)
			return 0;
		if ((c >= 0x200c && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x206a && c <= 0x206f) || c == 0xfeff)
			continue;
		return c;
	}
}

/** hfs_dot -- does the component at s name "." + needle (lower-case
 *  ASCII) once HFS+ drops ignorable code points and folds case? */
static int
hfs_dot(const char *s, const char *needle)
{
	uint32_t c = hfs_next(&s);

	if (c != '.')
		return 0;
	for (; *needle; needle++) {
		c = s ? hfs_next(&s) : 0;
		if (c > 127 || tolower((int)c) != *needle)
			return 0;
	}
	/* as git: malformed UTF-8 right after the name counts as its end */
	c = s ? hfs_next(&s) : 0;
	return !c || c == '/';
}

/** ntfs_rest -- NTFS drops trailing dots and spaces and reads ":..." as
 *  a stream name: is s, after a matched name, the end of it? end_slash:
 *  does a separator also end it (".git" yes, ".gitmodules" no: a
 *  symlink's last component is what matters, as in git). */
static int
ntfs_rest(const char *s, int end_slash)
{
	for (;; s++) {
		if (!*s || *s == ':' || (end_slash && (*s == '/' || *s == '\\')))
			return 1;
		if (*s != '.' && *s != ' ')
			return 0;
	}
}

/** ntfs_dot -- does the component at s open ".name" on NTFS: that name
 *  or its first 8.3 short name shortname, in any case? */
static int
ntfs_dot(const char *s, const char *name, const char *shortname)
{
	size_t n = strlen(name), sn = strlen(shortname);

	if (s[0] == '.' && !strncasecmp(s + 1, name, n))
		return ntfs_rest(s + 1 + n, 1);
	if (!strncasecmp(s, shortname, sn))
		return ntfs_rest(s + sn, 1);
	return 0;
}

/** ntfs_dotgitmodules -- ".gitmodules" on NTFS: the name, "gitmod~N"
 *  (N 1-4), or the hashed fall-back short name "gi7eba~N" that NTFS
 *  makes once the first four are taken (any case, any ~digits). */
static int
ntfs_dotgitmodules(const char *s)
{
	static const char hashed[] = "gi7eba";
	int tilde = 0;
	size_t i;

	if (s[0] == '.' && !strncasecmp(s + 1, "gitmodules", 10))
		return ntfs_rest(s + 11, 0);
	if (!strncasecmp(s, "gitmod", 6) && s[6] == '~' && s[7] >= '1' && s[7] <= '4')
		return ntfs_rest(s + 8, 0);
	for (i = 0; i < 8; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!c)
			return 0;
		if (tilde) {
			if (c < '0' || c > '9')
				return 0;
		} else if (c == '~') {
			i++;
			if (s[i] < '1' || s[i] > '9')
				return 0;
			tilde = 1;
		} else if (i >= 6 || (c & 0x80) || tolower(c) != hashed[i]) {
			return 0;
		}
	}
	return ntfs_rest(s + i, 0);
}

/** ntfs_bad -- does the name at s open .git or .pmvcs on NTFS (or
 *  .gitmodules, for a symlink)? */
static int
ntfs_bad(const char *s, unsigned mode)
{
	return ntfs_dot(s, "git", "git~1") || ntfs_dot(s, "pmvcs", "pmvcs~1") ||
	       (mode == VCS_MODE_LINK && ntfs_dotgitmodules(s));
}

/** hfs_bad -- the same on HFS+. */
static int
hfs_bad(const char *s, unsigned mode)
{
	return hfs_dot(s, "git") || hfs_dot(s, "pmvcs") ||
	       (mode == VCS_MODE_LINK && hfs_dot(s, "gitmodules"));
}

/** dot_ok -- a component starting with '.', rest being what follows the
 *  dot: "." and ".." are refused, ".git" and ".pmvcs" in any case, and
 *  for a symlink ".gitmodules". */
static int
dot_ok(const char *rest, unsigned mode)
{
	size_t n = strcspn(rest, "/");

	if (n == 0 || (n == 1 && rest[0] == '.'))
		return 0;
	if (n == 3 && !strncasecmp(rest, "git", 3))
		return 0;
	if (n == 5 && !strncasecmp(rest, "pmvcs", 5))
		return 0;
	if (mode == VCS_MODE_LINK && n == 10 && !strncasecmp(rest, "gitmodules", 10))
		return 0;
	return 1;
}

/** vcs_path_valid -- may path be checked out (path_check.h)? */
int
vcs_path_valid(const char *path, size_t len, unsigned mode)
{
	const char *p = path;

	if (memchr(path, '\0', len) || path[len] != '\0')
		return 0;
	for (;;) {
		/* p is the start of a component */
		if (hfs_bad(p, mode) || ntfs_bad(p, mode))
			return 0;
		if (*p == '\0' || *p == '/' || (*p == '.' && !dot_ok(p + 1, mode)))
			return 0;
		/* as git: a backslash opening the component is not looked
		 * at (on Linux that name is an ordinary one, and git checks
		 * it out, so we must too) */
		for (p++; *p && *p != '/'; p++)
			if (*p == '\\' && ntfs_bad(p + 1, mode))
				return 0;
		if (!*p)
			return 1;
		p++;
	}
}
