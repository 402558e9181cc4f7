// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl modify`: change a definition, or a running device through a callout script. */
#include "ops.h"
#include "verbs.h"

enum {
	O_UUID,
	O_PARENT,
	O_TYPE,
	O_ADDATTR,
	O_DELATTR,
	O_INDEX,
	O_VALUE,
	O_AUTO,
	O_MANUAL,
	O_LIVE,
	O_DEFINED,
	O_JSONFILE,
	O_FORCE,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID", "UUID of the device to modify" },
	[O_PARENT] = { "parent", 'p', "PARENT",
		       "Parent of the device (needed when the UUID is defined under several)" },
	[O_TYPE] = { "type", 't', "TYPE", "New mdev type of the device" },
	[O_ADDATTR] = { "addattr", 0, "attr_name", "Add an attribute with this name" },
	[O_DELATTR] = { "delattr", 0, NULL,
			"Delete an attribute (the last one, or the one at --index)" },
	[O_INDEX] = { "index", 'i', "INDEX", "Position of the attribute to add or delete" },
	[O_VALUE] = { "value", 0, "attr_value", "Value of the attribute given by --addattr" },
	[O_AUTO] = { "auto", 'a', NULL, "Start the device automatically" },
	[O_MANUAL] = { "manual", 'm', NULL, "Start the device only when asked" },
	[O_LIVE] = { "live", 'l', NULL,
		     "Change the running device (only it, unless --defined is given too)" },
	[O_DEFINED] = { "defined", 'd', NULL, "Change the stored definition" },
	[O_JSONFILE] = { "jsonfile", 0, "JSONFILE",
			 "Take type, start mode and attributes from this JSON file" },
	[O_FORCE] = { "force", 'f', NULL, FORCE_HELP },
};

static const struct cli_rule rules[] = {
	{ CLI_REQUIRED, O_UUID, 0, 0 },
	{ CLI_ONE_OF, 0, 0,
	  (1u << O_AUTO) | (1u << O_MANUAL) | (1u << O_ADDATTR) | (1u << O_DELATTR) |
		  (1u << O_JSONFILE) },
	{ CLI_REQUIRES, O_ADDATTR, O_VALUE, 0 },
	{ CLI_REQUIRES, O_VALUE, O_ADDATTR, 0 },
	{ CLI_CONFLICTS, O_VALUE, O_DELATTR, 0 },
	{ CLI_CONFLICTS, O_AUTO, O_INDEX, 0 },
	{ CLI_CONFLICTS, O_AUTO, O_VALUE, 0 },
	{ CLI_CONFLICTS, O_MANUAL, O_INDEX, 0 },
	{ CLI_CONFLICTS, O_MANUAL, O_VALUE, 0 },
	{ CLI_CONFLICTS, O_LIVE, O_TYPE, 0 },
	{ CLI_CONFLICTS, O_LIVE, O_INDEX, 0 },
	{ CLI_CONFLICTS, O_LIVE, O_VALUE, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_TYPE, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_INDEX, 0 },
	{ CLI_CONFLICTS, O_JSONFILE, O_VALUE, 0 },
};

const struct cli_command verb_modify_cmd = {
	.prog = "mdevctl modify",
	.about = "Modify the definition of a mediated device",
	.long_about =
		"Modify the definition of a mediated device\n\n"
		"Exactly one change per call: --auto or --manual (start mode), --addattr with\n"
		"--value, --delattr, or --jsonfile (replaces type, start mode and attributes).\n"
		"Attributes are written into the device's sysfs directory in order when it\n"
		"starts; --index places an addition or picks the attribute to delete, else the\n"
		"end of the list is used. The parent cannot be changed: undefine and define\n"
		"again. With --live (and --jsonfile) the running device is changed through a\n"
		"versioned callout script; add --defined to change the definition as well.",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

int verb_modify_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN];
	uint32_t index = 0;
	int r = verb_uuid(&verb_modify_cmd, a, O_UUID, uuid);
	if (r != CLI_OK)
		return r;
	if (a->seen[O_LIVE]) {
		r = verb_refuse_offline(&verb_modify_cmd, "'--live'");
		if (r != CLI_OK)
			return r;
	}
	if (a->seen[O_INDEX] && parse_u32(a->value[O_INDEX], &index) < 0)
		return cli_usage_error(
			&verb_modify_cmd,
			"invalid value '%s' for '%s': not a number from 0 to 4294967295",
			a->value[O_INDEX], cli_option_name(&verb_modify_cmd, O_INDEX));
	struct modify_request rq = {
		.uuid = uuid,
		.parent = a->value[O_PARENT],
		.type = a->value[O_TYPE],
		.addattr = a->value[O_ADDATTR],
		.value = a->value[O_VALUE],
		.delattr = a->seen[O_DELATTR],
		.has_index = a->seen[O_INDEX],
		.index = index,
		.autostart = a->seen[O_AUTO],
		.manual = a->seen[O_MANUAL],
		.live = a->seen[O_LIVE],
		.defined = a->seen[O_DEFINED],
		.jsonfile = a->value[O_JSONFILE],
		.force = a->seen[O_FORCE],
	};
	return ops_modify(&rq);
}
