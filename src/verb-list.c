// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl list` and `lsmdev`: running or defined devices, as text or JSON. */
#include "ops.h"
#include "verbs.h"

enum {
	O_DEFINED,
	O_DUMPJSON,
	O_VERBOSE,
	O_UUID,
	O_PARENT,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_DEFINED] = { "defined", 'd', NULL, "List defined devices instead of running ones" },
	[O_DUMPJSON] = { "dumpjson", 0, NULL, "Print the devices as JSON" },
	[O_VERBOSE] = { "verbose", 'v', NULL, "Also print each device's attributes" },
	[O_UUID] = { "uuid", 'u', "UUID", "Only the device with this UUID" },
	[O_PARENT] = { "parent", 'p', "PARENT", "Only the devices of this parent device" },
};

#define LIST_ABOUT "List mediated devices"
#define LIST_LONG                                                                                 \
	"List mediated devices\n\n"                                                               \
	"Without options, the running mediated devices are listed, one per line: UUID, parent,\n" \
	"type and start mode, marked \"(defined)\" when a definition exists for them. With\n"     \
	"--defined the stored definitions are listed instead, marked \"(active)\" when the\n"     \
	"device runs with the defined parent and type. --uuid and --parent narrow the list.\n"    \
	"--dumpjson prints JSON; when --uuid matches exactly one device, only that device's\n"    \
	"configuration is printed, in the form --jsonfile accepts."

const struct cli_command verb_list_cmd = {
	.prog = "mdevctl list",
	.about = LIST_ABOUT,
	.long_about = LIST_LONG,
	.options = options,
	.n_options = N_OPTS,
	.version = "mdevctl-list",
};

const struct cli_command verb_lsmdev_cmd = {
	.prog = "lsmdev",
	.about = LIST_ABOUT,
	.long_about = LIST_LONG,
	.options = options,
	.n_options = N_OPTS,
	.version = "lsmdev",
};

static int run(const struct cli_command *cmd, const struct cli_args *a)
{
	char uuid[UUID_STR_LEN] = "";
	int r = verb_uuid(cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	if (!a->seen[O_DEFINED]) {
		r = verb_refuse_offline(cmd, "listing running devices (without '--defined')");
		if (r != CLI_OK)
			return r;
	}
	struct list_request rq = {
		.uuid = a->seen[O_UUID] ? uuid : NULL,
		.parent = a->value[O_PARENT],
		.defined = a->seen[O_DEFINED],
		.dumpjson = a->seen[O_DUMPJSON],
		.verbose = a->seen[O_VERBOSE],
	};
	return ops_list(&rq, stdout);
}

int verb_list_run(const struct cli_args *a)
{
	return run(&verb_list_cmd, a);
}

int verb_lsmdev_run(const struct cli_args *a)
{
	return run(&verb_lsmdev_cmd, a);
}
