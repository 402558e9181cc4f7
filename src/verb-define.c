// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl define`: store a definition, from options, a JSON file or a running device. */
#include "ops.h"
#include "verbs.h"

enum {
	O_UUID,
	O_AUTO,
	O_PARENT,
	O_TYPE,
	O_JSONFILE,
	O_FORCE,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID",
		     "UUID of the device (a new one is made and printed if omitted)" },
	[O_AUTO] = { "auto", 'a', NULL, "Start the device automatically when its parent appears" },
	[O_PARENT] = { "parent", 'p', "PARENT", "Parent device of the device" },
	[O_TYPE] = { "type", 't', "TYPE", "mdev type of the device" },
	[O_JSONFILE] = { "jsonfile", 0, "JSONFILE",
			 "Take type, start mode and attributes from this JSON file" },
	[O_FORCE] = { "force", 'f', NULL, FORCE_HELP },
};

static const struct cli_rule rules[] = {
	{ CLI_REQUIRED_UNLESS, O_UUID, O_PARENT, 0 },
	{ CLI_REQUIRED_UNLESS, O_PARENT, O_UUID, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_TYPE, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_AUTO, 0 },
};

const struct cli_command verb_define_cmd = {
	.prog = "mdevctl define",
	.about = "Define a persistent mediated device",
	.long_about =
		"Define a persistent mediated device\n\n"
		"Stores a definition in /etc/mdevctl.d/<parent>/<uuid>. When the UUID names a\n"
		"running device, its parent and type are taken from it unless given. --auto\n"
		"marks the device to be started when its parent appears. With --jsonfile the\n"
		"type, start mode and attributes come from the file. Running devices are not\n"
		"changed.",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

int verb_define_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN] = "";
	int r = verb_uuid(&verb_define_cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	struct define_request rq = {
		.uuid = a->seen[O_UUID] ? uuid : NULL,
		.parent = a->value[O_PARENT],
		.type = a->value[O_TYPE],
		.jsonfile = a->value[O_JSONFILE],
		.autostart = a->seen[O_AUTO],
		.force = a->seen[O_FORCE],
	};
	return ops_define(&rq, stdout);
}
