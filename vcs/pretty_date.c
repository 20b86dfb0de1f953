/*
 * pretty_date.c -- dates as git log prints them (--date=<mode>, %ad %ai
 * %aI %as %aD %ar %at): git's date.c show_date() for the modes that have
 * meaning here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pretty.h"

static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
				  "Sat" };
static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

int
vcs_date_parse(vcs_date *d, const char *arg)
{
	static const struct { const char *name; vcs_date_mode mode; } m[] = {
		{ "relative", VCS_DATE_RELATIVE }, { "iso8601-strict",
		VCS_DATE_ISO_STRICT }, { "iso-strict", VCS_DATE_ISO_STRICT },
		{ "iso8601", VCS_DATE_ISO }, { "iso", VCS_DATE_ISO },
		{ "rfc2822", VCS_DATE_RFC }, { "rfc", VCS_DATE_RFC },
		{ "short", VCS_DATE_SHORT }, { "raw", VCS_DATE_RAW },
		{ "unix", VCS_DATE_UNIX }, { "default", VCS_DATE_DEFAULT },
	};
	size_t n = strlen(arg);

	d->local = 0;
	d->strftime = NULL;
	if (!strncmp(arg, "format:", 7) || !strncmp(arg, "format-local:", 13)) {
		d->mode = VCS_DATE_STRFTIME;
		d->local = arg[6] != ':';
		d->strftime = arg + (d->local ? 13 : 7);
		return 0;
	}
	if (!strcmp(arg, "local")) {
		d->mode = VCS_DATE_DEFAULT;
		d->local = 1;
		return 0;
	}
	/* git's "<mode>-local": the same mode in the local time zone */
	if (n > 6 && !strcmp(arg + n - 6, "-local")) {
		d->local = 1;
		n -= 6;
	}
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].name) == n && !strncmp(arg, m[i].name, n)) {
			d->mode = m[i].mode;
			return 0;
		}
	return PMDB_EINVAL;
}

/* add_relative -- git's show_date_relative(), word for word */
static int
add_relative(vcs_str *out, long long t, long long n)
{
	long long d;

	if (!n)
		n = (long long)time(NULL);

	if (n < t)
		return vcs_str_adds(out, "in the future");
	d = n - t;
	if (d < 90)
		return vcs_str_addf(out, "%lld second%s ago", d, d == 1 ? "" : "s");
	d = (d + 30) / 60;
	if (d < 90)
		return vcs_str_addf(out, "%lld minute%s ago", d, d == 1 ? "" : "s");
	d = (d + 30) / 60;
	if (d < 36)
		return vcs_str_addf(out, "%lld hour%s ago", d, d == 1 ? "" : "s");
	d = (d + 12) / 24;
	if (d < 14)
		return vcs_str_addf(out, "%lld day%s ago", d, d == 1 ? "" : "s");
	if (d < 70) {
		long long w = (d + 3) / 7;
		return vcs_str_addf(out, "%lld week%s ago", w, w == 1 ? "" : "s");
	}
	if (d < 365) {
		long long m = (d + 15) / 30;
		return vcs_str_addf(out, "%lld month%s ago", m, m == 1 ? "" : "s");
	}
	if (d < 1825) {
		long long tm = (d * 12 * 2 + 365) / (365 * 2);
		long long y = tm / 12, m = tm % 12;
		if (m)
			return vcs_str_addf(out, "%lld year%s, %lld month%s ago",
					    y, y == 1 ? "" : "s", m,
					    m == 1 ? "" : "s");
		return vcs_str_addf(out, "%lld year%s ago", y, y == 1 ? "" : "s");
	}
	d = (d + 183) / 365;
	return vcs_str_addf(out, "%lld year%s ago", d, d == 1 ? "" : "s");
}

int
vcs_date_format(vcs_str *out, const char *epoch_tz, const vcs_date *d)
{
	char *end;
	long long t = strtoll(epoch_tz, &end, 10);
	long tz = strtol(end, NULL, 10);
	long off = (tz / 100) * 3600 + (tz % 100) * 60;
	vcs_date_mode mode = d ? d->mode : VCS_DATE_DEFAULT;
	int local = d && d->local;
	time_t lt;
	struct tm tm;
	char buf[256];

	if (mode == VCS_DATE_RAW)
		return vcs_str_addf(out, "%lld %+05ld", t, tz);
	if (mode == VCS_DATE_UNIX)
		return vcs_str_addf(out, "%lld", t);
	if (mode == VCS_DATE_RELATIVE)
		return add_relative(out, t, d->now);
	if (local) {
		lt = (time_t)t;
		if (!localtime_r(&lt, &tm))
			return vcs_str_adds(out, epoch_tz);
		off = tm.tm_gmtoff;
		tz = (off / 3600) * 100 + (off % 3600) / 60;
	} else {
		lt = (time_t)(t + off);
		if (!gmtime_r(&lt, &tm))
			return vcs_str_adds(out, epoch_tz);
	}
	switch (mode) {
	case VCS_DATE_ISO:
		return vcs_str_addf(out, "%04d-%02d-%02d %02d:%02d:%02d %+05ld",
				    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				    tm.tm_hour, tm.tm_min, tm.tm_sec, tz);
	case VCS_DATE_ISO_STRICT:
		return vcs_str_addf(out, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
				    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				    tm.tm_hour, tm.tm_min, tm.tm_sec,
				    tz < 0 ? '-' : '+', labs(tz) / 100,
				    labs(tz) % 100);
	case VCS_DATE_RFC:
		return vcs_str_addf(out, "%s, %d %s %d %02d:%02d:%02d %+05ld",
				    wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon],
				    tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
				    tm.tm_sec, tz);
	case VCS_DATE_SHORT:
		return vcs_str_addf(out, "%04d-%02d-%02d", tm.tm_year + 1900,
				    tm.tm_mon + 1, tm.tm_mday);
	case VCS_DATE_STRFTIME:
		if (!*d->strftime)
			return 0;
		buf[0] = 0;
		strftime(buf, sizeof(buf), d->strftime, &tm);
		return vcs_str_adds(out, buf);
	default:
		break;
	}
	/* the default, and "local": the same without the zone */
	int rc = vcs_str_addf(out, "%s %s %d %02d:%02d:%02d %d",
			      wd[tm.tm_wday], mo[tm.tm_mon], tm.tm_mday,
			      tm.tm_hour, tm.tm_min, tm.tm_sec,
			      tm.tm_year + 1900);
	return rc || local ? rc : vcs_str_addf(out, " %+05ld", tz);
}

int
vcs_pretty_date(vcs_str *out, const char *epoch_tz)
{
	return vcs_date_format(out, epoch_tz, NULL);
}
