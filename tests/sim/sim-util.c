// SPDX-License-Identifier: LGPL-2.1-or-later
/* Base helpers of mdev-sim; see sim-util.h. The integer and UUID parsers transcribe the kernel's
 * (lib/kstrtox.c, lib/uuid.c) rather than libc's strtoull, which skips blanks and accepts a
 * sign that the kernel refuses. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-util.h"

void sim_buf_putline(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);
	sb_add(b, s, n);
	if (n == 0 || s[n - 1] != '\n')
		sb_add(b, "\n", 1);
}

/* The kernel's MAX_ERRNO is 4095, but fuse_dev_do_write() rejects a reply error <= -512. */
#define SIM_MAX_ERRNO 511

int sim_errno_parse(const char *s)
{
	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)s[0])) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno || *end || v < 1 || v > SIM_MAX_ERRNO)
			return -EINVAL;
		return (int)v;
	}
	for (int e = 1; e <= SIM_MAX_ERRNO; e++) {
		const char *n = strerrorname_np(e);
		if (n && streq(n, s))
			return e;
	}
	return -EINVAL;
}

const char *sim_errno_name(int e)
{
	static char num[16];
	const char *n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(num, sizeof(num), "%d", e);
	return num;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

int sim_kstrtoull(const char *s, unsigned long long *ret)
{
	unsigned base = 10;
	unsigned long long v = 0;
	size_t ndigits = 0;

	if (s[0] == '+')
		s++;
	/* _parse_integer_fixup_radix(): "0x" counts only when a hex digit follows it */
	if (s[0] == '0') {
		if ((s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	for (;; s++, ndigits++) {
		int d = digit_value(*s);
		if (d >= (int)base)
			break;
		if (v > (ULLONG_MAX - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	if (ndigits == 0)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*ret = v;
	return 0;
}

int sim_kstrtoll(const char *s, long long *ret)
{
	unsigned long long v;
	int r;

	if (s[0] == '-') {
		r = sim_kstrtoull(s + 1, &v);
		if (r < 0)
			return r;
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*ret = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
		return 0;
	}
	r = sim_kstrtoull(s, &v);
	if (r < 0)
		return r;
	if (v > (unsigned long long)LLONG_MAX)
		return -ERANGE;
	*ret = (long long)v;
	return 0;
}

bool sim_uuid_valid(const char *s)
{
	for (size_t i = 0; i < SIM_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

void sim_uuid_lower(const char *s, char ret[SIM_UUID_LEN + 1])
{
	for (size_t i = 0; i < SIM_UUID_LEN; i++)
		ret[i] = (char)tolower((unsigned char)s[i]);
	ret[SIM_UUID_LEN] = '\0';
}

bool sim_name_ok(const char *s)
{
	if (!*s || streq(s, ".") || streq(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

bool sim_relpath_ok(const char *s)
{
	if (!*s || *s == '/')
		return false;
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	size_t n = strlen(copy);
	if (copy[n - 1] == '/' || strstr(copy, "//"))
		return false;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (!sim_name_ok(c))
			return false;
	return true;
}

size_t sim_path_depth(const char *s)
{
	size_t n = 1;
	for (; *s; s++)
		if (*s == '/')
			n++;
	return n;
}

char *sim_updirs(size_t n)
{
	char *p = xmalloc(3 * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(p + 3 * i, "../", 3);
	p[3 * n] = '\0';
	return p;
}
