#!/bin/bash
# wt_status.sh -- pmvcs status --short equals git status --short (after
# git add -A of HEAD's state, changes are unstaged) for modified, deleted,
# type-changed, mode-changed, untracked files and directories, quoted
# names and ignored files; the long format's lines match git's; the stat
# cache never hides a change.
source "$(dirname "$0")/lib.sh"

p="$T/p" g="$T/g"
pmvcs init -q "$p"; git init -q "$g"
for d in "$p" "$g"; do
	mkdir -p "$d/a/b" "$d/c"
	echo 1 > "$d/a/b/f"; echo 2 > "$d/a/g"; echo 3 > "$d/c/h"; echo 4 > "$d/top"
	echo 5 > "$d/exe"; echo 6 > "$d/willlink"; echo 7 > "$d/gone"
	printf 'ign*\n' > "$d/.pmvcsignore"; cp "$d/.pmvcsignore" "$d/.gitignore"
done
(cd "$p" && pmvcs commit -q -m base)
(cd "$g" && git add -A && git commit -qm base)

expect_eq "clean short" "" "$(cd "$p" && pmvcs status --short)"
expect_eq "clean long" "$(cd "$g" && git status | grep -v '^  (')" \
	"$(cd "$p" && pmvcs status | grep -v '^  (')"

for d in "$p" "$g"; do
	echo changed >> "$d/a/b/f"          # modified
	rm "$d/gone"                        # deleted
	chmod +x "$d/exe"                   # mode change
	rm "$d/willlink"; ln -s top "$d/willlink"  # type change
	echo new > "$d/a/new"               # untracked file in tracked dir
	mkdir -p "$d/newdir/sub"; echo x > "$d/newdir/sub/x"  # untracked dir
	echo q > "$d/$(printf 'caf\xc3\xa9 "q"')"  # quoted name
	echo i > "$d/ignored.txt"           # ignored
	mkdir "$d/emptydir"                 # empty dirs are not shown
done
want=$(cd "$g" && git status --short)
expect_eq "short" "$want" "$(cd "$p" && pmvcs status --short)"
expect_eq "porcelain" "$(cd "$g" && git status --porcelain)" \
	"$(cd "$p" && pmvcs status --porcelain)"
expect_eq "-s -uno" "$(cd "$g" && git status -s -uno)" "$(cd "$p" && pmvcs status -s -uno)"
expect_eq "-s -uall" "$(cd "$g" && git status -s -uall)" "$(cd "$p" && pmvcs status -s -uall)"
# long format: git's lines without the hint lines, which differ
filt() { grep -v '^  (' | grep -v '^no changes added\|^nothing added'; }
expect_eq "long" "$(cd "$g" && git status | filt)" "$(cd "$p" && pmvcs status | filt)"
# second run uses the stat cache and must give the same answer
expect_eq "short again" "$want" "$(cd "$p" && pmvcs status --short)"

# same size, same second: the cache must not hide the change (racy git)
(cd "$p" && pmvcs commit -q -m two)
(cd "$g" && git add -A && git commit -qm two)
expect_eq "clean after commit" "" "$(cd "$p" && pmvcs status -s)"
echo 1 > "$p/top"; echo 1 > "$g/top"   # "4" -> "1": same size
expect_eq "same-size change" "$(cd "$g" && git status -s)" "$(cd "$p" && pmvcs status -s)"
expect_eq "same-size change again" " M top" "$(cd "$p" && pmvcs status -s)"
touch -d '2001-01-01' "$p/top"          # even with an old mtime, ctime differs
expect_eq "old mtime" " M top" "$(cd "$p" && pmvcs status -s)"

# from a subdirectory, still whole-tree, paths relative to it (git's)
expect_eq "subdir" " M ../top" "$(cd "$p/a" && pmvcs status -s)"
expect_eq "subdir, porcelain" " M top" "$(cd "$p/a" && pmvcs status --porcelain)"

# unborn branch: everything untracked
u="$T/u" ug="$T/ug"; pmvcs init -q "$u"; git init -q "$ug"
for d in "$u" "$ug"; do echo a > "$d/a"; mkdir "$d/d"; echo b > "$d/d/b"; done
expect_eq "unborn short" "$(cd "$ug" && git status -s)" "$(cd "$u" && pmvcs status -s)"
expect_eq "unborn long" "$(cd "$ug" && git status | filt)" "$(cd "$u" && pmvcs status | filt)"
cd "$p" && expect_rc 129 pmvcs status --bogus 2>/dev/null
echo ok
