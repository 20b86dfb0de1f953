# fi_real.sh -- real histories (sds, zlib, this project's own) imported by
# git and by pmvcs, SHA-1 and SHA-256: every ref must be identical.
. "$(dirname "$0")/fi_lib.sh"
S=${PMDB_SHARED:?}/streams
[ -f "$S/sds.fe.xz" ] || exit 77

for st in sds zlib; do
	xz -dc "$S/$st.fe.xz" >"$T/$st.fe"
	for fmt in sha1 sha256; do
		mkpair $st$fmt $fmt
		import_both $st$fmt "$T/$st.fe"
		refs_equal $st$fmt
	done
	rm -f "$T/$st.fe"
done

# the project's own history (when the source is a git checkout)
if [ -n "${PMDB_SRC:-}" ] && command git -C "$PMDB_SRC" rev-parse --git-dir >/dev/null 2>&1; then
	command git -C "$PMDB_SRC" fast-export --branches --tags --signed-tags=strip \
		--tag-of-filtered-object=drop --reencode=no >"$T/self.fe" 2>/dev/null
	for fmt in sha1 sha256; do
		mkpair self$fmt $fmt
		import_both self$fmt "$T/self.fe"
		refs_equal self$fmt
	done
fi
echo ok
