# full_disk_holes.sh -- the disk fills up while the pool is closed. A
# closed pool has given its unused extent tails and free heap space back
# to the file system (holes, docs/design.md "Space"); the next write into
# a hole needs a block the file system no longer has. That write must
# fail as a clean "No space left on device" (exit 128, refs unchanged,
# fsck clean), never as a SIGBUS; after space is freed the same import
# succeeds. Needs a real small tmpfs (root and a private mount
# namespace); elsewhere it says so and checks nothing (exit 77: skipped).
source "$(dirname "$0")/lib.bash"

# stream K N: branch b<K>, one commit of N x 256 KiB compressible blobs
# (lz4 shrinks them, so the import writes into the extent tail)
stream() {
	local k=$1 n=$2 b
	for ((b = 1; b <= n; b++)); do
		printf 'blob\nmark :%d\ndata %d\n' "$b" 262144
		(set +o pipefail; yes "line $k.$b of a text that compresses" | head -c 262144)
		printf '\n'
	done
	printf 'commit refs/heads/b%d\nmark :%d\n' "$k" 1000
	printf 'committer C O Mitter <c@example.com> %d +0000\ndata 2\nc\n' $((1700000000 + k))
	for ((b = 1; b <= n; b++)); do printf 'M 100644 :%d f%d\n' "$b" "$b"; done
	printf '\n'
}

body() {
	local d=$T/fs rc refs_good
	mkdir -p "$d"
	mount -t tmpfs -o size=64m tmpfs "$d" || return 77
	(cd "$d" && pmvcs init -q r) || fail "init"
	stream 1 8 >"$T/s1.fe"
	(cd "$d/r" && pmvcs fast-import --quiet <"$T/s1.fe") || fail "first import"
	refs_good=$(refs_of "$d/r")
	[ -n "$refs_good" ] || fail "no refs after the first import"
	echo "pool after the first import: $(du -sh "$d/r/.pmvcs" | cut -f1) on disk, $(du -sh --apparent-size "$d/r/.pmvcs" | cut -f1) apparent"
	# fill the file system to the last block
	cat /dev/zero >"$d/ballast" 2>/dev/null || true
	echo "file system full: $(df -h "$d" | awk 'NR==2 { print $4 }') free"
	stream 2 40 >"$T/s2.fe"
	rc=0
	(cd "$d/r" && pmvcs fast-import --quiet <"$T/s2.fe") 2>"$T/err" || rc=$?
	echo "import into the full file system: exit $rc"
	sed 's/^/  | /' "$T/err"
	[ "$rc" -ne 0 ] || fail "the import fitted into a full file system"
	[ "$rc" -lt 129 ] || fail "the import died of signal $((rc - 128)) (SIGBUS is 7), want exit 128"
	[ "$rc" -eq 128 ] || fail "exit $rc, want 128"
	grep -q 'No space left on device\|no space left' "$T/err" || fail "the message does not say there is no space"
	rm -f "$d/ballast"
	fsck_ok "$d/r" "the full disk"
	expect_eq "refs after the failed import" "$refs_good" "$(refs_of "$d/r")"
	(cd "$d/r" && pmvcs fast-import --quiet <"$T/s2.fe") || fail "re-run after freeing space"
	fsck_ok "$d/r" "the re-run"
	refs_of "$d/r" | grep -q "refs/heads/b2\$" || fail "re-run: no branch b2"
}

if [ "${1:-}" = --inner ]; then
	trap 'umount "$T/fs" 2>/dev/null; rm -rf "$T"' EXIT
	body
	exit $?
fi
rc=0
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
	unshare -m --propagation private bash "$0" --inner || rc=$?
	[ "$rc" -eq 0 ] && echo "full_disk_holes: ok"
	exit "$rc"
fi
echo "SKIP: full_disk_holes needs root and a private mount namespace for a small tmpfs" >&2
exit 77
