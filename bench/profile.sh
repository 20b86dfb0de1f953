#!/usr/bin/env bash
# profile.sh -- where the time goes: perf profiles (self time per symbol)
# of the pmvcs side of the pairs in run.sh; short commands run 10 times
# under one recording. (callgrind cannot run pmvcs: valgrind refuses the
# pool's 1 TiB address-space reservation; this VM exposes no hardware
# counters to perf stat.) Run bench/run.sh first: this reuses its
# build ($BENCH_BUILD) and repositories ($BENCH_DATA). Writes the reports
# to $BENCH_DATA/profile/ and prints the top of each.
# Needs: perf (linux-perf).
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
