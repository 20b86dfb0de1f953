/*
 * config_env.c -- where configuration comes from: the files of each
 * scope and the command scope in the environment, in git's order
 * (config.h). Ports of git's git_config_from_parameters(),
 * parse_config_env_list() and sq_dequote_step().
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* env -- the command's variable, or NULL */
static const char *
env(vcs_getenv_fn fn, void *ctx, const char *name)
{
	return fn ? fn(ctx, name) : NULL;
}

/* need_bs_quote -- git's: the two chars sq_quote escapes */
static int
need_bs_quote(char c)
{
	return c == '\'' || c == '!';
}

/* sq_dequote_step -- git's: unquote one 'word' in place; NULL if bad,
 * *next at what follows (NULL at the end) */
static char *
sq_dequote_step(char *arg, char **next)
{
	char *dst = arg, *src = arg;

	if (*src != '\'')
		return NULL;
	for (;;) {
		char c = *++src;

		if (!c)
			return NULL;
		if (c != '\'') {
			*dst++ = c;
			continue;
		}
		switch (*++src) {
		case '\0':
			*dst = '\0';
			*next = NULL;
			return arg;
		case '\\':
			if (need_bs_quote(src[1]) && src[2] == '\'') {
				*dst++ = src[1];
				src += 2;
				continue;
			}
			/* fallthrough */
		default:
			*dst = '\0';
			*next = src;
			return arg;
		}
	}
}

/* add_pair -- config_parse_pair(): canonical key, then the entry */
static int
add_pair(vcs_config *cfg, const char *key, const char *value)
{
	char *canon;
	int err;

	if (!*key)
		return vcs_seterr(PMDB_EINVAL, "empty config key");
	if ((err = vcs_config_parse_key(key, &canon, NULL, NULL)))
		return err;
	err = vcs_config__add(cfg, canon, value, NULL, VCS_CONFIG_COMMAND);
	free(canon);
	return err;
}

/* old_style -- git_config_parse_parameter(): 'key=value' */
static int
old_style(vcs_config *cfg, char *text)
{
	char *eq = strchr(text, '='), *k, *end;
	const char *value = NULL;

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	for (k = text; isspace((unsigned char)*k); k++)
		;
	end = k + strlen(k);
	while (end > k && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*k)
		return vcs_seterr(PMDB_EINVAL, "bogus config parameter: %s",
				  text);
	return add_pair(cfg, k, value);
}

/* parse_params -- parse_config_env_list() on a copy of GIT_CONFIG_PARAMETERS */
static int
parse_params(vcs_config *cfg, char *cur)
{
	static const char bogus[] = "bogus format in GIT_CONFIG_PARAMETERS";
	int err;

	while (cur && *cur) {
		char *key = sq_dequote_step(cur, &cur);

		if (!key)
			return vcs_seterr(PMDB_EINVAL, bogus);
		if (!cur || isspace((unsigned char)*cur)) {
			if ((err = old_style(cfg, key)))
				return err;
		} else if (*cur == '=') {
			const char *value = NULL;

			cur++;
			if (*cur == '\'') {
				value = sq_dequote_step(cur, &cur);
				if (!value || (cur && !isspace((unsigned char)*cur)))
					return vcs_seterr(PMDB_EINVAL, bogus);
			} else if (*cur && !isspace((unsigned char)*cur)) {
				return vcs_seterr(PMDB_EINVAL, bogus);
			}
			if ((err = add_pair(cfg, key, value)))
				return err;
		} else {
			return vcs_seterr(PMDB_EINVAL, bogus);
		}
		while (cur && isspace((unsigned char)*cur))
			cur++;
	}
	return 0;
}

/* vcs_config_read_command -- GIT_CONFIG_COUNT..., GIT_CONFIG_PARAMETERS */
int
vcs_config_read_command(vcs_config *cfg, vcs_getenv_fn fn, void *ctx)
{
	const char *count = env(fn, ctx, "GIT_CONFIG_COUNT");
	const char *params = env(fn, ctx, "GIT_CONFIG_PARAMETERS");
	int err = 0;

	if (count && *count) {
		char *end, name[64];
		unsigned long n = strtoul(count, &end, 10);

		if (*end)
			return vcs_seterr(PMDB_EINVAL, "bogus count in "
					  "GIT_CONFIG_COUNT");
		if (n > 1000000)
			return vcs_seterr(PMDB_EINVAL, "too many entries in "
					  "GIT_CONFIG_COUNT");
		for (unsigned long i = 0; i < n; i++) {
			const char *key, *value;

			snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%lu", i);
			if (!(key = env(fn, ctx, name)))
				return vcs_seterr(PMDB_EINVAL, "missing config "
						  "key %s", name);
			snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%lu", i);
			if (!(value = env(fn, ctx, name)))
				return vcs_seterr(PMDB_EINVAL, "missing config "
						  "value %s", name);
			if ((err = add_pair(cfg, key, value)))
				return err;
		}
	}
	if (params && *params) {
		char *copy = strdup(params);

		if (!copy)
			return vcs_seterr(PMDB_ENOMEM, "out of memory");
		err = parse_params(cfg, copy);
		free(copy);
	}
	return err;
}

/* set_path -- shown as given, real resolved against base when relative */
static void
set_path(vcs_config_files *out, const char *base, const char *a,
	 const char *b)
{
	char shown[4096];
	int i = out->n, w;

	w = snprintf(shown, sizeof(shown), "%s%s", a, b);
	if (w < 0 || (size_t)w >= sizeof(shown))
		return;         /* no such file can exist */
	memcpy(out->shown[i], shown, (size_t)w + 1);
	if (shown[0] != '/' && base)
		w = snprintf(out->real[i], sizeof(out->real[i]), "%s/%s", base,
			     shown);
	else
		w = snprintf(out->real[i], sizeof(out->real[i]), "%s", shown);
	if (w >= 0 && (size_t)w < sizeof(out->real[i]))
		out->n++;
}

/* vcs_config_scope_files -- git's file names for scope */
int
vcs_config_scope_files(vcs_config_files *out, vcs_config_scope scope,
		       int write, const char *root, const char *cwd,
		       vcs_getenv_fn fn, void *ctx)
{
	const char *base = root ? root : cwd;
	const char *home = env(fn, ctx, "HOME");
	const char *xdg = env(fn, ctx, "XDG_CONFIG_HOME");
	const char *v;

	out->n = 0;
	switch (scope) {
	case VCS_CONFIG_SYSTEM:
		v = env(fn, ctx, "GIT_CONFIG_NOSYSTEM");
		if (v && vcs_config_bool(v) == 1)
			break;
		v = env(fn, ctx, "GIT_CONFIG_SYSTEM");
		set_path(out, base, v ? v : "/etc/gitconfig", "");
		break;
	case VCS_CONFIG_GLOBAL:
		if ((v = env(fn, ctx, "GIT_CONFIG_GLOBAL"))) {
			set_path(out, base, v, "");
			break;
		}
		if (xdg && *xdg)
			set_path(out, base, xdg, "/git/config");
		else if (home)
			set_path(out, base, home, "/.config/git/config");
		if (home)
			set_path(out, base, home, "/.gitconfig");
		if (write && out->n == 2) {
			if (access(out->real[1], R_OK) &&
			    !access(out->real[0], R_OK)) {
				out->n = 1;
			} else {
				memcpy(out->shown[0], out->shown[1],
				       sizeof(out->shown[0]));
				memcpy(out->real[0], out->real[1],
				       sizeof(out->real[0]));
				out->n = 1;
			}
		} else if (write && !home) {
			out->n = 0;
		}
		break;
	case VCS_CONFIG_LOCAL:
		if (root)
			set_path(out, root, VCS_DOTDIR, "/config");
		break;
	case VCS_CONFIG_COMMAND:
		break;
	}
	return out->n ? 0 : PMDB_ENOTFOUND;
}

/* vcs_config_load -- system, global, local */
int
vcs_config_load(vcs_config *cfg, const char *root, const char *cwd,
		vcs_getenv_fn fn, void *ctx)
{
	static const vcs_config_scope order[] = {
		VCS_CONFIG_SYSTEM, VCS_CONFIG_GLOBAL, VCS_CONFIG_LOCAL
	};
	vcs_config_files files;
	int err;

	cfg->getenv_fn = fn;
	cfg->env_ctx = ctx;
	if (root) {
		snprintf(cfg->dotdir_buf, sizeof(cfg->dotdir_buf), "%s/%s",
			 root, VCS_DOTDIR);
		cfg->dotdir = cfg->dotdir_buf;
	}
	for (size_t s = 0; s < sizeof(order) / sizeof(order[0]); s++) {
		if (vcs_config_scope_files(&files, order[s], 0, root, cwd, fn,
					   ctx))
			continue;
		for (int i = 0; i < files.n; i++)
			if ((err = vcs_config_read_file(cfg, files.shown[i],
							files.real[i],
							order[s])))
				return err;
	}
	return 0;
}
