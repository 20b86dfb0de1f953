/*
 * cmd_stats.c -- pmvcs stats: object counts by type, bytes stored against
 * raw bytes, index load, refs and pool space (pmdb_env_stat), as a table
 * or with --json as one JSON object, and the file I/O backend a command
 * would get here (a ring is opened and closed to find out).
 */
#include <string.h>

#include "file_io.h"
#include "cmd.h"

static const char *const stats_usage[] = { "pmvcs stats [--json]", NULL };

/* ratio -- stored / raw, 0 when nothing is stored. */
static double
ratio(uint64_t stored, uint64_t raw)
{
	return raw ? (double)stored / (double)raw : 0.0;
}

/* cmd_stats -- entry point. */
int
cmd_stats(pmvcs_ctx *ctx)
{
	static const char *const names[5] = { "", "commits", "trees", "blobs", "tags" };
	pmdb_stat st;
	vcs_repo *repo;
	uint64_t nobj = 0, raw = 0;
	const char *iomode = pmvcs_getenv(ctx, "PMVCS_IO");
	char why[128], io_desc[200];
	int json = 0, rc, uring;
	const pmvcs_option opts[] = {
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT_END()
	};

	if ((rc = pmvcs_parse(ctx, opts, stats_usage, 0)) < 0)
		return PMVCS_EXIT_USAGE;
	if (rc)
		return pmvcs_usage(ctx, stats_usage, opts);
	if (!(repo = pmvcs_open_repo(ctx)))
		return PMVCS_EXIT_FATAL;
	rc = pmdb_env_stat(repo->env, &st);
	if (rc) {
		rc = pmvcs_report(ctx, vcs_seterr_pmdb(rc, "reading pool counters"),
				  NULL, 0);
		vcs_repo_free(repo);
		return rc;
	}
	if (iomode && !strcmp(iomode, "sync")) {
		uring = 0;
		snprintf(why, sizeof(why), "PMVCS_IO=sync");
	} else {
		uring = vcs_file_io_probe(why, sizeof(why));
	}
	if (uring)
		snprintf(io_desc, sizeof(io_desc), "io_uring");
	else
		snprintf(io_desc, sizeof(io_desc), "pread/pwrite fallback (%s)", why);
	for (int t = 1; t <= 4; t++) {
		nobj += st.objects[t];
		raw += st.raw_bytes[t];
	}
	if (json) {
		fprintf(ctx->out, "{\"object_format\":\"%s\",\"objects\":{",
			pmdb_hash_name(repo->algo));
		for (int t = 1; t <= 4; t++)
			fprintf(ctx->out, "%s\"%s\":%llu", t > 1 ? "," : "", names[t],
				(unsigned long long)st.objects[t]);
		fprintf(ctx->out, ",\"total\":%llu},\"raw_bytes\":{",
			(unsigned long long)nobj);
		for (int t = 1; t <= 4; t++)
			fprintf(ctx->out, "%s\"%s\":%llu", t > 1 ? "," : "", names[t],
				(unsigned long long)st.raw_bytes[t]);
		fprintf(ctx->out, ",\"total\":%llu},\"stored_bytes\":%llu,"
			"\"ratio\":%.4f,\"compressed\":%llu,\"extents\":%llu,"
			"\"extent_bytes\":%llu,\"index_slots\":%llu,"
			"\"index_used\":%llu,\"index_load\":%.4f,\"refs\":%llu,"
			"\"pool_bytes\":%llu,\"pool_holes\":%llu,"
			"\"pool_free\":%llu,\"is_pmem\":%s,"
			"\"txn_seq\":%llu,\"recovered_records\":%llu,",
			(unsigned long long)raw, (unsigned long long)st.stored_bytes,
			ratio(st.stored_bytes, raw), (unsigned long long)st.compressed,
			(unsigned long long)st.extents,
			(unsigned long long)st.extent_bytes,
			(unsigned long long)st.index_slots,
			(unsigned long long)st.index_used,
			ratio(st.index_used, st.index_slots),
			(unsigned long long)st.refs, (unsigned long long)st.pool_bytes,
			(unsigned long long)st.pool_holes,
			(unsigned long long)st.pool_free, st.is_pmem ? "true" : "false",
			(unsigned long long)st.txn_seq,
			(unsigned long long)st.recovered_records);
		/* why holds strerror text and fixed words: no JSON escapes */
		fprintf(ctx->out, "\"file_io\":{\"backend\":\"%s\","
			"\"fallback_reason\":%s%s%s}}\n",
			uring ? "io_uring" : "pread/pwrite",
			uring ? "" : "\"", uring ? "null" : why, uring ? "" : "\"");
	} else {
		fprintf(ctx->out, "object format     %s\n", pmdb_hash_name(repo->algo));
		fprintf(ctx->out, "%-17s %12s %16s\n", "objects", "count", "raw bytes");
		for (int t = 1; t <= 4; t++)
			fprintf(ctx->out, "  %-15s %12llu %16llu\n", names[t],
				(unsigned long long)st.objects[t],
				(unsigned long long)st.raw_bytes[t]);
		fprintf(ctx->out, "  %-15s %12llu %16llu\n", "total",
			(unsigned long long)nobj, (unsigned long long)raw);
		fprintf(ctx->out, "stored bytes      %llu (%.1f%% of raw)\n",
			(unsigned long long)st.stored_bytes,
			100.0 * ratio(st.stored_bytes, raw));
		fprintf(ctx->out, "compressed        %llu objects\n",
			(unsigned long long)st.compressed);
		fprintf(ctx->out, "extents           %llu (%llu bytes)\n",
			(unsigned long long)st.extents,
			(unsigned long long)st.extent_bytes);
		fprintf(ctx->out, "index             %llu of %llu slots used (load %.2f)\n",
			(unsigned long long)st.index_used,
			(unsigned long long)st.index_slots,
			ratio(st.index_used, st.index_slots));
		fprintf(ctx->out, "refs              %llu\n", (unsigned long long)st.refs);
		/* on disk: allocated blocks (du); the parts are longer by
		 * the holes the pool gave back (unused extent tails, free
		 * heap space), and "free" is heap space, holes included */
		fprintf(ctx->out, "pool files        %llu bytes on disk (%llu more "
			"returned to the file system), %llu free in the heap\n",
			(unsigned long long)st.pool_bytes,
			(unsigned long long)st.pool_holes,
			(unsigned long long)st.pool_free);
		fprintf(ctx->out, "persistence       %s\n",
			st.is_pmem ? "pmem (cache-line flushes)" : "msync");
		fprintf(ctx->out, "last transaction  %llu\n",
			(unsigned long long)st.txn_seq);
		fprintf(ctx->out, "file I/O: %s\n", io_desc);
	}
	vcs_repo_free(repo);
	return 0;
}
