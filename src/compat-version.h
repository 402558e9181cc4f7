/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The version rules of migration compatibility (COMPAT.md section 3, "Versions", and the
 * major/minor that the traits of section 8 need): parsing a driver version under its scheme
 * (semver, dotted, opaque), ordering two versions, and deciding whether a version satisfies a
 * constraint (a pattern's `version_range`, a destination type's `accepts.driver_version`, or the
 * default range derived from the source version). Pure: no I/O, no JSON; callers parse the
 * record and hand over strings. Every input is bounded (COMPAT_VERSION_MAX_LEN bytes,
 * COMPAT_VERSION_MAX_COMPONENTS components, components below 2^63) because records come from
 * other hosts and must not make the tool slow or crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where COMPAT.md is silent (see also each prototype):
 * - semver: "1.0" and "1" mean 1.0.0 (missing core components are 0; a pre-release or build may
 *   follow the short form: "1.0-rc.1" is 1.0.0-rc.1). Leading zeros in numeric identifiers
 *   ("01.2.3", "1.2.3-01") are refused as SemVer 2.0 says; drivers that write them should use
 *   `dotted`. A "v" prefix, surrounding whitespace and empty identifiers are refused: callers
 *   strip the newline of a sysfs read themselves.
 * - dotted: one or more components of decimal digits only, separated by single dots; leading
 *   zeros ignored; missing components compare as 0 ("550.90" == "550.90.0").
 * - opaque: any non-empty string; byte equality.
 * - No source version at all: there is no version rule, callers do not call compat_version_check.
 *   A source version and a destination that reports none: callers pass candidate NULL, which
 *   gives -EINVAL, reported as VERSION_UNPARSEABLE. */

#define COMPAT_VERSION_MAX_LEN	      256 /* bytes, without the NUL */
#define COMPAT_VERSION_MAX_COMPONENTS 64  /* numeric components of a dotted version */
#define COMPAT_VERSION_MAX_ANY_OF     256 /* members of an any_of list */

enum compat_scheme {
	COMPAT_SCHEME_SEMVER,
	COMPAT_SCHEME_DOTTED,
	COMPAT_SCHEME_OPAQUE,
};

/* "semver", "dotted" or "opaque" (exact, lower case). Returns 0 and sets *ret, or -EINVAL for
 * anything else, NULL included (*ret untouched). Which scheme a record that omits
 * `version_scheme` means is the caller's decision. */
int compat_scheme_from_string(const char *s, enum compat_scheme *ret);
/* The name of a scheme (static string), or NULL for a value outside the enum. */
const char *compat_scheme_to_string(enum compat_scheme s);

/* A parsed version. semver: num[0..2] are major, minor and patch, pre the pre-release (build
 * metadata is only in text); dotted: num[0..n-1]; opaque: text only. */
struct compat_version {
	enum compat_scheme scheme;
	char *text; /* owned copy of the text as given */
	size_t n;   /* numeric components: 3 for semver, 1..64 for dotted, 0 for opaque */
	uint64_t num[COMPAT_VERSION_MAX_COMPONENTS];
	const char *pre; /* semver pre-release without its '-', pointing into text; NULL if none */
	size_t pre_len;	 /* its length (it ends at '+' or the end of text) */
};

/* Parse text under scheme s. Returns 0 and fills *ret (the caller then owns it and calls
 * compat_version_clear()), or -EINVAL when text is NULL, empty, longer than
 * COMPAT_VERSION_MAX_LEN, not of the scheme's form, has more than COMPAT_VERSION_MAX_COMPONENTS
 * components or a component above 2^63 - 1, or s is not a scheme; *ret is untouched then. */
int compat_version_parse(enum compat_scheme s, const char *text, struct compat_version *ret);
/* Free what v owns and zero it; accepts a zeroed or already cleared struct. */
void compat_version_clear(struct compat_version *v);
/* Order a and b: <0, 0, >0. semver: precedence per SemVer 2.0 section 11 (build metadata
 * ignored, a pre-release below its release, pre-release identifiers compared numerically when
 * both are digits, else in ASCII order, numeric below alphanumeric, a longer list above its
 * prefix). dotted: component by component, missing components as 0. opaque: byte order, of which
 * only equality means anything. Versions of different schemes order by scheme (meaningless, but
 * stable). */
int compat_version_cmp(const struct compat_version *a, const struct compat_version *b);

/* A constraint, as a record's `version_range` or a destination type's `accepts.driver_version`
 * gives it. Either eq, or any_of (a list of eq; present when any_of is not NULL), or any of min
 * (inclusive), max (inclusive), max_exclusive; NULL means absent. A range with none of them
 * constrains nothing: every version satisfies it (npm's "*"), pre-releases only with
 * include_prerelease. Records and inventories never hand one over: their parser takes an empty
 * range as an absent one and refuses include_prerelease without a bound (compat-record.h). include_prerelease lets a pre-release candidate satisfy the bounds; without
 * it a pre-release satisfies them only when a bound (min, max, max_exclusive, eq, a member of
 * any_of) is itself a pre-release of the candidate's major.minor.patch (npm's rule); dotted and
 * opaque versions have no pre-releases. opaque allows only eq or any_of. All strings are borrowed
 * from the caller. */
struct compat_version_range {
	const char *eq;
	const char *const *any_of;
	size_t n_any_of;
	const char *min;
	const char *max;
	const char *max_exclusive;
	bool include_prerelease;
};

/* Whether r is a well-formed constraint under scheme s: not eq and any_of together, neither of
 * them with min/max/max_exclusive, any_of with 1..COMPAT_VERSION_MAX_ANY_OF members, only eq or
 * any_of under opaque, every bound parseable. Returns 0 or -EINVAL; r NULL (the default range)
 * is well formed. For loading a record, so that a malformed range makes the record invalid once
 * rather than every candidate unparseable. A range no version can satisfy (min above max) is well
 * formed: it rejects every candidate. */
int compat_version_range_validate(enum compat_scheme s, const struct compat_version_range *r);

/* Does candidate satisfy range r under scheme s? r NULL means the default range of
 * source_version: semver, the same major and a minor >= the source's (>= M.m.0 and < (M+1).0.0;
 * when the source is itself M.m.0-<pre>, from the source up), pre-releases only those of the
 * source's M.m.p when the source is one; dotted, the same first component and a second one >= the
 * source's; opaque, byte-equal to the source. With an explicit range source_version is not used
 * and may be NULL: to check the source against a destination's `accepts.driver_version`, pass the
 * source version as candidate. Returns 1 satisfied, 0 not (VERSION_OUT_OF_RANGE,
 * DEST_REJECTS_SOURCE_VERSION), -EINVAL when the candidate (NULL included), the source version
 * of a default range, or a bound is unparseable, or r is malformed (VERSION_UNPARSEABLE). */
int compat_version_check(enum compat_scheme s, const struct compat_version_range *r,
			 const char *source_version, const char *candidate);

/* The major and minor of a semver version (parsed as compat_version_parse() does, so "1" gives
 * 1 and 0), for the version traits of section 8. Returns 0, -EINVAL when text is not semver, or
 * -ERANGE when a value does not fit an unsigned long (32-bit hosts only); outputs written only
 * on success. */
int compat_semver_major_minor(const char *text, unsigned long *ret_major, unsigned long *ret_minor);
