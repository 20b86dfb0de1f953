#!/bin/bash
# rd_bigfile.sh -- big files in bounded memory (issue 11 point 6): a
# 300 MB random file and a 256 MiB sparse one, above a lowered
# core.bigFileThreshold, are committed, checked out, printed, hashed by
# status, diffed, exported, checked and gc'd with a peak RSS under
# 256 MB each (a whole blob cost twice its size), with git's ids, bytes
# and verdicts; the sparse file's zeros cost almost no pool space.
# labels: slow
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to read a child's peak RSS"
LIMIT_KB=$((256 * 1024))
RND_BYTES=$((300 * 1000 * 1000))
export PMVCS_BIG_FILE_THRESHOLD=16m

# peak CMD...: run CMD in-process (no server), its peak RSS (VmHWM, from
# wait4's ru_maxrss: the whole process, pool pages it mapped included)
# into $T/peak; stdout and stderr are CMD's
cat >"$T/peak.py" <<'EOF'
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, st, ru = os.wait4(pid, 0)
os.write(3, b"%d\n" % ru.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
peak() { PMVCS_NO_SERVER=1 python3 "$T/peak.py" "$@" 3>"$T/peak"; }
# bounded WHAT: the last peak was under LIMIT_KB
bounded() {
	local kb; kb=$(cat "$T/peak")
	echo "peak RSS of $1: $((kb / 1024)) MB" >&2
	[ "$kb" -lt "$LIMIT_KB" ] || fail "$1: peak RSS $((kb / 1024)) MB, limit $((LIMIT_KB / 1024)) MB"
}
P() { PMVCS_NO_SERVER=1 "$PMVCS" "$@"; }

R=$T/r
P init -q "$R" || fail "init"
cd "$R"
head -c "$RND_BYTES" /dev/urandom >big.bin
truncate -s 256M sparse.bin
printf 'a few bytes in the middle' | dd of=sparse.bin bs=1 seek=$((128 << 20)) conv=notrunc status=none
echo small >small.txt
mkdir "$T/orig"
cp big.bin "$T/orig/big.bin"
cp --sparse=always sparse.bin "$T/orig/sparse.bin"

peak "$PMVCS" commit -q -m "big files" || fail "commit"
bounded "commit"
for f in big.bin sparse.bin small.txt; do
	expect_eq "id of $f = git hash-object" "$(git hash-object "$f")" \
		"$(P rev-parse "HEAD:$f")"
done
expect_eq "cat-file -s" "$RND_BYTES" "$(P cat-file -s HEAD:big.bin)"
# the sparse file's 31 equal zero chunks (of 32) are stored once
pool_kb=$(du -sk .pmvcs | cut -f1)
[ "$pool_kb" -lt $(((RND_BYTES >> 10) + 96 * 1024)) ] ||
	fail "pool takes $((pool_kb >> 10)) MB for $((RND_BYTES >> 20)) MB of random data and a sparse file"

peak "$PMVCS" cat-file -p HEAD:big.bin >"$T/out" || fail "cat-file -p"
bounded "cat-file -p"
cmp "$T/out" big.bin || fail "cat-file -p differs"
peak "$PMVCS" cat-file blob HEAD:sparse.bin >"$T/out" || fail "cat-file blob"
bounded "cat-file blob"
cmp "$T/out" sparse.bin || fail "cat-file blob differs"
rm -f "$T/out"

# status hashes a changed-looking big file in a stream: still clean
touch big.bin sparse.bin
peak "$PMVCS" status --short >"$T/st" || fail "status"
bounded "status"
expect_eq "status after touch" "" "$(cat "$T/st")"

# check out into an empty work tree: remove them, commit, go back
rm big.bin sparse.bin
P commit -q -m "rm" || fail "commit rm"
peak "$PMVCS" checkout -q HEAD~1 || fail "checkout"
bounded "checkout"
cmp big.bin "$T/orig/big.bin" || fail "checked-out big.bin differs"
cmp sparse.bin "$T/orig/sparse.bin" || fail "checked-out sparse.bin differs"
[ "$(du -k sparse.bin | cut -f1)" -lt 65536 ] || fail "checkout did not keep sparse.bin sparse"
expect_eq "status after checkout" "" "$(P status --short)"

# fast-export into git: the same commits, git fsck clean
git init -q --bare "$T/g"
peak "$PMVCS" fast-export --all >"$T/fe" || fail "fast-export"
bounded "fast-export"
git -C "$T/g" fast-import --quiet <"$T/fe" || fail "git fast-import"
rm -f "$T/fe"
expect_eq "fast-export | git fast-import: same ids" "$(P rev-parse master master~1)" \
	"$(git -C "$T/g" rev-parse master master~1)"
git -C "$T/g" fsck --no-progress 2>&1 || fail "git fsck"

# cat-file --batch of the big blob and a small one: git's bytes
q="$(P rev-parse HEAD:small.txt)
$(P rev-parse HEAD:big.bin)"
g=$(git -C "$T/g" cat-file --batch <<<"$q" | sha256sum)
peak "$PMVCS" cat-file --batch <<<"$q" >"$T/out" || fail "cat-file --batch"
bounded "cat-file --batch"
expect_eq "cat-file --batch" "$g" "$(sha256sum <"$T/out")"
rm -f "$T/out"

# diff: over the threshold a blob is binary, unread (git's rule)
expect_eq "diff --stat" \
	"$(git -C "$T/g" -c core.bigFileThreshold=16m diff --stat master master~1)" \
	"$(P diff --stat master master~1)"
echo x >>big.bin
peak "$PMVCS" diff >"$T/d" || fail "diff"
bounded "diff of the work tree"
grep -q '^Binary files a/big.bin and b/big.bin differ$' "$T/d" || fail "diff: $(cat "$T/d")"
cp "$T/orig/big.bin" big.bin

# fsck re-hashes the chunks; gc keeps them (pmdb's unit test frees them)
peak "$PMVCS" fsck --full || fail "fsck"
bounded "fsck"
peak "$PMVCS" gc --prune=now >/dev/null || fail "gc"
bounded "gc"
P cat-file -p master~1:big.bin | cmp - "$T/orig/big.bin" || fail "big.bin after gc"
P fsck --full >/dev/null || fail "fsck after gc"
P checkout -q master || fail "checkout master"

# served: the server process stays under the limit too
serve .
spid=$("$PMVCS" server status | sed -n 's/^pid //p')
"$PMVCS" cat-file -p master~1:big.bin | cmp - "$T/orig/big.bin" || { "$PMVCS" server stop; fail "served cat-file -p"; }
rm -f big.bin sparse.bin
"$PMVCS" checkout -q master~1 || { "$PMVCS" server stop; fail "served checkout"; }
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$spid/status")
"$PMVCS" server stop >/dev/null
cmp big.bin "$T/orig/big.bin" || fail "served checkout differs"
echo "peak RSS of the server: $((hwm / 1024)) MB" >&2
[ "$hwm" -lt "$LIMIT_KB" ] || fail "server: peak RSS $((hwm / 1024)) MB"
echo "ok"
