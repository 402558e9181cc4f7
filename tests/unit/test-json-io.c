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

int main(void)
{
	test_load();
	test_syntax_error();
	test_output();
	return tap_done();
}
