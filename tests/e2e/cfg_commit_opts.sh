#!/bin/bash
# cfg_commit_opts.sh -- commit --author and -F as git's: the same ids
# (git commit --author / -F on the same tree and environment), and git's
# refusals (-m with -F, an unreadable file, a bad --author) with its
# messages and exit codes.
source "$(dirname "$0")/lib.sh"
g="$T/g" p="$T/p"
git init -q "$g"; pmvcs init -q "$p"
n=0
# both WHAT ARGS...: commit a new change with ARGS in both, compare
both() {
	local what=$1 gr=0 pr=0; shift
	n=$((n + 1))
	echo "$n" > "$g/f"; echo "$n" > "$p/f"
	(cd "$g" && git add -A && git commit -q "$@" <"${IN:-/dev/null}" >/dev/null 2>"$T/ge") || gr=$?
	(cd "$p" && pmvcs commit -q "$@" <"${IN:-/dev/null}" >/dev/null 2>"$T/pe") || pr=$?
	expect_eq "$what: exit" "$gr" "$pr"
	expect_eq "$what: stderr" "$(cat "$T/ge")" "$(cat "$T/pe")"
	expect_eq "$what: id" "$(cd "$g" && git rev-parse HEAD 2>&1)" \
		"$(cd "$p" && pmvcs rev-parse HEAD 2>&1)"
	[ "$gr" = 0 ] || (cd "$g" && git reset -q)
}
printf 'subject\n\n  body line\n\n\n# not a comment without an editor\n' > "$T/msg"
both "-F" -F "$T/msg"
both "-F relative" -F ../msg
IN=$T/msg both "-F stdin" -F -
both "--author" --author "Other Person <other@example.com>" -m a
both "--author= crud" "--author=  .Odd, Name;  <odd@x>" -m b
both "-m -m" -m one -m "two
lines" -m three
both "-m with -F" -m x -F "$T/msg"
both "missing -F" -F "$T/nope"
both "--author without email" --author "nobody" -m c
echo "ok: $n commits compared"
