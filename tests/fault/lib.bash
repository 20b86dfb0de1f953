# lib.bash -- sourced by every tests/fault/*.sh (not a test itself: ctest
# registers *.sh only).
#
# The SQLite loop (docs/testing.md, "Fault injection"): for one command and
# one function (malloc, open, write, fallocate, sync, mmap, rename), a
# counting run learns how many calls the command makes; then for each
# chosen N the repository is restored from a snapshot, the command runs
# with call N failing (once; then, in the persistent variant, N and every
# later call), and without injection we check:
#   1. the command exited 0, or cleanly: an allowed code (128) with a
#      "pmvcs: ..." line on stderr; never a signal, an abort or a sanitizer
#      report (ASan, LeakSanitizer, UBSan);
#   2. `pmvcs fsck` passes;
#   3. `pmvcs show-ref` is the refs before the command or those after a
#      clean reference run, and the latter if the command reported success;
#   4. the script's own check (fault_check, if defined) passes;
#   5. after a failure that left the old refs, the same command run again
#      without injection succeeds and gives the reference refs: nothing is
#      lost and nothing is left half-done.
# Every failing point is reported (command, FUNC, N, what); the script goes
# on to the end and then fails, so one run lists every bug it can see.
#
# Gives: what ../e2e/lib.sh gives ($PMVCS, $T, identities, assertions) plus
# $FAULTINJECT, $LONG (1 under PMDB_FAULT_LONG=1: every point), fault_* below
# and fault_exec/fault_count from ../e2e/fault_lib.sh.
# shellcheck source=../e2e/fault_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/fault_lib.sh"
: "${FAULTINJECT:?FAULTINJECT must name pmdb_faultinject.so (ctest sets it)}"
LONG=${PMDB_FAULT_LONG:-0}
SEED=${PMDB_FAULT_SEED:-1}
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
FLT_NAME=$(basename "$0" .sh)
FLT_FAILS=0          # failing points so far
FLT_POINTS=0         # points tried so far
FLT_PMDK=0           # crashes inside PMDK, tolerated (see fault_sane_exit)
FLT_OK_RC=${FLT_OK_RC:-"0 128"}   # exit codes a failing command may use
FLT_SHOWN=()         # "what" keys already shown in full (each once)
FLT_SANITIZED=0
if ldd "$PMVCS" 2>/dev/null | grep -q 'libasan'; then FLT_SANITIZED=1; fi
echo "$FLT_NAME: seed $SEED, long $LONG, sanitizers $FLT_SANITIZED"

# pick DEFAULT LONGVALUE: the first normally (halved under sanitizers, which
# make each run 3-4x slower), the second under PMDB_FAULT_LONG=1
pick() {
	if [ "$LONG" = 1 ]; then echo "$2"
	elif [ "$FLT_SANITIZED" = 1 ] && [ "${PMDB_FAULT_FULL_SAMPLE:-0}" != 1 ]; then echo $((($1 + 1) / 2))
	else echo "$1"; fi
}

# fault_points TOTAL MAX SEED: the call numbers to try, one a line: all of
# 1..TOTAL when TOTAL <= MAX (or LONG); else the first and last few (3 each
# at most, fewer for a small MAX) and a seeded random choice, MAX in all
fault_points() {
	local total=$1 max=$2 seed=$3
	if [ "$total" -le 0 ]; then return 0; fi
	if [ "$LONG" = 1 ] || [ "$total" -le "$max" ]; then
		seq 1 "$total"
		return 0
	fi
	awk -v n="$total" -v m="$max" -v s="$seed" 'BEGIN {
		srand(s); k = 0
		e = int(m / 2); if (e > 3) e = 3
		for (i = 1; i <= e; i++) { pick[i] = 1; pick[n - i + 1] = 1 }
		k = 2 * e
		while (k < m) { p = 1 + int(rand() * n); if (!(p in pick)) { pick[p] = 1; k++ } }
		for (p in pick) print p
	}' | sort -n
}

# fault_snap DIR NAME: keep a copy of repository DIR as snapshot NAME, and its
# refs in $T/snap.NAME.refs
fault_snap() {
	rm -rf "$T/snap.$2"
	cp -a --sparse=always "$1" "$T/snap.$2"
	refs_of "$1" >"$T/snap.$2.refs"
}

# fault_restore NAME DIR: DIR becomes a copy of snapshot NAME again (sparse:
# the pool's fallocated but unused pages are not copied, 10x faster)
fault_restore() {
	rm -rf "$2"
	cp -a --sparse=always "$T/snap.$1" "$2"
}

# fault_in_pmdk: the crash just seen is PMDK's own (libpmemobj/libpmem died,
# or aborted, on a failure it was handed directly)
fault_in_pmdk() {
	[[ $FLT_CRASH_IN == libpmem* ]] || { [[ $FLT_HIT_BY == libpmem* ]] && [[ $FLT_CRASH_IN == libc* || $FLT_CRASH_IN == - ]]; }
}

# fault_plain DIR CMD...: run CMD in DIR without injection; $FLT_RC, $T/fi.*
fault_plain() {
	local dir=$1
	shift
	FLT_RC=0
	(cd "$dir" && "$@" <"${FLT_STDIN:-/dev/null}" >"$T/fault.out" 2>"$T/fault.err") || FLT_RC=$?
}

# fault_bad CTX WHAT: record a failing point; show its output the first time
# this kind of failure is seen
fault_bad() {
	local ctx=$1 what=$2 key
	FLT_FAILS=$((FLT_FAILS + 1))
	echo "FAIL: $ctx: $what" >&2
	key="$FLT_CMD|$FLT_FUNC|${what%%:*}"
	if [[ " ${FLT_SHOWN[*]} " != *" ${key// /_} "* ]]; then
		FLT_SHOWN+=("${key// /_}")
		sed 's/^/  | /' "$T/fault.err" | head -25 >&2
	fi
}

# fault_sane_exit CTX: the injected run ended well (see check 1). A crash
# inside PMDK on a failure PMDK itself was handed (libpmemobj 1.12 does not
# check every malloc) is counted in FLT_PMDK and, unless
# PMDB_FAULT_STRICT=1, tolerated like a power cut: the repository checks
# after it must pass all the same (docs/testing.md, known failures).
fault_sane_exit() {
	local ctx=$1
	if [ "$FLT_RC" -gt 128 ] || grep -q 'ERROR: AddressSanitizer' "$T/fault.err"; then
		if fault_in_pmdk && [ "${PMDB_FAULT_STRICT:-0}" != 1 ]; then
			FLT_PMDK=$((FLT_PMDK + 1))
			echo "  pmdk: $ctx: exit $FLT_RC in $FLT_CRASH_IN (failed call made by $FLT_HIT_BY)"
			return 0
		fi
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|faultinject:' "$T/fault.err"; then
		fault_bad "$ctx" "sanitizer report (exit $FLT_RC; failed call made by $FLT_HIT_BY)"
		return 1
	fi
	if [ "$FLT_RC" -gt 128 ]; then
		fault_bad "$ctx" "killed by signal $((FLT_RC - 128)) ($(kill -l $((FLT_RC - 128)) 2>/dev/null || echo '?')) in $FLT_CRASH_IN; the failed call was made by $FLT_HIT_BY"
		return 1
	fi
	if [ "$FLT_RC" -eq 0 ]; then return 0; fi
	if [[ " $FLT_OK_RC " != *" $FLT_RC "* ]]; then
		fault_bad "$ctx" "exit $FLT_RC, want one of: $FLT_OK_RC"
		return 1
	fi
	if ! grep -q '^pmvcs: ' "$T/fault.err"; then
		fault_bad "$ctx" "exit $FLT_RC without a 'pmvcs: ...' message"
		return 1
	fi
	return 0
}

# fault_after DIR CTX RC: checks 2-4 on DIR after a run that exited RC;
# sets FLT_STATE to old or new
fault_after() {
	local dir=$1 ctx=$2 rc=$3 refs out frc=0
	out=$(cd "$dir" && "$PMVCS" fsck 2>&1) || frc=$?
	if [ "$frc" -ne 0 ]; then
		printf '%s\n' "$out" >"$T/fault.err"
		fault_bad "$ctx" "fsck exit $frc after the run (exit $rc)"
		FLT_STATE=bad
		return 1
	fi
	refs=$(refs_of "$dir" 2>"$T/fault.err") || { fault_bad "$ctx" "show-ref failed"; FLT_STATE=bad; return 1; }
	if [ "$refs" == "$FLT_REFS_NEW" ]; then
		FLT_STATE=new
	elif [ "$refs" == "$FLT_REFS_OLD" ]; then
		FLT_STATE=old
	else
		diff <(echo "$FLT_REFS_OLD") <(echo "$refs") >"$T/fault.err" || true
		fault_bad "$ctx" "refs neither old nor new (exit $rc)"
		FLT_STATE=bad
		return 1
	fi
	if [ "$rc" -eq 0 ] && [ "$FLT_STATE" != new ] && [ "$FLT_REFS_NEW" != "$FLT_REFS_OLD" ]; then
		: >"$T/fault.err"
		fault_bad "$ctx" "exit 0 but the refs are the old ones (acknowledged change lost)"
		return 1
	fi
	if declare -F fault_check >/dev/null && ! fault_check "$dir" "$rc" "$FLT_STATE"; then
		fault_bad "$ctx" "fault_check: $FLT_CHECK_MSG"
		return 1
	fi
	return 0
}

# fault_setup SNAP CMD...: the reference run of CMD on a copy of snapshot SNAP
# (must exit 0 and pass fsck); sets FLT_CMD, FLT_SNAP, FLT_REFS_OLD/NEW and
# keeps the result as snapshot SNAP.ref (for fault_check)
fault_setup() {
	FLT_SNAP=$1
	shift
	FLT_CMD=$*
	FLT_CMD=${FLT_CMD#"$PMVCS "}
	FLT_REFS_OLD=$(cat "$T/snap.$FLT_SNAP.refs")
	fault_restore "$FLT_SNAP" "$T/w"
	fault_plain "$T/w" "$@"
	[ "$FLT_RC" -eq 0 ] || { cat "$T/fault.err" >&2; fail "reference run of $FLT_CMD: exit $FLT_RC"; }
	fsck_ok "$T/w" "reference run of $FLT_CMD"
	FLT_REFS_NEW=$(refs_of "$T/w")
	rm -rf "$T/snap.$FLT_SNAP.ref"
	mv "$T/w" "$T/snap.$FLT_SNAP.ref"
	FLT_REF_OUT=$(cat "$T/fault.out")
}

# fault_loop FUNC CALLER MAX PMAX CMD...: the loop for one function of the
# command set up by fault_setup: MAX single failures, then PMAX persistent
# ones ("N and all later fail"). CALLER "exe" counts only the calls pmvcs
# and libpmdb make themselves; "" counts every call (libc, PMDK too).
fault_loop() {
	local func=$1 caller=$2 max=$3 pmax=$4 total n persist limit ctx tried
	shift 4
	FLT_FUNC=$func${caller:+/$caller}
	fault_restore "$FLT_SNAP" "$T/w"
	fault_count "$T/w" "$func" "$caller" "$@"
	total=$FLT_CALLS
	for persist in 0 1; do
		limit=$max
		[ "$persist" = 1 ] && limit=$pmax
		[ "$limit" -gt 0 ] || continue
		tried=0
		for n in $(fault_points "$total" "$limit" "$((SEED * 7919 + persist))"); do
			ctx="$FLT_CMD, FAULT_FUNC=$FLT_FUNC N=$n"
			[ "$persist" = 0 ] || ctx="$ctx and later"
			fault_restore "$FLT_SNAP" "$T/w"
			fault_exec "$T/w" "$func" "$n" "$persist" "$caller" "$@"
			tried=$((tried + 1))
			FLT_POINTS=$((FLT_POINTS + 1))
			fault_sane_exit "$ctx" || continue
			local rc=$FLT_RC
			fault_after "$T/w" "$ctx" "$rc" || continue
			# check 5: a failed run that changed nothing can be retried
			if [ "$rc" -ne 0 ] && [ "$FLT_STATE" = old ]; then
				fault_plain "$T/w" "$@"
				if [ "$FLT_RC" -ne 0 ]; then
					fault_bad "$ctx" "retry without injection: exit $FLT_RC"
					continue
				fi
				fault_after "$T/w" "$ctx (retry)" 0 || continue
			fi
		done
		printf '%-28s %-14s %s: %d calls, tried %d\n' "$FLT_CMD" "$FLT_FUNC" \
			"$([ "$persist" = 1 ] && echo 'N and later' || echo 'N once     ')" "$total" "$tried"
	done
}

# fault_done: the verdict of the script
fault_done() {
	echo "$FLT_NAME: $FLT_POINTS fault points, $FLT_FAILS failed, $FLT_PMDK crashes inside PMDK (${SECONDS}s)"
	[ "$FLT_FAILS" -eq 0 ] || exit 1
	echo "$FLT_NAME: ok"
}
