/*
 * merge_state.c -- the record of an unfinished merge: what git keeps in
 * .git/MERGE_HEAD, ORIG_HEAD, MERGE_MSG and the conflict stages of its
 * index, as one PMDB_OBJ_LOG record named by the internal ref
 * "merge/state" (docs/format.md "merge state"). Record and ref are
 * written in the caller's transaction, with the merge's other changes,
 * so after a crash the merge is recorded whole or not at all.
 *
 * Invariants:
 *  1. at most one merge is recorded: write expects the ref absent.
 *  2. the record is immutable; concluding or aborting deletes the ref.
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "merge.h"
#include "reflog.h"

#define MAGIC "pmvcs-merge 1\n"

/* add_oid -- "<key> <hex>\n". */
static int
add_oid(vcs_repo *repo, vcs_str *s, const char *key, const pmdb_oid *oid)
{
	char hex[PMDB_OID_HEXMAX + 1];

	return vcs_str_addf(s, "%s %s\n", key, vcs_oid_hex(repo, oid, hex));
}

int
vcs_merge_state_write(vcs_repo *repo, pmdb_txn *txn, const vcs_merge_state *st)
{
	vcs_str s = VCS_STR_INIT;
	pmdb_oid rec;
	int rc = vcs_str_adds(&s, MAGIC);

	rc = rc ? rc : add_oid(repo, &s, "orig-head", &st->orig_head);
	rc = rc ? rc : add_oid(repo, &s, "orig-tree", &st->orig_tree);
	rc = rc ? rc : add_oid(repo, &s, "result-tree", &st->result_tree);
	for (size_t i = 0; !rc && i < st->nheads; i++)
		rc = add_oid(repo, &s, "merge-head", &st->heads[i]);
	/* lengths, not quoting: a path may hold any byte but NUL */
	for (size_t i = 0; !rc && i < st->npaths; i++)
		rc = vcs_str_addf(&s, "conflict %u %zu %s\n",
				  st->kinds ? st->kinds[i] : 0u,
				  strlen(st->paths[i]), st->paths[i]);
	if (!rc)
		rc = vcs_str_addf(&s, "msg %zu\n%s", strlen(st->msg ? st->msg : ""),
				  st->msg ? st->msg : "");
	if (rc) {
		vcs_str_free(&s);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	rc = pmdb_txn_put(txn, PMDB_OBJ_LOG, s.data, s.len, &rec);
	vcs_str_free(&s);
	if (!rc)
		rc = pmdb_txn_ref_set(txn, VCS_MERGE_STATE_REF, &rec,
				      PMDB_EXPECT_ABSENT);  /* invariant 1 */
	return rc ? vcs_seterr_pmdb(rc, "recording the merge") : 0;
}

/* get_oid -- parse "<key> <hex>\n" at *p. */
static int
get_oid(vcs_repo *repo, const char **p, const char *end, const char *key,
	pmdb_oid *out)
{
	size_t kl = strlen(key);

	if ((size_t)(end - *p) < kl + 2 + repo->hexlen ||
	    memcmp(*p, key, kl) || (*p)[kl] != ' ' ||
	    (*p)[kl + 1 + repo->hexlen] != '\n' ||
	    pmdb_oid_parse(out, *p + kl + 1, repo->hexlen, repo->algo))
		return -1;
	*p += kl + 2 + repo->hexlen;
	return 0;
}

int
vcs_merge_state_read(vcs_repo *repo, vcs_merge_state *out)
{
	vcs_str s = VCS_STR_INIT;
	pmdb_oid rec;
	pmdb_otype t;
	const char *p, *end;
	size_t cap = 0, pcap = 0, kcap = 0, len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pmdb_ref_read(repo->env, VCS_MERGE_STATE_REF, &rec, NULL);
	if (rc == PMDB_ENOTFOUND)
		return rc;
	if (rc)
		return vcs_seterr_pmdb(rc, VCS_MERGE_STATE_REF);
	rc = vcs_object_read(repo, NULL, &rec, &t, &s);
	if (rc)
		return rc;
	p = (const char *)s.data;
	end = p + s.len;
	rc = PMDB_ECORRUPT;
	if (t != PMDB_OBJ_LOG || s.len < sizeof(MAGIC) - 1 ||
	    memcmp(p, MAGIC, sizeof(MAGIC) - 1))
		goto bad;
	p += sizeof(MAGIC) - 1;
	if (get_oid(repo, &p, end, "orig-head", &out->orig_head) ||
	    get_oid(repo, &p, end, "orig-tree", &out->orig_tree) ||
	    get_oid(repo, &p, end, "result-tree", &out->result_tree))
		goto bad;
	while (end - p > 11 && !memcmp(p, "merge-head ", 11)) {
		if (VCS_ARRAY_GROW(out->heads, cap, out->nheads + 1, 2))
			goto oom;
		if (get_oid(repo, &p, end, "merge-head", &out->heads[out->nheads]))
			goto bad;
		out->nheads++;
	}
	while (end - p > 9 && !memcmp(p, "conflict ", 9)) {
		char *e;
		unsigned long kind = strtoul(p + 9, &e, 10);
		if (*e != ' ' || kind > 255)
			goto bad;
		len = strtoul(e + 1, &e, 10);
		if (*e != ' ' || (size_t)(end - e) < len + 2 || e[1 + len] != '\n')
			goto bad;
		if (VCS_ARRAY_GROW(out->paths, pcap, out->npaths + 1, 8) ||
		    VCS_ARRAY_GROW(out->kinds, kcap, out->npaths + 1, 8))
			goto oom;
		out->kinds[out->npaths] = (unsigned char)kind;
		if (!(out->paths[out->npaths] = strndup(e + 1, len)))
			goto oom;
		out->npaths++;
		p = e + 2 + len;
	}
	if (end - p < 5 || memcmp(p, "msg ", 4))
		goto bad;
	{
		char *e;
		len = strtoul(p + 4, &e, 10);
		if (*e != '\n' || (size_t)(end - e - 1) != len)
			goto bad;
		if (!(out->msg = strndup(e + 1, len)))
			goto oom;
	}
	vcs_str_free(&s);
	return 0;
oom:
	rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	goto out;
bad:
	rc = vcs_seterr(PMDB_ECORRUPT, "%s: malformed record",
			VCS_MERGE_STATE_REF);
out:
	vcs_str_free(&s);
	vcs_merge_state_clear(out);
	return rc;
}

int
vcs_merge_state_remove(vcs_repo *repo, pmdb_txn *txn)
{
	int rc;

	(void)repo;
	rc = pmdb_txn_ref_set(txn, VCS_MERGE_STATE_REF, NULL, PMDB_EXPECT_ANY);
	return rc ? vcs_seterr_pmdb(rc, "removing the merge record") : 0;
}

void
vcs_merge_state_clear(vcs_merge_state *st)
{
	if (!st)
		return;
	free(st->heads);
	for (size_t i = 0; i < st->npaths; i++)
		free(st->paths[i]);
	free(st->paths);
	free(st->kinds);
	free(st->msg);
	memset(st, 0, sizeof(*st));
}

int
vcs_merge_unresolved(const vcs_repo *repo, const char *path)
{
	char full[8192], line[8192];
	FILE *f;
	int found = 0;

	if (snprintf(full, sizeof(full), "%s/%s", repo->worktree, path) >=
	    (int)sizeof(full))
		return 0;
	f = fopen(full, "rb");
	if (!f)
		return 0;
	/* a line longer than the buffer is read in pieces: only a piece
	 * that starts a line can start with a marker */
	for (int bol = 1; !found && fgets(line, sizeof(line), f);) {
		found = bol && (!strncmp(line, "<<<<<<<", 7) ||
				!strncmp(line, ">>>>>>>", 7)) &&
			(line[7] == ' ' || line[7] == '\n');
		bol = strchr(line, '\n') != NULL;
	}
	fclose(f);
	return found;
}
