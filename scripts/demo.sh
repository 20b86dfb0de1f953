#!/usr/bin/env bash
# demo.sh -- install dependencies, build, create a repository with its pool
# (default /dev/shm/pmvcs-demo: emulated pmem) and run the main job on it:
# commit this project's own source tree, then log, ls-tree, cat-file, fsck
# and stats. PMVCS_DEMO_DIR picks another place (an ordinary directory
# exercises the msync path); PMVCS_DEMO_KEEP=1 keeps what it made.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
mkdir -p build
log=$src/build/demo-build.log
# Package and compiler output goes to a log: the demo is about pmvcs.
quiet() {
  if ! "$@" >>"$log" 2>&1; then
    echo "demo: '$*' failed; the last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
: >"$log"
echo "== installing what is missing and building (log: $log)"
quiet scripts/install-deps.sh
quiet scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
pmvcs=$src/build/tools/pmvcs
demo=${PMVCS_DEMO_DIR:-/dev/shm/pmvcs-demo}
case "$demo" in /dev/shm/*) export PMEM_IS_PMEM_FORCE=1 ;; esac

cleanup() {
  for d in "$demo" "$demo-zlib"; do
    [ -d "$d/.pmvcs" ] && "$pmvcs" -C "$d" server stop >/dev/null 2>&1 || true
  done
  if [ "${PMVCS_DEMO_KEEP:-0}" = 1 ]; then
    echo "demo repository kept: $demo"
  else
    rm -rf "$demo" "$demo-zlib" "$demo-zlib.git" "$demo.fe"
    echo "demo: removed $demo (PMVCS_DEMO_KEEP=1 keeps it)"
  fi
}
trap cleanup EXIT

# Print a command as one would type it: quote only what needs quoting.
show() {
  local out="\$ pmvcs" a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=:@^~%+,-]+$ ]]; then out+=" $a"
    else out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  echo "$out"
}
run() { show "$@"; "$pmvcs" "$@"; }

# A fresh machine has no identity; git would refuse to commit, so would we.
if ! git config user.email >/dev/null 2>&1 && [ -z "${GIT_AUTHOR_EMAIL:-}" ]; then
  export GIT_AUTHOR_NAME="pmvcs demo" GIT_AUTHOR_EMAIL="demo@example.invalid"
  export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
  echo "== no user.email configured: committing as $GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>"
fi

rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
echo "== a repository in $demo"
run init
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$demo")
run commit -q -m "Import pmdb sources"
echo "// demo change" >> README.md
run status --short
run diff --stat
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
  run -C "$demo-zlib" log --oneline -n 3
else
  echo "== ../shared/streams/zlib.fe.xz not found: skipping the zlib comparison"
fi
