#!/bin/bash
# wt_messages.sh -- git's messages where pmvcs copies them: "did you
# mean" for an unknown command (git's help.c similarity, "pmvcs" where
# git says "git"), cat-file -e of a name that does not resolve, status
# paths relative to the current directory, advice lines (and advice.*
# turning them off). Each case runs in a git twin; stdout, stderr and
# the exit code must be equal.
source "$(dirname "$0")/lib.sh"
g="$T/g" p="$T/p"
git init -q "$g"; pmvcs init -q "$p"
for d in "$g" "$p"; do
	mkdir -p "$d/sub/deep" "$d/other"
	echo a > "$d/a"; echo b > "$d/sub/b"; echo c > "$d/sub/deep/c"
	echo o > "$d/other/o"
done
(cd "$g" && git add -A && git commit -q -m one)
(cd "$p" && pmvcs commit -q -m one)

# same WHAT DIR ARGS...: git ARGS in $g/DIR and pmvcs ARGS in $p/DIR
# print the same (git's "git"/".git" read as "pmvcs"/".pmvcs") and exit
# the same
same() {
	local what=$1 dir=$2 go ge gr=0 po pe pr=0; shift 2
	go=$(cd "$g/$dir" && git "$@" 2>"$T/ge") || gr=$?
	po=$(cd "$p/$dir" && pmvcs "$@" 2>"$T/pe") || pr=$?
	ge=$(sed -e "s/\bgit\b/pmvcs/g" -e 's/\.git\b/.pmvcs/g' "$T/ge"); pe=$(cat "$T/pe")
	expect_eq "$what: stdout" "$(printf '%s' "$go" | sed "s/\bgit\b/pmvcs/g")" "$po"
	expect_eq "$what: stderr" "$ge" "$pe"
	expect_eq "$what: exit" "$gr" "$pr"
}

# unknown commands: typos whose best candidates are commands of both
for c in stauts comit chekout brnch lg xyzzy sttaus brach tga 'cat-fiel'; do
	same "unknown $c" . "$c"
done
# a word both programs see as too far from everything
same "unknown far" . zzzzzzzzzz

# cat-file -e: a missing object of a full id exits 1 quietly; a name
# that does not resolve is fatal
zero=0000000000000000000000000000000000000000
for n in HEAD "$zero" deadbeef xyz 'HEAD~5' 'HEAD^{tree}' abc; do
	same "cat-file -e $n" . cat-file -e "$n"
done

# status paths relative to the current directory (and --porcelain's to
# the root; status.relativePaths=false); a path with a space quoted in
# the short format only
for d in "$g" "$p"; do
	echo x >> "$d/a"; echo x >> "$d/sub/deep/c"; rm "$d/other/o"
	echo n > "$d/sub/new"; mkdir -p "$d/newdir"; echo n > "$d/newdir/f"
	echo s > "$d/sub/with space"
done
for dir in . sub sub/deep other newdir; do
	[ -d "$g/$dir" ] || continue
	same "status -s in $dir" "$dir" status --short
	same "status -s -uall in $dir" "$dir" status --short -uall
	same "status --porcelain in $dir" "$dir" status --porcelain
	same "status long, no hints in $dir" "$dir" -c advice.statusHints=false status
	same "status -s, relativePaths=false in $dir" "$dir" -c status.relativePaths=false status -s
done

# advice: detached HEAD on checkout of a non-branch (only when leaving a
# branch; advice.detachedHead=false), "nothing to commit" with git's
# status header. pmvcs names its own commands in the advice (checkout
# -b, checkout <branch>) where git names switch.
g2=$T/g2 p2=$T/p2
git init -q "$g2"; pmvcs init -q "$p2"
(cd "$g2" && echo a > a && git add -A && git commit -q -m one && echo b > a &&
	git add -A && git commit -q -m two)
(cd "$p2" && echo a > a && pmvcs commit -q -m one && echo b > a && pmvcs commit -q -m two)
steps() {  # steps PROG: the same moves in git or pmvcs, all output
	local c=$1
	$c checkout HEAD~1; echo "rc=$?"
	$c commit -m x; echo "rc=$?"
	$c checkout HEAD~0; echo "rc=$?"
	$c checkout master; echo "rc=$?"
	$c checkout -q HEAD~1; echo "rc=$?"
	$c checkout master; echo "rc=$?"
	$c -c advice.detachedHead=false checkout HEAD~1; echo "rc=$?"
	$c checkout master; echo "rc=$?"
	$c commit -m x; echo "rc=$?"
}
go=$(cd "$g2" && set +e && steps git 2>&1)
po=$(cd "$p2" && set +e && steps pmvcs 2>&1)
expect_eq "advice" "$(printf '%s\n' "$go" | sed -e 's/by using -c with the switch command/by using -b with the checkout command/' \
	-e 's/git switch -c /pmvcs checkout -b /' -e 's/git switch -$/pmvcs checkout master/')" "$po"

# the same answers from the resident server (the front end hands any
# verb to it, unknown ones included)
serve "$p"
for c in stauts xyzzy; do
	same "served: unknown $c" . "$c"
done
same "served: cat-file -e deadbeef" . cat-file -e deadbeef
same "served: status -s in sub" sub status --short
(cd "$p" && pmvcs server stop >/dev/null) || fail "server stop"
