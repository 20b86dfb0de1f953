#!/bin/bash
# remote_helper.sh -- git-remote-pmvcs with real git, against the same
# history in a plain bare git repository: clone gives the same refs and
# ids; a fetch after one new pmvcs commit transfers only it; pull; push of
# a commit, a new branch, tags, a delete, --force; a refused push prints
# git's own words and exit code (fetch first, non-fast-forward); a helper
# killed (-9) mid-fetch leaves nothing a second fetch trips on, and both
# fsck's are clean. Run in-process, then again with the pmvcs server up.
# streams: gen shared
source "$(dirname "$0")/srv_lib.sh"
BIN=${PMVCS%/*}
[ -x "$BIN/git-remote-pmvcs" ] || fail "git-remote-pmvcs is not built beside $PMVCS"
export PATH="$BIN:$PATH"
use_streams small

# same_refs WHAT A B: git for-each-ref of two clones, remote names aside
refs_in() { command git -C "$1" for-each-ref --format='%(objectname) %(refname)' refs/heads refs/remotes refs/tags; }
# marks DIR: lines of the clone's helper marks file
marks() { wc -l <"$1/.git/pmvcs/origin/git.marks"; }

# same_push WHAT W P G: `git push` in the pmvcs clone c1 and in the git
# clone c2 fail alike: same exit code, same words (the URLs aside)
same_push() {
	local m1 m2 r1 r2
	set +e
	m1=$(git -C "$2/c1" push 2>&1); r1=$?
	m2=$(git -C "$2/c2" push 2>&1); r2=$?
	set -e
	expect_eq "$1: exit" "$r2" "$r1"
	expect_eq "$1" "${m2//$4/URL}" "${m1//pmvcs::$3/URL}"
}

run() {
	local how=$1 P=$T/$1/p G=$T/$1/g.git W=$T/$1 rc
	mkdir -p "$W"
	pmvcs init -q "$P"
	(cd "$P" && pmvcs fast-import --quiet <"$T/small.fe" && pmvcs checkout -q "$MAIN")
	git init -q --bare "$G"
	git -C "$G" fast-import --quiet <"$T/small.fe"
	git -C "$G" symbolic-ref HEAD "refs/heads/$MAIN"
	[ "$how" = served ] && srv_start "$P"
	# what a fetch sends: the excluded history named by id, as git does
	for range in "$MAIN ^$MAIN~3" "$MAIN ^$MAIN~1" \
		"--tag-of-filtered-object=drop --all ^$MAIN"; do
		expect_eq "$how: fast-export --reference-excluded-parents $range" \
			"$(git -C "$G" fast-export --reference-excluded-parents $range)" \
			"$(pmvcs -C "$P" fast-export --reference-excluded-parents $range)"
	done

	# clone both ways: same refs, same ids
	git clone -q "pmvcs::$P" "$W/c1"
	git clone -q "$G" "$W/c2"
	expect_eq "$how: clone refs" "$(refs_in "$W/c2")" "$(refs_in "$W/c1")"
	expect_eq "$how: clone HEAD" "$(git -C "$W/c2" rev-parse HEAD)" "$(git -C "$W/c1" rev-parse HEAD)"
	(cd "$W/c1" && git fsck --no-dangling >/dev/null) || fail "$how: git fsck after clone"

	# one new pmvcs commit: the fetch moves only it (a blob and a commit)
	echo new >"$P/remote-new.txt"
	(cd "$P" && pmvcs commit -q -m "on the pmvcs side")
	local before; before=$(marks "$W/c1")
	git -C "$W/c1" fetch -q
	expect_eq "$how: fetched tip" "$(pmvcs -C "$P" rev-parse "$MAIN")" \
		"$(git -C "$W/c1" rev-parse "origin/$MAIN")"
	expect_eq "$how: objects sent for one commit" 2 $(( $(marks "$W/c1") - before ))
	git -C "$W/c1" pull -q --ff-only
	expect_eq "$how: pull" "$(pmvcs -C "$P" rev-parse "$MAIN")" "$(git -C "$W/c1" rev-parse HEAD)"

	# push: a commit, a new branch, an annotated and a light tag, a delete
	echo mine >"$W/c1/mine.txt"
	git -C "$W/c1" add mine.txt
	git -C "$W/c1" commit -q -m "from git"
	git -C "$W/c1" push -q
	git -C "$W/c1" branch topic-x HEAD~1
	git -C "$W/c1" tag -a v-x -m "tagged from git"
	git -C "$W/c1" tag light-x HEAD~1
	git -C "$W/c1" push -q origin topic-x v-x light-x
	for r in "refs/heads/$MAIN" refs/heads/topic-x refs/tags/v-x refs/tags/light-x; do
		expect_eq "$how: pushed $r" "$(git -C "$W/c1" rev-parse "$r")" \
			"$(pmvcs -C "$P" show-ref -s "$r")"
	done
	git -C "$W/c1" push -q origin :topic-x
	set +e; pmvcs -C "$P" show-ref refs/heads/topic-x >/dev/null; rc=$?; set -e
	expect_eq "$how: deleted branch" 1 $rc
	fsck_ok "$P" "$how: pushes"

	# refused pushes, worded as git words them for a git remote
	echo theirs >"$P/theirs.txt"
	(cd "$P" && pmvcs commit -q -m "theirs")
	git clone -q "$G" "$W/c3"
	echo theirs >"$W/c3/theirs.txt"; git -C "$W/c3" add theirs.txt
	git -C "$W/c3" commit -q -m theirs; git -C "$W/c3" push -q
	for c in c1 c2; do
		echo ours >"$W/$c/ours.txt"; git -C "$W/$c" add ours.txt
		git -C "$W/$c" commit -q -m ours
	done
	same_push "$how: fetch first" "$W" "$P" "$G"
	git -C "$W/c1" fetch -q; git -C "$W/c2" fetch -q
	same_push "$how: non-fast-forward" "$W" "$P" "$G"
	git -C "$W/c1" push -q --force
	expect_eq "$how: forced" "$(git -C "$W/c1" rev-parse HEAD)" "$(pmvcs -C "$P" rev-parse "$MAIN")"

	# killed mid-fetch (after the first commit of the stream went out)
	for i in 1 2 3; do
		echo "$i" >"$P/k$i.txt"
		(cd "$P" && pmvcs commit -q -m "k$i")
	done
	set +e
	PMVCS_TEST_KILL_AFTER_COMMITS=1 git -C "$W/c1" fetch -q >/dev/null 2>&1; rc=$?
	set -e
	[ $rc -ne 0 ] || fail "$how: the killed fetch succeeded"
	git -C "$W/c1" fetch -q
	expect_eq "$how: fetch after the kill" "$(pmvcs -C "$P" rev-parse "$MAIN")" \
		"$(git -C "$W/c1" rev-parse "origin/$MAIN")"
	(cd "$W/c1" && git fsck --no-dangling >/dev/null) || fail "$how: git fsck after the kill"
	# and the marks git kept still serve a push
	git -C "$W/c1" pull -q --ff-only
	echo after >"$W/c1/after.txt"; git -C "$W/c1" add after.txt
	git -C "$W/c1" commit -q -m after; git -C "$W/c1" push -q
	expect_eq "$how: push after the kill" "$(git -C "$W/c1" rev-parse HEAD)" \
		"$(pmvcs -C "$P" rev-parse "$MAIN")"
	fsck_ok "$P" "$how: all"
	[ "$how" = served ] && pmvcs -C "$P" server stop >/dev/null
	return 0
}

PMVCS_NO_SERVER=1 run inproc
run served
echo ok
