#!/bin/bash
# cfg_config.sh -- pmvcs config against git config on the same files:
# stdout, stderr, exit codes and the files written, for the global file
# (HOME, XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL), the local one (.pmvcs/config
# beside .git/config), -c and GIT_CONFIG_COUNT/KEY_n/VALUE_n, includes,
# and the odd corners of git's format (quotes, escapes, continuations,
# comments, old-style subsections, CRLF).
source "$(dirname "$0")/lib.sh"
unset GIT_CONFIG_GLOBAL XDG_CONFIG_HOME GIT_CONFIG_PARAMETERS GIT_CONFIG_COUNT
g="$T/g" p="$T/p"
command git init -q "$g"; pmvcs init -q "$p"
mkdir -p "$T/hg" "$T/hp"

seed='# a comment
[user]
	name = "Old  Name" ; trailing comment
	email=old@example.com
[Core "Sub"]
	Flag
	num = 4k
[core.Old]
	v = a\
b
[str]
	esc = "tab\there \"q\" back\\\\slash" nl\n
	sp =   inner   spaces   kept  
	list = 1
	list = 2
[empty]
[last]	k = v'
# reset HOME files and local files to the same seed
reset() {
	printf '%s\n' "$seed" > "$T/hg/.gitconfig"; cp "$T/hg/.gitconfig" "$T/hp/.gitconfig"
	printf '[local]\n\tk = l\n' > "$g/.git/config"; cp "$g/.git/config" "$p/.pmvcs/config"
}
n=0
# both ARGS...: the same config command through git and pmvcs
both() {
	n=$((n + 1))
	local go ge gr=0 po pe pr=0
	go=$(cd "$g" && HOME=$T/hg command git config "$@" 2>"$T/ge") || gr=$?
	po=$(cd "$p" && HOME=$T/hp pmvcs config "$@" 2>"$T/pe") || pr=$?
	ge=$(sed -n '/^usage:/q;p' "$T/ge" | sed 's/\.git\//.pmvcs\//g; s/hg\//HOME\//g; s/git directory/pmvcs directory/')
	pe=$(sed -n '/^usage:/q;p' "$T/pe" | sed 's/hp\//HOME\//g')
	go=$(printf '%s' "$go" | sed 's/\.git\//.pmvcs\//g; s/hg\//HOME\//g')
	po=$(printf '%s' "$po" | sed 's/hp\//HOME\//g')
	expect_eq "$n: config $* (stdout)" "$go" "$po"
	expect_eq "$n: config $* (stderr)" "$ge" "$pe"
	expect_eq "$n: config $* (exit)" "$gr" "$pr"
	expect_eq "$n: config $* (global file)" "$(cat "$T/hg/.gitconfig" 2>/dev/null || echo none)" \
		"$(cat "$T/hp/.gitconfig" 2>/dev/null || echo none)"
	expect_eq "$n: config $* (local file)" "$(cat "$g/.git/config")" "$(cat "$p/.pmvcs/config")"
}

reset
both --list
both --list --show-origin
both --global --list
both --local -l --show-origin
for k in user.name user.email core.Sub.flag core.sub.flag Core.Sub.Flag \
	core.old.v CORE.OLD.V str.esc str.sp str.list last.k local.k no.such \
	nosection user. 1a.b; do
	both --get "$k"
	both "$k"
done
both --get-all str.list
both --get-all no.such
both --type=bool core.Sub.flag
both --bool core.Sub.flag
both --type=int core.Sub.num
both --int user.name
both --type=bool user.name
both --get                              # wrong number of arguments
both --list extra
both --get --list user.name
both --global --local user.name

# writes: each from the same seed, compare the files
for args in "--global user.name New" "--global user.email n@x" \
	"--global user.Phone 123" "--global new.key v" "--global Sec.Sub.Key 'spaced '" \
	"--global core.Sub.flag false" "--global core.sub.flag x" "--global core.old.v w" \
	"--global str.list 3" "--global --add str.list 3" "--global --replace-all str.list 9" \
	"--global --unset str.list" "--global --unset-all str.list" "--global --unset no.such" \
	"--global --unset user.name" "--global --unset last.k" "--global --unset empty.x" \
	"--global --unset core.old.v" "--global empty.k 1" "--global quo.te 'a;b#c\"d\\e'" \
	"--global nl.v 'two
lines'" "--global --type=bool b.v yes" "--global --type=int i.v 2k" \
	"--global --type=bool b.v maybe" "--global nokey v" "--global 1a.b v" \
	"local.k changed" "local.new x" "--local --unset local.k" "new.sec y" \
	"--file $T/other a.b c"; do
	reset; rm -f "$T/other"
	eval "both $args"
	[ ! -e "$T/other" ] || expect_eq "--file" "[a]
	b = c" "$(cat "$T/other")"
done

# a missing global file is created, ~/.gitconfig preferred, XDG read first
rm -f "$T/hg/.gitconfig" "$T/hp/.gitconfig"
both --global a.b c
mkdir -p "$T/hg/.config/git" "$T/hp/.config/git"
printf '[x]\n\ty = xdg\n[a]\n\tb = xdg\n' | tee "$T/hg/.config/git/config" > "$T/hp/.config/git/config"
both --list --show-origin
both a.b
rm "$T/hg/.gitconfig" "$T/hp/.gitconfig"
both --global q.r s                     # only the XDG file exists: it is written
expect_eq "xdg written" "$(cat "$T/hg/.config/git/config")" "$(cat "$T/hp/.config/git/config")"
rm -rf "$T/hg/.config" "$T/hp/.config"

# includes: relative to the including file, not with --global unless asked
reset
printf '[inc]\n\tv = included\n[user]\n\tname = From Include\n' > "$T/hg/inc"; cp "$T/hg/inc" "$T/hp/inc"
printf '[include]\n\tpath = inc\n' >> "$T/hg/.gitconfig"; printf '[include]\n\tpath = inc\n' >> "$T/hp/.gitconfig"
printf '[linc]\n\tv = local include\n' > "$T/inc"
printf '[include]\n\tpath = ../../inc\n' | tee -a "$g/.git/config" >> "$p/.pmvcs/config"
both --list --show-origin
both user.name
both --global --list
both --global --includes inc.v
both --local --includes --list

# -c and GIT_CONFIG_COUNT: command scope, last
reset
go=$(cd "$g" && HOME=$T/hg command git -c user.name=Cmd -c 'a.b' -c 'q.r=it'"'"'s !x' -c A.B.C=d config --list --show-origin)
po=$(cd "$p" && HOME=$T/hp pmvcs -c user.name=Cmd -c 'a.b' -c 'q.r=it'"'"'s !x' -c A.B.C=d config --list --show-origin)
expect_eq "-c list" "$(printf '%s' "$go" | sed 's/hg\//HOME\//g; s/\.git\//.pmvcs\//g')" "$(printf '%s' "$po" | sed 's/hp\//HOME\//g')"
export GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="Env Name" GIT_CONFIG_KEY_1=Env.Key GIT_CONFIG_VALUE_1=""
both --list --show-origin
expect_eq "-c after COUNT" "$(cd "$g" && HOME=$T/hg command git -c user.name=C config user.name)" \
	"$(cd "$p" && HOME=$T/hp pmvcs -c user.name=C config user.name)"
unset GIT_CONFIG_COUNT
both --list
unset GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_CONFIG_KEY_1 GIT_CONFIG_VALUE_1
gr=0; pr=0
(cd "$g" && HOME=$T/hg command git -c nosection config -l >/dev/null 2>"$T/ge") || gr=$?
(cd "$p" && HOME=$T/hp pmvcs -c nosection config -l >/dev/null 2>"$T/pe") || pr=$?
expect_eq "bad -c" "$(cat "$T/ge") $gr" "$(cat "$T/pe") $pr"
# GIT_CONFIG_GLOBAL replaces both global files
printf '[g]\n\tc = alt\n' > "$T/alt"
expect_eq "GIT_CONFIG_GLOBAL" "$(cd "$g" && GIT_CONFIG_GLOBAL=$T/alt command git config --list --show-origin)" \
	"$(cd "$p" && GIT_CONFIG_GLOBAL=$T/alt pmvcs config --list --show-origin | sed 's/\.pmvcs\//.git\//')"

# odd files: CRLF, BOM, no final newline, a bad line
for text in $'[crlf]\r\n\tk = v\r\n' $'\xef\xbb\xbf[bom]\n\tk = v' '[a] b = c ; x' \
	$'[bad\n' $'[a]\n\tk = "unterminated\n' $'[a]\n\t1k = v\n' $'[a]\n\tk = bad\\escape\n' \
	$'[a "sub\\"q"]\n\tk = v\n' $'k = v\n' $'[a]\n\tk\n\tk = \n'; do
	printf '%s' "$text" > "$T/hg/.gitconfig"; cp "$T/hg/.gitconfig" "$T/hp/.gitconfig"
	both --global --list
	both --global a.k x
done
# the server runs config from the client's environment and -c (served
# even in the in-process run, .noserver)
unset PMVCS_NO_SERVER
(cd "$p" && pmvcs server start >/dev/null)
reset
expect_eq "served -c" "$(cd "$g" && HOME=$T/hg command git -c x.y=z config --list)" \
	"$(cd "$p" && HOME=$T/hp pmvcs -c x.y=z config --list)"
both --global user.name Served
(cd "$p" && pmvcs server stop >/dev/null)
echo "ok: $n comparisons"
