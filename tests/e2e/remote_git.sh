#!/bin/bash
# remote_git.sh -- pmvcs clone/remote/fetch/push against a git repository
# (git is the transport), each compared with plain git doing the same:
# clone's refs and reflog, `remote -v` and remote's errors (messages,
# exit codes), fetch after new commits on the git side ("fetch:
# fast-forward"), push of a commit, a new branch, tags, a delete,
# --force, and a refused push worded and coded as git's. In-process,
# then again with the pmvcs server up.
source "$(dirname "$0")/srv_lib.sh"

# both_rc WHAT DIR_P DIR_G ARGS...: pmvcs in DIR_P and git in DIR_G give
# the same stdout+stderr and exit code
both() {
	local what=$1 p=$2 g=$3 mp mg rp rg; shift 3
	set +e
	mp=$(cd "$p" && pmvcs "$@" 2>&1); rp=$?
	mg=$(cd "$g" && git "$@" 2>&1); rg=$?
	set -e
	expect_eq "$what: exit code" "$rg" "$rp"
	expect_eq "$what" "$mg" "$mp"
}
gcommit() { echo "$2" >"$1/$2.txt"; git -C "$1" add "$2.txt"; git -C "$1" commit -q -m "$2"; }

run() {
	local how=$1 W=$T/$1
	mkdir -p "$W"
	# the remote: a bare git repository with two branches and a tag
	git init -q "$W/seed"
	gcommit "$W/seed" one; gcommit "$W/seed" two
	git -C "$W/seed" branch side HEAD~1
	git -C "$W/seed" tag -a v1 -m "v1" HEAD~1
	git clone -q --bare "$W/seed" "$W/r.git"

	(cd "$W" && pmvcs clone -q r.git p && git clone -q r.git g)
	[ "$how" = served ] && srv_start "$W/p"
	expect_eq "$how: clone refs" "$(git -C "$W/g" show-ref; git -C "$W/g" rev-parse HEAD)" \
		"$(cd "$W/p" && pmvcs show-ref && pmvcs rev-parse HEAD)"
	both "$how: HEAD's reflog" "$W/p" "$W/g" reflog show HEAD
	both "$how: the branch's reflog" "$W/p" "$W/g" reflog show refs/remotes/origin/master
	both "$how: remote -v" "$W/p" "$W/g" remote -v
	both "$how: remote add existing" "$W/p" "$W/g" remote add origin /x
	both "$how: remote remove missing" "$W/p" "$W/g" remote remove nope
	both "$how: remote rename missing" "$W/p" "$W/g" remote rename nope x
	both "$how: remote add" "$W/p" "$W/g" remote add other /y
	both "$how: remote rename" "$W/p" "$W/g" remote rename other other2
	both "$how: remote" "$W/p" "$W/g" remote
	both "$how: remote remove" "$W/p" "$W/g" remote remove other2
	[ -f "$W/p/one.txt" ] && [ -f "$W/p/two.txt" ] || fail "$how: clone checked nothing out"
	fsck_ok "$W/p" "$how: clone"

	# new commits on the git side: fetch brings them, logged as git logs
	git clone -q "$W/r.git" "$W/w"
	gcommit "$W/w" three; git -C "$W/w" push -q
	git -C "$W/w" push -q origin HEAD:refs/heads/newb
	(cd "$W/p" && pmvcs fetch -q)
	git -C "$W/g" fetch -q
	expect_eq "$how: fetched refs" "$(git -C "$W/g" show-ref)" "$(cd "$W/p" && pmvcs show-ref)"
	both "$how: reflog after fetch" "$W/p" "$W/g" reflog show refs/remotes/origin/master
	both "$how: fetch from a remote that is not there" "$W/p" "$W/g" fetch nope

	# push: a commit, a new branch, a tag, a delete
	(cd "$W/p" && pmvcs checkout -q -f origin/master && pmvcs checkout -q -b work &&
		echo four >four.txt && pmvcs commit -q -m four &&
		pmvcs push -q origin work:master work:topic &&
		pmvcs tag -a v2 -m v2 && pmvcs tag light && pmvcs push -q origin v2 light)
	for r in work:master work:topic v2:v2 light:light; do
		expect_eq "$how: pushed $r" "$(cd "$W/p" && pmvcs rev-parse "${r%:*}")" \
			"$(git -C "$W/r.git" rev-parse "${r#*:}")"
	done
	expect_eq "$how: remote-tracking after push" "$(git -C "$W/r.git" rev-parse master)" \
		"$(cd "$W/p" && pmvcs rev-parse origin/master)"
	(cd "$W/p" && pmvcs push -q origin :topic)
	set +e; git -C "$W/r.git" rev-parse -q --verify topic >/dev/null; local rc=$?; set -e
	expect_eq "$how: deleted" 1 $rc

	# refused: the remote moved on; git's words and exit code, then --force
	git -C "$W/g" fetch -q; git -C "$W/g" checkout -q -b work origin/master
	gcommit "$W/g" six
	git -C "$W/w" pull -q; gcommit "$W/w" five; git -C "$W/w" push -q
	(cd "$W/p" && echo six >six.txt && pmvcs commit -q -m six)
	both "$how: refused push" "$W/p" "$W/g" push origin work:master
	(cd "$W/p" && pmvcs push -q --force origin work:master)
	expect_eq "$how: forced" "$(cd "$W/p" && pmvcs rev-parse work)" \
		"$(git -C "$W/r.git" rev-parse master)"
	(cd "$W/r.git" && git fsck --no-dangling >/dev/null) || fail "$how: git fsck"
	fsck_ok "$W/p" "$how: all"
	[ "$how" = served ] && pmvcs -C "$W/p" server stop >/dev/null
	return 0
}

PMVCS_NO_SERVER=1 run inproc
run served
echo ok
