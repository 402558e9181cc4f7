// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of rule files: valid and invalid files with the exact error and its JSON path in
 * the rule file (the record and inventory parsers' errors rewritten), globs, the layering of
 * matching entries and of compat_json_merge(), record parts with templates, type facts from
 * other sources, loading the vendor and admin directories of a host rerooted with
 * MDEVCTL_ENV_ROOT (replacement by name, masking, order, invalid and ignored files), and every
 * rule file the project ships or uses in tests, read from $MDEVCTL_SRCDIR. JSON in the tables
 * is written with ' for " (converted before parsing) to stay readable. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat-rules.h"
#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "path.h"
#include "tap.h"

static char *q(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static int add_str(struct compat_rules *r, const char *json)
{
	_cleanup_free_ char *text = q(json);
	err_clear();
	return compat_rules_add(r, "t.json", text, strlen(text));
}

/* The compact JSON of v ("(null)" for NULL), for comparing with a table. */
static char *compact(const json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT) : xstrdup("(null)");
}

static json_t *parse_json(const char *s)
{
	_cleanup_free_ char *text = q(s);
	return json_loads(text, 0, NULL);
}

/* ---- parsing ---- */

#define F(types)     "{'schema':'mdev-compat-rules/1','types':[" types "]}"
#define E(members)   F("{'mdev_type':'t'" members "}")
#define D(facts)     E(",'descriptor':{" facts "}")
#define RP(part)     E(",'record':{" part "}")
#define PAT(pattern) RP("'compatible':[" pattern "]")

static const struct {
	const char *json;
	const char *err; /* NULL: accepted; a trailing '*' makes it a prefix */
} file_cases[] = {
	/* the document */
	{ F(""), NULL },
	{ "{'schema':'mdev-compat-rules/1','description':'Just words.','types':[]}", NULL },
	{ "[]", "t.json: $: expected an object" },
	{ "{'types':[]}", "t.json: $.schema: required member missing" },
	{ "{'schema':'mdev-compat/1','types':[]}",
	  "t.json: $.schema: expected \"mdev-compat-rules/1\"" },
	{ "{'schema':'mdev-compat-rules/2','foo':1}",
	  "t.json: $.schema: expected \"mdev-compat-rules/1\"" },
	{ "{'schema':'mdev-compat-rules/1'}", "t.json: $.types: required member missing" },
	{ "{'schema':'mdev-compat-rules/1','types':{}}",
	  "t.json: $.types: expected an array of entries" },
	{ "{'schema':'mdev-compat-rules/1','types':[],'version':2}",
	  "t.json: $.version: unknown member" },
	{ "{'schema':'mdev-compat-rules/1','types':[],'a b':2}",
	  "t.json: $[\"a b\"]: unknown member" },
	{ "{'schema':'mdev-compat-rules/1','description':7,'types':[]}",
	  "t.json: $.description: expected a string" },
	{ "{'schema':'mdev-compat-rules/1','types':[],}", "t.json: *at line 1 column*" },
	{ "{'schema':'mdev-compat-rules/1','types':[],'types':[]}",
	  "t.json: duplicate object key near*" },
	/* entries */
	{ F("7"), "t.json: $.types[0]: expected an object" },
	{ F("{'mdev_type':'a'},{'descriptor':{}}"),
	  "t.json: $.types[1].mdev_type: required member missing" },
	{ F("{'mdev_type':1}"), "t.json: $.types[0].mdev_type: expected a string" },
	{ F("{'mdev_type':''}"), "t.json: $.types[0].mdev_type: expected a non-empty glob" },
	{ F("{'mdev_type':'a/*'}"),
	  "t.json: $.types[0].mdev_type: not a valid glob: '/' never occurs in a type id" },
	{ F("{'mdev_type':'mtty-[12]','description':'x'}"), NULL },
	{ E(",'description':['x']"), "t.json: $.types[0].description: expected a string" },
	{ E(",'compatible':[]"), "t.json: $.types[0].compatible: unknown member" },
	{ E(",'descriptor':[]"), "t.json: $.types[0].descriptor: expected an object" },
	{ E(",'record':'x'"), "t.json: $.types[0].record: expected an object" },
	{ E(",'descriptor':{},'record':{}"), NULL },
	/* descriptors: the inventory parser's errors, at their place in the rule file */
	{ F("{'mdev_type':'a'},{'mdev_type':'b'},{'mdev_type':'c','descriptor':{'features':['x',1]}}"),
	  "t.json: $.types[2].descriptor.features[1]: expected a string" },
	{ D("'numa':0"), "t.json: $.types[0].descriptor.numa: unknown member" },
	{ D("'mdev_type':'t'"),
	  "t.json: $.types[0].descriptor.mdev_type: not allowed in type facts (the type and its capacity come from sysfs)" },
	{ D("'device_api':'vfio-pci','available_instances':3"),
	  "t.json: $.types[0].descriptor.available_instances: not allowed in type facts (the type and its capacity come from sysfs)" },
	/* an unknown member before a forbidden one is the one reported */
	{ D("'numa':0,'mdev_type':'t'"), "t.json: $.types[0].descriptor.numa: unknown member" },
	{ D("'device_api':''"),
	  "t.json: $.types[0].descriptor.device_api: expected a non-empty string" },
	{ D("'device_api':'vfio-ccw','name':'n','description':'d'"), NULL },
	{ D("'driver':{'name':'nvidia','version':'550.90.07'}"), NULL },
	{ D("'driver':{'version':'550.90.07','version_scheme':'semver'}"),
	  "t.json: $.types[0].descriptor.driver.version: not a valid semver version" },
	{ D("'pci':{'vendor':'0x10de','device':'zz'}"),
	  "t.json: $.types[0].descriptor.pci.device: expected a PCI id: a hex string such as \"0x8086\"" },
	{ D("'pci':{'vendor':{'in':['0x10de']}}"),
	  "t.json: $.types[0].descriptor.pci.vendor: expected a PCI id: a hex string such as \"0x8086\"" },
	{ D("'params':{'ecc':{'type':'bool','default':true,'off':false,'attr':'ecc'}}"), NULL },
	{ D("'params':{'frl':{'type':'int','range':{'min':30,'max':60},'default':120}}"),
	  "t.json: $.types[0].descriptor.params.frl.default: not among the allowed values" },
	{ D("'settable_attrs':{'aggregator':{'type':'int','range':{'min':1,'max':8}}}"), NULL },
	{ D("'settable_attrs':{'a':{'type':'int','allowed':[1],'range':{'min':1,'max':8}}}"),
	  "t.json: $.types[0].descriptor.settable_attrs.a.range: not allowed together with allowed" },
	{ D("'vendor_fields':{'gen':7}"),
	  "t.json: $.types[0].descriptor.vendor_fields.gen: expected a string" },
	{ D("'migration_flags':['STOP_COPY','POST_COPY']"),
	  "t.json: $.types[0].descriptor.migration_flags[1]: expected \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"" },
	{ D("'accepts':{'driver_version':{'min':'1.0.0'}}"), NULL },
	{ D("'accepts':{'driver_version':{'eq':'1.0','min':'1.0'}}"),
	  "t.json: $.types[0].descriptor.accepts.driver_version.min: not allowed together with eq" },
	{ D("'accepts':{'firmware':'x'}"),
	  "t.json: $.types[0].descriptor.accepts.firmware: unknown member" },
	/* record parts: the record parser's errors, at their place in the rule file */
	{ RP("'attr_defaults':{'aggregator':'1'}"), NULL },
	{ RP("'self':{'kind':'mdev','mdev_type':'t'}"),
	  "t.json: $.types[0].record.self: not allowed in a rule's record part (mdevctl writes schema, self and generated)" },
	{ RP("'schema':'mdev-compat/1'"),
	  "t.json: $.types[0].record.schema: not allowed in a rule's record part (mdevctl writes schema, self and generated)" },
	{ RP("'generated':{}"),
	  "t.json: $.types[0].record.generated: not allowed in a rule's record part (mdevctl writes schema, self and generated)" },
	{ RP("'must_match':true"), "t.json: $.types[0].record.must_match: unknown member" },
	{ RP("'feature_match':'superset'"),
	  "t.json: $.types[0].record.feature_match: expected \"subset\" or \"exact\"" },
	{ RP("'self_is_candidate':false,'requires':{'migration_flags':['P2P']}"), NULL },
	{ RP("'attr_defaults':{'a/b':'1'}"),
	  "t.json: $.types[0].record.attr_defaults[\"a/b\"]: not a valid name*" },
	{ PAT("{'mdev_type':'t2'},{'vars':[{'name':'n','type':'int','values':[1,2]}],'mdev_type':'t${m}'}"),
	  "t.json: $.types[0].record.compatible[1].mdev_type: UNDECLARED_VARIABLE:m" },
	{ PAT("{'vars':[{'name':'n','type':'int','values':[1,2,4,8]}],'mdev_type':'i915-GVTg_V5_${n}','mdev_attrs':[{'aggregator':'${n/2}'}],'cost':'${n/2}'}"),
	  NULL },
	{ PAT("{'mdev_type':'t','mdev_attrs':[{'a':'${n'}]}"),
	  "t.json: $.types[0].record.compatible[0].mdev_attrs[0].a: Invalid template*" },
	{ PAT("{'uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'}"),
	  "t.json: $.types[0].record.compatible[0].uuid: not allowed in a pattern: it names the source device (self)" },
	{ PAT("{'kind':'ccw'}"),
	  "t.json: $.types[0].record.compatible[0].kind: only \"mdev\" is supported" },
	/* versions: under the entry's own scheme, else under any */
	{ RP("'version_range':{'min':'550.90.07'}"), NULL },
	{ RP("'version_range':{'eq':'r550 (beta)'}"), NULL },
	{ RP("'version_range':{'min':'r550 (beta)'}"),
	  "t.json: $.types[0].record.version_range.min: not a valid semver version" },
	{ E(",'descriptor':{'driver':{'version_scheme':'semver'}},'record':{'version_range':{'min':'550.90.07'}}"),
	  "t.json: $.types[0].record.version_range.min: not a valid semver version" },
	{ E(",'descriptor':{'driver':{'version_scheme':'dotted'}},'record':{'version_range':{'min':'550.90.07'}}"),
	  NULL },
	{ PAT("{'driver':{'version_scheme':'opaque'},'version_range':{'min':'a'}}"),
	  "t.json: $.types[0].record.compatible[0].version_range.min: opaque versions allow only eq or any_of" },
};

static bool err_is(const char *want)
{
	const char *got = err_get(0);
	if (!got)
		return false;
	const char *star = strchr(want, '*');
	if (!star)
		return streq(got, want);
	/* prefix*middle*: the prefix, then middle somewhere */
	size_t n = (size_t)(star - want);
	if (strncmp(got, want, n) != 0)
		return false;
	_cleanup_free_ char *rest = xstrdup(star + 1);
	char *end = strchr(rest, '*');
	if (end)
		*end = '\0';
	return !*rest || strstr(got + n, rest);
}

static void test_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(file_cases); i++) {
		_cleanup_compat_rules_ struct compat_rules *r = compat_rules_new();
		int k = add_str(r, file_cases[i].json);
		if (!file_cases[i].err)
			ok(k == 0, "case %zu accepted%s%s", i, k ? ": " : "", k ? err_get(0) : "");
		else {
			ok(k == -EINVAL && err_is(file_cases[i].err) && compat_rules_count(r) == 0,
			   "case %zu: %s", i, file_cases[i].err);
			if (!err_is(file_cases[i].err))
				printf("#   got: %s\n", err_get(0) ? err_get(0) : "(none)");
		}
	}
	err_clear();
}

static char *repeat(const char *s, size_t n)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (size_t i = 0; i < n; i++)
		sb_puts(&sb, s);
	return sb_steal(&sb);
}

static void test_limits(void)
{
	_cleanup_compat_rules_ struct compat_rules *r = compat_rules_new();

	/* glob length */
	_cleanup_free_ char *g256 = repeat("x", 256), *g257 = repeat("x", 257);
	_cleanup_free_ char *a = xasprintf(F("{'mdev_type':'%s'}"), g256);
	_cleanup_free_ char *b = xasprintf(F("{'mdev_type':'%s'}"), g257);
	ok(add_str(r, a) == 0, "a 256-byte glob is accepted");
	ok(add_str(r, b) == -EINVAL &&
		   err_is("t.json: $.types[0].mdev_type: longer than 256 bytes"),
	   "a 257-byte glob is refused");

	/* entries */
	struct strbuf sb = { 0 };
	sb_puts(&sb, "{'schema':'mdev-compat-rules/1','types':[");
	for (int i = 0; i < COMPAT_RULE_ENTRIES_MAX; i++)
		sb_printf(&sb, "%s{'mdev_type':'t%d'}", i ? "," : "", i);
	_cleanup_free_ char *max = xasprintf("%s]}", sb.buf);
	_cleanup_free_ char *over = xasprintf("%s,{'mdev_type':'x'}]}", sb.buf);
	sb_free(&sb);
	size_t before = compat_rules_count(r);
	ok(add_str(r, max) == 0 && compat_rules_count(r) == before + COMPAT_RULE_ENTRIES_MAX,
	   "%d entries are accepted", COMPAT_RULE_ENTRIES_MAX);
	ok(add_str(r, over) == -EINVAL && err_is("t.json: $.types: at most 4096 entries"),
	   "one more is refused");

	/* nesting: the file, and type facts (which sit one level deeper once wrapped) */
	_cleanup_free_ char *open30 = repeat("[", 30), *close30 = repeat("]", 30);
	_cleanup_free_ char *open28 = repeat("[", 28), *close28 = repeat("]", 28);
	_cleanup_free_ char *deep_file =
		xasprintf("{'schema':'mdev-compat-rules/1','types':[{'mdev_type':'t','x':%s%s}]}",
			  open30, close30);
	ok(add_str(r, deep_file) == -EINVAL && err_is("t.json: $: nesting deeper than 32 levels"),
	   "a file nested 33 levels deep is refused");
	_cleanup_free_ char *deep_facts = xasprintf(D("'features':%s%s"), open28, close28);
	ok(add_str(r, deep_facts) == -EINVAL &&
		   err_is("t.json: $.types[0].descriptor: nesting deeper than 28 levels"),
	   "type facts nested 29 levels deep are refused: %s", err_get(0));
	_cleanup_free_ char *ok_facts = xasprintf(D("'features':%s%s"), open28 + 1, close28 + 1);
	ok(add_str(r, ok_facts) == -EINVAL &&
		   err_is("t.json: $.types[0].descriptor.features[0]: expected a string"),
	   "28 levels reach the inventory parser: %s", err_get(0));

	/* size */
	_cleanup_free_ char *big = xmalloc(COMPAT_INPUT_MAX + 2);
	memset(big, ' ', COMPAT_INPUT_MAX + 1);
	big[COMPAT_INPUT_MAX + 1] = '\0';
	err_clear();
	ok(compat_rules_add(r, "big.json", big, COMPAT_INPUT_MAX + 1) == -EINVAL &&
		   err_is("big.json: input is larger than 1048576 bytes"),
	   "a file over COMPAT_INPUT_MAX is refused");

	/* a failing file leaves the rules as they were, even after valid entries */
	before = compat_rules_count(r);
	ok(add_str(r, F("{'mdev_type':'a'},{'mdev_type':'b'},{'mdev_type':''}")) == -EINVAL &&
		   compat_rules_count(r) == before,
	   "a failing file adds nothing");
	err_clear();
}

/* ---- lookup and layering ---- */

static void test_merge(void)
{
	static const struct {
		const char *into, *from, *want;
	} cases[] = {
		{ "{}", "{'a':1}", "{'a':1}" },
		{ "{'a':1,'b':2}", "{'b':3,'c':4}", "{'a':1,'b':3,'c':4}" },
		{ "{'o':{'x':1,'y':{'z':1}}}", "{'o':{'y':{'w':2},'v':3}}",
		  "{'o':{'x':1,'y':{'z':1,'w':2},'v':3}}" },
		{ "{'l':[1,2,3]}", "{'l':[4]}", "{'l':[4]}" },
		{ "{'o':{'x':1}}", "{'o':[1]}", "{'o':[1]}" },
		{ "{'o':[1]}", "{'o':{'x':1}}", "{'o':{'x':1}}" },
		{ "{'s':'a'}", "{'s':null}", "{'s':null}" },
		{ "{'a':1}", "[1]", "{'a':1}" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		json_t *into = parse_json(cases[i].into), *from = parse_json(cases[i].from);
		_cleanup_free_ char *want = q(cases[i].want);
		compat_json_merge(into, from);
		_cleanup_free_ char *got = compact(into);
		is_str(got, want, "merge %zu", i);
		/* from is copied, not shared */
		json_object_clear(from);
		_cleanup_free_ char *again = compact(into);
		is_str(again, want, "merge %zu owns its copy", i);
		json_decref(into);
		json_decref(from);
	}
	json_t *arr = json_array();
	json_t *from = parse_json("{'a':1}");
	compat_json_merge(arr, from);
	ok(json_array_size(arr) == 0, "merging into a non-object does nothing");
	json_decref(arr);
	json_decref(from);
}

static void test_lookup(void)
{
	_cleanup_compat_rules_ struct compat_rules *r = compat_rules_new();
	int k = add_str(
		r,
		F("{'mdev_type':'mtty-*','descriptor':{'device_api':'vfio-pci','driver':{'name':'mtty'},'features':['a','b']}},"
		  "{'mdev_type':'mtty-2','descriptor':{'driver':{'version':'1.0.0'},'features':['c']}},"
		  "{'mdev_type':'mdpy-[vx]ga','record':{'attr_defaults':{'x':'1'}}},"
		  "{'mdev_type':'lit\\\\*','descriptor':{'name':'literal star'}},"
		  "{'mdev_type':'?','descriptor':{'name':'one character'}},"
		  "{'mdev_type':'mtty-1','descriptor':{}}"));
	ok(k == 0, "first file accepted");
	k = add_str(
		r,
		F("{'mdev_type':'*','descriptor':{'vendor_fields':{'file':'2'}}},"
		  "{'mdev_type':'mtty-2','descriptor':{'device_api':'vfio-ccw'},'record':{'compatible':[{'mdev_type':'mtty-1'}]}}"));
	ok(k == 0, "second file accepted");
	ok(compat_rules_count(r) == 8, "8 entries");

	static const struct {
		const char *type, *descriptor, *record;
	} cases[] = {
		{ "mtty-1",
		  "{'device_api':'vfio-pci','driver':{'name':'mtty'},'features':['a','b'],'vendor_fields':{'file':'2'}}",
		  "(null)" },
		/* later entries over earlier: objects member by member, arrays replaced */
		{ "mtty-2",
		  "{'device_api':'vfio-ccw','driver':{'name':'mtty','version':'1.0.0'},'features':['c'],'vendor_fields':{'file':'2'}}",
		  "{'compatible':[{'mdev_type':'mtty-1'}]}" },
		{ "mtty-",
		  "{'device_api':'vfio-pci','driver':{'name':'mtty'},'features':['a','b'],'vendor_fields':{'file':'2'}}",
		  "(null)" },
		{ "mdpy-vga", "{'vendor_fields':{'file':'2'}}", "{'attr_defaults':{'x':'1'}}" },
		{ "mdpy-hd", "{'vendor_fields':{'file':'2'}}", "(null)" },
		/* a backslash quotes the next character */
		{ "lit*", "{'name':'literal star','vendor_fields':{'file':'2'}}", "(null)" },
		{ "litx", "{'vendor_fields':{'file':'2'}}", "(null)" },
		{ "q", "{'name':'one character','vendor_fields':{'file':'2'}}", "(null)" },
		/* the glob matches the whole id */
		{ "xmtty-1", "{'vendor_fields':{'file':'2'}}", "(null)" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		json_t *d = compat_rules_descriptor(r, cases[i].type);
		json_t *rec = compat_rules_record(r, cases[i].type);
		_cleanup_free_ char *gd = compact(d), *gr = compact(rec);
		_cleanup_free_ char *wd = q(cases[i].descriptor), *wr = q(cases[i].record);
		is_str(gd, wd, "descriptor of %s", cases[i].type);
		is_str(gr, wr, "record part of %s", cases[i].type);
		json_decref(d);
		json_decref(rec);
	}

	_cleanup_compat_rules_ struct compat_rules *empty = compat_rules_new();
	ok(!compat_rules_descriptor(empty, "mtty-1") && !compat_rules_record(empty, "mtty-1"),
	   "no rules: NULL");

	/* the result is the caller's: changing it changes nothing stored */
	json_t *d = compat_rules_descriptor(r, "mtty-2");
	json_object_set_new(json_object_get(d, "driver"), "name", json_string("changed"));
	json_decref(d);
	d = compat_rules_descriptor(r, "mtty-2");
	is_str(json_string_value(json_object_get(json_object_get(d, "driver"), "name")), "mtty",
	       "stored parts are not shared with results");
	json_decref(d);
}

static void test_record_part(void)
{
	_cleanup_compat_rules_ struct compat_rules *r = compat_rules_new();
	int k = add_str(
		r,
		F("{'mdev_type':'i915-GVTg_V5_*','record':{'attr_defaults':{'aggregator':'1'}}},"
		  "{'mdev_type':'i915-GVTg_V5_2','record':{'compatible':[{'vars':[{'name':'n','type':'int','values':[1,2,4,8]}],"
		  "'mdev_type':'i915-GVTg_V5_${n}','mdev_attrs':[{'aggregator':'${n/2}'}],'cost':'${n/2}'}]}}"));
	ok(k == 0, "a record part with templates is accepted");

	/* the merged part completes a record that the record parser takes, templates intact */
	json_t *part = compat_rules_record(r, "i915-GVTg_V5_2");
	json_t *rec = parse_json(
		"{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'i915-GVTg_V5_2','mdev_attrs':[{'aggregator':'1'}]}}");
	compat_json_merge(rec, part);
	_cleanup_free_ char *text = json_dumps(rec, JSON_COMPACT);
	struct compat_record *parsed = NULL;
	ok(compat_record_parse(text, strlen(text), &parsed) == 0 && parsed->n_patterns == 2 &&
		   parsed->n_attr_defaults == 1 && parsed->patterns[1].vars.n == 1 &&
		   parsed->patterns[1].cost.tmpl,
	   "a record built with the part parses, with the pattern's variables and templates");
	compat_record_free(parsed);
	json_decref(rec);
	json_decref(part);

	json_t *p4 = compat_rules_record(r, "i915-GVTg_V5_4");
	_cleanup_free_ char *g4 = compact(p4);
	_cleanup_free_ char *w4 = q("{'attr_defaults':{'aggregator':'1'}}");
	is_str(g4, w4, "V5_4 gets only the shared part");
	json_decref(p4);
}

static void test_facts(void)
{
	static const struct {
		const char *facts;
		const char *err;
	} cases[] = {
		{ "{}", NULL },
		{ "{'features':['pv_ppgtt'],'vendor_fields':{'gvt_gen':'KBL-GT2'},'migration_flags':['STOP_COPY'],"
		  "'params':{'ecc':{'type':'bool','default':true,'off':false,'attr':'ecc'}},"
		  "'settable_attrs':{'aggregator':{'type':'int','range':{'min':1,'max':8}}}}",
		  NULL },
		{ "[]", "migration_info of mtty-2: $: expected an object" },
		{ "{'version':1,'compatible_types':['mtty-2']}",
		  "migration_info of mtty-2: $.version: unknown member" },
		{ "{'features':['a',1]}",
		  "migration_info of mtty-2: $.features[1]: expected a string" },
		{ "{'mdev_type':'mtty-2'}",
		  "migration_info of mtty-2: $.mdev_type: not allowed in type facts (the type and its capacity come from sysfs)" },
		{ "{'pci':{'vendor':'0x10000'}}",
		  "migration_info of mtty-2: $.pci.vendor: PCI id 0x10000 does not fit 16 bits" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		json_t *f = parse_json(cases[i].facts);
		err_clear();
		int k = compat_facts_validate(f, "migration_info of mtty-2");
		if (!cases[i].err)
			ok(k == 0, "facts %zu accepted%s%s", i, k ? ": " : "", k ? err_get(0) : "");
		else
			ok(k == -EINVAL && err_is(cases[i].err), "facts %zu: %s (got %s)", i,
			   cases[i].err, err_get(0));
		json_decref(f);
	}
	err_clear();
}

/* ---- loading a host's directories ---- */

static void write_file(const char *dir, const char *name, const char *json)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *text = q(json);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		printf("# cannot write %s\n", path);
}

/* One entry for every type, whose vendor field named after the file shows in the merged facts
 * that the file was read, and in which order. */
#define MARK(name) F("{'mdev_type':'*','descriptor':{'vendor_fields':{'" name "':'x'}}}")

/* Run compat_rules_load() with stderr in a file; return what it logged. */
static char *load_logged(struct compat_rules **ret)
{
	char tmpl[] = "/tmp/test-compat-rules-log.XXXXXX";
	int fd = mkstemp(tmpl);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	int r = compat_rules_load(ret);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *text = NULL;
	if (r < 0 || path_read_file(tmpl, 1 << 20, &text, NULL) < 0)
		text = xstrdup("(load failed)");
	close(fd);
	unlink(tmpl);
	return text;
}

static void rm_rf(const char *path)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", path);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
}

static void test_load(void)
{
	char root[] = "/tmp/test-compat-rules.XXXXXX";
	if (!mkdtemp(root)) {
		ok(false, "mkdtemp");
		return;
	}
	setenv("MDEVCTL_ENV_ROOT", root, 1);
	env_init();
	log_set_level(LOG_WARN);

	/* no directories at all */
	struct compat_rules *r = NULL;
	_cleanup_free_ char *log0 = load_logged(&r);
	ok(r && compat_rules_count(r) == 0 && streq(log0, "") && !err_isset(),
	   "missing directories: no rules, no warning");
	r = compat_rules_free(r);

	_cleanup_free_ char *vendor = env_compat_vendor_dir(), *admin = env_compat_admin_dir();
	ok(startswith(vendor, root) && endswith(admin, "/etc/mdevctl/compat.d"),
	   "both directories are under the root: %s, %s", vendor, admin);
	ok(path_mkdir_p(vendor, 0755) == 0 && path_mkdir_p(admin, 0755) == 0, "directories made");

	write_file(vendor, "10-vendor.json", MARK("10v"));
	write_file(vendor, "20-replaced.json", MARK("20v"));
	write_file(admin, "20-replaced.json", MARK("20a"));
	write_file(admin, "15-admin.json", MARK("15a"));
	write_file(vendor, "30-broken.json", "{'schema':'mdev-compat-rules/1','types':[{}]}");
	write_file(vendor, "40-masked.json", MARK("40v"));
	write_file(vendor, "50-admin-broken.json", MARK("50v"));
	write_file(admin, "50-admin-broken.json", "{'schema':'mdev-compat-rules/1'");
	write_file(vendor, ".hidden.json", "not even JSON");
	write_file(admin, ".60-hidden.json", MARK("60a"));
	write_file(vendor, "70-notes.txt", "not even JSON");
	write_file(vendor, "80-link.json", "");
	_cleanup_free_ char *d = xasprintf("%s/90-dir.json", admin);
	_cleanup_free_ char *m = xasprintf("%s/40-masked.json", admin);
	_cleanup_free_ char *l = xasprintf("%s/80-link.json", admin);
	_cleanup_free_ char *dangling = xasprintf("%s/85-dangling.json", admin);
	_cleanup_free_ char *target = xasprintf("%s/10-vendor.json", vendor);
	ok(mkdir(d, 0755) == 0 && symlink("/dev/null", m) == 0 && symlink(target, l) == 0 &&
		   symlink("/nonexistent", dangling) == 0,
	   "a directory and links made");

	_cleanup_free_ char *log = load_logged(&r);
	json_t *facts = r ? compat_rules_descriptor(r, "any-type") : NULL;
	_cleanup_free_ char *got = compact(facts);
	/* 10 vendor, 15 admin, 20 admin over vendor, 30 broken, 40 masked, 50 admin broken (and
	 * its vendor file not used), 80 an admin link to 10's file */
	_cleanup_free_ char *want = q("{'vendor_fields':{'10v':'x','15a':'x','20a':'x'}}");
	/* 80-link.json repeats 10's mark, which keeps its place */
	is_str(got, want,
	       "files in name order, admin replacing vendor, masked and broken left out");
	ok(r && compat_rules_count(r) == 4, "4 entries: 10, 15, 20 and 80 (the link)");
	json_decref(facts);
	r = compat_rules_free(r);

	ok(strstr(log, "WARN") &&
		   strstr(log, "30-broken.json: $.types[0].mdev_type: required member missing"),
	   "the broken vendor file is reported with its error");
	ok(strstr(log, "/etc/mdevctl/compat.d/50-admin-broken.json: ") &&
		   strstr(log, "at line 1 column"),
	   "the broken admin file too");
	ok(!strstr(log, "hidden") && !strstr(log, "notes") && !strstr(log, "90-dir") &&
		   !strstr(log, "dangling") && !strstr(log, "40-masked"),
	   "dot files, other names, directories, dangling and masking links are not reported");
	int lines = 0;
	for (const char *p = log; (p = strchr(p, '\n')); p++)
		lines++;
	ok(lines == 2, "two warnings exactly");
	if (lines != 2)
		printf("# log:\n%s", log);
	ok(!err_isset(), "the error chain is clear after loading");

	rm_rf(root);
	unsetenv("MDEVCTL_ENV_ROOT");
	env_init();
}

/* ---- what the project ships and tests with ---- */

static char *srcdir_path(const char *rel)
{
	const char *src = getenv("MDEVCTL_SRCDIR");
	return xasprintf("%s/%s", src ? src : ".", rel);
}

static json_t *load_json_file(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_t *v = NULL;
	if (path_read_file(path, COMPAT_INPUT_MAX, &text, &len) == 0)
		v = json_loadb(text, len, 0, NULL);
	return v;
}

/* Every *.json of dir through compat_rules_add(); returns how many. */
static size_t add_dir(struct compat_rules *r, const char *rel)
{
	_cleanup_free_ char *dir = srcdir_path(rel);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d) {
		ok(false, "%s readable (set MDEVCTL_SRCDIR)", dir);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!endswith(de->d_name, ".json"))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		err_clear();
		int k = path_read_file(path, COMPAT_INPUT_MAX, &text, &len);
		if (k == 0)
			k = compat_rules_add(r, de->d_name, text, len);
		ok(k == 0, "%s/%s is a valid rule file%s%s", rel, de->d_name, k ? ": " : "",
		   k ? (err_get(0) ? err_get(0) : "unreadable") : "");
		n++;
	}
	return n;
}

static json_t *host_type(json_t *host, size_t parent, const char *id)
{
	json_t *types =
		json_object_get(json_array_get(json_object_get(host, "parents"), parent), "types");
	size_t i;
	json_t *t;
	json_array_foreach (types, i, t)
		if (streq(json_string_value(json_object_get(t, "id")), id))
			return t;
	return NULL;
}

/* The inventory type a destination shows for one of a simulated host's types, built the way
 * COMPAT.md section 4 layers it (sysfs, then rule files, then migration_info), and parsed. */
static int layered_type(const struct compat_rules *r, json_t *host, size_t parent, const char *id,
			int avail, json_t **ret)
{
	json_t *t = host_type(host, parent, id);
	json_t *facts = json_pack("{s:s, s:s, s:i}", "mdev_type", id, "device_api",
				  json_string_value(json_object_get(t, "device_api")),
				  "available_instances", avail);
	json_t *driver =
		json_object_get(json_array_get(json_object_get(host, "parents"), parent), "driver");
	json_object_set_new(facts, "driver",
			    json_pack("{s:O, s:O}", "name", json_object_get(driver, "name"),
				      "version", json_object_get(driver, "version")));
	json_t *rule = compat_rules_descriptor(r, id);
	compat_json_merge(facts, rule);
	json_decref(rule);
	compat_json_merge(facts, json_object_get(t, "migration_info"));
	json_t *inv = json_pack("{s:s, s:[{s:s, s:[O]}]}", "schema", COMPAT_INVENTORY_SCHEMA,
				"parents", "parent", "p", "types", facts);
	_cleanup_free_ char *text = json_dumps(inv, JSON_COMPACT);
	json_decref(inv);
	struct compat_inventory *parsed = NULL;
	int k = compat_inventory_parse(text, strlen(text), &parsed);
	compat_inventory_free(parsed);
	*ret = facts;
	return k;
}

/* The rule-file fixtures of tests/data/compat, which tests/schema/validate.py also reads. */
static void test_fixtures(void)
{
	static const struct {
		const char *file, *err;
	} fx[] = {
		{ "rules-example.json", NULL },
		{ "invalid-rules-schema.json",
		  "invalid-rules-schema.json: $.schema: expected \"mdev-compat-rules/1\"" },
		{ "invalid-rules-glob-slash.json",
		  "invalid-rules-glob-slash.json: $.types[0].mdev_type: not a valid glob: '/' never occurs in a type id" },
		{ "invalid-rules-descriptor-mdev-type.json",
		  "invalid-rules-descriptor-mdev-type.json: $.types[0].descriptor.mdev_type: not allowed in type facts (the type and its capacity come from sysfs)" },
		{ "invalid-rules-descriptor-feature-not-string.json",
		  "invalid-rules-descriptor-feature-not-string.json: $.types[2].descriptor.features[1]: expected a string" },
		{ "invalid-rules-record-self.json",
		  "invalid-rules-record-self.json: $.types[0].record.self: not allowed in a rule's record part (mdevctl writes schema, self and generated)" },
		{ "invalid-rules-unknown-member-entry.json",
		  "invalid-rules-unknown-member-entry.json: $.types[0].priority: unknown member" },
		{ "invalid-rules-undeclared-variable.json",
		  "invalid-rules-undeclared-variable.json: $.types[0].record.compatible[0].mdev_type: UNDECLARED_VARIABLE:m" },
	};
	for (size_t i = 0; i < ELEMENTSOF(fx); i++) {
		_cleanup_free_ char *rel = xasprintf("tests/data/compat/%s", fx[i].file);
		_cleanup_free_ char *path = srcdir_path(rel);
		_cleanup_free_ char *text = NULL;
		_cleanup_compat_rules_ struct compat_rules *r = compat_rules_new();
		size_t len = 0;
		if (path_read_file(path, COMPAT_INPUT_MAX, &text, &len) < 0) {
			ok(false, "fixture %s readable (set MDEVCTL_SRCDIR)", fx[i].file);
			continue;
		}
		err_clear();
		int k = compat_rules_add(r, fx[i].file, text, len);
		if (!fx[i].err)
			ok(k == 0, "fixture %s accepted%s%s", fx[i].file, k ? ": " : "",
			   k ? err_get(0) : "");
		else
			is_str(k == -EINVAL ? err_get(0) : "accepted", fx[i].err, "fixture %s",
			       fx[i].file);
	}
	err_clear();
}

static void test_shipped(void)
{
	_cleanup_compat_rules_ struct compat_rules *samples = compat_rules_new();
	_cleanup_compat_rules_ struct compat_rules *examples = compat_rules_new();
	_cleanup_compat_rules_ struct compat_rules *sim = compat_rules_new();
	ok(add_dir(samples, "compat.d") >= 1, "compat.d has rule files");
	ok(add_dir(examples, "examples/compat.d") >= 1, "examples/compat.d has rule files");
	ok(add_dir(sim, "tests/sim/compat.d") >= 1, "tests/sim/compat.d has rule files");

	/* the kernel's samples: identity only */
	static const char *const samples_types[][2] = {
		{ "mtty-1", "mtty" },	      { "mtty-2", "mtty" },
		{ "mdpy-vga", "mdpy" },	      { "mdpy-xga", "mdpy" },
		{ "mdpy-hd", "mdpy" },	      { "mbochs-small", "mbochs" },
		{ "mbochs-large", "mbochs" }, { "mbochs-v1", "mbochs" },
		{ "mbochs-v4", "mbochs" },
	};
	for (size_t i = 0; i < ELEMENTSOF(samples_types); i++) {
		json_t *d = compat_rules_descriptor(samples, samples_types[i][0]);
		json_t *rec = compat_rules_record(samples, samples_types[i][0]);
		_cleanup_free_ char *got = compact(d);
		_cleanup_free_ char *want =
			xasprintf("{\"device_api\":\"vfio-pci\",\"driver\":{\"name\":\"%s\"}}",
				  samples_types[i][1]);
		is_str(got, want, "kernel sample %s: driver and device_api", samples_types[i][0]);
		ok(!rec, "kernel sample %s: no record part (identity only)", samples_types[i][0]);
		json_decref(d);
		json_decref(rec);
	}
	json_t *none = compat_rules_descriptor(samples, "i915-GVTg_V5_4");
	ok(!none, "the samples' rules say nothing of other drivers");
	json_decref(none);

	/* the sim hosts: every migration_info holds valid type facts */
	static const char *const hosts[] = { "gvt-aggregation", "compat-src", "compat-dst",
					     "example", "mtty" };
	_cleanup_free_ json_t **loaded = xcalloc(ELEMENTSOF(hosts), sizeof(json_t *));
	for (size_t h = 0; h < ELEMENTSOF(hosts); h++) {
		_cleanup_free_ char *rel = xasprintf("tests/sim/hosts/%s.json", hosts[h]);
		_cleanup_free_ char *path = srcdir_path(rel);
		json_t *host = load_json_file(path);
		loaded[h] = host;
		ok(host != NULL, "%s parses", rel);
		size_t i, k;
		json_t *p, *t;
		json_array_foreach (json_object_get(host, "parents"), i, p)
			json_array_foreach (json_object_get(p, "types"), k, t) {
				json_t *mi = json_object_get(t, "migration_info");
				if (!mi)
					continue;
				/* the simulator shows a string as its text, which must be the JSON */
				json_t *parsed =
					json_is_string(mi)
						? json_loads(json_string_value(mi), 0, NULL)
						: json_incref(mi);
				_cleanup_free_ char *where =
					xasprintf("migration_info of %s in %s",
						  json_string_value(json_object_get(t, "id")), rel);
				err_clear();
				int r = parsed ? compat_facts_validate(parsed, where)
					       : err_set(-EINVAL, "%s: not JSON", where);
				ok(r == 0, "%s: valid type facts%s%s", where, r ? ": " : "",
				   r ? err_get(0) : "");
				json_decref(parsed);
			}
	}

	/* GVT-g: the example's layering on the simulated host */
	json_t *gvt = loaded[0], *facts = NULL;
	static const struct {
		const char *type;
		bool aggregator;
	} gvt_types[] = {
		{ "i915-GVTg_V5_1", false },
		{ "i915-GVTg_V5_2", false },
		{ "i915-GVTg_V5_4", true },
		{ "i915-GVTg_V5_8", true },
	};
	for (size_t i = 0; i < ELEMENTSOF(gvt_types); i++) {
		int k = layered_type(examples, gvt, 0, gvt_types[i].type, 1, &facts);
		ok(k == 0, "GVT-g %s: the layered inventory type parses%s%s", gvt_types[i].type,
		   k ? ": " : "", k ? err_get(0) : "");
		json_t *agg =
			json_object_get(json_object_get(facts, "settable_attrs"), "aggregator");
		ok(!!agg == gvt_types[i].aggregator, "GVT-g %s: aggregator settable: %s",
		   gvt_types[i].type, gvt_types[i].aggregator ? "yes" : "no");
		_cleanup_free_ char *vf = compact(json_object_get(facts, "vendor_fields"));
		is_str(vf, "{\"gvt_gen\":\"KBL-GT2\"}", "GVT-g %s: the same vendor fields",
		       gvt_types[i].type);
		json_decref(facts);
	}
	json_t *part = compat_rules_record(examples, "i915-GVTg_V5_2");
	json_t *pat = json_array_get(json_object_get(part, "compatible"), 0);
	is_str(json_string_value(json_object_get(
		       json_array_get(json_object_get(pat, "mdev_attrs"), 0), "aggregator")),
	       "${n/2}", "GVT-g V5_2: aggregator n/2");
	is_str(json_string_value(
		       json_object_get(json_object_get(part, "attr_defaults"), "aggregator")),
	       "1", "GVT-g V5_2: aggregator 1 is a default");
	json_decref(part);
	part = compat_rules_record(examples, "i915-GVTg_V5_8");
	ok(part && !json_object_get(part, "compatible"),
	   "GVT-g V5_8: no pattern (its size depends on its own aggregator)");
	json_decref(part);

	/* simgpu: the destination's types as the engine will see them */
	json_t *dst = loaded[2];
	int k = layered_type(sim, dst, 0, "simgpu-A4", 2, &facts);
	ok(k == 0, "simgpu-A4 on the destination parses%s%s", k ? ": " : "", k ? err_get(0) : "");
	ok(json_object_get(json_object_get(facts, "settable_attrs"), "profile") &&
		   json_object_get(json_object_get(facts, "params"), "ecc"),
	   "simgpu-A4: profile settable, ecc a param");
	json_decref(facts);
	k = layered_type(sim, dst, 1, "simgpu-A2", 4, &facts);
	ok(k == 0, "simgpu-A2 on the second parent parses%s%s", k ? ": " : "", k ? err_get(0) : "");
	is_str(json_string_value(json_object_get(json_object_get(facts, "vendor_fields"), "arch")),
	       "gen3", "simgpu-A2 on the second parent: a different architecture");
	json_decref(facts);
	k = layered_type(sim, dst, 0, "simgpu-B2", 4, &facts);
	ok(k == 0, "simgpu-B2 parses%s%s", k ? ": " : "", k ? err_get(0) : "");
	json_decref(facts);
	part = compat_rules_record(sim, "simgpu-A2");
	ok(part && json_array_size(json_object_get(part, "compatible")) >= 1,
	   "simgpu-A2 has compatible patterns");
	json_decref(part);

	for (size_t h = 0; h < ELEMENTSOF(hosts); h++)
		json_decref(loaded[h]);
	err_clear();
}

int main(void)
{
	test_cases();
	test_limits();
	test_merge();
	test_lookup();
	test_record_part();
	test_facts();
	test_load();
	test_fixtures();
	test_shipped();
	return tap_done();
}
