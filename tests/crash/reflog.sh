# reflog.sh -- power cuts at every flush point of a commit and of a branch
# creation: in every crash image the ref and its reflog moved together
# (the ref is old and its log has the old entries, or the ref is new and
# its newest entry, and HEAD's, name the new value), and fsck passes.
source "$(dirname "$0")/lib.bash"

r=$T/r
new_repo "$r"
fill_tree "$r" 12 one
(cd "$r" && pmvcs commit -q -m first) || fail "commit"
old=$(cd "$r" && pmvcs rev-parse master)
fill_tree "$r" 4 two

# check: run in each crash image
cat >"$T/check.sh" <<CHECK
set -e
cd "\$PMCRASH_REPO"
"$PMVCS" fsck >/dev/null
m=\$("$PMVCS" rev-parse master)
n=\$("$PMVCS" reflog master | wc -l)
h=\$("$PMVCS" reflog | wc -l)
[ "\$("$PMVCS" rev-parse master@{0})" = "\$m" ] || { echo "master@{0} is not master"; exit 1; }
[ "\$("$PMVCS" rev-parse HEAD@{0})" = "\$m" ] || { echo "HEAD@{0} is not master"; exit 1; }
if [ "\$m" = "$old" ]; then
	[ "\$n" -eq 1 ] && [ "\$h" -eq 1 ] || { echo "old ref, logs \$n/\$h"; exit 1; }
else
	[ "\$n" -eq 2 ] && [ "\$h" -eq 2 ] || { echo "new ref, logs \$n/\$h"; exit 1; }
	[ "\$("$PMVCS" rev-parse master@{1})" = "$old" ] || { echo "master@{1}"; exit 1; }
fi
CHECK

echo "== commit, every point, page units"
crash_ok --repo "$r" --points=all --seed=21 --images="$(pick 1 8)" \
	--check="sh $T/check.sh" -- "$PMVCS" commit -q -m second
echo "== commit, emulated pmem, cache lines, random"
crash_ok --repo "$r" --points="$(pick random:15 all)" --seed=22 --media=pmem \
	--images="$(pick 1 8)" --check="sh $T/check.sh" -- "$PMVCS" commit -q -m second

echo "== branch creation, every point, default check plus the log"
cat >"$T/check2.sh" <<CHECK
set -e
cd "\$PMCRASH_REPO"
"$PMVCS" fsck >/dev/null
if "$PMVCS" rev-parse -q --verify refs/heads/nb >/dev/null; then
	[ "\$("$PMVCS" reflog nb)" = "\$("$PMVCS" rev-parse --short master) nb@{0}: branch: Created from master" ] ||
		{ echo "nb without its log"; exit 1; }
else
	[ -z "\$("$PMVCS" reflog exists refs/heads/nb && echo log)" ] || { echo "log without nb"; exit 1; }
fi
CHECK
crash_ok --repo "$r" --points=all --seed=23 --check="sh $T/check2.sh" -- "$PMVCS" branch nb
echo "reflog: ok"
