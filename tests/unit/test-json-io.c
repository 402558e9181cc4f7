// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the JSON mapping: definition rules, error messages, and byte-exact output in
 * serde_json's pretty and compact forms. */
#include <errno.h>

#include "error.h"
#include "json-io.h"
#include "tap.h"

static void test_load(void)
{
	static const struct {
		const char *json;
		const char *err; /* NULL: accepted; else the start of the message */
		const char *type;
		bool autostart;
		size_t n_attrs;
	} cases[] = {
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[]}", NULL, "t", true, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"manual\"}", NULL, "t", false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"bogus\",\"attrs\":null}", NULL, "t", false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":1}", NULL, "t", false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"x\":1,\"attrs\":[{\"a\":\"1\"},{\"a\":\"2\"}]}",
		  NULL, "t", true, 2 },
		{ "{\"start\":\"auto\"}", "invalid json", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\"}", "invalid json", NULL, false, 0 },
		{ "{\"mdev_type\":null,\"start\":\"auto\"}", "invalid json", NULL, false, 0 },
		{ "[1]", "invalid json", NULL, false, 0 },
		{ "5", "invalid json", NULL, false, 0 },
		{ "{\"mdev_type\":5,\"start\":\"auto\"}",
		  "invalid json: \"mdev_type\" must be a string", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":{}}",
		  "attributes field is not an array", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[\"x\"]}",
		  "invalid JSON format for attribute: not an object", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{}]}",
		  "invalid JSON format for attribute: too many fields", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{\"a\":\"1\",\"b\":\"2\"}]}",
		  "invalid JSON format for attribute: too many fields", NULL, false, 0 },
		{ "{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{\"a\":1}]}",
		  "invalid JSON format for attribute \"a\" (attrs[0]): value must be of type str",
		  NULL, false, 0 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		json_t *root = NULL;
		struct mdev *d = mdev_new("5cf14a12-a437-4c82-a13f-70e945782d7b");
		int r = json_io_parse(cases[i].json, strlen(cases[i].json), &root);
		ok(r == 0, "case %zu parses", i);
		r = json_io_load_config(d, root);
		if (cases[i].err)
			ok(r == -EINVAL && startswith(err_get(0), cases[i].err),
			   "case %zu refused: %s", i, err_get(0) ? err_get(0) : "(none)");
		else
			ok(r == 0 && streq(d->type, cases[i].type) &&
				   d->autostart == cases[i].autostart &&
				   d->n_attrs == cases[i].n_attrs,
			   "case %zu loads", i);
		err_clear();
		json_decref(root);
		mdev_free(d);
	}
}

static void test_syntax_error(void)
{
	json_t *root = NULL;
	const char *bad = "{\n  \"a\": ,\n}";
	int r = json_io_parse(bad, strlen(bad), &root);
	ok(r == -EINVAL && strstr(err_get(0), "at line 2 column"), "syntax error says where: %s",
	   err_get(0));
	err_clear();
	r = json_io_parse("", 0, &root);
	ok(r == -EINVAL && strstr(err_get(0), "line 1"), "empty input is an error: %s", err_get(0));
	err_clear();
}

static void test_output(void)
{
	struct mdev *d = mdev_new("5cf14a12-a437-4c82-a13f-70e945782d7b");
	mdev_set_parent(d, "matrix");
	mdev_set_type(d, "vfio_ap-passthrough");
	json_t *j = json_io_config(d);
	char *s = json_io_pretty(j);
	is_str(s,
	       "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}",
	       "empty attrs pretty form");
	free(s);
	json_decref(j);

	d->autostart = true;
	mdev_append_attr(d, "assign_adapter", "5");
	mdev_append_attr(d, "k\"q", "v\\a\x01/\n\xc3\xa9");
	j = json_io_config(d);
	s = json_io_pretty(j);
	is_str(s,
	       "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"auto\",\n  \"attrs\": [\n"
	       "    {\n      \"assign_adapter\": \"5\"\n    },\n    {\n      \"k\\\"q\": \"v\\\\a\\u0001/\\n\xc3\xa9\"\n    }\n  ]\n}",
	       "attrs pretty form with serde escaping");
	free(s);
	s = json_io_compact(j);
	is_str(s,
	       "{\"mdev_type\":\"vfio_ap-passthrough\",\"start\":\"auto\",\"attrs\":[{\"assign_adapter\":\"5\"},{\"k\\\"q\":\"v\\\\a\\u0001/\\n\xc3\xa9\"}]}",
	       "compact form");
	free(s);
	json_decref(j);

	struct mdev_list l = { 0 };
	j = json_io_device_tree(&l);
	s = json_io_pretty(j);
	is_str(s, "[]", "empty device tree");
	free(s);
	json_decref(j);

	mdev_list_push(&l, d);
	struct mdev *e = mdev_new("00000000-0000-0000-0000-000000000001");
	mdev_set_parent(e, "0000:00:02.0");
	mdev_set_type(e, "t");
	mdev_list_push(&l, e);
	mdev_list_sort(&l);
	ok(streq(l.v[0]->parent, "0000:00:02.0"), "parents sort byte-wise");
	j = json_io_device_tree(&l);
	s = json_io_compact(j);
	ok(startswith(s, "[{\"0000:00:02.0\":[{\"00000000-0000-0000-0000-000000000001\":{") &&
		   strstr(s, "}}],\"matrix\":[{\"5cf14a12"),
	   "device tree groups by parent: %s", s);
	free(s);
	json_decref(j);
	mdev_list_free(&l);
}

/* ---- the streaming writers against the tree ---- */

static void compare_tree(const char *what, const struct mdev_list *l)
{
	json_t *j = json_io_device_tree(l);
	_cleanup_free_ char *want = json_io_pretty(j);
	struct strbuf sb = { 0 };
	json_io_device_tree_pretty(l, &sb);
	is_str(sb.buf, want, "%s: device tree written as the tree prints", what);
	sb_free(&sb);
	json_decref(j);
	for (size_t i = 0; i < l->n; i++) {
		j = json_io_config(l->v[i]);
		_cleanup_free_ char *w = json_io_pretty(j);
		json_io_config_pretty(l->v[i], &sb);
		if (!streq(sb.buf, w))
			is_str(sb.buf, w, "%s: configuration %zu", what, i);
		sb_free(&sb);
		json_decref(j);
	}
}

static void test_streaming(void)
{
	static const char *const parents[] = { "0000:00:02.0", "matrix", "p\"q\\r\x01\xc3\xa9" };
	struct mdev_list l = { 0 };
	compare_tree("no devices", &l);
	for (size_t i = 0; i < 7; i++) {
		char u[UUID_STR_LEN];
		snprintf(u, sizeof(u), "00000000-0000-0000-0000-%012zu", i);
		struct mdev *d = mdev_new(u);
		mdev_set_parent(d, parents[i % 3 == 0 ? 0 : i % 3]);
		if (i != 5)
			mdev_set_type(d, i % 2 ? "t\n\t" : "i915-GVTg_V5_4");
		d->autostart = i % 2;
		for (size_t k = 0; k < i % 4; k++)
			mdev_append_attr(d, k ? "a\"\\" : "assign_adapter",
					 k % 2 ? "\x02\xc3\xa9/" : "5");
		mdev_list_push(&l, d);
		mdev_list_sort(&l);
		_cleanup_free_ char *what = xasprintf("%zu devices", i + 1);
		compare_tree(what, &l);
	}
	mdev_list_free(&l);
}

/* ---- json_io_load_definition() against jansson ---- */

struct outcome {
	int r;
	char *err;
	char *type;
	bool autostart;
	struct strbuf attrs;
};

static void outcome_clear(struct outcome *o)
{
	free(o->err);
	free(o->type);
	sb_free(&o->attrs);
	*o = (struct outcome){ 0 };
}

static void outcome_of(struct mdev *d, int r, struct outcome *o)
{
	o->r = r < 0 ? r : 0;
	o->err = xstrdup(r < 0 && err_get(0) ? err_get(0) : "");
	err_clear();
	o->type = xstrdup(d->type ? d->type : "(none)");
	o->autostart = d->autostart;
	sb_puts(&o->attrs, "");
	for (size_t i = 0; i < d->n_attrs; i++)
		sb_printf(&o->attrs, "%s=%s;", d->attrs[i].name, d->attrs[i].value);
}

/* Both ways on one text; returns json_io_load_definition()'s result. */
static int compare_ways(const char *what, const char *text, size_t len, bool verbose)
{
	struct outcome a = { 0 }, b = { 0 };
	struct mdev *da = mdev_new("5cf14a12-a437-4c82-a13f-70e945782d7b");
	struct mdev *db = mdev_new("5cf14a12-a437-4c82-a13f-70e945782d7b");
	json_t *root = NULL;

	err_clear();
	int ra = json_io_load_definition(da, text, len);
	outcome_of(da, ra, &a);
	int rb = json_io_parse(text, len, &root);
	if (rb == 0)
		rb = json_io_load_config(db, root);
	json_decref(root);
	outcome_of(db, rb, &b);
	bool same = a.r == b.r && streq(a.err, b.err) && streq(a.type, b.type) &&
		    a.autostart == b.autostart && streq(a.attrs.buf, b.attrs.buf);
	if (verbose || !same)
		ok(same, "%s: the same outcome as jansson (%s)", what, a.r < 0 ? a.err : "loaded");
	if (!same)
		printf("#   text: %.*s\n#   plain: %d '%s' %s %d %s\n#   jansson: %d '%s' %s %d %s\n",
		       (int)len, text, a.r, a.err, a.type, a.autostart, a.attrs.buf, b.r, b.err,
		       b.type, b.autostart, b.attrs.buf);
	outcome_clear(&a);
	outcome_clear(&b);
	mdev_free(da);
	mdev_free(db);
	return same ? ra : -1000;
}

static void test_load_definition(void)
{
	static const char *const plain[] = {
		"{\n  \"mdev_type\": \"i915-GVTg_V5_4\",\n  \"start\": \"auto\",\n  \"attrs\": []\n}",
		"{\n  \"mdev_type\": \"t\",\n  \"start\": \"manual\",\n  \"attrs\": [\n    {\n      \"assign_adapter\": \"5\"\n    },\n    {\n      \"assign_domain\": \"0x47\"\n    }\n  ]\n}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\"}",
		" {\"start\":\"x\",\"mdev_type\":\"\",\"other\":\"y\",\"attrs\":[]}\r\n\t",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{\"a\":\"\"},{\"a\":\"2\"}],\"z\":\"~\"}",
	};
	static const char *const other[] = {
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":null}",
		"{\"mdev_type\":\"t\",\"start\":1}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"mdev_type\":\"u\"}",
		"{\"mdev_type\":\"t\\u00e9\",\"start\":\"auto\"}",
		"{\"mdev_type\":\"t\xc3\xa9\",\"start\":\"auto\"}",
		"{\"mdev_type\":\"t\xff\",\"start\":\"auto\"}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"x\":{\"y\":[1,2.5,true,false,null]}}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{}]}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{\"a\":\"1\",\"b\":\"2\"}]}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[{\"a\":1}]}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[\"a\"]}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":{}}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",\"attrs\":[],\"attrs\":[]}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\"}x",
		"{\"mdev_type\":\"t\",\"start\":\"auto\",}",
		"{\"mdev_type\":\"t\"\"start\":\"auto\"}",
		"{\"start\":\"auto\"}",
		"{\"mdev_type\":\"t\"}",
		"{}",
		"[]",
		"",
		"\"x\"",
		"{\"mdev_type\":\"t\",\"start\":\"auto\"",
		"{\"mdev_type\":\"t\",\"start\":\"a\tb\"}",
		"{\"mdev_type\":\"t\",\"start\":\"auto\"}\f",
	};
	for (size_t i = 0; i < ELEMENTSOF(plain); i++) {
		_cleanup_free_ char *what = xasprintf("plain definition %zu", i);
		int r = compare_ways(what, plain[i], strlen(plain[i]), true);
		ok(r == 1, "plain definition %zu is read without jansson", i);
	}
	for (size_t i = 0; i < ELEMENTSOF(other); i++) {
		_cleanup_free_ char *what = xasprintf("definition %zu", i);
		int r = compare_ways(what, other[i], strlen(other[i]), true);
		ok(r == 0 || r == -EINVAL, "definition %zu goes to jansson (%d)", i, r);
	}
	/* A NUL inside the text: jansson's error, not a shorter text. */
	static const char nul[] = "{\"mdev_type\":\"t\",\"start\":\"auto\"}\0 ";
	compare_ways("a NUL after the object", nul, sizeof(nul) - 1, true);

	/* Mutations of the plain texts: every byte deleted, replaced or preceded by one of the
	 * bytes that matter to either reader, and every truncation. */
	static const char bytes[] = { '"',  '\\',   '{',    '}',    '[',    ']',   ',',
				      ':',  ' ',    '\n',   'a',    '0',    'u',   't',
				      '\0', '\x01', '\x7f', '\xc3', '\xa9', '\xff' };
	size_t n = 0, plain_n = 0, failed = 0;
	for (size_t i = 0; i < ELEMENTSOF(plain); i++) {
		const char *t = plain[i];
		size_t len = strlen(t);
		char *m = xmalloc(len + 2);
		for (size_t pos = 0; pos <= len; pos++) {
			n++;
			int r = compare_ways("truncated", t, pos, false);
			failed += r == -1000;
			plain_n += r == 1;
			for (size_t k = 0; k < sizeof(bytes); k++) {
				/* insert */
				memcpy(m, t, pos);
				m[pos] = bytes[k];
				memcpy(m + pos + 1, t + pos, len - pos);
				r = compare_ways("inserted", m, len + 1, false);
				failed += r == -1000;
				plain_n += r == 1;
				n++;
				if (pos == len)
					continue;
				/* replace */
				memcpy(m, t, len);
				m[pos] = bytes[k];
				r = compare_ways("replaced", m, len, false);
				failed += r == -1000;
				plain_n += r == 1;
				n++;
			}
			if (pos < len) {
				memcpy(m, t, pos);
				memcpy(m + pos, t + pos + 1, len - pos - 1);
				r = compare_ways("deleted", m, len - 1, false);
				failed += r == -1000;
				plain_n += r == 1;
				n++;
			}
		}
		free(m);
	}
	ok(failed == 0, "%zu mutated definitions: the same outcome both ways (%zu differ)", n,
	   failed);
	ok(plain_n > n / 10, "%zu of them were read the plain way", plain_n);
}

int main(void)
{
	test_load_definition();
	test_streaming();
	test_load();
	test_syntax_error();
	test_output();
	return tap_done();
}
