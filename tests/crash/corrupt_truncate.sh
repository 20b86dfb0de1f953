# corrupt_truncate.sh -- a pool part file cut short (the first part, then
# the second): every command fails with an error naming the pool, none
# crashes or hangs.
source "$(dirname "$0")/lib.bash"
corrupt_setup

for part in "$r"/.pmvcs/pool/*; do
	size=$(stat -c %s "$part")
	echo "== $(basename "$part") cut from $size to $((size / 2)) bytes"
	rm -rf "$T/cut"
	cp -a "$r" "$T/cut"
	truncate -s $((size / 2)) "$T/cut/.pmvcs/pool/$(basename "$part")"
	for cmd in fsck "cat-file -p $big" "show-ref" "log"; do
		echo "-- pmvcs $cmd"
		# shellcheck disable=SC2086
		expect_clean_error "$cmd" bash -c 'cd "$1" && shift && exec "$@"' _ "$T/cut" "$PMVCS" $cmd
	done
done
echo "== the first part cut to 1000 bytes"
truncate -s 1000 "$T/cut/.pmvcs/pool/000000.pmem"
expect_clean_error "fsck" bash -c 'cd "$1" && "$2" fsck' _ "$T/cut" "$PMVCS"
echo "corrupt_truncate: ok"
