# fi_space.sh -- after an import the pool takes on disk (du of .pmvcs) at
# most its records plus 1/8 plus 10 MiB (with the real zlib stream: under
# twice git's pack, the benchmark's target), `pmvcs stats` reports what du
# counts, and a pool whose unused space went back to the file system
# takes more data, reads it back and checks clean (docs/design.md
# "Space").
# streams: gen shared
. "$(dirname "$0")/fi_lib.sh"
use_streams large

# parts_du DIR: allocated bytes of the pool's part files (st_blocks)
parts_du() { stat -c '%b %B' "$1"/.pmvcs/pool/*.pmem | awk '{ n += $1 * $2 } END { print n }'; }
# stats_field DIR NAME: a number from pmvcs stats --json
stats_field() { pmvcs -C "$1" stats --json | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

mkpair z sha1
import_both z "$T/large.fe"
refs_equal z
# the pool gives its free space back when it is closed: stop the server
# the import started (docs/server.md, "Known limits")
"$PMVCS" -C "$T/z.p" server stop >/dev/null 2>&1 || true
g=$(du -s -B1 "$T/z.g/.git/objects" | cut -f1)
p=$(du -s -B1 "$T/z.p/.pmvcs" | cut -f1)
r=$(stats_field "$T/z.p" stored_bytes)
echo "git pack $g bytes, pool $p bytes, records $r bytes"
# 10 MiB of fixed cost: since reflogs (format 2) an import of many branches
# leaves ~1.8 MB more on disk than before (14.7 vs 13.0 MB on the generated
# stream: the ref table also holds each log's head and grows; where the rest
# goes is not yet known: docs/benchmarks.md, issue 17)
[ "$p" -le $((r + r / 8 + 10485760)) ] || fail "pool $p bytes on disk for $r bytes of records"
expect_eq "stats pool_bytes is du's" "$(parts_du "$T/z.p")" "$(stats_field "$T/z.p" pool_bytes)"
[ "$(stats_field "$T/z.p" pool_holes)" -gt 0 ] || fail "no space returned"
pmvcs -C "$T/z.p" fsck >/dev/null || fail "fsck after the import"

# more data into the returned space: a 3 MB blob on a new branch
head -c 3000000 /dev/urandom >"$T/big"
{
	printf 'commit refs/heads/extra\ncommitter I <i@e> 1800000000 +0000\n'; d 'big'
	printf 'M 100644 inline big\ndata %d\n' "$(stat -c %s "$T/big")"
	cat "$T/big"
	echo
} >"$T/extra.fe"
pmvcs -C "$T/z.p" fast-import --quiet <"$T/extra.fe" || fail "append"
pmvcs -C "$T/z.p" cat-file -p extra:big >"$T/big.out" || fail "read back"
cmp -s "$T/big" "$T/big.out" || fail "the appended blob differs"
expect_eq "refs kept" "$(git -C "$T/z.g" show-ref)" \
	"$(pmvcs -C "$T/z.p" show-ref | grep -v refs/heads/extra)"
pmvcs -C "$T/z.p" fsck >/dev/null || fail "fsck after the append"
expect_eq "stats pool_bytes is du's after the append" "$(parts_du "$T/z.p")" \
	"$(stats_field "$T/z.p" pool_bytes)"
"$PMVCS" -C "$T/z.p" server stop >/dev/null 2>&1 || true
p2=$(du -s -B1 "$T/z.p/.pmvcs" | cut -f1)
[ "$p2" -le $((p + 8000000)) ] || fail "appending 3 MB grew the pool from $p to $p2 bytes"
echo ok
