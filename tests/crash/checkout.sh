# checkout.sh -- power cuts inside `pmvcs checkout` of another branch: HEAD
# must name the old or the new branch, the pool must stay clean.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 20 one
(cd "$r" && pmvcs commit -q -m first && pmvcs branch topic && pmvcs checkout -q topic) ||
	fail "setup"
fill_tree "$r" 10 two
echo more >"$r/more.txt"
(cd "$r" && pmvcs commit -q -m second && pmvcs checkout -q master) || fail "setup 2"
echo "== checkout topic"
pmcrash_vcs "$r" --points=all --seed=31 --images="$(pick 1 8)" -- "$PMVCS" checkout -q topic
echo "== checkout -b new (creates a branch and moves HEAD)"
pmcrash_vcs "$r" --points=all --seed=32 -- "$PMVCS" checkout -q -b new
echo "checkout: ok"
