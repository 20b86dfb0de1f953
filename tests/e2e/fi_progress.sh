# fi_progress.sh -- the progress meter (objects of each type, MB, MB/s) is
# shown on stderr only when stderr is a terminal and neither --quiet nor
# "option git quiet" is given; it never touches stdout: `progress` echoes
# and cat-blob/ls/get-mark answers stay byte-identical to git's. The
# terminal is a pty from util-linux script(1).
. "$(dirname "$0")/fi_lib.sh"
command -v script >/dev/null || skip "script(1) (util-linux) is not installed: no pty to test the meter on"

{
	printf 'progress starting\n'
	for i in 1 2 3; do
		printf 'blob\nmark :%d\n' "$i"; d "content $i"
		printf 'commit refs/heads/master\nmark :%d\ncommitter C <c@e> %d +0000\n' \
			$((i + 10)) $((1700000000 + i)); d "c$i"
		printf 'M 100644 :%d f%d\n\n' "$i" "$i"
		printf 'progress commit %d done\n\n' "$i"
	done
	printf 'cat-blob :2\nls :13 f1\nget-mark :12\nprogress end\n'
} >"$T/s.fe"

# tty RUN_NAME ARGS...: import $T/s.fe into a fresh repo with stderr on a
# pty; stdout to $T/RUN_NAME.out, the pty's bytes to $T/RUN_NAME.tty
tty_run() {
	local n=$1; shift
	pmvcs init "$T/$n.p" >/dev/null
	script -qec "$(printf '%q ' "$PMVCS" -C "$T/$n.p" fast-import "$@") <$T/s.fe >$T/$n.out" \
		/dev/null >"$T/$n.tty" </dev/null || fail "$n: exit $?: $(cat "$T/$n.tty")"
}

git init -q "$T/g"
git -C "$T/g" fast-import --quiet <"$T/s.fe" >"$T/g.out"
grep -q '^progress end$' "$T/g.out" || fail "git's output: $(cat "$T/g.out")"

# stderr on a terminal: a meter line with objects, commits and MB/s
tty_run tty
grep -aEq 'Importing: [0-9]+ objects, [0-9]+ commits, [0-9]+ trees, [0-9]+ blobs, [0-9]+ tags, [0-9.]+ MB, [0-9.]+ MB/s' "$T/tty.tty" ||
	fail "no progress on a terminal: $(cat -A "$T/tty.tty")"
grep -aq 'done\.' "$T/tty.tty" || fail "no final progress line: $(cat -A "$T/tty.tty")"
# the final line counts every type as git stored them (no duplicates in
# this stream) and the MB read is the whole stream
gc() { git -C "$T/g" cat-file --batch-all-objects --batch-check='%(objecttype)' | grep -c "^$1\$" || true; }
want=$(printf 'Importing: %d objects, %d commits, %d trees, %d blobs, %d tags, %.1f MB,' \
	$(($(gc commit) + $(gc tree) + $(gc blob) + $(gc tag))) "$(gc commit)" "$(gc tree)" "$(gc blob)" \
	"$(gc tag)" "$(awk -v n="$(wc -c <"$T/s.fe")" 'BEGIN { printf "%.1f", n / 1e6 }')")
final=$(tr '\r' '\n' <"$T/tty.tty" | grep -a 'done\.' | sed 's/ [0-9.]* MB\/s.*//')
expect_eq "final meter line" "$want" "$final"
cmp "$T/g.out" "$T/tty.out" || fail "stdout differs from git's with the meter on"
expect_eq "refs (meter on)" "$(git -C "$T/g" show-ref)" "$(pmvcs -C "$T/tty.p" show-ref)"

# --quiet, or "option git quiet" in the stream: nothing on the terminal
tty_run q --quiet
[ ! -s "$T/q.tty" ] || fail "--quiet on a terminal printed: $(cat -A "$T/q.tty")"
cmp "$T/g.out" "$T/q.out" || fail "stdout differs from git's (--quiet)"
{ printf 'option git quiet\n'; cat "$T/s.fe"; } >"$T/sq.fe" && mv "$T/sq.fe" "$T/s.fe"
tty_run oq
[ ! -s "$T/oq.tty" ] || fail "option git quiet on a terminal printed: $(cat -A "$T/oq.tty")"
cmp "$T/g.out" "$T/oq.out" || fail "stdout differs from git's (option git quiet)"

# stderr not a terminal: no meter, even without --quiet
pmvcs init "$T/nt.p" >/dev/null
pmvcs -C "$T/nt.p" fast-import <"$T/s.fe" >"$T/nt.out" 2>"$T/nt.err"
[ ! -s "$T/nt.err" ] || fail "meter without a terminal: $(cat -A "$T/nt.err")"
cmp "$T/g.out" "$T/nt.out" || fail "stdout differs from git's (no terminal)"
echo ok
