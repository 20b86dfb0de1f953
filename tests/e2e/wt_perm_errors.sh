#!/bin/bash
# wt_perm_errors.sh -- a pool another user may not read is reported as
# such, naming the path and the cause ("Permission denied"), exit 128:
# not "no pool in ..." (issue 11, point 7). Runs pmvcs as uid 65534
# (lib.sh as_other_uid); needs root to switch users, and skips (exit 77,
# counted by ctest) without it.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v setpriv > /dev/null; then
	echo "SKIP: needs root and setpriv to run pmvcs as another user" >&2
	exit 77
fi
# the pool is opened by the command under test (no server holding it)
export PMVCS_NO_SERVER=1
r="$T/r"
pmvcs init -q "$r"
(cd "$r" && echo a > a && pmvcs commit -q -m a)
chmod -R a+rX "$r"

# as_nobody_err WHAT CAUSE PATH -- `pmvcs log` as uid 65534 must fail
# with exit 128, naming PATH and CAUSE, never "no pool"
as_nobody_err() {
	local rc=0 msg
	(cd "$r" && as_other_uid log > /dev/null 2> "$T/err") || rc=$?
	msg=$(cat "$T/err")
	expect_eq "$1: exit code" 128 "$rc"
	grep -qF -- "$2" <<< "$msg" || fail "$1: the message does not say '$2': $msg"
	grep -qF -- "'$3'" <<< "$msg" || fail "$1: the message does not name '$3': $msg"
	! grep -q "no pool" <<< "$msg" || fail "$1: reported as a missing pool: $msg"
	[ "$(grep -o "cannot open pool" <<< "$msg" | wc -l)" -le 1 ] ||
		fail "$1: the message repeats itself: $msg"
	echo "$1: $msg"
}

chmod 700 "$r/.pmvcs"
as_nobody_err ".pmvcs mode 0700" "Permission denied" "$r/.pmvcs/pool.set"
chmod 755 "$r/.pmvcs"
as_nobody_err "pool/ not writable" "Permission denied" "$r/.pmvcs/pool"
chmod 700 "$r/.pmvcs/pool"
as_nobody_err "pool/ mode 0700" "Permission denied" "$r/.pmvcs/pool"
chmod 755 "$r/.pmvcs/pool"
(cd "$r" && pmvcs log --oneline > /dev/null) || fail "the owner cannot open the pool"
echo "ok"
