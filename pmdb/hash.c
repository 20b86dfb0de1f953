/*
 * hash.c -- git object ids through OpenSSL EVP.
 *
 * The id of an object is H("<type> <size>\0" || data). EVP_MD_fetch is
 * expensive (a provider lookup under a lock), so each algorithm is fetched
 * once per process (pthread_once; the handles are immutable afterwards and
 * shared by all envs). EVP_MD_CTX allocation is also slow relative to a
 * small object, so each thread keeps one context per algorithm, reused by
 * EVP_DigestInit_ex2 and freed by a pthread key destructor at thread exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "internal.h"

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha1;      /* written once under md_once, then read-only */
static EVP_MD *md_sha256;    /* idem */
static pthread_key_t ctx_key; /* destructor frees a thread's contexts */

/* Per-thread contexts, [0] for SHA-1 and [1] for SHA-256. */
static __thread EVP_MD_CTX *tl_ctx[2];
static __thread int tl_registered;

/* ctx_destroy -- pthread key destructor: free this thread's contexts. */
static void
ctx_destroy(void *arg)
{
	(void)arg;
	EVP_MD_CTX_free(tl_ctx[0]);
	EVP_MD_CTX_free(tl_ctx[1]);
	tl_ctx[0] = tl_ctx[1] = NULL;
}

/* md_init -- fetch both digests once per process. */
static void
md_init(void)
{
	md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	pthread_key_create(&ctx_key, ctx_destroy);
}

/* get_ctx -- the calling thread's context for algo, created on demand. */
static EVP_MD_CTX *
get_ctx(int i)
{
	if (PMDB_UNLIKELY(!tl_ctx[i])) {
		tl_ctx[i] = EVP_MD_CTX_new();
		if (tl_ctx[i] && !tl_registered) {
			/* any non-NULL value makes the destructor run */
			pthread_setspecific(ctx_key, (void *)1);
			tl_registered = 1;
		}
	}
	return tl_ctx[i];
}

/* fmt_header -- "<name> <len>" into hdr (no printf: it is per object);
 * return its length without the NUL, which is written too. */
static int
fmt_header(char *hdr, const char *name, size_t len)
{
	char digits[24];
	int n = 0, k = 0;

	while (*name)
		hdr[n++] = *name++;
	hdr[n++] = ' ';
	do {
		digits[k++] = (char)('0' + len % 10);
		len /= 10;
	} while (len);
	while (k)
		hdr[n++] = digits[--k];
	hdr[n] = '\0';
	return n;
}

/* pmdb_hash__object -- git id of one object with a cached context. */
int
pmdb_hash__object(pmdb_oid *out, pmdb_hash_algo algo, pmdb_otype type,
		  const void *data, size_t len)
{
	static const char *const names[] = { "", "commit", "tree", "blob",
					     "tag" };
	char hdr[32];
	int hlen, i = algo == PMDB_HASH_SHA256;
	unsigned olen = 0;
	EVP_MD_CTX *ctx;
	const EVP_MD *md;

	pthread_once(&md_once, md_init);
	md = i ? md_sha256 : md_sha1;
	ctx = get_ctx(i);
	if (!md || !ctx)
		return pmdb__seterr(PMDB_ERROR, "OpenSSL: cannot set up %s",
				    i ? "SHA256" : "SHA1");
	hlen = fmt_header(hdr, names[type], len);
	memset(out, 0, sizeof(*out));
	if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, hdr, (size_t)hlen + 1) ||
	    (len && !EVP_DigestUpdate(ctx, data, len)) ||
	    !EVP_DigestFinal_ex(ctx, out->id, &olen))
		return pmdb__seterr(PMDB_ERROR, "OpenSSL digest failed");
	return 0;
}

/* pmdb_hash_object -- compute git's id without storing the object. */
PMDB_EXPORT int
pmdb_hash_object(pmdb_oid *out, pmdb_hash_algo algo, pmdb_otype type,
		 const void *data, size_t len)
{
	pmdb__clearerr(); /* no stale detail after this call */
	if (!out || !pmdb_hash__valid(algo) || !pmdb_otype__valid(type) ||
	    (!data && len))
		return pmdb__seterr(PMDB_EINVAL, "bad hash algo %d or type %d",
				    (int)algo, (int)type);
	return pmdb_hash__object(out, algo, type, data, len);
}
