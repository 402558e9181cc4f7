// SPDX-License-Identifier: LGPL-2.1-or-later
/* The process-wide error chain; see error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

#define ERR_MAX 8

static char *chain[ERR_MAX];
static size_t depth;

void err_clear(void)
{
	for (size_t i = 0; i < depth; i++)
		free(chain[i]);
	depth = 0;
}

bool err_isset(void)
{
	return depth > 0;
}

size_t err_count(void)
{
	return depth;
}

const char *err_get(size_t i)
{
	return i < depth ? chain[i] : NULL;
}

static void push_front(char *msg)
{
	if (depth == ERR_MAX)
		free(chain[--depth]);
	for (size_t i = depth; i > 0; i--)
		chain[i] = chain[i - 1];
	chain[0] = msg;
	depth++;
}

int err_set(int r, const char *fmt, ...)
{
	va_list ap;
	err_clear();
	va_start(ap, fmt);
	push_front(xvasprintf(fmt, ap));
	va_end(ap);
	return r;
}

int err_os(int r, int errnum, const char *fmt, ...)
{
	va_list ap;
	err_clear();
	push_front(xstrdup(os_error_str(errnum)));
	va_start(ap, fmt);
	push_front(xvasprintf(fmt, ap));
	va_end(ap);
	return r;
}

int err_wrap(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	push_front(xvasprintf(fmt, ap));
	va_end(ap);
	return r;
}

char *err_text(void)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < depth; i++) {
		if (i > 0)
			sb_puts(&sb, ": ");
		sb_puts(&sb, chain[i]);
	}
	return sb_steal(&sb);
}

void err_print(void)
{
	if (depth == 0) {
		fputs("Error: unknown error\n", stderr);
		return;
	}
	fprintf(stderr, "Error: %s\n", chain[0]);
	if (depth == 2)
		fprintf(stderr, "\nCaused by:\n    %s\n", chain[1]);
	else if (depth > 2) {
		fputs("\nCaused by:\n", stderr);
		for (size_t i = 1; i < depth; i++)
			fprintf(stderr, "    %zu: %s\n", i - 1, chain[i]);
	}
}

struct err_stash {
	char *chain[ERR_MAX];
	size_t depth;
};

struct err_stash *err_stash(void)
{
	struct err_stash *s = xcalloc(1, sizeof(*s));
	memcpy(s->chain, chain, sizeof(chain));
	s->depth = depth;
	depth = 0;
	return s;
}

void err_unstash(struct err_stash *s)
{
	err_clear();
	memcpy(chain, s->chain, sizeof(chain));
	depth = s->depth;
	free(s);
}
