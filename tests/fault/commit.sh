# commit.sh -- faults inside `pmvcs commit`: the first commit of a small
# tree, then a commit that changes, adds and removes files. malloc twice:
# the calls pmvcs/libpmdb make themselves (exe), and every call (libc's,
# OpenSSL's and PMDK's too); open, write, fallocate, sync, mmap, rename at
# every point; the second commit's syncs also on the msync path.
source "$(dirname "$0")/lib.bash"

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fill_tree "$r" 12 one
fault_snap "$r" first

echo "== first commit"
fault_setup first "$PMVCS" commit -q -m first
fault_loop malloc exe "$(pick 30 1000000)" "$(pick 6 1000000)" "$PMVCS" commit -q -m first
fault_loop malloc "" "$(pick 15 1000000)" "$(pick 4 1000000)" "$PMVCS" commit -q -m first
for f in open write fallocate sync mmap rename; do
	fault_loop $f "" "$(pick 10 1000000)" "$(pick 2 1000000)" "$PMVCS" commit -q -m first
done

fault_restore first.ref "$r"
fill_tree "$r" 4 two
rm "$r/dir3/f11.txt"
echo new >"$r/new.txt"
fault_snap "$r" second
echo "== second commit"
fault_setup second "$PMVCS" commit -q -m second
fault_loop malloc exe "$(pick 25 1000000)" "$(pick 5 1000000)" "$PMVCS" commit -q -m second
fault_loop write "" "$(pick 5 1000000)" "$(pick 2 1000000)" "$PMVCS" commit -q -m second
echo "== second commit, msync path (PMEM_IS_PMEM_FORCE=0)"
PMEM_IS_PMEM_FORCE=0 fault_loop sync "" "$(pick 15 1000000)" "$(pick 3 1000000)" "$PMVCS" commit -q -m second
fault_done
