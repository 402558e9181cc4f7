// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl start`: create a device, from its definition or fully specified on the command
 * line or in a JSON file. */
#include "ops.h"
#include "verbs.h"

enum {
	O_UUID,
	O_PARENT,
	O_TYPE,
	O_JSONFILE,
	O_FORCE,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID",
		     "UUID of the device (a new one is made and printed if omitted)" },
	[O_PARENT] = { "parent", 'p', "PARENT", "Parent device of the device" },
	[O_TYPE] = { "type", 't', "TYPE", "mdev type of the device" },
	[O_JSONFILE] = { "jsonfile", 0, "JSONFILE",
			 "Take type and attributes from this JSON file" },
	[O_FORCE] = { "force", 'f', NULL, FORCE_HELP },
};

static const struct cli_rule rules[] = {
	{ CLI_REQUIRED_UNLESS, O_UUID, O_PARENT, 0 },
	{ CLI_REQUIRED_UNLESS, O_PARENT, O_UUID, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_TYPE, 0 },
};

const struct cli_command verb_start_cmd = {
	.prog = "mdevctl start",
	.about = "Start a mediated device",
	.long_about =
		"Start a mediated device\n\n"
		"A defined device starts from its UUID alone (add --parent when the UUID is\n"
		"defined under several parents); its definition's type and attributes are\n"
		"used. With --parent and --type (or --jsonfile) a device is created without a\n"
		"definition; without --uuid, a new UUID is made and printed.",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

int verb_start_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN] = "";
	int r = verb_uuid(&verb_start_cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	struct start_request rq = {
		.uuid = a->seen[O_UUID] ? uuid : NULL,
		.parent = a->value[O_PARENT],
		.type = a->value[O_TYPE],
		.jsonfile = a->value[O_JSONFILE],
		.force = a->seen[O_FORCE],
	};
	return ops_start(&rq, stdout);
}
