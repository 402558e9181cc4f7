// SPDX-License-Identifier: LGPL-2.1-or-later
/* Strict parsing of compatibility records and inventories, and the canonical JSON of an
 * inventory; see compat-record.h. Every parser walks a jansson tree with a JSON path of where it
 * is, so the first failing rule is reported with its place; structs are built in place and
 * freed whole on failure (every count is bumped only once its element is complete). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "compat-record.h"
#include "error.h"
#include "json-io.h"

const char *const compat_pci_field_names[_COMPAT_PCI_FIELD_MAX] = {
	"vendor",
	"device",
	"subsystem_vendor",
	"subsystem_device",
};

const char *const compat_mig_names[COMPAT_MIG_N] = { "STOP_COPY", "PRE_COPY", "P2P" };

static const char *const scheme_names_msg = "expected \"semver\", \"dotted\" or \"opaque\"";

/* ---- the path of the value being looked at, for messages ---- */

struct ctx {
	struct strbuf path;
};

static bool is_ident(const char *s)
{
	if (!*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* s with JSON's escapes for '"', '\\' and control characters, cut with "..." after max bytes:
 * text from a document, in a message, stays one line with nothing a terminal would act on. */
static void put_escaped(struct strbuf *sb, const char *s, size_t max)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
		if (n == max) {
			sb_puts(sb, "...");
			break;
		}
		if (*p == '"' || *p == '\\')
			sb_printf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sb_printf(sb, "\\u%04x", *p);
		else
			sb_putc(sb, (char)*p);
	}
}

/* Member names are written as .name when they are identifiers, else as ["name"] with JSON
 * escapes, so that the path reads back unambiguously; a name too long to be valid is cut, since
 * it is reported only as unknown or too long. */
static size_t push_key(struct ctx *c, const char *key)
{
	size_t old = c->path.len;

	if (is_ident(key) && strlen(key) <= COMPAT_STRING_MAX) {
		sb_putc(&c->path, '.');
		sb_puts(&c->path, key);
		return old;
	}
	sb_puts(&c->path, "[\"");
	put_escaped(&c->path, key, COMPAT_STRING_MAX);
	sb_puts(&c->path, "\"]");
	return old;
}

static size_t push_index(struct ctx *c, size_t i)
{
	size_t old = c->path.len;
	sb_printf(&c->path, "[%zu]", i);
	return old;
}

static void pop(struct ctx *c, size_t old)
{
	c->path.len = old;
	c->path.buf[old] = '\0';
}

static int fail(struct ctx *c, const char *fmt, ...) _printf_(2, 3);
static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	int r = err_set(-EINVAL, "%s: %s", c->path.buf, m);
	free(m);
	return r;
}

/* Fail at member key of the current object. */
static int fail_at(struct ctx *c, const char *key, const char *msg)
{
	push_key(c, key);
	return fail(c, "%s", msg);
}

/* ---- loading ---- */

/* jansson recurses once per nesting level, so a deep document is refused before it is parsed:
 * brackets outside strings are counted on the raw text. A malformed text may fool the count;
 * jansson then reports the syntax error. */
static int scan_depth(const char *text, size_t len)
{
	size_t depth = 0;
	int line = 1, col = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (ch == '\n') {
			line++;
			col = 0;
			continue;
		}
		col++;
		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if (ch == '[' || ch == '{') {
			if (++depth > COMPAT_DEPTH_MAX)
				return err_set(-EINVAL,
					       "nesting deeper than %d levels at line %d column %d",
					       COMPAT_DEPTH_MAX, line, col);
		} else if ((ch == ']' || ch == '}') && depth > 0)
			depth--;
	}
	return 0;
}

/* max_len: the input limit, or 0 for none (the host's own inventory, which grows with the
 * host and is not input anybody else controls). */
static int load(const char *text, size_t len, const char *schema, size_t max_len, json_t **ret)
{
	json_error_t e;

	if (max_len > 0 && len > max_len)
		return err_set(-EINVAL, "input is larger than %zu bytes", max_len);
	int r = scan_depth(text, len);
	if (r < 0)
		return r;
	/* Duplicate members are refused: which of two values a constraint means is a guess. */
	json_t *root = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	if (!root)
		return err_set(-EINVAL, "%s at line %d column %d", e.text, e.line, e.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(-EINVAL, "$: expected an object");
	}
	json_t *s = json_object_get(root, "schema");
	if (!s) {
		json_decref(root);
		return err_set(-EINVAL, "$.schema: required member missing");
	}
	if (!json_is_string(s) || !streq(json_string_value(s), schema)) {
		json_decref(root);
		return err_set(-EINVAL, "$.schema: expected \"%s\"", schema);
	}
	*ret = root;
	return 0;
}

/* ---- scalars ---- */

enum {
	STR_NONEMPTY = 1 << 0, /* an identifier */
	STR_SAFE = 1 << 1,     /* becomes a path component */
	STR_TEXT = 1 << 2,     /* free text: COMPAT_TEXT_MAX */
	STR_TYPE = 1 << 3,     /* a type id (type_name_ok()) */
};

#define NAME_RULE "'/', \"..\", \".\" and control characters are not allowed"
#define TYPE_NAME_RULE                                                                   \
	"'/', \"..\", \".\", control characters and the glob characters *?[]\\ are not " \
	"allowed"

/* A name that becomes one path component (a parent, a type, an attr): util.h name_is_safe(),
 * and not "." either, which names the directory it would be looked up in. */
static bool component_ok(const char *s)
{
	return name_is_safe(s) && !streq(s, ".");
}

/* A type id. The kernel names a type directory "<driver>-<name>" with neither glob
 * characters nor backslashes; a record from elsewhere that has them names no type, and a shell
 * or a rule file's glob would read it as a pattern. */
static bool type_name_ok(const char *s)
{
	return component_ok(s) && !strpbrk(s, "*?[]\\");
}

static int check_str(struct ctx *c, json_t *v, unsigned flags)
{
	if (!json_is_string(v))
		return fail(c, "expected a string");
	const char *s = json_string_value(v);
	size_t max = (flags & STR_TEXT) ? COMPAT_TEXT_MAX : COMPAT_STRING_MAX;
	if (json_string_length(v) > max)
		return fail(c, "longer than %zu bytes", max);
	if ((flags & (STR_NONEMPTY | STR_SAFE | STR_TYPE)) && !*s)
		return fail(c, "expected a non-empty string");
	if ((flags & STR_TYPE) && !type_name_ok(s))
		return fail(c, "not a valid type name: " TYPE_NAME_RULE);
	if ((flags & STR_SAFE) && !component_ok(s))
		return fail(c, "not a valid name: " NAME_RULE);
	return 0;
}

static int get_str(struct ctx *c, json_t *v, unsigned flags, char **ret)
{
	int r = check_str(c, v, flags);
	if (r < 0)
		return r;
	free(*ret);
	*ret = xstrdup(json_string_value(v));
	return 0;
}

/* A member name used as a name (an attr, a param...). */
static int check_name(struct ctx *c, const char *name, unsigned flags)
{
	if (strlen(name) > COMPAT_STRING_MAX)
		return fail(c, "name longer than %d bytes", COMPAT_STRING_MAX);
	if (!*name)
		return fail(c, "expected a non-empty name");
	if ((flags & STR_SAFE) && !component_ok(name))
		return fail(c, "not a valid name: " NAME_RULE);
	return 0;
}

static int get_bool(struct ctx *c, json_t *v, bool *ret)
{
	if (!json_is_boolean(v))
		return fail(c, "expected a boolean");
	*ret = json_is_true(v);
	return 0;
}

static int get_int(struct ctx *c, json_t *v, int64_t min, int64_t *ret)
{
	if (!json_is_integer(v) || json_integer_value(v) < min) {
		if (min == INT64_MIN)
			return fail(c, "expected an integer");
		return fail(c, "expected an integer >= %" PRId64, min);
	}
	*ret = json_integer_value(v);
	return 0;
}

/* A PCI id: hex digits with an optional 0x, fitting 16 bits. */
static int get_pci_id(struct ctx *c, json_t *v, uint16_t *ret, char **ret_text)
{
	if (!json_is_string(v))
		return fail(c, "expected a PCI id: a hex string such as \"0x8086\"");
	const char *s = json_string_value(v), *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	size_t n = strlen(p);
	if (n == 0 || n > 8 || strspn(p, "0123456789abcdefABCDEF") != n)
		return fail(c, "expected a PCI id: a hex string such as \"0x8086\"");
	unsigned long x = strtoul(p, NULL, 16);
	if (x > 0xffff)
		return fail(c, "PCI id %s does not fit 16 bits", s);
	*ret = (uint16_t)x;
	*ret_text = xstrdup(s);
	return 0;
}

/* Refuse members not in allowed (NULL-terminated), the first in document order; members in
 * forbidden get forbidden_msg instead of "unknown member". */
static int check_members(struct ctx *c, json_t *o, const char *const *allowed,
			 const char *const *forbidden, const char *forbidden_msg)
{
	const char *k;
	json_t *v;

	json_object_foreach (o, k, v) {
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = streq(allowed[i], k);
		if (known)
			continue;
		for (size_t i = 0; forbidden && forbidden[i]; i++)
			if (streq(forbidden[i], k))
				return fail_at(c, k, forbidden_msg);
		return fail_at(c, k, "unknown member");
	}
	return 0;
}

static int need_object(struct ctx *c, json_t *v)
{
	return json_is_object(v) ? 0 : fail(c, "expected an object");
}

/* ---- freeing and copying ---- */

static void tvalue_clear(struct compat_tvalue *v)
{
	free(v->text);
	compat_template_free(v->tmpl);
	*v = (struct compat_tvalue){ 0 };
}

static void pci_clear(struct compat_pci *p)
{
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++) {
		struct compat_pci_id *id = &p->id[f];
		for (size_t k = 0; k < id->n; k++)
			free(id->text[k]);
		free(id->text);
		free(id->value);
		*id = (struct compat_pci_id){ 0 };
	}
}

static void driver_clear(struct compat_driver *d)
{
	free(d->name);
	free(d->version);
	*d = (struct compat_driver){ 0 };
}

static void attrs_free(struct compat_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].name);
		tvalue_clear(&a[i].value);
	}
	free(a);
}

static void kv_free(struct compat_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

static void scalars_free(struct compat_scalar *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tvalue_clear(&s[i].s);
	free(s);
}

static void params_free(struct compat_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		tvalue_clear(&p[i].value.s);
	}
	free(p);
}

static void descriptor_clear(struct compat_descriptor *d)
{
	free(d->device_api);
	driver_clear(&d->driver);
	tvalue_clear(&d->mdev_type);
	pci_clear(&d->pci);
	attrs_free(d->attrs, d->n_attrs);
	strv_free(&d->features);
	params_free(d->params, d->n_params);
	kv_free(d->vendor_fields, d->n_vendor_fields);
	*d = (struct compat_descriptor){ 0 };
}

static void range_clear(struct compat_range *r)
{
	free(r->eq);
	for (size_t i = 0; i < r->n_any_of; i++)
		free(r->any_of[i]);
	free(r->any_of);
	free(r->min);
	free(r->max);
	free(r->max_exclusive);
	*r = (struct compat_range){ 0 };
}

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Inherited values are literal: what self says is never a template. */
static void tvalue_copy_literal(struct compat_tvalue *dst, const struct compat_tvalue *src)
{
	dst->text = strdup_or_null(src->text);
	dst->tmpl = NULL;
}

static void pci_id_copy(struct compat_pci_id *dst, const struct compat_pci_id *src)
{
	*dst = (struct compat_pci_id){ .n = src->n, .in = src->in };
	if (!src->n)
		return;
	dst->value = xcalloc(src->n, sizeof(*dst->value));
	dst->text = xcalloc(src->n, sizeof(*dst->text));
	for (size_t k = 0; k < src->n; k++) {
		dst->value[k] = src->value[k];
		dst->text[k] = xstrdup(src->text[k]);
	}
}

/* ---- lists and maps ---- */

/* mdevctl's attr list: [{"name": "value"}, ...]; values are templates when templates. */
static int parse_attrs(struct ctx *c, json_t *v, bool templates, const struct compat_vars *vars,
		       struct compat_attr **ret, size_t *ret_n);

static int parse_tvalue(struct ctx *c, json_t *v, bool templates, const struct compat_vars *vars,
			struct compat_tvalue *ret)
{
	if (!json_is_string(v))
		return fail(c, "expected a string");
	const char *s = json_string_value(v);
	if (json_string_length(v) > COMPAT_STRING_MAX)
		return fail(c, "longer than %d bytes", COMPAT_STRING_MAX);
	if (templates) {
		char *msg = NULL;
		struct compat_template *t = NULL;
		if (compat_template_parse(s, &t, &msg) < 0) {
			int r = fail(c, "%s", msg);
			free(msg);
			return r;
		}
		if (compat_template_check_vars(t, vars, &msg) < 0) {
			int r = fail(c, "%s", msg);
			free(msg);
			compat_template_free(t);
			return r;
		}
		ret->tmpl = t;
	}
	ret->text = xstrdup(s);
	return 0;
}

static int parse_attrs(struct ctx *c, json_t *v, bool templates, const struct compat_vars *vars,
		       struct compat_attr **ret, size_t *ret_n)
{
	size_t i;
	json_t *a;

	if (!json_is_array(v))
		return fail(c, "expected an array of one-member objects");
	if (json_array_size(v) > COMPAT_ATTRS_MAX)
		return fail(c, "at most %d attrs", COMPAT_ATTRS_MAX);
	*ret = xcalloc(json_array_size(v) + 1, sizeof(**ret));
	json_array_foreach (v, i, a) {
		size_t old = push_index(c, i);
		if (!json_is_object(a) || json_object_size(a) != 1)
			return fail(c, "expected an object with exactly one member");
		void *it = json_object_iter(a);
		const char *name = json_object_iter_key(it);
		push_key(c, name);
		int r = check_name(c, name, STR_SAFE);
		if (r < 0)
			return r;
		struct compat_attr *at = &(*ret)[*ret_n];
		r = parse_tvalue(c, json_object_iter_value(it), templates, vars, &at->value);
		if (r < 0)
			return r;
		at->name = xstrdup(name);
		(*ret_n)++;
		pop(c, old);
	}
	return 0;
}

static int parse_features(struct ctx *c, json_t *v, struct strv *ret)
{
	size_t i;
	json_t *f;

	if (!json_is_array(v))
		return fail(c, "expected an array of strings");
	if (json_array_size(v) > COMPAT_FEATURES_MAX)
		return fail(c, "at most %d features", COMPAT_FEATURES_MAX);
	json_array_foreach (v, i, f) {
		size_t old = push_index(c, i);
		int r = check_str(c, f, STR_NONEMPTY);
		if (r < 0)
			return r;
		for (size_t k = 0; k < ret->n; k++)
			if (streq(ret->v[k], json_string_value(f)))
				return fail(c, "feature \"%s\" listed twice", ret->v[k]);
		strv_push(ret, xstrdup(json_string_value(f)));
		pop(c, old);
	}
	return 0;
}

static int parse_mig_flags(struct ctx *c, json_t *v, unsigned *ret)
{
	size_t i;
	json_t *f;

	if (!json_is_array(v))
		return fail(c, "expected an array of \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"");
	*ret = 0;
	json_array_foreach (v, i, f) {
		size_t old = push_index(c, i);
		size_t k = COMPAT_MIG_N;
		if (json_is_string(f))
			for (k = 0; k < COMPAT_MIG_N; k++)
				if (streq(json_string_value(f), compat_mig_names[k]))
					break;
		if (k == COMPAT_MIG_N)
			return fail(c, "expected \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"");
		if (*ret & (1u << k))
			return fail(c, "%s listed twice", compat_mig_names[k]);
		*ret |= 1u << k;
		pop(c, old);
	}
	return 0;
}

/* name -> string maps: vendor_fields, attr_defaults. */
static int parse_kv(struct ctx *c, json_t *v, size_t max, const char *what, unsigned name_flags,
		    struct compat_kv **ret, size_t *ret_n)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return fail(c, "expected an object of strings");
	if (json_object_size(v) > max)
		return fail(c, "at most %zu %s", max, what);
	*ret = xcalloc(json_object_size(v) + 1, sizeof(**ret));
	json_object_foreach (v, k, x) {
		size_t old = push_key(c, k);
		int r = check_name(c, k, name_flags);
		if (r < 0)
			return r;
		r = check_str(c, x, 0);
		if (r < 0)
			return r;
		(*ret)[*ret_n].name = xstrdup(k);
		(*ret)[*ret_n].value = xstrdup(json_string_value(x));
		(*ret_n)++;
		pop(c, old);
	}
	return 0;
}

/* A record's params: name -> bool | int | string (a template in a pattern). */
static int parse_param_values(struct ctx *c, json_t *v, bool templates,
			      const struct compat_vars *vars, struct compat_param **ret,
			      size_t *ret_n)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return fail(c, "expected an object");
	if (json_object_size(v) > COMPAT_PARAMS_MAX)
		return fail(c, "at most %d params", COMPAT_PARAMS_MAX);
	*ret = xcalloc(json_object_size(v) + 1, sizeof(**ret));
	json_object_foreach (v, k, x) {
		size_t old = push_key(c, k);
		int r = check_name(c, k, 0);
		if (r < 0)
			return r;
		struct compat_param *p = &(*ret)[*ret_n];
		if (json_is_boolean(x)) {
			p->value.type = COMPAT_SCALAR_BOOL;
			p->value.b = json_is_true(x);
		} else if (json_is_integer(x)) {
			p->value.type = COMPAT_SCALAR_INT;
			p->value.i = json_integer_value(x);
		} else if (json_is_string(x)) {
			p->value.type = COMPAT_SCALAR_STRING;
			r = parse_tvalue(c, x, templates, vars, &p->value.s);
			if (r < 0)
				return r;
		} else
			return fail(c, "expected a boolean, an integer or a string");
		p->name = xstrdup(k);
		(*ret_n)++;
		pop(c, old);
	}
	return 0;
}

static int parse_driver(struct ctx *c, json_t *v, struct compat_driver *d, unsigned *set);

enum {
	SET_DEVICE_API = 1 << 0,
	SET_DRIVER_NAME = 1 << 1,
	SET_DRIVER_VERSION = 1 << 2,
	SET_DRIVER_SCHEME = 1 << 3,
	SET_TYPE = 1 << 4,
	SET_ATTRS = 1 << 5,
	SET_FEATURES = 1 << 6,
	SET_PARAMS = 1 << 7,
	SET_VENDOR = 1 << 8,
	SET_MIG = 1 << 9,
};

static int parse_driver(struct ctx *c, json_t *v, struct compat_driver *d, unsigned *set)
{
	static const char *const members[] = { "name", "version", "version_scheme", NULL };
	json_t *x;
	int r;

	if ((r = need_object(c, v)) < 0 || (r = check_members(c, v, members, NULL, NULL)) < 0)
		return r;
	if ((x = json_object_get(v, "name"))) {
		size_t old = push_key(c, "name");
		if ((r = get_str(c, x, STR_NONEMPTY, &d->name)) < 0)
			return r;
		pop(c, old);
		*set |= SET_DRIVER_NAME;
	}
	if ((x = json_object_get(v, "version"))) {
		size_t old = push_key(c, "version");
		if ((r = get_str(c, x, STR_NONEMPTY, &d->version)) < 0)
			return r;
		pop(c, old);
		*set |= SET_DRIVER_VERSION;
	}
	if ((x = json_object_get(v, "version_scheme"))) {
		size_t old = push_key(c, "version_scheme");
		if (!json_is_string(x) ||
		    compat_scheme_from_string(json_string_value(x), &d->scheme) < 0)
			return fail(c, "%s", scheme_names_msg);
		d->scheme_set = true;
		pop(c, old);
		*set |= SET_DRIVER_SCHEME;
	}
	return 0;
}

static int parse_pci(struct ctx *c, json_t *v, bool allow_in, struct compat_pci *pci)
{
	static const char *const members[] = { "vendor", "device", "subsystem_vendor",
					       "subsystem_device", NULL };
	static const char *const in_members[] = { "in", NULL };
	int r;

	if ((r = need_object(c, v)) < 0 || (r = check_members(c, v, members, NULL, NULL)) < 0)
		return r;
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++) {
		json_t *x = json_object_get(v, compat_pci_field_names[f]);
		struct compat_pci_id *id = &pci->id[f];
		if (!x)
			continue;
		size_t old = push_key(c, compat_pci_field_names[f]);
		if (allow_in && json_is_object(x)) {
			if ((r = check_members(c, x, in_members, NULL, NULL)) < 0)
				return r;
			json_t *list = json_object_get(x, "in");
			push_key(c, "in");
			if (!json_is_array(list) || json_array_size(list) == 0)
				return fail(c, "expected a non-empty array of PCI ids");
			if (json_array_size(list) > COMPAT_PCI_IN_MAX)
				return fail(c, "at most %d PCI ids", COMPAT_PCI_IN_MAX);
			id->in = true;
			id->value = xcalloc(json_array_size(list), sizeof(*id->value));
			id->text = xcalloc(json_array_size(list), sizeof(*id->text));
			size_t i;
			json_t *e;
			json_array_foreach (list, i, e) {
				size_t o2 = push_index(c, i);
				if ((r = get_pci_id(c, e, &id->value[i], &id->text[i])) < 0)
					return r;
				id->n++;
				for (size_t k = 0; k < i; k++)
					if (id->value[k] == id->value[i])
						return fail(c, "PCI id listed twice");
				pop(c, o2);
			}
		} else {
			if (!json_is_string(x))
				return fail(
					c,
					allow_in
						? "expected a PCI id (a hex string such as \"0x8086\") or {\"in\": [...]}"
						: "expected a PCI id: a hex string such as \"0x8086\"");
			id->value = xcalloc(1, sizeof(*id->value));
			id->text = xcalloc(1, sizeof(*id->text));
			if ((r = get_pci_id(c, x, &id->value[0], &id->text[0])) < 0)
				return r;
			id->n = 1;
		}
		pop(c, old);
	}
	return 0;
}

/* ---- descriptors ---- */

/* The descriptor members self and patterns share. With templates (a pattern's own values), the
 * template members are parsed as templates and checked against vars. */
static int parse_descriptor(struct ctx *c, json_t *o, bool templates,
			    const struct compat_vars *vars, struct compat_descriptor *d,
			    unsigned *set)
{
	json_t *x;
	size_t old;
	int r;

	if ((x = json_object_get(o, "kind"))) {
		old = push_key(c, "kind");
		if (!json_is_string(x) || !streq(json_string_value(x), "mdev"))
			return fail(c, "only \"mdev\" is supported");
		pop(c, old);
	}
	if ((x = json_object_get(o, "device_api"))) {
		old = push_key(c, "device_api");
		if ((r = get_str(c, x, STR_NONEMPTY, &d->device_api)) < 0)
			return r;
		*set |= SET_DEVICE_API;
		pop(c, old);
	}
	if ((x = json_object_get(o, "driver"))) {
		old = push_key(c, "driver");
		if ((r = parse_driver(c, x, &d->driver, set)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "mdev_type"))) {
		old = push_key(c, "mdev_type");
		if (templates)
			r = parse_tvalue(c, x, true, vars, &d->mdev_type);
		else if ((r = check_str(c, x, STR_TYPE)) == 0)
			d->mdev_type.text = xstrdup(json_string_value(x));
		if (r < 0)
			return r;
		*set |= SET_TYPE;
		pop(c, old);
	}
	if ((x = json_object_get(o, "pci"))) {
		old = push_key(c, "pci");
		if ((r = parse_pci(c, x, templates, &d->pci)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "mdev_attrs"))) {
		old = push_key(c, "mdev_attrs");
		if ((r = parse_attrs(c, x, templates, vars, &d->attrs, &d->n_attrs)) < 0)
			return r;
		*set |= SET_ATTRS;
		pop(c, old);
	}
	if ((x = json_object_get(o, "features"))) {
		old = push_key(c, "features");
		if ((r = parse_features(c, x, &d->features)) < 0)
			return r;
		*set |= SET_FEATURES;
		pop(c, old);
	}
	if ((x = json_object_get(o, "params"))) {
		old = push_key(c, "params");
		if ((r = parse_param_values(c, x, templates, vars, &d->params, &d->n_params)) < 0)
			return r;
		*set |= SET_PARAMS;
		pop(c, old);
	}
	if ((x = json_object_get(o, "vendor_fields"))) {
		old = push_key(c, "vendor_fields");
		if ((r = parse_kv(c, x, COMPAT_VENDOR_FIELDS_MAX, "vendor fields", 0,
				  &d->vendor_fields, &d->n_vendor_fields)) < 0)
			return r;
		*set |= SET_VENDOR;
		pop(c, old);
	}
	if ((x = json_object_get(o, "migration_flags"))) {
		old = push_key(c, "migration_flags");
		if ((r = parse_mig_flags(c, x, &d->migration_flags)) < 0)
			return r;
		*set |= SET_MIG;
		pop(c, old);
	}
	return 0;
}

/* eff = self with what the pattern set (ov, per set) moved over it. pci and driver merge field
 * by field; everything inherited is a literal copy. ov is left to be cleared by the caller. */
static void inherit(struct compat_descriptor *eff, struct compat_descriptor *ov, unsigned set,
		    const struct compat_descriptor *self)
{
	eff->device_api = (set & SET_DEVICE_API) ? TAKE_PTR(ov->device_api)
						 : strdup_or_null(self->device_api);
	eff->driver.name = (set & SET_DRIVER_NAME) ? TAKE_PTR(ov->driver.name)
						   : strdup_or_null(self->driver.name);
	eff->driver.version = (set & SET_DRIVER_VERSION) ? TAKE_PTR(ov->driver.version)
							 : strdup_or_null(self->driver.version);
	if (set & SET_DRIVER_SCHEME) {
		eff->driver.scheme = ov->driver.scheme;
		eff->driver.scheme_set = true;
	} else {
		eff->driver.scheme = self->driver.scheme;
		eff->driver.scheme_set = self->driver.scheme_set;
	}
	if (set & SET_TYPE) {
		eff->mdev_type = ov->mdev_type;
		ov->mdev_type = (struct compat_tvalue){ 0 };
	} else
		tvalue_copy_literal(&eff->mdev_type, &self->mdev_type);
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++) {
		if (ov->pci.id[f].n) {
			eff->pci.id[f] = ov->pci.id[f];
			ov->pci.id[f] = (struct compat_pci_id){ 0 };
		} else
			pci_id_copy(&eff->pci.id[f], &self->pci.id[f]);
	}
	if (set & SET_ATTRS) {
		eff->attrs = TAKE_PTR(ov->attrs);
		eff->n_attrs = ov->n_attrs;
		ov->n_attrs = 0;
	} else {
		eff->attrs = xcalloc(self->n_attrs + 1, sizeof(*eff->attrs));
		for (size_t i = 0; i < self->n_attrs; i++) {
			eff->attrs[i].name = xstrdup(self->attrs[i].name);
			tvalue_copy_literal(&eff->attrs[i].value, &self->attrs[i].value);
		}
		eff->n_attrs = self->n_attrs;
	}
	if (set & SET_FEATURES) {
		eff->features = ov->features;
		ov->features = (struct strv){ 0 };
	} else
		for (size_t i = 0; i < self->features.n; i++)
			strv_push(&eff->features, xstrdup(self->features.v[i]));
	if (set & SET_PARAMS) {
		eff->params = TAKE_PTR(ov->params);
		eff->n_params = ov->n_params;
		ov->n_params = 0;
	} else {
		eff->params = xcalloc(self->n_params + 1, sizeof(*eff->params));
		for (size_t i = 0; i < self->n_params; i++) {
			eff->params[i] = self->params[i];
			eff->params[i].name = xstrdup(self->params[i].name);
			tvalue_copy_literal(&eff->params[i].value.s, &self->params[i].value.s);
		}
		eff->n_params = self->n_params;
	}
	if (set & SET_VENDOR) {
		eff->vendor_fields = TAKE_PTR(ov->vendor_fields);
		eff->n_vendor_fields = ov->n_vendor_fields;
		ov->n_vendor_fields = 0;
	} else {
		eff->vendor_fields =
			xcalloc(self->n_vendor_fields + 1, sizeof(*eff->vendor_fields));
		for (size_t i = 0; i < self->n_vendor_fields; i++) {
			eff->vendor_fields[i].name = xstrdup(self->vendor_fields[i].name);
			eff->vendor_fields[i].value = xstrdup(self->vendor_fields[i].value);
		}
		eff->n_vendor_fields = self->n_vendor_fields;
	}
	eff->migration_flags = (set & SET_MIG) ? ov->migration_flags : self->migration_flags;
}

/* ---- versions ---- */

static bool version_ok(enum compat_scheme s, const char *text)
{
	struct compat_version v;
	if (compat_version_parse(s, text, &v) < 0)
		return false;
	compat_version_clear(&v);
	return true;
}

static int parse_range(struct ctx *c, json_t *v, struct compat_range *r)
{
	static const char *const members[] = { "eq",  "any_of",	       "min",
					       "max", "max_exclusive", "include_prerelease",
					       NULL };
	static const char *const bounds[] = { "min", "max", "max_exclusive" };
	char **bound_ptr[] = { &r->min, &r->max, &r->max_exclusive };
	json_t *x;
	size_t old;
	int k;

	if ((k = need_object(c, v)) < 0 || (k = check_members(c, v, members, NULL, NULL)) < 0)
		return k;
	if ((x = json_object_get(v, "eq"))) {
		old = push_key(c, "eq");
		if ((k = get_str(c, x, STR_NONEMPTY, &r->eq)) < 0)
			return k;
		pop(c, old);
	}
	if ((x = json_object_get(v, "any_of"))) {
		old = push_key(c, "any_of");
		if (r->eq)
			return fail(c, "not allowed together with eq");
		if (!json_is_array(x) || json_array_size(x) == 0)
			return fail(c, "expected a non-empty array of versions");
		if (json_array_size(x) > COMPAT_VERSION_MAX_ANY_OF)
			return fail(c, "at most %d versions", COMPAT_VERSION_MAX_ANY_OF);
		r->any_of = xcalloc(json_array_size(x) + 1, sizeof(*r->any_of));
		size_t i;
		json_t *e;
		json_array_foreach (x, i, e) {
			size_t o2 = push_index(c, i);
			if ((k = get_str(c, e, STR_NONEMPTY, &r->any_of[i])) < 0)
				return k;
			r->n_any_of++;
			pop(c, o2);
		}
		pop(c, old);
	}
	for (size_t b = 0; b < ELEMENTSOF(bounds); b++) {
		if (!(x = json_object_get(v, bounds[b])))
			continue;
		old = push_key(c, bounds[b]);
		if (r->eq || r->any_of)
			return fail(c, "not allowed together with %s", r->eq ? "eq" : "any_of");
		if ((k = get_str(c, x, STR_NONEMPTY, bound_ptr[b])) < 0)
			return k;
		pop(c, old);
	}
	if ((x = json_object_get(v, "include_prerelease"))) {
		old = push_key(c, "include_prerelease");
		if ((k = get_bool(c, x, &r->include_prerelease)) < 0)
			return k;
		/* {} is no range (range_given()); a range with only this member would accept
		 * every version of every major, the opposite of leaving it out. */
		if (!r->eq && !r->any_of && !r->min && !r->max && !r->max_exclusive)
			return fail(c, "needs a bound (eq, any_of, min, max or max_exclusive): "
				       "without one, leave the range out");
		pop(c, old);
	}
	r->view = (struct compat_version_range){
		.eq = r->eq,
		.any_of = (const char *const *)r->any_of,
		.n_any_of = r->n_any_of,
		.min = r->min,
		.max = r->max,
		.max_exclusive = r->max_exclusive,
		.include_prerelease = r->include_prerelease,
	};
	return 0;
}

/* Whether a version range member says anything: an empty object is the same as an absent
 * one (the default range, or no accepts), as every empty list and object is. */
static bool range_given(json_t *v)
{
	return v && !(json_is_object(v) && json_object_size(v) == 0);
}

/* Why r is not well formed under s, or NULL: *ret_member and *ret_index (SIZE_MAX: none) say
 * where. The message is static. */
static const char *range_problem(const struct compat_range *r, enum compat_scheme s,
				 const char **ret_member, size_t *ret_index)
{
	const char *names[] = { "eq", "min", "max", "max_exclusive" };
	const char *vals[] = { r->eq, r->min, r->max, r->max_exclusive };
	static const char *const bad[] = {
		[COMPAT_SCHEME_SEMVER] = "not a valid semver version",
		[COMPAT_SCHEME_DOTTED] = "not a valid dotted version",
		[COMPAT_SCHEME_OPAQUE] = "not a valid opaque version",
	};

	*ret_index = SIZE_MAX;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		if (!vals[i])
			continue;
		*ret_member = names[i];
		if (s == COMPAT_SCHEME_OPAQUE && i > 0)
			return "opaque versions allow only eq or any_of";
		if (!version_ok(s, vals[i]))
			return bad[s];
	}
	for (size_t i = 0; i < r->n_any_of; i++)
		if (!version_ok(s, r->any_of[i])) {
			*ret_member = "any_of";
			*ret_index = i;
			return bad[s];
		}
	*ret_member = NULL;
	if (compat_version_range_validate(s, &r->view) < 0)
		return "not a valid version range";
	return NULL;
}

/* Fail at the member of the range at the current path that range_problem() names. */
static int fail_range(struct ctx *c, const char *msg, const char *member, size_t index)
{
	if (member)
		push_key(c, member);
	if (index != SIZE_MAX)
		push_index(c, index);
	return fail(c, "%s", msg);
}

/* ---- patterns ---- */

static int parse_var(struct ctx *c, json_t *o, struct compat_vars *vs)
{
	static const char *const members[] = { "name", "type", "values", "range", NULL };
	static const char *const range_members[] = { "min", "max", "step", NULL };
	json_t *name = json_object_get(o, "name"), *type = json_object_get(o, "type");
	json_t *values = json_object_get(o, "values"), *range = json_object_get(o, "range");
	size_t i, old;
	json_t *e;
	int r;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, members, NULL, NULL)) < 0)
		return r;
	if (!name)
		return fail_at(c, "name", "required member missing");
	old = push_key(c, "name");
	if ((r = check_str(c, name, 0)) < 0)
		return r;
	pop(c, old);
	if (!type)
		return fail_at(c, "type", "required member missing");
	const char *n = json_string_value(name);
	const char *t = json_is_string(type) ? json_string_value(type) : "";

	if (streq(t, "int")) {
		if (values && range)
			return fail_at(c, "range", "not allowed together with values");
		if (values) {
			push_key(c, "values");
			if (!json_is_array(values) || json_array_size(values) == 0)
				return fail(c, "expected a non-empty array of integers");
			_cleanup_free_ int64_t *ints =
				xcalloc(json_array_size(values), sizeof(int64_t));
			json_array_foreach (values, i, e) {
				if (!json_is_integer(e))
					return fail(c, "expected a non-empty array of integers");
				ints[i] = json_integer_value(e);
			}
			pop(c, old);
			r = compat_vars_add_int_values(vs, n, ints, json_array_size(values));
		} else if (range) {
			int64_t v[3] = { 0, 0, 1 };
			push_key(c, "range");
			if ((r = need_object(c, range)) < 0 ||
			    (r = check_members(c, range, range_members, NULL, NULL)) < 0)
				return r;
			for (size_t k = 0; k < 3; k++) {
				json_t *x = json_object_get(range, range_members[k]);
				if (!x && k < 2)
					return fail_at(c, range_members[k],
						       "required member missing");
				size_t o2 = push_key(c, range_members[k]);
				if (x && (r = get_int(c, x, INT64_MIN, &v[k])) < 0)
					return r;
				pop(c, o2);
			}
			pop(c, old);
			r = compat_vars_add_int_range(vs, n, v[0], v[1], v[2]);
		} else
			return fail(c, "an int variable needs values or range");
	} else if (streq(t, "enum")) {
		if (range)
			return fail_at(c, "range", "only int variables have a range");
		if (!values)
			return fail_at(c, "values", "required member missing");
		push_key(c, "values");
		if (!json_is_array(values) || json_array_size(values) == 0)
			return fail(c, "expected a non-empty array of strings");
		_cleanup_free_ const char **strs = xcalloc(json_array_size(values), sizeof(char *));
		json_array_foreach (values, i, e) {
			size_t o2 = push_index(c, i);
			if ((r = check_str(c, e, 0)) < 0)
				return r;
			strs[i] = json_string_value(e);
			pop(c, o2);
		}
		pop(c, old);
		r = compat_vars_add_enum(vs, n, strs, json_array_size(values));
	} else if (streq(t, "bool")) {
		if (values || range)
			return fail_at(c, values ? "values" : "range",
				       "a bool variable takes no values");
		r = compat_vars_add_bool(vs, n);
	} else
		return fail_at(c, "type", "expected \"int\", \"enum\" or \"bool\"");
	if (r < 0) {
		_cleanup_free_ char *msg = xstrdup(err_get(0) ? err_get(0) : "invalid variable");
		return fail(c, "%s", msg);
	}
	return 0;
}

static int parse_vars(struct ctx *c, json_t *v, struct compat_vars *vs)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return fail(c, "expected an array of variable declarations");
	json_array_foreach (v, i, e) {
		size_t old = push_index(c, i);
		int r = parse_var(c, e, vs);
		if (r < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static int parse_cost(struct ctx *c, json_t *v, const struct compat_vars *vars,
		      struct compat_tvalue *ret)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 1)
			return fail(c, "expected an integer >= 1 or a template");
		ret->text = xasprintf("%" PRId64, (int64_t)json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, "expected an integer >= 1 or a template");
	int r = parse_tvalue(c, v, true, vars, ret);
	if (r < 0)
		return r;
	if (compat_template_is_literal(ret->tmpl)) {
		/* Constant text: it could never be a valid cost if it is not one now. */
		const char *s = ret->text;
		int64_t x = 0;
		bool okay = *s >= '1' && *s <= '9' && strspn(s, "0123456789") == strlen(s) &&
			    strlen(s) <= 18;
		if (okay)
			x = strtoll(s, NULL, 10);
		if (!okay || x < 1)
			return fail(c, "expected an integer >= 1 or a template");
	}
	return 0;
}

static const char *const pattern_members[] = {
	"vars",
	"cost",
	"version_range",
	"kind",
	"device_api",
	"driver",
	"mdev_type",
	"pci",
	"mdev_attrs",
	"features",
	"vendor_fields",
	"params",
	"migration_flags",
	NULL,
};
static const char *const pattern_forbidden[] = { "uuid", "parent", NULL };

static int parse_pattern_overrides(struct ctx *c, json_t *o, struct compat_pattern *p,
				   struct compat_descriptor *ov, unsigned *set)
{
	json_t *x;
	size_t old;
	int r;

	if ((r = need_object(c, o)) < 0)
		return r;
	if ((r = check_members(c, o, pattern_members, pattern_forbidden,
			       "not allowed in a pattern: it names the source device (self)")) < 0)
		return r;
	/* The variables first: every template is checked against them as it is read. */
	if ((x = json_object_get(o, "vars"))) {
		old = push_key(c, "vars");
		if ((r = parse_vars(c, x, &p->vars)) < 0)
			return r;
		pop(c, old);
	}
	if ((r = parse_descriptor(c, o, true, &p->vars, ov, set)) < 0)
		return r;
	if ((x = json_object_get(o, "cost"))) {
		old = push_key(c, "cost");
		if ((r = parse_cost(c, x, &p->vars, &p->cost)) < 0)
			return r;
		pop(c, old);
	} else
		p->cost.text = xstrdup("1");
	if (range_given(x = json_object_get(o, "version_range"))) {
		old = push_key(c, "version_range");
		p->has_own_range = true;
		if ((r = parse_range(c, x, &p->own_range)) < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

/* What a pattern's own mdev_type becomes under each binding is a type id: otherwise the
 * record would name a path ("../../x", "a/b") or a glob, not a type, and a check would only say
 * TYPE_NOT_FOUND. A binding whose expansion fails is BINDING_INVALID at match time, not this. At
 * most COMPAT_BINDINGS_MAX expansions of one short template per pattern. */
static int check_pattern_types(struct ctx *c, const struct compat_pattern *p)
{
	const struct compat_tvalue *t = &p->d.mdev_type;
	struct compat_binding b;

	if (!t->tmpl)
		return 0; /* inherited from self, checked there */
	/* Text without ${...} is the same under every binding ("$$" stands for '$'). */
	bool literal = compat_template_is_literal(t->tmpl);
	for (bool more = compat_binding_first(&p->vars, &b); more;
	     more = compat_binding_next(&p->vars, &b)) {
		_cleanup_free_ char *type = NULL;
		if (compat_tvalue_expand(t, &p->vars, &b, &type, NULL) < 0)
			continue;
		if (type_name_ok(type) && literal)
			break;
		if (type_name_ok(type))
			continue;
		struct strbuf binding = { 0 }, what = { 0 };
		compat_binding_format(&p->vars, &b, &binding);
		if (!literal) {
			sb_puts(&what, "with ");
			put_escaped(&what, binding.buf ? binding.buf : "", COMPAT_STRING_MAX);
			sb_puts(&what, " it is ");
		}
		sb_putc(&what, '"');
		put_escaped(&what, type, COMPAT_STRING_MAX);
		sb_puts(&what, literal ? "\" is not" : "\", not");
		push_key(c, "mdev_type");
		int r = fail(c, "%s a valid type name: " TYPE_NAME_RULE, what.buf);
		sb_free(&binding);
		sb_free(&what);
		return r;
	}
	return 0;
}

static int parse_pattern(struct ctx *c, json_t *o, struct compat_record *rec,
			 struct compat_pattern *p)
{
	struct compat_descriptor ov = { 0 };
	unsigned set = 0;
	const char *msg, *member;
	size_t index;

	int r = parse_pattern_overrides(c, o, p, &ov, &set);
	if (r == 0)
		inherit(&p->d, &ov, set, &rec->self);
	descriptor_clear(&ov);
	if (r < 0)
		return r;
	if ((r = check_pattern_types(c, p)) < 0)
		return r;

	enum compat_scheme s = p->d.driver.scheme;
	if (p->d.driver.version && !version_ok(s, p->d.driver.version)) {
		if (set & SET_DRIVER_VERSION) {
			push_key(c, "driver");
			push_key(c, "version");
			return fail(c, "not a valid %s version", compat_scheme_to_string(s));
		}
		push_key(c, "driver");
		push_key(c, "version_scheme");
		return fail(c, "self's driver version \"%s\" is not a valid %s version",
			    p->d.driver.version, compat_scheme_to_string(s));
	}
	if (p->has_own_range) {
		p->version_range = &p->own_range;
		if ((msg = range_problem(&p->own_range, s, &member, &index))) {
			push_key(c, "version_range");
			return fail_range(c, msg, member, index);
		}
	} else if (rec->has_version_range) {
		p->version_range = &rec->version_range;
		if (s != rec->self.driver.scheme &&
		    (msg = range_problem(&rec->version_range, s, &member, &index))) {
			push_key(c, "driver");
			push_key(c, "version_scheme");
			return fail(c, "the record's version_range is not valid under %s: %s%s%s",
				    compat_scheme_to_string(s), member ? member : "",
				    member ? ": " : "", msg);
		}
	}
	return 0;
}

/* ---- the record ---- */

static const char *const self_members[] = {
	"kind", "device_api", "driver",	  "mdev_type", "uuid",		"parent",
	"pci",	"mdev_attrs", "features", "params",    "vendor_fields", "migration_flags",
	NULL,
};

static int parse_self(struct ctx *c, json_t *o, struct compat_record *rec)
{
	struct compat_descriptor *d = &rec->self;
	unsigned set = 0;
	json_t *x;
	size_t old;
	int r;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, self_members, NULL, NULL)) < 0)
		return r;
	if (!json_object_get(o, "kind"))
		return fail_at(c, "kind", "required member missing");
	if ((r = parse_descriptor(c, o, false, NULL, d, &set)) < 0)
		return r;
	if (!d->mdev_type.text)
		return fail_at(c, "mdev_type", "required member missing");
	if ((x = json_object_get(o, "uuid"))) {
		const char *why = NULL;
		old = push_key(c, "uuid");
		if ((r = check_str(c, x, 0)) < 0)
			return r;
		if (uuid_canonical(json_string_value(x), rec->uuid, &why) < 0)
			return fail(c, "not a UUID: %s", why ? why : "invalid");
		pop(c, old);
	}
	if ((x = json_object_get(o, "parent"))) {
		/* Informative, but a name a tool may well look up under /sys/class/mdev_bus. */
		old = push_key(c, "parent");
		if ((r = get_str(c, x, STR_SAFE, &rec->parent)) < 0)
			return r;
		pop(c, old);
	}
	if (!d->driver.scheme_set)
		d->driver.scheme = COMPAT_SCHEME_SEMVER;
	if (d->driver.version && !version_ok(d->driver.scheme, d->driver.version)) {
		push_key(c, "driver");
		push_key(c, "version");
		return fail(c, "not a valid %s version", compat_scheme_to_string(d->driver.scheme));
	}
	return 0;
}

static const char *const record_members[] = {
	"schema",	 "self",	  "generated", "self_is_candidate", "version_range",
	"feature_match", "attr_defaults", "requires",  "compatible",	    NULL,
};

static int parse_record(struct ctx *c, json_t *root, struct compat_record *rec)
{
	static const char *const requires_members[] = { "migration_flags", NULL };
	json_t *x, *compatible;
	size_t old;
	int r;

	if ((r = check_members(c, root, record_members, NULL, NULL)) < 0)
		return r;
	if (!(x = json_object_get(root, "self")))
		return fail_at(c, "self", "required member missing");
	old = push_key(c, "self");
	if ((r = parse_self(c, x, rec)) < 0)
		return r;
	pop(c, old);

	rec->self_is_candidate = true;
	if ((x = json_object_get(root, "self_is_candidate"))) {
		old = push_key(c, "self_is_candidate");
		if ((r = get_bool(c, x, &rec->self_is_candidate)) < 0)
			return r;
		pop(c, old);
	}
	if (range_given(x = json_object_get(root, "version_range"))) {
		const char *msg, *member;
		size_t index;
		old = push_key(c, "version_range");
		rec->has_version_range = true;
		if ((r = parse_range(c, x, &rec->version_range)) < 0)
			return r;
		msg = range_problem(&rec->version_range, rec->self.driver.scheme, &member, &index);
		if (msg)
			return fail_range(c, msg, member, index);
		pop(c, old);
	}
	if ((x = json_object_get(root, "feature_match"))) {
		old = push_key(c, "feature_match");
		if (json_is_string(x) && streq(json_string_value(x), "subset"))
			rec->feature_match = COMPAT_FEATURE_SUBSET;
		else if (json_is_string(x) && streq(json_string_value(x), "exact"))
			rec->feature_match = COMPAT_FEATURE_EXACT;
		else
			return fail(c, "expected \"subset\" or \"exact\"");
		pop(c, old);
	}
	if ((x = json_object_get(root, "attr_defaults"))) {
		old = push_key(c, "attr_defaults");
		if ((r = parse_kv(c, x, COMPAT_ATTRS_MAX, "attr defaults", STR_SAFE,
				  &rec->attr_defaults, &rec->n_attr_defaults)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(root, "requires"))) {
		old = push_key(c, "requires");
		if ((r = need_object(c, x)) < 0 ||
		    (r = check_members(c, x, requires_members, NULL, NULL)) < 0)
			return r;
		json_t *f = json_object_get(x, "migration_flags");
		if (f) {
			push_key(c, "migration_flags");
			if ((r = parse_mig_flags(c, f, &rec->requires_migration_flags)) < 0)
				return r;
		}
		pop(c, old);
	}

	compatible = json_object_get(root, "compatible");
	if (compatible) {
		old = push_key(c, "compatible");
		if (!json_is_array(compatible))
			return fail(c, "expected an array of patterns");
		if (json_array_size(compatible) > COMPAT_PATTERNS_MAX)
			return fail(c, "at most %d patterns", COMPAT_PATTERNS_MAX);
		pop(c, old);
		rec->n_compatible = json_array_size(compatible);
	}
	rec->patterns = xcalloc(rec->n_compatible + 1, sizeof(*rec->patterns));
	if (rec->self_is_candidate) {
		struct compat_descriptor none = { 0 };
		struct compat_pattern *p = &rec->patterns[rec->n_patterns++];
		p->compatible = -1;
		inherit(&p->d, &none, 0, &rec->self);
		p->cost.text = xstrdup("1");
		p->version_range = rec->has_version_range ? &rec->version_range : NULL;
	}
	for (size_t i = 0; i < rec->n_compatible; i++) {
		struct compat_pattern *p = &rec->patterns[rec->n_patterns++];
		p->compatible = (int)i;
		old = push_key(c, "compatible");
		push_index(c, i);
		if ((r = parse_pattern(c, json_array_get(compatible, i), rec, p)) < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static void pattern_clear(struct compat_pattern *p)
{
	descriptor_clear(&p->d);
	compat_vars_clear(&p->vars);
	tvalue_clear(&p->cost);
	range_clear(&p->own_range);
}

struct compat_record *compat_record_free(struct compat_record *rec)
{
	if (!rec)
		return NULL;
	descriptor_clear(&rec->self);
	free(rec->parent);
	range_clear(&rec->version_range);
	kv_free(rec->attr_defaults, rec->n_attr_defaults);
	for (size_t i = 0; i < rec->n_patterns; i++)
		pattern_clear(&rec->patterns[i]);
	free(rec->patterns);
	free(rec);
	return NULL;
}

int compat_record_parse(const char *text, size_t len, struct compat_record **ret)
{
	struct ctx c = { 0 };
	json_t *root = NULL;

	int r = load(text, len, COMPAT_RECORD_SCHEMA, COMPAT_INPUT_MAX, &root);
	if (r < 0)
		return r;
	struct compat_record *rec = xcalloc(1, sizeof(*rec));
	sb_puts(&c.path, "$");
	r = parse_record(&c, root, rec);
	sb_free(&c.path);
	json_decref(root);
	if (r < 0) {
		compat_record_free(rec);
		return r;
	}
	*ret = rec;
	return 0;
}

int compat_tvalue_expand(const struct compat_tvalue *v, const struct compat_vars *vs,
			 const struct compat_binding *b, char **ret, char **ret_reason)
{
	if (v->tmpl)
		return compat_template_expand(v->tmpl, vs, b, ret, ret_reason);
	*ret = xstrdup(v->text ? v->text : "");
	return 0;
}

/* ---- the inventory ---- */

static const char *const scalar_type_names[] = {
	[COMPAT_SCALAR_BOOL] = "bool",
	[COMPAT_SCALAR_INT] = "int",
	[COMPAT_SCALAR_STRING] = "string",
};
static const char *const attr_type_names[] = {
	[COMPAT_ATTR_INT] = "int",
	[COMPAT_ATTR_BOOL] = "bool",
	[COMPAT_ATTR_STRING] = "string",
	[COMPAT_ATTR_ANY] = "any",
};
static const char *const state_names[] = {
	[COMPAT_DEV_FREE] = "free",
	[COMPAT_DEV_IN_USE] = "in_use",
	[COMPAT_DEV_DEFINED] = "defined",
};

static int lookup_name(json_t *v, const char *const *names, size_t n)
{
	if (!json_is_string(v))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (streq(json_string_value(v), names[i]))
			return (int)i;
	return -1;
}

static int get_scalar(struct ctx *c, json_t *v, enum compat_scalar_type t, int64_t min_int,
		      struct compat_scalar *ret)
{
	int r;

	ret->type = t;
	switch (t) {
	case COMPAT_SCALAR_BOOL:
		return get_bool(c, v, &ret->b);
	case COMPAT_SCALAR_INT:
		return get_int(c, v, min_int, &ret->i);
	case COMPAT_SCALAR_STRING:
		if ((r = check_str(c, v, 0)) < 0)
			return r;
		ret->s.text = xstrdup(json_string_value(v));
		return 0;
	}
	return fail(c, "invalid type");
}

static bool scalar_eq(const struct compat_scalar *a, const struct compat_scalar *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case COMPAT_SCALAR_BOOL:
		return a->b == b->b;
	case COMPAT_SCALAR_INT:
		return a->i == b->i;
	case COMPAT_SCALAR_STRING:
		return streq(a->s.text, b->s.text);
	}
	return false;
}

static int parse_allowed(struct ctx *c, json_t *v, enum compat_scalar_type t, int64_t min_int,
			 struct compat_scalar **ret, size_t *ret_n)
{
	static const char *const plural[] = {
		[COMPAT_SCALAR_BOOL] = "booleans",
		[COMPAT_SCALAR_INT] = "integers",
		[COMPAT_SCALAR_STRING] = "strings",
	};
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(c, "expected a non-empty array of %s", plural[t]);
	if (json_array_size(v) > COMPAT_ALLOWED_MAX)
		return fail(c, "at most %d allowed values", COMPAT_ALLOWED_MAX);
	*ret = xcalloc(json_array_size(v), sizeof(**ret));
	json_array_foreach (v, i, e) {
		size_t old = push_index(c, i);
		int r = get_scalar(c, e, t, min_int, &(*ret)[i]);
		if (r < 0)
			return r;
		(*ret_n)++;
		for (size_t k = 0; k < i; k++)
			if (scalar_eq(&(*ret)[k], &(*ret)[i]))
				return fail(c, "value listed twice");
		pop(c, old);
	}
	return 0;
}

static int parse_int_range(struct ctx *c, json_t *v, int64_t min_int, int64_t *ret_min,
			   int64_t *ret_max)
{
	static const char *const members[] = { "min", "max", NULL };
	int64_t *out[] = { ret_min, ret_max };
	int r;

	if ((r = need_object(c, v)) < 0 || (r = check_members(c, v, members, NULL, NULL)) < 0)
		return r;
	for (size_t k = 0; k < 2; k++) {
		json_t *x = json_object_get(v, members[k]);
		if (!x)
			return fail_at(c, members[k], "required member missing");
		size_t old = push_key(c, members[k]);
		if ((r = get_int(c, x, min_int, out[k])) < 0)
			return r;
		pop(c, old);
	}
	if (*ret_min > *ret_max)
		return fail(c, "min is above max");
	return 0;
}

/* Whether s lies within the allowed values or range (none given: anything). */
static bool scalar_within(const struct compat_scalar *s, const struct compat_scalar *allowed,
			  size_t n_allowed, bool has_range, int64_t min, int64_t max)
{
	if (allowed) {
		for (size_t i = 0; i < n_allowed; i++)
			if (scalar_eq(&allowed[i], s))
				return true;
		return false;
	}
	if (has_range)
		return s->i >= min && s->i <= max;
	return true;
}

static int parse_param_def(struct ctx *c, json_t *o, struct compat_param_def *p)
{
	static const char *const members[] = { "type", "allowed", "range", "default",
					       "off",  "attr",	  NULL };
	json_t *x;
	size_t old;
	int r, t;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, members, NULL, NULL)) < 0)
		return r;
	if (!(x = json_object_get(o, "type")))
		return fail_at(c, "type", "required member missing");
	if ((t = lookup_name(x, scalar_type_names, ELEMENTSOF(scalar_type_names))) < 0)
		return fail_at(c, "type", "expected \"bool\", \"int\" or \"string\"");
	p->type = (enum compat_scalar_type)t;
	if ((x = json_object_get(o, "allowed"))) {
		old = push_key(c, "allowed");
		if ((r = parse_allowed(c, x, p->type, INT64_MIN, &p->allowed, &p->n_allowed)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "range"))) {
		old = push_key(c, "range");
		if (p->allowed)
			return fail(c, "not allowed together with allowed");
		if (p->type != COMPAT_SCALAR_INT)
			return fail(c, "only params of type int have a range");
		if ((r = parse_int_range(c, x, INT64_MIN, &p->range_min, &p->range_max)) < 0)
			return r;
		p->has_range = true;
		pop(c, old);
	}
	const char *which[] = { "default", "off" };
	struct compat_scalar *dst[] = { &p->def, &p->off };
	bool *has[] = { &p->has_default, &p->has_off };
	for (size_t k = 0; k < 2; k++) {
		if (!(x = json_object_get(o, which[k])))
			continue;
		old = push_key(c, which[k]);
		if ((r = get_scalar(c, x, p->type, INT64_MIN, dst[k])) < 0)
			return r;
		*has[k] = true;
		if (!scalar_within(dst[k], p->allowed, p->n_allowed, p->has_range, p->range_min,
				   p->range_max))
			return fail(c, "not among the allowed values");
		pop(c, old);
	}
	if ((x = json_object_get(o, "attr"))) {
		old = push_key(c, "attr");
		if ((r = get_str(c, x, STR_SAFE, &p->attr)) < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static int parse_settable(struct ctx *c, json_t *o, struct compat_settable_attr *a)
{
	static const char *const members[] = { "type", "allowed", "range", NULL };
	json_t *x;
	size_t old;
	int r, t;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, members, NULL, NULL)) < 0)
		return r;
	if (!(x = json_object_get(o, "type")))
		return fail_at(c, "type", "required member missing");
	if ((t = lookup_name(x, attr_type_names, ELEMENTSOF(attr_type_names))) < 0)
		return fail_at(c, "type", "expected \"int\", \"bool\", \"string\" or \"any\"");
	a->type = (enum compat_attr_type)t;
	if ((x = json_object_get(o, "allowed"))) {
		old = push_key(c, "allowed");
		if (a->type == COMPAT_ATTR_ANY)
			return fail(c, "an attr of type any takes every value");
		enum compat_scalar_type st = a->type == COMPAT_ATTR_INT	   ? COMPAT_SCALAR_INT
					     : a->type == COMPAT_ATTR_BOOL ? COMPAT_SCALAR_BOOL
									   : COMPAT_SCALAR_STRING;
		if ((r = parse_allowed(c, x, st, 0, &a->allowed, &a->n_allowed)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "range"))) {
		old = push_key(c, "range");
		if (a->allowed)
			return fail(c, "not allowed together with allowed");
		if (a->type != COMPAT_ATTR_INT)
			return fail(c, "only attrs of type int have a range");
		if ((r = parse_int_range(c, x, 0, &a->range_min, &a->range_max)) < 0)
			return r;
		a->has_range = true;
		pop(c, old);
	}
	return 0;
}

static int parse_param_defs(struct ctx *c, json_t *v, struct compat_inv_type *t)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return fail(c, "expected an object");
	if (json_object_size(v) > COMPAT_PARAMS_MAX)
		return fail(c, "at most %d params", COMPAT_PARAMS_MAX);
	t->params = xcalloc(json_object_size(v) + 1, sizeof(*t->params));
	json_object_foreach (v, k, x) {
		size_t old = push_key(c, k);
		int r = check_name(c, k, 0);
		if (r < 0)
			return r;
		struct compat_param_def *p = &t->params[t->n_params++];
		p->name = xstrdup(k);
		if ((r = parse_param_def(c, x, p)) < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static int parse_settables(struct ctx *c, json_t *v, struct compat_inv_type *t)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return fail(c, "expected an object");
	if (json_object_size(v) > COMPAT_ATTRS_MAX)
		return fail(c, "at most %d settable attrs", COMPAT_ATTRS_MAX);
	t->settable_attrs = xcalloc(json_object_size(v) + 1, sizeof(*t->settable_attrs));
	json_object_foreach (v, k, x) {
		size_t old = push_key(c, k);
		int r = check_name(c, k, STR_SAFE);
		if (r < 0)
			return r;
		struct compat_settable_attr *a = &t->settable_attrs[t->n_settable_attrs++];
		a->name = xstrdup(k);
		if ((r = parse_settable(c, x, a)) < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static const char *const type_members[] = {
	"mdev_type",
	"device_api",
	"available_instances",
	"name",
	"description",
	"driver",
	"pci",
	"features",
	"params",
	"vendor_fields",
	"settable_attrs",
	"migration_flags",
	"accepts",
	NULL,
};

static int parse_type(struct ctx *c, json_t *o, struct compat_inv_type *t)
{
	static const char *const accepts_members[] = { "driver_version", NULL };
	json_t *x;
	size_t old;
	unsigned set = 0;
	int r;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, type_members, NULL, NULL)) < 0)
		return r;
	static const char *const required[] = { "mdev_type", "device_api", "available_instances" };
	for (size_t k = 0; k < ELEMENTSOF(required); k++)
		if (!json_object_get(o, required[k]))
			return fail_at(c, required[k], "required member missing");
	old = push_key(c, "mdev_type");
	if ((r = get_str(c, json_object_get(o, "mdev_type"), STR_SAFE, &t->mdev_type)) < 0)
		return r;
	pop(c, old);
	old = push_key(c, "device_api");
	if ((r = get_str(c, json_object_get(o, "device_api"), STR_NONEMPTY, &t->device_api)) < 0)
		return r;
	pop(c, old);
	old = push_key(c, "available_instances");
	if ((r = get_int(c, json_object_get(o, "available_instances"), 0,
			 &t->available_instances)) < 0)
		return r;
	pop(c, old);
	if ((x = json_object_get(o, "name"))) {
		old = push_key(c, "name");
		if ((r = get_str(c, x, 0, &t->name)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "description"))) {
		old = push_key(c, "description");
		if ((r = get_str(c, x, STR_TEXT, &t->description)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "driver"))) {
		old = push_key(c, "driver");
		if ((r = parse_driver(c, x, &t->driver, &set)) < 0)
			return r;
		if (t->driver.scheme_set && t->driver.version &&
		    !version_ok(t->driver.scheme, t->driver.version)) {
			push_key(c, "version");
			return fail(c, "not a valid %s version",
				    compat_scheme_to_string(t->driver.scheme));
		}
		pop(c, old);
	}
	if ((x = json_object_get(o, "pci"))) {
		old = push_key(c, "pci");
		if ((r = parse_pci(c, x, false, &t->pci)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "features"))) {
		old = push_key(c, "features");
		if ((r = parse_features(c, x, &t->features)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "params"))) {
		old = push_key(c, "params");
		if ((r = parse_param_defs(c, x, t)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "vendor_fields"))) {
		old = push_key(c, "vendor_fields");
		if ((r = parse_kv(c, x, COMPAT_VENDOR_FIELDS_MAX, "vendor fields", 0,
				  &t->vendor_fields, &t->n_vendor_fields)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "settable_attrs"))) {
		old = push_key(c, "settable_attrs");
		if ((r = parse_settables(c, x, t)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "migration_flags"))) {
		old = push_key(c, "migration_flags");
		if ((r = parse_mig_flags(c, x, &t->migration_flags)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(o, "accepts"))) {
		old = push_key(c, "accepts");
		if ((r = need_object(c, x)) < 0 ||
		    (r = check_members(c, x, accepts_members, NULL, NULL)) < 0)
			return r;
		json_t *dv = json_object_get(x, "driver_version");
		if (range_given(dv)) {
			const char *msg = NULL, *member = NULL;
			size_t index = SIZE_MAX;
			push_key(c, "driver_version");
			t->has_accepts = true;
			if ((r = parse_range(c, dv, &t->accepts_driver_version)) < 0)
				return r;
			if (t->driver.scheme_set) {
				msg = range_problem(&t->accepts_driver_version, t->driver.scheme,
						    &member, &index);
			} else {
				/* The source's scheme decides: well formed under one is enough. */
				const char *m2;
				size_t i2;
				msg = range_problem(&t->accepts_driver_version,
						    COMPAT_SCHEME_SEMVER, &member, &index);
				if (msg && (!range_problem(&t->accepts_driver_version,
							   COMPAT_SCHEME_DOTTED, &m2, &i2) ||
					    !range_problem(&t->accepts_driver_version,
							   COMPAT_SCHEME_OPAQUE, &m2, &i2)))
					msg = NULL;
				else if (msg)
					msg = "not a valid version under any scheme";
			}
			if (msg)
				return fail_range(c, msg, member, index);
		}
		pop(c, old);
	}
	return 0;
}

static int parse_parent(struct ctx *c, json_t *o, struct compat_inv_parent *p)
{
	static const char *const members[] = { "parent", "types", NULL };
	json_t *x;
	size_t old, i;
	int r;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, members, NULL, NULL)) < 0)
		return r;
	if (!(x = json_object_get(o, "parent")))
		return fail_at(c, "parent", "required member missing");
	old = push_key(c, "parent");
	if ((r = get_str(c, x, STR_SAFE, &p->parent)) < 0)
		return r;
	pop(c, old);
	if (!(x = json_object_get(o, "types")))
		return 0;
	old = push_key(c, "types");
	if (!json_is_array(x))
		return fail(c, "expected an array of types");
	if (json_array_size(x) > COMPAT_TYPES_MAX)
		return fail(c, "at most %d types per parent", COMPAT_TYPES_MAX);
	p->types = xcalloc(json_array_size(x) + 1, sizeof(*p->types));
	json_t *e;
	json_array_foreach (x, i, e) {
		size_t o2 = push_index(c, i);
		struct compat_inv_type *t = &p->types[p->n_types++];
		if ((r = parse_type(c, e, t)) < 0)
			return r;
		for (size_t k = 0; k + 1 < p->n_types; k++)
			if (streq(p->types[k].mdev_type, t->mdev_type))
				return fail_at(c, "mdev_type", "type listed twice for this parent");
		pop(c, o2);
	}
	pop(c, old);
	return 0;
}

static int parse_device(struct ctx *c, json_t *o, struct compat_inv_device *d)
{
	static const char *const members[] = {
		"uuid", "parent", "mdev_type", "attrs", "state", NULL
	};
	static const char *const required[] = { "uuid", "parent", "mdev_type", "state" };
	json_t *x;
	size_t old;
	int r, s;

	if ((r = need_object(c, o)) < 0 || (r = check_members(c, o, members, NULL, NULL)) < 0)
		return r;
	for (size_t k = 0; k < ELEMENTSOF(required); k++)
		if (!json_object_get(o, required[k]))
			return fail_at(c, required[k], "required member missing");
	const char *why = NULL;
	x = json_object_get(o, "uuid");
	old = push_key(c, "uuid");
	if ((r = check_str(c, x, 0)) < 0)
		return r;
	if (uuid_canonical(json_string_value(x), d->uuid, &why) < 0)
		return fail(c, "not a UUID: %s", why ? why : "invalid");
	pop(c, old);
	old = push_key(c, "parent");
	if ((r = get_str(c, json_object_get(o, "parent"), STR_SAFE, &d->parent)) < 0)
		return r;
	pop(c, old);
	old = push_key(c, "mdev_type");
	if ((r = get_str(c, json_object_get(o, "mdev_type"), STR_SAFE, &d->mdev_type)) < 0)
		return r;
	pop(c, old);
	if ((x = json_object_get(o, "attrs"))) {
		old = push_key(c, "attrs");
		if ((r = parse_attrs(c, x, false, NULL, &d->attrs, &d->n_attrs)) < 0)
			return r;
		pop(c, old);
	}
	x = json_object_get(o, "state");
	if ((s = lookup_name(x, state_names, ELEMENTSOF(state_names))) < 0)
		return fail_at(c, "state", "expected \"free\", \"in_use\" or \"defined\"");
	d->state = (enum compat_dev_state)s;
	return 0;
}

static int parse_inventory(struct ctx *c, json_t *root, struct compat_inventory *inv)
{
	static const char *const members[] = { "schema", "host", "parents", "devices", NULL };
	struct compat_dedup seen = { 0 };
	json_t *x, *e;
	size_t old, i;
	int r;

	if ((r = check_members(c, root, members, NULL, NULL)) < 0)
		return r;
	if ((x = json_object_get(root, "host"))) {
		old = push_key(c, "host");
		if ((r = get_str(c, x, STR_NONEMPTY, &inv->host)) < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(root, "parents"))) {
		old = push_key(c, "parents");
		if (!json_is_array(x))
			return fail(c, "expected an array of parents");
		if (json_array_size(x) > COMPAT_PARENTS_MAX)
			return fail(c, "at most %d parents", COMPAT_PARENTS_MAX);
		inv->parents = xcalloc(json_array_size(x) + 1, sizeof(*inv->parents));
		json_array_foreach (x, i, e) {
			size_t o2 = push_index(c, i);
			struct compat_inv_parent *p = &inv->parents[inv->n_parents++];
			if ((r = parse_parent(c, e, p)) < 0)
				break;
			if (!compat_dedup_add(&seen, p->parent, i, NULL)) {
				r = fail_at(c, "parent", "parent listed twice");
				break;
			}
			pop(c, o2);
		}
		compat_dedup_clear(&seen);
		if (r < 0)
			return r;
		pop(c, old);
	}
	if ((x = json_object_get(root, "devices"))) {
		old = push_key(c, "devices");
		if (!json_is_array(x))
			return fail(c, "expected an array of devices");
		if (json_array_size(x) > COMPAT_DEVICES_MAX)
			return fail(c, "at most %d devices", COMPAT_DEVICES_MAX);
		inv->devices = xcalloc(json_array_size(x) + 1, sizeof(*inv->devices));
		json_array_foreach (x, i, e) {
			size_t o2 = push_index(c, i);
			struct compat_inv_device *d = &inv->devices[inv->n_devices++];
			if ((r = parse_device(c, e, d)) < 0)
				break;
			size_t first;
			if (!compat_dedup_add(&seen, d->uuid, i, &first)) {
				push_key(c, "uuid");
				r = fail(c, "UUID already listed at $.devices[%zu]", first);
				break;
			}
			pop(c, o2);
		}
		compat_dedup_clear(&seen);
		if (r < 0)
			return r;
		pop(c, old);
	}
	return 0;
}

static void inv_type_clear(struct compat_inv_type *t)
{
	free(t->mdev_type);
	free(t->device_api);
	free(t->name);
	free(t->description);
	driver_clear(&t->driver);
	pci_clear(&t->pci);
	strv_free(&t->features);
	for (size_t i = 0; i < t->n_params; i++) {
		struct compat_param_def *p = &t->params[i];
		free(p->name);
		scalars_free(p->allowed, p->n_allowed);
		tvalue_clear(&p->def.s);
		tvalue_clear(&p->off.s);
		free(p->attr);
	}
	free(t->params);
	kv_free(t->vendor_fields, t->n_vendor_fields);
	for (size_t i = 0; i < t->n_settable_attrs; i++) {
		free(t->settable_attrs[i].name);
		scalars_free(t->settable_attrs[i].allowed, t->settable_attrs[i].n_allowed);
	}
	free(t->settable_attrs);
	range_clear(&t->accepts_driver_version);
}

struct compat_inventory *compat_inventory_free(struct compat_inventory *inv)
{
	if (!inv)
		return NULL;
	free(inv->host);
	for (size_t i = 0; i < inv->n_parents; i++) {
		struct compat_inv_parent *p = &inv->parents[i];
		free(p->parent);
		for (size_t k = 0; k < p->n_types; k++)
			inv_type_clear(&p->types[k]);
		free(p->types);
	}
	free(inv->parents);
	for (size_t i = 0; i < inv->n_devices; i++) {
		free(inv->devices[i].parent);
		free(inv->devices[i].mdev_type);
		attrs_free(inv->devices[i].attrs, inv->devices[i].n_attrs);
	}
	free(inv->devices);
	free(inv);
	return NULL;
}

static int inventory_parse(const char *text, size_t len, size_t max_len,
			   struct compat_inventory **ret)
{
	struct ctx c = { 0 };
	json_t *root = NULL;

	int r = load(text, len, COMPAT_INVENTORY_SCHEMA, max_len, &root);
	if (r < 0)
		return r;
	struct compat_inventory *inv = xcalloc(1, sizeof(*inv));
	sb_puts(&c.path, "$");
	r = parse_inventory(&c, root, inv);
	sb_free(&c.path);
	json_decref(root);
	if (r < 0) {
		compat_inventory_free(inv);
		return r;
	}
	*ret = inv;
	return 0;
}

int compat_inventory_parse(const char *text, size_t len, struct compat_inventory **ret)
{
	return inventory_parse(text, len, COMPAT_INPUT_MAX, ret);
}

/* The nesting depth of v (a scalar is 0); *has_real is set when v holds a real anywhere. */
static size_t tree_depth(const json_t *v, bool *has_real)
{
	size_t max = 0, i;
	const char *k;
	json_t *m;

	if (json_is_object(v))
		json_object_foreach ((json_t *)v, k, m) {
			size_t d = tree_depth(m, has_real);
			max = d > max ? d : max;
		}
	else if (json_is_array(v))
		json_array_foreach (v, i, m) {
			size_t d = tree_depth(m, has_real);
			max = d > max ? d : max;
		}
	else {
		*has_real |= json_is_real(v);
		return 0;
	}
	return max + 1;
}

int compat_inventory_parse_host(json_t *root, struct compat_inventory **ret)
{
	/* The tree is checked as its compact text would be, without writing and parsing that text
	 * (a 512x16 host's is megabytes). Two things go the text's way, for the same outcome: a
	 * depth that load() refuses before jansson sees the text (the message has the text's line
	 * and column), and a real, which the text may spell as an integer ("1" for 1.0). A tree
	 * has no duplicate members. */
	bool has_real = false;
	if (tree_depth(root, &has_real) > COMPAT_DEPTH_MAX || has_real) {
		_cleanup_free_ char *text = json_io_compact(root);
		return inventory_parse(text, strlen(text), 0, ret);
	}
	json_t *s = json_is_object(root) ? json_object_get(root, "schema") : NULL;
	if (!json_is_object(root))
		return err_set(-EINVAL, "$: expected an object");
	if (!s)
		return err_set(-EINVAL, "$.schema: required member missing");
	if (!json_is_string(s) || !streq(json_string_value(s), COMPAT_INVENTORY_SCHEMA))
		return err_set(-EINVAL, "$.schema: expected \"%s\"", COMPAT_INVENTORY_SCHEMA);

	struct ctx c = { 0 };
	struct compat_inventory *inv = xcalloc(1, sizeof(*inv));
	sb_puts(&c.path, "$");
	int r = parse_inventory(&c, root, inv);
	sb_free(&c.path);
	if (r < 0) {
		compat_inventory_free(inv);
		return r;
	}
	*ret = inv;
	return 0;
}

/* ---- canonical JSON of an inventory ---- */

static json_t *scalar_to_json(const struct compat_scalar *s)
{
	switch (s->type) {
	case COMPAT_SCALAR_BOOL:
		return json_boolean(s->b);
	case COMPAT_SCALAR_INT:
		return json_integer(s->i);
	case COMPAT_SCALAR_STRING:
		return json_string(s->s.text);
	}
	return json_null();
}

static json_t *allowed_to_json(const struct compat_scalar *a, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, scalar_to_json(&a[i]));
	return arr;
}

static json_t *int_range_to_json(int64_t min, int64_t max)
{
	json_t *o = json_object();
	json_object_set_new(o, "min", json_integer(min));
	json_object_set_new(o, "max", json_integer(max));
	return o;
}

static json_t *range_to_json(const struct compat_range *r)
{
	json_t *o = json_object();
	if (r->eq)
		json_object_set_new(o, "eq", json_string(r->eq));
	if (r->any_of) {
		json_t *a = json_array();
		for (size_t i = 0; i < r->n_any_of; i++)
			json_array_append_new(a, json_string(r->any_of[i]));
		json_object_set_new(o, "any_of", a);
	}
	if (r->min)
		json_object_set_new(o, "min", json_string(r->min));
	if (r->max)
		json_object_set_new(o, "max", json_string(r->max));
	if (r->max_exclusive)
		json_object_set_new(o, "max_exclusive", json_string(r->max_exclusive));
	if (r->include_prerelease)
		json_object_set_new(o, "include_prerelease", json_true());
	return o;
}

static json_t *mig_to_json(unsigned flags)
{
	json_t *a = json_array();
	for (size_t k = 0; k < COMPAT_MIG_N; k++)
		if (flags & (1u << k))
			json_array_append_new(a, json_string(compat_mig_names[k]));
	return a;
}

static json_t *kv_to_json(const struct compat_kv *kv, size_t n)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, kv[i].name, json_string(kv[i].value));
	return o;
}

static json_t *attrs_to_json(const struct compat_attr *a, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, a[i].name, json_string(a[i].value.text));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *type_to_json(const struct compat_inv_type *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "mdev_type", json_string(t->mdev_type));
	json_object_set_new(o, "device_api", json_string(t->device_api));
	json_object_set_new(o, "available_instances", json_integer(t->available_instances));
	if (t->name)
		json_object_set_new(o, "name", json_string(t->name));
	if (t->description)
		json_object_set_new(o, "description", json_string(t->description));
	if (t->driver.name || t->driver.version || t->driver.scheme_set) {
		json_t *d = json_object();
		if (t->driver.name)
			json_object_set_new(d, "name", json_string(t->driver.name));
		if (t->driver.version)
			json_object_set_new(d, "version", json_string(t->driver.version));
		if (t->driver.scheme_set)
			json_object_set_new(d, "version_scheme",
					    json_string(compat_scheme_to_string(t->driver.scheme)));
		json_object_set_new(o, "driver", d);
	}
	json_t *pci = json_object();
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++)
		if (t->pci.id[f].n)
			json_object_set_new(pci, compat_pci_field_names[f],
					    json_string(t->pci.id[f].text[0]));
	if (json_object_size(pci))
		json_object_set_new(o, "pci", pci);
	else
		json_decref(pci);
	if (t->features.n) {
		json_t *a = json_array();
		for (size_t i = 0; i < t->features.n; i++)
			json_array_append_new(a, json_string(t->features.v[i]));
		json_object_set_new(o, "features", a);
	}
	if (t->n_params) {
		json_t *ps = json_object();
		for (size_t i = 0; i < t->n_params; i++) {
			const struct compat_param_def *p = &t->params[i];
			json_t *po = json_object();
			json_object_set_new(po, "type", json_string(scalar_type_names[p->type]));
			if (p->allowed)
				json_object_set_new(po, "allowed",
						    allowed_to_json(p->allowed, p->n_allowed));
			if (p->has_range)
				json_object_set_new(po, "range",
						    int_range_to_json(p->range_min, p->range_max));
			if (p->has_default)
				json_object_set_new(po, "default", scalar_to_json(&p->def));
			if (p->has_off)
				json_object_set_new(po, "off", scalar_to_json(&p->off));
			if (p->attr)
				json_object_set_new(po, "attr", json_string(p->attr));
			json_object_set_new(ps, p->name, po);
		}
		json_object_set_new(o, "params", ps);
	}
	if (t->n_vendor_fields)
		json_object_set_new(o, "vendor_fields",
				    kv_to_json(t->vendor_fields, t->n_vendor_fields));
	if (t->n_settable_attrs) {
		json_t *ss = json_object();
		for (size_t i = 0; i < t->n_settable_attrs; i++) {
			const struct compat_settable_attr *a = &t->settable_attrs[i];
			json_t *ao = json_object();
			json_object_set_new(ao, "type", json_string(attr_type_names[a->type]));
			if (a->allowed)
				json_object_set_new(ao, "allowed",
						    allowed_to_json(a->allowed, a->n_allowed));
			if (a->has_range)
				json_object_set_new(ao, "range",
						    int_range_to_json(a->range_min, a->range_max));
			json_object_set_new(ss, a->name, ao);
		}
		json_object_set_new(o, "settable_attrs", ss);
	}
	if (t->migration_flags)
		json_object_set_new(o, "migration_flags", mig_to_json(t->migration_flags));
	if (t->has_accepts) {
		json_t *acc = json_object();
		json_object_set_new(acc, "driver_version",
				    range_to_json(&t->accepts_driver_version));
		json_object_set_new(o, "accepts", acc);
	}
	return o;
}

json_t *compat_inventory_to_json(const struct compat_inventory *inv)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema", json_string(COMPAT_INVENTORY_SCHEMA));
	if (inv->host)
		json_object_set_new(o, "host", json_string(inv->host));
	if (inv->n_parents) {
		json_t *ps = json_array();
		for (size_t i = 0; i < inv->n_parents; i++) {
			const struct compat_inv_parent *p = &inv->parents[i];
			json_t *po = json_object();
			json_object_set_new(po, "parent", json_string(p->parent));
			if (p->n_types) {
				json_t *ts = json_array();
				for (size_t k = 0; k < p->n_types; k++)
					json_array_append_new(ts, type_to_json(&p->types[k]));
				json_object_set_new(po, "types", ts);
			}
			json_array_append_new(ps, po);
		}
		json_object_set_new(o, "parents", ps);
	}
	if (inv->n_devices) {
		json_t *ds = json_array();
		for (size_t i = 0; i < inv->n_devices; i++) {
			const struct compat_inv_device *d = &inv->devices[i];
			json_t *dobj = json_object();
			json_object_set_new(dobj, "uuid", json_string(d->uuid));
			json_object_set_new(dobj, "parent", json_string(d->parent));
			json_object_set_new(dobj, "mdev_type", json_string(d->mdev_type));
			if (d->n_attrs)
				json_object_set_new(dobj, "attrs",
						    attrs_to_json(d->attrs, d->n_attrs));
			json_object_set_new(dobj, "state", json_string(state_names[d->state]));
			json_array_append_new(ds, dobj);
		}
		json_object_set_new(o, "devices", ds);
	}
	return o;
}
