#!/bin/bash
# rd_log_limit.sh -- log's limiting and ordering options compared byte for
# byte with git on a generated history (merges, an octopus, clock skew,
# equal dates, renames, a directory that becomes a file, odd names) and on
# the streams: -n, --skip, dates, --author/--committer/--grep and their
# regex options, parent counts, --first-parent, path limiting with git's
# default simplification and --full-history, pathspec magic, --reverse,
# --topo-order, --date-order; bad values fail as git's do.
# streams: gen shared
source "$(dirname "$0")/rd_hist_lib.sh"
export GIT_TEST_DATE_NOW=1600150000 TZ=UTC

limit_generated() {
	local f='--format=%H %s'
	for a in "-n 5 --skip 3" "-3" "--max-count=2 --all" "--skip=40" \
		 "--first-parent" "--first-parent side" "--merges" "--no-merges" \
		 "--min-parents=3" "--max-parents=0" "--merges --no-min-parents" \
		 "--no-max-parents --max-parents=1" "--reverse" "--reverse -n 4" \
		 "--topo-order --all" "--date-order --all" "--topo-order side master" \
		 "--reverse --topo-order --all" "--all -- src/main.c" "-- src" \
		 "-- src/" "-- doc" "-- doc/guide.md" "--full-history -- src/lib" \
		 "-- src/lib" "--all -- src/lib/util.c" "-- 'src/*.c'" "-- '*.md'" \
		 "-- ':(glob)src/*.c'" "-- ':(glob)**/*.c'" "-- ':(exclude)src'" \
		 "-- ':!src/gen*' src" "-- . ':^doc'" "-- ." "-- 'odd dir'" \
		 "-- -dash" "-- nosuch" "--first-parent -- src/lib" \
		 "--topo-order -- src" "--merges -- src/lib" \
		 "--author=Au1" "--author=au1 -i" "--author=Au1 --author=Au2" \
		 "--grep=bug" "--grep=BUG -i" "--grep=BUG --regexp-ignore-case" \
		 "--grep=fix --grep=feature" "--grep=fix --grep=bug --all-match" \
		 "--invert-grep --grep=fix" "--grep='step [0-9]'" \
		 "--grep='step (1|2)' -E" "--grep='(1|2)' -F" "--grep='gen.*c' -F" \
		 "--committer=Co1 --author=Au2" "--grep=bug --author=Au0" \
		 "--author=Thor --invert-grep --grep=gen" \
		 "--since=1600030000 --until=1600080000" "--after=@1600050000" \
		 "--before='2020-09-14 12:00:00 +0200'" "--since=2020-09-14" \
		 "--since='2 days ago'" "--since='20.hours.ago'" "--until=yesterday" \
		 "--since=1600030000 --all --topo-order"; do
		eval "hcmp log '$f' $a"
	done
	hcmp log --skip=x
	hcmp log --oneline --grep='('
	(cd "$P/src" && pmvcs log --format=%H -- main.c lib) > "$T/p.sub"
	(cd "$G/src" && git log --format=%H -- main.c lib) > "$T/g.sub"
	cmp "$T/g.sub" "$T/p.sub" || fail "paths relative to a subdirectory"
}

limit_stream() {
	for a in "-n 30" "--skip=100 -n 20" "--merges" "--no-merges -n 50" \
		 "--first-parent" "--topo-order --all" "--date-order --all" \
		 "--reverse --all" "--grep=fix -i" "--author=a --all-match" \
		 "--since=@1300000000 --until=@1400000000"; do
		eval "hcmp log --format='%H %s' $a"
	done
	# path limiting: a file at the root, one deeper, a directory
	for p in $(git -C "$G" ls-tree --name-only HEAD | head -3) \
		 $(git -C "$G" ls-tree -r --name-only HEAD | grep / | head -2) \
		 $(git -C "$G" ls-tree -d --name-only HEAD | head -1); do
		hcmp log --format='%H %s' -- "$p"
		hcmp log --oneline --full-history -- "$p"
	done
}

case $STREAM_SET in
gen)
	hist_generated
	limit_generated
	hist_serve      # again, served
	limit_generated ;;
shared)
	hist_stream small
	limit_stream
	hist_stream large
	limit_stream ;;
esac
echo "ok ($HCMP_N comparisons)"
