// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the Placement traits: the naming rule, then the traits of records and
 * inventories parsed from JSON (COMPAT.md's section-2 record and section-4 inventory, the
 * intersection over patterns, eq-pinned and default version ranges on both sides, skipped
 * bindings, long names) and the exact bytes `compat traits` prints. Vendor-field digests were
 * computed outside this program, e.g. printf '%s' '{"gvt_gen":"KBL-GT2"}' | sha256sum. JSON in
 * the tests is written with ' for " (converted before parsing) to stay readable. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat-nova.h"
#include "compat-record.h"
#include "compat-traits.h"
#include "error.h"
#include "sha256.h"
#include "tap.h"
#include "util.h"

#define VF_NONE	   "CUSTOM_MDEVC_VF_44136FA355B3678A" /* {} */
#define VF_KBL_GT2 "CUSTOM_MDEVC_VF_400E8F026BB720E9" /* {"gvt_gen":"KBL-GT2"} */

static char *q(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static struct compat_record *record(const char *json)
{
	_cleanup_free_ char *text = q(json);
	struct compat_record *r = NULL;
	if (compat_record_parse(text, strlen(text), &r) < 0)
		printf("# record refused: %s\n", err_get(0));
	return r;
}

static struct compat_inventory *inventory(const char *json)
{
	_cleanup_free_ char *text = q(json);
	struct compat_inventory *inv = NULL;
	if (compat_inventory_parse(text, strlen(text), &inv) < 0)
		printf("# inventory refused: %s\n", err_get(0));
	return inv;
}

/* The lines `compat traits --from` prints for a record, or "(error)". */
static char *record_lines(const char *json)
{
	_cleanup_compat_record_ struct compat_record *r = record(json);
	struct strv req = { 0 }, any = { 0 };
	struct strbuf sb = { 0 };

	if (!r || compat_record_traits(r, &req, &any) < 0)
		return xstrdup("(error)");
	compat_traits_format_record(&req, &any, &sb);
	strv_free(&req);
	strv_free(&any);
	sb_puts(&sb, ""); /* "" rather than NULL when nothing was printed */
	return sb_steal(&sb);
}

/* The lines `compat traits --inventory` prints, or "(error)". */
static char *inventory_lines(const char *json)
{
	_cleanup_compat_inventory_ struct compat_inventory *inv = inventory(json);
	struct strv all = { 0 };
	struct strbuf sb = { 0 };

	if (!inv || compat_inventory_traits(inv, &all) < 0)
		return xstrdup("(error)");
	compat_traits_format_list(&all, &sb);
	strv_free(&all);
	sb_puts(&sb, "");
	return sb_steal(&sb);
}

static bool has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (streq(sv->v[i], s))
			return true;
	return false;
}

static bool sorted_unique(const struct strv *sv)
{
	for (size_t i = 1; i < sv->n; i++)
		if (strcmp(sv->v[i - 1], sv->v[i]) >= 0)
			return false;
	return true;
}

/* Would a scheduler keep this inventory for this record: every required trait offered, and one
 * of the any-of group when there is one? 1 kept, 0 filtered out, -1 when something failed (so
 * that a typo in a test's JSON cannot pass for "filtered out"). */
static int prefilter_keeps(const char *record_json, const char *inventory_json)
{
	_cleanup_compat_record_ struct compat_record *r = record(record_json);
	_cleanup_compat_inventory_ struct compat_inventory *inv = inventory(inventory_json);
	struct strv req = { 0 }, any = { 0 }, offered = { 0 };
	int keep = -1;

	if (r && inv && compat_record_traits(r, &req, &any) == 0 &&
	    compat_inventory_traits(inv, &offered) == 0) {
		keep = 1;
		for (size_t i = 0; i < req.n; i++)
			keep = keep && has(&offered, req.v[i]);
		if (any.n) {
			bool one = false;
			for (size_t i = 0; i < any.n; i++)
				one = one || has(&offered, any.v[i]);
			keep = keep && one;
		}
	}
	strv_free(&req);
	strv_free(&any);
	strv_free(&offered);
	return keep;
}

static void test_naming(void)
{
	static const struct {
		const char *suffix;
		const char *want;
	} cases[] = {
		{ "API_vfio-pci", "CUSTOM_MDEVC_API_VFIO_PCI" },
		{ "DRV_i915", "CUSTOM_MDEVC_DRV_I915" },
		{ "T_i915-GVTg_V5_4", "CUSTOM_MDEVC_T_I915_GVTG_V5_4" },
		{ "F_pv_ppgtt", "CUSTOM_MDEVC_F_PV_PPGTT" },
		{ "DRV_nvidia_V550_90", "CUSTOM_MDEVC_DRV_NVIDIA_V550_90" },
		{ "DRVEQ_i915_1.1.0", "CUSTOM_MDEVC_DRVEQ_I915_1_1_0" },
		{ "a--..--b", "CUSTOM_MDEVC_A_B" },
		{ "-x-", "CUSTOM_MDEVC__X_" },
		{ "caf\xc3\xa9", "CUSTOM_MDEVC_CAF_" },
		{ "", "CUSTOM_MDEVC_" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *t = compat_trait(cases[i].suffix);
		is_str(t, cases[i].want, "trait of '%s'", cases[i].suffix);
		free(t);
	}

	/* At the limit: 255 characters stay as they are; one more is shortened with a digest. */
	char suffix[400];
	memset(suffix, 'a', sizeof(suffix));
	suffix[255 - 13] = '\0';
	char *t = compat_trait(suffix);
	ok(strlen(t) == 255 && t[254] == 'A', "255 characters are kept");
	free(t);
	suffix[255 - 13] = 'a';
	suffix[256 - 13] = '\0';
	t = compat_trait(suffix);
	char hex[65];
	sha256_hex(suffix, strlen(suffix), hex);
	for (char *h = hex; *h; h++)
		*h = (char)(*h >= 'a' && *h <= 'f' ? *h - 'a' + 'A' : *h);
	ok(strlen(t) == 255 && t[238] == '_' && strncmp(t + 239, hex, 16) == 0 &&
		   strncmp(t, "CUSTOM_MDEVC_AAAA", 17) == 0,
	   "256 characters: 238, '_' and 16 hex digits of the raw suffix's SHA-256");
	char *t2 = compat_trait("x");
	ok(strcmp(t, t2) != 0, "shortened names stay distinct");
	free(t);
	free(t2);
	/* Two long suffixes that normalise alike still differ by their digest. */
	suffix[256 - 13] = 'a';
	suffix[300] = '\0';
	suffix[10] = '-';
	char *x = compat_trait(suffix);
	suffix[10] = '.';
	char *y = compat_trait(suffix);
	ok(strcmp(x, y) != 0, "long names differing only in punctuation differ");
	free(x);
	free(y);
}

/* COMPAT.md section 2, as written there. */
static const char section2[] =
	"{'schema': 'mdev-compat/1',"
	" 'self': {"
	"  'kind': 'mdev', 'device_api': 'vfio-pci',"
	"  'driver': {'name': 'i915', 'version': '1.1.0', 'version_scheme': 'semver'},"
	"  'mdev_type': 'i915-GVTg_V5_2', 'uuid': '83b8f4f2-509f-382f-3c1e-e6bfe0fa1001',"
	"  'parent': '0000:00:02.0',"
	"  'pci': {'vendor': '0x8086', 'device': '0x591d', 'subsystem_vendor': '0x8086',"
	"          'subsystem_device': '0x2212'},"
	"  'mdev_attrs': [{'aggregator': '1'}],"
	"  'features': ['pv_ppgtt', 'pv_context'],"
	"  'params': {},"
	"  'vendor_fields': {'gvt_gen': 'KBL-GT2'},"
	"  'migration_flags': ['STOP_COPY']},"
	" 'attr_defaults': {'aggregator': '1'},"
	" 'compatible': ["
	"  {'vars': [{'name': 'n', 'type': 'int', 'values': [1, 2, 4, 8]}],"
	"   'mdev_type': 'i915-GVTg_V5_${n}', 'mdev_attrs': [{'aggregator': '${n/2}'}],"
	"   'cost': '${n/2}'}]}";

/* COMPAT.md section 4, with a real UUID for its device. */
static const char section4[] =
	"{'schema': 'mdev-inventory/1', 'host': 'dst1',"
	" 'parents': [{'parent': '0000:00:02.0', 'types': ["
	"  {'mdev_type': 'i915-GVTg_V5_4', 'device_api': 'vfio-pci', 'available_instances': 2,"
	"   'name': 'GVTg_V5_4', 'driver': {'name': 'i915', 'version': '1.1.0'},"
	"   'pci': {'vendor': '0x8086', 'device': '0x591d'}, 'features': ['pv_ppgtt', 'pv_context'],"
	"   'params': {'ecc': {'type': 'bool', 'default': true, 'off': false, 'attr': 'ecc_enable'}},"
	"   'vendor_fields': {'gvt_gen': 'KBL-GT2'},"
	"   'settable_attrs': {'aggregator': {'type': 'int', 'range': {'min': 1, 'max': 8}}},"
	"   'migration_flags': ['STOP_COPY'], 'accepts': {'driver_version': {'min': '1.0.0'}}}]}],"
	" 'devices': [{'uuid': '5cf14a12-a437-4c82-a13f-70e945782d7b', 'parent': '0000:00:02.0',"
	"   'mdev_type': 'i915-GVTg_V5_2', 'attrs': [{'aggregator': '1'}], 'state': 'free'}]}";

static void test_spec_examples(void)
{
	_cleanup_free_ char *rec = record_lines(section2);
	/* n=1 is skipped: ${n/2} does not divide (BINDING_INVALID:n/2=1/2), so no V5_1. */
	is_str(rec,
	       "CUSTOM_MDEVC_API_VFIO_PCI\n"
	       "CUSTOM_MDEVC_DRV_I915\n"
	       "CUSTOM_MDEVC_DRV_I915_V1_1\n"
	       "CUSTOM_MDEVC_F_PV_CONTEXT\n"
	       "CUSTOM_MDEVC_F_PV_PPGTT\n" VF_KBL_GT2 "\n"
	       "in:CUSTOM_MDEVC_T_I915_GVTG_V5_2,CUSTOM_MDEVC_T_I915_GVTG_V5_4,"
	       "CUSTOM_MDEVC_T_I915_GVTG_V5_8\n",
	       "section-2 record: its required traits and the any-of group, byte for byte");

	_cleanup_free_ char *inv = inventory_lines(section4);
	/* 1.1.0 reads as semver 1.1.0, dotted 1.1 and opaque 1.1.0. */
	is_str(inv,
	       "CUSTOM_MDEVC_API_VFIO_PCI\n"
	       "CUSTOM_MDEVC_DRVEQ_I915_1_1\n"
	       "CUSTOM_MDEVC_DRVEQ_I915_1_1_0\n"
	       "CUSTOM_MDEVC_DRV_I915\n"
	       "CUSTOM_MDEVC_DRV_I915_V1_0\n"
	       "CUSTOM_MDEVC_DRV_I915_V1_1\n"
	       "CUSTOM_MDEVC_F_PV_CONTEXT\n"
	       "CUSTOM_MDEVC_F_PV_PPGTT\n"
	       "CUSTOM_MDEVC_T_I915_GVTG_V5_4\n" VF_KBL_GT2 "\n",
	       "section-4 inventory: what its one type offers, byte for byte");
	ok(prefilter_keeps(section2, section4) == 1,
	   "the section-4 host, which `check` accepts for the section-2 record, is kept");

	/* The same record as structures: outputs sorted and unique. */
	_cleanup_compat_record_ struct compat_record *r = record(section2);
	struct strv req = { 0 }, any = { 0 };
	ok(r && compat_record_traits(r, &req, &any) == 0 && req.n == 6 && any.n == 3 &&
		   sorted_unique(&req) && sorted_unique(&any),
	   "compat_record_traits: 6 required and 3 any-of, sorted and unique");
	strv_free(&req);
	strv_free(&any);
}

/* A record whose self is "t" with the given extra self members and top-level members. */
#define SELF(s)	  "'kind':'mdev','mdev_type':'t'" s
#define R(s, top) "{'schema':'mdev-compat/1','self':{" SELF(s) "}" top "}"
/* An inventory type, and an inventory whose one parent p has the given types. */
#define TYPE_AS(type, api, extra) \
	"{'mdev_type':'" type "','device_api':'" api "','available_instances':1" extra "}"
#define TYPE(extra) TYPE_AS("t", "vfio-pci", extra)
#define INV(types)  "{'schema':'mdev-inventory/1','parents':[{'parent':'p','types':[" types "]}]}"
/* Two parents, p and q. */
#define INV_PQ(p_types, q_types)                                                        \
	"{'schema':'mdev-inventory/1','parents':[{'parent':'p','types':[" p_types "]}," \
	"{'parent':'q','types':[" q_types "]}]}"

/* Self members that every pattern inherits unless it says otherwise. */
#define I915                                                 \
	",'device_api':'vfio-pci','driver':{'name':'i915'}," \
	"'features':['a','b'],'vendor_fields':{'k':'v'}"

static void test_intersection(void)
{
	static const struct {
		const char *json;
		const char *want;
		const char *what;
	} cases[] = {
		{ R("", ""), VF_NONE "\nCUSTOM_MDEVC_T_T\n",
		  "no constraint but the type: the empty vendor fields' hash and T_, plain" },
		{ R("", ",'compatible':[{'mdev_type':'t'}]"), VF_NONE "\nCUSTOM_MDEVC_T_T\n",
		  "the same type twice counts once" },
		{ R("", ",'compatible':[{'mdev_type':'a-b'},{'mdev_type':'a.b'}]"),
		  VF_NONE "\nin:CUSTOM_MDEVC_T_A_B,CUSTOM_MDEVC_T_T\n",
		  "types that name one trait count once" },
		{ R(",'device_api':'vfio-pci','driver':{'name':'i915'},'features':['b','a']", ""),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\n"
		  "CUSTOM_MDEVC_F_B\n" VF_NONE "\nCUSTOM_MDEVC_T_T\n",
		  "API_, DRV_ and one F_ per feature, sorted" },
		{ R(",'vendor_fields':{'b':'2','a':'1'}", ""),
		  "CUSTOM_MDEVC_VF_21F76DFBFE6DFE21\nCUSTOM_MDEVC_T_T\n",
		  "vendor fields hashed with sorted keys: {\"a\":\"1\",\"b\":\"2\"}" },
		{ R(",'vendor_fields':{'k':'caf\xc3\xa9 \\'q\\' a/b\\n'}", ""),
		  "CUSTOM_MDEVC_VF_EBA18137FE9522B1\nCUSTOM_MDEVC_T_T\n",
		  "vendor fields: UTF-8 as is, only quote and newline escaped, '/' not" },
		{ R(I915, ",'compatible':[{'mdev_type':'u','features':['a','c']}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\n"
		  "CUSTOM_MDEVC_VF_666C1AA02E8068C6\nin:CUSTOM_MDEVC_T_T,CUSTOM_MDEVC_T_U\n",
		  "features: only those every pattern requires" },
		{ R(I915, ",'compatible':[{'mdev_type':'u','driver':{'name':'xe'}}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_F_A\nCUSTOM_MDEVC_F_B\n"
		  "CUSTOM_MDEVC_VF_666C1AA02E8068C6\nin:CUSTOM_MDEVC_T_T,CUSTOM_MDEVC_T_U\n",
		  "another driver: no DRV_ trait" },
		{ R(I915, ",'compatible':[{'device_api':'vfio-ccw','vendor_fields':{}}]"),
		  "CUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\nCUSTOM_MDEVC_F_B\nCUSTOM_MDEVC_T_T\n",
		  "another device_api and other vendor fields: neither API_ nor VF_" },
		{ R(I915, ",'compatible':[{'features':[]}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\n"
		  "CUSTOM_MDEVC_VF_666C1AA02E8068C6\nCUSTOM_MDEVC_T_T\n",
		  "a pattern with no features: no F_ trait" },
		/* self_is_candidate false: only the patterns count. */
		{ R(I915,
		    ",'self_is_candidate':false,'compatible':[{'mdev_type':'u','features':['c']}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_C\n"
		  "CUSTOM_MDEVC_VF_666C1AA02E8068C6\nCUSTOM_MDEVC_T_U\n",
		  "self_is_candidate false: self's type and features are not required" },
		{ R(I915, ",'self_is_candidate':false"), "",
		  "self_is_candidate false and no pattern: nothing can match, nothing is required" },
		/* Bindings that do not expand. */
		{ R(I915, ",'compatible':[{'vars':[{'name':'n','type':'int','values':[1,3]}],"
			  "'mdev_type':'u${n/2}','features':[]}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\n"
		  "CUSTOM_MDEVC_F_B\nCUSTOM_MDEVC_VF_666C1AA02E8068C6\nCUSTOM_MDEVC_T_T\n",
		  "a pattern whose every binding fails to expand takes no part" },
		{ R(I915, ",'compatible':[{'vars':[{'name':'n','type':'int','values':[1,2,3]}],"
			  "'mdev_type':'u${n}','cost':'${n/2}'}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\n"
		  "CUSTOM_MDEVC_F_B\nCUSTOM_MDEVC_VF_666C1AA02E8068C6\n"
		  "in:CUSTOM_MDEVC_T_T,CUSTOM_MDEVC_T_U2\n",
		  "a binding whose cost does not expand is skipped (u1, u3)" },
		{ R(I915, ",'compatible':[{'vars':[{'name':'n','type':'int','values':[2,3]}],"
			  "'mdev_type':'u${n}','params':{'p':'${n/2}'}}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_A\n"
		  "CUSTOM_MDEVC_F_B\nCUSTOM_MDEVC_VF_666C1AA02E8068C6\n"
		  "in:CUSTOM_MDEVC_T_T,CUSTOM_MDEVC_T_U2\n",
		  "a binding whose param does not expand is skipped (u3)" },
		{ R(I915, ",'self_is_candidate':false,'compatible':[{'vars':[{'name':'m','type':"
			  "'enum','values':['x','y']}],'mdev_type':'v-${m}','features':['${m}']}]"),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRV_I915\nCUSTOM_MDEVC_F_M_\n"
		  "CUSTOM_MDEVC_VF_666C1AA02E8068C6\nin:CUSTOM_MDEVC_T_V_X,CUSTOM_MDEVC_T_V_Y\n",
		  "an enum variable; features are literal, not templates" },
		{ R("", ",'self_is_candidate':false,'compatible':[{'vars':[{'name':'n','type':"
			"'int','values':[1]}],'mdev_type':'u','mdev_attrs':[{'a':'${n/2}'}]}]"),
		  "", "no binding survives anywhere: nothing required, no any-of group" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = record_lines(cases[i].json);
		is_str(got, cases[i].want, "record %zu: %s", i, cases[i].what);
	}
}

static void test_versions(void)
{
	static const struct {
		const char *json;
		const char *want; /* the version traits only */
		const char *what;
	} cases[] = {
		{ R(",'driver':{'name':'i915','version':'1.2.9'}", ""),
		  "CUSTOM_MDEVC_DRV_I915_V1_2", "default semver range: V<major>_<minor>" },
		{ R(",'driver':{'name':'i915','version':'1.2.9-rc.1+b5'}", ""),
		  "CUSTOM_MDEVC_DRV_I915_V1_2", "a pre-release source: still its major and minor" },
		{ R(",'driver':{'version':'1.2.9'}", ""), "", "no driver name: no version trait" },
		{ R(",'driver':{'name':'i915'}", ",'version_range':{'eq':'1.2.3'}"), "",
		  "no source version: no version rule, no version trait" },
		{ R(",'driver':{'name':'i915','version':'1.99.0'}", ""),
		  "CUSTOM_MDEVC_DRV_I915_V1_99", "minor 99: the last with a trait" },
		{ R(",'driver':{'name':'i915','version':'1.100.0'}", ""), "",
		  "minor 100: beyond the bound, no trait" },
		{ R(",'driver':{'name':'nv','version':'550.90.07','version_scheme':'dotted'}", ""),
		  "", "default dotted range: no trait" },
		{ R(",'driver':{'name':'nv','version':'r550','version_scheme':'opaque'}", ""), "",
		  "default opaque range: no trait" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'min':'1.0.0'}"),
		  "", "a min/max range: no trait" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'any_of':['1.2.3']}"),
		  "", "an any_of range: no trait" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'eq':'1.2.3+build.7'}"),
		  "CUSTOM_MDEVC_DRVEQ_I915_1_2_3", "semver eq: build metadata dropped" },
		{ R(",'driver':{'name':'i915','version':'1.0.0'}", ",'version_range':{'eq':'1.0'}"),
		  "CUSTOM_MDEVC_DRVEQ_I915_1_0_0", "semver eq 1.0 is 1.0.0" },
		{ R(",'driver':{'name':'i915','version':'2.0.0'}",
		    ",'version_range':{'eq':'2.0.0-rc.1+b'}"),
		  "CUSTOM_MDEVC_DRVEQ_I915_2_0_0_RC_1", "semver eq: the pre-release stays" },
		{ R(",'driver':{'name':'nv','version':'550.90.07','version_scheme':'dotted'}",
		    ",'version_range':{'eq':'550.090.07'}"),
		  "CUSTOM_MDEVC_DRVEQ_NV_550_90_7", "dotted eq: leading zeros dropped" },
		{ R(",'driver':{'name':'nv','version':'550.90','version_scheme':'dotted'}",
		    ",'version_range':{'eq':'550.90.0.0'}"),
		  "CUSTOM_MDEVC_DRVEQ_NV_550_90", "dotted eq: trailing zero components dropped" },
		{ R(",'driver':{'name':'nv','version':'0.0','version_scheme':'dotted'}",
		    ",'version_range':{'eq':'00.0'}"),
		  "CUSTOM_MDEVC_DRVEQ_NV_0", "dotted eq: all zeros is 0" },
		{ R(",'driver':{'name':'nv','version':'R550 b','version_scheme':'opaque'}",
		    ",'version_range':{'eq':'R550 b'}"),
		  "CUSTOM_MDEVC_DRVEQ_NV_R550_B", "opaque eq: as written" },
		/* Patterns pinning the same eq keep it; differing ones drop it. */
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'eq':'1.2.3'},'compatible':[{'mdev_type':'u'}]"),
		  "CUSTOM_MDEVC_DRVEQ_I915_1_2_3", "every pattern inherits the record's eq" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'compatible':[{'mdev_type':'u','version_range':{'eq':'1.2.3'}}]"),
		  "", "self on the default range, a pattern on eq: neither trait" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'eq':'1.2.3'},'compatible':"
		    "[{'mdev_type':'u','version_range':{'eq':'1.2.3+x'}}]"),
		  "CUSTOM_MDEVC_DRVEQ_I915_1_2_3", "eq 1.2.3 and eq 1.2.3+x are one trait" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'compatible':[{'mdev_type':'u','driver':{'version':'1.2.7'}}]"),
		  "CUSTOM_MDEVC_DRV_I915_V1_2", "default ranges of 1.2.3 and 1.2.7: V1_2 both" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'compatible':[{'mdev_type':'u','driver':{'version':'1.3.0'}}]"),
		  "", "default ranges of 1.2 and 1.3: different traits, neither required" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_compat_record_ struct compat_record *r = record(cases[i].json);
		struct strv req = { 0 }, any = { 0 };
		struct strbuf got = { 0 };
		if (r && compat_record_traits(r, &req, &any) == 0)
			for (size_t k = 0; k < req.n; k++)
				if (startswith(req.v[k], "CUSTOM_MDEVC_DRV_I915_V") ||
				    startswith(req.v[k], "CUSTOM_MDEVC_DRVEQ_"))
					sb_printf(&got, "%s%s", got.len ? " " : "", req.v[k]);
		sb_puts(&got, "");
		is_str(got.buf, cases[i].want, "version %zu: %s", i, cases[i].what);
		sb_free(&got);
		strv_free(&req);
		strv_free(&any);
	}
}

static void test_inventory(void)
{
	static const struct {
		const char *json;
		const char *want;
		const char *what;
	} cases[] = {
		{ INV(TYPE("")), "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_T_T\n" VF_NONE "\n",
		  "a bare type: API_, T_ and the empty vendor fields' hash" },
		{ INV(TYPE(",'driver':{'name':'nv','version':'550.090.07'}")),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRVEQ_NV_550_090_07\n"
		  "CUSTOM_MDEVC_DRVEQ_NV_550_90_7\nCUSTOM_MDEVC_DRV_NV\nCUSTOM_MDEVC_T_T\n" VF_NONE
		  "\n",
		  "a dotted version: dotted and opaque readings, no semver one, no V" },
		{ INV(TYPE(",'driver':{'name':'i915','version':'2.1.0-rc.1+b'}")),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_DRVEQ_I915_2_1_0_RC_1\n"
		  "CUSTOM_MDEVC_DRVEQ_I915_2_1_0_RC_1_B\nCUSTOM_MDEVC_DRV_I915\n"
		  "CUSTOM_MDEVC_DRV_I915_V2_0\nCUSTOM_MDEVC_DRV_I915_V2_1\nCUSTOM_MDEVC_T_T\n" VF_NONE
		  "\n",
		  "a semver pre-release: V per minor, semver and opaque readings" },
		{ INV(TYPE(",'driver':{'version':'1.0.0'}")),
		  "CUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_T_T\n" VF_NONE "\n",
		  "a version without a driver name: no version trait" },
		{ INV(TYPE(",'driver':{'name':'d'},'features':['b','a'],'vendor_fields':{'b':'2',"
			   "'a':'1'}") "," TYPE_AS("u", "vfio-pci", ",'features':['a']")),
		  NULL, "types of one parent" },
		{ INV_PQ(TYPE(""), TYPE_AS("t", "vfio-ccw", "")),
		  "CUSTOM_MDEVC_API_VFIO_CCW\nCUSTOM_MDEVC_API_VFIO_PCI\nCUSTOM_MDEVC_T_T\n" VF_NONE
		  "\n",
		  "the union over parents, each trait once" },
		{ "{'schema':'mdev-inventory/1'}", "", "no parents: no traits" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		if (!cases[i].want)
			continue;
		_cleanup_free_ char *got = inventory_lines(cases[i].json);
		is_str(got, cases[i].want, "inventory %zu: %s", i, cases[i].what);
	}
	/* A type's own list is appended unsorted; the union is sorted and unique. */
	_cleanup_compat_inventory_ struct compat_inventory *inv = inventory(cases[4].json);
	struct strv one = { 0 }, all = { 0 };
	strv_push(&one, xstrdup("kept"));
	ok(inv && compat_inv_type_traits(&inv->parents[0].types[0], &one) == 0 && one.n == 7 &&
		   streq(one.v[0], "kept") && has(&one, "CUSTOM_MDEVC_VF_21F76DFBFE6DFE21") &&
		   has(&one, "CUSTOM_MDEVC_F_A") && has(&one, "CUSTOM_MDEVC_F_B") &&
		   has(&one, "CUSTOM_MDEVC_DRV_D"),
	   "compat_inv_type_traits appends to what the list holds");
	ok(inv && compat_inventory_traits(inv, &all) == 0 && all.n == 8 && sorted_unique(&all) &&
		   has(&all, "CUSTOM_MDEVC_T_U") && has(&all, VF_NONE),
	   "compat_inventory_traits: the union of two types, sorted and unique");
	strv_free(&one);
	strv_free(&all);

	/* The minor bound: 0..99 offered whatever the minor above it. */
	inv = compat_inventory_free(inv);
	inv = inventory(INV(TYPE(",'driver':{'name':'i915','version':'1.500.0'}")));
	ok(inv && compat_inventory_traits(inv, &all) == 0 &&
		   has(&all, "CUSTOM_MDEVC_DRV_I915_V1_0") &&
		   has(&all, "CUSTOM_MDEVC_DRV_I915_V1_99") &&
		   !has(&all, "CUSTOM_MDEVC_DRV_I915_V1_100") && all.n == 4 + 100 + 2,
	   "minor 500: V1_0 to V1_99 offered, nothing above");
	strv_free(&all);
	/* A huge minor costs nothing (no loop up to it). */
	inv = compat_inventory_free(inv);
	inv = inventory(INV(TYPE(",'driver':{'name':'i915','version':'1.9223372036854775807.0'}")));
	ok(inv && compat_inventory_traits(inv, &all) == 0 && all.n == 4 + 100 + 2,
	   "minor 2^63-1: the same 100 V traits");
	strv_free(&all);
}

/* Record and host side by side: the hosts the matcher accepts carry the required traits, and
 * the version traits separate the hosts its version rules separate. */
static void test_pairs(void)
{
	static const struct {
		const char *record;
		const char *inventory;
		bool keep;
		const char *what;
	} cases[] = {
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(",'driver':{'name':'i915','version':'1.5.0'}")), true,
		  "source 1.2.4, destination 1.5.0: V1_2 offered" },
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(",'driver':{'name':'i915','version':'1.2.0'}")), true,
		  "source 1.2.4, destination 1.2.0: V1_2 offered (the range is >= 1.2.0)" },
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(",'driver':{'name':'i915','version':'1.1.0'}")), false,
		  "source 1.2.4, destination 1.1.0: V1_2 not offered" },
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(",'driver':{'name':'i915','version':'2.5.0'}")), false,
		  "source 1.2.4, destination 2.5.0: another major" },
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(",'driver':{'name':'i915'}")), false,
		  "a destination that does not know its version" },
		{ R(",'driver':{'name':'i915','version':'1.2.4'}", ""),
		  INV(TYPE(
			  ",'driver':{'name':'i915','version':'1.2.4','version_scheme':'dotted'}")),
		  true, "the destination's own scheme does not matter" },
		{ R(",'driver':{'name':'nv','version':'550.90.07','version_scheme':'dotted'}",
		    ",'version_range':{'eq':'550.90.07'}"),
		  INV(TYPE(",'driver':{'name':'nv','version':'550.090.7.0'}")), true,
		  "dotted eq 550.90.07 and a destination at 550.090.7.0" },
		{ R(",'driver':{'name':'nv','version':'550.90.07','version_scheme':'dotted'}",
		    ",'version_range':{'eq':'550.90.07'}"),
		  INV(TYPE(",'driver':{'name':'nv','version':'550.90.8'}")), false,
		  "dotted eq 550.90.07 and a destination at 550.90.8" },
		{ R(",'driver':{'name':'i915','version':'1.2.3'}",
		    ",'version_range':{'eq':'1.2.3+a'}"),
		  INV(TYPE(",'driver':{'name':'i915','version':'1.2.3+b'}")), true,
		  "semver eq: build metadata on both sides ignored" },
		{ R(",'driver':{'name':'nv','version':'R550 b','version_scheme':'opaque'}",
		    ",'version_range':{'eq':'R550 b'}"),
		  INV(TYPE(",'driver':{'name':'nv','version':'R550 b'}")), true,
		  "opaque eq: the raw text offered" },
		{ R(",'vendor_fields':{'b':'2','a':'1'}", ""),
		  INV(TYPE(",'vendor_fields':{'a':'1','b':'2'}")), true,
		  "vendor fields in another order" },
		{ R(",'vendor_fields':{'a':'1'}", ""),
		  INV(TYPE(",'vendor_fields':{'a':'1','b':'2'}")), false,
		  "an extra vendor field on the destination" },
		{ R(",'vendor_fields':{'a':'1'}",
		    ",'compatible':[{'mdev_type':'u','vendor_fields':{}}]"),
		  INV(TYPE_AS("u", "vfio-pci", "")), true,
		  "a pattern without vendor fields and a destination without any" },
		{ R(",'features':['a']", ""), INV(TYPE(",'features':['b','a']")), true,
		  "features: a superset offered" },
		{ R(",'features':['a','c']", ""), INV(TYPE(",'features':['b','a']")), false,
		  "features: one missing" },
		{ section2,
		  INV(TYPE_AS(
			  "i915-GVTg_V5_1", "vfio-pci",
			  ",'driver':{'name':'i915','version':'1.1.0'},"
			  "'features':['pv_ppgtt','pv_context'],'vendor_fields':{'gvt_gen':'KBL-GT2'}")),
		  false, "section 2 and a host with only V5_1, which no valid binding produces" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		ok(prefilter_keeps(cases[i].record, cases[i].inventory) == (cases[i].keep ? 1 : 0),
		   "pair %zu: %s: %s", i, cases[i].what, cases[i].keep ? "kept" : "filtered out");
}

static void test_long_names(void)
{
	char feature[251];
	memset(feature, 'x', 250);
	feature[250] = '\0';
	feature[7] = '-';
	_cleanup_free_ char *rec = xasprintf(R(",'features':['%s']", ""), feature);
	_cleanup_free_ char *inv = xasprintf(INV(TYPE(",'features':['%s']")), feature);
	_cleanup_free_ char *suffix = xasprintf("F_%s", feature);
	_cleanup_free_ char *want = compat_trait(suffix);
	_cleanup_compat_record_ struct compat_record *r = record(rec);
	struct strv req = { 0 }, any = { 0 };

	ok(strlen(want) == 255 && want[238] == '_', "a 252-character suffix is shortened to 255");
	ok(r && compat_record_traits(r, &req, &any) == 0 && has(&req, want),
	   "the record requires the shortened F_ trait");
	ok(prefilter_keeps(rec, inv) == 1, "and the destination with that feature offers it");
	strv_free(&req);
	strv_free(&any);
	/* Two features alike but for punctuation: one trait each. */
	feature[7] = '.';
	_cleanup_free_ char *inv2 = xasprintf(INV(TYPE(",'features':['%s']")), feature);
	ok(prefilter_keeps(rec, inv2) == 0,
	   "a long feature differing only in punctuation is not it");
}

static void test_format(void)
{
	struct strv req = { 0 }, any = { 0 };
	struct strbuf sb = { 0 };

	compat_traits_format_record(&req, &any, &sb);
	ok(sb.len == 0, "nothing required: nothing printed");
	strv_push(&any, xstrdup("CUSTOM_MDEVC_T_A"));
	compat_traits_format_record(&req, &any, &sb);
	is_str(sb.buf, "CUSTOM_MDEVC_T_A\n", "one type: a plain line");
	sb_free(&sb);
	strv_push(&req, xstrdup("CUSTOM_MDEVC_API_X"));
	strv_push(&req, xstrdup("CUSTOM_MDEVC_F_Y"));
	strv_push(&any, xstrdup("CUSTOM_MDEVC_T_B"));
	sb_puts(&sb, "before\n");
	compat_traits_format_record(&req, &any, &sb);
	is_str(sb.buf,
	       "before\nCUSTOM_MDEVC_API_X\nCUSTOM_MDEVC_F_Y\nin:CUSTOM_MDEVC_T_A,CUSTOM_MDEVC_T_B\n",
	       "appended: required lines, then in: with the types joined by ','");
	sb_free(&sb);
	compat_traits_format_list(&req, &sb);
	is_str(sb.buf, "CUSTOM_MDEVC_API_X\nCUSTOM_MDEVC_F_Y\n", "a list: one per line");
	sb_free(&sb);
	strv_free(&req);
	compat_traits_format_list(&req, &sb);
	ok(sb.len == 0, "an empty list: nothing printed");
	strv_free(&any);
}

/* Traits per resource provider: per parent and type, per parent, and Nova's provider config. */
static void test_providers(void)
{
	static const struct {
		const char *node, *parent, *want;
	} names[] = {
		{ "cmp1", "0000:00:02.0", "cmp1_pci_0000_00_02_0" },
		{ "cmp1.example.org", "0000:AF:00.1", "cmp1.example.org_pci_0000_AF_00_1" },
		{ "n", "matrix", "n_matrix" },
		{ "n", "0.0.0023", "n_0_0_0023" },
		{ "n", "0000:00:02.0x", "n_0000_00_02_0x" },
		{ "n", "caf\xc3\xa9", "n_caf__" },
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		_cleanup_free_ char *got =
			compat_nova_provider_name(names[i].node, names[i].parent);
		is_str(got, names[i].want, "provider name of %s", names[i].want);
	}

	_cleanup_(compat_inventory_freep) struct compat_inventory *inv = inventory(
		"{'schema':'mdev-inventory/1','host':'h','parents':["
		"{'parent':'0000:00:02.0','types':["
		"{'mdev_type':'a-1','device_api':'vfio-pci','available_instances':1},"
		"{'mdev_type':'a-2','device_api':'vfio-pci','available_instances':1,'features':['f']}]},"
		"{'parent':'empty','types':[]}]}");
	struct strbuf sb = { 0 };
	ok(inv && compat_traits_format_per_parent(inv, &sb) == 0, "per parent: formatted");
	is_str(sb.buf,
	       "0000:00:02.0 a-1\n  CUSTOM_MDEVC_API_VFIO_PCI\n"
	       "  CUSTOM_MDEVC_T_A_1\n  " VF_NONE "\n"
	       "0000:00:02.0 a-2\n  CUSTOM_MDEVC_API_VFIO_PCI\n"
	       "  CUSTOM_MDEVC_F_F\n  CUSTOM_MDEVC_T_A_2\n  " VF_NONE "\n",
	       "per parent: each type of each parent, traits sorted");
	sb_free(&sb);
	ok(inv && compat_nova_provider_config(inv, "h", &sb) == 0, "nova: formatted");
	is_str(sb.buf,
	       "# Placement traits of mdevctl's migration compatibility for the mdev parents\n"
	       "# of compute node \"h\", from `mdevctl compat traits --format nova-provider-config`.\n"
	       "# Nova reads it from /etc/nova/provider_config/*.yaml.\n"
	       "meta:\n  schema_version: '1.0'\nproviders:\n"
	       "  - identification:\n      name: \"h_pci_0000_00_02_0\"\n"
	       "    traits:\n      additional:\n"
	       "        - CUSTOM_MDEVC_API_VFIO_PCI\n"
	       "        - CUSTOM_MDEVC_F_F\n        - CUSTOM_MDEVC_T_A_1\n"
	       "        - CUSTOM_MDEVC_T_A_2\n        - " VF_NONE "\n",
	       "nova: one provider per parent with types, the union of their traits");
	sb_free(&sb);
	char node[COMPAT_NOVA_NAME_MAX + 1];
	memset(node, 'n', sizeof(node) - 1);
	node[sizeof(node) - 1] = '\0';
	ok(inv && compat_nova_provider_config(inv, node, &sb) == -EINVAL && err_isset(),
	   "nova: a name over 200 characters is an error");
	err_clear();
	sb_free(&sb);
}

static void test_errors(void)
{
	/* Parsed documents are UTF-8; structures built otherwise may not be. */
	struct compat_kv vf = { .name = (char *)"k", .value = (char *)"\xff" };
	struct compat_inv_type t = { .mdev_type = (char *)"t",
				     .device_api = (char *)"vfio-pci",
				     .vendor_fields = &vf,
				     .n_vendor_fields = 1 };
	struct compat_inv_parent p = { .parent = (char *)"p", .types = &t, .n_types = 1 };
	struct compat_inventory inv = { .parents = &p, .n_parents = 1 };
	struct strv out = { 0 }, all = { 0 };

	err_clear();
	strv_push(&out, xstrdup("kept"));
	ok(compat_inv_type_traits(&t, &out) == -EINVAL && out.n == 1 && err_get(0) &&
		   strstr(err_get(0), "\"k\" is not valid UTF-8"),
	   "a vendor field that is not UTF-8: -EINVAL, the list unchanged");
	ok(compat_inventory_traits(&inv, &all) == -EINVAL && all.n == 0 && all.v == NULL,
	   "and the inventory's traits fail, writing nothing");
	strv_free(&out);
	err_clear();
}

/* ---- properties over random inputs ---- */

/* Placement's rule for a custom trait: ^CUSTOM_[A-Z0-9_]+$, at most 255 characters. */
static bool placement_valid(const char *t)
{
	size_t n = strlen(t);
	if (n > COMPAT_TRAIT_MAX_LEN || n <= strlen("CUSTOM_") || strncmp(t, "CUSTOM_", 7) != 0)
		return false;
	return strspn(t + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n - 7;
}

/* A fixed seed, so that a failure reproduces; MDEVCTL_TEST_SEED picks another. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

enum {
	TEXT_SAFE = 1 << 0, /* a path component for mdevctl: no '/', no "..", no control chars */
	TEXT_UTF8 = 1 << 1, /* valid UTF-8, as every string of a JSON document is */
	TEXT_LONG = 1 << 2, /* close to max bytes, mostly letters: a trait that needs its digest */
};

/* Random text of up to max bytes, no NUL: mostly what names are made of (letters of both cases,
 * digits, '-', '_', '.'), with any other byte, UTF-8 sequences and runs of punctuation mixed in. */
static char *random_text(size_t max, unsigned flags)
{
	static const char common[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	static const char *const utf8[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
					    "\xc2\xa0" };
	size_t len = !max		 ? 0
		     : flags & TEXT_LONG ? max - rng_below(max < 8 ? max : 8)
					 : rng_below(max + 1);
	struct strbuf sb = { 0 };

	sb_puts(&sb, "");
	while (sb.len < len) {
		size_t k = flags & TEXT_LONG && rng_below(8) ? 0 : rng_below(10);
		const char *u = utf8[rng_below(ELEMENTSOF(utf8))];
		if (k < 6)
			sb_putc(&sb, common[rng_below(sizeof(common) - 1)]);
		else if (k < 8 && sb.len + strlen(u) <= len)
			sb_puts(&sb, u);
		else if (k >= 8)
			sb_putc(&sb, (char)(1 + rng_below(flags & TEXT_UTF8 ? 127 : 255)));
	}
	if (flags & TEXT_SAFE) {
		for (size_t i = 0; i < sb.len; i++) {
			unsigned char c = (unsigned char)sb.buf[i];
			if (c < 0x20 || c == 0x7f || c == '/' ||
			    (c == '.' && i > 0 && sb.buf[i - 1] == '.'))
				sb.buf[i] = 'x';
		}
		if (sb.len == 0 || streq(sb.buf, "."))
			sb_putc(&sb, 'n');
	}
	return sb_steal(&sb);
}

/* The naming rule written out plainly, to hold compat_trait() against: the normalised name, and
 * when it is too long its first 238 characters, '_' and the raw suffix's digest in upper case. */
static char *reference_trait(const char *suffix)
{
	struct strbuf sb = { 0 };
	bool run = false;

	sb_puts(&sb, COMPAT_TRAIT_PREFIX);
	for (const char *p = suffix; *p; p++) {
		char c = *p;
		bool alnum =
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (alnum)
			sb_putc(&sb, (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
		else if (!run)
			sb_putc(&sb, '_');
		run = !alnum;
	}
	if (sb.len > COMPAT_TRAIT_MAX_LEN) {
		char hex[65];
		sha256_hex(suffix, strlen(suffix), hex);
		sb.len = 238;
		sb.buf[sb.len] = '\0';
		sb_putc(&sb, '_');
		for (size_t i = 0; i < 16; i++)
			sb_putc(&sb, (char)(hex[i] >= 'a' ? hex[i] - 'a' + 'A' : hex[i]));
	}
	return sb_steal(&sb);
}

static char *escaped(const char *s)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			sb_putc(&sb, (char)*p);
		else
			sb_printf(&sb, "\\x%02x", *p);
	return sb_steal(&sb);
}

static void test_naming_property(unsigned n)
{
	unsigned bad = 0, long_ones = 0;
	for (unsigned i = 0; i < n; i++) {
		/* Lengths around the limit are where the digest comes in. */
		size_t max = i % 3 == 0 ? 24 : i % 3 == 1 ? 300 : 1200;
		_cleanup_free_ char *suffix = random_text(max, 0);
		_cleanup_free_ char *t = compat_trait(suffix);
		_cleanup_free_ char *want = reference_trait(suffix);
		long_ones += strlen(want) == COMPAT_TRAIT_MAX_LEN && want[238] == '_';
		if ((!placement_valid(t) || !streq(t, want)) && bad++ == 0) {
			_cleanup_free_ char *e = escaped(suffix);
			printf("# suffix \"%s\"\n#   gives %s\n#   want  %s\n", e, t, want);
		}
	}
	ok(bad == 0,
	   "%u random suffixes (%u shortened): every trait matches ^CUSTOM_[A-Z0-9_]+$, "
	   "at most 255 characters, as the rule says (%u wrong)",
	   n, long_ones, bad);
}

/* Random records and inventories, built as JSON: every trait either side names is valid. */
static json_t *random_version(void)
{
	struct strbuf sb = { 0 };
	size_t parts = 1 + rng_below(4);
	for (size_t i = 0; i < parts; i++)
		sb_printf(&sb, "%s%zu", i ? "." : "",
			  rng_below(4) ? rng_below(200) : rng_below(100000));
	if (rng_below(4) == 0)
		sb_puts(&sb, "-rc.1");
	json_t *v = json_string(sb.buf);
	sb_free(&sb);
	return v;
}

static json_t *random_descriptor(bool inventory)
{
	json_t *d = json_object();
	unsigned lng = rng_below(3) ? 0 : TEXT_LONG;
	_cleanup_free_ char *type = random_text(COMPAT_STRING_MAX, TEXT_SAFE | TEXT_UTF8 | lng);
	_cleanup_free_ char *api = random_text(60, TEXT_SAFE | TEXT_UTF8);
	_cleanup_free_ char *drv = random_text(COMPAT_STRING_MAX, TEXT_SAFE | TEXT_UTF8 | lng);
	json_object_set_new(d, "mdev_type", json_string(type));
	json_object_set_new(d, "device_api", json_string(api));
	json_t *driver = json_pack("{s:s}", "name", drv);
	json_object_set_new(driver, "version", random_version());
	if (!inventory)
		json_object_set_new(driver, "version_scheme",
				    json_string(rng_below(2) ? "semver" : "opaque"));
	json_object_set_new(d, "driver", driver);
	json_t *features = json_array(), *vf = json_object();
	for (size_t i = rng_below(4); i > 0; i--) {
		_cleanup_free_ char *f =
			random_text(COMPAT_STRING_MAX, TEXT_SAFE | TEXT_UTF8 | lng);
		json_array_append_new(features, json_string(f));
	}
	for (size_t i = rng_below(3); i > 0; i--) {
		_cleanup_free_ char *k = random_text(20, TEXT_SAFE | TEXT_UTF8);
		_cleanup_free_ char *v = random_text(40, TEXT_UTF8);
		json_object_set_new(vf, k, json_string(v));
	}
	json_object_set_new(d, "features", features);
	json_object_set_new(d, "vendor_fields", vf);
	return d;
}

/* How many of sv are not valid traits; the first one of the run is shown. */
static unsigned invalid_traits(const struct strv *sv)
{
	static bool shown;
	unsigned bad = 0;
	for (size_t i = 0; i < sv->n; i++)
		if (!placement_valid(sv->v[i])) {
			bad++;
			if (!shown)
				printf("# invalid trait %s\n", sv->v[i]);
			shown = true;
		}
	return bad;
}

static void test_documents_property(unsigned n)
{
	unsigned parsed_rec = 0, parsed_inv = 0, bad = 0;
	for (unsigned i = 0; i < n; i++) {
		json_t *self = random_descriptor(false);
		json_object_set_new(self, "kind", json_string("mdev"));
		json_t *rec = json_pack("{s:s,s:o}", "schema", COMPAT_RECORD_SCHEMA, "self", self);
		if (rng_below(2)) {
			/* An eq range: the DRVEQ_ trait of the version as written. */
			json_t *ver = json_object_get(json_object_get(self, "driver"), "version");
			json_object_set_new(rec, "version_range", json_pack("{s:O}", "eq", ver));
		}
		_cleanup_free_ char *rtext = json_dumps(rec, JSON_COMPACT);
		json_decref(rec);
		struct compat_record *r = NULL;
		if (rtext && compat_record_parse(rtext, strlen(rtext), &r) == 0) {
			struct strv req = { 0 }, any = { 0 };
			parsed_rec++;
			if (compat_record_traits(r, &req, &any) < 0)
				bad++;
			bad += invalid_traits(&req) + invalid_traits(&any);
			strv_free(&req);
			strv_free(&any);
			compat_record_free(r);
		}
		err_clear();

		json_t *t = random_descriptor(true);
		json_object_set_new(t, "available_instances", json_integer(1));
		json_t *inv = json_pack("{s:s,s:[{s:s,s:[o]}]}", "schema", COMPAT_INVENTORY_SCHEMA,
					"parents", "parent", "p", "types", t);
		_cleanup_free_ char *itext = json_dumps(inv, JSON_COMPACT);
		json_decref(inv);
		struct compat_inventory *ci = NULL;
		if (itext && compat_inventory_parse(itext, strlen(itext), &ci) == 0) {
			struct strv all = { 0 };
			parsed_inv++;
			if (compat_inventory_traits(ci, &all) < 0)
				bad++;
			bad += invalid_traits(&all);
			strv_free(&all);
			compat_inventory_free(ci);
		}
		err_clear();
	}
	/* Most of them must be documents at all, or the property says nothing. */
	ok(parsed_rec > n / 2 && parsed_inv > n / 2,
	   "random records and inventories parse (%u and %u of %u)", parsed_rec, parsed_inv, n);
	ok(bad == 0, "every trait of %u random records and inventories is a valid Placement trait",
	   n);
}

int main(void)
{
	const char *seed = getenv("MDEVCTL_TEST_SEED");
	rng_state = seed ? strtoull(seed, NULL, 0) : 0x6d646576636f6d70ull;
	if (!rng_state)
		rng_state = 1;
	printf("# random inputs from seed %#llx (MDEVCTL_TEST_SEED)\n",
	       (unsigned long long)rng_state);
	test_naming_property(6000);
	test_documents_property(600);
	test_naming();
	test_spec_examples();
	test_intersection();
	test_versions();
	test_inventory();
	test_pairs();
	test_long_names();
	test_format();
	test_providers();
	test_errors();
	return tap_done();
}
