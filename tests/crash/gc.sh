# gc.sh -- power cuts inside `pmvcs gc --prune=now` with unreachable
# objects to free (the reflog entries naming them are dated 2023, so gc
# expires them first): before the swap the old store, after it the new
# one, never a mix.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 24 one
(cd "$r" && pmvcs commit -q -m first && pmvcs checkout -q -b tmp) || fail "setup"
for i in 1 2 3; do
	fill_tree "$r" 6 "tmp$i"
	(cd "$r" && pmvcs commit -q -m "tmp $i") || fail "commit $i"
done
(cd "$r" && pmvcs checkout -q master && pmvcs branch -D tmp) || fail "drop tmp"
echo "== gc, page units"
pmcrash_vcs "$r" --points="$(pick random:40 all)" --seed=41 --images="$(pick 1 4)" \
	-- "$PMVCS" gc --prune=now
echo "== gc, emulated pmem, cache lines"
pmcrash_vcs "$r" --points="$(pick random:25 all)" --seed=42 --media=pmem -- "$PMVCS" gc --prune=now
echo "gc: ok"
