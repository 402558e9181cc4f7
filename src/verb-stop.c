// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl stop`: remove a running device. */
#include "ops.h"
#include "verbs.h"

enum {
	O_UUID,
	O_FORCE,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID", "UUID of the device to stop" },
	[O_FORCE] = { "force", 'f', NULL, FORCE_HELP },
};

static const struct cli_rule rules[] = {
	{ CLI_REQUIRED, O_UUID, 0, 0 },
};

const struct cli_command verb_stop_cmd = {
	.prog = "mdevctl stop",
	.about = "Stop a mediated device",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

int verb_stop_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN];
	int r = verb_uuid(&verb_stop_cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	return ops_stop(uuid, a->seen[O_FORCE]);
}
