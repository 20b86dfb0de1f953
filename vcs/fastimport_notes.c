/*
 * fastimport_notes.c -- git's notes fan-out for fast-import's `N`: the
 * path of a note for a given count of notes on the branch, and the
 * rewrite of the notes tree when the fan-out changes (git's
 * convert_num_notes_to_fanout, construct_path_with_fanout and
 * change_note_fanout), so that notes trees and commits get git's ids.
 *
 * Invariants:
 *  1. The fan-out for n notes is the number of bytes of n beyond the
 *     first: 0 below 256 notes, 1 below 65536, and so on; a note then
 *     lives at "ab/cd/<rest of the hex id>" with one 2-hex directory per
 *     level (fanout 0: the bare hex id).
 *  2. A note entry is any live entry whose path components all have an
 *     even length and whose concatenation is exactly hexlen hex digits
 *     (git's test in do_change_note_fanout); directories with a shorter
 *     hex prefix are searched, everything else is left alone.
 *  3. The walk reads the tree as written: vcs_tree_editor_get("") first stores
 *     the branch's pending edits into the objects txn (trees that a later
 *     edit may leave unreferenced: harmless, as objects only).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fastimport_int.h"

/** A note found at the wrong place: moved after the walk. */
typedef struct note_move {
	char from[PMDB_OID_HEXMAX * 3 / 2 + 1];
	uint32_t mode;
	pmdb_oid oid;
} note_move;

typedef struct note_walk {
	fi_state *s;
	unsigned fanout;          /**< target, or FI_NOTES_COUNT */
	uint64_t count;           /**< note entries found */
	note_move *moves;
	size_t nmoves, capmoves;
} note_walk;

static int walk(note_walk *w, const pmdb_oid *tree, char *hex, size_t hexn,
		char *full, size_t fulln, int depth);

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

/** fi_notes_fanout -- git's convert_num_notes_to_fanout. */
unsigned
fi_notes_fanout(uint64_t num_notes)
{
	unsigned fanout = 0;

	while ((num_notes >>= 8))
		fanout++;
	return fanout;
}

/** fi_notes_path -- git's construct_path_with_fanout: hex split into
 *  fanout 2-digit directories; out holds PMDB_OID_HEXMAX * 3 / 2 + 1. */
int
fi_notes_path(fi_state *s, const char *hex, unsigned fanout, char *out,
	      size_t *len)
{
	size_t i = 0, j = 0;

	if (fanout >= s->repo->hashlen)
		return fi_fail(s, "Too large fanout (%u)", fanout);
	for (; fanout; fanout--) {
		out[i++] = hex[j++];
		out[i++] = hex[j++];
		out[i++] = '/';
	}
	memcpy(out + i, hex + j, s->hexlen - j);
	i += s->hexlen - j;
	out[i] = '\0';
	*len = i;
	return 0;
}

/**
 * fi_notes_rewrite -- git's change_note_fanout on b's tree: with fanout
 * FI_NOTES_COUNT only count the notes; otherwise move every note to its
 * path for fanout. *count gets the notes found.
 */
int
fi_notes_rewrite(fi_state *s, fi_branch *b, unsigned fanout, uint64_t *count)
{
	note_walk w = { .s = s, .fanout = fanout };
	char hex[PMDB_OID_HEXMAX + 1], full[PMDB_OID_HEXMAX * 3 / 2 + 1];
	char to[PMDB_OID_HEXMAX * 3 / 2 + 1];
	pmdb_oid root;
	uint32_t mode;
	size_t len;
	int rc = -1;

	if (vcs_tree_editor_get(b->mt, "", 0, &mode, &root) < 0)
		return fi_fail(s, "notes of %s: %s", b->name, vcs_errmsg());
	if (walk(&w, &root, hex, 0, full, 0, 0) < 0)
		goto out;
	for (size_t i = 0; i < w.nmoves; i++) {
		note_move *m = &w.moves[i];
		const char *p = m->from;
		size_t n = 0;
		/* the hex id is the path without its slashes */
		for (; *p; p++)
			if (*p != '/')
				hex[n++] = *p;
		hex[n] = '\0';
		if (fi_notes_path(s, hex, fanout, to, &len) < 0)
			goto out;
		if (vcs_tree_editor_remove(b->mt, m->from, strlen(m->from)) < 0 ||
		    vcs_tree_editor_set(b->mt, to, len, m->mode, &m->oid) < 0) {
			fi_fail(s, "notes fan-out of %s: %s", b->name, vcs_errmsg());
			goto out;
		}
	}
	*count = w.count;
	rc = 0;
out:
	free(w.moves);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/** is_hex -- n hex digits (either case, as git's get_oid_hex takes). */
static int
is_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return 0;
	return 1;
}

/** add_move -- remember the note at full (mode, oid) for the rewrite. */
static int
add_move(note_walk *w, const char *full, uint32_t mode, const uint8_t *id)
{
	if (VCS_ARRAY_GROW(w->moves, w->capmoves, w->nmoves + 1, 64))
		return fi_fail(w->s, "out of memory");
	note_move *m = &w->moves[w->nmoves++];
	memset(m, 0, sizeof(*m));
	strcpy(m->from, full);
	m->mode = mode;
	memcpy(m->oid.id, id, w->s->repo->hashlen);
	return 0;
}

/**
 * walk -- git's do_change_note_fanout over the stored tree: hex/hexn is
 * the hex prefix of the directory, full/fulln its path. Counts note
 * entries and records those not at their fanout path.
 */
static int
walk(note_walk *w, const pmdb_oid *tree, char *hex, size_t hexn, char *full,
     size_t fulln, int depth)
{
	fi_state *s = w->s;
	vcs_str buf = VCS_STR_INIT;
	pmdb_otype type;
	size_t hashlen = s->repo->hashlen;
	char real[PMDB_OID_HEXMAX * 3 / 2 + 1];
	int rc = pmdb_txn_read(s->txn, tree, &type, &buf);

	if (rc < 0 || type != PMDB_OBJ_TREE) {
		vcs_str_free(&buf);
		if (rc < 0)
			vcs_seterr_pmdb(rc, "reading a notes tree");
		return fi_fail(s, "notes: %s", rc < 0 ? vcs_errmsg() : "not a tree");
	}
	const char *p = (const char *)buf.data, *end = p + buf.len;
	rc = 0;
	while (p < end && rc == 0) {
		uint32_t mode = 0;
		for (; p < end && *p >= '0' && *p <= '7'; p++)
			mode = (mode << 3) + (uint32_t)(*p - '0');
		const char *name = p + 1;
		const char *nul = memchr(name, '\0', (size_t)(end - name));
		if (p >= end || *p != ' ' || !nul || (size_t)(end - nul - 1) < hashlen) {
			rc = fi_fail(s, "notes: corrupt tree");
			break;
		}
		const uint8_t *id = (const uint8_t *)nul + 1;
		size_t n = (size_t)(nul - name);
		p = nul + 1 + hashlen;
		if (hexn + n > s->hexlen || n % 2 || !n)
			continue;
		memcpy(hex + hexn, name, n);
		size_t fn = fulln;
		if (fn)
			full[fn++] = '/';
		memcpy(full + fn, name, n);
		fn += n;
		full[fn] = '\0';
		if (hexn + n == s->hexlen && is_hex(hex, s->hexlen)) {
			size_t rl;
			w->count++;
			if (w->fanout == FI_NOTES_COUNT)
				continue;
			if ((rc = fi_notes_path(s, hex, w->fanout, real, &rl)) < 0)
				break;
			if (strcmp(full, real))
				rc = add_move(w, full, mode, id);
		} else if (mode == VCS_MODE_TREE && depth < PMDB_OID_HEXMAX / 2) {
			pmdb_oid sub;
			memset(&sub, 0, sizeof(sub));
			memcpy(sub.id, id, hashlen);
			rc = walk(w, &sub, hex, hexn + n, full, fn, depth + 1);
		}
	}
	vcs_str_free(&buf);
	return rc;
}
