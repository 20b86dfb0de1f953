#!/bin/bash
# srv_auto.sh -- the server by default (docs/server.md, "Lifecycle"): the
# first command in a repository starts the server and is served by it;
# the off switches (PMVCS_NO_SERVER=1, --no-server, core.server=off from
# -c, the repository's or the global configuration) start none; `config`
# and commands outside a repository start none; the idle timeout comes
# from PMVCS_SERVER_IDLE or core.serverIdleTimeout (default 300); ten
# clients at once in a fresh repository end with one server that served
# all ten; commands racing repeated stops never fail.
source "$(dirname "$0")/srv_lib.sh"
unset PMVCS_NO_SERVER   # this test is about the default path

# field DIR NAME: a line of `server status` (empty when none runs)
field() { "$PMVCS" -C "$1" server status 2>/dev/null | sed -n "s/^$2 //p"; }
# no_server DIR WHAT: no server runs for DIR
no_server() {
	[ ! -e "$1/.pmvcs/server.sock" ] || fail "$2: a server was started"
	expect_rc 1 "$PMVCS" -C "$1" server status >/dev/null
}

# the first command starts it and is served by it
A=$T/a
"$PMVCS" init -q "$A"
no_server "$A" "init"
echo one >"$A/f"
(cd "$A" && "$PMVCS" commit -q -m one) || fail "first commit"
pid=$(field "$A" pid)
[ -n "$pid" ] || fail "the first command started no server"
expect_eq "the first command was served" "1" "$(field "$A" served)"
expect_eq "default idle timeout" "300" "$(field "$A" idle-timeout)"
srv_holds "$A"
expect_eq "later commands: same server" "one" "$("$PMVCS" -C "$A" log --format=%s)"
expect_eq "and served" "$pid 2" "$(field "$A" pid) $(field "$A" served)"
# the daemon keeps none of its first client's descriptors: a reader of
# that client's output ends when the client does (not when the server
# exits, 300 s later)
"$PMVCS" -C "$A" server stop
out=$("$PMVCS" -C "$A" rev-parse --short HEAD | cat) || fail "pipe held"
[ -n "$(field "$A" pid)" ] || fail "no server after the restart"
"$PMVCS" -C "$A" server stop

# the idle timeout: environment, then configuration
PMVCS_SERVER_IDLE=7 "$PMVCS" -C "$A" rev-parse HEAD >/dev/null
expect_eq "PMVCS_SERVER_IDLE" "7" "$(field "$A" idle-timeout)"
"$PMVCS" -C "$A" server stop
"$PMVCS" -C "$A" config core.serverIdleTimeout 42
"$PMVCS" -C "$A" rev-parse HEAD >/dev/null
expect_eq "core.serverIdleTimeout" "42" "$(field "$A" idle-timeout)"
"$PMVCS" -C "$A" server stop
"$PMVCS" -C "$A" server start >/dev/null
expect_eq "server start: core.serverIdleTimeout" "42" "$(field "$A" idle-timeout)"
"$PMVCS" -C "$A" server stop
"$PMVCS" -C "$A" config --unset core.serverIdleTimeout

# the off switches: each runs in-process and starts nothing
want=$("$PMVCS" -C "$A" --no-server log --oneline)
no_server "$A" "--no-server"
expect_eq "PMVCS_NO_SERVER=1" "$want" "$(PMVCS_NO_SERVER=1 "$PMVCS" -C "$A" log --oneline)"
no_server "$A" "PMVCS_NO_SERVER=1"
expect_eq "-c core.server=off" "$want" "$("$PMVCS" -C "$A" -c core.server=off log --oneline)"
no_server "$A" "-c core.server=off"
"$PMVCS" -C "$A" config core.server off
no_server "$A" "config"
expect_eq "core.server=off" "$want" "$("$PMVCS" -C "$A" log --oneline)"
no_server "$A" "core.server=off"
"$PMVCS" -C "$A" config core.server false
"$PMVCS" -C "$A" status >/dev/null
no_server "$A" "core.server=false"
"$PMVCS" -C "$A" config --unset core.server
printf '[core]\n\tserver = off\n' >"$T/global"
GIT_CONFIG_GLOBAL=$T/global "$PMVCS" -C "$A" log >/dev/null
no_server "$A" "global core.server=off"
"$PMVCS" -C "$A" -c core.server=auto log >/dev/null
[ -n "$(field "$A" pid)" ] || fail "core.server=auto started no server"
"$PMVCS" -C "$A" server stop

# outside a repository: the in-process error, no socket anywhere
mkdir "$T/plain"
set +e
(cd "$T/plain" && "$PMVCS" log >"$T/o1" 2>"$T/e1"); r1=$?
(cd "$T/plain" && "$PMVCS" --no-server log >"$T/o2" 2>"$T/e2"); r2=$?
set -e
expect_eq "outside a repository" "$r2 $(cat "$T/o2" "$T/e2")" "$r1 $(cat "$T/o1" "$T/e1")"
[ -z "$(find "$T/plain" -name server.sock)" ] || fail "a socket outside a repository"

# ten clients at once in a fresh repository: one server serves all ten
# (racing starters wait on .pmvcs/server.lock and find the winner live)
B=$T/b
"$PMVCS" init -q "$B"
echo b >"$B/f"
"$PMVCS" -C "$B" --no-server commit -q -m base
head=$("$PMVCS" -C "$B" --no-server rev-parse HEAD)
mkfifo "$T/go"
exec 3<>"$T/go"   # held open: the clients' opens do not block
pids=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	(read -r _ <"$T/go"; exec "$PMVCS" -C "$B" rev-parse HEAD >"$T/race.$i" 2>&1) & pids+=($!)
done
printf 'go\n%.0s' 0 1 2 3 4 5 6 7 8 9 >&3   # one line each: all start now
for i in 0 1 2 3 4 5 6 7 8 9; do
	wait "${pids[$i]}" || fail "racing client $i: $(cat "$T/race.$i")"
	expect_eq "racing client $i" "$head" "$(cat "$T/race.$i")"
done
exec 3>&-
expect_eq "one server served all ten" "10" "$(field "$B" served)"

# commands racing repeated stops (an idle exit is the same close of the
# listener): none fails; each is served, starts a new server or runs
# in-process once the stopping one has let the pool go
(for i in $(seq 30); do "$PMVCS" -C "$B" server stop >/dev/null 2>&1 || true; done) & spid=$!
for i in $(seq 60); do
	out=$("$PMVCS" -C "$B" rev-parse HEAD 2>&1) || fail "command $i beside stops: $out"
	expect_eq "command $i beside stops" "$head" "$out"
done
wait "$spid"
fsck_ok "$B" "commands beside stops"
echo ok
