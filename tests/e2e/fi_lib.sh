# fi_lib.sh -- helpers for the fast-import tests (sourced, not a test:
# ctest registers *.sh, so this file exits early when run directly).
[ "${BASH_SOURCE[0]}" != "$0" ] || exit 77
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# d TEXT: a "data <n>" block holding TEXT and a newline
d() { printf 'data %d\n%s\n' "$(( $(printf '%s\n' "$1" | wc -c) ))" "$1"; }
# dn TEXT: a data block without final newline in the payload
dn() { printf 'data %d\n%s\n' "$(printf '%s' "$1" | wc -c)" "$1"; }
# mkpair NAME FMT: empty pmvcs repo $T/NAME.p and git repo $T/NAME.g
mkpair() {
	pmvcs init --object-format="$2" "$T/$1.p" >/dev/null
	git init -q --object-format="$2" "$T/$1.g"
}
# refs_equal NAME: pmvcs show-ref equals git show-ref
refs_equal() {
	expect_eq "refs of $1" "$(git -C "$T/$1.g" show-ref)" "$(pmvcs -C "$T/$1.p" show-ref)"
	[ -n "$(git -C "$T/$1.g" show-ref)" ] || fail "no refs in $1"
}
# import_both NAME FILE [ARGS...]: same stream into both, same exit code
import_both() {
	local n=$1 f=$2; shift 2
	set +e
	git -C "$T/$n.g" fast-import --quiet "$@" <"$f" >"$T/$n.gout" 2>"$T/$n.gerr"; local g=$?
	pmvcs -C "$T/$n.p" fast-import --quiet "$@" <"$f" >"$T/$n.pout" 2>"$T/$n.perr"; local p=$?
	set -e
	[ "$g" -eq "$p" ] || { cat "$T/$n.gerr" "$T/$n.perr" >&2; fail "$n: git exit $g, pmvcs exit $p"; }
}
