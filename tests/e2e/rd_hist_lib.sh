# rd_hist_lib.sh -- sourced by the history-query tests (rd_revs,
# rd_log_limit, rd_log_output, rd_rev_list): the same history in git ($G)
# and in pmvcs ($P), and hcmp, which runs one command in both and
# compares stdout byte for byte, the exit code and the fatal message.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# hist_generated: a history with what the walk must get right: merges
# (one octopus), a side line with older dates, clock skew, commits with
# equal dates, renames, deletions, a directory that becomes a file, an
# empty commit, several authors and committers, odd file names.
hist_generated() {
	G=$T/git P=$T/pm
	git init -q "$G"
	(
		cd "$G"
		RANDOM=7
		n=0
		c() { # c MESSAGE: commit everything with the next dates
			n=$((n + 1))
			local d=$((1600000000 + n * 3600))
			[ $((n % 7)) = 3 ] && d=$((d - 20000))     # clock skew
			[ $((n % 5)) = 0 ] && d=$((d - 3600))      # a tie
			git add -A .
			GIT_AUTHOR_NAME="Au$((n % 3)) Thor" GIT_AUTHOR_EMAIL="au$((n % 3))@example.com" \
			GIT_COMMITTER_NAME="Co$((n % 2)) Mitter" \
			GIT_AUTHOR_DATE="$((d - n * 7)) +0100" GIT_COMMITTER_DATE="$d +0000" \
				git commit -q --allow-empty -m "$1" -m "body of $n: ${2:-plain}"
		}
		mkdir -p src/lib doc "odd dir"
		echo one > README; echo a > src/main.c; echo b > src/lib/util.c
		c "initial import" "Fixes: none"
		for i in 1 2 3; do echo "line $i" >> src/main.c; c "main: step $i" "feature $i"; done
		echo x > "odd dir/sp ace.txt"; printf 'u\n' > "doc/ünï.md"; echo t > "-dash"
		c "add odd names" "BUG-12"
		git checkout -q -b side HEAD~2
		for i in 1 2 3; do echo "side $i" >> src/lib/util.c; c "util: side $i" "bug fix $i"; done
		git checkout -q -b topic master
		git mv src/lib/util.c src/lib/helpers.c; c "rename util to helpers" "refactor"
		echo doc > doc/guide.md; c "docs: guide"
		git checkout -q master
		echo "line 4" >> src/main.c; c "main: step 4" "feature 4"
		GIT_COMMITTER_DATE="1600100000 +0000" git merge -q --no-ff -m "Merge branch 'side'" side
		c "empty commit" "nothing changed"
		git rm -q README; c "drop README" "cleanup"
		git merge -q --no-ff -m "Merge branch 'topic'" topic || true
		git checkout -q -b o1 HEAD~1; echo 1 > o1.txt; c "o1"
		git checkout -q -b o2 master; echo 2 > o2.txt; c "o2"
		git checkout -q master
		git merge -q --no-ff -m "octopus" o1 o2
		rm -rf doc; echo flat > doc; c "doc becomes a file" "BUG-99 fix"
		for i in $(seq 1 12); do
			f=src/gen$((RANDOM % 4)).c
			echo "$i $RANDOM" >> "$f"; c "gen: touch $f ($i)" "$([ $((i % 3)) = 0 ] && echo 'bug fix')"
		done
		git tag -a -m "release one" v1.0 HEAD~6
		git tag light HEAD~3
		git checkout -q -b late HEAD~4; echo late > late.txt; c "late branch"
		git checkout -q master
		echo master > master; c "a file named like a branch"
	)
	pmvcs init -q "$P"
	git -C "$G" fast-export --all --reencode=no --signed-tags=verbatim |
		pmvcs -C "$P" fast-import --quiet || fail "import"
	expect_eq "same history" "$(git -C "$G" rev-parse master)" \
		"$(pmvcs -C "$P" rev-parse master)"
	git -C "$G" checkout -q master
	pmvcs -C "$P" checkout -q -f master
}

# hist_stream ROLE: lib.sh use_streams' history ROLE in both
hist_stream() {
	use_streams "$1"
	G=$T/git-$1 P=$T/pm-$1
	git init -q "$G"
	git -C "$G" fast-import --quiet < "$T/$1.fe"
	pmvcs init -q "$P"
	pmvcs -C "$P" fast-import --quiet < "$T/$1.fe" || fail "$1: import"
	rm -f "$T/$1.fe"
	git -C "$G" checkout -q -f "$MAIN"
	pmvcs -C "$P" checkout -q -f "$MAIN"
}

# hcmp ARGS...: same stdout (bytes), fatal message and exit code as git
hcmp() {
	local gr pr
	set +e
	(cd "$G" && git "$@" > "$T/g.out" 2> "$T/g.err"); gr=$?
	(cd "$P" && pmvcs "$@" > "$T/p.out" 2> "$T/p.err"); pr=$?
	set -e
	diff "$T/g.out" "$T/p.out" > "$T/d.out" ||
		{ head -30 "$T/d.out" >&2; fail "$*: output differs from git's"; }
	[ "$gr" = "$pr" ] || { cat "$T/p.err" >&2; fail "$*: git exit $gr, pmvcs exit $pr"; }
	expect_eq "$* (stderr)" "$(sed -n 's/^fatal: //p' "$T/g.err" | head -1)" \
		"$(sed -n 's/^pmvcs: //p' "$T/p.err" | head -1)"
	HCMP_N=$((${HCMP_N:-0} + 1))
}

# hist_serve: from now on $P's commands run in its server (threads, the
# client's cwd and environment); stopped on exit
hist_serve() {
	serve "$P"
	pmvcs -C "$P" server status | grep -q '^pid ' || fail "no server"
}
