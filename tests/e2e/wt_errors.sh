#!/bin/bash
# wt_errors.sh -- bad input gets a clear error and changes nothing:
# commit outside a repository, re-init, an unreadable file (chmod 000,
# run as an unprivileged user when we are root), files vanishing during
# the scan (a racing writer: every outcome must be success or a clean
# 128 naming the path with HEAD unchanged), FIFOs and sockets skipped as
# git skips them, and a pool held by another pmvcs process.
source "$(dirname "$0")/lib.sh"

# outside a repository
mkdir "$T/norepo"
expect_rc 128 bash -c "cd '$T/norepo' && '$PMVCS' commit -m x 2> '$T/err'"
grep -q "not a pmvcs repository.*$T/norepo" "$T/err" || fail "outside msg: $(cat "$T/err")"
expect_rc 128 bash -c "cd '$T/norepo' && '$PMVCS' status 2>/dev/null"

# init: message, re-init refused
p="$T/p"
expect_eq "init msg" "Initialized empty pmvcs repository in $p/.pmvcs/" "$(pmvcs init "$p")"
expect_rc 128 bash -c "'$PMVCS' init '$p' 2> '$T/err'"
grep -q "already exists" "$T/err" || fail "re-init msg"
expect_rc 129 bash -c "'$PMVCS' init --object-format=md5 '$T/x' 2>/dev/null"
expect_rc 129 bash -c "cd '$p' && '$PMVCS' commit 2>/dev/null"   # no -m
expect_rc 1 bash -c "cd '$p' && '$PMVCS' commit -m '   ' 2>/dev/null"  # empty message

# FIFOs and sockets are skipped (git skips them too)
echo a > "$p/a"; mkfifo "$p/fifo"
python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$p/sock"
(cd "$p" && pmvcs commit -q -m one)
g="$T/g"; git init -q "$g"; echo a > "$g/a"; mkfifo "$g/fifo"
(cd "$g" && git add -A && git commit -qm one)
expect_eq "fifo skipped" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD | head -1)"
rm "$p/fifo" "$p/sock"
head=$(cd "$p" && pmvcs rev-parse HEAD | head -1)

# an unreadable file: exit 128, message names it, nothing committed
echo secret > "$p/unreadable"; chmod 000 "$p/unreadable"
# (root reads anything: then the commit runs as another uid)
commit_two() {
	if [ "$(id -u)" = 0 ]; then (cd "$p" && PMVCS_NO_SERVER=1 as_other_uid commit -m two 2>"$T/err")
	else (cd "$p" && "$PMVCS" commit -m two 2>"$T/err"); fi
}
# (the repository's server, run as root, would be refused by the other
# uid's client: stop it; the other uid runs in-process)
"$PMVCS" -C "$p" server stop >/dev/null 2>&1 || true
[ "$(id -u)" != 0 ] || chown -R 65534:65534 "$p"
expect_rc 128 commit_two
grep -q "pmvcs: cannot open 'unreadable': Permission denied" "$T/err" || fail "unreadable msg: $(cat "$T/err")"
expect_eq "HEAD unchanged" "$head" "$(cd "$p" && pmvcs rev-parse HEAD | head -1)"
rm -f "$p/unreadable"

# files vanishing mid-scan: success or a clean error, never a half commit
mkdir -p "$p/churn"
for i in $(seq 1 300); do echo "$i" > "$p/churn/f$i"; done
( while :; do for i in $(seq 1 300); do rm -f "$p/churn/f$i"; echo "$i" > "$p/churn/f$i"; done; done ) &
churn=$!
for n in 1 2 3 4 5; do
	old=$(cd "$p" && pmvcs rev-parse HEAD | head -1)
	set +e; (cd "$p" && pmvcs commit -q -m "churn $n" 2> "$T/err"); rc=$?; set -e
	case $rc in
	0|1) ;;
	128) grep -q "pmvcs: cannot .* 'churn/f[0-9]*'" "$T/err" || { kill $churn; fail "vanish msg: $(cat "$T/err")"; }
	     [ "$(cd "$p" && pmvcs rev-parse HEAD | head -1)" = "$old" ] || { kill $churn; fail "HEAD moved"; } ;;
	*) kill $churn; fail "commit during churn exited $rc: $(cat "$T/err")";;
	esac
done
kill $churn; wait $churn 2>/dev/null || true

# a pool held by another process: bounded wait, then exit 128
seq 1 40000 > "$p/big"
(cd "$p" && pmvcs commit -q -m big)
seq 1 40000 | sed "s/$/x/" > "$p/big"
# the first diff blocks writing its output (nobody reads the pipe until
# $T/release exists) while it holds the pool open; poll until it does hold
# it (no fixed sleep: a loaded machine may take seconds to get there)
( cd "$p" && "$PMVCS" diff | { while [ ! -e "$T/release" ]; do sleep 0.05; done; cat > /dev/null; } ) &
holder=$!
deadline=$((SECONDS + 300))   # hang protection only
while :; do
	set +e; (cd "$p" && PMVCS_LOCK_TIMEOUT=0 "$PMVCS" --no-server rev-parse HEAD >/dev/null 2>&1); rc=$?; set -e
	[ "$rc" = 128 ] && break
	[ "$SECONDS" -lt "$deadline" ] || { touch "$T/release"; fail "the diff never held the pool (rev-parse exit $rc)"; }
	sleep 0.05
done
# --lock-timeout=200 wins over the environment's wait of ten hours: the
# holder waits for $T/release, so an ignored option would end only at the
# hang protection (timeout: exit 124), not with a clean 128
set +e; (cd "$p" && PMVCS_LOCK_TIMEOUT=36000000 timeout 300 "$PMVCS" --lock-timeout=200 status -s > /dev/null 2> "$T/err"); rc=$?; set -e
touch "$T/release"
wait $holder
[ "$rc" = 128 ] || fail "locked pool: exit $rc (124: --lock-timeout ignored): $(cat "$T/err")"
grep -q "another pmvcs process holds it" "$T/err" || fail "lock msg: $(cat "$T/err")"
expect_eq "after lock" " M big" "$(cd "$p" && pmvcs status -s)"
echo ok
