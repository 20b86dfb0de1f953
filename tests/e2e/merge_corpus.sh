#!/bin/bash
# merge_corpus.sh -- pmvcs merge against git merge on generated
# scenarios, each built the same way in a pmvcs and a git repository:
# clean merges, content conflicts (merge and diff3 style), add/add,
# modify/delete both ways, mode changes, deletions, new directories,
# fast-forwards, --no-ff, --ff-only, criss-cross histories, octopus
# merges of clean branches. Compared:
# stdout, stderr and exit code of the merge, the merge commit's id, the
# working tree after a conflict byte for byte, and the id of the commit
# that concludes a conflicted merge (git add -A + commit vs
# pmvcs merge --continue). Rename detection is off in git
# (merge.renames=false), as pmvcs has none (docs/merge.md).
source "$(dirname "$0")/lib.sh"
trap 'echo "FAIL: line $LINENO" >&2' ERR

N=${MERGE_CORPUS_N:-72}
p="$T/p" g="$T/g"
gitm() { git -c merge.renames=false -c diff.renames=false "$@"; }
# in both: run a shell snippet in each work tree
both() { (cd "$p" && eval "$1"); (cd "$g" && eval "$1"); }
ci() { (cd "$p" && pmvcs commit -q --allow-empty -m "$1"); (cd "$g" && git add -A && git commit -q --allow-empty -m "$1"); }
branch() { (cd "$p" && pmvcs branch "$1"); (cd "$g" && git branch "$1"); }
co() { (cd "$p" && pmvcs checkout -q "$1"); (cd "$g" && git checkout -q "$1"); }
# tree_eq WHAT: the two work trees hold the same files, bytes and modes
tree_eq() {
	diff -r --no-dereference -x .git -x .pmvcs "$p" "$g" >&2 || fail "$1: work trees differ"
	local a b
	a=$(cd "$p" && find . -path ./.pmvcs -prune -o -type f -perm -u+x -print | sort)
	b=$(cd "$g" && find . -path ./.git -prune -o -type f -perm -u+x -print | sort)
	expect_eq "$1: executable files" "$b" "$a"
}
# edit FILE: change one random line (or append one)
edit() {
	local f=$1 n tag=$2
	n=$(wc -l <"$p/$f")
	if ((n && RANDOM % 4)); then
		both "sed -i '$((RANDOM % 3 + 1))s/\$/ $tag/' '$f'"
	else
		both "echo '$tag' >> '$f'"
	fi
}
# side_ops TAG: a few random changes on the current branch
side_ops() {
	local tag=$1 k f
	for ((k = RANDOM % 3 + 1; k > 0; k--)); do
		f=f$((RANDOM % 4))
		case $((RANDOM % 9)) in
		0) both "rm -f $f" ;;
		1) both "[ -e $f ] && chmod +x $f || :" ;;
		2) both "mkdir -p d$tag && echo $tag > d$tag/n" ;;
		3) both "printf '%s\n' new $tag both > add" ;;
		*) [ -e "$p/$f" ] && edit "$f" "$tag" || both "printf '%s\n' 1 2 $tag > $f" ;;
		esac
	done
}

pass=0 conflicts=0 clean=0 ffs=0 octo=0
run_merge() {  # WHAT ARGS...: merge in both, compare everything
	local what=$1; shift
	local pr gr po go pe ge
	set +e
	po=$(cd "$p" && pmvcs merge "$@" 2>"$T/pe"); pr=$?
	go=$(cd "$g" && gitm merge "$@" 2>"$T/ge"); gr=$?
	set -e
	expect_eq "$what: stdout" "$go" "$po"
	expect_eq "$what: stderr" "$(cat "$T/ge")" "$(cat "$T/pe")"
	expect_eq "$what: exit code" "$gr" "$pr"
	printf '%s\n' "$go" >>"$T/all.out"
	tree_eq "$what"
	if ((gr == 1)); then
		conflicts=$((conflicts + 1))
		# resolve: keep the files as they are, minus the markers
		both "grep -rlZ --exclude-dir=.git --exclude-dir=.pmvcs '^<<<<<<<' . | xargs -0 -r sed -i '/^<<<<<<<\|^=======\|^>>>>>>>\|^|||||||/d' || :"
		(cd "$g" && git add -A && GIT_EDITOR=true git merge --continue >/dev/null)
		(cd "$p" && pmvcs merge --continue >/dev/null)
	else
		if [[ $go == *"'octopus' strategy"* ]]; then octo=$((octo + 1))
		elif [[ $go == *Fast-forward* ]]; then ffs=$((ffs + 1))
		else clean=$((clean + 1)); fi
	fi
	expect_eq "$what: HEAD" "$(cd "$g" && git cat-file -p HEAD; git ls-tree -r HEAD)" \
		"$(cd "$p" && pmvcs cat-file -p HEAD; pmvcs ls-tree -r HEAD)"
	pass=$((pass + 1))
}

for ((s = ${MERGE_CORPUS_FROM:-0}; s < N; s++)); do
	RANDOM=$((s * 7 + 1))
	rm -rf "$p" "$g"
	pmvcs init -q "$p"; git init -q "$g"
	for i in 0 1 2 3 4 5; do
		both "for l in 1 2 3 4 5; do echo line \$l of $i; done > f$i"
	done
	ci base
	branch side
	kind=$((s % 7))
	if ((kind == 6)); then
		# octopus of clean branches: each changes its own lines/files
		nb=$((RANDOM % 2 + 2)) heads=""
		for ((b = 0; b < nb; b++)); do
			branch o$b; co o$b
			case $(((RANDOM + b) % 3)) in
			0) both "sed -i '$((b * 2 + 1))s/\$/ o$b/' f0" ;;
			1) both "echo o$b > new$b" ;;
			2) both "chmod +x f$((b + 1))" ;;
			esac
			ci "o$b"; co master; heads="$heads o$b"
		done
		((RANDOM % 2)) && { both "echo m > m"; ci m; }
		run_merge "scenario $s (octopus)" $heads
		continue
	fi
	if ((kind == 5)); then
		# fast-forward (or --no-ff / --ff-only of one)
		co side; side_ops t; ci theirs; co master
		case $((s % 4)) in
		1) run_merge "scenario $s (no-ff)" --no-ff side ;;
		3) run_merge "scenario $s (ff-only)" --ff-only side ;;
		*) run_merge "scenario $s (ff)" side ;;
		esac
		continue
	fi
	side_ops o; ci ours
	co side; side_ops t; ci theirs
	if ((kind == 4)); then
		# criss-cross: each side merges the other's first commit
		co master; branch m1; co side; branch s1
		run_merge "scenario $s (criss-cross, first)" m1
		co master
		run_merge "scenario $s (criss-cross, second)" s1
		co side; side_ops u; ci more; co master; side_ops v; ci more2
		expect_eq "scenario $s: merge-base --all" \
			"$(cd "$g" && git merge-base --all master side)" \
			"$(cd "$p" && pmvcs merge-base --all master side)"
	fi
	co master
	if ((kind == 3)); then
		(cd "$g" && git config merge.conflictStyle diff3)
		(cd "$p" && pmvcs config merge.conflictStyle diff3)
	fi
	if ((kind == 2)); then
		run_merge "scenario $s (-m)" -m "merge side in" side
	else
		run_merge "scenario $s" side
	fi
done
echo "merge corpus: $pass scenarios equal to git ($clean clean, $conflicts conflicted, $ffs fast-forward, $octo octopus)"
for k in content add/add modify/delete; do
	echo "  CONFLICT ($k): $(grep -c "^CONFLICT ($k)" "$T/all.out")"
done
echo "  mode changes: $(grep -c "mode change" "$T/all.out")"
((pass >= 50)) || fail "only $pass scenarios ran"
((conflicts >= 10 && clean >= 10 && octo >= 5)) || fail "the generator is too tame"
