// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: a compatibility rule file (mdev-compat-rules/1, a compat.d file), written by a
 * vendor package or an administrator: the parser and validator (compat_rules_add()), then the
 * lookups mdevctl does per type with the entries accepted: the merged type facts and record
 * part of a few type ids (checked again as facts, as the host does before layering them), and
 * the merge of a second copy of the facts over the first. */
#include <stdint.h>
#include <stdlib.h>

#include "compat-rules.h"
#include "error.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Type ids of the kernel's samples and of real vendors, to match the globs seen in the seeds. */
static const char *const type_ids[] = {
	"mtty-1",	  "mtty-2",	    "mdpy-vga",	 "mbochs-4",
	"i915-GVTg_V5_4", "i915-GVTg_V5_8", "nvidia-35", "vfio_ap-passthrough",
	"vfio_ccw-io",	  "simgpu-a",	    "[x]",	 "*",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_compat_rules_ struct compat_rules *rules = compat_rules_new();

	log_set_level(LOG_OFF);
	if (compat_rules_add(rules, "fuzz.json", (const char *)data, size) < 0) {
		if (compat_rules_count(rules) != 0)
			abort(); /* a refused file must leave the set unchanged */
		err_clear();
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(type_ids); i++) {
		json_t *d = compat_rules_descriptor(rules, type_ids[i]);
		json_t *rec = compat_rules_record(rules, type_ids[i]);
		if (d) {
			(void)compat_facts_validate(d, "fuzz");
			json_t *twice = json_deep_copy(d);
			compat_json_merge(twice, d);
			if (!json_equal(twice, d))
				abort(); /* merging facts over themselves changes nothing */
			json_decref(twice);
		}
		json_decref(d);
		json_decref(rec);
		err_clear();
	}
	err_clear();
	return 0;
}
