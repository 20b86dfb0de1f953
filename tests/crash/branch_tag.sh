# branch_tag.sh -- power cuts inside `pmvcs branch` and `pmvcs tag`
# (create, annotated, delete): refs must be old or new at every point.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 12 one
(cd "$r" && pmvcs commit -q -m first && pmvcs branch old && pmvcs tag v0) || fail "setup"
n=$(pick all all)
for cmd in "branch topic" "tag v1" "tag -a -m annotated v2" "branch -d old" "tag -d v0"; do
	echo "== pmvcs $cmd"
	# shellcheck disable=SC2086
	pmcrash_vcs "$r" --points="$n" --seed=21 -- "$PMVCS" $cmd
done
echo "== tag, emulated pmem"
pmcrash_vcs "$r" --points=all --seed=22 --media=pmem -- "$PMVCS" tag -a -m pm v3
echo "== several commands in one run: flush points count across processes"
crash_ok --repo "$r" --pmvcs="$PMVCS" --points=all --seed=23 -- \
	sh -c '"$0" branch multi && "$0" tag -a -m multi vm && "$0" branch -d old' "$PMVCS"
echo "branch_tag: ok"
