# kill_fast_import.sh -- `kill -9` of `pmvcs fast-import` in the middle of
# a history (../e2e/lib.sh use_streams small: generated, or the real sds
# one in the .shared variant). The importer reads from a pipe that is fed
# only the stream's first part (cut at a seeded random byte, or whole but
# never closed), so it cannot finish: every kill lands in an unfinished
# import, and the test counts them (exit status 137). Afterwards fsck is
# clean, every ref is absent or git's (from `git fast-import` of the same
# stream), and importing again completes with exactly git's refs. Then
# three kills in a row on one repository (each import reusing what the
# killed ones stored), one complete import: git's refs, fsck clean.
# streams: gen shared
source "$(dirname "$0")/lib.bash"

use_streams small
git init -q --bare "$T/git"
git -C "$T/git" fast-import --quiet <"$T/small.fe"
want=$(git -C "$T/git" show-ref)
new_repo "$T/base"
size=$(stat -c %s "$T/small.fe")
mkfifo "$T/in"

# import_part REPO BYTES: start an import in REPO, feed it the stream's
# first BYTES, kill it; $LANDED is 1 when the kill ended it (it cannot have
# ended otherwise: its input was never closed)
import_part() {
	local pid rc=0
	setsid bash -c 'cd "$1" && exec "$2" fast-import --quiet <"$3"' _ "$1" "$PMVCS" "$T/in" &
	pid=$!
	exec 4>"$T/in"   # opens when the importer has opened its end
	# head returns once the importer has read all but a pipe buffer of it
	head -c "$2" "$T/small.fe" >&4 || true
	kill -9 -- "-$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	exec 4>&-
	LANDED=0
	[ "$rc" -eq 137 ] && LANDED=1
	return 0
}

RANDOM=4242
landed=0 none=0 some=0
n=$(pick 24 300)
for ((i = 1; i <= n; i++)); do
	rm -rf "$T/k"
	cp -a "$T/base" "$T/k"
	# the last kill comes with the whole stream read, before its end
	cut=$size
	[ "$i" -eq "$n" ] || cut=$(((RANDOM * 32768 + RANDOM) % size + 1))
	import_part "$T/k" "$cut"
	[ "$LANDED" = 1 ] || fail "kill $i at byte $cut: the import was not running"
	landed=$((landed + 1))
	fsck_ok "$T/k" "kill $i at byte $cut"
	got=$(refs_of "$T/k")
	m=0
	while read -r id ref; do
		[ -n "$ref" ] || continue
		grep -qxF "$id $ref" <<<"$want" || fail "kill $i at byte $cut: $ref is $id, not git's"
		m=$((m + 1))
	done <<<"$got"
	if [ "$m" -eq 0 ]; then none=$((none + 1)); else some=$((some + 1)); fi
	(cd "$T/k" && pmvcs fast-import --quiet <"$T/small.fe") || fail "re-import after kill $i"
	expect_eq "refs after re-import (kill $i at byte $cut)" "$want" "$(refs_of "$T/k")"
	fsck_ok "$T/k" "re-import after kill $i"
done
echo "kills landed: $landed of $n; refs after the kill: none $none, some $some"
[ "$landed" -eq "$n" ] || fail "only $landed of $n kills landed"

echo "== three kills in a row on one repository"
rm -rf "$T/k"
cp -a "$T/base" "$T/k"
for cut in $((size / 4)) $((size / 2)) $((size * 3 / 4)); do
	import_part "$T/k" "$cut"
	[ "$LANDED" = 1 ] || fail "kill at byte $cut (in a row): the import was not running"
	fsck_ok "$T/k" "kill at byte $cut (in a row)"
done
(cd "$T/k" && pmvcs fast-import --quiet <"$T/small.fe") || fail "import after three kills"
expect_eq "refs after three kills and an import" "$want" "$(refs_of "$T/k")"
fsck_ok "$T/k" "import after three kills"
echo "kill_fast_import: ok"
