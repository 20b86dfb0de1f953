# selftest.sh -- pmcrash must catch a real ordering bug and pass the same
# program without it: pmcrash_selftest "bad" publishes a sequence number
# before the record it names is durable. A kill (keep-all) cannot see that;
# a power cut that loses the unflushed record must.
source "$(dirname "$0")/lib.bash"
# it asserts on particular points and failures: never sampled down
PMCRASH_QUICK=0

"$PMCRASH" --help | grep -q '^usage: pmcrash' || fail "pmcrash --help"
expect_rc 128 "$PMCRASH" --repo "$T/nowhere" -- true >/dev/null 2>&1

mkdir "$T/db"
"$SELFTEST" init "$T/db/st.pool"
# (--check is a shell command: the path may hold spaces)
chk="$(printf %q "$SELFTEST") check st.pool"
k=$(pick 2 20)

for media in file pmem; do
	m=(--repo "$T/db" --media=$media --seed=0x5eed --check="$chk")
	echo "== $media: the correct programs pass"
	crash_ok "${m[@]}" --images=2 -- "$SELFTEST" run good st.pool "$k"
	crash_ok "${m[@]}" --mode=drop-all -- "$SELFTEST" run good st.pool "$k"
	crash_ok "${m[@]}" --points="$(pick random:12 all)" -- "$SELFTEST" run tx st.pool "$k"
	echo "== $media: the broken program fails when unflushed data is lost"
	crash 1 "${m[@]}" --mode=drop-all -- "$SELFTEST" run bad st.pool "$k"
	grep -q 'FAILED: check exit 1: seq [0-9]* but its slot' "$T/pmcrash.out" ||
		fail "no failure message"
	grep -q 'reproduce: pmcrash --points=[0-9]* --seed=0x5eed' "$T/pmcrash.out" ||
		fail "no reproduce line"
	crash 1 "${m[@]}" --images=3 -- "$SELFTEST" run bad st.pool "$k"
	echo "== $media: ... and passes when it is kept (what a kill leaves)"
	crash_ok "${m[@]}" --mode=keep-all -- "$SELFTEST" run bad st.pool "$k"
done

echo "== line granularity on the msync path catches it too"
crash 1 --repo "$T/db" --granularity=line --seed=7 --check="$chk" -- "$SELFTEST" run bad st.pool "$k"

echo "== a failure is reproduced by its own command line, byte for byte"
crash 1 --repo "$T/db" --seed=0x77 --points=random:5 --images=3 --keep-failures="$T/keep" \
	--check="$chk" -- "$SELFTEST" run bad st.pool "$k"
line=$(grep -m1 'FAILED' "$T/pmcrash.out")
pt=$(echo "$line" | sed 's/^point \([0-9]*\) image \([0-9]*\).*/\1/')
img=$(echo "$line" | sed 's/^point \([0-9]*\) image \([0-9]*\).*/\2/')
cp "$T/keep/point-$pt-image-$img/st.pool" "$T/first.pool"
rm -rf "$T/keep"
crash 1 --repo "$T/db" --seed=0x77 --points="$pt" --images=3 --keep-failures="$T/keep" \
	--check="$chk" -- "$SELFTEST" run bad st.pool "$k"
grep -qF "$line" "$T/pmcrash.out" || fail "the same failure did not come back"
cmp "$T/first.pool" "$T/keep/point-$pt-image-$img/st.pool" || fail "images differ"
echo "== an ASan build of the target works the same"
asan=$(dirname "$PMCRASH")/pmcrash_selftest_asan
[ -x "$asan" ] || asan=$SELFTEST # the whole build is sanitized already
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
crash 1 --repo "$T/db" --seed=9 --mode=drop-all --check="$(printf %q "$asan") check st.pool" -- "$asan" run bad st.pool "$k"
crash_ok --repo "$T/db" --seed=9 --media=pmem --check="$(printf %q "$asan") check st.pool" -- "$asan" run tx st.pool "$k"
echo "selftest: ok"
