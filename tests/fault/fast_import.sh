# fast_import.sh -- faults inside `pmvcs fast-import` of a small synthetic
# stream (blobs, commits on two branches, an annotated tag), into an empty
# repository and on top of an earlier import (fast-forward).
source "$(dirname "$0")/lib.bash"

cat >"$T/one.fe" <<'STREAM'
blob
mark :1
data 6
hello

blob
mark :2
data 8
goodbye

commit refs/heads/master
mark :3
author A U Thor <author@example.com> 1700000000 +0100
committer C O Mitter <committer@example.com> 1700000100 +0000
data 6
first
M 100644 :1 hello.txt
M 100644 :2 dir/bye.txt

commit refs/heads/master
mark :4
author A U Thor <author@example.com> 1700000200 +0100
committer C O Mitter <committer@example.com> 1700000300 +0000
data 7
second
from :3
M 100755 :1 run.sh
D dir/bye.txt

reset refs/heads/side
from :3

tag v1
from :4
tagger C O Mitter <committer@example.com> 1700000400 +0000
data 4
tag

STREAM
cat >"$T/two.fe" <<'STREAM'
blob
mark :1
data 5
more

commit refs/heads/master
mark :2
author A U Thor <author@example.com> 1700000500 +0100
committer C O Mitter <committer@example.com> 1700000600 +0000
data 6
third
from refs/heads/master^0
M 100644 :1 more.txt

commit refs/heads/side
mark :3
author A U Thor <author@example.com> 1700000700 +0100
committer C O Mitter <committer@example.com> 1700000800 +0000
data 5
side
from refs/heads/side^0
M 100644 :1 side.txt

STREAM

r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fi_snap "$r" empty

echo "== stream into an empty repository"
export FI_STDIN=$T/one.fe
fi_setup empty "$PMVCS" fast-import --quiet
fi_loop malloc exe "$(pick 35 1000000)" "$(pick 8 1000000)" "$PMVCS" fast-import --quiet
fi_loop malloc "" "$(pick 15 1000000)" "$(pick 4 1000000)" "$PMVCS" fast-import --quiet
for f in open write fallocate sync mmap rename; do
	fi_loop $f "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
done

echo "== second stream on top"
fi_restore empty.ref "$r"
fi_snap "$r" one
export FI_STDIN=$T/two.fe
fi_setup one "$PMVCS" fast-import --quiet
fi_loop malloc exe "$(pick 30 1000000)" "$(pick 6 1000000)" "$PMVCS" fast-import --quiet
fi_loop sync "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
fi_done
