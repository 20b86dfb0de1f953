#!/bin/bash
# srv_kill.sh -- a server killed with -9 at any moment loses nothing it
# acknowledged: a stream of commits on the default path (each command
# served, the first of each server starting it) while another process
# kills whichever server runs, again and again. Every commit that
# exited 0 must be in the history, the next command after each kill
# starts a new server that recovers the pool, and fsck is clean. Where
# the kills land varies from run to run; what is checked holds for any
# of them.
source "$(dirname "$0")/srv_lib.sh"
unset PMVCS_NO_SERVER   # this test is about the default path

A=$T/a
"$PMVCS" init -q "$A"
N=60
: >"$T/acked"
touch "$T/running"
# the killer: until the commits end, kill -9 the live server (if any)
(
	k=0
	while [ -e "$T/running" ]; do
		pid=$("$PMVCS" -C "$A" server status 2>/dev/null | sed -n 's/^pid //p') || true
		if [ -n "$pid" ]; then
			kill -9 "$pid" 2>/dev/null && k=$((k + 1))
		fi
		# vary the moment: 0-49 ms (not a synchronisation)
		sleep "0.0$((RANDOM % 5))$((RANDOM % 10))"
	done
	echo "$k" >"$T/kills"
) &
kpid=$!
for i in $(seq $N); do
	echo "$i" >"$A/f"
	if "$PMVCS" -C "$A" commit -q -m "c$i" 2>"$T/err.$i"; then
		echo "c$i" >>"$T/acked"
	else
		# not acknowledged: only the server dying under it may say so
		grep -q "ended before the command did" "$T/err.$i" ||
			fail "commit c$i failed otherwise: $(cat "$T/err.$i")"
	fi
done
rm "$T/running"
wait "$kpid"
echo "$(wc -l <"$T/acked") of $N commits acknowledged, $(cat "$T/kills") servers killed" >&2
[ -s "$T/acked" ] || fail "no commit was acknowledged"
# the next command recovers the pool (in a new server) and sees them all
"$PMVCS" -C "$A" log --format=%s >"$T/log" || fail "log after the kills"
while read -r m; do
	grep -qx "$m" "$T/log" || fail "acknowledged commit $m lost"
done <"$T/acked"
fsck_ok "$A" "the kills"
# and in-process, once the last server is gone
"$PMVCS" -C "$A" server stop >/dev/null 2>&1 || true
PMVCS_NO_SERVER=1 "$PMVCS" -C "$A" fsck >/dev/null || fail "in-process fsck"
expect_eq "same history in-process" "$(cat "$T/log")" \
	"$(PMVCS_NO_SERVER=1 "$PMVCS" -C "$A" log --format=%s)"
echo ok
