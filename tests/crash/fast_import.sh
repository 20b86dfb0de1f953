# fast_import.sh -- power cuts inside `pmvcs fast-import`: a small
# synthetic stream at every point, then the sds stream (~60 commits,
# merges, annotated tags) at a seeded random subset (all points when
# PMCRASH_LONG=1). Refs must be absent or the stream's, fsck clean.
source "$(dirname "$0")/lib.bash"

cat >"$T/small.fe" <<'STREAM'
blob
mark :1
data 6
hello

blob
mark :2
data 8
goodbye

commit refs/heads/master
mark :3
author A U Thor <author@example.com> 1700000000 +0100
committer C O Mitter <committer@example.com> 1700000100 +0000
data 6
first
M 100644 :1 hello.txt

commit refs/heads/master
mark :4
author A U Thor <author@example.com> 1700000200 +0100
committer C O Mitter <committer@example.com> 1700000300 +0000
data 7
second
from :3
M 100644 :2 bye.txt
M 100755 :1 run.sh

reset refs/heads/side
from :3

tag v1
from :4
tagger C O Mitter <committer@example.com> 1700000400 +0000
data 4
tag

STREAM

r=$T/r
new_repo "$r"
echo "== small stream, every point"
pmcrash_vcs "$r" --points=all --seed=51 --images="$(pick 2 8)" --stdin="$T/small.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== small stream, emulated pmem"
pmcrash_vcs "$r" --points=all --seed=52 --media=pmem --stdin="$T/small.fe" \
	-- "$PMVCS" fast-import --quiet

xz -dc "$PMDB_SHARED/streams/sds.fe.xz" >"$T/sds.fe"
echo "== sds stream"
pmcrash_vcs "$r" --points=all --seed=53 --images="$(pick 1 20)" --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== sds stream, emulated pmem"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=54 --media=pmem --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet
echo "== sds stream on top of the small one (not fast-forward: refs stay)"
(cd "$r" && pmvcs fast-import --quiet <"$T/small.fe") || fail "import small"
crash 128 --repo "$r" --pmvcs="$PMVCS" --stdin="$T/sds.fe" -- "$PMVCS" fast-import --quiet
grep -q 'reference run failed' "$T/pmcrash.out" || fail "pmcrash did not say why"
pmcrash_vcs "$r" --points="$(pick random:20 all)" --seed=55 --stdin="$T/sds.fe" \
	-- "$PMVCS" fast-import --quiet --force
echo "fast_import: ok"
