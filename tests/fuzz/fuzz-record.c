// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: a migration-compatibility record (mdev-compat/1), which arrives from another
 * host: the strict parser and validator (compat_record_parse()), then what mdevctl does with a
 * record it accepted: its Placement traits, the expansion of every template of every pattern
 * under each binding (a bounded number per pattern), and the matcher against a fixed
 * destination inventory with the plan in both output forms. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat-match.h"
#include "compat-record.h"
#include "compat-traits.h"
#include "error.h"
#include "json-io.h"
#include "log.h"

/* Bindings expanded per pattern: enough to reach the arithmetic's edges, few enough that one
 * input costs little. */
#define BINDINGS_PER_PATTERN 64
#define FRESH_UUID	     "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A destination with an i915 parent (aggregation, a param, accepts), an mtty parent and a free
 * device to reuse; ' stands for ". */
static const char inventory_text[] =
	"{'schema':'mdev-inventory/1','host':'dst','parents':["
	"{'parent':'0000:00:02.0','types':["
	"{'mdev_type':'i915-GVTg_V5_2','device_api':'vfio-pci','available_instances':3,"
	"'driver':{'name':'i915','version':'1.1.0'},'pci':{'vendor':'0x8086','device':'0x591d'},"
	"'features':['pv_ppgtt','pv_context'],'vendor_fields':{'gvt_gen':'KBL-GT2'},"
	"'migration_flags':['STOP_COPY']},"
	"{'mdev_type':'i915-GVTg_V5_4','device_api':'vfio-pci','available_instances':2,"
	"'name':'GVTg_V5_4','driver':{'name':'i915','version':'1.2.0'},"
	"'pci':{'vendor':'0x8086','device':'0x591d'},'features':['pv_ppgtt'],"
	"'params':{'ecc':{'type':'bool','default':true,'off':false,'attr':'ecc_enable'},"
	"'mode':{'type':'string','allowed':['fast','slow'],'default':'fast'},"
	"'lanes':{'type':'int','range':{'min':1,'max':16},'default':4}},"
	"'vendor_fields':{'gvt_gen':'KBL-GT2'},"
	"'settable_attrs':{'aggregator':{'type':'int','range':{'min':1,'max':8}},"
	"'ecc_enable':{'type':'bool'},'label':{'type':'string','allowed':['a','b']}},"
	"'migration_flags':['STOP_COPY','PRE_COPY'],"
	"'accepts':{'driver_version':{'min':'1.0.0'}}},"
	"{'mdev_type':'i915-GVTg_V5_8','device_api':'vfio-pci','available_instances':0,"
	"'driver':{'name':'i915','version':'1.1.0','version_scheme':'semver'}}]},"
	"{'parent':'mtty','types':["
	"{'mdev_type':'mtty-1','device_api':'vfio-pci','available_instances':24},"
	"{'mdev_type':'mtty-2','device_api':'vfio-pci','available_instances':12,"
	"'driver':{'name':'mtty','version':'2.0','version_scheme':'dotted'}}]}],"
	"'devices':[{'uuid':'5cf14a12-a437-4c82-a13f-70e945782d7b','parent':'0000:00:02.0',"
	"'mdev_type':'i915-GVTg_V5_4','attrs':[{'aggregator':'2'}],'state':'free'},"
	"{'uuid':'83b8f4f2-509f-382f-3c1e-e6bfe0fa1001','parent':'mtty','mdev_type':'mtty-2',"
	"'state':'in_use'}]}";

static struct compat_inventory *inventory;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *text = xstrdup(inventory_text);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	log_set_level(LOG_OFF);
	if (compat_inventory_parse(text, strlen(text), &inventory) < 0) {
		/* the harness is wrong, not the code under test */
		fprintf(stderr, "fuzz-record: the built-in inventory: %s\n", err_get(0));
		abort();
	}
	free(text);
	return 0;
}

static void expand(const struct compat_tvalue *v, const struct compat_pattern *p,
		   const struct compat_binding *b)
{
	char *s = NULL, *reason = NULL;
	if (!v->text)
		return;
	int r = compat_tvalue_expand(v, &p->vars, b, &s, &reason);
	if ((r == 0) != (s != NULL) || (r < 0) != (reason != NULL))
		abort(); /* exactly one of the results, as compat-template.h promises */
	free(s);
	free(reason);
}

static void expand_patterns(const struct compat_record *r)
{
	for (size_t k = 0; k < r->n_patterns; k++) {
		const struct compat_pattern *p = &r->patterns[k];
		struct compat_binding b;
		size_t n = 0;
		for (bool more = compat_binding_first(&p->vars, &b);
		     more && n < BINDINGS_PER_PATTERN;
		     more = compat_binding_next(&p->vars, &b), n++) {
			expand(&p->d.mdev_type, p, &b);
			expand(&p->cost, p, &b);
			for (size_t i = 0; i < p->d.n_attrs; i++)
				expand(&p->d.attrs[i].value, p, &b);
			for (size_t i = 0; i < p->d.n_params; i++)
				if (p->d.params[i].value.type == COMPAT_SCALAR_STRING)
					expand(&p->d.params[i].value.s, p, &b);
			struct strbuf sb = { 0 };
			compat_binding_format(&p->vars, &b, &sb);
			sb_free(&sb);
		}
	}
}

static void traits(const struct compat_record *r)
{
	struct strv req = { 0 }, any = { 0 };
	if (compat_record_traits(r, &req, &any) == 0) {
		struct strbuf sb = { 0 };
		compat_traits_format_record(&req, &any, &sb);
		sb_free(&sb);
	}
	strv_free(&req);
	strv_free(&any);
}

static void match(const struct compat_record *r, const struct compat_select *sel)
{
	_cleanup_compat_plan_ struct compat_plan *plan = NULL;
	if (compat_match(r, inventory, sel, &plan) < 0)
		abort(); /* never fails on a valid record and inventory */
	json_t *j = compat_plan_to_json(plan, "dst");
	free(json_io_pretty(j));
	json_decref(j);
	struct strbuf sb = { 0 };
	compat_plan_format(plan, "dst", &sb);
	sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_compat_record_ struct compat_record *r = NULL;
	if (compat_record_parse((const char *)data, size, &r) == 0) {
		traits(r);
		expand_patterns(r);
		/* The defaults, then every other option set. */
		match(r, &(struct compat_select){ .fresh_uuid = FRESH_UUID });
		match(r, &(struct compat_select){ .parent_hint = "0000:00:02.0",
						  .keep_uuid = true,
						  .policy = COMPAT_POLICY_PACK,
						  .mode = COMPAT_MODE_COLD,
						  .no_reuse = true,
						  .autostart = true,
						  .fresh_uuid = FRESH_UUID });
		match(r, &(struct compat_select){ .uuid = "5cf14a12-a437-4c82-a13f-70e945782d7b",
						  .policy = COMPAT_POLICY_SPREAD,
						  .fresh_uuid = FRESH_UUID });
	}
	err_clear();
	return 0;
}
