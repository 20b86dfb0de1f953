#!/bin/bash
# wt_status_many.sh -- status over a tree of many directories (so the
# scan's threads share them, and in-process the scan runs while the pool
# opens) equals git status --short: a change in each of many directories,
# deletions, an untracked file and directory in many places, ignore rules
# at several depths; the same answer in-process (--no-server) and served;
# a file changed after the stat cache was written is reported, also when
# only its mtime gives it away, and when nothing else changed; served
# statuses at once write the cache safely.
source "$(dirname "$0")/srv_lib.sh"

p="$T/p" g="$T/g"
pmvcs init -q "$p"; git init -q "$g"
for d in "$p" "$g"; do
	for i in $(seq -w 0 39); do
		for s in a b c; do
			mkdir -p "$d/d$i/$s"
			for f in 1 2 3 4; do echo "d$i $s $f" > "$d/d$i/$s/f$f.c"; done
		done
		echo "top $i" > "$d/d$i/top"
	done
	printf '*.o\nbuild/\n' > "$d/.pmvcsignore"
	printf '!keep.o\n' > "$d/d07/.pmvcsignore"
	printf '*.tmp\n' > "$d/d11/b/.pmvcsignore"
	for f in .pmvcsignore d07/.pmvcsignore d11/b/.pmvcsignore; do
		cp "$d/$f" "$d/${f%.pmvcsignore}.gitignore"
	done
done
pmvcs -C "$p" --no-server commit -q -m base
(cd "$g" && git add -A && git commit -qm base)
expect_eq "clean" "" "$(pmvcs -C "$p" --no-server status --short)"
expect_eq "clean again (cache)" "" "$(pmvcs -C "$p" --no-server status --short)"

# both: PMVCS status (in-process and served) equals git's
both() {
	local want; want=$(cd "$g" && git status --short)
	# from a subdirectory: paths relative to it, as git's
	expect_eq "$1 (in-process)" "$(cd "$g/d03" && git status --short)" \
		"$(cd "$p/d03" && pmvcs --no-server status --short)"
	expect_eq "$1 (in-process, again)" "$want" "$(pmvcs -C "$p" --no-server status --short)"
	expect_eq "$1 -uall" "$(cd "$g" && git status --short -uall)" \
		"$(pmvcs -C "$p" --no-server status --short -uall)"
	srv_start "$p"
	# (served even in the in-process run, .noserver)
	expect_eq "$1 (served)" "$(cd "$g/d05/a" && git status --short)" \
		"$(cd "$p/d05/a" && PMVCS_NO_SERVER=0 pmvcs status --short)"
	expect_eq "$1 (served, again)" "$want" "$(PMVCS_NO_SERVER=0 pmvcs -C "$p" status --short)"
	"$PMVCS" -C "$p" server stop >/dev/null
}

for d in "$p" "$g"; do
	for i in $(seq -w 0 3 39); do echo more >> "$d/d$i/b/f2.c"; done  # modified
	for i in $(seq -w 1 5 39); do rm "$d/d$i/c/f3.c"; done            # deleted
	rm -r "$d/d02/a"                                                  # a whole dir
	for i in $(seq -w 0 4 39); do echo n > "$d/d$i/a/new.c"; done     # untracked
	mkdir -p "$d/d09/fresh/deep"; echo x > "$d/d09/fresh/deep/x"      # untracked dir
	for i in $(seq -w 0 39); do echo o > "$d/d$i/c/x.o"; done         # ignored
	mkdir -p "$d/d13/build"; echo b > "$d/d13/build/out"              # ignored dir
	echo k > "$d/d07/c/keep.o"                                        # re-included
	echo t > "$d/d11/b/t.tmp"; echo t > "$d/d12/b/t.tmp"              # deeper rule
done
both "changes in many directories"

# after the cache holds everything: one same-size change deep down, with
# the mtime set back to what it was (only ctime and content differ)
pmvcs -C "$p" --no-server commit -q -m two
(cd "$g" && git add -A && git commit -qm two)
expect_eq "clean after commit" "" "$(pmvcs -C "$p" --no-server status --short)"
sleep 1  # the cache is older than the change below: not racy, trusted
expect_eq "clean, cache rewritten" "" "$(pmvcs -C "$p" --no-server status --short)"
m=$(stat -c %y "$p/d31/c/f4.c")
echo "d31 c X" > "$p/d31/c/f4.c"; touch -d "$m" "$p/d31/c/f4.c"
echo "d31 c X" > "$g/d31/c/f4.c"
both "same size, old mtime, after the cache"
# a change in the same second as the cache write (racy): still seen
pmvcs -C "$p" --no-server commit -q -m three
(cd "$g" && git add -A && git commit -qm three)
echo "d17 a Y" > "$p/d17/a/f1.c"; echo "d17 a Y" > "$g/d17/a/f1.c"
both "racy change"

# served statuses running at once all hash the changed file and write the
# stat cache at the same time: every answer is right, no temp file stays
echo z >> "$p/d20/a/f1.c"; echo z >> "$g/d20/a/f1.c"
want=$(cd "$g" && git status --short)
srv_start "$p"
for k in 1 2 3 4 5 6; do PMVCS_NO_SERVER=0 pmvcs -C "$p" status --short > "$T/par.$k" & done
wait
for k in 1 2 3 4 5 6; do expect_eq "at once $k" "$want" "$(cat "$T/par.$k")"; done
"$PMVCS" -C "$p" server stop >/dev/null
expect_eq "no temp files" "" "$(ls -a "$p/.pmvcs" | grep tmp || true)"
expect_eq "after" "$want" "$(pmvcs -C "$p" --no-server status --short)"
