#!/bin/bash
# wt_path_check.sh -- checkout refuses the tree paths git refuses (into
# .git in every spelling, "..", empty components...) and .pmvcs the
# same way: git read-tree -u's message and exit code, nothing written,
# HEAD unchanged; and it checks out every path git checks out (a tab in
# a name included), with git's ids. Trees are built with git fast-import,
# which lets such paths in (not empty components: those are refused by
# fast-import already, and only unit-tested here). git runs with core.protectHFS=true (its
# macOS default; core.protectNTFS is on by default everywhere), as
# pmvcs always applies both.
source "$(dirname "$0")/lib.sh"

# stream PATH MODE -- one commit on refs/heads/main: "ok" and PATH
stream() {
	printf 'commit refs/heads/main\ncommitter C <c@d> 1700000000 +0000\ndata 0\n'
	printf 'M 100644 inline ok\ndata 3\nok\n'
	printf 'M %s inline %s\ndata 7\ntarget\n\n' "$2" "$1"
}
# files DIR [all] -- everything below DIR but .git and .pmvcs (with
# "all": with the .pmvcs entries but the pool)
files() {
	local skip=./.pmvcs
	[ $# -lt 2 ] || skip=./.pmvcs/pool
	(cd "$1" && find . -path ./.git -prune -o -path $skip -prune -o -print | LC_ALL=C sort)
}

# check QPATH MODE [RAW] -- QPATH is a fast-import path (quoted when
# needed); with RAW (the path itself), a path git does not know about
# (.pmvcs) that must be refused as git refuses .git
n=0
check() {
	local q=$1 mode=$2 g="$T/g$n" p="$T/p$n" grc=0 prc=0 before
	n=$((n + 1))
	git init -q "$g"
	stream "$q" "$mode" | git -C "$g" fast-import --quiet
	git -C "$g" -c core.protectHFS=true read-tree -u -m main 2> "$T/gerr" || grc=$?
	if [ $# -gt 2 ]; then
		[ "$grc" -eq 0 ] || fail "git refuses $q"
		grc=128
		printf "error: invalid path '%s'\n" "$3" > "$T/gerr"
	fi
	pmvcs init -q "$p"
	stream "$q" "$mode" | (cd "$p" && pmvcs fast-import --quiet)
	expect_eq "commit id for $q" "$(git -C "$g" rev-parse main)" \
		"$(cd "$p" && pmvcs rev-parse main)"
	before=$(files "$p" all)
	(cd "$p" && pmvcs checkout -q main 2> "$T/perr") || prc=$?
	expect_eq "exit code for $q ($mode)" "$grc" "$prc"
	expect_eq "stderr for $q ($mode)" "$(cat "$T/gerr")" "$(cat "$T/perr")"
	if [ "$grc" -ne 0 ]; then
		expect_eq "nothing written for $q" "$before" "$(files "$p" all)"
		if (cd "$p" && pmvcs rev-parse HEAD >/dev/null 2>&1); then
			fail "HEAD moved after refusing $q"
		fi
	else
		expect_eq "files for $q" "$(files "$g")" "$(files "$p")"
		expect_eq "tree for $q" "$(git -C "$g" ls-tree -r main)" \
			"$(cd "$p" && pmvcs ls-tree -r main)"
		(cd "$p" && pmvcs status --short > "$T/st")
		expect_eq "clean after $q" "" "$(cat "$T/st")"
	fi
	rm -rf "$g" "$p"
}

refused=(
	.git/hooks/post-checkout .GIT/config sub/.git/config .Git/x a/b/.gIt/c
	git~1/x GIT~1/config sub/git~1/y
	'".git. /x"' '".git /x"' '.git.../x' '.git::$INDEX_ALLOCATION/x'
	'a\.git' 'a\.git\config' 'a\git~1'
	'"\342\200\214.git/x"' '".\342\200\214git/x"' '".g\342\200\215it/x"'
	'".GIT\357\273\277/x"'
	./a a/./b a/../b ../a a/. ./.git/x
)
for q in "${refused[@]}"; do check "$q" 100644; done
for q in .git/x sub/.git; do check "$q" 120000; done
# ours: git checks these out, pmvcs refuses them in every spelling
for q in .pmvcs/x .PMVCS/pool.set sub/.PmVcS/y pmvcs~1/x '.pmvcs. /x' 'a\.pmvcs'; do
	check "$q" 100644 "$q"
done
check sub/.pmvcs/pool.set 100644 sub/.pmvcs/pool.set
check '".\342\200\214pmvcs/x"' 100644 "$(printf '.\342\200\214pmvcs/x')"
check .pmvcs 120000 .pmvcs
for q in .gitmodules .GITMODULES sub/.gitmodules gitmod~1 gi7eba~1 '".gitmodules. "'; do
	check "$q" 120000
done

accepted=(
	'"tab\tna"' '"new\nline"' 'sp ace' a:b '"\001x"' '"caf\303\251"'
	.gitignore .github/ci.yml git~2 .gitx x.git .pmvcsignore pmvcs
	... ..a 'a\b' '\.git' 'a/\.git' '".g\342\200\213it/x"' gi7eba~12
)
for q in "${accepted[@]}"; do check "$q" 100644; done
for q in .gitmodules gitmod~1 gi7eba~1; do check "$q" 100644; done
check .gitmodulesx 120000

# a tab in a name: the same ids as git, through fast-import unquoted and
# quoted, a checkout, a commit from the working tree and fast-export
g="$T/gt" p="$T/pt"
git init -q "$g"; pmvcs init -q "$p"
tabstream() {
	printf 'commit refs/heads/main\nmark :1\ncommitter C <c@d> 1700000000 +0000\ndata 2\nA\n'
	printf 'M 100644 inline tab\tna\ndata 2\nx\n'
	printf 'M 100644 inline "dir\\twith/tab\\tb"\ndata 2\ny\n\n'
}
tabstream | git -C "$g" fast-import --quiet
tabstream | (cd "$p" && pmvcs fast-import --quiet)
expect_eq "tab commit id" "$(git -C "$g" rev-parse main)" "$(cd "$p" && pmvcs rev-parse main)"
(cd "$p" && pmvcs checkout -q main)
expect_eq "tab file" "x" "$(cat "$p/$(printf 'tab\tna')")"
expect_eq "tab dir file" "y" "$(cat "$p/$(printf 'dir\twith/tab\tb')")"
printf 'z\n' > "$p/$(printf 'new\ttab')"
(cd "$p" && pmvcs commit -q -m B)
git -C "$g" read-tree -u -m main
printf 'z\n' > "$g/$(printf 'new\ttab')"
git -C "$g" add -A
expect_eq "tab tree after commit" "$(git -C "$g" write-tree)" "$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')"
(cd "$p" && pmvcs fast-export --all) | git -C "$g" fast-import --quiet --force
expect_eq "tab tree via fast-export" "$(git -C "$g" write-tree)" "$(git -C "$g" rev-parse 'main^{tree}')"
echo "ok: $n trees compared with git read-tree -u"
