/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Templates, variables and bindings of a compatibility record's `compatible` patterns (COMPAT.md
 * section 3, "Templates"): the declared variables of a pattern (int values or range, enum,
 * bool), the cartesian product of their values in the order the plan ranks them, the parsed
 * form of a template such as "i915-GVTg_V5_${n}" or "${n/2}", its expansion under one binding
 * with the reason a binding is skipped, and a set for de-duplicating bindings that yield the
 * same result. Pure: no I/O, no JSON; the record parser builds these from parsed JSON and the
 * matcher turns bindings back into JSON. Limits keep a hostile record from making the tool run
 * for minutes: every builder and the parser enforce them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define COMPAT_VARS_MAX		  8    /* variables per pattern */
#define COMPAT_VAR_VALUES_MAX	  1024 /* values per variable, a range once expanded */
#define COMPAT_BINDINGS_MAX	  4096 /* product of the value counts of a pattern */
#define COMPAT_TEMPLATE_LEN_MAX	  256  /* bytes of template text */
#define COMPAT_TEMPLATE_SUBST_MAX 16   /* ${...} per template ($$ does not count) */

enum compat_var_type {
	COMPAT_VAR_INT,
	COMPAT_VAR_ENUM,
	COMPAT_VAR_BOOL,
};

/* One declared variable. Read the fields, build only through compat_vars_add_*(). */
struct compat_var {
	char *name;
	enum compat_var_type type;
	size_t n_values; /* >= 1 and <= COMPAT_VAR_VALUES_MAX; 2 for bool (false, true) */
	/* COMPAT_VAR_INT: the values as written, or NULL for a range, whose value k is
	 * range_min + k * range_step (kept unexpanded: it costs nothing to compute). */
	int64_t *ints;
	int64_t range_min, range_step;
	/* COMPAT_VAR_ENUM: the values as written. */
	char **strs;
};

/* The variables of one pattern, in declaration order; zero-initialise, free with
 * compat_vars_clear(). No variables is valid: one empty binding. */
struct compat_vars {
	struct compat_var *v;
	size_t n;
};

/* Builders the record parser calls, one per declared variable, in declaration order. Each
 * checks: the name matches [A-Za-z_][A-Za-z0-9_]* and is not declared already; 1 to
 * COMPAT_VAR_VALUES_MAX values, no value twice; a range has step >= 1 and min <= max (max
 * itself is a value only when step reaches it: 1..8 step 2 is 1, 3, 5, 7); at most
 * COMPAT_VARS_MAX variables and COMPAT_BINDINGS_MAX bindings in all, so a compat_vars built
 * here is always within the limits. Values are copied. Return 0, or -EINVAL (a malformed
 * declaration) or -E2BIG (a limit) with the error set (error.h) to a message naming the
 * variable; on failure vs is unchanged. */
int compat_vars_add_int_values(struct compat_vars *vs, const char *name, const int64_t *values,
			       size_t n);
int compat_vars_add_int_range(struct compat_vars *vs, const char *name, int64_t min, int64_t max,
			      int64_t step);
int compat_vars_add_enum(struct compat_vars *vs, const char *name, const char *const *values,
			 size_t n);
int compat_vars_add_bool(struct compat_vars *vs, const char *name);
/* Free everything and leave vs empty (reusable). */
void compat_vars_clear(struct compat_vars *vs);
/* Index of the variable called name, or -ENOENT. */
int compat_vars_find(const struct compat_vars *vs, const char *name);
/* Number of bindings: the product of the value counts, 1 with no variables; saturates at
 * SIZE_MAX (never reached through the builders). */
size_t compat_vars_count(const struct compat_vars *vs);

/* One binding: for each variable i, the index of its value in index[i]. A plain value: copy it
 * by assignment, nothing to free. seq is its position in the product order (0-based), the
 * "binding index" by which candidates are ranked. */
struct compat_binding {
	size_t index[COMPAT_VARS_MAX];
	size_t n;
	size_t seq;
};

/* Iterate the cartesian product, first variable outermost, each variable's values in written
 * order (n=1,2 then m=a,b gives n=1 m=a; n=1 m=b; n=2 m=a; n=2 m=b):
 *	for (bool more = compat_binding_first(vs, &b); more; more = compat_binding_next(vs, &b))
 * first() returns false only when there is no binding (a variable without values, impossible
 * through the builders); next() returns false after the last one, leaving b unchanged. */
bool compat_binding_first(const struct compat_vars *vs, struct compat_binding *b);
bool compat_binding_next(const struct compat_vars *vs, struct compat_binding *b);

/* The value variable i takes in a binding, typed, for the plan's "binding": {"n": 4} (the
 * caller writes vs->v[i].name and this value as JSON, in declaration order). s points into vs:
 * valid until compat_vars_clear(). */
struct compat_value {
	enum compat_var_type type;
	union {
		int64_t i;     /* COMPAT_VAR_INT */
		const char *s; /* COMPAT_VAR_ENUM */
		bool b;	       /* COMPAT_VAR_BOOL */
	};
};
/* i < vs->n and b from the iterator over the same vs. */
void compat_binding_value(const struct compat_vars *vs, const struct compat_binding *b, size_t i,
			  struct compat_value *ret);
/* The binding as text for the readable plan: "n=4, mode=fast, ecc=true" in declaration order,
 * values as they substitute (see compat_template_expand()); "" with no variables. Appended to
 * out. */
void compat_binding_format(const struct compat_vars *vs, const struct compat_binding *b,
			   struct strbuf *out);

/* A parsed template. Grammar (no spaces anywhere inside ${...}, no nesting):
 *	"$$"		a literal '$' (so "$${n}" is the literal text "${n}")
 *	"${" NAME "}"	the variable's value
 *	"${" NAME OP K "}"  OP one of + - * /, K = "-"? ("0" | [1-9][0-9]*) fitting int64_t:
 *			a negative K is allowed ("${n*-1}", "${n+-1}" = "${n-1}"); "+K" and leading
 *			zeros are not (a leading zero reads as octal to the kernel's parser).
 * Any other character after '$' is a syntax error; everything else is literal, '}' included.
 * "${n/0}" is refused here: K is a constant, so the division could never be exact. */
struct compat_template;

/* Parse text. Returns 0 and *ret (free with compat_template_free()); -EINVAL for a syntax error
 * or -E2BIG for text over COMPAT_TEMPLATE_LEN_MAX bytes or more than COMPAT_TEMPLATE_SUBST_MAX
 * substitutions, then, when ret_error is not NULL, *ret_error (malloc'ed, caller frees) is a
 * message quoting the template and naming the position (1-based character) of the fault:
 *	Invalid template "${n%2}": unexpected '%', expected '}' or one of + - * / at character 4
 * *ret is written only on success, *ret_error only on failure. */
int compat_template_parse(const char *text, struct compat_template **ret, char **ret_error);
/* Accepts NULL; returns NULL. */
struct compat_template *compat_template_free(struct compat_template *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct compat_template *, compat_template_free)
#define _cleanup_compat_template_ _cleanup_(compat_template_freep)

/* The text the template was parsed from (owned by t). */
const char *compat_template_text(const struct compat_template *t);
/* True when the template has no ${...} (it expands to the same text under every binding). */
bool compat_template_is_literal(const struct compat_template *t);

/* Check a template against the pattern's variables, whether or not it will ever be expanded
 * (the record validator calls this for every template of every pattern). The first failing
 * ${...} in text order gives the reason:
 *	UNDECLARED_VARIABLE:<name>	the variable is not declared
 *	TEMPLATE_INVALID:<expr>		arithmetic on an enum or bool variable, <expr> being the
 *					text inside the braces ("TEMPLATE_INVALID:mode+1")
 * Returns 0, or -EINVAL and, when ret_reason is not NULL, *ret_reason (malloc'ed). */
int compat_template_check_vars(const struct compat_template *t, const struct compat_vars *vs,
			       char **ret_reason);

/* Expand t under binding b of vs. An int substitutes in decimal ("-3" when negative: the caller
 * rejects a negative attr value or a cost < 1), an enum value as written (not expanded again),
 * a bool as "true" or "false". Returns 0 and *ret (malloc'ed); or -EDOM when the binding is
 * invalid, with *ret_reason (malloc'ed) = "BINDING_INVALID:<expr>=<value><OP><K>", <expr> the
 * text inside the braces, <value> the variable's value in decimal:
 *	BINDING_INVALID:n/2=1/2		inexact division
 *	BINDING_INVALID:n*4=4611686018427387904*4	the result overflows int64_t (any OP)
 * or -EINVAL with the reason compat_template_check_vars() gives (checked first: an undeclared
 * variable anywhere in the text wins over an inexact division before it), or
 * "BINDING_INVALID:mismatch" when b does not come from vs (a caller's bug). ret_reason may be
 * NULL. Only one of *ret, *ret_reason is written. */
int compat_template_expand(const struct compat_template *t, const struct compat_vars *vs,
			   const struct compat_binding *b, char **ret, char **ret_reason);

/* A set of result keys for de-duplicating bindings: the caller decides what "the same result"
 * is (the spec: the same type and attrs after dropping defaults) by the key it builds, and
 * whether the set spans one pattern or all of them. Zero-initialise; free with
 * compat_dedup_clear(). */
struct compat_dedup_entry;
struct compat_dedup {
	struct compat_dedup_entry *slots; /* open addressing, private */
	size_t cap, n;
};
/* Append one field to a key so that a sequence of fields maps to a key unambiguously whatever
 * bytes they contain ("<length>:<bytes>"): add the type, then each attr name and value. */
void compat_dedup_key_add(struct strbuf *key, const char *field);
/* Record key with the caller's tag (a binding's seq, an index into its own list...). Returns
 * true when key is new; false when it was recorded before, then *ret_first (if not NULL) is the
 * tag it was first recorded with, the earliest, which wins. key is copied. */
bool compat_dedup_add(struct compat_dedup *d, const char *key, size_t tag, size_t *ret_first);
void compat_dedup_clear(struct compat_dedup *d);
