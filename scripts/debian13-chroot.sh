#!/usr/bin/env bash
# debian13-chroot.sh [ROOT] [normal|full] -- build and test this project on
# Debian 13 (trixie: libpmemobj 1.13.1, gcc 14, clang 19) in a chroot made
# with debootstrap, as root. ROOT defaults to /var/tmp/pmdb-debian13 and is
# kept between runs (the first run downloads ~150 MB). The project is
# cloned into ROOT/src/pmdb from this checkout's HEAD; ../shared is
# bind-mounted read-only beside it when present. "normal" (the default)
# runs the -Werror build and the whole ctest suite; "full" runs
# scripts/test.sh (ASan and TSan stages too). Not part of .ci/run: the
# download and a second full build do not fit its time.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/pmdb-debian13}
mode=${2:-normal}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "debian13-chroot: must run as root" >&2; exit 1; }
case $mode in normal|full) ;; *) echo "usage: $0 [ROOT] [normal|full]" >&2; exit 129 ;; esac

if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
  echo "debian13-chroot: debootstrap trixie into $root"
  debootstrap --variant=minbase --include=git,ca-certificates trixie "$root" "$mirror"
fi

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" || true; done
}
trap cleanup EXIT
mnt() { mkdir -p "$2"; mount "${@:3}" "$1" "$2"; mounted+=("$2"); }
mnt proc "$root/proc" -t proc
mnt /dev "$root/dev" --bind
mnt /dev/pts "$root/dev/pts" --bind     # script(1) and the tty tests
mnt tmpfs "$root/dev/shm" -t tmpfs -o size=8g
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

rm -rf "$root/src/pmdb"
mkdir -p "$root/src"
git clone -q --no-hardlinks "$src" "$root/src/pmdb"
if [ -d "$src/../shared" ]; then
  mnt "$src/../shared" "$root/src/shared" --bind -o ro
fi

if [ "$mode" = full ]; then
  job='scripts/test.sh'
else
  job='scripts/install-deps.sh && scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cd build && ctest -j"$(nproc)" --output-on-failure'
fi
echo "debian13-chroot: $(cat "$root/etc/debian_version"), running: $job"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM="${TERM:-dumb}" /bin/bash -c "cd /src/pmdb && $job"
