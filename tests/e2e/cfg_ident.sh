#!/bin/bash
# cfg_ident.sh -- who pmvcs commit and tag -a record, against git: the
# identity from ~/.gitconfig, the local config, -c, author.* and
# committer.*, GIT_* and EMAIL, in git's precedence (same commit ids);
# and git's refusals, stderr byte for byte (but "git" -> "pmvcs" in the
# advice) and exit 128, when there is no usable identity.
source "$(dirname "$0")/lib.sh"
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL \
	EMAIL GIT_CONFIG_GLOBAL XDG_CONFIG_HOME GIT_CONFIG_PARAMETERS
export HOME=$T/home
mkdir -p "$HOME"
g="$T/g" p="$T/p"
command git init -q "$g"; pmvcs init -q "$p"
printf '[local]\n\tk = l\n' > "$g/.git/config"; cp "$g/.git/config" "$p/.pmvcs/config"
n=0
# commit_both WHAT [ENV=V...] -- [GLOBAL OPTS]: commit the same change in
# both; compare exit code, stderr and (on success) the commit
commit_both() {
	local what=$1; shift
	local envs=() gr=0 pr=0
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
	n=$((n + 1))
	echo "$n" > "$g/f"; echo "$n" > "$p/f"
	(cd "$g" && command git add -A && env "${envs[@]}" git "$@" commit -q -m "c$n" \
		>/dev/null 2>"$T/ge") || gr=$?
	(cd "$p" && env "${envs[@]}" "$PMVCS" "$@" commit -q -m "c$n" >/dev/null 2>"$T/pe") || pr=$?
	expect_eq "$what: exit" "$gr" "$pr"
	expect_eq "$what: stderr" "$(sed 's/  git config/  pmvcs config/' "$T/ge")" "$(cat "$T/pe")"
	if [ "$gr" = 0 ]; then
		expect_eq "$what: commit" "$(cd "$g" && command git cat-file -p HEAD)" \
			"$(cd "$p" && pmvcs cat-file -p HEAD)"
		expect_eq "$what: id" "$(cd "$g" && command git rev-parse HEAD)" \
			"$(cd "$p" && pmvcs rev-parse HEAD)"
	else
		(cd "$g" && command git reset -q)
	fi
}

# nothing configured: git's advice and its guess of the email refused
# (git's guess is login@host.(none) when the host name has no dot and no
# /etc/mailname: the usual case on a VM or in a container)
commit_both "no identity" --
commit_both "no identity, EMAIL" EMAIL=e@example.com --
commit_both "useConfigOnly" -- -c user.useConfigOnly=true
commit_both "useConfigOnly, email" -- -c user.useConfigOnly=true -c user.email=a@b
commit_both "empty name" -- -c user.name= -c user.email=a@b
commit_both "crud name" -- -c "user.name=.;," -c user.email=a@b
commit_both "author env only" GIT_AUTHOR_NAME=A GIT_AUTHOR_EMAIL=a@x --

# configured: ~/.gitconfig, then local, -c, author.*/committer.*, env
printf '[user]\n\tname = Global User\n\temail = global@example.com\n' > "$HOME/.gitconfig"
commit_both "global" --
mkdir -p "$HOME/.config/git"
printf '[user]\n\tname = Xdg User\n' > "$HOME/.config/git/config"
commit_both "global over xdg" --
rm "$HOME/.gitconfig"
commit_both "xdg name, EMAIL" EMAIL=from@email.var --
printf '[user]\n\tname = Global User\n\temail = global@example.com\n' > "$HOME/.gitconfig"
printf '[user]\n\temail = local@example.com\n' | tee -a "$g/.git/config" >> "$p/.pmvcs/config"
commit_both "local email" --
commit_both "-c name" -- -c "user.name=Cmd Line"
commit_both "author.name, committer.email" -- -c author.name=Auth -c committer.email=c@x
commit_both "env beats config" GIT_AUTHOR_NAME=EnvA GIT_COMMITTER_EMAIL=envc@x --
commit_both "EMAIL loses to user.email" EMAIL=e@x --
commit_both "GIT_CONFIG_COUNT" GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0=Counted --

# tag -a: the tagger is the committer
rm "$HOME/.gitconfig" "$HOME/.config/git/config"
sed -i '/email = local/d' "$g/.git/config" "$p/.pmvcs/config"
gr=0 pr=0
(cd "$g" && command git tag -a -m m v1 2>"$T/ge") || gr=$?
(cd "$p" && pmvcs tag -a -m m v1 2>"$T/pe") || pr=$?
expect_eq "tag: exit" "$gr" "$pr"
expect_eq "tag: stderr" "$(sed 's/  git config/  pmvcs config/' "$T/ge")" "$(cat "$T/pe")"
(cd "$g" && command git -c user.name=T -c user.email=t@x tag -a -m m v2)
(cd "$p" && pmvcs -c user.name=T -c user.email=t@x tag -a -m m v2)
expect_eq "tag id" "$(cd "$g" && command git rev-parse v2)" "$(cd "$p" && pmvcs rev-parse v2)"
echo "ok: $n commits compared"
