# fault_lib.sh -- sourced by the tests that fail calls inside pmvcs with
# tests/fault/faultinject.c (not a test itself): the e2e "fail, not answer"
# tests and, through ../fault/lib.bash, every tests/fault/*.sh.
# Gives: what lib.sh gives, fi_exec (one run under the library), fi_count
# (the counting run) and fi_sweep (every point of one function).
# Wants $FAULTINJECT (the library; the caller decides whether a missing one
# is a skip or an error).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# the library is loaded before ASan's runtime: tell ASan that is fine
export ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}"

# fi_exec DIR FUNC AT PERSIST CALLER CMD...: run CMD in DIR under the
# library with call AT of FUNC (comma-separated) failing, and with
# PERSIST=1 every later one too (AT 0: nothing fails, calls are counted);
# CALLER "exe" counts only the calls pmvcs and libpmdb make themselves, ""
# every call. Stdin from $FI_STDIN, else /dev/null. Sets $FI_RC, $T/fi.out
# and $T/fi.err (the output), $FI_CALLS/$FI_INJECTED (the counts),
# $FI_HIT_BY (who made the failed call) and $FI_CRASH_IN (where it died).
# A "$PMVCS" command runs "$PMVCS_CORE" instead: the front end execs the
# core, and the library unsets its variables when it loads, so it would
# count and fail only the front end's calls.
fi_exec() {
	local dir=$1 func=$2 at=$3 persist=$4 caller=$5
	shift 5
	[ "$1" = "$PMVCS" ] && set -- "$PMVCS_CORE" "${@:2}"
	rm -f "$T/fi.count" "$T/fi.count.hit" "$T/fi.count.crash"
	FI_RC=0
	(cd "$dir" && LD_PRELOAD="$FAULTINJECT" FAULT_FUNC="$func" FAULT_AT="$at" \
		FAULT_PERSIST="$persist" FAULT_CALLER="$caller" FAULT_COUNT_FILE="$T/fi.count" \
		FAULT_TRACE="${PMDB_FAULT_TRACE:-0}" \
		"$@" <"${FI_STDIN:-/dev/null}" >"$T/fi.out" 2>"$T/fi.err") || FI_RC=$?
	FI_CALLS=0 FI_INJECTED=0 FI_HIT_BY=- FI_CRASH_IN=-
	if [ -s "$T/fi.count" ]; then read -r FI_CALLS FI_INJECTED <"$T/fi.count"; fi
	if [ -s "$T/fi.count.hit" ]; then read -r _ _ FI_HIT_BY <"$T/fi.count.hit"; fi
	if [ -s "$T/fi.count.crash" ]; then read -r _ FI_CRASH_IN <"$T/fi.count.crash"; fi
	if grep -q 'ERROR: AddressSanitizer' "$T/fi.err"; then
		# the first frame of ASan's report: "#0 0x... in f (/path/obj+0x...)"
		FI_CRASH_IN=$(grep -m1 -E '^ +#0 ' "$T/fi.err" | sed -nE 's|.*\(([^)+]*/)?([^/)+]+)\+0x[0-9a-f]+\)$|\2|p')
		FI_CRASH_IN=${FI_CRASH_IN:--}
	fi
}

# fi_count DIR FUNC CALLER CMD...: the counting run (nothing fails): it
# must exit 0 and the library must have written its count (else it was
# not loaded into the program and every later run would prove nothing);
# $FI_CALLS is the number of calls
fi_count() {
	local dir=$1 func=$2 caller=$3 what
	shift 3
	what="counting run of $* ($func${caller:+/$caller})"
	fi_exec "$dir" "$func" 0 0 "$caller" "$@"
	[ "$FI_RC" -eq 0 ] || { head -20 "$T/fi.err" >&2; fail "$what: exit $FI_RC"; }
	[ -s "$T/fi.count" ] || fail "$what: the library wrote no count (was it loaded into the program?)"
}

# fi_sweep CHECK CMD...: every point of $SWEEP_FUNC (default malloc; only
# the calls pmvcs makes itself) in CMD, run in $FI_DIR: a counting run,
# kept as the reference ($T/ref.out, and whatever fi_ref keeps if the
# script defines it), then for each call N a run with N failing and one
# with N and every later call failing. Before each run fi_reset (if
# defined) restores the state. Each run must exit 0 or fail cleanly
# (exit 128 with "pmvcs: ..."), and CHECK CTX must then pass ($FI_RC,
# $T/fi.out, $T/fi.err tell what the run did; a CHECK that fails may say
# why in $FI_WHY). Every point is tried, so the test does not depend on
# call numbers.
fi_sweep() {
	local check=$1 f=${SWEEP_FUNC:-malloc} n p at
	shift
	if declare -F fi_reset >/dev/null; then fi_reset; fi
	fi_count "$FI_DIR" "$f" exe "$@"
	local total=$FI_CALLS
	[ "$total" -gt 0 ] || fail "$f: no call counted in $* (the library injected into nothing)"
	cp "$T/fi.out" "$T/ref.out"
	if declare -F fi_ref >/dev/null; then fi_ref; fi
	for p in 0 1; do
		for ((n = 1; n <= total; n++)); do
			if declare -F fi_reset >/dev/null; then fi_reset; fi
			fi_exec "$FI_DIR" "$f" "$n" "$p" exe "$@"
			at="$f N=$n persist=$p: $*"
			if [ "$FI_RC" -ne 0 ]; then
				[ "$FI_RC" -eq 128 ] && grep -q '^pmvcs: ' "$T/fi.err" ||
					fail "$at: exit $FI_RC: $(head -3 "$T/fi.err")"
			fi
			FI_WHY="$check"
			"$check" "$at" || fail "$at: $FI_WHY: $(head -3 "$T/fi.err")"
		done
	done
	echo "$f $*: $total points, ok"
}

# same_output_if_ok: a run that exits 0 printed the whole answer
same_output_if_ok() { [ "$FI_RC" -ne 0 ] || cmp -s "$T/fi.out" "$T/ref.out"; }
