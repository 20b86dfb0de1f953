#!/usr/bin/env bash
# test.sh -- install dependencies, build with -Werror, run the whole suite;
# then again under AddressSanitizer+UBSan, and the concurrent tests under
# ThreadSanitizer. Exit status is non-zero if any test fails.
# PMDB_TEST_QUICK=1 runs only the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
root=$(pwd)

# Skipped tests (exit 77: an input or a right the test needs is missing, as
# ../shared/streams for the *.shared tests) are listed at the end, each with
# the SKIP: line it printed, so that nothing is skipped unnoticed.
skipped=()
# run_ctest DIR ARGS...: ctest ARGS in DIR, noting the tests it skipped
run_ctest() {
	local dir=$1 rc=0 name why
	shift
	(cd "$dir" && ctest "$@") | tee "$dir/ctest.out" || rc=$?
	while read -r name; do
		why=$(awk -v t="$name" '$0 ~ /^[0-9]+\/[0-9]+ Testing: / { on = ($3 == t) }
			on && sub(/^SKIP: /, "") { print; exit }' "$dir/Testing/Temporary/LastTest.log")
		skipped+=("$dir: $name: ${why:-(no reason printed)}")
	done < <(sed -nE 's/^[[:space:]]*[0-9]+ - (.*) \(Skipped\)$/\1/p' "$dir/ctest.out")
	return "$rc"
}
summary() {
	local s
	echo "== ${#skipped[@]} tests skipped"
	for s in "${skipped[@]}"; do echo "  $s"; done
}
trap summary EXIT

echo "== build (RelWithDebInfo, -Werror)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_ctest build --output-on-failure -j"$jobs"

[ "${PMDB_TEST_QUICK:-0}" = 1 ] && exit 0

echo "== build (ASan+UBSan)"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DPMDB_SANITIZE=ON -DPMDB_BENCH=OFF
# crash tests sample 6 points each here (PMCRASH_QUICK): every point already
# ran in the normal build; this run looks for memory errors on those paths
ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 PMCRASH_QUICK=1 \
   LSAN_OPTIONS=suppressions="$root/tests/lsan.supp" \
   run_ctest build-asan --output-on-failure -j"$jobs" -LE slow

echo "== build (ThreadSanitizer, concurrent tests)"
scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=Debug -DPMDB_TSAN=ON -DPMDB_BENCH=OFF
TSAN_OPTIONS=halt_on_error=1 run_ctest build-tsan --output-on-failure -j"$jobs" -L concurrent --no-tests=error
echo "== all test runs passed"
