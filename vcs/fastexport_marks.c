/*
 * fastexport_marks.c -- fast-export's marks files: --import-marks reads
 * ":<mark> <id>" lines (those objects count as already written),
 * --export-marks writes the commit marks at the end.
 *
 * A failed read is never taken for a missing object, and a marks file is
 * never left half written: it is written beside the target and renamed
 * over it only when complete (a target that is not a regular file, such
 * as /dev/null or a pipe, is written in place).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastexport_int.h"

/** marks_path -- file made absolute against o->cwd, into *p. */
static int
marks_path(fe_state *s, const char *file, vcs_str *p)
{
	if (file[0] != '/' && s->o->cwd && vcs_str_addf(p, "%s/", s->o->cwd) < 0)
		return fe__fail(s, "out of memory");
	if (vcs_str_adds(p, file) < 0)
		return fe__fail(s, "out of memory");
	return 0;
}

/** mark_line -- one line of an imported marks file into the table. */
static int
mark_line(fe_state *s, char *line)
{
	char *end, h[PMDB_OID_HEXMAX + 1];
	pmdb_oid oid;
	pmdb_otype type;
	unsigned long long m = strtoull(line + 1, &end, 10);
	size_t n = strlen(line);
	fe_obj *e;
	int rc;

	if (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (line[0] != ':' || !m || m > UINT32_MAX || *end != ' ' ||
	    pmdb_oid_parse(&oid, end + 1, s->repo->hexlen, s->repo->algo) < 0)
		return fe__fail(s, "corrupt mark line: %s", line);
	if ((rc = pmdb_object_info(s->repo->env, &oid, &type, NULL)) == PMDB_ENOTFOUND)
		return fe__fail(s, "object not found: %s", line);
	if (rc != 0)
		return fe__fail(s, "cannot read %s: %s",
				pmdb_oid_fmt(h, &oid, s->repo->algo), fe__cause(rc));
	if (!(e = fe__obj(s, &oid)))
		return fe__fail(s, "out of memory");
	e->mark = (uint32_t)m;
	e->flags |= FE_MARKED | (type == PMDB_OBJ_COMMIT ? FE_COMMIT : 0);
	if (m > s->last_mark)
		s->last_mark = (uint32_t)m;
	return 0;
}

/** fe__read_marks -- ":<mark> <id>" lines: those objects count as written. */
int
fe__read_marks(fe_state *s, const char *file)
{
	vcs_str p = VCS_STR_INIT;
	char line[256];
	FILE *f;
	int rc = 0;

	if (marks_path(s, file, &p) < 0) {
		vcs_str_free(&p);
		return -1;
	}
	f = fopen((char *)p.data, "r");
	vcs_str_free(&p);
	if (!f)
		return fe__fail(s, "cannot read '%s': %s", file, strerror(errno));
	while (!rc && fgets(line, sizeof(line), f))
		rc = mark_line(s, line);
	if (!rc && ferror(f))
		rc = fe__fail(s, "cannot read '%s': %s", file, strerror(errno));
	fclose(f);
	return rc;
}

/** put_marks -- the commit marks, ascending, on f. */
static int
put_marks(fe_state *s, FILE *f)
{
	char h[PMDB_OID_HEXMAX + 1];
	uint32_t *idx = calloc((size_t)s->last_mark + 1, sizeof(*idx));

	if (!idx)
		return fe__fail(s, "out of memory");
	for (size_t i = 0; i < s->cap; i++) {
		fe_obj *e = &s->tab[i];
		if (e->mark && (e->flags & FE_COMMIT))
			idx[e->mark] = (uint32_t)i + 1;
	}
	for (uint32_t m = 1; m <= s->last_mark; m++)
		if (idx[m])
			fprintf(f, ":%u %s\n", m,
				pmdb_oid_fmt(h, &s->tab[idx[m] - 1].oid, s->repo->algo));
	free(idx);
	return 0;
}

/** fe__write_marks -- commit marks, ascending (git writes commit marks
 *  only), replacing file only when all of them are written. */
int
fe__write_marks(fe_state *s, const char *file)
{
	vcs_str p = VCS_STR_INIT, tmp = VCS_STR_INIT;
	struct stat sb;
	FILE *f = NULL;
	int rc = -1, in_place;

	if (marks_path(s, file, &p) < 0)
		goto out;
	in_place = stat((char *)p.data, &sb) == 0 && !S_ISREG(sb.st_mode);
	if (!in_place && vcs_str_addf(&tmp, "%s.tmp.%ld", (char *)p.data,
				      (long)getpid()) < 0) {
		fe__fail(s, "out of memory");
		goto out;
	}
	const char *target = in_place ? (char *)p.data : (char *)tmp.data;
	if (!(f = fopen(target, "w"))) {
		fe__fail(s, "cannot write '%s': %s", file, strerror(errno));
		goto out;
	}
	if (put_marks(s, f) < 0)
		goto out;
	int bad = ferror(f);
	int cerr = fclose(f);
	f = NULL;
	if (bad || cerr != 0) {
		fe__fail(s, "cannot write '%s': %s", file, strerror(bad ? EIO : errno));
		goto out;
	}
	if (!in_place && rename(target, (char *)p.data) != 0) {
		fe__fail(s, "cannot write '%s': %s", file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc < 0 && tmp.data)
		unlink((char *)tmp.data);
	vcs_str_free(&p);
	vcs_str_free(&tmp);
	return rc;
}
