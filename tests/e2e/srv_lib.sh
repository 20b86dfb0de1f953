# srv_lib.sh -- sourced by the srv_*.sh tests (not a test itself): lib.sh
# plus server helpers. Every server started here is stopped on exit.
source "$(dirname "$0")/lib.sh"
SRV_DIRS=()
srv_cleanup() {
	local d
	for d in "${SRV_DIRS[@]}"; do
		"$PMVCS" -C "$d" server stop >/dev/null 2>&1 || true
	done
	rm -rf "$T"
}
trap srv_cleanup EXIT
# srv_start DIR [OPTS...] -- start DIR's server (daemon), check it answers
srv_start() {
	local d=$1; shift
	"$PMVCS" -C "$d" server start "$@" || fail "server start in $d"
	SRV_DIRS+=("$d")
	"$PMVCS" -C "$d" server status | grep -q '^pid ' || fail "no status in $d"
}
# srv_holds DIR -- the pool is held (an in-process open gives up at once)
srv_holds() {
	set +e
	PMVCS_LOCK_TIMEOUT=0 "$PMVCS" -C "$1" --no-server rev-parse HEAD >/dev/null 2>&1
	local rc=$?; set -e
	[ $rc -eq 128 ] || fail "pool of $1 is not held by a server (rc $rc)"
}
# srv_history DIR -- three commits, a branch and two tags
srv_history() {
	local d=$1
	"$PMVCS" init -q "$d"
	mkdir -p "$d/src/lib"
	printf 'int main()\n{\n\treturn 0;\n}\n' > "$d/main.c"; echo hello > "$d/README"
	printf 'a\nb\nc\n' > "$d/src/lib/x.txt"; printf 'bin\0ary' > "$d/blob.bin"
	"$PMVCS" -C "$d" --no-server commit -q -m "commit 1"
	echo more >> "$d/README"; ln -s README "$d/link"; chmod +x "$d/main.c"
	"$PMVCS" -C "$d" --no-server commit -q -m "commit 2"
	rm "$d/README"; printf 'x\ny\n' > "$d/src/y.txt"
	"$PMVCS" -C "$d" --no-server commit -q -m "commit 3"
	"$PMVCS" -C "$d" --no-server tag -a -m "release one" v1 HEAD~1
	"$PMVCS" -C "$d" --no-server tag light HEAD~2
	"$PMVCS" -C "$d" --no-server branch side HEAD~1
}
