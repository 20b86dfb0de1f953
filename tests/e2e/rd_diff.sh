#!/bin/bash
# rd_diff.sh -- `pmvcs diff REV REV` (the vcs_diff_trees engine) against
# `git diff --no-renames` over a scripted series of edits: lines added at
# the top, middle and end, blocks deleted, mode changes, symlinks, binary
# files, renames (delete + add), file <-> directory, type changes.
. "$(dirname "$0")/lib.sh"

gen() { # gen N: a C-like file of N functions
	for i in $(seq 1 "$1"); do
		printf 'int f%d(int x)\n{\n\tif (x > %d)\n\t\treturn x;\n\treturn %d;\n}\n\n' $i $i $i
	done
}
edit() {
	case $1 in
	1) gen 30 > a.c; seq 1 200 > nums; printf 'x\n' > plain; printf 'p\0q' > bin
	   mkdir -p dir/sub; echo s > dir/sub/s; echo t > dir/t; echo keep > k ;;
	2) { echo '/* top */'; cat a.c; } > t && mv t a.c
	   sed -i '100,110d' nums; echo 201 >> nums; chmod +x plain; ln -s plain ln ;;
	3) sed -i 's/return 17;/return 18;/; 50a\
int added(void)\
{\
	return 1;\
}\
' a.c; printf 'p\0r' > bin; mv dir/t dir/t2; rm ln; echo ln > ln ;;
	4) rm -r dir/sub; echo f > dir/sub; printf 'no newline' >> plain; seq 1 5 > nums ;;
	5) rm dir/sub; mkdir dir/sub; echo back > dir/sub/s; ln -s nowhere dangling
	   gen 3 > a.c; : > empty ;;
	esac
}
for fmt in sha1 sha256; do
	G=$T/g-$fmt P=$T/p-$fmt
	git init -q --object-format=$fmt "$G"
	pmvcs init -q --object-format=$fmt "$P"
	for n in 1 2 3 4 5; do
		(cd "$G" && edit $n && git add -A && git commit -q -m "c$n")
		(cd "$P" && edit $n && pmvcs commit -q -m "c$n")
	done
	for r in "HEAD~4 HEAD~3" "HEAD~3 HEAD~2" "HEAD~2 HEAD~1" "HEAD~1 HEAD" \
		 "HEAD~4 HEAD" "HEAD HEAD~4" "HEAD~2 HEAD~2"; do
		g=$(cd "$G" && git diff --no-renames $r)
		p=$(cd "$P" && pmvcs diff $r)
		expect_eq "$fmt: diff $r" "$g" "$p"
		g=$(cd "$G" && git diff --no-renames --stat $r)
		p=$(cd "$P" && pmvcs diff --stat $r 2>/dev/null || echo "(no --stat)")
		[ "$p" = "(no --stat)" ] || expect_eq "$fmt: diff --stat $r" "$g" "$p"
	done
	for c in 1 2 3 4; do
		g=$(cd "$G" && git -c diff.renames=false show HEAD~$c)
		p=$(cd "$P" && pmvcs show HEAD~$c)
		expect_eq "$fmt: show HEAD~$c" "$g" "$p"
	done
done
echo ok
