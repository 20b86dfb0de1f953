# fi_real.sh -- histories (lib.sh use_streams: small and large, generated
# or real; and this project's own) imported by git and by pmvcs, SHA-1 and
# SHA-256: every ref must be identical.
# streams: gen shared
. "$(dirname "$0")/fi_lib.sh"
use_streams small large

for st in small large; do
	for fmt in sha1 sha256; do
		mkpair $st$fmt $fmt
		import_both $st$fmt "$T/$st.fe"
		refs_equal $st$fmt
	done
	rm -f "$T/$st.fe"
done

# the project's own history (when the source is a git checkout; once)
if [ "$STREAM_SET" = gen ] && [ -n "${PMDB_SRC:-}" ] && command git -C "$PMDB_SRC" rev-parse --git-dir >/dev/null 2>&1; then
	command git -C "$PMDB_SRC" fast-export --branches --tags --signed-tags=strip \
		--tag-of-filtered-object=drop --reencode=no >"$T/self.fe" 2>/dev/null
	for fmt in sha1 sha256; do
		mkpair self$fmt $fmt
		import_both self$fmt "$T/self.fe"
		refs_equal self$fmt
	done
fi
echo ok
