#!/bin/bash
# rd_read.sh -- log, show, cat-file, ls-tree, rev-parse, show-ref on the same
# history built in git and in pmvcs, compared byte for byte, in both object
# formats.
. "$(dirname "$0")/lib.sh"

# step N -- scripted edits for commit N, applied in the current directory
step() {
	case $1 in
	1) printf 'int main()\n{\n\treturn 0;\n}\n' > main.c; echo hello > README
	   mkdir -p src/lib; printf 'a\nb\nc\n' > src/lib/x.txt; printf 'bin\0ary' > blob.bin ;;
	2) printf 'int main()\n{\n\tinit();\n\treturn 0;\n}\n' > main.c; chmod +x README
	   ln -s README link; printf 'top\na\nb\nc\nend' > src/lib/x.txt ;;
	3) rm README; mv src/lib/x.txt src/y.txt; printf 'bin\0arz' > blob.bin; : > empty ;;
	esac
}

for fmt in sha1 sha256; do
	G=$T/git-$fmt P=$T/pm-$fmt
	git init -q --object-format=$fmt "$G"
	pmvcs init -q --object-format=$fmt "$P"
	for n in 1 2 3; do
		(cd "$G" && step $n && git add -A && git commit -q -m "commit $n" -m "body of $n")
		(cd "$P" && step $n && pmvcs commit -q -m "commit $n

body of $n")
	done
	(cd "$G" && git tag -a -m "release one" v1 HEAD~1 && git tag light HEAD~2)
	(cd "$P" && pmvcs tag -a -m "release one" v1 HEAD~1 && pmvcs tag light HEAD~2)
	cmp() { # cmp ARGS...: same stdout (bytes) and exit code as git
		local gr pr
		set +e
		(cd "$G" && git -c diff.renames=false "$@" > "$T/g.out" 2>/dev/null); gr=$?
		(cd "$P" && pmvcs "$@" > "$T/p.out" 2>/dev/null); pr=$?
		set -e
		diff "$T/g.out" "$T/p.out" > "$T/d.out" ||
			{ head -40 "$T/d.out" >&2; fail "$fmt: $* (output)"; }
		[ "$gr" = "$pr" ] || fail "$fmt: $*: git exit $gr, pmvcs exit $pr"
	}
	cmp log
	cmp log --oneline
	cmp log -n 2
	cmp log -2 --oneline HEAD~1
	cmp log --all --oneline
	cmp log --format=%H%n%an%n%s%n%b
	cmp show
	cmp show HEAD~1
	cmp show HEAD~2
	cmp show v1
	cmp show HEAD:main.c
	cmp show HEAD^{tree}
	cmp show --stat HEAD~1
	cmp show --name-status HEAD
	for o in HEAD HEAD^{tree} HEAD:main.c v1 HEAD~2:src/lib; do
		cmp cat-file -t $o; cmp cat-file -s $o; cmp cat-file -p $o
	done
	cmp cat-file -e HEAD
	cmp cat-file commit v1
	cmp cat-file --batch-check --batch-all-objects
	cmp cat-file --batch --batch-all-objects
	g=$(cd "$G" && printf 'HEAD\nv1\nnope\nHEAD:main.c\n' | git cat-file --batch)
	p=$(cd "$P" && printf 'HEAD\nv1\nnope\nHEAD:main.c\n' | pmvcs cat-file --batch)
	expect_eq "$fmt: cat-file --batch from stdin" "$g" "$p"
	cmp ls-tree HEAD
	cmp ls-tree -r HEAD
	cmp ls-tree -r -t HEAD
	cmp ls-tree -l HEAD
	cmp ls-tree --name-only -r HEAD~1
	cmp ls-tree HEAD~2 src
	cmp rev-parse HEAD HEAD~1 HEAD^ HEAD~2^{tree} v1 v1^{} v1^{commit} light master
	cmp rev-parse --short HEAD
	cmp rev-parse --short=10 HEAD~1
	cmp rev-parse --abbrev-ref HEAD
	cmp rev-parse --verify HEAD
	short=$(cd "$G" && git rev-parse --short=5 HEAD~1)
	cmp rev-parse $short
	cmp show-ref
	cmp show-ref --heads
	cmp show-ref --tags
	cmp show-ref v1
	cmp show-ref nothing-matches

	# errors: exit codes and messages
	(cd "$P" && expect_rc 128 pmvcs rev-parse nosuchrev 2>/dev/null)
	msg=$(cd "$P" && pmvcs rev-parse nosuchrev 2>&1 || true)
	case $msg in *"unknown revision"*) ;; *) fail "message: $msg" ;; esac
	(cd "$P" && expect_rc 128 pmvcs cat-file -t nosuchrev 2>/dev/null)
	msg=$(cd "$P" && pmvcs cat-file -t nosuchrev 2>&1 || true)
	expect_eq "cat-file message (git's)" "fatal: Not a valid object name nosuchrev" "$msg"
	zero=$(printf '%0*d' $([ $fmt = sha1 ] && echo 40 || echo 64) 0)
	(cd "$P" && expect_rc 1 pmvcs cat-file -e $zero)
	(cd "$P" && expect_rc 128 pmvcs log nosuchrev 2>/dev/null)
	(cd "$P" && expect_rc 129 pmvcs cat-file 2>/dev/null)
done
echo ok
