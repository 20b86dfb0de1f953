#!/bin/bash
# init_full_disk.sh -- `pmvcs init` on a full disk says so: exit 128 and
# "No space left on device" naming the repository, never just "out of
# memory" (PMDK's word when it cannot add a heap part: issue 11, point
# 7). Every place the disk can fill during init is tried: the first part
# file (its fallocate), and the heap growth of the first transaction.
# As root: a small tmpfs in a private mount namespace; otherwise (and
# also as root) fallocate failing with ENOSPC from call N on.
source "$(dirname "$0")/lib.bash"

# init_err WHAT DIR -- init in DIR must fail as a full disk
init_err() {
	local rc=0 msg
	(cd "$2" && "${@:3}" init -q r) 2> "$T/err" || rc=$?
	msg=$(cat "$T/err")
	echo "$1: exit $rc: $msg"
	expect_eq "$1: exit code" 128 "$rc"
	[[ $msg == "pmvcs: "* ]] || fail "$1: not a 'pmvcs: ...' message"
	grep -q "No space left on device" <<< "$msg" || fail "$1: the cause is not 'No space left on device'"
	grep -qF "$2/r" <<< "$msg" || fail "$1: the message does not name $2/r"
	! grep -q "cannot create pool in '[^']*': cannot create pool" <<< "$msg" ||
		fail "$1: the message repeats itself"
}

if [ "${1:-}" = --inner ]; then
	# 4 MiB: no room for the first part; 12 MiB: the first part fits,
	# the heap cannot grow
	for mb in 4 12; do
		d="$T/fs$mb"; mkdir -p "$d"
		mount -t tmpfs -o size=${mb}m tmpfs "$d" || exit 77
		init_err "tmpfs of $mb MiB" "$d" "$PMVCS"
		umount "$d"
	done
	exit 0
fi
# injected: fallocate fails from call N on (1: the first part; 2: the
# part the first transaction adds)
for n in 1 2; do
	d="$T/inj$n"; mkdir -p "$d"
	init_err "fallocate ENOSPC from call $n" "$d" env LD_PRELOAD="$FAULTINJECT" \
		FAULT_FUNC=fallocate FAULT_AT=$n FAULT_PERSIST=1 "$PMVCS_CORE"
	(cd "$d" && rm -rf r && pmvcs init -q r) || fail "init after the injected fault"
done

if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
	rc=0
	unshare -m --propagation private bash "$0" --inner || rc=$?
	[ "$rc" -eq 0 ] || exit "$rc"
	echo "init_full_disk: ok (injected ENOSPC and real tmpfs)"
else
	echo "init_full_disk: no mount rights: injected ENOSPC only"
fi
