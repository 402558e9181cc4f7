// SPDX-License-Identifier: LGPL-2.1-or-later
/* The version rules of migration compatibility: parsing under the semver, dotted and opaque
 * schemes, ordering, and range checks (explicit and default). See compat-version.h for the
 * rules and the decisions taken where COMPAT.md is silent. Every loop here is bounded by the
 * length limit checked first, so a hostile record costs at most a few kilobytes of scanning. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "compat-version.h"
#include "util.h"

/* Components are kept below 2^63 so that any signed 64-bit consumer can hold them too. */
#define COMPONENT_MAX ((uint64_t)INT64_MAX)

static const char *const scheme_names[] = {
	[COMPAT_SCHEME_SEMVER] = "semver",
	[COMPAT_SCHEME_DOTTED] = "dotted",
	[COMPAT_SCHEME_OPAQUE] = "opaque",
};

int compat_scheme_from_string(const char *s, enum compat_scheme *ret)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(scheme_names); i++)
		if (streq(s, scheme_names[i])) {
			*ret = (enum compat_scheme)i;
			return 0;
		}
	return -EINVAL;
}

const char *compat_scheme_to_string(enum compat_scheme s)
{
	if ((unsigned)s >= ELEMENTSOF(scheme_names))
		return NULL;
	return scheme_names[s];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* Read a run of digits at *p into *ret, advancing *p. SemVer forbids leading zeros, dotted
 * ignores them, hence the flag. */
static int parse_component(const char **p, bool leading_zeros, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!is_digit(*s))
		return -EINVAL;
	if (!leading_zeros && s[0] == '0' && is_digit(s[1]))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (COMPONENT_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

/* Dot-separated identifiers of [0-9A-Za-z-], none empty; in a pre-release a numeric one must
 * not have leading zeros (build metadata may). */
static int check_identifiers(const char *s, size_t n, bool pre)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_ident_char(s[i]))
				return -EINVAL;
			continue;
		}
		size_t len = i - start;
		if (len == 0)
			return -EINVAL;
		if (pre && len > 1 && s[start] == '0' && all_digits(s + start, len))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

static int parse_semver(const char *text, struct compat_version *v)
{
	const char *p = text;
	int r;

	/* The core: one to three numbers, the missing ones 0 ("1.0" is 1.0.0). */
	v->n = 3;
	for (size_t i = 0; i < 3; i++) {
		r = parse_component(&p, false, &v->num[i]);
		if (r < 0)
			return r;
		if (*p != '.')
			break;
		if (i == 2)
			return -EINVAL; /* a fourth component */
		p++;
	}
	if (*p == '-') {
		const char *end = strchrnul(p + 1, '+');
		r = check_identifiers(p + 1, (size_t)(end - (p + 1)), true);
		if (r < 0)
			return r;
		v->pre = p + 1;
		v->pre_len = (size_t)(end - (p + 1));
		p = end;
	}
	if (*p == '+') {
		r = check_identifiers(p + 1, strlen(p + 1), false);
		if (r < 0)
			return r;
		p += strlen(p);
	}
	return *p == '\0' ? 0 : -EINVAL;
}

static int parse_dotted(const char *text, struct compat_version *v)
{
	const char *p = text;

	for (;;) {
		if (v->n == COMPAT_VERSION_MAX_COMPONENTS)
			return -EINVAL;
		int r = parse_component(&p, true, &v->num[v->n]);
		if (r < 0)
			return r;
		v->n++;
		if (*p == '\0')
			return 0;
		if (*p != '.')
			return -EINVAL;
		p++;
	}
}

int compat_version_parse(enum compat_scheme s, const char *text, struct compat_version *ret)
{
	struct compat_version v = { .scheme = s };
	int r;

	if (!text || !*text || strnlen(text, COMPAT_VERSION_MAX_LEN + 1) > COMPAT_VERSION_MAX_LEN)
		return -EINVAL;
	v.text = xstrdup(text);
	switch (s) {
	case COMPAT_SCHEME_SEMVER:
		r = parse_semver(v.text, &v);
		break;
	case COMPAT_SCHEME_DOTTED:
		r = parse_dotted(v.text, &v);
		break;
	case COMPAT_SCHEME_OPAQUE:
		r = 0;
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0) {
		compat_version_clear(&v);
		return r;
	}
	/* v.pre points into the heap copy of the text, so handing over the struct keeps it valid. */
	*ret = v;
	return 0;
}

void compat_version_clear(struct compat_version *v)
{
	if (!v)
		return;
	free(v->text);
	memset(v, 0, sizeof(*v));
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* One pre-release identifier against another (SemVer 2.0 section 11.4). Numeric identifiers have
 * no leading zeros, so the longer is the larger and equal lengths compare as text: no overflow
 * whatever their size. */
static int cmp_identifier(const char *a, size_t an, const char *b, size_t bn)
{
	bool ad = all_digits(a, an), bd = all_digits(b, bn);

	if (ad && bd && an != bn)
		return an < bn ? -1 : 1;
	if (ad != bd)
		return ad ? -1 : 1;
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c != 0)
		return sign(c);
	return cmp_u64(an, bn);
}

static int cmp_prerelease(const struct compat_version *a, const struct compat_version *b)
{
	/* A version without a pre-release ranks above any of its pre-releases. */
	if (!a->pre || !b->pre)
		return (a->pre == NULL) - (b->pre == NULL);

	const char *pa = a->pre, *ea = a->pre + a->pre_len;
	const char *pb = b->pre, *eb = b->pre + b->pre_len;
	for (;;) {
		if (pa == ea || pb == eb)
			return (pa != ea) - (pb != eb);
		const char *da = memchr(pa, '.', (size_t)(ea - pa));
		const char *db = memchr(pb, '.', (size_t)(eb - pb));
		if (!da)
			da = ea;
		if (!db)
			db = eb;
		int c = cmp_identifier(pa, (size_t)(da - pa), pb, (size_t)(db - pb));
		if (c != 0)
			return c;
		pa = da < ea ? da + 1 : ea;
		pb = db < eb ? db + 1 : eb;
	}
}

static uint64_t component(const struct compat_version *v, size_t i)
{
	return i < v->n ? v->num[i] : 0;
}

int compat_version_cmp(const struct compat_version *a, const struct compat_version *b)
{
	if (a->scheme != b->scheme)
		return a->scheme < b->scheme ? -1 : 1;
	if (a->scheme == COMPAT_SCHEME_OPAQUE)
		return sign(strcmp(a->text, b->text));

	size_t n = a->n > b->n ? a->n : b->n;
	for (size_t i = 0; i < n; i++) {
		int c = cmp_u64(component(a, i), component(b, i));
		if (c != 0)
			return c;
	}
	if (a->scheme == COMPAT_SCHEME_SEMVER)
		return cmp_prerelease(a, b);
	return 0;
}

static bool same_core(const struct compat_version *a, const struct compat_version *b)
{
	return a->num[0] == b->num[0] && a->num[1] == b->num[1] && a->num[2] == b->num[2];
}

/* The shape rules of a range, before any bound is parsed. */
static int check_shape(enum compat_scheme s, const struct compat_version_range *r)
{
	bool ordered = r->min || r->max || r->max_exclusive;

	if (r->eq && r->any_of)
		return -EINVAL;
	if ((r->eq || r->any_of) && ordered)
		return -EINVAL;
	if (r->any_of && (r->n_any_of == 0 || r->n_any_of > COMPAT_VERSION_MAX_ANY_OF))
		return -EINVAL;
	if (s == COMPAT_SCHEME_OPAQUE && !r->eq && !r->any_of)
		return -EINVAL;
	return 0;
}

/* How a candidate may stand to a bound; a bound accepts a set of them. */
enum {
	REL_BELOW = 1 << 0,
	REL_EQUAL = 1 << 1,
	REL_ABOVE = 1 << 2,
};

/* Parse one bound (so that a malformed one is -EINVAL even with no candidate) and, when a
 * candidate is given, say whether it stands in one of the relations rel to the bound, and
 * whether the bound lets the candidate's pre-release in (it is a pre-release of the same core). */
static int eval_bound(enum compat_scheme s, const char *text, int rel,
		      const struct compat_version *cand, bool *satisfied, bool *lets_pre_in)
{
	struct compat_version b;
	int r = compat_version_parse(s, text, &b);
	if (r < 0)
		return r;
	if (cand) {
		int c = compat_version_cmp(cand, &b);
		int got = c < 0 ? REL_BELOW : c == 0 ? REL_EQUAL : REL_ABOVE;
		*satisfied = (rel & got) != 0;
		if (s == COMPAT_SCHEME_SEMVER && b.pre && same_core(&b, cand))
			*lets_pre_in = true;
	}
	compat_version_clear(&b);
	return 0;
}

/* Validate r and, when cand is given, evaluate it: the shared walk of validate and check, so
 * that a malformed bound is -EINVAL whatever the candidate. */
static int eval_range(enum compat_scheme s, const struct compat_version_range *r,
		      const struct compat_version *cand, bool *ret)
{
	bool in = true, pre_in = r->include_prerelease, sat = false;
	int k;

	k = check_shape(s, r);
	if (k < 0)
		return k;

	if (r->eq || r->any_of) {
		/* Equality: a pre-release equals only a pre-release of the same core, which is then
		 * itself the bound that lets it in. */
		size_t n = r->eq ? 1 : r->n_any_of;
		bool any = false;
		for (size_t i = 0; i < n; i++) {
			k = eval_bound(s, r->eq ? r->eq : r->any_of[i], REL_EQUAL, cand, &sat,
				       &pre_in);
			if (k < 0)
				return k;
			any = any || sat;
		}
		in = any;
	} else {
		static const int rels[] = { REL_EQUAL | REL_ABOVE, REL_BELOW | REL_EQUAL,
					    REL_BELOW };
		const char *bounds[] = { r->min, r->max, r->max_exclusive };
		for (size_t i = 0; i < ELEMENTSOF(bounds); i++) {
			if (!bounds[i])
				continue;
			k = eval_bound(s, bounds[i], rels[i], cand, &sat, &pre_in);
			if (k < 0)
				return k;
			in = in && sat;
		}
	}
	if (cand)
		*ret = in && (!cand->pre || pre_in);
	return 0;
}

int compat_version_range_validate(enum compat_scheme s, const struct compat_version_range *r)
{
	if (!r)
		return 0;
	return eval_range(s, r, NULL, NULL);
}

/* The default range of a source version (COMPAT.md section 3): see compat-version.h. */
static bool in_default_range(const struct compat_version *src, const struct compat_version *cand)
{
	switch (src->scheme) {
	case COMPAT_SCHEME_SEMVER:
		if (cand->num[0] != src->num[0] || cand->num[1] < src->num[1])
			return false;
		if (!cand->pre)
			return true;
		/* Only the source's own pre-release line; and since M.m.0-<pre> lies below M.m.0,
		 * the range starts at the source when the source is one. */
		if (!src->pre || !same_core(src, cand))
			return false;
		return cand->num[2] != 0 || compat_version_cmp(cand, src) >= 0;
	case COMPAT_SCHEME_DOTTED:
		return cand->num[0] == src->num[0] && component(cand, 1) >= component(src, 1);
	case COMPAT_SCHEME_OPAQUE:
		return streq(cand->text, src->text);
	}
	return false;
}

int compat_version_check(enum compat_scheme s, const struct compat_version_range *r,
			 const char *source_version, const char *candidate)
{
	struct compat_version cand, src;
	bool in = false;
	int k;

	k = compat_version_parse(s, candidate, &cand);
	if (k < 0)
		return k;
	if (r) {
		k = eval_range(s, r, &cand, &in);
	} else {
		k = compat_version_parse(s, source_version, &src);
		if (k == 0) {
			in = in_default_range(&src, &cand);
			compat_version_clear(&src);
		}
	}
	compat_version_clear(&cand);
	if (k < 0)
		return k;
	return in ? 1 : 0;
}

int compat_semver_major_minor(const char *text, unsigned long *ret_major, unsigned long *ret_minor)
{
	struct compat_version v;
	int r = compat_version_parse(COMPAT_SCHEME_SEMVER, text, &v);
	if (r < 0)
		return r;
	uint64_t major = v.num[0], minor = v.num[1];
	compat_version_clear(&v);
	if (major > ULONG_MAX || minor > ULONG_MAX)
		return -ERANGE;
	*ret_major = (unsigned long)major;
	*ret_minor = (unsigned long)minor;
	return 0;
}
