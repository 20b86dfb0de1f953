#!/bin/bash
# rd_rev_list.sh -- rev-list compared byte for byte with git on a generated
# history (merges, an octopus, clock skew, renames, odd names, annotated
# and lightweight tags) and on the streams: the walk with the limiting
# log takes, --count, --parents (after history simplification),
# --objects (git's order: commits, given tags, then trees and blobs depth
# first, each once, without what the excluded side already has),
# --boundary (rev-list's "-" and log's "- " marks, %m's < > -).
# streams: gen shared
source "$(dirname "$0")/rd_hist_lib.sh"

rl_generated() {
	for a in "HEAD --" "--all" "master..side" "side...master --" \
		 "--parents --all" "--parents HEAD -- src/lib" \
		 "--parents --full-history HEAD -- src/lib" "--count --all" \
		 "--count master..side" "--count HEAD -- src" "-n 3 HEAD --" \
		 "--max-count=4 --skip=2 --all" "--reverse --all" \
		 "--topo-order --all" "--date-order --parents --all" \
		 "--merges --all" "--no-merges --count --all" "--first-parent HEAD --" \
		 "--max-age=1600050000 --all" "--min-age=1600050000 --all" \
		 "--objects HEAD --" "--objects --all" "--objects v1.0" \
		 "--objects master..side" "--objects side...master --" \
		 "--objects -n 2 HEAD --" "--objects ^light master --" \
		 "--author=Au1 --all" "--grep=bug -i --all" \
		 "--boundary master..side" "--boundary side...master --" \
		 "--boundary -n 3 HEAD --" "--boundary --all --not late" \
		 "--boundary --topo-order v1.0..master --" "--boundary HEAD -- src/lib" \
		 "--boundary --parents HEAD~3..HEAD --" \
		 "--boundary --reverse HEAD~3..HEAD --"; do
		eval "hcmp rev-list $a"
	done
	for a in "--oneline --boundary -3 master --" "--boundary -2 master --" \
		 "--format='%m%h %s' --boundary o1...o2" "--format='%m%h' side...master --" \
		 "--oneline --boundary --reverse -3 master --" \
		 "--boundary --format=%h%d -3 --all"; do
		eval "hcmp log $a"
	done
	hcmp rev-list
	hcmp rev-list nosuch
	hcmp rev-list master
}

rl_stream() {
	local a b
	a=$(git -C "$G" rev-list --all | sed -n '30p')
	b=$(git -C "$G" rev-list --all | sed -n '3p')
	for r in "--all" "--count --all" "--parents --all" "--topo-order --all" \
		 "--objects --all" "--objects $a..$b" "--objects $a...$b" \
		 "--count $a..$b" "--no-merges --all"; do
		eval "hcmp rev-list $r"
	done
}

case $STREAM_SET in
gen)
	hist_generated
	rl_generated
	hist_serve      # again, served
	rl_generated ;;
shared)
	hist_stream small
	rl_stream
	hist_stream large
	rl_stream ;;
esac
echo "ok ($HCMP_N comparisons)"
