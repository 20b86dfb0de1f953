# lib.bash -- sourced by every tests/crash/*.sh (not a test itself).
# Gives what ../e2e/lib.sh gives ($PMVCS, $T, identities, assertions) plus
# $PMCRASH, $SELFTEST (the deliberately broken program), $LONG (1 under
# PMCRASH_LOG=1: thousands of points) and helpers to run pmcrash.
# shellcheck source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
: "${PMCRASH:?PMCRASH must name the pmcrash binary (ctest sets it)}"
: "${PMCRASH_PRELOAD:?PMCRASH_PRELOAD must name pmcrash_preload.so}"
export PMCRASH_PRELOAD PMCRASH_TMPDIR=${PMCRASH_TMPDIR:-/dev/shm}
SELFTEST=$(dirname "$PMCRASH")/pmcrash_selftest
LONG=${PMCRASH_LONG:-0}
POINTS_LOG=${PMCRASH_POINTS_LOG:-/dev/null}

# pick DEFAULT LONGVALUE: the first in CI, the second under PMCRASH_LONG=1
pick() { if [ "$LONG" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# crash WANT_RC ARGS...: run pmcrash ARGS, show its output, check its exit
# code; the output is left in $T/pmcrash.out
crash() {
	local want=$1 rc
	shift
	set +e
	"$PMCRASH" "$@" >"$T/pmcrash.out" 2>&1
	rc=$?
	set -e
	sed 's/^/  | /' "$T/pmcrash.out" | head -60
	grep -h '^tried ' "$T/pmcrash.out" | sed "s|^|$(basename "$0"): |" >>"$POINTS_LOG" || true
	[ "$rc" -eq "$want" ] || fail "pmcrash exited $rc, expected $want: $*"
}

# crash_ok ARGS...: pmcrash must try at least one point and see no failure
crash_ok() {
	crash 0 "$@"
	grep -Eq '^tried [1-9][0-9]* crash points( \([0-9]+ images each\))?: [0-9]+ ok, 0 failed$' "$T/pmcrash.out" ||
		fail "pmcrash tried no point or some were not reached: $*"
}

# new_repo DIR: an empty pmvcs repository with a few dozen committed files
new_repo() {
	mkdir -p "$1"
	(cd "$1" && pmvcs init -q >/dev/null) || fail "pmvcs init"
}

# fill_tree DIR N SEED: N small files in a few directories
fill_tree() {
	local d=$1 n=$2 s=$3 i
	for ((i = 0; i < n; i++)); do
		mkdir -p "$d/dir$((i % 4))"
		printf 'file %d of seed %s\nline two\n' "$i" "$s" >"$d/dir$((i % 4))/f$i.txt"
	done
}

# pmcrash_vcs REPO ARGS... -- CMD...: pmcrash with the default check (pmvcs
# fsck, refs old or new); every point must pass
pmcrash_vcs() {
	local repo=$1
	shift
	crash_ok --repo "$repo" --pmvcs="$PMVCS" "$@"
}

# blob_id FILE: the id git gives FILE's content in the repo's object format
blob_id() { command git hash-object --object-format="${OBJFMT:-sha1}" "$1"; }
