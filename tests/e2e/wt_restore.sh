#!/bin/bash
# wt_restore.sh -- restore [--source=REV] PATH... and checkout [REV] --
# PATH... as git's: the same files, status, stdout, stderr and exit codes
# (pathspec errors, directories, globs, paths relative to a subdirectory,
# restore removing what the source lacks, checkout keeping it). The twin
# git repository's index is HEAD's tree before each command: pmvcs's
# "index" (docs/undo.md).
source "$(dirname "$0")/lib.sh"
g="$T/g" p="$T/p"
git init -q "$g"; pmvcs init -q "$p"
# both DIR CMD...: the same command in DIR of both repositories
both() {
	local d=$1 gr=0 pr=0; shift
	(cd "$g" && git read-tree HEAD && { git update-index -q --refresh || :; }) || fail "read-tree"
	(cd "$g/$d" && git "$@" >"$T/go" 2>"$T/ge") || gr=$?
	(cd "$p/$d" && pmvcs "$@" >"$T/po" 2>"$T/pe") || pr=$?
	expect_eq "$*: exit" "$gr" "$pr"
	expect_eq "$*: stdout" "$(cat "$T/go")" "$(cat "$T/po")"
	expect_eq "$*: stderr" "$(cat "$T/ge")" "$(cat "$T/pe")"
	expect_eq "$*: files" "$(cd "$g" && find . -path ./.git -prune -o -type f -print | sort | xargs md5sum)" \
		"$(cd "$p" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)"
	(cd "$g" && git read-tree HEAD)
	expect_eq "$*: status" "$(cd "$g" && git status --short)" "$(cd "$p" && pmvcs status --short)"
	expect_eq "$*: HEAD" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD)"
}
put() { mkdir -p "$g/$(dirname "$1")" "$p/$(dirname "$1")"; printf '%s\n' "$2" >"$g/$1"; printf '%s\n' "$2" >"$p/$1"; }
del() { rm -f "$g/$1" "$p/$1"; }
commit() { (cd "$g" && git add -A && git commit -q -m "$1"); (cd "$p" && pmvcs commit -q -m "$1"); }

put a one; put d/b bee; put d/c sea; put x.c ex; put d/s/y.c why
commit one
put a two; put d/b bee2; put d/new new; del d/c
commit two

# restore from HEAD: changes and deletions undone, untracked files kept
put a local; put d/b local; del d/new; put u untracked
both . restore a d/new
both . restore d
put x.c local; put d/s/y.c local; put a local
both . restore '*.c'
both d restore ../a
both . restore nope a
both . restore nope1 nope2
both . restore u
both . restore
both . restore --source=nope a
# --source: the revision's files; what it lacks is removed (no overlay)
both . restore --source=HEAD~1 d
both . restore d
both . restore --source=HEAD~1 d/new
both . restore -s HEAD d/new
both d restore --source=HEAD~1 .
both . restore -W --source=HEAD .

# checkout REV -- PATH: overlay (what REV lacks stays), pathspec errors
both . checkout HEAD~1 -- d
both . checkout HEAD -- d
both . checkout HEAD~1 -- d/new
both . checkout HEAD~1 -- nope a
put a local; del d/b
both . checkout -- a d/b
put x.c local
both . checkout -- '*c'
both d checkout HEAD~1 -- s ../a
both . checkout nope -- a
both . checkout HEAD~1 a
both . checkout HEAD d
put d/b local; put d/s/y.c local
both d checkout b s
both . checkout -q HEAD~1 a d
both . checkout -- nope
expect_eq "reflog untouched" "$(cd "$g" && git reflog)" "$(cd "$p" && pmvcs reflog)"
fsck_ok "$p" "restores"
echo ok
