#!/bin/bash
# rd_fsck_gc.sh -- fsck is clean (exit 0) on a fresh history, reports
# dangling commits like git once no reflog names them, gc keeps what
# `branch -D` left unreachable for the grace period and `gc --prune=now`
# frees it (counted by stats --json), fsck stays clean after gc.
. "$(dirname "$0")/lib.sh"

count() { # count TYPE: objects of TYPE from stats --json
	pmvcs stats --json | sed -n "s/.*\"objects\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}
for fmt in sha1 sha256; do
	P=$T/p-$fmt
	pmvcs init -q --object-format=$fmt "$P"
	cd "$P"
	echo one > f; pmvcs commit -q -m one
	expect_rc 0 pmvcs fsck
	out=$(pmvcs fsck); expect_eq "$fmt: clean fsck prints nothing" "" "$out"
	pmvcs branch side
	pmvcs checkout -q side 2>/dev/null || pmvcs checkout side >/dev/null
	echo two > g; pmvcs commit -q -m two
	side=$(pmvcs rev-parse HEAD)
	pmvcs checkout -q master 2>/dev/null || pmvcs checkout master >/dev/null
	before=$(count commits)
	expect_eq "$fmt: two commits" 2 "$before"
	pmvcs branch -D side >/dev/null
	# HEAD's reflog still names the side commit: nothing dangles (git)
	out=$(pmvcs fsck)
	expect_eq "$fmt: HEAD's log keeps side" "" "$out"
	# gc expires the log (its entries carry 2023 dates: older than 90
	# days) but keeps the unreachable objects for the grace period
	out=$(pmvcs gc)
	case $out in "Freed 0 objects ("*" MB -> "*" MB)") ;; *) fail "$fmt: gc said: $out" ;; esac
	expect_eq "$fmt: side kept" 2 "$(count commits)"
	out=$(pmvcs fsck)
	expect_eq "$fmt: dangling after the log expired" "dangling commit $side" "$out"
	expect_rc 0 pmvcs fsck --connectivity-only >/dev/null
	out=$(pmvcs gc --prune=now)
	case $out in "Freed 3 objects ("*" MB -> "*" MB)") ;; *) fail "$fmt: gc said: $out" ;; esac
	expect_eq "$fmt: one commit left" 1 "$(count commits)"
	expect_eq "$fmt: one blob left" 1 "$(count blobs)"
	expect_rc 1 pmvcs cat-file -e "$side"
	expect_rc 0 pmvcs fsck
	expect_eq "$fmt: clean after gc" "" "$(pmvcs fsck)"
	expect_rc 0 pmvcs gc -q
	pmvcs stats | grep -q '^object format' || fail "stats table"
	pmvcs fsck --verbose 2>&1 | grep -q '^Checking commit' || fail "fsck --verbose"
	cd "$T"
done
echo ok
