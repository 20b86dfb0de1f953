/*
 * hash.c -- git object ids through OpenSSL EVP.
 *
 * The id of an object is H("<type> <size>\0" || data). EVP_MD_fetch is
 * expensive (a provider lookup under a lock), so each algorithm is fetched
 * once per process (md_setup; the handles are immutable afterwards and
 * shared by all envs).
 *
 * Setup can fail (out of memory inside OpenSSL). Once OpenSSL's own
 * start-up has failed its global locks are NULL and any further fetch
 * crashes in pthread_rwlock_rdlock(NULL), so md_setup checks
 * OPENSSL_init_crypto() and the default library context first and calls
 * nothing more when either failed. Both cache their failure inside
 * OpenSSL (RUN_ONCE), and asking again just returns 0: so a failed setup
 * is not cached here, the next hash retries it, and a transient failure
 * (a failed fetch after a good start-up) is overcome; a failed start-up
 * keeps failing cleanly. EVP_MD_CTX allocation is also slow relative to a
 * small object, so each thread keeps one context per algorithm, reused by
 * EVP_DigestInit_ex2 and freed by a pthread key destructor at thread exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include "internal.h"

static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;
static int md_ready;          /* atomic: 1 once the handles below are set */
static EVP_MD *md_sha1;      /* written once under md_lock, then read-only */
static EVP_MD *md_sha256;    /* idem */
static pthread_key_t ctx_key; /* destructor frees a thread's contexts */
static int ctx_key_made;      /* under md_lock: ctx_key exists */

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

/* md_fetch -- one digest, or NULL with the detail set; OpenSSL's error
 * queue is cleared so that a failure leaves nothing behind. */
static EVP_MD *
md_fetch(const char *name)
{
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);

	if (!md) {
		unsigned long e = ERR_get_error();

		pmdb__seterr(PMDB_ENOMEM, "OpenSSL: cannot set up %s%s%s",
			     name, e ? ": " : "",
			     e ? ERR_reason_error_string(e) : "");
		ERR_clear_error();
	}
	return md;
}

/* md_setup_locked -- md_setup's work, under md_lock. @return 0,
 * PMDB_ENOMEM (OpenSSL could not start or fetch a digest), PMDB_ERROR
 * (no pthread key left). */
static int
md_setup_locked(void)
{
	EVP_MD *sha1 = NULL, *sha256 = NULL;

	/* OpenSSL's start-up, then its default library context: after
	 * either failed, its locks are NULL and a fetch would crash (see
	 * the file comment); stop before it */
	if (!OPENSSL_init_crypto(0, NULL) ||
	    !OSSL_LIB_CTX_get0_global_default())
		return pmdb__seterr(PMDB_ENOMEM, "OpenSSL: cannot set up "
				    "SHA1: OpenSSL failed to start (out of "
				    "memory?)");
	if (!(sha1 = md_fetch("SHA1")))
		return PMDB_ENOMEM;
	if (!(sha256 = md_fetch("SHA256"))) {
		EVP_MD_free(sha1);
		return PMDB_ENOMEM;
	}
	if (!ctx_key_made) {
		if (pthread_key_create(&ctx_key, ctx_destroy)) {
			EVP_MD_free(sha1);
			EVP_MD_free(sha256);
			return pmdb__seterr(PMDB_ERROR, "OpenSSL: no pthread "
					    "key left for digest contexts");
		}
		ctx_key_made = 1;
	}
	md_sha1 = sha1;
	md_sha256 = sha256;
	/* release: a thread that sees md_ready sees both handles and the
	 * key (pairs with the acquire in md_setup) */
	__atomic_store_n(&md_ready, 1, __ATOMIC_RELEASE);
	return 0;
}

/* md_setup -- fetch both digests once per process; a failure is not
 * remembered, the next call tries again (file comment). @return 0,
 * PMDB_ENOMEM, PMDB_ERROR. */
static int
md_setup(void)
{
	int rc = 0;

	if (PMDB_LIKELY(__atomic_load_n(&md_ready, __ATOMIC_ACQUIRE)))
		return 0;
	pthread_mutex_lock(&md_lock);
	if (!__atomic_load_n(&md_ready, __ATOMIC_RELAXED))
		rc = md_setup_locked();
	pthread_mutex_unlock(&md_lock);
	return rc;
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
					     "tag", "reflog", "chunk" };
	char hdr[32];
	int hlen, i = algo == PMDB_HASH_SHA256;
	unsigned olen = 0;
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	int rc;

	if (PMDB_UNLIKELY(rc = md_setup()))
		return rc;
	md = i ? md_sha256 : md_sha1;
	ctx = get_ctx(i);
	if (!ctx)
		return pmdb__seterr(PMDB_ENOMEM, "OpenSSL: cannot set up %s: "
				    "no digest context",
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

/* pmdb_hash__open -- start a streamed id of an object of len bytes (a
 * context of its own: puts between the updates use the thread's).
 * @return 0, PMDB_ENOMEM, PMDB_ERROR. */
int
pmdb_hash__open(void **out, pmdb_hash_algo algo, pmdb_otype type,
		uint64_t len)
{
	static const char *const names[] = { "", "commit", "tree", "blob",
					     "tag", "reflog", "chunk" };
	char hdr[32];
	int hlen, rc;
	EVP_MD_CTX *ctx;

	*out = NULL;
	if (PMDB_UNLIKELY(rc = md_setup()))
		return rc;
	if (!(ctx = EVP_MD_CTX_new()))
		return pmdb__seterr(PMDB_ENOMEM, "OpenSSL: no digest context");
	hlen = fmt_header(hdr, names[type], len);
	if (!EVP_DigestInit_ex2(ctx, algo == PMDB_HASH_SHA256 ? md_sha256 :
				md_sha1, NULL) ||
	    !EVP_DigestUpdate(ctx, hdr, (size_t)hlen + 1)) {
		EVP_MD_CTX_free(ctx);
		return pmdb__seterr(PMDB_ERROR, "OpenSSL digest failed");
	}
	*out = ctx;
	return 0;
}

/* pmdb_hash__update -- hash len more bytes. @return 0, PMDB_ERROR. */
int
pmdb_hash__update(void *ctx, const void *data, size_t len)
{
	if (len && !EVP_DigestUpdate(ctx, data, len))
		return pmdb__seterr(PMDB_ERROR, "OpenSSL digest failed");
	return 0;
}

/* pmdb_hash__close -- the id (out NULL: just free). NULL-safe.
 * @return 0, PMDB_ERROR. */
int
pmdb_hash__close(void *ctx, pmdb_oid *out)
{
	unsigned olen = 0;
	int rc = 0;

	if (!ctx)
		return 0;
	if (out) {
		memset(out, 0, sizeof(*out));
		if (!EVP_DigestFinal_ex(ctx, out->id, &olen))
			rc = pmdb__seterr(PMDB_ERROR, "OpenSSL digest failed");
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}
