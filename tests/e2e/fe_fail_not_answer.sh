#!/bin/bash
# fe_fail_not_answer.sh -- fast-export never turns a failure into an
# answer. For every malloc pmvcs makes itself (N, and N and every later
# one failing), and for every open/write/rename of a marks file, each
# export below must either give the reference output (exit 0) or fail
# cleanly: exit 128 with "pmvcs: ...", never a shorter stream with exit 0,
# never "unknown revision" / "object not found" / "not a ref", never a
# stream ending in "done" (--use-done-feature), and never a marks file
# that is half written or written for a failed export.
# Every point is tried, so the test does not depend on call numbers.
source "$(dirname "$0")/fault_lib.sh"
[ -n "${FAULTINJECT:-}" ] || skip "FAULTINJECT is not set (tests/fault/faultinject.c is built with pmvcs)"

# a small history with every kind of output: nested paths, a path with a
# space, a deletion, a merge, an annotated and a lightweight tag, a ref
# whose tip was written under another name
r=$T/r
pmvcs init "$r" >/dev/null
cat >"$T/setup.fe" <<'STREAM'
blob
mark :1
data 2
a

blob
mark :2
data 2
b

commit refs/heads/master
mark :3
author A U Thor <author@example.com> 1700000000 +0100
committer C O Mitter <committer@example.com> 1700000100 +0000
data 6
first
M 100644 :1 a
M 100644 :2 dir/sub/b

commit refs/heads/side
mark :4
author A U Thor <author@example.com> 1700000200 +0100
committer C O Mitter <committer@example.com> 1700000300 +0000
data 5
side
from :3
M 100644 :1 "with space"
D dir/sub/b

commit refs/heads/master
mark :5
author A U Thor <author@example.com> 1700000400 +0100
committer C O Mitter <committer@example.com> 1700000500 +0000
data 6
merge
from :3
merge :4
M 100755 :2 dir/x

tag v1
from :5
tagger C O Mitter <committer@example.com> 1700000600 +0000
data 4
rel

reset refs/heads/base
from :3

reset refs/tags/light
from :4

STREAM
pmvcs -C "$r" fast-import --quiet <"$T/setup.fe" || fail "setup"
pmvcs -C "$r" fast-export --export-marks="$T/base.marks" refs/heads/base >/dev/null ||
	fail "base marks"
M=$T/m   # the marks file an export under test writes

FLT_DIR=$r
fault_reset() { echo old >"$M"; }
fault_ref() { cp "$M" "$T/ref.marks"; }
# not_an_answer: a failure is never an answer nor a whole stream, and
# leaves no temporary marks file behind
not_an_answer() {
	if [ "$FLT_RC" -ne 0 ]; then
		! grep -Eq 'unknown revision|object not found|not a ref' "$T/fault.err" ||
			{ FLT_WHY="failure reported as an answer"; return 1; }
		[ "$(tail -n1 "$T/fault.out")" != done ] ||
			{ FLT_WHY="failed stream ends with done"; return 1; }
	fi
	! ls "$T" | grep -q '\.tmp\.' ||
		{ FLT_WHY="temporary marks file left behind"; return 1; }
}
# whole_stream: not_an_answer, and a run that exits 0 printed it all
whole_stream() { not_an_answer && same_output_if_ok; }
# marks_all_or_nothing: whole_stream, and the marks file is the old one,
# or (exit 0) the complete new one; a failed export never replaces it
marks_all_or_nothing() {
	whole_stream || return 1
	if [ "$FLT_RC" -eq 0 ]; then cmp -s "$M" "$T/ref.marks"; else
		[ "$(cat "$M")" == old ]; fi
}

fault_sweep whole_stream "$PMVCS" fast-export --all
fault_sweep whole_stream "$PMVCS" fast-export --all --use-done-feature
fault_sweep marks_all_or_nothing "$PMVCS" fast-export --all --export-marks="$M"
fault_sweep marks_all_or_nothing "$PMVCS" fast-export --import-marks="$T/base.marks" \
	--export-marks="$M" refs/heads/base..master v1 ^light
SWEEP_FUNC=open,write,rename fault_sweep marks_all_or_nothing "$PMVCS" fast-export --all \
	--export-marks="$M"

# the reference runs are real exports: git imports them to the same refs
git init -q "$T/g"
"$PMVCS" -C "$r" fast-export --all --use-done-feature >"$T/all.fe" || fail "export"
tail -n1 "$T/all.fe" | grep -qx done || fail "--use-done-feature: no final done"
git -C "$T/g" fast-import --quiet <"$T/all.fe" || fail "git import"
expect_eq "refs after git import" "$(pmvcs -C "$r" show-ref)" "$(git -C "$T/g" show-ref)"
# a stream cut short before "done" is refused by the importer
head -n -1 "$T/all.fe" >"$T/cut.fe"
git init -q "$T/g2"
expect_rc 128 bash -c "git -C '$T/g2' fast-import --quiet <'$T/cut.fe' 2>/dev/null"

# the real answers are still given
expect_rc 128 bash -c "'$PMVCS' -C '$r' fast-export nope 2>'$T/err' >'$T/out'"
grep -q "'nope' is not a ref" "$T/err" || fail "not a ref: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "output for a bad ref"
expect_rc 128 bash -c "'$PMVCS' -C '$r' fast-export nope..master 2>'$T/err' >'$T/out'"
grep -q 'unknown revision: nope' "$T/err" || fail "unknown revision: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "output for an unknown revision"
printf ':1 %040d\n' 1 >"$T/bad.marks"
expect_rc 128 bash -c "'$PMVCS' -C '$r' fast-export --import-marks='$T/bad.marks' master \
	2>'$T/err' >'$T/out'"
grep -q 'object not found' "$T/err" || fail "object not found: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "output with a bad marks file"
echo ok
