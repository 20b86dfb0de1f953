#!/bin/bash
# merge_file.sh -- pmvcs merge-file equals git merge-file byte for byte
# (stdout, exit code = number of conflicts) on 200 generated three-way
# inputs, each in the merge and the diff3 style, plus labels, marker
# size, in-place output and git's errors.
source "$(dirname "$0")/lib.sh"

cd "$T"
words=(a b c '{' '}' '' 'x = 1;' 'return;' 'foo()' '  bar' '#')
# gen FILE N: N random lines (bash's RANDOM, seeded: reproducible)
gen() { local i; for ((i = 0; i < $2; i++)); do printf '%s\n' "${words[RANDOM % 11]}"; done >"$1"; }
# mutate IN OUT: a few inserted, deleted or replaced lines
mutate() {
	local -a l; local i k op
	mapfile -t l <"$1"
	for ((k = RANDOM % 6; k > 0; k--)); do
		op=$((RANDOM % 3)); i=$((RANDOM % (${#l[@]} + 1)))
		if ((op == 0)); then l=("${l[@]:0:i}" "${words[RANDOM % 11]}" "${l[@]:i}")
		elif ((${#l[@]})); then
			((i == ${#l[@]})) && i=$((i - 1))
			if ((op == 1)); then l=("${l[@]:0:i}" "${l[@]:i+1}")
			else l[i]=${words[RANDOM % 11]}; fi
		fi
	done
	((${#l[@]})) && printf '%s\n' "${l[@]}" >"$2" || : >"$2"
	# now and then no newline at the end
	((RANDOM % 8)) || { [ -s "$2" ] && truncate -s -1 "$2"; } || :
}
RANDOM=14
pass=0 conflicts=0
for ((t = 0; t < 200; t++)); do
	gen o $((RANDOM % 25)); mutate o a; mutate o b
	for style in "" --diff3; do
		set +e
		want=$(git merge-file -p $style a o b; echo "rc=$?")
		got=$(pmvcs merge-file -p $style a o b; echo "rc=$?")
		set -e
		expect_eq "case $t $style" "$want" "$got"
		[[ $want == *"rc=0" ]] || conflicts=$((conflicts + 1))
		pass=$((pass + 1))
	done
done
((conflicts > 50)) || fail "only $conflicts conflicting cases: the generator is too tame"
echo "merge-file: $pass cases equal to git ($conflicts with conflicts)"

# labels, marker size; merge.conflictStyle is ignored, as by git
printf 'a\nb\nc\n' >o; printf 'a\nB\nc\n' >a; printf 'a\nBB\nc\n' >b
for args in "-L x -L y -L z" "--marker-size 3" "--marker-size=10 --diff3 -L one" "-q"; do
	set +e
	want=$(git merge-file -p $args a o b 2>&1; echo "rc=$?")
	got=$(pmvcs merge-file -p $args a o b 2>&1; echo "rc=$?")
	set -e
	expect_eq "merge-file $args" "$want" "$got"
done
want=$(git -c merge.conflictStyle=diff3 merge-file -p a o b || :)
got=$(pmvcs -c merge.conflictStyle=diff3 merge-file -p a o b || :)
expect_eq "conflictStyle=diff3" "$want" "$got"

# in place: the first file is rewritten
cp a a2; cp a a3
expect_rc 1 git merge-file -L a -L o -L b a2 o b
expect_rc 1 pmvcs merge-file -L a -L o -L b a3 o b
cmp a2 a3 || fail "in-place result differs"

# errors: a missing file, wrong operand count
set +e
want=$(git merge-file -p nope o b 2>&1; echo "rc=$?")
got=$(pmvcs merge-file -p nope o b 2>&1; echo "rc=$?")
expect_eq "missing file" "$want" "$got"
git merge-file -p a o >/dev/null 2>&1; g=$?
pmvcs merge-file -p a o >/dev/null 2>&1; p=$?
set -e
expect_eq "two operands" "$g" "$p"
