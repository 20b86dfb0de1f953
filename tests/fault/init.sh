# init.sh -- faults inside `pmvcs init`. There is no "old" repository to
# keep, so the standard is: init exits 0 or 128 with a message, never a
# signal; after a failure, a second `pmvcs init` (no injection) either
# succeeds (and the repository passes fsck) or refuses with a clear
# "pmvcs: ..." message, as does opening the leftover with `pmvcs fsck`.
# What is left is tallied and printed: docs/testing.md records it.
source "$(dirname "$0")/lib.bash"

FLT_CMD="init -q r"
declare -A outcome=()

# init_point FUNC CALLER N PERSIST: one point; tallies what was left
init_point() {
	local ctx="init, FAULT_FUNC=$1${2:+/$2} N=$3" d=$T/i left rc2
	[ "$4" = 0 ] || ctx="$ctx and later"
	rm -rf "$d"
	mkdir -p "$d"
	fault_exec "$d" "$1" "$3" "$4" "$2" "$PMVCS" init -q r
	FLT_POINTS=$((FLT_POINTS + 1))
	fault_sane_exit "$ctx" || return 0
	if [ "$FLT_RC" -eq 0 ]; then
		fsck_point "$d/r" "$ctx" && outcome["init succeeded"]=$((${outcome["init succeeded"]:-0} + 1))
		return 0
	fi
	if [ ! -e "$d/r/.pmvcs" ]; then left="no .pmvcs left"; else left="a partial .pmvcs left"; fi
	fault_plain "$d" "$PMVCS" init -q r
	rc2=$FLT_RC
	if [ "$rc2" -eq 0 ]; then
		fsck_point "$d/r" "$ctx (second init)" || return 0
		left="$left; second init succeeded"
	elif [ "$rc2" -eq 128 ] && grep -q '^pmvcs: ' "$T/fault.err"; then
		left="$left; second init refused: $(head -1 "$T/fault.err" | sed "s|$d|<dir>|g")"
		fault_plain "$d/r" "$PMVCS" fsck
		if [ "$FLT_RC" -eq 0 ]; then
			left="$left; fsck passes (init failed after the pool was made)"
		elif [ "$FLT_RC" -gt 128 ] || ! grep -q '^pmvcs: ' "$T/fault.err"; then
			fault_bad "$ctx" "fsck of the leftover: exit $FLT_RC without a clear error"
			return 0
		else
			left="$left; fsck: $(head -1 "$T/fault.err" | sed "s|$d|<dir>|g")"
		fi
	else
		fault_bad "$ctx" "second init: exit $rc2"
		return 0
	fi
	outcome["$left"]=$((${outcome["$left"]:-0} + 1))
}

# fsck_point DIR CTX: fsck must pass on a repository init called good
fsck_point() {
	fault_plain "$1" "$PMVCS" fsck
	[ "$FLT_RC" -eq 0 ] || { fault_bad "$2" "fsck of the new repository: exit $FLT_RC"; return 1; }
}

# init_loop FUNC CALLER MAX PMAX
init_loop() {
	local n persist total
	FLT_FUNC=$1${2:+/$2}
	rm -rf "$T/i" && mkdir -p "$T/i"
	fault_count "$T/i" "$1" "$2" "$PMVCS" init -q r
	total=$FLT_CALLS
	for persist in 0 1; do
		for n in $(fault_points "$total" "$([ $persist = 0 ] && echo "$3" || echo "$4")" "$((SEED * 31 + persist))"); do
			init_point "$1" "$2" "$n" "$persist"
		done
	done
	printf 'init -q r  %-14s %d calls\n' "$FLT_FUNC" "$total"
}

init_loop malloc exe "$(pick 25 1000000)" "$(pick 5 1000000)"
init_loop malloc "" "$(pick 20 1000000)" "$(pick 5 1000000)"
for f in open write fallocate sync mmap rename; do
	init_loop $f "" "$(pick 12 1000000)" "$(pick 3 1000000)"
done
echo "what a failed init leaves:"
for k in "${!outcome[@]}"; do printf '  %4d  %s\n' "${outcome[$k]}" "$k"; done | sort -k2
fault_done
