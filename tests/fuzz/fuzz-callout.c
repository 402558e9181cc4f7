// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: what a callout script prints on stdout, read by the three parsers of callout.h:
 * the capabilities answer, the `get attributes` answer (appended to a device whose definition
 * is then built) and the `get compat` answer. Compat facts the validator accepts are layered
 * over a type's sysfs facts as compat-host.c does, and the inventory holding that type must
 * then parse: valid facts must never make the host's own inventory invalid (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "callout.h"
#include "compat-record.h"
#include "compat-rules.h"
#include "error.h"
#include "json-io.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void attributes(const char *out, size_t len)
{
	_cleanup_mdev_ struct mdev *dev = mdev_new("5e8d3f2a-7b1c-4d6e-9f0a-1b2c3d4e5f60");
	mdev_set_parent(dev, "0000:00:02.0");
	mdev_set_type(dev, "i915-GVTg_V5_4");
	if (callout_parse_attributes(dev, out, len) == 0) {
		json_t *conf = json_io_config(dev);
		free(json_io_pretty(conf));
		json_decref(conf);
	}
	err_clear();
}

static void compat(const char *out, size_t len)
{
	json_t *facts = NULL;
	int r = callout_parse_compat(out, len, &facts);
	if (r <= 0) {
		if (facts)
			abort(); /* *ret is written only on success */
		err_clear();
		return;
	}
	if (!json_is_object(facts))
		abort();
	if (compat_facts_validate(facts, "fuzz") == 0) {
		json_t *type = json_pack("{s:s, s:s, s:i}", "mdev_type", "i915-GVTg_V5_4",
					 "device_api", "vfio-pci", "available_instances", 1);
		compat_json_merge(type, facts);
		json_t *inv =
			json_pack("{s:s, s:[{s:s, s:[o]}]}", "schema", COMPAT_INVENTORY_SCHEMA,
				  "parents", "parent", "0000:00:02.0", "types", type);
		_cleanup_compat_inventory_ struct compat_inventory *parsed = NULL;
		if (compat_inventory_parse_host(inv, &parsed) < 0)
			abort();
		json_decref(inv);
	}
	json_decref(facts);
	err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *out = (const char *)data;
	unsigned actions, events;

	log_set_level(LOG_OFF);
	(void)callout_parse_caps("fuzz", out, size, &actions, &events);
	attributes(out, size);
	compat(out, size);
	return 0;
}
