#!/bin/bash
# wt_commit_ids.sh -- pmvcs commit gives git's tree and commit ids for the
# same working tree (nested dirs, executable, symlink, empty file, names
# with spaces and UTF-8, ignored files), in both object formats, for a
# root commit and a second commit with changes and deletions.
source "$(dirname "$0")/lib.sh"

# mk_tree DIR -- the same content in a pmvcs and a git work tree
mk_tree() {
	mkdir -p "$1/src/lib/deep" "$1/docs" "$1/build" "$1/logs"
	printf 'int main(void) { return 0; }\n' > "$1/src/main.c"
	printf 'x\n' > "$1/src/lib/deep/x.h"
	printf '#!/bin/sh\necho hi\n' > "$1/run.sh"; chmod 755 "$1/run.sh"
	ln -s src/main.c "$1/link"
	ln -s does-not-exist "$1/dangling"
	: > "$1/empty"
	printf 'spaces\n' > "$1/docs/with space.txt"
	printf 'unicode\n' > "$1/docs/$(printf 'caf\xc3\xa9').md"
	printf 'no newline' > "$1/docs/nonl"
	printf 'obj\n' > "$1/build/out.o"
	printf 'keep\n' > "$1/build/keep.o"
	printf 'log\n' > "$1/logs/a.log"
	printf 'bin\0ary\n' > "$1/binary.dat"
	printf '*.o\n!keep.o\n/logs/\n# comment\n' > "$1/.pmvcsignore"
	cp "$1/.pmvcsignore" "$1/.gitignore"
	printf 'secret\n' > "$1/docs/secret"
	printf 'secret\n' > "$1/docs/.pmvcsignore"
	cp "$1/docs/.pmvcsignore" "$1/docs/.gitignore"
}

# change_tree DIR -- modifications, deletions, a mode change
change_tree() {
	printf 'changed\n' >> "$1/src/main.c"
	rm "$1/src/lib/deep/x.h" "$1/empty"
	chmod 644 "$1/run.sh"
	rm "$1/link"; ln -s run.sh "$1/link"
	mkdir -p "$1/new/dir"; printf 'n\n' > "$1/new/dir/n.txt"
}

for fmt in sha1 sha256; do
	p="$T/p-$fmt" g="$T/g-$fmt"
	pmvcs init -q --object-format=$fmt "$p"
	git init -q --object-format=$fmt "$g"
	mk_tree "$p"; mk_tree "$g"
	out=$(cd "$p" && pmvcs commit -m "first commit" -m "second paragraph")
	(cd "$g" && git add -A && git commit -qm "first commit" -m "second paragraph")
	gid=$(git -C "$g" rev-parse HEAD)
	case "$out" in "[master (root-commit) ${gid:0:7}] first commit"*) ;;
		*) fail "$fmt: commit output: $out (git: $gid)";; esac
	expect_eq "$fmt tree id" "$(git -C "$g" rev-parse 'HEAD^{tree}')" \
		"$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}' | head -1)"
	expect_eq "$fmt commit id" "$gid" "$(cd "$p" && pmvcs rev-parse HEAD | head -1)"

	# nothing changed: exit 1, nothing written
	expect_rc 1 bash -c "cd '$p' && '$PMVCS' commit -m again > '$T/out'"
	grep -q "nothing to commit, working tree clean" "$T/out" || fail "clean message"
	expect_eq "$fmt HEAD unchanged" "$gid" "$(cd "$p" && pmvcs rev-parse HEAD | head -1)"

	change_tree "$p"; change_tree "$g"
	(cd "$p" && pmvcs commit -q -m "second")
	(cd "$g" && git add -A && git commit -qm "second")
	expect_eq "$fmt second commit id" "$(git -C "$g" rev-parse HEAD)" \
		"$(cd "$p" && pmvcs rev-parse HEAD | head -1)"

	# --allow-empty and several -m with whitespace to clean up
	(cd "$p" && pmvcs commit -q --allow-empty -m "  empty  " -m "" -m "body   ")
	(cd "$g" && git commit -q --allow-empty -m "  empty  " -m "" -m "body   ")
	expect_eq "$fmt empty commit id" "$(git -C "$g" rev-parse HEAD)" \
		"$(cd "$p" && pmvcs rev-parse HEAD | head -1)"

	# commit from a subdirectory snapshots the whole tree
	printf 'more\n' >> "$p/docs/nonl"; printf 'more\n' >> "$g/docs/nonl"
	(cd "$p/docs" && pmvcs commit -q -m "from subdir")
	(cd "$g" && git add -A && git commit -qm "from subdir")
	expect_eq "$fmt subdir commit id" "$(git -C "$g" rev-parse HEAD)" \
		"$(cd "$p" && pmvcs rev-parse HEAD | head -1)"
done
echo ok
