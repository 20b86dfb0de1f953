#!/usr/bin/env bash
# profile.sh -- where the time goes: perf profiles of the pmvcs side of the
# pairs in run.sh, and callgrind instruction counts (which repeat on a noisy
# machine) for the short commands. Run bench/run.sh first: this reuses its
# build ($BENCH_BUILD) and repositories ($BENCH_DATA). Writes the reports
# to $BENCH_DATA/profile/ and prints the top of each.
# Needs: perf (linux-perf), valgrind.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${BENCH_BUILD:-$SRC/build-bench}
D=${BENCH_DATA:-/dev/shm/pmdb-bench}
PMVCS=$B/tools/pmvcs
P=$D/profile
TOP=${TOP:-18}
export PMEM_IS_PMEM_FORCE=1 PMVCS_LOCK_TIMEOUT=0
mkdir -p "$P"
[ -d "$D/p-gen/.pmvcs" ] || { echo "profile.sh: run bench/run.sh first" >&2; exit 1; }

# perf_top NAME CMD...: record CMD (call graphs off: flat self time) and
# print the top symbols by self time with their DSO
perf_top() {
	local name=$1
	shift
	perf record -q -F 2999 -o "$P/$name.data" -- "$@" >/dev/null 2>"$P/$name.err" ||
		{ echo "$name: perf record failed: $(tail -1 "$P/$name.err")"; return; }
	perf report -q -i "$P/$name.data" --no-children --sort dso,symbol 2>/dev/null |
		grep -v '^$' | head -"$TOP" >"$P/$name.txt"
	echo "== $name: $*"
	cat "$P/$name.txt"
}

# callgrind_top NAME CMD...: instruction counts per function (inclusive of
# nothing: self cost), the top of the list
callgrind_top() {
	local name=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$P/$name.cg" "$@" >/dev/null 2>"$P/$name.err" ||
		{ echo "$name: callgrind failed: $(tail -1 "$P/$name.err")"; return; }
	callgrind_annotate "$P/$name.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -$((TOP + 3)) >"$P/$name.txt"
	echo "== $name (callgrind, instructions): $*"
	cat "$P/$name.txt"
}

rm -rf "$D/prof-fi" && mkdir -p "$D/prof-fi" && "$PMVCS" -C "$D/prof-fi" init -q
perf_top fast-import-gen sh -c "exec '$PMVCS' -C '$D/prof-fi' fast-import --quiet < '$D/gen.fe'"
rm -rf "$D/prof-fi"
perf_top cat-file sh -c "exec '$PMVCS' -C '$D/p-gen' cat-file --batch-all-objects --batch > /dev/null"
callgrind_top log "$PMVCS" -C "$D/p-gen" log --all --oneline
callgrind_top git-log git -C "$D/g-gen" log --all --oneline
rm -rf "$D/prof-co" && mkdir -p "$D/prof-co" && cp -a "$D/p-gen/.pmvcs" "$D/prof-co/"
perf_top checkout "$PMVCS" -C "$D/prof-co" checkout -q -f main
rm -rf "$D/prof-co"
[ -d "$D/st-pm/.pmvcs" ] && callgrind_top status "$PMVCS" -C "$D/st-pm" status
rm -rf "$D/prof-lk"
perf_top lookup "$B/bench/bench_lookup" -n 1000000 -p 10000 -d "$D/prof-lk"
rm -rf "$D/prof-lk"
