# fi_corners.sh -- the last corners of git's fast-import grammar (issue
# 16): each stream goes through `git fast-import` and `pmvcs fast-import`
# and both must agree on refs, marks files, exit codes and git's message
# text. Intent from git's t9300: reset to the null id deletes the ref;
# bad --depth/--active-branches values are fatal; one import-marks per
# stream; --export-marks creates its directories; submodule ids are
# rewritten through marks files; --stats counts trees.
. "$(dirname "$0")/fi_lib.sh"
Z=0000000000000000000000000000000000000000

# same_fatal NAME: git's "fatal: X" and pmvcs's "pmvcs: fast-import:
# [line N: ]X" carry the same X
same_fatal() {
	local g p
	g=$(sed -n 's/^fatal: //p' "$T/$1.gerr" | head -1)
	p=$(sed -nE 's/^pmvcs: fast-import: (line [0-9]+: )?//p' "$T/$1.perr" | head -1)
	[ -n "$g" ] || fail "$1: git gave no fatal message: $(cat "$T/$1.gerr")"
	expect_eq "$1: message" "$g" "$p"
}
# refuse NAME FILE [ARGS...]: both exit 128 with the same message
refuse() {
	local n=$1; shift
	mkpair "$n" sha1
	import_both "$n" "$@"
	[ -s "$T/$n.gerr" ] && grep -q '^fatal' "$T/$n.gerr" || fail "$n: git accepted it"
	same_fatal "$n"
}
base() {
	printf 'blob\nmark :1\n'; d one
	printf 'commit refs/heads/master\nmark :2\ncommitter A <a@e> 1 +0000\n'; d one
	printf 'M 100644 :1 f\n\n'
	printf 'commit refs/heads/x\nmark :3\ncommitter A <a@e> 2 +0000\n'; d two
	printf 'from :2\n\n'
}

# 1. reset REF + from null id: the ref is deleted, in the same stream and
# in a later one (the ref then exists in the repository)
{ base; printf 'reset refs/heads/x\nfrom %s\n\n' $Z; } >"$T/r1.fe"
mkpair r1 sha1
import_both r1 "$T/r1.fe"
refs_equal r1
[ -z "$(pmvcs -C "$T/r1.p" show-ref | grep refs/heads/x)" ] || fail "r1: x kept"
base >"$T/r2a.fe"
printf 'reset refs/heads/x\nfrom %s\n\n' $Z >"$T/r2b.fe"
mkpair r2 sha1
import_both r2 "$T/r2a.fe"
import_both r2 "$T/r2b.fe"
refs_equal r2
[ -z "$(pmvcs -C "$T/r2.p" show-ref | grep refs/heads/x)" ] || fail "r2: x kept"
# a reset without from leaves the existing ref alone; from null after a
# commit on it in the same stream deletes it too
printf 'reset refs/heads/x\n\n' >"$T/r3.fe"
{ printf 'commit refs/heads/x\ncommitter A <a@e> 3 +0000\n'; d three
  printf 'from refs/heads/master\n\nreset refs/heads/x\nfrom %s\n\n' $Z; } >"$T/r4.fe"
mkpair r3 sha1
import_both r3 "$T/r2a.fe"
import_both r3 "$T/r3.fe"
refs_equal r3
import_both r3 "$T/r4.fe"
refs_equal r3
# refs/tags/<t> reset to the null id: a `tag <t>` of the same stream
# is not published (git's parse_reset_branch), an existing tag ref goes
{ base; printf 'tag t1\nfrom :2\n'; d t1; printf 'tag t3\nfrom :3\n'; d t3
  printf 'reset refs/tags/t1\nfrom %s\n\n' $Z; } >"$T/t1.fe"
{ printf 'tag t2\nfrom refs/heads/master\n'; d t2
  printf 'reset refs/tags/t2\nfrom %s\n\nreset refs/tags/t3\nfrom %s\n\n' $Z $Z; } >"$T/t2.fe"
mkpair t1 sha1
import_both t1 "$T/t1.fe"
refs_equal t1
pmvcs -C "$T/t1.p" show-ref | grep -q refs/tags/t3 || fail "t1: t3 missing"
import_both t1 "$T/t2.fe"
refs_equal t1
[ -z "$(pmvcs -C "$T/t1.p" show-ref | grep refs/tags)" ] || fail "t1: tags kept"

# 2. pack tuning values git refuses, in the stream and on the command line
i=0
for v in active-branches=-5 depth=-5 depth=abc depth=8192 active-branches= \
	 depth=5x active-branches=-0; do
	i=$((i + 1))
	{ printf 'option git %s\n' "$v"; base; } >"$T/o$i.fe"
	refuse "o$i" "$T/o$i.fe"
	base >"$T/c$i.fe"
	refuse "c$i" "$T/c$i.fe" "--$v"
done
# values git takes (C notation, the depth limit itself)
for v in depth=8191 depth=0x10 active-branches=0 active-branches=010 depth=+3; do
	i=$((i + 1))
	{ printf 'option git %s\n' "$v"; base; } >"$T/o$i.fe"
	mkpair "o$i" sha1
	import_both "o$i" "$T/o$i.fe"
	refs_equal "o$i"
	mkpair "c$i" sha1
	import_both "c$i" "$T/o$i.fe" "--$v"
	refs_equal "c$i"
done

# 3. one import-marks feature per stream (if-exists counts, and so does
# one the command line overrides)
: >"$T/m1"   # empty: the repositories hold none of r1's objects
for pair in "import-marks import-marks" "import-marks-if-exists import-marks" \
	    "import-marks import-marks-if-exists"; do
	set -- $pair
	i=$((i + 1))
	{ printf 'feature %s=%s\nfeature %s=%s\n' "$1" "$T/m1" "$2" "$T/nope"; base; } >"$T/im$i.fe"
	refuse "im$i" "$T/im$i.fe" --allow-unsafe-features
	refuse "imc$i" "$T/im$i.fe" --allow-unsafe-features --import-marks="$T/m1"
done
# one is fine, and the command line still wins over it
{ printf 'feature import-marks=%s\n' "$T/nope"; base; } >"$T/im1.fe"
mkpair im1 sha1
import_both im1 "$T/im1.fe" --allow-unsafe-features --import-marks="$T/m1"
refs_equal im1

# 4. --export-marks (and the export-marks feature) into directories that
# do not exist yet
mkpair em sha1
set +e
git -C "$T/em.g" fast-import --quiet --export-marks="$T/gd/a/b/marks" <"$T/r1.fe"; g=$?
pmvcs -C "$T/em.p" fast-import --quiet --export-marks="$T/pd/a/b/marks" <"$T/r1.fe"; p=$?
set -e
expect_eq "export-marks into new dirs: exit" "$g" "$p"
[ -f "$T/gd/a/b/marks" ] || fail "git did not create the marks directory"
expect_eq "marks in new dirs" "$(cat "$T/gd/a/b/marks")" "$(cat "$T/pd/a/b/marks")"
{ printf 'feature export-marks=%s\n' "$T/fd/x/marks"; cat "$T/r1.fe"; } >"$T/emf.fe"
mkpair emf sha1
git -C "$T/emf.g" fast-import --quiet --allow-unsafe-features <"$T/emf.fe"
mv "$T/fd" "$T/fd.g"
pmvcs -C "$T/emf.p" fast-import --quiet --allow-unsafe-features <"$T/emf.fe"
expect_eq "feature export-marks in new dirs" "$(cat "$T/fd.g/x/marks")" "$(cat "$T/fd/x/marks")"

# 5. --rewrite-submodules-from/-to: gitlink ids of a SHA-1 submodule
# mapped to the SHA-256 ids its to-marks give, as options or features
A=1111111111111111111111111111111111111111
B=$(printf '2%.0s' $(seq 64)); C=$(printf '3%.0s' $(seq 64))
printf ':1 %s\n:2 %s\n' $A $A >"$T/sf"; printf ':2 %s\n:1 %s\n' $C $B >"$T/st"
printf ':2 %s\n' $B >"$T/st2"; printf 'junk\n' >"$T/sbad"
{ printf 'commit refs/heads/master\ncommitter A <a@e> 1 +0000\n'; d m
  printf 'M 160000 %s sub\nM 160000 %s sub2\n\n' $A $C; } >"$T/sm.fe"
sub_ok() {
	local n=$1; shift
	pmvcs init --object-format=sha256 "$T/$n.p" >/dev/null
	git init -q --object-format=sha256 "$T/$n.g"
	import_both "$n" "$@"
	refs_equal "$n"
	expect_eq "$n: tree" "$(git -C "$T/$n.g" ls-tree master)" "$(pmvcs -C "$T/$n.p" ls-tree master)"
}
sub_ok sm1 "$T/sm.fe" --rewrite-submodules-from=sub:"$T/sf" --rewrite-submodules-to=sub:"$T/st"
git -C "$T/sm1.g" ls-tree master | grep -q "$B" || fail "sm1: not rewritten"
{ printf 'feature rewrite-submodules-from=s:%s\nfeature rewrite-submodules-to=s:%s\n' "$T/sf" "$T/st"
  cat "$T/sm.fe"; } >"$T/sm2.fe"
sub_ok sm2 "$T/sm2.fe"
sub_fail() {
	local n=$1; shift
	pmvcs init --object-format=sha256 "$T/$n.p" >/dev/null
	git init -q --object-format=sha256 "$T/$n.g"
	import_both "$n" "$T/sm.fe" "$@"
	grep -q '^fatal' "$T/$n.gerr" || fail "$n: git accepted it"
	same_fatal "$n"
}
sub_fail sm3
sub_fail sm4 --rewrite-submodules-from=sub:"$T/sf"
sub_fail sm5 --rewrite-submodules-to=sub:"$T/st"
sub_fail sm6 --rewrite-submodules-from=sub"$T/sf" --rewrite-submodules-to=sub:"$T/st"
sub_fail sm7 --rewrite-submodules-from=sub:"$T/nope" --rewrite-submodules-to=sub:"$T/st"
sub_fail sm8 --rewrite-submodules-from=sub:"$T/sf" --rewrite-submodules-to=sub:"$T/st2"
sub_fail sm9 --rewrite-submodules-from=sub:"$T/sbad" --rewrite-submodules-to=sub:"$T/st"

# 6. --stats counts trees as stored (a stream without duplicates: git's
# counts are the objects in its repository), and the bytes read
{ for k in 1 2 3 4; do
	printf 'blob\nmark :%d\n' "$k"; d "b$k"
	printf 'commit refs/heads/master\nmark :1%d\ncommitter A <a@e> %d +0000\n' "$k" "$k"; d "c$k"
	[ "$k" = 1 ] || printf 'from :1%d\n' $((k - 1))
	printf 'M 100644 :%d d%d/e/f\n\n' "$k" "$k"
  done; } >"$T/st.fe"
mkpair st sha1
git -C "$T/st.g" fast-import --quiet <"$T/st.fe"
pmvcs -C "$T/st.p" fast-import --quiet --stats <"$T/st.fe" 2>"$T/st.err"
refs_equal st
gc() { git -C "$T/st.g" cat-file --batch-all-objects --batch-check='%(objecttype)' | grep -c "^$1\$" || true; }
for ty in blob tree commit; do
	got=$(sed -nE "s/^ +${ty}s +: +([0-9]+).*/\\1/p" "$T/st.err")
	expect_eq "--stats ${ty}s" "$(gc $ty)" "$got"
done
expect_eq "--stats bytes read" "$(wc -c <"$T/st.fe")" "$(sed -nE 's/^Bytes read +: +([0-9]+)/\1/p' "$T/st.err")"
cat "$T/st.fe" | pmvcs -C "$T/st.p" fast-import --quiet --stats 2>"$T/st2.err" >/dev/null
expect_eq "--stats bytes read (pipe)" "$(wc -c <"$T/st.fe")" "$(sed -nE 's/^Bytes read +: +([0-9]+)/\1/p' "$T/st2.err")"
