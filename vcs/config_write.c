/*
 * config_write.c -- changing one variable in a configuration file as
 * git's git_config_set_multivar_in_file_gently() does, so that the file
 * git would write is the file pmvcs writes: the parse events (config.c)
 * say where each section, entry and comment lies; the rewrite copies
 * everything else byte for byte.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "config.h"

/* One parse event, git's struct config_store_data.parsed[]. */
typedef struct event {
	vcs_config_event type;
	size_t begin, end;
	int is_keys_section;
} event;

/* git's struct config_store_data. */
typedef struct store {
	const char *key;        /* canonical */
	size_t baselen;
	int how;                /* VCS_CONFIG_SET_* */
	event *parsed;
	size_t parsed_nr, parsed_cap;
	size_t *seen;
	size_t seen_nr, seen_cap;
	int key_seen, section_seen, is_keys_section;
	int event_err;          /* refused an event: "invalid config file" */
} store;

/* matches -- git's: same key, and the value pattern (none or "never") */
static int
matches(const store *st, const char *key)
{
	if (strcmp(key, st->key))
		return 0;
	return st->how != VCS_CONFIG_SET_ADD;
}

/* seen_put -- seen[seen_nr] = idx (slot kept, count not bumped) */
static int
seen_put(store *st, size_t idx)
{
	if (VCS_ARRAY_GROW(st->seen, st->seen_cap, st->seen_nr + 1, 16))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	st->seen[st->seen_nr] = idx;
	return 0;
}

/* store_aux -- git's: entries of the key (or of its section) */
static int
store_aux(void *arg, const char *key, const char *value)
{
	store *st = arg;
	int err;

	(void)value;
	if (st->key_seen) {
		if (matches(st, key)) {
			if ((err = seen_put(st, st->parsed_nr)))
				return err;
			st->seen_nr++;
		}
	} else if (st->is_keys_section) {
		if ((err = seen_put(st, st->parsed_nr)))
			return err;
		st->section_seen = 1;
		if (matches(st, key)) {
			st->seen_nr++;
			st->key_seen = 1;
		}
	}
	return 0;
}

/* store_aux_event -- git's: record every event, note the key's sections */
static int
store_aux_event(void *arg, vcs_config_event type, size_t begin, size_t end,
		const char *section, int section_cs)
{
	store *st = arg;
	event *e;

	if (VCS_ARRAY_GROW(st->parsed, st->parsed_cap, st->parsed_nr + 1, 16))
		return vcs_seterr(PMDB_ENOMEM, "out of memory");
	e = &st->parsed[st->parsed_nr];
	e->type = type;
	e->begin = begin;
	e->end = end;
	e->is_keys_section = 0;
	if (type == VCS_CFGEV_SECTION) {
		size_t len = strlen(section);

		if (len < 2 || section[len - 1] != '.') {
			st->event_err = 1;
			return vcs_seterr(PMDB_EINVAL, "invalid section name "
					  "'%s'", section);
		}
		st->is_keys_section = e->is_keys_section =
			len - 1 == st->baselen &&
			!(section_cs ? strncmp : strncasecmp)(section, st->key,
							      st->baselen);
		if (st->is_keys_section) {
			st->section_seen = 1;
			int err = seen_put(st, st->parsed_nr);

			if (err)
				return err;
		}
	}
	st->parsed_nr++;
	return 0;
}

/* maybe_remove_section -- git's: when the last entries of a section go
 * and no comment is before or inside it, the whole section goes */
static void
maybe_remove_section(const store *st, size_t *begin_off, size_t *end_off,
		     size_t *seen_ptr)
{
	size_t begin, i, seen = *seen_ptr;
	int section_seen = 0;

	for (i = st->seen[seen]; i > 0; i--) {
		vcs_config_event type = st->parsed[i - 1].type;

		if (type == VCS_CFGEV_COMMENT)
			return;
		if (type == VCS_CFGEV_ENTRY) {
			if (!section_seen)
				return;
			break;
		}
		if (type == VCS_CFGEV_SECTION) {
			if (!st->parsed[i - 1].is_keys_section)
				break;
			section_seen = 1;
		}
	}
	begin = st->parsed[i].begin;
	for (i = st->seen[seen] + 1; i < st->parsed_nr; i++) {
		vcs_config_event type = st->parsed[i].type;

		if (type == VCS_CFGEV_COMMENT)
			return;
		if (type == VCS_CFGEV_SECTION) {
			if (st->parsed[i].is_keys_section)
				continue;
			break;
		}
		if (type == VCS_CFGEV_ENTRY) {
			if (++seen < st->seen_nr && i == st->seen[seen])
				continue;
			return;
		}
	}
	*seen_ptr = seen;
	*begin_off = begin;
	*end_off = i < st->parsed_nr ? st->parsed[i].begin :
		   st->parsed[st->parsed_nr - 1].end;
}

/* add_section -- git's store_create_section(), from the key as typed */
static int
add_section(vcs_str *out, const char *key, size_t baselen)
{
	const char *dot = memchr(key, '.', baselen);
	int err;

	if (!dot)
		return vcs_str_addf(out, "[%.*s]\n", (int)baselen, key);
	err = vcs_str_addf(out, "[%.*s \"", (int)(dot - key), key);
	for (size_t i = (size_t)(dot - key) + 1; i < baselen && !err; i++) {
		if (key[i] == '"' || key[i] == '\\')
			err = vcs_str_add(out, "\\", 1);
		err = err ? err : vcs_str_add(out, &key[i], 1);
	}
	return err ? err : vcs_str_adds(out, "\"]\n");
}

/* add_pair -- git's write_pair(): quoted when spaces at an end or a
 * comment char would be lost */
static int
add_pair(vcs_str *out, const char *key, size_t baselen, const char *value)
{
	const char *quote = "";
	size_t n = strlen(value);
	int err;

	if (value[0] == ' ' || (n && value[n - 1] == ' ') ||
	    strpbrk(value, ";#"))
		quote = "\"";
	err = vcs_str_addf(out, "\t%s = %s", key + baselen + 1, quote);
	for (size_t i = 0; i < n && !err; i++) {
		switch (value[i]) {
		case '\n':
			err = vcs_str_adds(out, "\\n");
			break;
		case '\t':
			err = vcs_str_adds(out, "\\t");
			break;
		case '"':
		case '\\':
			err = vcs_str_add(out, "\\", 1);
			/* fallthrough */
		default:
			err = err ? err : vcs_str_add(out, &value[i], 1);
		}
	}
	return err ? err : vcs_str_addf(out, "%s\n", quote);
}

/* read_all -- the file's bytes; 1 when it does not exist */
static int
read_all(const char *path, const char *shown, vcs_str *out)
{
	char buf[65536];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return vcs_seterr(PMDB_ERROR, "opening %s: %s", shown,
				  strerror(errno));
	}
	while (!err && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		err = got < 0 ? vcs_seterr(PMDB_ERROR, "reading %s: %s", shown,
					   strerror(errno)) :
		      vcs_str_add(out, buf, (size_t)got);
	}
	close(fd);
	return err;
}

/* write_lock -- path.lock with data, then renamed over path */
static int
write_lock(const char *path, const char *shown, const vcs_str *data)
{
	char lock[4200];
	int fd;
	size_t off = 0;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return vcs_seterr(PMDB_ERROR, "could not lock config file %s: "
				  "%s", shown, strerror(errno));
	while (off < data->len) {
		ssize_t w = write(fd, data->data + off, data->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off < data->len || close(fd) != 0 || rename(lock, path) != 0) {
		int e = errno;

		unlink(lock);
		return vcs_seterr(PMDB_ERROR, "could not write config file %s: "
				  "%s", shown, strerror(e));
	}
	return 0;
}

/* rewrite -- git's copy loop over the seen events, then the pair */
static int
rewrite(store *st, const vcs_str *in, const char *key, const char *value,
	vcs_str *out)
{
	const char *c = in->data ? (const char *)in->data : "";
	size_t sz = in->len, copy_begin = 0, copy_end, replace_end;
	int err = 0;

	for (size_t i = 0; i < st->seen_nr && !err; i++) {
		size_t j = st->seen[i];

		if (!st->key_seen) {
			copy_end = st->parsed_nr ? st->parsed[j].end : 0;
			if (copy_end > 0 && copy_end < sz &&
			    c[copy_end - 1] != '\n' && c[copy_end] == '\n')
				copy_end++;
			replace_end = copy_end;
		} else {
			replace_end = st->parsed[j].end;
			copy_end = st->parsed[j].begin;
			if (!value)
				maybe_remove_section(st, &copy_end,
						     &replace_end, &i);
			while (copy_end > 0 &&
			       isspace((unsigned char)c[copy_end - 1]) &&
			       c[copy_end - 1] != '\n')
				copy_end--;
		}
		if (copy_end > copy_begin) {
			err = vcs_str_add(out, c + copy_begin,
					  copy_end - copy_begin);
			if (!err && c[copy_end - 1] != '\n')
				err = vcs_str_add(out, "\n", 1);
		}
		copy_begin = replace_end;
	}
	if (!err && value && !st->section_seen)
		err = add_section(out, key, st->baselen);
	if (!err && value)
		err = add_pair(out, key, st->baselen, value);
	if (!err && copy_begin < sz)
		err = vcs_str_add(out, c + copy_begin, sz - copy_begin);
	return err;
}

/* vcs_config_set_in_file -- git_config_set_multivar_in_file_gently() */
int
vcs_config_set_in_file(const char *path, const char *shown, const char *key,
		       const char *value, int how, int *code)
{
	vcs_config_parser_cb cb = { store_aux, store_aux_event, NULL };
	vcs_str in = VCS_STR_INIT, out = VCS_STR_INIT;
	store st;
	char *canon = NULL;
	int err, missing;

	memset(&st, 0, sizeof(st));
	cb.arg = &st;
	if ((err = vcs_config_parse_key(key, &canon, &st.baselen, code)))
		return err;
	st.key = canon;
	st.how = how;
	*code = 4;
	if ((missing = read_all(path, shown, &in)) < 0) {
		*code = 3;
		err = missing;
		goto out;
	}
	if (!missing && (err = vcs_config__parse(in.data ? (char *)in.data : "",
						   in.len, shown, &cb))) {
		*code = 128;
		if (st.event_err) {
			char first[256];

			snprintf(first, sizeof(first), "%s", vcs_errmsg());
			*code = 3;
			err = vcs_seterr(err, "%s\nerror: invalid config file "
					 "%s", first, shown);
		}
		goto out;
	}
	if ((st.seen_nr == 0 && !value) ||
	    (st.seen_nr > 1 && how == VCS_CONFIG_SET_REPLACE)) {
		*code = 5;
		err = st.seen_nr ? PMDB_EEXISTS : PMDB_ENOTFOUND;
		goto out;
	}
	if (st.seen_nr == 0) {
		if (!st.section_seen &&
		    (err = seen_put(&st, st.parsed_nr - !!st.parsed_nr)))
			goto out;
		st.seen_nr = 1;
	}
	if (!(err = rewrite(&st, &in, key, value, &out)))
		err = write_lock(path, shown, &out);
out:
	if (!err)
		*code = 0;
	free(canon);
	free(st.parsed);
	free(st.seen);
	vcs_str_free(&in);
	vcs_str_free(&out);
	return err;
}
