# srv_lib.sh -- sourced by the srv_*.sh tests (not a test itself): lib.sh
# plus server helpers. Every server started here is stopped on exit.
source "$(dirname "$0")/lib.sh"
SRV_DIRS=()
SRV_PIDS=()   # raw socket peers (srv.py) to kill on exit
srv_cleanup() {
	local d p
	for p in "${SRV_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for d in "${SRV_DIRS[@]}"; do
		"$PMVCS" -C "$d" server stop >/dev/null 2>&1 || true
	done
	e2e_cleanup
}
trap srv_cleanup EXIT
# srv_start DIR [OPTS...] -- start DIR's server (daemon), check it answers
# and says what it started
srv_start() {
	local d=$1 out pid; shift
	unset PMVCS_NO_SERVER   # a started server is for served commands
	# (a command may have started one already: the server by default)
	"$PMVCS" -C "$d" server stop >/dev/null 2>&1 || true
	out=$("$PMVCS" -C "$d" server start "$@") || fail "server start in $d"
	SRV_DIRS+=("$d")
	pid=$("$PMVCS" -C "$d" server status | sed -n 's/^pid //p')
	[ -n "$pid" ] || fail "no status in $d"
	d=$(cd "$d" && pwd -P)
	expect_eq "server start says what it started" \
		"server started: pid $pid, socket $d/.pmvcs/server.sock" "$out"
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
# A python3 that every uid can run (PATH may hold a private one): the
# raw socket peers below, for the protocol and trust tests.
SRV_PY=$(PATH=/usr/local/bin:/usr/bin:/bin command -v python3 || true)
srv_need_py() {
	[ -n "$SRV_PY" ] || { echo "SKIP: no system python3 for the raw socket peers" >&2; exit 77; }
}
# $T/srv.py MODE ...:
#  listen SOCK LOG [REPLY]  bind SOCK (mode 0777), print "ready"; per
#                           connection read to EOF, log "conn <bytes>",
#                           send REPLY, keep the last payload in LOG.req;
#                           a connection sending END writes LOG, exits
#  send SOCK TEXT           send TEXT, print the answer
#  stall SOCK N HDRLEN OUT  N connections each sending a partial request
#                           (4 bytes, or a header announcing HDRLEN bytes
#                           and half of them), print "ready", hold them
#                           until stdin ends, write what came back to OUT
#  stallwait SOCK          send 4 bytes, print what comes back
#  ask SOCK NFDS F...       a request of fields F (NUL-terminated) with
#                           NFDS descriptors (/dev/null); F "@x" appends
#                           the raw byte x; print the answer
cat >"$T/srv.py" <<'PY'
import os, socket, struct, sys
mode, path = sys.argv[1], sys.argv[2]
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s
def push(s, data, fds=None):
    # a server that refused may close before all is sent: read its answer
    try:
        if fds is not None:
            socket.send_fds(s, [data[:8]], fds)
            data = data[8:]
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
def answer(s, shut=True):
    try:
        if shut:
            s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            b = b""   # it closed with our bytes unread: after its answer
        if not b:
            return out
        out += b
if mode == "listen":
    log, rep = sys.argv[3], (sys.argv[4].encode() if len(sys.argv) > 4 else b"")
    l = socket.socket(socket.AF_UNIX)
    l.bind(path)
    os.chmod(path, 0o777)
    l.listen(8)
    print("ready", flush=True)
    lines = []
    while True:
        c, _ = l.accept()
        data = b""
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
            if data.startswith(b"PMV1") and len(data) >= 8 and \
               len(data) >= 8 + struct.unpack("=I", data[4:8])[0]:
                break
        if data == b"END":
            c.close()
            break
        lines.append("conn %d" % len(data))
        if data:
            open(log + ".req", "wb").write(data)
        if rep:
            c.sendall(rep)
        c.close()
    lines.append("end")
    open(log, "w").write("\n".join(lines) + "\n")
    os.unlink(path)
elif mode == "send":
    s = conn()
    push(s, sys.argv[3].encode())
    sys.stdout.write(answer(s).decode(errors="replace"))
elif mode == "stall":
    n, hl = int(sys.argv[3]), int(sys.argv[4])
    socks = []
    for i in range(n):
        s = conn()
        if hl and i % 2:
            s.sendall(b"PMV1" + struct.pack("=I", hl) + b"r" * (hl // 2))
        else:
            s.sendall(b"PMV1")
        socks.append(s)
    print("ready", flush=True)
    sys.stdin.read()
    out = []
    for s in socks:
        s.settimeout(120)
        try:
            out.append(answer(s).decode(errors="replace").strip() or "(closed)")
        except OSError as e:
            out.append("(%s)" % e.strerror)
    open(sys.argv[5], "w").write("\n".join(out) + "\n")
elif mode == "stallwait":
    s = conn()
    s.sendall(b"PMV1")
    s.settimeout(120)   # the server's deadline ends it, this only a hang
    sys.stdout.write(answer(s, shut=False).decode(errors="replace"))
elif mode == "ask":
    nfds = int(sys.argv[3])
    p = b""
    for f in sys.argv[4:]:
        p += f[1:].encode() if f.startswith("@") else f.encode() + b"\0"
    null = os.open("/dev/null", os.O_RDWR)
    s = conn()
    push(s, b"PMV1" + struct.pack("=I", len(p)) + p, [null] * nfds)
    sys.stdout.write(answer(s).decode(errors="replace"))
PY
