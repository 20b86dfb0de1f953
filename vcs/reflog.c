/*
 * reflog.c -- reflog entries as PMDB_OBJ_LOG records chained newest first.
 *
 * Invariants:
 * 1. An entry and the ref change it logs are put in the same pmdb txn, and
 *    logs/<ref> moves in that txn's ref transaction: after a crash the ref
 *    and its newest log entry are both old or both new.
 * 2. An entry never changes: appending writes a new record naming the old
 *    head as "prev"; the chain cannot loop (each id hashes its prev's).
 * 3. logs/<ref> exists iff the log has at least one entry.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "reflog.h"

#define LOG_PREFIX "logs/"

/* log_name -- "logs/<ref>" into buf; 0, or PMDB_EINVAL if too long */
static int
log_name(char *buf, size_t size, const char *ref)
{
	size_t n = strlen(ref);

	if (n + sizeof(LOG_PREFIX) > size || n + 5 > PMDB_REF_NAME_MAX)
		return vcs_seterr(PMDB_EINVAL, "ref name too long for a "
				  "reflog: %s", ref);
	memcpy(buf, LOG_PREFIX, 5);
	memcpy(buf + 5, ref, n + 1);
	return 0;
}

/* vcs_ref_internal -- see reflog.h */
int
vcs_ref_internal(const char *name)
{
	return !strncmp(name, LOG_PREFIX, 5) || !strncmp(name, "gc/", 3) ||
	       !strncmp(name, "merge/", 6);
}

/* vcs_ref_dwim -- see reflog.h */
int
vcs_ref_dwim(vcs_repo *repo, const char *name, size_t len, char *out)
{
	static const char *const rules[] = {
		"%.*s", "refs/%.*s", "refs/tags/%.*s", "refs/heads/%.*s",
		"refs/remotes/%.*s", "refs/remotes/%.*s/HEAD"
	};
	char full[PMDB_REF_NAME_MAX + 32];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int rc;

		snprintf(full, sizeof(full), rules[i], (int)len, name);
		if (strlen(full) > PMDB_REF_NAME_MAX ||
		    !pmdb_ref_name_valid(full) || vcs_ref_internal(full))
			continue;
		rc = pmdb_ref_read(repo->env, full, NULL, NULL);
		if (!rc) {
			memcpy(out, full, strlen(full) + 1);
			return 0;
		}
		if (rc != PMDB_ENOTFOUND)
			return vcs_seterr_pmdb(rc, full);
	}
	return PMDB_ENOTFOUND;
}

/* vcs_reflog_logged -- core.logAllRefUpdates=true's rule */
int
vcs_reflog_logged(const char *ref)
{
	return !strcmp(ref, "HEAD") || !strncmp(ref, "refs/heads/", 11) ||
	       !strncmp(ref, "refs/remotes/", 13) ||
	       !strncmp(ref, "refs/notes/", 11);
}

/* vcs_reflog_append -- one new record whose prev is the current head */
int
vcs_reflog_append(vcs_repo *repo, pmdb_txn *txn, const char *ref,
		  const pmdb_oid *old, const pmdb_oid *new, const char *ident,
		  const char *msg)
{
	char name[PMDB_REF_NAME_MAX + 1], hex[PMDB_OID_HEXMAX + 1];
	static const pmdb_oid zero;
	vcs_str rec = VCS_STR_INIT;
	pmdb_oid head, id;
	int rc, have;

	if ((rc = log_name(name, sizeof(name), ref)))
		return rc;
	rc = pmdb_ref_read(repo->env, name, &head, NULL);
	if (rc && rc != PMDB_ENOTFOUND)
		return vcs_seterr_pmdb(rc, name);
	have = rc == 0;
	rc = 0;
	if (have)
		rc = vcs_str_addf(&rec, "prev %s\n",
				  vcs_oid_hex(repo, &head, hex));
	if (!rc)
		rc = vcs_str_addf(&rec, "%s ",
				  vcs_oid_hex(repo, old ? old : &zero, hex));
	if (!rc)
		rc = vcs_str_addf(&rec, "%s %s\t",
				  vcs_oid_hex(repo, new ? new : &zero, hex),
				  ident);
	/* one line: git's reflog format ends the entry at the first LF */
	for (const char *m = msg; !rc && *m && *m != '\n'; m++)
		rc = vcs_str_add(&rec, m, 1);
	if (!rc)
		rc = vcs_str_add(&rec, "\n", 1);
	if (rc) {
		vcs_str_free(&rec);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	rc = pmdb_txn_put(txn, PMDB_OBJ_LOG, rec.data, rec.len, &id);
	vcs_str_free(&rec);
	if (!rc)
		rc = pmdb_txn_ref_set(txn, name, &id,
				      have ? &head : PMDB_EXPECT_ABSENT);
	return rc ? vcs_seterr_pmdb(rc, name) : 0;
}

/* current -- a ref's committed value followed through symbolic refs;
 * zero when it does not exist */
static int
current(vcs_repo *repo, const char *ref, pmdb_oid *out)
{
	int rc = pmdb_ref_resolve(repo->env, ref, out, NULL);

	if (rc == PMDB_ENOTFOUND) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return rc ? vcs_seterr_pmdb(rc, ref) : 0;
}

/* has_log -- 1 if logs/<ref> exists, 0 if not, or a negative error */
static int
has_log(vcs_repo *repo, const char *ref)
{
	char name[PMDB_REF_NAME_MAX + 1];
	int rc;

	if (log_name(name, sizeof(name), ref))
		return 0;
	rc = pmdb_ref_read(repo->env, name, NULL, NULL);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	return rc ? vcs_seterr_pmdb(rc, name) : 1;
}

/* vcs_ref_update -- see reflog.h */
int
vcs_ref_update(vcs_repo *repo, pmdb_txn *txn, const vcs_ref_change *c)
{
	char head_target[PMDB_REF_NAME_MAX + 1] = "";
	char name[PMDB_REF_NAME_MAX + 1];
	pmdb_oid old, new;
	int rc, logged;

	if (c->target) {
		if ((rc = current(repo, c->name, &old)))
			return rc;
		if (c->log_new)
			new = *c->log_new;
		else if ((rc = current(repo, c->target, &new)))
			return rc;
		rc = pmdb_txn_ref_set_symbolic(txn, c->name, c->target);
		if (rc)
			return vcs_seterr_pmdb(rc, c->name);
		return c->ident ? vcs_reflog_append(repo, txn, c->name, &old,
						    &new, c->ident, c->msg) : 0;
	}
	if (c->expect && c->expect != PMDB_EXPECT_ABSENT)
		old = *c->expect;
	else if ((rc = current(repo, c->name, &old)))
		return rc;
	if ((rc = pmdb_txn_ref_set(txn, c->name, c->oid, c->expect)))
		return vcs_seterr_pmdb(rc, c->name);
	if ((logged = has_log(repo, c->name)) < 0)
		return logged;
	if (!c->oid) {
		if (!logged)
			return 0;
		log_name(name, sizeof(name), c->name);
		rc = pmdb_txn_ref_set(txn, name, NULL, PMDB_EXPECT_ANY);
		return rc ? vcs_seterr_pmdb(rc, name) : 0;
	}
	if (!c->ident)
		return 0;
	if ((logged || vcs_reflog_logged(c->name)) &&
	    (rc = vcs_reflog_append(repo, txn, c->name, &old, c->oid,
				    c->ident, c->msg)))
		return rc;
	if (!strcmp(c->name, "HEAD"))
		return 0;
	rc = pmdb_ref_read(repo->env, "HEAD", NULL, head_target);
	if (rc && rc != PMDB_ENOTFOUND)
		return vcs_seterr_pmdb(rc, "HEAD");
	if (rc || strcmp(head_target, c->name))
		return 0;
	return vcs_reflog_append(repo, txn, "HEAD", &old, c->oid, c->ident,
				 c->msg);
}

/* parse_hex -- a full id of the repo's format at *p, then the byte sep */
static int
parse_hex(vcs_repo *repo, const char **p, const char *end, char sep,
	  pmdb_oid *out)
{
	if ((size_t)(end - *p) < repo->hexlen + 1 || (*p)[repo->hexlen] != sep ||
	    pmdb_oid_parse(out, *p, repo->hexlen, repo->algo))
		return -1;
	*p += repo->hexlen + 1;
	return 0;
}

/* parse_entry -- docs/format.md "reflog entry"; e->raw holds the bytes
 * with a NUL appended past the record */
static int
parse_entry(vcs_repo *repo, vcs_reflog_entry *e)
{
	const char *p = (const char *)e->raw.data;
	const char *end = p + e->raw.len - 1;   /* at the record's LF */
	const char *tab, *sp;
	char *nl;

	if (e->raw.len < 2 || *end != '\n' || memchr(p, '\0', e->raw.len - 1))
		return -1;
	if (!strncmp(p, "prev ", 5)) {
		p += 5;
		if (parse_hex(repo, &p, end + 1, '\n', &e->prev))
			return -1;
	}
	e->line = p;
	if (memchr(p, '\n', (size_t)(end - p)) ||
	    parse_hex(repo, &p, end, ' ', &e->old_oid) ||
	    parse_hex(repo, &p, end, ' ', &e->new_oid))
		return -1;
	tab = memchr(p, '\t', (size_t)(end - p));
	if (!tab)
		return -1;
	e->ident = p;
	e->ident_len = (size_t)(tab - p);
	/* "<name> <email> <time> <tz>": the time is the next-to-last word */
	sp = tab;
	for (int words = 0; words < 2; words++) {
		while (sp > p && sp[-1] != ' ')
			sp--;
		if (sp == p)
			return -1;
		if (words == 0)
			sp--;
	}
	if (!isdigit((unsigned char)*sp) || !memchr(p, '>', (size_t)(sp - p)))
		return -1;
	e->time = strtoll(sp, NULL, 10);
	e->msg = tab + 1;
	nl = (char *)end;
	*nl = '\0';
	return 0;
}

/* vcs_reflog_read -- follow logs/<ref> through each entry's prev */
int
vcs_reflog_read(vcs_repo *repo, const char *ref, vcs_reflog *out)
{
	char name[PMDB_REF_NAME_MAX + 1];
	size_t cap = 0;
	pmdb_oid id;
	int rc, more;

	memset(out, 0, sizeof(*out));
	if ((rc = log_name(name, sizeof(name), ref)))
		return rc == PMDB_EINVAL ? 0 : rc;
	rc = pmdb_ref_read(repo->env, name, &id, NULL);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	if (rc)
		return vcs_seterr_pmdb(rc, name);
	for (more = 1; more;) {
		vcs_reflog_entry *e;
		pmdb_otype type = PMDB_OBJ_NONE;
		char hex[PMDB_OID_HEXMAX + 1];

		if (out->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *p = realloc(out->e, ncap * sizeof(*out->e));

			if (!p) {
				rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
				goto fail;
			}
			out->e = p;
			cap = ncap;
		}
		e = &out->e[out->n];
		memset(e, 0, sizeof(*e));
		e->id = id;
		rc = pmdb_object_read(repo->env, &id, &type, &e->raw);
		if (!rc && type != PMDB_OBJ_LOG)
			rc = PMDB_ECORRUPT;
		if (!rc && vcs_str_add(&e->raw, "", 1)) {
			vcs_str_free(&e->raw);
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			goto fail;
		}
		if (!rc) {
			e->raw.len--;  /* the NUL stays past the record */
			if (parse_entry(repo, e))
				rc = PMDB_ECORRUPT;
		}
		if (rc) {
			vcs_str_free(&e->raw);
			rc = vcs_seterr(rc == PMDB_ENOTFOUND ? PMDB_ECORRUPT : rc,
					"reflog of %s: entry %s is %s", ref,
					vcs_oid_hex(repo, &id, hex),
					rc == PMDB_ENOTFOUND ? "missing" :
					rc == PMDB_ECORRUPT ? "malformed" :
					pmdb_strerror(rc));
			goto fail;
		}
		out->n++;
		more = !pmdb_oid_is_zero(&e->prev);
		id = e->prev;
	}
	return 0;
fail:
	vcs_reflog_clear(out);
	return rc;
}

/* vcs_reflog_clear -- free every entry */
void
vcs_reflog_clear(vcs_reflog *log)
{
	if (!log)
		return;
	for (size_t i = 0; i < log->n; i++)
		vcs_str_free(&log->e[i].raw);
	free(log->e);
	log->e = NULL;
	log->n = 0;
}

/* vcs_reflog_rewrite -- a new chain of the kept entries */
int
vcs_reflog_rewrite(vcs_repo *repo, pmdb_txn *txn, const char *ref,
		   const vcs_reflog *log, const unsigned char *keep)
{
	char name[PMDB_REF_NAME_MAX + 1], hex[PMDB_OID_HEXMAX + 1];
	vcs_str rec = VCS_STR_INIT;
	pmdb_oid prev, id;
	int rc = 0, have = 0;

	if ((rc = log_name(name, sizeof(name), ref)))
		return rc;
	for (size_t i = log->n; i-- > 0 && !rc;) {
		const vcs_reflog_entry *e = &log->e[i];

		if (!keep[i])
			continue;
		vcs_str_reset(&rec);
		if (have)
			rc = vcs_str_addf(&rec, "prev %s\n",
					  vcs_oid_hex(repo, &prev, hex));
		if (!rc)
			rc = vcs_str_addf(&rec, "%s\n", e->line);
		if (rc) {
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
			break;
		}
		if ((rc = pmdb_txn_put(txn, PMDB_OBJ_LOG, rec.data, rec.len,
				       &id)))
			rc = vcs_seterr_pmdb(rc, name);
		prev = id;
		have = 1;
	}
	vcs_str_free(&rec);
	if (rc)
		return rc;
	rc = pmdb_txn_ref_set(txn, name, have ? &prev : NULL,
			      log->n ? &log->e[0].id : PMDB_EXPECT_ABSENT);
	return rc ? vcs_seterr_pmdb(rc, name) : 0;
}

/* vcs_reflog_nth -- REF@{N} */
int
vcs_reflog_nth(vcs_repo *repo, const char *ref, const char *shown,
	       unsigned long n, pmdb_oid *out)
{
	vcs_reflog log;
	int rc = vcs_reflog_read(repo, ref, &log);

	if (rc)
		return rc;
	if (n >= log.n) {
		rc = log.n ? vcs_seterr(PMDB_ENOTFOUND, "log for '%s' only has "
					"%zu entries", shown, log.n) :
			VCS_REFLOG_NONE;
	} else {
		static const pmdb_oid zero;
		/* a deletion entry (branch -m of the current branch) names
		 * what was deleted, as git's read_ref_at() takes it */
		*out = memcmp(&log.e[n].new_oid, &zero, sizeof(zero)) ?
			log.e[n].new_oid : log.e[n].old_oid;
	}
	vcs_reflog_clear(&log);
	return rc;
}

/* put_entry -- one log record (prev: the older entry, or NULL) into txn */
static int
put_entry(vcs_repo *repo, pmdb_txn *txn, const pmdb_oid *prev,
	  const pmdb_oid *old, const pmdb_oid *new, const char *ident,
	  const char *msg, pmdb_oid *id)
{
	static const pmdb_oid zero;
	char hex[PMDB_OID_HEXMAX + 1];
	vcs_str rec = VCS_STR_INIT;
	int rc = prev ? vcs_str_addf(&rec, "prev %s\n",
				     vcs_oid_hex(repo, prev, hex)) : 0;

	if (!rc)
		rc = vcs_str_addf(&rec, "%s ", vcs_oid_hex(repo, old ? old : &zero,
							   hex));
	if (!rc)
		rc = vcs_str_addf(&rec, "%s %s\t%.*s\n",
				  vcs_oid_hex(repo, new ? new : &zero, hex),
				  ident, (int)strcspn(msg, "\n"), msg);
	if (!rc && (rc = pmdb_txn_put(txn, PMDB_OBJ_LOG, rec.data, rec.len, id)))
		rc = vcs_seterr_pmdb(rc, "writing a reflog entry");
	else if (rc)
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	vcs_str_free(&rec);
	return rc;
}

/* log_head -- the newest record of ref's log; 0 with *have = 0 if none */
static int
log_head(vcs_repo *repo, const char *ref, pmdb_oid *out, int *have)
{
	char name[PMDB_REF_NAME_MAX + 1];
	int rc = log_name(name, sizeof(name), ref);

	*have = 0;
	if (rc)
		return rc;
	rc = pmdb_ref_read(repo->env, name, out, NULL);
	if (rc == PMDB_ENOTFOUND)
		return 0;
	*have = !rc;
	return rc ? vcs_seterr_pmdb(rc, name) : 0;
}

/* vcs_reflog_move -- the log of from continued under to */
int
vcs_reflog_move(vcs_repo *repo, pmdb_txn *txn, const char *from,
		const char *to, const pmdb_oid *oid, int head_follows,
		const char *ident, const char *msg)
{
	char name[PMDB_REF_NAME_MAX + 1];
	pmdb_oid prev, id, cur, r1;
	int have, have_to, rc = log_head(repo, from, &prev, &have);

	if (!rc)
		rc = log_head(repo, to, &cur, &have_to);
	if (!rc)
		rc = put_entry(repo, txn, have ? &prev : NULL, oid, oid, ident,
			       msg, &id);
	if (!rc)
		rc = log_name(name, sizeof(name), to);
	if (!rc && (rc = pmdb_txn_ref_set(txn, name, &id, have_to ? &cur :
					  PMDB_EXPECT_ABSENT)))
		return vcs_seterr_pmdb(rc, name);
	if (rc || !head_follows)
		return rc;
	/* git's files backend logs a rename of the checked-out branch in
	 * HEAD's log as a deletion and a creation */
	rc = log_head(repo, "HEAD", &prev, &have);
	if (!rc)
		rc = put_entry(repo, txn, have ? &prev : NULL, oid, NULL, ident,
			       msg, &r1);
	if (!rc)
		rc = put_entry(repo, txn, &r1, NULL, oid, ident, msg, &id);
	if (!rc && (rc = pmdb_txn_ref_set(txn, "logs/HEAD", &id,
					  have ? &prev : PMDB_EXPECT_ABSENT)))
		rc = vcs_seterr_pmdb(rc, "logs/HEAD");
	return rc;
}
