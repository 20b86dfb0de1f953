#!/bin/bash
# cfg_eol.sh -- end-of-line conversion as git's (gitattributes(5) text,
# text=auto, -text, eol=lf|crlf, binary; core.autocrlf, core.eol,
# core.attributesFile, info/attributes): trees of CRLF, LF, mixed,
# lone-CR, binary and control-heavy files committed under several
# attribute sets must give git's tree ids (git add -A; git commit in a
# twin), status must find nothing changed after the commit (stat cache
# or not), and a checkout must write git's bytes.
source "$(dirname "$0")/lib.sh"
unset XDG_CONFIG_HOME GIT_CONFIG_PARAMETERS
export HOME=$T/home GIT_CONFIG_GLOBAL=$T/home/.gitconfig
mkdir -p "$HOME"
: > "$GIT_CONFIG_GLOBAL"
# lib.sh's git() pins core.autocrlf=false: these cases set it themselves
G() { command git -c init.defaultBranch=master "$@"; }

# files DIR: the same content in every twin
files() {
	local d=$1
	mkdir -p "$d/sub/deep"
	printf 'one\r\ntwo\r\n' > "$d/crlf.txt"
	printf 'one\ntwo\n' > "$d/lf.txt"
	printf 'one\r\ntwo\nthree\r\n' > "$d/mixed.txt"
	printf 'one\rtwo\r\n' > "$d/lonecr.txt"
	printf 'no end\r\nat all' > "$d/noend.txt"
	printf 'bin\0ary\r\n' > "$d/nul.dat"
	printf 'x\001\002\003\004\r\n' > "$d/ctrl.txt"
	printf 'dos\r\n\032' > "$d/dosz.txt"
	printf '%0200d\001\001\r\n' 0 > "$d/fewctrl.txt"
	printf 'c\r\n' > "$d/sub/a.c"
	printf 'x\r\ny\r\n' > "$d/sub/deep/x.txt"
	printf 'plain\n' > "$d/sub/deep/y.txt"
	: > "$d/empty.txt"
	ln -sf crlf.txt "$d/link"
}

n=0
# case WHAT ROOTATTRS SUBATTRS INFOATTRS CONFIG...: one attribute set
case_() {
	local what=$1 ra=$2 sa=$3 ia=$4 g p gt pt; shift 4
	n=$((n + 1)); g=$T/g$n; p=$T/p$n
	G init -q "$g"; pmvcs init -q "$p"
	for kv in "$@"; do
		G -C "$g" config "${kv%%=*}" "${kv#*=}"
		(cd "$p" && pmvcs config "${kv%%=*}" "${kv#*=}")
	done
	files "$g"; files "$p"
	[ -z "$ra" ] || { printf "$ra" > "$g/.gitattributes"; printf "$ra" > "$p/.gitattributes"; }
	[ -z "$sa" ] || { printf "$sa" > "$g/sub/.gitattributes"; printf "$sa" > "$p/sub/.gitattributes"; }
	if [ -n "$ia" ]; then
		mkdir -p "$g/.git/info" "$p/.pmvcs/info"
		printf "$ia" > "$g/.git/info/attributes"; printf "$ia" > "$p/.pmvcs/info/attributes"
	fi
	(cd "$g" && G add -A 2>/dev/null && G commit -q -m "$what")
	(cd "$p" && pmvcs commit -q -m "$what")
	gt=$(G -C "$g" rev-parse 'HEAD^{tree}'); pt=$(cd "$p" && pmvcs rev-parse 'HEAD^{tree}')
	expect_eq "$what: tree" "$gt" "$pt"
	# status: at once (racy: hashed again), then without the stat cache
	expect_eq "$what: status" "$(cd "$g" && G status --short)" "$(cd "$p" && pmvcs status --short)"
	rm -f "$p/.pmvcs/wtcache"
	expect_eq "$what: status, no cache" "" "$(cd "$p" && pmvcs status --short)"
	expect_eq "$what: diff" "" "$(cd "$p" && pmvcs diff)"
	# checkout: every file written again from the blobs
	(cd "$g" && find . -path ./.git -prune -o ! -type d -print | xargs rm -f && G reset -q --hard)
	(cd "$p" && find . -path ./.pmvcs -prune -o ! -type d -print | xargs rm -f &&
		pmvcs checkout -q -f HEAD)
	diff -r --exclude=.git --exclude=.pmvcs "$g" "$p" >&2 || fail "$what: checkout bytes"
	expect_eq "$what: status after checkout" "" "$(cd "$p" && pmvcs status --short)"
	# a change: status and diff see the cleaned content, as git's
	printf 'three\r\n' | tee -a "$g/crlf.txt" "$g/sub/deep/x.txt" >> "$p/crlf.txt"
	printf 'three\r\n' >> "$p/sub/deep/x.txt"
	expect_eq "$what: status, changed" "$(cd "$g" && G status --short)" \
		"$(cd "$p" && pmvcs status --short)"
	# (binary's -diff is not read by pmvcs diff: docs/git-differences.md)
	[[ $ra == *'.txt text binary'* ]] ||
		expect_eq "$what: diff, changed" "$(cd "$g" && G diff 2>/dev/null)" "$(cd "$p" && pmvcs diff)"
}

case_ "no attributes" "" "" ""
case_ "text=auto eol=lf" '* text=auto eol=lf\n' "" ""
case_ "text=auto" '* text=auto\n' "" ""
case_ "text=auto eol=crlf" '* text=auto eol=crlf\n' "" ""
case_ "text, binary" '*.txt text\n*.dat binary\n' "" ""
case_ "text eol=crlf, -text" '* text eol=crlf\n*.dat -text\n' "" ""
case_ "eol alone, sub dir" '*.txt eol=crlf\n' '*.c text\ndeep/x.txt -text\n' ""
case_ "autocrlf=true" "" "" "" core.autocrlf=true
case_ "autocrlf=input" "" "" "" core.autocrlf=input
case_ "autocrlf=true, -text" '*.txt -text\n' "" "" core.autocrlf=true
case_ "core.eol=crlf" '* text\n' "" "" core.eol=crlf
case_ "core.eol=crlf, auto" '* text=auto\n' "" "" core.eol=crlf
case_ "info/attributes wins" '* text\n' '' '*.txt -text\n'
case_ "macro order" '*.txt text binary\n*.c binary text\nmixed.txt binary\nmixed.txt text\n' "" ""
case_ "!text, text=input" '* text\ncrlf.txt !text\nlf.txt text=input\n' "" "" core.autocrlf=true
case_ "patterns" '/sub/*.c text\n*/deep/* text\nsub/ -text\n!x text\n# c\n  lonecr.txt text\n' "" ""
# core.attributesFile, below the tree's files
printf '*.txt text\n' > "$HOME/attrs"
case_ "core.attributesFile" '' '*.c text\n' '' core.attributesFile="$HOME/attrs"
case_ "core.attributesFile loses" 'crlf.txt -text\n' '' '' core.attributesFile="$HOME/attrs"
