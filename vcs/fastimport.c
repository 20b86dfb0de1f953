/*
 * fastimport.c -- fast-import's driver: the command loop and the
 * top-level commands (blob, tag, reset, alias, checkpoint, progress,
 * feature, option, done), object txn rotation and the final publication.
 *
 * Invariants:
 *  1. s->txn is always open between commands; it holds objects only until
 *     fi_publish() adds the ref updates and commits it.
 *  2. The objects txn is committed (no refs) once it holds about
 *     txn_bytes of data, only between commands, so that no vcs_tree_editor
 *     holds unwritten edits across the switch.
 *  3. On failure the open txn is aborted: refs stay as at the last
 *     checkpoint, and objects committed earlier stay (deduplicated on
 *     re-run).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "fastimport_int.h"

#define FI_TXN_BYTES (64u << 20)

static int fi_cmd_blob(fi_state *s);
static int fi_cmd_tag(fi_state *s, const char *arg);
static int fi_cmd_reset(fi_state *s, const char *arg);
static int fi_cmd_alias(fi_state *s);
static int fi_cmd_feature(fi_state *s, const char *f);
static int fi_cmd_option(fi_state *s, const char *opt);
static int rotate(fi_state *s);
static int publish(fi_state *s, int final);
static void marks_on_failure(fi_state *s);
static int parse_mark(fi_state *s, uint64_t *mark);
static void print_stats(fi_state *s, double secs);

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

int
fi_import(vcs_repo *repo, const fi_opts *o, fi_read_fn rd, void *rdctx)
{
	fi_state st;
	fi_state *s = &st;
	fi_opts opts = *o;
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(s, 0, sizeof(*s));
	if (!opts.cat_blob)
		opts.cat_blob = opts.out;
	if (!opts.txn_bytes)
		opts.txn_bytes = FI_TXN_BYTES;
	s->repo = repo;
	s->o = &opts;
	s->rd = rd;
	s->rdctx = rdctx;
	if (o->in_map) {
		/* the whole stream is there: buf never fills or switches */
		s->mapped = 1;
		s->buf = (char *)o->in_map;   /* read only (fastimport_read.c) */
		s->cap = s->end = o->in_len;
		s->eof = 1;
	}
	s->hexlen = repo->hexlen;
	s->force = o->force;
	s->require_done = o->require_done;
	s->date_format = o->date_format;
	s->import_marks = o->import_marks ? strdup(o->import_marks) : NULL;
	s->import_if_exists = o->import_marks_if_exists;
	s->export_marks = o->export_marks ? strdup(o->export_marks) : NULL;
	rc = pmdb_txn_begin(repo->env, &s->txn);
	if (rc < 0) {
		vcs_seterr_pmdb(rc, "starting a transaction");
		fi_fail(s, "%s", vcs_errmsg());
		goto out;
	}
	for (;;) {
		rc = fi_next(s);
		if (rc <= 0)
			break;
		const char *l = s->line, *v;
		if (!strcmp(l, "blob"))
			rc = fi_cmd_blob(s);
		else if (!strncmp(l, "commit ", 7))
			rc = fi_cmd_commit(s, l + 7);
		else if (!strncmp(l, "tag ", 4))
			rc = fi_cmd_tag(s, l + 4);
		else if (!strncmp(l, "reset ", 6))
			rc = fi_cmd_reset(s, l + 6);
		else if (!strncmp(l, "ls ", 3))
			rc = fi_cmd_ls(s, l + 3, NULL);
		else if (!strncmp(l, "cat-blob ", 9))
			rc = fi_cmd_cat_blob(s, l + 9);
		else if (!strncmp(l, "get-mark ", 9))
			rc = fi_cmd_get_mark(s, l + 9);
		else if (!strcmp(l, "checkpoint")) {
			rc = fi_skip_optional_lf(s);
			if (rc == 0)
				rc = publish(s, 0);
		} else if (!strcmp(l, "done")) {
			s->seen_done = 1;
			break;
		} else if (!strcmp(l, "alias"))
			rc = fi_cmd_alias(s);
		else if (!strncmp(l, "progress ", 9)) {
			fwrite(l, 1, s->linelen, opts.out);
			fputc('\n', opts.out);
			fflush(opts.out);
			rc = fi_skip_optional_lf(s);
		} else if ((v = l, !strncmp(l, "feature ", 8)))
			rc = fi_cmd_feature(s, v + 8);
		else if (!strncmp(l, "option ", 7))
			rc = fi_cmd_option(s, l + 7);
		else
			rc = fi_fail(s, "Unsupported command: %s", l);
		if (rc < 0 || (s->txn_data >= opts.txn_bytes && rotate(s) < 0))
			break;
	}
	if (!s->failed && !s->marks_read)
		(void)fi_marks_import(s); /* a failure is in s->failed */
	if (!s->failed && s->require_done && !s->seen_done)
		fi_fail(s, "stream ends early");
	if (!s->failed)
		publish(s, 1);
out:
	fi_progress(s, 1);
	if (s->failed) {
		fprintf(opts.err, "pmvcs: fast-import: %s\n", (char *)s->errmsg.data);
		marks_on_failure(s);
		pmdb_txn_abort(s->txn);
		s->txn = NULL;
		rc = 128;
	} else {
		rc = s->refused ? 1 : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (opts.stats || s->stats)
		print_stats(s, (double)(t1.tv_sec - t0.tv_sec) +
			       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	pmdb_txn_abort(s->txn);
	fi_branches_free(s);
	fi_marks_free(&s->marks);
	if (!s->mapped)
		free(s->buf);
	free(s->spare);
	free(s->linebuf);
	free(s->author);
	free(s->committer);
	free(s->tagger);
	free(s->encoding);
	free(s->import_marks);
	free(s->export_marks);
	fi_submods_free(s);
	vcs_str_free(&s->errmsg);
	vcs_str_free(&s->msg);
	vcs_str_free(&s->obj);
	vcs_str_free(&s->path);
	vcs_str_free(&s->path2);
	vcs_str_free(&s->tmp);
	vcs_str_free(&s->delim);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/** parse_mark -- optional "mark :<n>" line (then the next line). */
static int
parse_mark(fi_state *s, uint64_t *mark)
{
	*mark = 0;
	if (strncmp(s->line, "mark :", 6))
		return 0;
	const char *p = s->line + 5;
	if (fi_parse_mark_num(s, &p, 1, mark) < 0)
		return -1;
	return fi_next(s) < 0 ? -1 : 0;
}

/** skip_original_oid -- optional "original-oid <id>" line. */
static int
skip_original_oid(fi_state *s)
{
	if (strncmp(s->line, "original-oid ", 13))
		return 0;
	return fi_next(s) < 0 ? -1 : 0;
}

/** cmd_blob -- "blob" mark? original-oid? data. */
static int
fi_cmd_blob(fi_state *s)
{
	uint64_t mark;
	const char *d;
	size_t n;
	pmdb_oid oid;

	if (fi_next(s) < 0 || parse_mark(s, &mark) < 0 || skip_original_oid(s) < 0 ||
	    fi_data(s, &d, &n, NULL) < 0 || fi_put_blob(s, d, n, &oid) < 0)
		return -1;
	return fi_mark_set(s, mark, &oid, PMDB_OBJ_BLOB);
}

/** cmd_tag -- "tag <name>" mark? from original-oid? tagger? data. */
static int
fi_cmd_tag(fi_state *s, const char *arg)
{
	char *name = strdup(arg);
	uint64_t mark;
	pmdb_oid oid, toid;
	pmdb_otype type;
	fi_branch *src;
	const char *d;
	size_t n;
	char hex[PMDB_OID_HEXMAX + 1];
	int rc = -1;

	if (!name)
		return fi_fail(s, "out of memory");
	if (fi_next(s) < 0 || parse_mark(s, &mark) < 0)
		goto out;
	if (strncmp(s->line, "from ", 5)) {
		fi_fail(s, "Expected from command, got %s", s->line);
		goto out;
	}
	if (fi_objectish(s, s->line + 5, 0, &oid, &type, &src) < 0)
		goto out;
	if (src && pmdb_oid_is_zero(&oid)) {
		fi_fail(s, "Can't tag an empty branch.");
		goto out;
	}
	if (type == PMDB_OBJ_NONE) {
		fi_fail(s, "Not a valid object: %s", s->line + 5);
		goto out;
	}
	if (fi_next(s) < 0 || skip_original_oid(s) < 0)
		goto out;
	free(s->tagger);
	s->tagger = NULL;
	if (!strncmp(s->line, "tagger ", 7) &&
	    (fi_parse_ident(s, s->line + 7, &s->tagger) < 0 || fi_next(s) < 0))
		goto out;
	vcs_str_reset(&s->msg);
	if (fi_data(s, &d, &n, &s->msg) < 0)
		goto out;
	vcs_str_reset(&s->obj);
	/* every append is checked: a failed one must not store a tag with
	 * a header missing */
	int e = vcs_str_addf(&s->obj, "object %s\ntype %s\ntag %s\n",
			     pmdb_oid_fmt(hex, &oid, s->repo->algo),
			     pmdb_otype_name(type), name);
	if (!e && s->tagger)
		e = vcs_str_addf(&s->obj, "tagger %s\n", s->tagger);
	if (!e)
		e = vcs_str_add(&s->obj, "\n", 1);
	if (e || vcs_str_add(&s->obj, s->msg.data ? (char *)s->msg.data : "", s->msg.len) < 0) {
		fi_fail(s, "out of memory");
		goto out;
	}
	if (fi_put(s, PMDB_OBJ_TAG, s->obj.data, s->obj.len, &toid) < 0 ||
	    fi_mark_set(s, mark, &toid, PMDB_OBJ_TAG) < 0)
		goto out;
	fi_tagref *t = NULL;
	for (size_t i = 0; i < s->ntags; i++)
		if (!strcmp(s->tags[i].name, name))
			t = &s->tags[i];
	if (!t) {
		vcs_str ref = VCS_STR_INIT;
		if (vcs_str_addf(&ref, "refs/tags/%s", name) < 0) {
			fi_fail(s, "out of memory");
			goto out;
		}
		if (!pmdb_ref_name_valid((char *)ref.data)) {
			vcs_str_free(&ref);
			fi_fail(s, "invalid tag name: %s", name);
			goto out;
		}
		if (VCS_ARRAY_GROW(s->tags, s->captags, s->ntags + 1, 16)) {
			vcs_str_free(&ref);
			fi_fail(s, "out of memory");
			goto out;
		}
		t = &s->tags[s->ntags++];
		memset(t, 0, sizeof(*t));
		t->name = name;
		name = NULL;
		int r = fi_read_ref(s, (char *)ref.data, &t->orig, &t->orig_absent);
		t->orig_known = 1;
		vcs_str_free(&ref);
		if (r < 0)
			goto out;
	}
	t->oid = toid;
	t->dirty = 1;
	rc = 0;
out:
	free(name);
	return rc;
}

/** cmd_reset -- "reset <ref>" from?: the branch restarts empty or at from. */
static int
fi_cmd_reset(fi_state *s, const char *arg)
{
	fi_branch *b = fi_branch_lookup(s, arg);

	if (b) {
		memset(&b->tip, 0, sizeof(b->tip));
		memset(&b->tree, 0, sizeof(b->tree));
		b->num_notes = 0;
		if (b->mt && vcs_tree_editor_reset(b->mt, NULL) < 0)
			return fi_fail(s, "%s", vcs_errmsg());
	} else if (fi_branch_new(s, arg, &b) < 0) {
		return -1;
	}
	b->dirty = 1;
	b->del = 0;
	if (fi_next(s) < 0 || fi_parse_from(s, b) < 0)
		return -1;
	/* git's parse_reset_branch: deleting refs/tags/<t> forgets a `tag
	 * <t>` of the session, or publishing it would bring the ref back */
	if (b->del && !strncmp(b->name, "refs/tags/", 10)) {
		for (size_t i = 0; i < s->ntags; i++) {
			if (strcmp(s->tags[i].name, b->name + 10))
				continue;
			free(s->tags[i].name);
			memmove(&s->tags[i], &s->tags[i + 1],
				(s->ntags - i - 1) * sizeof(s->tags[0]));
			s->ntags--;
			break;
		}
	}
	if (s->linelen > 0)
		s->unread = 1;
	return 0;
}

/** cmd_alias -- "alias" mark "to <commit-ish>": a second mark name. */
static int
fi_cmd_alias(fi_state *s)
{
	uint64_t mark;
	pmdb_oid oid;
	pmdb_otype type;
	fi_branch *src;

	if (fi_skip_optional_lf(s) < 0 || fi_next(s) < 0 || parse_mark(s, &mark) < 0)
		return -1;
	if (!mark)
		return fi_fail(s, "Expected 'mark' command, got %s", s->line);
	if (strncmp(s->line, "to ", 3))
		return fi_fail(s, "Expected 'to' command, got %s", s->line);
	if (fi_objectish(s, s->line + 3, 0, &oid, &type, &src) < 0)
		return -1;
	if (type == PMDB_OBJ_NONE)
		return fi_fail(s, "Not a valid object: %s", s->line + 3);
	if (fi_mark_set(s, mark, &oid, type) < 0)
		return -1;
	/* git's parse_objectish reads the next line and nothing uses it: the
	 * line after "to" (normally blank) is dropped, whatever it holds. */
	return fi_next(s) < 0 ? -1 : 0;
}

/** cmd_feature -- "feature <name>[=<arg>]" (git's parse_one_feature). */
static int
fi_cmd_feature(fi_state *s, const char *f)
{
	const char *a;
	int unsafe = 0, if_exists = 0;
	char **dst = NULL;

	if (s->seen_data)
		return fi_fail(s, "Got feature command '%s' after data command", f);
	if (!strncmp(f, "date-format=", 12)) {
		a = f + 12;
		if (!strcmp(a, "raw"))
			s->date_format = FI_DATE_RAW;
		else if (!strcmp(a, "raw-permissive"))
			s->date_format = FI_DATE_RAW_PERMISSIVE;
		else if (!strcmp(a, "rfc2822"))
			s->date_format = FI_DATE_RFC2822;
		else if (!strcmp(a, "now"))
			s->date_format = FI_DATE_NOW;
		else
			return fi_fail(s, "unknown --date-format argument %s", a);
	} else if (!strncmp(f, "import-marks=", 13)) {
		unsafe = 1, a = f + 13, dst = &s->import_marks, if_exists = 0;
	} else if (!strncmp(f, "import-marks-if-exists=", 23)) {
		unsafe = 1, a = f + 23, dst = &s->import_marks, if_exists = 1;
	} else if (!strncmp(f, "export-marks=", 13)) {
		unsafe = 1, a = f + 13, dst = &s->export_marks;
	} else if (!strncmp(f, "rewrite-submodules-from=", 24)) {
		return fi_submods_add(s, f + 24, 0);
	} else if (!strncmp(f, "rewrite-submodules-to=", 22)) {
		return fi_submods_add(s, f + 22, 1);
	} else if (!strcmp(f, "done")) {
		s->require_done = 1;
	} else if (!strcmp(f, "force")) {
		s->force = 1;
	} else if (strcmp(f, "alias") && strcmp(f, "get-mark") && strcmp(f, "cat-blob") &&
		   strcmp(f, "notes") && strcmp(f, "ls") && strcmp(f, "relative-marks") &&
		   strcmp(f, "no-relative-marks")) {
		return fi_fail(s, "This version of fast-import does not support feature %s.", f);
	}
	if (unsafe) {
		if (!s->o->allow_unsafe)
			return fi_fail(s, "feature '%.*s' forbidden in input without "
				       "--allow-unsafe-features", (int)(strchr(f, '=') - f), f);
		/* git's option_import_marks: one per stream, even when the
		 * command line overrides it */
		if (dst == &s->import_marks && s->stream_import_marks++)
			return fi_fail(s, "Only one import-marks command allowed "
				       "per stream");
		/* the command line wins over the stream */
		if ((dst == &s->import_marks && s->o->import_marks) ||
		    (dst == &s->export_marks && s->o->export_marks))
			return 0;
		free(*dst);
		if (!(*dst = strdup(a)))
			return fi_fail(s, "out of memory");
		if (dst == &s->import_marks)
			s->import_if_exists = if_exists;
	}
	return 0;
}

int
fi_check_pack_arg(const char *name, size_t namelen, const char *arg,
		  char *why, size_t why_len)
{
	char *end;
	int depth = namelen == 5 && !strncmp(name, "depth", 5);

	if (!depth && (namelen != 15 || strncmp(name, "active-branches", 15)))
		return 0;
	/* git's ulong_arg: strtoul base 0, no '-' anywhere, all consumed */
	unsigned long v = strtoul(arg, &end, 0);
	if (strchr(arg, '-') || end == arg || *end) {
		snprintf(why, why_len, "--%.*s: argument must be a non-negative "
			 "integer", (int)namelen, name);
		return -1;
	}
	if (depth && v > 8191) {
		snprintf(why, why_len, "--depth cannot exceed 8191");
		return -1;
	}
	return 0;
}

/** cmd_option -- "option git <opt>" (others are ignored, as git does). */
static int
fi_cmd_option(fi_state *s, const char *opt)
{
	static const char *const known[] = {
		"max-pack-size=", "big-file-threshold=", "export-pack-edges=",
	};
	char why[128];

	if (s->seen_data)
		return fi_fail(s, "Got option command '%s' after data command", opt);
	if (strncmp(opt, "git ", 4))
		return 0;
	opt += 4;
	if (!strncmp(opt, "depth=", 6) || !strncmp(opt, "active-branches=", 16)) {
		const char *eq = strchr(opt, '=');
		if (fi_check_pack_arg(opt, (size_t)(eq - opt), eq + 1, why,
				      sizeof(why)) < 0)
			return fi_fail(s, "%s", why);
		return 0;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(opt, known[i], strlen(known[i])))
			return 0;
	if (!strcmp(opt, "quiet"))
		s->quiet = 1;
	else if (!strcmp(opt, "stats"))
		s->stats = 1;
	else if (strcmp(opt, "allow-unsafe-features"))
		return fi_fail(s, "This version of fast-import does not support option: %s",
			       opt);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/** rotate -- commit the objects gathered so far (no refs) and go on in a
 *  fresh txn: bounds the txn's size and gives a killed import a point to
 *  resume from cheaply. */
static int
rotate(fi_state *s)
{
	int rc = pmdb_txn_commit(s->txn);

	s->txn = NULL;
	s->objs_lost = rc < 0;
	if (rc == 0)
		rc = pmdb_txn_begin(s->repo->env, &s->txn);
	if (rc < 0) {
		vcs_seterr_pmdb(rc, "committing objects");
		return fi_fail(s, "%s", vcs_errmsg());
	}
	s->txn_data = 0;
	for (size_t i = 0; i < s->nbranches; i++)
		if (s->branches[i]->mt)
			vcs_tree_editor_set_txn(s->branches[i]->mt, s->txn);
	return 0;
}

/** publish -- fi_publish(), noting while it runs that the open txn may
 *  hold ref updates (so a failure there must not commit it). */
static int
publish(fi_state *s, int final)
{
	s->publishing = 1;
	if (fi_publish(s, final) < 0)
		return -1;
	s->publishing = 0;
	return 0;
}

/**
 * marks_on_failure -- git's dump_marks() from its die handler: after a
 * failure, --export-marks still gets the marks set so far (through
 * F.lock + rename). As git keeps the objects of its pack, the objects
 * gathered since the last commit are committed first (objects only: no
 * ref moves), so that every mark names a stored object. Nothing is
 * written when the import marks were not loaded yet (git's rule: the
 * file would lose them) or when the objects could not be stored.
 */
static void
marks_on_failure(fi_state *s)
{
	FILE *err = s->o->err;

	if (!s->export_marks || (s->import_marks && !s->marks_done))
		return;
	if (s->txn && !s->publishing) {
		int rc = pmdb_txn_commit(s->txn);
		s->txn = NULL;
		s->objs_lost = rc < 0;
	}
	if (s->txn || s->objs_lost) {
		fprintf(err, "pmvcs: fast-import: %s not written: the objects of the "
			"failed import could not be stored\n", s->export_marks);
		return;
	}
	/* fi_marks_write reports through fi_fail: give it a clean slate */
	vcs_str keep = s->errmsg;
	memset(&s->errmsg, 0, sizeof(s->errmsg));
	s->failed = 0;
	if (fi_marks_write(s, s->export_marks) < 0)
		fprintf(err, "pmvcs: fast-import: %s\n", (char *)s->errmsg.data);
	vcs_str_free(&s->errmsg);
	s->errmsg = keep;
	s->failed = 1;
}

/** print_stats -- --stats summary on err. */
static void
print_stats(fi_state *s, double secs)
{
	FILE *f = s->o->err;
	uint64_t total = s->nobj[1] + s->nobj[2] + s->nobj[3] + s->nobj[4];

	fprintf(f, "pmvcs fast-import statistics:\n"
		   "---------------------------------------------------------------------\n");
	fprintf(f, "Objects stored: %10llu\n", (unsigned long long)total);
	fprintf(f, "      blobs   : %10llu\n", (unsigned long long)s->nobj[PMDB_OBJ_BLOB]);
	fprintf(f, "      trees   : %10llu\n", (unsigned long long)s->nobj[PMDB_OBJ_TREE]);
	fprintf(f, "      commits : %10llu\n", (unsigned long long)s->nobj[PMDB_OBJ_COMMIT]);
	fprintf(f, "      tags    : %10llu\n", (unsigned long long)s->nobj[PMDB_OBJ_TAG]);
	fprintf(f, "Total branches: %10zu\n", s->nbranches);
	fprintf(f, "Total tags    : %10zu\n", s->ntags);
	fprintf(f, "Highest mark  : %10llu\n", (unsigned long long)s->marks.max);
	fprintf(f, "Bytes read    : %10llu\n", (unsigned long long)fi_bytes_read(s));
	fprintf(f, "Seconds       : %10.3f (%.1f MB/s)\n", secs,
		secs > 0 ? (double)fi_bytes_read(s) / 1e6 / secs : 0.0);
	fprintf(f, "---------------------------------------------------------------------\n");
}
