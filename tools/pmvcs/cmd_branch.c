/*
 * cmd_branch.c -- pmvcs branch: list, create, delete, rename or copy
 * branches. Each is one transaction of compare-and-swap ref updates, with
 * git's reflog lines (a renamed branch keeps its log, docs/undo.md).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cmd.h"
#include "diff.h"
#include "fsck.h"
#include "worktree.h"

static const char *const branch_usage[] = {
	"pmvcs branch [<options>] [-v] [-l | --list]",
	"pmvcs branch [<options>] [-f] <branch-name> [<start-point>]",
	"pmvcs branch [<options>] (-d | -D) <branch-name>...",
	"pmvcs branch [<options>] (-m | -M) [<old-branch>] <new-branch>",
	"pmvcs branch [<options>] (-c | -C) [<old-branch>] <new-branch>",
	NULL
};

/** list_state -- what the listing callback needs. */
typedef struct list_state {
	pmvcs_ctx *ctx;
	vcs_repo *repo;
	const char *head_ref;
	int verbose;
	int width;
	int pass;              /**< 0: measure names, 1: print */
	int err;               /**< a failure stopped the listing */
} list_state;

/** list_cb -- print (or measure) one branch. */
static int
list_cb(const char *name, const pmdb_oid *oid, const char *target, void *v)
{
	list_state *ls = v;
	const char *shortname = name + 11;
	vcs_str line = VCS_STR_INIT;

	if (ls->pass == 0) {
		int w = (int)strlen(shortname);
		if (w > ls->width)
			ls->width = w;
		return 0;
	}
	fprintf(ls->ctx->out, "%c ", !strcmp(name, ls->head_ref) ? '*' : ' ');
	if (!ls->verbose || target[0]) {
		fprintf(ls->ctx->out, "%s\n", shortname);
		return 0;
	}
	/* a commit that cannot be read stops the listing: a line without
	 * its subject would look like a complete answer */
	ls->err = vcs_commit_oneline(ls->repo, oid, &line);
	if (!ls->err)
		fprintf(ls->ctx->out, "%-*s %s\n", ls->width, shortname, line.data);
	vcs_str_free(&line);
	return ls->err;
}

/** list_branches -- "pmvcs branch [-v]". */
static int
list_branches(pmvcs_ctx *ctx, vcs_repo *repo, const char *head_ref,
	      int verbose)
{
	list_state ls = { ctx, repo, head_ref, verbose, 0, 0, 0 };
	pmdb_oid head;
	vcs_str line = VCS_STR_INIT;
	char hex[PMDB_OID_HEXMAX + 1];
	int rc = 0;

	if (!head_ref[0] && (rc = pmdb_ref_read(repo->env, "HEAD", &head, NULL)) == 0) {
		if (verbose && (rc = vcs_commit_oneline(repo, &head, &line)))
			return pmvcs_report(ctx, rc, "HEAD", 0);
		vcs_oid_abbrev(repo, &head, 7, hex);
		fprintf(ctx->out, "* (HEAD detached at %s)", hex);
		if (verbose)
			fprintf(ctx->out, " %s", line.data);
		fputc('\n', ctx->out);
		vcs_str_free(&line);
	} else if (rc && rc != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(rc, "HEAD");
		return pmvcs_report(ctx, rc, "listing branches", 0);
	}
	if (verbose)
		rc = pmdb_ref_foreach(repo->env, "refs/heads/", list_cb, &ls);
	ls.pass = 1;
	if (!rc)
		rc = pmdb_ref_foreach(repo->env, "refs/heads/", list_cb, &ls);
	if (rc) {
		if (!ls.err)
			pmvcs_ref_read_error(rc, "refs");
		return pmvcs_report(ctx, rc, "listing branches", 0);
	}
	return PMVCS_EXIT_OK;
}

/** git_fatal -- git's "fatal: <msg>" (its words, where pmvcs copies
 *  them: branch names, refusals); return 128. */
static int __attribute__((format(printf, 2, 3)))
git_fatal(pmvcs_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("fatal: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
	return PMVCS_EXIT_FATAL;
}

/** branch_ref -- "refs/heads/<name>" into buf; 0 if invalid. */
static int
branch_ref(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "refs/heads/%s", name) >= size)
		return 0;
	return pmdb_ref_name_valid(buf) && strcmp(name, "HEAD") && name[0] != '-';
}

/**
 * is_ancestor -- is anc reachable from tip (walking parents)?
 * @return 1 yes, 0 no, or a negative PMDB_E* code (message in
 * vcs_errmsg) when the walk could not finish: out of memory, a commit
 * that cannot be read. An error is never taken for "no".
 */
static int
is_ancestor(vcs_repo *repo, const pmdb_oid *anc, const pmdb_oid *tip)
{
	vcs_oidset seen = VCS_OIDSET_INIT;
	pmdb_oid *queue = NULL;
	size_t n = 0, cap = 0, head = 0;
	int rc = vcs_oidset_add(&seen, tip);

	if (rc >= 0 && !(queue = malloc(sizeof(*queue) * 64)))
		rc = PMDB_ENOMEM;
	if (rc < 0) {
		rc = vcs_seterr(rc, "walking history: out of memory");
		goto out;
	}
	cap = 64;
	queue[n++] = *tip;
	rc = 0;
	while (!rc && head < n) {
		pmdb_oid cur = queue[head++];
		vcs_commit c;
		if (!memcmp(&cur, anc, sizeof(cur))) {
			rc = 1;
			break;
		}
		if ((rc = vcs_commit_read(repo, NULL, &cur, &c)))
			break;
		for (size_t i = 0; !rc && i < c.nparents; i++) {
			int added = vcs_oidset_add(&seen, &c.parents[i]);
			if (added < 0)
				rc = vcs_seterr(added, "walking history: out of memory");
			if (added <= 0)
				continue;
			if (VCS_ARRAY_GROW(queue, cap, n + 1, 64)) {
				rc = vcs_seterr(PMDB_ENOMEM, "walking history: "
						"out of memory");
				break;
			}
			queue[n++] = c.parents[i];
		}
		vcs_commit_clear(&c);
	}
out:
	free(queue);
	vcs_oidset_free(&seen);
	return rc;
}

/** delete_branches -- "-d"/"-D" each name. */
static int
delete_branches(pmvcs_ctx *ctx, vcs_repo *repo, const char *head_ref,
		char **names, int n, int force)
{
	int ret = PMVCS_EXIT_OK;
	pmdb_oid head;
	int rc = pmdb_ref_resolve(repo->env, "HEAD", &head, NULL);
	int born = rc == 0;

	if (rc && rc != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(rc, "HEAD");
		return pmvcs_report(ctx, rc, "cannot delete branch", 0);
	}
	for (int i = 0; i < n; i++) {
		char ref[PMDB_REF_NAME_MAX + 1], hex[PMDB_OID_HEXMAX + 1];
		pmdb_oid old;

		rc = branch_ref(ref, sizeof(ref), names[i]) ?
			pmdb_ref_read(repo->env, ref, &old, NULL) : PMDB_ENOTFOUND;
		if (rc == PMDB_ENOTFOUND) {
			fprintf(ctx->err, "error: branch '%s' not found.\n", names[i]);
			ret = PMVCS_EXIT_DIFF;
			continue;
		}
		if (rc) {
			/* a read that failed says nothing about the branch */
			pmvcs_ref_read_error(rc, ref);
			return pmvcs_report(ctx, rc, "cannot delete branch", 0);
		}
		if (!strcmp(ref, head_ref)) {
			fprintf(ctx->err, "error: Cannot delete branch '%s' checked "
				"out at '%s'\n", names[i], repo->worktree);
			ret = PMVCS_EXIT_DIFF;
			continue;
		}
		rc = force ? 1 : born ? is_ancestor(repo, &old, &head) : 0;
		if (rc < 0) {
			/* "not fully merged" only when the walk says so */
			char what[PMDB_REF_NAME_MAX + 64];
			snprintf(what, sizeof(what), "cannot delete branch '%s'",
				 names[i]);
			return pmvcs_report(ctx, rc, what, 0);
		}
		if (!rc) {
			fprintf(ctx->err, "error: The branch '%s' is not fully merged.\n"
				"If you are sure you want to delete it, run "
				"'pmvcs branch -D %s'.\n", names[i], names[i]);
			ret = PMVCS_EXIT_DIFF;
			continue;
		}
		rc = pmvcs_ref_delete(repo, ref, &old);
		if (rc) {
			ret = pmvcs_report(ctx, rc, "cannot delete branch", 0);
			continue;
		}
		vcs_oid_abbrev(repo, &old, 7, hex);
		fprintf(ctx->out, "Deleted branch %s (was %s).\n", names[i], hex);
	}
	return ret;
}

/**
 * create_branch -- "pmvcs branch [-f] NAME [START]". With force an existing
 * branch is moved, compare-and-swap against the value read here, except the
 * checked-out one (git refuses that too: the work tree would not follow).
 */
static int
create_branch(pmvcs_ctx *ctx, vcs_repo *repo, const char *head_ref,
	      const char *name, const char *start, int force)
{
	char ref[PMDB_REF_NAME_MAX + 1], msg[PMDB_REF_NAME_MAX + 64];
	pmdb_txn *txn = NULL;
	pmdb_oid oid, commit, old;
	const pmdb_oid *expect = PMDB_EXPECT_ABSENT;
	int rc;

	if (!branch_ref(ref, sizeof(ref), name))
		return pmvcs_fatal(ctx, "'%s' is not a valid branch name", name);
	rc = pmdb_ref_read(repo->env, ref, &old, NULL);
	if (rc && rc != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(rc, ref);
		return pmvcs_report(ctx, rc, "cannot create branch", 0);
	}
	if (rc == 0) {
		if (!force)
			return git_fatal(ctx, "a branch named '%s' already exists",
					 name);
		if (!strcmp(ref, head_ref))
			return git_fatal(ctx, "cannot force update the branch "
					 "'%s' checked out at '%s'", name,
					 repo->worktree);
		expect = &old;
	}
	/* only "names nothing" / "not a commit" get git's messages; a
	 * failed read is reported with its cause */
	rc = vcs_revparse(repo, start ? start : "HEAD", &oid);
	if (rc == PMDB_ENOTFOUND || rc == PMDB_EAMBIGUOUS)
		return pmvcs_fatal(ctx, "not a valid object name: '%s'",
				   start ? start : "HEAD");
	if (rc)
		return pmvcs_report(ctx, rc, "cannot create branch", 0);
	rc = vcs_peel(repo, &oid, PMDB_OBJ_COMMIT, &commit);
	if (rc == PMDB_EINVAL)
		return pmvcs_fatal(ctx, "cannot create branch '%s': '%s' is not "
				   "a commit", name, start ? start : "HEAD");
	if (rc)
		return pmvcs_report(ctx, rc, "cannot create branch", 0);
	/* git names the default start point by the current branch */
	snprintf(msg, sizeof(msg), "branch: %s %s",
		 expect == PMDB_EXPECT_ABSENT ? "Created from" : "Reset to",
		 start ? start : !strncmp(head_ref, "refs/heads/", 11) ?
		 head_ref + 11 : "HEAD");
	rc = pmdb_txn_begin(repo->env, &txn);
	if (!rc)
		rc = pmvcs_ref_set(ctx, repo, txn, ref, &commit, expect, msg);
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
	}
	pmdb_txn_abort(txn);
	if (rc == PMDB_ECONFLICT)
		return git_fatal(ctx, "a branch named '%s' already exists", name);
	if (rc) {
		pmvcs_ref_read_error(rc, ref);
		return pmvcs_report(ctx, rc, "cannot create branch", 0);
	}
	return PMVCS_EXIT_OK;
}

/** move_names -- the old and new names of -m/-c (one name: the current
 *  branch's new name); exit code after git's message, or -1. */
static int
move_names(pmvcs_ctx *ctx, const char *head_ref, char **names, int n,
	   int copy, const char **from, const char **to)
{
	if (!n)
		return git_fatal(ctx, "branch name required");
	if (n > 2)
		return git_fatal(ctx, copy ? "too many branches for a copy "
				 "operation" : "too many arguments for a rename "
				 "operation");
	if (n == 1 && strncmp(head_ref, "refs/heads/", 11))
		return git_fatal(ctx, "cannot %s the current branch while not "
				 "on any.", copy ? "copy" : "rename");
	*from = n == 1 ? head_ref + 11 : names[0];
	*to = names[n - 1];
	return -1;
}

/**
 * move_branch -- "-m/-M [OLD] NEW" (copy: "-c/-C"): NEW gets OLD's value
 * and reflog plus git's "Branch: renamed|copied <old> to <new>" entry;
 * a rename deletes OLD and moves HEAD along when it named OLD. One
 * transaction, compare-and-swap on both refs.
 */
static int
move_branch(pmvcs_ctx *ctx, vcs_repo *repo, const char *head_ref,
	    char **names, int n, int force, int copy)
{
	char from[PMDB_REF_NAME_MAX + 1], to[PMDB_REF_NAME_MAX + 1];
	char msg[2 * PMDB_REF_NAME_MAX + 64];
	const char *oldname = NULL, *newname = NULL;
	vcs_str ident = VCS_STR_INIT;
	pmdb_oid oid, cur;
	pmdb_txn *txn = NULL;
	int rc, exists, same, follows;

	if ((rc = move_names(ctx, head_ref, names, n, copy, &oldname,
			     &newname)) >= 0)
		return rc;
	rc = branch_ref(from, sizeof(from), oldname) ?
		pmdb_ref_read(repo->env, from, &oid, NULL) : PMDB_ENOTFOUND;
	if (rc == PMDB_ENOTFOUND)
		return git_fatal(ctx, "No branch named '%s'.", oldname);
	if (rc) {
		pmvcs_ref_read_error(rc, from);
		return pmvcs_report(ctx, rc, "branch", 0);
	}
	if (!branch_ref(to, sizeof(to), newname))
		return git_fatal(ctx, "'%s' is not a valid branch name", newname);
	same = !strcmp(from, to);
	rc = pmdb_ref_read(repo->env, to, &cur, NULL);
	if (rc && rc != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(rc, to);
		return pmvcs_report(ctx, rc, "branch", 0);
	}
	exists = rc == 0;
	if (exists && !same && !force)
		return git_fatal(ctx, "a branch named '%s' already exists",
				 newname);
	if (exists && !same && !strcmp(to, head_ref))
		return git_fatal(ctx, "cannot force update the branch '%s' "
				 "checked out at '%s'", newname, repo->worktree);
	follows = !copy && !strcmp(head_ref, from);
	snprintf(msg, sizeof(msg), "Branch: %s %s to %s",
		 copy ? "copied" : "renamed", from, to);
	{
		vcs_ref_change del = { .name = from, .expect = &oid };
		vcs_ref_change set = { .name = to, .oid = &oid,
				       .expect = exists ? &cur : PMDB_EXPECT_ABSENT };
		vcs_ref_change head = { .name = "HEAD", .target = to };

		rc = pmvcs_ref_ident(ctx, &ident);
		if (!rc && (rc = pmdb_txn_begin(repo->env, &txn)))
			rc = vcs_seterr_pmdb(rc, "starting a transaction");
		/* no ident: logged by vcs_reflog_move, which keeps the log */
		if (!rc && !copy && !same)
			rc = vcs_ref_update(repo, txn, &del);
		if (!rc)
			rc = vcs_ref_update(repo, txn, &set);
		if (!rc)
			rc = vcs_reflog_move(repo, txn, from, to, &oid, follows,
					     (char *)ident.data, msg);
		if (!rc && follows && !same)
			rc = vcs_ref_update(repo, txn, &head);
	}
	if (!rc) {
		rc = pmdb_txn_commit(txn);
		txn = NULL;
		if (rc)
			rc = vcs_seterr_pmdb(rc, to);
	}
	pmdb_txn_abort(txn);
	vcs_str_free(&ident);
	return rc ? pmvcs_report(ctx, rc, copy ? "cannot copy branch" :
				 "cannot rename branch", 0) : PMVCS_EXIT_OK;
}

/** cmd_branch -- "pmvcs branch ...". */
int
cmd_branch(pmvcs_ctx *ctx)
{
	char head_ref[PMDB_REF_NAME_MAX + 1] = "";
	int del = 0, del_force = 0, force = 0, verbose = 0, list = 0, first, ret;
	int move = 0, move_force = 0, copy = 0, copy_force = 0;
	vcs_repo *repo;
	char **pos;
	const pmvcs_option opts[] = {
		OPT__VERBOSE(&verbose, "show hash and subject"),
		OPT_GROUP("Specific git-branch actions:"),
		OPT_SET_INT('d', "delete", &del, "delete fully merged branch", 1),
		OPT_BOOL('D', NULL, &del_force, "delete branch (even if not "
			 "merged)"),
		OPT_BOOL('m', "move", &move, "move/rename a branch and its "
			 "reflog"),
		OPT_BOOL('M', NULL, &move_force, "move/rename a branch, even if "
			 "target exists"),
		OPT_BOOL('c', "copy", &copy, "copy a branch and its reflog"),
		OPT_BOOL('C', NULL, &copy_force, "copy a branch, even if target "
			 "exists"),
		OPT_BOOL('l', "list", &list, "list branch names"),
		OPT__FORCE(&force, "force creation, move/rename, deletion"),
		OPT_END()
	};

	if ((first = pmvcs_parse(ctx, opts, branch_usage,
				 PMVCS_PARSE_HELP_STDERR)) < 0)
		return PMVCS_EXIT_USAGE;
	pos = ctx->argv;
	if (del_force)          /* -D is --delete --force */
		del = force = 1;
	if (move_force)         /* -M is --move --force, -C --copy --force */
		move = force = 1;
	if (copy_force)
		copy = force = 1;
	if (!!del + !!move + !!copy + !!list > 1 ||
	    (del && !first) || (!del && !move && !copy && first > 2) ||
	    (list && first))
		return pmvcs_usage(ctx, branch_usage, opts);
	repo = pmvcs_open_repo(ctx);
	if (!repo)
		return PMVCS_EXIT_FATAL;
	/* a HEAD that cannot be read is not a detached one: -d would
	 * delete the checked-out branch */
	ret = pmdb_ref_read(repo->env, "HEAD", NULL, head_ref);
	if (ret && ret != PMDB_ENOTFOUND) {
		pmvcs_ref_read_error(ret, "HEAD");
		ret = pmvcs_report(ctx, ret, "branch", 0);
		vcs_repo_free(repo);
		return ret;
	}
	if (ret)
		head_ref[0] = '\0';
	if (del)
		ret = delete_branches(ctx, repo, head_ref, pos, first, force);
	else if (move || copy)
		ret = move_branch(ctx, repo, head_ref, pos, first, force, copy);
	else if (!first)
		ret = list_branches(ctx, repo, head_ref, verbose);
	else
		ret = create_branch(ctx, repo, head_ref, pos[0],
				    first > 1 ? pos[1] : NULL, force);
	vcs_repo_free(repo);
	return ret;
}
