/*
 * test_guard.c -- pmdb_guard__run (pmdb/guard.c): a fault inside the
 * guarded function is a return with the signal, nested guards unwind to
 * the inner one, and the process's own handlers are back afterwards.
 */
#include <signal.h>
#include <sys/mman.h>
#include "helpers.h"
#include "pool.h"

static void *g_none;   /* a page mapped PROT_NONE: reading it faults */

/* deref -- a real SIGSEGV (a page that cannot be read, not NULL, which
 * UBSan builds report as undefined behaviour first) */
static int
deref(void *arg)
{
	(void)arg;
	return *(volatile int *)g_none;
}

/* divide -- SIGFPE as a division by zero raises it (raised: a real one
 * is undefined behaviour, which UBSan builds report) */
static int
divide(void *arg)
{
	(void)arg;
	raise(SIGFPE);
	return 0;
}

static int
fine(void *arg)
{
	return *(int *)arg + 1;
}

/* nested -- a guard inside a guard takes the fault; the outer goes on. */
static int
nested(void *arg)
{
	int sig = 0;

	(void)arg;
	assert_int_equal(pmdb_guard__run(deref, NULL, &sig), -1);
	assert_int_equal(sig, SIGSEGV);
	return 7;
}

static void
on_usr(int sig)
{
	(void)sig;
}

static void
test_pmdb__guard_faults(void **state)
{
	struct sigaction mine = { .sa_handler = on_usr }, now;
	int sig = -1, v = 41;

	(void)state;
	g_none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g_none != MAP_FAILED);
	sigemptyset(&mine.sa_mask);
	assert_int_equal(sigaction(SIGSEGV, &mine, NULL), 0);
	assert_int_equal(pmdb_guard__run(fine, &v, &sig), 42);
	assert_int_equal(sig, 0);
	assert_int_equal(pmdb_guard__run(deref, NULL, &sig), -1);
	assert_int_equal(sig, SIGSEGV);
	assert_int_equal(pmdb_guard__run(divide, NULL, &sig), -1);
	assert_int_equal(sig, SIGFPE);
	assert_int_equal(pmdb_guard__run(nested, NULL, &sig), 7);
	assert_int_equal(sig, 0);
	/* the handler the process had is back */
	assert_int_equal(sigaction(SIGSEGV, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr);
	signal(SIGSEGV, SIG_DFL);
	munmap(g_none, 4096);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__guard_faults),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
