# fi_kill.sh -- kill -9 a zlib import after a random short delay, run it
# again: the refs end equal to git's (objects already stored are reused).
. "$(dirname "$0")/fi_lib.sh"
S=${PMDB_SHARED:?}/streams
[ -f "$S/zlib.fe.xz" ] || exit 77
xz -dc "$S/zlib.fe.xz" >"$T/zlib.fe"
mkpair k sha1
git -C "$T/k.g" fast-import --quiet <"$T/zlib.fe"
for i in 1 2 3; do
	"$PMVCS" -C "$T/k.p" fast-import --quiet <"$T/zlib.fe" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(( RANDOM % 30 + 2 ))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
done
pmvcs -C "$T/k.p" fsck --connectivity-only >"$T/fsck1" 2>&1 ||
	{ cat "$T/fsck1" >&2; fail "fsck after the kills"; }
pmvcs -C "$T/k.p" fast-import --quiet <"$T/zlib.fe" || fail "re-run after kill"
refs_equal k
pmvcs -C "$T/k.p" fsck >"$T/fsck2" 2>&1 || { cat "$T/fsck2" >&2; fail "fsck after the re-run"; }
echo ok
