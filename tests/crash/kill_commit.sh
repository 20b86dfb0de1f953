# kill_commit.sh -- a loop of `pmvcs commit` killed with -9 at seeded random
# times, again and again on the same repository: fsck stays clean and HEAD
# is the last acknowledged commit or the one in flight, never older.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 30 base
: >"$T/acked"
RANDOM=777
next=1
for ((i = 1; i <= $(pick 24 300); i++)); do
	d=$(rand_delay 250)
	setsid bash -c '
		cd "$1" || exit 1
		for ((n = $3; ; n++)); do
			echo "$n" >counter.txt
			echo "change $n" >"dir$((n % 4))/f$((n % 30)).txt"
			"$2" commit -q -m "commit $n" || exit 1
			echo "$n" >>"$4"
		done' _ "$r" "$PMVCS" "$next" "$T/acked" &
	pid=$!
	sleep "$d"
	kill_group "$pid"
	fsck_ok "$r" "kill $i at ${d}s"
	acked=$(tail -n1 "$T/acked")
	acked=${acked:-0}
	if head=$(cd "$r" && pmvcs cat-file -p HEAD 2>/dev/null); then
		msg=$(sed -n '/^$/{n;p;q}' <<<"$head")
		n=${msg#commit }
	else
		n=0
	fi
	[ "$n" -eq "$acked" ] || [ "$n" -eq $((acked + 1)) ] ||
		fail "kill $i at ${d}s: HEAD is commit $n, last acknowledged $acked"
	next=$((n + 1))
	# commit n is durable now, even if its loop died before saying so
	echo "$n" >>"$T/acked"
	echo "kill $i at ${d}s: HEAD is commit $n (acknowledged $acked)"
done
[ "$acked" -gt 0 ] || fail "no commit ever completed: the kills came too early"
echo "kill_commit: ok"
