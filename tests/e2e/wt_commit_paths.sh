#!/bin/bash
# wt_commit_paths.sh -- commit PATH... / commit -- PATH... as git's
# commit --only: only those paths' working tree state goes on top of
# HEAD's tree, every other change stays uncommitted. Ids, stdout, stderr,
# exit codes and what status shows afterwards are compared with git. The
# git twin stages everything first (pmvcs has no index: a new file counts
# as known, docs/undo.md).
source "$(dirname "$0")/lib.sh"
for fmt in sha1 sha256; do
g="$T/g-$fmt" p="$T/p-$fmt"
git init -q --object-format=$fmt "$g"; pmvcs init -q --object-format=$fmt "$p"
# both DIR CMD...: in DIR of both (git after add -A), all compared
both() {
	local d=$1 gr=0 pr=0; shift
	(cd "$g" && git add -A)
	(cd "$g/$d" && git "$@" >"$T/go" 2>"$T/ge") || gr=$?
	(cd "$p/$d" && pmvcs "$@" >"$T/po" 2>"$T/pe") || pr=$?
	expect_eq "$*: exit" "$gr" "$pr"
	# git's "nothing to commit" with other changes around is its long
	# status, which pmvcs words its own way (docs/undo.md): first line
	[ -z "${FIRSTLINE:-}" ] || { head -1 "$T/go" >"$T/g1"; mv "$T/g1" "$T/go"
		head -1 "$T/po" >"$T/p1"; mv "$T/p1" "$T/po"; }
	expect_eq "$*: stdout" "$(cat "$T/go")" "$(cat "$T/po")"
	expect_eq "$*: stderr" "$(cat "$T/ge")" "$(cat "$T/pe")"
	expect_eq "$*: HEAD" "$(git -C "$g" rev-parse HEAD)" "$(cd "$p" && pmvcs rev-parse HEAD)"
	# what stays uncommitted: git shows it staged, pmvcs changed
	expect_eq "$*: status" "$(cd "$g" && git add -A && git status --short | cut -c4- | sort)" \
		"$(cd "$p" && pmvcs status --short | cut -c4- | sort)"
	expect_eq "$*: reflog" "$(cd "$g" && git reflog)" "$(cd "$p" && pmvcs reflog)"
}
put() { mkdir -p "$g/$(dirname "$1")" "$p/$(dirname "$1")"; printf '%s\n' "$2" >"$g/$1"; printf '%s\n' "$2" >"$p/$1"; }
del() { rm -f "$g/$1" "$p/$1"; }

put a one; put d/b bee; put d/c sea; put x.c ex; put d/s/y.c why; put keep k
both . commit -m one
put a two; put d/b bee2; put d/new new; del d/c; put x.c ex2; put d/s/y.c why2
both . commit -m "only a" a
both . commit -m "dir d, from d" -- .
both . commit -m nope nope x.c
both . commit -m nope -- nope1 nope2
both . commit -m "glob" '*.c'
put a three; put keep k2
both d commit -m "up" ../a
FIRSTLINE=1 both . commit -m "clean path" -- d
put e/f new; put e/g new2
both . commit -q -m "new dir" e/f
both . commit --amend -m "amend with a path" e
both . commit -m rest
done
echo ok
