# fi_malformed.sh -- malformed streams stop with exit 128 and
# "pmvcs: fast-import: line N: <what>" (git's wording), and no ref moves
# (or refs stay as at the last checkpoint).
. "$(dirname "$0")/fi_lib.sh"

mkpair m sha1
{ printf 'blob\nmark :1\n'; d base; printf 'commit refs/heads/master\nmark :2\ncommitter A <a@e> 1 +0000\n'; d base
  printf 'M 100644 :1 f\n\n'; } >"$T/base.fe"
import_both m "$T/base.fe"
before=$(pmvcs -C "$T/m.p" show-ref)

# prefix: a good commit on master that must not be published
good() { printf 'blob\nmark :1\n'; d x; printf 'commit refs/heads/master\nmark :2\ncommitter A <a@e> 2 +0000\n'
	 d next; printf 'M 100644 :1 g\n\n'; }   # lines 1-11

# check NAME LINE REGEX: stream $T/NAME.fe fails at LINE with REGEX
check() {
	set +e
	pmvcs -C "$T/m.p" fast-import --quiet <"$T/$1.fe" >/dev/null 2>"$T/$1.err"; local rc=$?
	set -e
	[ $rc -eq 128 ] || fail "$1: exit $rc, want 128"
	grep -Eq "^pmvcs: fast-import: line $2: $3" "$T/$1.err" || fail "$1: message: $(cat "$T/$1.err")"
	expect_eq "$1: refs unchanged" "$before" "$(pmvcs -C "$T/m.p" show-ref)"
	# git refuses the same stream too
	set +e; git -C "$T/m.g" fast-import --quiet <"$T/$1.fe" >/dev/null 2>&1; rc=$?; set -e
	[ $rc -ne 0 ] || fail "$1: git accepted it"
}

{ good; printf 'blob\ndata 100\nshort\n'; } >"$T/trunc.fe"
check trunc 13 "EOF in data \(9[0-9] bytes remaining\)"
{ good; printf 'blob\ndata <<EOT\nno terminator\n'; } >"$T/trunc2.fe"
check trunc2 13 "EOF in data \(terminator 'EOT' not found\)"
{ good; printf 'commit refs/heads/master\ncommitter A <a@e> 3 +0000\n'; d m; printf 'from :999\n\n'; } >"$T/badmark.fe"
check badmark 16 "mark :999 not declared"
{ good; printf 'bogus command\n'; } >"$T/unknown.fe"
check unknown 12 "Unsupported command: bogus command"
{ good; printf 'commit refs/heads/x\ncommitter A <a@e> 3 +0000\n'; d m; printf 'from refs/heads/nope\n\n'; } >"$T/nofrom.fe"
check nofrom 16 "Invalid ref name or SHA1 expression: refs/heads/nope"
{ good; printf 'commit refs/heads/x\ncommitter A <a@e> 3 +0000\n'; d m; printf 'from :1\n\n'; } >"$T/blobmark.fe"
check blobmark 16 "Mark :1 not a commit"
{ good; printf 'commit refs/heads/x\ncommitter A <a@e> 3 +0000\n'; d m; printf 'M 100644 :2 f\n\n'; } >"$T/notblob.fe"
check notblob 16 "Not a blob \(actually a commit\)"
{ good; printf 'commit refs/heads/x\n'; d m; } >"$T/nocommitter.fe"
check nocommitter 13 "Expected committer but didn't get one"
{ good; printf 'commit refs/heads/x\ncommitter A <a@e> 3 +0000\n'; d m; printf 'M 100640 :1 f\n\n'; } >"$T/badmode.fe"
check badmode 16 "Corrupt mode: M 100640 :1 f"
{ good; printf 'commit refs/heads/x\ncommitter A a@e> 3 +0000\n'; d m; } >"$T/badident.fe"
check badident 13 "Missing < in ident string"

# a checkpoint publishes: refs are those of the checkpoint after a failure
{ good; printf 'checkpoint\n\nbogus\n'; } >"$T/ckpt.fe"
set +e; pmvcs -C "$T/m.p" fast-import --quiet <"$T/ckpt.fe" 2>/dev/null; rc=$?; set -e
[ $rc -eq 128 ] || fail "ckpt: exit $rc"
git init -q "$T/ck.g"; git -C "$T/ck.g" fast-import --quiet <"$T/base.fe"
git -C "$T/ck.g" fast-import --quiet <"$T/ckpt.fe" 2>/dev/null || true
expect_eq "refs at checkpoint" "$(git -C "$T/ck.g" show-ref)" "$(pmvcs -C "$T/m.p" show-ref)"

# --export-marks is written on failure too (git's dump_marks from its die
# handler): the marks set so far, and their objects are kept (a next
# import can use them); refs do not move
{ good; printf 'blob\nmark :3\n'; d third; printf 'tag t\nmark :4\nfrom :2\n'; d tag
  printf 'bogus\n'; } >"$T/mfail.fe"
mkpair mf sha1
for w in g p; do
	set +e
	if [ $w = g ]; then git -C "$T/mf.g" fast-import --quiet --export-marks="$T/mf.$w.m" <"$T/mfail.fe"
	else pmvcs -C "$T/mf.p" fast-import --quiet --export-marks="$T/mf.$w.m" <"$T/mfail.fe"; fi \
		>/dev/null 2>"$T/mf.$w.err"; rc=$?
	set -e
	[ $rc -eq 128 ] || fail "marks on failure ($w): exit $rc"
	[ -f "$T/mf.$w.m" ] || fail "marks on failure ($w): no marks file"
done
expect_eq "marks after a failure" "$(cat "$T/mf.g.m")" "$(cat "$T/mf.p.m")"
[ "$(wc -l <"$T/mf.p.m")" -eq 4 ] || fail "marks after a failure: $(cat "$T/mf.p.m")"
[ ! -e "$T/mf.p.m.lock" ] || fail "marks lock file left behind"
expect_eq "no refs after the failure" "" "$(pmvcs -C "$T/mf.p" show-ref 2>/dev/null || true)"
{ printf 'commit refs/heads/master\ncommitter A <a@e> 5 +0000\n'; d later; printf 'from :2\nM 100644 :3 h\n\n'
  printf 'tag t\nfrom :4\n'; d retag; } >"$T/mnext.fe"
import_both mf "$T/mnext.fe" --import-marks="$T/mf.g.m"
refs_equal mf
# marks named by --import-marks are not loaded yet: the file is not touched
printf ':1 %s\n' "$(git -C "$T/mf.g" rev-parse master)" >"$T/keep.g.m"
cp "$T/keep.g.m" "$T/keep.p.m"
printf 'feature bogus\n' >"$T/early.fe"
for w in g p; do
	set +e
	if [ $w = g ]; then git -C "$T/mf.g" fast-import --quiet --import-marks="$T/keep.$w.m" \
		--export-marks="$T/keep.$w.m" <"$T/early.fe"
	else pmvcs -C "$T/mf.p" fast-import --quiet --import-marks="$T/keep.$w.m" \
		--export-marks="$T/keep.$w.m" <"$T/early.fe"; fi >/dev/null 2>&1; rc=$?
	set -e
	[ $rc -eq 128 ] || fail "early failure ($w): exit $rc"
done
expect_eq "marks untouched by an early failure" "$(cat "$T/keep.g.m")" "$(cat "$T/keep.p.m")"
grep -q '^:1 ' "$T/keep.p.m" || fail "early failure clobbered the marks"

# gitlinks cannot go into a SHA-256 repository: git's "Invalid dataref"
mkpair s sha256
{ printf 'commit refs/heads/master\ncommitter A <a@e> 1 +0000\n'; d m
  printf 'M 160000 0123456789abcdef0123456789abcdef01234567 sub\n\n'; } >"$T/gitlink.fe"
set +e; pmvcs -C "$T/s.p" fast-import --quiet <"$T/gitlink.fe" 2>"$T/gl.err"; rc=$?; set -e
[ $rc -eq 128 ] || fail "gitlink: exit $rc"
grep -q '^pmvcs: fast-import: line 5: Invalid dataref: M 160000 0123456789abcdef0123456789abcdef01234567 sub$' \
	"$T/gl.err" || fail "gitlink message: $(cat "$T/gl.err")"
expect_eq "no refs after gitlink" "" "$(pmvcs -C "$T/s.p" show-ref 2>/dev/null || true)"

# stream features that name files need --allow-unsafe-features, as in git
printf 'feature export-marks=%s\n' "$T/x.marks" >"$T/unsafe.fe"
set +e; pmvcs -C "$T/s.p" fast-import --quiet <"$T/unsafe.fe" 2>"$T/u.err"; rc=$?; set -e
[ $rc -eq 128 ] && grep -q "forbidden in input without --allow-unsafe-features" "$T/u.err" ||
	fail "unsafe feature: $rc $(cat "$T/u.err")"
# feature done: a stream without "done" ends early
printf 'feature done\n' >"$T/done.fe"
set +e; pmvcs -C "$T/s.p" fast-import --quiet <"$T/done.fe" 2>"$T/d.err"; rc=$?; set -e
[ $rc -eq 128 ] && grep -q "stream ends early" "$T/d.err" || fail "done: $rc $(cat "$T/d.err")"
echo ok
