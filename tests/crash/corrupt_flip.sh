# corrupt_flip.sh -- one flipped bit in a stored blob's bytes: fsck fails
# and names the blob; cat-file of it fails with an error, nothing crashes;
# the rest of the repository still reads.
source "$(dirname "$0")/lib.bash"
corrupt_setup

flip_bit "$file" $((off + 5000))
echo "== fsck"
expect_fsck_names "$big"
echo "== cat-file -p $big"
expect_clean_error "cat-file" bash -c 'cd "$1" && "$2" cat-file -p "$3"' _ "$r" "$PMVCS" "$big"
echo "== cat-file -p HEAD:dir0/f0.txt (an intact object)"
(cd "$r" && pmvcs cat-file -p HEAD:dir0/f0.txt) | grep -q 'file 0 of seed c' || fail "intact read"
echo "== flip it back: clean again"
flip_bit "$file" $((off + 5000))
fsck_ok "$r" "the bit flipped back"
echo "corrupt_flip: ok"
