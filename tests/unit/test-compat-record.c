// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the strict record and inventory parsers: every rule's error with its exact JSON
 * path, unknown members at each level, each limit at its boundary and one past, deep nesting,
 * inheritance and defaults, the fixtures under tests/data/compat, and the inventory round trip.
 * JSON in the tables is written with ' for " (converted before parsing) to stay readable. */
#include <errno.h>

#include "compat-record.h"
#include "error.h"
#include "json-io.h"
#include "tap.h"

static char *q(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

/* err NULL: accepted; an expected message ending in '*' is a prefix. */
static bool err_matches(const char *want)
{
	const char *got = err_get(0);
	if (!got)
		return false;
	size_t n = strlen(want);
	if (n && want[n - 1] == '*')
		return strncmp(got, want, n - 1) == 0;
	return streq(got, want);
}

struct pcase {
	const char *json;
	const char *err;
};

#define SELF0	  "'kind':'mdev','mdev_type':'t'"
#define R(s, top) "{'schema':'mdev-compat/1','self':{" SELF0 s "}" top "}"
#define P(pat)	  R("", ",'compatible':[" pat "]")
#define V(decl)	  P("{'vars':[" decl "],'mdev_type':'t'}")

static const struct pcase record_cases[] = {
	/* the document */
	{ "{'self':{" SELF0 "}}", "$.schema: required member missing" },
	{ "{'schema':'mdev-compat/2','self':{" SELF0 "}}", "$.schema: expected \"mdev-compat/1\"" },
	{ "{'schema':'mdev-inventory/1'}", "$.schema: expected \"mdev-compat/1\"" },
	{ "{'schema':1}", "$.schema: expected \"mdev-compat/1\"" },
	{ "[]", "$: expected an object" },
	{ "'mdev-compat/1'", "$: expected an object" },
	{ R("", ",'foo':1"), "$.foo: unknown member" },
	{ R("", ",'a b':1"), "$[\"a b\"]: unknown member" },
	{ "{'schema':'mdev-compat/1'}", "$.self: required member missing" },
	{ "{'schema':'mdev-compat/1','self':[]}", "$.self: expected an object" },
	{ R("", ",'generated':{'by':'mdevctl','at':[1,{'x':null}]}"), NULL },
	{ R("", ",'self_is_candidate':'yes'"), "$.self_is_candidate: expected a boolean" },
	{ R("", ",'feature_match':'superset'"),
	  "$.feature_match: expected \"subset\" or \"exact\"" },
	{ R("", ",'feature_match':'exact'"), NULL },
	{ R("", ",'attr_defaults':{'a':1}"), "$.attr_defaults.a: expected a string" },
	{ R("", ",'attr_defaults':{'a/b':'1'}"), "$.attr_defaults[\"a/b\"]: not a valid name*" },
	{ R("", ",'requires':{'flags':[]}"), "$.requires.flags: unknown member" },
	{ R("", ",'requires':[]"), "$.requires: expected an object" },
	{ R("", ",'requires':{'migration_flags':'STOP_COPY'}"),
	  "$.requires.migration_flags: expected an array of \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"" },
	{ R("", ",'requires':{'migration_flags':['P2P','PRE_COPY']}"), NULL },
	/* self */
	{ "{'schema':'mdev-compat/1','self':{'mdev_type':'t'}}",
	  "$.self.kind: required member missing" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'ccw','mdev_type':'t'}}",
	  "$.self.kind: only \"mdev\" is supported" },
	{ "{'schema':'mdev-compat/1','self':{'kind':1,'mdev_type':'t'}}",
	  "$.self.kind: only \"mdev\" is supported" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev'}}",
	  "$.self.mdev_type: required member missing" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':5}}",
	  "$.self.mdev_type: expected a string" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'../t'}}",
	  "$.self.mdev_type: not a valid type name*" },
	{ R(",'foo':1", ""), "$.self.foo: unknown member" },
	{ R(",'device_api':1", ""), "$.self.device_api: expected a string" },
	{ R(",'device_api':''", ""), "$.self.device_api: expected a non-empty string" },
	{ R(",'driver':'i915'", ""), "$.self.driver: expected an object" },
	{ R(",'driver':{'name':'i915','flavour':'x'}", ""),
	  "$.self.driver.flavour: unknown member" },
	{ R(",'driver':{'name':1}", ""), "$.self.driver.name: expected a string" },
	{ R(",'driver':{'version':'1.0','version_scheme':'calver'}", ""),
	  "$.self.driver.version_scheme: expected \"semver\", \"dotted\" or \"opaque\"" },
	{ R(",'driver':{'version':'550.90.07'}", ""),
	  "$.self.driver.version: not a valid semver version" },
	{ R(",'driver':{'version':'550.90.07','version_scheme':'dotted'}", ""), NULL },
	{ R(",'driver':{'version':'r550 (beta)','version_scheme':'opaque'}", ""), NULL },
	{ R(",'uuid':'xyz'", ""), "$.self.uuid: not a UUID: *" },
	{ R(",'uuid':7", ""), "$.self.uuid: expected a string" },
	{ R(",'parent':['p']", ""), "$.self.parent: expected a string" },
	/* names that end up in paths: parents, types, attrs; "." names the directory itself */
	{ R(",'parent':'../x'", ""), "$.self.parent: not a valid name*" },
	{ R(",'parent':'a/b'", ""), "$.self.parent: not a valid name*" },
	{ R(",'parent':'.'", ""), "$.self.parent: not a valid name*" },
	{ R(",'parent':''", ""), "$.self.parent: expected a non-empty string" },
	{ R(",'parent':'0000:00:02.0'", ""), NULL },
	{ R(",'parent':'0.0.0313'", ""), NULL },
	{ R(",'mdev_attrs':[{'.':'1'}]", ""), "$.self.mdev_attrs[0][\".\"]: not a valid name*" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'.'}}",
	  "$.self.mdev_type: not a valid type name*" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'nvidia-*'}}",
	  "$.self.mdev_type: not a valid type name*" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'t[1]'}}",
	  "$.self.mdev_type: not a valid type name*" },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'nvidia-222'}}", NULL },
	{ "{'schema':'mdev-compat/1','self':{'kind':'mdev','mdev_type':'vfio_ap-passthrough'}}",
	  NULL },
	{ R(",'pci':'0x8086'", ""), "$.self.pci: expected an object" },
	{ R(",'pci':{'vendor':'0xINTEL'}", ""),
	  "$.self.pci.vendor: expected a PCI id: a hex string such as \"0x8086\"" },
	{ R(",'pci':{'device':'0x'}", ""),
	  "$.self.pci.device: expected a PCI id: a hex string such as \"0x8086\"" },
	{ R(",'pci':{'subsystem_device':'0x10000'}", ""),
	  "$.self.pci.subsystem_device: PCI id 0x10000 does not fit 16 bits" },
	{ R(",'pci':{'subsystem_vendor':32902}", ""),
	  "$.self.pci.subsystem_vendor: expected a PCI id: a hex string such as \"0x8086\"" },
	{ R(",'pci':{'vendor':{'in':['0x8086']}}", ""),
	  "$.self.pci.vendor: expected a PCI id: a hex string such as \"0x8086\"" },
	{ R(",'pci':{'class':'0x0300'}", ""), "$.self.pci.class: unknown member" },
	{ R(",'pci':{'vendor':'8086','device':'0X591D','subsystem_vendor':'0x00008086'}", ""),
	  NULL },
	{ R(",'mdev_attrs':{'a':'1'}", ""),
	  "$.self.mdev_attrs: expected an array of one-member objects" },
	{ R(",'mdev_attrs':[{'a':'1','b':'2'}]", ""),
	  "$.self.mdev_attrs[0]: expected an object with exactly one member" },
	{ R(",'mdev_attrs':[{'a':'1'},{}]", ""),
	  "$.self.mdev_attrs[1]: expected an object with exactly one member" },
	{ R(",'mdev_attrs':[{'a':1}]", ""), "$.self.mdev_attrs[0].a: expected a string" },
	{ R(",'mdev_attrs':[{'':'1'}]", ""),
	  "$.self.mdev_attrs[0][\"\"]: expected a non-empty name" },
	{ R(",'mdev_attrs':[{'a':'1'},{'a':'2'}]", ""), NULL },
	{ R(",'features':'a'", ""), "$.self.features: expected an array of strings" },
	{ R(",'features':[1]", ""), "$.self.features[0]: expected a string" },
	{ R(",'features':['a','b','a']", ""), "$.self.features[2]: feature \"a\" listed twice" },
	{ R(",'params':[]", ""), "$.self.params: expected an object" },
	{ R(",'params':{'x':1.5}", ""),
	  "$.self.params.x: expected a boolean, an integer or a string" },
	{ R(",'params':{'x':null}", ""),
	  "$.self.params.x: expected a boolean, an integer or a string" },
	{ R(",'params':{'a':true,'b':-3,'c':'${n}'}", ""), NULL },
	{ R(",'vendor_fields':{'k':1}", ""), "$.self.vendor_fields.k: expected a string" },
	{ R(",'vendor_fields':[]", ""), "$.self.vendor_fields: expected an object of strings" },
	{ R(",'migration_flags':['POST_COPY']", ""),
	  "$.self.migration_flags[0]: expected \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"" },
	{ R(",'migration_flags':['STOP_COPY','STOP_COPY']", ""),
	  "$.self.migration_flags[1]: STOP_COPY listed twice" },
	/* version ranges */
	{ R("", ",'version_range':'1.0'"), "$.version_range: expected an object" },
	{ R("", ",'version_range':{'gt':'1.0'}"), "$.version_range.gt: unknown member" },
	{ R("", ",'version_range':{'eq':'1.0.0','min':'1.0.0'}"),
	  "$.version_range.min: not allowed together with eq" },
	{ R("", ",'version_range':{'eq':'1.0.0','any_of':['1.0.0']}"),
	  "$.version_range.any_of: not allowed together with eq" },
	{ R("", ",'version_range':{'any_of':['1.0.0'],'max':'2'}"),
	  "$.version_range.max: not allowed together with any_of" },
	{ R("", ",'version_range':{'any_of':[]}"),
	  "$.version_range.any_of: expected a non-empty array of versions" },
	{ R("", ",'version_range':{'any_of':['1.0.0',2]}"),
	  "$.version_range.any_of[1]: expected a string" },
	{ R("", ",'version_range':{'min':'abc'}"),
	  "$.version_range.min: not a valid semver version" },
	{ R("", ",'version_range':{'any_of':['1.0.0','x']}"),
	  "$.version_range.any_of[1]: not a valid semver version" },
	{ R(",'driver':{'version':'a','version_scheme':'opaque'}", ",'version_range':{'min':'a'}"),
	  "$.version_range.min: opaque versions allow only eq or any_of" },
	{ R("", ",'version_range':{'include_prerelease':1}"),
	  "$.version_range.include_prerelease: expected a boolean" },
	/* an empty range is an absent one; include_prerelease alone bounds nothing */
	{ R("", ",'version_range':{}"), NULL },
	{ P("{'version_range':{}}"), NULL },
	{ R("", ",'version_range':{'include_prerelease':true}"),
	  "$.version_range.include_prerelease: needs a bound (eq, any_of, min, max or "
	  "max_exclusive): without one, leave the range out" },
	{ P("{'version_range':{'include_prerelease':false}}"),
	  "$.compatible[0].version_range.include_prerelease: needs a bound*" },
	{ R("",
	    ",'version_range':{'min':'1.0.0','max_exclusive':'2.0.0','include_prerelease':true}"),
	  NULL },
	/* patterns */
	{ R("", ",'compatible':{}"), "$.compatible: expected an array of patterns" },
	{ P("1"), "$.compatible[0]: expected an object" },
	{ P("{},{'foo':1}"), "$.compatible[1].foo: unknown member" },
	{ P("{'uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001'}"),
	  "$.compatible[0].uuid: not allowed in a pattern: it names the source device (self)" },
	{ P("{'parent':'p'}"),
	  "$.compatible[0].parent: not allowed in a pattern: it names the source device (self)" },
	{ P("{'kind':'ccw'}"), "$.compatible[0].kind: only \"mdev\" is supported" },
	{ P("{'kind':'mdev','device_api':'vfio-ccw'}"), NULL },
	{ P("{'driver':{'x':1}}"), "$.compatible[0].driver.x: unknown member" },
	{ P("{'pci':{'device':{'in':[]}}}"),
	  "$.compatible[0].pci.device.in: expected a non-empty array of PCI ids" },
	{ P("{'pci':{'device':{'in':['0x1','0x01']}}}"),
	  "$.compatible[0].pci.device.in[1]: PCI id listed twice" },
	{ P("{'pci':{'device':{'in':['0x1'],'x':1}}}"),
	  "$.compatible[0].pci.device.x: unknown member" },
	{ P("{'pci':{'device':{'in':['zz']}}}"),
	  "$.compatible[0].pci.device.in[0]: expected a PCI id: a hex string such as \"0x8086\"" },
	{ P("{'pci':{'device':7}}"),
	  "$.compatible[0].pci.device: expected a PCI id (a hex string such as \"0x8086\") or {\"in\": [...]}" },
	{ P("{'version_range':{'min':'x'}}"),
	  "$.compatible[0].version_range.min: not a valid semver version" },
	{ P("{'features':['a','a']}"), "$.compatible[0].features[1]: feature \"a\" listed twice" },
	{ R(",'driver':{'version':'1.1.0-rc1'}",
	    ",'compatible':[{'driver':{'version_scheme':'dotted'}}]"),
	  "$.compatible[0].driver.version_scheme: self's driver version \"1.1.0-rc1\" is not a valid dotted version" },
	{ R(",'driver':{'version':'1.1.0'}", ",'compatible':[{'driver':{'version':'1.x'}}]"),
	  "$.compatible[0].driver.version: not a valid semver version" },
	{ R(",'driver':{'version':'1.1.0'}",
	    ",'version_range':{'min':'1.0.0'},'compatible':[{'driver':{'version_scheme':'opaque'}}]"),
	  "$.compatible[0].driver.version_scheme: the record's version_range is not valid under opaque: min: opaque versions allow only eq or any_of" },
	/* variables */
	{ P("{'vars':{}}"), "$.compatible[0].vars: expected an array of variable declarations" },
	{ V("7"), "$.compatible[0].vars[0]: expected an object" },
	{ V("{'type':'int','values':[1]}"),
	  "$.compatible[0].vars[0].name: required member missing" },
	{ V("{'name':'n','values':[1]}"), "$.compatible[0].vars[0].type: required member missing" },
	{ V("{'name':'n','type':'float','values':[1]}"),
	  "$.compatible[0].vars[0].type: expected \"int\", \"enum\" or \"bool\"" },
	{ V("{'name':'n','type':'int','values':[1],'default':1}"),
	  "$.compatible[0].vars[0].default: unknown member" },
	{ V("{'name':'n','type':'int','values':[]}"),
	  "$.compatible[0].vars[0].values: expected a non-empty array of integers" },
	{ V("{'name':'n','type':'int','values':[1.5]}"),
	  "$.compatible[0].vars[0].values: expected a non-empty array of integers" },
	{ V("{'name':'n','type':'int','values':[1],'range':{'min':1,'max':2}}"),
	  "$.compatible[0].vars[0].range: not allowed together with values" },
	{ V("{'name':'n','type':'int'}"),
	  "$.compatible[0].vars[0]: an int variable needs values or range" },
	{ V("{'name':'n','type':'int','range':{'min':1}}"),
	  "$.compatible[0].vars[0].range.max: required member missing" },
	{ V("{'name':'n','type':'int','range':{'min':1,'max':'8'}}"),
	  "$.compatible[0].vars[0].range.max: expected an integer" },
	{ V("{'name':'n','type':'int','range':{'min':1,'max':8,'by':2}}"),
	  "$.compatible[0].vars[0].range.by: unknown member" },
	{ V("{'name':'n','type':'int','range':{'min':1,'max':8,'step':0}}"),
	  "$.compatible[0].vars[0]: Variable 'n': range step 0 is not at least 1" },
	{ V("{'name':'n','type':'int','range':{'min':1,'max':8,'step':2}}"), NULL },
	{ V("{'name':'n','type':'int','values':[1,1]}"), "$.compatible[0].vars[0]: Variable 'n'*" },
	{ V("{'name':'1n','type':'bool'}"), "$.compatible[0].vars[0]: Invalid variable name*" },
	{ V("{'name':'n','type':'bool'},{'name':'n','type':'bool'}"),
	  "$.compatible[0].vars[1]: Variable 'n' is declared twice" },
	{ V("{'name':'m','type':'enum','values':[1]}"),
	  "$.compatible[0].vars[0].values[0]: expected a string" },
	{ V("{'name':'m','type':'enum'}"),
	  "$.compatible[0].vars[0].values: required member missing" },
	{ V("{'name':'m','type':'enum','values':'a'}"),
	  "$.compatible[0].vars[0].values: expected a non-empty array of strings" },
	{ V("{'name':'m','type':'enum','range':{'min':1,'max':2}}"),
	  "$.compatible[0].vars[0].range: only int variables have a range" },
	{ V("{'name':'b','type':'bool','values':[true]}"),
	  "$.compatible[0].vars[0].values: a bool variable takes no values" },
	/* templates, checked in every pattern */
	{ P("{'mdev_type':'t2'},{'vars':[{'name':'n','type':'int','values':[1,2]}],'mdev_type':'t${m}'}"),
	  "$.compatible[1].mdev_type: UNDECLARED_VARIABLE:m" },
	{ P("{'mdev_attrs':[{'aggregator':'${k}'}]}"),
	  "$.compatible[0].mdev_attrs[0].aggregator: UNDECLARED_VARIABLE:k" },
	{ P("{'params':{'p':'${x}'}}"), "$.compatible[0].params.p: UNDECLARED_VARIABLE:x" },
	{ P("{'cost':'${n}'}"), "$.compatible[0].cost: UNDECLARED_VARIABLE:n" },
	{ P("{'vars':[{'name':'mode','type':'enum','values':['a','b']}],'mdev_type':'t-${mode+1}'}"),
	  "$.compatible[0].mdev_type: TEMPLATE_INVALID:mode+1" },
	{ P("{'vars':[{'name':'n','type':'int','values':[2]}],'mdev_type':'t${n%2}'}"),
	  "$.compatible[0].mdev_type: Invalid template*" },
	{ P("{'mdev_type':7}"), "$.compatible[0].mdev_type: expected a string" },
	/* what a pattern's type becomes, under every binding, is a type name */
	{ P("{'mdev_type':'a/b'}"), "$.compatible[0].mdev_type: \"a/b\" is not a valid type name*" },
	{ P("{'mdev_type':'t?'}"), "$.compatible[0].mdev_type: \"t?\" is not a valid type name*" },
	{ P("{'mdev_type':''}"), "$.compatible[0].mdev_type: \"\" is not a valid type name*" },
	{ P("{'vars':[{'name':'e','type':'enum','values':['x','../../x']}],'mdev_type':'${e}'}"),
	  "$.compatible[0].mdev_type: with e=../../x it is \"../../x\", not a valid type name*" },
	{ P("{'vars':[{'name':'e','type':'enum','values':['a','b']}],'mdev_type':'t/${e}'}"),
	  "$.compatible[0].mdev_type: with e=a it is \"t/a\", not a valid type name*" },
	{ P("{'vars':[{'name':'n','type':'int','values':[1,2]},{'name':'e','type':'enum',"
	    "'values':['','*']}],'mdev_type':'t-${n}${e}'}"),
	  "$.compatible[0].mdev_type: with n=1, e=* it is \"t-1*\", not a valid type name*" },
	{ P("{'vars':[{'name':'e','type':'enum','values':['.','x']}],'mdev_type':'.${e}'}"),
	  "$.compatible[0].mdev_type: with e=. it is \"..\", not a valid type name*" },
	{ P("{'vars':[{'name':'e','type':'enum','values':['']}],'mdev_type':'${e}'}"),
	  "$.compatible[0].mdev_type: with e= it is \"\", not a valid type name*" },
	/* what is quoted from the record is escaped: one line, nothing a terminal acts on */
	{ P("{'vars':[{'name':'e','type':'enum','values':['\\u001b[2J\\n']}],'mdev_type':'${e}'}"),
	  "$.compatible[0].mdev_type: with e=\\u001b[2J\\u000a it is \"\\u001b[2J\\u000a\", not a "
	  "valid type name*" },
	/* negative numbers, failed divisions (skipped at match time) are fine */
	{ P("{'vars':[{'name':'n','type':'int','values':[-1,1]}],'mdev_type':'t${n}-${n/2}'}"),
	  NULL },
	{ P("{'vars':[{'name':'n','type':'int','range':{'min':1,'max':1024}}],"
	    "'mdev_type':'nvidia-${n}'}"),
	  NULL },
	{ P("{'cost':0}"), "$.compatible[0].cost: expected an integer >= 1 or a template" },
	{ P("{'cost':'abc'}"), "$.compatible[0].cost: expected an integer >= 1 or a template" },
	{ P("{'cost':'0'}"), "$.compatible[0].cost: expected an integer >= 1 or a template" },
	{ P("{'cost':true}"), "$.compatible[0].cost: expected an integer >= 1 or a template" },
	{ P("{'cost':'3'},{'cost':4}"), NULL },
	{ P("{'vars':[{'name':'n','type':'int','values':[2]}],'cost':'${n/2}','params':{'p':'$${n}'}}"),
	  NULL },
	/* jansson's own refusals keep their place */
	{ "{'schema':'mdev-compat/1','schema':'mdev-compat/1'}", "duplicate object key*" },
	{ "{'schema':'mdev-compat/1',\n 'self':{,}}", "* at line 2 column *" },
	{ "", "* at line 1 column *" },
};

static void test_record_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(record_cases); i++) {
		_cleanup_free_ char *json = q(record_cases[i].json);
		struct compat_record *rec = NULL;
		err_clear();
		int r = compat_record_parse(json, strlen(json), &rec);
		if (!record_cases[i].err)
			ok(r == 0 && rec, "record %zu accepted: %s", i, r < 0 ? err_get(0) : "ok");
		else if (record_cases[i].err[0] == '*') {
			const char *e = err_get(0) ? err_get(0) : "";
			const char *mid = record_cases[i].err + 1;
			_cleanup_free_ char *m = xstrndup(mid, strcspn(mid, "*"));
			ok(r == -EINVAL && !rec && strstr(e, m), "record %zu refused: %s", i, e);
		} else {
			ok(r == -EINVAL && !rec && err_matches(record_cases[i].err),
			   "record %zu refused: %s", i, err_get(0) ? err_get(0) : "(none)");
			if (r != -EINVAL || !err_matches(record_cases[i].err))
				printf("#   want: %s\n", record_cases[i].err);
		}
		compat_record_free(rec);
	}
	err_clear();
}

/* ---- limits ---- */

static char *repeat(const char *item, size_t n, const char *sep)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(&sb, sep);
		sb_puts(&sb, item);
	}
	return sb_steal(&sb);
}

/* n distinct items: item with every '#' replaced by the index in decimal. */
static char *numbered(const char *item, size_t n)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(&sb, ',');
		for (const char *p = item; *p; p++)
			if (*p == '#')
				sb_printf(&sb, "%zu", i);
			else
				sb_putc(&sb, *p);
	}
	return sb_steal(&sb);
}

/* tmpl with its "@@" replaced by s. */
static char *fill(const char *tmpl, const char *s)
{
	const char *at = strstr(tmpl, "@@");
	struct strbuf sb = { 0 };
	sb_add(&sb, tmpl, (size_t)(at - tmpl));
	sb_puts(&sb, s);
	sb_puts(&sb, at + 2);
	return sb_steal(&sb);
}

static int parse_record_str(const char *json, struct compat_record **ret)
{
	_cleanup_free_ char *j = q(json);
	err_clear();
	return compat_record_parse(j, strlen(j), ret);
}

/* Parse a record built from fmt around a generated list: n is accepted, n + 1 refused with
 * err. */
static void limit_case(const char *what, const char *fmt, const char *item_fmt, size_t n,
		       const char *err)
{
	for (size_t k = n; k <= n + 1; k++) {
		_cleanup_free_ char *items = numbered(item_fmt, k);
		_cleanup_free_ char *json = fill(fmt, items);
		struct compat_record *rec = NULL;
		int r = parse_record_str(json, &rec);
		if (k == n)
			ok(r == 0, "%s: %zu accepted %s", what, k, r < 0 ? err_get(0) : "");
		else
			ok(r == -EINVAL && err_matches(err), "%s: %zu refused: %s", what, k,
			   err_get(0) ? err_get(0) : "(none)");
		compat_record_free(rec);
	}
}

static void test_limits(void)
{
	limit_case("patterns", R("", ",'compatible':[@@]"), "{'mdev_type':'t#'}", 64,
		   "$.compatible: at most 64 patterns");
	limit_case("attrs", R(",'mdev_attrs':[@@]", ""), "{'a#':'#'}", 64,
		   "$.self.mdev_attrs: at most 64 attrs");
	limit_case("features", R(",'features':[@@]", ""), "'f#'", 256,
		   "$.self.features: at most 256 features");
	limit_case("params", R(",'params':{@@}", ""), "'p#':#", 64,
		   "$.self.params: at most 64 params");
	limit_case("vendor fields", R(",'vendor_fields':{@@}", ""), "'v#':'#'", 64,
		   "$.self.vendor_fields: at most 64 vendor fields");
	limit_case("attr defaults", R("", ",'attr_defaults':{@@}"), "'a#':'#'", 64,
		   "$.attr_defaults: at most 64 attr defaults");
	limit_case("pci in", P("{'pci':{'device':{'in':[@@]}}}"), "'0x#'", 64,
		   "$.compatible[0].pci.device.in: at most 64 PCI ids");
	limit_case("any_of", R("", ",'version_range':{'any_of':[@@]}"), "'1.#.0'", 256,
		   "$.version_range.any_of: at most 256 versions");
	limit_case(
		"vars", P("{'vars':[@@]}"), "{'name':'v#','type':'int','values':[1]}", 8,
		"$.compatible[0].vars[8]: Variable 'v8': a pattern may declare at most 8 variables");

	/* strings: 256 bytes, and templates the template module's 256 */
	_cleanup_free_ char *s256 = repeat("x", 256, ""), *s257 = repeat("x", 257, "");
	const char *const string_fmts[] = {
		R(",'device_api':'@@'", ""),
		P("{'mdev_type':'@@'}"),
		R(",'features':['@@']", ""),
	};
	const char *const string_errs[] = {
		"$.self.device_api: longer than 256 bytes",
		"$.compatible[0].mdev_type: longer than 256 bytes",
		"$.self.features[0]: longer than 256 bytes",
	};
	for (size_t i = 0; i < ELEMENTSOF(string_fmts); i++) {
		struct compat_record *rec = NULL;
		_cleanup_free_ char *a = fill(string_fmts[i], s256);
		_cleanup_free_ char *b = fill(string_fmts[i], s257);
		ok(parse_record_str(a, &rec) == 0, "string %zu: 256 bytes accepted", i);
		rec = compat_record_free(rec);
		ok(parse_record_str(b, &rec) == -EINVAL && err_matches(string_errs[i]),
		   "string %zu: 257 bytes refused: %s", i, err_get(0));
	}
	_cleanup_free_ char *longname = fill(R(",'mdev_attrs':[{'@@':'1'}]", ""), s257);
	struct compat_record *rec = NULL;
	ok(parse_record_str(longname, &rec) == -EINVAL && err_matches("$.self.mdev_attrs[0][\"*") &&
		   strstr(err_get(0), "...\"]: name longer than 256 bytes"),
	   "a member name over 256 bytes is refused, cut in the path: %.60s", err_get(0));

	/* nesting: the top-level object is level 1 */
	for (size_t depth = 31; depth <= 32; depth++) {
		_cleanup_free_ char *open = repeat("[", depth, ""), *close = repeat("]", depth, "");
		_cleanup_free_ char *json = xasprintf(R("", ",'generated':%s%s"), open, close);
		int r = parse_record_str(json, &rec);
		if (depth == 31)
			ok(r == 0, "32 levels accepted");
		else
			ok(r == -EINVAL &&
				   err_matches("nesting deeper than 32 levels at line 1 column *"),
			   "33 levels refused: %s", err_get(0));
		rec = compat_record_free(rec);
	}
	/* Brackets inside strings do not count. */
	_cleanup_free_ char *brackets = repeat("[", 100, "");
	_cleanup_free_ char *in_str = xasprintf(R("", ",'generated':'%s\\\\'"), brackets);
	ok(parse_record_str(in_str, &rec) == 0, "brackets in strings are not nesting: %s",
	   err_get(0) ? err_get(0) : "ok");
	rec = compat_record_free(rec);
	_cleanup_free_ char *deep = repeat("[", 100000, "");
	ok(compat_record_parse(deep, strlen(deep), &rec) == -EINVAL &&
		   streq(err_get(0), "nesting deeper than 32 levels at line 1 column 33"),
	   "100000 nested arrays: clean error: %s", err_get(0));
	_cleanup_free_ char *deep_obj = repeat("{\"a\":", 100000, "");
	ok(compat_record_parse(deep_obj, strlen(deep_obj), &rec) == -EINVAL &&
		   err_matches("nesting deeper than 32 levels*"),
	   "100000 nested objects: clean error");

	/* input size */
	_cleanup_free_ char *base = q(R("", ""));
	size_t n = COMPAT_INPUT_MAX;
	char *big = xmalloc(n + 2);
	memset(big, ' ', n + 1);
	memcpy(big, base, strlen(base));
	big[n + 1] = '\0';
	err_clear();
	ok(compat_record_parse(big, n, &rec) == 0, "1 MiB accepted");
	rec = compat_record_free(rec);
	ok(compat_record_parse(big, n + 1, &rec) == -EINVAL &&
		   streq(err_get(0), "input is larger than 1048576 bytes"),
	   "1 MiB + 1 refused: %s", err_get(0));
	free(big);
	err_clear();
}

/* ---- what a parsed record holds ---- */

static char *expand(const struct compat_pattern *p, const struct compat_tvalue *v, size_t seq)
{
	struct compat_binding b;
	char *out = NULL, *reason = NULL;
	bool more = compat_binding_first(&p->vars, &b);
	while (more && b.seq < seq)
		more = compat_binding_next(&p->vars, &b);
	if (compat_tvalue_expand(v, &p->vars, &b, &out, &reason) < 0) {
		free(out);
		return reason;
	}
	return out;
}

static void test_record_content(void)
{
	struct compat_record *rec = NULL;
	const char *json =
		R(",'device_api':'vfio-pci','driver':{'name':'i915','version':'1.1.0'},"
		  "'uuid':'{83B8F4F2-509F-382F-3C1E-E6BFE0FA1001}',"
		  "'pci':{'vendor':'0x8086','device':'0x591d'},"
		  "'mdev_attrs':[{'aggregator':'1'}],'features':['a','b'],"
		  "'params':{'ecc':true,'frl':60,'mode':'x$y'},'vendor_fields':{'g':'K'},"
		  "'migration_flags':['P2P','STOP_COPY']",
		  ",'compatible':["
		  "{'vars':[{'name':'n','type':'int','values':[1,2,4]}],"
		  "'mdev_type':'t${n}','mdev_attrs':[{'aggregator':'${n/2}'}],"
		  "'cost':'${n/2}','pci':{'device':{'in':['0x5912','0x591D']}},"
		  "'features':[],'params':{'mode':'m${n}'}},"
		  "{'driver':{'name':'xe'},'version_range':{'eq':'2.0.0'},'cost':3}]");
	int r = parse_record_str(json, &rec);
	ok(r == 0, "full record parses: %s", r < 0 ? err_get(0) : "ok");
	if (r < 0)
		return;
	ok(streq(rec->uuid, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"), "uuid stored canonical");
	ok(rec->self_is_candidate && rec->feature_match == COMPAT_FEATURE_SUBSET &&
		   !rec->has_version_range,
	   "defaults: self is a candidate, subset, no range");
	ok(rec->self.driver.scheme == COMPAT_SCHEME_SEMVER && !rec->self.driver.scheme_set,
	   "version_scheme defaults to semver");
	ok(rec->self.migration_flags == (COMPAT_MIG_STOP_COPY | COMPAT_MIG_P2P),
	   "migration flags as a set");
	ok(rec->n_patterns == 3 && rec->n_compatible == 2 && rec->patterns[0].compatible == -1 &&
		   rec->patterns[1].compatible == 0 && rec->patterns[2].compatible == 1,
	   "pattern 0 is self, then the compatible entries");

	const struct compat_pattern *p0 = &rec->patterns[0], *p1 = &rec->patterns[1],
				    *p2 = &rec->patterns[2];
	ok(streq(p0->cost.text, "1") && !p0->cost.tmpl && p0->vars.n == 0, "self: cost 1, no vars");
	ok(!p0->d.mdev_type.tmpl && streq(p0->d.mdev_type.text, "t"), "self's type is literal");
	_cleanup_free_ char *lit = expand(p0, &p0->d.params[2].value.s, 0);
	is_str(lit, "x$y", "self's '$' is literal text");

	ok(streq(p1->d.device_api, "vfio-pci"), "a pattern without device_api inherits self's");
	ok(streq(p1->d.driver.name, "i915") && streq(p1->d.driver.version, "1.1.0"),
	   "and its driver");
	ok(p1->d.pci.id[COMPAT_PCI_VENDOR].n == 1 &&
		   p1->d.pci.id[COMPAT_PCI_VENDOR].value[0] == 0x8086 &&
		   p1->d.pci.id[COMPAT_PCI_DEVICE].in && p1->d.pci.id[COMPAT_PCI_DEVICE].n == 2 &&
		   p1->d.pci.id[COMPAT_PCI_DEVICE].value[1] == 0x591d,
	   "pci merges field by field (vendor inherited, device overridden by in)");
	ok(p1->d.features.n == 0, "features [] replaces self's");
	ok(p1->d.n_params == 1 && streq(p1->d.params[0].name, "mode") &&
		   p1->d.params[0].value.s.tmpl,
	   "params replace self's wholesale, string values are templates");
	ok(p1->d.n_vendor_fields == 1 && p1->d.migration_flags == rec->self.migration_flags,
	   "vendor fields and migration flags inherited");
	_cleanup_free_ char *t = expand(p1, &p1->d.mdev_type, 2);
	_cleanup_free_ char *a = expand(p1, &p1->d.attrs[0].value, 2);
	_cleanup_free_ char *cost = expand(p1, &p1->cost, 2);
	_cleanup_free_ char *bad = expand(p1, &p1->cost, 0);
	is_str(t, "t4", "type template under n=4");
	is_str(a, "2", "attr template under n=4");
	is_str(cost, "2", "cost template under n=4");
	is_str(bad, "BINDING_INVALID:n/2=1/2", "an inexact division skips the binding");
	ok(!p1->version_range, "no range anywhere: the default range");

	ok(streq(p2->d.driver.name, "xe") && streq(p2->d.driver.version, "1.1.0") &&
		   p2->d.driver.scheme == COMPAT_SCHEME_SEMVER,
	   "driver merges field by field");
	ok(streq(p2->cost.text, "3") && !p2->cost.tmpl, "an integer cost is literal");
	ok(p2->version_range && p2->version_range == &p2->own_range &&
		   streq(p2->version_range->view.eq, "2.0.0"),
	   "a pattern's own range");
	ok(streq(p2->d.mdev_type.text, "t") && !p2->d.mdev_type.tmpl && p2->d.n_attrs == 1 &&
		   !p2->d.attrs[0].value.tmpl,
	   "inherited type and attrs are literal");
	ok(compat_version_check(rec->self.driver.scheme, &p2->version_range->view, NULL, "2.0.0") ==
		   1,
	   "the range view works with compat_version_check");
	rec = compat_record_free(rec);

	r = parse_record_str(R(",'driver':{'version':'1.2.0'}",
			       ",'self_is_candidate':false,'version_range':{'min':'1.0.0'},"
			       "'feature_match':'exact','compatible':[{'mdev_type':'u'}]"),
			     &rec);
	ok(r == 0 && rec->n_patterns == 1 && rec->patterns[0].compatible == 0 &&
		   rec->feature_match == COMPAT_FEATURE_EXACT,
	   "self_is_candidate false: pattern 0 is compatible[0]");
	ok(r == 0 && rec->patterns[0].version_range == &rec->version_range &&
		   streq(rec->version_range.view.min, "1.0.0"),
	   "a pattern without a range uses the record's");
	compat_record_free(rec);

	/* {} is the same as leaving the range out, at both levels. */
	r = parse_record_str(R(",'driver':{'version':'1.2.0'}",
			       ",'version_range':{},'compatible':[{'version_range':{}}]"),
			     &rec);
	ok(r == 0 && !rec->has_version_range && !rec->patterns[0].version_range &&
		   !rec->patterns[1].version_range && !rec->patterns[1].has_own_range,
	   "version_range {}: the default range, for self and for the pattern");
	ok(r == 0 && compat_version_check(rec->self.driver.scheme,
					  rec->patterns[0].version_range ?
						  &rec->patterns[0].version_range->view :
						  NULL,
					  "1.2.0", "2.0.0") == 0,
	   "so another major is out of range");
	compat_record_free(rec);
	r = parse_record_str(R(",'driver':{'version':'1.2.0'}",
			       ",'version_range':{'min':'1.0.0'},'compatible':[{'version_range':{}}]"),
			     &rec);
	ok(r == 0 && rec->patterns[1].version_range == &rec->version_range,
	   "a pattern's {} is no range of its own: it uses the record's");
	compat_record_free(rec);
	err_clear();
}

/* ---- the inventory ---- */

#define TYPE0	 "'mdev_type':'t','device_api':'vfio-pci','available_instances':1"
#define INV(top) "{'schema':'mdev-inventory/1'" top "}"
#define T(extra) INV(",'parents':[{'parent':'p','types':[{" TYPE0 extra "}]}]")
#define DEV(x) \
	INV(",'devices':[{'uuid':'5cf14a12-a437-4c82-a13f-70e945782d7b','parent':'p'," x "}]")

static const struct pcase inventory_cases[] = {
	{ INV(""), NULL },
	{ "{'schema':'mdev-compat/1'}", "$.schema: expected \"mdev-inventory/1\"" },
	{ INV(",'hosts':[]"), "$.hosts: unknown member" },
	{ INV(",'host':1"), "$.host: expected a string" },
	{ INV(",'parents':{}"), "$.parents: expected an array of parents" },
	{ INV(",'parents':[{'types':[]}]"), "$.parents[0].parent: required member missing" },
	{ INV(",'parents':[{'parent':'a/b'}]"), "$.parents[0].parent: not a valid name*" },
	{ INV(",'parents':[{'parent':'p','driver':'x'}]"), "$.parents[0].driver: unknown member" },
	{ INV(",'parents':[{'parent':'p'},{'parent':'q'},{'parent':'p'}]"),
	  "$.parents[2].parent: parent listed twice" },
	{ INV(",'parents':[{'parent':'p','types':{}}]"),
	  "$.parents[0].types: expected an array of types" },
	{ INV(",'parents':[{'parent':'p','types':[{" TYPE0 "},{" TYPE0 "}]}]"),
	  "$.parents[0].types[1].mdev_type: type listed twice for this parent" },
	{ T(",'numa':0"), "$.parents[0].types[0].numa: unknown member" },
	{ INV(",'parents':[{'parent':'p','types':[{'device_api':'vfio-pci','available_instances':1}]}]"),
	  "$.parents[0].types[0].mdev_type: required member missing" },
	{ INV(",'parents':[{'parent':'p','types':[{'mdev_type':'t','available_instances':1}]}]"),
	  "$.parents[0].types[0].device_api: required member missing" },
	{ INV(",'parents':[{'parent':'p','types':[{'mdev_type':'t','device_api':'vfio-pci'}]}]"),
	  "$.parents[0].types[0].available_instances: required member missing" },
	{ INV(",'parents':[{'parent':'p','types':[{'mdev_type':'t','device_api':'vfio-pci','available_instances':-1}]}]"),
	  "$.parents[0].types[0].available_instances: expected an integer >= 0" },
	{ INV(",'parents':[{'parent':'p','types':[{'mdev_type':'t','device_api':'vfio-pci','available_instances':1.0}]}]"),
	  "$.parents[0].types[0].available_instances: expected an integer >= 0" },
	{ T(",'name':1"), "$.parents[0].types[0].name: expected a string" },
	{ T(",'driver':{'name':'i915','version':'1.0-rc','version_scheme':'dotted'}"),
	  "$.parents[0].types[0].driver.version: not a valid dotted version" },
	{ T(",'driver':{'name':'nvidia','version':'550.90.07'}"), NULL },
	{ T(",'pci':{'vendor':{'in':['0x8086']}}"),
	  "$.parents[0].types[0].pci.vendor: expected a PCI id: a hex string such as \"0x8086\"" },
	{ T(",'features':['a','a']"),
	  "$.parents[0].types[0].features[1]: feature \"a\" listed twice" },
	{ T(",'params':{'ecc':{'default':true}}"),
	  "$.parents[0].types[0].params.ecc.type: required member missing" },
	{ T(",'params':{'ecc':{'type':'float'}}"),
	  "$.parents[0].types[0].params.ecc.type: expected \"bool\", \"int\" or \"string\"" },
	{ T(",'params':{'ecc':{'type':'bool','default':1}}"),
	  "$.parents[0].types[0].params.ecc.default: expected a boolean" },
	{ T(",'params':{'ecc':{'type':'bool','range':{'min':0,'max':1}}}"),
	  "$.parents[0].types[0].params.ecc.range: only params of type int have a range" },
	{ T(",'params':{'frl':{'type':'int','allowed':[30,60],'range':{'min':0,'max':1}}}"),
	  "$.parents[0].types[0].params.frl.range: not allowed together with allowed" },
	{ T(",'params':{'frl':{'type':'int','allowed':[30,'60']}}"),
	  "$.parents[0].types[0].params.frl.allowed[1]: expected an integer" },
	{ T(",'params':{'frl':{'type':'int','allowed':[]}}"),
	  "$.parents[0].types[0].params.frl.allowed: expected a non-empty array of integers" },
	{ T(",'params':{'frl':{'type':'int','allowed':[30,30]}}"),
	  "$.parents[0].types[0].params.frl.allowed[1]: value listed twice" },
	{ T(",'params':{'frl':{'type':'int','range':{'min':30,'max':60},'default':120}}"),
	  "$.parents[0].types[0].params.frl.default: not among the allowed values" },
	{ T(",'params':{'frl':{'type':'int','range':{'min':60,'max':30}}}"),
	  "$.parents[0].types[0].params.frl.range: min is above max" },
	{ T(",'params':{'m':{'type':'string','allowed':['a','b'],'off':'c'}}"),
	  "$.parents[0].types[0].params.m.off: not among the allowed values" },
	{ T(",'params':{'m':{'type':'string','attr':'../x'}}"),
	  "$.parents[0].types[0].params.m.attr: not a valid name*" },
	{ T(",'params':{'m':{'type':'string','step':1}}"),
	  "$.parents[0].types[0].params.m.step: unknown member" },
	{ T(",'vendor_fields':{'k':true}"),
	  "$.parents[0].types[0].vendor_fields.k: expected a string" },
	{ T(",'settable_attrs':{'a':{}}"),
	  "$.parents[0].types[0].settable_attrs.a.type: required member missing" },
	{ T(",'settable_attrs':{'a':{'type':'float'}}"),
	  "$.parents[0].types[0].settable_attrs.a.type: expected \"int\", \"bool\", \"string\" or \"any\"" },
	{ T(",'settable_attrs':{'a':{'type':'any','allowed':['x']}}"),
	  "$.parents[0].types[0].settable_attrs.a.allowed: an attr of type any takes every value" },
	{ T(",'settable_attrs':{'a':{'type':'int','allowed':[-1]}}"),
	  "$.parents[0].types[0].settable_attrs.a.allowed[0]: expected an integer >= 0" },
	{ T(",'settable_attrs':{'a':{'type':'int','range':{'min':-1,'max':3}}}"),
	  "$.parents[0].types[0].settable_attrs.a.range.min: expected an integer >= 0" },
	{ T(",'settable_attrs':{'a':{'type':'string','range':{'min':1,'max':3}}}"),
	  "$.parents[0].types[0].settable_attrs.a.range: only attrs of type int have a range" },
	{ T(",'settable_attrs':{'a':{'type':'int','range':{'min':1}}}"),
	  "$.parents[0].types[0].settable_attrs.a.range.max: required member missing" },
	{ T(",'migration_flags':['STOP_COPY','X']"),
	  "$.parents[0].types[0].migration_flags[1]: expected \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"" },
	{ T(",'accepts':{'version':{}}"), "$.parents[0].types[0].accepts.version: unknown member" },
	{ T(",'accepts':{'driver_version':{'min':'a.b'}}"),
	  "$.parents[0].types[0].accepts.driver_version.min: not a valid version under any scheme" },
	{ T(",'accepts':{'driver_version':{'min':'550.90.07'}}"), NULL },
	{ T(",'accepts':{'driver_version':{}}"), NULL },
	{ T(",'accepts':{'driver_version':{'include_prerelease':true}}"),
	  "$.parents[0].types[0].accepts.driver_version.include_prerelease: needs a bound*" },
	{ T(",'driver':{'version_scheme':'semver'},'accepts':{'driver_version':{'min':'550.90.07'}}"),
	  "$.parents[0].types[0].accepts.driver_version.min: not a valid semver version" },
	{ INV(",'devices':{}"), "$.devices: expected an array of devices" },
	{ DEV("'mdev_type':'t','state':'busy'"),
	  "$.devices[0].state: expected \"free\", \"in_use\" or \"defined\"" },
	{ DEV("'mdev_type':'t'"), "$.devices[0].state: required member missing" },
	{ DEV("'mdev_type':'t','state':'free','attrs':[{'a':1}]"),
	  "$.devices[0].attrs[0].a: expected a string" },
	{ DEV("'mdev_type':'t','state':'free','x':1"), "$.devices[0].x: unknown member" },
	{ INV(",'devices':[{'uuid':'nope','parent':'p','mdev_type':'t','state':'free'}]"),
	  "$.devices[0].uuid: not a UUID: *" },
	{ INV(",'devices':[{'uuid':'5cf14a12-a437-4c82-a13f-70e945782d7b','parent':'p','mdev_type':'t','state':'free'},"
	      "{'uuid':'5CF14A12A4374C82A13F70E945782D7B','parent':'q','mdev_type':'t','state':'in_use'}]"),
	  "$.devices[1].uuid: UUID already listed at $.devices[0]" },
};

static void test_inventory_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(inventory_cases); i++) {
		_cleanup_free_ char *json = q(inventory_cases[i].json);
		struct compat_inventory *inv = NULL;
		err_clear();
		int r = compat_inventory_parse(json, strlen(json), &inv);
		if (!inventory_cases[i].err)
			ok(r == 0 && inv, "inventory %zu accepted: %s", i,
			   r < 0 ? err_get(0) : "ok");
		else {
			ok(r == -EINVAL && !inv && err_matches(inventory_cases[i].err),
			   "inventory %zu refused: %s", i, err_get(0) ? err_get(0) : "(none)");
			if (r != -EINVAL || !err_matches(inventory_cases[i].err))
				printf("#   want: %s\n", inventory_cases[i].err);
		}
		compat_inventory_free(inv);
	}
	err_clear();
}

static void test_inventory_limits(void)
{
	for (size_t n = COMPAT_PARENTS_MAX; n <= COMPAT_PARENTS_MAX + 1; n++) {
		_cleanup_free_ char *items = numbered("{\"parent\":\"p#\"}", n);
		_cleanup_free_ char *json =
			xasprintf("{\"schema\":\"mdev-inventory/1\",\"parents\":[%s]}", items);
		struct compat_inventory *inv = NULL;
		err_clear();
		int r = compat_inventory_parse(json, strlen(json), &inv);
		if (n == COMPAT_PARENTS_MAX)
			ok(r == 0 && inv->n_parents == n, "4096 parents accepted");
		else
			ok(r == -EINVAL && streq(err_get(0), "$.parents: at most 4096 parents"),
			   "4097 parents refused: %s", err_get(0));
		compat_inventory_free(inv);
	}
	for (size_t n = COMPAT_TYPES_MAX; n <= COMPAT_TYPES_MAX + 1; n++) {
		_cleanup_free_ char *items = numbered(
			"{\"mdev_type\":\"t#\",\"device_api\":\"vfio-pci\",\"available_instances\":#}",
			n);
		_cleanup_free_ char *json = xasprintf(
			"{\"schema\":\"mdev-inventory/1\",\"parents\":[{\"parent\":\"p\",\"types\":[%s]}]}",
			items);
		struct compat_inventory *inv = NULL;
		err_clear();
		int r = compat_inventory_parse(json, strlen(json), &inv);
		if (n == COMPAT_TYPES_MAX)
			ok(r == 0 && inv->parents[0].n_types == n, "256 types accepted");
		else
			ok(r == -EINVAL &&
				   streq(err_get(0),
					 "$.parents[0].types: at most 256 types per parent"),
			   "257 types refused: %s", err_get(0));
		compat_inventory_free(inv);
	}
	err_clear();
}

/* parse -> to_json -> parse -> to_json gives the same JSON both times. */
static void round_trip(const char *what, const char *json, bool canonical)
{
	struct compat_inventory *a = NULL, *b = NULL;
	json_t *ja = NULL, *jb = NULL, *orig = NULL;

	err_clear();
	int r = compat_inventory_parse(json, strlen(json), &a);
	ok(r == 0, "%s parses: %s", what, r < 0 ? err_get(0) : "ok");
	if (r < 0)
		return;
	ja = compat_inventory_to_json(a);
	_cleanup_free_ char *text = json_io_pretty(ja);
	r = compat_inventory_parse(text, strlen(text), &b);
	ok(r == 0, "%s: its canonical JSON parses: %s", what, r < 0 ? err_get(0) : "ok");
	if (r == 0) {
		jb = compat_inventory_to_json(b);
		_cleanup_free_ char *text2 = json_io_pretty(jb);
		is_str(text2, text, "%s: round trip is the identity", what);
	}
	if (canonical) {
		ok(json_io_parse(json, strlen(json), &orig) == 0 && json_equal(orig, ja),
		   "%s: already canonical, to_json gives it back", what);
		_cleanup_free_ char *o = orig ? json_io_compact(orig) : NULL;
		_cleanup_free_ char *c = json_io_compact(ja);
		if (o && !streq(o, c))
			printf("#   in:  %s\n#   out: %s\n", o, c);
	}
	json_decref(orig);
	json_decref(ja);
	json_decref(jb);
	compat_inventory_free(a);
	compat_inventory_free(b);
}

static void test_inventory_round_trip(void)
{
	static const char rich[] =
		"{'schema':'mdev-inventory/1','host':'h\\u00e9','parents':["
		"{'parent':'0000:3b:00.0','types':["
		"{'mdev_type':'nvidia-63','device_api':'vfio-pci','available_instances':0,"
		"'name':'GRID T4-1Q','description':'num_heads=4, frl_config=60',"
		"'driver':{'name':'nvidia','version':'550.90.07','version_scheme':'dotted'},"
		"'pci':{'vendor':'0x10de','device':'0x1EB8','subsystem_vendor':'10de','subsystem_device':'0x12a2'},"
		"'features':['f1'],"
		"'params':{'ecc':{'type':'bool','allowed':[true,false],'default':true,'off':false,'attr':'ecc'},"
		"'frl':{'type':'int','range':{'min':30,'max':60},'default':60},"
		"'mode':{'type':'string','allowed':['a','b']}},"
		"'vendor_fields':{'a':'1','b':''},"
		"'settable_attrs':{'x':{'type':'any'},'y':{'type':'bool','allowed':[true]},"
		"'z':{'type':'string','allowed':['s']},'w':{'type':'int','allowed':[0,71]}},"
		"'migration_flags':['STOP_COPY','PRE_COPY','P2P'],"
		"'accepts':{'driver_version':{'any_of':['550.90.07','550.90.7']}}},"
		"{'mdev_type':'nvidia-64','device_api':'vfio-pci','available_instances':3,"
		"'accepts':{'driver_version':{'min':'1.0.0-rc.1','max_exclusive':'2','include_prerelease':true}}}]},"
		"{'parent':'0000:3c:00.0'}],"
		"'devices':[{'uuid':'5cf14a12-a437-4c82-a13f-70e945782d7b','parent':'0000:3b:00.0',"
		"'mdev_type':'nvidia-63','state':'in_use'},"
		"{'uuid':'00000000-0000-0000-0000-000000000001','parent':'x','mdev_type':'y',"
		"'attrs':[{'a':'1'},{'a':'2'}],'state':'defined'}]}";
	_cleanup_free_ char *j = q(rich);
	round_trip("a rich inventory", j, true);

	/* Not canonical: flags out of order, empty lists, a braced UUID. */
	_cleanup_free_ char *k =
		q(INV(",'parents':[],'devices':[{'uuid':'{5CF14A12-A437-4C82-A13F-70E945782D7B}',"
		      "'parent':'p','mdev_type':'t','attrs':[],'state':'free'}],"
		      "'host':'h'"));
	round_trip("a non-canonical inventory", k, false);
	struct compat_inventory *inv = NULL;
	if (compat_inventory_parse(k, strlen(k), &inv) == 0) {
		json_t *o = compat_inventory_to_json(inv);
		_cleanup_free_ char *s = json_io_compact(o);
		is_str(s,
		       "{\"schema\":\"mdev-inventory/1\",\"host\":\"h\",\"devices\":[{\"uuid\":\"5cf14a12-a437-4c82-a13f-70e945782d7b\",\"parent\":\"p\",\"mdev_type\":\"t\",\"state\":\"free\"}]}",
		       "canonical form: key order, empty members left out, UUID canonical");
		json_decref(o);
		compat_inventory_free(inv);
	}
	_cleanup_free_ char *f = q(T(",'migration_flags':['P2P','STOP_COPY']"));
	if (compat_inventory_parse(f, strlen(f), &inv) == 0) {
		json_t *o = compat_inventory_to_json(inv);
		_cleanup_free_ char *s = json_io_compact(json_object_get(
			json_array_get(
				json_object_get(json_array_get(json_object_get(o, "parents"), 0),
						"types"),
				0),
			"migration_flags"));
		is_str(s, "[\"STOP_COPY\",\"P2P\"]", "migration flags in canonical order");
		json_decref(o);
		compat_inventory_free(inv);
	}
}

/* The host's own inventory is checked as a tree: each case must give what its compact text
 * gives, error message included, or the same canonical JSON when accepted. */
static void host_tree_case(const char *what, json_t *tree)
{
	_cleanup_free_ char *text = json_io_compact(tree);
	struct compat_inventory *a = NULL, *b = NULL;

	err_clear();
	int ra = compat_inventory_parse(text, strlen(text), &a);
	_cleanup_free_ char *ea = xstrdup(ra < 0 ? err_get(0) : "");
	err_clear();
	int rb = compat_inventory_parse_host(tree, &b);
	_cleanup_free_ char *eb = xstrdup(rb < 0 ? err_get(0) : "");
	err_clear();
	ok(ra == rb, "%s: the tree is %s as its text is", what, ra < 0 ? "refused" : "accepted");
	is_str(eb, ea, "%s: the same error", what);
	if (ra == 0 && rb == 0) {
		json_t *ja = compat_inventory_to_json(a), *jb = compat_inventory_to_json(b);
		_cleanup_free_ char *sa = json_io_compact(ja), *sb = json_io_compact(jb);
		is_str(sb, sa, "%s: the same inventory", what);
		json_decref(ja);
		json_decref(jb);
	}
	compat_inventory_free(a);
	compat_inventory_free(b);
}

static void test_inventory_host_tree(void)
{
	for (size_t i = 0; i < ELEMENTSOF(inventory_cases); i++) {
		_cleanup_free_ char *json = q(inventory_cases[i].json);
		_cleanup_free_ char *what = xasprintf("host inventory %zu", i);
		json_error_t e;
		/* A tree cannot hold a duplicate member or a syntax error: those are the text's. */
		json_t *tree = json_loadb(json, strlen(json), JSON_REJECT_DUPLICATES, &e);
		if (tree)
			host_tree_case(what, tree);
		json_decref(tree);
	}
	/* Deeper than a text may be: refused with the text's message (its line and column). */
	json_t *deep = json_string("x");
	for (int i = 0; i < COMPAT_DEPTH_MAX; i++) {
		json_t *a = json_array();
		json_array_append_new(a, deep);
		deep = a;
	}
	_cleanup_free_ char *inv = q(INV(",'host':'h'"));
	json_t *tree = json_loads(inv, 0, NULL);
	json_object_set_new(tree, "host", deep);
	host_tree_case("a host inventory 33 levels deep", tree);
	err_clear();
	ok(compat_inventory_parse_host(tree, &(struct compat_inventory *){ NULL }) == -EINVAL &&
		   strstr(err_get(0), "nesting deeper than 32 levels at line 1 column"),
	   "the deep tree is refused for its depth: %s", err_get(0));
	err_clear();
	json_decref(tree);
}

/* ---- fixtures ---- */

static char *read_fixture(const char *name, size_t *ret_len)
{
	const char *src = getenv("MDEVCTL_SRCDIR");
	_cleanup_free_ char *path = xasprintf("%s/tests/data/compat/%s", src ? src : ".", name);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	struct strbuf sb = { 0 };
	char buf[4096];
	size_t n;
	sb_puts(&sb, "");
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	*ret_len = sb.len;
	return sb_steal(&sb);
}

static void test_fixtures(void)
{
	static const struct {
		const char *file;
		bool inventory;
		const char *err;
	} fx[] = {
		{ "record-example.json", false, NULL },
		{ "inventory-example.json", true, NULL },
		{ "invalid-record-schema.json", false, "$.schema: expected \"mdev-compat/1\"" },
		{ "invalid-record-kind-not-mdev.json", false,
		  "$.self.kind: only \"mdev\" is supported" },
		{ "invalid-record-unknown-member-self.json", false,
		  "$.self.numa_node: unknown member" },
		{ "invalid-record-unknown-member-top.json", false,
		  "$.must_match_firmware: unknown member" },
		{ "invalid-record-undeclared-variable.json", false,
		  "$.compatible[1].mdev_type: UNDECLARED_VARIABLE:m" },
		{ "invalid-record-var-values-not-integers.json", false,
		  "$.compatible[1].vars[0].values: expected a non-empty array of integers" },
		{ "invalid-record-pci-id-not-hex.json", false,
		  "$.self.pci.vendor: expected a PCI id: a hex string such as \"0x8086\"" },
		{ "invalid-record-feature-twice.json", false,
		  "$.self.features[2]: feature \"a\" listed twice" },
		{ "invalid-record-version-not-semver.json", false,
		  "$.self.driver.version: not a valid semver version" },
		{ "invalid-record-range-eq-with-min.json", false,
		  "$.version_range.min: not allowed together with eq" },
		{ "invalid-record-migration-flag-unknown.json", false,
		  "$.self.migration_flags[1]: expected \"STOP_COPY\", \"PRE_COPY\" or \"P2P\"" },
		{ "invalid-record-pattern-uuid.json", false,
		  "$.compatible[0].uuid: not allowed in a pattern: it names the source device (self)" },
		{ "invalid-record-syntax.json", false, "*at line 2 column*" },
		{ "invalid-record-too-many-patterns.json", false,
		  "$.compatible: at most 64 patterns" },
		{ "invalid-record-too-deep.json", false,
		  "nesting deeper than 32 levels at line 1 column *" },
		{ "invalid-record-parent-dotdot.json", false, "$.self.parent: not a valid name*" },
		{ "invalid-record-template-type-path.json", false,
		  "$.compatible[0].mdev_type: with t=../../x it is \"../../x\", not a valid type "
		  "name*" },
		{ "invalid-record-template-type-glob.json", false,
		  "$.compatible[0].mdev_type: \"nvidia-22*\" is not a valid type name*" },
		{ "invalid-record-range-prerelease-only.json", false,
		  "$.version_range.include_prerelease: needs a bound*" },
		{ "invalid-inventory-negative-available.json", true,
		  "$.parents[0].types[0].available_instances: expected an integer >= 0" },
		{ "invalid-inventory-duplicate-uuid.json", true,
		  "$.devices[1].uuid: UUID already listed at $.devices[0]" },
		{ "invalid-inventory-bad-state.json", true,
		  "$.devices[0].state: expected \"free\", \"in_use\" or \"defined\"" },
		{ "invalid-inventory-unknown-member-type.json", true,
		  "$.parents[0].types[0].numa: unknown member" },
		{ "invalid-inventory-default-not-allowed.json", true,
		  "$.parents[0].types[0].params.frl.default: not among the allowed values" },
	};
	for (size_t i = 0; i < ELEMENTSOF(fx); i++) {
		size_t len = 0;
		_cleanup_free_ char *text = read_fixture(fx[i].file, &len);
		if (!text) {
			ok(false, "fixture %s readable (set MDEVCTL_SRCDIR)", fx[i].file);
			continue;
		}
		struct compat_record *rec = NULL;
		struct compat_inventory *inv = NULL;
		err_clear();
		int r = fx[i].inventory ? compat_inventory_parse(text, len, &inv)
					: compat_record_parse(text, len, &rec);
		bool m;
		if (!fx[i].err)
			m = r == 0;
		else if (fx[i].err[0] == '*')
			m = r == -EINVAL && err_get(0) && strstr(err_get(0), "at line 2 column");
		else
			m = r == -EINVAL && err_matches(fx[i].err);
		ok(m, "fixture %s: %s", fx[i].file, r < 0 ? err_get(0) : "accepted");
		if (!fx[i].err && fx[i].inventory)
			round_trip("the section-4 example", text, true);
		if (rec) {
			ok(rec->n_patterns == 2 &&
				   streq(rec->patterns[1].d.device_api, "vfio-pci") &&
				   rec->n_attr_defaults == 1 &&
				   rec->self.migration_flags == COMPAT_MIG_STOP_COPY &&
				   rec->patterns[1].vars.n == 1 && rec->patterns[1].cost.tmpl,
			   "the section-2 example as expected");
		}
		compat_record_free(rec);
		compat_inventory_free(inv);
	}
	err_clear();
}

int main(void)
{
	test_record_cases();
	test_limits();
	test_record_content();
	test_inventory_cases();
	test_inventory_limits();
	test_inventory_round_trip();
	test_inventory_host_tree();
	test_fixtures();
	return tap_done();
}
