# fast_import.sh -- faults inside `pmvcs fast-import` of a small synthetic
# stream (blobs, commits on two branches, an annotated tag: the shared
# $STREAMS/two_branches.fe), into an empty repository and on top of it
# (a fast-forward of both branches: $STREAMS/ff_two_branches.fe).
source "$(dirname "$0")/lib.bash"


r=$T/r
mkdir -p "$r"
(cd "$r" && pmvcs init -q) || fail "init"
fi_snap "$r" empty

echo "== stream into an empty repository"
export FI_STDIN=$STREAMS/two_branches.fe
fi_setup empty "$PMVCS" fast-import --quiet
fi_loop malloc exe "$(pick 35 1000000)" "$(pick 8 1000000)" "$PMVCS" fast-import --quiet
fi_loop malloc "" "$(pick 15 1000000)" "$(pick 4 1000000)" "$PMVCS" fast-import --quiet
for f in open write fallocate sync mmap rename; do
	fi_loop $f "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
done

echo "== second stream on top"
fi_restore empty.ref "$r"
fi_snap "$r" one
export FI_STDIN=$STREAMS/ff_two_branches.fe
fi_setup one "$PMVCS" fast-import --quiet
fi_loop malloc exe "$(pick 30 1000000)" "$(pick 6 1000000)" "$PMVCS" fast-import --quiet
fi_loop sync "" "$(pick 8 1000000)" "$(pick 2 1000000)" "$PMVCS" fast-import --quiet
fi_done
