# kill_commit.sh -- a loop of `pmvcs commit` killed with -9, again and
# again on the same repository: fsck stays clean and HEAD is the last
# acknowledged commit or the one in flight, never older. Each kill comes
# after the loop has acknowledged a commit (so every round commits, however
# busy the machine) and a seeded random delay of up to 250 ms more, which
# only varies where in the next commit the kill lands.
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
	before=$(wc -l <"$T/acked")
	deadline=$((SECONDS + 300))   # hang protection only
	while [ "$(wc -l <"$T/acked")" -le "$before" ]; do
		kill -0 "$pid" 2>/dev/null || fail "kill $i: the commit loop died: $(tail -3 "$T/acked")"
		[ "$SECONDS" -lt "$deadline" ] || fail "kill $i: no commit in 300 s"
		sleep 0.01
	done
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
[ "$acked" -ge $((i - 1)) ] || fail "only $acked commits in $((i - 1)) rounds"
echo "kill_commit: ok"
