/*
 * diff_stat.c -- the per-file line counts a diff collects and git's
 * --stat block drawn from them (name column, counts, +/- graph scaled
 * to the terminal width git assumes, summary line).
 */
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "diff.h"

/* ------------------------------------------------------------------ */
/* Stat list                                                           */
/* ------------------------------------------------------------------ */

/* vcs_diff_stat_add -- append one file's counts (see diff.h). */
vcs_diff_filestat *
vcs_diff_stat_add(vcs_diff_stat *st, const char *path)
{
	vcs_diff_filestat *f;

	if (VCS_ARRAY_GROW(st->files, st->cap, st->n + 1, 16))
		return NULL;
	f = &st->files[st->n];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	st->n++;
	return f;
}

void
vcs_diff_stat_free(vcs_diff_stat *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->files[i].path);
	free(st->files);
	st->files = NULL;
	st->n = st->cap = 0;
}

/* decimal_width -- digits of n. */
static int
decimal_width(uint64_t n)
{
	int w = 1;

	while (n >= 10) {
		n /= 10;
		w++;
	}
	return w;
}

/* scale_linear -- git's scaling of a count to the graph width. */
static size_t
scale_linear(size_t it, size_t width, size_t max_change)
{
	if (!it)
		return 0;
	return 1 + (it * (width - 1) / max_change);
}

/* add_chars -- n copies of c. */
static int
add_chars(vcs_str *out, char c, size_t n)
{
	int rc = vcs_str_grow(out, n);

	if (rc)
		return rc;
	memset(out->data + out->len, c, n);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

int
vcs_diff_stat_format(vcs_str *out, const vcs_diff_stat *st, int width)
{
	size_t max_len = 0, max_change = 0, adds = 0, dels = 0;
	int number_width = 0, bin_width = 0, rc = 0;
	long graph_width, name_width;
	vcs_str q = VCS_STR_INIT;

	if (!st || !st->n)
		return 0;
	if (width <= 0)
		width = 80;
	for (size_t i = 0; i < st->n; i++) {
		const vcs_diff_filestat *f = &st->files[i];
		vcs_str_reset(&q);
		if (vcs_quote_path(&q, f->path, strlen(f->path)))
			goto nomem;
		if (q.len > max_len)
			max_len = q.len;
		if (f->binary) {
			int w = 14 + decimal_width(f->size_a) + decimal_width(f->size_b);
			if (w > bin_width)
				bin_width = w;
			number_width = 3;
			continue;
		}
		if (f->added + f->deleted > max_change)
			max_change = f->added + f->deleted;
	}
	if (decimal_width(max_change) > number_width)
		number_width = decimal_width(max_change);
	if (width < 16 + 6 + number_width)
		width = 16 + 6 + number_width;
	graph_width = (long)max_change + 4 > bin_width ? (long)max_change
						       : bin_width - 4;
	name_width = (long)max_len;
	if (name_width + number_width + 6 + graph_width > width) {
		if (graph_width > width * 3 / 8 - number_width - 6) {
			graph_width = width * 3 / 8 - number_width - 6;
			if (graph_width < 6)
				graph_width = 6;
		}
		if (name_width > width - number_width - 6 - graph_width)
			name_width = width - number_width - 6 - graph_width;
		else
			graph_width = width - number_width - 6 - name_width;
	}
	for (size_t i = 0; i < st->n && !rc; i++) {
		const vcs_diff_filestat *f = &st->files[i];
		const char *name, *prefix = "";
		size_t len, add = f->added, del = f->deleted;

		vcs_str_reset(&q);
		if (vcs_quote_path(&q, f->path, strlen(f->path)))
			goto nomem;
		name = (const char *)q.data;
		len = q.len;
		if ((long)len > name_width) {
			const char *slash;
			name += len - (size_t)name_width + 3;
			slash = strchr(name, '/');
			if (slash)
				name = slash;
			prefix = "...";
			len = strlen(prefix) + strlen(name);
		}
		rc = vcs_str_addf(out, " %s%s", prefix, name);
		if (!rc && (long)len < name_width)
			rc = add_chars(out, ' ', (size_t)name_width - len);
		rc = rc ? rc : vcs_str_adds(out, " |");
		if (rc)
			break;
		if (f->binary) {
			rc = vcs_str_addf(out, " %*s", number_width, "Bin");
			if (!rc && (f->size_a || f->size_b))
				rc = vcs_str_addf(out, " %llu -> %llu bytes",
						  (unsigned long long)f->size_a,
						  (unsigned long long)f->size_b);
			rc = rc ? rc : vcs_str_adds(out, "\n");
			continue;
		}
		adds += add;
		dels += del;
		rc = vcs_str_addf(out, " %*zu%s", number_width, add + del,
				  add + del ? " " : "");
		if (rc)
			break;
		if (graph_width <= (long)max_change) {
			size_t total = scale_linear(add + del, (size_t)graph_width,
						    max_change);
			if (total < 2 && add && del)
				total = 2;
			if (add < del) {
				add = scale_linear(add, (size_t)graph_width, max_change);
				del = total - add;
			} else {
				del = scale_linear(del, (size_t)graph_width, max_change);
				add = total - del;
			}
		}
		rc = add_chars(out, '+', add);
		rc = rc ? rc : add_chars(out, '-', del);
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	if (!rc) {
		rc = vcs_str_addf(out, " %zu file%s changed", st->n,
				  st->n == 1 ? "" : "s");
		if (!rc && (adds || !dels))
			rc = vcs_str_addf(out, ", %zu insertion%s(+)", adds,
					  adds == 1 ? "" : "s");
		if (!rc && (dels || !adds))
			rc = vcs_str_addf(out, ", %zu deletion%s(-)", dels,
					  dels == 1 ? "" : "s");
		rc = rc ? rc : vcs_str_adds(out, "\n");
	}
	vcs_str_free(&q);
	return rc;
nomem:
	vcs_str_free(&q);
	return PMDB_ENOMEM;
}
