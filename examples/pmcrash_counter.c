/*
 * pmcrash_counter.c -- testing your own libpmemobj program with pmcrash.
 *
 * A plain libpmemobj program (no pmdb): a pool whose root holds a counter
 * and a log of the values it took, updated in one transaction. Its check
 * says what must hold after any crash: the log is exactly 0..counter-1.
 *
 *   example_pmcrash_counter init POOL      create the pool
 *   example_pmcrash_counter run POOL K     K increments, one tx each
 *   example_pmcrash_counter check POOL     exit 0 when consistent
 *
 * Under pmcrash (docs/pmcrash.md), every flush point of a run is a
 * simulated power cut, and the check runs on each crash image:
 *
 *   example_pmcrash_counter init db/c.pool
 *   pmcrash --repo db --check='example_pmcrash_counter check c.pool' \
 *           -- example_pmcrash_counter run c.pool 5
 */
#include <libpmemobj.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX 4096

struct root {
	uint64_t counter;
	uint64_t log[LOG_MAX];
};

static PMEMobjpool *
open_pool(const char *path, int create)
{
	PMEMobjpool *pop = create ?
		pmemobj_create(path, "pmcrash_counter", 8 << 20, 0644) :
		pmemobj_open(path, "pmcrash_counter");

	if (!pop) {
		fprintf(stderr, "%s: %s\n", path, pmemobj_errormsg());
		exit(2);
	}
	return pop;
}

/* increment -- one transaction: log the counter's value, then count it.
 * @return 0, or 1 if the transaction aborted. */
static int
increment(PMEMobjpool *pop, struct root *r)
{
	volatile int rc = 0;

	TX_BEGIN(pop) {
		pmemobj_tx_add_range_direct(&r->log[r->counter],
					    sizeof(uint64_t));
		pmemobj_tx_add_range_direct(&r->counter, sizeof(uint64_t));
		r->log[r->counter] = r->counter;
		r->counter++;
	} TX_ONABORT {
		rc = 1;
	} TX_END
	return rc;
}

int
main(int argc, char **argv)
{
	PMEMobjpool *pop;
	struct root *r;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s init|run|check POOL [K]\n", argv[0]);
		return 2;
	}
	pop = open_pool(argv[2], !strcmp(argv[1], "init"));
	r = pmemobj_direct(pmemobj_root(pop, sizeof(*r)));
	if (!strcmp(argv[1], "run")) {
		long k = argc > 3 ? atol(argv[3]) : 1;

		for (long i = 0; i < k && r->counter < LOG_MAX && !rc; i++)
			rc = increment(pop, r);
	} else if (!strcmp(argv[1], "check")) {
		for (uint64_t i = 0; i < LOG_MAX; i++) {
			uint64_t want = i < r->counter ? i : 0;

			if (r->log[i] != want) {
				printf("counter %llu but log[%llu] = %llu\n",
				       (unsigned long long)r->counter,
				       (unsigned long long)i,
				       (unsigned long long)r->log[i]);
				rc = 1;
				break;
			}
		}
	}
	pmemobj_close(pop);
	return rc;
}
