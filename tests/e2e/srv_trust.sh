#!/bin/bash
# srv_trust.sh -- the client trusts a server socket only as git trusts a
# repository (its "dubious ownership" check): before sending anything,
# the socket, the .pmvcs holding it and its pool.set must be the caller's
# and the listener must run as the caller (SO_PEERCRED). Each case below,
# with another user (uid 65534) listening in a world-writable directory,
# must end in exit 128 with its message, and the listener must receive
# nothing (not a byte, no descriptor, no environment). A real server of
# another user is refused the same way.
source "$(dirname "$0")/srv_lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root and setpriv (listeners run as uid 65534)" >&2
	exit 77
fi
srv_need_py
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
nobody() { "${NOBODY[@]}" "$@"; }
# the checkout may be under a 0700 home: uid 65534 runs copies
# (as_other_uid, lib.sh), which also opens $T to it
as65534() { HOME=$X as_other_uid "$@"; }
X=$T/x
mkdir "$X"; chmod 0777 "$X"
S=$X/.pmvcs/server.sock
R=$X/r
trap 'as65534 -C "$R" server stop >/dev/null 2>&1 || true; srv_cleanup' EXIT
as65534 --version >/dev/null

# listen [AS...] -- a raw listener on $S (run through AS, which execs);
# listen_end -- stop it and print its log: one "conn <bytes>" line per
# connection it accepted, then "end"
listen() {
	mkfifo "$T/ready"
	"$@" "$SRV_PY" "$T/srv.py" listen "$S" "$X/log" >"$T/ready" & LPID=$!
	SRV_PIDS+=("$LPID")
	read -r _ <"$T/ready"
	rm "$T/ready"
}
listen_end() {
	"$SRV_PY" "$T/srv.py" send "$S" END >/dev/null
	wait "$LPID"
	cat "$X/log"
	rm -f "$X/log" "$X/log.req"
}
# refused WHY -- commands from $X are refused with WHY, exit 128, by the
# front end and by the core
refused() {
	local bin out rc
	for bin in "$PMVCS" "$PMVCS_CORE"; do
		set +e
		out=$(cd "$X" && SECRET=1 "$bin" commit -q -m x 2>&1 </dev/null)
		rc=$?
		set -e
		[ $rc -eq 128 ] || fail "$bin commit by $S ($1): exit $rc: $out"
		expect_eq "$bin: refusal" "pmvcs: refusing the server socket at $S: $1" "$out"
	done
	set +e; out=$("$PMVCS" -C "$X" log 2>&1); rc=$?; set -e
	[ $rc -eq 128 ] || fail "log by $S ($1): exit $rc"
}

# 1. another user's repository-looking .pmvcs, socket mode 0777
nobody mkdir -m 0777 "$X/.pmvcs"
nobody touch "$X/.pmvcs/pool.set"
listen "${NOBODY[@]}"
refused "owned by uid 65534"
# 2. the socket handed to us (chown), in the other user's directory
chown 0:0 "$S"
refused "its directory is owned by uid 65534"
expect_eq "listener got nothing (1, 2)" "end" "$(listen_end)"
rm -rf "$X/.pmvcs"

# 3. our .pmvcs and pool.set, but world-writable: the other user's
# listener took the socket's place; its file made ours. SO_PEERCRED
# refuses right after connect: the listener sees a connection, 0 bytes.
mkdir -m 0777 "$X/.pmvcs"; chmod 0777 "$X/.pmvcs"; touch "$X/.pmvcs/pool.set"
listen "${NOBODY[@]}"
chown 0:0 "$S"
refused "the server runs as uid 65534"
expect_eq "listener got nothing (3)" "$(printf 'conn 0\nconn 0\nconn 0\nend')" "$(listen_end)"

# 4. everything ours but no pool: not a repository's server
rm "$X/.pmvcs/pool.set"
listen
refused "no pool beside it (pool.set)"
expect_eq "listener got nothing (4)" "end" "$(listen_end)"
rm -rf "$X/.pmvcs"

# 5. a real server of another user
as65534 init -q "$R"
echo hi >"$R/f"
as65534 -C "$R" --no-server commit -q -m one
as65534 -C "$R" server start
set +e; out=$("$PMVCS" -C "$R" log 2>&1); rc=$?; set -e
[ $rc -eq 128 ] || fail "another user's server: exit $rc: $out"
expect_eq "another user's server" "pmvcs: refusing the server socket at $R/.pmvcs/server.sock: owned by uid 65534" "$out"
# its owner is served
as65534 -C "$R" log --format=%s >"$T/own" || fail "owner not served"
expect_eq "owner served" "one" "$(cat "$T/own")"
as65534 -C "$R" server stop
echo ok
