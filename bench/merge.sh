#!/usr/bin/env bash
# merge.sh [--runs N] [--files N] -- pmvcs merge against git merge on the
# same history: a generated repository (N files in 50 directories, default
# 5000) where two branches each change 10% of the files (a few files on
# both sides, merged line by line without conflict), merged with a merge
# commit; each run merges into a fresh branch at the same commit (the
# checkout untimed), so every run makes the same merge. Prints the
# median wall time of each and the ratio. Needs: git, a built pmvcs
# ($PMVCS, default <repo>/build/tools/pmvcs). Not a test.
set -euo pipefail

RUNS=5 FILES=5000
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--files) FILES=$2; shift ;;
	-h|--help) sed -n '2,9p' "$0"; exit 0 ;;
	*) echo "merge.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
SRC=$(cd "$(dirname "$0")/.." && pwd)
PMVCS=${PMVCS:-$SRC/build/tools/pmvcs}
D=$(mktemp -d "${BENCH_DATA:-/dev/shm}/merge-bench.XXXXXX")
trap 'rm -rf "$D"' EXIT
export GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=C
export GIT_COMMITTER_EMAIL=c@example.com GIT_AUTHOR_DATE="1700000000 +0000"
export GIT_COMMITTER_DATE="1700000000 +0000" GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
g() { git -C "$D/g" -c merge.renames=false "$@"; }

# the history, made with git and imported into pmvcs
git init -q -b master "$D/g"
for ((i = 0; i < FILES; i++)); do
	mkdir -p "$D/g/d$((i % 50))"
	seq 1 40 | sed "s/^/file $i line /" >"$D/g/d$((i % 50))/f$i"
done
g add -A; g commit -qm base
g branch side
change() {  # change TAG FROM STEP LINE: every STEP-th file from FROM
	for ((i = $2; i < FILES; i += $3)); do
		sed -i "$4s/\$/ $1/" "$D/g/d$((i % 50))/f$i"
	done
	g commit -qam "$1"
}
change ours 0 10 5; g checkout -q side; change theirs 5 10 30
change theirs2 0 20 35; g checkout -q master
g fast-export --all >"$D/stream"
"$PMVCS" init -q "$D/p"
(cd "$D/p" && "$PMVCS" fast-import --quiet <"$D/stream" && "$PMVCS" checkout -q -f master)

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
gt=() pt=()
for ((r = 0; r < RUNS; r++)); do
	g checkout -q -b run$r master
	t=$(date +%s%N); g merge -q --no-edit side >/dev/null; gt+=("$(ms "$t")")
	(cd "$D/p" && "$PMVCS" checkout -q -b run$r master)
	t=$(date +%s%N); (cd "$D/p" && "$PMVCS" merge side >/dev/null); pt+=("$(ms "$t")")
	[ "$(g rev-parse HEAD)" = "$(cd "$D/p" && "$PMVCS" rev-parse HEAD)" ] ||
		{ echo "merge.sh: the merge commits differ" >&2; exit 1; }
done
gm=$(printf '%s\n' "${gt[@]}" | median)
pm=$(printf '%s\n' "${pt[@]}" | median)
echo "merge, $FILES files, $((FILES / 10 + FILES / 10 + FILES / 20)) changed, $RUNS runs (median):"
echo "  git merge   $gm ms   (runs: ${gt[*]})"
echo "  pmvcs merge $pm ms   (runs: ${pt[*]})"
awk -v g="$gm" -v p="$pm" 'BEGIN { printf "  ratio git/pmvcs %.2fx\n", (p ? g / p : 0) }'
