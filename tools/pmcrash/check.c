/*
 * check.c -- the default check of a crash image: `pmvcs fsck` exits 0 and
 * every ref (and HEAD) holds its value from before the run or from after a
 * complete run ("old or new"), never a third value, never half of one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmcrash.h"

/* append -- add "name value\n" to a growing string */
static void append(char **s, size_t *len, const char *name, const char *value)
{
	size_t add = strlen(name) + strlen(value) + 2;
	*s = realloc(*s, *len + add + 1);
	if (!*s)
		abort();
	*len += (size_t)sprintf(*s + *len, "%s %s\n", name, value);
}

/* pmvcs_out -- run pmvcs with args in dir; the trimmed first line of its
 * output, or "(exit N)" when it failed; caller frees */
static char *pmvcs_out(const struct opts *o, const char *dir, const char *a1, const char *a2,
		       const char *a3, struct result *keep)
{
	char *argv[] = { (char *)o->pmvcs, (char *)a1, (char *)a2, (char *)a3, NULL };
	struct result r;
	if (run_cmd(argv, dir, NULL, NULL, o->timeout, 1, &r) != 0)
		return NULL;
	char *v;
	if (r.status != 0) {
		if (asprintf(&v, "(exit %d)", r.status) < 0)
			abort();
	} else {
		r.out[strcspn(r.out, "\n")] = 0;
		v = strdup(r.out);
	}
	if (keep)
		*keep = r;
	else
		result_free(&r);
	return v;
}

/* refs_read -- see pmcrash.h */
int refs_read(const struct opts *o, const char *dir, struct refs *out)
{
	char *s = NULL;
	size_t len = 0;
	struct result r;
	memset(out, 0, sizeof(*out));
	char *head = pmvcs_out(o, dir, "rev-parse", "HEAD", NULL, NULL);
	char *sym = pmvcs_out(o, dir, "rev-parse", "--symbolic-full-name", "HEAD", NULL);
	char *list = pmvcs_out(o, dir, "show-ref", NULL, NULL, &r);
	if (!head || !sym || !list) {
		free(head);
		free(sym);
		free(list);
		return -1;
	}
	append(&s, &len, "HEAD", head);
	append(&s, &len, "HEAD->", sym);
	/* show-ref exits 1 with no output when there are no refs (git) */
	if (r.status == 0 || (r.status == 1 && r.len == 0)) {
		for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n")) {
			char *sp = strchr(l, ' ');
			if (!sp)
				continue;
			*sp = 0;
			append(&s, &len, sp + 1, l);
		}
		out->ok = 1;
	} else {
		append(&s, &len, "show-ref", list);
	}
	result_free(&r);
	free(head);
	free(sym);
	free(list);
	out->text = s ? s : strdup("");
	return 0;
}

/* refs_free -- see pmcrash.h */
void refs_free(struct refs *r)
{
	free(r->text);
	r->text = NULL;
}

/* lookup -- the value of name in a refs text, or NULL; in buf */
static const char *lookup(const char *text, const char *name, char *buf, size_t size)
{
	size_t nl = strlen(name);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, name, nl) && l[nl] == ' ') {
			const char *v = l + nl + 1;
			size_t vl = strcspn(v, "\n");
			if (vl >= size)
				vl = size - 1;
			memcpy(buf, v, vl);
			buf[vl] = 0;
			return buf;
		}
	}
	return NULL;
}

/* same -- a and b both absent or equal */
static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* old_or_new -- every name in any of the three texts has in img its value
 * from before or from after; 1 yes, 0 no (why says which) */
static int old_or_new(const struct refs *before, const struct refs *after,
		      const struct refs *img, char *why, size_t whysize)
{
	const char *texts[3] = { img->text, before->text, after->text };
	for (int t = 0; t < 3; t++) {
		for (const char *l = texts[t]; l && *l;) {
			char name[1024], b1[1024], b2[1024], b3[1024];
			size_t nl = strcspn(l, " \n");
			if (nl >= sizeof(name))
				nl = sizeof(name) - 1;
			memcpy(name, l, nl);
			name[nl] = 0;
			const char *vi = lookup(img->text, name, b1, sizeof(b1));
			const char *vb = lookup(before->text, name, b2, sizeof(b2));
			const char *va = lookup(after->text, name, b3, sizeof(b3));
			if (!same(vi, vb) && !same(vi, va)) {
				snprintf(why, whysize, "ref %s is %s; before: %s, after: %s", name,
					 vi ? vi : "absent", vb ? vb : "absent",
					 va ? va : "absent");
				return 0;
			}
			l = strchr(l, '\n');
			l = l ? l + 1 : NULL;
		}
	}
	return 1;
}

/* check_default -- see pmcrash.h */
int check_default(const struct opts *o, const char *dir, const struct refs *before,
		  const struct refs *after, char *why, size_t whysize)
{
	char *argv[] = { (char *)o->pmvcs, "fsck", NULL };
	struct result r;
	char lines[512];
	if (run_cmd(argv, dir, NULL, NULL, o->timeout, 1, &r) != 0)
		return -1;
	if (r.status != 0) {
		snprintf(why, whysize, "fsck %s %d: %s", r.signal ? "signal" : "exit",
			 r.signal ? r.signal : r.status, first_lines(r.out, 3, lines, sizeof(lines)));
		result_free(&r);
		return 0;
	}
	result_free(&r);
	struct refs img;
	if (refs_read(o, dir, &img) != 0)
		return -1;
	if (!img.ok) {
		snprintf(why, whysize, "cannot list refs: %s", img.text);
		refs_free(&img);
		return 0;
	}
	int good = old_or_new(before, after, &img, why, whysize);
	refs_free(&img);
	return good;
}
