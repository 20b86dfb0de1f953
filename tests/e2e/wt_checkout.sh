#!/bin/bash
# wt_checkout.sh -- checkout round trip (files equal git's checkout of
# the same commit, modes and symlinks included, emptied dirs removed),
# refusal on local changes (exit 1, nothing changed), -f, -b, detached
# HEAD, untracked files in the way, unknown revision.
source "$(dirname "$0")/lib.sh"

p="$T/p" g="$T/g"
pmvcs init -q "$p"; git init -q "$g"
for d in "$p" "$g"; do
	mkdir -p "$d/dir/sub" "$d/keep"
	echo a > "$d/a"; echo s > "$d/dir/sub/s"; echo k > "$d/keep/k"
	echo e > "$d/exe"; chmod +x "$d/exe"; ln -s a "$d/lnk"; : > "$d/empty"
done
(cd "$p" && pmvcs commit -q -m A); (cd "$g" && git add -A && git commit -qm A)
for d in "$p" "$g"; do
	echo a2 > "$d/a"; rm -r "$d/dir"; chmod -x "$d/exe"; rm "$d/lnk"; echo f > "$d/lnk"
	mkdir -p "$d/new/deep"; echo n > "$d/new/deep/n"; ln -s ../a "$d/new/l"
done
(cd "$p" && pmvcs commit -q -m B); (cd "$g" && git add -A && git commit -qm B)
A=$(git -C "$g" rev-parse HEAD~1)

# snapshot DIR -- file list with types, modes and contents
snapshot() {
	(cd "$1" && find . \( -name .git -o -name .pmvcs \) -prune -o -print | LC_ALL=C sort |
	 while read -r f; do
		if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
		elif [ -d "$f" ]; then echo "$f/"
		else echo "$f $(stat -c %a "$f") $(md5sum < "$f" | cut -c1-8)"; fi
	 done)
}
expect_eq "B trees" "$(snapshot "$g")" "$(snapshot "$p")"

# detached checkout of A
(cd "$p" && pmvcs checkout HEAD~1 2> "$T/err")
grep -q "^HEAD is now at ${A:0:7} A$" "$T/err" || fail "detached message: $(cat "$T/err")"
git -C "$g" checkout -q "$A"
expect_eq "A files" "$(snapshot "$g")" "$(snapshot "$p")"
expect_eq "A status" "" "$(cd "$p" && pmvcs status -s)"
[ ! -e "$p/new" ] || fail "emptied directory new/ was not removed"

# back to master
(cd "$p" && pmvcs checkout master 2> "$T/err")
grep -q "Switched to branch 'master'" "$T/err" || fail "switch message"
git -C "$g" checkout -q master
expect_eq "B again" "$(snapshot "$g")" "$(snapshot "$p")"

# local change to a file that differs between B and A: refused, exit 1
echo dirty >> "$p/a"
before=$(snapshot "$p")
expect_rc 1 bash -c "cd '$p' && '$PMVCS' checkout HEAD~1 2> '$T/err'"
grep -q "error: Your local changes to the following files would be overwritten by checkout:" "$T/err" ||
	fail "refusal message: $(cat "$T/err")"
grep -q "$(printf '^\ta$')" "$T/err" || fail "refusal lists the path"
expect_eq "nothing changed" "$before" "$(snapshot "$p")"
expect_eq "HEAD unchanged" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD | head -1)"

# a local change to a file both trees agree on is carried over
(cd "$p" && pmvcs checkout -f master 2>/dev/null)
echo local >> "$p/keep/k"
(cd "$p" && pmvcs checkout -q HEAD~1)
grep -q local "$p/keep/k" || fail "local change to keep/k lost"
(cd "$p" && pmvcs checkout -q master)

# -f discards local changes
echo dirty >> "$p/a"
(cd "$p" && pmvcs checkout -q -f HEAD~1)
git -C "$g" checkout -q "$A"
expect_eq "forced A" "$(snapshot "$g")" "$(snapshot "$p")"

# untracked file in the way of a file of the target: refused
(cd "$p" && pmvcs checkout -q master)
git -C "$g" checkout -q master
(cd "$p" && pmvcs checkout -q -b side HEAD~1)
mkdir -p "$p/new/deep"; echo mine > "$p/new/deep/n"
expect_rc 1 bash -c "cd '$p' && '$PMVCS' checkout master 2> '$T/err'"
grep -q "untracked working tree files would be overwritten" "$T/err" || fail "untracked msg"
rm -r "$p/new"

# -b creates and switches; the branch list shows it
(cd "$p" && pmvcs checkout -q master && pmvcs checkout -b topic 2> "$T/err")
grep -q "Switched to a new branch 'topic'" "$T/err" || fail "-b message"
expect_eq "branches" "  master
  side
* topic" "$(cd "$p" && pmvcs branch)"
expect_rc 128 bash -c "cd '$p' && '$PMVCS' checkout -b topic 2>/dev/null"

# unknown revision: exit 1 (as git's pathspec error), nothing changed
before=$(snapshot "$p")
expect_rc 1 bash -c "cd '$p' && '$PMVCS' checkout no-such-branch 2> '$T/err'"
grep -q "no-such-branch" "$T/err" || fail "unknown revision message"
expect_eq "unchanged after unknown" "$before" "$(snapshot "$p")"
# no temp files left behind
[ -z "$(find "$p" -name '.pmvcs-tmp-*')" ] || fail "temp files left"

# into an emptied tree: new directories are built under temp names and
# renamed into place; the result equals git's, status is clean from the
# stat cache (its cached tree), no temp names are left
git -C "$g" checkout -q master
(cd "$p" && pmvcs checkout -q -f master)
find "$p" -mindepth 1 -maxdepth 1 ! -name .pmvcs -exec rm -rf {} +
(cd "$p" && pmvcs checkout -q -f master) || fail "checkout into empty tree"
expect_eq "empty -> master" "$(snapshot "$g")" "$(snapshot "$p")"
[ -z "$(find "$p" -name '.pmvcs-tmp-*')" ] || fail "temp dirs left"
expect_eq "status after checkout" "" "$(cd "$p" && pmvcs status -s)"
# a file where a new directory goes is replaced (force)
rm -rf "$p/new"; echo x > "$p/new"
(cd "$p" && pmvcs checkout -q -f master) || fail "checkout over a file"
expect_eq "file -> dir" "$(snapshot "$g")" "$(snapshot "$p")"
echo ok
