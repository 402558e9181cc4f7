/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command-line parsing with the rules upstream's parser (clap) applies, so that every argv that
 * works with upstream works here and every one it refuses is refused: "--opt=value",
 * "--opt value", "-o value", "-ovalue", clustered flags, a value that starts with '-' is not a
 * value, a repeated option is an error, -h/--help wins over everything after it, and one table
 * of relations (required, conflicts, requires, exactly-one-of) per command instead of checks
 * scattered through the verbs. Usage errors print to stderr and exit 2. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define CLI_MAX_OPTIONS 32
#define CLI_MAX_REPEAT	64 /* values of one repeatable option */

enum {
	/* May be given several times; every value is kept, in order (`--inventory A --inventory B`). */
	CLI_OPT_MULTIPLE = 1 << 0,
	/* The value may be left out (`--inventory` alone): only the `--opt=value` form and a next
	 * argument that does not look like an option are taken as its value. */
	CLI_OPT_OPTIONAL_VALUE = 1 << 1,
};

struct cli_option {
	const char *long_name;	/* "uuid" */
	char short_name;	/* 'u', or 0 */
	const char *value_name; /* "UUID", or NULL for a flag */
	const char *help;
	unsigned flags; /* CLI_OPT_* */
};

enum cli_rule_kind {
	CLI_REQUIRED,	     /* a must be given */
	CLI_REQUIRED_UNLESS, /* a must be given unless b is */
	CLI_CONFLICTS,	     /* a and b not together */
	CLI_REQUIRES,	     /* a needs b */
	CLI_ONE_OF,	     /* exactly one of the options in mask */
};

struct cli_rule {
	enum cli_rule_kind kind;
	int a;
	int b;
	unsigned mask;
};

struct cli_command {
	const char *prog;	/* "mdevctl define", or "lsmdev" */
	const char *about;	/* one line, for -h and command lists */
	const char *long_about; /* more, for --help (may be NULL) */
	const struct cli_option *options;
	int n_options;
	const struct cli_rule *rules;
	int n_rules;
	const char *positional; /* "PARENT": one required positional argument; NULL: none */
	const char *version;	/* name -V/--version prints ("lsmdev"), or NULL: no -V */
};

struct cli_args {
	bool seen[CLI_MAX_OPTIONS];
	const char *value[CLI_MAX_OPTIONS]; /* the last value; NULL for a flag or a left-out value */
	/* Every value of a CLI_OPT_MULTIPLE option, in order. */
	const char *values[CLI_MAX_OPTIONS][CLI_MAX_REPEAT];
	int n_values[CLI_MAX_OPTIONS];
	const char *positional;
};

enum {
	CLI_OK = 0,
	CLI_DONE = 1,  /* help or version printed: exit 0 */
	CLI_USAGE = 2, /* usage error printed: exit 2 */
};

/* Options that every command takes wherever they stand before a "--", as `systemctl --root`
 * does (mdevctl's --root and --run-callouts). main names them once with cli_set_globals()
 * (a command whose options are the global ones; it has no rules); cli_take_globals() takes
 * them out of argv before anything else parses it, so that each command's own parsing never
 * sees them; and every command's help lists them after its own options. */
void cli_set_globals(const struct cli_command *globals);
/* Take the global options out of argv[1..*argc-1], keeping the other arguments in order and
 * updating *argc; argv[0] is left alone. The values point into argv. Returns CLI_OK or
 * CLI_USAGE (printed: a missing value, a repeated option). */
int cli_take_globals(int *argc, char **argv, struct cli_args *ret);

/* Parse argv (the arguments after the command name). Returns CLI_OK, CLI_DONE or CLI_USAGE. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *ret);
void cli_print_help(const struct cli_command *cmd, bool long_help, FILE *out);
/* The "Options:" part of the help: cmd's own, the global ones, -h and (with a version) -V. */
void cli_print_options(const struct cli_command *cmd, bool long_help, FILE *out);
/* Print "error: <msg>" with the usage line and the hint; returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "'--uuid <UUID>'"-style name of option i, as messages show it (static buffer). */
const char *cli_option_name(const struct cli_command *cmd, int i);
