/*
 * put_workers.h -- the async put workers (put_workers.c) as the txn
 * module and pmdb_env_close see them.
 */
#ifndef PMDB_PUT_WORKERS_H
#define PMDB_PUT_WORKERS_H

#include "env.h"

struct pmdb_txn;
int pmdb_workers__submit(struct pmdb_txn *txn, size_t obj, pmdb_otype type,
			 const uint8_t *id, const void *src, size_t len,
			 uint64_t *ticket);
int pmdb_workers__reap(struct pmdb_txn *txn, uint64_t upto, int block);
uint64_t pmdb_workers__submitted(struct pmdb_env *env);
int pmdb_workers__count(struct pmdb_env *env);
void pmdb_workers__stop(struct pmdb_env *env);

#endif
