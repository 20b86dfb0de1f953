/*
 * attr.h -- git attributes (gitattributes(5)) as far as end-of-line
 * conversion needs them: the attributes text, eol and the macro binary,
 * with git's files, precedence and patterns; core.autocrlf and core.eol;
 * and the conversions themselves (clean: working tree -> blob, smudge:
 * blob -> working tree), as git's convert.c decides them.
 *
 * Files, lowest precedence first (vcs/attr_files.c): core.attributesFile
 * (default $XDG_CONFIG_HOME/git/attributes), the .gitattributes of each
 * directory from the root down, then .pmvcs/info/attributes (git's
 * .git/info/attributes). Within a file the last matching line wins. The
 * patterns are gitignore's (vcs/ignore.c) without negation (a "!" line is
 * skipped, as git skips it) and a pattern ending in "/" matches no file.
 *
 * Caveats: user macros ("[attr]name ...") are skipped, and of the other
 * attributes only text/eol/binary are read: filters, ident and
 * working-tree-encoding are not applied. git's rule that text=auto does
 * not convert a file whose index copy already holds a CR has no index to
 * look at here: pmvcs converts it (docs/git-differences.md).
 *
 * Threads: a set is built by one thread and then read by any number
 * (vcs_attr_conv only reads); a child borrows its parent, which must stay
 * unchanged and outlive it. Nothing here reads the process cwd.
 * Persistence: none; the conversions change bytes in memory only.
 */
#ifndef VCS_ATTR_H
#define VCS_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "vcs.h"

#define VCS_ATTR_FILE ".gitattributes"

/** What to do with a file's line ends (git's convert_crlf_action, with
 *  CRLF_TEXT and CRLF_AUTO already resolved by core.eol/autocrlf). */
enum vcs_conv {
	VCS_CONV_NONE = 0,      /**< binary, or no conversion asked */
	VCS_CONV_TEXT_LF,       /**< text: CRLF->LF in, LF out */
	VCS_CONV_TEXT_CRLF,     /**< text: CRLF->LF in, LF->CRLF out */
	VCS_CONV_AUTO_LF,       /**< text=auto: as TEXT_LF if it looks text */
	VCS_CONV_AUTO_CRLF,     /**< text=auto: as TEXT_CRLF if it looks text */
};

/** A stack of attribute files, as vcs_ignore is for ignore files. */
typedef struct vcs_attr vcs_attr;

/** vcs_attr_new -- an empty set. 0, PMDB_ENOMEM. */
int vcs_attr_new(vcs_attr **out);
/** vcs_attr_free -- NULL-safe. */
void vcs_attr_free(vcs_attr *a);
/** vcs_attr_child -- a set holding parent's files (borrowed), for a
 *  directory's own file on top of them. 0, PMDB_ENOMEM. */
int vcs_attr_child(const vcs_attr *parent, vcs_attr **out);
/** Where a file ranks (see the top of this header). */
enum vcs_attr_level { VCS_ATTR_USER, VCS_ATTR_DIR, VCS_ATTR_INFO };
/** vcs_attr_push -- add the lines of one file (text, len bytes; copied)
 *  found in directory base ("" for the root and for the user and info
 *  files). A VCS_ATTR_DIR file pushed later must be deeper or unrelated.
 *  0, PMDB_ENOMEM. */
int vcs_attr_push(vcs_attr *a, enum vcs_attr_level level, const char *base,
		  const char *text, size_t len);
/** vcs_attr_empty -- 1 if no file with a line was pushed (then every
 *  path's text attribute is unspecified). */
int vcs_attr_empty(const vcs_attr *a);
/** vcs_attr_conv -- the conversion for the file path (root-relative,
 *  len bytes), a (NULL: no files) and cfg deciding it as git does. */
enum vcs_conv vcs_attr_conv(const vcs_attr *a, const char *path, size_t len,
			    const vcs_eol_cfg *cfg);
/** vcs_attr_active -- 1 if any path could be converted: a has files or
 *  core.autocrlf is not false. 0 lets callers skip every lookup. */
int vcs_attr_active(const vcs_attr *a, const vcs_eol_cfg *cfg);

/* Which files (vcs/attr_files.c) */

struct vcs_config;
/** vcs_attr_config -- core.autocrlf, core.eol and core.attributesFile
 *  ("~/" expanded, relative to root; default $XDG_CONFIG_HOME/git/
 *  attributes or ~/.config/git/attributes) into cfg and file (size
 *  bytes; "" when none). 0, PMDB_EINVAL (path too long). */
int vcs_attr_config(const struct vcs_config *cfg, const char *root,
		    vcs_getenv_fn fn, void *ctx, vcs_eol_cfg *eol, char *file,
		    size_t size);
/** vcs_attr_push_top -- push the user's file (absolute or NULL/"") and
 *  root/.pmvcs/info/attributes; missing files add nothing. 0,
 *  PMDB_ERROR (unreadable, message names it), PMDB_ENOMEM. */
int vcs_attr_push_top(vcs_attr *a, const char *root, const char *user_file);
/** vcs_attr_push_dir -- push the .gitattributes of directory dirfd
 *  (base: root-relative, "" for the root; rel: with a trailing '/', for
 *  messages). Codes as vcs_attr_push_top. */
int vcs_attr_push_dir(vcs_attr *a, const char *base, int dirfd,
		      const char *rel);
struct vcs_wt_list;
/** vcs_attr_tree_conv -- set the conv of each file of l (a tree,
 *  flattened, sorted) from the tree's own .gitattributes blobs, the
 *  user's and info/attributes files and repo->eol: what a checkout of
 *  the tree writes (git reads the attributes being checked out). 0,
 *  PMDB_ENOMEM, PMDB_ERROR, a read's code. */
int vcs_attr_tree_conv(vcs_repo *repo, struct vcs_wt_list *l);

/* The conversions (vcs/convert.c) */

/** vcs_convert_clean -- git's crlf_to_git(): buf as the working tree
 *  holds it becomes the blob's content, in place (it only shrinks). */
void vcs_convert_clean(enum vcs_conv conv, vcs_str *buf);
/** vcs_convert_smudge -- git's crlf_to_worktree(): buf as the blob holds
 *  it becomes what the working tree gets. 0, PMDB_ENOMEM. */
int vcs_convert_smudge(enum vcs_conv conv, vcs_str *buf);

#endif /* VCS_ATTR_H */
