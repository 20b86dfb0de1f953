#!/bin/bash
# wt_init_stale.sh -- init removes the .pmvcs.tmp-* directories that a
# killed init left beside .pmvcs (vcs/repo.c), and only those: a tmp dir
# whose init.lock someone holds (an init still running) is kept, as is one
# without a lock file that is recent, a symlink, a plain file.
source "$(dirname "$0")/lib.sh"

# tmps DIR: the names of DIR's .pmvcs.tmp-* entries, one a line, sorted
tmps() { (cd "$1" && ls -d .pmvcs.tmp-* 2>/dev/null | sort) || true; }

# an init killed midway: strace delivers SIGKILL at its first rename (when
# strace is missing, the same leftover is built by hand: a complete pool
# in a tmp dir whose init.lock nobody holds)
k=$T/killed
mkdir -p "$k"
if command -v strace >/dev/null; then
	expect_rc 137 strace -f -o /dev/null -e trace=rename -e inject=rename:signal=KILL \
		"$PMVCS_CORE" init -q "$k"
else
	pmvcs init -q "$T/x"
	mv "$T/x/.pmvcs" "$k/.pmvcs.tmp-dead01"
	: >"$k/.pmvcs.tmp-dead01/init.lock"
fi
[ -n "$(tmps "$k")" ] || fail "the killed init left no tmp dir"
[ ! -e "$k/.pmvcs" ] || fail "the killed init left a .pmvcs"
pmvcs init -q "$k" || fail "init after a killed init"
expect_eq "tmp dirs after the next init" "" "$(tmps "$k")"
[ ! -e "$k/.pmvcs/init.lock" ] || fail "init left its lock file in .pmvcs"
(cd "$k" && pmvcs fsck) || fail "fsck after init"

# live, recent and odd entries are kept; unlocked and old ones go
d=$T/d
mkdir -p "$d/.pmvcs.tmp-live01" "$d/.pmvcs.tmp-liveold" "$d/.pmvcs.tmp-young1" \
	"$d/.pmvcs.tmp-old001" "$d/.pmvcs.tmp-dead02" "$T/elsewhere"
echo keep >"$T/elsewhere/f"
ln -s "$T/elsewhere" "$d/.pmvcs.tmp-link01"
echo keep >"$d/.pmvcs.tmp-file01"
: >"$d/.pmvcs.tmp-dead02/init.lock"
echo data >"$d/.pmvcs.tmp-dead02/pool.set"
touch -d '1 hour ago' "$d/.pmvcs.tmp-old001" "$T/elsewhere"
exec 8>"$d/.pmvcs.tmp-live01/init.lock" 9>"$d/.pmvcs.tmp-liveold/init.lock"
flock -n 8 && flock -n 9 || fail "cannot lock"
touch -d '1 hour ago' "$d/.pmvcs.tmp-liveold"
pmvcs init -q "$d" 8>&- 9>&- || fail "init beside leftovers"
expect_eq "tmp entries kept" ".pmvcs.tmp-file01
.pmvcs.tmp-link01
.pmvcs.tmp-live01
.pmvcs.tmp-liveold
.pmvcs.tmp-young1" "$(tmps "$d")"
[ "$(cat "$T/elsewhere/f")" == keep ] || fail "a symlink's target was touched"
[ -e "$d/.pmvcs.tmp-live01/init.lock" ] || fail "a live tmp dir lost its lock file"

# once their init is gone (the lock released), the next init removes them
exec 8>&- 9>&-
rm -rf "$d/.pmvcs"
pmvcs init -q "$d" || fail "second init"
expect_eq "tmp entries after the locks went" ".pmvcs.tmp-file01
.pmvcs.tmp-link01
.pmvcs.tmp-young1" "$(tmps "$d")"
echo ok
