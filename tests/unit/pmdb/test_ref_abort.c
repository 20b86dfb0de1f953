/*
 * test_ref_abort.c -- a ref's seqlock across libpmemobj's rollback of an
 * aborted commit transaction (pmdb/ref.c, file comment).
 *
 * The rollback copies the undo log back with plain stores while readers
 * may be inside the seqlock, so a reader is safe only if (1) the entry's
 * seq is odd from the first field write until the rollback has ended and
 * (2) seq then ends at a value no reader saw before the commit. These
 * tests check both halves deterministically from inside the commit's tx:
 * with seq in the undo log (as before), seq was even inside the tx and
 * went back to its old value after the abort, and a reader that had read
 * the old seq accepted whatever mix of old and new bytes the copy left.
 */
#include "helpers.h"
#include "env.h"

static struct pmdb_pref *g_entry;   /* the entry under test */
static uint64_t g_seq_in_tx;        /* its seq inside the commit tx */
static pmdb_oid g_oid_in_tx;        /* its oid inside the commit tx */

/* entry_of -- the ref table entry holding name. */
static struct pmdb_pref *
entry_of(pmdb_env *env, const char *name)
{
	struct pmdb_view *v = env->view;

	for (uint64_t i = 0; i <= v->refmask; i++)
		if ((v->reftab->ent[i].flags & PMDB_REF_USED) &&
		    strcmp(v->reftab->ent[i].name, name) == 0)
			return &v->reftab->ent[i];
	return NULL;
}

/* with_main -- a new pool whose refs/heads/main holds a fresh commit. */
static pmdb_env *
with_main(char **dir, const char *tag, pmdb_oid *a)
{
	pmdb_env *env = open_new(dir, tag, PMDB_HASH_SHA1);
	pmdb_txn *txn;

	*a = put_one(env, PMDB_OBJ_COMMIT, "a");
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", a, NULL), 0);
	assert_int_equal(pmdb_txn_commit(txn), 0);
	return env;
}

/* abort_hook -- inside the commit tx after the ref writes: note the
 * entry's state, then abort the tx as a failed allocation would. */
static void
abort_hook(struct pmdb_env *env)
{
	(void)env;
	g_seq_in_tx = __atomic_load_n(&g_entry->seq, __ATOMIC_ACQUIRE);
	memcpy(g_oid_in_tx.id, g_entry->oid, sizeof(g_oid_in_tx.id));
	pmemobj_tx_abort(ECANCELED);
}

static void
test_pmdb__ref_abort_seqlock(void **state)
{
	char *dir;
	pmdb_oid a, b, r;
	pmdb_env *env = with_main(&dir, "refabort", &a);
	pmdb_txn *txn;
	uint64_t seq0;

	(void)state;
	b = put_one(env, PMDB_OBJ_COMMIT, "b");
	assert_non_null(g_entry = entry_of(env, "refs/heads/main"));
	seq0 = g_entry->seq;
	assert_int_equal(seq0 & 1, 0);

	env->in_commit_tx = abort_hook;
	assert_int_equal(pmdb_txn_begin(env, &txn), 0);
	assert_int_equal(pmdb_txn_ref_set(txn, "refs/heads/main", &b, &a), 0);
	assert_int_equal(pmdb_txn_commit(txn), PMDB_EPANIC);
	/* the new value was in the entry, under an odd seq */
	assert_memory_equal(g_oid_in_tx.id, b.id, 20);
	assert_int_equal(g_seq_in_tx & 1, 1);
	/* rolled back: the old bytes, under an even seq no reader saw */
	assert_memory_equal(g_entry->oid, a.id, 20);
	assert_int_equal(g_entry->seq & 1, 0);
	assert_true(g_entry->seq > seq0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	env = reopen(env, dir);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	pmdb_env_close(env);
	test_rmtree(dir);
}

/* A crash inside the commit tx leaves seq odd on the media (it is not in
 * the undo log): the next open must make it even, or every reader of
 * that ref would wait forever. */
static void
test_pmdb__ref_abort_odd_seq_at_open(void **state)
{
	char *dir;
	pmdb_oid a, r;
	pmdb_env *env = with_main(&dir, "refodd", &a);
	struct pmdb_pref *e;

	(void)state;
	assert_non_null(e = entry_of(env, "refs/heads/main"));
	e->seq |= 1;
	pmemobj_persist(env->pop, &e->seq, sizeof(e->seq));
	env = reopen(env, dir);
	assert_non_null(e = entry_of(env, "refs/heads/main"));
	assert_int_equal(e->seq & 1, 0);
	assert_int_equal(pmdb_ref_read(env, "refs/heads/main", &r, NULL), 0);
	assert_memory_equal(&r, &a, sizeof(r));
	pmdb_env_close(env);
	test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pmdb__ref_abort_seqlock),
		cmocka_unit_test(test_pmdb__ref_abort_odd_seq_at_open),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
