# fi_incremental.sh -- a stream split in two at a commit boundary, carried
# over by --export-marks / --import-marks, lands like git's; incremental
# forms: from <branch>^0, from <id>, M 040000 <tree id>, and a commit with
# no from on a branch that exists only in the pool (git: a new root,
# refused as non-fast-forward).
# streams: gen shared
. "$(dirname "$0")/fi_lib.sh"
use_streams small

git init -q "$T/src"
git -C "$T/src" fast-import --quiet <"$T/small.fe"
cut=$(git -C "$T/src" rev-parse "$MAIN~25")
git -C "$T/src" branch cut "$cut"
command git -C "$T/src" fast-export --export-marks="$T/src.m" --signed-tags=strip refs/heads/cut >"$T/one.fe"
command git -C "$T/src" fast-export --import-marks="$T/src.m" --signed-tags=strip \
	--tag-of-filtered-object=drop "refs/heads/$MAIN" \
	$(command git -C "$T/src" for-each-ref --format='%(refname)' refs/tags) >"$T/two.fe"
grep -q '^from :' "$T/two.fe" || fail "second half does not use marks"

mkpair inc sha1
git -C "$T/inc.g" fast-import --quiet --export-marks="$T/g.m" <"$T/one.fe"
pmvcs -C "$T/inc.p" fast-import --quiet --export-marks="$T/p.m" <"$T/one.fe" || fail "one"
expect_eq "marks after part one" "$(cat "$T/g.m")" "$(cat "$T/p.m")"
git -C "$T/inc.g" fast-import --quiet --import-marks="$T/g.m" --export-marks="$T/g.m" <"$T/two.fe"
pmvcs -C "$T/inc.p" fast-import --quiet --import-marks="$T/p.m" --export-marks="$T/p.m" <"$T/two.fe" ||
	fail "two"
refs_equal inc
expect_eq "marks after part two" "$(cat "$T/g.m")" "$(cat "$T/p.m")"
# --import-marks-if-exists with no file is fine
pmvcs -C "$T/inc.p" fast-import --quiet --import-marks-if-exists="$T/none.m" </dev/null ||
	fail "import-marks-if-exists"

tip=$(git -C "$T/inc.g" rev-parse "$MAIN")
tree=$(git -C "$T/inc.g" rev-parse "$MAIN^{tree}")
{
	printf 'commit refs/heads/%s\ncommitter I <i@e> 1800000000 +0000\n' "$MAIN"; d 'continue with ^0'
	printf 'from refs/heads/%s^0\nM 100644 inline new.txt\n' "$MAIN"; d 'new file'
	echo
	printf 'commit refs/heads/byid\ncommitter I <i@e> 1800000001 +0000\n'; d 'from an id'
	printf 'from %s\nM 040000 %s copy-of-root\n\n' "$tip" "$tree"
} >"$T/three.fe"
import_both inc "$T/three.fe"
refs_equal inc
# commit without from on a branch that exists only in the pool: git makes a
# root commit and refuses the non-fast-forward (exit 1)
{ printf 'commit refs/heads/%s\ncommitter I <i@e> 1800000002 +0000\n' "$MAIN"; d 'no from'; echo; } >"$T/four.fe"
import_both inc "$T/four.fe"
grep -q "Not updating refs/heads/$MAIN" "$T/inc.perr" || fail "no-from on pool branch: $(cat "$T/inc.perr")"
refs_equal inc
echo ok
