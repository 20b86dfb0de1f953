#!/usr/bin/env bash
# install-deps.sh -- install every Debian 12 package the build, tests and
# benchmarks need. Idempotent; skips apt when everything is present.
set -euo pipefail
PKGS="build-essential cmake pkg-config git xz-utils ca-certificates
      libpmemobj-dev libnuma-dev libssl-dev liblz4-dev liburing-dev libcmocka-dev
      liblmdb-dev pmdk-tools clang libclang-rt-dev hyperfine
      debhelper dpkg-dev python3 iproute2 strace zlib1g-dev libzstd-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing:$missing" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
