# fi_roundtrip.sh -- pmvcs fast-export --all | git fast-import gives git's
# refs and passes git fsck --strict; git -> pmvcs -> git -> pmvcs keeps
# every id; ranges, marks and --no-data behave.
# streams: gen shared
. "$(dirname "$0")/fi_lib.sh"
use_streams small large

for st in small large; do
	fmts="sha1 sha256"; [ $st = large ] && fmts=sha1   # keep the suite fast
	for fmt in $fmts; do
		n=$st$fmt
		mkpair $n $fmt
		import_both $n "$T/$st.fe"
		refs_equal $n
		# pmvcs -> git
		git init -q -b "$MAIN" --object-format=$fmt "$T/$n.g2"
		pmvcs -C "$T/$n.p" fast-export --all --signed-tags=strip >"$T/$n.x" ||
			fail "export $n"
		git -C "$T/$n.g2" fast-import --quiet <"$T/$n.x" || fail "git import of export $n"
		expect_eq "round trip $n" "$(git -C "$T/$n.g" show-ref)" "$(git -C "$T/$n.g2" show-ref)"
		git -C "$T/$n.g2" fsck --strict --no-progress 2>&1 | grep -v '^dangling' |
			grep . && fail "fsck $n"
		# git -> pmvcs -> git -> pmvcs: ids equal at each step
		command git -C "$T/$n.g2" fast-export --all --signed-tags=strip --reencode=no >"$T/$n.y"
		pmvcs init --object-format=$fmt "$T/$n.p2" >/dev/null
		pmvcs -C "$T/$n.p2" fast-import --quiet <"$T/$n.y" || fail "pmvcs import $n"
		expect_eq "git->pmvcs $n" "$(git -C "$T/$n.g" show-ref)" "$(pmvcs -C "$T/$n.p2" show-ref)"
		rm -f "$T/$n.x" "$T/$n.y"
	done
done

# a range and marks: export MAIN~N..MAIN on top of an earlier export
mkpair rng sha1
import_both rng "$T/small.fe"
base=$(git -C "$T/rng.g" rev-parse "$MAIN~10")
printf 'reset refs/heads/base\nfrom %s\n\n' "$base" >"$T/base.fe"
pmvcs -C "$T/rng.p" fast-import --quiet <"$T/base.fe" || fail "make base branch"
pmvcs -C "$T/rng.p" fast-export --export-marks="$T/rng.m1" refs/heads/base >"$T/rng.a" ||
	fail "export base"
pmvcs -C "$T/rng.p" fast-export --import-marks="$T/rng.m1" refs/heads/base..refs/heads/$MAIN \
	>"$T/rng.b" || fail "export range"
grep -q '^from :' "$T/rng.b" || fail "range export does not continue from a mark"
git init -q "$T/rng.g3"
git -C "$T/rng.g3" fast-import --quiet --export-marks="$T/rng.gm" <"$T/rng.a"
git -C "$T/rng.g3" fast-import --quiet --import-marks="$T/rng.gm" <"$T/rng.b" ||
	fail "incremental import of the range"
expect_eq "range round trip" "$(git -C "$T/rng.g" rev-parse "$MAIN")" \
	"$(git -C "$T/rng.g3" rev-parse "$MAIN")"

# --no-data names blobs by id: importable where the blobs exist
pmvcs -C "$T/rng.p" fast-export --no-data "refs/heads/$MAIN" >"$T/nd.fe"
grep -q '^blob' "$T/nd.fe" && fail "--no-data wrote blobs"
pmvcs -C "$T/rng.p" fast-import --quiet --force <"$T/nd.fe" || fail "--no-data reimport"
echo ok
