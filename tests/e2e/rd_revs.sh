#!/bin/bash
# rd_revs.sh -- revision arguments in log, compared byte for byte with git
# on a generated history (merges, an octopus, clock skew, equal dates,
# renames, odd names, a file named like a branch) and on the streams
# (lib.sh use_streams): ranges, symmetric differences, negations, --not,
# ^@ and ^!, --all/--branches/--tags, default HEAD, and git's rule for
# arguments that may be revisions or paths (its messages and exit codes).
# streams: gen shared
source "$(dirname "$0")/rd_hist_lib.sh"

revs_generated() {
	local f='--format=%H %P %s'
	for a in "" --all side master..side "side..master --" side...master \
		 "master...side --" "^side master --" "master --not side --" \
		 "--not side --not master --" "master^@ --" "master^! --" \
		 "side^!" "octopus^@" "--branches" "--tags" "--tags --branches" \
		 "v1.0..late" "v1.0...late" "light..master --" "HEAD~3..HEAD --" \
		 "..side" "side.." "side^{commit}..master^0 --" "^o1 ^o2 master --" \
		 "o1...o2" "late...master --" "':/empty commit'" "':/^gen: touch src/gen0'" "':/!-gen'" "--all --not late"; do
		[ "$a" = "octopus^@" ] && a="$(git -C "$G" rev-parse ':/^octopus')^@"
		eval "hcmp log '$f' $a"
		eval "hcmp log --oneline $a"
	done
	# arguments: revision or path
	hcmp log --oneline src/main.c
	hcmp log --oneline 'src/*.c'
	hcmp log --oneline master
	hcmp log --oneline master --
	hcmp log --oneline -- master
	hcmp log --oneline nosuch
	hcmp log --oneline nosuch --
	hcmp log --oneline side nosuch
	hcmp log --oneline src/main.c nosuch
	hcmp log --oneline side -- nosuch
	hcmp log --oneline ^nosuch --
}

revs_stream() {
	local a b
	a=$(git -C "$G" rev-list --all | sed -n '40p')
	b=$(git -C "$G" rev-list --all | sed -n '7p')
	for r in "" --all --branches --tags "$a..$b" "$b..$a" "$a...$b" \
		 "$a^! $b" "^$a $b" "$b^@" "--all --not $b" "$MAIN~20..$MAIN"; do
		eval "hcmp log --format='%H %s' $r --"
	done
}

case $STREAM_SET in
gen)
	hist_generated
	revs_generated
	hist_serve      # again, served
	revs_generated ;;
shared)
	hist_stream small
	revs_stream
	hist_stream large
	revs_stream ;;
esac
echo "ok ($HCMP_N comparisons)"
