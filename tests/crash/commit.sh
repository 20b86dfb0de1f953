# commit.sh -- power cuts at every flush point of `pmvcs commit`: the first
# commit of a tree of a few dozen files, then a commit that changes, adds
# and removes files; on the msync path and on emulated pmem (cache lines).
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 36 one

echo "== first commit, every point, page units"
pmcrash_vcs "$r" --points=all --seed=11 --images="$(pick 1 8)" -- "$PMVCS" commit -q -m first
(cd "$r" && pmvcs commit -q -m first) || fail "commit"

fill_tree "$r" 8 two
rm "$r/dir3/f35.txt"
echo "new" >"$r/new.txt"
echo "== second commit, every point, page units"
pmcrash_vcs "$r" --points=all --seed=12 --images="$(pick 1 8)" -- "$PMVCS" commit -q -m second
echo "== second commit, emulated pmem, cache lines, all lost"
pmcrash_vcs "$r" --points="$(pick random:15 all)" --seed=13 --media=pmem --mode=drop-all \
	-- "$PMVCS" commit -q -m second
echo "== second commit, emulated pmem, cache lines, random"
pmcrash_vcs "$r" --points="$(pick random:15 all)" --seed=14 --media=pmem --images="$(pick 1 8)" \
	-- "$PMVCS" commit -q -m second
echo "commit: ok"
