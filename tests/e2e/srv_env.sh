#!/bin/bash
# srv_env.sh -- a served command gets only the environment commands read
# (docs/server.md, "Security"): GIT_*, PMVCS_*, locale, terminal, pager
# and editor variables reach the server, SECRET=1 does not; and a
# legitimate server still serves with such an environment.
source "$(dirname "$0")/srv_lib.sh"
srv_need_py

# what a client sends, seen by a raw listener in a repository-like dir
F=$T/f
mkdir -p "$F/.pmvcs"; touch "$F/.pmvcs/pool.set"
S=$F/.pmvcs/server.sock
for bin in "$PMVCS" "$PMVCS_CORE"; do
	mkfifo "$T/ready"
	"$SRV_PY" "$T/srv.py" listen "$S" "$T/log" "$(printf 'rc 0\n')" >"$T/ready" & lpid=$!
	SRV_PIDS+=("$lpid")
	read -r _ <"$T/ready"; rm "$T/ready"
	SECRET=1 AWS_SECRET_ACCESS_KEY=k LC_TIME=C TZ=UTC PAGER=less \
		"$bin" -C "$F" log --oneline </dev/null || fail "$bin: fake server's rc 0"
	"$SRV_PY" "$T/srv.py" send "$S" END >/dev/null
	wait $lpid
	expect_eq "$bin: one request" "$(printf 'conn 1\nend')" "$(sed 's/ [0-9]*$/ 1/' "$T/log")"
	env=$(tail -c +9 "$T/log.req" | tr '\0' '\n')
	for v in "GIT_AUTHOR_NAME=A U Thor" "LC_TIME=C" "TZ=UTC" "PAGER=less" "LC_ALL=C"; do
		grep -qxF "$v" <<<"$env" || fail "$bin: $v not sent"
	done
	grep -q '^SECRET=\|^AWS_SECRET' <<<"$env" && fail "$bin: a variable outside the allow-list reached the server"
	expect_eq "$bin: one client offset" 1 "$(grep -c '^PMVCS_CLIENT_TZOFF=' <<<"$env")"
	rm -f "$T/log" "$T/log.req"
done

# a real server serves a client with such an environment
A=$T/a
srv_history "$A"
want=$("$PMVCS" -C "$A" --no-server log --format='%H %an %s')
srv_start "$A"
expect_eq "served log" "$want" "$(SECRET=1 "$PMVCS" -C "$A" log --format='%H %an %s')"
echo new >"$A/new"
SECRET=1 GIT_AUTHOR_NAME="Served Author" "$PMVCS" -C "$A" commit -q -m served
expect_eq "served commit got GIT_AUTHOR_NAME" "Served Author served" \
	"$("$PMVCS" -C "$A" log -1 --format='%an %s')"
echo ok
