/*
 * refname.c -- git's check-ref-format rules.
 *
 * A name is legal when (git-check-ref-format(1), without --allow-onelevel,
 * plus "HEAD"):
 *  1. it is at most PMDB_REF_NAME_MAX bytes and has at least one '/'
 *     (only "HEAD" may be one-level);
 *  2. no component starts with '.' or ends with ".lock"; no component is
 *     empty (no leading/trailing '/', no "//");
 *  3. it has no "..", no "@{", no byte < 0x20 or 0x7f, none of
 *     " ~^:?*[\";
 *  4. it does not end with '.' and is not "@".
 */
#include <string.h>
#include "internal.h"

/* component_ok -- rule 2 for one component [s, s+n). */
static int
component_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.')
		return 0;
	if (n >= 5 && memcmp(s + n - 5, ".lock", 5) == 0)
		return 0;
	return 1;
}

/* pmdb_ref_name_valid -- 1 if name is a legal ref name. */
PMDB_EXPORT int
pmdb_ref_name_valid(const char *name)
{
	size_t len, start = 0;
	int slash = 0;

	if (!name)
		return 0;
	if (strcmp(name, "HEAD") == 0)
		return 1;
	len = strlen(name);
	if (len == 0 || len > PMDB_REF_NAME_MAX || strcmp(name, "@") == 0 ||
	    name[len - 1] == '.')
		return 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '/' || c == '\0') {
			if (!component_ok(name + start, i - start))
				return 0;
			start = i + 1;
			slash += c == '/';
			continue;
		}
		if (c < 0x20 || c == 0x7f || strchr(" ~^:?*[\\", c))
			return 0;
		if (c == '.' && name[i + 1] == '.')
			return 0;
		if (c == '@' && name[i + 1] == '{')
			return 0;
	}
	return slash > 0;
}
