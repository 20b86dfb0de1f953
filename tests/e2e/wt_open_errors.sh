#!/bin/bash
# wt_open_errors.sh -- a pool that cannot be opened is named once, with
# the cause: "pmvcs: cannot open pool '<dir>/.pmvcs/pool.set': <cause>",
# exit 128, never "cannot open pool 'X': cannot open pool 'X': ...".
# Permission errors as another user: wt_perm_errors.sh.
source "$(dirname "$0")/lib.sh"

# the pool is damaged under the command, which must open it itself (a
# server holding it mapped would only die of the damage)
export PMVCS_NO_SERVER=1
r="$T/r"
pmvcs init -q "$r"
(cd "$r" && echo a > a && pmvcs commit -q -m a)

# open_err WHAT CAUSE -- pmvcs log must fail naming the pool once and CAUSE
open_err() {
	local rc=0 msg
	(cd "$r" && pmvcs log > /dev/null 2> "$T/err") || rc=$?
	msg=$(cat "$T/err")
	expect_eq "$1: exit code" 128 "$rc"
	[[ $msg == "pmvcs: cannot open pool '$r/.pmvcs/pool.set': "* ]] ||
		fail "$1: message does not open with the pool: $msg"
	[ "$(grep -o "cannot open pool" <<< "$msg" | wc -l)" -eq 1 ] ||
		fail "$1: the message repeats itself: $msg"
	grep -qF -- "$2" <<< "$msg" || fail "$1: the message does not say '$2': $msg"
}

cp -a "$r/.pmvcs" "$T/saved"
part=$(ls "$r/.pmvcs/pool/" | head -1)
truncate -s 1000 "$r/.pmvcs/pool/$part"
open_err "truncated part" "smaller than"
rm -rf "$r/.pmvcs/pool"
open_err "no part directory" "No such file or directory"
rm -rf "$r/.pmvcs"; cp -a "$T/saved" "$r/.pmvcs"
(cd "$r" && pmvcs log --oneline > /dev/null) || fail "restored pool does not open"
echo "ok"
