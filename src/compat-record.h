/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict parsing of the two documents migration compatibility reads (COMPAT.md): the source's
 * compatibility record ("mdev-compat/1", section 2) and a destination's inventory
 * ("mdev-inventory/1", section 4), into structs the matcher walks, plus the canonical JSON of an
 * inventory. Records and inventories come from other hosts, so the parser refuses anything it
 * does not understand (a constraint the tool cannot read is one it cannot honour), bounds every
 * size before it costs anything, and names the first failing rule with a JSON path:
 *	$.compatible[1].vars[0].values: expected a non-empty array of integers
 *	$.self.foo: unknown member
 *	$.compatible[0].mdev_type: UNDECLARED_VARIABLE:m
 * Syntax errors keep jansson's "<reason> at line L column C". No I/O, no printing. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat-template.h"
#include "compat-version.h"
#include "util.h"

/* Limits. A document over any of them is refused (-EINVAL, the error naming the limit):
 * - COMPAT_INPUT_MAX bytes of input, checked first.
 * - COMPAT_DEPTH_MAX levels of arrays and objects (the top-level object is level 1), checked on
 *   the raw text before jansson sees it: jansson recurses once per level (it stops at 2048
 *   itself, far deeper than any valid document needs), and the error then says where.
 * - COMPAT_STRING_MAX bytes for every string and every member name, except a type's
 *   `description` (free text from sysfs: COMPAT_TEXT_MAX). Templates have the same limit as
 *   strings (COMPAT_TEMPLATE_LEN_MAX, compat-template.h).
 * - Per descriptor (self, a pattern, an inventory type): COMPAT_ATTRS_MAX attrs,
 *   COMPAT_FEATURES_MAX features, COMPAT_PARAMS_MAX params, COMPAT_VENDOR_FIELDS_MAX vendor
 *   fields, COMPAT_PCI_IN_MAX ids in a PCI `{"in": [...]}`; COMPAT_ATTRS_MAX settable attrs and
 *   attr_defaults; COMPAT_ALLOWED_MAX values in an `allowed` list; COMPAT_VERSION_MAX_ANY_OF
 *   members of `any_of`.
 * - COMPAT_PATTERNS_MAX `compatible` patterns; variables and bindings per pattern as
 *   compat-template.h says.
 * - Inventory: COMPAT_PARENTS_MAX parents, COMPAT_TYPES_MAX types per parent,
 *   COMPAT_DEVICES_MAX devices (the input limit is reached long before this one). */
#define COMPAT_INPUT_MAX	 (1024 * 1024)
#define COMPAT_DEPTH_MAX	 32
#define COMPAT_STRING_MAX	 256
#define COMPAT_TEXT_MAX		 4096
#define COMPAT_PATTERNS_MAX	 64
#define COMPAT_ATTRS_MAX	 64
#define COMPAT_FEATURES_MAX	 256
#define COMPAT_PARAMS_MAX	 64
#define COMPAT_VENDOR_FIELDS_MAX 64
#define COMPAT_PCI_IN_MAX	 64
#define COMPAT_ALLOWED_MAX	 256
#define COMPAT_PARENTS_MAX	 4096
#define COMPAT_TYPES_MAX	 256
#define COMPAT_DEVICES_MAX	 65536

#define COMPAT_RECORD_SCHEMA	"mdev-compat/1"
#define COMPAT_INVENTORY_SCHEMA "mdev-inventory/1"

/* Paths: "$" is the document, ".name" a member whose name is an identifier, ["name"] any other
 * (JSON escapes), "[i]" an array element. Order of checks: size, nesting, syntax (jansson),
 * `schema` (so that another kind of document is named as such), then per object its unknown
 * members in document order before its members' values in a fixed order; in a pattern `vars`
 * first, since every template is checked against them as it is read.
 *
 * Decisions where COMPAT.md is silent:
 * - Duplicate member names in one object are refused (jansson's "duplicate object key").
 * - `self.kind` and `self.mdev_type` are required; every other descriptor member is optional,
 *   and absent means "no constraint" (the matcher decides what that implies).
 * - Identifiers (device_api, driver name, type, attr, feature, param and vendor field names,
 *   parent) must be non-empty; type, attr and parent names (self.parent included, informative
 *   as it is) must also be safe path components (util.h name_is_safe, and not ".") since they
 *   end up in sysfs paths. A record's type ids (self's, and what a pattern's mdev_type gives
 *   under every binding whose expansion succeeds) must in addition have none of the glob
 *   characters *?[]\, which no kernel type id has: a template that yields "../../x", "a/b" or
 *   "t*" makes the record invalid, naming the binding, rather than every check TYPE_NOT_FOUND.
 *   Values may be empty.
 * - A PCI id is a string of 1 to 8 hex digits, optionally prefixed by 0x or 0X, any case, whose
 *   value fits 16 bits ("0x8086", "8086", "0X00008086"). The text is kept as written.
 * - Lists of names (features, migration flags, `in` ids, enum and allowed values) must not
 *   repeat a member; `mdev_attrs` may (mdevctl's attr list is an ordered sequence of writes).
 * - `self.driver.version` must parse under `version_scheme` (default semver), and every bound of
 *   a `version_range` too, so that a bad version makes the record invalid once instead of every
 *   candidate VERSION_UNPARSEABLE. In an inventory, `version_scheme` is optional (the source's
 *   scheme decides at match time); when given, the version must parse under it, and an
 *   `accepts.driver_version` must be well formed under it (without it: under at least one
 *   scheme).
 * - A `compatible` pattern may have: `vars`, `cost`, `version_range`, and the descriptor members
 *   `kind` (only "mdev"), `device_api`, `driver`, `mdev_type`, `pci`, `mdev_attrs`, `features`,
 *   `params`, `vendor_fields`, `migration_flags`. Not `uuid` nor `parent`: they name the source
 *   device, not something a destination offers. Anything else is an unknown member.
 * - Inheritance: a pattern member replaces self's wholesale, except `pci` and `driver`, which
 *   merge field by field (a pattern naming only the driver keeps self's version and scheme).
 *   A pattern without `version_range` uses the record's top-level one, else the default range.
 * - Templates: in a pattern's own `mdev_type`, `mdev_attrs` values, string `params` values and a
 *   string `cost`. What a pattern inherits from self, and self itself, is literal text ('$' is
 *   not special). `cost` is an integer >= 1 or a template; a template without ${...} must be a
 *   decimal integer >= 1. Every template of every pattern is checked against that pattern's
 *   vars (UNDECLARED_VARIABLE, TEMPLATE_INVALID) whether or not it will ever be expanded.
 * - `generated` may be any JSON value and is not kept.
 * - Inventory: `mdev_type`, `device_api` and `available_instances` of a type, and `uuid`,
 *   `parent`, `mdev_type`, `state` of a device are required; everything else is optional.
 *   Parent names, type names within a parent, and device UUIDs are unique. A param's or a
 *   settable attr's `range` is for type int only, exclusive with `allowed`; `allowed` values
 *   have the declared type (settable attrs of type int: integers >= 0, as kstrtoul reads them;
 *   type "any" takes neither); a param's `default` and `off` have its type and lie within its
 *   allowed values or range.
 * - An empty list or object is the same as an absent one (to_json leaves both out); so is an
 *   empty version range: `"version_range": {}` is the default range (a pattern's {} uses the
 *   record's range), `"accepts": {"driver_version": {}}` no accepts. A range whose only member
 *   is include_prerelease is refused: it bounds nothing. */

enum compat_pci_field {
	COMPAT_PCI_VENDOR,
	COMPAT_PCI_DEVICE,
	COMPAT_PCI_SUBSYSTEM_VENDOR,
	COMPAT_PCI_SUBSYSTEM_DEVICE,
	_COMPAT_PCI_FIELD_MAX,
};
/* "vendor", "device", "subsystem_vendor", "subsystem_device": the member names, also the
 * <field> of PCI_ID_MISMATCH:<field>. */
extern const char *const compat_pci_field_names[_COMPAT_PCI_FIELD_MAX];

/* One PCI id field: absent (n == 0), one id (in false, n == 1), or a pattern's {"in": [...]}
 * (in true, n >= 1). value[k] is the number, text[k] the string as written. */
struct compat_pci_id {
	size_t n;
	bool in;
	uint16_t *value;
	char **text;
};
struct compat_pci {
	struct compat_pci_id id[_COMPAT_PCI_FIELD_MAX];
};

/* Migration flags, a bit set. */
enum {
	COMPAT_MIG_STOP_COPY = 1 << 0,
	COMPAT_MIG_PRE_COPY = 1 << 1,
	COMPAT_MIG_P2P = 1 << 2,
};
#define COMPAT_MIG_N 3
/* The names in canonical order (bit k is compat_mig_names[k]): STOP_COPY, PRE_COPY, P2P. */
extern const char *const compat_mig_names[COMPAT_MIG_N];

struct compat_driver {
	char *name;    /* NULL: absent */
	char *version; /* NULL: absent */
	enum compat_scheme scheme;
	bool scheme_set; /* version_scheme given (a record's descriptor: semver when not) */
};

/* A version constraint, owned. view borrows from the other members: pass it to
 * compat_version_check(). */
struct compat_range {
	char *eq;
	char **any_of;
	size_t n_any_of;
	char *min;
	char *max;
	char *max_exclusive;
	bool include_prerelease;
	struct compat_version_range view;
};

/* A value that may be a template: text as written; tmpl the parsed template when the text was
 * written in a compatible pattern, NULL when it is literal (self, inherited values, integers).
 * Expand with compat_tvalue_expand(). text NULL: absent. */
struct compat_tvalue {
	char *text;
	struct compat_template *tmpl;
};

struct compat_attr {
	char *name;
	struct compat_tvalue value;
};

struct compat_kv {
	char *name;
	char *value;
};

enum compat_scalar_type {
	COMPAT_SCALAR_BOOL,
	COMPAT_SCALAR_INT,
	COMPAT_SCALAR_STRING,
};
/* A typed JSON scalar: a param value, an allowed value, a default. */
struct compat_scalar {
	enum compat_scalar_type type;
	bool b;
	int64_t i;
	struct compat_tvalue s; /* COMPAT_SCALAR_STRING */
};

struct compat_param {
	char *name;
	struct compat_scalar value;
};

/* What a descriptor says: self, the effective descriptor of a pattern. Lists keep the written
 * order; names within features, params and vendor_fields are unique. */
struct compat_descriptor {
	char *device_api; /* NULL: absent */
	struct compat_driver driver;
	struct compat_tvalue mdev_type;
	struct compat_pci pci;
	struct compat_attr *attrs;
	size_t n_attrs;
	struct strv features;
	struct compat_param *params;
	size_t n_params;
	struct compat_kv *vendor_fields;
	size_t n_vendor_fields;
	unsigned migration_flags; /* COMPAT_MIG_* */
};

/* One candidate pattern, inheritance done. */
struct compat_pattern {
	int compatible; /* index in $.compatible, -1 for self */
	struct compat_descriptor d;
	struct compat_vars vars;   /* none for self */
	struct compat_tvalue cost; /* "1" when not given */
	/* The constraint on the destination's driver version: the pattern's own, else the
	 * record's, else NULL for the default range around d.driver.version. */
	const struct compat_range *version_range;
	struct compat_range own_range; /* storage when the pattern gives one */
	bool has_own_range;
};

enum compat_feature_match {
	COMPAT_FEATURE_SUBSET,
	COMPAT_FEATURE_EXACT,
};

struct compat_record {
	struct compat_descriptor self; /* mdev_type, driver.scheme always set */
	char uuid[UUID_STR_LEN];       /* canonical; "" when absent */
	char *parent;		       /* informative; NULL when absent */
	bool self_is_candidate;	       /* default true */
	struct compat_range version_range;
	bool has_version_range;
	enum compat_feature_match feature_match; /* default subset */
	struct compat_kv *attr_defaults;
	size_t n_attr_defaults;
	unsigned requires_migration_flags;
	/* The candidates in preference order: patterns[k] is the plan's "pattern": k. Self first
	 * when self_is_candidate, then every $.compatible entry. */
	struct compat_pattern *patterns;
	size_t n_patterns;
	size_t n_compatible; /* entries of $.compatible */
};

/* Parse and validate a record (len bytes of text, no NUL needed). Returns 0 and *ret (free with
 * compat_record_free()), or -EINVAL with the error set to the first failing rule and its path
 * (the CLI exits 6). *ret is written only on success. */
int compat_record_parse(const char *text, size_t len, struct compat_record **ret);
/* Accepts NULL; returns NULL. */
struct compat_record *compat_record_free(struct compat_record *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct compat_record *, compat_record_free)
#define _cleanup_compat_record_ _cleanup_(compat_record_freep)

/* Expand a value under binding b of the pattern's vars: a copy of the text when literal,
 * compat_template_expand() otherwise (same returns, reasons and ownership). */
int compat_tvalue_expand(const struct compat_tvalue *v, const struct compat_vars *vs,
			 const struct compat_binding *b, char **ret, char **ret_reason);

/* The inventory. */

enum compat_attr_type {
	COMPAT_ATTR_INT,
	COMPAT_ATTR_BOOL,
	COMPAT_ATTR_STRING,
	COMPAT_ATTR_ANY,
};

/* A destination param: {"type", "allowed" | "range", "default", "off", "attr"}. */
struct compat_param_def {
	char *name;
	enum compat_scalar_type type;
	struct compat_scalar *allowed; /* NULL when not given */
	size_t n_allowed;
	bool has_range;
	int64_t range_min, range_max;
	bool has_default, has_off;
	struct compat_scalar def, off;
	char *attr; /* NULL when not given */
};

/* A settable attr: {"type", "allowed" | "range"}; values typed as the attr's type (any: none). */
struct compat_settable_attr {
	char *name;
	enum compat_attr_type type;
	struct compat_scalar *allowed;
	size_t n_allowed;
	bool has_range;
	int64_t range_min, range_max;
};

struct compat_inv_type {
	char *mdev_type;
	char *device_api;
	int64_t available_instances; /* >= 0 */
	char *name, *description;    /* NULL when absent */
	struct compat_driver driver;
	struct compat_pci pci; /* single ids only */
	struct strv features;
	struct compat_param_def *params;
	size_t n_params;
	struct compat_kv *vendor_fields;
	size_t n_vendor_fields;
	struct compat_settable_attr *settable_attrs;
	size_t n_settable_attrs;
	unsigned migration_flags;
	bool has_accepts;
	struct compat_range accepts_driver_version;
};

struct compat_inv_parent {
	char *parent;
	struct compat_inv_type *types;
	size_t n_types;
};

enum compat_dev_state {
	COMPAT_DEV_FREE,
	COMPAT_DEV_IN_USE,
	COMPAT_DEV_DEFINED,
};

struct compat_inv_device {
	char uuid[UUID_STR_LEN]; /* canonical */
	char *parent;
	char *mdev_type;
	struct compat_attr *attrs; /* in order, names may repeat; values literal */
	size_t n_attrs;
	enum compat_dev_state state;
	/* This host's running device without a definition: sysfs does not tell which attributes
	 * were written, in which order. attrs then holds what its attribute files read now, in
	 * no particular order, of the names a check could write (a NULL value text: the file is
	 * there but cannot be read, as vfio_ap's write-only ones). Set by compat-host.c, never by
	 * a parser: an inventory document states what it knows. */
	bool attrs_unknown;
};

struct compat_inventory {
	char *host; /* NULL when absent */
	struct compat_inv_parent *parents;
	size_t n_parents;
	struct compat_inv_device *devices;
	size_t n_devices;
};

/* Parse and validate an inventory, as compat_record_parse() does a record. */
int compat_inventory_parse(const char *text, size_t len, struct compat_inventory **ret);
/* The same checks on this host's own inventory (compat-host.c), built as a tree: the checks and
 * errors of its compact text, without the COMPAT_INPUT_MAX size limit (its size grows with the
 * host, 512 parents of 16 types is several MiB, and the limit is there against documents from
 * elsewhere). The other limits still apply. root is not changed. */
int compat_inventory_parse_host(json_t *root, struct compat_inventory **ret);
struct compat_inventory *compat_inventory_free(struct compat_inventory *inv);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct compat_inventory *, compat_inventory_free)
#define _cleanup_compat_inventory_ _cleanup_(compat_inventory_freep)

/* The canonical JSON of an inventory (a new reference): members in the order of COMPAT.md's
 * section-4 example (schema, host, parents, devices; a type's mdev_type, device_api,
 * available_instances, name, description, driver, pci, features, params, vendor_fields,
 * settable_attrs, migration_flags, accepts), absent when unknown or empty, migration flags in
 * canonical order, strings as written. Parsing the result gives the same inventory. */
json_t *compat_inventory_to_json(const struct compat_inventory *inv);
