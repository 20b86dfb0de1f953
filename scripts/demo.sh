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
run commit -q -m "Import pmdb sources"
run log --stat -n 1 2>/dev/null | tail -1 || true
echo "// demo change" >> README.md
run status --short
run diff --stat 2>/dev/null || run diff | head -20
run commit -m "Touch README"
run log --oneline
run ls-tree HEAD
run cat-file -p HEAD
run fsck && echo "fsck: clean"
run stats
stream=$src/../shared/streams/zlib.fe.xz
if [ -f "$stream" ]; then
  echo "== a real history: zlib's fast-export stream, into pmvcs and into git"
  xz -dc "$stream" > "$demo.fe"
  rm -rf "$demo-zlib" "$demo-zlib.git"; mkdir -p "$demo-zlib"
  (cd "$demo-zlib" && "$pmvcs" init -q)
  t0=$(date +%s.%N); "$pmvcs" -C "$demo-zlib" fast-import --quiet < "$demo.fe"; t1=$(date +%s.%N)
  git init -q --bare "$demo-zlib.git"
  git -C "$demo-zlib.git" fast-import --quiet < "$demo.fe"; t2=$(date +%s.%N)
  if diff <(git -C "$demo-zlib.git" show-ref) <("$pmvcs" -C "$demo-zlib" show-ref) >/dev/null; then
    echo "refs: all $(git -C "$demo-zlib.git" show-ref | wc -l) identical to git's"
  else
    echo "refs DIFFER from git's"; exit 1
  fi
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "fast-import: pmvcs %.2f s, git %.2f s (%.1fx)\n", b-a, c-b, (c-b)/(b-a) }'
  "$pmvcs" -C "$demo-zlib" log --oneline -n 3
  rm -f "$demo.fe"
fi
echo "demo repository: $demo"
