#!/bin/bash
# merge_cmds.sh -- pmvcs merge's commands and messages against git's, in
# process and through the server: a conflicted merge (stdout, stderr,
# exit code, conflict file bytes, diff3 with the base's label), status
# during it, merge --continue refused while markers remain and then the
# merge commit with git's id and reflog line, merge --abort, the errors
# (no merge to abort or continue, merge during a merge, unknown
# revision, --ff-only, local changes in the way), "Already up to date.",
# merge-base --is-ancestor.
source "$(dirname "$0")/srv_lib.sh"

p="$T/p" g="$T/g"
gitm() { git -c merge.renames=false "$@"; }
both() { (cd "$p" && eval "$1"); (cd "$g" && eval "$1"); }
ci() { (cd "$p" && pmvcs commit -q -m "$1"); (cd "$g" && git add -A && git commit -qm "$1"); }
# cmp_run WHAT ARGS: "pmvcs ARGS" and "git ARGS" give the same output and code
cmp_run() {
	local what=$1 pr gr po go; shift
	set +e
	po=$(cd "$p" && pmvcs "$@" 2>"$T/pe"); pr=$?
	go=$(cd "$g" && gitm "$@" 2>"$T/ge"); gr=$?
	set -e
	expect_eq "$what: stdout" "$go" "$po"
	expect_eq "$what: stderr" "$(cat "$T/ge")" "$(cat "$T/pe")"
	expect_eq "$what: exit code" "$gr" "$pr"
}
trees_eq() { diff -r -x .git -x .pmvcs "$p" "$g" >&2 || fail "$1: work trees differ"; }

scenario() {  # scenario MODE: the whole story once
	rm -rf "$p" "$g"
	pmvcs init -q "$p"; git init -q "$g"
	[ "$1" = served ] && srv_start "$p"
	both "printf '1\n2\n3\n4\n5\n' > f; echo x > g; echo keep > k"
	ci base
	(cd "$p" && pmvcs branch side && pmvcs checkout -q -b topic)
	(cd "$g" && git branch side && git checkout -q -b topic)
	both "sed -i 1s/1/ONE/ f; echo mod > g; echo 6 >> f"; ci ours
	(cd "$p" && pmvcs checkout -q side); (cd "$g" && git checkout -q side)
	both "sed -i 1s/1/one/ f; rm g; echo new > n"; ci theirs
	(cd "$p" && pmvcs checkout -q topic); (cd "$g" && git checkout -q topic)

	cmp_run "up to date" merge topic~1
	cmp_run "ff-only refused" merge --ff-only side
	cmp_run "unknown revision" merge nope
	cmp_run "abort without merge" merge --abort
	cmp_run "is-ancestor yes" merge-base --is-ancestor side~1 topic
	cmp_run "is-ancestor no" merge-base --is-ancestor side topic
	cmp_run "merge-base" merge-base side topic
	both "echo dirty >> f"
	cmp_run "local changes in the way" merge side
	both "sed -i '\$d' f"

	both "git config merge.conflictStyle diff3 2>/dev/null || pmvcs config merge.conflictStyle diff3"
	cmp_run "conflicted merge" merge side
	trees_eq "after the conflicted merge"
	grep -q '^||||||| [0-9a-f]\{7\}$' "$p/f" || fail "no diff3 base label in f"
	expect_eq "status --short: the conflict" \
		"$(cd "$g" && git status --short | grep '^UU')" \
		"$(cd "$p" && pmvcs status --short | grep '^UU')"
	(cd "$p" && pmvcs status) | grep -q '^You have unmerged paths\.$' ||
		fail "status does not show the merge"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' merge side >/dev/null 2>&1"
	set +e
	(cd "$p" && pmvcs merge --continue >"$T/out" 2>"$T/err"); rc=$?
	set -e
	expect_eq "continue refused: code" 128 "$rc"
	expect_eq "continue refused: stdout" "U	f" "$(cat "$T/out")"
	grep -q '^fatal: Exiting because of an unresolved conflict\.$' "$T/err" ||
		fail "continue refused: $(cat "$T/err")"

	both "printf 'ONE one\n2\n3\n4\n5\n6\n' > f"
	(cd "$p" && pmvcs status) | grep -q '^All conflicts fixed but you are still merging\.$' ||
		fail "status after the fix"
	(cd "$g" && git add -A && GIT_EDITOR=true git merge --continue >"$T/gout")
	(cd "$p" && pmvcs merge --continue >"$T/pout")
	expect_eq "continue: first line" "$(head -1 "$T/gout")" "$(cat "$T/pout")"
	expect_eq "merge commit" "$(cd "$g" && git rev-parse HEAD)" \
		"$(cd "$p" && pmvcs rev-parse HEAD)"
	expect_eq "reflog" "$(cd "$g" && git reflog | head -3)" "$(cd "$p" && pmvcs reflog | head -3)"
	cmp_run "continue without merge" merge --continue

	# abort: back to the tree before the merge
	both "git reset -q --hard HEAD~1 2>/dev/null || pmvcs checkout -q -f HEAD~1"
	(cd "$p" && pmvcs branch -f topic HEAD && pmvcs checkout -q topic) 2>/dev/null || :
	(cd "$g" && git checkout -q -B topic)
	expect_eq "reset for abort" "$(cd "$g" && git rev-parse HEAD)" \
		"$(cd "$p" && pmvcs rev-parse HEAD)"
	cmp_run "conflicted merge again" merge side
	# the record and what it names survive fsck and gc
	fsck_ok "$p" "a conflicted merge ($1)"
	(cd "$p" && pmvcs gc -q --prune=now)
	fsck_ok "$p" "gc during a merge ($1)"
	cmp_run "abort" merge --abort
	trees_eq "after abort"
	expect_eq "status after abort" "$(cd "$g" && git status --short)" \
		"$(cd "$p" && pmvcs status --short)"
	fsck_ok "$p" "merge ($1)"
	[ "$1" = served ] && "$PMVCS" -C "$p" server stop >/dev/null
	echo "merge commands equal to git ($1)"
}
PMVCS_NO_SERVER=1 scenario in-process
scenario served
