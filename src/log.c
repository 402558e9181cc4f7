// SPDX-License-Identifier: LGPL-2.1-or-later
/* The logging sink; see log.h for the format and why it is that one. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

static enum log_level threshold = LOG_WARN;

static const char *const names[] = {
	[LOG_OFF] = "off",   [LOG_ERROR] = "error", [LOG_WARN] = "warn",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug", [LOG_TRACE] = "trace",
};

void log_init(void)
{
	const char *v = secure_getenv("MDEVCTL_LOG");
	if (!v || !*v)
		return;
	/* env_logger filters look like "debug" or "mdevctl=debug,other=info": take the last
	 * level named, which is what a user of this single-target program means. */
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		const char *lvl = eq ? eq + 1 : p;
		size_t ln = n - (size_t)(lvl - p);
		for (size_t i = 0; i < ELEMENTSOF(names); i++)
			if (strlen(names[i]) == ln && strncasecmp(lvl, names[i], ln) == 0)
				threshold = (enum log_level)i;
		p += n;
		if (*p == ',')
			p++;
	}
}

void log_set_level(enum log_level level)
{
	threshold = level;
}

int log_enabled(enum log_level level)
{
	return level != LOG_OFF && level <= threshold;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const labels[] = {
		[LOG_ERROR] = "ERROR", [LOG_WARN] = "WARN ",  [LOG_INFO] = "INFO ",
		[LOG_DEBUG] = "DEBUG", [LOG_TRACE] = "TRACE",
	};
	if (!log_enabled(level))
		return;

	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* One fprintf per line keeps concurrent writers' lines whole. */
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "[%s %s mdevctl] %s\n", stamp, labels[level], msg);
}
