#!/bin/bash
# srv_tz.sh -- a commit made through the server without GIT_*_DATE takes
# the client's time zone, not the server's (the client sends its offset);
# in-process commits agree. POSIX TZ strings, so no tzdata is needed.
source "$(dirname "$0")/srv_lib.sh"
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE

A=$T/a
"$PMVCS" init -q "$A"
echo one > "$A/f"
TZ=UTC0 srv_start "$A"
TZ=IST-5:30 "$PMVCS" -C "$A" commit -q -m served
hdr=$("$PMVCS" -C "$A" cat-file commit HEAD)
echo "$hdr" | grep -Eq '^committer .* [0-9]+ \+0530$' ||
	fail "served commit did not take the client's zone (+0530): $(echo "$hdr" | grep committer)"
echo "$hdr" | grep -Eq '^author .* [0-9]+ \+0530$' || fail "served author zone"
echo two > "$A/f"
TZ=XST3 "$PMVCS" -C "$A" commit -q -m served2
"$PMVCS" -C "$A" cat-file commit HEAD | grep -Eq '^committer .* -0300$' ||
	fail "served commit, second client zone (-0300)"
"$PMVCS" -C "$A" server stop
echo three > "$A/f"
TZ=IST-5:30 "$PMVCS" -C "$A" commit -q -m inproc
"$PMVCS" -C "$A" cat-file commit HEAD | grep -Eq '^committer .* \+0530$' ||
	fail "in-process commit zone"
echo "ok: served and in-process commits take the client zone"
