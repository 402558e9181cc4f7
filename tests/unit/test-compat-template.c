// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of compatibility templates: the syntax and its errors, expansion with each operator
 * and the exact BINDING_INVALID reasons, undeclared variables found without expanding, the
 * order of the cartesian product, ranges, enum and bool values, de-duplication and every
 * limit. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "compat-template.h"
#include "error.h"
#include "tap.h"
#include "util.h"

/* Every binding of vs formatted and joined with "; ", checking seq counts up from 0. */
static char *product(const struct compat_vars *vs, bool *seq_ok)
{
	struct strbuf sb = { 0 };
	struct compat_binding b;
	size_t n = 0;
	*seq_ok = true;
	for (bool more = compat_binding_first(vs, &b); more; more = compat_binding_next(vs, &b)) {
		if (n)
			sb_puts(&sb, "; ");
		compat_binding_format(vs, &b, &sb);
		if (b.seq != n)
			*seq_ok = false;
		n++;
	}
	if (n != compat_vars_count(vs))
		*seq_ok = false;
	return sb_steal(&sb);
}

static void test_syntax_errors(void)
{
	static const struct {
		const char *text;
		int r;
		const char *error;
	} cases[] = {
		{ "${", -EINVAL,
		  "Invalid template \"${\": unexpected end of template, expected a variable name at character 3" },
		{ "${}", -EINVAL,
		  "Invalid template \"${}\": unexpected '}', expected a variable name at character 3" },
		{ "${n", -EINVAL,
		  "Invalid template \"${n\": unexpected end of template, expected '}' or one of + - * / at character 4" },
		{ "${ n}", -EINVAL,
		  "Invalid template \"${ n}\": unexpected ' ', expected a variable name at character 3" },
		{ "${n }", -EINVAL,
		  "Invalid template \"${n }\": unexpected ' ', expected '}' or one of + - * / at character 4" },
		{ "${n + 1}", -EINVAL,
		  "Invalid template \"${n + 1}\": unexpected ' ', expected '}' or one of + - * / at character 4" },
		{ "${n+ 1}", -EINVAL,
		  "Invalid template \"${n+ 1}\": unexpected ' ', expected an integer at character 5" },
		{ "${n+1 }", -EINVAL,
		  "Invalid template \"${n+1 }\": unexpected ' ', expected '}' at character 6" },
		{ "${n+}", -EINVAL,
		  "Invalid template \"${n+}\": unexpected '}', expected an integer at character 5" },
		{ "${n%2}", -EINVAL,
		  "Invalid template \"${n%2}\": unexpected '%', expected '}' or one of + - * / at character 4" },
		{ "${n/0}", -EINVAL,
		  "Invalid template \"${n/0}\": division by zero at character 4" },
		{ "${n/-0}", -EINVAL,
		  "Invalid template \"${n/-0}\": division by zero at character 4" },
		{ "$x", -EINVAL,
		  "Invalid template \"$x\": unexpected 'x', expected '{' or '$' after '$' at character 2" },
		{ "a$", -EINVAL,
		  "Invalid template \"a$\": unexpected end of template, expected '{' or '$' after '$' at character 3" },
		{ "$$$", -EINVAL,
		  "Invalid template \"$$$\": unexpected end of template, expected '{' or '$' after '$' at character 4" },
		{ "$(n)", -EINVAL,
		  "Invalid template \"$(n)\": unexpected '(', expected '{' or '$' after '$' at character 2" },
		{ "${1n}", -EINVAL,
		  "Invalid template \"${1n}\": unexpected '1', expected a variable name at character 3" },
		{ "${n-x}", -EINVAL,
		  "Invalid template \"${n-x}\": unexpected 'x', expected an integer at character 5" },
		{ "${n++1}", -EINVAL,
		  "Invalid template \"${n++1}\": unexpected '+', expected an integer at character 5" },
		{ "${n+--1}", -EINVAL,
		  "Invalid template \"${n+--1}\": unexpected '-', expected an integer at character 6" },
		{ "${n*2*2}", -EINVAL,
		  "Invalid template \"${n*2*2}\": unexpected '*', expected '}' at character 6" },
		{ "${n+01}", -EINVAL,
		  "Invalid template \"${n+01}\": integer with a leading zero at character 5" },
		{ "${n+1.5}", -EINVAL,
		  "Invalid template \"${n+1.5}\": unexpected '.', expected '}' at character 6" },
		{ "${n+0x10}", -EINVAL,
		  "Invalid template \"${n+0x10}\": unexpected 'x', expected '}' at character 6" },
		{ "${n+9223372036854775808}", -EINVAL,
		  "Invalid template \"${n+9223372036854775808}\": integer out of range at character 5" },
		{ "${n--9223372036854775809}", -EINVAL,
		  "Invalid template \"${n--9223372036854775809}\": integer out of range at character 5" },
		{ "${n+${m}}", -EINVAL,
		  "Invalid template \"${n+${m}}\": unexpected '$', expected an integer at character 5" },
		{ "${${n}}", -EINVAL,
		  "Invalid template \"${${n}}\": unexpected '$', expected a variable name at character 3" },
		{ "${n}${", -EINVAL,
		  "Invalid template \"${n}${\": unexpected end of template, expected a variable name at character 7" },
		{ "${n\t}", -EINVAL,
		  "Invalid template \"${n\\x09}\": unexpected byte 0x09, expected '}' or one of + - * / at character 4" },
		{ "\"\\${", -EINVAL,
		  "Invalid template \"\\\"\\\\${\": unexpected end of template, expected a variable name at character 5" },
		{ "${é}", -EINVAL,
		  "Invalid template \"${é}\": unexpected byte 0xc3, expected a variable name at character 3" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_template *t = NULL;
		_cleanup_free_ char *error = NULL;
		int r = compat_template_parse(cases[i].text, &t, &error);
		ok(r == cases[i].r && !t, "'%s' is refused (%d)", cases[i].text, r);
		is_str(error, cases[i].error, "'%s': message names the position", cases[i].text);
		compat_template_free(t);
	}
	struct compat_template *t = NULL;
	ok(compat_template_parse("${", &t, NULL) == -EINVAL && !t, "ret_error may be NULL");
}

/* Expansion with n (int), mode (enum) and on (bool) bound to the given values. */
static void test_expand(void)
{
	static const struct {
		const char *text;
		int64_t n;
		int r;
		const char *want; /* the expansion, or the reason when r < 0 */
	} cases[] = {
		{ "", 4, 0, "" },
		{ "plain", 4, 0, "plain" },
		{ "}{", 4, 0, "}{" },
		{ "i915-GVTg_V5_${n}", 4, 0, "i915-GVTg_V5_4" },
		{ "${n}", 4, 0, "4" },
		{ "${n}${n}", 4, 0, "44" },
		{ "a${n}b${n}c", 4, 0, "a4b4c" },
		{ "$$", 4, 0, "$" },
		{ "$$$$", 4, 0, "$$" },
		{ "$${n}", 4, 0, "${n}" },
		{ "$$${n}", 4, 0, "$4" },
		{ "cost$$", 4, 0, "cost$" },
		{ "${n+1}", 4, 0, "5" },
		{ "${n-1}", 4, 0, "3" },
		{ "${n*3}", 4, 0, "12" },
		{ "${n/2}", 4, 0, "2" },
		{ "${n/4}", 4, 0, "1" },
		{ "${n/2}", 1, -EDOM, "BINDING_INVALID:n/2=1/2" },
		{ "x${n}-${n/2}", 1, -EDOM, "BINDING_INVALID:n/2=1/2" },
		{ "${n/3}", 8, -EDOM, "BINDING_INVALID:n/3=8/3" },
		{ "${n/-2}", 8, 0, "-4" },
		{ "${n/-3}", 8, -EDOM, "BINDING_INVALID:n/-3=8/-3" },
		{ "${n/2}", -6, 0, "-3" },
		{ "${n/2}", 0, 0, "0" },
		{ "${n+-1}", 4, 0, "3" },
		{ "${n--1}", 4, 0, "5" },
		{ "${n*-1}", 4, 0, "-4" },
		{ "${n-5}", 4, 0, "-1" },
		{ "${n*0}", 4, 0, "0" },
		{ "${n+0}", 4, 0, "4" },
		{ "${n}", -7, 0, "-7" },
		{ "${n+1}", INT64_MAX, -EDOM, "BINDING_INVALID:n+1=9223372036854775807+1" },
		{ "${n-1}", INT64_MIN, -EDOM, "BINDING_INVALID:n-1=-9223372036854775808-1" },
		{ "${n*2}", 4611686018427387904, -EDOM,
		  "BINDING_INVALID:n*2=4611686018427387904*2" },
		{ "${n/-1}", INT64_MIN, -EDOM, "BINDING_INVALID:n/-1=-9223372036854775808/-1" },
		{ "${n*-1}", INT64_MIN, -EDOM, "BINDING_INVALID:n*-1=-9223372036854775808*-1" },
		{ "${n+-9223372036854775808}", 0, 0, "-9223372036854775808" },
		{ "${n+9223372036854775807}", 0, 0, "9223372036854775807" },
		{ "${n}", INT64_MIN, 0, "-9223372036854775808" },
		{ "${mode}", 4, 0, "fa$t{}" },
		{ "${mode}-${n}", 4, 0, "fa$t{}-4" },
		{ "${on}", 4, 0, "true" },
		{ "ecc=${on},n=${n*2}", 4, 0, "ecc=true,n=8" },
		{ "${mode+1}", 4, -EINVAL, "TEMPLATE_INVALID:mode+1" },
		{ "${on*2}", 4, -EINVAL, "TEMPLATE_INVALID:on*2" },
		{ "${m}", 4, -EINVAL, "UNDECLARED_VARIABLE:m" },
		{ "${n/2}${m}", 1, -EINVAL, "UNDECLARED_VARIABLE:m" },
		{ "${N}", 4, -EINVAL, "UNDECLARED_VARIABLE:N" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_vars vs = { 0 };
		static const char *const modes[] = { "slow", "fa$t{}" };
		int r = compat_vars_add_int_values(&vs, "n", &cases[i].n, 1);
		r = r ?: compat_vars_add_enum(&vs, "mode", modes, ELEMENTSOF(modes));
		r = r ?: compat_vars_add_bool(&vs, "on");
		struct compat_binding b;
		ok(r == 0 && compat_binding_first(&vs, &b), "case %zu: variables declared", i);
		b.index[1] = 1; /* mode = "fa$t{}" */
		b.index[2] = 1; /* on = true */

		_cleanup_(compat_template_freep) struct compat_template *t = NULL;
		_cleanup_free_ char *error = NULL, *out = NULL, *reason = NULL;
		r = compat_template_parse(cases[i].text, &t, &error);
		if (r < 0) {
			ok(false, "'%s' parses: %s", cases[i].text, error);
			compat_vars_clear(&vs);
			continue;
		}
		r = compat_template_expand(t, &vs, &b, &out, &reason);
		if (cases[i].r == 0)
			is_str(r == 0 ? out : reason, cases[i].want, "'%s' with n=%" PRId64,
			       cases[i].text, cases[i].n);
		else
			ok(r == cases[i].r && !out && reason && streq(reason, cases[i].want),
			   "'%s' with n=%" PRId64 " gives %s (got %d %s)", cases[i].text,
			   cases[i].n, cases[i].want, r, reason ? reason : out);
		compat_vars_clear(&vs);
	}
}

/* The example of the spec: n in 1, 2, 4, 8 through "${n/2}". */
static void test_spec_example(void)
{
	static const int64_t values[] = { 1, 2, 4, 8 };
	static const char *const want[] = { "BINDING_INVALID:n/2=1/2", "1", "2", "4" };
	struct compat_vars vs = { 0 };
	ok(compat_vars_add_int_values(&vs, "n", values, ELEMENTSOF(values)) == 0, "n declared");
	_cleanup_(compat_template_freep) struct compat_template *t = NULL;
	ok(compat_template_parse("${n/2}", &t, NULL) == 0, "${n/2} parses");
	struct compat_binding b;
	size_t k = 0;
	for (bool more = compat_binding_first(&vs, &b); more; more = compat_binding_next(&vs, &b)) {
		_cleanup_free_ char *out = NULL, *reason = NULL;
		int r = compat_template_expand(t, &vs, &b, &out, &reason);
		struct compat_value val;
		compat_binding_value(&vs, &b, 0, &val);
		is_str(r == 0 ? out : reason, want[k], "binding %zu (n=%" PRId64 ")", b.seq, val.i);
		ok(val.type == COMPAT_VAR_INT && val.i == values[k], "binding %zu value", b.seq);
		k++;
	}
	ok(k == 4, "four bindings");
	compat_vars_clear(&vs);
}

static void test_check_vars(void)
{
	static const struct {
		const char *text;
		const char *reason; /* NULL: valid */
	} cases[] = {
		{ "literal", NULL },
		{ "$${undeclared}", NULL },
		{ "${n}-${mode}-${on}", NULL },
		{ "${n/3}", NULL }, /* inexact for some n: a binding matter, not the record's */
		{ "${x}", "UNDECLARED_VARIABLE:x" },
		{ "${n}${x}${y}", "UNDECLARED_VARIABLE:x" },
		{ "${mode-1}${x}", "TEMPLATE_INVALID:mode-1" },
		{ "${x}${mode-1}", "UNDECLARED_VARIABLE:x" },
		{ "${on/2}", "TEMPLATE_INVALID:on/2" },
		{ "${n_}", "UNDECLARED_VARIABLE:n_" },
	};
	struct compat_vars vs = { 0 };
	static const int64_t n[] = { 1, 2 };
	static const char *const modes[] = { "a" };
	ok(compat_vars_add_int_values(&vs, "n", n, 2) == 0 &&
		   compat_vars_add_enum(&vs, "mode", modes, 1) == 0 &&
		   compat_vars_add_bool(&vs, "on") == 0,
	   "variables declared");
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(compat_template_freep) struct compat_template *t = NULL;
		_cleanup_free_ char *reason = NULL;
		ok(compat_template_parse(cases[i].text, &t, NULL) == 0, "'%s' parses",
		   cases[i].text);
		int r = compat_template_check_vars(t, &vs, &reason);
		ok(r == (cases[i].reason ? -EINVAL : 0), "'%s' check returns %d", cases[i].text, r);
		is_str(reason, cases[i].reason, "'%s' reason", cases[i].text);
	}

	/* A pattern with no variables: any ${...} is undeclared, even though the record's
	 * pattern is never expanded. */
	struct compat_vars none = { 0 };
	_cleanup_(compat_template_freep) struct compat_template *t = NULL;
	_cleanup_free_ char *reason = NULL;
	ok(compat_template_parse("i915-GVTg_V5_${n}", &t, NULL) == 0 &&
		   compat_template_check_vars(t, &none, &reason) == -EINVAL,
	   "undeclared without any variable");
	is_str(reason, "UNDECLARED_VARIABLE:n", "its reason");
	ok(compat_vars_count(&none) == 1, "no variables: one binding");
	struct compat_binding b;
	ok(compat_binding_first(&none, &b) && b.n == 0 && !compat_binding_next(&none, &b),
	   "the empty binding, once");
	ok(compat_template_check_vars(t, &vs, NULL) == 0, "declared n passes, NULL reason");
	ok(!compat_template_is_literal(t) && streq(compat_template_text(t), "i915-GVTg_V5_${n}"),
	   "text and is_literal");
	compat_vars_clear(&vs);
}

static void test_product(void)
{
	static const int64_t n[] = { 8, 1, 2 }, m[] = { 10, 20 };
	static const char *const modes[] = { "x", "y" };
	struct compat_vars vs = { 0 };
	bool seq_ok;

	ok(compat_vars_add_int_values(&vs, "n", n, ELEMENTSOF(n)) == 0, "n declared");
	_cleanup_free_ char *one = product(&vs, &seq_ok);
	is_str(one, "n=8; n=1; n=2", "one variable: values in written order");

	ok(compat_vars_add_int_values(&vs, "m", m, ELEMENTSOF(m)) == 0, "m declared");
	_cleanup_free_ char *two = product(&vs, &seq_ok);
	is_str(two, "n=8, m=10; n=8, m=20; n=1, m=10; n=1, m=20; n=2, m=10; n=2, m=20",
	       "two variables: first outermost");
	ok(seq_ok && compat_vars_count(&vs) == 6, "two variables: 6 bindings, seq 0..5");

	ok(compat_vars_add_enum(&vs, "mode", modes, ELEMENTSOF(modes)) == 0, "mode declared");
	_cleanup_free_ char *three = product(&vs, &seq_ok);
	is_str(three,
	       "n=8, m=10, mode=x; n=8, m=10, mode=y; n=8, m=20, mode=x; n=8, m=20, mode=y; "
	       "n=1, m=10, mode=x; n=1, m=10, mode=y; n=1, m=20, mode=x; n=1, m=20, mode=y; "
	       "n=2, m=10, mode=x; n=2, m=10, mode=y; n=2, m=20, mode=x; n=2, m=20, mode=y",
	       "three variables: first outermost, last fastest");
	ok(seq_ok && compat_vars_count(&vs) == 12, "three variables: 12 bindings in seq order");

	struct compat_binding b;
	compat_binding_first(&vs, &b);
	while (compat_binding_next(&vs, &b))
		;
	ok(b.seq == 11 && b.index[0] == 2 && b.index[1] == 1 && b.index[2] == 1,
	   "next after the last leaves the binding unchanged");
	compat_vars_clear(&vs);
	ok(vs.n == 0 && vs.v == NULL, "clear empties");

	ok(compat_vars_add_bool(&vs, "ecc") == 0 && compat_vars_add_enum(&vs, "e", modes, 1) == 0,
	   "bool and enum declared");
	_cleanup_free_ char *bools = product(&vs, &seq_ok);
	is_str(bools, "ecc=false, e=x; ecc=true, e=x", "bool: false then true");
	struct compat_binding bb;
	struct compat_value v0, v1;
	compat_binding_first(&vs, &bb);
	compat_binding_next(&vs, &bb);
	compat_binding_value(&vs, &bb, 0, &v0);
	compat_binding_value(&vs, &bb, 1, &v1);
	ok(v0.type == COMPAT_VAR_BOOL && v0.b && v1.type == COMPAT_VAR_ENUM && streq(v1.s, "x"),
	   "typed values for the plan's binding object");
	compat_vars_clear(&vs);
}

static void test_ranges(void)
{
	static const struct {
		int64_t min, max, step;
		int r;
		const char *want;
	} cases[] = {
		{ 1, 4, 1, 0, "n=1; n=2; n=3; n=4" },
		{ 1, 8, 2, 0, "n=1; n=3; n=5; n=7" },
		{ 2, 8, 2, 0, "n=2; n=4; n=6; n=8" },
		{ 5, 5, 1, 0, "n=5" },
		{ 5, 5, 100, 0, "n=5" },
		{ -2, 2, 2, 0, "n=-2; n=0; n=2" },
		{ INT64_MIN, INT64_MAX, INT64_MAX, 0,
		  "n=-9223372036854775808; n=-1; n=9223372036854775806" },
		{ INT64_MAX - 1, INT64_MAX, 1, 0, "n=9223372036854775806; n=9223372036854775807" },
		{ 1, 1024, 1, 0, NULL },
		{ 0, 2046, 2, 0, NULL },
		{ 1, 1025, 1, -E2BIG, NULL },
		{ INT64_MIN, INT64_MAX, 1, -E2BIG, NULL },
		{ 1, 4, 0, -EINVAL, NULL },
		{ 1, 4, -1, -EINVAL, NULL },
		{ 4, 1, 1, -EINVAL, NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_vars vs = { 0 };
		bool seq_ok;
		err_clear();
		int r = compat_vars_add_int_range(&vs, "n", cases[i].min, cases[i].max,
						  cases[i].step);
		ok(r == cases[i].r && (r == 0 || (err_isset() && vs.n == 0)),
		   "range %" PRId64 "..%" PRId64 " step %" PRId64 ": %d%s%s", cases[i].min,
		   cases[i].max, cases[i].step, r, r ? ", " : "", r ? err_get(0) : "");
		if (cases[i].want) {
			_cleanup_free_ char *got = product(&vs, &seq_ok);
			is_str(got, cases[i].want, "range case %zu values", i);
		}
		compat_vars_clear(&vs);
	}
}

static void test_declarations(void)
{
	static const int64_t one[] = { 1 }, dup[] = { 1, 2, 1 };
	static const char *const edup[] = { "a", "b", "a" };
	static const char *const enull[] = { "a", NULL };
	static const struct {
		const char *name;
		int kind; /* 0 int values, 1 enum, 2 bool */
		const void *values;
		size_t n;
		int r;
		const char *error;
	} cases[] = {
		{ "n", 0, one, 1, 0, NULL },
		{ "_", 2, NULL, 0, 0, NULL },
		{ "N_2", 1, edup, 2, 0, NULL },
		{ "", 0, one, 1, -EINVAL,
		  "Invalid variable name '': expected a letter or '_', then letters, digits or '_'" },
		{ "2n", 0, one, 1, -EINVAL,
		  "Invalid variable name '2n': expected a letter or '_', then letters, digits or '_'" },
		{ "a-b", 2, NULL, 0, -EINVAL,
		  "Invalid variable name 'a-b': expected a letter or '_', then letters, digits or '_'" },
		{ "x", 0, one, 0, -EINVAL, "Variable 'x' has no values" },
		{ "x", 1, edup, 0, -EINVAL, "Variable 'x' has no values" },
		{ "x", 0, dup, 3, -EINVAL, "Variable 'x': value 1 is listed twice" },
		{ "x", 1, edup, 3, -EINVAL, "Variable 'x': value 'a' is listed twice" },
		{ "x", 1, enull, 2, -EINVAL, "Variable 'x': value 1 is not a string" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct compat_vars vs = { 0 };
		int r;
		err_clear();
		if (cases[i].kind == 0)
			r = compat_vars_add_int_values(&vs, cases[i].name, cases[i].values,
						       cases[i].n);
		else if (cases[i].kind == 1)
			r = compat_vars_add_enum(&vs, cases[i].name, cases[i].values, cases[i].n);
		else
			r = compat_vars_add_bool(&vs, cases[i].name);
		ok(r == cases[i].r && vs.n == (r == 0), "declaration %zu '%s': %d", i,
		   cases[i].name, r);
		is_str(r ? err_get(0) : NULL, cases[i].error, "declaration %zu message", i);
		compat_vars_clear(&vs);
	}

	struct compat_vars vs = { 0 };
	ok(compat_vars_add_bool(&vs, "n") == 0 &&
		   compat_vars_add_int_values(&vs, "n", one, 1) == -EINVAL,
	   "a name declared twice is refused");
	is_str(err_get(0), "Variable 'n' is declared twice", "its message");
	ok(vs.n == 1 && compat_vars_find(&vs, "n") == 0 && compat_vars_find(&vs, "m") == -ENOENT,
	   "find");
	compat_vars_clear(&vs);
}

static void test_limits(void)
{
	struct compat_vars vs = { 0 };
	static const char *const names[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i" };
	for (size_t i = 0; i < 8; i++)
		ok(compat_vars_add_bool(&vs, names[i]) == 0, "bool variable %zu of 8", i + 1);
	ok(compat_vars_count(&vs) == 256, "8 bools: 256 bindings");
	ok(compat_vars_add_bool(&vs, names[8]) == -E2BIG && vs.n == 8, "a ninth variable: E2BIG");
	is_str(err_get(0), "Variable 'i': a pattern may declare at most 8 variables",
	       "its message");
	compat_vars_clear(&vs);

	int64_t values[1025];
	for (size_t i = 0; i < ELEMENTSOF(values); i++)
		values[i] = (int64_t)i;
	ok(compat_vars_add_int_values(&vs, "n", values, 1024) == 0, "1024 values");
	compat_vars_clear(&vs);
	ok(compat_vars_add_int_values(&vs, "n", values, 1025) == -E2BIG && vs.n == 0,
	   "1025 values: E2BIG");
	is_str(err_get(0), "Variable 'n' has more than 1024 values", "its message");
	is_str((compat_vars_add_int_range(&vs, "n", 0, 1024, 1), err_get(0)),
	       "Variable 'n': range gives more than 1024 values", "a range of 1025: message");

	ok(compat_vars_add_int_range(&vs, "n", 1, 64, 1) == 0 &&
		   compat_vars_add_int_range(&vs, "m", 1, 64, 1) == 0,
	   "64 x 64 = 4096 bindings");
	ok(compat_vars_count(&vs) == 4096, "count 4096");
	ok(compat_vars_add_bool(&vs, "b") == -E2BIG && vs.n == 2, "8192 bindings: E2BIG");
	is_str(err_get(0), "Variable 'b': the pattern's variables give more than 4096 bindings",
	       "its message");
	bool seq_ok;
	free(product(&vs, &seq_ok));
	ok(seq_ok, "all 4096 bindings iterated in order");
	compat_vars_clear(&vs);

	/* Template length: 256 bytes are fine, 257 are not. */
	char text[COMPAT_TEMPLATE_LEN_MAX + 2];
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	struct compat_template *t = NULL;
	_cleanup_free_ char *error = NULL;
	ok(compat_template_parse(text, &t, &error) == -E2BIG && !t, "257 bytes: E2BIG");
	is_str(error, "Invalid template: 257 bytes, more than 256", "its message");
	text[COMPAT_TEMPLATE_LEN_MAX] = '\0';
	ok(compat_template_parse(text, &t, NULL) == 0 && compat_template_is_literal(t),
	   "256 bytes");
	t = compat_template_free(t);

	/* Substitutions: 16 are fine, a 17th is not; $$ does not count. */
	struct strbuf sb = { 0 };
	for (int i = 0; i < 16; i++)
		sb_puts(&sb, "${n}$$");
	ok(compat_template_parse(sb.buf, &t, NULL) == 0, "16 substitutions and 16 $$");
	t = compat_template_free(t);
	sb_puts(&sb, "${n}");
	free(error);
	error = NULL;
	ok(compat_template_parse(sb.buf, &t, &error) == -E2BIG && !t, "17 substitutions: E2BIG");
	ok(error && strstr(error, "more than 16 substitutions at character 97"),
	   "its message names the 17th: %s", error);
	sb_free(&sb);
}

static void test_dedup(void)
{
	static const struct {
		const char *fields[3];
		bool is_new;
		size_t first;
	} cases[] = {
		{ { "t4", "aggregator", "2" }, true, 0 },
		{ { "t4", "aggregator", "1" }, true, 0 },
		{ { "t4", "aggregator", "2" }, false, 0 },
		{ { "t4", "aggregator2", "" }, true, 0 }, /* not confused with the first */
		{ { "t4", "aggregator", "1" }, false, 1 },
		{ { "t4a", "ggregator", "2" }, true, 0 },
		{ { "t4", NULL, NULL }, true, 0 },
		{ { "t4", "", NULL }, true, 0 },
	};
	struct compat_dedup d = { 0 };
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct strbuf key = { 0 };
		for (size_t f = 0; f < 3 && cases[i].fields[f]; f++)
			compat_dedup_key_add(&key, cases[i].fields[f]);
		size_t first = SIZE_MAX;
		bool is_new = compat_dedup_add(&d, key.buf ? key.buf : "", i, &first);
		ok(is_new == cases[i].is_new && (is_new || first == cases[i].first),
		   "dedup %zu: %s", i, is_new ? "new" : "seen");
		sb_free(&key);
	}
	/* Enough keys to grow the table several times; every one is found again. */
	bool all = true;
	for (size_t i = 0; i < 5000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "k%zu", i);
		all &= compat_dedup_add(&d, key, 100 + i, NULL);
	}
	for (size_t i = 0; i < 5000; i++) {
		char key[32];
		size_t first = 0;
		snprintf(key, sizeof(key), "k%zu", i);
		all &= !compat_dedup_add(&d, key, 0, &first) && first == 100 + i;
	}
	ok(all && d.n == 5006, "5000 more keys, each found with its first tag");
	compat_dedup_clear(&d);
	ok(d.n == 0 && d.slots == NULL, "dedup clear");
}

int main(void)
{
	test_syntax_errors();
	test_expand();
	test_spec_example();
	test_check_vars();
	test_product();
	test_ranges();
	test_declarations();
	test_limits();
	test_dedup();
	err_clear();
	return tap_done();
}
