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
source "$(dirname "$0")/lib.sh"
[ -n "${FAULTINJECT:-}" ] || { echo "skip: FAULTINJECT not set"; exit 77; }
export ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}"

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q && echo a > a && pmvcs commit -q -m first &&
 pmvcs branch old && pmvcs tag v0 && echo b > b && pmvcs commit -q -m second &&
 pmvcs branch side) || fail "setup"
cp -a "$r" "$T/base"

# inject N PERSIST CMD...: run CMD in $r under the fault; $rc, $T/o, $T/e
inject() {
	local n=$1 p=$2
	shift 2
	[ "$1" = "$PMVCS" ] && set -- "$PMVCS_CORE" "${@:2}"   # inject into the core, not the front end
	rc=0
	(cd "$r" && LD_PRELOAD="$FAULTINJECT" FAULT_FUNC=malloc FAULT_AT="$n" \
		FAULT_PERSIST="$p" FAULT_CALLER=exe FAULT_COUNT_FILE="$T/cnt" \
		"$@" <"${STDIN:-/dev/null}" >"$T/o" 2>"$T/e") || rc=$?
}

# sweep CHECK CMD...: CHECK runs after each injected run ($rc, $T/o, $T/e)
sweep() {
	local check=$1 total n p
	shift
	rm -rf "$r"; cp -a "$T/base" "$r"
	inject 0 0 "$@"
	[ "$rc" -eq 0 ] || fail "counting run of $*: exit $rc"
	cp "$T/o" "$T/ref.out"
	read -r total _ <"$T/cnt"
	[ "$total" -gt 0 ] || fail "no malloc counted in $* (the library injected into nothing)"
	for p in 0 1; do
		for ((n = 1; n <= total; n++)); do
			rm -rf "$r"; cp -a "$T/base" "$r"
			inject "$n" "$p" "$@"
			if [ "$rc" -ne 0 ]; then
				[ "$rc" -eq 128 ] && grep -q '^pmvcs: ' "$T/e" ||
					fail "$* N=$n persist=$p: exit $rc: $(head -3 "$T/e")"
			fi
			"$check" "$* N=$n persist=$p" || fail "$* N=$n persist=$p: $(head -3 "$T/e")"
		done
	done
	echo "$*: $total malloc points, ok"
}

# same_output_if_ok: a run that exits 0 printed the whole answer
same_output_if_ok() { [ "$rc" -ne 0 ] || cmp -s "$T/o" "$T/ref.out"; }
# not_unknown: a failure is never "unknown revision"
not_unknown() { same_output_if_ok && ! grep -q 'unknown revision' "$T/e"; }
# refs_all_or_nothing: refs are all old or all new (new if exit 0)
refs_all_or_nothing() {
	local now
	now=$(cd "$r" && "$PMVCS" show-ref)
	if [ "$rc" -eq 0 ]; then [ "$now" == "$REFS_NEW" ]; else
		[ "$now" == "$REFS_OLD" ] || [ "$now" == "$REFS_NEW" ]; fi
}

sweep same_output_if_ok "$PMVCS" branch -d old
sweep same_output_if_ok "$PMVCS" tag -d v0
sweep same_output_if_ok "$PMVCS" branch -v
sweep same_output_if_ok "$PMVCS" log --oneline --all
sweep not_unknown "$PMVCS" rev-parse HEAD~1 v0^{commit} side:b

# fast-import fast-forwarding two branches: no exit 1, never half the refs
cat >"$T/ff.fe" <<'STREAM'
blob
mark :1
data 5
more

commit refs/heads/master
mark :2
committer C O Mitter <committer@example.com> 1700000600 +0000
data 6
third
from refs/heads/master^0
M 100644 :1 more.txt

commit refs/heads/side
mark :3
committer C O Mitter <committer@example.com> 1700000800 +0000
data 5
side
from refs/heads/side^0
M 100644 :1 side.txt

STREAM
REFS_OLD=$(cd "$T/base" && "$PMVCS" show-ref)
rm -rf "$r"; cp -a "$T/base" "$r"
(cd "$r" && pmvcs fast-import --quiet <"$T/ff.fe") || fail "reference import"
REFS_NEW=$(cd "$r" && "$PMVCS" show-ref)
STDIN=$T/ff.fe sweep refs_all_or_nothing "$PMVCS" fast-import --quiet

# the real answers are still given: a non-fast-forward is refused (exit 1)
# and changes nothing else; a missing branch is "not found" (exit 1)
rm -rf "$r"; cp -a "$T/base" "$r"
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
