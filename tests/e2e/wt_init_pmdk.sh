#!/bin/bash
# wt_init_pmdk.sh -- pool creation on the odd paths and PMDK releases users
# have: a directory name holding quotes and a shell command is only a name
# (pmdb/poolset.c once removed half-made parts through the shell), and a
# PMDK that refuses to create a pool without the unsafe-shutdown state
# (2.x on tmpfs or a plain file) is retried without it.
source "$(dirname "$0")/lib.sh"

d="$T/it's a dir'; touch $T/pwned; echo '"
mkdir -p "$d"
pmvcs init -q "$d" || fail "init in a directory whose name holds quotes"
[ ! -e "$T/pwned" ] || fail "init ran a shell command taken from the path"
echo hello >"$d/f"
(cd "$d" && PMVCS_NO_SERVER=1 pmvcs commit -q -m one) || fail "commit in the quoted dir"
expect_eq "blob id" "$(git hash-object "$d/f")" \
	"$(cd "$d" && PMVCS_NO_SERVER=1 pmvcs rev-parse HEAD:f)"
fsck_ok "$d" "init in a quoted dir"

# PMDB_TEST_SDS_REFUSE makes pmdb see PMDK 2.x's refusal ("unsafe shutdown
# detection (SDS) is not supported") at the first create
s=$T/sds
PMDB_TEST_SDS_REFUSE=1 pmvcs init -q "$s" || fail "init after PMDK refused SDS"
echo x >"$s/f"
(cd "$s" && PMVCS_NO_SERVER=1 pmvcs commit -q -m one) || fail "commit on the pool made without SDS"
fsck_ok "$s" "init without SDS"
# (server.sock and server.lock: the server fsck_ok started, docs/server.md)
[ -z "$(ls "$s/.pmvcs" | grep -v -x -e pool -e pool.set -e wtcache -e config -e info \
	-e server.sock -e server.lock)" ] ||
	fail "the refused attempt left files: $(ls "$s/.pmvcs")"
echo ok
