/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenStack Placement traits for compatibility (COMPAT.md section 8): the trait names a source
 * record requires and a destination offers, so that a scheduler can prefilter hosts before it
 * asks any of them to `check`. The naming rule every trait goes through, then the traits of a
 * parsed record and of a parsed inventory, then the lines `mdevctl compat traits` prints. Pure:
 * no I/O.
 *
 * The traits are a necessary condition, never a sufficient one: every destination type that the
 * matcher accepts in live mode (section 3) carries every trait the record requires, so a
 * scheduler that filters on them never loses a host `check` would accept; it may keep hosts that
 * `check` then rejects (PCI ids, migration flags, params, attrs and capacity have no trait).
 * Cold mode skips the version rules, so a cold re-creation may match hosts that lack a version
 * trait: filter cold placements without the DRV_<d>_V and DRVEQ_ traits.
 *
 * What a record requires. The matcher accepts a destination when SOME pattern matches it, so the
 * plain requirements are the INTERSECTION over the record's candidate patterns of what each one
 * requires, and the type is one any-of group: T_<type> for every type any binding of any pattern
 * produces. A pattern requires:
 *	API_<device_api>		when it constrains device_api
 *	DRV_<driver name>		when it names a driver
 *	F_<feature>			per feature (subset and exact both need them all)
 *	VF_<hex16>			always: the first 16 hex digits (upper case in the trait) of
 *					the SHA-256 of its vendor fields as canonical JSON (jansson's
 *					JSON_COMPACT | JSON_SORT_KEYS: keys in byte order, no spaces,
 *					strings as UTF-8 escaped only where JSON requires, '/' not
 *					escaped), since vendor fields must match exactly; none is the
 *					hash of "{}"
 *	DRV_<d>_V<M>_<m>		with the default range (no version_range), under semver, with a
 *					source version: its major and minor
 *	DRVEQ_<d>_<version>		with a range that pins `eq` and a source version: the eq
 *					version normalised (below)
 * A destination type offers API_<device_api>, DRV_<d> (driver known), F_<f> per feature, VF_ of
 * its vendor fields, T_<type>, and with a known driver name and version: DRV_<d>_V<M>_<k> for
 * every k from 0 to its minor when the version parses as semver (the default range accepts the
 * same major with a source minor <= the destination's; `accepts` is ignored, offering more is
 * safe), and DRVEQ_<d>_<v> for every reading of its version that parses (semver, dotted, and the
 * raw text as opaque), since a destination cannot know which scheme the source uses.
 * Normalised versions, so that versions the matcher finds equal give equal traits: semver
 * "M.m.p[-pre]" (build metadata dropped, "1.0" is "1.0.0"); dotted the components without
 * leading zeros and without trailing zero components, since missing components compare as 0
 * ("550.90.07" is "550.90.7", "550.90.0" is "550.90"); opaque the text as it is.
 *
 * Decisions where COMPAT.md is silent:
 * - A binding is skipped, its type not part of the any-of group, when any template the matcher
 *   expands for it fails (type, attr values, string param values, cost): the matcher skips that
 *   binding with BINDING_INVALID before it looks at any destination. The checks it makes on the
 *   expanded values (a negative attr, a cost < 1) are left to it: keeping such a type only
 *   widens the group, which is safe.
 * - A pattern none of whose bindings survives can accept nothing, so it takes no part in the
 *   intersection. A record none of whose patterns can accept anything (no pattern at all, say)
 *   requires nothing and has an empty any-of group: `check` explains why it matches nothing.
 * - No version trait without a driver name (a trait has to name the driver) nor without a
 *   source version (then there is no version rule at all). Ranges other than the default one
 *   and `eq` (any_of, min/max) give no trait; neither do the default ranges of dotted and
 *   opaque versions.
 * - Minor versions are bounded: a source minor of COMPAT_TRAITS_MINORS_MAX or more requires no
 *   V trait, and a destination offers V<M>_<k> for k below that bound only. That keeps one type
 *   to a few hundred traits whatever its version says ("1.4000000000.0" would otherwise be four
 *   billion lines) without ever losing a destination: a source minor below the bound that a
 *   destination accepts is at most the destination's minor, hence below the bound too.
 * - Trait lists are sorted in byte order (strcmp) and unique after naming, so that suffixes
 *   that normalise alike count once. */
#pragma once

#include "compat-record.h"
#include "util.h"

#define COMPAT_TRAIT_PREFIX  "CUSTOM_MDEVC_"
#define COMPAT_TRAIT_MAX_LEN 255
/* Minors 0 .. COMPAT_TRAITS_MINORS_MAX - 1 have a version trait; see above. */
#define COMPAT_TRAITS_MINORS_MAX 100

/* The trait for a suffix such as "API_vfio-pci": the prefix, then the suffix normalised as
 * os-traits does (every run of characters other than ASCII letters and digits becomes one
 * '_', letters upper case, whatever the locale). A name longer than 255 characters keeps its
 * first 238, then '_' and the first 16 hex digits, upper case, of the SHA-256 of the raw suffix,
 * so that long names stay distinct. Whatever the suffix (any bytes), the result matches
 * Placement's ^CUSTOM_[A-Z0-9_]+$ and has at most 255 characters. Returns a malloc'ed string;
 * never NULL. */
char *compat_trait(const char *suffix);

/* The traits a record requires: *ret_required the plain ones (sorted, unique; every one must be
 * present), *ret_any_of the T_ traits of which one must be present (sorted, unique). Both are
 * complete trait names (compat_trait()). Returns 0, or -EINVAL with the error set when a vendor
 * field is not valid UTF-8 (impossible for a parsed record). Outputs are written only on
 * success; the caller owns them (strv_free()) and passes them empty. */
int compat_record_traits(const struct compat_record *r, struct strv *ret_required,
			 struct strv *ret_any_of);

/* The traits one inventory type offers, appended to out in no particular order (the caller
 * sorts and uniques). Returns 0, or -EINVAL with the error set when a vendor field is not valid
 * UTF-8; out is unchanged on failure. */
int compat_inv_type_traits(const struct compat_inv_type *t, struct strv *out);
/* The union of what every type of every parent offers, sorted and unique, into *ret (written
 * only on success; the caller owns it and passes it empty). Placement attaches traits per
 * resource provider; the union is the host-level prefilter. Returns 0 or compat_inv_type_traits()'
 * error. */
int compat_inventory_traits(const struct compat_inventory *inv, struct strv *ret);

/* The traits of parent p as Placement's resource provider: the union of what its types offer,
 * sorted and unique, into *ret (written only on success; the caller owns it and passes it
 * empty). A provider carries the traits of every type it may be asked for, so that the
 * prefilter never loses it. Returns 0 or compat_inv_type_traits()' error. */
int compat_parent_traits(const struct compat_inv_parent *p, struct strv *ret);

/* What `mdevctl compat traits --inventory --per-parent` prints, appended to out: for each
 * parent in inventory order, each of its types in order, a line "<parent> <type>" and then
 * its traits, sorted, one per line after two spaces. Returns 0 or compat_inv_type_traits()'
 * error (out may then hold part of it). */
int compat_traits_format_per_parent(const struct compat_inventory *inv, struct strbuf *out);

/* The lines `mdevctl compat traits --from FILE` prints, appended to out: every required trait on
 * its own line, then the any-of group as one line in Placement's `in:` syntax
 * ("in:CUSTOM_MDEVC_T_A,CUSTOM_MDEVC_T_B") when it has two or more members, as a plain line when
 * it has one, and nothing when it is empty. Every line ends with '\n'; the lists are printed in
 * the order given. */
void compat_traits_format_record(const struct strv *required, const struct strv *any_of,
				 struct strbuf *out);
/* One trait per line, each ending with '\n', in the order given (`--inventory`). */
void compat_traits_format_list(const struct strv *traits, struct strbuf *out);
