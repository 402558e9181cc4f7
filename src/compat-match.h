/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The matching engine of migration compatibility (COMPAT.md sections 3, 5 and 6): given a
 * parsed source record and a parsed destination inventory, evaluate every (pattern, binding,
 * parent, type) target against the rules, collect every failing rule of every target, rank the
 * candidates a destination offers (reuse of a free device or creation of a new one), decide the
 * verdict, and present the result as the plan: JSON for `check --dumpjson` and `--dry-run`,
 * readable text otherwise, and the chosen candidate's facts for create-compatible. Several
 * hosts' plans are ranked for a scheduler. Pure: no I/O, no printing, no randomness (the caller
 * passes the fresh UUID a new device may need), so that `check` on exported inventories and the
 * real create on this host decide exactly alike.
 *
 * Decisions where COMPAT.md is silent (see also the prototypes):
 * - Pattern numbers in the plan are the record's: self is 0, $.compatible[i] is i + 1, whether
 *   or not self is a candidate.
 * - A binding has one reason at most: the first expansion failure (mdev_type, attr values in
 *   order, string param values in order, cost), else the first attr that is a negative
 *   integer, else a cost that is not an integer >= 1. Only a value that came from a template
 *   with a ${...} is refused for being negative (BINDING_INVALID:<attr>=<value>): a literal
 *   value is the source's own setting, which the attr rules judge.
 * - De-duplication key: the type, the attrs after dropping defaults, and the pattern's param
 *   values after expansion. COMPAT.md names only type and attrs; two bindings that differ in a
 *   param give different devices, so dropping one would lose a target, while with equal params
 *   the key is the specified one.
 * - Reasons of one target: rules 1-10 of COMPAT.md section 3 in order, then NO_CAPACITY, then
 *   UUID_CONFLICT, all of them whatever failed before. Params: first the pattern's params in
 *   name order (strcmp), then the destination's params the pattern does not list, in name
 *   order; the writes of both groups merged in param-name order, after the pattern's attrs.
 * - A destination param without a default is an acceptance range, not a setting (COMPAT.md
 *   section 3): a value the pattern gives within it, or its `off` when the pattern does not
 *   list it, is accepted as it is, and written through the param's `attr` when it has one
 *   (the default is unknown, so nothing is "no change"); never PARAM_NOT_SETTABLE.
 * - Attrs: a type that states no settable_attrs at all (no layer says anything about its
 *   attributes) takes the attributes the source's self carries (by name, any value) when it is
 *   the source's own type; any other attribute there, and every attribute on another type, is
 *   ATTR_NOT_SETTABLE. A type that states some settable_attrs takes only those.
 * - Int attrs are read as a 64-bit kernel's kstrtoul(s, 0) reads them (optional '+', 0x/0X
 *   hex, leading 0 octal, else decimal; no sign; one trailing newline at most; overflow
 *   refused); bool attrs as kstrtobool on every kernel since 4.x: first character y/Y/1 or
 *   n/N/0, or o/O followed by n/N (on) or f/F (off). Being conservative here only makes a host
 *   look less compatible than a newer kernel would be.
 * - Reuse: only devices in state "free" on the target's parent with the same type and, after
 *   dropping defaults, exactly the target's writes (pattern attrs, then param writes) in order.
 *   A UUID that must be kept (--uuid, or the source's under --keep-uuid) and differs from the
 *   free device's makes that reuse UUID_CONFLICT. A reuse candidate reports the binding's cost,
 *   although it consumes no capacity ("action" says which).
 * - A new device's UUID: --uuid, else the source's, else the fresh one; a taken source UUID is
 *   replaced by the fresh one unless --keep-uuid; a taken --uuid, source UUID under
 *   --keep-uuid, or (never in practice) fresh UUID is UUID_CONFLICT. Every inventory device
 *   counts, whatever its state.
 * - A target that yields any candidate (a reuse or the create) is no rejection. A target that
 *   yields none is one rejection with all its reasons; it counts as "incompatible" when a rule
 *   of section 3 failed, else as "blocked" when UUID_CONFLICT is among its reasons (with or
 *   without NO_CAPACITY: neither is a reason never to come back, COMPAT.md section 5), else as
 *   "no-capacity" (its only reason is NO_CAPACITY).
 * - "candidates" is the full ranked list, the chosen one included as its first member
 *   (COMPAT.md's section 6 example abbreviates it as []).
 *
 * The readable plan (compat_plan_format()), one line each, every line ending in '\n':
 *	verdict: <verdict>			(or "host <host>: <verdict>" when host is given)
 *	chosen: <candidate> | chosen: none
 *	candidate <i>: <candidate>		(i its rank from 2: the chosen one is rank 1 and
 *						is not repeated; every candidate when none is chosen)
 *	rejected: <target>: <reason>[; <reason>...]	(every rejection, in evaluation order)
 *	not shown: ...				(compat_plan_format_ex() without VERBOSE)
 * where
 *	<candidate> = <action> <type> on <parent> as <uuid>[ (not the source's UUID)];
 *		      pattern <k>[ with <binding>]; cost <c>; attrs <a>=<v>[, ...] | attrs none
 *	and a fresh UUID, which every run draws anew, is "as a new UUID", followed by
 *	" (the source's <uuid> is taken, by <type> on <parent>, <in use|defined|free>)" when
 *	that is why
 *	<target> = pattern <k>[ with <binding>][, <type>][ on <parent>]
 *	<binding> = n=4, mode=fast (compat_binding_format())
 * (the candidate is one line; it is wrapped here), and each reason spelled out in words with
 * its details, e.g. "no capacity: 0 available, 1 needed", "feature missing on the destination:
 * pv_context, pv_ppgtt", "binding invalid: n/2 = 1/2 is not a whole number". Control
 * characters in names and values are written as \xNN so that every line stays one line. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat-record.h"
#include "util.h"

#define COMPAT_PLAN_SCHEMA "mdev-compat-plan/1"

enum compat_verdict {
	COMPAT_VERDICT_COMPATIBLE,
	COMPAT_VERDICT_NO_CAPACITY,
	COMPAT_VERDICT_BLOCKED,
	COMPAT_VERDICT_INCOMPATIBLE,
};
/* "compatible", "no-capacity", "blocked", "incompatible"; NULL outside the enum. */
const char *compat_verdict_to_string(enum compat_verdict v);
/* The exit status of COMPAT.md section 1: 0, 4, 5, 3; 1 (runtime error) outside the enum. */
int compat_verdict_exit_status(enum compat_verdict v);

enum compat_policy {
	COMPAT_POLICY_FIRST_FIT,
	COMPAT_POLICY_SPREAD,
	COMPAT_POLICY_PACK,
};
/* "first-fit", "spread", "pack" (exact). Returns 0 and *ret, or -EINVAL (NULL included; *ret
 * untouched). */
int compat_policy_from_string(const char *s, enum compat_policy *ret);
const char *compat_policy_to_string(enum compat_policy p);

enum compat_mode {
	COMPAT_MODE_LIVE,
	COMPAT_MODE_COLD,
};
/* "live", "cold" (exact). Returns 0 and *ret, or -EINVAL (*ret untouched). */
int compat_mode_from_string(const char *s, enum compat_mode *ret);
const char *compat_mode_to_string(enum compat_mode m);

/* The SELECTION options of COMPAT.md section 1. Zero-initialised means: no hint, no --uuid,
 * first-fit, live, reuse allowed, start manual; fresh_uuid is always required. */
struct compat_select {
	const char *parent_hint; /* --prefer-parent, NULL: none; compared byte for byte */
	/* --parent: only targets on this parent are examined (the caller checks that it exists);
	 * NULL: every parent. */
	const char *parent_only;
	const char *uuid; /* --uuid (canonical lower-case), NULL: none */
	bool keep_uuid;	  /* --keep-uuid */
	enum compat_policy policy;
	enum compat_mode mode;
	bool no_reuse;	/* --no-reuse */
	bool autostart; /* "start": "auto" instead of "manual" in the plan's mdevctl.config */
	const char *fresh_uuid; /* caller-generated random UUID (canonical) for a new one */
};

/* Where a candidate's UUID comes from. */
enum compat_uuid_from {
	COMPAT_UUID_SOURCE,    /* the record's self.uuid */
	COMPAT_UUID_REQUESTED, /* --uuid */
	COMPAT_UUID_DEVICE,    /* a reused free device's own */
	COMPAT_UUID_FRESH,     /* sel->fresh_uuid: random, drawn again by each run */
};

/* One candidate's facts: what create-compatible does (write create with uuid under parent's
 * type, then attrs in order), reuses, or finds done already. Strings and attrs are owned by
 * the plan. */
struct compat_choice {
	bool reuse;
	/* The wanted UUID (--uuid, else the source's) runs already on this parent, with this type
	 * and exactly these attrs: a retry finds what an earlier run made ("action": "existing").
	 * Nothing is created and no capacity taken. */
	bool existing;
	/* The wanted UUID is defined, not running, on this parent with this type and attrs: the
	 * create starts that definition again (a create candidate ranked first, needing capacity
	 * like any other). */
	bool restart;
	/* existing, and the inventory does not know the device's attrs (this host's running
	 * device without a definition): create-compatible reads each of attrs back before it
	 * takes the device for the answer. */
	bool verify_attrs;
	const char *parent, *mdev_type, *uuid;
	bool uuid_changed; /* the source has a UUID and this is another one */
	enum compat_uuid_from uuid_from;
	const struct compat_kv *attrs; /* name/value pairs to write, in order, defaults dropped */
	size_t n_attrs;
	int64_t cost;
	/* Additions: where the candidate comes from, and the type's capacity. */
	unsigned pattern;	  /* the plan's "pattern" */
	size_t binding;		  /* the binding's seq within its pattern */
	const char *binding_text; /* "n=4, mode=fast" (compat_binding_format()), "" for none */
	int64_t available;	  /* available_instances of the type on that parent */
};

/* The plan's "action" of c: "existing", "reuse" or "create" (a restart included). Static. */
const char *compat_choice_action(const struct compat_choice *c);

struct compat_plan;

/* Evaluate every (pattern, binding, parent, type) target of record r against inventory inv
 * under the selection sel, and build the plan. Never fails on a valid record and inventory:
 * returns 0 and *ret (free with compat_plan_free()); -EINVAL with the error set (error.h) only
 * for a caller's bug: sel NULL, sel->fresh_uuid missing or not canonical, sel->uuid not
 * canonical, an enum outside its values. The plan owns copies of everything it shows: r and
 * inv may be freed before it. */
int compat_match(const struct compat_record *r, const struct compat_inventory *inv,
		 const struct compat_select *sel, struct compat_plan **ret);
/* What compat_match() of r under sel can look at in an inventory: the type names r's bindings
 * expand to (sorted, each once; a superset: a binding that fails later, on an attr or its cost,
 * still names its type), and the UUIDs whose use it asks about (the requested one, the
 * source's, the fresh one). Free devices aside, it looks at no other type or device, so a host
 * need not gather the facts of any other: its own inventory never has free devices. */
void compat_match_needs(const struct compat_record *r, const struct compat_select *sel,
			struct strv *types, struct strv *uuids);
/* The names of the attrs r's patterns write (sorted, each once), appended to names: with the
 * attrs of the params of a type, what a running device of unknown writes is asked about
 * (compat_inv_device.attrs_unknown). */
void compat_match_attr_names(const struct compat_record *r, struct strv *names);
/* Accepts NULL; returns NULL. */
struct compat_plan *compat_plan_free(struct compat_plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct compat_plan *, compat_plan_free)
#define _cleanup_compat_plan_ _cleanup_(compat_plan_freep)

enum compat_verdict compat_plan_verdict(const struct compat_plan *p);
/* The chosen candidate (the first in rank order), NULL when the verdict is not compatible.
 * Valid as long as p. */
const struct compat_choice *compat_plan_chosen(const struct compat_plan *p);
/* Every candidate in rank order; i < compat_plan_n_candidates(p). */
size_t compat_plan_n_candidates(const struct compat_plan *p);
const struct compat_choice *compat_plan_candidate(const struct compat_plan *p, size_t i);
size_t compat_plan_n_rejections(const struct compat_plan *p);
/* When the wanted UUID (--uuid, else the source's) is taken on the destination: which device
 * has it, in words ("i915-GVTg_V5_8 on 0000:00:02.0, in use"), else NULL. Valid as long as p. */
const char *compat_plan_uuid_holder(const struct compat_plan *p);

/* The plan as JSON (section 6), a new reference, members in this order:
 *	"schema" (COMPAT_PLAN_SCHEMA), "host" (only when host is not NULL), "verdict", "chosen" (a candidate or null),
 *	"mdevctl" ({"parent", "uuid", "config": {"mdev_type", "start", "attrs"}} or null),
 *	"candidates" (ranked), "rejections" (in evaluation order: pattern, binding, parent)
 * a candidate being {"action", "parent", "mdev_type", "attrs", "uuid", "uuid_changed",
 * "pattern", "binding", "cost"} and a rejection {"pattern", "binding", "parent"?,
 * "mdev_type"?, "reasons"}; attrs in mdevctl's form [{"name": "value"}, ...], a binding
 * {"var": value} with values typed as declared. Pretty-print it with json_io_pretty(). */
json_t *compat_plan_to_json(const struct compat_plan *p, const char *host);
/* The readable plan (see the top of this file), appended to out; host as above. Without
 * COMPAT_FORMAT_VERBOSE, the rejections that only say that a binding does not apply
 * (BINDING_INVALID) or that a type is not there (TYPE_NOT_FOUND) are left out, and counted on
 * a last line "not shown: 2 bindings that do not apply, 1 type the destination does not have
 * (--verbose shows them)". compat_plan_format() is the verbose one. */
enum {
	COMPAT_FORMAT_VERBOSE = 1 << 0,
};
void compat_plan_format_ex(const struct compat_plan *p, const char *host, unsigned flags,
			   struct strbuf *out);
void compat_plan_format(const struct compat_plan *p, const char *host, struct strbuf *out);

/* Append s to out with control characters as \xNN, so that a line of text stays one line. */
void compat_put_text(struct strbuf *out, const char *s);

/* Rank several hosts' plans: fills order[0..n-1] with indices into plans, compatible first,
 * then no-capacity, blocked, incompatible, and a NULL plan (a host whose inventory could not
 * be checked) last; ties keep the given order. Linear in n. */
void compat_plans_rank(const struct compat_plan *const *plans, size_t n, size_t *order);
/* The entry of a host whose inventory could not be read or checked, in the place of its plan:
 * {"schema", "host", "verdict": "error", "error": <message>} (a new reference), and as text
 * "host <host>: error: <message>\n" appended to out. */
json_t *compat_plan_error_json(const char *host, const char *error);
void compat_plan_format_error(const char *host, const char *error, struct strbuf *out);
