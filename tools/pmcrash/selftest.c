/*
 * selftest.c -- pmcrash_selftest: a tiny libpmemobj program with a known
 * ordering bug, to prove that pmcrash catches what a process kill cannot.
 *
 *   pmcrash_selftest init POOL          create the pool
 *   pmcrash_selftest run good|bad|tx POOL K   K updates
 *   pmcrash_selftest check POOL         exit 0 when the pool is consistent
 *
 * The root holds a sequence number `seq` and, in other pages, two record
 * slots; slot seq % 2 must hold the pattern of `seq` (data[j] == seq * 1000
 * + j). An update writes the other slot, then publishes the new seq.
 * "good" persists the record, then the sequence number; "bad" persists the
 * sequence number first: a power cut between the two leaves a new `seq`
 * with a stale slot, but only when the unflushed record is lost, which a
 * kill never does (the page cache keeps it). "tx" does both in one
 * libpmemobj transaction. The pool may be a plain file or a poolset.
 */
#include <libpmemobj.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDATA 1024

/* the root object: seq and the slots are more than a page apart */
struct root {
	uint64_t seq;              /* number of the last complete update */
	uint64_t pad[1023];        /* keeps data[] off seq's page */
	uint64_t data[2][NDATA];   /* data[seq % 2][j] == seq * 1000 + j */
};

/* open_pool -- open path or die */
static PMEMobjpool *open_pool(const char *path)
{
	PMEMobjpool *pop = pmemobj_open(path, "pmcrash_selftest");
	if (!pop) {
		fprintf(stderr, "selftest: open %s: %s\n", path, pmemobj_errormsg());
		exit(2);
	}
	return pop;
}

/* fill -- write the record of sequence number s (no flush) */
static void fill(struct root *r, uint64_t s)
{
	for (int j = 0; j < NDATA; j++)
		r->data[s % 2][j] = s * 1000 + (uint64_t)j;
}

/* update -- one update of the given kind */
static void update(PMEMobjpool *pop, struct root *r, const char *kind)
{
	uint64_t s = r->seq + 1;
	if (!strcmp(kind, "tx")) {
		TX_BEGIN(pop) {
			pmemobj_tx_add_range_direct(r, sizeof(*r));
			fill(r, s);
			r->seq = s;
		} TX_ONABORT {
			fprintf(stderr, "selftest: transaction aborted\n");
			exit(2);
		} TX_END
		return;
	}
	fill(r, s);
	if (!strcmp(kind, "good")) {
		/* the record is durable before seq names it */
		pmemobj_persist(pop, r->data[s % 2], sizeof(r->data[0]));
		r->seq = s;
		pmemobj_persist(pop, &r->seq, sizeof(r->seq));
	} else {
		/* the bug: seq is published before the record is durable */
		r->seq = s;
		pmemobj_persist(pop, &r->seq, sizeof(r->seq));
		pmemobj_persist(pop, r->data[s % 2], sizeof(r->data[0]));
	}
}

/* main -- see the top of this file */
int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "init")) {
		PMEMobjpool *pop = pmemobj_create(argv[2], "pmcrash_selftest",
						  PMEMOBJ_MIN_POOL, 0600);
		if (!pop) {
			fprintf(stderr, "selftest: create: %s\n", pmemobj_errormsg());
			return 2;
		}
		pmemobj_root(pop, sizeof(struct root));
		pmemobj_close(pop);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "run")) {
		PMEMobjpool *pop = open_pool(argv[3]);
		struct root *r = pmemobj_direct(pmemobj_root(pop, sizeof(struct root)));
		for (int i = atoi(argv[4]); i > 0; i--)
			update(pop, r, argv[2]);
		pmemobj_close(pop);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "check")) {
		PMEMobjpool *pop = open_pool(argv[2]);
		struct root *r = pmemobj_direct(pmemobj_root(pop, sizeof(struct root)));
		int bad = 0;
		for (int j = 0; r->seq && j < NDATA && !bad; j++)
			if (r->data[r->seq % 2][j] != r->seq * 1000 + (uint64_t)j) {
				printf("seq %llu but its slot has data[%d] = %llu\n",
				       (unsigned long long)r->seq, j,
				       (unsigned long long)r->data[r->seq % 2][j]);
				bad = 1;
			}
		if (!bad)
			printf("seq %llu consistent\n", (unsigned long long)r->seq);
		pmemobj_close(pop);
		return bad;
	}
	fprintf(stderr, "usage: pmcrash_selftest init POOL | run good|bad|tx POOL K | check POOL\n");
	return 2;
}
