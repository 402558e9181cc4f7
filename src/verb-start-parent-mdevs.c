// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl start-parent-mdevs PARENT`: what the udev rule runs when a parent appears; starts
 * the parent's definitions marked "auto". */
#include "ops.h"
#include "verbs.h"

const struct cli_command verb_start_parent_mdevs_cmd = {
	.prog = "mdevctl start-parent-mdevs",
	.about = "Start the parent's devices that are defined to start automatically",
	.positional = "PARENT",
};

int verb_start_parent_mdevs_run(const struct cli_args *a)
{
	return ops_start_parent_mdevs(a->positional);
}
