// SPDX-License-Identifier: LGPL-2.1-or-later
/* JSON mapping and a serde_json-compatible emitter; see json-io.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "json-io.h"

int json_io_parse(const char *text, size_t len, json_t **ret)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &e);
	if (!v)
		return err_set(-EINVAL, "%s at line %d column %d", e.text, e.line, e.column);
	*ret = v;
	return 0;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

int json_io_load_attrs(struct mdev *dev, json_t *attrs)
{
	size_t i;
	json_t *a;

	if (!attrs || json_is_null(attrs))
		return 0;
	if (!json_is_array(attrs))
		return err_set(-EINVAL, "attributes field is not an array");
	json_array_foreach (attrs, i, a) {
		if (!json_is_object(a))
			return err_set(-EINVAL, "invalid JSON format for attribute: not an object");
		if (json_object_size(a) != 1)
			return err_set(-EINVAL,
				       "invalid JSON format for attribute: too many fields");
		const char *key = json_object_iter_key(json_object_iter(a));
		json_t *val = json_object_iter_value(json_object_iter(a));
		if (!json_is_string(val))
			return err_set(
				-EINVAL,
				"invalid JSON format for attribute \"%s\" (attrs[%zu]): value must be of type str, not %s",
				key, i, type_name(val));
	}
	json_array_foreach (attrs, i, a) {
		void *it = json_object_iter(a);
		mdev_append_attr(dev, json_object_iter_key(it),
				 json_string_value(json_object_iter_value(it)));
	}
	return 0;
}

int json_io_load_config(struct mdev *dev, json_t *root)
{
	json_t *type = json_is_object(root) ? json_object_get(root, "mdev_type") : NULL;
	json_t *start = json_is_object(root) ? json_object_get(root, "start") : NULL;

	if (!type || json_is_null(type) || !start || json_is_null(start))
		return err_set(-EINVAL, "invalid json");
	if (!json_is_string(type))
		return err_set(-EINVAL, "invalid json: \"mdev_type\" must be a string, not %s",
			       type_name(type));
	int r = json_io_load_attrs(dev, json_object_get(root, "attrs"));
	if (r < 0)
		return r;
	mdev_set_type(dev, json_string_value(type));
	dev->autostart = json_is_string(start) && streq(json_string_value(start), "auto");
	return 0;
}

/* ---- the plain definition, read without a tree ----
 *
 * `list` loads every definition on each of libvirt's re-lists, and building a jansson tree is
 * most of what loading one costs. Nearly every definition is what mdevctl itself writes: an
 * object whose members are strings, and "attrs", an array of one-member objects of strings,
 * all in printable ASCII without escapes. Such a text is read here; any other (an escape, a
 * byte outside printable ASCII, a number, true, null, nesting, a repeated member, a missing
 * one, a syntax error) goes to jansson, which decides and words any error. So this reader only
 * ever answers "loaded, as jansson would have" or "not mine", and cannot change an outcome. */

struct plain {
	const char *p, *end;
};

static void plain_ws(struct plain *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool plain_char(struct plain *s, char c)
{
	plain_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* A string of printable ASCII without escapes; *ret points into the text. */
static bool plain_string(struct plain *s, const char **ret, size_t *ret_len)
{
	plain_ws(s);
	if (s->p >= s->end || *s->p != '"')
		return false;
	const char *b = ++s->p;
	while (s->p < s->end && *s->p != '"') {
		unsigned char c = (unsigned char)*s->p;
		if (c < 0x20 || c > 0x7e || c == '\\')
			return false;
		s->p++;
	}
	if (s->p >= s->end)
		return false;
	*ret = b;
	*ret_len = (size_t)(s->p - b);
	s->p++;
	return true;
}

static bool plain_is(const char *k, size_t n, const char *name)
{
	return n == strlen(name) && memcmp(k, name, n) == 0;
}

/* [{"name": "value"}, ...] appended to dev. */
static bool plain_attrs(struct plain *s, struct mdev *dev)
{
	if (!plain_char(s, '['))
		return false;
	if (plain_char(s, ']'))
		return true;
	do {
		const char *k, *v;
		size_t kn, vn;
		if (!plain_char(s, '{') || !plain_string(s, &k, &kn) || !plain_char(s, ':') ||
		    !plain_string(s, &v, &vn) || !plain_char(s, '}'))
			return false;
		_cleanup_free_ char *name = xstrndup(k, kn), *value = xstrndup(v, vn);
		mdev_append_attr(dev, name, value);
	} while (plain_char(s, ','));
	return plain_char(s, ']');
}

static bool load_plain(struct mdev *dev, const char *text, size_t len)
{
	struct plain s = { text, text + len };
	const char *type = NULL, *start = NULL;
	size_t type_len = 0, start_len = 0;
	bool attrs = false;

	if (!plain_char(&s, '{'))
		return false;
	if (plain_char(&s, '}'))
		return false; /* no mdev_type: jansson's error */
	do {
		const char *k, *v;
		size_t kn, vn;
		if (!plain_string(&s, &k, &kn) || !plain_char(&s, ':'))
			return false;
		if (plain_is(k, kn, "attrs")) {
			if (attrs || !plain_attrs(&s, dev))
				return false;
			attrs = true;
			continue;
		}
		if (!plain_string(&s, &v, &vn))
			return false;
		if (plain_is(k, kn, "mdev_type")) {
			if (type)
				return false;
			type = v;
			type_len = vn;
		} else if (plain_is(k, kn, "start")) {
			if (start)
				return false;
			start = v;
			start_len = vn;
		}
	} while (plain_char(&s, ','));
	if (!plain_char(&s, '}'))
		return false;
	plain_ws(&s);
	if (s.p != s.end || !type || !start)
		return false;
	free(dev->type);
	dev->type = xstrndup(type, type_len);
	dev->autostart = plain_is(start, start_len, "auto");
	return true;
}

int json_io_load_definition(struct mdev *dev, const char *text, size_t len)
{
	size_t n_attrs = dev->n_attrs;
	if (load_plain(dev, text, len))
		return 1;
	/* Not plain: drop what was read of it and start again, the jansson way. */
	while (dev->n_attrs > n_attrs)
		(void)mdev_delete_attr(dev, false, 0);
	json_t *root = NULL;
	int r = json_io_parse(text, len, &root);
	if (r < 0)
		return r;
	r = json_io_load_config(dev, root);
	json_decref(root);
	return r;
}

json_t *json_io_config(const struct mdev *dev)
{
	json_t *o = json_object(), *attrs = json_array();
	json_object_set_new_nocheck(o, "mdev_type",
				    json_string_nocheck(dev->type ? dev->type : ""));
	json_object_set_new(o, "start", json_string(dev->autostart ? "auto" : "manual"));
	for (size_t i = 0; i < dev->n_attrs; i++) {
		json_t *a = json_object();
		json_object_set_new_nocheck(a, dev->attrs[i].name,
					    json_string_nocheck(dev->attrs[i].value));
		json_array_append_new(attrs, a);
	}
	json_object_set_new(o, "attrs", attrs);
	return o;
}

json_t *json_io_device_tree(const struct mdev_list *list)
{
	json_t *top = json_array();
	if (list->n == 0)
		return top;
	json_t *parents = json_object();
	json_t *children = NULL;
	const char *cur = NULL;
	for (size_t i = 0; i < list->n; i++) {
		const struct mdev *d = list->v[i];
		if (!cur || !streq(cur, d->parent)) {
			cur = d->parent;
			children = json_array();
			json_object_set_new_nocheck(parents, cur, children);
		}
		json_t *entry = json_object();
		json_object_set_new_nocheck(entry, d->uuid, json_io_config(d));
		json_array_append_new(children, entry);
	}
	json_array_append_new(top, parents);
	return top;
}

json_t *json_io_type_tree(const struct mdev_type_list *types, char *const *parents,
			  size_t n_parents)
{
	json_t *top = json_array();
	if (n_parents == 0)
		return top;
	json_t *obj = json_object();
	for (size_t p = 0; p < n_parents; p++)
		json_object_set_new_nocheck(obj, parents[p], json_array());
	for (size_t i = 0; i < types->n; i++) {
		const struct mdev_type *t = &types->v[i];
		json_t *o = json_object(), *entry = json_object();
		json_object_set_new(o, "available_instances", json_integer(t->available));
		json_object_set_new(o, "device_api", json_string_nocheck(t->device_api));
		if (t->name && *t->name)
			json_object_set_new(o, "name", json_string_nocheck(t->name));
		if (t->description && *t->description)
			json_object_set_new(o, "description", json_string_nocheck(t->description));
		json_object_set_new_nocheck(entry, t->id, o);
		json_array_append_new(json_object_get(obj, t->parent), entry);
	}
	json_array_append_new(top, obj);
	return top;
}

static void emit_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	sb_putc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		/* Runs of characters that need no escape are copied at once. */
		size_t run = i;
		while (run < len && (unsigned char)s[run] >= 0x20 && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		if (run > i) {
			sb_add(sb, s + i, run - i);
			i = run - 1;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			sb_puts(sb, "\\\"");
			break;
		case '\\':
			sb_puts(sb, "\\\\");
			break;
		case '\b':
			sb_puts(sb, "\\b");
			break;
		case '\f':
			sb_puts(sb, "\\f");
			break;
		case '\n':
			sb_puts(sb, "\\n");
			break;
		case '\r':
			sb_puts(sb, "\\r");
			break;
		case '\t':
			sb_puts(sb, "\\t");
			break;
		default:
			if (c < 0x20) {
				char u[7] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0 };
				sb_puts(sb, u);
			} else
				sb_putc(sb, (char)c);
		}
	}
	sb_putc(sb, '"');
}

static void indent(struct strbuf *sb, int level)
{
	for (int i = 0; i < level; i++)
		sb_puts(sb, "  ");
}

/* pretty < 0: compact; otherwise the current indentation level. */
static void emit(struct strbuf *sb, const json_t *v, int level, bool pretty)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *m;
		if (json_object_size(v) == 0) {
			sb_puts(sb, "{}");
			break;
		}
		bool first = true;
		sb_putc(sb, '{');
		json_object_foreach ((json_t *)v, k, m) {
			if (!first)
				sb_putc(sb, ',');
			first = false;
			if (pretty) {
				sb_putc(sb, '\n');
				indent(sb, level + 1);
			}
			emit_string(sb, k, strlen(k));
			sb_puts(sb, pretty ? ": " : ":");
			emit(sb, m, level + 1, pretty);
		}
		if (pretty) {
			sb_putc(sb, '\n');
			indent(sb, level);
		}
		sb_putc(sb, '}');
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		if (json_array_size(v) == 0) {
			sb_puts(sb, "[]");
			break;
		}
		sb_putc(sb, '[');
		json_array_foreach ((json_t *)v, i, m) {
			if (i)
				sb_putc(sb, ',');
			if (pretty) {
				sb_putc(sb, '\n');
				indent(sb, level + 1);
			}
			emit(sb, m, level + 1, pretty);
		}
		if (pretty) {
			sb_putc(sb, '\n');
			indent(sb, level);
		}
		sb_putc(sb, ']');
		break;
	}
	case JSON_STRING:
		emit_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sb_printf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sb_printf(sb, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		sb_puts(sb, "true");
		break;
	case JSON_FALSE:
		sb_puts(sb, "false");
		break;
	case JSON_NULL:
		sb_puts(sb, "null");
		break;
	}
}

/* ---- definitions written straight to text ----
 *
 * `list --dumpjson` prints every device; building the jansson tree first costs more than
 * writing the text. These write what json_io_pretty() writes for json_io_config() and
 * json_io_device_tree(), byte for byte (the unit tests compare them). */

static void pretty_key(struct strbuf *sb, int level, const char *key)
{
	sb_putc(sb, '\n');
	indent(sb, level);
	emit_string(sb, key, strlen(key));
	sb_puts(sb, ": ");
}

/* json_io_config(dev) at indentation level. */
static void pretty_config(struct strbuf *sb, const struct mdev *dev, int level)
{
	const char *type = dev->type ? dev->type : "";
	sb_putc(sb, '{');
	pretty_key(sb, level + 1, "mdev_type");
	emit_string(sb, type, strlen(type));
	sb_putc(sb, ',');
	pretty_key(sb, level + 1, "start");
	sb_puts(sb, dev->autostart ? "\"auto\"" : "\"manual\"");
	sb_putc(sb, ',');
	pretty_key(sb, level + 1, "attrs");
	if (dev->n_attrs == 0)
		sb_puts(sb, "[]");
	else {
		sb_putc(sb, '[');
		for (size_t i = 0; i < dev->n_attrs; i++) {
			if (i)
				sb_putc(sb, ',');
			sb_putc(sb, '\n');
			indent(sb, level + 2);
			sb_putc(sb, '{');
			pretty_key(sb, level + 3, dev->attrs[i].name);
			emit_string(sb, dev->attrs[i].value, strlen(dev->attrs[i].value));
			sb_putc(sb, '\n');
			indent(sb, level + 2);
			sb_putc(sb, '}');
		}
		sb_putc(sb, '\n');
		indent(sb, level + 1);
		sb_putc(sb, ']');
	}
	sb_putc(sb, '\n');
	indent(sb, level);
	sb_putc(sb, '}');
}

void json_io_config_pretty(const struct mdev *dev, struct strbuf *out)
{
	pretty_config(out, dev, 0);
}

void json_io_device_tree_pretty(const struct mdev_list *list, struct strbuf *out)
{
	if (list->n == 0) {
		sb_puts(out, "[]");
		return;
	}
	sb_puts(out, "[\n  {");
	for (size_t i = 0; i < list->n; i++) {
		const struct mdev *d = list->v[i];
		bool first_of_parent = i == 0 || !streq(list->v[i - 1]->parent, d->parent);
		bool last_of_parent = i + 1 == list->n || !streq(list->v[i + 1]->parent, d->parent);
		if (first_of_parent) {
			if (i)
				sb_putc(out, ',');
			pretty_key(out, 2, d->parent);
			sb_putc(out, '[');
		} else
			sb_putc(out, ',');
		sb_putc(out, '\n');
		indent(out, 3);
		sb_putc(out, '{');
		pretty_key(out, 4, d->uuid);
		pretty_config(out, d, 4);
		sb_putc(out, '\n');
		indent(out, 3);
		sb_putc(out, '}');
		if (last_of_parent) {
			sb_putc(out, '\n');
			indent(out, 2);
			sb_putc(out, ']');
		}
	}
	sb_puts(out, "\n  }\n]");
}

char *json_io_pretty(const json_t *v)
{
	struct strbuf sb = { 0 };
	emit(&sb, v, 0, true);
	return sb_steal(&sb);
}

void json_io_init(void)
{
	uint32_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	/* 0 would make jansson pick its own seed, from /dev/urandom. */
	json_object_seed(seed ? seed : 1);
}

char *json_io_compact(const json_t *v)
{
	struct strbuf sb = { 0 };
	emit(&sb, v, 0, false);
	return sb_steal(&sb);
}
