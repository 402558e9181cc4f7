// SPDX-License-Identifier: LGPL-2.1-or-later
/* Templates, variables and bindings of compatibility patterns; see compat-template.h. Every
 * bound here (variables, values, bindings, template length, substitutions) is checked where the
 * data comes in, so iterating and expanding never need to fail on size. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compat-template.h"
#include "error.h"
#include "util.h"

/* ---- variables ---- */

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* The same names the template grammar accepts inside ${...}. */
static bool var_name_valid(const char *s)
{
	if (!s || !is_name_start(*s))
		return false;
	for (s++; *s; s++)
		if (!is_name_char(*s))
			return false;
	return true;
}

static size_t mul_sat(size_t a, size_t b)
{
	size_t r;
	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

int compat_vars_find(const struct compat_vars *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (streq(vs->v[i].name, name))
			return (int)i;
	return -ENOENT;
}

size_t compat_vars_count(const struct compat_vars *vs)
{
	size_t c = 1;
	for (size_t i = 0; i < vs->n; i++)
		c = mul_sat(c, vs->v[i].n_values);
	return c;
}

/* The checks every builder shares, made before anything is allocated so that a refused
 * declaration leaves vs untouched. n_values is the count the new variable would have. */
static int vars_check_new(const struct compat_vars *vs, const char *name, size_t n_values)
{
	if (!var_name_valid(name))
		return err_set(
			-EINVAL,
			"Invalid variable name '%s': expected a letter or '_', then letters, digits or '_'",
			name ? name : "");
	if (compat_vars_find(vs, name) >= 0)
		return err_set(-EINVAL, "Variable '%s' is declared twice", name);
	if (vs->n >= COMPAT_VARS_MAX)
		return err_set(-E2BIG, "Variable '%s': a pattern may declare at most %d variables",
			       name, COMPAT_VARS_MAX);
	if (n_values == 0)
		return err_set(-EINVAL, "Variable '%s' has no values", name);
	if (n_values > COMPAT_VAR_VALUES_MAX)
		return err_set(-E2BIG, "Variable '%s' has more than %d values", name,
			       COMPAT_VAR_VALUES_MAX);
	if (mul_sat(compat_vars_count(vs), n_values) > COMPAT_BINDINGS_MAX)
		return err_set(-E2BIG,
			       "Variable '%s': the pattern's variables give more than %d bindings",
			       name, COMPAT_BINDINGS_MAX);
	return 0;
}

static struct compat_var *vars_append(struct compat_vars *vs, const char *name,
				      enum compat_var_type type, size_t n_values)
{
	vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
	struct compat_var *v = &vs->v[vs->n++];
	*v = (struct compat_var){ .name = xstrdup(name), .type = type, .n_values = n_values };
	return v;
}

int compat_vars_add_int_values(struct compat_vars *vs, const char *name, const int64_t *values,
			       size_t n)
{
	int r = vars_check_new(vs, name, n);
	if (r < 0)
		return r;
	/* At most 1024 values: the quadratic check is cheap and needs no sorted copy. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (values[i] == values[j])
				return err_set(-EINVAL,
					       "Variable '%s': value %" PRId64 " is listed twice",
					       name, values[i]);
	struct compat_var *v = vars_append(vs, name, COMPAT_VAR_INT, n);
	v->ints = xmalloc(n * sizeof(*v->ints));
	memcpy(v->ints, values, n * sizeof(*v->ints));
	return 0;
}

int compat_vars_add_int_range(struct compat_vars *vs, const char *name, int64_t min, int64_t max,
			      int64_t step)
{
	/* The name is checked first so that the message about the range names a valid one. */
	int r = vars_check_new(vs, name, 1);
	if (r < 0)
		return r;
	if (step < 1)
		return err_set(-EINVAL, "Variable '%s': range step %" PRId64 " is not at least 1",
			       name, step);
	if (min > max)
		return err_set(-EINVAL,
			       "Variable '%s': range min %" PRId64 " is greater than max %" PRId64,
			       name, min, max);
	/* The distance fits uint64_t even from INT64_MIN to INT64_MAX. */
	uint64_t span = (uint64_t)max - (uint64_t)min;
	uint64_t count = span / (uint64_t)step;
	if (count >= COMPAT_VAR_VALUES_MAX)
		return err_set(-E2BIG, "Variable '%s': range gives more than %d values", name,
			       COMPAT_VAR_VALUES_MAX);
	count++;
	r = vars_check_new(vs, name, (size_t)count);
	if (r < 0)
		return r;
	struct compat_var *v = vars_append(vs, name, COMPAT_VAR_INT, (size_t)count);
	v->range_min = min;
	v->range_step = step;
	return 0;
}

int compat_vars_add_enum(struct compat_vars *vs, const char *name, const char *const *values,
			 size_t n)
{
	int r = vars_check_new(vs, name, n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (!values[i])
			return err_set(-EINVAL, "Variable '%s': value %zu is not a string", name,
				       i);
		for (size_t j = 0; j < i; j++)
			if (streq(values[i], values[j]))
				return err_set(-EINVAL, "Variable '%s': value '%s' is listed twice",
					       name, values[i]);
	}
	struct compat_var *v = vars_append(vs, name, COMPAT_VAR_ENUM, n);
	v->strs = xmalloc(n * sizeof(*v->strs));
	for (size_t i = 0; i < n; i++)
		v->strs[i] = xstrdup(values[i]);
	return 0;
}

int compat_vars_add_bool(struct compat_vars *vs, const char *name)
{
	int r = vars_check_new(vs, name, 2);
	if (r < 0)
		return r;
	vars_append(vs, name, COMPAT_VAR_BOOL, 2);
	return 0;
}

void compat_vars_clear(struct compat_vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		struct compat_var *v = &vs->v[i];
		free(v->name);
		free(v->ints);
		if (v->strs)
			for (size_t k = 0; k < v->n_values; k++)
				free(v->strs[k]);
		free(v->strs);
	}
	free(vs->v);
	*vs = (struct compat_vars){ 0 };
}

/* ---- bindings ---- */

bool compat_binding_first(const struct compat_vars *vs, struct compat_binding *b)
{
	*b = (struct compat_binding){ .n = vs->n };
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].n_values == 0)
			return false;
	return vs->n <= COMPAT_VARS_MAX;
}

bool compat_binding_next(const struct compat_vars *vs, struct compat_binding *b)
{
	/* An odometer whose last wheel turns fastest: the first variable is outermost. */
	struct compat_binding nb = *b;
	for (size_t i = vs->n; i-- > 0;) {
		if (++nb.index[i] < vs->v[i].n_values) {
			nb.seq++;
			*b = nb;
			return true;
		}
		nb.index[i] = 0;
	}
	return false;
}

/* Value k of a range: min + k * step, which lies within [min, max], while k * step alone may
 * exceed INT64_MAX (INT64_MIN..INT64_MAX step INT64_MAX): add it in two steps that each fit. */
static int64_t range_value(const struct compat_var *v, size_t k)
{
	uint64_t off = (uint64_t)k * (uint64_t)v->range_step; /* <= max - min: fits uint64_t */
	if (off <= INT64_MAX)
		return v->range_min + (int64_t)off;
	/* off > INT64_MAX implies min < 0, so min + INT64_MAX does not overflow. */
	return v->range_min + INT64_MAX + (int64_t)(off - INT64_MAX);
}

static void var_value(const struct compat_var *v, size_t k, struct compat_value *ret)
{
	ret->type = v->type;
	switch (v->type) {
	case COMPAT_VAR_INT:
		ret->i = v->ints ? v->ints[k] : range_value(v, k);
		break;
	case COMPAT_VAR_ENUM:
		ret->s = v->strs[k];
		break;
	case COMPAT_VAR_BOOL:
		ret->b = k != 0;
		break;
	}
}

void compat_binding_value(const struct compat_vars *vs, const struct compat_binding *b, size_t i,
			  struct compat_value *ret)
{
	var_value(&vs->v[i], b->index[i], ret);
}

static void value_format(const struct compat_value *val, struct strbuf *out)
{
	switch (val->type) {
	case COMPAT_VAR_INT:
		sb_printf(out, "%" PRId64, val->i);
		break;
	case COMPAT_VAR_ENUM:
		sb_puts(out, val->s);
		break;
	case COMPAT_VAR_BOOL:
		sb_puts(out, val->b ? "true" : "false");
		break;
	}
}

void compat_binding_format(const struct compat_vars *vs, const struct compat_binding *b,
			   struct strbuf *out)
{
	for (size_t i = 0; i < vs->n && i < b->n; i++) {
		struct compat_value val;
		compat_binding_value(vs, b, i, &val);
		sb_printf(out, "%s%s=", i ? ", " : "", vs->v[i].name);
		value_format(&val, out);
	}
}

/* ---- templates ---- */

struct compat_subst {
	char *expr; /* the text inside the braces, for reasons */
	char *var;
	char op; /* '\0' for a plain ${v} */
	int64_t k;
};

struct compat_template {
	char *text;
	size_t n;				  /* substitutions */
	char *lit[COMPAT_TEMPLATE_SUBST_MAX + 1]; /* lit[i] precedes subst[i]; lit[n] ends */
	struct compat_subst subst[COMPAT_TEMPLATE_SUBST_MAX];
};

struct compat_template *compat_template_free(struct compat_template *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		free(t->subst[i].expr);
		free(t->subst[i].var);
	}
	for (size_t i = 0; i <= t->n; i++)
		free(t->lit[i]);
	free(t->text);
	free(t);
	return NULL;
}

const char *compat_template_text(const struct compat_template *t)
{
	return t->text;
}

bool compat_template_is_literal(const struct compat_template *t)
{
	return t->n == 0;
}

/* The template as quoted in messages: a control character, '"' or '\\' escaped so that the
 * message stays on one line and the quotes stay unambiguous; other bytes (UTF-8) as they are. */
static char *quote(const char *text)
{
	struct strbuf sb = { 0 };
	sb_putc(&sb, '"');
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			sb_printf(&sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_printf(&sb, "\\x%02x", c);
		else
			sb_putc(&sb, (char)c);
	}
	sb_putc(&sb, '"');
	return sb_steal(&sb);
}

/* "Invalid template "<text>": <what> at character <N>", N 1-based, p the fault's position. */
static char *template_error(const char *text, const char *p, const char *what)
{
	_cleanup_free_ char *q = quote(text);
	return xasprintf("Invalid template %s: %s at character %zu", q, what,
			 (size_t)(p - text) + 1);
}

/* Describe the character at p for a message: the character itself when printable, else its
 * code, and "end of template" at the NUL. */
static char *describe_char(const char *p)
{
	if (*p == '\0')
		return xstrdup("end of template");
	if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
		return xasprintf("'%c'", *p);
	return xasprintf("byte 0x%02x", (unsigned char)*p);
}

static int parse_fail(int r, const char *text, const char *p, const char *what, char **ret_error)
{
	if (ret_error) {
		_cleanup_free_ char *got = describe_char(p);
		_cleanup_free_ char *msg = xasprintf("unexpected %s, %s", got, what);
		*ret_error = template_error(text, p, msg);
	}
	return r;
}

/* K = "-"? ("0" | [1-9][0-9]*) within int64_t. On success *pp is past the digits. */
static int parse_k(const char *text, const char **pp, int64_t *ret, char **ret_error)
{
	const char *p = *pp, *start = p;
	bool neg = false;
	uint64_t mag = 0;
	const uint64_t limit = (uint64_t)INT64_MAX + 1; /* |INT64_MIN| */

	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!(*p >= '0' && *p <= '9'))
		return parse_fail(-EINVAL, text, p, "expected an integer", ret_error);
	if (*p == '0' && p[1] >= '0' && p[1] <= '9') {
		if (ret_error)
			*ret_error = template_error(text, p, "integer with a leading zero");
		return -EINVAL;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (mag > (limit - d) / 10 || (!neg && mag * 10 + d > (uint64_t)INT64_MAX)) {
			if (ret_error)
				*ret_error = template_error(text, start, "integer out of range");
			return -EINVAL;
		}
		mag = mag * 10 + d;
	}
	/* mag <= 2^63 when negative, and 2^63 itself is INT64_MIN, whose magnitude int64_t
	 * cannot hold. */
	if (neg)
		*ret = mag == limit ? INT64_MIN : -(int64_t)mag;
	else
		*ret = (int64_t)mag;
	*pp = p;
	return 0;
}

int compat_template_parse(const char *text, struct compat_template **ret, char **ret_error)
{
	size_t len = strlen(text);
	if (len > COMPAT_TEMPLATE_LEN_MAX) {
		if (ret_error)
			*ret_error = xasprintf("Invalid template: %zu bytes, more than %d", len,
					       COMPAT_TEMPLATE_LEN_MAX);
		return -E2BIG;
	}

	_cleanup_(compat_template_freep) struct compat_template *t = xcalloc(1, sizeof(*t));
	t->text = xstrdup(text);
	struct strbuf lit = { 0 };
	const char *p = text;
	int r;

	while (*p) {
		if (*p != '$') {
			sb_putc(&lit, *p++);
			continue;
		}
		const char *dollar = p++;
		if (*p == '$') {
			sb_putc(&lit, '$');
			p++;
			continue;
		}
		if (*p != '{') {
			r = parse_fail(-EINVAL, text, p, "expected '{' or '$' after '$'",
				       ret_error);
			goto fail;
		}
		if (t->n == COMPAT_TEMPLATE_SUBST_MAX) {
			if (ret_error) {
				_cleanup_free_ char *what = xasprintf("more than %d substitutions",
								      COMPAT_TEMPLATE_SUBST_MAX);
				*ret_error = template_error(text, dollar, what);
			}
			r = -E2BIG;
			goto fail;
		}
		const char *expr = ++p;
		if (!is_name_start(*p)) {
			r = parse_fail(-EINVAL, text, p, "expected a variable name", ret_error);
			goto fail;
		}
		while (is_name_char(*p))
			p++;
		struct compat_subst s = { .var = xstrndup(expr, (size_t)(p - expr)) };
		if (*p == '+' || *p == '-' || *p == '*' || *p == '/') {
			const char *op = p++;
			s.op = *op;
			r = parse_k(text, &p, &s.k, ret_error);
			if (r == 0 && s.op == '/' && s.k == 0) {
				if (ret_error)
					*ret_error = template_error(text, op, "division by zero");
				r = -EINVAL;
			}
			if (r < 0) {
				free(s.var);
				goto fail;
			}
		}
		if (*p != '}') {
			r = parse_fail(-EINVAL, text, p,
				       s.op ? "expected '}'" : "expected '}' or one of + - * /",
				       ret_error);
			free(s.var);
			goto fail;
		}
		s.expr = xstrndup(expr, (size_t)(p - expr));
		p++;
		t->lit[t->n] = sb_steal(&lit);
		t->subst[t->n++] = s;
	}
	t->lit[t->n] = sb_steal(&lit);
	*ret = TAKE_PTR(t);
	return 0;
fail:
	sb_free(&lit);
	return r;
}

/* The variable a substitution uses, or -EINVAL with the reason of
 * compat_template_check_vars(). */
static int subst_resolve(const struct compat_subst *s, const struct compat_vars *vs,
			 char **ret_reason)
{
	int i = compat_vars_find(vs, s->var);
	if (i < 0) {
		if (ret_reason)
			*ret_reason = xasprintf("UNDECLARED_VARIABLE:%s", s->var);
		return -EINVAL;
	}
	if (s->op && vs->v[i].type != COMPAT_VAR_INT) {
		if (ret_reason)
			*ret_reason = xasprintf("TEMPLATE_INVALID:%s", s->expr);
		return -EINVAL;
	}
	return i;
}

int compat_template_check_vars(const struct compat_template *t, const struct compat_vars *vs,
			       char **ret_reason)
{
	for (size_t i = 0; i < t->n; i++) {
		int r = subst_resolve(&t->subst[i], vs, ret_reason);
		if (r < 0)
			return r;
	}
	return 0;
}

/* x OP k; false on overflow or an inexact division (k != 0: the parser refuses "/0"). */
static bool arith(int64_t x, char op, int64_t k, int64_t *ret)
{
	switch (op) {
	case '+':
		return !__builtin_add_overflow(x, k, ret);
	case '-':
		return !__builtin_sub_overflow(x, k, ret);
	case '*':
		return !__builtin_mul_overflow(x, k, ret);
	case '/':
		if (x == INT64_MIN && k == -1)
			return false;
		if (x % k != 0)
			return false;
		*ret = x / k;
		return true;
	default:
		*ret = x;
		return true;
	}
}

int compat_template_expand(const struct compat_template *t, const struct compat_vars *vs,
			   const struct compat_binding *b, char **ret, char **ret_reason)
{
	bool from_vs = b->n == vs->n;
	for (size_t i = 0; from_vs && i < b->n; i++)
		from_vs = b->index[i] < vs->v[i].n_values;
	if (!from_vs) {
		if (ret_reason)
			*ret_reason = xstrdup("BINDING_INVALID:mismatch");
		return -EINVAL;
	}
	/* A record fault outranks a binding fault wherever it appears in the text. */
	int r = compat_template_check_vars(t, vs, ret_reason);
	if (r < 0)
		return r;
	struct strbuf out = { 0 };
	for (size_t i = 0; i < t->n; i++) {
		const struct compat_subst *s = &t->subst[i];
		int vi = compat_vars_find(vs, s->var);
		struct compat_value val;
		compat_binding_value(vs, b, (size_t)vi, &val);
		sb_puts(&out, t->lit[i]);
		if (s->op) {
			int64_t x = val.i;
			if (!arith(x, s->op, s->k, &val.i)) {
				if (ret_reason)
					*ret_reason = xasprintf("BINDING_INVALID:%s=%" PRId64
								"%c%" PRId64,
								s->expr, x, s->op, s->k);
				sb_free(&out);
				return -EDOM;
			}
		}
		value_format(&val, &out);
	}
	sb_puts(&out, t->lit[t->n]);
	*ret = sb_steal(&out);
	return 0;
}

/* ---- de-duplication ---- */

struct compat_dedup_entry {
	char *key; /* NULL: free slot */
	size_t tag;
};

/* FNV-1a: keys are short and not chosen to collide with each other by anyone but the record's
 * author, whose worst case is the quadratic scan the table replaces. */
static size_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct compat_dedup_entry *dedup_slot(struct compat_dedup_entry *slots, size_t cap,
					     const char *key)
{
	for (size_t i = key_hash(key) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].key || streq(slots[i].key, key))
			return &slots[i];
}

void compat_dedup_key_add(struct strbuf *key, const char *field)
{
	sb_printf(key, "%zu:", strlen(field));
	sb_puts(key, field);
}

bool compat_dedup_add(struct compat_dedup *d, const char *key, size_t tag, size_t *ret_first)
{
	if (d->cap) {
		struct compat_dedup_entry *e = dedup_slot(d->slots, d->cap, key);
		if (e->key) {
			if (ret_first)
				*ret_first = e->tag;
			return false;
		}
	}
	/* Keep the load at most one half so that probes stay short and a free slot exists. */
	if ((d->n + 1) * 2 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct compat_dedup_entry *slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < d->cap; i++)
			if (d->slots[i].key)
				*dedup_slot(slots, cap, d->slots[i].key) = d->slots[i];
		free(d->slots);
		d->slots = slots;
		d->cap = cap;
	}
	struct compat_dedup_entry *e = dedup_slot(d->slots, d->cap, key);
	e->key = xstrdup(key);
	e->tag = tag;
	d->n++;
	return true;
}

void compat_dedup_clear(struct compat_dedup *d)
{
	for (size_t i = 0; i < d->cap; i++)
		free(d->slots[i].key);
	free(d->slots);
	*d = (struct compat_dedup){ 0 };
}
