/*
 * xdiff_compact.c -- step 4 of the line diff (see xdiff.c): where each
 * group of changed lines goes among the equally minimal places, as git's
 * xdl_change_compact() decides, indent heuristic included (git's default
 * since 2.14).
 */
#include <stdlib.h>
#include <string.h>

#include "xdiff_int.h"

#define MAX_INDENT 200
#define MAX_BLANKS 20
#define START_OF_FILE_PENALTY 1
#define END_OF_FILE_PENALTY 21
#define TOTAL_BLANK_WEIGHT (-30)
#define POST_BLANK_WEIGHT 6
#define RELATIVE_INDENT_PENALTY (-4)
#define RELATIVE_INDENT_WITH_BLANK_PENALTY 10
#define RELATIVE_OUTDENT_PENALTY 24
#define RELATIVE_OUTDENT_WITH_BLANK_PENALTY 17
#define RELATIVE_DEDENT_PENALTY 23
#define RELATIVE_DEDENT_WITH_BLANK_PENALTY 17
#define INDENT_WEIGHT 60
#define INDENT_HEURISTIC_MAX_SLIDING 100

/* get_indent -- columns of leading blanks (tab = to next multiple of 8),
 * -1 for a blank line, capped at MAX_INDENT. */
static int
get_indent(const xrec *r)
{
	int ret = 0;

	for (long i = 0; i < r->n; i++) {
		char c = r->p[i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return ret;
		if (c == ' ')
			ret += 1;
		else if (c == '\t')
			ret += 8 - ret % 8;
		if (ret >= MAX_INDENT)
			return MAX_INDENT;
	}
	return -1;
}

typedef struct split_m {
	int end_of_file, indent, pre_blank, pre_indent, post_blank, post_indent;
} split_m;

typedef struct split_score {
	int effective_indent, penalty;
} split_score;

/* measure_split -- what surrounds a split just above record s. */
static void
measure_split(const xfile *f, long s, split_m *m)
{
	long i;

	if (s >= f->nrec) {
		m->end_of_file = 1;
		m->indent = -1;
	} else {
		m->end_of_file = 0;
		m->indent = get_indent(&f->recs[s]);
	}
	m->pre_blank = 0;
	m->pre_indent = -1;
	for (i = s - 1; i >= 0; i--) {
		m->pre_indent = get_indent(&f->recs[i]);
		if (m->pre_indent != -1)
			break;
		if (++m->pre_blank == MAX_BLANKS) {
			m->pre_indent = 0;
			break;
		}
	}
	m->post_blank = 0;
	m->post_indent = -1;
	for (i = s + 1; i < f->nrec; i++) {
		m->post_indent = get_indent(&f->recs[i]);
		if (m->post_indent != -1)
			break;
		if (++m->post_blank == MAX_BLANKS) {
			m->post_indent = 0;
			break;
		}
	}
}

/* score_add -- add the badness of one split to s. */
static void
score_add(const split_m *m, split_score *s)
{
	int post_blank, total_blank, indent, any_blanks;

	if (m->pre_indent == -1 && m->pre_blank == 0)
		s->penalty += START_OF_FILE_PENALTY;
	if (m->end_of_file)
		s->penalty += END_OF_FILE_PENALTY;
	post_blank = m->indent == -1 ? 1 + m->post_blank : 0;
	total_blank = m->pre_blank + post_blank;
	s->penalty += TOTAL_BLANK_WEIGHT * total_blank;
	s->penalty += POST_BLANK_WEIGHT * post_blank;
	indent = m->indent != -1 ? m->indent : m->post_indent;
	any_blanks = total_blank != 0;
	s->effective_indent += indent;
	if (indent == -1 || m->pre_indent == -1 || indent == m->pre_indent)
		return;
	if (indent > m->pre_indent)
		s->penalty += any_blanks ? RELATIVE_INDENT_WITH_BLANK_PENALTY
					 : RELATIVE_INDENT_PENALTY;
	else if (m->post_indent != -1 && m->post_indent > indent)
		s->penalty += any_blanks ? RELATIVE_OUTDENT_WITH_BLANK_PENALTY
					 : RELATIVE_OUTDENT_PENALTY;
	else
		s->penalty += any_blanks ? RELATIVE_DEDENT_WITH_BLANK_PENALTY
					 : RELATIVE_DEDENT_PENALTY;
}

/* score_cmp -- <0 when s1 is the better split. */
static int
score_cmp(const split_score *s1, const split_score *s2)
{
	int ci = (s1->effective_indent > s2->effective_indent) -
		 (s1->effective_indent < s2->effective_indent);

	return INDENT_WEIGHT * ci + (s1->penalty - s2->penalty);
}

typedef struct group {
	long start, end;
} group;

/* group_init -- first (maybe empty) group of changed records. */
static void
group_init(const xfile *f, group *g)
{
	g->start = g->end = 0;
	while (f->chg[g->end])
		g->end++;
}

/* group_next -- advance to the next group; -1 at the end. */
static int
group_next(const xfile *f, group *g)
{
	if (g->end == f->nrec)
		return -1;
	g->start = g->end + 1;
	for (g->end = g->start; f->chg[g->end]; g->end++)
		;
	return 0;
}

/* group_prev -- go back to the previous group; -1 at the start. */
static int
group_prev(const xfile *f, group *g)
{
	if (g->start == 0)
		return -1;
	g->end = g->start - 1;
	for (g->start = g->end; f->chg[g->start - 1]; g->start--)
		;
	return 0;
}

/* slide_down -- move g one line down if the lines allow it. */
static int
slide_down(xfile *f, group *g)
{
	if (g->end < f->nrec && f->recs[g->start].cls == f->recs[g->end].cls) {
		f->chg[g->start++] = 0;
		f->chg[g->end++] = 1;
		while (f->chg[g->end])
			g->end++;
		return 0;
	}
	return -1;
}

/* slide_up -- move g one line up if the lines allow it. */
static int
slide_up(xfile *f, group *g)
{
	if (g->start > 0 &&
	    f->recs[g->start - 1].cls == f->recs[g->end - 1].cls) {
		f->chg[--g->start] = 1;
		f->chg[--g->end] = 0;
		while (f->chg[g->start - 1])
			g->start--;
		return 0;
	}
	return -1;
}

/* vcs_xdiff__compact -- place each change group of f as git does. */
void
vcs_xdiff__compact(xfile *f, xfile *fo, int indent)
{
	group g, go;
	long earliest_end, end_match, groupsize;

	group_init(f, &g);
	group_init(fo, &go);
	for (;;) {
		if (g.end == g.start)
			goto next;
		do {
			groupsize = g.end - g.start;
			end_match = -1;
			while (!slide_up(f, &g))
				group_prev(fo, &go);
			earliest_end = g.end;
			if (go.end > go.start)
				end_match = g.end;
			while (!slide_down(f, &g)) {
				group_next(fo, &go);
				if (go.end > go.start)
					end_match = g.end;
			}
		} while (groupsize != g.end - g.start);

		if (g.end == earliest_end) {
			/* cannot move */
		} else if (end_match != -1) {
			while (go.end == go.start) {
				slide_up(f, &g);
				group_prev(fo, &go);
			}
		} else if (indent) {
			long shift, best_shift = -1;
			split_score best = { 0, 0 };

			shift = earliest_end;
			if (g.end - groupsize - 1 > shift)
				shift = g.end - groupsize - 1;
			if (g.end - INDENT_HEURISTIC_MAX_SLIDING > shift)
				shift = g.end - INDENT_HEURISTIC_MAX_SLIDING;
			for (; shift <= g.end; shift++) {
				split_m m;
				split_score sc = { 0, 0 };

				measure_split(f, shift, &m);
				score_add(&m, &sc);
				measure_split(f, shift - groupsize, &m);
				score_add(&m, &sc);
				if (best_shift == -1 || score_cmp(&sc, &best) <= 0) {
					best = sc;
					best_shift = shift;
				}
			}
			while (g.end > best_shift) {
				slide_up(f, &g);
				group_prev(fo, &go);
			}
		}
next:
		if (group_next(f, &g))
			break;
		group_next(fo, &go);
	}
}
