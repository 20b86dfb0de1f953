#!/bin/bash
# rd_pretty.sh -- log and show -s in every named format, every --format
# placeholder that has meaning here and every --date mode, compared byte
# for byte with git on a history with odd corners (a merge, a message
# without a final newline, multi-paragraph bodies, an encoding header,
# zones +0530 and -0800, a name git quotes in email), imported into pmvcs
# with fast-import; bad formats and dates fail as git's do. Some again
# through a server: "now" for relative dates is the client's.
source "$(dirname "$0")/srv_lib.sh"

for fmt in sha1 sha256; do
G=$T/git-$fmt P=$T/pm-$fmt
git init -q --object-format=$fmt "$G"
(
	cd "$G"
	c() { # c AUTHOR_DATE COMMITTER_DATE MESSAGE_FILE
		echo "$1" > "f${1%% *}"
		git add .
		GIT_AUTHOR_DATE=$1 GIT_COMMITTER_DATE=$2 git commit -q \
			--cleanup=verbatim -F "$3"
	}
	printf 'first: initial/commit!\n' > "$T/m1"
	printf 'subject on\ntwo lines\n\nbody para one  \n\n\n  indented  \n\nlast para\n\n\n' > "$T/m2"
	printf 'no final newline\n\nbody without it' > "$T/m3"
	printf 'From the archives\n\nFrom here on\n>From quoted\n' > "$T/m4"
	c "1700000000 +0530" "1700003600 -0800" "$T/m1"
	c "1600000000 -0800" "1700007200 +0530" "$T/m2"
	git checkout -q -b side HEAD~1
	GIT_AUTHOR_NAME="J. R. \"Bob\" Dobbs" c "1500000000 +0000" "1700010000 +0000" "$T/m3"
	git checkout -q master
	c "1700020000 +1245" "1700020001 -0000" "$T/m4"
	GIT_AUTHOR_DATE="1700030000 -0330" GIT_COMMITTER_DATE="1700030000 -0330" \
		git merge -q --no-ff -m "Merge branch 'side'" side
	git -c i18n.commitEncoding=ISO-8859-1 commit -q --allow-empty \
		-m "latin1 header" -m "ascii body"
	git tag -a -m "tag message" v1 HEAD~1
)
pmvcs init -q --object-format=$fmt "$P"
git -C "$G" fast-export --all --reencode=no --signed-tags=verbatim | pmvcs -C "$P" fast-import --quiet ||
	fail "$fmt: import"
expect_eq "$fmt: same history" "$(git -C "$G" rev-parse master)" \
	"$(pmvcs -C "$P" rev-parse master)"

export GIT_TEST_DATE_NOW=1700100000     # pins %ar and --date=relative
cmp() { # cmp ARGS...: same stdout (bytes), stderr line and exit code as git
	local gr pr
	set +e
	(cd "$G" && git "$@" > "$T/g.out" 2> "$T/g.err"); gr=$?
	(cd "$P" && pmvcs "$@" > "$T/p.out" 2> "$T/p.err"); pr=$?
	set -e
	diff "$T/g.out" "$T/p.out" > "$T/d.out" ||
		{ head -40 "$T/d.out" >&2; fail "$fmt: $* (output)"; }
	[ "$gr" = "$pr" ] || fail "$fmt: $*: git exit $gr, pmvcs exit $pr"
	expect_eq "$fmt: $* (stderr)" "$(sed -n 's/^fatal: //p' "$T/g.err" | head -1)" \
		"$(sed -n 's/^pmvcs: //p' "$T/p.err" | head -1)"
}
for f in oneline short medium full fuller raw email mboxrd reference \
	 o s m fu fulle r e ref; do
	cmp log --pretty=$f
	cmp log --all --format=$f
	cmp log --pretty=$f --abbrev-commit -n 3
	cmp show -s --pretty=$f side
	cmp show -s --pretty=$f HEAD~1
done
cmp log --oneline --no-abbrev-commit
cmp log --pretty
cmp log --no-pretty
cmp log --no-format
cmp log --no-date
cmp log --no-oneline
for d in default iso iso8601 iso-strict iso8601-strict rfc rfc2822 short raw \
	 unix relative local iso-local rfc-local short-local 'format:%Y/%m/%d %H' \
	 'format-local:%c' 'format:'; do
	for f in medium fuller reference 'format:%ad|%cd'; do
		TZ=America/New_York cmp log --date="$d" --pretty="$f"
	done
done
cmp log --date=iso --date=default
for p in H h T t P p an aN ae aE al aL ad aD ai aI as at ar \
	 cn cN ce cE cl cL cd cD ci cI cs ct cr s f b B e m n %; do
	cmp log --format="<%$p>"
	cmp log --pretty="tformat:[%$p]"
	cmp log --pretty="format:[%$p]"
	cmp show -s --format="<%$p>" HEAD~1
done
# literal: unknown placeholders, bad %x, a lone % at the end
cmp log --format='%Q %aZ %x %xg1 %x41%x0a%x00 100%'
cmp log --format='%Cred%h%Creset %C(yellow)%s%Cgreen%Cblue'
cmp log --format='%H%n%n%b%n--' -n 4
cmp log --format=
cmp log --format=format:
cmp log --pretty=tformat:
cmp show -s --format=
cmp show -s --format=%s%n%b
cmp show --format=%h%n%s HEAD~2
cmp show --pretty=fuller HEAD~2
# errors in git's words
cmp log --pretty=bogus
cmp log --format=bogus
cmp log --pretty=Full
cmp show --pretty=bogus
cmp log --date=bogus
cmp log --date=iso-bogus
cmp show -s --date=nope
if [ $fmt = sha1 ]; then
	# through a server even in the in-process run (.noserver)
	ns=${PMVCS_NO_SERVER-}; unset PMVCS_NO_SERVER
	srv_start "$P"
	GIT_TEST_DATE_NOW=1800000000 cmp log --date=relative --format='%ar|%cr|%ad'
	cmp log --pretty=fuller --date=iso-strict
	cmp log --pretty=bogus
	"$PMVCS" -C "$P" server stop >/dev/null || fail "server stop"
	[ -z "$ns" ] || export PMVCS_NO_SERVER=$ns
fi
done
