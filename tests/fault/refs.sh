# refs.sh -- faults inside `pmvcs branch` and `pmvcs tag`: create a branch,
# a lightweight and an annotated tag, delete a branch and a tag. Refs must
# be old or new at every point, and new when the command said so.
source "$(dirname "$0")/lib.bash"

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fill_tree "$r" 6 one
(cd "$r" && pmvcs commit -q -m first && pmvcs branch old && pmvcs tag v0) || fail "setup"
fault_snap "$r" base

for cmd in "branch topic" "tag v1" "tag -a -m annotated v2" "branch -d old" "tag -d v0"; do
	echo "== pmvcs $cmd"
	# shellcheck disable=SC2086
	fault_setup base "$PMVCS" $cmd
	# shellcheck disable=SC2086
	fault_loop malloc exe "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" $cmd
	for f in open write sync mmap; do
		# shellcheck disable=SC2086
		fault_loop $f "" "$(pick 2 1000000)" "$(pick 1 1000000)" "$PMVCS" $cmd
	done
done
echo "== pmvcs tag -a, every malloc"
fault_setup base "$PMVCS" tag -a -m annotated v3
fault_loop malloc "" "$(pick 10 1000000)" "$(pick 2 1000000)" "$PMVCS" tag -a -m annotated v3
fault_done
