/*
 * ident.c -- "Name <email> <epoch> <+hhmm>" lines, computed as git's
 * fmt_ident() computes them so that commit ids match git's.
 *
 * The date parser is a port of the part of git's date.c:parse_date_basic()
 * that GIT_*_DATE values use in practice: "@<epoch> <tz>", "<epoch> <tz>",
 * RFC 2822 and ISO 8601. Everything is reentrant: the environment comes
 * from the caller's callback, time zones from localtime_r().
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "vcs.h"

/* ------------------------------------------------------------------ */
/* Dates (after git's date.c)                                          */
/* ------------------------------------------------------------------ */

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const weekday_names[7] = {
	"Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays",
	"Fridays", "Saturdays"
};

/* tm_to_time_t -- git's UTC conversion (valid for 1970-2099), -1 if bad */
static int64_t
tm_to_time_t(const struct tm *tm)
{
	static const int mdays[] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	int year = tm->tm_year - 70;
	int month = tm->tm_mon;
	int day = tm->tm_mday;

	if (year < 0 || year > 129)
		return -1;
	if (month < 0 || month > 11)
		return -1;
	if (month < 2 || (year + 2) % 4)
		day--;
	if (tm->tm_hour < 0 || tm->tm_min < 0 || tm->tm_sec < 0)
		return -1;
	return ((int64_t)year * 365 + (year + 1) / 4 + mdays[month] + day) *
		24 * 60 * 60 + tm->tm_hour * 60 * 60 + tm->tm_min * 60 +
		tm->tm_sec;
}

/* match_string -- git's: length of the case-insensitive common prefix,
 * 0 if the token in date goes on past it */
static int
match_string(const char *date, const char *str)
{
	int i = 0;

	for (i = 0; *date; date++, str++, i++) {
		if (*date == *str)
			continue;
		if (toupper((unsigned char)*date) == toupper((unsigned char)*str))
			continue;
		if (!isalnum((unsigned char)*date))
			break;
		return 0;
	}
	return i;
}

/* match_alpha -- month, weekday, UTC-like zone, AM/PM, ISO 'T' */
static int
match_alpha(const char *date, struct tm *tm, int *offset)
{
	static const char *const utc_names[] = { "UT", "UTC", "GMT", "Z" };
	int i, m;

	for (i = 0; i < 12; i++)
		if ((m = match_string(date, month_names[i])) >= 3) {
			tm->tm_mon = i;
			return m;
		}
	for (i = 0; i < 7; i++)
		if ((m = match_string(date, weekday_names[i])) >= 3) {
			tm->tm_wday = i;
			return m;
		}
	for (i = 0; i < 4; i++) {
		m = match_string(date, utc_names[i]);
		if (m >= 3 || m == (int)strlen(utc_names[i])) {
			*offset = 0;
			return m;
		}
	}
	if (match_string(date, "PM") == 2) {
		tm->tm_hour = (tm->tm_hour % 12) + 12;
		return 2;
	}
	if (match_string(date, "AM") == 2) {
		tm->tm_hour = (tm->tm_hour % 12) + 0;
		return 2;
	}
	if (*date == 'T' && isdigit((unsigned char)date[1]) && tm->tm_hour == -1) {
		tm->tm_min = tm->tm_sec = 0;
		return 1;
	}
	for (i = 0; isalpha((unsigned char)date[i]); i++)
		;
	return i;
}

/* set_date -- git's set_date without the "refuse future" guesses */
static int
set_date(long year, long month, long day, struct tm *tm)
{
	if (month > 0 && month < 13 && day > 0 && day < 32) {
		if (year >= 1970 && year < 2100)
			tm->tm_year = (int)year - 1900;
		else if (year > 70 && year < 100)
			tm->tm_year = (int)year;
		else if (year >= 0 && year < 38)
			tm->tm_year = (int)year + 100;
		else
			return -1;
		tm->tm_mon = (int)month - 1;
		tm->tm_mday = (int)day;
		return 0;
	}
	return -1;
}

/* match_multi_number -- hh:mm[:ss] or a dashed/slashed/dotted date */
static int
match_multi_number(long num, char c, const char *date, char *end,
		   struct tm *tm)
{
	long num2, num3 = -1;

	num2 = strtol(end + 1, &end, 10);
	if (*end == c && isdigit((unsigned char)end[1]))
		num3 = strtol(end + 1, &end, 10);
	if (c == ':') {
		if (num3 < 0)
			num3 = 0;
		if (num < 25 && num2 >= 0 && num2 < 60 && num3 >= 0 &&
		    num3 <= 60) {
			tm->tm_hour = (int)num;
			tm->tm_min = (int)num2;
			tm->tm_sec = (int)num3;
			return (int)(end - date);
		}
		return 0;
	}
	if (num > 70 && (set_date(num, num2, num3, tm) == 0 ||
			 set_date(num, num3, num2, tm) == 0))
		return (int)(end - date);
	if (c != '.' && set_date(num3, num, num2, tm) == 0)
		return (int)(end - date);
	if (set_date(num3, num2, num, tm) == 0)
		return (int)(end - date);
	if (c == '.' && set_date(num3, num, num2, tm) == 0)
		return (int)(end - date);
	return 0;
}

/* match_digit -- a number: epoch, time, date, year, day, month or tz */
static int
match_digit(const char *date, struct tm *tm, int *offset, int *tm_gmt)
{
	char *end;
	long long num = strtoll(date, &end, 10);
	int n;

	/* more than 8 digits and no date yet: seconds since the epoch */
	if (num >= 100000000 && tm->tm_year < 0 && tm->tm_mon < 0 &&
	    tm->tm_mday < 0) {
		time_t t = (time_t)num;

		if (gmtime_r(&t, tm)) {
			*tm_gmt = 1;
			return (int)(end - date);
		}
	}
	switch (*end) {
	case ':': case '.': case '/': case '-':
		if (isdigit((unsigned char)end[1])) {
			int m = match_multi_number((long)num, *end, date, end, tm);

			if (m)
				return m;
		}
	}
	for (n = 1; isdigit((unsigned char)date[n]); n++)
		;
	if (n == 4) {
		if (num <= 1400 && *offset == -1)
			*offset = (int)(num / 100) * 60 + (int)(num % 100);
		else if (num > 1900 && num < 2100)
			tm->tm_year = (int)num - 1900;
		return n;
	}
	if (n > 2)
		return n;
	if (num > 0 && num < 32 && tm->tm_mday < 0) {
		tm->tm_mday = (int)num;
		return n;
	}
	if (n == 2 && tm->tm_year < 0) {
		if (num < 10 && tm->tm_mday >= 0) {
			tm->tm_year = (int)num + 100;
			return n;
		}
		if (num >= 70) {
			tm->tm_year = (int)num;
			return n;
		}
	}
	if (num > 0 && num < 13 && tm->tm_mon < 0)
		tm->tm_mon = (int)num - 1;
	return n;
}

/* match_tz -- "+hhmm", "+hh", "+hh:mm" */
static int
match_tz(const char *date, int *offp)
{
	char *end;
	int hour = (int)strtoul(date + 1, &end, 10);
	int n = (int)(end - (date + 1));
	int min = 0;

	if (n == 4) {
		min = hour % 100;
		hour = hour / 100;
	} else if (n != 2) {
		min = 99;
	} else if (*end == ':') {
		min = (int)strtoul(end + 1, &end, 10);
		if (end - (date + 1) != 5)
			min = 99;
	}
	if (min < 60 && hour < 24) {
		int offset = hour * 60 + min;

		*offp = *date == '-' ? -offset : offset;
	}
	return (int)(end - date);
}

/* header_date -- git's match_object_header_date: "<epoch> <+-hhmm>" */
static int
header_date(const char *date, int64_t *ts, int *offset)
{
	char *end;
	long long stamp;
	long ofs;

	if (*date < '0' || *date > '9')
		return -1;
	stamp = strtoll(date, &end, 10);
	if (*end != ' ' || (end[1] != '+' && end[1] != '-'))
		return -1;
	date = end + 2;
	ofs = strtol(date, &end, 10);
	if ((*end != '\0' && *end != '\n') || end != date + 4)
		return -1;
	ofs = (ofs / 100) * 60 + (ofs % 100);
	*ts = stamp;
	*offset = (int)(date[-1] == '-' ? -ofs : ofs);
	return 0;
}

/* local_offset -- minutes east of UTC of the local zone at time t */
static int
local_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

/* client_offset -- the offset a pmvcs client sent for "now" (served
 * commands run in the server's process, whose zone may differ; see
 * tools/pmvcs/client.c). 1 and *off set, or 0 when absent/invalid. */
static int
client_offset(vcs_getenv_fn fn, void *ctx, int *off)
{
	const char *v = fn ? fn(ctx, "PMVCS_CLIENT_TZOFF") : NULL;
	char *end;
	long m;

	if (!v || !*v)
		return 0;
	errno = 0;
	m = strtol(v, &end, 10);
	if (errno || *end || m < -24 * 60 || m > 24 * 60)
		return 0;
	*off = (int)m;
	return 1;
}

/* parse_date -- git's parse_date_basic for the forms GIT_*_DATE takes */
static int
parse_date(const char *date, int64_t *ts, int *offset)
{
	struct tm tm;
	int tm_gmt = 0;

	if (*date == '@' && !header_date(date + 1, ts, offset))
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = tm.tm_mon = tm.tm_mday = -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = -1;
	*offset = -1;
	while (*date) {
		unsigned char c = (unsigned char)*date;
		int m = 0;

		if (isalpha(c))
			m = match_alpha(date, &tm, offset);
		else if (isdigit(c))
			m = match_digit(date, &tm, offset, &tm_gmt);
		else if ((c == '-' || c == '+') &&
			 isdigit((unsigned char)date[1]))
			m = match_tz(date, offset);
		date += m > 0 ? m : 1;
	}
	*ts = tm_to_time_t(&tm);
	if (*ts == -1)
		return -1;
	if (*offset == -1)
		*offset = local_offset(*ts);
	if (!tm_gmt)
		*ts -= (int64_t)*offset * 60;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names and emails                                                    */
/* ------------------------------------------------------------------ */

/* crud -- characters git strips from the ends of names and emails */
static int
crud(unsigned char c)
{
	return c <= 32 || c == '.' || c == ',' || c == ':' || c == ';' ||
	       c == '<' || c == '>' || c == '"' || c == '\\' || c == '\'';
}

/* add_without_crud -- git's strbuf_addstr_without_crud */
static int
add_without_crud(vcs_str *out, const char *src)
{
	size_t len, i;
	int err;

	while (*src && crud((unsigned char)*src))
		src++;
	len = strlen(src);
	while (len > 0 && crud((unsigned char)src[len - 1]))
		len--;
	if ((err = vcs_str_grow(out, len)))
		return err;
	for (i = 0; i < len; i++)
		if (src[i] != '\n' && src[i] != '<' && src[i] != '>')
			out->data[out->len++] = (uint8_t)src[i];
	out->data[out->len] = '\0';
	return 0;
}

/* lookup -- the command's variable, or NULL when unset */
static const char *
lookup(vcs_getenv_fn fn, void *ctx, const char *role, const char *what)
{
	char name[64];

	if (!fn)
		return NULL;
	snprintf(name, sizeof(name), "GIT_%s_%s", role, what);
	return fn(ctx, name);
}

/* default_name -- git's copy_gecos: gecos up to ',', '&' = Login */
static int
default_name(vcs_str *out, const struct passwd *pw)
{
	const char *src = pw->pw_gecos ? pw->pw_gecos : "";
	int err = 0;

	for (; *src && *src != ',' && !err; src++) {
		if (*src != '&') {
			err = vcs_str_add(out, src, 1);
		} else if (pw->pw_name[0]) {
			char up = (char)toupper((unsigned char)pw->pw_name[0]);

			err = vcs_str_add(out, &up, 1);
			err = err ? err : vcs_str_adds(out, pw->pw_name + 1);
		}
	}
	return err;
}

/* default_email -- git's copy_email: login@(/etc/mailname | hostname);
 * *bogus when the host part is git's "(none)" guess */
static int
default_email(vcs_str *out, const struct passwd *pw, int *bogus)
{
	char host[256] = "";
	FILE *f;
	int err = vcs_str_addf(out, "%s@", pw->pw_name);

	if (err)
		return err;
	f = fopen("/etc/mailname", "re");
	if (f) {
		char line[256];

		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			fclose(f);
			return vcs_str_adds(out, line);
		}
		fclose(f);
	}
	/* git also asks getaddrinfo() for a canonical name; that can block
	 * on DNS, so a dotless host gets git's ".(none)" suffix instead */
	*bogus = 1;
	if (gethostname(host, sizeof(host) - 1))
		return vcs_str_adds(out, "(none)");
	if (strchr(host, '.')) {
		*bogus = 0;
		return vcs_str_adds(out, host);
	}
	return vcs_str_addf(out, "%s.(none)", host);
}

/* cfg_value -- a configured value, or NULL (a name without '=' as "") */
static const char *
cfg_value(const vcs_config *cfg, const char *key)
{
	const vcs_config_entry *e = vcs_config_get(cfg, key);

	return !e ? NULL : e->value ? e->value : "";
}

/* has_non_crud -- git's: some byte of name survives add_without_crud */
static int
has_non_crud(const char *name)
{
	for (; *name; name++)
		if (!crud((unsigned char)*name))
			return 1;
	return 0;
}

/* refuse -- git's die() in fmt_ident, *hint when git prints its
 * "Please tell me who you are" advice first */
static int
refuse(int *hint, int with_hint, const char *fmt, const char *arg)
{
	*hint = with_hint;
	return vcs_seterr(PMDB_EINVAL, fmt, arg);
}

/* strict_names -- git's fmt_ident(IDENT_STRICT) choice of email, then
 * name: environment, <role>.email/.name, user.*, EMAIL, passwd */
static int
strict_names(const char **name, const char **email, const char *role,
	     const vcs_config *cfg, vcs_getenv_fn fn, void *ctx,
	     vcs_str *dname, vcs_str *demail, int *hint)
{
	char key[32];
	const char *v, *only = cfg_value(cfg, "user.useconfigonly");
	int config_only = only && vcs_config_bool(only) == 1;
	int using_default = 0, bogus = 0, err;
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) || !res)
		res = NULL;
	snprintf(key, sizeof(key), "%s.email", role[0] == 'A' ? "author" :
		 "committer");
	if (!*email && (v = cfg_value(cfg, key)) && *v)
		*email = v;
	if (!*email && !(*email = cfg_value(cfg, "user.email"))) {
		if (config_only)
			return refuse(hint, 1, "no email was given and "
				      "auto-detection is disabled%s", "");
		v = fn ? fn(ctx, "EMAIL") : NULL;
		if (v && *v) {
			*email = v;
		} else {
			if (!res)
				return refuse(hint, 1, "unable to auto-detect "
					      "email address (got '%s')",
					      "unknown@(none)");
			if ((err = default_email(demail, res, &bogus)))
				return err;
			*email = (const char *)demail->data;
			if (bogus)
				return refuse(hint, 1, "unable to auto-detect "
					      "email address (got '%s')", *email);
		}
	}
	snprintf(key, sizeof(key), "%s.name", role[0] == 'A' ? "author" :
		 "committer");
	if (!*name && (v = cfg_value(cfg, key)) && *v)
		*name = v;
	/* user.name is git's default name too: an empty one gets advice */
	using_default = !*name;
	if (!*name && !(*name = cfg_value(cfg, "user.name"))) {
		if (config_only)
			return refuse(hint, 1, "no name was given and "
				      "auto-detection is disabled%s", "");
		if (!res)
			return refuse(hint, 1, "unable to auto-detect name "
				      "(got '%s')", "unknown");
		if ((err = default_name(dname, res)))
			return err;
		*name = dname->data ? (const char *)dname->data : "";
	}
	if (!**name)
		return refuse(hint, using_default, "empty ident name (for <%s>) "
			      "not allowed", *email);
	if (!has_non_crud(*name))
		return refuse(hint, 0, "name consists only of disallowed "
			      "characters: %s", *name);
	return 0;
}

/* vcs_ident_make -- append "Name <email> <epoch> <+hhmm>" for role */
int
vcs_ident_make(vcs_str *out, const char *role, vcs_getenv_fn getenv_fn,
	       void *env_ctx)
{
	int hint;

	return vcs_ident_make_cfg(out, role, getenv_fn, env_ctx, NULL, &hint);
}

/* vcs_ident_make_cfg -- the same, strict and configured when cfg */
int
vcs_ident_make_cfg(vcs_str *out, const char *role, vcs_getenv_fn getenv_fn,
		   void *env_ctx, const vcs_config *cfg, int *hint)
{
	const char *name = lookup(getenv_fn, env_ctx, role, "NAME");
	const char *email = lookup(getenv_fn, env_ctx, role, "EMAIL");
	const char *date = lookup(getenv_fn, env_ctx, role, "DATE");
	vcs_str dname = VCS_STR_INIT, demail = VCS_STR_INIT;
	size_t start = out->len;
	int64_t ts;
	int offset, err = 0, sign, bogus;

	*hint = 0;
	if (cfg) {
		if ((err = strict_names(&name, &email, role, cfg, getenv_fn,
					env_ctx, &dname, &demail, hint)))
			goto out;
		goto dated;
	}
	if (!email || !*email)
		email = getenv_fn ? getenv_fn(env_ctx, "EMAIL") : NULL;
	if (!name || !*name || !email || !*email) {
		struct passwd pw, *res = NULL;
		char pwbuf[4096];

		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) ||
		    !res) {
			err = vcs_seterr(PMDB_EINVAL, "unable to look up the "
					 "current user in the passwd file; set "
					 "GIT_%s_NAME and GIT_%s_EMAIL",
					 role, role);
			goto out;
		}
		if (!name || !*name) {
			if ((err = default_name(&dname, &pw)))
				goto out;
			if (dname.len == 0)
				err = vcs_str_adds(&dname, pw.pw_name);
			name = dname.data ? (const char *)dname.data : "";
		}
		if ((!email || !*email) &&
		    !(err = err ? err : default_email(&demail, &pw, &bogus)))
			email = (const char *)demail.data;
		if (err)
			goto out;
	}
dated:
	if (date && *date) {
		if (parse_date(date, &ts, &offset)) {
			err = vcs_seterr(PMDB_EINVAL, "invalid date format: %s",
					 date);
			goto out;
		}
	} else {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		ts = now.tv_sec;
		offset = client_offset(getenv_fn, env_ctx, &offset) ?
			 offset : local_offset(ts);
	}
	if ((err = add_without_crud(out, name)))
		goto out;
	if (out->len == start) {
		err = vcs_seterr(PMDB_EINVAL, "empty ident name (for <%s>) not "
				 "allowed", email);
		goto out;
	}
	err = vcs_str_add(out, " <", 2);
	err = err ? err : add_without_crud(out, email);
	sign = offset < 0 ? '-' : '+';
	if (offset < 0)
		offset = -offset;
	err = err ? err : vcs_str_addf(out, "> %lld %c%02d%02d", (long long)ts,
				       sign, offset / 60, offset % 60);
out:
	if (err && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	vcs_str_free(&dname);
	vcs_str_free(&demail);
	return err;
}
