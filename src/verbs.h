/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verb table shared by main and the verb files: one file per verb, each with its option
 * table (struct cli_command) and a run function that turns parsed arguments into an ops.h
 * request. run returns 0, CLI_USAGE after printing a usage error, or a negative errno with
 * the error set; compat's also an exit status >= 3 (COMPAT.md section 1). */
#pragma once

#include <stdbool.h>

#include "cli.h"
#include "util.h"

struct verb {
	const char *name;
	const struct cli_command *cmd;
	int (*run)(const struct cli_args *args);
	bool hidden; /* not listed in the help (start-parent-mdevs: for the udev rule) */
	/* A verb with subcommands parses its own arguments (those after the verb); NULL for the
	 * others. Returns like run, or an exit status >= 3. */
	int (*main)(int argc, char **argv);
	/* Usable with --root, on an image: the verb works on definitions and rule files only, or
	 * its run function refuses what needs the running system (verb_refuse_offline()). */
	bool offline;
};

#define DECLARE_VERB(n)                                 \
	extern const struct cli_command verb_##n##_cmd; \
	int verb_##n##_run(const struct cli_args *args)

DECLARE_VERB(list);
DECLARE_VERB(lsmdev);
DECLARE_VERB(types);
DECLARE_VERB(define);
DECLARE_VERB(undefine);
DECLARE_VERB(modify);
DECLARE_VERB(start);
DECLARE_VERB(stop);
DECLARE_VERB(start_parent_mdevs);
DECLARE_VERB(compat);
DECLARE_VERB(create_compatible);
DECLARE_VERB(monitor);
int verb_compat_main(int argc, char **argv);

/* Parse the value of UUID option opt into ret (canonical form); a usage error otherwise.
 * Returns CLI_OK, or CLI_USAGE after printing. An option not given leaves ret empty. */
int verb_uuid(const struct cli_command *cmd, const struct cli_args *args, int opt,
	      char ret[UUID_STR_LEN]);

/* Under --root, refuse what needs the running system, what being "'start'" or
 * "'list' without '--defined'": a usage error (exit 2), since the command line itself asks for
 * the impossible. Returns CLI_OK when --root is not in force, else CLI_USAGE after printing. */
int verb_refuse_offline(const struct cli_command *cmd, const char *what);

#define FORCE_HELP                                                 \
	"Go on even when a device-specific callout script fails\n" \
	"NOTE: only for when you know the script's objection does not apply"
