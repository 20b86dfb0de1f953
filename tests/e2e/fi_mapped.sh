# fi_mapped.sh -- a stream on stdin that is a regular file is mapped, not
# read (tools/pmvcs/cmd_fast_import.c, vcs/fastimport_read.c): the mapped
# and the read path give git's ids, the same error lines, and a stream
# starting at a file offset (not page aligned) is imported from there.
. "$(dirname "$0")/fi_lib.sh"

# blobs of 1 MiB (more than two drop steps of the mapping in all), a few
# with LFs, and a commit message given as data <<EOF
big() { head -c 1048576 /dev/zero | tr '\0' "$1"; }
{
	for i in $(seq 1 40); do
		printf 'blob\nmark :%d\ndata %d\n' "$i" $((1048576 + ${#i} + 1))
		printf '%s\n' "$i"; big "$( [ $((i % 3)) = 0 ] && echo '\n' || echo x)"
		printf '\n'
	done
	printf 'commit refs/heads/master\nmark :100\ncommitter A <a@e> 1 +0000\n'
	printf 'data <<EOF\nmsg line\nEOF\n'
	for i in $(seq 1 40); do printf 'M 100644 :%d f%d\n' "$i" "$i"; done
	printf '\ncommit refs/heads/side\ncommitter A <a@e> 2 +0000\n'
	d "side"
	printf 'from :100\nD f1\n\n'
} >"$T/big.fe"

mkpair m sha1
import_both m "$T/big.fe"
refs_equal m
# the read path (a pipe) gives the same refs
pmvcs init "$T/pipe.p" >/dev/null
cat "$T/big.fe" | pmvcs -C "$T/pipe.p" fast-import --quiet
expect_eq "pipe refs" "$(git -C "$T/m.g" show-ref)" "$(pmvcs -C "$T/pipe.p" show-ref)"

# stdin at an offset: bash's read leaves the file offset after the line
{ printf 'not part of the stream\n'; cat "$T/big.fe"; } >"$T/off.fe"
pmvcs init "$T/off.p" >/dev/null
{ read -r _; pmvcs -C "$T/off.p" fast-import --quiet; } <"$T/off.fe"
expect_eq "offset refs" "$(git -C "$T/m.g" show-ref)" "$(pmvcs -C "$T/off.p" show-ref)"

# a stream without final LF ends the same way on both paths
{ printf 'blob\nmark :1\n'; d a; printf 'reset refs/heads/t\nfrom :1'; } >"$T/nolf.fe"
for how in map pipe; do
	pmvcs init "$T/nolf.$how.p" >/dev/null
	set +e
	if [ $how = map ]; then
		pmvcs -C "$T/nolf.$how.p" fast-import --quiet <"$T/nolf.fe" 2>"$T/nolf.$how.err"
	else
		cat "$T/nolf.fe" | pmvcs -C "$T/nolf.$how.p" fast-import --quiet 2>"$T/nolf.$how.err"
	fi
	echo $? >"$T/nolf.$how.rc"
	set -e
done
expect_eq "no final LF: exit" "$(cat "$T/nolf.map.rc")" "$(cat "$T/nolf.pipe.rc")"
expect_eq "no final LF: message" "$(cat "$T/nolf.map.err")" "$(cat "$T/nolf.pipe.err")"

# errors name the same line on both paths (LFs inside data counted)
{ cat "$T/big.fe"; printf 'blob\ndata 3\na\nb\nbogus\n'; } >"$T/bad.fe"
for how in map pipe; do
	pmvcs init "$T/bad.$how.p" >/dev/null
	set +e
	if [ $how = map ]; then
		pmvcs -C "$T/bad.$how.p" fast-import --quiet <"$T/bad.fe" 2>"$T/bad.$how.err"
	else
		cat "$T/bad.fe" | pmvcs -C "$T/bad.$how.p" fast-import --quiet 2>"$T/bad.$how.err"
	fi
	rc=$?
	set -e
	[ $rc -eq 128 ] || fail "bad stream ($how): exit $rc, want 128"
done
lines=$(wc -l <"$T/big.fe")
grep -q "line $((lines + 5)): Unsupported command: bogus" "$T/bad.map.err" ||
	fail "mapped error: $(cat "$T/bad.map.err")"
expect_eq "error message" "$(cat "$T/bad.map.err")" "$(cat "$T/bad.pipe.err")"

# the same for errors after a data payload at the very end (no final LF)
# and after an unterminated last line
printf 'blob\nmark :1\ndata 3\nabc' >"$T/tail1.fe"
{ printf 'blob\nmark :1\ndata 2\na\n\nbogus'; } >"$T/tail2.fe"
for f in tail1 tail2; do
	for how in map pipe; do
		pmvcs init "$T/$f.$how.p" >/dev/null
		set +e
		if [ $how = map ]; then
			pmvcs -C "$T/$f.$how.p" fast-import --quiet --done <"$T/$f.fe" 2>"$T/$f.$how.err"
		else
			cat "$T/$f.fe" | pmvcs -C "$T/$f.$how.p" fast-import --quiet --done 2>"$T/$f.$how.err"
		fi
		set -e
	done
	[ -s "$T/$f.map.err" ] || fail "$f: no error"
	expect_eq "$f: message" "$(cat "$T/$f.map.err")" "$(cat "$T/$f.pipe.err")"
done
