# kill_fast_import.sh -- `kill -9` of `pmvcs fast-import` of the sds stream
# at seeded random times: afterwards fsck is clean, every ref is absent or
# git's (from `git fast-import` of the same stream), and importing again
# completes with exactly git's refs.
source "$(dirname "$0")/lib.bash"

xz -dc "$PMDB_SHARED/streams/sds.fe.xz" >"$T/sds.fe"
git init -q --bare "$T/git"
git -C "$T/git" fast-import --quiet <"$T/sds.fe"
want=$(git -C "$T/git" show-ref)
new_repo "$T/base"

cp -a "$T/base" "$T/full"
t0=$(date +%s%N)
(cd "$T/full" && pmvcs fast-import --quiet <"$T/sds.fe") || fail "import"
ms=$((($(date +%s%N) - t0) / 1000000 + 5))
expect_eq "refs of a complete import" "$want" "$(refs_of "$T/full")"
echo "a complete import takes ${ms} ms; killing within 0..$((ms * 5 / 4)) ms"

RANDOM=4242
none=0 some=0 all=0
for ((i = 1; i <= $(pick 24 300); i++)); do
	rm -rf "$T/k"
	cp -a "$T/base" "$T/k"
	d=$(rand_delay $((ms * 5 / 4)))
	setsid bash -c 'cd "$1" && exec "$2" fast-import --quiet <"$3"' _ "$T/k" "$PMVCS" "$T/sds.fe" &
	pid=$!
	sleep "$d"
	kill_group "$pid"
	fsck_ok "$T/k" "kill $i at ${d}s"
	got=$(refs_of "$T/k")
	n=0
	while read -r id ref; do
		[ -n "$ref" ] || continue
		grep -qxF "$id $ref" <<<"$want" || fail "kill $i at ${d}s: $ref is $id, not git's"
		n=$((n + 1))
	done <<<"$got"
	if [ "$n" -eq 0 ]; then none=$((none + 1)); elif [ "$got" == "$want" ]; then all=$((all + 1)); else some=$((some + 1)); fi
	(cd "$T/k" && pmvcs fast-import --quiet <"$T/sds.fe") || fail "re-import after kill $i"
	expect_eq "refs after re-import (kill $i at ${d}s)" "$want" "$(refs_of "$T/k")"
	fsck_ok "$T/k" "re-import after kill $i"
done
echo "kills: $((i - 1)); refs after the kill: none $none, some $some, all $all"
echo "kill_fast_import: ok"
