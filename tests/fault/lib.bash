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
#   4. the script's own check (fi_check, if defined) passes;
#   5. after a failure that left the old refs, the same command run again
#      without injection succeeds and gives the reference refs: nothing is
#      lost and nothing is left half-done.
# Every failing point is reported (command, FUNC, N, what); the script goes
# on to the end and then fails, so one run lists every bug it can see.
#
# Gives: what ../e2e/lib.sh gives ($PMVCS, $T, identities, assertions) plus
# $FAULTINJECT, $LONG (1 under PMDB_FAULT_LONG=1: every point), fi_* below
# and fi_exec/fi_count from ../e2e/fault_lib.sh.
# shellcheck source=../e2e/fault_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/fault_lib.sh"
: "${FAULTINJECT:?FAULTINJECT must name pmdb_faultinject.so (ctest sets it)}"
LONG=${PMDB_FAULT_LONG:-0}
SEED=${PMDB_FAULT_SEED:-1}
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
FI_NAME=$(basename "$0" .sh)
FI_FAILS=0          # failing points so far
FI_POINTS=0         # points tried so far
FI_PMDK=0           # crashes inside PMDK, tolerated (see fi_sane_exit)
FI_OK_RC=${FI_OK_RC:-"0 128"}   # exit codes a failing command may use
FI_SHOWN=()         # "what" keys already shown in full (each once)
FI_SANITIZED=0
if ldd "$PMVCS" 2>/dev/null | grep -q 'libasan'; then FI_SANITIZED=1; fi
echo "$FI_NAME: seed $SEED, long $LONG, sanitizers $FI_SANITIZED"

# pick DEFAULT LONGVALUE: the first normally (halved under sanitizers, which
# make each run 3-4x slower), the second under PMDB_FAULT_LONG=1
pick() {
	if [ "$LONG" = 1 ]; then echo "$2"
	elif [ "$FI_SANITIZED" = 1 ] && [ "${PMDB_FAULT_FULL_SAMPLE:-0}" != 1 ]; then echo $((($1 + 1) / 2))
	else echo "$1"; fi
}

# fi_points TOTAL MAX SEED: the call numbers to try, one a line: all of
# 1..TOTAL when TOTAL <= MAX (or LONG); else the first and last few (3 each
# at most, fewer for a small MAX) and a seeded random choice, MAX in all
fi_points() {
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

# fi_snap DIR NAME: keep a copy of repository DIR as snapshot NAME, and its
# refs in $T/snap.NAME.refs
fi_snap() {
	rm -rf "$T/snap.$2"
	cp -a --sparse=always "$1" "$T/snap.$2"
	refs_of "$1" >"$T/snap.$2.refs"
}

# fi_restore NAME DIR: DIR becomes a copy of snapshot NAME again (sparse:
# the pool's fallocated but unused pages are not copied, 10x faster)
fi_restore() {
	rm -rf "$2"
	cp -a --sparse=always "$T/snap.$1" "$2"
}

# fi_in_pmdk: the crash just seen is PMDK's own (libpmemobj/libpmem died,
# or aborted, on a failure it was handed directly)
fi_in_pmdk() {
	[[ $FI_CRASH_IN == libpmem* ]] || { [[ $FI_HIT_BY == libpmem* ]] && [[ $FI_CRASH_IN == libc* || $FI_CRASH_IN == - ]]; }
}

# fi_plain DIR CMD...: run CMD in DIR without injection; $FI_RC, $T/fi.*
fi_plain() {
	local dir=$1
	shift
	FI_RC=0
	(cd "$dir" && "$@" <"${FI_STDIN:-/dev/null}" >"$T/fi.out" 2>"$T/fi.err") || FI_RC=$?
}

# fi_bad CTX WHAT: record a failing point; show its output the first time
# this kind of failure is seen
fi_bad() {
	local ctx=$1 what=$2 key
	FI_FAILS=$((FI_FAILS + 1))
	echo "FAIL: $ctx: $what" >&2
	key="$FI_CMD|$FI_FUNC|${what%%:*}"
	if [[ " ${FI_SHOWN[*]} " != *" ${key// /_} "* ]]; then
		FI_SHOWN+=("${key// /_}")
		sed 's/^/  | /' "$T/fi.err" | head -25 >&2
	fi
}

# fi_sane_exit CTX: the injected run ended well (see check 1). A crash
# inside PMDK on a failure PMDK itself was handed (libpmemobj 1.12 does not
# check every malloc) is counted in FI_PMDK and, unless
# PMDB_FAULT_STRICT=1, tolerated like a power cut: the repository checks
# after it must pass all the same (docs/testing.md, known failures).
fi_sane_exit() {
	local ctx=$1
	if [ "$FI_RC" -gt 128 ] || grep -q 'ERROR: AddressSanitizer' "$T/fi.err"; then
		if fi_in_pmdk && [ "${PMDB_FAULT_STRICT:-0}" != 1 ]; then
			FI_PMDK=$((FI_PMDK + 1))
			echo "  pmdk: $ctx: exit $FI_RC in $FI_CRASH_IN (failed call made by $FI_HIT_BY)"
			return 0
		fi
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|faultinject:' "$T/fi.err"; then
		fi_bad "$ctx" "sanitizer report (exit $FI_RC; failed call made by $FI_HIT_BY)"
		return 1
	fi
	if [ "$FI_RC" -gt 128 ]; then
		fi_bad "$ctx" "killed by signal $((FI_RC - 128)) ($(kill -l $((FI_RC - 128)) 2>/dev/null || echo '?')) in $FI_CRASH_IN; the failed call was made by $FI_HIT_BY"
		return 1
	fi
	if [ "$FI_RC" -eq 0 ]; then return 0; fi
	if [[ " $FI_OK_RC " != *" $FI_RC "* ]]; then
		fi_bad "$ctx" "exit $FI_RC, want one of: $FI_OK_RC"
		return 1
	fi
	if ! grep -q '^pmvcs: ' "$T/fi.err"; then
		fi_bad "$ctx" "exit $FI_RC without a 'pmvcs: ...' message"
		return 1
	fi
	return 0
}

# fi_after DIR CTX RC: checks 2-4 on DIR after a run that exited RC;
# sets FI_STATE to old or new
fi_after() {
	local dir=$1 ctx=$2 rc=$3 refs out frc=0
	out=$(cd "$dir" && "$PMVCS" fsck 2>&1) || frc=$?
	if [ "$frc" -ne 0 ]; then
		printf '%s\n' "$out" >"$T/fi.err"
		fi_bad "$ctx" "fsck exit $frc after the run (exit $rc)"
		FI_STATE=bad
		return 1
	fi
	refs=$(refs_of "$dir" 2>"$T/fi.err") || { fi_bad "$ctx" "show-ref failed"; FI_STATE=bad; return 1; }
	if [ "$refs" == "$FI_REFS_NEW" ]; then
		FI_STATE=new
	elif [ "$refs" == "$FI_REFS_OLD" ]; then
		FI_STATE=old
	else
		diff <(echo "$FI_REFS_OLD") <(echo "$refs") >"$T/fi.err" || true
		fi_bad "$ctx" "refs neither old nor new (exit $rc)"
		FI_STATE=bad
		return 1
	fi
	if [ "$rc" -eq 0 ] && [ "$FI_STATE" != new ] && [ "$FI_REFS_NEW" != "$FI_REFS_OLD" ]; then
		: >"$T/fi.err"
		fi_bad "$ctx" "exit 0 but the refs are the old ones (acknowledged change lost)"
		return 1
	fi
	if declare -F fi_check >/dev/null && ! fi_check "$dir" "$rc" "$FI_STATE"; then
		fi_bad "$ctx" "fi_check: $FI_CHECK_MSG"
		return 1
	fi
	return 0
}

# fi_setup SNAP CMD...: the reference run of CMD on a copy of snapshot SNAP
# (must exit 0 and pass fsck); sets FI_CMD, FI_SNAP, FI_REFS_OLD/NEW and
# keeps the result as snapshot SNAP.ref (for fi_check)
fi_setup() {
	FI_SNAP=$1
	shift
	FI_CMD=$*
	FI_CMD=${FI_CMD#"$PMVCS "}
	FI_REFS_OLD=$(cat "$T/snap.$FI_SNAP.refs")
	fi_restore "$FI_SNAP" "$T/w"
	fi_plain "$T/w" "$@"
	[ "$FI_RC" -eq 0 ] || { cat "$T/fi.err" >&2; fail "reference run of $FI_CMD: exit $FI_RC"; }
	fsck_ok "$T/w" "reference run of $FI_CMD"
	FI_REFS_NEW=$(refs_of "$T/w")
	rm -rf "$T/snap.$FI_SNAP.ref"
	mv "$T/w" "$T/snap.$FI_SNAP.ref"
	FI_REF_OUT=$(cat "$T/fi.out")
}

# fi_loop FUNC CALLER MAX PMAX CMD...: the loop for one function of the
# command set up by fi_setup: MAX single failures, then PMAX persistent
# ones ("N and all later fail"). CALLER "exe" counts only the calls pmvcs
# and libpmdb make themselves; "" counts every call (libc, PMDK too).
fi_loop() {
	local func=$1 caller=$2 max=$3 pmax=$4 total n persist limit ctx tried
	shift 4
	FI_FUNC=$func${caller:+/$caller}
	fi_restore "$FI_SNAP" "$T/w"
	fi_count "$T/w" "$func" "$caller" "$@"
	total=$FI_CALLS
	for persist in 0 1; do
		limit=$max
		[ "$persist" = 1 ] && limit=$pmax
		[ "$limit" -gt 0 ] || continue
		tried=0
		for n in $(fi_points "$total" "$limit" "$((SEED * 7919 + persist))"); do
			ctx="$FI_CMD, FAULT_FUNC=$FI_FUNC N=$n"
			[ "$persist" = 0 ] || ctx="$ctx and later"
			fi_restore "$FI_SNAP" "$T/w"
			fi_exec "$T/w" "$func" "$n" "$persist" "$caller" "$@"
			tried=$((tried + 1))
			FI_POINTS=$((FI_POINTS + 1))
			fi_sane_exit "$ctx" || continue
			local rc=$FI_RC
			fi_after "$T/w" "$ctx" "$rc" || continue
			# check 5: a failed run that changed nothing can be retried
			if [ "$rc" -ne 0 ] && [ "$FI_STATE" = old ]; then
				fi_plain "$T/w" "$@"
				if [ "$FI_RC" -ne 0 ]; then
					fi_bad "$ctx" "retry without injection: exit $FI_RC"
					continue
				fi
				fi_after "$T/w" "$ctx (retry)" 0 || continue
			fi
		done
		printf '%-28s %-14s %s: %d calls, tried %d\n' "$FI_CMD" "$FI_FUNC" \
			"$([ "$persist" = 1 ] && echo 'N and later' || echo 'N once     ')" "$total" "$tried"
	done
}

# fi_done: the verdict of the script
fi_done() {
	echo "$FI_NAME: $FI_POINTS fault points, $FI_FAILS failed, $FI_PMDK crashes inside PMDK (${SECONDS}s)"
	[ "$FI_FAILS" -eq 0 ] || exit 1
	echo "$FI_NAME: ok"
}
