# lib.bash -- sourced by every tests/crash/*.sh (not a test itself).
# Gives what ../e2e/lib.sh gives ($PMVCS, $T, identities, assertions) plus
# $PMCRASH, $SELFTEST (the deliberately broken program), $LONG (1 under
# PMCRASH_LONG=1: thousands of points) and helpers to run pmcrash.
# shellcheck source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
: "${PMCRASH:?PMCRASH must name the pmcrash binary (ctest sets it)}"
: "${PMCRASH_PRELOAD:?PMCRASH_PRELOAD must name pmcrash_preload.so}"
export PMCRASH_PRELOAD PMCRASH_TMPDIR=${PMCRASH_TMPDIR:-/dev/shm}
# power cuts are simulated in the process under test: in-process only
# (pmcrash sets it for its own runs too; the scripts' direct runs here)
export PMVCS_NO_SERVER=1
SELFTEST=$(dirname "$PMCRASH")/pmcrash_selftest
LONG=${PMCRASH_LONG:-0}
POINTS_LOG=${PMCRASH_POINTS_LOG:-/dev/null}

# pick DEFAULT LONGVALUE: the first in CI, the second under PMCRASH_LONG=1
pick() { if [ "$LONG" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# quick_args ARGS...: under PMCRASH_QUICK=1 (the sanitizer runs in CI, where
# each run is 3-5x slower and the point is memory errors in recovery paths,
# not coverage of every point) try a seeded sample of 6 points, 1 image each.
quick_args() {
	local a
	QARGS=()
	for a in "$@"; do
		if [ "${PMCRASH_QUICK:-0}" = 1 ] && [ "$LONG" != 1 ]; then
			case "$a" in
			--points=all | --points=random:*) a=--points=random:6 ;;
			--images=*) a=--images=1 ;;
			esac
		fi
		QARGS+=("$a")
	done
}

# crash WANT_RC ARGS...: run pmcrash ARGS, show its output, check its exit
# code; the output is left in $T/pmcrash.out
crash() {
	local want=$1 rc
	shift
	quick_args "$@"
	set -- "${QARGS[@]}"
	set +e
	"$PMCRASH" "$@" >"$T/pmcrash.out" 2>&1
	rc=$?
	set -e
	sed 's/^/  | /' "$T/pmcrash.out" | head -60
	grep -h '^tried ' "$T/pmcrash.out" | sed "s|^|$(basename "$0"): |" >>"$POINTS_LOG" || true
	[ "$rc" -eq "$want" ] || fail "pmcrash exited $rc, expected $want: $*"
}

# crash_ok ARGS...: pmcrash must try at least one point and see no failure
crash_ok() {
	crash 0 "$@"
	grep -Eq '^tried [1-9][0-9]* crash points( \([0-9]+ images each\))?: [0-9]+ ok, 0 failed$' "$T/pmcrash.out" ||
		fail "pmcrash tried no point or some were not reached: $*"
}

# new_repo DIR: an empty pmvcs repository with a few dozen committed files
new_repo() {
	mkdir -p "$1"
	(cd "$1" && pmvcs init -q >/dev/null) || fail "pmvcs init"
}

# pmcrash_vcs REPO ARGS... -- CMD...: pmcrash with the default check (pmvcs
# fsck, refs old or new); every point must pass
pmcrash_vcs() {
	local repo=$1
	shift
	crash_ok --repo "$repo" --pmvcs="$PMVCS" "$@"
}

# blob_id FILE: the id git gives FILE's content in the repo's object format
blob_id() { command git hash-object --object-format="${OBJFMT:-sha1}" "$1"; }

# rand_delay MAX_MS: a seeded random delay in seconds (0 .. MAX_MS ms), for sleep
rand_delay() { local us=$((RANDOM * 32768 + RANDOM)); us=$((us % ($1 * 1000 + 1))); printf '%d.%06d' $((us / 1000000)) $((us % 1000000)); }

# kill_group PID: SIGKILL the process group PID leads (started with setsid)
kill_group() { kill -9 -- "-$1" 2>/dev/null || kill -9 "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# flip_bit FILE OFFSET: invert the lowest bit of the byte at OFFSET
flip_bit() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# find_in_pool DIR STRING: "FILE OFFSET" of STRING's first byte in the
# repository's pool part files (it must occur exactly once)
find_in_pool() {
	local hits
	hits=$(grep -obaF -r -- "$2" "$1/.pmvcs/pool" | cut -d: -f1,2) || fail "not in the pool: $2"
	[ "$(echo "$hits" | wc -l)" -eq 1 ] || fail "found more than once: $hits"
	echo "${hits%%:*} ${hits##*:}"
}

# random_text BYTES SEED: base64 text of seeded random bytes, no newlines;
# lz4 cannot shorten it, so it is stored as is
random_text() { (
	set +o pipefail # openssl dies of SIGPIPE when head has enough
	openssl enc -aes-128-ctr -pass "pass:$2" -nosalt -pbkdf2 </dev/zero 2>/dev/null |
		head -c "$1" | base64 -w0 | head -c "$1"
); }

# expect_clean_error WHAT CMD...: CMD must fail with an exit code, not a
# signal (1..128); its output is left in $T/err.out
expect_clean_error() {
	local what=$1 rc=0
	shift
	"$@" >"$T/err.out" 2>&1 || rc=$?
	sed "s/^/  | /" "$T/err.out" | head -8
	echo "  (exit $rc)"
	LAST_RC=$rc
	[ "$rc" -ne 0 ] || fail "$what: succeeded on a corrupt pool"
	[ "$rc" -le 128 ] || fail "$what: died with exit $rc (a signal?)"
}

# corrupt_setup: $r, a repository whose one commit holds $T/big.txt (16 KiB
# of random text, stored uncompressed) as big.txt plus a few small files;
# $big is that blob's id, $file/$off where its bytes start in the pool
corrupt_setup() {
	r=$T/r
	new_repo "$r"
	fill_tree "$r" 6 c
	random_text 16384 "$(basename "$0")" >"$r/big.txt"
	cp "$r/big.txt" "$T/big.txt"
	(cd "$r" && pmvcs commit -q -m corrupt) || fail "commit"
	fsck_ok "$r" "setup"
	big=$(cd "$r" && pmvcs rev-parse HEAD:big.txt) || fail "rev-parse HEAD:big.txt"
	[ "$big" == "$(command git hash-object "$T/big.txt")" ] || fail "blob id is not git's"
	read -r file off <<<"$(find_in_pool "$r" "$(head -c 64 "$T/big.txt")")"
	echo "blob $big at $file+$off"
}

# expect_fsck_names ID: pmvcs fsck fails cleanly and names ID
expect_fsck_names() {
	expect_clean_error "fsck" bash -c 'cd "$1" && "$2" fsck' _ "$r" "$PMVCS"
	grep -q "$1" "$T/err.out" || fail "fsck did not name $1"
	[ "$LAST_RC" -eq 1 ] || fail "fsck exit $LAST_RC on a bad object, expected 1"
}
