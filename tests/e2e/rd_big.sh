#!/bin/bash
# rd_big.sh -- the read path on a generated history (bench/gen_stream:
# merges, annotated tags, thousands of commits, ~12 MB of contents, so that
# cat-file --batch takes its multi-threaded path): log --all --oneline,
# log -n 50, log --format, cat-file --batch-all-objects --batch(-check)
# and --batch fed from stdin must be byte for byte git's.
. "$(dirname "$0")/lib.sh"

: "${GEN_STREAM:?GEN_STREAM must name bench/gen_stream (ctest sets it)}"
"$GEN_STREAM" -n 1500 -s 12M -f 300 -r 5 >"$T/big.fe" 2>/dev/null || fail "gen_stream"
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

# an interactive peer gets each answer before it sends the next request:
# the second is sent only after the first answer came, so an answer held
# back until more input or EOF ends at the hang protection ("no answer")
coproc BATCH { "$PMVCS" -C "$T/p" cat-file --batch-check; }
bpid=$BATCH_PID   # (bash unsets BATCH_PID when it reaps the process)
echo HEAD >&"${BATCH[1]}"
IFS= read -r -t 300 -u "${BATCH[0]}" ans || ans="no answer"
expect_eq "interactive batch" "$(git -C "$T/g" cat-file --batch-check <<<HEAD)" "$ans"
echo HEAD~1 >&"${BATCH[1]}"
IFS= read -r -t 300 -u "${BATCH[0]}" ans || ans="no answer"
expect_eq "interactive batch, second" "$(git -C "$T/g" cat-file --batch-check <<<HEAD~1)" "$ans"
eval "exec ${BATCH[1]}>&-"
wait "$bpid" || fail "cat-file --batch-check fed interactively: exit $?"
echo ok
