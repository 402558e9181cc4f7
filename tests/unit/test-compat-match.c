// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the matching engine: one table row per rule and per reason code (records and
 * inventories parsed from JSON, the plan compared as compact JSON), every verdict and its exit
 * status, ranking by hint, pattern, reuse and policy, the UUID policy, de-duplication and
 * invalid bindings, COMPAT.md's section 6 example end to end, ranking of hosts, and the
 * readable plan byte for byte. JSON in the tables is written with ' for " (converted before
 * parsing) to stay readable. */
#include <errno.h>

#include "compat-match.h"
#include "compat-record.h"
#include "error.h"
#include "tap.h"

static char *q(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	return s ? s : xstrdup("(null)");
}

#define SRC_UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define FRESH	 "0f0f0f0f-0000-4000-8000-000000000001"
#define ASKED	 "aaaaaaaa-0000-4000-8000-00000000000a"
#define DEV1	 "5cf14a12-a437-4c82-a13f-70e945782d7b"
#define DEV2	 "5cf14a12-a437-4c82-a13f-70e945782d7c"

/* A record whose self is of type drv-A with device_api only; s: more self members, top: more
 * top-level members. */
#define REC(s, top)                                                                            \
	"{'schema':'mdev-compat/1','self':{'kind':'mdev','device_api':'vfio-pci','mdev_type':" \
	"'drv-A'" s "}" top "}"
#define UUID_SELF ",'uuid':'" SRC_UUID "'"
/* Inventories: one parent p0, or p0 and p1. */
#define INV(types, devs)                                                                \
	"{'schema':'mdev-inventory/1','parents':[{'parent':'p0','types':[" types "]}]," \
	"'devices':[" devs "]}"
#define INV2(t0, t1, devs)                                                          \
	"{'schema':'mdev-inventory/1','parents':[{'parent':'p0','types':[" t0 "]}," \
	"{'parent':'p1','types':[" t1 "]}],'devices':[" devs "]}"
#define TY(name, avail, extra) \
	"{'mdev_type':'" name "','device_api':'vfio-pci','available_instances':" #avail extra "}"
#define T(extra) TY("drv-A", 1, extra)
#define DEV(uuid, parent, type, attrs, state)                                             \
	"{'uuid':'" uuid "','parent':'" parent "','mdev_type':'" type "','attrs':[" attrs \
	"],'state':'" state "'}"
#define DRV(v)	"'driver':{'name':'drv','version':'" v "'}"
#define DRVD(v) "'driver':{'name':'drv','version':'" v "','version_scheme':'dotted'}"
#define CREATE(parent, type, attrs, uuid, changed, pattern, binding, cost)                \
	"{'action':'create','parent':'" parent "','mdev_type':'" type "','attrs':[" attrs \
	"],'uuid':'" uuid "','uuid_changed':" changed ",'pattern':" #pattern              \
	",'binding':{" binding "},'cost':" #cost "}"
#define REUSE(parent, type, attrs, uuid, changed, pattern, binding, cost)                \
	"{'action':'reuse','parent':'" parent "','mdev_type':'" type "','attrs':[" attrs \
	"],'uuid':'" uuid "','uuid_changed':" changed ",'pattern':" #pattern             \
	",'binding':{" binding "},'cost':" #cost "}"
#define MDEVCTL(parent, uuid, type, attrs)                                      \
	"{'parent':'" parent "','uuid':'" uuid "','config':{'mdev_type':'" type \
	"','start':'manual','attrs':[" attrs "]}}"
/* A compatible plan: chosen, mdevctl, the candidates, the rejections. */
#define PLAN(chosen, mdevctl, cands, rejs)                                       \
	"{'schema':'mdev-compat-plan/1','verdict':'compatible','chosen':" chosen \
	",'mdevctl':" mdevctl ",'candidates':[" cands "],'rejections':[" rejs "]}"
#define C_IDENTITY CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1)
#define C_N2	   CREATE("p0", "drv-A", "{'agg':'2'}", FRESH, "false", 1, "'n':2", 1)
#define C_K2	   CREATE("p0", "drv-A", "{'agg':'2'}", FRESH, "false", 2, "'k':2", 1)
#define C_SLOW_OFF \
	CREATE("p0", "drv-A", "{'ecc_enable':'0'}", FRESH, "false", 1, "'m':'slow','e':false", 1)
#define C_SLOW_ON CREATE("p0", "drv-A", "", FRESH, "false", 1, "'m':'slow','e':true", 1)
#define C_FAST_OFF                                                                     \
	CREATE("p0", "drv-A", "{'ecc_enable':'0'},{'mode':'fast'}", FRESH, "false", 1, \
	       "'m':'fast','e':false", 1)
#define C_FAST_ON \
	CREATE("p0", "drv-A", "{'mode':'fast'}", FRESH, "false", 1, "'m':'fast','e':true", 1)
#define R_DEV1	       REUSE("p0", "drv-A", "", DEV1, "false", 0, "", 1)
#define R_DEV1_CHANGED REUSE("p0", "drv-A", "", DEV1, "true", 0, "", 1)
#define R_SRC	       REUSE("p0", "drv-A", "", SRC_UUID, "false", 0, "", 1)
#define ECC_DEF	       "'ecc':{'type':'bool','default':true,'off':false,'attr':'ecc_enable'}"
#define LEVEL_DEF      "'level':{'type':'int','range':{'min':1,'max':8},'default':1,'attr':'lvl'}"
#define VGPU_DEF       "'vgpu_version':{'type':'int','range':{'min':16,'max':18}}"
#define MODE_DEF       "'mode':{'type':'string','allowed':['slow','fast'],'default':'slow','attr':'mode'}"

#define OK_   COMPAT_VERDICT_COMPATIBLE, 0
#define FULL  COMPAT_VERDICT_NO_CAPACITY, 4
#define BLOCK COMPAT_VERDICT_BLOCKED, 5
#define NOPE  COMPAT_VERDICT_INCOMPATIBLE, 3

struct opts {
	const char *hint, *uuid, *only;
	bool keep, no_reuse, cold, autostart;
	enum compat_policy policy;
};

struct mcase {
	const char *name;
	const char *record, *inventory;
	struct opts o;
	enum compat_verdict verdict;
	int exit_status;
	/* What is compared: "reasons" (each rejection's reasons), "rejections", "candidates",
	 * "chosen", "mdevctl", "order" (action:parent:pattern of each candidate), "plan". */
	const char *what;
	const char *want;
};

static const struct mcase cases[] = {
	/* identity, with no vendor data at all */
	{ "identity",
	  REC("", ""),
	  INV(T(""), ""),
	  {},
	  OK_,
	  "plan",
	  PLAN(C_IDENTITY, MDEVCTL("p0", FRESH, "drv-A", ""), C_IDENTITY, "") },
	{ "identity keeps the source UUID",
	  REC(UUID_SELF, ""),
	  INV(T(""), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", SRC_UUID, "false", 0, "", 1) },
	{ "autostart",
	  REC("", ""),
	  INV(T(""), ""),
	  { .autostart = true },
	  OK_,
	  "mdevctl",
	  "{'parent':'p0','uuid':'" FRESH
	  "','config':{'mdev_type':'drv-A','start':'auto','attrs':[]}}" },

	/* 1. device API */
	{ "device API differs",
	  REC("", ""),
	  INV("{'mdev_type':'drv-A','device_api':'vfio-ccw','available_instances':1}", ""),
	  {},
	  NOPE,
	  "rejections",
	  "[{'pattern':0,'binding':{},'parent':'p0','mdev_type':'drv-A','reasons':['DEVICE_API_MISMATCH']}]" },

	/* 2. driver name */
	{ "driver name absent on the destination",
	  REC(",'driver':{'name':'i915'}", ""),
	  INV(T(""), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['DRIVER_NAME_MISMATCH']]" },
	{ "driver name differs",
	  REC(",'driver':{'name':'i915'}", ""),
	  INV(T(",'driver':{'name':'nvidia'}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['DRIVER_NAME_MISMATCH']]" },
	{ "driver name equal",
	  REC(",'driver':{'name':'i915'}", ""),
	  INV(T(",'driver':{'name':'i915'}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },

	/* 3. driver version (default range: same major, minor >= source's) */
	{ "version: newer minor",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.3.5")), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "version: newer major",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("2.0.0")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE']]" },
	{ "version: older minor",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.1.9")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE']]" },
	{ "version: pre-release destination",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.3.0-rc.1")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE']]" },
	{ "version: pre-release destination with include_prerelease",
	  REC("," DRV("1.2.0"), ",'version_range':{'min':'1.2.0','include_prerelease':true}"),
	  INV(T("," DRV("1.3.0-rc.1")), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "version: an empty version_range is the default range",
	  REC("," DRV("1.2.0"), ",'version_range':{}"),
	  INV(T("," DRV("2.0.0")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE']]" },
	{ "version: NVIDIA's driver update, dotted",
	  REC("," DRVD("550.54.14"), ""),
	  INV(T("," DRV("550.127.05")), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "version: none on the destination",
	  REC("," DRV("1.2.0"), ""),
	  INV(T(",'driver':{'name':'drv'}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_UNPARSEABLE']]" },
	{ "version: not semver on the destination",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.x")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_UNPARSEABLE']]" },
	{ "version: dotted with leading zeros",
	  REC("," DRVD("550.90.07"), ""),
	  INV(T("," DRV("550.90.7")), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "version: dotted eq with leading zeros",
	  REC("," DRVD("550.90.07"), ",'version_range':{'eq':'550.90.7'}"),
	  INV(T("," DRV("550.090.007")), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "version: dotted older second component",
	  REC("," DRVD("550.90.07"), ""),
	  INV(T("," DRV("550.89.99")), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE']]" },
	{ "version: none on the source, no rule",
	  REC(",'driver':{'name':'drv'}", ""),
	  INV(T(",'driver':{'name':'drv'}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },

	/* 4. the destination's accepts.driver_version */
	{ "accepts rejects the source",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.3.0") ",'accepts':{'driver_version':{'min':'1.3.0'}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['DEST_REJECTS_SOURCE_VERSION']]" },
	{ "accepts {} is no accepts: a pre-release source is not refused",
	  REC("," DRV("1.2.0-rc.1"), ""),
	  INV(T("," DRV("1.2.0-rc.1") ",'accepts':{'driver_version':{}}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "accepts the source",
	  REC("," DRV("1.2.0"), ""),
	  INV(T("," DRV("1.3.0") ",'accepts':{'driver_version':{'min':'1.0.0'}}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "accepts unparseable, VERSION_UNPARSEABLE once",
	  REC("," DRV("1.2.0"), ""),
	  INV(T(",'driver':{'name':'drv'},'accepts':{'driver_version':{'eq':'abc'}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_UNPARSEABLE']]" },
	{ "version and accepts both fail, flags too (live)",
	  REC("," DRV("1.2.0") ",'migration_flags':['STOP_COPY']",
	      ",'requires':{'migration_flags':['P2P']}"),
	  INV(T("," DRV("2.0.0") ",'accepts':{'driver_version':{'min':'1.3.0'}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VERSION_OUT_OF_RANGE','DEST_REJECTS_SOURCE_VERSION','MIGRATION_UNSUPPORTED','MIGRATION_FLAG_MISSING:P2P']]" },
	{ "cold mode skips version, accepts and flags",
	  REC("," DRV("1.2.0") ",'migration_flags':['STOP_COPY']",
	      ",'requires':{'migration_flags':['P2P']}"),
	  INV(T("," DRV("2.0.0") ",'accepts':{'driver_version':{'min':'1.3.0'}}"), ""),
	  { .cold = true },
	  OK_,
	  "reasons",
	  "[]" },

	/* 5. PCI ids */
	{ "PCI ids in any case and width",
	  REC(",'pci':{'vendor':'0X8086','device':'591d','subsystem_vendor':'0x00008086'}", ""),
	  INV(T(",'pci':{'vendor':'8086','device':'0x591D','subsystem_vendor':'0x8086'}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "PCI ids differ or are unknown",
	  REC(",'pci':{'vendor':'0x8086','device':'0x591d','subsystem_vendor':'0x8086','subsystem_device':'0x2212'}",
	      ""),
	  INV(T(",'pci':{'vendor':'0x10de','device':'0x591d'}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PCI_ID_MISMATCH:vendor','PCI_ID_MISMATCH:subsystem_vendor','PCI_ID_MISMATCH:subsystem_device']]" },
	{ "PCI id in a pattern's list",
	  REC(",'pci':{'device':'0x591d'}",
	      ",'self_is_candidate':false,'compatible':[{'pci':{'device':{'in':['0x5912','0x591D']}}}]"),
	  INV(T(",'pci':{'device':'0x5912'}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 1, "", 1) },

	/* 6. migration flags */
	{ "migration unsupported, flags missing",
	  REC(",'migration_flags':['STOP_COPY']",
	      ",'requires':{'migration_flags':['P2P','PRE_COPY','STOP_COPY']}"),
	  INV(T(""), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['MIGRATION_UNSUPPORTED','MIGRATION_FLAG_MISSING:PRE_COPY','MIGRATION_FLAG_MISSING:P2P']]" },
	{ "migration flag missing",
	  REC(",'migration_flags':['STOP_COPY']",
	      ",'requires':{'migration_flags':['P2P','PRE_COPY','STOP_COPY']}"),
	  INV(T(",'migration_flags':['P2P','STOP_COPY']"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['MIGRATION_FLAG_MISSING:PRE_COPY']]" },
	{ "migration flags required at the top only",
	  REC("", ",'requires':{'migration_flags':['STOP_COPY']}"),
	  INV(T(",'migration_flags':['PRE_COPY']"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['MIGRATION_UNSUPPORTED']]" },

	/* 7. features */
	{ "features missing",
	  REC(",'features':['pv_ppgtt','x','pv_context']", ""),
	  INV(T(",'features':['pv_ppgtt']"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['FEATURE_MISSING:pv_context,x']]" },
	{ "features: a superset is fine",
	  REC(",'features':['a']", ""),
	  INV(T(",'features':['c','a','b']"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "features: exact",
	  REC(",'features':['a']", ",'feature_match':'exact'"),
	  INV(T(",'features':['c','a','b']"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['FEATURE_EXTRA:b,c']]" },

	/* 8. params */
	{ "param equal to the default",
	  REC(",'params':{'ecc':true}", ""),
	  INV(T(",'params':{" ECC_DEF "}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1) },
	{ "param absent means off",
	  REC("", ""),
	  INV(T(",'params':{" ECC_DEF "}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'ecc_enable':'0'}", FRESH, "false", 0, "", 1) },
	{ "param cannot be switched off",
	  REC("", ""),
	  INV(T(",'params':{'ecc':{'type':'bool','default':true,'attr':'ecc_enable'}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_CANNOT_DISABLE:ecc']]" },
	{ "param off needs an attr",
	  REC("", ""),
	  INV(T(",'params':{'ecc':{'type':'bool','default':true,'off':false}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_NOT_SETTABLE:ecc']]" },
	{ "param off equal to the default",
	  REC("", ""),
	  INV(T(",'params':{'ecc':{'type':'bool','default':false,'off':false}}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1) },
	{ "param without a default: off is written",
	  REC("", ""),
	  INV(T(",'params':{'ecc':{'type':'bool','off':false,'attr':'ecc_enable'}}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'ecc_enable':'0'}", FRESH, "false", 0, "", 1) },
	/* A param without a default is what the destination accepts, not a setting. */
	{ "param without a default: a value within it is accepted as it is",
	  REC(",'params':{'vgpu_version':18}", ""),
	  INV(T(",'params':{" VGPU_DEF "}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1) },
	{ "param without a default: a value outside it is not allowed",
	  REC(",'params':{'vgpu_version':19}", ""),
	  INV(T(",'params':{" VGPU_DEF "}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:vgpu_version=19']]" },
	{ "param without a default: written through its attr when it has one",
	  REC(",'params':{'vgpu_version':17}", ""),
	  INV(T(",'params':{'vgpu_version':{'type':'int','range':{'min':16,'max':18},"
		"'attr':'vgpu_ver'}}"),
	      ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'vgpu_ver':'17'}", FRESH, "false", 0, "", 1) },
	{ "param without a default nor attr, not listed by the source: off accepted as it is",
	  REC("", ""),
	  INV(T(",'params':{'ecc':{'type':'bool','off':false}}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1) },
	{ "param unknown to the destination",
	  REC(",'params':{'zz':1}", ""),
	  INV(T(""), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_UNSUPPORTED:zz']]" },
	{ "param out of range",
	  REC(",'params':{'level':9}", ""),
	  INV(T(",'params':{" LEVEL_DEF "}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:level=9']]" },
	{ "param string read as int",
	  REC(",'params':{'level':'4'}", ""),
	  INV(T(",'params':{" LEVEL_DEF "}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'lvl':'4'}", FRESH, "false", 0, "", 1) },
	{ "param string not an int",
	  REC(",'params':{'level':'x4'}", ""),
	  INV(T(",'params':{" LEVEL_DEF "}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:level=x4']]" },
	{ "param of the wrong type",
	  REC(",'params':{'ecc':1}", ""),
	  INV(T(",'params':{" ECC_DEF "}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:ecc=1']]" },
	{ "param string allowed",
	  REC(",'params':{'mode':'fast'}", ""),
	  INV(T(",'params':{" MODE_DEF "}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'mode':'fast'}", FRESH, "false", 0, "", 1) },
	{ "param string not allowed",
	  REC(",'params':{'mode':'turbo'}", ""),
	  INV(T(",'params':{" MODE_DEF "}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:mode=turbo']]" },
	{ "param value needs an attr",
	  REC(",'params':{'level':3}", ""),
	  INV(T(",'params':{'level':{'type':'int','default':1}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_NOT_SETTABLE:level']]" },
	{ "param writes after attrs, in param-name order",
	  REC(",'mdev_attrs':[{'x':'1'}],'params':{'c':2,'a':2}", ""),
	  INV(T(",'params':{'b':{'type':'int','default':1,'off':0,'attr':'b_attr'},"
		"'a':{'type':'int','default':1,'attr':'a_attr'},"
		"'c':{'type':'int','default':1,'attr':'c_attr'}},"
		"'settable_attrs':{'x':{'type':'any'}}"),
	      ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'x':'1'},{'a_attr':'2'},{'b_attr':'0'},{'c_attr':'2'}", FRESH,
		 "false", 0, "", 1) },
	{ "param reasons: the pattern's, then the destination's",
	  REC(",'params':{'z':1,'a':5}", ""),
	  INV(T(",'params':{'m':{'type':'bool','default':true,'attr':'m'},"
		"'a':{'type':'int','range':{'min':1,'max':4},'attr':'a'}}"),
	      ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['PARAM_VALUE_NOT_ALLOWED:a=5','PARAM_UNSUPPORTED:z','PARAM_CANNOT_DISABLE:m']]" },
	{ "param templates: bindings differing in params are kept",
	  REC("", ",'self_is_candidate':false,'compatible':[{'vars':[{'name':'m','type':'enum',"
		  "'values':['slow','fast']},{'name':'e','type':'bool'}],"
		  "'params':{'mode':'${m}','ecc':'${e}'}}]"),
	  INV(TY("drv-A", 4, ",'params':{" MODE_DEF "," ECC_DEF "}"), ""),
	  {},
	  OK_,
	  "candidates",
	  "[" C_SLOW_OFF "," C_SLOW_ON "," C_FAST_OFF "," C_FAST_ON "]" },

	/* 9. vendor fields */
	{ "vendor field differing in case",
	  REC(",'vendor_fields':{'gen':'KBL-GT2'}", ""),
	  INV(T(",'vendor_fields':{'gen':'kbl-gt2'}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VENDOR_FIELD_MISMATCH:gen']]" },
	{ "vendor fields missing and extra",
	  REC(",'vendor_fields':{'z':'1','gen':'a'}", ""),
	  INV(T(",'vendor_fields':{'y':'1','x':'2'}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['VENDOR_FIELD_MISSING:gen','VENDOR_FIELD_MISSING:z','VENDOR_FIELD_EXTRA:x','VENDOR_FIELD_EXTRA:y']]" },

	/* 10. attrs */
	{ "attr 0x47 is 71",
	  REC(",'mdev_attrs':[{'agg':'0x47'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int','allowed':[71]}}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'agg':'0x47'}", FRESH, "false", 0, "", 1) },
	{ "attr 071 is 57",
	  REC(",'mdev_attrs':[{'agg':'071'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int','range':{'min':57,'max':57}}}"), ""),
	  {},
	  OK_,
	  "reasons",
	  "[]" },
	{ "attr 071 is not 71",
	  REC(",'mdev_attrs':[{'agg':'071'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int','allowed':[71]}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_VALUE_NOT_ALLOWED:agg=071']]" },
	{ "attr ints as kstrtoul reads them",
	  REC(",'mdev_attrs':[{'a':'+5'},{'b':'0x'},{'c':'08'},{'d':'-1'},"
	      "{'e':'18446744073709551616'},{'f':'18446744073709551615'},{'g':'0XfF'},{'h':''},"
	      "{'i':'5 '},{'j':'0'}]",
	      ""),
	  INV(T(",'settable_attrs':{'a':{'type':'int','range':{'min':1,'max':8}},"
		"'b':{'type':'int'},'c':{'type':'int'},'d':{'type':'int'},'e':{'type':'int'},"
		"'f':{'type':'int'},'g':{'type':'int','allowed':[255]},'h':{'type':'int'},"
		"'i':{'type':'int'},'j':{'type':'int','allowed':[0]}}"),
	      ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_VALUE_NOT_ALLOWED:b=0x','ATTR_VALUE_NOT_ALLOWED:c=08','ATTR_VALUE_NOT_ALLOWED:d=-1',"
	  "'ATTR_VALUE_NOT_ALLOWED:e=18446744073709551616','ATTR_VALUE_NOT_ALLOWED:h=',"
	  "'ATTR_VALUE_NOT_ALLOWED:i=5 ']]" },
	{ "attr bools as kstrtobool reads them",
	  REC(",'mdev_attrs':[{'a':'on'},{'b':'Off'},{'c':'yes'},{'d':'maybe'},{'e':'1'},{'f':''},"
	      "{'g':'N'}]",
	      ""),
	  INV(T(",'settable_attrs':{'a':{'type':'bool','allowed':[true]},"
		"'b':{'type':'bool','allowed':[true]},'c':{'type':'bool','allowed':[true]},"
		"'d':{'type':'bool'},'e':{'type':'bool','allowed':[true]},'f':{'type':'bool'},"
		"'g':{'type':'bool','allowed':[false]}}"),
	      ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_VALUE_NOT_ALLOWED:b=Off','ATTR_VALUE_NOT_ALLOWED:d=maybe','ATTR_VALUE_NOT_ALLOWED:f=']]" },
	{ "attr strings and any",
	  REC(",'mdev_attrs':[{'s':'A'},{'t':'any thing'},{'u':'x'}]", ""),
	  INV(T(",'settable_attrs':{'s':{'type':'string','allowed':['a']},'t':{'type':'any'},"
		"'u':{'type':'string'}}"),
	      ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_VALUE_NOT_ALLOWED:s=A']]" },
	/* Where no layer says anything about a type's attributes, those the source carries are
	 * settable on its own type (vfio_ap's assign_*, written in order, names repeated). */
	{ "attrs the source carries, on its own type that states none: settable",
	  "{'schema':'mdev-compat/1','self':{'kind':'mdev','device_api':'vfio-ap','mdev_type':"
	  "'drv-A','mdev_attrs':[{'assign_adapter':'5'},{'assign_domain':'0x47'},"
	  "{'assign_adapter':'6'}]}}",
	  INV("{'mdev_type':'drv-A','device_api':'vfio-ap','available_instances':1}", ""),
	  { .cold = true },
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'assign_adapter':'5'},{'assign_domain':'0x47'},"
				"{'assign_adapter':'6'}",
		 FRESH, "false", 0, "", 1) },
	{ "int attr with the one trailing newline kstrtoul takes",
	  REC(",'mdev_attrs':[{'agg':'5\\n'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int','range':{'min':1,'max':8}}}"), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'agg':'5\\n'}", FRESH, "false", 0, "", 1) },
	{ "int attr with two newlines",
	  REC(",'mdev_attrs':[{'agg':'5\\n\\n'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int','range':{'min':1,'max':8}}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_VALUE_NOT_ALLOWED:agg=5\\n\\n']]" },
	{ "attr not settable: the type states settable attrs, not this one",
	  REC(",'mdev_attrs':[{'foo':'1'}]", ""),
	  INV(T(",'settable_attrs':{'bar':{'type':'any'}}"), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_NOT_SETTABLE:foo']]" },
	{ "attr not settable: another type than the source's, that states none",
	  REC(",'mdev_attrs':[{'foo':'1'}]",
	      ",'self_is_candidate':false,'compatible':[{'mdev_type':'drv-B'}]"),
	  INV(TY("drv-B", 1, ""), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_NOT_SETTABLE:foo']]" },
	{ "attr not settable: one the source does not carry, on its own type",
	  REC(",'mdev_attrs':[{'foo':'1'}]",
	      ",'self_is_candidate':false,'compatible':[{'mdev_attrs':[{'foo':'2'},{'bar':'1'}]}]"),
	  INV(T(""), ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['ATTR_NOT_SETTABLE:bar']]" },
	{ "attr equal to its default is dropped",
	  REC(",'mdev_attrs':[{'agg':'1'}]", ",'attr_defaults':{'agg':'1'}"),
	  INV(T(""), ""),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "false", 0, "", 1) },

	/* 11. capacity, and a type nobody offers */
	{ "no capacity",
	  REC("", ""),
	  INV(TY("drv-A", 0, ""), ""),
	  {},
	  FULL,
	  "rejections",
	  "[{'pattern':0,'binding':{},'parent':'p0','mdev_type':'drv-A','reasons':['NO_CAPACITY:0<1']}]" },
	{ "capacity is evaluated after every other rule",
	  REC("", ""),
	  INV("{'mdev_type':'drv-A','device_api':'vfio-ccw','available_instances':0}", ""),
	  {},
	  NOPE,
	  "reasons",
	  "[['DEVICE_API_MISMATCH','NO_CAPACITY:0<1']]" },
	{ "cost above the available instances",
	  REC("", ",'self_is_candidate':false,'compatible':[{'cost':3}]"),
	  INV(TY("drv-A", 2, ""), ""),
	  {},
	  FULL,
	  "reasons",
	  "[['NO_CAPACITY:2<3']]" },
	{ "type not found",
	  REC("", ""),
	  INV(TY("drv-B", 1, ""), ""),
	  {},
	  NOPE,
	  "rejections",
	  "[{'pattern':0,'binding':{},'mdev_type':'drv-A','reasons':['TYPE_NOT_FOUND:drv-A']}]" },
	{ "no-capacity outranks incompatible",
	  REC("", ""),
	  INV2(TY("drv-A", 0, ""),
	       "{'mdev_type':'drv-A','device_api':'vfio-ccw','available_instances':1}", ""),
	  {},
	  FULL,
	  "reasons",
	  "[['NO_CAPACITY:0<1'],['DEVICE_API_MISMATCH']]" },

	/* invalid bindings and de-duplication */
	{ "bindings: inexact division, negative attr, cost below 1",
	  REC("",
	      ",'self_is_candidate':false,'compatible':[{'vars':[{'name':'n','type':'int',"
	      "'values':[1,2,3,4]}],'mdev_attrs':[{'agg':'${n-3}'}],'cost':'${n/2}'},"
	      "{'vars':[{'name':'k','type':'int','values':[0,2]}],'mdev_attrs':[{'agg':'${k}'}],"
	      "'cost':'${k-1}'}]"),
	  INV(T(",'settable_attrs':{'agg':{'type':'int'}}"), ""),
	  {},
	  OK_,
	  "plan",
	  PLAN(C_K2, MDEVCTL("p0", FRESH, "drv-A", "{'agg':'2'}"), C_K2,
	       "{'pattern':1,'binding':{'n':1},'reasons':['BINDING_INVALID:n/2=1/2']},"
	       "{'pattern':1,'binding':{'n':2},'reasons':['BINDING_INVALID:agg=-1']},"
	       "{'pattern':1,'binding':{'n':3},'reasons':['BINDING_INVALID:n/2=3/2']},"
	       "{'pattern':1,'binding':{'n':4},'parent':'p0','mdev_type':'drv-A',"
	       "'reasons':['NO_CAPACITY:1<2']},"
	       "{'pattern':2,'binding':{'k':0},'reasons':['BINDING_INVALID:cost=-1']}") },
	{ "de-duplicated bindings: the earliest wins, across patterns",
	  REC("", ",'attr_defaults':{'agg':'1'},'compatible':[{'vars':[{'name':'n','type':'int',"
		  "'values':[1,2]}],'mdev_attrs':[{'agg':'${n}'}]},{'vars':[{'name':'k',"
		  "'type':'int','range':{'min':1,'max':2}}],'mdev_attrs':[{'agg':'${k}'}]}]"),
	  INV(TY("drv-A", 2, ",'settable_attrs':{'agg':{'type':'int'}}"), ""),
	  {},
	  OK_,
	  "candidates",
	  "[" C_IDENTITY "," C_N2 "]" },

	/* 12. UUID policy */
	{ "UUID: the source's is taken, a fresh one",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(SRC_UUID, "p0", "drv-B", "", "in_use")),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", FRESH, "true", 0, "", 1) },
	{ "UUID: the source's is taken, --keep-uuid",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(SRC_UUID, "p0", "drv-B", "", "defined")),
	  { .keep = true },
	  BLOCK,
	  "rejections",
	  "[{'pattern':0,'binding':{},'parent':'p0','mdev_type':'drv-A','reasons':['UUID_CONFLICT']}]" },
	{ "UUID: --keep-uuid when it is free",
	  REC(UUID_SELF, ""),
	  INV(T(""), ""),
	  { .keep = true },
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", SRC_UUID, "false", 0, "", 1) },
	{ "UUID: --uuid",
	  REC(UUID_SELF, ""),
	  INV(T(""), ""),
	  { .uuid = ASKED },
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", ASKED, "true", 0, "", 1) },
	{ "UUID: --uuid without a source UUID",
	  REC("", ""),
	  INV(T(""), ""),
	  { .uuid = ASKED },
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "", ASKED, "false", 0, "", 1) },
	{ "UUID: --uuid taken",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(ASKED, "p0", "drv-B", "", "in_use")),
	  { .uuid = ASKED },
	  BLOCK,
	  "reasons",
	  "[['UUID_CONFLICT']]" },
	/* Neither reason is one never to come back: blocked, whichever way the UUID is asked. */
	{ "UUID: --uuid taken and no capacity",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(ASKED, "p0", "drv-B", "", "in_use")),
	  { .uuid = ASKED },
	  BLOCK,
	  "reasons",
	  "[['NO_CAPACITY:0<1','UUID_CONFLICT']]" },
	{ "UUID: the source's taken under --keep-uuid and no capacity",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(SRC_UUID, "p0", "drv-B", "", "defined")),
	  { .keep = true },
	  BLOCK,
	  "reasons",
	  "[['NO_CAPACITY:0<1','UUID_CONFLICT']]" },
	{ "UUID: taken, no capacity and another rule: incompatible",
	  REC(UUID_SELF, ""),
	  INV("{'mdev_type':'drv-A','device_api':'vfio-ccw','available_instances':0}",
	      DEV(SRC_UUID, "p0", "drv-B", "", "defined")),
	  { .keep = true },
	  NOPE,
	  "reasons",
	  "[['DEVICE_API_MISMATCH','NO_CAPACITY:0<1','UUID_CONFLICT']]" },
	{ "blocked outranks no-capacity",
	  REC(UUID_SELF, ""),
	  INV2(TY("drv-A", 0, ""), T(""), DEV(SRC_UUID, "p1", "drv-B", "", "in_use")),
	  { .keep = true },
	  BLOCK,
	  "reasons",
	  "[['NO_CAPACITY:0<1','UUID_CONFLICT'],['UUID_CONFLICT']]" },

	/* ranking and reuse */
	{ "rejections in inventory order",
	  REC("", ""),
	  "{'schema':'mdev-inventory/1','parents':[{'parent':'zz','types':[" TY(
		  "drv-A", 0, "") "]},{'parent':'aa','types':[" TY("drv-A", 0, "") "]}]}",
	  {},
	  FULL,
	  "rejections",
	  "[{'pattern':0,'binding':{},'parent':'zz','mdev_type':'drv-A','reasons':['NO_CAPACITY:0<1']},"
	  "{'pattern':0,'binding':{},'parent':'aa','mdev_type':'drv-A','reasons':['NO_CAPACITY:0<1']}]" },
	{ "candidates by parent name, not inventory order",
	  REC("", ""),
	  "{'schema':'mdev-inventory/1','parents':[{'parent':'zz','types':[" T(
		  "") "]},{'parent':'aa','types':[" T("") "]}]}",
	  {},
	  OK_,
	  "order",
	  "create:aa:0 create:zz:0" },
	{ "first-fit: parent name",
	  REC("", ""),
	  INV2(TY("drv-A", 1, ""), TY("drv-A", 3, ""), ""),
	  {},
	  OK_,
	  "order",
	  "create:p0:0 create:p1:0" },
	{ "spread: most available first",
	  REC("", ""),
	  INV2(TY("drv-A", 1, ""), TY("drv-A", 3, ""), ""),
	  { .policy = COMPAT_POLICY_SPREAD },
	  OK_,
	  "order",
	  "create:p1:0 create:p0:0" },
	{ "pack: fewest available first",
	  REC("", ""),
	  INV2(TY("drv-A", 3, ""), TY("drv-A", 1, ""), ""),
	  { .policy = COMPAT_POLICY_PACK },
	  OK_,
	  "order",
	  "create:p1:0 create:p0:0" },
	{ "pack: parent name on a tie",
	  REC("", ""),
	  INV2(TY("drv-A", 2, ""), TY("drv-A", 2, ""), ""),
	  { .policy = COMPAT_POLICY_PACK },
	  OK_,
	  "order",
	  "create:p0:0 create:p1:0" },
	{ "hint first",
	  REC("", ""),
	  INV2(TY("drv-A", 3, ""), TY("drv-A", 1, ""), ""),
	  { .hint = "p1" },
	  OK_,
	  "order",
	  "create:p1:0 create:p0:0" },
	{ "pattern before parent name",
	  REC("", ",'compatible':[{'mdev_type':'drv-B'}]"),
	  INV2(TY("drv-B", 1, ""), T(""), ""),
	  {},
	  OK_,
	  "order",
	  "create:p1:0 create:p0:1" },
	{ "hint before pattern",
	  REC("", ",'compatible':[{'mdev_type':'drv-B'}]"),
	  INV2(TY("drv-B", 1, ""), T(""), ""),
	  { .hint = "p0" },
	  OK_,
	  "order",
	  "create:p0:1 create:p1:0" },
	{ "reuse before create",
	  REC("", ""),
	  INV2(T(""), T(""), DEV(DEV1, "p1", "drv-A", "", "free")),
	  {},
	  OK_,
	  "order",
	  "reuse:p1:0 create:p0:0 create:p1:0" },
	{ "no reuse",
	  REC("", ""),
	  INV2(T(""), T(""), DEV(DEV1, "p1", "drv-A", "", "free")),
	  { .no_reuse = true },
	  OK_,
	  "order",
	  "create:p0:0 create:p1:0" },
	{ "reuse needs the same attrs, defaults dropped",
	  REC("", ",'attr_defaults':{'agg':'1'}"),
	  INV(T(""), DEV(DEV2, "p0", "drv-A", "{'agg':'2'}",
			 "free") "," DEV(DEV1, "p0", "drv-A", "{'agg':'1'}", "free")),
	  {},
	  OK_,
	  "candidates",
	  "[" R_DEV1 "," C_IDENTITY "]" },
	{ "reuse of free devices only",
	  REC("", ""),
	  INV(T(""),
	      DEV(DEV1, "p0", "drv-A", "", "in_use") "," DEV(DEV2, "p0", "drv-A", "", "defined")),
	  {},
	  OK_,
	  "order",
	  "create:p0:0" },
	{ "reuse needs no capacity",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(DEV1, "p0", "drv-A", "", "free")),
	  {},
	  OK_,
	  "plan",
	  PLAN(R_DEV1_CHANGED, MDEVCTL("p0", DEV1, "drv-A", ""), R_DEV1_CHANGED, "") },
	{ "reuse with --keep-uuid and another UUID, full",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(DEV1, "p0", "drv-A", "", "free")),
	  { .keep = true },
	  BLOCK,
	  "reasons",
	  "[['NO_CAPACITY:0<1','UUID_CONFLICT']]" },
	{ "reuse with --keep-uuid and another UUID, room to create",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(DEV1, "p0", "drv-A", "", "free")),
	  { .keep = true },
	  OK_,
	  "order",
	  "create:p0:0" },
	{ "reuse with --keep-uuid and the same UUID",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(SRC_UUID, "p0", "drv-A", "", "free")),
	  { .keep = true },
	  OK_,
	  "plan",
	  PLAN(R_SRC, MDEVCTL("p0", SRC_UUID, "drv-A", ""), R_SRC, "") },
	{ "reuse with --uuid and another UUID",
	  REC("", ""),
	  INV(TY("drv-A", 0, ""), DEV(DEV1, "p0", "drv-A", "", "free")),
	  { .uuid = ASKED },
	  BLOCK,
	  "reasons",
	  "[['NO_CAPACITY:0<1','UUID_CONFLICT']]" },

	/* retries: the device with the wanted UUID, on its own target with the target's attrs */
	{ "retry: the source's UUID runs with the type and attrs: existing, first, no capacity needed",
	  REC(UUID_SELF, ",'attr_defaults':{'agg':'1'},'compatible':[{'mdev_type':'drv-B'}]"),
	  INV2(TY("drv-A", 0, "") "," TY("drv-B", 1, ""), T(""),
	       DEV(SRC_UUID, "p0", "drv-A", "{'agg':'1'}", "in_use")),
	  { .hint = "p1" },
	  OK_,
	  "plan",
	  PLAN("{'action':'existing','parent':'p0','mdev_type':'drv-A','attrs':[],'uuid':'" SRC_UUID
	       "','uuid_changed':false,'pattern':0,'binding':{},'cost':1}",
	       MDEVCTL("p0", SRC_UUID, "drv-A", ""),
	       "{'action':'existing','parent':'p0','mdev_type':'drv-A','attrs':[],'uuid':'" SRC_UUID
	       "','uuid_changed':false,'pattern':0,'binding':{},'cost':1},"
	       "{'action':'create','parent':'p1','mdev_type':'drv-A','attrs':[],'uuid':'" FRESH
	       "','uuid_changed':true,'pattern':0,'binding':{},'cost':1},"
	       "{'action':'create','parent':'p0','mdev_type':'drv-B','attrs':[],'uuid':'" FRESH
	       "','uuid_changed':true,'pattern':1,'binding':{},'cost':1}",
	       "") },
	{ "retry: another type runs with the UUID: a fresh UUID elsewhere",
	  REC(UUID_SELF, ""),
	  INV2(T(""), T(""), DEV(SRC_UUID, "p0", "drv-B", "", "in_use")),
	  {},
	  OK_,
	  "order",
	  "create:p0:0 create:p1:0" },
	{ "retry: other attrs on the UUID's device: a fresh UUID, also on its target",
	  REC(UUID_SELF ",'mdev_attrs':[{'agg':'2'}]", ""),
	  INV(T(",'settable_attrs':{'agg':{'type':'int'}}"),
	      DEV(SRC_UUID, "p0", "drv-A", "{'agg':'4'}", "in_use")),
	  {},
	  OK_,
	  "chosen",
	  CREATE("p0", "drv-A", "{'agg':'2'}", FRESH, "true", 0, "", 1) },
	{ "retry: the device with the UUID is not acceptable: no existing",
	  REC(UUID_SELF ",'features':['f']", ""),
	  INV(T(""), DEV(SRC_UUID, "p0", "drv-A", "", "in_use")),
	  {},
	  NOPE,
	  "reasons",
	  "[['FEATURE_MISSING:f']]" },
	{ "retry under --keep-uuid: existing",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(SRC_UUID, "p0", "drv-A", "", "in_use")),
	  { .keep = true },
	  OK_,
	  "order",
	  "existing:p0:0" },
	{ "retry with --uuid: existing",
	  REC(UUID_SELF, ""),
	  INV(T(""), DEV(ASKED, "p0", "drv-A", "", "in_use")),
	  { .uuid = ASKED },
	  OK_,
	  "chosen",
	  "{'action':'existing','parent':'p0','mdev_type':'drv-A','attrs':[],'uuid':'" ASKED
	  "','uuid_changed':true,'pattern':0,'binding':{},'cost':1}" },
	{ "retry: a defined, stopped device with the UUID is started again, first",
	  REC(UUID_SELF, ""),
	  INV2(T(""), T(""), DEV(SRC_UUID, "p1", "drv-A", "", "defined")),
	  {},
	  OK_,
	  "candidates",
	  "[" CREATE("p1", "drv-A", "", SRC_UUID, "false", 0, "",
		     1) "," CREATE("p0", "drv-A", "", FRESH, "true", 0, "", 1) "]" },
	{ "retry: a defined device needs capacity to start",
	  REC(UUID_SELF, ""),
	  INV(TY("drv-A", 0, ""), DEV(SRC_UUID, "p0", "drv-A", "", "defined")),
	  {},
	  FULL,
	  "reasons",
	  "[['NO_CAPACITY:0<1']]" },
	{ "retry: order of a restart",
	  REC(UUID_SELF, ""),
	  INV2(T(""), T(""), DEV(SRC_UUID, "p1", "drv-A", "", "defined")),
	  {},
	  OK_,
	  "order",
	  "create(restart):p1:0 create:p0:0" },

	/* --parent: only that parent is examined */
	{ "--parent: the other parents are not examined",
	  REC("", ""),
	  INV2(T(""), T(""), ""),
	  { .only = "p1" },
	  OK_,
	  "order",
	  "create:p1:0" },
	{ "--parent: a type the parent does not have",
	  REC("", ",'compatible':[{'mdev_type':'drv-B'}]"),
	  INV2(TY("drv-B", 1, ""), T(""), ""),
	  { .only = "p1" },
	  OK_,
	  "rejections",
	  "[{'pattern':1,'binding':{},'parent':'p1','mdev_type':'drv-B','reasons':['TYPE_NOT_FOUND:drv-B']}]" },
	{ "--parent: nothing on it",
	  REC("", ""),
	  INV2(T(""), TY("drv-B", 1, ""), ""),
	  { .only = "p1" },
	  NOPE,
	  "reasons",
	  "[['TYPE_NOT_FOUND:drv-A']]" },
};

/* "action:parent:pattern" of each candidate, in rank order. */
static char *order_of(const struct compat_plan *p)
{
	struct strbuf sb = { 0 };
	sb_puts(&sb, "");
	for (size_t i = 0; i < compat_plan_n_candidates(p); i++) {
		const struct compat_choice *c = compat_plan_candidate(p, i);
		sb_printf(&sb, "%s%s%s:%s:%u", i ? " " : "", compat_choice_action(c),
			  c->restart ? "(restart)" : "", c->parent, c->pattern);
	}
	return sb_steal(&sb);
}

static char *part_of(const struct compat_plan *p, const char *what)
{
	if (streq(what, "order"))
		return order_of(p);
	json_t *plan = compat_plan_to_json(p, NULL);
	json_t *part = NULL;
	if (streq(what, "plan"))
		part = json_incref(plan);
	else if (streq(what, "reasons")) {
		part = json_array();
		size_t i;
		json_t *j;
		json_array_foreach (json_object_get(plan, "rejections"), i, j)
			json_array_append(part, json_object_get(j, "reasons"));
	} else
		part = json_incref(json_object_get(plan, what));
	char *s = dump(part);
	json_decref(part);
	json_decref(plan);
	return s;
}

static int parse_both(const char *record, const char *inventory, struct compat_record **ret_r,
		      struct compat_inventory **ret_inv)
{
	_cleanup_free_ char *rt = q(record), *it = q(inventory);
	int r = compat_record_parse(rt, strlen(rt), ret_r);
	if (r < 0)
		return r;
	r = compat_inventory_parse(it, strlen(it), ret_inv);
	if (r < 0)
		*ret_r = compat_record_free(*ret_r);
	return r;
}

static struct compat_select select_of(const struct opts *o)
{
	return (struct compat_select){
		.parent_hint = o->hint,
		.parent_only = o->only,
		.uuid = o->uuid,
		.keep_uuid = o->keep,
		.policy = o->policy,
		.mode = o->cold ? COMPAT_MODE_COLD : COMPAT_MODE_LIVE,
		.no_reuse = o->no_reuse,
		.autostart = o->autostart,
		.fresh_uuid = FRESH,
	};
}

static void test_cases(void)
{
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct mcase *c = &cases[i];
		_cleanup_compat_record_ struct compat_record *r = NULL;
		_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
		_cleanup_compat_plan_ struct compat_plan *p = NULL;

		if (parse_both(c->record, c->inventory, &r, &inv) < 0) {
			ok(false, "%s: parses: %s", c->name, err_get(0));
			continue;
		}
		struct compat_select sel = select_of(&c->o);
		if (compat_match(r, inv, &sel, &p) < 0) {
			ok(false, "%s: matches: %s", c->name, err_get(0));
			continue;
		}
		enum compat_verdict v = compat_plan_verdict(p);
		ok(v == c->verdict, "%s: verdict %s (want %s)", c->name,
		   compat_verdict_to_string(v), compat_verdict_to_string(c->verdict));
		ok(compat_verdict_exit_status(v) == c->exit_status, "%s: exit status %d", c->name,
		   c->exit_status);
		ok((compat_plan_chosen(p) != NULL) == (v == COMPAT_VERDICT_COMPATIBLE) &&
			   (compat_plan_chosen(p) == NULL ||
			    compat_plan_chosen(p) == compat_plan_candidate(p, 0)),
		   "%s: chosen is the first candidate exactly when compatible", c->name);
		_cleanup_free_ char *got = part_of(p, c->what);
		_cleanup_free_ char *want = q(c->want);
		is_str(got, want, "%s: %s", c->name, c->what);
	}
}

/* ---- COMPAT.md section 6 end to end ---- */

/* The record of section 2, verbatim. */
static const char section2_record[] =
	"{'schema':'mdev-compat/1','self':{'kind':'mdev','device_api':'vfio-pci',"
	"'driver':{'name':'i915','version':'1.1.0','version_scheme':'semver'},"
	"'mdev_type':'i915-GVTg_V5_2','uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001',"
	"'parent':'0000:00:02.0','pci':{'vendor':'0x8086','device':'0x591d',"
	"'subsystem_vendor':'0x8086','subsystem_device':'0x2212'},"
	"'mdev_attrs':[{'aggregator':'1'}],'features':['pv_ppgtt','pv_context'],'params':{},"
	"'vendor_fields':{'gvt_gen':'KBL-GT2'},'migration_flags':['STOP_COPY']},"
	"'attr_defaults':{'aggregator':'1'},"
	"'compatible':[{'vars':[{'name':'n','type':'int','values':[1,2,4,8]}],"
	"'mdev_type':'i915-GVTg_V5_${n}','mdev_attrs':[{'aggregator':'${n/2}'}],"
	"'cost':'${n/2}'}]}";

#define GVT_TYPE(n, avail, pci, params)                                                            \
	"{'mdev_type':'i915-GVTg_V5_" #n "','device_api':'vfio-pci','available_instances':" #avail \
	",'name':'GVTg_V5_" #n "','driver':{'name':'i915','version':'1.1.0'},"                     \
	"'pci':{" pci "},'features':['pv_ppgtt','pv_context']," params                             \
	"'vendor_fields':{'gvt_gen':'KBL-GT2'},'settable_attrs':{'aggregator':{'type':'int',"      \
	"'range':{'min':1,'max':8}}},'migration_flags':['STOP_COPY'],"                             \
	"'accepts':{'driver_version':{'min':'1.0.0'}}}"
#define PCI2 "'vendor':'0x8086','device':'0x591d'"
#define PCI4 PCI2 ",'subsystem_vendor':'0x8086','subsystem_device':'0x2212'"
#define ECC  "'params':{'ecc':{'type':'bool','default':true,'off':false,'attr':'ecc_enable'}},"
#define GVT_INV(types, devs)                                                              \
	"{'schema':'mdev-inventory/1','host':'dst1','parents':[{'parent':'0000:00:02.0'," \
	"'types':[" types "]}],'devices':[" devs "]}"

/* Section 4's inventory, with a V5_2 type that has no room left, and the facts section 6
 * assumes: the subsystem ids the record constrains, no param the source does not know, no free
 * V5_2 device. */
static const char section6_inventory[] =
	GVT_INV(GVT_TYPE(2, 0, PCI4, "") "," GVT_TYPE(4, 2, PCI4, ""), "");

static const char section6_plan[] =
	"{'schema':'mdev-compat-plan/1','verdict':'compatible',"
	"'chosen':{'action':'create','parent':'0000:00:02.0','mdev_type':'i915-GVTg_V5_4',"
	"'attrs':[{'aggregator':'2'}],'uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001',"
	"'uuid_changed':false,'pattern':1,'binding':{'n':4},'cost':2},"
	"'mdevctl':{'parent':'0000:00:02.0','uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001',"
	"'config':{'mdev_type':'i915-GVTg_V5_4','start':'manual','attrs':[{'aggregator':'2'}]}},"
	"'candidates':[{'action':'create','parent':'0000:00:02.0','mdev_type':'i915-GVTg_V5_4',"
	"'attrs':[{'aggregator':'2'}],'uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001',"
	"'uuid_changed':false,'pattern':1,'binding':{'n':4},'cost':2}],"
	"'rejections':[{'pattern':0,'binding':{},'parent':'0000:00:02.0',"
	"'mdev_type':'i915-GVTg_V5_2','reasons':['NO_CAPACITY:0<1']},"
	"{'pattern':1,'binding':{'n':1},'reasons':['BINDING_INVALID:n/2=1/2']},"
	"{'pattern':1,'binding':{'n':8},'mdev_type':'i915-GVTg_V5_8',"
	"'reasons':['TYPE_NOT_FOUND:i915-GVTg_V5_8']}]}";

static const char section6_text[] =
	"verdict: compatible\n"
	"chosen: create i915-GVTg_V5_4 on 0000:00:02.0 as 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001; pattern 1 with n=4; cost 2; attrs aggregator=2\n"
	"rejected: pattern 0, i915-GVTg_V5_2 on 0000:00:02.0: no capacity: 0 available, 1 needed\n"
	"rejected: pattern 1 with n=1: binding invalid: n/2 = 1/2 is not a whole number\n"
	"rejected: pattern 1 with n=8, i915-GVTg_V5_8: type not found on any parent\n";

static void test_section6(void)
{
	_cleanup_compat_record_ struct compat_record *r = NULL;
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	struct compat_plan *p = NULL;
	struct compat_select sel = { .fresh_uuid = FRESH };

	if (parse_both(section2_record, section6_inventory, &r, &inv) < 0) {
		ok(false, "section 6: parses: %s", err_get(0));
		return;
	}
	ok(compat_match(r, inv, &sel, &p) == 0, "section 6: matches");
	/* The plan owns what it shows: free its inputs first (valgrind checks the rest). */
	r = compat_record_free(r);
	inv = compat_inventory_free(inv);

	ok(compat_plan_verdict(p) == COMPAT_VERDICT_COMPATIBLE, "section 6: compatible");
	_cleanup_free_ char *got = part_of(p, "plan"), *want = q(section6_plan);
	is_str(got, want, "section 6: the plan");

	const struct compat_choice *c = compat_plan_chosen(p);
	ok(c && !c->reuse && streq(c->parent, "0000:00:02.0") &&
		   streq(c->mdev_type, "i915-GVTg_V5_4") && streq(c->uuid, SRC_UUID) &&
		   !c->uuid_changed && c->n_attrs == 1 && streq(c->attrs[0].name, "aggregator") &&
		   streq(c->attrs[0].value, "2") && c->cost == 2 && c->pattern == 1 &&
		   c->binding == 2 && c->available == 2,
	   "section 6: the chosen candidate's facts");
	ok(compat_plan_n_candidates(p) == 1 && compat_plan_candidate(p, 1) == NULL &&
		   compat_plan_n_rejections(p) == 3,
	   "section 6: one candidate, three rejections");

	struct strbuf sb = { 0 };
	compat_plan_format(p, NULL, &sb);
	is_str(sb.buf, section6_text, "section 6: the readable plan");
	sb_free(&sb);
	compat_plan_format_ex(p, NULL, 0, &sb);
	is_str(sb.buf,
	       "verdict: compatible\n"
	       "chosen: create i915-GVTg_V5_4 on 0000:00:02.0 as 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001; pattern 1 with n=4; cost 2; attrs aggregator=2\n"
	       "rejected: pattern 0, i915-GVTg_V5_2 on 0000:00:02.0: no capacity: 0 available, 1 needed\n"
	       "not shown: 1 binding that does not apply, 1 type the destination does not have (--verbose shows them)\n",
	       "section 6: the readable plan, without what is no advice");
	sb_free(&sb);

	/* With a host: the first member of the JSON, the first line of the text. */
	json_t *j = compat_plan_to_json(p, "dst1");
	_cleanup_free_ char *s = dump(j);
	ok(startswith(s, "{\"schema\":\"mdev-compat-plan/1\",\"host\":\"dst1\",\"verdict\":"
			 "\"compatible\",\"chosen\":{"),
	   "section 6: the schema, then the host first in the JSON");
	json_decref(j);
	compat_plan_format(p, "dst1", &sb);
	ok(startswith(sb.buf, "host dst1: compatible\nchosen: create "),
	   "section 6: host on the first line");
	sb_free(&sb);
	compat_plan_free(p);
}

/* Section 4's inventory as written (plus a V5_2 type with no room): the record constrains
 * subsystem ids the V5_4 type does not report, the source does not use the ecc param, and the
 * free V5_2 device is reused. */
static void test_section4_as_written(void)
{
	static const char inventory[] = GVT_INV(
		GVT_TYPE(2, 0, PCI4, "") "," GVT_TYPE(4, 2, PCI2, ECC),
		"{'uuid':'5cf14a12-a437-4c82-a13f-70e945782d7b','parent':'0000:00:02.0',"
		"'mdev_type':'i915-GVTg_V5_2','attrs':[{'aggregator':'1'}],'state':'free'}");
	static const char want[] =
		"verdict: compatible\n"
		"chosen: reuse i915-GVTg_V5_2 on 0000:00:02.0 as 5cf14a12-a437-4c82-a13f-70e945782d7b (not the source's UUID); pattern 0; cost 1; attrs none\n"
		"rejected: pattern 1 with n=1: binding invalid: n/2 = 1/2 is not a whole number\n"
		"rejected: pattern 1 with n=4, i915-GVTg_V5_4 on 0000:00:02.0: PCI id mismatch: the source's subsystem_vendor is 0x8086, the destination reports none; PCI id mismatch: the source's subsystem_device is 0x2212, the destination reports none\n"
		"rejected: pattern 1 with n=8, i915-GVTg_V5_8: type not found on any parent\n";
	_cleanup_compat_record_ struct compat_record *r = NULL;
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	_cleanup_compat_plan_ struct compat_plan *p = NULL;
	struct compat_select sel = { .fresh_uuid = FRESH };

	if (parse_both(section2_record, inventory, &r, &inv) < 0 ||
	    compat_match(r, inv, &sel, &p) < 0) {
		ok(false, "section 4 as written: %s", err_get(0));
		return;
	}
	struct strbuf sb = { 0 };
	compat_plan_format(p, NULL, &sb);
	is_str(sb.buf, want, "section 4 as written: the readable plan");
	sb_free(&sb);

	/* Without reuse and with the subsystem ids, the ecc param is switched off by a write. */
	static const char inventory2[] =
		GVT_INV(GVT_TYPE(2, 0, PCI4, "") "," GVT_TYPE(4, 2, PCI4, ECC), "");
	compat_inventory_free(TAKE_PTR(inv));
	compat_plan_free(TAKE_PTR(p));
	_cleanup_free_ char *it = q(inventory2);
	if (compat_inventory_parse(it, strlen(it), &inv) < 0 ||
	    compat_match(r, inv, &sel, &p) < 0) {
		ok(false, "section 4 with ecc: %s", err_get(0));
		return;
	}
	_cleanup_free_ char *got = part_of(p, "chosen");
	_cleanup_free_ char *w =
		q(CREATE("0000:00:02.0", "i915-GVTg_V5_4", "{'aggregator':'2'},{'ecc_enable':'0'}",
			 SRC_UUID, "false", 1, "'n':4", 2));
	is_str(got, w, "section 4 with ecc: the param write follows the attrs");
}

/* ---- the readable plan of every kind of reason; ranks, fresh UUIDs, what is not shown ---- */

static void test_format_reasons(void)
{
	static const struct {
		const char *record, *inventory;
		struct opts o;
		const char *want;
		bool brief; /* without COMPAT_FORMAT_VERBOSE */
	} fc[] = {
		{ REC(",'driver':{'name':'i915','version':'1.2.0'},'vendor_fields':{'gen':'KBL'},"
		      "'features':['a','c','b'],'params':{'lvl':9,'x':1},'mdev_attrs':[{'agg':'0x'},"
		      "{'foo':'1'}],'migration_flags':['STOP_COPY']",
		      ",'requires':{'migration_flags':['P2P']},'feature_match':'exact'"),
		  INV("{'mdev_type':'drv-A','device_api':'vfio-ccw','available_instances':0,"
		      "'driver':{'name':'nvidia','version':'2.0.0'},'features':['a','d'],"
		      "'params':{'lvl':{'type':'int','range':{'min':1,'max':8}},"
		      "'ecc':{'type':'bool','default':true},'m':{'type':'bool','default':true,'off':false}},"
		      "'vendor_fields':{'gen':'kbl','z':'1'},'settable_attrs':{'agg':{'type':'int'}},"
		      "'accepts':{'driver_version':{'min':'1.3.0'}}}",
		      ""),
		  {},
		  "verdict: incompatible\n"
		  "chosen: none\n"
		  "rejected: pattern 0, drv-A on p0: device API mismatch: the source has vfio-pci, the destination vfio-ccw; "
		  "driver name mismatch: the source has i915, the destination nvidia; "
		  "driver version out of range: the destination's 2.0.0 is not accepted for the source's 1.2.0; "
		  "the destination does not accept the source's driver version 1.2.0; "
		  "migration unsupported: the destination does not offer STOP_COPY; "
		  "migration flag missing on the destination: P2P; "
		  "feature missing on the destination: b, c; "
		  "feature extra on the destination, where an exact match is required: d; "
		  "param value not allowed on the destination: lvl = 9; "
		  "param unsupported on the destination: x; "
		  "param cannot be switched off on the destination: ecc (the source does not use it); "
		  "param not settable on the destination: switching m off (false) needs an attribute to write; "
		  "vendor field mismatch: gen is \"KBL\" on the source, \"kbl\" on the destination; "
		  "vendor field extra on the destination: z; "
		  "attr value not allowed on the destination: agg = 0x (allowed: an integer); "
		  "attr not settable on the destination: foo; "
		  "no capacity: 0 available, 1 needed\n" },
		{ REC(",'driver':{'name':'drv','version':'1.2.0'},'pci':{'device':'0x1'}"
		      ",'params':{'lvl':3}" UUID_SELF,
		      ",'compatible':[{'vars':[{'name':'n','type':'int','values':[4611686018427387904]},"
		      "{'name':'s','type':'enum','values':['a\\nb']}],'cost':'${n*2}'},"
		      "{'vars':[{'name':'n','type':'int','values':[-1]}],'mdev_attrs':[{'agg':'${n}'}]},"
		      "{'vars':[{'name':'n','type':'int','values':[1]}],'cost':'${n-1}'}]"),
		  INV("{'mdev_type':'drv-A','device_api':'vfio-pci','available_instances':1,"
		      "'driver':{'name':'drv'},'pci':{'device':'0x3'},'params':{'lvl':{'type':'int','default':1}}}",
		      DEV(SRC_UUID, "p0", "drv-B", "", "in_use")),
		  { .keep = true },
		  "verdict: incompatible\n"
		  "chosen: none\n"
		  "rejected: pattern 0, drv-A on p0: driver version unknown: the destination reports none; "
		  "PCI id mismatch: the source's device is 0x1, the destination's 0x3; "
		  "param not settable on the destination: lvl = 3 needs an attribute to write; "
		  "UUID conflict: " SRC_UUID
		  " (the source's UUID, to be kept) is already used on the destination, by drv-B on p0, in use\n"
		  "rejected: pattern 1 with n=4611686018427387904, s=a\\x0ab: binding invalid: n*2 = 4611686018427387904*2 overflows\n"
		  "rejected: pattern 2 with n=-1: binding invalid: attr agg = -1 is negative\n"
		  "rejected: pattern 3 with n=1: binding invalid: cost = 0 is not an integer of at least 1\n" },
		{ REC("," DRV("1.2.0"),
		      ",'self_is_candidate':false,"
		      "'compatible':[{'pci':{'vendor':{'in':['0x8086','0x8087']}}}]"),
		  INV2(TY("drv-A", 0, "," DRV("1.2.0") ",'pci':{'vendor':'0x8087'}"),
		       TY("drv-A", 0, "," DRV("1.1.0")), DEV(DEV1, "p0", "drv-A", "", "free")),
		  { .uuid = ASKED, .policy = COMPAT_POLICY_SPREAD },
		  "host h\\x09: blocked\n"
		  "chosen: none\n"
		  "rejected: pattern 1, drv-A on p0: no capacity: 0 available, 1 needed; UUID conflict: no free device of this type has UUID " ASKED
		  "\n"
		  "rejected: pattern 1, drv-A on p1: driver version out of range: the destination's 1.1.0 is not accepted for the source's 1.2.0; "
		  "PCI id mismatch: the source's vendor is one of 0x8086, 0x8087, the destination reports none; "
		  "no capacity: 0 available, 1 needed\n" },
		/* the source's UUID taken by another type: a new UUID, said why; the second
		 * candidate has rank 2 */
		{ REC(UUID_SELF,
		      ",'compatible':[{'vars':[{'name':'n','type':'int','values':[1,2,3]}],"
		      "'mdev_type':'drv-${n}'}]"),
		  INV2(T(""), T(""), DEV(SRC_UUID, "p0", "drv-B", "", "defined")),
		  {},
		  "verdict: compatible\n"
		  "chosen: create drv-A on p0 as a new UUID (the source's " SRC_UUID
		  " is taken, by drv-B on p0, defined); pattern 0; cost 1; attrs none\n"
		  "candidate 2: create drv-A on p1 as a new UUID (the source's " SRC_UUID
		  " is taken, by drv-B on p0, defined); pattern 0; cost 1; attrs none\n"
		  "not shown: 3 types the destination does not have (--verbose shows them)\n",
		  true },
		/* no source UUID: a new one; with VERBOSE every rejection */
		{ REC("", ",'compatible':[{'vars':[{'name':'n','type':'int','values':[1,2]}],"
			  "'mdev_type':'drv-${n}','cost':'${n/2}'}]"),
		  INV(T(""), ""),
		  {},
		  "verdict: compatible\n"
		  "chosen: create drv-A on p0 as a new UUID; pattern 0; cost 1; attrs none\n"
		  "rejected: pattern 1 with n=1: binding invalid: n/2 = 1/2 is not a whole number\n"
		  "rejected: pattern 1 with n=2, drv-2: type not found on any parent\n" },
		/* nothing fits: every candidate line is absent, the summary still counts */
		{ REC("", ",'compatible':[{'mdev_type':'drv-Z'}]"),
		  INV(TY("drv-A", 0, ""), ""),
		  {},
		  "verdict: no-capacity\n"
		  "chosen: none\n"
		  "rejected: pattern 0, drv-A on p0: no capacity: 0 available, 1 needed\n"
		  "not shown: 1 type the destination does not have (--verbose shows them)\n",
		  true },
		/* what an attr allows, said */
		{ REC(",'mdev_attrs':[{'r':'9'},{'l':'3'},{'b':'maybe'},{'s':'x'},{'n':'1'}]", ""),
		  INV(T(",'settable_attrs':{'r':{'type':'int','range':{'min':1,'max':8}},"
			"'l':{'type':'int','allowed':[1,2,4]},'b':{'type':'bool','allowed':[true]},"
			"'s':{'type':'string','allowed':['a','b']},'n':{'type':'bool','allowed':[false]}}"),
		      ""),
		  {},
		  "verdict: incompatible\n"
		  "chosen: none\n"
		  "rejected: pattern 0, drv-A on p0: attr value not allowed on the destination: r = 9 (allowed: 1 to 8); "
		  "attr value not allowed on the destination: l = 3 (allowed: 1, 2, 4); "
		  "attr value not allowed on the destination: b = maybe (allowed: true); "
		  "attr value not allowed on the destination: s = x (allowed: \"a\", \"b\"); "
		  "attr value not allowed on the destination: n = 1 (allowed: false)\n",
		  true },
		/* --parent: a type not on that parent */
		{ REC("", ",'compatible':[{'mdev_type':'drv-B'}]"),
		  INV2(T(""), T(""), ""),
		  { .only = "p1" },
		  "verdict: compatible\n"
		  "chosen: create drv-A on p1 as a new UUID; pattern 0; cost 1; attrs none\n"
		  "rejected: pattern 1, drv-B on p1: type not found on this parent\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(fc); i++) {
		_cleanup_compat_record_ struct compat_record *r = NULL;
		_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
		_cleanup_compat_plan_ struct compat_plan *p = NULL;
		struct compat_select sel = select_of(&fc[i].o);
		if (parse_both(fc[i].record, fc[i].inventory, &r, &inv) < 0 ||
		    compat_match(r, inv, &sel, &p) < 0) {
			ok(false, "format %zu: %s", i, err_get(0));
			continue;
		}
		struct strbuf sb = { 0 };
		compat_plan_format_ex(p, i == 2 ? "h\t" : NULL,
				      fc[i].brief ? 0 : COMPAT_FORMAT_VERBOSE, &sb);
		is_str(sb.buf, fc[i].want, "format %zu: every reason in words", i);
		sb_free(&sb);
	}
}

/* This host's running device without a definition: what it was written is unknown, its attrs
 * are what its files read now. It is the existing answer on its own target when every write
 * reads back so (numbers as the kernel reads them; an unreadable file on trust). */
static void test_attrs_unknown(void)
{
	static const struct {
		const char *observed; /* agg's value, NULL: unreadable, "-": no such file */
		bool existing;
	} oc[] = { { "-", false }, { "2", true }, { "0x2", true }, { "4", false }, { NULL, true } };
	_cleanup_compat_record_ struct compat_record *r = NULL;
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	struct compat_select sel = { .fresh_uuid = FRESH };

	if (parse_both(REC(UUID_SELF ",'mdev_attrs':[{'agg':'2'}]", ""),
		       INV(T(",'settable_attrs':{'agg':{'type':'int'}}"),
			   DEV(SRC_UUID, "p0", "drv-A", "", "in_use")),
		       &r, &inv) < 0) {
		ok(false, "attrs unknown: parses: %s", err_get(0));
		return;
	}
	struct compat_inv_device *d = &inv->devices[0];
	for (size_t i = 0; i < ELEMENTSOF(oc); i++) {
		_cleanup_compat_plan_ struct compat_plan *p = NULL;
		d->attrs_unknown = true;
		if (!oc[i].observed || !streq(oc[i].observed, "-")) {
			d->attrs = xcalloc(1, sizeof(*d->attrs));
			d->attrs[0] = (struct compat_attr){
				.name = xstrdup("agg"),
				.value = { .text = oc[i].observed ? xstrdup(oc[i].observed) : NULL }
			};
			d->n_attrs = 1;
		}
		ok(compat_match(r, inv, &sel, &p) == 0, "attrs unknown %zu: matches", i);
		const struct compat_choice *c = compat_plan_chosen(p);
		if (oc[i].existing)
			ok(c && c->existing && c->verify_attrs && streq(c->uuid, SRC_UUID) &&
				   c->n_attrs == 1 && compat_plan_n_candidates(p) == 1,
			   "attrs unknown %zu (%s): existing, to be verified, no second device there",
			   i, oc[i].observed ? oc[i].observed : "unreadable");
		else
			ok(c && !c->existing && c->uuid_from == COMPAT_UUID_FRESH,
			   "attrs unknown %zu (%s): a new device with a fresh UUID", i,
			   oc[i].observed);
		if (d->n_attrs) {
			free(d->attrs[0].name);
			free(d->attrs[0].value.text);
		}
		free(d->attrs);
		d->attrs = NULL;
		d->n_attrs = 0;
	}
}

/* ---- the rest of the API ---- */

static void test_names(void)
{
	static const struct {
		enum compat_verdict v;
		const char *name;
		int exit_status;
	} v[] = {
		{ COMPAT_VERDICT_COMPATIBLE, "compatible", 0 },
		{ COMPAT_VERDICT_NO_CAPACITY, "no-capacity", 4 },
		{ COMPAT_VERDICT_BLOCKED, "blocked", 5 },
		{ COMPAT_VERDICT_INCOMPATIBLE, "incompatible", 3 },
	};
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		is_str(compat_verdict_to_string(v[i].v), v[i].name, "verdict %zu is %s", i,
		       v[i].name);
		ok(compat_verdict_exit_status(v[i].v) == v[i].exit_status, "%s exits %d", v[i].name,
		   v[i].exit_status);
	}
	ok(compat_verdict_to_string((enum compat_verdict)9) == NULL &&
		   compat_verdict_exit_status((enum compat_verdict)9) == 1,
	   "a verdict outside the enum");

	static const char *const policies[] = { "first-fit", "spread", "pack" };
	for (size_t i = 0; i < ELEMENTSOF(policies); i++) {
		enum compat_policy p = COMPAT_POLICY_PACK + 1;
		ok(compat_policy_from_string(policies[i], &p) == 0 && p == (enum compat_policy)i &&
			   streq(compat_policy_to_string(p), policies[i]),
		   "policy %s", policies[i]);
	}
	enum compat_policy p = COMPAT_POLICY_SPREAD;
	ok(compat_policy_from_string("Spread", &p) == -EINVAL &&
		   compat_policy_from_string("", &p) == -EINVAL &&
		   compat_policy_from_string(NULL, &p) == -EINVAL && p == COMPAT_POLICY_SPREAD,
	   "unknown policies are refused, *ret untouched");
	enum compat_mode m = COMPAT_MODE_COLD;
	ok(compat_mode_from_string("live", &m) == 0 && m == COMPAT_MODE_LIVE &&
		   compat_mode_from_string("cold", &m) == 0 && m == COMPAT_MODE_COLD &&
		   compat_mode_from_string("warm", &m) == -EINVAL && m == COMPAT_MODE_COLD,
	   "modes");
}

static void test_bad_select(void)
{
	_cleanup_compat_record_ struct compat_record *r = NULL;
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	struct compat_plan *p = NULL;

	if (parse_both(REC("", ""), INV(T(""), ""), &r, &inv) < 0) {
		ok(false, "bad selection: parses");
		return;
	}
	struct compat_select none = { 0 };
	struct compat_select upper = { .fresh_uuid = "0F0F0F0F-0000-4000-8000-000000000001" };
	struct compat_select asked = { .fresh_uuid = FRESH, .uuid = "not-a-uuid" };
	struct compat_select policy = { .fresh_uuid = FRESH, .policy = (enum compat_policy)7 };
	ok(compat_match(r, inv, NULL, &p) == -EINVAL && !p, "no selection");
	ok(compat_match(r, inv, &none, &p) == -EINVAL && !p, "no fresh UUID");
	ok(compat_match(r, inv, &upper, &p) == -EINVAL && !p, "fresh UUID not canonical");
	ok(compat_match(r, inv, &asked, &p) == -EINVAL && !p, "--uuid not canonical");
	ok(compat_match(r, inv, &policy, &p) == -EINVAL && !p, "policy outside the enum");
	err_clear();
}

static void test_undeclared_variable(void)
{
	/* Self alone would match; a variable nobody declares, in a pattern that would never be
	 * reached, still makes the record invalid (the CLI exits 6 before matching). */
	_cleanup_free_ char *t = q(REC("", ",'compatible':[{'mdev_type':'drv-A'},"
					   "{'vars':[{'name':'n','type':'int','values':[1]}],"
					   "'mdev_type':'drv-${m}'}]"));
	struct compat_record *r = NULL;
	err_clear();
	ok(compat_record_parse(t, strlen(t), &r) == -EINVAL && !r &&
		   streq(err_get(0), "$.compatible[1].mdev_type: UNDECLARED_VARIABLE:m"),
	   "an undeclared variable in an unreached pattern: %s", err_get(0));
	err_clear();
}

static struct compat_plan *plan_for(const char *record, const char *inventory)
{
	struct compat_record *r = NULL;
	struct compat_inventory *inv = NULL;
	struct compat_plan *p = NULL;
	struct compat_select sel = { .fresh_uuid = FRESH };
	if (parse_both(record, inventory, &r, &inv) == 0)
		(void)compat_match(r, inv, &sel, &p);
	compat_record_free(r);
	compat_inventory_free(inv);
	return p;
}

static void test_rank(void)
{
	struct compat_plan *plans[6] = {
		plan_for(REC("", ""), INV(TY("drv-B", 1, ""), "")), /* incompatible */
		plan_for(REC("", ""), INV(T(""), "")),		    /* compatible */
		plan_for(REC(UUID_SELF, ",'self_is_candidate':true"),
			 INV(T(""), DEV(SRC_UUID, "p0", "drv-A", "", "in_use"))), /* compatible */
		plan_for(REC("", ""), INV(TY("drv-A", 0, ""), "")),		  /* no-capacity */
		NULL,								  /* no plan */
		plan_for(REC("", ""), INV(T(""), "")),				  /* compatible */
	};
	ok(plans[0] && plans[1] && plans[2] && plans[3] && plans[5], "rank: plans built");
	ok(plans[3] && compat_plan_verdict(plans[3]) == COMPAT_VERDICT_NO_CAPACITY,
	   "rank: a no-capacity plan");

	/* A blocked plan. */
	_cleanup_compat_record_ struct compat_record *r = NULL;
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	struct compat_select keep = { .fresh_uuid = FRESH, .keep_uuid = true };
	if (parse_both(REC(UUID_SELF, ""), INV(T(""), DEV(SRC_UUID, "p0", "drv-B", "", "in_use")),
		       &r, &inv) == 0) {
		compat_plan_free(plans[4]);
		plans[4] = NULL;
		(void)compat_match(r, inv, &keep, &plans[4]);
	}
	ok(plans[4] && compat_plan_verdict(plans[4]) == COMPAT_VERDICT_BLOCKED, "rank: blocked");

	size_t order[6];
	compat_plans_rank((const struct compat_plan *const *)plans, 6, order);
	ok(order[0] == 1 && order[1] == 2 && order[2] == 5 && order[3] == 3 && order[4] == 4 &&
		   order[5] == 0,
	   "rank: compatible (in the given order), no-capacity, blocked, incompatible: %zu %zu %zu %zu %zu %zu",
	   order[0], order[1], order[2], order[3], order[4], order[5]);

	/* A NULL plan goes last; n = 0 writes nothing. */
	const struct compat_plan *two[2] = { NULL, plans[0] };
	size_t o2[2];
	compat_plans_rank(two, 2, o2);
	ok(o2[0] == 1 && o2[1] == 0, "rank: a missing plan last");
	compat_plans_rank(two, 0, o2);
	for (size_t i = 0; i < ELEMENTSOF(plans); i++)
		compat_plan_free(plans[i]);
	ok(compat_plan_free(NULL) == NULL, "compat_plan_free(NULL)");
}

int main(void)
{
	test_names();
	test_cases();
	test_section6();
	test_section4_as_written();
	test_format_reasons();
	test_attrs_unknown();
	test_bad_select();
	test_undeclared_variable();
	test_rank();
	return tap_done();
}
