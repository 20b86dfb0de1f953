#!/bin/bash
# wt_options.sh -- every command parses its options as git 2.39 does
# (tools/pmvcs/parse_options.c): for the same command line, pmvcs and git
# exit with the same code, print the same error line (git's "fatal: "
# is pmvcs's "pmvcs: ") and put the usage on the same stream (or print
# none); the usage names the pmvcs command. Then the forms git accepts
# (bundles, attached values, prefixes, --no-, options after operands)
# give git's output.
source "$(dirname "$0")/lib.sh"

p="$T/p" g="$T/g"
pmvcs init -q "$p"; git init -q "$g"
for d in "$p" "$g"; do mkdir -p "$d/dir"; echo 1 > "$d/f"; echo 2 > "$d/dir/g"; done
(cd "$p" && pmvcs commit -q -m one); (cd "$g" && git add -A && git commit -qm one)
(cd "$p" && pmvcs branch side); (cd "$g" && git branch side)

# the first "error:"/"fatal:" line, in pmvcs's words
err_line() { grep -m1 -E '^(error|fatal|pmvcs): ' "$1" | sed -e 's/^fatal: /pmvcs: /' || true; }
# "usage" when the stream holds a usage
has_usage() { grep -q '^usage: ' "$1" && echo usage || true; }

# check [--no-rc] CMD ARG...: the same on pmvcs and git, as above
ncheck=0
check() {
	local same_rc=1 grc=0 prc=0 cmd
	[ "$1" = --no-rc ] && { same_rc=0; shift; }
	cmd=$1
	(cd "$g" && git "$@" >"$T/g.out" 2>"$T/g.err" </dev/null) || grc=$?
	(cd "$p" && pmvcs "$@" >"$T/p.out" 2>"$T/p.err" </dev/null) || prc=$?
	[ "$same_rc" = 0 ] || expect_eq "$*: exit code" "$grc" "$prc"
	expect_eq "$*: error line" "$(err_line "$T/g.err")" "$(err_line "$T/p.err")"
	expect_eq "$*: usage on stdout" "$(has_usage "$T/g.out")" "$(has_usage "$T/p.out")"
	expect_eq "$*: usage on stderr" "$(has_usage "$T/g.err")" "$(has_usage "$T/p.err")"
	if grep -q '^usage: ' "$T/p.out" "$T/p.err"; then
		grep -q "^usage: pmvcs $cmd" "$T/p.out" "$T/p.err" ||
			fail "$*: usage does not name 'pmvcs $cmd'"
	fi
	ncheck=$((ncheck + 1))
}

# unknown options, long and short, and -h: each parse-options command
for c in init commit status checkout branch tag cat-file ls-tree show-ref fsck gc; do
	check $c --bogus
	check $c -Z
	check $c --no-bogus
	check $c -h
	check $c --bogus=1
done
check tag -q -h                 # -h after options: stdout, even for tag
check branch -v -h              # branch's lone -h goes to stderr, not this
check status -s -h
check commit --quiet -h
check gc --quiet -h

# values: required, refused, numbers, did-you-mean
check tag -m
check commit -m
check commit --mess
check commit --message
check commit --quiet=1
check commit --allow-empty=yes
check checkout -b
check branch --verbose=3
check tag -list                 # "did you mean `--list`"
check cat-file -t -s HEAD       # one mode only
check status --untracked-files=bogus
check status -ubogus
check status --porcelain=v9

# commands on git's other parsers: revision options, diff options,
# fast-import's own, fast-export's pass-through to the revisions
check log --bogus
check log -Z
check log --onel                # no prefixes for revision options
check log -h
# paths after "--" limit the log (rd_log_limit.sh compares the output)
check log -- f
check show --bogus
check show -h
check rev-parse -h
check fast-export --bogus
check fast-export -h
check fast-import -h
check fast-import --bogus
check fast-import --export-marks      # "--name=<value>" only
check diff -h
# git diff exits 255 here (its cmd_diff returns error()): pmvcs keeps
# the usage code, 129, and git's message
check --no-rc diff --bogus
check --no-rc diff -Z
expect_rc 129 bash -c "cd '$p' && '$PMVCS' diff --bogus 2>/dev/null"

# accepted forms give git's output
same() {
	expect_eq "$*" "$(cd "$g" && git "$@" 2>&1)" "$(cd "$p" && pmvcs "$@" 2>&1)"
	ncheck=$((ncheck + 1))
}
same branch --verb              # unique prefix of --verbose
same branch --list -v           # bundled and separate
same branch -vl
same branch --verbose --no-verbose
same ls-tree -rt HEAD           # bundle of three
same ls-tree HEAD -r            # options after the operand
same ls-tree --name-only -r HEAD -- dir
same show-ref --heads -s
same show-ref --tags --no-tags --heads
same log --max-count 1 --format=%s
same log -n1 --format=%s
same log -n 1 --oneline
same log -1 --pretty=format:%H
same rev-parse --short HEAD
same rev-parse --bogus HEAD     # rev-parse passes unknown options through
same tag -l
same status -s
same status --short --untracked-files=no
same status -uno --porcelain
same cat-file -t HEAD
same cat-file -p HEAD:f
same fsck --no-dangling
# a message starting with "-" is a value, not an option
(cd "$p" && echo 3 > f && pmvcs commit -q -m -dashed)
(cd "$g" && echo 3 > f && git add -A && git commit -q -m -dashed)
same log -1 --format=%s
# "--" ends the options
(cd "$p" && pmvcs tag -- -x 2>/dev/null) && fail "tag -- -x was accepted"
expect_rc 128 bash -c "cd '$p' && '$PMVCS' tag -- -x 2>/dev/null"
echo "wt_options: $ncheck comparisons with git"
