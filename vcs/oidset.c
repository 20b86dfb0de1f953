/*
 * oidset.c -- a set of object ids (see oidset.h).
 */
#include <stdlib.h>
#include <string.h>

#include "oidset.h"

/* slot -- home slot of an id: its first 8 bytes (ids are hashes) */
static size_t
slot(const vcs_oidset *s, const pmdb_oid *oid)
{
	uint64_t k;

	memcpy(&k, oid->id, sizeof(k));
	return (size_t)k & (s->cap - 1);
}

/* vcs_oidset_add -- insert; 1 if new, 0 if present, PMDB_ENOMEM */
int
vcs_oidset_add(vcs_oidset *s, const pmdb_oid *oid)
{
	size_t j;

	if (2 * (s->n + 1) > s->cap) {
		vcs_oidset g = { NULL, NULL, s->cap ? 2 * s->cap : 1024, 0 };

		g.slots = malloc(g.cap * sizeof(*g.slots));
		g.used = calloc(g.cap, 1);
		if (!g.slots || !g.used) {
			free(g.slots);
			free(g.used);
			return PMDB_ENOMEM;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->used[i])
				continue;
			for (j = slot(&g, &s->slots[i]); g.used[j];
			     j = (j + 1) & (g.cap - 1))
				;
			g.slots[j] = s->slots[i];
			g.used[j] = 1;
		}
		g.n = s->n;
		free(s->slots);
		free(s->used);
		*s = g;
	}
	for (j = slot(s, oid); s->used[j]; j = (j + 1) & (s->cap - 1))
		if (!memcmp(&s->slots[j], oid, sizeof(*oid)))
			return 0;
	s->slots[j] = *oid;
	s->used[j] = 1;
	s->n++;
	return 1;
}

void
vcs_oidset_free(vcs_oidset *s)
{
	free(s->slots);
	free(s->used);
	s->slots = NULL;
	s->used = NULL;
	s->cap = s->n = 0;
}
