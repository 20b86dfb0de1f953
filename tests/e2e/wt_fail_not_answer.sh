#!/bin/bash
# wt_fail_not_answer.sh -- an internal failure is never reported as a
# git-level answer (docs/testing.md, known failures 2-4). For every
# malloc that pmvcs makes itself (N, and N and every later one failing),
# each command below must give the reference answer or fail cleanly
# (exit 128, "pmvcs: ..."), never the answer a script would misread:
# "not fully merged" / "not found" (exit 1), "unknown revision", a
# refused fast-forward (exit 1), a log cut short (exit 0), or a
# fast-import that leaves some refs new and others old.
# Every point is tried, so the test does not depend on call numbers.
source "$(dirname "$0")/fault_lib.sh"
[ -n "${FAULTINJECT:-}" ] || skip "FAULTINJECT is not set (tests/fault/faultinject.c is built with pmvcs)"

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q && echo a > a && pmvcs commit -q -m first &&
 pmvcs branch old && pmvcs tag v0 && echo b > b && pmvcs commit -q -m second &&
 pmvcs branch side) || fail "setup"
cp -a "$r" "$T/base"

FLT_DIR=$r
fault_reset() { rm -rf "$r"; cp -a "$T/base" "$r"; }
# not_unknown: a failure is never "unknown revision"
not_unknown() { same_output_if_ok && ! grep -q 'unknown revision' "$T/fault.err"; }
# refs_all_or_nothing: refs are all old or all new (new if exit 0)
refs_all_or_nothing() {
	local now
	now=$(cd "$r" && "$PMVCS" show-ref)
	if [ "$FLT_RC" -eq 0 ]; then [ "$now" == "$REFS_NEW" ]; else
		[ "$now" == "$REFS_OLD" ] || [ "$now" == "$REFS_NEW" ]; fi
}

fault_sweep same_output_if_ok "$PMVCS" branch -d old
fault_sweep same_output_if_ok "$PMVCS" tag -d v0
fault_sweep same_output_if_ok "$PMVCS" branch -v
fault_sweep same_output_if_ok "$PMVCS" log --oneline --all
fault_sweep not_unknown "$PMVCS" rev-parse HEAD~1 v0^{commit} side:b

# fast-import fast-forwarding two branches: no exit 1, never half the refs
ff=$STREAMS/ff_two_branches.fe
REFS_OLD=$(cd "$T/base" && "$PMVCS" show-ref)
fault_reset
(cd "$r" && pmvcs fast-import --quiet <"$ff") || fail "reference import"
REFS_NEW=$(cd "$r" && "$PMVCS" show-ref)
FLT_STDIN=$ff fault_sweep refs_all_or_nothing "$PMVCS" fast-import --quiet

# the real answers are still given: a non-fast-forward is refused (exit 1)
# and changes nothing else; a missing branch is "not found" (exit 1)
fault_reset
cat >"$T/nonff.fe" <<'STREAM'
commit refs/heads/side
committer C O Mitter <committer@example.com> 1700000900 +0000
data 4
new
from refs/heads/old^0

STREAM
expect_rc 1 bash -c "cd '$r' && '$PMVCS' fast-import --quiet < '$T/nonff.fe' 2> '$T/err'"
grep -q 'warning: Not updating refs/heads/side' "$T/err" || fail "non-ff warning"
expect_eq "refs after refused non-ff" "$REFS_OLD" "$(cd "$r" && "$PMVCS" show-ref)"
expect_rc 1 bash -c "cd '$r' && '$PMVCS' branch -d nope 2>/dev/null"
expect_rc 1 bash -c "cd '$r' && '$PMVCS' tag -d nope 2>/dev/null"
echo ok
