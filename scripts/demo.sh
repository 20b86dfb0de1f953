#!/usr/bin/env bash
# demo.sh -- install dependencies, build, create a repository with its pool
# (default /dev/shm/pmvcs-demo: emulated pmem) and run the main job on it:
# commit this project's own source tree, then log, ls-tree, cat-file, fsck
# and stats. PMVCS_DEMO_DIR picks another place (an ordinary directory
# exercises the msync path).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
pmvcs=$src/build/tools/pmvcs
demo=${PMVCS_DEMO_DIR:-/dev/shm/pmvcs-demo}
case "$demo" in /dev/shm/*) export PMEM_IS_PMEM_FORCE=1 ;; esac
rm -rf "$demo"
mkdir -p "$demo"
run() { echo "\$ pmvcs $*"; "$pmvcs" "$@"; }
cd "$demo"
run init
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$demo")
run commit -m "Import pmdb sources"
echo "// demo change" >> README.md
run status --short
run diff --stat 2>/dev/null || run diff | head -20
run commit -m "Touch README"
run log --oneline
run ls-tree HEAD
run cat-file -p HEAD
run fsck
run stats
echo "demo repository: $demo"
