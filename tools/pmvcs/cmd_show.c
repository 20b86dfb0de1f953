/*
 * cmd_show.c -- pmvcs show: a commit with its diff against its first
 * parent, a tag and what it tags, a tree's names or a blob's bytes.
 *
 * Differs from git: merges print the header only (git prints a combined
 * diff); renames are shown as delete + add (as --no-renames).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diff.h"
#include "pretty.h"

static const char *const show_usage[] = {
	"pmvcs show [<options>] <object>...",
	NULL
};

/* show_commit -- header, then the patch against the first parent. */
static int
show_commit(vcs_repo *repo, vcs_str *out, const pmdb_oid *oid,
	    const vcs_diff_opts *o, const pmvcs_pretty_opt *p)
{
	vcs_commit c;
	vcs_str diff = VCS_STR_INIT;
	pmdb_oid ptree;
	int rc = vcs_commit_read(repo, NULL, oid, &c);

	if (rc)
		return rc;
	rc = vcs_pretty_commit(repo, out, oid, &c, &p->o);
	if (!rc && p->o.how == VCS_PRETTY_FORMAT && p->tformat &&
	    *p->o.format)
		rc = vcs_str_adds(out, "\n");
	if (!rc && c.nparents <= 1 && !p->no_patch) {
		if (c.nparents == 1)
			rc = vcs_peel(repo, &c.parents[0], PMDB_OBJ_TREE, &ptree);
		rc = rc ? rc : vcs_diff_trees(repo, c.nparents ? &ptree : NULL,
					      &c.tree, o, &diff, NULL);
		if (!rc && diff.len) {
			rc = vcs_str_adds(out, "\n");
			rc = rc ? rc : vcs_str_add(out, diff.data, diff.len);
			if (rc)
				rc = vcs_seterr(rc, "out of memory");
		}
	}
	vcs_str_free(&diff);
	vcs_commit_clear(&c);
	return rc;
}

/* show_one -- dispatch on the object's type. */
static int
show_one(pmvcs_ctx *ctx, vcs_repo *repo, const char *spec,
	 const vcs_diff_opts *o, const pmvcs_pretty_opt *p)
{
	pmdb_oid oid;
	pmdb_otype type;
	vcs_str out = VCS_STR_INIT, data = VCS_STR_INIT;
	char h[PMDB_OID_HEXMAX + 1];
	int rc = vcs_revparse(repo, spec, &oid);

	if (rc)
		return pmvcs_report(ctx, rc, NULL, 0);
	rc = vcs_object_read(repo, NULL, &oid, &type, &data);
	while (!rc && type == PMDB_OBJ_TAG) {
		vcs_tag t;
		if ((rc = vcs_tag_parse(&t, data.data, data.len, repo->algo)))
			break;
		/* each append is checked: output with a piece missing must
		 * not pass for the whole object */
		rc = vcs_str_addf(&out, "tag %s\n", t.tag);
		if (!rc && t.tagger) {
			const char *name, *email, *date;
			size_t nl, el;
			if (!vcs_ident_split(t.tagger, &name, &nl, &email, &el, &date)) {
				rc = vcs_str_adds(&out, "Tagger: ");
				rc = rc ? rc : vcs_str_add(&out, name, nl);
				rc = rc ? rc : vcs_str_adds(&out, " <");
				rc = rc ? rc : vcs_str_add(&out, email, el);
				rc = rc ? rc : vcs_str_adds(&out, ">\nDate:   ");
				rc = rc ? rc : vcs_pretty_date(&out, date);
				rc = rc ? rc : vcs_str_adds(&out, "\n");
			}
		}
		rc = rc ? rc : vcs_str_adds(&out, "\n");
		rc = rc ? rc : vcs_str_add(&out, t.message, t.message_len);
		rc = rc ? rc : vcs_str_adds(&out, "\n");
		oid = t.object;
		vcs_tag_clear(&t);
		if (rc) {
			rc = vcs_seterr(rc, "out of memory");
			break;
		}
		vcs_str_reset(&data);
		rc = vcs_object_read(repo, NULL, &oid, &type, &data);
	}
	if (rc)
		goto out;
	if (type == PMDB_OBJ_COMMIT) {
		rc = show_commit(repo, &out, &oid, o, p);
	} else if (type == PMDB_OBJ_TREE) {
		vcs_tree t;
		if (vcs_str_addf(&out, "tree %s\n\n", spec))
			rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
		else if (!(rc = vcs_tree_parse(&t, data.data, data.len, repo->algo))) {
			for (size_t i = 0; !rc && i < t.n; i++) {
				rc = vcs_quote_path(&out, t.entries[i].name,
						    t.entries[i].name_len);
				rc = rc ? rc : vcs_str_adds(&out, t.entries[i].mode ==
							    VCS_MODE_TREE ? "/\n" : "\n");
			}
			vcs_tree_clear(&t);
			if (rc)
				rc = vcs_seterr(rc, "out of memory");
		}
	} else if (vcs_str_add(&out, data.data, data.len)) {
		rc = vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
out:
	if (rc)
		rc = pmvcs_report(ctx, rc, vcs_oid_hex(repo, &oid, h), 0);
	else
		if (out.len)
			fwrite(out.data, 1, out.len, ctx->out);
	vcs_str_free(&out);
	vcs_str_free(&data);
	return rc;
}

/* cmd_show -- entry point. */
int
cmd_show(pmvcs_ctx *ctx)
{
	vcs_diff_opts o = VCS_DIFF_OPTS_INIT;
	pmvcs_pretty_opt p = PMVCS_PRETTY_OPT_INIT;
	vcs_repo *repo;
	int rc = 0, n = 0;

	const pmvcs_option opts[] = {
		OPT_PMVCS_DIFF_FORMAT(&o),
		OPT_PMVCS_PRETTY(&p),
		OPT_BOOL('s', NULL, &p.no_patch, "suppress diff output"),
		OPT_END()
	};

	if ((n = pmvcs_parse_revs(ctx, opts, show_usage)) < 0)
		return -n;
	if (pmvcs_pretty_check(ctx, &p))
		return PMVCS_EXIT_FATAL;
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	/* once per command: it costs a pmdb_env_stat */
	o.abbrev = p.o.abbrev = vcs_default_abbrev(repo);
	o.big = pmvcs_big_threshold(ctx);
	for (int i = 0; i < n && !rc; i++)
		rc = show_one(ctx, repo, ctx->argv[i], &o, &p);
	if (!n)
		rc = show_one(ctx, repo, "HEAD", &o, &p);
	vcs_repo_free(repo);
	return rc;
}
