/*
 * guard.c -- run a piece of code that reads a pool PMDK has not checked
 * (pmemobj_open, the heap walk of recovery) so that a fault in it is an
 * error, not the end of the process.
 *
 * PMDK trusts its heap metadata: a flipped bit in a chunk or run header
 * makes pmemobj_open or pmemobj_next divide by zero or follow a wild
 * pointer (docs/design.md "Damaged pools"). While a guard is active in a
 * thread, SIGSEGV, SIGBUS, SIGFPE and SIGILL raised by that thread jump
 * back to pmdb_guard__run, which reports the signal. The handlers are
 * process-wide, so they are installed while any thread is inside a guard
 * (counted) and the previous ones restored after. A fault in a thread
 * that is not inside a guard is handed on: the handler puts the previous
 * action back and returns, the instruction faults again and the previous
 * action (default: the core dump) takes it.
 *
 * What a jump leaves behind: whatever the guarded code held (PMDK's
 * runtime state, its locks, a mapping of the pool, the pool's flock) is
 * abandoned, never used again. The caller treats the pool as damaged and
 * does not close it; a command exits right after, a server leaks that
 * one mapping.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include "pool.h"

static const int guard_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NSIGS (sizeof(guard_sigs) / sizeof(guard_sigs[0]))

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static int guard_users;                  /* threads inside a guard */
static struct sigaction guard_old[NSIGS]; /* actions before the first */
static __thread sigjmp_buf *guard_jmp;   /* this thread's active guard */

/* guard_handler -- jump back into pmdb_guard__run, or hand on. */
static void
guard_handler(int sig)
{
	if (guard_jmp)
		siglongjmp(*guard_jmp, sig);
	for (size_t i = 0; i < NSIGS; i++)
		if (guard_sigs[i] == sig)
			sigaction(sig, &guard_old[i], NULL);
}

/* guard_install -- +1: install the handlers if no thread has; -1: put
 * the previous actions back after the last thread leaves. */
static void
guard_install(int d)
{
	pthread_mutex_lock(&guard_lock);
	if (d > 0 && guard_users++ == 0) {
		struct sigaction sa = { .sa_handler = guard_handler };

		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_NODEFER;
		for (size_t i = 0; i < NSIGS; i++)
			sigaction(guard_sigs[i], &sa, &guard_old[i]);
	} else if (d < 0 && --guard_users == 0) {
		for (size_t i = 0; i < NSIGS; i++)
			sigaction(guard_sigs[i], &guard_old[i], NULL);
	}
	pthread_mutex_unlock(&guard_lock);
}

/*
 * pmdb_guard__run -- fn(arg) with this thread's faults turned into a
 * return. Guards nest (the inner one takes the fault). @return fn's
 * value with *sig = 0, or -1 with *sig the signal that ended fn.
 */
int
pmdb_guard__run(int (*fn)(void *), void *arg, int *sig)
{
	sigjmp_buf jb;
	sigjmp_buf *volatile outer = guard_jmp;
	volatile int rc = -1;
	int s;

	guard_install(1);
	/* savesigs = 1: the jump leaves the handler with the signal
	 * unblocked again (SA_NODEFER keeps it so anyway) */
	if ((s = sigsetjmp(jb, 1)) == 0) {
		guard_jmp = &jb;
		rc = fn(arg);
	}
	guard_jmp = outer;
	guard_install(-1);
	*sig = s;
	return s ? -1 : rc;
}
