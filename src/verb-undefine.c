// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl undefine`: remove a device's definitions. */
#include "ops.h"
#include "verbs.h"

enum {
	O_UUID,
	O_PARENT,
	O_FORCE,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID", "UUID of the device to undefine" },
	[O_PARENT] = { "parent", 'p', "PARENT", "Only its definition under this parent" },
	[O_FORCE] = { "force", 'f', NULL, FORCE_HELP },
};

static const struct cli_rule rules[] = {
	{ CLI_REQUIRED, O_UUID, 0, 0 },
};

const struct cli_command verb_undefine_cmd = {
	.prog = "mdevctl undefine",
	.about = "Undefine a persistent mediated device",
	.long_about =
		"Undefine a persistent mediated device\n\n"
		"Removes the device's definition. A UUID defined under several parents loses\n"
		"all its definitions unless --parent picks one. Running devices are not\n"
		"changed.",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

int verb_undefine_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN];
	int r = verb_uuid(&verb_undefine_cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	return ops_undefine(uuid, a->value[O_PARENT], a->seen[O_FORCE]);
}
