#!/usr/bin/env bash
# run.sh [--quick|--full] [--runs N] [--no-build] -- the benchmark suite.
#
# Builds Release in $BENCH_BUILD (default <repo>/build-bench), prepares the
# data in $BENCH_DATA (default /dev/shm/pmdb-bench; the msync rows use
# $BENCH_EXT4, default /var/tmp/pmdb-bench, which must be an ordinary disk
# file system), runs every pair (reference, pmvcs) RUNS times and prints a
# Markdown table of medians: path, reference, reference time, pmvcs time,
# ratio, target, met. Quick mode (default): 3 runs, a ~100 MB generated
# stream. Full mode: 5 runs, a ~1 GB generated stream as well.
# Rows marked "served" run the same pmvcs command through `pmvcs server`
# (started untimed before the runs), the mode the pool server is for;
# "default path" rows let pmvcs start its server itself (the first command
# in a repository does); all others run in-process (PMVCS_NO_SERVER=1).
# A pair whose command fails prints FAILED and the reason; nothing here is
# a test and nothing is hard-coded. Needs: cmake, a C compiler, git, xz,
# openssl, liblmdb-dev, libpmemobj-dev (scripts/install-deps.sh).
set -uo pipefail

MODE=quick
RUNS=
BUILD=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--runs) RUNS=$2; shift ;;
	--no-build) BUILD=0 ;;
	-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -z "$RUNS" ]; then
	if [ $MODE = quick ]; then RUNS=3; else RUNS=5; fi
fi

SRC=$(cd "$(dirname "$0")/.." && pwd)
B=${BENCH_BUILD:-$SRC/build-bench}
D=${BENCH_DATA:-/dev/shm/pmdb-bench}
E=${BENCH_EXT4:-/var/tmp/pmdb-bench}
STREAMS=${BENCH_STREAMS:-$SRC/../shared/streams}
RS=$B/bench/bench_runstat
PMVCS=$B/tools/pmvcs
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export PMVCS_LOCK_TIMEOUT=0
# rows time pmvcs in-process unless they say "served" or "default path":
# those set PMVCS_NO_SERVER=0 (docs/server.md: the server by default)
export PMVCS_NO_SERVER=1
T_START=$(date +%s.%N)

log() { echo "# [$(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0fs", b - a }')] $*" >&2; }

# ------------------------------------------------------------------
# header: machine and commit
# ------------------------------------------------------------------
header() {
	local cpu mem
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "## pmdb benchmarks ($MODE mode, $RUNS runs per pair, medians)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $cpu, $(nproc) cores, $mem RAM, kernel $(uname -r)"
	echo "- commit: $(git -C "$SRC" rev-parse --short HEAD) ($(git -C "$SRC" log -1 --format=%cI))$(git -C "$SRC" diff --quiet HEAD -- 2>/dev/null || echo ', working tree has changes')"
	echo "- references: $(git --version), $(openssl version | cut -d' ' -f1-2), LMDB $(dpkg-query -W -f='${Version}' liblmdb-dev 2>/dev/null || echo '?'), libpmemobj $(dpkg-query -W -f='${Version}' libpmemobj-dev 2>/dev/null || echo '?')"
	echo "- data: $D (tmpfs, PMEM_IS_PMEM_FORCE=1 for pmvcs), msync rows: $E ($(df -T "$E" 2>/dev/null | awk 'NR==2 { print $2 }'))"
	echo "- load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
}

# ------------------------------------------------------------------
# build
# ------------------------------------------------------------------
BUILD_FAIL=()
build() {
	local t
	mkdir -p "$B"
	if ! cmake -S "$SRC" -B "$B" -DCMAKE_BUILD_TYPE=Release -DPMDB_BENCH=ON \
	     -DPMDB_TESTS=OFF >"$B/cmake.log" 2>&1; then
		log "cmake configure failed: $(tail -3 "$B/cmake.log" | tr '\n' ' ')"
	fi
	for t in gen_stream bench_runstat bench_lookup bench_hash pmvcs; do
		if ! cmake --build "$B" -j"$(nproc)" --target $t >"$B/build-$t.log" 2>&1; then
			BUILD_FAIL+=("$t")
			log "build of $t failed: $(grep -m1 -E 'error|Error' "$B/build-$t.log")"
		fi
	done
}

# ------------------------------------------------------------------
# timing: bench_runstat RUNS times, medians
# ------------------------------------------------------------------
# timed NAME PREP RUNSTAT-OPTS... -- CMD...: call the shell function PREP
# (untimed; "-" for none) before each run, then time CMD. On failure the
# reason is in $D/rep/NAME.why and the return is 1.
timed() {
	local name=$1 prep=$2 i rc
	shift 2
	local rep=$D/rep/$name
	rm -f "$rep" "$rep.why" "$rep.stderr"
	for ((i = 0; i < RUNS; i++)); do
		if [ "$prep" != - ] && ! $prep >"$rep.prep" 2>&1; then
			echo "setup failed: $(tail -1 "$rep.prep" | cut -c1-100)" >"$rep.why"
			return 1
		fi
		"$RS" -r "$rep" -e "$rep.stderr" "$@"
		rc=$?
		if [ $rc -ne 0 ]; then
			echo "exit $rc: $(grep -v '^$' "$rep.stderr" | tail -1 | cut -c1-100)" >"$rep.why"
			return 1
		fi
	done
	return 0
}

# field NAME KEY: median of KEY= over the runs of NAME
field() {
	grep -o "$2=[0-9.]*" "$D/rep/$1" 2>/dev/null | cut -d= -f2 | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread NAME: (max - min) / median of wall, in percent
spread() {
	grep -o "wall=[0-9.]*" "$D/rep/$1" 2>/dev/null | cut -d= -f2 | sort -g |
		awk '{ v[NR] = $1 } END { if (NR > 1) { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f", 100 * (v[NR] - v[1]) / m } else print "-" }'
}

# rss_mb NAME: "<peak RSS> MB (anon <peak RssAnon>)", medians
rss_mb() {
	echo "$(($(field "$1" maxrss_kb | cut -d. -f1) / 1024)) MB (anon $(($(field "$1" maxanon_kb | cut -d. -f1) / 1024)))"
}

# fmt_s SECONDS: "1.23 s" or "45.6 ms"
fmt_s() {
	awk -v s="$1" 'BEGIN { if (s >= 1) printf "%.2f s", s; else if (s >= 0.001) printf "%.1f ms", s * 1000; else printf "%.0f us", s * 1e6 }'
}

# ------------------------------------------------------------------
# the table
# ------------------------------------------------------------------
ROWS=()
NOTES=()
# row PATH REFERENCE REFVAL PMVAL RATIO TARGET MET
row() {
	local r="| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"
	ROWS+=("$r")
	echo "$r" >&2
}
note() { NOTES+=("$*"); log "note: $*"; }

# time_row PATH REFERENCE REFNAME PMNAME MIN_RATIO TARGETTEXT [rss]:
# a row from two timed pairs; ratio = reference time / pmvcs time.
time_row() {
	local path=$1 ref=$2 rn=$3 pn=$4 min=$5 tt=$6 rss=${7:-}
	local rt pt ratio met rv pv
	if [ -e "$D/rep/$rn.why" ]; then
		rv="FAILED ($(cat "$D/rep/$rn.why"))"
	else
		rt=$(field "$rn" wall)
		rv="$(fmt_s "$rt") ±$(spread "$rn")%"
		[ -n "$rss" ] && rv="$rv, $(rss_mb "$rn")"
	fi
	if [ -e "$D/rep/$pn.why" ] || [ ! -s "$D/rep/$pn" ]; then
		pv="FAILED ($(cat "$D/rep/$pn.why" 2>/dev/null || echo 'not run'))"
	else
		pt=$(field "$pn" wall)
		pv="$(fmt_s "$pt") ±$(spread "$pn")%"
		[ -n "$rss" ] && pv="$pv, $(rss_mb "$pn")"
	fi
	if [ -n "${rt:-}" ] && [ -n "${pt:-}" ]; then
		ratio=$(awk -v a="$rt" -v b="$pt" 'BEGIN { printf "%.2fx", a / b }')
		if [ "$min" = - ]; then
			met=-
		else
			met=$(awk -v a="$rt" -v b="$pt" -v m="$min" 'BEGIN { print (a / b >= m) ? "yes" : "no" }')
		fi
		if [ "$rss" = rss256 ]; then
			local prss panon
			prss=$(($(field "$pn" maxrss_kb | cut -d. -f1) / 1024))
			panon=$(($(field "$pn" maxanon_kb | cut -d. -f1) / 1024))
			if [ "$panon" -gt 256 ]; then
				met="no (anon RSS $panon MB)"
			elif [ "$prss" -gt 256 ]; then
				met="$met; RSS: anon $panon MB ok, total $prss MB > 256 (pool pages)"
			fi
		fi
	else
		ratio=-
		met=FAILED
	fi
	row "$path" "$ref" "$rv" "$pv" "$ratio" "$tt" "$met"
}

# ------------------------------------------------------------------
# data
# ------------------------------------------------------------------
# gen_stream arguments; the environment may override them (smoke tests)
GEN_Q=${BENCH_GEN_QUICK:-"-n 5000 -s 100M -f 3000 -r 1"}
GEN_F=${BENCH_GEN_FULL:-"-n 20000 -s 1G -f 4000 -r 2"}
GEN_S=${BENCH_GEN_STATUS:-"-n 1 -f 10000 -m 2k -s 1 -r 3"}
prepare_data() {
	mkdir -p "$D/rep" "$E"
	local s
	for s in zlib sds; do
		if [ ! -s "$D/$s.fe" ] || [ "$STREAMS/$s.fe.xz" -nt "$D/$s.fe" ]; then
			xz -dc "$STREAMS/$s.fe.xz" >"$D/$s.fe.tmp" && mv "$D/$s.fe.tmp" "$D/$s.fe"
		fi
	done
	gen_one gen "$GEN_Q"
	[ $MODE = full ] && gen_one gen1g "$GEN_F"
	gen_one status "$GEN_S"
	cp "$D/zlib.fe" "$E/zlib.fe" 2>/dev/null || true
}

# gen_one NAME ARGS: (re)generate $D/NAME.fe when missing or stale
gen_one() {
	local stamp="$D/$1.fe.args"
	if [ ! -s "$D/$1.fe" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$2" ] ||
	   [ "$B/bench/gen_stream" -nt "$D/$1.fe" ]; then
		log "generating $1 stream ($2)"
		# shellcheck disable=SC2086
		"$B/bench/gen_stream" $2 >"$D/$1.fe.tmp" 2>/dev/null &&
			mv "$D/$1.fe.tmp" "$D/$1.fe" && echo "$2" >"$stamp"
	fi
}

mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }

# ------------------------------------------------------------------
# fast-import pairs
# ------------------------------------------------------------------
# Repositories are made fresh before each run (untimed); the last run's
# repositories stay for the rows that read them.
FI_DIR=
FI_NAME=
prep_git_repo() { rm -rf "$FI_DIR/g-$FI_NAME" && git init -q --bare "$FI_DIR/g-$FI_NAME"; }
prep_pm_repo() { rm -rf "$FI_DIR/p-$FI_NAME" && mkdir -p "$FI_DIR/p-$FI_NAME" &&
	"$PMVCS" -C "$FI_DIR/p-$FI_NAME" init -q; }

# fast_import NAME DIR STREAM: time both imports of STREAM under DIR
fast_import() {
	FI_NAME=$1 FI_DIR=$2
	local st=$3
	log "fast-import $FI_NAME: git"
	timed "fi-$FI_NAME.git" prep_git_repo -i "$st" -o /dev/null -- \
		git -C "$FI_DIR/g-$FI_NAME" fast-import --quiet
	log "fast-import $FI_NAME: pmvcs"
	timed "fi-$FI_NAME.pm" prep_pm_repo -i "$st" -o /dev/null -- \
		"$PMVCS" -C "$FI_DIR/p-$FI_NAME" fast-import --quiet
	check_refs "$FI_DIR/g-$FI_NAME" "$FI_DIR/p-$FI_NAME" "$FI_NAME"
}

# check_refs GITREPO PMREPO NAME: note when pmvcs's refs differ from git's
check_refs() {
	[ -e "$D/rep/fi-$3.pm.why" ] && return
	local g p
	g=$(git -C "$1" show-ref 2>/dev/null | md5sum)
	p=$("$PMVCS" -C "$2" show-ref 2>/dev/null | md5sum)
	if [ "$g" != "$p" ]; then
		note "fast-import $3: pmvcs show-ref differs from git's (ids or refs not identical)"
	else
		note "fast-import $3: every ref and id identical to git's (show-ref)"
	fi
}

# pool_row NAME DIR: pool size after import vs git's pack from fast-import
pool_row() {
	local g p sb
	if [ ! -d "$2/g-$1/objects" ] || [ -e "$D/rep/fi-$1.pm.why" ]; then
		row "pool size after import ($1)" "git fast-import pack" "-" "FAILED (import failed)" - "<= 2x" FAILED
		return
	fi
	g=$(du -s -B1 "$2/g-$1/objects" | cut -f1)
	p=$(du -s -B1 "$2/p-$1/.pmvcs" | cut -f1)
	# what the records take inside the pool (pmvcs stats), for the notes
	sb=$("$PMVCS" -C "$2/p-$1" stats 2>/dev/null | awk '/^stored bytes/ { print $3 }')
	[ -n "$sb" ] && sb=", records $(awk -v b="$sb" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
	row "pool size after import ($1)" "git fast-import pack (du objects/)" \
		"$(awk -v b="$g" 'BEGIN { printf "%.1f MB", b / 1e6 }')" \
		"$(awk -v b="$p" 'BEGIN { printf "%.1f MB", b / 1e6 }') (du .pmvcs${sb:-})" \
		"$(awk -v a="$p" -v b="$g" 'BEGIN { printf "%.2fx", a / b }')" "<= 2x" \
		"$(awk -v a="$p" -v b="$g" 'BEGIN { print (a / b <= 2) ? "yes" : "no" }')"
}

# ------------------------------------------------------------------
# read-side pairs on the generated repository
# ------------------------------------------------------------------
# read_rows NAME: cat-file, log and checkout on the repositories imported
# from stream NAME (RN, the repository name, goes to the prep functions)
RN=gen
read_rows() {
	RN=$1
	local g=$D/g-$RN p=$D/p-$RN
	if [ -e "$D/rep/fi-$RN.pm.why" ]; then
		note "read rows use $p, whose import failed: they fail too"
	fi
	log "cat-file --batch-all-objects --batch"
	timed catfile-$RN.git - -o /dev/null -- git -C "$g" cat-file --batch-all-objects --batch
	timed catfile-$RN.pm - -o /dev/null -- "$PMVCS" -C "$p" cat-file --batch-all-objects --batch
	if [ ! -e "$D/rep/catfile-$RN.pm.why" ]; then
		local a b
		a=$(git -C "$g" cat-file --batch-all-objects --batch | wc -c)
		b=$("$PMVCS" -C "$p" cat-file --batch-all-objects --batch 2>/dev/null | wc -c)
		if [ "$a" = "$b" ]; then
			note "cat-file --batch-all-objects --batch ($RN): same byte count as git's ($a)"
		else
			note "cat-file --batch-all-objects ($RN): pmvcs wrote $b bytes, git $a"
		fi
	fi
	time_row "cat-file --batch-all-objects --batch ($(git -C "$g" count-objects -v | awk '/in-pack/ { print $2 }') objects)" \
		"git cat-file" catfile-$RN.git catfile-$RN.pm 10 ">= 10x"

	log "log --all --oneline"
	git -C "$g" commit-graph write --reachable 2>/dev/null
	timed log-$RN.git - -o /dev/null -- git -C "$g" log --all --oneline
	timed log-$RN.pm - -o /dev/null -- "$PMVCS" -C "$p" log --all --oneline
	if [ ! -e "$D/rep/log-$RN.pm.why" ]; then
		local a b
		a=$(git -C "$g" log --all --oneline | md5sum)
		b=$("$PMVCS" -C "$p" log --all --oneline 2>/dev/null | md5sum)
		if [ "$a" = "$b" ]; then
			note "log --all --oneline ($RN): output identical to git's"
		else
			note "log --all --oneline ($RN): pmvcs output differs from git's"
		fi
	fi
	time_row "log --all --oneline ($(git -C "$g" rev-list --all --count) commits)" \
		"git log, commit-graph written" log-$RN.git log-$RN.pm 2 ">= 2x"

	log "checkout into an empty directory"
	timed checkout-$RN.git prep_co_git -- git -C "$g" worktree add -q -f --detach "$D/co-git-$RN" main
	timed checkout-$RN.pm prep_co_pm -- "$PMVCS" -C "$D/co-pm-$RN" checkout -q -f main
	if [ ! -e "$D/rep/checkout-$RN.pm.why" ]; then
		if diff -rq -x .git -x .pmvcs "$D/co-git-$RN" "$D/co-pm-$RN" >/dev/null 2>&1; then
			note "checkout ($RN): work tree identical to git's (diff -r)"
		else
			note "checkout ($RN): pmvcs work tree differs from git's"
		fi
	fi
	time_row "checkout of main ($(git -C "$g" ls-tree -r main | wc -l) files) into an empty dir" \
		"git worktree add" checkout-$RN.git checkout-$RN.pm 2 ">= 2x"
}
prep_co_git() { rm -rf "$D/co-git-$RN" && git -C "$D/g-$RN" worktree prune; }
# a fresh copy of the imported repository, work tree empty, HEAD unborn
prep_co_pm() { rm -rf "$D/co-pm-$RN" && mkdir -p "$D/co-pm-$RN" && cp -a "$D/p-$RN/.pmvcs" "$D/co-pm-$RN/"; }

# status on a clean tree of 10,000 files
status_row() {
	local w=$D/st-git p=$D/st-pm
	rm -rf "$w" "$p"
	git init -q "$w" && git -C "$w" fast-import --quiet <"$D/status.fe" &&
		git -C "$w" checkout -q -f main && git -C "$w" status >/dev/null
	mkdir -p "$p" && (cd "$w" && git ls-files -z | xargs -0 cp --parents -t "$p") &&
		"$PMVCS" -C "$p" init -q >"$D/rep/status.setup" 2>&1 &&
		"$PMVCS" -C "$p" commit -q -m tree >>"$D/rep/status.setup" 2>&1 &&
		"$PMVCS" -C "$p" status >/dev/null 2>&1
	local setup=$?
	log "status"
	timed status.git - -o /dev/null -- git -C "$w" status
	if [ $setup -ne 0 ]; then
		echo "setup (init/commit/status) failed: $(tail -1 "$D/rep/status.setup" | cut -c1-80)" >"$D/rep/status.pm.why"
		rm -f "$D/rep/status.pm"
	else
		timed status.pm - -o /dev/null -- "$PMVCS" -C "$p" status
	fi
	time_row "status, clean tree of $(git -C "$w" ls-files | wc -l) files" "git status" \
		status.git status.pm 1.0001 "faster than git"
	if [ $setup -eq 0 ] && srv_start "$p"; then
		PMVCS_NO_SERVER=0 "$PMVCS" -C "$p" status >/dev/null 2>&1
		PMVCS_NO_SERVER=0 timed status.served - -o /dev/null -- "$PMVCS" -C "$p" status
		srv_stop "$p"
	else
		echo "server start failed" >"$D/rep/status.served.why"
	fi
	time_row "status, clean tree of $(git -C "$w" ls-files | wc -l) files, served" "git status" \
		status.git status.served 1.0001 "faster than git"
}

# ------------------------------------------------------------------
# served pairs: the same commands through `pmvcs server` (docs/server.md),
# which holds the pool open, so the per-process pool open (~12-14 ms of
# libpmemobj setup) is paid once per server, not per command
# ------------------------------------------------------------------
srv_start() { "$PMVCS" -C "$1" server start >/dev/null 2>&1; }
srv_stop() { "$PMVCS" -C "$1" server stop >/dev/null 2>&1 || true; }

# served_fast_import NAME STREAM: import into a fresh repository whose
# server was started (untimed) before each run
SFI_DIR=
prep_pm_served() {
	[ -d "$SFI_DIR" ] && srv_stop "$SFI_DIR"
	rm -rf "$SFI_DIR" && mkdir -p "$SFI_DIR" && "$PMVCS" -C "$SFI_DIR" init -q &&
		srv_start "$SFI_DIR"
}
served_fast_import() {
	local -x PMVCS_NO_SERVER=0
	SFI_DIR=$D/ps-$1
	log "fast-import $1: pmvcs, served"
	timed "fi-$1.served" prep_pm_served -i "$2" -o /dev/null -- \
		"$PMVCS" -C "$SFI_DIR" fast-import --quiet
	if [ ! -e "$D/rep/fi-$1.served.why" ]; then
		if [ "$(git -C "$D/g-$1" show-ref | md5sum)" = "$("$PMVCS" -C "$SFI_DIR" show-ref | md5sum)" ]; then
			note "fast-import $1, served: every ref and id identical to git's (show-ref)"
		else
			note "fast-import $1, served: pmvcs show-ref differs from git's"
		fi
	fi
	srv_stop "$SFI_DIR"
	rm -rf "$SFI_DIR"
}

# served_read_rows NAME: log, cat-file and rev-parse through a server on
# the repository imported from stream NAME
served_read_rows() {
	local -x PMVCS_NO_SERVER=0
	local g=$D/g-$1 p=$D/p-$1
	if ! srv_start "$p"; then
		note "served rows ($1): pmvcs server start failed"
		return
	fi
	log "served: log, cat-file, rev-parse"
	timed log-$1.served - -o /dev/null -- "$PMVCS" -C "$p" log --all --oneline
	if [ ! -e "$D/rep/log-$1.served.why" ]; then
		if [ "$(git -C "$g" log --all --oneline | md5sum)" = "$("$PMVCS" -C "$p" log --all --oneline 2>/dev/null | md5sum)" ]; then
			note "log --all --oneline ($1), served: output identical to git's"
		else
			note "log --all --oneline ($1), served: pmvcs output differs from git's"
		fi
	fi
	time_row "log --all --oneline ($(git -C "$g" rev-list --all --count) commits), served" \
		"git log, commit-graph written" log-$1.git log-$1.served 2 ">= 2x"
	timed catfile-$1.served - -o /dev/null -- "$PMVCS" -C "$p" cat-file --batch-all-objects --batch
	time_row "cat-file --batch-all-objects --batch, served" \
		"git cat-file" catfile-$1.git catfile-$1.served 10 ">= 10x"
	timed revparse-$1.served - -o /dev/null -- "$PMVCS" -C "$p" rev-parse main
	srv_stop "$p"
	timed revparse-$1.git - -o /dev/null -- git -C "$g" rev-parse main
	PMVCS_NO_SERVER=1 timed revparse-$1.pm - -o /dev/null -- "$PMVCS" -C "$p" rev-parse main
	time_row "rev-parse main, in-process (pool open per command)" "git rev-parse" \
		revparse-$1.git revparse-$1.pm - "- (open cost)"
	time_row "rev-parse main, served" "git rev-parse" \
		revparse-$1.git revparse-$1.served - "- (open cost)"
}

# default_rows NAME: the default path on the repository imported from
# stream NAME, against git on git's import of it: the first command with
# no server running (it starts the server and is served by it; the server
# is stopped untimed before each run), then later commands (served by the
# server an earlier, untimed command started). 30 runs each: these take
# milliseconds.
DR_DIR=
prep_no_server() { srv_stop "$DR_DIR"; }
default_rows() {
	local -x PMVCS_NO_SERVER=0
	local g=$D/g-$1 p=$D/p-$1 RUNS=30 c n
	DR_DIR=$p
	log "default path: first and later commands"
	srv_stop "$p"
	timed dflt-first-$1 prep_no_server -o /dev/null -- "$PMVCS" -C "$p" rev-parse main
	srv_stop "$p"
	timed dflt-git-rp-$1 - -o /dev/null -- git -C "$g" rev-parse main
	time_row "rev-parse main, default path, first command (starts the server)" \
		"git rev-parse" dflt-git-rp-$1 dflt-first-$1 0.3333 "<= 3x git"
	"$PMVCS" -C "$p" rev-parse main >/dev/null 2>&1   # starts it, untimed
	for c in "rev-parse main" "cat-file -t main" "log -1 --oneline main"; do
		n=${c%% *}
		timed dflt-git-$n-$1 - -o /dev/null -- git -C "$g" $c
		timed dflt-$n-$1 - -o /dev/null -- "$PMVCS" -C "$p" $c
		time_row "$c, default path, second and later command" "git $n" \
			dflt-git-$n-$1 dflt-$n-$1 1 "<= 1x git"
	done
	srv_stop "$p"
}

# ------------------------------------------------------------------
# micro benchmarks: lookups and hashing
# ------------------------------------------------------------------
# rfield FILE KEY: median over the runs (one "R KEY V" line per run)
rfield() {
	awk -v k="$2" '$1 == "R" && $2 == k { print $3 }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

lookup_rows() {
	local out=$D/rep/lookup.out i n=1000000 pn
	if [ $MODE = quick ]; then pn=200000; else pn=1000000; fi
	: >"$out"
	local why=
	if [[ " ${BUILD_FAIL[*]} " == *" bench_lookup "* ]]; then
		why="bench_lookup did not build"
	else
		for ((i = 0; i < RUNS; i++)); do
			rm -rf "$D/lookup"
			log "bench_lookup run $((i + 1))"
			PMEM_IS_PMEM_FORCE=1 "$B/bench/bench_lookup" -n $n -p $pn -d "$D/lookup" \
				>>"$out" 2>"$D/rep/lookup.err" ||
				why="bench_lookup: $(tail -1 "$D/rep/lookup.err" | cut -c1-100)"
		done
		rm -rf "$D/lookup"
	fi
	local lp50 pp50 lmean pbatch lins pins oins l2 p2 pp99 lp99
	lp50=$(rfield "$out" lmdb.lookup_p50_ns); lp99=$(rfield "$out" lmdb.lookup_p99_ns)
	pp50=$(rfield "$out" pmdb.lookup_p50_ns); pp99=$(rfield "$out" pmdb.lookup_p99_ns)
	lmean=$(rfield "$out" lmdb.lookup_1t_mean_ns); pbatch=$(rfield "$out" pmdb.batch_ns_per_id)
	lins=$(rfield "$out" lmdb.insert_per_s); pins=$(rfield "$out" pmdb.insert_per_s)
	oins=$(rfield "$out" pmemobj.insert_per_s)
	l2=$(rfield "$out" lmdb.lookup_2t_per_s); p2=$(rfield "$out" pmdb.lookup_2t_per_s)
	local f="FAILED (${why:-no result})"
	if [ -n "$pp50" ]; then
		row "lookup by id, 1M objects, random, 1 thread (p50 / p99)" "LMDB mdb_get" \
			"${lp50:-?} / ${lp99:-?} ns" "$pp50 / $pp99 ns" \
			"$(awk -v a="$lp50" -v b="$pp50" 'BEGIN { printf "%.2fx", a / (b > 0 ? b : 1) }')" \
			"p50 <= 250 ns" "$(awk -v b="$pp50" 'BEGIN { print (b <= 250) ? "yes" : "no" }')"
		row "lookups/s, 2 threads" "LMDB mdb_get" \
			"$(awk -v a="$l2" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$p2" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$l2" -v b="$p2" 'BEGIN { printf "%.2fx", b / a }')" "-" "-"
	else
		row "lookup by id, 1M objects, random, 1 thread (p50 / p99)" "LMDB mdb_get" \
			"${lp50:-?} / ${lp99:-?} ns" "$f" - "p50 <= 250 ns" FAILED
	fi
	if [ -n "$pbatch" ]; then
		row "batched lookup (pmdb_object_info_many, 64 ids/call)" "LMDB mdb_get loop (mean)" \
			"$(printf %.0f "$lmean") ns/id" "$(printf %.1f "$pbatch") ns/id" \
			"$(awk -v a="$lmean" -v b="$pbatch" 'BEGIN { printf "%.1fx", a / b }')" \
			"<= 50 ns/id" "$(awk -v b="$pbatch" 'BEGIN { print (b <= 50) ? "yes" : "no" }')"
	else
		row "batched lookup (pmdb_object_info_many, 64 ids/call)" "LMDB mdb_get loop (mean)" \
			"$(printf %.0f "${lmean:-0}") ns/id" "$f" - "<= 50 ns/id" FAILED
	fi
	if [ -n "$pins" ]; then
		row "inserts, one txn, 1M x 100 B, emulated pmem" "LMDB one write txn" \
			"$(awk -v a="$lins" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$pins" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$lins" -v b="$pins" 'BEGIN { printf "%.2fx", b / a }')" \
			">= 2 M/s" "$(awk -v b="$pins" 'BEGIN { print (b >= 2e6) ? "yes" : "no" }')"
	else
		row "inserts, one txn, 1M x 100 B, emulated pmem" "LMDB one write txn" \
			"$(awk -v a="${lins:-0}" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" "$f" - ">= 2 M/s" FAILED
	fi
	if [ -n "$oins" ] && [ -n "$pins" ]; then
		row "inserts, reference: plain libpmemobj (tx_alloc per object, ${pn} in one tx)" \
			"pmemobj_tx_xalloc" "$(awk -v a="$oins" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$pins" 'BEGIN { printf "%.2f M/s", a / 1e6 }')" \
			"$(awk -v a="$oins" -v b="$pins" 'BEGIN { printf "%.2fx", b / a }')" "-" "-"
	fi
}

OSSL_SHA1=
hash_rows() {
	local out=$D/rep/hash.out i o why=
	: >"$out"
	: >"$D/rep/openssl.out"
	for ((i = 0; i < RUNS; i++)); do
		log "openssl speed, bench_hash run $((i + 1))"
		for a in sha1 sha256; do
			# "sha1  ...  <16384-byte column in 1000s of bytes/s>k"
			o=$(openssl speed -seconds 1 -evp $a -bytes 16384 2>/dev/null |
				awk -v a="$a" 'tolower($1) == a { v = $NF; sub(/k$/, "", v); print v / 1000 }')
			[ -n "$o" ] && echo "R openssl.${a}_mb_s $o" >>"$D/rep/openssl.out"
		done
		if [[ " ${BUILD_FAIL[*]} " == *" bench_hash "* ]]; then
			why="bench_hash did not build"
			continue
		fi
		rm -rf "$D/hash"
		PMEM_IS_PMEM_FORCE=1 "$B/bench/bench_hash" -t 0.3 -s "$D/gen.fe" -d "$D/hash" \
			>>"$out" 2>"$D/rep/hash.err" || why="bench_hash: $(tail -1 "$D/rep/hash.err" | cut -c1-100)"
		rm -rf "$D/hash"
	done
	local a o1 p1 lz put ratio_put fl
	for a in sha1 sha256; do
		o1=$(rfield "$D/rep/openssl.out" "openssl.${a}_mb_s")
		p1=$(rfield "$out" "pmdb.${a}_mb_s")
		[ $a = sha1 ] && OSSL_SHA1=$o1
		if [ -n "$p1" ] && [ -n "$o1" ]; then
			row "hashing per core, 16 KiB blobs, $a (pmdb_hash_object, MB per CPU-second)" "openssl speed -evp $a" \
				"$(printf %.0f "$o1") MB/s" "$(printf %.0f "$p1") MB/s" \
				"$(awk -v a="$p1" -v b="$o1" 'BEGIN { printf "%.0f%%", 100 * a / b }')" ">= 90%" \
				"$(awk -v a="$p1" -v b="$o1" 'BEGIN { print (a / b >= 0.9) ? "yes" : "no" }')"
		else
			row "hashing per core, 16 KiB blobs, $a (pmdb_hash_object, MB per CPU-second)" "openssl speed -evp $a" \
				"${o1:-FAILED} MB/s" "FAILED (${why:-no result})" - ">= 90%" FAILED
		fi
	done
	lz=$(rfield "$out" lz4.compress_mb_s)
	put=$(rfield "$out" pmdb.put_mb_s)
	ratio_put=$(rfield "$out" pmdb.put_ratio)
	if [ -n "$lz" ]; then
		# the floor of one core: hash (openssl SHA-1) and lz4 every byte once
		fl=$(awk -v h="$OSSL_SHA1" -v l="$lz" 'BEGIN { printf "%.0f", 1 / (1 / h + 1 / l) }')
		row "lz4 compress per CPU-second, generated stream's blobs (ratio $(printf %.2f "$(rfield "$out" lz4.ratio)"))" \
			"liblz4 direct" "$(printf %.0f "$lz") MB/s" "-" - "-" "-"
		if [ -n "$put" ]; then
			row "pmdb_txn_put of those blobs, one txn (stored/raw $(printf %.2f "${ratio_put:-0}"))" \
				"1 core: SHA-1 + lz4 floor" "$fl MB/s" "$(printf %.0f "$put") MB/s" \
				"$(awk -v a="$put" -v b="$fl" 'BEGIN { printf "%.2fx", a / b }')" "-" "-"
		else
			row "pmdb_txn_put of those blobs, one txn" "1 core: SHA-1 + lz4 floor" "$fl MB/s" \
				"FAILED ($(awk '$1 == "F" { $1 = ""; print; exit }' "$out" | cut -c1-80)${why})" - "-" FAILED
		fi
	fi
}

# the stretch goal: import throughput against cores x SHA-1 rate
stretch_row() {
	local pt mbs lim
	[ -z "$OSSL_SHA1" ] && return
	if [ -e "$D/rep/fi-gen.pm.why" ] || [ ! -s "$D/rep/fi-gen.pm" ]; then
		row "fast-import throughput vs hashing limit ($(nproc) x openssl SHA-1)" "hashing limit" \
			"-" "FAILED (import failed)" - ">= 50% (stretch)" FAILED
		return
	fi
	pt=$(field fi-gen.pm wall)
	mbs=$(awk -v b="$(stat -c %s "$D/gen.fe")" -v t="$pt" 'BEGIN { printf "%.0f", b / t / 1e6 }')
	lim=$(awk -v h="$OSSL_SHA1" -v c="$(nproc)" 'BEGIN { printf "%.0f", h * c }')
	row "fast-import throughput vs hashing limit ($(nproc) x openssl SHA-1), generated stream" \
		"hashing limit" "$lim MB/s" "$mbs MB/s" \
		"$(awk -v a="$mbs" -v b="$lim" 'BEGIN { printf "%.0f%%", 100 * a / b }')" ">= 50% (stretch)" \
		"$(awk -v a="$mbs" -v b="$lim" 'BEGIN { print (a / b >= 0.5) ? "yes" : "no" }')"
}

# ------------------------------------------------------------------
# main
# ------------------------------------------------------------------
[ $BUILD = 1 ] && build
if [ ! -x "$RS" ] || [ ! -x "$B/bench/gen_stream" ]; then
	echo "run.sh: bench_runstat or gen_stream missing in $B (build failed?)" >&2
	exit 1
fi
prepare_data
HEADER=$(header)
echo "$HEADER" >&2

export PMEM_IS_PMEM_FORCE=1
fast_import zlib "$D" "$D/zlib.fe"
time_row "fast-import zlib ($(mb "$D/zlib.fe"), real)" "git fast-import" fi-zlib.git fi-zlib.pm 20 ">= 20x" rss
fast_import sds "$D" "$D/sds.fe"
time_row "fast-import sds ($(mb "$D/sds.fe"), real, merges)" "git fast-import" fi-sds.git fi-sds.pm 20 ">= 20x" rss
fast_import gen "$D" "$D/gen.fe"
time_row "fast-import generated ($(mb "$D/gen.fe"), $(grep -c '^commit ' "$D/gen.fe") commits)" \
	"git fast-import" fi-gen.git fi-gen.pm 20 ">= 20x" rss
for s in zlib sds gen; do
	served_fast_import $s "$D/$s.fe"
	time_row "fast-import $s, served (server started before the run, untimed)" \
		"git fast-import" fi-$s.git fi-$s.served 20 ">= 20x"
done
if [ $MODE = full ]; then
	fast_import gen1g "$D" "$D/gen1g.fe"
	time_row "fast-import generated 1 GB-class ($(mb "$D/gen1g.fe"), $(grep -c '^commit ' "$D/gen1g.fe") commits)" \
		"git fast-import" fi-gen1g.git fi-gen1g.pm 20 ">= 20x, RSS <= 256 MB" rss256
else
	row "fast-import 1 GB-class stream" "git fast-import" "(full mode only)" "(full mode only)" - ">= 20x, RSS <= 256 MB" -
fi
unset PMEM_IS_PMEM_FORCE
fast_import zlib-ext4 "$E" "$E/zlib.fe"
time_row "fast-import zlib, repository on $(df -T "$E" | awk 'NR==2 { print $2 }') (msync path)" \
	"git fast-import, same disk" fi-zlib-ext4.git fi-zlib-ext4.pm 10 ">= 10x" rss
export PMEM_IS_PMEM_FORCE=1
pool_row zlib "$D"
pool_row gen "$D"
[ $MODE = full ] && pool_row gen1g "$D"
read_rows gen
served_read_rows gen
default_rows gen
[ $MODE = full ] && read_rows gen1g
status_row
lookup_rows
hash_rows
stretch_row

T_END=$(date +%s.%N)
{
	echo "$HEADER"
	echo "| path | reference | reference | pmvcs / pmdb | ratio | target | met? |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Times are medians of $RUNS runs; ±N% is (max - min) / median. MB next to a time: peak RSS (wait4), which counts touched pages of mapped files (for pmvcs: its pool); anon: peak RssAnon (heap), sampled every 5 ms."
	echo "Ratio: reference / pmvcs for times (higher is better for pmvcs), pmvcs / reference for sizes and rates."
	[ ${#BUILD_FAIL[@]} -gt 0 ] && echo "Build failures: ${BUILD_FAIL[*]} (see $B/build-<target>.log)"
	for n in "${NOTES[@]}"; do echo "- $n"; done
	echo
	echo "Total wall time: $(awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.0f s", b - a }') (data in $D, per-run records in $D/rep/)"
} | tee "$D/results-$(date -u +%Y%m%dT%H%M%S).md"
