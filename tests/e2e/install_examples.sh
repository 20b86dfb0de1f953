#!/bin/bash
# install_examples.sh -- `cmake --install` gives a usable library: the
# examples/ programs build against the *installed* pmdb with pkg-config
# (shared and static) and with CMake's find_package(pmdb), and run; the
# installed pmcrash finds its installed interposer and tests an example.
source "$(dirname "$0")/lib.sh"
: "${PMDB_BUILD:?ctest sets PMDB_BUILD}" "${PMDB_SRC:?ctest sets PMDB_SRC}"
command -v pkg-config >/dev/null || fail "pkg-config is missing (scripts/install-deps.sh installs it)"

pre=$T/prefix
cmake --install "$PMDB_BUILD" --prefix "$pre" >"$T/install.log" 2>&1 ||
	{ tail -20 "$T/install.log" >&2; fail "cmake --install"; }
libdir=$(cd "$pre" && dirname "$(find . -name pmdb.pc | head -1)")
libdir=$pre/${libdir#./}
libdir=${libdir%/pkgconfig}
for f in include/pmdb.h bin/pmvcs bin/pmvcs-core bin/pmcrash; do
	[ -e "$pre/$f" ] || fail "not installed: $f"
done
for f in libpmdb.a libpmdb.so libpmdb.so.0 pmcrash_preload.so cmake/pmdb/pmdbConfig.cmake \
	cmake/pmdb/pmdbConfigVersion.cmake cmake/pmdb/pmdbTargets.cmake; do
	[ -e "$libdir/$f" ] || fail "not installed: $libdir/$f"
done
expect_eq "SONAME" "libpmdb.so.0" \
	"$(objdump -p "$libdir/libpmdb.so" | awk '/SONAME/ { print $2 }')"

# the sanitized builds' library needs its runtime in the examples too
cflags=()
[ "${PMDB_SANITIZE:-OFF}" = ON ] && cflags=(-fsanitize=address,undefined)
export PKG_CONFIG_PATH=$libdir/pkgconfig
expect_eq "pkg-config version" "$(sed -n 's/^project(pmdb VERSION \([0-9.]*\).*/\1/p' "$PMDB_SRC/CMakeLists.txt")" \
	"$(pkg-config --modversion pmdb)"

# check_hello BIN DIR: the example stores "hello\n"; its id is git's
check_hello() {
	local out
	out=$("$1" "$2") || fail "$1 failed"
	expect_eq "$1 output" "HEAD -> $(printf 'hello\n' | git hash-object --stdin): hello" "$out"
}
echo "== pkg-config, shared"
cc "${cflags[@]}" -o "$T/hello_shared" "$PMDB_SRC/examples/hello_pmdb.c" \
	$(pkg-config --cflags --libs pmdb) -Wl,-rpath,"$libdir" || fail "pkg-config shared build"
# (no grep -q on a pipe: under pipefail ldd's SIGPIPE would fail it)
ldd "$T/hello_shared" >"$T/ldd.out"
grep -qF "$libdir/libpmdb.so.0" "$T/ldd.out" || { cat "$T/ldd.out" >&2; fail "not linked with $libdir/libpmdb.so.0"; }
check_hello "$T/hello_shared" "$T/pool1"
echo "== pkg-config, static"
cc "${cflags[@]}" -o "$T/hello_static" "$PMDB_SRC/examples/hello_pmdb.c" \
	$(pkg-config --cflags pmdb) "$libdir/libpmdb.a" $(pkg-config --static --libs-only-l pmdb | sed 's/-lpmdb//') ||
	fail "pkg-config static build"
ldd "$T/hello_static" >"$T/ldd.out"
! grep -q libpmdb "$T/ldd.out" || fail "the static build loads libpmdb.so"
check_hello "$T/hello_static" "$T/pool2"

echo "== CMake find_package(pmdb)"
cmake -S "$PMDB_SRC/examples" -B "$T/exb" -DCMAKE_PREFIX_PATH="$pre" \
	-DCMAKE_C_FLAGS="${cflags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${cflags[*]}" >"$T/cmake.log" 2>&1 ||
	{ tail -20 "$T/cmake.log" >&2; fail "cmake configure of examples/"; }
cmake --build "$T/exb" >>"$T/cmake.log" 2>&1 || { tail -20 "$T/cmake.log" >&2; fail "examples build"; }
check_hello "$T/exb/example_hello_pmdb" "$T/pool3"
"$T/exb/example_concurrent_reader" "$T/pool4" 100 || fail "concurrent_reader"

echo "== the installed pmcrash on the libpmemobj example"
mkdir "$T/db"
"$T/exb/example_pmcrash_counter" init "$T/db/c.pool"
"$pre/bin/pmcrash" --repo "$T/db" --seed=0x5eed --points=random:8 \
	--check="$(printf %q "$T/exb/example_pmcrash_counter") check c.pool" \
	-- "$T/exb/example_pmcrash_counter" run c.pool 4 >"$T/pmcrash.out" 2>&1 ||
	{ cat "$T/pmcrash.out" >&2; fail "pmcrash on the example"; }
grep -q "0 failed" "$T/pmcrash.out" || fail "pmcrash summary: $(tail -1 "$T/pmcrash.out")"
echo ok
