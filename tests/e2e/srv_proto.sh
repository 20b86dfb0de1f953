#!/bin/bash
# srv_proto.sh -- the server refuses what docs/server.md does not allow:
# a run request whose cwd is outside the work tree, bytes after the last
# field, signed or blank-padded numbers, the wrong number of descriptors;
# the same request well formed is run (so each refusal is the server's
# check, not a broken request).
source "$(dirname "$0")/srv_lib.sh"
srv_need_py
A=$T/a
srv_history "$A"
mkdir "$A/src/deep"
srv_start "$A"
S=$A/.pmvcs/server.sock
ask() { "$SRV_PY" "$T/srv.py" ask "$S" "$@"; }
run() { ask 3 run "$1" 18 0 2 rev-parse HEAD 1 "TZ=UTC" "${@:2}"; }

expect_eq "well formed" "rc 0" "$(run "$A")"
expect_eq "well formed, subdirectory" "rc 0" "$(run "$A/src/deep")"
expect_eq "cwd outside the work tree" \
	"refused the directory $T is outside the work tree $A" "$(run "$T")"
expect_eq "cwd /" "refused the directory / is outside the work tree $A" "$(run /)"
expect_eq "cwd a sibling with the work tree's name as prefix" \
	"refused the directory ${A}x is outside the work tree $A" "$(run "${A}x")"
ln -s "$A/src" "$T/lnk"
expect_eq "cwd through a symlink into the work tree" "rc 0" "$(run "$T/lnk")"
expect_eq "trailing byte" "refused malformed request" "$(run "$A" @x)"
expect_eq "trailing field" "refused malformed request" "$(run "$A" extra)"
expect_eq "status with a trailing field" "refused malformed request" "$(ask 0 status extra)"
expect_eq "signed umask" "refused malformed request" \
	"$(ask 3 run "$A" +18 0 2 rev-parse HEAD 0)"
expect_eq "blank in argc" "refused malformed request" \
	"$(ask 3 run "$A" 18 0 " 2" rev-parse HEAD 0)"
expect_eq "two descriptors" "refused malformed request" \
	"$(ask 2 run "$A" 18 0 2 rev-parse HEAD 0)"
expect_eq "env entry without =" "refused malformed request" \
	"$(ask 3 run "$A" 18 0 2 rev-parse HEAD 1 NOEQUALS)"
expect_eq "unknown request" "refused unknown request" "$(ask 0 hello)"
expect_eq "status still answers" "rc 0" "$(run "$A")"
echo ok
