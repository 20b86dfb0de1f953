#!/bin/bash
# wt_diff.sh -- pmvcs diff (working tree vs HEAD, vs a revision, tree vs
# tree; --stat, --name-only, --name-status, --exit-code, --quiet) prints
# what git diff prints for the same changes (git: changes unstaged).
source "$(dirname "$0")/lib.sh"

p="$T/p" g="$T/g"
pmvcs init -q "$p"; git init -q "$g"
for d in "$p" "$g"; do
	mkdir -p "$d/src"
	seq 1 30 > "$d/src/nums"; echo hello > "$d/greet"; echo x > "$d/del"
	echo tc > "$d/tc"; printf 'bin\0x' > "$d/bin"; echo m > "$d/mode"
done
(cd "$p" && pmvcs commit -q -m one)
(cd "$g" && git add -A && git commit -qm one)
expect_rc 0 bash -c "cd '$p' && '$PMVCS' diff --exit-code"
expect_eq "no diff" "" "$(cd "$p" && pmvcs diff)"

for d in "$p" "$g"; do
	sed -i 's/^7$/seven/; s/^25$/twenty-five/' "$d/src/nums"
	printf 'no newline' > "$d/greet"; rm "$d/del"
	rm "$d/tc"; ln -s greet "$d/tc"; printf 'bin\0y' > "$d/bin"; chmod +x "$d/mode"
	echo untracked > "$d/untracked"
done
for opt in "" --stat --name-only --name-status "--stat -p"; do
	expect_eq "diff $opt" "$(cd "$g" && git diff $opt)" "$(cd "$p" && pmvcs diff $opt)"
done
expect_rc 1 bash -c "cd '$p' && '$PMVCS' diff --exit-code > /dev/null"
expect_rc 1 bash -c "cd '$p' && '$PMVCS' diff --quiet"
expect_eq "quiet prints nothing" "" "$(cd "$p" && pmvcs diff --quiet || true)"

# commit the changes, then diff against revisions
(cd "$p" && pmvcs commit -q -m two)
(cd "$g" && git add -A && git commit -qm two)
echo more >> "$p/src/nums"; echo more >> "$g/src/nums"
expect_eq "diff HEAD~1" "$(cd "$g" && git diff HEAD~1)" "$(cd "$p" && pmvcs diff HEAD~1)"
expect_eq "diff HEAD~1 HEAD" "$(cd "$g" && git diff HEAD~1 HEAD)" \
	"$(cd "$p" && pmvcs diff HEAD~1 HEAD)"
expect_eq "diff --stat A B" "$(cd "$g" && git diff --stat HEAD~1 HEAD)" \
	"$(cd "$p" && pmvcs diff --stat HEAD~1 HEAD)"
expect_rc 128 bash -c "cd '$p' && '$PMVCS' diff nosuchrev 2>/dev/null"
echo ok
