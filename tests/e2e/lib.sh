# lib.sh -- sourced by every end-to-end test script (not a test itself).
# Gives: $PMVCS, a fresh $T work dir (removed on exit), fixed git/pmvcs
# identities and dates so ids are comparable, and small assertions.
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
T=$(mktemp -d "${PMDB_E2E_DIR:-/dev/shm}/pmvcs-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
pmvcs() { "$PMVCS" "$@"; }
git() { command git -c init.defaultBranch=master -c core.autocrlf=false "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" == "$3" ] || { echo "FAIL: $1"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40; exit 1; } >&2; }
# expect_rc CODE CMD...: run CMD, check its exit code
expect_rc() { local want=$1; shift; set +e; "$@"; local rc=$?; set -e; [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc: $*"; }
