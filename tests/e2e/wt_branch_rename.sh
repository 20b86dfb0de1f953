#!/bin/bash
# wt_branch_rename.sh -- branch -m/-M (rename), -c/-C (copy) and -f as
# git's: messages and exit codes, the branches afterwards, and the
# reflogs (pmvcs reflog vs git reflog): a renamed branch keeps its
# entries plus "Branch: renamed refs/heads/a to refs/heads/b", HEAD
# follows a renamed current branch, and a reset undoes a branch -f.
source "$(dirname "$0")/lib.sh"
for fmt in sha1 sha256; do
g="$T/g-$fmt" p="$T/p-$fmt"
git init -q --object-format=$fmt "$g"; pmvcs init -q --object-format=$fmt "$p"
# both CMD...: the same command in both, stdout, stderr, exit compared
both() {
	local gr=0 pr=0
	(cd "$g" && git "$@" >"$T/go" 2>"$T/ge") || gr=$?
	(cd "$p" && pmvcs "$@" >"$T/po" 2>"$T/pe") || pr=$?
	expect_eq "$*: exit" "$gr" "$pr"
	expect_eq "$*: stdout" "$(cat "$T/go")" "$(cat "$T/po")"
	expect_eq "$*: stderr" "$(sed "s|$g|$p|" "$T/ge")" "$(cat "$T/pe")"
}
# same WHAT REF...: branches, HEAD and the logs of HEAD and each REF
same() {
	local what=$1 r; shift
	expect_eq "$what: branches" "$(cd "$g" && git branch -v)" "$(cd "$p" && pmvcs branch -v)"
	expect_eq "$what: HEAD" "$(cd "$g" && git rev-parse --abbrev-ref HEAD)" \
		"$(cd "$p" && pmvcs rev-parse --abbrev-ref HEAD)"
	for r in HEAD "$@"; do
		expect_eq "$what: reflog $r" "$(cd "$g" && git reflog "$r" 2>&1)" \
			"$(cd "$p" && pmvcs reflog "$r" 2>&1)"
	done
}
for d in "$g" "$p"; do echo 1 > "$d/f"; done
(cd "$g" && git add -A && git commit -q -m one); (cd "$p" && pmvcs commit -q -m one)
for d in "$g" "$p"; do echo 2 > "$d/f"; done
(cd "$g" && git add -A && git commit -q -m two); (cd "$p" && pmvcs commit -q -m two)
both branch topic HEAD~1
both branch other

both branch -m topic t2
same "-m" t2
both branch -m topic t3
both branch -m t2 other
both branch -m t2 'bad..name'
both branch -m t2 HEAD
both branch -m a b c
both branch -m
same "refusals" t2 other
both branch -m newmain
same "-m current" newmain
# HEAD@{1} is the deletion half of git's pair: it names the old value
expect_eq "HEAD@{1}" "$(cd "$g" && git rev-parse HEAD@{1})" "$(cd "$p" && pmvcs rev-parse HEAD@{1})"
both branch -M t2 other
same "-M" other
both branch -M other newmain
both branch -c other cp
same "-c" other cp
both branch -c newmain cp
both branch -C newmain cp
same "-C" newmain cp
both branch -c a b c
both branch -f cp HEAD~1
same "-f" cp
both branch -f newmain HEAD~1
both branch cp
both branch -m cp cp
same "-m to itself" cp
both reset -q --hard cp
same "reset to cp" newmain
both reset -q --hard newmain@{1}
same "reset undoes reset" newmain
(cd "$g" && git checkout -q --detach); (cd "$p" && pmvcs checkout -q "$(pmvcs rev-parse HEAD)")
both branch -m x
both branch -c x
fsck_ok "$p" "renames"
done
echo ok
