/*
 * oid.c -- ids as hex, hash algorithm and object type names.
 */
#include <string.h>
#include "internal.h"

/* The "must not exist" sentinel for pmdb_txn_ref_set(); compared by
 * address, never by value. */
PMDB_EXPORT const pmdb_oid pmdb_expect_absent;

static const char *const otype_names[] = { NULL, "commit", "tree", "blob",
					   "tag", "reflog", "chunk" };

/* pmdb_hash_len -- 20 for SHA-1, 32 for SHA-256, 0 otherwise. */
PMDB_EXPORT size_t
pmdb_hash_len(pmdb_hash_algo algo)
{
	switch (algo) {
	case PMDB_HASH_SHA1: return 20;
	case PMDB_HASH_SHA256: return 32;
	}
	return 0;
}

/* pmdb_hash_name -- git's --object-format name of algo. */
PMDB_EXPORT const char *
pmdb_hash_name(pmdb_hash_algo algo)
{
	switch (algo) {
	case PMDB_HASH_SHA1: return "sha1";
	case PMDB_HASH_SHA256: return "sha256";
	}
	return NULL;
}

/* pmdb_hash_from_name -- parse "sha1" / "sha256". */
PMDB_EXPORT int
pmdb_hash_from_name(pmdb_hash_algo *out, const char *name)
{
	pmdb__clearerr(); /* no stale detail after this call */
	if (name && strcmp(name, "sha1") == 0) {
		*out = PMDB_HASH_SHA1;
		return 0;
	}
	if (name && strcmp(name, "sha256") == 0) {
		*out = PMDB_HASH_SHA256;
		return 0;
	}
	return pmdb__seterr(PMDB_EINVAL, "unknown object format '%s'",
			    name ? name : "(null)");
}

/* pmdb_otype_name -- "commit", "tree", "blob", "tag", "reflog", "chunk"
 * or NULL. */
PMDB_EXPORT const char *
pmdb_otype_name(pmdb_otype type)
{
	return pmdb_otype__valid(type) ? otype_names[type] : NULL;
}

/* pmdb_otype_from_name -- parse a type name of len bytes. */
PMDB_EXPORT int
pmdb_otype_from_name(pmdb_otype *out, const char *name, size_t len)
{
	pmdb__clearerr(); /* no stale detail after this call */
	for (int t = PMDB_OBJ_COMMIT; name && t <= PMDB_OBJ_TAG; t++) {
		if (strlen(otype_names[t]) == len &&
		    memcmp(otype_names[t], name, len) == 0) {
			*out = (pmdb_otype)t;
			return 0;
		}
	}
	return pmdb__seterr(PMDB_EINVAL, "unknown object type '%.*s'",
			    name ? (int)(len > 32 ? 32 : len) : 6,
			    name ? name : "(null)");
}

/* pmdb_oid_fmt -- lower-case hex of the id's used bytes. */
PMDB_EXPORT char *
pmdb_oid_fmt(char *out, const pmdb_oid *oid, pmdb_hash_algo algo)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = pmdb_hash_len(algo);

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[oid->id[i] >> 4];
		out[2 * i + 1] = hex[oid->id[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

/* pmdb_oid__hexval -- value of hex digit c, or -1. */
int
pmdb_oid__hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* pmdb_oid_parse -- exactly 2*hash_len hex digits into an id. */
PMDB_EXPORT int
pmdb_oid_parse(pmdb_oid *out, const char *hex, size_t hexlen,
	       pmdb_hash_algo algo)
{
	size_t n = pmdb_hash_len(algo);
	pmdb_oid tmp;

	pmdb__clearerr(); /* no stale detail after this call */
	if (!n || !hex || hexlen != 2 * n)
		return pmdb__seterr(PMDB_EINVAL, "not a %s id: '%.*s'",
				    n ? pmdb_hash_name(algo) : "?",
				    hex ? (int)(hexlen > 80 ? 80 : hexlen) : 0,
				    hex ? hex : "");
	memset(&tmp, 0, sizeof(tmp));
	for (size_t i = 0; i < n; i++) {
		int hi = pmdb_oid__hexval((unsigned char)hex[2 * i]);
		int lo = pmdb_oid__hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return pmdb__seterr(PMDB_EINVAL,
					    "not a hex id: '%.*s'", (int)hexlen,
					    hex);
		tmp.id[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = tmp;
	return 0;
}

/* pmdb_oid_is_zero -- 1 if every byte is zero. */
PMDB_EXPORT int
pmdb_oid_is_zero(const pmdb_oid *oid)
{
	for (size_t i = 0; i < PMDB_OID_MAXLEN; i++)
		if (oid->id[i])
			return 0;
	return 1;
}
