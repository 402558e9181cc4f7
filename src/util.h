/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base helpers with no I/O of their own: allocation that never returns NULL, a growable string
 * buffer, UUID parsing and formatting in the forms upstream accepts, checks for names that
 * become path components, and small string utilities. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* Allocation failure ends the program with a message: a half-done operation on a tool this
 * small is worse than a clear exit, and every caller would only propagate -ENOMEM anyway. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) _printf_(1, 2);
char *xvasprintf(const char *fmt, va_list ap) _printf_(1, 0);

/* A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
/* Returns the buffer (owned by the caller) and resets sb; never NULL. */
char *sb_steal(struct strbuf *sb);
void sb_free(struct strbuf *sb);

#define UUID_STR_LEN 37 /* 36 characters and the NUL */

/* Parse a UUID in any form upstream accepts: hyphenated, 32 hex digits, {braced} or
 * urn:uuid:-prefixed, any case. Writes the lower-case hyphenated form into ret (UUID_STR_LEN).
 * Returns 0, or -EINVAL with a short reason in *ret_reason (static string) when given. */
int uuid_canonical(const char *s, char ret[UUID_STR_LEN], const char **ret_reason);
/* True if s is exactly a lower-case hyphenated UUID (the only form written to disk). */
bool uuid_is_canonical(const char *s);
/* A fresh random (version 4) UUID, lower-case hyphenated. */
void uuid_random(char ret[UUID_STR_LEN]);

/* A name that becomes one path component (parent, UUID, attribute, type) must not be empty and
 * must not contain '/', "..", or control characters. Returns true when safe. */
bool name_is_safe(const char *s);

/* Strip leading and trailing ASCII whitespace in place; returns s. */
char *strstrip(char *s);
bool startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* "<strerror> (os error N)", the form in which upstream reports a system error. */
const char *os_error_str(int errnum);

/* Parse a decimal signed 32-bit integer with optional surrounding whitespace, as Rust's
 * str::trim().parse::<i32>() does. Returns 0 or -EINVAL/-ERANGE. */
int parse_i32(const char *s, int32_t *ret);
/* Parse an unsigned 32-bit decimal integer (no sign, no whitespace). */
int parse_u32(const char *s, uint32_t *ret);

/* A vector of owned strings. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};
void strv_push(struct strv *sv, char *owned);
void strv_sort(struct strv *sv);
/* Drop every string equal to the one before it, freeing it, and keep the order of the rest:
 * after strv_sort(), the vector holds each string once. */
void strv_uniq(struct strv *sv);
void strv_free(struct strv *sv);

/* An index of borrowed strings (they must outlive it) to values, for exact lookups among
 * thousands of names (the running devices of a big host) without sorting them. */
struct str_index_slot {
	const char *key; /* NULL: empty */
	uint64_t hash;
	size_t value;
};
struct str_index {
	struct str_index_slot *slots;
	size_t mask, n;
};
/* An empty index sized for about n keys (it grows past that). */
void str_index_init(struct str_index *ix, size_t n);
/* Add key with value; when key is there already, keep it and return false with its value in
 * *ret_existing (optional). */
bool str_index_add(struct str_index *ix, const char *key, size_t value, size_t *ret_existing);
/* Set the value of a key that is there (nothing otherwise). */
void str_index_set(struct str_index *ix, const char *key, size_t value);
/* Whether key is there; its value in *ret_value (optional). */
bool str_index_get(const struct str_index *ix, const char *key, size_t *ret_value);
void str_index_free(struct str_index *ix);

/* How the kernel reads what is written to a sysfs attribute, for comparing values as the driver
 * will see them. kernel_strtoul: kstrtoul(s, 0) on a 64-bit kernel (an optional '+', then 0x
 * hex, leading-0 octal or decimal, then one '\n' at most; overflow refused). kernel_strtobool:
 * kstrtobool (y/Y/1, n/N/0, on/off: the first characters decide). Both return false when s
 * does not read as one, leaving *ret alone. */
bool kernel_strtoul(const char *s, uint64_t *ret);
bool kernel_strtobool(const char *s, bool *ret);
