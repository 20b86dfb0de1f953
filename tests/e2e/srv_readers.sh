#!/bin/bash
# srv_readers.sh -- with the server, readers never wait for writers: while
# a fast-import is held open mid-stream (its input is a fifo this script
# writes; the script knows the import got that far from the "progress"
# line it prints), log, show, cat-file, rev-parse, ls-tree, status and
# diff answer at once from the last committed state, exactly what they
# answered before the import began. Then the import finishes and its
# branch is there. No timing: the readers' deadline only guards a hang.
source "$(dirname "$0")/srv_lib.sh"
unset PMVCS_NO_SERVER   # this test is about the default path

A=$T/a
srv_history "$A"
echo dirty >>"$A/main.c"
reads=("log --all --oneline" "show HEAD~1" "cat-file -p HEAD" "rev-parse HEAD side v1"
	"ls-tree -r HEAD" "status --short" "diff" "show-ref")
n=0
for r in "${reads[@]}"; do
	n=$((n + 1))
	(cd "$A" && "$PMVCS" --no-server $r >"$T/before.$n" 2>&1) || fail "before: $r"
done

mkfifo "$T/in" "$T/out"
(cd "$A" && exec "$PMVCS" fast-import --quiet <"$T/in" >"$T/out") & ipid=$!
exec 3>"$T/in" 4<"$T/out"
{
	printf 'blob\nmark :1\ndata 4\nabc\n\n'
	printf 'commit refs/heads/imp\nmark :2\ncommitter C <c@x> 1700000000 +0000\ndata 2\nfi\nM 100644 :1 imp.txt\n\n'
	printf 'progress half way\n\n'
} >&3
IFS= read -r -t 300 line <&4 || fail "no progress line from the import"
expect_eq "the import got half way" "progress half way" "$line"
# the import holds its write transaction (and the server's writer lock)
n=0
for r in "${reads[@]}"; do
	n=$((n + 1))
	set +e
	(cd "$A" && timeout 120 "$PMVCS" $r >"$T/during.$n" 2>&1); rc=$?
	set -e
	[ $rc -eq 0 ] || fail "'$r' during the import: exit $rc: $(head -3 "$T/during.$n")"
	cmp -s "$T/before.$n" "$T/during.$n" ||
		{ diff "$T/before.$n" "$T/during.$n" | head >&2; fail "'$r' during the import"; }
done
printf 'commit refs/heads/imp\ncommitter C <c@x> 1700000001 +0000\ndata 3\nfi2\nfrom :2\nM 100644 inline two.txt\ndata 4\ntwo\n\ndone\n' >&3
exec 3>&-
wait "$ipid" || fail "the import failed"
exec 4<&-
expect_eq "the import landed" "fi2 fi" "$("$PMVCS" -C "$A" log --format=%s imp | tr '\n' ' ' | sed 's/ $//')"
fsck_ok "$A" "the import beside readers"
echo ok
