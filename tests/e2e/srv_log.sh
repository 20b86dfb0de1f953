#!/bin/bash
# srv_log.sh -- log through the server (whose walks keep commit records
# in an in-memory cache) prints what git prints: --all --oneline cold and
# warm, --format with abbreviated ids, the medium format's Merge: line;
# and after more commits arrive (served fast-import, served commit) the
# cached walk still sees the whole history, byte-identical to git's.
source "$(dirname "$0")/srv_lib.sh"

G=$T/g P=$T/p
# stream NAME MARK FROM COUNT: COUNT commits on NAME, marked MARK+1.., the
# first on FROM (a mark or ref, "" for a root); every third pair shares a
# committer date so the walk's tie order matters; messages exercise %s
# (leading blank lines, trailing blanks, a two-line first paragraph)
stream() {
	local name=$1 mark=$2 from=$3 n=$4 i
	for i in $(seq 1 "$n"); do
		printf 'commit refs/heads/%s\nmark :%d\n' "$name" $((mark + i))
		printf 'author A <a@x> %d +0100\n' $((1700000000 + i))
		printf 'committer C <c@x> %d -0230\n' $((1700000000 + i / 3 * 3))
		printf 'data <<EOM\n\n%s %s  \nsame paragraph\t\n\nbody\nEOM\n' "$name" "$i"
		if [ "$i" -eq 1 ] && [ -n "$from" ]; then printf 'from %s\n' "$from"; fi
		printf 'M 100644 inline f-%s\ndata 2\n%s\n\n' "$name" "${i: -1}"
	done
}
merge() { # merge INTO OTHER DATE [FROM]
	printf 'commit refs/heads/%s\ncommitter C <c@x> %d +0000\n' "$1" "$3"
	printf 'data 9\nmerge %s\n' "${2:0:2}"
	if [ -n "${4:-}" ]; then printf 'from %s\n' "$4"; fi
	printf 'merge refs/heads/%s\n\n' "$2"
}
{
	stream master 100 "" 12
	stream topic 200 :107 9
	stream side 300 :103 4
	merge master topic 1700000013
	stream master 500 "" 3
	printf 'reset refs/tags/t1\nfrom :303\n\n'
} > "$T/s1"
{
	stream late 400 refs/heads/topic 5
	merge master late 1700000100 refs/heads/master^0
} > "$T/s2"

git init -q --bare "$G"
git -C "$G" fast-import --quiet < "$T/s1"
git -C "$G" symbolic-ref HEAD refs/heads/master
pmvcs init -q "$P"
pmvcs -C "$P" --no-server fast-import --quiet < "$T/s1"

forms=("--all --oneline" "--oneline topic side" "--all --format=%h|%p|%t|%s"
       "--all" "-n 3 --oneline" "--oneline master")
check() { # check WHAT FLAGS: every form in forms, pmvcs (FLAGS) = git
	local f
	for f in "${forms[@]}"; do
		# shellcheck disable=SC2086
		expect_eq "$1: log $f" "$(git -C "$G" log $f)" "$(pmvcs -C "$P" $2 log $f)"
	done
}
check "in-process" --no-server
srv_start "$P"
srv_holds "$P"
check "served, cold" ""
check "served, warm" ""

# new commits reach the cached walk: a served fast-import ...
git -C "$G" fast-import --quiet < "$T/s2"
pmvcs -C "$P" fast-import --quiet < "$T/s2"
check "served, after fast-import" ""
# ... and a served commit (git gets the same commit by fast-import)
co=$T/co
pmvcs -C "$P" checkout -q late
echo worktree > "$P/w.txt"
GIT_COMMITTER_DATE="1700000200 +0000" GIT_AUTHOR_DATE="1700000200 +0000" \
	pmvcs -C "$P" commit -q -m "served commit"
id=$(pmvcs -C "$P" rev-parse HEAD)
mkdir -p "$co"
pmvcs -C "$P" cat-file commit "$id" > "$co/c"
# the same object in git: hash-object of the same bytes, objects below
pmvcs -C "$P" ls-tree -r HEAD | while read -r mode type oid path; do
	pmvcs -C "$P" cat-file "$type" "$oid" | git -C "$G" hash-object -w --stdin -t "$type" >/dev/null
done
tree=$(pmvcs -C "$P" cat-file -p "$id" | sed -n 's/^tree //p')
pmvcs -C "$P" cat-file tree "$tree" | git -C "$G" hash-object -w --stdin -t tree --literally >/dev/null
expect_eq "same commit id in git" "$id" "$(git -C "$G" hash-object -w -t commit "$co/c")"
git -C "$G" update-ref refs/heads/late "$id"
git -C "$G" symbolic-ref HEAD refs/heads/late
check "served, after commit" ""
pmvcs -C "$P" server stop
check "in-process, at the end" --no-server
echo ok
