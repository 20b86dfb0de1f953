#!/usr/bin/env bash
# cross-arm64.sh [BUILD_DIR] -- cross-compile for arm64 and run the unit
# tests under qemu-user. As root on Debian 12/13: adds the arm64
# architecture to dpkg, installs gcc-aarch64-linux-gnu, qemu-user and the
# :arm64 -dev packages, builds with cmake/aarch64-linux-gnu.cmake
# (-Werror), and runs `ctest -L unit` (each test binary through
# qemu-aarch64). Not part of .ci/run: it installs a second architecture.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-arm64}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
libs="libpmemobj-dev libnuma-dev libssl-dev liblz4-dev liburing-dev libcmocka-dev"
need="gcc-aarch64-linux-gnu qemu-user"
for p in $libs; do need="$need $p:arm64"; done
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi
cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DPMDB_WERROR=ON -DPMDB_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j"$(nproc)"
file "$dir/tools/pmvcs-core" | grep -q "ARM aarch64" || { echo "cross-arm64: not an arm64 build" >&2; exit 1; }
cd "$dir" && ctest -L unit -j"$(nproc)" --output-on-failure
