// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: a destination inventory (mdev-inventory/1), which a scheduler passes in from
 * other hosts (`compat check --inventory`): the strict parser and validator
 * (compat_inventory_parse()), the traits it offers, and the round trip compat-record.h
 * promises: the canonical JSON of an accepted inventory parses again, to an inventory whose
 * canonical JSON is the same, both from its text (as another host's inventory is read) and
 * from the tree itself (as the host's own inventory is checked, compat_inventory_parse_host()).
 * A broken round trip aborts, which libFuzzer reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat-record.h"
#include "compat-traits.h"
#include "error.h"
#include "json-io.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL, *again = NULL,
						      *from_tree = NULL;

	log_set_level(LOG_OFF);
	if (compat_inventory_parse((const char *)data, size, &inv) < 0) {
		err_clear();
		return 0;
	}

	struct strv traits = { 0 };
	(void)compat_inventory_traits(inv, &traits);
	strv_free(&traits);

	json_t *j = compat_inventory_to_json(inv);
	_cleanup_free_ char *text = json_io_compact(j);
	if (compat_inventory_parse(text, strlen(text), &again) < 0)
		abort();
	if (compat_inventory_parse_host(j, &from_tree) < 0)
		abort();
	json_t *j2 = compat_inventory_to_json(again), *j3 = compat_inventory_to_json(from_tree);
	if (!json_equal(j, j2) || !json_equal(j, j3))
		abort();
	json_decref(j);
	json_decref(j2);
	json_decref(j3);
	err_clear();
	return 0;
}
