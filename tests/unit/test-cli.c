// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the command-line parser against upstream's (clap's) rules: option forms,
 * repeats, values that look like options, help winning, and the relation table. */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "cli.h"
#include "tap.h"
#include "util.h"

enum {
	O_UUID,
	O_PARENT,
	O_AUTO,
	O_DEF,
	O_JSON,
	O_INV,
	O_FROM,
	N_OPTS
};
static const struct cli_option options[] = {
	[O_UUID] = { "uuid", 'u', "UUID", "u" },
	[O_PARENT] = { "parent", 'p', "PARENT", "p" },
	[O_AUTO] = { "auto", 'a', NULL, "a" },
	[O_DEF] = { "defined", 'd', NULL, "d" },
	[O_JSON] = { "jsonfile", 0, "JSONFILE", "j" },
	[O_INV] = { "inventory", 0, "FILE", "i", CLI_OPT_MULTIPLE | CLI_OPT_OPTIONAL_VALUE },
	[O_FROM] = { "from", 0, "FILE", "f", CLI_OPT_MULTIPLE },
};
static const struct cli_rule rules[] = {
	{ CLI_REQUIRED_UNLESS, O_UUID, O_PARENT, 0 },
	{ CLI_CONFLICTS, O_JSON, O_AUTO, 0 },
};
static const struct cli_command cmd = {
	.prog = "test",
	.about = "test",
	.options = options,
	.n_options = N_OPTS,
	.rules = rules,
	.n_rules = ELEMENTSOF(rules),
};

/* Global options, as mdevctl's --root and --run-callouts. */
static const struct cli_option global_options[] = {
	{ "root", 0, "DIR", "r" },
	{ "flag", 0, NULL, "f" },
};
static const struct cli_command globals = {
	.prog = "test",
	.about = "test",
	.options = global_options,
	.n_options = ELEMENTSOF(global_options),
};

/* cli_take_globals() of "prog" and the n arguments; the arguments left, joined by spaces,
 * into left. */
static int take(struct cli_args *a, char left[256], int n, ...)
{
	char *argv[18] = { "prog" };
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[1 + i] = va_arg(ap, char *);
	va_end(ap);
	argv[n + 1] = NULL;
	int argc = n + 1;
	int r = cli_take_globals(&argc, argv, a);
	left[0] = '\0';
	for (int i = 1; r == CLI_OK && i < argc; i++)
		snprintf(left + strlen(left), 256 - strlen(left), "%s%s", i > 1 ? " " : "", argv[i]);
	if (r == CLI_OK && argv[argc])
		return -1; /* not terminated */
	return r;
}

static int parse(struct cli_args *a, int n, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return cli_parse(&cmd, n, argv, a);
}

int main(void)
{
	struct cli_args a;

	/* Usage errors print to stderr; keep the TAP stream clean. */
	(void)!freopen("/dev/null", "w", stderr);

	ok(parse(&a, 1, "--uuid=x") == CLI_OK && streq(a.value[O_UUID], "x"), "--opt=value");
	ok(parse(&a, 2, "--uuid", "x") == CLI_OK && streq(a.value[O_UUID], "x"), "--opt value");
	ok(parse(&a, 2, "-u", "x") == CLI_OK && streq(a.value[O_UUID], "x"), "-o value");
	ok(parse(&a, 1, "-ux") == CLI_OK && streq(a.value[O_UUID], "x"), "-ovalue");
	ok(parse(&a, 1, "-u=x") == CLI_OK && streq(a.value[O_UUID], "x"), "-o=value");
	ok(parse(&a, 2, "-adp", "P") == CLI_OK && a.seen[O_AUTO] && a.seen[O_DEF] &&
		   streq(a.value[O_PARENT], "P"),
	   "clustered flags with a value at the end");
	ok(parse(&a, 1, "--uuid=") == CLI_OK && streq(a.value[O_UUID], ""), "empty value with =");
	ok(parse(&a, 2, "--uuid", "-x") == CLI_USAGE,
	   "a value that looks like an option is refused");
	ok(parse(&a, 3, "--parent", "-", "-u1") == CLI_OK && streq(a.value[O_PARENT], "-"),
	   "a lone dash is a value");
	ok(parse(&a, 1, "--uuid") == CLI_USAGE, "missing value");
	ok(parse(&a, 4, "-u", "x", "--uuid", "y") == CLI_USAGE, "repeated option");
	ok(parse(&a, 3, "-u", "x", "-aa") == CLI_USAGE, "repeated flag in a cluster");
	ok(parse(&a, 2, "-u", "x") == CLI_OK && !a.seen[O_AUTO], "flag not given is not seen");
	ok(parse(&a, 1, "--bogus") == CLI_USAGE, "unknown long option");
	ok(parse(&a, 1, "-z") == CLI_USAGE, "unknown short option");
	ok(parse(&a, 1, "--auto=1") == CLI_USAGE, "a flag takes no value");
	ok(parse(&a, 1, "stray") == CLI_USAGE, "no positional argument allowed");
	ok(parse(&a, 0) == CLI_USAGE, "required unless: neither given");
	ok(parse(&a, 2, "-p", "P") == CLI_OK, "required unless: the other given");
	ok(parse(&a, 4, "-u", "x", "--jsonfile=f", "-a") == CLI_USAGE, "conflict");
	ok(parse(&a, 5, "-u", "x", "--from", "a", "--from=b") == CLI_OK && a.n_values[O_FROM] == 2 &&
		   streq(a.values[O_FROM][0], "a") && streq(a.values[O_FROM][1], "b") &&
		   streq(a.value[O_FROM], "b"),
	   "a repeatable option keeps every value in order");
	ok(parse(&a, 3, "-u", "x", "--from") == CLI_USAGE, "a repeatable option still needs its value");
	ok(parse(&a, 3, "-u", "x", "--inventory") == CLI_OK && a.seen[O_INV] && !a.value[O_INV] &&
		   a.n_values[O_INV] == 1,
	   "an optional value may be left out");
	ok(parse(&a, 4, "--inventory", "-u", "x", "-a") == CLI_OK && a.seen[O_INV] &&
		   !a.value[O_INV] && streq(a.value[O_UUID], "x"),
	   "an optional value does not swallow the next option");
	ok(parse(&a, 4, "--inventory", "h1", "--inventory=h2", "-px") == CLI_OK &&
		   a.n_values[O_INV] == 2 && streq(a.values[O_INV][0], "h1") &&
		   streq(a.values[O_INV][1], "h2"),
	   "an optional value is taken when given");
	{
		char *argv[CLI_MAX_REPEAT + 3] = { "-u", "x" };
		for (int i = 0; i <= CLI_MAX_REPEAT; i++)
			argv[2 + i] = "--from=f";
		ok(cli_parse(&cmd, CLI_MAX_REPEAT + 3, argv, &a) == CLI_USAGE,
		   "a repeatable option has a limit");
	}

	char left[256];
	cli_set_globals(&globals);
	ok(take(&a, left, 5, "define", "-u", "x", "--root", "/d") == CLI_OK && a.seen[0] &&
		   streq(a.value[0], "/d") && streq(left, "define -u x"),
	   "globals: taken out after the command, the rest kept in order");
	ok(take(&a, left, 4, "--root=/d", "--flag", "list", "-d") == CLI_OK && a.seen[0] &&
		   a.seen[1] && streq(a.value[0], "/d") && streq(left, "list -d"),
	   "globals: before the command, --opt=value and flags");
	ok(take(&a, left, 4, "x", "--", "--root", "/d") == CLI_OK && !a.seen[0] &&
		   streq(left, "x -- --root /d"),
	   "globals: nothing after -- is taken");
	ok(take(&a, left, 3, "list", "--parent=--root", "-d") == CLI_OK && !a.seen[0] &&
		   streq(left, "list --parent=--root -d"),
	   "globals: the value of another option is not one");
	ok(take(&a, left, 2, "list", "--root") == CLI_USAGE, "globals: a missing value");
	ok(take(&a, left, 3, "--root", "-d", "list") == CLI_USAGE,
	   "globals: a value that looks like an option is refused");
	ok(take(&a, left, 4, "--root", "a", "--root", "b") == CLI_USAGE, "globals: repeated");
	ok(take(&a, left, 1, "--flag=1") == CLI_USAGE, "globals: a flag takes no value");
	ok(take(&a, left, 2, "--rooted", "x") == CLI_OK && !a.seen[0] && streq(left, "--rooted x"),
	   "globals: only whole names");

	fflush(stdout);
	int saved = dup(1), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	int r1 = parse(&a, 4, "--jsonfile", "b", "-a", "--help");
	int r2 = parse(&a, 2, "--bogus", "--help");
	int r3 = parse(&a, 1, "-h");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(devnull);
	ok(r1 == CLI_DONE, "--help wins over rule violations");
	ok(r2 == CLI_USAGE, "an unknown option before --help is still an error");
	ok(r3 == CLI_DONE, "-h prints help");
	return tap_done();
}
