#!/usr/bin/env bash
# combine.sh RESULTS.md... -- one table from several bench/run.sh results:
# per row, the median over the files of the reference value, the pmvcs
# value and the ratio, the range of the ratio (min-max: the noise between
# invocations), and in how many files the target was met.
# Values are the leading number of each cell (times normalized to seconds
# and printed back in s/ms); cells that are not numbers (FAILED) count as
# missing and are reported.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: combine.sh RESULTS.md..." >&2; exit 2; }
awk -v nfiles=$# '
function num(cell,    a, v, u) {
	# leading number and its unit; s/ms/us to seconds
	if (match(cell, /^[ ]*[0-9.]+/) == 0)
		return "";
	v = substr(cell, RSTART, RLENGTH) + 0;
	u = substr(cell, RSTART + RLENGTH);
	sub(/^ /, "", u);
	split(u, a, /[ ,]/);
	if (a[1] == "ms") v /= 1000;
	else if (a[1] == "us") v /= 1e6;
	return v;
}
function unit(cell,    a, u) {
	if (match(cell, /^[ ]*[0-9.]+/) == 0)
		return "";
	u = substr(cell, RSTART + RLENGTH);
	sub(/^ /, "", u);
	split(u, a, /[ ,(]/);
	if (a[1] == "ms" || a[1] == "us") return "s";
	if (a[1] == "/") return "ns";   # "p50 / p99 ns": the p50
	return a[1];
}
function fmt(v, u) {
	if (v == "") return "-";
	if (u == "s") {
		if (v >= 1) return sprintf("%.2f s", v);
		if (v >= 0.001) return sprintf("%.1f ms", v * 1000);
		return sprintf("%.0f us", v * 1e6);
	}
	return sprintf("%.4g %s", v, u);
}
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ");
	if (n == 0) return "";
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t; }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
}
function minmax(list,    a, n, i, lo, hi) {
	n = split(list, a, " ");
	if (n == 0) return "";
	lo = hi = a[1] + 0;
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo) lo = a[i] + 0;
		if (a[i] + 0 > hi) hi = a[i] + 0;
	}
	return sprintf("%.3g-%.3g", lo, hi);
}
/^\| / && !/^\| path/ && !/^\| ---/ {
	n = split($0, c, / \| /);
	sub(/^\| /, "", c[1]);
	sub(/ \|$/, "", c[n]);
	key = c[1];
	if (!(key in seen)) { seen[key] = 1; order[++nrows] = key; }
	refname[key] = c[2]; target[key] = c[6];
	r = num(c[3]); if (r != "") { rv[key] = rv[key] " " r; ru[key] = unit(c[3]); }
	p = num(c[4]); if (p != "") { pv[key] = pv[key] " " p; pu[key] = unit(c[4]); }
	else if (c[4] ~ /FAILED/) failed[key]++;
	x = c[5]; pct = (x ~ /%$/); gsub(/[x%]/, "", x);
	if (x ~ /^[0-9.]+$/) { xv[key] = xv[key] " " x; xpct[key] = pct; }
	if (c[7] ~ /^yes/) met[key]++;
	else if (c[7] ~ /^(no|FAILED)/) judged[key]++;
}
END {
	print "| path | reference | reference (median) | pmvcs / pmdb (median) | ratio: median (min-max) | target | met in |";
	print "| --- | --- | --- | --- | --- | --- | --- |";
	for (i = 1; i <= nrows; i++) {
		k = order[i];
		m = median(xv[k]);
		ratio = (m == "") ? "-" : sprintf("%.3g%s (%s)", m, xpct[k] ? "%" : "x", minmax(xv[k]));
		pm = fmt(median(pv[k]), pu[k]);
		if (failed[k]) pm = pm " [FAILED in " failed[k] "]";
		total = met[k] + judged[k];
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", k, refname[k],
			fmt(median(rv[k]), ru[k]), pm, ratio, target[k],
			total ? sprintf("%d/%d", met[k], total) : "-";
	}
	printf "\nCombined from %d results files.\n", nfiles;
}' "$@"
