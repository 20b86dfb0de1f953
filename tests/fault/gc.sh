# gc.sh -- faults inside `pmvcs gc` with unreachable objects to free:
# whatever fails, the reachable history (fast-export --all) is unchanged
# and fsck passes; refs never move.
source "$(dirname "$0")/lib.bash"

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fill_tree "$r" 16 one
(cd "$r" && pmvcs commit -q -m first && pmvcs checkout -q -b tmp) || fail "setup"
for i in 1 2; do
	fill_tree "$r" 5 "tmp$i"
	(cd "$r" && pmvcs commit -q -m "tmp $i") || fail "commit $i"
done
(cd "$r" && pmvcs checkout -q master && pmvcs branch -D tmp) || fail "drop tmp"
(cd "$r" && pmvcs fast-export --all) >"$T/history" || fail "export"
fault_snap "$r" base

# fault_check DIR RC STATE: the reachable history is intact
fault_check() {
	local out
	out=$(cd "$1" && "$PMVCS" fast-export --all 2>&1) || { FLT_CHECK_MSG="fast-export failed: $out"; return 1; }
	[ "$out" == "$(cat "$T/history")" ] || { FLT_CHECK_MSG="history differs after gc"; return 1; }
}

echo "== gc"
fault_setup base "$PMVCS" gc --prune=now
fault_loop malloc exe "$(pick 30 1000000)" "$(pick 6 1000000)" "$PMVCS" gc --prune=now
fault_loop malloc "" "$(pick 15 1000000)" "$(pick 4 1000000)" "$PMVCS" gc --prune=now
for f in open write fallocate sync mmap; do
	fault_loop $f "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" gc --prune=now
done
echo "== gc, msync path (PMEM_IS_PMEM_FORCE=0)"
PMEM_IS_PMEM_FORCE=0 fault_loop sync "" "$(pick 15 1000000)" "$(pick 3 1000000)" "$PMVCS" gc --prune=now
fault_done
