#!/bin/bash
# rd_reflog_gc.sh -- gc keeps what reflogs name and what is younger than
# the grace period, as git gc does: after each step the objects left
# (`cat-file --batch-all-objects --batch-check`) are git's, byte for byte.
# branch -D / tag -d then gc keeps the work; gc --prune=now keeps what a
# reflog names; reflog expire --expire=now --all then gc --prune=now
# drops it.
source "$(dirname "$0")/lib.sh"

# recent dates: entries younger than gc's 90/30-day reflog expiry
now=$(date +%s)
export GIT_AUTHOR_DATE="$now +0100" GIT_COMMITTER_DATE="$now +0100"
p="$T/p" g="$T/g"
objects_eq() {
	[ -z "${VERBOSE:-}" ] || echo "$1: $(cd "$p" && pmvcs cat-file --batch-all-objects --batch-check | wc -l)"
	expect_eq "objects after $1" \
		"$(cd "$g" && git cat-file --batch-all-objects --batch-check)" \
		"$(cd "$p" && pmvcs cat-file --batch-all-objects --batch-check)"
}
both() {
	(cd "$g" && git "$@") >/dev/null 2>&1
	(cd "$p" && pmvcs "$@") >/dev/null 2>&1
}
commit_both() {
	echo "$2" >"$g/f"; echo "$2" >"$p/f"
	(cd "$g" && git add -A && git commit -q -m "$1")
	(cd "$p" && pmvcs commit -q -m "$1")
}
pmvcs init -q "$p"; git init -q "$g"
commit_both one 1
both branch topic
both checkout -q topic
commit_both two 2
commit_both three 3
both checkout -q master
both branch -D topic
# a tag on a detached commit, then deleted
both checkout -q HEAD~0
commit_both tagged 4
both tag -a t -m "a tag"
both checkout -q master
both tag -d t
gone=$(cd "$g" && git rev-parse HEAD@{1})
objects_eq "branch -D, tag -d"
both gc -q
objects_eq "gc"
(cd "$p" && pmvcs cat-file -e "$gone") || fail "gc dropped the detached commit"
both gc -q --prune=now
objects_eq "gc --prune=now (reflogs name them)"

# fast-import: a branch that HEAD never pointed at, then deleted: only
# the grace period keeps it
(cd "$g" && git checkout -q -b side && echo 5 >f && git add -A &&
 git commit -q -m side && git fast-export refs/heads/side >"$T/stream" &&
 git checkout -q master && git branch -D -q side)
(cd "$g" && git reflog expire --expire=now --all && git gc -q --prune=now)
sed -i 's|refs/heads/side|refs/heads/imp|' "$T/stream"
(cd "$g" && git fast-import --quiet) <"$T/stream"
(cd "$p" && pmvcs fast-import --quiet) <"$T/stream"
(cd "$p" && pmvcs reflog expire --expire=now --all && pmvcs gc -q --prune=now)
objects_eq "expire, prune, fast-import"
both branch -D imp
both gc -q
objects_eq "branch -D of an imported branch, gc"
both gc -q --prune=now
objects_eq "gc --prune=now"
echo ok
