#!/bin/bash
# srv_same.sh -- commands served by 'pmvcs server' give the same stdout,
# stderr and exit code as in-process (--no-server): reads on one repo,
# then the same writes (commit, checkout, branch, tag, fast-import) on two
# equal repos, one served and one not, ending with equal ids and trees.
source "$(dirname "$0")/srv_lib.sh"

A=$T/a B=$T/b
srv_history "$A"; srv_history "$B"
expect_eq "same start" "$("$PMVCS" -C "$A" --no-server rev-parse HEAD)" \
	"$("$PMVCS" -C "$B" --no-server rev-parse HEAD)"

# reads on A: record in-process answers, then ask the server
reads=(
	"log" "log --oneline" "log -n 2 --format=%H%n%an%n%s" "log --all --oneline"
	"show HEAD~1" "show v1" "show --stat HEAD" "cat-file -p HEAD" "cat-file -t v1"
	"cat-file -e nope" "cat-file --batch-check --batch-all-objects"
	"cat-file --batch --batch-all-objects" "ls-tree -r HEAD" "ls-tree -l HEAD~1"
	"rev-parse HEAD HEAD~1 v1^{} light side" "rev-parse nope" "rev-parse --short HEAD"
	"show-ref" "diff HEAD~2 HEAD" "diff --stat HEAD~1" "diff --name-status HEAD~2"
	"status" "status --short" "branch" "tag" "fsck" "log --bogus-option"
	"fast-export --all"
)
run_all() { # run_all TAG [--no-server]: each read's out, err, rc into $T/TAG.N.*
	local n=0 r
	for r in "${reads[@]}"; do
		n=$((n + 1))
		set +e
		(cd "$A/src" && "$PMVCS" ${2:-} $r > "$T/$1.$n.out" 2> "$T/$1.$n.err"); echo $? > "$T/$1.$n.rc"
		set -e
	done
}
echo changed >> "$A/main.c"; echo new > "$A/untracked"   # for status/diff
run_all inproc --no-server
srv_start "$A"
srv_holds "$A"
run_all served
n=0
for r in "${reads[@]}"; do
	n=$((n + 1))
	for k in out err rc; do
		cmp -s "$T/inproc.$n.$k" "$T/served.$n.$k" ||
			{ diff "$T/inproc.$n.$k" "$T/served.$n.$k" | head -20 >&2; fail "served '$r': $k differs"; }
	done
done
expect_eq "-C works through the server" "$("$PMVCS" --no-server -C "$B" rev-parse HEAD)" \
	"$("$PMVCS" -C "$A" rev-parse HEAD)"

# stdin: cat-file --batch
q=$(printf 'HEAD\nv1\nnope\nHEAD:main.c\n')
expect_eq "cat-file --batch from stdin" "$(cd "$B" && "$PMVCS" --no-server cat-file --batch <<<"$q")" \
	"$(cd "$A" && "$PMVCS" cat-file --batch <<<"$q")"

# writes: the same steps on B in-process and on A through the server
cp "$A/main.c" "$B/main.c"; cp "$A/untracked" "$B/untracked"
step() { # step FLAGS: the write sequence, outputs (paths made neutral) and codes
	local f=$1 d=$2
	(
	set +e
	p() { (cd "$d" && "$PMVCS" $f "$@" 2>&1; echo "rc=$?") | sed "s|$d|REPO|g"; }
	p commit -m "commit 4"
	p branch feature
	p checkout feature
	echo feat > "$d/feat.txt"
	p commit -m "feature work"
	p tag -a -m "tag on feature" v2
	p checkout master
	p checkout nope
	echo dirty >> "$d/main.c"; p checkout feature; p checkout -f feature
	p branch -d side
	p tag -d light
	p status --short
	p log --all --oneline
	printf 'blob\nmark :1\ndata 4\nabc\n\ncommit refs/heads/imp\nmark :2\ncommitter C <c@x> 1700000000 +0000\ndata 2\nfi\nM 100644 :1 imp.txt\n\n' |
		(cd "$d" && "$PMVCS" $f fast-import --quiet 2>&1; echo "rc=$?")
	p rev-parse imp feature master v2
	p ls-tree -r imp
	)
}
expect_eq "writes served = in-process" "$(step --no-server "$B")" "$(step "" "$A")"
expect_eq "work trees equal" "$(cd "$B" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)" \
	"$(cd "$A" && find . -path ./.pmvcs -prune -o -type f -print | sort | xargs md5sum)"
srv_holds "$A"
echo ok
