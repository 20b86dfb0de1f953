#!/bin/bash
# install_deb.sh -- the Debian packages: `dpkg-buildpackage -us -uc -b` on
# a copy of the source gives libpmdb0, libpmdb-dev and pmvcs with the files
# each should hold; installed (as root), pmvcs works from /usr/bin with git's
# ids, pmcrash finds its interposer, and an example builds against the
# system's pmdb with pkg-config. The packages are removed at the end.
# labels: slow
source "$(dirname "$0")/lib.sh"
: "${PMDB_SRC:?ctest sets PMDB_SRC}"
for c in dpkg-buildpackage dh; do
	command -v $c >/dev/null || fail "$c is missing (scripts/install-deps.sh installs debhelper, dpkg-dev)"
done
[ "$(id -u)" -eq 0 ] || skip "installing packages needs root"
for p in libpmdb0 libpmdb-dev pmvcs; do
	! dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" ||
		skip "$p is already installed on this machine; not touching it"
done

ver=$(dpkg-parsechangelog -l "$PMDB_SRC/debian/changelog" -S Version)
src=$T/src/pmdb-$ver
mkdir -p "$src"
# the source as it is, without build trees and .git
(cd "$PMDB_SRC" && tar --exclude='./build*' --exclude=./.git --exclude='./obj-*' -cf - .) |
	tar -xf - -C "$src"
(cd "$src" && dpkg-buildpackage -us -uc -b -j2) >"$T/build.log" 2>&1 ||
	{ tail -30 "$T/build.log" >&2; fail "dpkg-buildpackage"; }
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in libpmdb0 libpmdb-dev pmvcs; do
	[ -f "$T/src/${p}_${ver}_$arch.deb" ] || fail "no package $p"
done
# has PKG FILE...: the package holds each file
has() {
	local p=$1; shift
	dpkg-deb -c "$T/src/${p}_${ver}_$arch.deb" | awk '{ print $6 }' >"$T/$p.list"
	for f; do grep -qx "./$f" "$T/$p.list" || fail "$p lacks $f"; done
}
has libpmdb0 "usr/lib/$ma/libpmdb.so.0" "usr/lib/$ma/libpmdb.so.0.1.0"
has libpmdb-dev usr/include/pmdb.h "usr/lib/$ma/libpmdb.a" "usr/lib/$ma/libpmdb.so" \
	"usr/lib/$ma/pkgconfig/pmdb.pc" "usr/lib/$ma/cmake/pmdb/pmdbConfig.cmake"
has pmvcs usr/bin/pmvcs usr/bin/pmvcs-core usr/bin/pmcrash "usr/lib/$ma/pmcrash_preload.so"

trap 'dpkg -r pmvcs libpmdb-dev libpmdb0 >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
dpkg -i "$T/src/libpmdb0_${ver}_$arch.deb" "$T/src/libpmdb-dev_${ver}_$arch.deb" \
	"$T/src/pmvcs_${ver}_$arch.deb" >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log" >&2; fail "dpkg -i"; }

echo "== /usr/bin/pmvcs"
r=$T/repo
mkdir -p "$r" && echo hi >"$r/f"
(cd "$r" && PMVCS_CORE=/usr/bin/pmvcs-core /usr/bin/pmvcs init -q && \
	PMVCS_CORE=/usr/bin/pmvcs-core PMVCS_NO_SERVER=1 /usr/bin/pmvcs commit -q -m one) ||
	fail "the installed pmvcs"
git init -q "$T/g" && echo hi >"$T/g/f" && git -C "$T/g" add f && git -C "$T/g" commit -q -m one
expect_eq "commit id" "$(git -C "$T/g" rev-parse HEAD)" \
	"$(cd "$r" && PMVCS_CORE=/usr/bin/pmvcs-core PMVCS_NO_SERVER=1 /usr/bin/pmvcs rev-parse HEAD)"

echo "== the system's pmdb with pkg-config"
cc -o "$T/hello" "$PMDB_SRC/examples/hello_pmdb.c" $(pkg-config --cflags --libs pmdb) ||
	fail "build against the installed libpmdb-dev"
expect_eq "hello" "HEAD -> $(printf 'hello\n' | git hash-object --stdin): hello" "$("$T/hello" "$T/pool")"

echo "== /usr/bin/pmcrash finds its interposer"
mkdir "$T/db" && (cd "$T/db" && PMVCS_CORE=/usr/bin/pmvcs-core /usr/bin/pmvcs init -q) && echo x >"$T/db/f"
/usr/bin/pmcrash --repo "$T/db" --points=random:3 --seed=1 --pmvcs=/usr/bin/pmvcs \
	-- env PMVCS_CORE=/usr/bin/pmvcs-core PMVCS_NO_SERVER=1 /usr/bin/pmvcs commit -q -m x \
	>"$T/pmcrash.out" 2>&1 || { cat "$T/pmcrash.out" >&2; fail "installed pmcrash"; }
echo ok
