#!/bin/bash
# io_roundtrip.sh -- commit, status and checkout with the io_uring backend
# (default) and the pread/pwrite fallback (PMVCS_IO=sync) give the same
# results: tree ids equal git write-tree's of the same files, checked-out
# trees are byte-identical (modes and symlinks included), status agrees;
# pmvcs stats names the backend; PMVCS_IO_STATS=1 reports what ran.
source "$(dirname "$0")/lib.sh"

# populate DIR -- ~300 files over many directories, executables, symlinks,
# empty and larger files (more than a few batches)
populate() {
	local d=$1 i
	for i in $(seq 1 300); do
		mkdir -p "$d/d$((i % 7))/s$((i % 5))"
		printf 'file %d\n%*s\n' "$i" $((i * 13 % 900)) x > "$d/d$((i % 7))/s$((i % 5))/f$i"
	done
	: > "$d/empty"; head -c 300000 /dev/zero | tr '\0' 'z' > "$d/big"
	printf '#!/bin/sh\necho hi\n' > "$d/run.sh"; chmod +x "$d/run.sh"
	ln -s d1/s1/f1 "$d/lnk"; ln -s nowhere "$d/dangling"
}

# snapshot DIR -- every path with its type, mode, link target and
# content hash (few processes: the tree has hundreds of files)
snapshot() {
	(cd "$1" && { find . \( -name .git -o -name .pmvcs \) -prune -o -printf '%p %y %m %l\n'
		      find . \( -name .git -o -name .pmvcs \) -prune -o -type f -exec md5sum {} +; } |
	 LC_ALL=C sort)
}

g="$T/g"; git init -q "$g"; populate "$g"
(cd "$g" && git add -A && git commit -qm one)
want1=$(git -C "$g" write-tree)
echo more >> "$g/d2/s2/f2"; rm "$g/d3/s3/f3"; chmod +x "$g/d4/s4/f4"
(cd "$g" && git add -A && git commit -qm two)
want2=$(git -C "$g" write-tree)

declare -A tree1 tree2 snap st
for mode in uring sync; do
	if [ $mode = sync ]; then export PMVCS_IO=sync; else unset PMVCS_IO; fi
	p="$T/p-$mode"; pmvcs init -q "$p"; populate "$p"
	out=$(cd "$p" && PMVCS_IO_STATS=1 pmvcs commit -q -m one 2>&1)
	grep -q "files read" <<< "$out" || fail "$mode: no io stats line: $out"
	[ $mode = uring ] || grep -q "pread/pwrite fallback (PMVCS_IO=sync)" <<< "$out" ||
		fail "sync: backend line: $out"
	tree1[$mode]=$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')
	expect_eq "$mode: first tree = git write-tree" "$want1" "${tree1[$mode]}"

	# a clean status reads nothing (stat cache), a dirty one only stale files
	sleep 0.01; expect_eq "$mode: clean" "" "$(cd "$p" && pmvcs status -s)"
	echo more >> "$p/d2/s2/f2"; rm "$p/d3/s3/f3"; chmod +x "$p/d4/s4/f4"
	echo new > "$p/untracked"
	st[$mode]=$(cd "$p" && PMVCS_IO_STATS=1 pmvcs status -s 2> "$T/io-$mode")
	grep -q "io: .*: 2 files read" "$T/io-$mode" || fail "$mode: status read: $(cat "$T/io-$mode")"
	rm "$p/untracked"
	(cd "$p" && pmvcs commit -q -m two)
	tree2[$mode]=$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')
	expect_eq "$mode: second tree = git write-tree" "$want2" "${tree2[$mode]}"

	# checkout back and forth; then into an empty directory (all files)
	(cd "$p" && PMVCS_IO_STATS=1 pmvcs checkout -q HEAD~1 2> "$T/io-$mode")
	grep -q "io: .*: 0 files read (0 bytes), 3 written" "$T/io-$mode" ||
		fail "$mode: checkout counts: $(cat "$T/io-$mode")"
	git -C "$g" checkout -q HEAD~1
	expect_eq "$mode: checkout HEAD~1" "$(snapshot "$g")" "$(snapshot "$p")"
	(cd "$p" && pmvcs checkout -q master); git -C "$g" checkout -q master
	expect_eq "$mode: checkout master" "$(snapshot "$g")" "$(snapshot "$p")"
	find "$p" -mindepth 1 -maxdepth 1 ! -name .pmvcs -exec rm -rf {} +
	(cd "$p" && pmvcs checkout -q -f master)
	expect_eq "$mode: checkout into empty dir" "$(snapshot "$g")" "$(snapshot "$p")"
	expect_eq "$mode: clean after checkout" "" "$(cd "$p" && pmvcs status -s)"
	snap[$mode]=$(snapshot "$p")
	[ -z "$(find "$p" -name '.pmvcs-tmp-*')" ] || fail "$mode: temp files left"

	# a file that vanished between scan and read is an error naming it
	# (chmod 000 makes the open fail in both backends; root reads anyway)
	if [ "$(id -u)" != 0 ]; then
		chmod 000 "$p/d1/s1/f1"
		expect_rc 128 bash -c "cd '$p' && '$PMVCS' commit -q -m x 2> '$T/err'"
		grep -q "d1/s1/f1" "$T/err" || fail "$mode: error names the path"
		chmod 644 "$p/d1/s1/f1"
	fi
done
expect_eq "same trees" "${tree1[uring]} ${tree2[uring]}" "${tree1[sync]} ${tree2[sync]}"
expect_eq "same status" "${st[uring]}" "${st[sync]}"
expect_eq "same checkout" "${snap[uring]}" "${snap[sync]}"

# stats names the backend, in text and JSON
p="$T/p-uring"
unset PMVCS_IO
(cd "$p" && pmvcs stats) | grep -Eq "^file I/O: (io_uring|pread/pwrite fallback \(.+\))$" ||
	fail "stats backend line"
(cd "$p" && pmvcs stats --json) | grep -Eq '"file_io":\{"backend":"(io_uring|pread/pwrite)",' ||
	fail "stats json"
expect_eq "stats forced" "file I/O: pread/pwrite fallback (PMVCS_IO=sync)" \
	"$(cd "$p" && PMVCS_IO=sync pmvcs stats | grep '^file I/O')"
