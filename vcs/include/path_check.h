/*
 * path_check.h -- which tree paths may be written into a working tree.
 *
 * A tree is data from anyone (a fast-import stream, a fetched history):
 * a path such as ".git/hooks/post-checkout" or "sub/.pmvcs/pool.set"
 * would let it plant hooks or overwrite a pool. Checkout refuses what
 * git's verify_path refuses (read-cache.c, with core.protectNTFS, git's
 * default everywhere, and core.protectHFS, its default on macOS, both
 * on) and, in the same spellings, our own ".pmvcs".
 */
#ifndef VCS_PATH_CHECK_H
#define VCS_PATH_CHECK_H

#include <stddef.h>

/**
 * vcs_path_valid -- may the tree path (NUL-terminated, len bytes: a NUL
 * inside makes it invalid) with entry mode be checked out?
 *
 * Refused, in any component: "", ".", "..", a leading, doubled or
 * trailing '/'; ".git" and ".pmvcs" in any case; the NTFS spellings of
 * those (trailing dots and spaces, an ":stream" suffix, the 8.3 short
 * names "git~1", "pmvcs~1", and the same after a backslash inside a
 * name, which NTFS takes for a separator); the HFS+ spellings (ignorable code points such as
 * U+200C anywhere in the name). For a symlink (mode 0120000) also
 * ".gitmodules" in its NTFS and HFS+ spellings, as git refuses it.
 * Everything else is accepted, control characters included: git
 * accepts them (a tab in a name is legal).
 *
 * Threads: pure function, any thread. Persistence: none.
 * @return 1 valid, 0 invalid.
 */
int vcs_path_valid(const char *path, size_t len, unsigned mode);

#endif
