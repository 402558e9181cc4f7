// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl monitor`: print mediated-device events as they happen (monitor.h). */
#include "monitor.h"
#include "verbs.h"

enum {
	O_DUMPJSON,
	O_ONCE,
	O_UUID,
	O_PARENT,
	O_WHAT,
	O_EVENT,
	O_KERNEL,
	O_UDEV,
	N_OPTS
};

static const struct cli_option options[] = {
	[O_DUMPJSON] = { "dumpjson", 0, NULL, "Print each event as one JSON object per line" },
	[O_ONCE] = { "once", 0, NULL, "Exit after the first event printed" },
	[O_UUID] = { "uuid", 'u', "UUID", "Only the events of the device with this UUID" },
	[O_PARENT] = { "parent", 'p', "PARENT", "Only the events of this parent device" },
	[O_WHAT] = { "what", 0, "KIND",
		     "Only events of this kind: device, parent or definition (repeatable)",
		     CLI_OPT_MULTIPLE },
	[O_EVENT] = { "event", 0, "EVENT", "Only this event: add, remove or change (repeatable)",
		      CLI_OPT_MULTIPLE },
	[O_KERNEL] = { "kernel", 0, NULL, "Device events from the kernel, even where udevd runs" },
	[O_UDEV] = { "udev", 0, NULL, "Device events from udevd, once its rules have run" },
};

static const struct cli_rule rules[] = {
	{ CLI_CONFLICTS, O_KERNEL, O_UDEV, 0 },
};

const struct cli_command verb_monitor_cmd = {
	.prog = "mdevctl monitor",
	.about = "Print mediated device events as they happen",
	.long_about =
		"Print mediated device events as they happen\n\n"
		"One line per event: a device created or removed, a parent registered or\n"
		"unregistered with the mdev core, a definition added, changed or removed under\n"
		"/etc/mdevctl.d. Text lines are \"TIME EVENT WHAT UUID PARENT TYPE\" (TYPE \"-\"\n"
		"when unknown), or \"TIME EVENT parent PARENT\"; --dumpjson prints\n"
		"{\"event\", \"what\", \"uuid\", \"parent\", \"mdev_type\", \"time\"} objects instead.\n"
		"Device events come from udevd where it runs (the device is then set up), else\n"
		"from the kernel. Ends on SIGINT or SIGTERM, or after the first event with --once.",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

/* The bits of the values of a repeatable option, each one of names (bit i for names[i]). */
static int parse_set(const struct cli_args *a, int opt, const char *const *names, size_t n,
		     unsigned *ret)
{
	*ret = 0;
	for (int i = 0; i < a->n_values[opt]; i++) {
		const char *v = a->values[opt][i];
		size_t k;
		for (k = 0; k < n && !streq(v, names[k]); k++)
			;
		if (k == n)
			return cli_usage_error(&verb_monitor_cmd,
					       "invalid value '%s' for '%s': one of %s, %s or %s", v,
					       cli_option_name(&verb_monitor_cmd, opt), names[0],
					       names[1], names[2]);
		*ret |= 1u << k;
	}
	return CLI_OK;
}

int verb_monitor_run(const struct cli_args *a)
{
	static const char *const whats[] = { "device", "parent", "definition" };
	static const char *const events[] = { "add", "remove", "change" };
	char uuid[UUID_STR_LEN] = "";
	struct monitor_request rq = {
		.parent = a->value[O_PARENT],
		.source = a->seen[O_KERNEL] ? MONITOR_SOURCE_KERNEL
			  : a->seen[O_UDEV] ? MONITOR_SOURCE_UDEV
					     : MONITOR_SOURCE_AUTO,
		.dumpjson = a->seen[O_DUMPJSON],
		.once = a->seen[O_ONCE],
	};
	int r = verb_uuid(&verb_monitor_cmd, a, O_UUID, uuid);
	if (r == CLI_OK)
		r = parse_set(a, O_WHAT, whats, ELEMENTSOF(whats), &rq.what);
	if (r == CLI_OK)
		r = parse_set(a, O_EVENT, events, ELEMENTSOF(events), &rq.events);
	if (r != CLI_OK)
		return r;
	rq.uuid = a->seen[O_UUID] ? uuid : NULL;
	return monitor_run(&rq, stdout);
}
