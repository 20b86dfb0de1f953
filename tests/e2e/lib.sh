# lib.sh -- sourced by every end-to-end test script (not a test itself).
# Gives: $PMVCS, a fresh $T work dir (removed on exit), fixed git/pmvcs
# identities and dates so ids are comparable, $STREAMS (fast-import
# streams shared by e2e, crash and fault tests), small assertions and
# repository helpers.
set -euo pipefail
: "${PMVCS:?PMVCS must name the pmvcs binary (ctest sets it)}"
# the full program behind the front end (tools/pmvcs/front): LD_PRELOAD
# fault injection must target it, as the front end execs it
PMVCS_CORE=${PMVCS_CORE:-${PMVCS%/*}/pmvcs-core}
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="1700000000 +0100" GIT_COMMITTER_DATE="1700000100 -0230"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=${HOME:-/root}
export PMEM_IS_PMEM_FORCE=${PMEM_IS_PMEM_FORCE:-1}
STREAMS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/streams
T=$(mktemp -d "${PMDB_E2E_DIR:-/dev/shm}/pmvcs-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
pmvcs() { "$PMVCS" "$@"; }
git() { command git -c init.defaultBranch=master -c core.autocrlf=false "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" == "$3" ] || { echo "FAIL: $1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40; exit 1; } >&2; }
# expect_rc CODE CMD...: run CMD, check its exit code
expect_rc() { local want=$1; shift; set +e; "$@"; local rc=$?; set -e; [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc: $*"; }

# fsck_ok DIR WHAT: pmvcs fsck in DIR must pass
fsck_ok() {
	local out rc=0
	out=$(cd "$1" && "$PMVCS" fsck 2>&1) || rc=$?
	[ "$rc" -eq 0 ] || { echo "$out" | head -20 >&2; fail "fsck after $2: exit $rc"; }
}
# refs_of DIR: `pmvcs show-ref` (empty when there are no refs)
refs_of() { (cd "$1" && "$PMVCS" show-ref) || [ $? -eq 1 ]; }
# fill_tree DIR N SEED: N small files in a few directories
fill_tree() {
	local d=$1 n=$2 s=$3 i
	for ((i = 0; i < n; i++)); do
		mkdir -p "$d/dir$((i % 4))"
		printf 'file %d of seed %s\nline two\n' "$i" "$s" >"$d/dir$((i % 4))/f$i.txt"
	done
}
