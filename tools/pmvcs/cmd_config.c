/*
 * cmd_config.c -- pmvcs config: git config's syntax, files, messages and
 * exit codes (1 not found / bad key, 2 no section, 3 invalid file, 4
 * cannot write, 5 nothing to unset or several values, 128 fatal, 129
 * usage). Value patterns, --get-regexp, --rename-section and editors are
 * not there (docs/config.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"

static const char *const config_usage[] = {
	"pmvcs config [<options>]",
	NULL
};

enum action {
	A_NONE, A_GET, A_GET_ALL, A_LIST, A_ADD, A_REPLACE_ALL, A_UNSET,
	A_UNSET_ALL
};
enum type { T_NONE, T_BOOL, T_INT };

/* The parsed command line. */
typedef struct opts {
	enum action action;
	unsigned actions;        /* 1 << each action given */
	enum type type;
	unsigned types;          /* 1 << each type given */
	int scope;               /* -1 all, else a vcs_config_scope */
	int global, system, local;
	const char *file;        /* --file */
	int show_origin, includes;
	const char **args;       /* the operands */
	int nargs;
	const pmvcs_option *table;
} opts;

/* usage_err -- git's "error: <why>" then the usage, exit 129 */
static int
usage_err(pmvcs_ctx *ctx, const opts *o, const char *why)
{
	if (why)
		fprintf(ctx->err, "error: %s\n", why);
	return pmvcs_usage(ctx, config_usage, o->table);
}

/* bit_cb -- an action or a type: git's OPT_BIT, checked after parsing */
static int
bit_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	(void)arg;
	(void)unset;
	(void)err;
	*(unsigned *)opt->value |= 1u << opt->defval;
	return 0;
}

/* type_cb -- --type=<type> */
static int
type_cb(const pmvcs_option *opt, const char *arg, int unset, FILE *err)
{
	(void)unset;
	if (!arg || (strcmp(arg, "bool") && strcmp(arg, "int")))
		return pmvcs_opt_error(err, "unrecognized --type argument, %s",
				       arg ? arg : "");
	*(unsigned *)opt->value |= 1u << (arg[0] == 'b' ? T_BOOL : T_INT);
	return 0;
}

/* only_one -- the single bit set in bits, -1 for several, def for none */
static int
only_one(unsigned bits, int def)
{
	int which = def;

	for (int b = 0; b < 32; b++) {
		if (!(bits & (1u << b)))
			continue;
		if (which != def)
			return -1;
		which = b;
	}
	return which;
}

/* parse_args -- 0, or an exit code */
static int
parse_args(pmvcs_ctx *ctx, opts *o, const pmvcs_option *table)
{
	int n, a, t;

	o->table = table;
	if ((n = pmvcs_parse(ctx, table, config_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	o->args = (const char **)ctx->argv;
	o->nargs = n;
	if (o->global + o->system + o->local + !!o->file > 1)
		return usage_err(ctx, o, "only one config file at a time");
	o->scope = o->global ? VCS_CONFIG_GLOBAL : o->system ?
		   VCS_CONFIG_SYSTEM : o->local ? VCS_CONFIG_LOCAL :
		   o->file ? VCS_CONFIG_COMMAND : -1;
	if ((t = only_one(o->types, T_NONE)) < 0)
		return usage_err(ctx, o, "only one type at a time");
	o->type = (enum type)t;
	if ((a = only_one(o->actions, A_NONE)) < 0)
		return usage_err(ctx, o, "only one action at a time");
	o->action = (enum action)a;
	return 0;
}

/* check_argc -- git's check_argc() */
static int
check_argc(pmvcs_ctx *ctx, const opts *o, int min, int max)
{
	char why[80];

	if (o->nargs >= min && o->nargs <= max)
		return 0;
	if (min == max)
		snprintf(why, sizeof(why), "wrong number of arguments, "
			 "should be %d", min);
	else
		snprintf(why, sizeof(why), "wrong number of arguments, "
			 "should be from %d to %d", min, max);
	return usage_err(ctx, o, why);
}

/* show_value -- a value as --type formats it; 0 or 128 */
static int
show_value(pmvcs_ctx *ctx, const opts *o, const vcs_config_entry *e)
{
	long long n;
	const char *why;
	int b;

	switch (o->type) {
	case T_BOOL:
		if ((b = vcs_config_bool(e->value)) < 0) {
			fprintf(ctx->err, "fatal: bad boolean config value "
				"'%s' for '%s'\n", e->value, e->key);
			return PMVCS_EXIT_FATAL;
		}
		fputs(b ? "true" : "false", ctx->out);
		return 0;
	case T_INT:
		if (vcs_config_int(e->value, &n, &why)) {
			fprintf(ctx->err, "fatal: bad numeric config value '%s' "
				"for '%s'", e->value ? e->value : "", e->key);
			if (!strncmp(e->origin, "file:", 5))
				fprintf(ctx->err, " in file %s", e->origin + 5);
			fprintf(ctx->err, ": %s\n", why);
			return PMVCS_EXIT_FATAL;
		}
		fprintf(ctx->out, "%lld", n);
		return 0;
	case T_NONE:
		break;
	}
	if (e->value)
		fputs(e->value, ctx->out);
	return 0;
}

/* do_read -- --get, --get-all, --list */
static int
do_read(pmvcs_ctx *ctx, const opts *o, const vcs_config *cfg)
{
	char *key = NULL;
	size_t last = cfg->n;
	int found = 0, rc = 0;

	if (o->action != A_LIST) {
		if (vcs_config_parse_key(o->args[0], &key, NULL, NULL)) {
			fprintf(ctx->err, "error: %s\n", vcs_errmsg());
			return PMVCS_EXIT_DIFF;
		}
		for (size_t i = 0; i < cfg->n; i++)
			if (!strcmp(cfg->v[i].key, key))
				last = i;
	}
	for (size_t i = 0; i < cfg->n && !rc; i++) {
		const vcs_config_entry *e = &cfg->v[i];

		if (key && (strcmp(e->key, key) ||
			    (o->action == A_GET && i != last)))
			continue;
		found = 1;
		if (o->show_origin)
			fprintf(ctx->out, "%s\t", e->origin);
		if (o->action == A_LIST) {
			fputs(e->key, ctx->out);
			if (e->value || o->type != T_NONE)
				fputc('=', ctx->out);
			if (!e->value && o->type == T_NONE) {
				fputc('\n', ctx->out);
				continue;
			}
		}
		if (!(rc = show_value(ctx, o, e)))
			fputc('\n', ctx->out);
	}
	free(key);
	return rc ? rc : found || o->action == A_LIST ? 0 : PMVCS_EXIT_DIFF;
}

/* normalize -- the value --type=bool/int writes; NULL after a fatal */
static const char *
normalize(pmvcs_ctx *ctx, const opts *o, const char *key, const char *v,
	  char *buf, size_t size)
{
	vcs_config_entry e = { (char *)key, (char *)v, "", VCS_CONFIG_LOCAL };
	long long n;
	const char *why;
	int b;

	if (o->type == T_BOOL) {
		if ((b = vcs_config_bool(v)) < 0) {
			show_value(ctx, o, &e);
			return NULL;
		}
		return b ? "true" : "false";
	}
	if (o->type == T_INT) {
		if (vcs_config_int(v, &n, &why)) {
			show_value(ctx, o, &e);
			return NULL;
		}
		snprintf(buf, size, "%lld", n);
		return buf;
	}
	return v;
}

/* do_write -- set, --add, --replace-all, --unset, --unset-all */
static int
do_write(pmvcs_ctx *ctx, const opts *o, const char *real, const char *shown)
{
	static const int how_of[] = {
		[A_NONE] = VCS_CONFIG_SET_REPLACE, [A_ADD] = VCS_CONFIG_SET_ADD,
		[A_REPLACE_ALL] = VCS_CONFIG_SET_ALL,
		[A_UNSET] = VCS_CONFIG_SET_REPLACE,
		[A_UNSET_ALL] = VCS_CONFIG_SET_ALL,
	};
	const char *value = o->nargs > 1 ? o->args[1] : NULL;
	char buf[32], *canon = NULL;
	int code = 0, err;

	if (value && !(value = normalize(ctx, o, o->args[0], value, buf,
					 sizeof(buf))))
		return PMVCS_EXIT_FATAL;
	err = vcs_config_set_in_file(real, shown, o->args[0], value,
				     how_of[o->action], &code);
	if (!err)
		return 0;
	if (code == 5) {
		if (err == PMDB_EEXISTS &&
		    !vcs_config_parse_key(o->args[0], &canon, NULL, NULL))
			fprintf(ctx->err, "warning: %s has multiple values\n",
				canon);
		if (err == PMDB_EEXISTS && value)
			fprintf(ctx->err, "error: cannot overwrite multiple "
				"values with a single value\n       Use a "
				"regexp, --add or --replace-all to change "
				"%s.\n", o->args[0]);
		free(canon);
		return code;
	}
	fprintf(ctx->err, "%s: %s\n", code == 128 ? "fatal" : "error",
		vcs_errmsg());
	return code ? code : PMVCS_EXIT_FATAL;
}

#define ACTION(l, a, h) { PMVCS_OPT_CALLBACK, 0, (l), &o.actions, NULL, (h), \
		 PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, (a), bit_cb }

/** cmd_config -- "pmvcs config [<options>] <name> [<value>]". */
int
cmd_config(pmvcs_ctx *ctx)
{
	opts o = { .action = A_NONE, .type = T_NONE, .scope = -1,
		   .includes = -1 };
	const pmvcs_option table[] = {
		OPT_GROUP("Config file location"),
		OPT_BOOL(0, "global", &o.global, "use global config file"),
		OPT_BOOL(0, "system", &o.system, "use system config file"),
		OPT_BOOL(0, "local", &o.local, "use repository config file"),
		OPT_STRING('f', "file", &o.file, "file", "use given config file"),
		OPT_GROUP("Action"),
		ACTION("get", A_GET, "get value: name [value-pattern]"),
		ACTION("get-all", A_GET_ALL, "get all values: key [value-pattern]"),
		ACTION("replace-all", A_REPLACE_ALL, "replace all matching "
		       "variables: name value [value-pattern]"),
		ACTION("add", A_ADD, "add a new variable: name value"),
		ACTION("unset", A_UNSET, "remove a variable: name [value-pattern]"),
		ACTION("unset-all", A_UNSET_ALL, "remove all matches: name "
		       "[value-pattern]"),
		{ PMVCS_OPT_CALLBACK, 'l', "list", &o.actions, NULL, "list all",
		  PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, A_LIST, bit_cb },
		OPT_GROUP("Type"),
		OPT_CALLBACK_F('t', "type", &o.types, "type", "value is given "
			       "this type", PMVCS_OPTF_NONEG, type_cb),
		{ PMVCS_OPT_CALLBACK, 0, "bool", &o.types, NULL, "value is "
		  "\"true\" or \"false\"", PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG,
		  T_BOOL, bit_cb },
		{ PMVCS_OPT_CALLBACK, 0, "int", &o.types, NULL, "value is "
		  "decimal number", PMVCS_OPTF_NOARG | PMVCS_OPTF_NONEG, T_INT,
		  bit_cb },
		OPT_GROUP("Other"),
		OPT_BOOL(0, "includes", &o.includes, "respect include "
			 "directives on lookup"),
		OPT_BOOL(0, "show-origin", &o.show_origin, "show origin of "
			 "config (file, standard input, blob, command line)"),
		OPT_END()
	};
	vcs_config cfg = VCS_CONFIG_INIT;
	vcs_config_files files;
	char root[4096];
	int rc, in_repo = pmvcs_find_root(ctx, root, sizeof(root)) == 0;
	int writing, pattern = 0;

	if ((rc = parse_args(ctx, &o, table)))
		return rc;
	if (o.action == A_NONE && o.nargs == 0)
		return usage_err(ctx, &o, NULL);
	if (o.action == A_NONE)
		o.action = o.nargs == 1 ? A_GET : A_NONE;
	switch (o.action) {
	case A_LIST:
		rc = check_argc(ctx, &o, 0, 0);
		break;
	case A_GET:
	case A_GET_ALL:
	case A_UNSET:
	case A_UNSET_ALL:
		rc = check_argc(ctx, &o, 1, 2);
		pattern = o.nargs == 2;
		break;
	case A_ADD:
		rc = check_argc(ctx, &o, 2, 2);
		break;
	default:
		rc = check_argc(ctx, &o, 2, 3);
		pattern = o.nargs == 3;
		break;
	}
	if (rc)
		return rc;
	if (pattern)
		return usage_err(ctx, &o, "value patterns are not supported");
	writing = o.action != A_GET && o.action != A_GET_ALL &&
		  o.action != A_LIST;
	if (o.scope == -1 && writing)
		o.scope = VCS_CONFIG_LOCAL;
	files.n = 0;
	if (o.scope == VCS_CONFIG_COMMAND) {         /* --file */
		files.n = 1;
		snprintf(files.shown[0], sizeof(files.shown[0]), "%s", o.file);
		if (snprintf(files.real[0], sizeof(files.real[0]), "%s%s%s",
			     o.file[0] == '/' ? "" : ctx->cwd,
			     o.file[0] == '/' ? "" : "/", o.file) >=
		    (int)sizeof(files.real[0]))
			return pmvcs_fatal(ctx, "config: path too long");
	} else if (o.scope == VCS_CONFIG_SYSTEM) {
		const char *sys = pmvcs_getenv(ctx, "GIT_CONFIG_SYSTEM");

		files.n = 1;
		snprintf(files.shown[0], sizeof(files.shown[0]), "%s",
			 sys ? sys : "/etc/gitconfig");
		memcpy(files.real[0], files.shown[0], sizeof(files.real[0]));
	} else if (o.scope == VCS_CONFIG_LOCAL && !in_repo) {
		fprintf(ctx->err, "fatal: %s\n", o.local ?
			"--local can only be used inside a pmvcs repository" :
			"not in a pmvcs directory");
		return PMVCS_EXIT_FATAL;
	} else if (o.scope != -1 &&
		   vcs_config_scope_files(&files, o.scope, 1,
					  in_repo ? root : NULL, ctx->cwd,
					  pmvcs_getenv, ctx)) {
		fprintf(ctx->err, "fatal: $HOME not set\n");
		return PMVCS_EXIT_FATAL;
	}
	/* git reads every file at startup: a broken one is fatal first */
	cfg.no_includes = o.includes == 0;
	if ((rc = pmvcs_config_load(ctx, &cfg)) || writing) {
		/* git's write path loads a config set, which refuses these */
		for (size_t i = 0; !rc && i < cfg.n; i++)
			if (!strchr(cfg.v[i].key, '.'))
				fprintf(ctx->err, "error: key does not contain "
					"a section: %s\n", cfg.v[i].key);
		vcs_config_free(&cfg);
		return rc ? rc : do_write(ctx, &o, files.real[0],
					  files.shown[0]);
	}
	if (o.scope != -1) {
		vcs_config_free(&cfg);
		cfg.dotdir = NULL;
		cfg.no_includes = o.includes != 1;
		cfg.getenv_fn = pmvcs_getenv;
		cfg.env_ctx = ctx;
		if (vcs_config_read_file(&cfg, files.shown[0], files.real[0],
					 (vcs_config_scope)o.scope)) {
			fprintf(ctx->err, "fatal: %s\n", vcs_errmsg());
			rc = PMVCS_EXIT_FATAL;
		}
	}
	if (!rc)
		rc = do_read(ctx, &o, &cfg);
	vcs_config_free(&cfg);
	return rc;
}
