# fe_roundtrip.sh -- the large stream in sha256 (fi_roundtrip.sh covers
# it in sha1 only): pmvcs fast-export --all of its import re-imports into
# git with git's own refs, also with --use-done-feature and through
# --export-marks / --import-marks in two steps.
# streams: gen shared
. "$(dirname "$0")/fi_lib.sh"
use_streams large

n=z256
mkpair $n sha256
import_both $n "$T/large.fe"
refs_equal $n
want=$(git -C "$T/$n.g" show-ref)

# --all, ending in "done"
pmvcs -C "$T/$n.p" fast-export --all --signed-tags=strip --use-done-feature \
	>"$T/all.fe" || fail "export"
[ "$(head -n1 "$T/all.fe")" == "feature done" ] || fail "no 'feature done' first"
[ "$(tail -n1 "$T/all.fe")" == done ] || fail "no final 'done'"
git init -q -b "$MAIN" --object-format=sha256 "$T/g2"
git -C "$T/g2" fast-import --quiet <"$T/all.fe" || fail "git import of the export"
expect_eq "sha256 round trip" "$want" "$(git -C "$T/g2" show-ref)"
git -C "$T/g2" fsck --strict --no-progress 2>&1 | grep -v '^dangling' | grep . &&
	fail "fsck of the sha256 round trip"

# two steps: MAIN~20 with marks, then the rest on top of them
base=$(git -C "$T/$n.g" rev-parse "$MAIN~20")
printf 'reset refs/heads/base\nfrom %s\n\n' "$base" |
	pmvcs -C "$T/$n.p" fast-import --quiet || fail "make base branch"
pmvcs -C "$T/$n.p" fast-export --export-marks="$T/m1" refs/heads/base >"$T/a.fe" ||
	fail "export base"
grep -q "^:[0-9]* [0-9a-f]\{64\}$" "$T/m1" || fail "marks file without sha256 ids"
pmvcs -C "$T/$n.p" fast-export --import-marks="$T/m1" refs/heads/base.."refs/heads/$MAIN" \
	>"$T/b.fe" || fail "export range"
git init -q --object-format=sha256 "$T/g3"
git -C "$T/g3" fast-import --quiet --export-marks="$T/gm" <"$T/a.fe" || fail "import base"
git -C "$T/g3" fast-import --quiet --import-marks="$T/gm" <"$T/b.fe" ||
	fail "incremental import of the range"
expect_eq "sha256 range round trip" "$(git -C "$T/$n.g" rev-parse "$MAIN")" \
	"$(git -C "$T/g3" rev-parse "$MAIN")"
echo ok
