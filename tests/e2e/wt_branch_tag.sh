#!/bin/bash
# wt_branch_tag.sh -- branch and tag create / list / delete like git;
# annotated tag ids equal git tag -a's with the same identity and date.
source "$(dirname "$0")/lib.sh"

for fmt in sha1 sha256; do
	p="$T/p-$fmt" g="$T/g-$fmt"
	pmvcs init -q --object-format=$fmt "$p"; git init -q --object-format=$fmt "$g"
	for d in "$p" "$g"; do echo 1 > "$d/f"; done
	(cd "$p" && pmvcs commit -q -m one); (cd "$g" && git add -A && git commit -qm one)
	for d in "$p" "$g"; do echo 2 > "$d/f"; done
	(cd "$p" && pmvcs commit -q -m two); (cd "$g" && git add -A && git commit -qm two)

	for c in "branch feature" "branch old HEAD~1" "branch zzz master"; do
		(cd "$p" && pmvcs $c); (cd "$g" && git $c)
	done
	expect_eq "$fmt branch list" "$(cd "$g" && git branch)" "$(cd "$p" && pmvcs branch)"
	expect_eq "$fmt branch -v" "$(cd "$g" && git branch -v)" "$(cd "$p" && pmvcs branch -v)"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' branch feature 2> '$T/err'"
	grep -qx "fatal: a branch named 'feature' already exists" "$T/err" || fail "exists msg"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' branch 'bad..name' 2>/dev/null"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' branch x no-such-rev 2>/dev/null"
	# -d refuses an unmerged branch, -D deletes it
	(cd "$p" && pmvcs checkout -q old && echo 3 > f && pmvcs commit -q -m three &&
	 pmvcs checkout -q master)
	expect_rc 1 bash -c "cd '$p' && '$PMVCS' branch -d old 2> '$T/err'"
	grep -q "not fully merged" "$T/err" || fail "unmerged msg"
	expect_rc 1 bash -c "cd '$p' && '$PMVCS' branch -d master 2>/dev/null"
	expect_rc 1 bash -c "cd '$p' && '$PMVCS' branch -d nope 2>/dev/null"
	expect_eq "$fmt branch -d" "$(cd "$g" && git branch -d zzz)" "$(cd "$p" && pmvcs branch -d zzz)"
	# -f moves an existing branch (compare-and-swap), never the current one
	(cd "$p" && pmvcs branch -f old master)
	expect_eq "$fmt branch -f" "$(cd "$p" && pmvcs rev-parse master)" "$(cd "$p" && pmvcs rev-parse old)"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' branch -f master old 2> '$T/err'"
	grep -qx "fatal: cannot force update the branch 'master' checked out at '$p'" "$T/err" || fail "force current msg"
	(cd "$p" && pmvcs branch -D old > /dev/null)
	expect_eq "$fmt after delete" "* master
  feature" "$(cd "$p" && pmvcs branch | sort -r)"

	# tags: lightweight, annotated (same id as git), list, delete
	(cd "$p" && pmvcs tag light HEAD~1); (cd "$g" && git tag light HEAD~1)
	(cd "$p" && pmvcs tag -a v1.0 -m "Release 1.0" -m "notes"); (cd "$g" && git tag -a v1.0 -m "Release 1.0" -m "notes")
	(cd "$p" && pmvcs tag -m "implied -a" v0.9 HEAD~1); (cd "$g" && git tag -m "implied -a" v0.9 HEAD~1)
	expect_eq "$fmt tag id" "$(git -C "$g" rev-parse v1.0)" "$(cd "$p" && pmvcs rev-parse refs/tags/v1.0 | head -1)"
	expect_eq "$fmt tag id 2" "$(git -C "$g" rev-parse v0.9)" "$(cd "$p" && pmvcs rev-parse refs/tags/v0.9 | head -1)"
	expect_eq "$fmt light" "$(git -C "$g" rev-parse light)" "$(cd "$p" && pmvcs rev-parse refs/tags/light | head -1)"
	expect_eq "$fmt tag list" "$(cd "$g" && git tag)" "$(cd "$p" && pmvcs tag)"
	expect_eq "$fmt tag -l pattern" "$(cd "$g" && git tag -l 'v*')" "$(cd "$p" && pmvcs tag -l 'v*')"
	expect_rc 128 bash -c "cd '$p' && '$PMVCS' tag v1.0 2> '$T/err'"
	grep -q "tag 'v1.0' already exists" "$T/err" || fail "tag exists msg"
	expect_eq "$fmt tag -d" "$(cd "$g" && git tag -d v1.0)" "$(cd "$p" && pmvcs tag -d v1.0)"
	expect_rc 1 bash -c "cd '$p' && '$PMVCS' tag -d v1.0 2>/dev/null"
	expect_eq "$fmt tag list after -d" "$(cd "$g" && git tag)" "$(cd "$p" && pmvcs tag)"
	expect_rc 129 bash -c "cd '$p' && '$PMVCS' tag -a nomsg 2>/dev/null"
done
echo ok
