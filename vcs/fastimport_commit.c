/*
 * fastimport_commit.c -- fast-import's `commit` command: header, from and
 * merge, the file changes (M, D, R, C, deleteall, N) applied to the
 * branch's vcs_tree_editor, and the query commands that may appear inside a
 * commit (`ls`, `cat-blob`) or at top level (`get-mark`).
 *
 * The commit object is encoded exactly as git's fast-import encodes it:
 * tree, parents (from first, then merges in stream order), author (the
 * committer when absent), committer, encoding, blank line, message.
 */
#include <stdlib.h>
#include <string.h>

#include "fastimport_int.h"

static int next_line(fi_state *s);
static int parse_merges(fi_state *s, vcs_str *parents);
static int change_m(fi_state *s, fi_branch *b);
static int change_d(fi_state *s, fi_branch *b);
static int change_cr(fi_state *s, fi_branch *b, int rename);
static int change_n(fi_state *s, fi_branch *b, unsigned *old_fanout);
static int peel(fi_state *s, pmdb_oid *oid, pmdb_otype want);
static int dataref(fi_state *s, const char **p, pmdb_oid *oid,
		   pmdb_otype *type, int *is_inline, const char *what,
		   int mapped);

static const char empty_tree_sha1[] = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
static const char empty_tree_sha256[] =
	"6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";

/** next_line -- fi_next(); at EOF the current line becomes "". */
static int
next_line(fi_state *s)
{
	int rc = fi_next(s);

	return rc < 0 ? -1 : 0;
}

/**
 * fi_commit_tree -- the root tree of commit (peeling tags first, as git's
 * read_object_with_reference does); replaces *commit by the commit
 * reached. Fails "Not a valid commit: <id>".
 */
int
fi_commit_tree(fi_state *s, const pmdb_oid *commit, pmdb_oid *tree)
{
	pmdb_oid c = *commit;
	char hex[PMDB_OID_HEXMAX + 1];

	if (peel(s, &c, PMDB_OBJ_COMMIT) < 0 ||
	    pmdb_oid_parse(tree, (char *)s->tmp.data + 5, s->hexlen,
			   s->repo->algo) < 0)
		return fi_fail(s, "Not a valid commit: %s",
			       pmdb_oid_fmt(hex, commit, s->repo->algo));
	return 0;
}

/** peel -- follow tags (and, for want TREE, a commit) until an object of
 *  type want; its content is left in s->tmp. -1 without message when no
 *  such object is reached (the caller names it); a read that fails for
 *  another reason than absence (out of memory, I/O) fails the import
 *  here with its cause (fi_fail: the first message wins). */
static int
peel(fi_state *s, pmdb_oid *oid, pmdb_otype want)
{
	char hex[PMDB_OID_HEXMAX + 1];

	for (int depth = 0; depth < 32; depth++) {
		pmdb_otype type;
		int rc = pmdb_txn_read(s->txn, oid, &type, &s->tmp);
		if (rc < 0 && rc != PMDB_ENOTFOUND) {
			pmdb_oid_fmt(hex, oid, s->repo->algo);
			vcs_seterr_pmdb(rc, hex);
			return fi_fail(s, "reading %s: %s", hex, vcs_errmsg());
		}
		if (rc < 0)
			return -1;
		if (type == want)
			return type == PMDB_OBJ_COMMIT && s->tmp.len < 5 + s->hexlen ? -1 : 0;
		if (type == PMDB_OBJ_TAG && s->tmp.len > 7 + s->hexlen &&
		    !memcmp(s->tmp.data, "object ", 7)) {
			if (pmdb_oid_parse(oid, (char *)s->tmp.data + 7, s->hexlen,
					   s->repo->algo) < 0)
				return -1;
		} else if (type == PMDB_OBJ_COMMIT && want == PMDB_OBJ_TREE &&
			   s->tmp.len > 5 + s->hexlen) {
			if (pmdb_oid_parse(oid, (char *)s->tmp.data + 5, s->hexlen,
					   s->repo->algo) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return -1;
}

/** fi_parse_from -- optional "from <commit-ish>": b restarts from it. */
int
fi_parse_from(fi_state *s, fi_branch *b)
{
	pmdb_oid oid, tree;
	pmdb_otype type;
	fi_branch *src;

	if (strncmp(s->line, "from ", 5) != 0)
		return 0;
	const char *p = s->line + 5;
	if (fi_branch_lookup(s, p) == b)
		return fi_fail(s, "Can't create a branch from itself: %s", b->name);
	if (fi_objectish(s, p, 1, &oid, &type, &src) < 0)
		return -1;
	memset(&tree, 0, sizeof(tree));
	if (src) {
		tree = src->tree;
	} else if (pmdb_oid_is_zero(&oid)) {
		b->del = 1;
	} else if (fi_commit_tree(s, &oid, &tree) < 0) {
		return -1;
	} else if (*p != ':' && peel(s, &oid, PMDB_OBJ_COMMIT) < 0) {
		/* a tag names its commit */
		return fi_fail(s, "Not a valid commit: %s", p);
	}
	if (!pmdb_oid_is_zero(&oid))
		b->del = 0;
	/* b->mt holds b->tree between commands: "from" naming a commit with
	 * that same tree (the usual "from" of a linear history) keeps the
	 * loaded nodes, like git's parse_from, instead of reading back the
	 * trees just written */
	int same = b->mt && !pmdb_oid_is_zero(&tree) &&
		   !memcmp(tree.id, b->tree.id, s->repo->hashlen);
	b->tip = oid;
	b->tree = tree;
	if (b->mt && !same) {
		int rc = vcs_tree_editor_reset(b->mt, pmdb_oid_is_zero(&oid) ? NULL : &tree);
		if (rc < 0)
			return fi_fail(s, "loading tree: %s", vcs_errmsg());
	}
	return next_line(s);
}

/** parse_merges -- "merge <commit-ish>" lines; ids appended to parents. */
static int
parse_merges(fi_state *s, vcs_str *parents)
{
	while (!strncmp(s->line, "merge ", 6)) {
		const char *p = s->line + 6;
		pmdb_oid oid, tree;
		pmdb_otype type;
		fi_branch *src;
		if (fi_objectish(s, p, 1, &oid, &type, &src) < 0)
			return -1;
		if (!src && *p != ':') {
			if (fi_commit_tree(s, &oid, &tree) < 0 ||
			    peel(s, &oid, PMDB_OBJ_COMMIT) < 0)
				return fi_fail(s, "Not a valid commit: %s", p);
		}
		if (vcs_str_add(parents, &oid, sizeof(oid)) < 0)
			return fi_fail(s, "out of memory");
		if (next_line(s) < 0)
			return -1;
	}
	return 0;
}

/** dataref -- ":<mark> ", "inline " or "<id> " at *p (git's file_change_m
 *  and note_change_n); *type NONE for an unknown id. */
static int
dataref(fi_state *s, const char **p, pmdb_oid *oid, pmdb_otype *type,
	int *is_inline, const char *what, int mapped)
{
	*is_inline = 0;
	*type = PMDB_OBJ_NONE;
	memset(oid, 0, sizeof(*oid));
	if (**p == ':') {
		uint64_t n;
		if (fi_parse_mark_num(s, p, 0, &n) < 0 || fi_mark_find(s, n, oid, type) < 0)
			return -1;
	} else if (!strncmp(*p, "inline ", 7)) {
		*is_inline = 1;
		*p += 7;
	} else {
		/* git's file_change_m maps ids through the submodule marks */
		if ((mapped ? fi_submods_hex(s, p, oid) : fi_parse_hex(s, p, oid)) < 0)
			return fi_fail(s, "Invalid dataref: %s", s->line);
		if (**p != ' ')
			return fi_fail(s, "Missing space after %s: %s", what, s->line);
		(*p)++;
		if (fi_type_or_none(s, oid, type) < 0)
			return -1;
	}
	return 0;
}

/** inline_blob -- read the data command after an inline M/N (cat-blob
 *  may come first) and store the blob. */
static int
inline_blob(fi_state *s, pmdb_oid *oid)
{
	const char *d;
	size_t n;

	for (;;) {
		int rc = fi_next(s);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return fi_fail(s, "Expected 'data n' command, found end of input");
		if (strncmp(s->line, "cat-blob ", 9))
			break;
		if (fi_cmd_cat_blob(s, s->line + 9) < 0)
			return -1;
	}
	if (fi_data(s, &d, &n, NULL) < 0)
		return -1;
	return fi_put_blob(s, d, n, oid);
}

/** is_empty_tree -- 1 if oid is the empty tree of the repo's format. */
static int
is_empty_tree(fi_state *s, const pmdb_oid *oid)
{
	pmdb_oid e;

	pmdb_oid_parse(&e, s->hexlen == 40 ? empty_tree_sha1 : empty_tree_sha256,
		       s->hexlen, s->repo->algo);
	return !memcmp(&e, oid, sizeof(e));
}

/** change_m -- "M <mode> <dataref> <path>" (git's file_change_m). */
static int
change_m(fi_state *s, fi_branch *b)
{
	const char *p = s->line + 2;
	unsigned mode = 0;
	pmdb_oid oid;
	pmdb_otype type;
	int is_inline, rc, by_mark;

	for (; *p != ' '; p++) {
		if (*p < '0' || *p > '7' || mode > 0777777)
			return fi_fail(s, "Corrupt mode: %s", s->line);
		mode = (mode << 3) + (unsigned)(*p - '0');
	}
	p++;
	if (mode == 0644 || mode == 0755)
		mode |= 0100000;
	if (mode != VCS_MODE_BLOB && mode != VCS_MODE_EXEC && mode != VCS_MODE_LINK &&
	    mode != VCS_MODE_TREE && mode != VCS_MODE_GITLINK)
		return fi_fail(s, "Corrupt mode: %s", s->line);
	by_mark = *p == ':';
	if (dataref(s, &p, &oid, &type, &is_inline, "SHA1", 1) < 0)
		return -1;
	int quoted = *p == '"';
	if (fi_path(s, &p, &s->path, 0) < 0)
		return -1;
	if (quoted && *p)
		return fi_fail(s, "Garbage after path in: %s", s->line);
	if (mode == VCS_MODE_TREE && !is_inline && is_empty_tree(s, &oid) && s->path.len) {
		rc = vcs_tree_editor_remove(b->mt, (char *)s->path.data, s->path.len);
		if (rc < 0 && rc != PMDB_ENOTFOUND)
			return fi_fail(s, "%s: %s", s->line, vcs_errmsg());
		return 0;
	}
	if (mode == VCS_MODE_GITLINK) {
		if (is_inline)
			return fi_fail(s, "Git links cannot be specified 'inline': %s", s->line);
		if (by_mark && type != PMDB_OBJ_COMMIT)
			return fi_fail(s, "Not a commit (actually a %s): %s",
				       pmdb_otype_name(type), s->line);
	} else if (is_inline) {
		if (mode == VCS_MODE_TREE)
			return fi_fail(s, "Directories cannot be specified 'inline': %s",
				       s->line);
		if (inline_blob(s, &oid) < 0)
			return -1;
	} else {
		pmdb_otype want = mode == VCS_MODE_TREE ? PMDB_OBJ_TREE : PMDB_OBJ_BLOB;
		if (type == PMDB_OBJ_NONE)
			return fi_fail(s, "%s not found: %s",
				       want == PMDB_OBJ_TREE ? "Tree" : "Blob", s->line);
		if (type != want)
			return fi_fail(s, "Not a %s (actually a %s): %s",
				       pmdb_otype_name(want), pmdb_otype_name(type), s->line);
	}
	if (!s->path.len) {
		if (mode != VCS_MODE_TREE)
			return fi_fail(s, "Invalid path: %s", s->line);
		rc = vcs_tree_editor_reset(b->mt, &oid);
	} else {
		rc = vcs_tree_editor_set(b->mt, (char *)s->path.data, s->path.len, mode, &oid);
	}
	if (rc < 0)
		return fi_fail(s, "Invalid path '%s': %s", (char *)s->path.data,
			       vcs_errmsg());
	return 0;
}

/** change_d -- "D <path>": removing a missing path is not an error. */
static int
change_d(fi_state *s, fi_branch *b)
{
	const char *p = s->line + 2;
	int quoted = *p == '"';

	if (fi_path(s, &p, &s->path, 0) < 0)
		return -1;
	if (quoted && *p)
		return fi_fail(s, "Garbage after path in: %s", s->line);
	if (!s->path.len)
		return vcs_tree_editor_reset(b->mt, NULL) < 0 ? fi_fail(s, "%s", vcs_errmsg()) : 0;
	int rc = vcs_tree_editor_remove(b->mt, (char *)s->path.data, s->path.len);
	if (rc < 0 && rc != PMDB_ENOTFOUND)
		return fi_fail(s, "%s: %s", s->line, vcs_errmsg());
	return 0;
}

/** change_cr -- "R <src> <dst>" / "C <src> <dst>". */
static int
change_cr(fi_state *s, fi_branch *b, int rename)
{
	const char *p = s->line + 2;
	uint32_t mode;
	pmdb_oid oid;
	int quoted, rc;

	if (fi_path(s, &p, &s->path, 1) < 0)
		return -1;
	if (*p != ' ')
		return fi_fail(s, "Missing space after source: %s", s->line);
	p++;
	if (!*p)
		return fi_fail(s, "Missing dest: %s", s->line);
	quoted = *p == '"';
	if (fi_path(s, &p, &s->path2, 0) < 0)
		return -1;
	if (quoted && *p)
		return fi_fail(s, "Garbage after dest in: %s", s->line);
	rc = vcs_tree_editor_get(b->mt, (char *)s->path.data, s->path.len, &mode, &oid);
	if (rc < 0)
		return fi_fail(s, "Path %s not in branch", (char *)s->path.data);
	if (rename && s->path.len &&
	    vcs_tree_editor_remove(b->mt, (char *)s->path.data, s->path.len) < 0)
		return fi_fail(s, "%s: %s", s->line, vcs_errmsg());
	if (!s->path2.len)
		rc = mode == VCS_MODE_TREE ? vcs_tree_editor_reset(b->mt, &oid) : PMDB_EINVAL;
	else
		rc = vcs_tree_editor_set(b->mt, (char *)s->path2.data, s->path2.len, mode, &oid);
	if (rc < 0)
		return fi_fail(s, "Invalid dest '%s': %s", (char *)s->path2.data,
			       vcs_errmsg());
	return 0;
}

/** change_n -- "N <dataref> <commit-ish>" (git's note_change_n): the
 *  old note is looked for at *old_fanout (the fan-out at the start of
 *  the commit), the new one is set at the fan-out of the new count. */
static int
change_n(fi_state *s, fi_branch *b, unsigned *old_fanout)
{
	const char *p = s->line + 2;
	pmdb_oid oid, commit, tree;
	pmdb_otype type, ctype;
	fi_branch *src = NULL;
	int is_inline, is_mark, rc;
	char hex[PMDB_OID_HEXMAX + 1], path[PMDB_OID_HEXMAX * 3 / 2 + 1];
	size_t len;

	is_mark = *p == ':';
	if (dataref(s, &p, &oid, &type, &is_inline, "SHA1", 0) < 0)
		return -1;
	src = fi_branch_lookup(s, p);
	if (src) {
		if (pmdb_oid_is_zero(&src->tip))
			return fi_fail(s, "Can't add a note on empty branch.");
		commit = src->tip;
	} else if (fi_objectish(s, p, 1, &commit, &ctype, &src) < 0) {
		return -1;
	} else if (*p != ':') {
		if (fi_commit_tree(s, &commit, &tree) < 0 ||
		    peel(s, &commit, PMDB_OBJ_COMMIT) < 0)
			return fi_fail(s, "Not a valid commit: %s", p);
	}
	if (is_inline) {
		if (inline_blob(s, &oid) < 0)
			return -1;
	} else if (is_mark) {
		if (type != PMDB_OBJ_BLOB)
			return fi_fail(s, "Not a blob (actually a %s): %s",
				       pmdb_otype_name(type), s->line);
	} else if (!pmdb_oid_is_zero(&oid)) {
		if (type == PMDB_OBJ_NONE)
			return fi_fail(s, "Blob not found: %s", s->line);
		if (type != PMDB_OBJ_BLOB)
			return fi_fail(s, "Not a blob (actually a %s): %s",
				       pmdb_otype_name(type), s->line);
	}
	/* git counts the notes of a branch loaded with none counted yet
	 * (note_change_n's "counting mode"), so old_fanout is right */
	if (b->num_notes == 0 && *old_fanout == 0) {
		if (fi_notes_rewrite(s, b, FI_NOTES_COUNT, &b->num_notes) < 0)
			return -1;
		*old_fanout = fi_notes_fanout(b->num_notes);
	}
	pmdb_oid_fmt(hex, &commit, s->repo->algo);
	if (fi_notes_path(s, hex, *old_fanout, path, &len) < 0)
		return -1;
	rc = vcs_tree_editor_remove(b->mt, path, len);
	if (rc == 0 && b->num_notes)
		b->num_notes--;
	else if (rc < 0 && rc != PMDB_ENOTFOUND)
		return fi_fail(s, "%s", vcs_errmsg());
	if (pmdb_oid_is_zero(&oid))
		return 0;
	/* a new note goes where the new count puts it; the others follow
	 * at the end of the commit (fi_notes_rewrite), as in git */
	b->num_notes++;
	if (fi_notes_path(s, hex, fi_notes_fanout(b->num_notes), path, &len) < 0)
		return -1;
	if (vcs_tree_editor_set(b->mt, path, len, VCS_MODE_BLOB, &oid) < 0)
		return fi_fail(s, "%s", vcs_errmsg());
	return 0;
}

/**
 * fi_cmd_commit -- "commit <ref>" up to its blank line: builds the tree
 * through the branch's tree editor and stores the commit.
 */
int
fi_cmd_commit(fi_state *s, const char *arg)
{
	fi_branch *b = fi_branch_lookup(s, arg);
	vcs_str parents = VCS_STR_INIT;
	uint64_t mark = 0;
	pmdb_oid tree, oid;
	const char *msg;
	size_t msglen;
	unsigned prev_fanout, new_fanout;
	int rc = -1;

	if (!b && fi_branch_new(s, arg, &b) < 0)
		return -1;
	if (next_line(s) < 0)
		return -1;
	if (!strncmp(s->line, "mark :", 6)) {
		const char *p = s->line + 5;
		if (fi_parse_mark_num(s, &p, 1, &mark) < 0 || next_line(s) < 0)
			return -1;
	}
	if (!strncmp(s->line, "original-oid ", 13) && next_line(s) < 0)
		return -1;
	free(s->author);
	s->author = NULL;
	if (!strncmp(s->line, "author ", 7)) {
		if (fi_parse_ident(s, s->line + 7, &s->author) < 0 || next_line(s) < 0)
			return -1;
	}
	if (strncmp(s->line, "committer ", 10))
		return fi_fail(s, "Expected committer but didn't get one");
	if (fi_parse_ident(s, s->line + 10, &s->committer) < 0 || next_line(s) < 0)
		return -1;
	free(s->encoding);
	s->encoding = NULL;
	if (!strncmp(s->line, "encoding ", 9)) {
		if (!(s->encoding = strdup(s->line + 9)))
			return fi_fail(s, "out of memory");
		if (next_line(s) < 0)
			return -1;
	}
	vcs_str_reset(&s->msg);
	if (fi_data(s, &msg, &msglen, &s->msg) < 0 || next_line(s) < 0)
		return -1;
	if (fi_parse_from(s, b) < 0 || parse_merges(s, &parents) < 0)
		goto out;
	if (fi_branch_load(s, b) < 0)
		goto out;
	prev_fanout = fi_notes_fanout(b->num_notes);
	while (s->linelen) {
		const char *l = s->line;
		if (l[0] == 'M' && l[1] == ' ')
			rc = change_m(s, b);
		else if (l[0] == 'D' && l[1] == ' ')
			rc = change_d(s, b);
		else if ((l[0] == 'R' || l[0] == 'C') && l[1] == ' ')
			rc = change_cr(s, b, l[0] == 'R');
		else if (l[0] == 'N' && l[1] == ' ')
			rc = change_n(s, b, &prev_fanout);
		else if (!strcmp(l, "deleteall")) {
			rc = vcs_tree_editor_reset(b->mt, NULL) < 0 ? fi_fail(s, "%s", vcs_errmsg()) : 0;
			b->num_notes = 0;
		} else if (!strncmp(l, "ls ", 3))
			rc = fi_cmd_ls(s, l + 3, b);
		else if (!strncmp(l, "cat-blob ", 9))
			rc = fi_cmd_cat_blob(s, l + 9);
		else {
			s->unread = 1;
			break;
		}
		if (rc < 0)
			goto out;
		rc = fi_next(s);
		if (rc < 0)
			goto out;
		if (rc == 0)
			break;
	}
	rc = -1;
	/* git's end of parse_new_commit: notes move to the new fan-out */
	new_fanout = fi_notes_fanout(b->num_notes);
	if (new_fanout != prev_fanout &&
	    fi_notes_rewrite(s, b, new_fanout, &b->num_notes) < 0)
		goto out;
	if (vcs_tree_editor_write(b->mt, s->txn, &tree) < 0) {
		fi_fail(s, "writing trees: %s", vcs_errmsg());
		goto out;
	}
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_str *o = &s->obj;
	vcs_str_reset(o);
	/* every append is checked: a failed one must not store a commit
	 * with a line missing (a lost parent is a different history) */
	int e = vcs_str_addf(o, "tree %s\n", pmdb_oid_fmt(hex, &tree, s->repo->algo));
	if (!e && !pmdb_oid_is_zero(&b->tip))
		e = vcs_str_addf(o, "parent %s\n", pmdb_oid_fmt(hex, &b->tip, s->repo->algo));
	for (size_t i = 0; !e && i < parents.len / sizeof(pmdb_oid); i++) {
		pmdb_oid par;
		memcpy(&par, parents.data + i * sizeof(par), sizeof(par));
		e = vcs_str_addf(o, "parent %s\n", pmdb_oid_fmt(hex, &par, s->repo->algo));
	}
	if (!e)
		e = vcs_str_addf(o, "author %s\ncommitter %s\n",
				 s->author ? s->author : s->committer, s->committer);
	if (!e && s->encoding)
		e = vcs_str_addf(o, "encoding %s\n", s->encoding);
	if (!e)
		e = vcs_str_add(o, "\n", 1);
	if (e || vcs_str_add(o, s->msg.data ? (char *)s->msg.data : "", s->msg.len) < 0) {
		fi_fail(s, "out of memory");
		goto out;
	}
	if (fi_put(s, PMDB_OBJ_COMMIT, o->data, o->len, &oid) < 0 ||
	    fi_mark_set(s, mark, &oid, PMDB_OBJ_COMMIT) < 0)
		goto out;
	b->tip = oid;
	b->tree = tree;
	b->del = 0;
	b->dirty = 1;
	rc = 0;
out:
	vcs_str_free(&parents);
	return rc;
}

/**
 * fi_cmd_ls -- "ls [<dataref> ]<path>": answers on the cat-blob stream
 * "<mode> <type> <id>\t<path>" or "missing <path>", as git does.
 */
int
fi_cmd_ls(fi_state *s, const char *p, fi_branch *b)
{
	vcs_tree_editor *tmp = NULL, *mt;
	pmdb_oid oid;
	uint32_t mode;
	char hex[PMDB_OID_HEXMAX + 1];
	int rc;

	if (*p == '"') {
		if (!b)
			return fi_fail(s, "Not in a commit: %s", s->line);
		mt = b->mt;
	} else {
		pmdb_otype type;
		if (*p == ':') {
			uint64_t n;
			if (fi_parse_mark_num(s, &p, 0, &n) < 0 ||
			    fi_mark_find(s, n, &oid, &type) < 0)
				return -1;
		} else {
			if (fi_parse_hex(s, &p, &oid) < 0)
				return fi_fail(s, "Invalid dataref: %s", s->line);
			if (*p++ != ' ')
				return fi_fail(s, "Missing space after tree-ish: %s", s->line);
		}
		if (peel(s, &oid, PMDB_OBJ_TREE) < 0)
			return fi_fail(s, "Not a tree-ish: %s", s->line);
		if (vcs_tree_editor_new(&tmp, s->repo, s->txn, &oid) < 0)
			return fi_fail(s, "%s", vcs_errmsg());
		mt = tmp;
	}
	if (*p == '"') {
		const char *q = p;
		vcs_str_reset(&s->path);
		if (vcs_unquote(&s->path, &q, s->line + s->linelen) < 0) {
			vcs_tree_editor_free(tmp);
			return fi_fail(s, "Invalid path: %s", s->line);
		}
		if (*q) {
			vcs_tree_editor_free(tmp);
			return fi_fail(s, "Garbage after path in: %s", s->line);
		}
		if (!s->path.data && vcs_str_add(&s->path, "", 0) < 0) {
			vcs_tree_editor_free(tmp);
			return fi_fail(s, "out of memory");
		}
	} else {
		vcs_str_reset(&s->path);
		if (vcs_str_adds(&s->path, p) < 0) {
			vcs_tree_editor_free(tmp);
			return fi_fail(s, "out of memory");
		}
	}
	rc = vcs_tree_editor_get(mt, (char *)s->path.data, s->path.len, &mode, &oid);
	vcs_str_reset(&s->path2);
	if (rc == PMDB_ENOTFOUND) {
		rc = vcs_str_adds(&s->path2, "missing ");
	} else if (rc < 0) {
		vcs_tree_editor_free(tmp);
		return fi_fail(s, "%s", vcs_errmsg());
	} else {
		rc = vcs_str_addf(&s->path2, "%06o %s %s\t", mode,
				  mode == VCS_MODE_GITLINK ? "commit" :
				  mode == VCS_MODE_TREE ? "tree" : "blob",
				  pmdb_oid_fmt(hex, &oid, s->repo->algo));
	}
	vcs_tree_editor_free(tmp);
	if (rc < 0 || vcs_quote_path(&s->path2, (char *)s->path.data, s->path.len) < 0 ||
	    vcs_str_add(&s->path2, "\n", 1) < 0)
		return fi_fail(s, "out of memory");
	if (fi_catblob_write(s, s->path2.data, s->path2.len) < 0)
		return -1;
	fflush(s->o->cat_blob);
	return 0;
}

/** fi_cmd_cat_blob -- "cat-blob <dataref>": "<id> blob <size>\n<bytes>\n"
 *  or "<id> missing\n" on the cat-blob stream. */
int
fi_cmd_cat_blob(fi_state *s, const char *p)
{
	pmdb_oid oid;
	pmdb_otype type;
	char hex[PMDB_OID_HEXMAX + 1];
	char head[PMDB_OID_HEXMAX + 64];

	if (*p == ':') {
		uint64_t n;
		if (fi_parse_mark_num(s, &p, 1, &n) < 0 || fi_mark_find(s, n, &oid, &type) < 0)
			return -1;
	} else {
		if (fi_parse_hex(s, &p, &oid) < 0)
			return fi_fail(s, "Invalid dataref: %s", s->line);
		if (*p)
			return fi_fail(s, "Garbage after SHA1: %s", s->line);
	}
	pmdb_oid_fmt(hex, &oid, s->repo->algo);
	int rc = pmdb_txn_read(s->txn, &oid, &type, &s->obj);
	if (rc < 0 && rc != PMDB_ENOTFOUND) {
		vcs_seterr_pmdb(rc, hex);
		return fi_fail(s, "cat-blob %s: %s", hex, vcs_errmsg());
	}
	if (rc < 0) {
		snprintf(head, sizeof(head), "%s missing\n", hex);
		if (fi_catblob_write(s, head, strlen(head)) < 0)
			return -1;
	} else {
		if (type != PMDB_OBJ_BLOB)
			return fi_fail(s, "Object %s is a %s but a blob was expected.",
				       hex, pmdb_otype_name(type));
		snprintf(head, sizeof(head), "%s blob %zu\n", hex, s->obj.len);
		if (fi_catblob_write(s, head, strlen(head)) < 0 ||
		    fi_catblob_write(s, s->obj.data, s->obj.len) < 0 ||
		    fi_catblob_write(s, "\n", 1) < 0)
			return -1;
	}
	fflush(s->o->cat_blob);
	return 0;
}

/** fi_cmd_get_mark -- "get-mark :<n>": "<id>\n" on the cat-blob stream. */
int
fi_cmd_get_mark(fi_state *s, const char *p)
{
	pmdb_oid oid;
	pmdb_otype type;
	uint64_t n;
	char hex[PMDB_OID_HEXMAX + 2];

	if (*p != ':')
		return fi_fail(s, "Not a mark: %s", p);
	if (fi_parse_mark_num(s, &p, 1, &n) < 0 || fi_mark_find(s, n, &oid, &type) < 0)
		return -1;
	pmdb_oid_fmt(hex, &oid, s->repo->algo);
	strcat(hex, "\n");
	if (fi_catblob_write(s, hex, strlen(hex)) < 0)
		return -1;
	fflush(s->o->cat_blob);
	return 0;
}
