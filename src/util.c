// SPDX-License-Identifier: LGPL-2.1-or-later
/* Base helpers: allocation, string buffers, UUIDs, safe names, integer parsing. See util.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "util.h"

_noreturn_ static void oom(void)
{
	fputs("Error: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_puts(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_putc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *sb_steal(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	*sb = (struct strbuf){ 0 };
	return p;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf){ 0 };
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Already lower-case hyphenated: the form of every name the kernel and mdevctl write. */
static bool is_canonical(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[36] == '\0';
}

int uuid_canonical(const char *s, char ret[UUID_STR_LEN], const char **ret_reason)
{
	static const char hex[] = "0123456789abcdef";
	const char *why = NULL;
	size_t len = strlen(s);
	bool hyphens;
	uint8_t b[16];

	/* `list` canonicalises every name on the mdev bus and in /etc/mdevctl.d. */
	if (len == 36 && is_canonical(s)) {
		memcpy(ret, s, UUID_STR_LEN);
		return 0;
	}

	if (len == 45 && strncasecmp(s, "urn:uuid:", 9) == 0) {
		s += 9;
		len -= 9;
	} else if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len == 36)
		hyphens = true;
	else if (len == 32)
		hyphens = false;
	else {
		why = "invalid length: expected 32 hexadecimal digits or the 36-character hyphenated form";
		goto fail;
	}

	for (size_t i = 0, k = 0; k < 16; k++) {
		if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-') {
				why = "invalid group: expected hyphens at positions 9, 14, 19 and 24";
				goto fail;
			}
			i++;
		}
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0) {
			why = "invalid character: expected hexadecimal digits";
			goto fail;
		}
		b[k] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}

	for (size_t k = 0, o = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			ret[o++] = '-';
		ret[o++] = hex[b[k] >> 4];
		ret[o++] = hex[b[k] & 15];
	}
	ret[36] = '\0';
	return 0;
fail:
	if (ret_reason)
		*ret_reason = why;
	return -EINVAL;
}

bool uuid_is_canonical(const char *s)
{
	char c[UUID_STR_LEN];
	return strlen(s) == 36 && uuid_canonical(s, c, NULL) == 0 && streq(c, s);
}

void uuid_random(char ret[UUID_STR_LEN])
{
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, ret);
}

bool name_is_safe(const char *s)
{
	if (!s || !*s || strchr(s, '/') || strstr(s, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

char *strstrip(char *s)
{
	char *b = s;
	while (*b && isspace((unsigned char)*b))
		b++;
	size_t n = strlen(b);
	while (n > 0 && isspace((unsigned char)b[n - 1]))
		n--;
	memmove(s, b, n);
	s[n] = '\0';
	return s;
}

bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

const char *os_error_str(int errnum)
{
	static char buf[160];
	if (errnum < 0)
		errnum = -errnum;
	snprintf(buf, sizeof(buf), "%s (os error %d)", strerror(errnum), errnum);
	return buf;
}

int parse_i32(const char *s, int32_t *ret)
{
	_cleanup_free_ char *t = xstrdup(s);
	char *p = strstrip(t), *end;
	/* Rust's parser takes an optional '+' or '-' and digits only: no spaces inside, no hex. */
	if (!*p || (!isdigit((unsigned char)p[0]) &&
		    !((p[0] == '+' || p[0] == '-') && isdigit((unsigned char)p[1]))))
		return -EINVAL;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
		return -ERANGE;
	*ret = (int32_t)v;
	return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
	char *end;
	if (!*s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

void strv_push(struct strv *sv, char *owned)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(char *));
	}
	sv->v[sv->n++] = owned;
	sv->v[sv->n] = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(char *), cmp_str);
}

void strv_uniq(struct strv *sv)
{
	size_t k = 0;

	for (size_t i = 0; i < sv->n; i++) {
		if (k > 0 && streq(sv->v[k - 1], sv->v[i]))
			free(sv->v[i]);
		else
			sv->v[k++] = sv->v[i];
	}
	sv->n = k;
	if (sv->v)
		sv->v[k] = NULL;
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* What a 64-bit kernel's kstrtoul(s, 0) accepts: an optional '+', then "0x"/"0X" and hex
 * digits, or a leading '0' and octal digits, or decimal digits; then one '\n' at most (what
 * `echo` writes, and a record may say "5\n" as well), nothing else; a value above 2^64 - 1 is
 * refused. */
bool kernel_strtoul(const char *s, uint64_t *ret)
{
	unsigned base = 10;
	uint64_t v = 0;

	if (*s == '+')
		s++;
	if (s[0] == '0') {
		if ((s[1] == 'x' || s[1] == 'X') && hex_digit(s[2]) >= 0) {
			base = 16;
			s += 2;
		} else
			base = 8;
	}
	if (!*s || *s == '\n')
		return false;
	for (; *s && !(s[0] == '\n' && s[1] == '\0'); s++) {
		int d = hex_digit(*s);
		if (d < 0 || (unsigned)d >= base)
			return false;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return false;
		v = v * base + (unsigned)d;
	}
	*ret = v;
	return true;
}

/* kstrtobool as every kernel since 4.x reads it: the first character decides. */
bool kernel_strtobool(const char *s, bool *ret)
{
	switch (s[0]) {
	case 'y':
	case 'Y':
	case '1':
		*ret = true;
		return true;
	case 'n':
	case 'N':
	case '0':
		*ret = false;
		return true;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*ret = true;
			return true;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*ret = false;
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* Eight bytes at a time, each word mixed in by a multiplication and a shift (the keys are
 * mostly 36-character UUIDs: a byte at a time costs four times as much). */
static uint64_t str_hash(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
	for (;;) {
		uint64_t w = 0;
		size_t n = len < 8 ? len : 8;
		memcpy(&w, s, n);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		if (len <= 8)
			return h;
		s += 8;
		len -= 8;
	}
}

void str_index_init(struct str_index *ix, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	*ix = (struct str_index){ .slots = xcalloc(cap, sizeof(*ix->slots)), .mask = cap - 1 };
}

static struct str_index_slot *str_index_find(const struct str_index *ix, const char *key,
					     uint64_t h)
{
	/* Linear probing; the table is at most half full, so a probe ends soon on an empty slot. */
	for (size_t i = h & ix->mask;; i = (i + 1) & ix->mask) {
		struct str_index_slot *s = &ix->slots[i];
		if (!s->key || (s->hash == h && streq(s->key, key)))
			return s;
	}
}

bool str_index_add(struct str_index *ix, const char *key, size_t value, size_t *ret_existing)
{
	if (!ix->slots)
		str_index_init(ix, 0);
	if (2 * (ix->n + 1) > ix->mask + 1) {
		struct str_index bigger;
		str_index_init(&bigger, ix->mask + 1);
		for (size_t i = 0; i <= ix->mask; i++)
			if (ix->slots[i].key)
				*str_index_find(&bigger, ix->slots[i].key, ix->slots[i].hash) =
					ix->slots[i];
		bigger.n = ix->n;
		free(ix->slots);
		*ix = bigger;
	}
	uint64_t h = str_hash(key);
	struct str_index_slot *s = str_index_find(ix, key, h);
	if (s->key) {
		if (ret_existing)
			*ret_existing = s->value;
		return false;
	}
	*s = (struct str_index_slot){ .key = key, .hash = h, .value = value };
	ix->n++;
	return true;
}

bool str_index_get(const struct str_index *ix, const char *key, size_t *ret_value)
{
	if (!ix->slots)
		return false;
	struct str_index_slot *s = str_index_find(ix, key, str_hash(key));
	if (!s->key)
		return false;
	if (ret_value)
		*ret_value = s->value;
	return true;
}

void str_index_set(struct str_index *ix, const char *key, size_t value)
{
	if (!ix->slots)
		return;
	struct str_index_slot *s = str_index_find(ix, key, str_hash(key));
	if (s->key)
		s->value = value;
}

void str_index_free(struct str_index *ix)
{
	free(ix->slots);
	*ix = (struct str_index){ 0 };
}
