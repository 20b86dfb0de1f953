#!/bin/bash
# srv_twin.sh -- the same command script on the default path (the first
# command starts the server, every command is served) and in-process
# (PMVCS_NO_SERVER=1) in twin repositories: stdout, stderr and exit code
# of every command equal byte for byte (the repository's path written as
# REPO), and the repositories end with the same refs and trees. The
# script covers writes, reads, stdin, errors and usage errors.
source "$(dirname "$0")/srv_lib.sh"
unset PMVCS_NO_SERVER

cat >"$T/script" <<'EOF'
commit -m first
status
log
rev-parse HEAD
branch topic
checkout topic
@edit topic.txt
commit -m "on topic"
tag -a -m "annotated" v1
tag light HEAD~1
checkout master
@edit main.txt
status --short
diff
diff --stat HEAD
commit -m "on master"
log --all --oneline
show --stat HEAD
show v1
cat-file -t v1
cat-file -p HEAD^{tree}
cat-file -e nope
@stdin cat-file --batch-check
ls-tree -r topic
show-ref
branch -v
tag
reflog
rev-parse nope
rev-parse --short HEAD~1
log --bogus
branch --bogus
commit -h
checkout nope
branch topic
tag v1
branch -d topic
branch -D topic
tag -d light
@import
log --oneline imp
fsck
gc
fast-export --all
log -n1 --format=%H%n%an%n%s
EOF

# run_script DIR: each line of the script in DIR, outputs in DIR.N.*
run_script() {
	local d=$1 n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		set +e
		case $line in
		@edit\ *) echo "edit $n" >>"$d/${line#@edit }"; echo 0 >"$d.$n.rc"; touch "$d.$n.out" "$d.$n.err"; set -e; continue ;;
		@stdin\ *) (cd "$d" && printf 'HEAD\nv1\nnope\nHEAD:main.txt\n' |
			eval "\"\$PMVCS\" ${line#@stdin }") >"$d.$n.out" 2>"$d.$n.err" ;;
		@import) (cd "$d" && printf 'blob\nmark :1\ndata 4\nabc\n\ncommit refs/heads/imp\ncommitter C <c@x> 1700000000 +0000\ndata 2\nfi\nM 100644 :1 imp.txt\n\n' |
			"$PMVCS" fast-import --quiet) >"$d.$n.out" 2>"$d.$n.err" ;;
		*) (cd "$d" && eval "\"\$PMVCS\" $line") >"$d.$n.out" 2>"$d.$n.err" ;;
		esac
		echo $? >"$d.$n.rc"
		set -e
		sed -i "s|$d|REPO|g" "$d.$n.out" "$d.$n.err"
	done <"$T/script"
}
S=$T/served P=$T/inproc
for d in "$S" "$P"; do
	"$PMVCS" init -q "$d"
	echo hello >"$d/main.txt"
done
run_script "$S"
[ -n "$("$PMVCS" -C "$S" server status | sed -n 's/^pid //p')" ] || fail "no server ran the script"
PMVCS_NO_SERVER=1 run_script "$P"
[ ! -e "$P/.pmvcs/server.sock" ] || fail "PMVCS_NO_SERVER=1 started a server"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	for k in rc out err; do
		cmp -s "$P.$n.$k" "$S.$n.$k" ||
			{ diff "$P.$n.$k" "$S.$n.$k" | head -20 >&2; fail "'$line': $k differs served / in-process"; }
	done
done <"$T/script"
expect_eq "same refs" "$(PMVCS_NO_SERVER=1 "$PMVCS" -C "$P" show-ref)" "$("$PMVCS" -C "$S" show-ref)"
expect_eq "same work trees" "$(cd "$P" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)" \
	"$(cd "$S" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)"
# the script must have exercised failures too
grep -qx 128 "$S".*.rc && grep -qx 129 "$S".*.rc && grep -qx 1 "$S".*.rc ||
	fail "the script met no 1/128/129 exit"
echo ok
