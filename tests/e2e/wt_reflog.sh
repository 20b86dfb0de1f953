#!/bin/bash
# wt_reflog.sh -- reflogs as git keeps them: the same commit / branch /
# checkout / fast-import sequence in git and pmvcs gives byte-identical
# `reflog` output and `@{N}` resolution; branch -D drops the branch's log
# but HEAD's keeps its entries; reflog expire and delete as git's.
source "$(dirname "$0")/lib.sh"

p="$T/p" g="$T/g"
# both SPEC...: run one command in git and in pmvcs; stdout, stderr and
# exit code must be identical (git's "fatal: " is pmvcs's "pmvcs: ", and
# pmvcs prints no "Use '--' to separate" hint)
both() {
	local rg=0 rp=0
	(cd "$g" && git "$@") >"$T/g.out" 2>"$T/g.err" || rg=$?
	(cd "$p" && pmvcs "$@") >"$T/p.out" 2>"$T/p.err" || rp=$?
	expect_eq "stdout of '$*'" "$(cat "$T/g.out")" "$(cat "$T/p.out")"
	expect_eq "stderr of '$*'" "$(sed -e 's/^fatal: /pmvcs: /' \
		-e "/^Use '--' to separate/d" -e "/^'git <command>/d" "$T/g.err")" \
		"$(cat "$T/p.err")"
	expect_eq "exit code of '$*'" "$rg" "$rp"
}
# commit_both MSG CONTENT: the same commit in both
commit_both() {
	echo "$2" >"$g/f"; echo "$2" >"$p/f"
	(cd "$g" && git add -A && git commit -q -m "$1")
	(cd "$p" && pmvcs commit -q -m "$1")
}

for fmt in sha1 sha256; do
	rm -rf "$p" "$g"
	pmvcs init -q --object-format=$fmt "$p"; git init -q --object-format=$fmt "$g"
	commit_both "first one" 1
	both branch topic
	both checkout -q topic
	commit_both "second
with a body" 2
	both checkout -q master
	both checkout -q topic~0
	both checkout -q master
	both checkout -q master
	both checkout -q -b nb HEAD~0
	commit_both "on nb" 3
	both checkout -q master
	both branch -f nb topic
	both branch moved nb
	both tag t1 topic

	both reflog
	both reflog show
	both reflog show HEAD
	both reflog topic
	both reflog show nb
	both reflog refs/heads/topic
	both reflog show t1
	both reflog show moved
	both reflog show nosuch
	both rev-parse HEAD@{1} topic@{1} @{0} master@{0} nb@{2} 'HEAD@{2}^{tree}' \
		'HEAD@{1}~1' 'topic@{0}:f' @@{0} refs/heads/topic@{1}
	both rev-parse @{3}
	both rev-parse --verify nosuch@{0}
	both rev-parse --verify t1@{0}
	both rev-parse 'HEAD@{99}'
	both log --oneline -1 'HEAD@{4}'
	both reflog exists refs/heads/topic
	both reflog exists topic
	# the records behind the log are no objects: not listed, not named
	both cat-file --batch-all-objects --batch-check
	both fsck

	# a detached commit logs to HEAD only
	both checkout -q HEAD~0
	commit_both "detached" 4
	both checkout -q master
	both reflog

	# deleting a branch deletes its log; HEAD's log keeps what it names
	both branch -D topic
	both reflog show topic
	both reflog
	both rev-parse HEAD@{8}

	# expire and delete rewrite the log
	both reflog delete HEAD@{1} 'nb@{0}'
	both reflog
	both reflog nb
	both reflog expire --expire=now --all
	both reflog
	both reflog master
	expect_rc 0 fsck_ok "$p" "reflog expire"
done

# fast-import logs "fast-import" for the branches it moves (and HEAD)
rm -rf "$p" "$g"
pmvcs init -q "$p"; git init -q "$g"
commit_both "base" 1
(cd "$g" && git branch side && git fast-export --all) >"$T/stream"
sed -i 's|refs/heads/side|refs/heads/imported|; s|refs/heads/master|refs/heads/master2|' "$T/stream"
(cd "$g" && git branch -D side -q)
(cd "$g" && git fast-import --quiet) <"$T/stream"
(cd "$p" && pmvcs fast-import --quiet) <"$T/stream"
both reflog imported
both reflog master2
both reflog
