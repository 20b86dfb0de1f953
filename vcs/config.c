/*
 * config.c -- reading git's configuration files (format and order in
 * config.h). The parser is a port of git's config.c git_parse_source(),
 * get_value(), parse_value() and get_base_var(), down to the parse
 * events the writer needs to keep a file's other bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "config.h"
#include "worktree.h"

#define MAX_INCLUDE_DEPTH 10

/* One source being parsed: git's struct config_source. */
typedef struct source {
	const char *text;
	size_t len, pos;
	int eof, linenr;
	vcs_str var;                /* "section[.sub]." then the name */
	vcs_str value;
	int section_cs;             /* subsection quoted: case kept */
	vcs_config_event prev;      /* git's parse_event_data */
	size_t prev_off;
	const vcs_config_parser_cb *cb;
} source;

static int read_file_depth(vcs_config *cfg, const char *shown,
			   const char *real, vcs_config_scope scope, int depth);

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

/* iskeychar -- git's: alnum or '-' */
static int
iskeychar(int c)
{
	return isalnum(c) || c == '-';
}

/* next_char -- git's get_next_char(): CRLF as LF, EOF as a final '\n' */
static int
next_char(source *s)
{
	int c;

	if (s->pos >= s->len) {
		s->eof = 1;
		s->linenr++;
		return '\n';
	}
	c = (unsigned char)s->text[s->pos++];
	if (c == '\r' && s->pos < s->len && s->text[s->pos] == '\n') {
		s->pos++;
		c = '\n';
	}
	if (c == '\n')
		s->linenr++;
	return c;
}

/* do_event -- git's do_event(): report the previous event, which ends
 * where this one starts (the current char was already consumed) */
static int
do_event(source *s, vcs_config_event type, int at_eof)
{
	size_t off = s->pos - (at_eof ? 0 : 1);
	int err;

	if (!s->cb->event)
		return 0;
	if (type == VCS_CFGEV_WHITESPACE && s->prev == type)
		return 0;
	if (s->prev != VCS_CFGEV_NONE &&
	    (err = s->cb->event(s->cb->arg, s->prev, s->prev_off, off,
				(const char *)s->var.data, s->section_cs)))
		return err;
	s->prev = type;
	s->prev_off = off;
	return 0;
}

/* add_char -- append one byte to a growing string */
static int
add_char(vcs_str *b, int c)
{
	char ch = (char)c;

	return vcs_str_add(b, &ch, 1);
}

/* parse_value -- git's parse_value(): 0 with s->value set, 1 bad */
static int
parse_value(source *s)
{
	int quote = 0, comment = 0, err;
	size_t space = 0;

	vcs_str_reset(&s->value);
	if ((err = vcs_str_grow(&s->value, 1)))
		return err;
	s->value.data[0] = '\0';
	for (;;) {
		int c = next_char(s);

		if (c == '\n') {
			if (quote) {
				s->linenr--;
				return 1;
			}
			return 0;
		}
		if (comment)
			continue;
		if (isspace(c) && !quote) {
			if (s->value.len)
				space++;
			continue;
		}
		if (!quote && (c == ';' || c == '#')) {
			comment = 1;
			continue;
		}
		for (; space; space--)
			if ((err = add_char(&s->value, ' ')))
				return err;
		if (c == '\\') {
			c = next_char(s);
			switch (c) {
			case '\n':
				continue;
			case 't':
				c = '\t';
				break;
			case 'b':
				c = '\b';
				break;
			case 'n':
				c = '\n';
				break;
			case '\\':
			case '"':
				break;
			default:
				return 1;
			}
			if ((err = add_char(&s->value, c)))
				return err;
			continue;
		}
		if (c == '"') {
			quote = 1 - quote;
			continue;
		}
		if ((err = add_char(&s->value, c)))
			return err;
	}
}

/* get_value -- git's get_value(): the rest of a variable's name (first
 * char already in s->var), then its value; 0, 1 bad, or an error */
static int
get_value(source *s)
{
	int c, err, has_value = 0;

	for (;;) {
		c = next_char(s);
		if (s->eof || !iskeychar(c))
			break;
		if ((err = add_char(&s->var, tolower(c))))
			return err;
	}
	while (c == ' ' || c == '\t')
		c = next_char(s);
	if (c != '\n') {
		if (c != '=')
			return 1;
		if ((err = parse_value(s)))
			return err;
		has_value = 1;
	}
	s->var.data[s->var.len] = '\0';
	if (s->cb->entry)
		return s->cb->entry(s->cb->arg, (const char *)s->var.data,
				    has_value ? (const char *)s->value.data :
				    NULL);
	return 0;
}

/* get_extended_base_var -- the quoted subsection of [section "sub"] */
static int
get_extended_base_var(source *s, int c)
{
	int err;

	s->section_cs = 1;
	do {
		if (c == '\n')
			goto incomplete;
		c = next_char(s);
	} while (isspace(c));
	if (c != '"')
		return 1;
	if ((err = add_char(&s->var, '.')))
		return err;
	for (;;) {
		c = next_char(s);
		if (c == '\n')
			goto incomplete;
		if (c == '"')
			break;
		if (c == '\\') {
			c = next_char(s);
			if (c == '\n')
				goto incomplete;
		}
		if ((err = add_char(&s->var, c)))
			return err;
	}
	return next_char(s) != ']';
incomplete:
	s->linenr--;    /* git's error_incomplete_line */
	return 1;
}

/* get_base_var -- git's: a section header after its '[' */
static int
get_base_var(source *s)
{
	int err;

	s->section_cs = 0;
	for (;;) {
		int c = next_char(s);

		if (s->eof)
			return 1;
		if (c == ']')
			return 0;
		if (isspace(c))
			return get_extended_base_var(s, c);
		if (!iskeychar(c) && c != '.')
			return 1;
		if ((err = add_char(&s->var, tolower(c))))
			return err;
	}
}

/* vcs_config__parse -- git_parse_source() */
int
vcs_config__parse(const char *text, size_t len, const char *shown,
		  const vcs_config_parser_cb *cb)
{
	source s;
	size_t baselen = 0;
	int comment = 0, err = 0, bad = 0;

	memset(&s, 0, sizeof(s));
	s.text = text;
	s.len = len;
	s.linenr = 1;
	s.cb = cb;
	if ((err = vcs_str_grow(&s.var, 64)))
		return err;
	s.var.data[0] = '\0';
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		s.pos = 3;      /* UTF-8 byte order mark */
	for (;;) {
		int c = next_char(&s);

		if (c == '\n') {
			if (s.eof) {
				err = do_event(&s, VCS_CFGEV_NONE, 1);
				break;
			}
			if ((err = do_event(&s, VCS_CFGEV_WHITESPACE, 0)))
				break;
			comment = 0;
			continue;
		}
		if (comment)
			continue;
		if (isspace(c)) {
			if ((err = do_event(&s, VCS_CFGEV_WHITESPACE, 0)))
				break;
			continue;
		}
		if (c == '#' || c == ';') {
			if ((err = do_event(&s, VCS_CFGEV_COMMENT, 0)))
				break;
			comment = 1;
			continue;
		}
		if (c == '[') {
			if ((err = do_event(&s, VCS_CFGEV_SECTION, 0)))
				break;
			vcs_str_reset(&s.var);
			if ((err = get_base_var(&s)) || s.var.len < 1) {
				bad = err >= 0;
				err = err < 0 ? err : 0;
				break;
			}
			if ((err = add_char(&s.var, '.')))
				break;
			s.var.data[s.var.len] = '\0';
			baselen = s.var.len;
			continue;
		}
		if (!isalpha(c)) {
			bad = 1;
			break;
		}
		if ((err = do_event(&s, VCS_CFGEV_ENTRY, 0)))
			break;
		s.var.len = baselen;
		if ((err = add_char(&s.var, tolower(c))))
			break;
		if ((err = get_value(&s))) {
			bad = err > 0;
			err = err < 0 ? err : 0;
			break;
		}
	}
	/* git reports the event before the error: a writer may refuse it
	 * first ("invalid section name") */
	if (bad && !(err = do_event(&s, VCS_CFGEV_NONE, 0)))
		err = vcs_seterr(PMDB_EINVAL, "bad config line %d in file %s",
				 s.linenr, shown);
	vcs_str_free(&s.var);
	vcs_str_free(&s.value);
	return err;
}

/* ------------------------------------------------------------------ */
/* Entries and includes                                                */
/* ------------------------------------------------------------------ */

/* vcs_config__add -- append (key, value); origin NULL: command line */
int
vcs_config__add(vcs_config *cfg, const char *key, const char *value,
	  const char *origin, vcs_config_scope scope)
{
	vcs_config_entry *e;

	if (VCS_ARRAY_GROW(cfg->v, cfg->cap, cfg->n + 1, 32))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	e = &cfg->v[cfg->n];
	e->key = strdup(key);
	e->value = value ? strdup(value) : NULL;
	if (!e->key || (value && !e->value)) {
		free(e->key);
		free(e->value);
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	}
	e->origin = origin ? origin : "command line:";
	e->scope = scope;
	cfg->n++;
	return 0;
}

/* add_origin -- keep a copy of "file:<shown>" (quoted as git quotes
 * paths) or the literal origin; NULL when out of memory */
static const char *
add_origin(vcs_config *cfg, const char *shown)
{
	vcs_str o = VCS_STR_INIT;
	char **v = realloc(cfg->origins, (cfg->norigins + 1) * sizeof(*v));

	if (!v)
		return NULL;
	cfg->origins = v;
	if (shown) {
		if (vcs_str_adds(&o, "file:") ||
		    vcs_quote_path(&o, shown, strlen(shown))) {
			vcs_str_free(&o);
			return NULL;
		}
	} else {
		return NULL;
	}
	cfg->origins[cfg->norigins++] = (char *)o.data;
	return (const char *)o.data;
}

/* What one file's parse needs to add entries and follow includes. */
typedef struct file_ctx {
	vcs_config *cfg;
	const char *shown, *real, *origin;
	vcs_config_scope scope;
	int depth;
} file_ctx;

/* join_dir -- dir of base + "/" + rel into out; -1 if too long */
static int
join_dir(char *out, size_t size, const char *base, const char *rel)
{
	const char *slash = strrchr(base, '/');
	int n;

	if (!slash)
		n = snprintf(out, size, "%s", rel);
	else
		n = snprintf(out, size, "%.*s/%s", (int)(slash - base), base,
			     rel);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* include_path -- git's handle_path_include(): ~ expanded, relative to
 * the including file; a missing file is silently skipped */
static int
include_path(file_ctx *f, const char *value)
{
	char shown[4096], real[4096];
	int bad;
	const char *home = f->cfg->getenv_fn ?
			   f->cfg->getenv_fn(f->cfg->env_ctx, "HOME") : NULL;

	if (!value)
		return vcs_seterr(PMDB_EINVAL, "missing value for 'include.path'");
	if (f->depth >= MAX_INCLUDE_DEPTH)
		return vcs_seterr(PMDB_EINVAL, "exceeded maximum include depth "
				  "(%d) while including\n\t%s\nfrom\n\t%s\n"
				  "This might be due to circular includes.",
				  MAX_INCLUDE_DEPTH, value, f->shown);
	if (value[0] == '~' && value[1] == '/' && home)
		bad = snprintf(shown, sizeof(shown), "%s%s", home,
			       value + 1) >= (int)sizeof(shown) ||
		      snprintf(real, sizeof(real), "%s", shown) >=
		      (int)sizeof(real);
	else if (value[0] == '/')
		bad = snprintf(shown, sizeof(shown), "%s", value) >=
		      (int)sizeof(shown) ||
		      snprintf(real, sizeof(real), "%s", value) >=
		      (int)sizeof(real);
	else
		bad = join_dir(shown, sizeof(shown), f->shown, value) ||
		      join_dir(real, sizeof(real), f->real, value);
	if (bad)
		return vcs_seterr(PMDB_EINVAL, "include path too long: %s",
				  value);
	return read_file_depth(f->cfg, shown, real, f->scope, f->depth + 1);
}

/* gitdir_matches -- includeIf "gitdir:PAT": git's include_by_gitdir()
 * against the .pmvcs directory */
static int
gitdir_matches(file_ctx *f, const char *cond, size_t n, int icase)
{
	char pat[4096], dir[4096];
	const char *home = f->cfg->getenv_fn ?
			   f->cfg->getenv_fn(f->cfg->env_ctx, "HOME") : NULL;
	size_t pl;
	int w = 0;

	if (!f->cfg->dotdir || n >= sizeof(pat) - 4)
		return 0;
	if (n >= 2 && cond[0] == '~' && cond[1] == '/' && home)
		w = snprintf(pat, sizeof(pat), "%s%.*s", home, (int)n - 1,
			     cond + 1);
	else if (n >= 2 && cond[0] == '.' && cond[1] == '/') {
		char rel[4096];

		w = snprintf(rel, sizeof(rel), "%.*s", (int)n - 2, cond + 2);
		if (join_dir(pat, sizeof(pat), f->real, rel))
			return 0;
	} else if (cond[0] != '/')
		w = snprintf(pat, sizeof(pat), "**/%.*s", (int)n, cond);
	else
		w = snprintf(pat, sizeof(pat), "%.*s", (int)n, cond);
	if (w < 0 || (size_t)w >= sizeof(pat))
		return 0;
	pl = strlen(pat);
	if (pl && pat[pl - 1] == '/' && pl + 2 < sizeof(pat))
		strcat(pat, "**");
	if (snprintf(dir, sizeof(dir), "%s", f->cfg->dotdir) >=
	    (int)sizeof(dir))
		return 0;
	if (icase) {
		for (char *p = pat; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (char *p = dir; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	return vcs_wildmatch(pat, dir, 1);
}

/* file_entry -- parser callback: record, then follow includes */
static int
file_entry(void *arg, const char *key, const char *value)
{
	file_ctx *f = arg;
	const char *cond, *last;
	int err;

	if ((err = vcs_config__add(f->cfg, key, value, f->origin, f->scope)))
		return err;
	if (f->cfg->no_includes)
		return 0;
	if (!strcmp(key, "include.path"))
		return include_path(f, value);
	if (strncmp(key, "includeif.", 10) || !(last = strrchr(key, '.')) ||
	    strcmp(last, ".path") || last < key + 10)
		return 0;
	cond = key + 10;
	if (!strncmp(cond, "gitdir:", 7) &&
	    gitdir_matches(f, cond + 7, (size_t)(last - cond - 7), 0))
		return include_path(f, value);
	if (!strncmp(cond, "gitdir/i:", 9) &&
	    gitdir_matches(f, cond + 9, (size_t)(last - cond - 9), 1))
		return include_path(f, value);
	return 0;
}

/* read_file_depth -- vcs_config_read_file at include depth */
static int
read_file_depth(vcs_config *cfg, const char *shown, const char *real,
		vcs_config_scope scope, int depth)
{
	vcs_str text = VCS_STR_INIT;
	file_ctx f = { cfg, shown, real ? real : shown, NULL, scope, depth };
	vcs_config_parser_cb cb = { file_entry, NULL, &f };
	char buf[65536];
	ssize_t got;
	int fd, err = 0;

	fd = open(f.real, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* git: a file it may not read is as good as absent */
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
			return 0;
		return vcs_seterr(PMDB_ERROR, "unable to access '%s': %s", shown,
				  strerror(errno));
	}
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = vcs_seterr(PMDB_ERROR, "unable to read '%s': %s",
					 shown, strerror(errno));
			break;
		}
		if ((err = vcs_str_add(&text, buf, (size_t)got)))
			break;
	}
	close(fd);
	if (!err && !(f.origin = add_origin(cfg, shown)))
		err = vcs_seterr(PMDB_ENOMEM, "out of memory");
	if (!err)
		err = vcs_config__parse(text.data ? (char *)text.data : "",
					text.len, shown, &cb);
	vcs_str_free(&text);
	return err;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

/* vcs_config_free -- release every entry and origin */
void
vcs_config_free(vcs_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->v[i].key);
		free(cfg->v[i].value);
	}
	for (size_t i = 0; i < cfg->norigins; i++)
		free(cfg->origins[i]);
	free(cfg->v);
	free(cfg->origins);
	cfg->v = NULL;
	cfg->origins = NULL;
	cfg->n = cfg->cap = cfg->norigins = 0;
}

/* vcs_config_parse -- entries of one text */
int
vcs_config_parse(vcs_config *cfg, const char *text, size_t len,
		 const char *shown, const char *real, vcs_config_scope scope)
{
	file_ctx f = { cfg, shown, real ? real : shown, NULL, scope, 0 };
	vcs_config_parser_cb cb = { file_entry, NULL, &f };

	if (!(f.origin = add_origin(cfg, shown)))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	return vcs_config__parse(text, len, shown, &cb);
}

/* vcs_config_read_file -- entries of one file, missing is empty */
int
vcs_config_read_file(vcs_config *cfg, const char *shown, const char *real,
		     vcs_config_scope scope)
{
	return read_file_depth(cfg, shown, real, scope, 0);
}

/* vcs_config_get -- last value wins */
const vcs_config_entry *
vcs_config_get(const vcs_config *cfg, const char *key)
{
	for (size_t i = cfg->n; i-- > 0;)
		if (!strcmp(cfg->v[i].key, key))
			return &cfg->v[i];
	return NULL;
}

/* vcs_config_parse_key -- git_config_parse_key() */
int
vcs_config_parse_key(const char *key, char **out, size_t *baselen,
		     int *code)
{
	const char *last = strrchr(key, '.');
	size_t base, i;
	int dot = 0;
	char *k;

	*out = NULL;
	if (!last || last == key) {
		if (code)
			*code = 2;
		return vcs_seterr(PMDB_EINVAL, "key does not contain a "
				  "section: %s", key);
	}
	if (!last[1]) {
		if (code)
			*code = 2;
		return vcs_seterr(PMDB_EINVAL, "key does not contain variable "
				  "name: %s", key);
	}
	base = (size_t)(last - key);
	if (!(k = malloc(strlen(key) + 1)))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	for (i = 0; key[i]; i++) {
		unsigned char c = (unsigned char)key[i];

		if (c == '.')
			dot = 1;
		if (!dot || i > base) {
			if (!iskeychar(c) || (i == base + 1 && !isalpha(c)))
				goto invalid;
			c = (unsigned char)tolower(c);
		} else if (c == '\n') {
			free(k);
			if (code)
				*code = 1;
			return vcs_seterr(PMDB_EINVAL, "invalid key (newline): "
					  "%s", key);
		}
		k[i] = (char)c;
	}
	k[i] = '\0';
	*out = k;
	if (baselen)
		*baselen = base;
	return 0;
invalid:
	free(k);
	if (code)
		*code = 1;
	return vcs_seterr(PMDB_EINVAL, "invalid key: %s", key);
}

/* vcs_config_int -- git_parse_signed() for 64-bit values */
int
vcs_config_int(const char *value, long long *out, const char **why)
{
	char *end;
	long long v, factor = 1;

	*why = "invalid unit";
	if (!value || !*value)
		return -1;
	errno = 0;
	v = strtoll(value, &end, 0);
	if (errno == ERANGE) {
		*why = "out of range";
		return -1;
	}
	if (*end) {
		if (!strcasecmp(end, "k"))
			factor = 1024;
		else if (!strcasecmp(end, "m"))
			factor = 1024 * 1024;
		else if (!strcasecmp(end, "g"))
			factor = 1024 * 1024 * 1024;
		else
			return -1;
	}
	if ((v < 0 ? -v : v) > LLONG_MAX / factor) {
		*why = "out of range";
		return -1;
	}
	*out = v * factor;
	return 0;
}

/* vcs_config_bool -- git_parse_maybe_bool(), then an int */
int
vcs_config_bool(const char *value)
{
	long long v;
	const char *why;

	if (!value)
		return 1;
	if (!*value)
		return 0;
	if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
	    !strcasecmp(value, "on"))
		return 1;
	if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
	    !strcasecmp(value, "off"))
		return 0;
	if (vcs_config_int(value, &v, &why))
		return -1;
	return v != 0;
}
