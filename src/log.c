// SPDX-License-Identifier: LGPL-2.1-or-later
/* The logging sink; see log.h for the format and why it is that one. MDEVCTL_LOG is parsed
 * with env_logger's rules, its warnings included, so that a filter that works with upstream
 * selects the same lines here. */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "util.h"

struct directive {
	char *module; /* a prefix of the modules it applies to; NULL: all */
	enum log_level level;
};

/* Sorted by the length of their module, shortest first: the last that matches decides. */
static struct directive *directives;
static size_t n_directives;
static enum log_level base_level = LOG_WARN; /* without directives (before log_init()) */
static enum log_level max_level = LOG_WARN;  /* the most any module logs: a quick "no" */
static regex_t filter;
static bool have_filter;

static const char *const names[] = {
	[LOG_OFF] = "off",   [LOG_ERROR] = "error", [LOG_WARN] = "warn",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug", [LOG_TRACE] = "trace",
};

static int parse_level(const char *s, enum log_level *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*ret = (enum log_level)i;
			return 0;
		}
	return -1;
}

static void add_directive(char *module, enum log_level level)
{
	/* A module named again replaces its directive, where it was. */
	for (size_t i = 0; i < n_directives; i++)
		if (module ? directives[i].module && streq(directives[i].module, module)
			   : !directives[i].module) {
			directives[i].level = level;
			free(module);
			return;
		}
	directives = xrealloc(directives, (n_directives + 1) * sizeof(*directives));
	directives[n_directives++] = (struct directive){ module, level };
}

/* One comma-separated part, spaces around it trimmed: "LEVEL", "MODULE", "MODULE=" or
 * "MODULE=LEVEL". */
static void parse_directive(char *s)
{
	enum log_level level;
	char *eq = strchr(s, '=');

	if (!eq) {
		if (parse_level(s, &level) == 0)
			add_directive(NULL, level);
		else
			add_directive(xstrdup(s), LOG_TRACE);
		return;
	}
	*eq = '\0';
	char *value = strstrip(eq + 1);
	if (strchr(value, '=')) {
		*eq = '=';
		fprintf(stderr, "warning: invalid logging spec '%s', ignoring it\n", s);
	} else if (!*value)
		add_directive(xstrdup(s), LOG_TRACE);
	else if (parse_level(value, &level) == 0)
		add_directive(xstrdup(s), level);
	else
		fprintf(stderr, "warning: invalid logging spec '%s', ignoring it\n", value);
}

static size_t module_length(const struct directive *d)
{
	return d->module ? strlen(d->module) : 0;
}

static void parse_spec(const char *spec)
{
	_cleanup_free_ char *copy = xstrdup(spec);
	char *slash = strchr(copy, '/');

	if (slash && strchr(slash + 1, '/')) {
		fprintf(stderr, "warning: invalid logging spec '%s', ignoring it (too many '/'s)\n",
			spec);
		return;
	}
	if (slash)
		*slash = '\0';
	for (char *p = copy, *end; p; p = end) {
		end = strchr(p, ',');
		if (end)
			*end++ = '\0';
		p = strstrip(p);
		if (*p)
			parse_directive(p);
	}
	if (slash) {
		int r = regcomp(&filter, slash + 1, REG_EXTENDED | REG_NOSUB);
		if (r == 0)
			have_filter = true;
		else {
			char why[256];
			regerror(r, &filter, why, sizeof(why));
			fprintf(stderr, "warning: invalid regex filter - %s\n", why);
		}
	}
}

void log_init(void)
{
	const char *v = secure_getenv("MDEVCTL_LOG");
	/* Set but naming nothing, as for env_logger: errors only. */
	parse_spec(v ? v : "warn");
	if (n_directives == 0)
		add_directive(NULL, LOG_ERROR);
	/* An insertion sort keeps equal lengths in their order, as env_logger's stable sort. */
	for (size_t i = 1; i < n_directives; i++)
		for (size_t k = i;
		     k > 0 && module_length(&directives[k - 1]) > module_length(&directives[k]);
		     k--) {
			struct directive t = directives[k];
			directives[k] = directives[k - 1];
			directives[k - 1] = t;
		}
	max_level = LOG_OFF;
	for (size_t i = 0; i < n_directives; i++)
		if (directives[i].level > max_level)
			max_level = directives[i].level;
}

void log_set_level(enum log_level level)
{
	for (size_t i = 0; i < n_directives; i++)
		free(directives[i].module);
	free(directives);
	directives = NULL;
	n_directives = 0;
	if (have_filter)
		regfree(&filter);
	have_filter = false;
	base_level = max_level = level;
}

int log_enabled(enum log_level level, const char *module)
{
	if (level == LOG_OFF || level > max_level)
		return 0;
	if (n_directives == 0)
		return level <= base_level;
	for (size_t i = n_directives; i-- > 0;) {
		const char *m = directives[i].module;
		if (!m || strncmp(module, m, strlen(m)) == 0)
			return level <= directives[i].level;
	}
	return 0;
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	static const char *const labels[] = {
		[LOG_ERROR] = "ERROR", [LOG_WARN] = "WARN ",  [LOG_INFO] = "INFO ",
		[LOG_DEBUG] = "DEBUG", [LOG_TRACE] = "TRACE",
	};
	if (!log_enabled(level, module))
		return;

	/* One fprintf per line keeps concurrent writers' lines whole. */
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (have_filter && regexec(&filter, msg, 0, NULL, 0) != 0)
		return;

	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "[%s %s %s] %s\n", stamp, labels[level], module, msg);
}
