// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl types`: the types each parent supports, with their available instances. */
#include "ops.h"
#include "verbs.h"

enum {
	O_PARENT,
	O_DUMPJSON,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_PARENT] = { "parent", 'p', "PARENT", "Only the types of this parent device" },
	[O_DUMPJSON] = { "dumpjson", 0, NULL, "Print the types as JSON" },
};

const struct cli_command verb_types_cmd = {
	.prog = "mdevctl types",
	.about = "List the mediated device types of the parent devices",
	.long_about = "List the mediated device types of the parent devices\n\n"
		      "For each parent device registered with the mdev framework, every type it\n"
		      "supports with its available instances, device API, name and description.\n"
		      "--parent narrows the list to one parent; --dumpjson prints JSON.",
	.options = options,
	.n_options = N_OPTS,
};

int verb_types_run(const struct cli_args *a)
{
	return ops_types(a->value[O_PARENT], a->seen[O_DUMPJSON], stdout);
}
