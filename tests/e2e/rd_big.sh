#!/bin/bash
# rd_big.sh -- the read path on a generated history (bench/gen_stream:
# merges, annotated tags, thousands of commits, ~12 MB of contents, so that
# cat-file --batch takes its multi-threaded path): log --all --oneline,
# log -n 50, log --format, cat-file --batch-all-objects --batch(-check)
# and --batch fed from stdin must be byte for byte git's.
. "$(dirname "$0")/lib.sh"

GEN=${PMDB_BUILD:-$(dirname "$PMVCS")/..}/bench/gen_stream
# (the generator is bench code: its leaks at exit are not this test's)
[ -x "$GEN" ] || { echo "SKIP: no gen_stream in $GEN"; exit 77; }
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$GEN" -n 1500 -s 12M -f 300 -r 5 >"$T/big.fe" 2>/dev/null || fail "gen_stream"
git init -q --bare "$T/g"
git -C "$T/g" fast-import --quiet <"$T/big.fe" || fail "git import"
git -C "$T/g" commit-graph write --reachable 2>/dev/null || true
mkdir "$T/p"
pmvcs -C "$T/p" init -q . >/dev/null || fail "init"
pmvcs -C "$T/p" fast-import --quiet <"$T/big.fe" || fail "pmvcs import"

# same -- sha256 of pmvcs's and git's output of the same command
same() {
	local g p
	g=$(git -C "$T/g" "$@" | sha256sum) || fail "git $*"
	p=$(pmvcs -C "$T/p" "$@" | sha256sum) || fail "pmvcs $* failed"
	expect_eq "$*" "$g" "$p"
}
same log --all --oneline
same log -n 50 --all
same log --all --format=%H%n%an%n%s%n%b
git -C "$T/g" tag >"$T/tags"
same log --oneline "refs/tags/$(sed -n 1p "$T/tags")"
same cat-file --batch-all-objects --batch-check
same cat-file --batch-all-objects --batch

# --batch from stdin: every id, a missing name in the middle, no final
# newline (read in large chunks, answered in order)
git -C "$T/g" cat-file --batch-all-objects --batch-check | cut -d' ' -f1 >"$T/ids"
{ sed -n '1,500p' "$T/ids"; echo nosuchobject; sed -n '501,$p' "$T/ids"; } >"$T/req"
truncate -s -1 "$T/req"
g=$(git -C "$T/g" cat-file --batch <"$T/req" | sha256sum)
p=$(pmvcs -C "$T/p" cat-file --batch <"$T/req" | sha256sum)
expect_eq "cat-file --batch from stdin" "$g" "$p"
g=$(git -C "$T/g" cat-file --batch-check <"$T/req" | sha256sum)
p=$(pmvcs -C "$T/p" cat-file --batch-check <"$T/req" | sha256sum)
expect_eq "cat-file --batch-check from stdin" "$g" "$p"

# an interactive peer gets each answer before it sends the next request
# (the second request comes 6 s later; the first answer must not wait)
exec 3< <(printf 'HEAD\n'; sleep 6; printf 'HEAD~1\n')
ans=$(timeout 20 "$PMVCS" -C "$T/p" cat-file --batch-check <&3 |
      { IFS= read -r -t 4 l; echo "${l:-no answer within 4 s}"; cat >/dev/null; }) || true
expect_eq "interactive batch" "$(git -C "$T/g" cat-file --batch-check <<<HEAD)" "$ans"
echo ok
