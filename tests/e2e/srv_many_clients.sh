#!/bin/bash
# srv_many_clients.sh -- ten pmvcs clients at once on one fresh repository,
# on the default path (the first of them starts the server): three create
# branches, two create tags (lightweight and annotated), three run
# fast-import on streams of their own into branches of their own, two
# commit. Every write acknowledged (exit 0) must be there afterwards, the
# imported branches must have the ids git gives the same streams, and
# fsck must be clean.
source "$(dirname "$0")/srv_lib.sh"
unset PMVCS_NO_SERVER   # this test is about the default path

A=$T/a G=$T/g
"$PMVCS" init -q "$A"
echo base >"$A/base"
"$PMVCS" -C "$A" --no-server commit -q -m base
base=$("$PMVCS" -C "$A" --no-server rev-parse HEAD)
git init -q "$G"

# stream K: five commits on refs/heads/imp<K>, fixed dates: git's ids
stream() {
	local k=$1 i
	for i in 1 2 3 4 5; do
		printf 'commit refs/heads/imp%s\nmark :%s\n' "$k" "$i"
		printf 'committer C <c@x> %s +0000\ndata 7\nimp%s.%s\n' "$((1700000000 + i))" "$k" "$i"
		[ "$i" = 1 ] || printf 'from :%s\n' "$((i - 1))"
		printf 'M 100644 inline f%s.txt\ndata 5\nv%s.%s\n\n' "$k" "$k" "$i"
	done
}
for k in 1 2 3; do
	stream $k >"$T/s$k.fe"
	git -C "$G" fast-import --quiet <"$T/s$k.fe"
done

mkfifo "$T/go"
exec 3<>"$T/go"
pids=()
client() { # client NAME CMD...: after the start signal, CMD's writes
	local name=$1; shift
	( read -r _ <"$T/go"; "$@" ) >"$T/$name.log" 2>&1 &
	pids+=($!)
}
brancher() { local i; for i in 1 2 3 4 5; do
	"$PMVCS" -C "$A" branch "b$1.$i" "$base" && echo "branch b$1.$i"; done; }
tagger() { local i; for i in 1 2 3 4 5; do
	if [ "$1" = 1 ]; then "$PMVCS" -C "$A" tag "t$1.$i" "$base"
	else "$PMVCS" -C "$A" tag -a -m "tag $1.$i" "t$1.$i" "$base"; fi && echo "tag t$1.$i"; done; }
importer() { "$PMVCS" -C "$A" fast-import --quiet <"$T/s$1.fe" && echo "import $1"; }
# (a commit snapshots the whole tree: the other committer's commit may
# have taken this one's file already, and then there is nothing to commit,
# exit 1, as in git: the file must be in the history then)
committer() { local i rc; for i in 1 2 3 4 5; do
	echo "$1.$i" >"$A/c$1.$i"
	rc=0; "$PMVCS" -C "$A" commit -q -m "c$1.$i" >/dev/null || rc=$?
	case $rc in 0) echo "commit c$1.$i" ;; 1) echo "file c$1.$i" ;; esac; done; }
for k in 1 2 3; do client "branch$k" brancher $k; done
for k in 1 2; do client "tag$k" tagger $k; done
for k in 1 2 3; do client "import$k" importer $k; done
for k in 1 2; do client "commit$k" committer $k; done
printf 'go\n%.0s' "${pids[@]}" >&3
for p in "${pids[@]}"; do wait "$p" || true; done
exec 3>&-
cat "$T"/branch?.log "$T"/tag?.log "$T"/import?.log "$T"/commit?.log >"$T/acked"

# every acknowledged write is there
refs=$("$PMVCS" -C "$A" show-ref)
log=$("$PMVCS" -C "$A" log --format=%s)
n=0
while read -r kind what; do
	case $kind in
	branch) grep -q " refs/heads/$what\$" <<<"$refs" || fail "branch $what lost" ;;
	tag) grep -q " refs/tags/$what\$" <<<"$refs" || fail "tag $what lost" ;;
	import) expect_eq "imp$what as git imports it" "$(git -C "$G" rev-parse "imp$what")" \
		"$("$PMVCS" -C "$A" rev-parse "imp$what")" ;;
	commit) grep -qx "$what" <<<"$log" || fail "commit $what lost" ;;
	file) "$PMVCS" -C "$A" ls-tree -r --name-only HEAD | grep -qx "$what" ||
		fail "file $what not committed" ;;
	*) fail "client said: $kind $what" ;;
	esac
	n=$((n + 1))
done <"$T/acked"
# no client had a reason to fail: all 38 writes acknowledged
expect_eq "writes acknowledged" "38" "$n"
# 38 writes, show-ref, log, 3 rev-parse; more if a commit said "file"
expect_eq "one server served them all" "$((43 + $(grep -c '^file' "$T/acked" || true)))" \
	"$("$PMVCS" -C "$A" server status | sed -n 's/^served //p')"
fsck_ok "$A" "ten clients"
echo ok
