/*
 * recover.h -- what an open repairs (recover.c).
 */
#ifndef PMDB_RECOVER_H
#define PMDB_RECOVER_H

#include "env.h"

int pmdb_recover__run(struct pmdb_env *env);
int pmdb_recover__sweep(struct pmdb_env *env);

#endif
