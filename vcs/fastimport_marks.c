/*
 * fastimport_marks.c -- fast-import's marks: the table (number -> id,
 * type) and the marks files (--import-marks, loaded when the stream's
 * option section ends; --export-marks).
 *
 * Invariants:
 *  1. A mark lives either in marks.flat[num] (dense numbers) or in the
 *     open-addressing table marks.big (sparse or huge numbers; load <=
 *     1/2), never in both; type 0 means unset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastimport_int.h"


/* ------------------------------------------------------------------ */
/* Marks                                                               */
/* ------------------------------------------------------------------ */

/** big_slot -- the slot of num in the big table (empty slot if absent). */
static struct fi_bigmark *
big_slot(const fi_marks *m, uint64_t num)
{
	size_t j = (size_t)(num * 0x9e3779b97f4a7c15ULL) & (m->capbig - 1);

	while (m->big[j].num && m->big[j].num != num)
		j = (j + 1) & (m->capbig - 1);
	return &m->big[j];
}

/** fi_mark_set -- record mark num (0 is "no mark": ignored). Dense marks
 *  go to the flat array; a mark far past the marks seen so far goes to
 *  the hash table, so memory follows the number of marks, never the
 *  largest mark number. */
int
fi_mark_set(fi_state *s, uint64_t num, const pmdb_oid *oid, pmdb_otype type)
{
	fi_marks *m = &s->marks;
	fi_mark *e;

	if (!num)
		return 0;
	struct fi_bigmark *bm = m->nbig ? big_slot(m, num) : NULL;
	if (bm && bm->num) {
		e = &bm->m;
	} else if (num < m->nflat || (num < FI_MARK_FLAT_MAX &&
				      num <= 4 * (m->count + 65536))) {
		if (num >= m->nflat) {
			size_t n = m->nflat ? m->nflat : 1024;
			while (n <= num)
				n *= 2;
			fi_mark *f = realloc(m->flat, n * sizeof(*f));
			if (!f)
				return fi_fail(s, "out of memory (marks)");
			memset(f + m->nflat, 0, (n - m->nflat) * sizeof(*f));
			m->flat = f;
			m->nflat = n;
		}
		e = &m->flat[num];
		if (!e->type)
			m->count++;
	} else {
		if ((m->nbig + 1) * 2 > m->capbig) {
			size_t ncap = m->capbig ? m->capbig * 2 : 64;
			fi_marks nm = *m;
			nm.big = calloc(ncap, sizeof(*nm.big));
			nm.capbig = ncap;
			if (!nm.big)
				return fi_fail(s, "out of memory (marks)");
			for (size_t i = 0; i < m->capbig; i++)
				if (m->big[i].num)
					*big_slot(&nm, m->big[i].num) = m->big[i];
			free(m->big);
			m->big = nm.big;
			m->capbig = ncap;
		}
		bm = big_slot(m, num);
		bm->num = num;
		m->nbig++;
		m->count++;
		e = &bm->m;
	}
	memcpy(e->id, oid->id, sizeof(e->id));
	e->type = (uint8_t)type;
	if (num > m->max)
		m->max = num;
	return 0;
}

/** fi_mark_get -- the entry of mark num, or NULL if unset. */
const fi_mark *
fi_mark_get(const fi_marks *m, uint64_t num)
{
	if (num < m->nflat && m->flat[num].type)
		return &m->flat[num];
	if (!m->nbig)
		return NULL;
	const struct fi_bigmark *b = big_slot(m, num);
	return b->num ? &b->m : NULL;
}

/** fi_mark_find -- git's find_mark: fails "mark :N not declared". */
int
fi_mark_find(fi_state *s, uint64_t num, pmdb_oid *oid, pmdb_otype *type)
{
	const fi_mark *e = fi_mark_get(&s->marks, num);

	if (!e)
		return fi_fail(s, "mark :%llu not declared", (unsigned long long)num);
	memset(oid, 0, sizeof(*oid));
	memcpy(oid->id, e->id, sizeof(e->id));
	*type = (pmdb_otype)e->type;
	return 0;
}

/** fi_marks_free -- release both tables. */
void
fi_marks_free(fi_marks *m)
{
	free(m->flat);
	free(m->big);
	memset(m, 0, sizeof(*m));
}

/** fi_abs_path -- file made absolute against opts->cwd (malloc'd); NULL
 *  when out of memory (never a partial path). */
char *
fi_abs_path(fi_state *s, const char *file)
{
	vcs_str p = VCS_STR_INIT;

	if ((file[0] != '/' && s->o->cwd && vcs_str_addf(&p, "%s/", s->o->cwd) < 0) ||
	    vcs_str_adds(&p, file) < 0) {
		vcs_str_free(&p);
		return NULL;
	}
	return (char *)p.data;
}

/** fi_marks_read -- load ":<mark> <id>" lines (git's read_marks). */
int
fi_marks_read(fi_state *s, const char *file, int if_exists)
{
	char *path = fi_abs_path(s, file);
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[256];
	int rc = 0;

	if (!path)
		return fi_fail(s, "reading '%s': out of memory", file);
	if (!f) {
		int e = errno;
		free(path);
		if (if_exists && e == ENOENT)
			return 0;
		return fi_fail(s, "cannot read '%s': %s", file, strerror(e));
	}
	while (fgets(line, sizeof(line), f)) {
		char *end;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] != ':')
			goto corrupt;
		uint64_t mark = strtoull(line + 1, &end, 10);
		pmdb_oid oid;
		pmdb_otype type;
		const char *h = end + 1;
		if (!mark || end == line + 1 || *end != ' ' ||
		    fi_parse_hex(s, &h, &oid) < 0 || *h)
			goto corrupt;
		if ((rc = fi_type_or_none(s, &oid, &type)) < 0)
			break;
		if (type == PMDB_OBJ_NONE) {
			char hex[PMDB_OID_HEXMAX + 1];
			rc = fi_fail(s, "object not found: %s",
				     pmdb_oid_fmt(hex, &oid, s->repo->algo));
			break;
		}
		if ((rc = fi_mark_set(s, mark, &oid, type)) < 0)
			break;
		continue;
corrupt:
		rc = fi_fail(s, "corrupt mark line: %s", line);
		break;
	}
	fclose(f);
	free(path);
	return rc;
}

/** cmp_bigmark -- qsort order of big marks: by number. */
static int
cmp_bigmark(const void *a, const void *b)
{
	uint64_t x = ((const struct fi_bigmark *)a)->num;
	uint64_t y = ((const struct fi_bigmark *)b)->num;

	return x < y ? -1 : x > y;
}

/** leading_dirs -- create the missing directories above file path (an
 *  absolute path, modified and restored in place), as git's dump_marks
 *  does (safe_create_leading_directories). 0, or -1 with errno. */
static int
leading_dirs(char *path)
{
	for (char *sl = strchr(path + 1, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		int bad = mkdir(path, 0777) != 0 && errno != EEXIST;
		*sl = '/';
		if (bad)
			return -1;
	}
	return 0;
}

/** fi_marks_write -- write every mark, ascending, through file.lock and a
 *  rename (readers never see a partial file). */
int
fi_marks_write(fi_state *s, const char *file)
{
	char *path = fi_abs_path(s, file);
	vcs_str lock = VCS_STR_INIT;
	char hex[PMDB_OID_HEXMAX + 1];
	FILE *f;
	int rc = 0;

	if (!path)
		return fi_fail(s, "out of memory");
	if (leading_dirs(path) < 0) {
		rc = fi_fail(s, "unable to create leading directories of %s: %s",
			     file, strerror(errno));
		goto out;
	}
	vcs_str_addf(&lock, "%s.lock", path);
	f = lock.data ? fopen((char *)lock.data, "w") : NULL;
	if (!f) {
		rc = fi_fail(s, "cannot write '%s': %s", file, strerror(errno));
		goto out;
	}
	/* big marks (rare) sorted by number, merged with the flat array */
	size_t nb = 0, k = 0;
	struct fi_bigmark *v = s->marks.nbig ? malloc(s->marks.nbig * sizeof(*v)) : NULL;
	if (s->marks.nbig && !v) {
		fclose(f);
		rc = fi_fail(s, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < s->marks.capbig; i++)
		if (s->marks.big[i].num)
			v[nb++] = s->marks.big[i];
	if (nb)
		qsort(v, nb, sizeof(*v), cmp_bigmark);
	for (uint64_t i = 1;;) {
		const fi_mark *e;
		uint64_t num;
		while (i < s->marks.nflat && !s->marks.flat[i].type)
			i++;
		int hf = i < s->marks.nflat, hb = k < nb;
		if (!hf && !hb)
			break;
		if (hb && (!hf || v[k].num < i)) {
			num = v[k].num;
			e = &v[k++].m;
		} else {
			num = i;
			e = &s->marks.flat[i++];
		}
		pmdb_oid oid = { { 0 } };
		memcpy(oid.id, e->id, sizeof(e->id));
		fprintf(f, ":%llu %s\n", (unsigned long long)num,
			pmdb_oid_fmt(hex, &oid, s->repo->algo));
	}
	free(v);
	if (fclose(f) != 0 || rename((char *)lock.data, path) != 0) {
		unlink((char *)lock.data);
		rc = fi_fail(s, "cannot write '%s': %s", file, strerror(errno));
	}
out:
	vcs_str_free(&lock);
	free(path);
	return rc;
}

/** fi_marks_import -- load --import-marks once, when the stream's
 *  option section ends (git's import_marks_file_done). 0, or -1. */
int
fi_marks_import(fi_state *s)
{
	s->marks_read = 1;
	if (fi_submods_build(s) < 0)
		return -1;
	if (s->import_marks &&
	    fi_marks_read(s, s->import_marks, s->import_if_exists) < 0)
		return -1;
	s->marks_done = 1;
	return 0;
}
