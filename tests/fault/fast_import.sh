# fast_import.sh -- faults inside `pmvcs fast-import` of a small synthetic
# stream (blobs, commits on two branches, an annotated tag: the shared
# $STREAMS/two_branches.fe), into an empty repository and on top of it
# (a fast-forward of both branches: $STREAMS/ff_two_branches.fe).
source "$(dirname "$0")/lib.bash"


r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fault_snap "$r" empty

echo "== stream into an empty repository"
export FLT_STDIN=$STREAMS/two_branches.fe
fault_setup empty "$PMVCS" fast-import --quiet
fault_loop malloc exe "$(pick 35 1000000)" "$(pick 8 1000000)" "$PMVCS" fast-import --quiet
fault_loop malloc "" "$(pick 15 1000000)" "$(pick 4 1000000)" "$PMVCS" fast-import --quiet
for f in open write fallocate sync mmap rename; do
	fault_loop $f "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
done

echo "== second stream on top"
fault_restore empty.ref "$r"
fault_snap "$r" one
export FLT_STDIN=$STREAMS/ff_two_branches.fe
fault_setup one "$PMVCS" fast-import --quiet
fault_loop malloc exe "$(pick 30 1000000)" "$(pick 6 1000000)" "$PMVCS" fast-import --quiet
fault_loop sync "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
fault_done
