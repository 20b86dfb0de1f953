#!/bin/bash
# srv_life.sh -- the server's life: a second server refuses to start;
# several clients at once (8 log and cat-file --batch-check readers while
# commits run) all get right answers; a reader whose stdout closes early
# dies of SIGPIPE as in-process; stop releases the pool; a server killed
# with -9 leaves a stale socket that clients ignore; another uid is
# refused (exit 128, clear message); the idle timeout ends the server.
source "$(dirname "$0")/srv_lib.sh"

A=$T/a
srv_history "$A"
want_log=$("$PMVCS" -C "$A" --no-server log --oneline side)
want_batch=$("$PMVCS" -C "$A" --no-server cat-file --batch-check --batch-all-objects)
srv_start "$A" --idle-timeout=60
set +e; msg=$("$PMVCS" -C "$A" server start 2>&1); rc=$?; set -e
[ $rc -eq 128 ] && grep -q 'already running' <<<"$msg" || fail "second start: $rc $msg"
# --no-server while the server holds the pool: said at once (no waiting
# out a long lock timeout; the deadline only protects against a hang)
pid=$("$PMVCS" -C "$A" server status | sed -n 's/^pid //p')
set +e
msg=$(PMVCS_LOCK_TIMEOUT=3600000 timeout 120 "$PMVCS" -C "$A" --no-server log 2>&1); rc=$?
set -e
[ $rc -eq 128 ] || fail "--no-server beside the server: exit $rc: $msg"
expect_eq "--no-server beside the server" "pmvcs: the pool is held by this repository's server (pid $pid); run 'pmvcs server stop' to run commands without it" "$msg"

# 8 readers x 5 rounds beside 5 commits
(for i in 1 2 3 4 5; do echo "$i" > "$A/w$i"; "$PMVCS" -C "$A" commit -q -m "w$i" || exit 1; done) & wpid=$!
pids=()
for r in 1 2 3 4 5 6 7 8; do
	(for k in 1 2 3 4 5; do
		[ "$("$PMVCS" -C "$A" log --oneline side)" == "$want_log" ] || exit 1
		# objects only grow: every object seen before is still listed
		got=$("$PMVCS" -C "$A" cat-file --batch-check --batch-all-objects)
		[ -z "$(comm -23 <(echo "$want_batch") <(echo "$got"))" ] || exit 2
	done) & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a parallel reader got a wrong answer"; done
wait $wpid || fail "commits beside readers failed"
expect_eq "5 commits landed" "8" "$("$PMVCS" -C "$A" log --oneline | wc -l | tr -d ' ')"

# stdout closed early: the client dies of SIGPIPE (141), like in-process
set +e
"$PMVCS" -C "$A" cat-file --batch-all-objects --batch | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}; set -e
[ "$rc" -eq 141 ] || [ "$rc" -eq 0 ] || fail "SIGPIPE through the server: rc $rc"

# a client killed mid-command does not hurt the server: it is killed once
# it has answered one request and waits for the next
coproc CLIENT { "$PMVCS" -C "$A" cat-file --batch-check; }
cpid=$CLIENT_PID   # (bash unsets CLIENT_PID when it reaps the process)
echo HEAD >&"${CLIENT[1]}"
IFS= read -r -t 300 -u "${CLIENT[0]}" ans || fail "no answer from a client through the server"
kill -9 "$cpid"
wait "$cpid" 2>/dev/null || true
"$PMVCS" -C "$A" rev-parse HEAD >/dev/null || fail "server after a killed client"

# another uid: its client refuses a socket it does not own (exit 128,
# clear message); a raw peer that connects anyway (socket opened up) is
# refused by the server's SO_PEERCRED check
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 "$T" "$A"; chmod 755 "$A/.pmvcs"
	set +e; msg=$(as_other_uid -C "$A" rev-parse HEAD 2>&1); rc=$?; set -e
	[ $rc -eq 128 ] || fail "other uid: exit $rc"
	expect_eq "other uid message" "pmvcs: refusing the server socket at $A/.pmvcs/server.sock: owned by uid 0" "$msg"
	if [ -n "$SRV_PY" ]; then
		chmod 666 "$A/.pmvcs/server.sock"
		msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SRV_PY" "$T/srv.py" send "$A/.pmvcs/server.sock" x)
		expect_eq "peercred" "refused uid 65534 is not the server's owner (uid 0)" "$msg"
		chmod 600 "$A/.pmvcs/server.sock"
	fi
	chmod 700 "$T"
fi

# stop releases the pool at once
"$PMVCS" -C "$A" server stop
[ ! -e "$A/.pmvcs/server.sock" ] || fail "socket left after stop"
expect_rc 1 "$PMVCS" -C "$A" server status
PMVCS_LOCK_TIMEOUT=0 "$PMVCS" -C "$A" --no-server rev-parse HEAD >/dev/null || fail "pool not released by stop"

# killed -9: the stale socket is replaced by the next command's server,
# silently (the next command recovers the pool)
srv_start "$A"
pid=$("$PMVCS" -C "$A" server status | sed -n 's/^pid //p')
kill -9 "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
[ -S "$A/.pmvcs/server.sock" ] || fail "expected a stale socket"
out=$("$PMVCS" -C "$A" rev-parse HEAD 2>&1) || fail "stale socket: $out"
pid2=$("$PMVCS" -C "$A" server status | sed -n 's/^pid //p')
[ -n "$pid2" ] && [ "$pid2" != "$pid" ] || fail "no new server after kill -9 ($pid -> $pid2)"
"$PMVCS" -C "$A" server stop
expect_eq "stale socket: silent restart" "$("$PMVCS" -C "$A" --no-server rev-parse HEAD)" "$out"
srv_start "$A"

# SIGTERM: clean exit, socket removed, pool released
pid=$("$PMVCS" -C "$A" server status | sed -n 's/^pid //p')
kill -TERM "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
[ ! -e "$A/.pmvcs/server.sock" ] || fail "socket left after SIGTERM"
PMVCS_LOCK_TIMEOUT=0 "$PMVCS" -C "$A" --no-server fsck >/dev/null || fail "fsck after SIGTERM"

# idle timeout
srv_start "$A" --idle-timeout=1
pid=$("$PMVCS" -C "$A" server status | sed -n 's/^pid //p')
deadline=$((SECONDS + 300))   # hang protection only: a busy machine may be slow
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "idle timeout did not end the server"
[ ! -e "$A/.pmvcs/server.sock" ] || fail "socket left after idle exit"
# -h: the usage on stdout, exit 129 (git's parse-options)
expect_rc 129 bash -c "'$PMVCS' server -h > '$T/h.out'"
grep -q 'pmvcs server start' "$T/h.out" || fail "server -h"
echo ok
