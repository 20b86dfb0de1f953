# fast_import.sh -- power cuts inside `pmvcs fast-import`: a small
# synthetic stream at every point, then the sds stream (~60 commits,
# merges, annotated tags) at a seeded random subset (all points when
# PMCRASH_LONG=1). Refs must be absent or the stream's, fsck clean.
source "$(dirname "$0")/lib.bash"

# the small stream: blobs, commits on two branches, an annotated tag
small=$STREAMS/two_branches.fe

r=$T/r
new_repo "$r"
echo "== small stream, every point"
pmcrash_vcs "$r" --points=all --seed=51 --images="$(pick 2 8)" --stdin="$small" \
	-- "$PMVCS" fast-import --quiet
echo "== small stream, emulated pmem"
pmcrash_vcs "$r" --points=all --seed=52 --media=pmem --stdin="$small" \
	-- "$PMVCS" fast-import --quiet

xz -dc "$PMDB_SHARED/streams/sds.fe.xz" >"$T/sds.fe"
echo "== sds stream"
pmcrash_vcs "$r" --points=all --seed=53 --images="$(pick 1 20)" --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== sds stream, emulated pmem"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=54 --media=pmem --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== sds stream on top of the small one (not fast-forward: refs stay)"
(cd "$r" && pmvcs fast-import --quiet <"$small") || fail "import small"
crash 128 --repo "$r" --pmvcs="$PMVCS" --stdin="$T/sds.fe" -- "$PMVCS" fast-import --quiet
grep -q 'reference run failed' "$T/pmcrash.out" || fail "pmcrash did not say why"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=55 --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet --force
echo "fast_import: ok"
