#!/usr/bin/env bash
# profile.sh -- where the time goes: perf profiles (self time per symbol)
# of the pmvcs side of the pairs in run.sh; short commands run 10 times
# under one recording; then instruction counts (callgrind, repeatable on a
# noisy machine) of the short commands in-process. valgrind refuses the
# pool's 1 TiB address-space reservation, so callgrind runs on a copy of
# the repository whose pool.set reserves 16 GiB (the reservation is only
# read at open). This VM exposes no hardware counters to perf stat. Run
# bench/run.sh first: this reuses its build ($BENCH_BUILD) and
# repositories ($BENCH_DATA). Writes the reports to $BENCH_DATA/profile/
# and prints the top of each. Needs: perf (linux-perf), valgrind.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${BENCH_BUILD:-$SRC/build-bench}
D=${BENCH_DATA:-/dev/shm/pmdb-bench}
E=${BENCH_EXT4:-/var/tmp/pmdb-bench}
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

# loop10 CMD...: a shell command line running CMD 10 times, output dropped
loop10() { printf 'for i in 1 2 3 4 5 6 7 8 9 10; do %s >/dev/null; done' "$*"; }

rm -rf "$D/prof-fi" && mkdir -p "$D/prof-fi" && "$PMVCS" -C "$D/prof-fi" init -q
perf_top fast-import-gen sh -c "exec '$PMVCS' -C '$D/prof-fi' fast-import --quiet < '$D/gen.fe'"
rm -rf "$D/prof-fi"
rm -rf "$E/prof-fi" && mkdir -p "$E/prof-fi" && env -u PMEM_IS_PMEM_FORCE "$PMVCS" -C "$E/prof-fi" init -q
perf_top fast-import-zlib-ext4 env -u PMEM_IS_PMEM_FORCE sh -c \
	"exec '$PMVCS' -C '$E/prof-fi' fast-import --quiet < '$D/zlib.fe'"
rm -rf "$E/prof-fi"
perf_top cat-file sh -c "exec '$PMVCS' -C '$D/p-gen' cat-file --batch-all-objects --batch > /dev/null"
perf_top log-x10 sh -c "$(loop10 "'$PMVCS' -C '$D/p-gen' log --all --oneline")"
perf_top git-log-x10 sh -c "$(loop10 "git -C '$D/g-gen' log --all --oneline")"
rm -rf "$D/prof-co" && mkdir -p "$D/prof-co" && cp -a "$D/p-gen/.pmvcs" "$D/prof-co/"
perf_top checkout "$PMVCS" -C "$D/prof-co" checkout -q -f main
rm -rf "$D/prof-co"
[ -d "$D/st-pm/.pmvcs" ] && perf_top status-x10 sh -c "$(loop10 "'$PMVCS' -C '$D/st-pm' status")"
[ -d "$D/st-git/.git" ] && perf_top git-status-x10 sh -c "$(loop10 "git -C '$D/st-git' status")"
rm -rf "$D/prof-lk"
perf_top lookup "$B/bench/bench_lookup" -n 1000000 -p 10000 -d "$D/prof-lk"
rm -rf "$D/prof-lk"

# callgrind NAME REPO CMD...: instruction counts of pmvcs-core CMD... on a
# copy of REPO reserving 16 GiB; the top functions by inclusive count
callgrind() {
	local name=$1 repo=$2 c=$D/prof-cg
	shift 2
	command -v valgrind >/dev/null || { echo "callgrind: valgrind missing"; return; }
	rm -rf "$c" && mkdir -p "$c" && cp -a "$repo/." "$c/" &&
		sed -i -E "s#^[0-9]+M .*#16384M $c/.pmvcs/pool/#" "$c/.pmvcs/pool.set" || return
	# one plain run first: a copied work tree has new inodes, and status
	# must see its refreshed stat cache, as in the timed rows
	(cd "$c" && PMVCS_NO_SERVER=1 "$B/tools/pmvcs-core" "$@" >/dev/null 2>&1)
	(cd "$c" && PMVCS_NO_SERVER=1 valgrind -q --tool=callgrind \
		--callgrind-out-file="$P/$name.cg" "$B/tools/pmvcs-core" "$@" >/dev/null 2>"$P/$name.err") ||
		{ echo "$name: callgrind failed: $(tail -1 "$P/$name.err")"; rm -rf "$c"; return; }
	callgrind_annotate --inclusive=yes "$P/$name.cg" 2>/dev/null |
		grep -E '^ *[0-9,]+ \(' | head -"$TOP" | sed -E 's#/[^ ]*/([^/ ]+\.[ch]):#\1:#' >"$P/$name.cg.txt"
	echo "== $name (callgrind, instructions, inclusive): pmvcs-core $*"
	cat "$P/$name.cg.txt"
	rm -rf "$c"
}
callgrind cg-rev-parse "$D/p-gen" rev-parse main
callgrind cg-log "$D/p-gen" log --all --oneline
[ -d "$D/st-pm/.pmvcs" ] && callgrind cg-status "$D/st-pm" status
