# full_disk.sh -- a real full disk: the repository lives on a 96 MiB tmpfs
# (mounted in a private mount namespace, so it vanishes with the test),
# 40 MiB of it taken by a ballast file. Streams of incompressible blobs are
# imported until the pool cannot add a part: that import must fail with
# exit 128 and a message naming the pool and "No space left on device";
# the repository must pass fsck with the refs of the last good import;
# after the ballast is removed the same import succeeds.
# Without mount rights (not root, no user namespaces) the same scenario
# runs with every fallocate failing ENOSPC (FAULT_PERSIST), which is how a
# full disk reaches a growing PMDK poolset.
source "$(dirname "$0")/lib.bash"

# stream K: a branch b<K> with 2 commits of 2 x 1 MiB incompressible blobs
stream() {
	local k=$1 c b
	for c in 1 2; do
		for b in 1 2; do
			printf 'blob\nmark :%d\ndata 1048576\n' $((c * 10 + b))
			random_text 1048576 "s$k.$c.$b"
			printf '\n'
		done
		printf 'commit refs/heads/b%d\nmark :%d\n' "$k" $((c * 100))
		printf 'committer C O Mitter <c@example.com> %d +0000\ndata 2\nc\n' $((1700000000 + k * 10 + c))
		[ "$c" = 1 ] || printf 'from :100\n'
		printf 'M 100644 :%d a.bin\nM 100644 :%d b.bin\n\n' $((c * 10 + 1)) $((c * 10 + 2))
	done
}

# random_text BYTES SEED: seeded incompressible text, no newlines
random_text() { (
	set +o pipefail
	openssl enc -aes-128-ctr -pass "pass:$2" -nosalt -pbkdf2 </dev/zero 2>/dev/null |
		head -c "$1" | base64 -w0 | head -c "$1"
); }

# body MODE: the scenario; MODE mount (a real full tmpfs) or inject
body() {
	local mode=$1 d=$T/fs k rc refs_good before
	mkdir -p "$d"
	if [ "$mode" = mount ]; then
		mount -t tmpfs -o size=96m tmpfs "$d" || return 77
		head -c $((40 << 20)) /dev/zero >"$d/ballast"
	fi
	(cd "$d" && pmvcs init -q r) || fail "init"
	refs_good=""
	for ((k = 1; k <= 40; k++)); do
		stream "$k" >"$T/s.fe"
		rc=0
		if [ "$mode" = mount ]; then
			(cd "$d/r" && pmvcs fast-import --quiet <"$T/s.fe") 2>"$T/err" || rc=$?
		else
			(cd "$d/r" && LD_PRELOAD="$FAULTINJECT" FAULT_FUNC=fallocate FAULT_AT=1 \
				FAULT_PERSIST=1 "$PMVCS_CORE" fast-import --quiet <"$T/s.fe") 2>"$T/err" || rc=$?
		fi
		[ "$rc" -eq 0 ] || break
		refs_good=$(refs_of "$d/r")
	done
	echo "import $k failed with exit $rc after $(du -sh "$d/r/.pmvcs/pool" | cut -f1) of pool:"
	sed 's/^/  | /' "$T/err"
	[ "$rc" -ne 0 ] || fail "40 imports fitted: the disk never filled"
	[ "$k" -gt 1 ] || fail "the first import failed already"
	# message problems are counted, not fatal: the checks below still run
	[ "$rc" -eq 128 ] || bad "full disk: exit $rc, want 128"
	grep -q '^pmvcs: ' "$T/err" || bad "no 'pmvcs: ...' message"
	grep -q 'No space left on device' "$T/err" || bad "the message does not say 'No space left on device'"
	grep -q "$d/r/.pmvcs" "$T/err" || bad "the message does not name the pool ($d/r/.pmvcs/...)"
	fsck_ok "$d/r" "the full disk"
	before=$(refs_of "$d/r")
	expect_eq "refs after the failed import are those of the last good one" "$refs_good" "$before"
	echo "freeing space and importing stream $k again"
	if [ "$mode" = mount ]; then rm -f "$d/ballast"; fi
	(cd "$d/r" && pmvcs fast-import --quiet <"$T/s.fe") || fail "re-run after freeing space"
	fsck_ok "$d/r" "the re-run"
	refs_of "$d/r" | grep -q "refs/heads/b$k\$" || fail "re-run: no branch b$k"
	[ "$nbad" -eq 0 ] || fail "$nbad problem(s) with the full-disk error, see above"
}

# bad WHAT: a problem that does not stop the scenario
nbad=0
bad() { echo "FAIL: $*" >&2; nbad=$((nbad + 1)); }

if [ "${1:-}" = --inner ]; then
	trap 'umount "$T/fs" 2>/dev/null; rm -rf "$T"' EXIT
	body "$2"
	exit $?
fi
# a private mount namespace: the tmpfs cannot outlive the test
rc=0
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
	unshare -m --propagation private bash "$0" --inner mount || rc=$?
	if [ "$rc" -ne 77 ]; then
		[ "$rc" -eq 0 ] && echo "full_disk: ok (real tmpfs)"
		exit "$rc"
	fi
fi
echo "full_disk: cannot mount a tmpfs here: fallocate ENOSPC injection instead"
body inject
echo "full_disk: ok (injected ENOSPC)"
