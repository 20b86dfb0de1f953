# fast_import.sh -- power cuts inside `pmvcs fast-import`: a tiny
# synthetic stream at every point (in the gen variant), then a history
# (../e2e/lib.sh use_streams small: generated, or the real sds one in the
# .shared variant; merges, annotated tags) at every point or a seeded
# random subset (all points when PMCRASH_LONG=1). Refs must be absent or
# the stream's, fsck clean.
# streams: gen shared
source "$(dirname "$0")/lib.bash"

use_streams small
# the tiny stream: blobs, commits on two branches, an annotated tag
tiny=$STREAMS/two_branches.fe

r=$T/r
new_repo "$r"
if [ "$STREAM_SET" = gen ]; then   # (once: it does not depend on the set)
	echo "== tiny stream, every point"
	pmcrash_vcs "$r" --points=all --seed=51 --images="$(pick 2 8)" --stdin="$tiny" \
		-- "$PMVCS" fast-import --quiet
	echo "== tiny stream, emulated pmem"
	pmcrash_vcs "$r" --points=all --seed=52 --media=pmem --stdin="$tiny" \
		-- "$PMVCS" fast-import --quiet
fi
echo "== $STREAM_SET small history"
pmcrash_vcs "$r" --points=all --seed=53 --images="$(pick 1 20)" --stdin="$T/small.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== $STREAM_SET small history, emulated pmem"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=54 --media=pmem --stdin="$T/small.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== the history on top of the tiny stream (not fast-forward: refs stay)"
# $MAIN at the tiny stream's master, so that the history's is no descendant
{
	cat "$tiny"
	[ "$MAIN" = master ] || printf 'reset refs/heads/%s\nfrom refs/heads/master\n\n' "$MAIN"
} | (cd "$r" && pmvcs fast-import --quiet) || fail "import tiny"
crash 128 --repo "$r" --pmvcs="$PMVCS" --stdin="$T/small.fe" -- "$PMVCS" fast-import --quiet
grep -q 'reference run failed' "$T/pmcrash.out" || fail "pmcrash did not say why"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=55 --stdin="$T/small.fe" \
	-- "$PMVCS" fast-import --quiet --force
echo "fast_import: ok"
