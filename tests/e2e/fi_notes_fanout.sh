# fi_notes_fanout.sh -- notes past 255 on one notes ref: git's fast-import
# rewrites the notes tree with 2-hex-digit fan-out directories; pmvcs must
# write the same trees and commits. Streams generated here: 600 commits,
# then (a) 600 notes commits of one N each (fan-out 0 -> 1 between two
# commits, then notes replaced and deleted at fan-out 1), (b) 300 N in
# one commit (the crossing inside a commit), then deletions back below 256
# (fan-out 1 -> 0), and (c) a second stream that continues (a) from the
# ref alone (git's counting of a loaded notes tree). SHA-1 and SHA-256.
. "$(dirname "$0")/fi_lib.sh"

# gen FMT: the main stream for an object format (zero id of its length)
gen() {
	local zero i
	zero=$(printf '%0*d' "$([ "$1" = sha1 ] && echo 40 || echo 64)" 0)
	for ((i = 1; i <= 600; i++)); do
		printf 'commit refs/heads/master\nmark :%d\ncommitter C <c@e> %d +0000\n' \
			"$i" "$((1700000000 + i))"
		d "c$i"
		printf 'M 100644 inline f\n'; d "v$i"; echo
	done
	for ((i = 1; i <= 600; i++)); do
		printf 'commit refs/notes/commits\ncommitter N <n@e> %d +0000\n' "$((1700001000 + i))"
		d "note $i"
		printf 'N inline :%d\n' "$i"; d "note for $i"; echo
	done
	# replace a few notes and delete a few at fan-out 1
	printf 'commit refs/notes/commits\ncommitter N <n@e> 1700002000 +0000\n'; d "edit"
	for i in 3 300 599; do printf 'N inline :%d\n' "$i"; d "new note for $i"; done
	for i in 1 256 600; do printf 'N %s :%d\n' "$zero" "$i"; done
	echo
	# (b) the crossing inside one commit, then back below 256
	printf 'commit refs/notes/bulk\ncommitter N <n@e> 1700003000 +0000\n'; d "bulk"
	for ((i = 1; i <= 300; i++)); do printf 'N inline :%d\n' "$i"; d "bulk $i"; done
	echo
	printf 'commit refs/notes/bulk\ncommitter N <n@e> 1700003001 +0000\n'; d "shrink"
	for ((i = 1; i <= 50; i++)); do printf 'N %s :%d\n' "$zero" "$i"; done
	echo
	printf 'commit refs/notes/bulk\ncommitter N <n@e> 1700003002 +0000\n'; d "one more"
	printf 'N inline :77\n'; d "again 77"; echo
}

# more FMT: a second stream on top (notes ref continued by ^0, no marks)
more() {
	local i
	printf 'commit refs/notes/commits\ncommitter N <n@e> 1700004000 +0000\n'; d "more"
	printf 'from refs/notes/commits^0\n'
	for ((i = 1; i <= 20; i++)); do
		printf 'N inline %s\n' "$(git -C "$T/$1.g" rev-parse "master~$((i * 7))")"
		d "later $i"
	done
	echo
}

for fmt in sha1 sha256; do
	gen "$fmt" >"$T/$fmt.fe"
	mkpair "$fmt" "$fmt"
	import_both "$fmt" "$T/$fmt.fe"
	refs_equal "$fmt"
	# the layout really is git's fan-out (and was rewritten)
	n=$(git -C "$T/$fmt.g" ls-tree -r refs/notes/commits | wc -l)
	[ "$n" -eq 597 ] || fail "$fmt: $n notes in git's tree"
	top=$(git -C "$T/$fmt.g" ls-tree refs/notes/commits)
	[ "$(grep -c $'^040000 tree [0-9a-f]*\t[0-9a-f][0-9a-f]$' <<<"$top")" -eq "$(wc -l <<<"$top")" ] ||
		fail "$fmt: git wrote no fan-out"
	top=$(git -C "$T/$fmt.g" ls-tree refs/notes/bulk)
	[ "$(grep -c ' tree ' <<<"$top" || true)" -eq 0 ] ||
		fail "$fmt: bulk notes not back at fan-out 0"
	# equal tips: every notes commit and tree before them is equal too
	more "$fmt" >"$T/$fmt.more.fe"
	import_both "$fmt" "$T/$fmt.more.fe"
	refs_equal "$fmt"
done
echo ok
