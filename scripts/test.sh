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

echo "== build (RelWithDebInfo, -Werror)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build && ctest --output-on-failure -j"$jobs")

[ "${PMDB_TEST_QUICK:-0}" = 1 ] && exit 0

echo "== build (ASan+UBSan)"
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DPMDB_SANITIZE=ON -DPMDB_BENCH=OFF
# crash tests sample 6 points each here (PMCRASH_QUICK): every point already
# ran in the normal build; this run looks for memory errors on those paths
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:verify_asan_link_order=0 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 PMCRASH_QUICK=1 \
   LSAN_OPTIONS=suppressions="$root/tests/lsan.supp" \
   ctest --output-on-failure -j"$jobs" -LE slow)

echo "== build (ThreadSanitizer, concurrent tests)"
scripts/build.sh build-tsan -DCMAKE_BUILD_TYPE=Debug -DPMDB_TSAN=ON -DPMDB_BENCH=OFF
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j"$jobs" -L concurrent --no-tests=error)
echo "== all test runs passed"
