# fi_grammar.sh -- every element of the fast-import grammar, imported by
# git and by pmvcs (SHA-1 and SHA-256): refs, marks and the answers of
# ls / cat-blob / get-mark must be identical.
. "$(dirname "$0")/fi_lib.sh"

stream() {   # $1: sha1 or sha256 (gitlinks only fit sha1)

	echo 'feature done'
	echo 'feature notes'
	echo 'feature ls'
	echo 'feature cat-blob'
	echo 'feature get-mark'
	echo 'feature alias'
	echo 'feature date-format=raw'
	echo 'option git quiet'
	echo 'option othertool whatever'
	echo '# a comment line'
	printf 'blob\nmark :1\noriginal-oid 1234\n'; d 'hello'
	printf 'blob\nmark :2\n'; printf 'data <<END\nline one\nline two\nEND\n\n'
	printf 'blob\nmark :3\n'; dn 'target/of/link'
	printf 'commit refs/heads/master\nmark :10\noriginal-oid abcd\n'
	printf 'author A U Thor <author@example.com> 1700000000 +0100\n'
	printf 'committer C O Mitter <committer@example.com> 1700000100 -0230\n'
	d 'first commit'
	printf 'M 100644 :1 hello.txt\nM 644 :2 dir/sub/two.txt\nM 100755 :1 bin/tool\nM 755 :2 bin/tool2\n'
	printf 'M 120000 :3 link\n'
	printf 'M 100644 :1 "quoted \\"name\\" \\303\\251\\t.txt"\n'
	printf 'M 100644 :2 path with spaces.txt\n'
	printf 'M 100644 inline inline.txt\n'; d 'inline data'
	[ "$1" = sha1 ] && printf 'M 160000 0123456789abcdef0123456789abcdef01234567 sub/module\n'
	echo
	printf 'commit refs/heads/master\nmark :11\n'
	printf 'author <noname@example.com> 1700000200 +0000\n'
	printf 'committer Odd Zone <odd@example.com> 1700000300 +1400\n'
	printf 'encoding ISO-8859-1\n'
	printf 'data 20\nno final newline \351!!'
	printf '\nD hello.txt\nC dir/sub dir/copy\nR bin/tool2 bin/renamed\nR "path with spaces.txt" nospace.txt\n'
	printf 'ls "dir"\nls "missing/path"\ncat-blob :2\n'
	echo
	printf 'checkpoint\n\nprogress after checkpoint\n'
	printf 'commit refs/heads/side\nmark :12\ncommitter S <s@e> 1700000400 -0000\n'; d 'side branch'
	printf 'from :10\nM 100644 :2 side.txt\n\n'
	printf 'commit refs/heads/side\nmark :13\ncommitter S <s@e> 1700000500 +0530\n'; d 'side continues without from'
	printf 'M 100644 :1 side2.txt\n\n'
	printf 'commit refs/heads/master\nmark :14\ncommitter M <m@e> 1700000600 -1200\n'; d 'octopus-ish merge'
	printf 'from :11\nmerge :13\nmerge refs/heads/side\nmerge :12\ndeleteall\n'
	printf 'M 100644 :1 only.txt\nM 040000 4b825dc642cb6eb9a060e54bf8d69288fbee4904 emptydir\n\n' |
		if [ "$1" = sha256 ]; then sed 's/4b825dc642cb6eb9a060e54bf8d69288fbee4904/6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321/'; else cat; fi
	printf 'reset refs/heads/fromreset\nfrom :11\n\n'
	printf 'reset refs/heads/emptyreset\n\n'
	printf 'reset refs/tags/light\nfrom :12\n\n'
	printf 'tag v1.0\nmark :20\nfrom :14\noriginal-oid 99\ntagger T Agger <t@e> 1700000700 +0000\n'; d 'release 1.0'
	printf 'tag blobtag\nfrom :1\ntagger T <t@e> 1700000800 +0000\n'; dn 'a tag on a blob'
	printf 'tag branchtag\nfrom refs/heads/side\n'; d 'tag without tagger'
	printf 'alias\nmark :30\nto :14\n\n'
	printf 'get-mark :30\ncat-blob :1\nls :14 only.txt\nls :10 "dir/sub"\n'
	printf 'commit refs/notes/commits\nmark :40\ncommitter N <n@e> 1700000900 +0000\n'; d 'notes'
	printf 'N inline :10\n'; d 'a note on the first commit'
	printf 'N :2 :14\n\n'
	printf 'commit refs/notes/commits\ncommitter N <n@e> 1700001000 +0000\n'; d 'more notes'
	printf 'N %s :14\n' "$(head -c $([ "$1" = sha1 ] && echo 40 || echo 64) /dev/zero | tr '\0' 0)"
	printf 'N :1 refs/heads/side\n\n'
	printf 'progress the end\n'
	echo done
}

for fmt in sha1 sha256; do
	n=g$fmt
	mkpair $n $fmt
	stream $fmt >"$T/$n.fe"
	git -C "$T/$n.g" fast-import --quiet --export-marks="$T/$n.gm" --cat-blob-fd=3 \
		<"$T/$n.fe" >"$T/$n.gout" 3>"$T/$n.gcat" || fail "git import $fmt"
	pmvcs -C "$T/$n.p" fast-import --quiet --export-marks="$T/$n.pm" --cat-blob-fd=3 \
		<"$T/$n.fe" >"$T/$n.pout" 3>"$T/$n.pcat" || fail "pmvcs import $fmt"
	refs_equal $n
	expect_eq "marks $fmt" "$(cat "$T/$n.gm")" "$(cat "$T/$n.pm")"
	expect_eq "cat-blob/ls answers $fmt" "$(cat "$T/$n.gcat")" "$(cat "$T/$n.pcat")"
	expect_eq "progress $fmt" "$(cat "$T/$n.gout")" "$(cat "$T/$n.pout")"
done

# date formats other than raw
mkpair dates sha1
{
	printf 'commit refs/heads/perm\ncommitter P <p@e> 1700000000 +9999\n'; d 'permissive tz'
	echo
} >"$T/perm.fe"
import_both dates "$T/perm.fe" --date-format=raw-permissive
{
	printf 'commit refs/heads/rfc\ncommitter R <r@e> Tue, 14 Nov 2023 22:13:20 +0100\n'; d 'rfc2822'
	echo
} >"$T/rfc.fe"
import_both dates "$T/rfc.fe" --date-format=rfc2822
refs_equal dates

# a strict raw date with |tz| > 1400 is refused by both
mkpair strict sha1
import_both strict "$T/perm.fe"
grep -q 'line 2: Invalid raw date' "$T/strict.perr" || fail "strict date message: $(cat "$T/strict.perr")"

# non-fast-forward without --force: warning, exit 1, ref kept; --force moves it
mkpair nonff sha1
{ printf 'commit refs/heads/master\ncommitter A <a@e> 1 +0000\n'; d one; echo; } >"$T/a.fe"
{ printf 'commit refs/heads/master\ncommitter A <a@e> 2 +0000\n'; d two; echo; } >"$T/b.fe"
import_both nonff "$T/a.fe"
import_both nonff "$T/b.fe"
grep -q '^warning: Not updating refs/heads/master (new tip [0-9a-f]* does not contain' "$T/nonff.perr" ||
	fail "non-ff warning: $(cat "$T/nonff.perr")"
refs_equal nonff
expect_rc 1 pmvcs -C "$T/nonff.p" fast-import --quiet <"$T/b.fe" 2>/dev/null
import_both nonff "$T/b.fe" --force
refs_equal nonff
echo ok
