/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule files ("mdev-compat-rules/1", COMPAT.md section 4): what a vendor (or an administrator)
 * knows about the mdev types of a driver that sysfs does not say. One file is
 *	{"schema": "mdev-compat-rules/1", "description": "...",
 *	 "types": [{"mdev_type": "<glob>", "description": "...",
 *	            "descriptor": {...type facts...}, "record": {...record members...}}]}
 * and both hosts of a migration read the same statement: the destination layers an entry's
 * `descriptor` over what sysfs shows of a type (its inventory), the source takes the entry's
 * `record` part (attr_defaults, compatible patterns...) into the record it writes.
 *
 * Everything here is validated by the record and inventory parsers themselves
 * (compat-record.h), never by a second copy of their rules: a descriptor is wrapped into a
 * one-type inventory and a record part into a record with a placeholder `self`, and the
 * error's JSON path is rewritten to name the place in the rule file:
 *	$.types[2].descriptor.features[1]: expected a string
 *	$.types[0].record.compatible[0].mdev_type: UNDECLARED_VARIABLE:m
 * The same holds for type facts from other sources (a type's sysfs `migration_info` file, a
 * callout's `-e get -a compat` answer): compat_facts_validate().
 *
 * Decisions where COMPAT.md is silent:
 * - `schema` and `types` are required at the top, `mdev_type` in an entry; `description` (top
 *   and entry) is free text of at most COMPAT_TEXT_MAX bytes; `types` may be empty and holds at
 *   most COMPAT_RULE_ENTRIES_MAX entries. The checks run in this order: size, syntax,
 *   nesting (COMPAT_DEPTH_MAX, counted on the parsed tree), `schema`, then, as in records,
 *   unknown members in document order before the values of the known ones.
 * - A glob is matched with fnmatch(3) without flags against the whole type id: `*`, `?`,
 *   `[...]`, and `\` to quote. It is refused when empty, longer than COMPAT_STRING_MAX, or when
 *   it contains '/' (no type id does, so such a glob could never match: a mistake).
 * - Type facts are the members an inventory type may have except `mdev_type` (the glob, or
 *   the sysfs directory, names the type) and `available_instances` (capacity is only ever
 *   what sysfs says now). A `device_api` is optional in facts; so is everything else.
 * - A record part may hold `self_is_candidate`, `version_range`, `feature_match`,
 *   `attr_defaults`, `requires` and `compatible`; `schema`, `self` and `generated` belong to
 *   the record mdevctl writes and are refused. Templates are checked against each pattern's
 *   vars as in a record. Version strings in a record part are checked under the
 *   `driver.version_scheme` of the same entry's descriptor when it gives one, else they must
 *   be valid under at least one scheme: the source's driver decides at run time.
 * - An empty `descriptor` or `record` object is the same as an absent one.
 * - Duplicate member names are refused, as in records.
 * - Type facts may nest at most COMPAT_DEPTH_MAX - 4 levels (an inventory holds them 4 levels
 *   down), far more than any valid facts need.
 * - Rule files are read whole up to COMPAT_INPUT_MAX bytes, like records. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "compat-record.h"
#include "macro.h"

#define COMPAT_RULES_SCHEMA	"mdev-compat-rules/1"
#define COMPAT_RULE_ENTRIES_MAX 4096 /* entries in one file's `types` */

/* The entries of every rule file loaded, in processing order. Opaque. */
struct compat_rules;

/* An empty set of rules; never NULL. */
struct compat_rules *compat_rules_new(void);
/* Accepts NULL; returns NULL. */
struct compat_rules *compat_rules_free(struct compat_rules *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct compat_rules *, compat_rules_free)
#define _cleanup_compat_rules_ _cleanup_(compat_rules_freep)

/* Parse and validate one rule file's text (len bytes, no NUL needed); on success append its
 * entries to r, in order, and return 0. On failure return -EINVAL with the error set to
 * "<name>: <path>: <reason>" (name is only used there) and leave r unchanged. */
int compat_rules_add(struct compat_rules *r, const char *name, const char *text, size_t len);

/* Load the rule files of this host: the vendor directory (MDEVCTL_COMPATDIR, by default
 * /usr/lib/mdevctl/compat.d) and the administrator's (/etc/mdevctl/compat.d), both under
 * MDEVCTL_ENV_ROOT (env.h; call env_init() first). A file counts when it is a regular file (a
 * symbolic link to one is followed) named *.json whose name does not start with '.'. A name in
 * the admin directory replaces the vendor file of the same name, and a symbolic link there to
 * /dev/null just hides it (systemd's masking convention); the resulting files are processed
 * in strcmp() order of their names. A missing directory is fine. A file that cannot be read
 * or is invalid is reported with log_warn() (naming the file and the error) and skipped,
 * and so is the vendor file it replaces: a broken rule file must not break the host, and an
 * administrator's replacement must never silently fall back to what it replaced.
 * Returns 0 and *ret (free with compat_rules_free()); the error chain is left clear. Never
 * fails today (allocation failure ends the program); a negative errno is reserved for that. */
int compat_rules_load(struct compat_rules **ret);

/* The number of entries in r. */
size_t compat_rules_count(const struct compat_rules *r);

/* The merged type facts, or record part, for a type id: every entry whose glob matches, in
 * processing order (file order, then entry order), merged later over earlier with
 * compat_json_merge(). NULL when no entry matches or none of the matching ones has that part.
 * A new reference owned by the caller. The merge of valid parts need not be valid (an int
 * param made a bool by a later entry keeps its earlier range): whoever layers the result into
 * an inventory or a record parses the whole again. */
json_t *compat_rules_descriptor(const struct compat_rules *r, const char *type_id);
json_t *compat_rules_record(const struct compat_rules *r, const char *type_id);

/* Layer from over into, both objects (anything else: nothing happens): a member that is an
 * object on both sides is merged member by member, recursively; any other value of from
 * (array, string, number, boolean, null) replaces into's, as a deep copy. Members keep
 * their order, new ones are appended. Used for rule entries, migration_info and callout
 * facts. */
void compat_json_merge(json_t *into, const json_t *from);

/* Validate type facts from a source other than a rule file (a migration_info file, a
 * callout's answer) under the same rules as a rule's descriptor. Returns 0, or -EINVAL with
 * the error set to "<where>: <path>: <reason>", the path rooted at the facts object
 * ("migration_info of mtty-2: $.features[1]: expected a string"). */
int compat_facts_validate(const json_t *facts, const char *where);
