/*
 * cfgparam.c -- `pmvcs -c key=value`: appended to GIT_CONFIG_PARAMETERS
 * exactly as git's git_config_push_parameter() does, so that the command
 * (in-process, in pmvcs-core after an exec, or in the resident server,
 * which gets the client's environment) reads it as the command scope.
 * libc only: the front end (front/front.c) links it too.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* sq_quote -- git's sq_quote_buf(): 'text' with ' and ! as '\'' '\!' */
static size_t
sq_quote(char *out, const char *s, size_t n)
{
	size_t o = 0;

	out[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'' || s[i] == '!') {
			memcpy(out + o, "'\\", 2);
			o += 2;
			out[o++] = s[i];
			out[o++] = '\'';
		} else {
			out[o++] = s[i];
		}
	}
	out[o++] = '\'';
	return o;
}

/* pmvcs_config_push -- git_config_push_parameter(text) */
int
pmvcs_config_push(const char *text)
{
	const char *old = getenv("GIT_CONFIG_PARAMETERS");
	const char *eq = strchr(text, '=');
	size_t klen = eq ? (size_t)(eq - text) : strlen(text);
	size_t olen = old ? strlen(old) : 0;
	char *buf = malloc(olen + 1 + 4 * strlen(text) + 8);
	size_t o = 0;
	int rc;

	if (!buf)
		return -1;
	if (old && *old) {
		memcpy(buf, old, olen);
		o = olen;
		buf[o++] = ' ';
	}
	o += sq_quote(buf + o, text, klen);
	buf[o++] = '=';
	if (eq)
		o += sq_quote(buf + o, eq + 1, strlen(eq + 1));
	buf[o] = '\0';
	rc = setenv("GIT_CONFIG_PARAMETERS", buf, 1);
	free(buf);
	return rc;
}
