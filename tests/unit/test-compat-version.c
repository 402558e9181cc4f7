// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the version rules of migration compatibility: scheme names, parsing under each
 * scheme (and the leniencies and refusals decided in compat-version.h), SemVer precedence,
 * explicit and default ranges with the pre-release rule, and the limits on hostile input. */
#include <errno.h>
#include <stdlib.h>

#include "compat-version.h"
#include "tap.h"
#include "util.h"

#define SV COMPAT_SCHEME_SEMVER
#define DT COMPAT_SCHEME_DOTTED
#define OQ COMPAT_SCHEME_OPAQUE

static const char *errstr(int r)
{
	switch (r) {
	case 1:
		return "1";
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ERANGE:
		return "-ERANGE";
	default:
		return "other";
	}
}

/* The input with control characters and non-ASCII bytes escaped, so that a TAP line stays one
 * line; a static buffer, enough for one use per description. */
static const char *shown(const char *s)
{
	static char buf[1024];
	size_t n = 0;

	if (!s)
		return "(null)";
	for (; *s && n + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return buf;
}

static const char *scheme_name(enum compat_scheme s)
{
	const char *n = compat_scheme_to_string(s);
	return n ? n : "(no scheme)";
}

static void test_scheme(void)
{
	static const struct {
		const char *in;
		int r;
		enum compat_scheme want;
	} cases[] = {
		{ "semver", 0, SV },	   { "dotted", 0, DT }, { "opaque", 0, OQ },
		{ "SemVer", -EINVAL, SV }, { "", -EINVAL, SV }, { "semver ", -EINVAL, SV },
		{ NULL, -EINVAL, SV },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		enum compat_scheme s = OQ + 1;
		int r = compat_scheme_from_string(cases[i].in, &s);
		ok(r == cases[i].r && (r < 0 ? s == OQ + 1 : s == cases[i].want),
		   "scheme '%s' -> %s", cases[i].in ? cases[i].in : "(null)", errstr(cases[i].r));
		if (r == 0)
			is_str(compat_scheme_to_string(s), cases[i].in, "scheme '%s' round-trips",
			       cases[i].in);
	}
	ok(compat_scheme_to_string((enum compat_scheme)42) == NULL, "unknown scheme has no name");
}

/* Designated initializers, so that a refusal need not spell out the fields it leaves empty. */
#define GOOD(s_, in_, pre_, ...)                                                 \
	{                                                                        \
		.s = s_, .in = in_, .r = 0, .pre = pre_, .num = { __VA_ARGS__ }, \
		.n = sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)      \
	}
#define BAD(s_, in_)                             \
	{                                        \
		.s = s_, .in = in_, .r = -EINVAL \
	}

static void test_parse(void)
{
	static const struct {
		enum compat_scheme s;
		const char *in;
		int r;
		size_t n;
		uint64_t num[5];
		const char *pre; /* semver pre-release, NULL if none */
	} cases[] = {
		GOOD(SV, "1.2.3", NULL, 1, 2, 3),
		GOOD(SV, "1.0", NULL, 1, 0, 0), /* COMPAT.md: 1.0 means 1.0.0 */
		GOOD(SV, "1", NULL, 1, 0, 0),	/* decided: missing components are 0 */
		GOOD(SV, "0.0.0", NULL, 0, 0, 0),
		GOOD(SV, "1.2.3-rc.1", "rc.1", 1, 2, 3),
		GOOD(SV, "1.2.3-rc.1+build.5", "rc.1", 1, 2, 3),
		GOOD(SV, "1.2.3+build-01.007", NULL, 1, 2, 3), /* build may have leading zeros */
		GOOD(SV, "1.2.3-alpha-beta", "alpha-beta", 1, 2, 3),
		GOOD(SV, "1.2.3--", "-", 1, 2, 3),
		GOOD(SV, "1.2.3-0", "0", 1, 2, 3),
		GOOD(SV, "1.2.3-0a", "0a", 1, 2, 3), /* alphanumeric: zeros are fine */
		GOOD(SV, "1.0-rc.1", "rc.1", 1, 0, 0),
		GOOD(SV, "9223372036854775807.0.0", NULL, INT64_MAX, 0, 0),
		BAD(SV, "9223372036854775808.0.0"),
		BAD(SV, "99999999999999999999999.0.0"),
		BAD(SV, "01.2.3"), /* decided: strict SemVer, no leading zeros */
		BAD(SV, "1.02.3"),
		BAD(SV, "550.90.07"),
		BAD(SV, "1.2.3-01"),
		BAD(SV, "v1.2.3"), /* decided: no prefix */
		BAD(SV, " 1.2.3"),
		BAD(SV, "1.2.3\n"), /* decided: callers strip sysfs newlines */
		BAD(SV, "1.2.3.4"),
		BAD(SV, "1..3"),
		BAD(SV, "1.2."),
		BAD(SV, ".1"),
		BAD(SV, ""),
		BAD(SV, "1.2.3-"),
		BAD(SV, "1.2.3+"),
		BAD(SV, "1.2.3-a..b"),
		BAD(SV, "1.2.3-a."),
		BAD(SV, "1.2.3-a_b"),
		BAD(SV, "1.2.3+a+b"),
		BAD(SV, "-1.2.3"),
		BAD(SV, "1.2.3-\xc3\x9f"),
		BAD(SV, "a.b.c"),
		GOOD(DT, "550.90.07", NULL, 550, 90, 7),
		GOOD(DT, "550", NULL, 550),
		GOOD(DT, "007", NULL, 7),
		GOOD(DT, "1.2.3.4.5", NULL, 1, 2, 3, 4, 5),
		GOOD(DT, "0009223372036854775807", NULL, INT64_MAX),
		BAD(DT, "9223372036854775808"),
		BAD(DT, "1..2"),
		BAD(DT, "1.2."),
		BAD(DT, ".1"),
		BAD(DT, "1.2-3"),
		BAD(DT, "1.2a"),
		BAD(DT, "-1"),
		BAD(DT, ""),
		{ .s = OQ, .in = "anything goes +-.", .r = 0 }, /* no numbers, no pre-release */
		BAD(OQ, ""),
		BAD((enum compat_scheme)42, "1.0"),
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_version v = { 0 };
		int r = compat_version_parse(cases[i].s, cases[i].in, &v);
		bool good = r == cases[i].r;
		if (good && r == 0) {
			good = v.scheme == cases[i].s && v.n == cases[i].n &&
			       streq(v.text, cases[i].in);
			for (size_t k = 0; good && k < v.n; k++)
				good = v.num[k] == cases[i].num[k];
			if (cases[i].pre)
				good = good && v.pre && v.pre_len == strlen(cases[i].pre) &&
				       strncmp(v.pre, cases[i].pre, v.pre_len) == 0;
			else
				good = good && !v.pre;
		}
		ok(good, "parse %s '%s' -> %s", scheme_name(cases[i].s), shown(cases[i].in),
		   errstr(cases[i].r));
		compat_version_clear(&v);
	}
	struct compat_version v = { 0 };
	ok(compat_version_parse(SV, NULL, &v) == -EINVAL && v.text == NULL,
	   "parse NULL is refused and leaves the output alone");
	compat_version_clear(&v);
	compat_version_clear(NULL);
}

/* Inputs of a given size, built at run time. */
static char *repeat(const char *unit, size_t times, const char *tail)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < times; i++)
		sb_puts(&sb, unit);
	sb_puts(&sb, tail);
	return sb_steal(&sb);
}

static void test_limits(void)
{
	struct compat_version v = { 0 };
	char *s;

	s = repeat("x", 256, "");
	ok(compat_version_parse(OQ, s, &v) == 0, "256 bytes are accepted");
	compat_version_clear(&v);
	free(s);
	s = repeat("x", 257, "");
	ok(compat_version_parse(OQ, s, &v) == -EINVAL, "257 bytes are refused");
	free(s);
	s = repeat("1.", 63, "1");
	ok(compat_version_parse(DT, s, &v) == 0 && v.n == 64, "64 dotted components are accepted");
	compat_version_clear(&v);
	free(s);
	s = repeat("1.", 64, "1");
	ok(compat_version_parse(DT, s, &v) == -EINVAL, "65 dotted components are refused");
	free(s);
	s = repeat("0", 250, "1");
	ok(compat_version_parse(DT, s, &v) == 0 && v.num[0] == 1, "leading zeros cost nothing");
	compat_version_clear(&v);
	free(s);
	s = repeat("a.", 127, "a");
	char *t = xasprintf("1.0.0-%s", s);
	ok(compat_version_parse(SV, t, &v) == -EINVAL, "a 261-byte pre-release is refused");
	free(t);
	free(s);
	s = repeat("9", 300, "");
	ok(compat_version_check(SV, NULL, "1.0.0", s) == -EINVAL,
	   "a hostile 300-digit candidate is unparseable");
	free(s);

	static const char *many[COMPAT_VERSION_MAX_ANY_OF + 1];
	for (size_t i = 0; i < ELEMENTSOF(many); i++)
		many[i] = "1.0.0";
	struct compat_version_range r = { .any_of = many, .n_any_of = COMPAT_VERSION_MAX_ANY_OF };
	ok(compat_version_check(SV, &r, NULL, "1.0.0") == 1, "any_of with 256 members is used");
	r.n_any_of++;
	ok(compat_version_check(SV, &r, NULL, "1.0.0") == -EINVAL,
	   "any_of with 257 members is refused");
}

static void test_cmp(void)
{
	static const struct {
		enum compat_scheme s;
		const char *a, *b;
		int want;
	} cases[] = {
		/* SemVer 2.0 section 11.4's own chain. */
		{ SV, "1.0.0-alpha", "1.0.0-alpha.1", -1 },
		{ SV, "1.0.0-alpha.1", "1.0.0-alpha.beta", -1 },
		{ SV, "1.0.0-alpha.beta", "1.0.0-beta", -1 },
		{ SV, "1.0.0-beta", "1.0.0-beta.2", -1 },
		{ SV, "1.0.0-beta.2", "1.0.0-beta.11", -1 },
		{ SV, "1.0.0-beta.11", "1.0.0-rc.1", -1 },
		{ SV, "1.0.0-rc.1", "1.0.0", -1 },
		{ SV, "1.0.0", "1.0.0-rc.1", 1 },
		{ SV, "1.0.0-beta.11", "1.0.0-beta.2", 1 },
		{ SV, "1.0", "1.0.0", 0 },
		{ SV, "1", "1.0.0+x", 0 },
		{ SV, "1.0.0+a", "1.0.0+b", 0 },
		{ SV, "1.0.0-rc.1+a", "1.0.0-rc.1+b", 0 },
		{ SV, "2.0.0", "1.99.99", 1 },
		{ SV, "1.10.0", "1.9.0", 1 },
		{ SV, "1.0.10", "1.0.9", 1 },
		{ SV, "1.0.0-2", "1.0.0-10", -1 },
		{ SV, "1.0.0-99999999999999999999999", "1.0.0-9", 1 },
		{ SV, "1.0.0-a", "1.0.0-1", 1 },
		{ SV, "1.0.0-1", "1.0.0-0a", -1 }, /* numeric below alphanumeric, not ASCII */
		{ SV, "1.0.0-999", "1.0.0--", -1 },
		{ SV, "1.0.0-B", "1.0.0-a", -1 },
		{ SV, "1.0.0-ab", "1.0.0-a", 1 },
		{ SV, "9223372036854775807.0.0", "9223372036854775806.9.9", 1 },
		{ DT, "550.90.7", "550.90.07", 0 },
		{ DT, "550.90", "550.90.0", 0 },
		{ DT, "550.90.0.1", "550.90", 1 },
		{ DT, "550.100", "550.90", 1 },
		{ DT, "1.2", "1.10", -1 },
		{ DT, "2", "1.999", 1 },
		{ OQ, "abc", "abc", 0 },
		{ OQ, "abc", "ABC", 1 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_version a = { 0 }, b = { 0 };
		int ra = compat_version_parse(cases[i].s, cases[i].a, &a);
		int rb = compat_version_parse(cases[i].s, cases[i].b, &b);
		int c = ra == 0 && rb == 0 ? compat_version_cmp(&a, &b) : 99;
		int back = ra == 0 && rb == 0 ? compat_version_cmp(&b, &a) : 99;
		c = (c > 0) - (c < 0);
		back = (back > 0) - (back < 0);
		ok(c == cases[i].want && back == -cases[i].want, "cmp %s '%s' '%s' is %d",
		   scheme_name(cases[i].s), cases[i].a, cases[i].b, cases[i].want);
		compat_version_clear(&a);
		compat_version_clear(&b);
	}
}

static const char *const two_semver[] = { "1.0.0", "1.2" };
static const char *const one_bad[] = { "1.0.0", "bad" };
static const char *const two_opaque[] = { "a", "b" };

#define DEFAULT   \
	false,    \
	{         \
		0 \
	}
#define RANGE(...)          \
	true,               \
	{                   \
		__VA_ARGS__ \
	}

static void test_check(void)
{
	static const struct {
		enum compat_scheme s;
		bool has_range;
		struct compat_version_range range;
		const char *source, *candidate;
		int want;
	} cases[] = {
		/* The default range of a release: same major, minor >= the source's. */
		{ SV, DEFAULT, "1.1.0", "1.1.0", 1 },
		{ SV, DEFAULT, "1.1.0", "1.1.5", 1 },
		{ SV, DEFAULT, "1.1.5", "1.1.0", 1 }, /* patch does not matter */
		{ SV, DEFAULT, "1.1.0", "1.0.9", 0 },
		{ SV, DEFAULT, "1.1.0", "1.2.0", 1 },
		{ SV, DEFAULT, "1.1.0", "1.99.0", 1 },
		{ SV, DEFAULT, "1.1.0", "2.0.0", 0 },
		{ SV, DEFAULT, "1.1.0", "0.9.0", 0 },
		{ SV, DEFAULT, "1.1.0", "1.1", 1 },
		{ SV, DEFAULT, "1.1", "1.1.0+build.7", 1 },
		{ SV, DEFAULT, "1.1.0", "1.1.1-rc.1", 0 },
		{ SV, DEFAULT, "1.1.0", "1.2.0-rc.1", 0 },
		{ SV, DEFAULT, "1.1.0", "2.0.0-rc.1", 0 },
		{ SV, DEFAULT, "1.1.0", NULL, -EINVAL }, /* the destination reports none */
		{ SV, DEFAULT, "1.1.0", "garbage", -EINVAL },
		{ SV, DEFAULT, "garbage", "1.1.0", -EINVAL },
		{ SV, DEFAULT, NULL, "1.1.0", -EINVAL },
		/* The default range of a pre-release: its own pre-release line only. */
		{ SV, DEFAULT, "1.1.0-rc.1", "1.1.0-rc.1", 1 }, /* identity */
		{ SV, DEFAULT, "1.1.0-rc.1", "1.1.0-rc.2", 1 },
		{ SV, DEFAULT, "1.1.0-rc.1", "1.1.0-rc.0", 0 }, /* below M.m.0 and the source */
		{ SV, DEFAULT, "1.1.0-rc.1", "1.1.0", 1 },
		{ SV, DEFAULT, "1.1.0-rc.1", "1.1.1-rc.1", 0 },
		{ SV, DEFAULT, "1.1.0-rc.1", "1.2.0", 1 },
		{ SV, DEFAULT, "1.1.3-beta.2", "1.1.3-beta.1", 1 },
		{ SV, DEFAULT, "1.1.3-beta.2", "1.1.0", 1 },
		/* dotted: the same on the first two components. */
		{ DT, DEFAULT, "550.90.07", "550.90.7", 1 },
		{ DT, DEFAULT, "550.90.07", "550.127.05", 1 },
		{ DT, DEFAULT, "550.90.07", "550.54.14", 0 },
		{ DT, DEFAULT, "550.90.07", "535.90.07", 0 },
		{ DT, DEFAULT, "550.90.07", "550.90", 1 },
		{ DT, DEFAULT, "550.90.07", "550", 0 },
		{ DT, DEFAULT, "550.90.07", "550.90.07.1", 1 },
		{ DT, DEFAULT, "550", "550.1", 1 },
		{ DT, DEFAULT, "550.90", "550.90-1", -EINVAL },
		/* opaque: the default is the source itself. */
		{ OQ, DEFAULT, "abc-1", "abc-1", 1 },
		{ OQ, DEFAULT, "abc-1", "abc-2", 0 },
		{ OQ, DEFAULT, "abc-1", "ABC-1", 0 },
		/* Explicit semver ranges. */
		{ SV, RANGE(.min = "1.0.0"), NULL, "1.0.0", 1 },
		{ SV, RANGE(.min = "1.0.0"), NULL, "0.9.9", 0 },
		{ SV, RANGE(.min = "1.0.0"), NULL, "3.0.0", 1 },
		{ SV, RANGE(.min = "1.0.0"), NULL, "1.0.1-rc.1", 0 },
		{ SV, RANGE(.min = "1.0.0", .include_prerelease = true), NULL, "1.0.1-rc.1", 1 },
		{ SV, RANGE(.min = "1.0.0", .max_exclusive = "2.0.0"), NULL, "1.9.9", 1 },
		{ SV, RANGE(.min = "1.0.0", .max_exclusive = "2.0.0"), NULL, "2.0.0", 0 },
		{ SV, RANGE(.min = "1.0.0", .max_exclusive = "2.0.0"), NULL, "2.0.0-rc.1", 0 },
		{ SV, RANGE(.min = "1.0.0", .max_exclusive = "2.0.0", .include_prerelease = true),
		  NULL, "2.0.0-rc.1", 1 }, /* by precedence, as npm */
		{ SV, RANGE(.min = "1.0.0", .max = "2.0.0"), NULL, "2.0.0", 1 },
		{ SV, RANGE(.min = "1.0.0", .max = "2.0.0"), NULL, "2.0.0+b", 1 },
		{ SV, RANGE(.min = "1.0.0", .max = "2.0.0"), NULL, "2.0.1", 0 },
		{ SV, RANGE(.max = "2.0.0", .max_exclusive = "1.5.0"), NULL, "1.5.0", 0 },
		{ SV, RANGE(.min = "1.2.3-beta.2"), NULL, "1.2.3-beta.3", 1 },
		{ SV, RANGE(.min = "1.2.3-beta.2"), NULL, "1.2.3-beta.1", 0 },
		{ SV, RANGE(.min = "1.2.3-beta.2"), NULL, "1.2.4-beta.1", 0 },
		{ SV, RANGE(.min = "1.2.3-beta.2"), NULL, "1.2.4", 1 },
		{ SV, RANGE(.max = "1.2.3-rc.1"), NULL, "1.2.3-alpha", 1 },
		{ SV, RANGE(.max = "1.2.3-rc.1"), NULL, "1.2.3", 0 },
		{ SV, RANGE(.min = "2.0.0", .max = "1.0.0"), NULL, "1.5.0", 0 },
		{ SV, RANGE(.eq = "1.0"), NULL, "1.0.0", 1 },
		{ SV, RANGE(.eq = "1.0"), NULL, "1.0.0+build", 1 },
		{ SV, RANGE(.eq = "1.0"), NULL, "1.0.1", 0 },
		{ SV, RANGE(.eq = "1.0"), NULL, "1.0.0-rc.1", 0 },
		{ SV, RANGE(.eq = "1.0.0-rc.1"), NULL, "1.0.0-rc.1", 1 },
		{ SV, RANGE(.eq = "1.0.0-rc.1"), NULL, "1.0.0-rc.2", 0 },
		{ SV, RANGE(.any_of = two_semver, .n_any_of = 2), NULL, "1.2", 1 },
		{ SV, RANGE(.any_of = two_semver, .n_any_of = 2), NULL, "1.1.0", 0 },
		{ SV, RANGE(0), NULL, "7.0.0", 1 }, /* no bound: every release */
		{ SV, RANGE(0), NULL, "7.0.0-rc.1", 0 },
		{ SV, RANGE(.include_prerelease = true), NULL, "7.0.0-rc.1", 1 },
		{ SV, RANGE(.min = "1.0.0"), "garbage", "1.0.0", 1 }, /* source unused */
		{ SV, RANGE(.min = "1.0.0"), NULL, NULL, -EINVAL },
		{ SV, RANGE(.min = "1.0.0"), NULL, "1.0.0.0", -EINVAL },
		/* Malformed ranges are unparseable whatever the candidate. */
		{ SV, RANGE(.eq = "1.0", .min = "1.0"), NULL, "1.0.0", -EINVAL },
		{ SV, RANGE(.eq = "1.0", .any_of = two_semver, .n_any_of = 2), NULL, "1.0.0",
		  -EINVAL },
		{ SV, RANGE(.any_of = two_semver, .n_any_of = 0), NULL, "1.0.0", -EINVAL },
		{ SV, RANGE(.min = "x"), NULL, "0.0.1", -EINVAL },
		{ SV, RANGE(.min = "1.0.0", .max = "v2"), NULL, "0.0.1", -EINVAL },
		{ SV, RANGE(.any_of = one_bad, .n_any_of = 2), NULL, "1.0.0", -EINVAL },
		/* Explicit dotted ranges. */
		{ DT, RANGE(.min = "550.54"), NULL, "550.54.14", 1 },
		{ DT, RANGE(.min = "550.54"), NULL, "535.1", 0 },
		{ DT, RANGE(.max_exclusive = "560"), NULL, "559.99.99", 1 },
		{ DT, RANGE(.max_exclusive = "560"), NULL, "560.0", 0 },
		{ DT, RANGE(.max = "560"), NULL, "560.0.0", 1 },
		{ DT, RANGE(.eq = "550.90.07"), NULL, "550.90.7", 1 },
		{ DT, RANGE(.min = "1.0", .max_exclusive = "1.0"), NULL, "1.0", 0 },
		{ DT, RANGE(.min = "1.0-rc1"), NULL, "1.0", -EINVAL },
		/* opaque: eq and any_of only, byte equality. */
		{ OQ, RANGE(.eq = "abc"), NULL, "abc", 1 },
		{ OQ, RANGE(.eq = "abc"), NULL, "abcd", 0 },
		{ OQ, RANGE(.eq = "1.0"), NULL, "1.0.0", 0 },
		{ OQ, RANGE(.any_of = two_opaque, .n_any_of = 2), NULL, "b", 1 },
		{ OQ, RANGE(.any_of = two_opaque, .n_any_of = 2), NULL, "c", 0 },
		{ OQ, RANGE(.eq = "a", .include_prerelease = true), NULL, "a", 1 },
		{ OQ, RANGE(.min = "a"), NULL, "b", -EINVAL },
		{ OQ, RANGE(.max_exclusive = "z"), NULL, "b", -EINVAL },
		{ OQ, RANGE(0), NULL, "b", -EINVAL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int r = compat_version_check(cases[i].s,
					     cases[i].has_range ? &cases[i].range : NULL,
					     cases[i].source, cases[i].candidate);
		ok(r == cases[i].want, "check %zu: %s '%s' %s (source '%s') -> %s", i,
		   scheme_name(cases[i].s), cases[i].candidate ? cases[i].candidate : "(null)",
		   cases[i].has_range ? "in explicit range" : "in default range",
		   cases[i].source ? cases[i].source : "(null)", errstr(cases[i].want));
		if (r != cases[i].want)
			printf("#   got: %s\n", errstr(r));
	}
}

static void test_validate(void)
{
	static const struct {
		enum compat_scheme s;
		struct compat_version_range range;
		int want;
	} cases[] = {
		{ SV, { .min = "1.0" }, 0 },
		{ SV, { .min = "1.0.0", .max = "2", .max_exclusive = "3.0.0-0" }, 0 },
		{ SV, { .min = "2.0.0", .max = "1.0.0" }, 0 }, /* unsatisfiable, yet well formed */
		{ SV, { .include_prerelease = true }, 0 },
		{ SV, { .eq = "1.0.0-rc.1" }, 0 },
		{ SV, { .any_of = two_semver, .n_any_of = 2 }, 0 },
		{ SV, { .eq = "1.0", .max = "2.0" }, -EINVAL },
		{ SV, { .any_of = two_semver, .n_any_of = 2, .min = "1" }, -EINVAL },
		{ SV, { .any_of = one_bad, .n_any_of = 2 }, -EINVAL },
		{ SV, { .max_exclusive = "" }, -EINVAL },
		{ DT, { .min = "550.54.14", .max = "550.999" }, 0 },
		{ DT, { .eq = "1.0.0-rc.1" }, -EINVAL },
		{ OQ, { .eq = "" }, -EINVAL },
		{ OQ, { .any_of = two_opaque, .n_any_of = 2 }, 0 },
		{ OQ, { .min = "a" }, -EINVAL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		ok(compat_version_range_validate(cases[i].s, &cases[i].range) == cases[i].want,
		   "validate %zu (%s) -> %s", i, scheme_name(cases[i].s), errstr(cases[i].want));
	ok(compat_version_range_validate(OQ, NULL) == 0, "the default range is well formed");
}

static void test_major_minor(void)
{
	static const struct {
		const char *in;
		int r;
		unsigned long major, minor;
	} cases[] = {
		{ "1.2.3", 0, 1, 2 },	 { "1", 0, 1, 0 },	    { "10.20-rc.1", 0, 10, 20 },
		{ "0.0.1+b", 0, 0, 0 },	 { "v1.2", -EINVAL, 0, 0 }, { "550.90.07", -EINVAL, 0, 0 },
		{ NULL, -EINVAL, 0, 0 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned long major = 77, minor = 77;
		int r = compat_semver_major_minor(cases[i].in, &major, &minor);
		ok(r == cases[i].r && (r < 0 ? major == 77 && minor == 77
					     : major == cases[i].major && minor == cases[i].minor),
		   "major/minor of '%s' -> %s", cases[i].in ? cases[i].in : "(null)",
		   errstr(cases[i].r));
	}
}

int main(void)
{
	test_scheme();
	test_parse();
	test_limits();
	test_cmp();
	test_check();
	test_validate();
	test_major_minor();
	return tap_done();
}
