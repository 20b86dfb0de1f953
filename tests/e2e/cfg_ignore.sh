#!/bin/bash
# cfg_ignore.sh -- git's ignore rules where pmvcs reads the tree: every
# level's .gitignore, .pmvcs/info/exclude (git's .git/info/exclude),
# core.excludesFile and its default $XDG_CONFIG_HOME/git/ignore, with
# gitignore(5)'s corners (negation, directory-only patterns, "**",
# anchoring, escapes, a directory's own "*"). pmvcs status --short and
# the committed tree id must equal git's (git add -A; git write-tree).
source "$(dirname "$0")/lib.sh"
unset GIT_CONFIG_GLOBAL XDG_CONFIG_HOME GIT_CONFIG_PARAMETERS
export HOME=$T/home
mkdir -p "$HOME"
g="$T/g" p="$T/p"
command git init -q "$g"; pmvcs init -q "$p"
printf '' > "$g/.git/config"
mkdir -p "$g/.git/info" "$p/.pmvcs/info"
printf 'excluded.txt\n' | tee "$g/.git/info/exclude" > "$p/.pmvcs/info/exclude"
for d in "$g" "$p"; do
	mkdir -p "$d"/{build,sub/deep,doc/a/b,cache/in,x/y/z,logs,q/logs,dironly.d,n/dironly}
	printf '%s\n' '# comment' '*.o' '!keep.o' 'build/' '/rootonly' 'doc/**/*.tmp' \
		'\#hash' '\!bang' 'sp\ ' 'x/**/z' '**/logs' 'dironly/' '*.global' \
		'trail   ' '!sub/deep/force.o' 'a?c' '[ab]r' > "$d/.gitignore"
	printf '%s\n' '!x.o' 'local.txt' '/anch' > "$d/sub/.gitignore"
	printf '*\n' > "$d/cache/.gitignore"
	for f in a.c a.o keep.o rootonly sub/rootonly '#hash' '!bang' 'sp ' sp trail \
		doc/a/b/t.tmp doc/t.tmp build/out sub/x.o sub/y.o sub/local.txt \
		sub/deep/local.txt sub/anch sub/deep/anch sub/deep/force.o cache/c cache/in/d \
		x/y/z/f x/z logs/l q/logs/l dironly.d/f n/dironly/f dironly excluded.txt \
		sub/excluded.txt g.global g.xdg abc arx br crx; do
		echo "$f" > "$d/$f"
	done
done
printf '*.xdg\n' > "$T/xdgignore"
# compare WHAT: status and the tree of a first commit (a fresh pmvcs
# repository each time: a tracked file stays tracked in git even when
# ignored, while pmvcs, without an index, snapshots the tree; docs/config.md)
compare() {
	rm -rf "$p/.pmvcs"; pmvcs init -q "$p"; mkdir -p "$p/.pmvcs/info"
	cp "$g/.git/info/exclude" "$p/.pmvcs/info/exclude"
	expect_eq "$1: status --short" "$(cd "$g" && command git status --short)" \
		"$(cd "$p" && pmvcs status --short)"
	expect_eq "$1: status -uall" "$(cd "$g" && command git status --short -uall)" \
		"$(cd "$p" && pmvcs status --short -uall)"
	for a in "--ignored" "--ignored -uall"; do
		expect_eq "$1: status $a" "$(cd "$g" && command git status --short $a)" \
			"$(cd "$p" && pmvcs status --short $a)"
		expect_eq "$1: status $a in sub" "$(cd "$g/sub" && command git status --short $a)" \
			"$(cd "$p/sub" && pmvcs status --short $a)"
	done
	expect_eq "$1: status --ignored, long" \
		"$(cd "$g/sub" && command git -c advice.statusHints=false status --ignored)" \
		"$(cd "$p/sub" && pmvcs -c advice.statusHints=false status --ignored)"
	local gt pt
	gt=$(cd "$g" && command git add -A && command git write-tree && command git reset -q)
	(cd "$p" && pmvcs commit -q -m "$1")
	pt=$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')
	expect_eq "$1: tree" "$gt" "$pt"
}
compare "tree files"
# the default excludes file: $XDG_CONFIG_HOME/git/ignore
mkdir -p "$T/xdg/git"; cp "$T/xdgignore" "$T/xdg/git/ignore"
export XDG_CONFIG_HOME=$T/xdg
compare "xdg default"
# core.excludesFile replaces it, "~/" expanded
printf '*.global\n' > "$HOME/gi"
printf '[core]\n\texcludesFile = ~/gi\n' > "$HOME/.gitconfig"
printf '!*.global\n' | tee -a "$g/.gitignore" >> "$p/.gitignore"   # the tree wins
compare "core.excludesFile, re-included"
sed -i '$d' "$g/.gitignore" "$p/.gitignore"
compare "core.excludesFile"

# check-ignore: which pattern decides, git's output and exit codes
paths=(a.c a.o keep.o rootonly sub/rootonly '#hash' '!bang' 'sp ' sp trail
	doc/a/b/t.tmp doc/t.tmp build build/out build/new sub/x.o sub/y.o
	sub/local.txt sub/deep/local.txt sub/anch sub/deep/anch sub/deep/force.o
	cache cache/c cache/in/d x/y/z/f x/z logs/l q/logs/l dironly dironly.d/f
	n/dironly/f excluded.txt sub/excluded.txt g.global g.xdg abc arx br crx
	missing/dir/f.o ./sub/../a.o)
ci() {  # ci WHAT DIR ARGS...: the same check-ignore in both
	local what=$1 dir=$2 go gr=0 po pr=0; shift 2
	go=$(cd "$g/$dir" && command git check-ignore "$@" 2>&1) || gr=$?
	po=$(cd "$p/$dir" && pmvcs check-ignore "$@" 2>&1) || pr=$?
	expect_eq "check-ignore $what" "$(printf '%s' "$go" | sed 's/\.git\//.pmvcs\//')" "$po"
	expect_eq "check-ignore $what: exit" "$gr" "$pr"
}
ci "plain" . "${paths[@]}"
ci "-v" . -v "${paths[@]}"
ci "-v -n" . -v -n "${paths[@]}"
ci "one not ignored" . a.c
ci "-v negated only" . -v keep.o
ci "-q" . -q a.o
ci "subdir" sub -v x.o y.o local.txt ../a.o deep/anch
ci "no path" .
ci "-n without -v" . -n a.o
# -c core.excludesFile
(cd "$g" && command git -c core.excludesFile="$T/xdgignore" add -A)
gt=$(cd "$g" && command git write-tree); (cd "$g" && command git reset -q)
rm -rf "$p/.pmvcs"; pmvcs init -q "$p"; mkdir -p "$p/.pmvcs/info"
cp "$g/.git/info/exclude" "$p/.pmvcs/info/exclude"
(cd "$p" && pmvcs -c core.excludesFile="$T/xdgignore" commit -q -m c)
expect_eq "-c core.excludesFile: tree" "$gt" "$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')"
echo ok

# --stdin (lines, a C-quoted one), -z (NUL-ended in and out), -n
printf '%s\n' "${paths[@]}" '"sub/\170.o"' > "$T/list"
printf '%s\0' "${paths[@]}" > "$T/listz"
cis() {  # cis WHAT INPUT ARGS...: check-ignore --stdin in both, bytes compared
	local what=$1 in=$2 gr=0 pr=0; shift 2
	(cd "$g" && command git check-ignore --stdin "$@" < "$in" > "$T/go" 2>&1) || gr=$?
	(cd "$p" && pmvcs check-ignore --stdin "$@" < "$in" > "$T/po" 2>&1) || pr=$?
	sed -i 's/\.git\//.pmvcs\//g' "$T/go"
	cmp -s "$T/go" "$T/po" || { od -c "$T/go" | head; od -c "$T/po" | head; fail "check-ignore --stdin $what"; }
	expect_eq "check-ignore --stdin $what: exit" "$gr" "$pr"
}
cis "plain" "$T/list"
cis "-v" "$T/list" -v
cis "-v -n" "$T/list" -v -n
cis "-z" "$T/listz" -z
cis "-z -v -n" "$T/listz" -z -v -n
ci "--stdin with paths" . --stdin a.o
ci "-z without --stdin" . -z a.o
ci "-q two paths" . -q a.o b.o
ci "no path" .
