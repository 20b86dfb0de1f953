/*
 * cmd_remote.c -- pmvcs remote [-v | add <name> <url> | remove <name> |
 * rename <old> <new>]: git remotes in .pmvcs/config (remote.<name>.url,
 * remote.<name>.fetch), with git's messages and exit codes.
 */
#define _GNU_SOURCE     /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "remote_git.h"

static const char *const remote_usage[] = {
	"pmvcs remote [-v | --verbose]",
	"pmvcs remote add <name> <url>",
	"pmvcs remote rename <old> <new>",
	"pmvcs remote remove <name>",
	NULL
};

/** config_file -- the repository's config file into buf; 0 or 128. */
static int
config_file(pmvcs_ctx *ctx, char *root, size_t rsize, char *buf, size_t size)
{
	if (pmvcs_find_root(ctx, root, rsize) < 0)
		return pmvcs_fatal(ctx, "not a pmvcs repository: %s", ctx->cwd);
	snprintf(buf, size, "%s/%s/config", root, VCS_DOTDIR);
	return 0;
}

/** set -- one key of the file; 0, or 128 after the message. */
static int
set(pmvcs_ctx *ctx, const char *file, const char *key, const char *value)
{
	int code;

	if (vcs_config_set_in_file(file, file, key, value, VCS_CONFIG_SET_ALL,
				   &code) < 0 && !(code == 5 && !value))
		return pmvcs_fatal(ctx, "%s: %s", file, vcs_errmsg());
	return 0;
}

/** each_name -- the configured remotes, in order of first appearance:
 *  cb(name) for each; stops at a nonzero return. */
static int
each_name(const vcs_config *cfg, int (*cb)(void *, const char *), void *arg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const char *k = cfg->v[i].key, *dot;
		if (strncmp(k, "remote.", 7) || !(dot = strrchr(k + 7, '.')) ||
		    dot == k + 7)
			continue;
		int first = 1;
		size_t len = (size_t)(dot - (k + 7));
		for (size_t j = 0; j < i && first; j++) {
			const char *o = cfg->v[j].key;
			const char *od = strrchr(o, '.');
			if (!strncmp(o, "remote.", 7) && od &&
			    (size_t)(od - (o + 7)) == len && !strncmp(o + 7, k + 7, len))
				first = 0;
		}
		if (!first)
			continue;
		char name[512];
		snprintf(name, sizeof(name), "%.*s", (int)len, k + 7);
		int rc = cb(arg, name);
		if (rc)
			return rc;
	}
	return 0;
}

typedef struct list_ctx {
	pmvcs_ctx *ctx;
	int verbose;
	const char *find;       /**< looking for this name */
} list_ctx;

static int
list_one(void *arg, const char *name)
{
	list_ctx *l = arg;

	if (l->find)
		return !strcmp(name, l->find);
	if (!l->verbose) {
		fprintf(l->ctx->out, "%s\n", name);
		return 0;
	}
	const char *url = pmvcs_remote_url(l->ctx, name);
	fprintf(l->ctx->out, "%s\t%s (fetch)\n%s\t%s (push)\n", name,
		url ? url : "", name, url ? url : "");
	return 0;
}

/** exists -- 1 if the remote is configured. */
static int
exists(pmvcs_ctx *ctx, const char *name)
{
	const vcs_config *cfg;
	list_ctx l = { ctx, 0, name };

	return !pmvcs_config(ctx, &cfg) && each_name(cfg, list_one, &l) == 1;
}

static int
add(pmvcs_ctx *ctx, const char *name, const char *url)
{
	char root[4096], file[4200], key[600], spec[1200];
	int rc;

	if ((rc = config_file(ctx, root, sizeof(root), file, sizeof(file))))
		return rc;
	snprintf(key, sizeof(key), "refs/remotes/%s/HEAD", name);
	if (!pmdb_ref_name_valid(key)) {
		fprintf(ctx->err, "fatal: '%s' is not a valid remote name\n", name);
		return PMVCS_EXIT_FATAL;
	}
	if (exists(ctx, name)) {
		fprintf(ctx->err, "error: remote %s already exists.\n", name);
		return 3;
	}
	snprintf(key, sizeof(key), "remote.%s.url", name);
	if ((rc = set(ctx, file, key, url)))
		return rc;
	snprintf(key, sizeof(key), "remote.%s.fetch", name);
	snprintf(spec, sizeof(spec), "+refs/heads/*:refs/remotes/%s/*", name);
	return set(ctx, file, key, spec);
}

/** ref_names -- collect the refs under a prefix (pmdb_ref_foreach). */
typedef struct refs_acc {
	char **names;
	pmdb_oid *oids;
	size_t n;
	int nomem;
} refs_acc;

static int
acc_ref(const char *name, const pmdb_oid *oid, const char *target, void *c)
{
	refs_acc *a = c;

	if (target && *target)
		return 0;       /* symbolic (refs/remotes/<name>/HEAD): dropped */
	char **nn = realloc(a->names, (a->n + 1) * sizeof(*nn));
	pmdb_oid *no = nn ? realloc(a->oids, (a->n + 1) * sizeof(*no)) : NULL;
	if (nn)
		a->names = nn;
	if (!no || !(a->names[a->n] = strdup(name))) {
		a->nomem = 1;
		return 1;
	}
	a->oids = no;
	a->oids[a->n++] = *oid;
	return 0;
}

/** move_refs -- the refs under refs/remotes/<from>/ to <to> (NULL: delete), one txn. */
static int
move_refs(pmvcs_ctx *ctx, const char *from, const char *to)
{
	char prefix[600], nref[1200], msg[1300];
	refs_acc a = { 0 };
	pmdb_txn *txn = NULL;
	vcs_repo *repo = pmvcs_open_repo(ctx);
	int rc = 0;

	if (!repo)
		return PMVCS_EXIT_FATAL;
	snprintf(prefix, sizeof(prefix), "refs/remotes/%s/", from);
	if (pmdb_ref_foreach(repo->env, prefix, acc_ref, &a) || a.nomem)
		rc = pmvcs_fatal(ctx, "listing %s: out of memory", prefix);
	if (!rc && a.n && (rc = pmdb_txn_begin(repo->env, &txn)) < 0)
		rc = pmvcs_report(ctx, rc, "starting a transaction", 0);
	for (size_t i = 0; !rc && i < a.n; i++) {
		if (to) {
			snprintf(nref, sizeof(nref), "refs/remotes/%s/%s", to,
				 a.names[i] + strlen(prefix));
			snprintf(msg, sizeof(msg), "remote: renamed %s to %s",
				 a.names[i], nref);
			if (pmvcs_ref_set(ctx, repo, txn, nref, &a.oids[i],
					  PMDB_EXPECT_ABSENT, msg) < 0)
				rc = pmvcs_report(ctx, -1, nref, 0);
		}
		vcs_ref_change c = { .name = a.names[i], .expect = &a.oids[i] };
		if (!rc && vcs_ref_update(repo, txn, &c) < 0)
			rc = pmvcs_report(ctx, -1, a.names[i], 0);
	}
	if (txn && !rc && (rc = pmdb_txn_commit(txn)) < 0)
		rc = pmvcs_report(ctx, rc, "renaming remote-tracking refs", 0);
	else if (txn && rc)
		pmdb_txn_abort(txn);
	for (size_t i = 0; i < a.n; i++)
		free(a.names[i]);
	free(a.names);
	free(a.oids);
	vcs_repo_free(repo);
	return rc;
}

/** rm_one -- nftw callback of the mirror's removal (depth first). */
static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int
remove_remote(pmvcs_ctx *ctx, const char *name)
{
	char root[4096], file[4200], key[600], m[4096];
	int rc;

	if ((rc = config_file(ctx, root, sizeof(root), file, sizeof(file))))
		return rc;
	if (!exists(ctx, name)) {
		fprintf(ctx->err, "error: No such remote: '%s'\n", name);
		return 2;
	}
	if ((rc = move_refs(ctx, name, NULL)))
		return rc;
	snprintf(key, sizeof(key), "remote.%s.url", name);
	if ((rc = set(ctx, file, key, NULL)))
		return rc;
	snprintf(key, sizeof(key), "remote.%s.fetch", name);
	if ((rc = set(ctx, file, key, NULL)))
		return rc;
	/* the remote's mirror is ours: it goes with the remote */
	if (!pmvcs_remote_mirror(root, name, m, sizeof(m)) &&
	    nftw(m, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return pmvcs_fatal(ctx, "removing %s: %s", m, strerror(errno));
	return 0;
}

static int
rename_remote(pmvcs_ctx *ctx, const char *from, const char *to)
{
	char root[4096], file[4200], key[600], m1[4096], m2[4096];
	int rc;

	if ((rc = config_file(ctx, root, sizeof(root), file, sizeof(file))))
		return rc;
	if (!exists(ctx, from)) {
		fprintf(ctx->err, "error: No such remote: '%s'\n", from);
		return 2;
	}
	if (exists(ctx, to)) {
		fprintf(ctx->err, "error: remote %s already exists.\n", to);
		return 3;
	}
	char *url = strdup(pmvcs_remote_url(ctx, from));
	if (!url)
		return pmvcs_fatal(ctx, "out of memory");
	rc = add(ctx, to, url);
	free(url);
	if (rc || (rc = move_refs(ctx, from, to)))
		return rc;
	snprintf(key, sizeof(key), "remote.%s.url", from);
	if ((rc = set(ctx, file, key, NULL)))
		return rc;
	snprintf(key, sizeof(key), "remote.%s.fetch", from);
	if ((rc = set(ctx, file, key, NULL)))
		return rc;
	if (!pmvcs_remote_mirror(root, from, m1, sizeof(m1)) &&
	    !pmvcs_remote_mirror(root, to, m2, sizeof(m2)) &&
	    rename(m1, m2) < 0 && errno != ENOENT)
		return pmvcs_fatal(ctx, "%s: %s", m1, strerror(errno));
	return 0;
}

int
cmd_remote(pmvcs_ctx *ctx)
{
	int verbose = 0, n;
	const pmvcs_option opts[] = {
		OPT__VERBOSE(&verbose, "be verbose; must be placed before a "
			     "subcommand"),
		OPT_END()
	};

	if ((n = pmvcs_parse(ctx, opts, remote_usage,
			     PMVCS_PARSE_STOP_AT_NON_OPTION)) < 0)
		return PMVCS_EXIT_USAGE;
	char **a = ctx->argv;
	if (!n) {
		const vcs_config *cfg;
		list_ctx l = { ctx, verbose, NULL };
		if (pmvcs_config(ctx, &cfg))
			return PMVCS_EXIT_FATAL;
		return each_name(cfg, list_one, &l);
	}
	if (!strcmp(a[0], "add") && n == 3)
		return add(ctx, a[1], a[2]);
	if ((!strcmp(a[0], "remove") || !strcmp(a[0], "rm")) && n == 2)
		return remove_remote(ctx, a[1]);
	if (!strcmp(a[0], "rename") && n == 3)
		return rename_remote(ctx, a[1], a[2]);
	return pmvcs_usage(ctx, remote_usage, opts);
}
