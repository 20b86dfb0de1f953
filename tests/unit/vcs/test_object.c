/*
 * test_object.c -- commit/tree/tag encodings against real git.
 */
#define _GNU_SOURCE
#include "vcstest.h"
#include "revwalk.h"

static const pmdb_hash_algo algos[] = { PMDB_HASH_SHA1, PMDB_HASH_SHA256 };

/* hash_str -- git id of s as an object of type */
static pmdb_oid
hash_str(pmdb_hash_algo algo, pmdb_otype type, const vcs_str *s)
{
	pmdb_oid o;

	assert_int_equal(pmdb_hash_object(&o, algo, type,
					  s->data ? (void *)s->data : "",
					  s->len), 0);
	return o;
}

/* blob_id -- git hash-object of text in repo */
static pmdb_oid
blob_id(const char *repo, pmdb_hash_algo algo, const char *text)
{
	char hex[100];

	assert_int_equal(sh_out(hex, sizeof(hex), "printf '%s' | git -C '%s' "
				"hash-object -w --stdin", text, repo), 0);
	return oid_from(hex, algo);
}

/* test_vcs_tree_format_matches_git -- git's order ("a.b" < "a-"... <
 * "a/" < "a0") and octal modes give mktree's id, both formats */
static void
test_vcs_tree_format_matches_git(void **state)
{
	for (size_t a = 0; a < 2; a++) {
		pmdb_hash_algo algo = algos[a];
		char *repo = git_repo(algo);
		char hex[100], hb[100], ht[100], cmd[4096];
		pmdb_oid blob = blob_id(repo, algo, "hello\n");
		pmdb_oid sub;
		vcs_str s = VCS_STR_INIT, s2 = VCS_STR_INIT;
		vcs_tree parsed;

		/* a subtree holding one file, made by git */
		assert_int_equal(sh_out(hex, sizeof(hex), "printf '100644 blob "
					"%s\\tf\\n' | git -C '%s' mktree",
					hex_of(hb, &blob, algo), repo), 0);
		sub = oid_from(hex, algo);
		hex_of(ht, &sub, algo);
		/* entries deliberately out of order */
		vcs_tree_entry e[] = {
			{ VCS_MODE_TREE, "a", 1, sub },
			{ VCS_MODE_BLOB, "a0", 2, blob },
			{ VCS_MODE_EXEC, "a.b", 3, blob },
			{ VCS_MODE_LINK, "a-", 2, blob },
			{ VCS_MODE_TREE, "ab", 2, sub },
			{ VCS_MODE_BLOB, "a=", 2, blob },
			{ VCS_MODE_BLOB, "Z", 1, blob },
		};
		const char *order[] = { "Z", "a-", "a.b", "a", "a0", "a=", "ab" };
		size_t n = sizeof(e) / sizeof(e[0]);

		snprintf(cmd, sizeof(cmd), "printf '"
			 "040000 tree %s\\ta\\n100644 blob %s\\ta0\\n"
			 "100755 blob %s\\ta.b\\n120000 blob %s\\ta-\\n"
			 "040000 tree %s\\tab\\n100644 blob %s\\ta=\\n"
			 "100644 blob %s\\tZ\\n' | git -C '%s' mktree",
			 ht, hb, hb, hb, ht, hb, hb, repo);
		assert_int_equal(sh_out(hex, sizeof(hex), "%s", cmd), 0);
		assert_int_equal(vcs_tree_format(&s, e, n, algo), 0);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(e[i].name, order[i]);
		/* trees are written "40000", not "040000" */
		assert_non_null(memmem(s.data, s.len, "40000 a\0", 8));
		assert_null(memmem(s.data, s.len, "040000", 6));
		pmdb_oid mine = hash_str(algo, PMDB_OBJ_TREE, &s);
		assert_string_equal(hex_of(hb, &mine, algo), hex);

		/* parse back and re-encode: same bytes */
		assert_int_equal(vcs_tree_parse(&parsed, s.data, s.len, algo), 0);
		assert_int_equal(parsed.n, n);
		assert_int_equal(parsed.entries[3].mode, VCS_MODE_TREE);
		assert_string_equal(parsed.entries[3].name, "a");
		assert_int_equal(vcs_tree_format(&s2, parsed.entries, parsed.n,
						 algo), 0);
		assert_int_equal(s2.len, s.len);
		assert_memory_equal(s2.data, s.data, s.len);
		vcs_tree_clear(&parsed);
		vcs_str_free(&s);
		vcs_str_free(&s2);
		test_rmtree(repo);
	}
}

/* test_vcs_tree_entry_cmp_order -- the '/' rule, directly */
static void
test_vcs_tree_entry_cmp_order(void **state)
{
	assert_true(vcs_tree_entry_cmp("a.b", 3, VCS_MODE_BLOB,
				       "a", 1, VCS_MODE_TREE) < 0);
	assert_true(vcs_tree_entry_cmp("a", 1, VCS_MODE_TREE,
				       "a0", 2, VCS_MODE_BLOB) < 0);
	assert_true(vcs_tree_entry_cmp("a", 1, VCS_MODE_BLOB,
				       "a-", 2, VCS_MODE_BLOB) < 0);
	assert_true(vcs_tree_entry_cmp("a", 1, VCS_MODE_BLOB,
				       "a", 1, VCS_MODE_TREE) < 0);
	assert_int_equal(vcs_tree_entry_cmp("x", 1, VCS_MODE_EXEC,
					    "x", 1, VCS_MODE_BLOB), 0);
	/* bytes compare unsigned: 0xc3 sorts after 'z' */
	assert_true(vcs_tree_entry_cmp("z", 1, VCS_MODE_BLOB,
				       "\xc3\xa9", 2, VCS_MODE_BLOB) < 0);
}

/* test_vcs_commit_format_matches_git -- commit-tree with 0, 1, 2
 * parents, an encoding header and a message without final newline */
static void
test_vcs_commit_format_matches_git(void **state)
{
	for (size_t a = 0; a < 2; a++) {
		pmdb_hash_algo algo = algos[a];
		char *repo = git_repo(algo);
		char hex[100], c1hex[100], c2hex[100], mhex[100], thex[100];
		vcs_str s = VCS_STR_INIT, raw = VCS_STR_INIT;
		pmdb_oid parents[2];
		vcs_commit c, back;

		assert_int_equal(sh_out(thex, sizeof(thex), "git -C '%s' mktree "
					"</dev/null", repo), 0);
		assert_int_equal(sh_out(c1hex, sizeof(c1hex), "printf 'first\\n' | "
					GIT_ENV "git -C '%s' commit-tree %s",
					repo, thex), 0);
		assert_int_equal(sh_out(c2hex, sizeof(c2hex), "printf 'second' | "
					GIT_ENV "git -C '%s' commit-tree %s -p %s",
					repo, thex, c1hex), 0);
		assert_int_equal(sh_out(mhex, sizeof(mhex), "printf 'merge\\n\\n"
					"body' | " GIT_ENV "git -C '%s' -c "
					"i18n.commitEncoding=ISO-8859-1 "
					"commit-tree %s -p %s -p %s", repo, thex,
					c2hex, c1hex), 0);

		memset(&c, 0, sizeof(c));
		c.tree = oid_from(thex, algo);
		parents[0] = oid_from(c2hex, algo);
		parents[1] = oid_from(c1hex, algo);
		c.parents = parents;
		c.nparents = 2;
		c.author = TEST_AUTHOR;
		c.committer = TEST_COMMITTER;
		c.encoding = "ISO-8859-1";
		c.message = "merge\n\nbody";
		c.message_len = strlen(c.message);
		assert_int_equal(vcs_commit_format(&s, &c, algo), 0);
		pmdb_oid id = hash_str(algo, PMDB_OBJ_COMMIT, &s);
		assert_string_equal(hex_of(hex, &id, algo), mhex);

		/* one parent, message without final newline */
		vcs_str_reset(&s);
		c.nparents = 1;
		parents[0] = oid_from(c1hex, algo);
		c.encoding = NULL;
		c.message = "second";
		c.message_len = 6;
		assert_int_equal(vcs_commit_format(&s, &c, algo), 0);
		id = hash_str(algo, PMDB_OBJ_COMMIT, &s);
		assert_string_equal(hex_of(hex, &id, algo), c2hex);

		/* parse what git wrote and format it back */
		assert_int_equal(vcs_commit_parse(&back, s.data, s.len, algo), 0);
		assert_int_equal(back.nparents, 1);
		assert_memory_equal(&back.parents[0], &parents[0], sizeof(pmdb_oid));
		assert_string_equal(back.author, TEST_AUTHOR);
		assert_string_equal(back.committer, TEST_COMMITTER);
		assert_null(back.encoding);
		assert_null(back.extra);
		assert_int_equal(back.message_len, 6);
		assert_int_equal(vcs_commit_format(&raw, &back, algo), 0);
		assert_int_equal(raw.len, s.len);
		assert_memory_equal(raw.data, s.data, s.len);
		vcs_commit_clear(&back);
		vcs_str_free(&s);
		vcs_str_free(&raw);
		test_rmtree(repo);
	}
}

static const char signed_commit[] =
	"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	"parent 3a1fa6e2f6b5e4d8f1d3b9e5a7c6d4e2f1a0b9c8\n"
	"author A U Thor <author@example.com> 1112911993 +0200\n"
	"committer C O Mitter <committer@example.com> 1112912053 -0130\n"
	"encoding ISO-8859-1\n"
	"mergetag object 3a1fa6e2f6b5e4d8f1d3b9e5a7c6d4e2f1a0b9c8\n"
	" type commit\n"
	" tag v1\n"
	" \n"
	" signed tag\n"
	"gpgsig -----BEGIN PGP SIGNATURE-----\n"
	" \n"
	" iQEzBAABCAAdFiEE\n"
	" -----END PGP SIGNATURE-----\n"
	"x-custom value\n"
	"\n"
	"subject\n\nbody without newline";

/* test_vcs_commit_roundtrip_extra_headers -- encoding, mergetag, gpgsig
 * continuation lines and unknown headers survive parse+format */
static void
test_vcs_commit_roundtrip_extra_headers(void **state)
{
	size_t len = sizeof(signed_commit) - 1;
	vcs_str s = VCS_STR_INIT;
	vcs_commit c;

	assert_int_equal(vcs_commit_parse(&c, signed_commit, len,
					  PMDB_HASH_SHA1), 0);
	assert_int_equal(c.nparents, 1);
	assert_string_equal(c.encoding, "ISO-8859-1");
	assert_non_null(c.extra);
	assert_true(strncmp(c.extra, "mergetag object", 15) == 0);
	assert_non_null(strstr(c.extra, " -----END PGP SIGNATURE-----\n"
			       "x-custom value\n"));
	assert_int_equal(c.message_len, strlen("subject\n\nbody without newline"));
	assert_int_equal(vcs_commit_format(&s, &c, PMDB_HASH_SHA1), 0);
	assert_int_equal(s.len, len);
	assert_memory_equal(s.data, signed_commit, len);
	vcs_commit_clear(&c);

	/* empty message; encoding after another header stays in place */
	static const char odd[] =
		"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
		"author A <a> 1 +0000\n"
		"committer A <a> 1 +0000\n"
		"x-first 1\n"
		"encoding UTF-16\n"
		"\n";
	vcs_str_reset(&s);
	assert_int_equal(vcs_commit_parse(&c, odd, sizeof(odd) - 1,
					  PMDB_HASH_SHA1), 0);
	assert_null(c.encoding);
	assert_int_equal(c.nparents, 0);
	assert_int_equal(c.message_len, 0);
	assert_int_equal(vcs_commit_format(&s, &c, PMDB_HASH_SHA1), 0);
	assert_int_equal(s.len, sizeof(odd) - 1);
	assert_memory_equal(s.data, odd, s.len);
	vcs_commit_clear(&c);
	vcs_str_free(&s);
}

/* test_vcs_tag_matches_git -- git mktag accepts our tag with the same
 * id; a tag without tagger round-trips */
static void
test_vcs_tag_matches_git(void **state)
{
	for (size_t a = 0; a < 2; a++) {
		pmdb_hash_algo algo = algos[a];
		char *repo = git_repo(algo);
		char thex[100], chex[100], hex[100], path[4200];
		vcs_str s = VCS_STR_INIT, s2 = VCS_STR_INIT;
		vcs_tag t, back;
		FILE *f;

		assert_int_equal(sh_out(thex, sizeof(thex), "git -C '%s' mktree "
					"</dev/null", repo), 0);
		assert_int_equal(sh_out(chex, sizeof(chex), "printf 'c\\n' | "
					GIT_ENV "git -C '%s' commit-tree %s",
					repo, thex), 0);
		memset(&t, 0, sizeof(t));
		t.object = oid_from(chex, algo);
		t.type = PMDB_OBJ_COMMIT;
		t.tag = "v1.0";
		t.tagger = TEST_COMMITTER;
		t.message = "release 1.0\n";
		t.message_len = strlen(t.message);
		assert_int_equal(vcs_tag_format(&s, &t, algo), 0);
		snprintf(path, sizeof(path), "%s/tag.txt", repo);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(s.data, 1, s.len, f), s.len);
		fclose(f);
		assert_int_equal(sh_out(hex, sizeof(hex), "git -C '%s' mktag "
					"<'%s'", repo, path), 0);
		pmdb_oid id = hash_str(algo, PMDB_OBJ_TAG, &s);
		assert_string_equal(hex_of(thex, &id, algo), hex);

		assert_int_equal(vcs_tag_parse(&back, s.data, s.len, algo), 0);
		assert_int_equal(back.type, PMDB_OBJ_COMMIT);
		assert_string_equal(back.tag, "v1.0");
		assert_string_equal(back.tagger, TEST_COMMITTER);
		assert_memory_equal(&back.object, &t.object, sizeof(pmdb_oid));
		vcs_tag_clear(&back);

		/* no tagger, empty message */
		vcs_str_reset(&s);
		t.tagger = NULL;
		t.message = NULL;
		t.message_len = 0;
		assert_int_equal(vcs_tag_format(&s, &t, algo), 0);
		assert_int_equal(vcs_tag_parse(&back, s.data, s.len, algo), 0);
		assert_null(back.tagger);
		assert_int_equal(back.message_len, 0);
		assert_int_equal(vcs_tag_format(&s2, &back, algo), 0);
		assert_int_equal(s2.len, s.len);
		assert_memory_equal(s2.data, s.data, s.len);
		vcs_tag_clear(&back);
		vcs_str_free(&s);
		vcs_str_free(&s2);
		test_rmtree(repo);
	}
}

/* parse_any -- parse data (in an exact-size heap copy, so that ASan sees
 * any overread) as commit, tree or tag */
static int
parse_any(int kind, const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, data, len);
	if (kind == 0) {
		vcs_commit c;

		err = vcs_commit_parse(&c, copy, len, PMDB_HASH_SHA1);
		if (!err)
			vcs_commit_clear(&c);
	} else if (kind == 1) {
		vcs_tree t;

		err = vcs_tree_parse(&t, copy, len, PMDB_HASH_SHA1);
		if (!err)
			vcs_tree_clear(&t);
	} else {
		vcs_tag t;

		err = vcs_tag_parse(&t, copy, len, PMDB_HASH_SHA1);
		if (!err)
			vcs_tag_clear(&t);
	}
	free(copy);
	return err;
}

#define H40 "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#define RAW20 "01234567890123456789"

/* test_vcs_object_malformed_rejected -- bad input is PMDB_ECORRUPT and
 * no prefix of a valid object reads out of bounds */
static void
test_vcs_object_malformed_rejected(void **state)
{
	static const struct { int kind; const char *data; size_t len; } bad[] = {
#define B(k, s) { k, s, sizeof(s) - 1 }
		B(0, ""),
		B(0, "tree " H40 "\n"),
		B(0, "tree " H40 "\nauthor A <a> 1 +0000\n\n"),
		B(0, "tree 4B825DC642CB6EB9A060E54BF8D69288FBEE4904\n"
		     "author A <a> 1 +0000\ncommitter A <a> 1 +0000\n\n"),
		B(0, "tree " H40 "x\nauthor A <a> 1 +0000\n"
		     "committer A <a> 1 +0000\n\n"),
		B(0, "tree " H40 "\nparent 123\nauthor A <a> 1 +0000\n"
		     "committer A <a> 1 +0000\n\n"),
		B(0, "tree " H40 "\nauthor A <a> 1 +0000\n"
		     "committer A <a> 1 +0000\nx-header"),
		B(0, "tree " H40 "\nauthor A\0 <a> 1 +0000\n"
		     "committer A <a> 1 +0000\n\n"),
		B(1, "100644 a"),
		B(1, "100644 a\0" "0123"),
		B(1, "0100644 a\0" RAW20),
		B(1, "100644 \0" RAW20),
		B(1, "100644 a/b\0" RAW20),
		B(1, "100644a\0" RAW20),
		B(1, "100644 b\0" RAW20 "100644 a\0" RAW20),
		B(1, "100644 a\0" RAW20 "100644 a\0" RAW20),
		B(1, "99 a\0" RAW20),
		B(2, "object " H40 "\ntype blub\ntag x\n\n"),
		B(2, "object " H40 "\ntype commit\n\n"),
		B(2, "object " H40 "\ntype commit\ntag x\n"),
		B(2, "type commit\ntag x\n\n"),
#undef B
	};
	static const char *good[] = {
		"tree " H40 "\nparent " H40 "\nauthor A <a> 1 +0000\n"
		"committer A <a> 1 +0000\nencoding x\ngpgsig a\n b\n\nmsg",
		"100644 a\0" RAW20 "40000 a\0" RAW20 "100644 a0\0" RAW20,
		"object " H40 "\ntype tree\ntag x\ntagger T <t> 1 +0000\n\nm",
	};
	static const size_t good_len[] = { 0, 87, 0 };
	/* git reads (and its fast-import writes) dot names; only checkout
	 * refuses them (vcs/path_check.c) */
	static const char dots[] = "100644 .\0" RAW20 "100644 ..\0" RAW20;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse_any(bad[i].kind, bad[i].data, bad[i].len);

		if (err != PMDB_ECORRUPT)
			fail_msg("bad[%zu] gave %d, not ECORRUPT", i, err);
	}
	assert_int_equal(parse_any(1, dots, sizeof(dots) - 1), 0);
	for (int k = 0; k < 3; k++) {
		size_t len = good_len[k] ? good_len[k] : strlen(good[k]);

		assert_int_equal(parse_any(k, good[k], len), 0);
		/* every prefix: no crash; a commit or tag needs the blank
		 * line, a tree needs whole entries */
		for (size_t l = 0; l < len; l++) {
			int err = parse_any(k, good[k], l);

			assert_true(err == 0 || err == PMDB_ECORRUPT);
			if (k == 1)
				assert_int_equal(err == 0, l == 0 || l == 29 ||
						 l == 57);
			else
				assert_int_equal(err == 0,
						 l >= (size_t)(strstr(good[k], "\n\n")
							       - good[k]) + 2);
		}
	}
}

/* test_vcs_commit_scan_agrees_with_parse -- the in-place scan used by
 * log accepts exactly what vcs_commit_parse accepts (every prefix of
 * commits with 0, 1 and 2 parents, extra headers, odd dates) and points
 * at the same parents, committer date and message */
static void
test_vcs_commit_scan_agrees_with_parse(void **state)
{
	static const char *commits[] = {
		"tree " H40 "\nauthor A <a> 1 +0000\n"
		"committer C <c> 1700000100 -0230\n\nroot\n",
		"tree " H40 "\nparent " H40 "\nparent 0123456789abcdef0123456789"
		"abcdef01234567\nauthor A <a> 1 +0000\ncommitter C <c> "
		"1234567890 +0100\nencoding x\ngpgsig a\n b\n\n\n  \nsub\nject "
		"\n\nbody\n",
		"tree " H40 "\nparent " H40 "\nauthor A <a> 5 +0000\n"
		"committer C <c>   -42 +0000\n\n",
		"tree " H40 "\nauthor A <a> 5 +0000\ncommitter no date\n\nm",
		"tree " H40 "\nauthor A <a> 5 +0000\ncommitter C <c> 7\0 +0000\n\n",
		"tree " H40 "\nparent " H40 "x\nauthor A <a> 5 +0000\n"
		"committer C <c> 7 +0000\n\n",
	};
	static const size_t lens[] = { 0, 0, 0, 0, 93, 0 };
	static const long long dates[] = { 1700000100, 1234567890, -42, 0 };
	vcs_str sub = VCS_STR_INIT;

	(void)state;
	for (size_t k = 0; k < sizeof(commits) / sizeof(commits[0]); k++) {
		size_t n = lens[k] ? lens[k] : strlen(commits[k]);

		for (size_t l = 0; l <= n; l++) {
			vcs_commit c;
			vcs_commit_hdr h;
			int pe = vcs_commit_parse(&c, commits[k], l, PMDB_HASH_SHA1);
			int se = vcs_commit_scan(&h, commits[k], l, PMDB_HASH_SHA1);

			if (pe != se)
				fail_msg("commit %zu, %zu bytes: parse %d, scan %d",
					 k, l, pe, se);
			if (pe)
				continue;
			assert_int_equal(h.nparents, c.nparents);
			for (size_t i = 0; i < c.nparents; i++) {
				pmdb_oid p;

				vcs_commit_hdr_parent(&h, i, 20, &p);
				assert_memory_equal(&p, &c.parents[i], sizeof(p));
			}
			assert_int_equal(h.message_len, c.message_len);
			assert_memory_equal(h.message, c.message, c.message_len);
			if (l == n && k < 4)
				assert_true(h.date == dates[k]);
			vcs_commit_clear(&c);
		}
	}
	/* git's %s: leading blank lines skipped, the first paragraph's
	 * lines joined by one space, trailing blanks dropped */
	assert_int_equal(vcs_subject_append(&sub, "\n  \nsub\nject \t\n\nbody\n",
					    21), 0);
	assert_string_equal((char *)sub.data, "sub ject");
	vcs_str_reset(&sub);
	assert_int_equal(vcs_subject_append(&sub, "one line", 8), 0);
	assert_string_equal((char *)sub.data, "one line");
	vcs_str_free(&sub);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_vcs_tree_format_matches_git),
	cmocka_unit_test(test_vcs_tree_entry_cmp_order),
	cmocka_unit_test(test_vcs_commit_format_matches_git),
	cmocka_unit_test(test_vcs_commit_roundtrip_extra_headers),
	cmocka_unit_test(test_vcs_tag_matches_git),
	cmocka_unit_test(test_vcs_object_malformed_rejected),
	cmocka_unit_test(test_vcs_commit_scan_agrees_with_parse),
};

PMDB_TEST_MAIN(tests)
