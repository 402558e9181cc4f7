// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the base helpers: UUID forms, safe names, integer parsing, string buffers, string
 * vectors. */
#include <errno.h>

#include "tap.h"
#include "util.h"

static void test_uuid(void)
{
	static const struct {
		const char *in;
		const char *want; /* NULL: must be refused */
	} cases[] = {
		{ "5cf14a12-a437-4c82-a13f-70e945782d7b", "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "5CF14A12-A437-4C82-A13F-70E945782D7B", "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "5cf14a12a4374c82a13f70e945782d7b", "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "{5cf14a12-a437-4c82-a13f-70e945782d7b}",
		  "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "urn:uuid:5cf14a12-a437-4c82-a13f-70e945782d7b",
		  "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "URN:UUID:5CF14A12-A437-4C82-A13F-70E945782D7B",
		  "5cf14a12-a437-4c82-a13f-70e945782d7b" },
		{ "", NULL },
		{ "not-a-uuid", NULL },
		{ "5cf14a12-a437-4c82-a13f-70e945782d7", NULL },
		{ "5cf14a12-a437-4c82-a13f-70e945782d7bb", NULL },
		{ "5cf14a12xa437-4c82-a13f-70e945782d7b", NULL },
		{ "5cf14a12-a437-4c82-a13f-70e945782d7g", NULL },
		{ "{5cf14a12-a437-4c82-a13f-70e945782d7b", NULL },
		{ "5cf14a12-a437-4c82-a13f70e945782d7b0", NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char out[UUID_STR_LEN] = "";
		const char *why = NULL;
		int r = uuid_canonical(cases[i].in, out, &why);
		if (cases[i].want)
			is_str(r == 0 ? out : NULL, cases[i].want, "uuid '%s' is accepted",
			       cases[i].in);
		else
			ok(r == -EINVAL && why && *why, "uuid '%s' is refused with a reason",
			   cases[i].in);
	}
	char u[UUID_STR_LEN];
	uuid_random(u);
	ok(uuid_is_canonical(u) && u[14] == '4', "a random uuid is canonical version 4: %s", u);
	ok(!uuid_is_canonical("5CF14A12-A437-4C82-A13F-70E945782D7B"),
	   "upper case is not canonical");
}

static void test_names(void)
{
	static const struct {
		const char *name;
		bool safe;
	} cases[] = {
		{ "0000:00:02.0", true },   { "matrix", true }, { "0.0.26ab", true },
		{ "i915-GVTg_V5_4", true }, { "a.b", true },	{ "", false },
		{ "a/b", false },	    { "..", false },	{ "../x", false },
		{ "x..y", false },	    { "a\nb", false },	{ "a\tb", false },
		{ "\x7f", false },	    { ".", true },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		ok(name_is_safe(cases[i].name) == cases[i].safe, "name %zu is %s", i,
		   cases[i].safe ? "safe" : "refused");
	ok(!name_is_safe(NULL), "NULL name is refused");
}

static void test_ints(void)
{
	static const struct {
		const char *in;
		int r;
		int32_t v;
	} cases[] = {
		{ "2\n", 0, 2 },
		{ " 65535 ", 0, 65535 },
		{ "-1", 0, -1 },
		{ "+7", 0, 7 },
		{ "abc", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "1 2", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "2147483648", -ERANGE, 0 },
		{ "-2147483649", -ERANGE, 0 },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int32_t v = 0;
		int r = parse_i32(cases[i].in, &v);
		ok(r == cases[i].r && (r < 0 || v == cases[i].v), "parse_i32 case %zu", i);
	}
	uint32_t u;
	ok(parse_u32("4294967295", &u) == 0 && u == UINT32_MAX, "u32 max");
	ok(parse_u32("4294967296", &u) == -ERANGE, "u32 overflow");
	ok(parse_u32("-1", &u) == -EINVAL, "u32 sign refused");
	ok(parse_u32("", &u) == -EINVAL, "u32 empty refused");
}

static void test_strbuf(void)
{
	struct strbuf sb = { 0 };
	for (int i = 0; i < 1000; i++)
		sb_printf(&sb, "%d,", i);
	ok(sb.len == strlen(sb.buf), "strbuf length tracks content");
	ok(startswith(sb.buf, "0,1,2,") && endswith(sb.buf, "998,999,"), "strbuf grows");
	char *s = sb_steal(&sb);
	ok(sb.buf == NULL && sb.len == 0, "steal resets");
	free(s);
	char t[] = "  \t x y \n";
	is_str(strstrip(t), "x y", "strstrip");
	is_str(os_error_str(ENOENT), "No such file or directory (os error 2)", "os error text");
}

static void test_strv(void)
{
	static const char *const in[] = { "b", "a", "b", "c", "a", "a", "" };
	struct strv sv = { 0 };
	struct strbuf sb = { 0 };

	strv_uniq(&sv);
	ok(sv.n == 0 && sv.v == NULL, "strv_uniq of an empty vector");
	for (size_t i = 0; i < ELEMENTSOF(in); i++)
		strv_push(&sv, xstrdup(in[i]));
	strv_uniq(&sv);
	for (size_t i = 0; i < sv.n; i++)
		sb_printf(&sb, "[%s]", sv.v[i]);
	is_str(sb.buf, "[b][a][b][c][a][]", "strv_uniq unsorted: only equal neighbours go");
	sb_free(&sb);
	strv_push(&sv, xstrdup(""));
	strv_uniq(&sv);
	ok(sv.n == 6 && sv.v[6] == NULL, "strv_uniq: the last one too, the NULL end kept");
	strv_sort(&sv);
	strv_uniq(&sv);
	for (size_t i = 0; i < sv.n; i++)
		sb_printf(&sb, "[%s]", sv.v[i]);
	is_str(sb.buf, "[][a][b][c]", "sorted, then uniq: each string once, in order");
	ok(sv.n == 4 && sv.v[4] == NULL, "the vector stays NULL-terminated");
	sb_free(&sb);
	strv_free(&sv);
}

static void test_str_index(void)
{
	struct str_index ix = { 0 };
	char keys[3000][16];
	size_t v;
	ok(!str_index_get(&ix, "a", &v), "an empty index has nothing");
	/* past its first size, so that it grows several times */
	str_index_init(&ix, 10);
	bool added = true, found = true, dup = true;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i * 7919 % 10007);
		added &= str_index_add(&ix, keys[i], i, NULL);
	}
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%zu", i * 7919 % 10007);
		found &= str_index_get(&ix, k, &v) && v == i;
		dup &= !str_index_add(&ix, k, 99999, &v) && v == i;
	}
	ok(added && ix.n == ELEMENTSOF(keys), "3000 keys added");
	ok(found, "each key found with its value, by an equal string");
	ok(dup, "adding a key again keeps the first value and says which");
	ok(!str_index_get(&ix, "missing", &v) && !str_index_get(&ix, "", NULL),
	   "absent keys are absent");
	str_index_free(&ix);
	ok(ix.slots == NULL && ix.n == 0, "freed");
}

int main(void)
{
	test_str_index();
	test_uuid();
	test_names();
	test_ints();
	test_strbuf();
	test_strv();
	{
		uint64_t v = 0;
		bool b = false;
		ok(kernel_strtoul("0x47", &v) && v == 71, "kernel_strtoul: hex");
		ok(kernel_strtoul("071", &v) && v == 57, "kernel_strtoul: a leading 0 is octal");
		ok(kernel_strtoul("+12", &v) && v == 12, "kernel_strtoul: a '+' is allowed");
		ok(!kernel_strtoul("08", &v) && !kernel_strtoul("-1", &v) && !kernel_strtoul("", &v) &&
			   !kernel_strtoul("1 ", &v) && !kernel_strtoul("0x", &v),
		   "kernel_strtoul: not numbers as the kernel reads them");
		/* _kstrtoull(): one '\n' after the digits, nothing else, and not alone */
		ok(kernel_strtoul("5\n", &v) && v == 5 && kernel_strtoul("0x47\n", &v) && v == 71 &&
			   kernel_strtoul("0\n", &v) && v == 0,
		   "kernel_strtoul: one trailing newline is taken, as kstrtoul takes it");
		ok(!kernel_strtoul("\n", &v) && !kernel_strtoul("5\n\n", &v) &&
			   !kernel_strtoul("5 \n", &v) && !kernel_strtoul("\n5", &v) &&
			   !kernel_strtoul("0x\n", &v) && !kernel_strtoul("5\r\n", &v),
		   "kernel_strtoul: but no more than one, and not instead of the number");
		ok(!kernel_strtoul("18446744073709551616", &v) &&
			   kernel_strtoul("18446744073709551615", &v) && v == UINT64_MAX,
		   "kernel_strtoul: overflow refused");
		ok(kernel_strtobool("Yes", &b) && b && kernel_strtobool("0", &b) && !b &&
			   kernel_strtobool("on", &b) && b && kernel_strtobool("OFF", &b) && !b,
		   "kernel_strtobool: first characters decide");
		ok(!kernel_strtobool("true", &b) && !kernel_strtobool("o", &b) &&
			   !kernel_strtobool("", &b),
		   "kernel_strtobool: what the kernel refuses");
	}
	return tap_done();
}
