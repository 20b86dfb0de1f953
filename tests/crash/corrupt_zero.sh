# corrupt_zero.sh -- a page of zeros in the middle of a stored blob: fsck
# fails and names the blob; reading it is an error, not a crash.
source "$(dirname "$0")/lib.bash"
corrupt_setup

page=$(((off + 8192) / 4096))
dd if=/dev/zero of="$file" bs=4096 seek="$page" count=1 conv=notrunc status=none
echo "== fsck"
expect_fsck_names "$big"
echo "== cat-file -p $big"
expect_clean_error "cat-file" bash -c 'cd "$1" && "$2" cat-file -p "$3"' _ "$r" "$PMVCS" "$big"
echo "== cat-file -s $big"
rc=0
(cd "$r" && pmvcs cat-file -s "$big") >/dev/null 2>&1 || rc=$?
[ "$rc" -le 128 ] || fail "cat-file -s died with $rc"
echo "corrupt_zero: ok"
