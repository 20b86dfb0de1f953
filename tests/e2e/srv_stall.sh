#!/bin/bash
# srv_stall.sh -- a client that connects, sends part of a request and
# waits cannot hold the server (docs/server.md, "Security"): `server stop`
# returns, the idle timeout fires, and at most 64 connections are served
# at once (the rest wait in the listen backlog). The stalled clients are
# told why. Deadlines here only protect against a hang.
source "$(dirname "$0")/srv_lib.sh"
srv_need_py
A=$T/a
srv_history "$A"
S=$A/.pmvcs/server.sock
HOLD=120   # seconds: hang protection only

# stall N -- N stalled connections (4 bytes; every other one a header and
# half of its payload) held until unstall; their answers in $T/answers
stall() {
	mkfifo "$T/hold" "$T/ready"
	"$SRV_PY" "$T/srv.py" stall "$S" "$1" 64 "$T/answers" <"$T/hold" >"$T/ready" & SPID=$!
	SRV_PIDS+=("$SPID")
	exec 7>"$T/hold"
	read -r _ <"$T/ready"
	rm "$T/hold" "$T/ready"
}
unstall() { exec 7>&-; wait "$SPID"; }
srv_pid() { "$PMVCS" -C "$A" server status | sed -n 's/^pid //p'; }

# 1. stop returns past two stalled clients, which are told why
srv_start "$A" --idle-timeout=0
stall 2
set +e; timeout $HOLD "$PMVCS" -C "$A" server stop; rc=$?; set -e
[ $rc -eq 0 ] || fail "server stop past stalled clients: exit $rc"
[ ! -e "$S" ] || fail "socket left after stop"
unstall
expect_eq "stalled clients' answers" "$(printf 'refused incomplete request (the server is stopping)\n%.0s' 1 2)" "$(cat "$T/answers")"
PMVCS_LOCK_TIMEOUT=0 "$PMVCS" -C "$A" --no-server rev-parse HEAD >/dev/null || fail "pool not released"

# 2. the idle timeout fires while a client stalls
srv_start "$A" --idle-timeout=1
pid=$(srv_pid)
stall 1
set +e; timeout $HOLD tail --pid="$pid" -f /dev/null; rc=$?; set -e
[ $rc -eq 0 ] || fail "idle timeout did not end the server beside a stalled client"
unstall

# 3. a stalled client meets the request deadline; the server goes on
PMVCS_SERVER_REQ_TIMEOUT_MS=100 srv_start "$A"
expect_eq "deadline" "refused incomplete request (deadline passed)" \
	"$("$SRV_PY" "$T/srv.py" stallwait "$S")"
"$PMVCS" -C "$A" rev-parse HEAD >/dev/null || fail "not served after the deadline"
"$PMVCS" -C "$A" server stop

# 4. 70 stalled clients (no deadline to speak of): 64 threads serve, 6
# wait in the backlog; SIGTERM still stops the server
PMVCS_SERVER_REQ_TIMEOUT_MS=3600000 srv_start "$A"
pid=$(srv_pid)
# connection threads are named pmvcs-conn (a sanitizer adds its own)
threads() { cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^pmvcs-conn$' || true; }
backlog() { ss -xlH src "$S" | awk '{print $3}'; }
stall 70
for ((i = 0; i < HOLD * 20; i++)); do   # until the server took what it takes
	[ "$(threads)" -ge 64 ] && [ "$(backlog)" = 6 ] && break
	sleep 0.05
done
expect_eq "connection threads at the cap" 64 "$(threads)"
expect_eq "connections waiting in the backlog" 6 "$(backlog)"
kill -TERM "$pid"
set +e; timeout $HOLD tail --pid="$pid" -f /dev/null; rc=$?; set -e
[ $rc -eq 0 ] || fail "SIGTERM did not stop the server past 70 stalled clients"
unstall
[ ! -e "$S" ] || fail "socket left after SIGTERM"
echo ok
