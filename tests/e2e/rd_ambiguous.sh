#!/bin/bash
# rd_ambiguous.sh -- a 4-digit prefix shared by two objects is refused
# (exit 128, "ambiguous") by rev-parse and cat-file, as git refuses it;
# abbreviations printed by log --oneline / rev-parse --short stay unique.
# 1500 blobs make a shared 4-digit prefix all but certain (birthday bound:
# 1500^2 / 2 / 65536 ~ 17 expected pairs).
. "$(dirname "$0")/lib.sh"

P=$T/p
pmvcs init -q "$P"
cd "$P"
for i in $(seq 1 1500); do echo "$i" > "f$i"; done
pmvcs commit -q -m many
pfx=$(pmvcs cat-file --batch-all-objects --batch-check | cut -c1-4 | sort | uniq -d | head -1)
# (ids are fixed by the fixed identities and dates: this always finds one)
[ -n "$pfx" ] || fail "no shared 4-digit prefix among 1500 objects"
expect_rc 128 pmvcs rev-parse "$pfx" 2>/dev/null
msg=$(pmvcs rev-parse "$pfx" 2>&1 || true)
case $msg in *mbiguous*) ;; *) fail "rev-parse $pfx said: $msg" ;; esac
expect_rc 128 pmvcs cat-file -t "$pfx" 2>/dev/null
# --short=4 of an id with a shared prefix grows past it, like git
id=$(pmvcs cat-file --batch-all-objects --batch-check | grep "^$pfx" | head -1 | cut -d' ' -f1)
short=$(pmvcs rev-parse --short=4 "$id")
[ ${#short} -gt 4 ] || fail "--short=4 of $id gave $short"
expect_eq "short id resolves back" "$id" "$(pmvcs rev-parse "$short")"
echo ok
