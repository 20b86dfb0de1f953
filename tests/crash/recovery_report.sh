# recovery_report.sh -- a crash with a commit in flight is rolled back at the
# next open, and `pmvcs fsck --verbose` says how many records it rolled
# back: some crash point of a commit must report at least one, every point
# must leave fsck clean, and a clean open must report none.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 24 rec
log=$T/recovery.log
: >"$log"
# keep-all: what a kill leaves; the window between index publish and the
# commit transaction is where records must be rolled back
crash_ok --repo "$r" --points=all --seed=61 --mode=keep-all \
	--check="'$PMVCS' fsck --verbose 2>>'$log' >/dev/null" -- "$PMVCS" commit -q -m first
grep -q '^Recovery at open: ' "$log" || fail "fsck --verbose printed no recovery line"
n=$(grep -c '^Recovery at open: [1-9][0-9]* record' "$log" || true)
echo "points whose open rolled records back: $n"
[ "$n" -ge 1 ] || fail "no crash point left records to roll back: recovery not reported"
out=$(cd "$r" && pmvcs fsck --verbose 2>&1 >/dev/null) || true
echo "$out" | grep -q '^Recovery at open: 0 record' ||
	fail "a clean open did not report 0 rolled-back records: $out"
echo "recovery_report: ok"
