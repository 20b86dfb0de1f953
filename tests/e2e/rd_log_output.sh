#!/bin/bash
# rd_log_output.sh -- what log prints after each commit, compared byte for
# byte with git on a generated history (merges, a root commit, an empty
# commit, deletions, a directory that becomes a file, odd names) and on
# the streams: -p, --stat, --numstat, --shortstat, --name-only,
# --name-status, their mixes, -s,
# in each header format (the separator lines differ), and path-limited
# logs, whose diffs show those paths only. git's rename detection is off
# here (diff.renames=false): pmvcs does not detect renames yet. Then
# --decorate (short, full, none, bad), %d and %D, on a branch and with
# HEAD detached; padding and truncation placeholders; -S and -G (commits
# and the files shown, -n counting shown commits only).
# streams: gen shared
source "$(dirname "$0")/rd_hist_lib.sh"

out_generated() {
	git -C "$G" config diff.renames false
	for o in -p --stat --name-only --name-status "--stat -p" "-p --stat" \
		 "-p --name-status" "--stat --name-only" "-p -s" "-U1" --numstat \
		 --shortstat "--numstat --stat --shortstat -p" "--numstat --name-only"; do
		for f in "" --oneline "--format=%h %s" "--format=format:%h" \
			 "--pretty=fuller" "--pretty=email" "--pretty=reference" \
			 "--format="; do
			eval "hcmp log $o $f"
		done
		eval "hcmp log $o --all -- src"
		eval "hcmp log $o -- src/lib 'odd dir'"
		eval "hcmp log $o --first-parent -- doc"
	done
	for f in '%<(10)%s|' '%>(10)%h|' '%><(12)%an|' '%<(8,trunc)%s|' \
		 '%<(8,ltrunc)%s|' '%<(9,mtrunc)%s|' '%<(10,mtrunc)%s|' \
		 '%h %<|(30)%s|' '%h %>|(40)%an|' '%<(5)x%s|' '%<(1,trunc)%s|' \
		 '%<(0,trunc)%s|' '%<(bad)%s|' '%<(20)%d|'; do
		hcmp log --all --format="$f"
	done
	for a in "-S line" "-S line -n 2" "--oneline --stat -S doc" "-p -S side" \
		 "-G 'side [0-9]'" "-G '^[0-9]+ 9' -p" "-S 'line [12]' --pickaxe-regex" \
		 "-S nothing-here" "-S line -- src/lib" "--first-parent -S side" \
		 "-S main --all --stat" "-G '('" "--name-status -G gen"; do
		eval "hcmp log --format=%h $a"
	done
	for head in master detached; do
		if [ $head = detached ]; then
			git -C "$G" checkout -q --detach master~2
			pmvcs -C "$P" checkout -q "$(git -C "$G" rev-parse HEAD)"
		fi
		hcmp log --decorate
		hcmp log --decorate=full --all
		hcmp log --oneline --decorate --all
		hcmp log --oneline --decorate=short -3 --all
		hcmp log --format='%h%d|%D|' --all
		hcmp log --no-decorate --oneline
		hcmp log --decorate=no --oneline
		hcmp log --decorate=bogus
	done
}

out_stream() {
	git -C "$G" config diff.renames false
	hcmp log -p -n 40
	hcmp log --stat -n 100 --oneline
	hcmp log --name-status -n 100
	hcmp log --name-only -n 50 --format=%H
	hcmp log --numstat --shortstat -n 100 --format=%H
}

case $STREAM_SET in
gen)
	hist_generated
	out_generated
	hist_serve      # again, served
	out_generated ;;
shared)
	hist_stream small
	out_stream
	hist_stream large
	out_stream ;;
esac
echo "ok ($HCMP_N comparisons)"
