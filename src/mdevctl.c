// SPDX-License-Identifier: LGPL-2.1-or-later
/* mdevctl's entry point: the verb table, dispatch by verb (or to `list` when called as
 * lsmdev), and the exit status: 0 success, 1 runtime error ("Error: ..." on stderr), 2 usage
 * error, 3-6 the verdicts and invalid records of `compat`. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "verbs.h"

static const struct verb verbs[] = {
	{ "define", &verb_define_cmd, verb_define_run, false, NULL, true },
	{ "undefine", &verb_undefine_cmd, verb_undefine_run, false, NULL, true },
	{ "modify", &verb_modify_cmd, verb_modify_run, false, NULL, true },
	{ "start", &verb_start_cmd, verb_start_run, false, NULL, false },
	{ "stop", &verb_stop_cmd, verb_stop_run, false, NULL, false },
	{ "list", &verb_list_cmd, verb_list_run, false, NULL, true },
	{ "types", &verb_types_cmd, verb_types_run, false, NULL, false },
	{ "compat", &verb_compat_cmd, verb_compat_run, false, verb_compat_main, true },
	{ "create-compatible", &verb_create_compatible_cmd, verb_create_compatible_run, false, NULL,
	  false },
	{ "monitor", &verb_monitor_cmd, verb_monitor_run, false, NULL, false },
	{ "start-parent-mdevs", &verb_start_parent_mdevs_cmd, verb_start_parent_mdevs_run, true,
	  NULL, false },
};

static const struct cli_command top_cmd = {
	.prog = "mdevctl",
	.about = "A mediated device management utility for Linux",
	.version = "mdevctl",
};

/* The options every command takes, anywhere on the line (cli_take_globals()). */
enum {
	G_ROOT,
	G_RUN_CALLOUTS,
	G_N
};
static const struct cli_option global_options[] = {
	[G_ROOT] = { "root", 0, "DIR",
		     "Work offline on the image at DIR: its definitions and rule\n"
		     "files, never this system's devices" },
	[G_RUN_CALLOUTS] = { "run-callouts", 0, NULL,
			     "With --root, run DIR's callout and notifier scripts" },
};
static const struct cli_command global_cmd = {
	.prog = "mdevctl",
	.about = "A mediated device management utility for Linux",
	.options = global_options,
	.n_options = G_N,
};

static void print_top_help(FILE *out)
{
	fprintf(out, "%s\n\nUsage: mdevctl [OPTIONS] <COMMAND>\n\nCommands:\n", top_cmd.about);
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (!verbs[i].hidden)
			fprintf(out, "  %-17s  %s\n", verbs[i].name, verbs[i].cmd->about);
	fprintf(out, "  %-17s  %s\n", "help", "Print this message or the help of the given command");
	cli_print_options(&top_cmd, true, out);
}

int verb_refuse_offline(const struct cli_command *cmd, const char *what)
{
	if (!env_offline())
		return CLI_OK;
	return cli_usage_error(cmd, "%s needs the running system and cannot be used with '--root'",
			       what);
}

/* --root and --run-callouts. Returns 0, CLI_USAGE after printing, or a negative errno with
 * the error set. */
static int apply_globals(const struct cli_args *g)
{
	if (g->seen[G_RUN_CALLOUTS] && !g->seen[G_ROOT])
		return cli_usage_error(&global_cmd, "the argument '--run-callouts' requires '%s'",
				       cli_option_name(&global_cmd, G_ROOT));
	if (!g->seen[G_ROOT])
		return 0;
	if (!*g->value[G_ROOT])
		return cli_usage_error(&global_cmd, "invalid value '' for '%s': an empty path",
				       cli_option_name(&global_cmd, G_ROOT));
	return env_set_offline_root(g->value[G_ROOT], g->seen[G_RUN_CALLOUTS]);
}

int verb_uuid(const struct cli_command *cmd, const struct cli_args *args, int opt,
	      char ret[UUID_STR_LEN])
{
	const char *why = NULL;
	if (!args->seen[opt])
		return CLI_OK;
	if (uuid_canonical(args->value[opt], ret, &why) < 0)
		return cli_usage_error(cmd, "invalid value '%s' for '%s': %s", args->value[opt],
				       cli_option_name(cmd, opt), why);
	return CLI_OK;
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static int top_level(int argc, char **argv)
{
	if (argc < 2) {
		print_top_help(stderr);
		return CLI_USAGE;
	}
	const char *a = argv[1];
	if (streq(a, "-h") || streq(a, "--help")) {
		print_top_help(stdout);
		return CLI_DONE;
	}
	if (streq(a, "-V") || streq(a, "--version")) {
		printf("mdevctl %s\n", PACKAGE_VERSION);
		return CLI_DONE;
	}
	if (streq(a, "help")) {
		if (argc < 3) {
			print_top_help(stdout);
			return CLI_DONE;
		}
		const struct verb *v = find_verb(argv[2]);
		/* A command with subcommands (compat) answers for them: "help compat check" is
		 * "compat check --help", as with clap. */
		if (v && v->main && argc <= 4 && (argc < 4 || argv[3][0] != '-')) {
			char *sub[] = { argc == 4 ? argv[3] : NULL, (char *)"--help", NULL };
			return v->main(argc == 4 ? 2 : 1, argc == 4 ? sub : sub + 1);
		}
		/* The first word that names nothing: the command, or what follows it (after a
		 * subcommand of compat). */
		int bad = !v ? 2 : v->main && argc > 4 && argv[3][0] != '-' ? 4 : 3;
		if (!v || argc > 3)
			return cli_usage_error(&top_cmd, "unrecognized subcommand '%s'", argv[bad]);
		cli_print_help(v->cmd, true, stdout);
		return CLI_DONE;
	}
	if (a[0] == '-')
		return cli_usage_error(&top_cmd, "unexpected argument '%s' found", a);
	const struct verb *v = find_verb(a);
	if (!v)
		return cli_usage_error(&top_cmd, "unrecognized subcommand '%s'", a);

	if (v->main)
		return v->main(argc - 2, argv + 2);
	struct cli_args args;
	int r = cli_parse(v->cmd, argc - 2, argv + 2, &args);
	if (r != CLI_OK)
		return r;
	if (!v->offline) {
		_cleanup_free_ char *what = xasprintf("'%s'", v->name);
		r = verb_refuse_offline(v->cmd, what);
		if (r != CLI_OK)
			return r;
	}
	r = env_self_check();
	if (r < 0)
		return r;
	return v->run(&args);
}

int main(int argc, char **argv)
{
	int r;

	/* Writes to a callout that exits early must fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	log_init();
	json_io_init();
	env_init();
	log_debug("Starting up: mdevctl %s, pid %ld", PACKAGE_VERSION, (long)getpid());

	struct cli_args globals;
	cli_set_globals(&global_cmd);
	r = cli_take_globals(&argc, argv, &globals);
	if (r == CLI_OK)
		r = apply_globals(&globals);
	/* The installation is checked once the command line says the command uses this host:
	 * upstream checks before parsing, so that on a host without its directories (NixOS has
	 * no /usr/lib) not even --help works, nor the commands that read only the files they are
	 * given (compat check --inventory, compat traits --from) in a scheduler's container.
	 * Under --root nothing is checked (env_self_check()): an image is being prepared, and
	 * what it lacks is created as needed. */
	if (r == CLI_OK) {
		const char *prog = argc > 0 ? argv[0] : "mdevctl";
		if (endswith(prog, "lsmdev")) {
			struct cli_args args;
			log_debug("Running as lsmdev");
			r = cli_parse(&verb_lsmdev_cmd, argc - 1, argv + 1, &args);
			if (r == CLI_OK)
				r = env_self_check();
			if (r == CLI_OK)
				r = verb_lsmdev_run(&args);
		} else
			r = top_level(argc, argv);
	}

	/* Output that did not reach its reader is a failure, not a success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (r >= 0 && r != CLI_USAGE)
			r = err_os(-EIO, errno ? errno : EIO, "Failed to write output");
	}
	if (r == CLI_USAGE)
		return 2;
	if (r >= 3)
		return r; /* compat's statuses; its messages are printed */
	if (r < 0) {
		err_print();
		return 1;
	}
	return 0;
}
