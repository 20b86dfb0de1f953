# corrupt_heap.sh -- one flipped bit in PMDK's heap metadata (the heap
# header, the zone header, the chunk headers the zone uses), 50 seeded
# flips, each on a fresh copy of a repository: rev-parse, log and fsck
# must each either give the intact pool's output (a bit PMDK never reads)
# or fail cleanly naming the pool file (rev-parse and log exit 128; fsck
# 1 or 128); never die of a signal, never hang. At least one flip must be
# caught, so the check cannot pass by flipping nothing that matters.
# Before pmdb checked the heap headers and guarded the open (heapcheck.c,
# guard.c) a flipped run-data chunk type killed every command with
# SIGFPE inside pmemobj_next.
source "$(dirname "$0")/lib.bash"

FLIPS=${CORRUPT_HEAP_FLIPS:-50}
r=$T/r
new_repo "$r"
fill_tree "$r" 40 a
(cd "$r" && pmvcs commit -q -m one) || fail "commit one"
fill_tree "$r" 40 b
(cd "$r" && pmvcs commit -q -m two) || fail "commit two"
part=$r/.pmvcs/pool/000000.pmem
hoff=$(od -An -tu8 -j 5136 -N8 "$part" | tr -d ' ')   # PMDK's heap_offset
zsize=$(od -An -tu4 -j $((hoff + 1024 + 4)) -N4 "$part" | tr -d ' ')
[ "$hoff" -gt 0 ] && [ "$zsize" -gt 0 ] || fail "no heap at $hoff (zone size $zsize)"
len=$((1024 + 64 + 8 * zsize))
echo "heap at $hoff, zone of $zsize chunks: flipping in $len bytes"

CMDS=("rev-parse HEAD" "log --oneline" "fsck")
declare -A want
for c in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	want[$c]=$(cd "$r" && "$PMVCS" $c 2>&1) || fail "intact: $c"
done

RANDOM=4242
caught=0
for n in $(seq 1 "$FLIPS"); do
	c2=$T/c
	rm -rf "$c2"
	cp -a "$r" "$c2"
	off=$((hoff + (RANDOM * 32768 + RANDOM) % len))
	bit=$((RANDOM % 8))
	f=$c2/.pmvcs/pool/000000.pmem
	b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ (1 << bit))))" |
		dd of="$f" bs=1 seek="$off" conv=notrunc status=none
	line="flip $n: heap+$((off - hoff)) bit $bit:"
	for c in "${CMDS[@]}"; do
		rc=0
		# the timeout is hang protection only: a healthy run takes ms
		# shellcheck disable=SC2086
		out=$(cd "$c2" && timeout -s KILL 300 "$PMVCS" $c 2>&1) || rc=$?
		line="$line $rc"
		[ "$rc" -ne 137 ] || fail "$line: '$c' hung (killed after 300 s)"
		[ "$rc" -le 128 ] || fail "$line: '$c' died of signal $((rc - 128)): $out"
		if [ "$rc" -eq 0 ]; then
			expect_eq "$line: '$c' succeeded with other output" "${want[$c]}" "$out"
			continue
		fi
		caught=$((caught + 1))
		case "$c" in
		fsck) [ "$rc" -eq 1 ] || [ "$rc" -eq 128 ] || fail "$line: fsck exit $rc" ;;
		*) [ "$rc" -eq 128 ] || fail "$line: '$c' exit $rc, expected 128" ;;
		esac
		[[ "$out" == *"$c2/.pmvcs/pool.set"* ]] || fail "$line: '$c' does not name the pool file: $out"
	done
	echo "$line ${out%%$'\n'*}"
done
[ "$caught" -gt 0 ] || fail "no flip of $FLIPS was caught: the flips missed the metadata"
echo "corrupt_heap: ok ($caught failures named the pool, no signal, no hang)"
