# fault_lib.sh -- sourced by the tests that fail calls inside pmvcs with
# tests/fault/faultinject.c (not a test itself): the e2e "fail, not answer"
# tests and, through ../fault/lib.bash, every tests/fault/*.sh.
# Gives: what lib.sh gives, fault_exec (one run under the library), fault_count
# (the counting run) and fault_sweep (every point of one function).
# Wants $FAULTINJECT (the library; the caller decides whether a missing one
# is a skip or an error).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# the failing calls are counted in the process under test: commands run
# in-process, never handed to (or starting) a server
export PMVCS_NO_SERVER=1
# the library is loaded before ASan's runtime: tell ASan that is fine
export ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}"

# fault_exec DIR FUNC AT PERSIST CALLER CMD...: run CMD in DIR under the
# library with call AT of FUNC (comma-separated) failing, and with
# PERSIST=1 every later one too (AT 0: nothing fails, calls are counted);
# CALLER "exe" counts only the calls pmvcs and libpmdb make themselves, ""
# every call. Stdin from $FLT_STDIN, else /dev/null. Sets $FLT_RC, $T/fault.out
# and $T/fault.err (the output), $FLT_CALLS/$FLT_INJECTED (the counts),
# $FLT_HIT_BY (who made the failed call) and $FLT_CRASH_IN (where it died).
# A "$PMVCS" command runs "$PMVCS_CORE" instead: the front end execs the
# core, and the library unsets its variables when it loads, so it would
# count and fail only the front end's calls.
fault_exec() {
	local dir=$1 func=$2 at=$3 persist=$4 caller=$5
	shift 5
	[ "$1" = "$PMVCS" ] && set -- "$PMVCS_CORE" "${@:2}"
	rm -f "$T/fault.count" "$T/fault.count.hit" "$T/fault.count.crash"
	FLT_RC=0
	(cd "$dir" && LD_PRELOAD="$FAULTINJECT" FAULT_FUNC="$func" FAULT_AT="$at" \
		FAULT_PERSIST="$persist" FAULT_CALLER="$caller" FAULT_COUNT_FILE="$T/fault.count" \
		FAULT_TRACE="${PMDB_FAULT_TRACE:-0}" \
		"$@" <"${FLT_STDIN:-/dev/null}" >"$T/fault.out" 2>"$T/fault.err") || FLT_RC=$?
	FLT_CALLS=0 FLT_INJECTED=0 FLT_HIT_BY=- FLT_CRASH_IN=-
	if [ -s "$T/fault.count" ]; then read -r FLT_CALLS FLT_INJECTED <"$T/fault.count"; fi
	if [ -s "$T/fault.count.hit" ]; then read -r _ _ FLT_HIT_BY <"$T/fault.count.hit"; fi
	if [ -s "$T/fault.count.crash" ]; then read -r _ FLT_CRASH_IN <"$T/fault.count.crash"; fi
	if grep -q 'ERROR: AddressSanitizer' "$T/fault.err"; then
		# the first frame of ASan's report: "#0 0x... in f (/path/obj+0x...)"
		FLT_CRASH_IN=$(grep -m1 -E '^ +#0 ' "$T/fault.err" | sed -nE 's|.*\(([^)+]*/)?([^/)+]+)\+0x[0-9a-f]+\)$|\2|p')
		FLT_CRASH_IN=${FLT_CRASH_IN:--}
	fi
}

# fault_count DIR FUNC CALLER CMD...: the counting run (nothing fails): it
# must exit 0 and the library must have written its count (else it was
# not loaded into the program and every later run would prove nothing);
# $FLT_CALLS is the number of calls
fault_count() {
	local dir=$1 func=$2 caller=$3 what
	shift 3
	what="counting run of $* ($func${caller:+/$caller})"
	fault_exec "$dir" "$func" 0 0 "$caller" "$@"
	[ "$FLT_RC" -eq 0 ] || { head -20 "$T/fault.err" >&2; fail "$what: exit $FLT_RC"; }
	[ -s "$T/fault.count" ] || fail "$what: the library wrote no count (was it loaded into the program?)"
}

# fault_sweep CHECK CMD...: every point of $SWEEP_FUNC (default malloc; only
# the calls pmvcs makes itself) in CMD, run in $FLT_DIR: a counting run,
# kept as the reference ($T/ref.out, and whatever fault_ref keeps if the
# script defines it), then for each call N a run with N failing and one
# with N and every later call failing. Before each run fault_reset (if
# defined) restores the state. Each run must exit 0 or fail cleanly
# (exit 128 with "pmvcs: ..."), and CHECK CTX must then pass ($FLT_RC,
# $T/fault.out, $T/fault.err tell what the run did; a CHECK that fails may say
# why in $FLT_WHY). Every point is tried, so the test does not depend on
# call numbers.
fault_sweep() {
	local check=$1 f=${SWEEP_FUNC:-malloc} n p at
	shift
	if declare -F fault_reset >/dev/null; then fault_reset; fi
	fault_count "$FLT_DIR" "$f" exe "$@"
	local total=$FLT_CALLS
	[ "$total" -gt 0 ] || fail "$f: no call counted in $* (the library injected into nothing)"
	cp "$T/fault.out" "$T/ref.out"
	if declare -F fault_ref >/dev/null; then fault_ref; fi
	for p in 0 1; do
		for ((n = 1; n <= total; n++)); do
			if declare -F fault_reset >/dev/null; then fault_reset; fi
			fault_exec "$FLT_DIR" "$f" "$n" "$p" exe "$@"
			at="$f N=$n persist=$p: $*"
			if [ "$FLT_RC" -ne 0 ]; then
				[ "$FLT_RC" -eq 128 ] && grep -q '^pmvcs: ' "$T/fault.err" ||
					fail "$at: exit $FLT_RC: $(head -3 "$T/fault.err")"
			fi
			FLT_WHY="$check"
			"$check" "$at" || fail "$at: $FLT_WHY: $(head -3 "$T/fault.err")"
		done
	done
	echo "$f $*: $total points, ok"
}

# same_output_if_ok: a run that exits 0 printed the whole answer
same_output_if_ok() { [ "$FLT_RC" -ne 0 ] || cmp -s "$T/fault.out" "$T/ref.out"; }
