#!/bin/bash
# wt_undo.sh -- reset --soft/--mixed/--hard and commit --amend as git's:
# the same branch ids, files, stdout, stderr, exit codes and reflog lines
# (pmvcs reflog vs git reflog), and "reset --hard HEAD@{1}" undoes a
# reset. Without an index --soft and --mixed only move the branch; the
# twin git repository runs "git add -A" before each comparison (before a
# reset "git add -u": a file no commit has stays untracked in both) so
# that its index is the working tree, as pmvcs has it (docs/undo.md).
source "$(dirname "$0")/lib.sh"
g="$T/g" p="$T/p"
git init -q "$g"; pmvcs init -q "$p"
# both CMD...: the same command in both repositories (git after add -A),
# stdout, stderr and exit code compared
both() {
	local gr=0 pr=0
	(cd "$g" && git add ${ADD:--A} && git "$@" >"$T/go" 2>"$T/ge") || gr=$?
	(cd "$p" && pmvcs "$@" >"$T/po" 2>"$T/pe") || pr=$?
	expect_eq "$*: exit" "$gr" "$pr"
	expect_eq "$*: stdout" "$(cat "$T/go")" "$(cat "$T/po")"
	expect_eq "$*: stderr" "$(sed 's/^usage: git/usage: pmvcs/' "$T/ge")" "$(cat "$T/pe")"
}
# same WHAT: HEAD, the files and the reflog agree
same() {
	expect_eq "$1: HEAD" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD)"
	expect_eq "$1: files" "$(cd "$g" && find . -path ./.git -prune -o -type f -print | sort | xargs md5sum)" \
		"$(cd "$p" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)"
	expect_eq "$1: reflog" "$(cd "$g" && git reflog)" "$(cd "$p" && pmvcs reflog)"
	expect_eq "$1: branch reflog" "$(cd "$g" && git reflog master)" "$(cd "$p" && pmvcs reflog master)"
}
# put PATH TEXT: write a file in both
put() { mkdir -p "$g/$(dirname "$1")" "$p/$(dirname "$1")"; printf '%s\n' "$2" >"$g/$1"; printf '%s\n' "$2" >"$p/$1"; }
# del PATH: remove it in both
del() { rm -f "$g/$1" "$p/$1"; }

put a one; put d/b bee; put d/c sea
both commit -q -m one
put a two; put d/b bee2; put d/new new
both commit -q -m two
put a three; del d/c
both commit -m three
same "commits"

# --mixed (the default) keeps the files; git lists them as unstaged
ADD=-u both reset HEAD~1
same "reset"
(cd "$p/d" && pmvcs commit -q -m "three again")
(cd "$g" && git add -A && git commit -q -m "three again")
same "commit after reset"
ADD=-u both reset --soft HEAD~2
same "reset --soft"
# what --soft leaves staged in git is just changed files in pmvcs: files
# only the old commit had are untracked, as after git's --mixed
(cd "$g" && git read-tree HEAD)
ADD=-u both reset --hard
same "reset --hard (HEAD)"
ADD=-u both reset --hard HEAD@{1}
same "reset --hard HEAD@{1} undoes the reset"
# local changes and a file of the target that is untracked here are
# overwritten; a file neither tree has stays
put a local; put u untracked; del d/b
ADD=-u both reset --hard HEAD~1
same "reset --hard over local changes"
ADD=-u both reset -q --hard master@{2}
same "reset -q --hard master@{2}"
ADD=-u both reset --mixed -q HEAD~1
same "reset -q"
ADD=-u both reset --hard ORIG_HEAD_nope
ADD=-u both reset --hard -- a
ADD=-u both reset --soft HEAD a
# the usage lists only what pmvcs takes: the error line and exit agree
expect_rc 129 bash -c "cd '$p' && '$PMVCS' reset --bogus 2>'$T/pe'"
expect_rc 129 bash -c "cd '$g' && command git reset --bogus 2>'$T/ge'"
expect_eq "reset --bogus" "$(head -1 "$T/ge")" "$(head -1 "$T/pe")"
same "refusals change nothing"

# commit --amend: HEAD's parents, author (and date) and, without -m,
# message; git's summary with " Author:" and " Date:"; "commit (amend)"
put a amended
both commit --amend -m "amended" -m "with a body"
same "--amend -m"
both commit --amend --no-edit
same "--amend --no-edit"
put d/e more
both commit -q --amend --no-edit --author "Other One <other@example.com>"
same "--amend --author"
both commit --allow-empty --allow-empty-message -m ""
same "--allow-empty-message"
both commit --allow-empty -m "" 
both reset --hard HEAD@{1}
same "reset undoes an amend"

# detached HEAD: reset moves HEAD itself
id=$(git -C "$g" rev-parse HEAD)
(cd "$g" && git checkout -q "$id") ; (cd "$p" && pmvcs checkout -q "$id")
ADD=-u both reset --hard "$(git -C "$g" rev-parse master@{3})"
expect_eq "detached HEAD" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD)"
expect_eq "detached: reflog" "$(cd "$g" && git reflog | head -3)" "$(cd "$p" && pmvcs reflog | head -3)"
expect_eq "master stays" "$(git -C "$g" rev-parse master)" "$(cd "$p" && pmvcs rev-parse master)"
fsck_ok "$p" "resets"

# a revision with a path git refuses to write: git's refusal, nothing
# written, HEAD where it was
bad='commit refs/heads/bad\ncommitter C <c@d> 1700000000 +0000\ndata 0\nfrom master\nM 100644 inline .git/x\ndata 3\nok\n\n'
(cd "$g" && git checkout -q master && printf "$bad" | git fast-import --quiet)
(cd "$p" && pmvcs checkout -q master && printf "$bad" | pmvcs fast-import --quiet)
before=$(cd "$p" && find . -path ./.pmvcs -prune -o -print | sort)
ADD=-u both reset --hard bad
same "reset --hard to an invalid path"
expect_eq "nothing written" "$before" "$(cd "$p" && find . -path ./.pmvcs -prune -o -print | sort)"
echo ok
