// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl compat`: migration compatibility (COMPAT.md sections 1-6 and 8). `show` prints the
 * record of a device of this host, `inventory` this host as a destination, `check` the plan for a
 * record against this host or against inventories of other hosts, `traits` the Placement traits
 * of a record or of a destination. Nothing here changes the host. Exit statuses beyond mdevctl's
 * 0/1/2: 3 incompatible, 4 no capacity, 5 blocked by policy, 6 invalid record. */
#include <errno.h>
#include <string.h>
#include <uuid/uuid.h>

#include "compat-create.h"
#include "compat-host.h"
#include "compat-match.h"
#include "compat-record.h"
#include "compat-traits.h"
#include "error.h"
#include "json-io.h"
#include "input.h"
#include "verbs.h"

#define EXIT_INVALID_RECORD 6

/* ---- reading documents ---- */

/* FILE as the commands take it: "-" is standard input. */
static const char *file_path(const char *file)
{
	return streq(file, "-") ? "/dev/stdin" : file;
}

static int read_doc(const char *file, char **ret, size_t *ret_len)
{
	int r = input_read(file_path(file), COMPAT_INPUT_MAX, ret, ret_len);
	if (r == -EFBIG)
		return err_set(r, "%s is larger than the %d bytes a document may have", file,
			       COMPAT_INPUT_MAX);
	if (r < 0)
		return err_wrap(r, "Unable to read %s", file);
	return 0;
}

/* Read and parse a record. Returns 0, a negative errno with the error set when the file cannot
 * be read (exit 1), or EXIT_INVALID_RECORD after printing why the record is invalid (an
 * oversized one included). */
static int load_record(const char *file, struct compat_record **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_doc(file, &text, &len);
	if (r == -EFBIG) {
		err_print();
		return EXIT_INVALID_RECORD;
	}
	if (r < 0)
		return r;
	if (compat_record_parse(text, len, ret) < 0) {
		err_wrap(-EINVAL, "Invalid compatibility record %s", file);
		err_print();
		return EXIT_INVALID_RECORD;
	}
	return 0;
}

static int load_inventory(const char *file, struct compat_inventory **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_doc(file, &text, &len);
	if (r < 0)
		return r;
	r = compat_inventory_parse(text, len, ret);
	if (r < 0)
		return err_wrap(r, "Invalid inventory %s", file);
	return 0;
}

static int print_json(const json_t *j)
{
	_cleanup_free_ char *s = json_io_pretty(j);
	puts(s);
	return 0;
}

/* ---- show ---- */

enum {
	S_UUID,
	S_PARENT,
	S_N
};
static const struct cli_option show_options[] = {
	[S_UUID] = { "uuid", 'u', "UUID", "UUID of the device (active or defined)" },
	[S_PARENT] = { "parent", 'p', "PARENT",
		       "Parent of the device, when its UUID is defined under several" },
};
static const struct cli_rule show_rules[] = {
	{ CLI_REQUIRED, S_UUID, 0, 0 },
};
static const struct cli_command show_cmd = {
	.prog = "mdevctl compat show",
	.about = "Print the compatibility record of a device",
	.long_about = "Print the compatibility record of a device\n\n"
		      "The record (JSON, schema mdev-compat/1) describes an active or defined device\n"
		      "of this host as the source of a migration: its type, driver, attributes and\n"
		      "the vendor's statements of which other types it can migrate to. `show` is the\n"
		      "default: `mdevctl compat -u UUID` is the same.",
	.options = show_options,
	.n_options = S_N,
	.rules = show_rules,
	.n_rules = ELEMENTSOF(show_rules),
};

static int show_run(const struct cli_args *a)
{
	char uuid[UUID_STR_LEN] = "";
	int r = verb_uuid(&show_cmd, a, S_UUID, uuid);
	if (r != CLI_OK)
		return r;
	/* A record states what the device's parent offers, which only its sysfs tells. */
	r = verb_refuse_offline(&show_cmd, "'compat show'");
	if (r != CLI_OK)
		return r;
	json_t *rec = NULL;
	r = compat_host_record(uuid, a->value[S_PARENT], &rec);
	if (r < 0)
		return r;
	print_json(rec);
	json_decref(rec);
	return 0;
}

/* ---- inventory ---- */

static const struct cli_command inventory_cmd = {
	.prog = "mdevctl compat inventory",
	.about = "Print this host as a migration destination",
	.long_about = "Print this host as a migration destination\n\n"
		      "The inventory (JSON, schema mdev-inventory/1): every parent with the facts of\n"
		      "each supported type, and the devices whose UUIDs are taken. A scheduler can\n"
		      "pass it to `mdevctl compat check --inventory` on any machine.",
};

static int inventory_run(const struct cli_args *a)
{
	int r = verb_refuse_offline(&inventory_cmd, "'compat inventory'");
	if (r != CLI_OK)
		return r;
	(void)a;
	json_t *inv = NULL;
	r = compat_host_inventory(NULL, &inv, NULL);
	if (r < 0)
		return r;
	print_json(inv);
	json_decref(inv);
	return 0;
}

/* ---- check ---- */

/* check and create-compatible share their first options (the selection); the rest differ. */
enum {
	C_FROM,
	C_PARENT,
	C_UUID,
	C_KEEP_UUID,
	C_POLICY,
	C_MODE,
	C_NO_REUSE,
	C_DUMPJSON,
	C_SHARED_N,
	C_INVENTORY = C_SHARED_N, /* check */
	C_N,
	X_AUTO = C_SHARED_N, /* create-compatible */
	X_DRY_RUN,
	X_N
};
#define SELECTION_OPTIONS                                                                        \
	[C_FROM] = { "from", 0, "FILE", "The source's compatibility record ('-': standard input)" }, \
	[C_PARENT] = { "parent", 'p', "HINT", "Prefer candidates on this parent" },                \
	[C_UUID] = { "uuid", 'u', "UUID", "UUID for a new device instead of the source's" },       \
	[C_KEEP_UUID] = { "keep-uuid", 0, NULL,                                                    \
			  "The device must keep the source's UUID (else: blocked)" },              \
	[C_POLICY] = { "policy", 0, "POLICY",                                                      \
		       "first-fit (default), spread (most available first) or pack (fewest)" },    \
	[C_MODE] = { "mode", 0, "MODE",                                                            \
		     "live (default) or cold (re-create for a stopped VM: no version\n"             \
		     "or migration-flag rules)" },                                                 \
	[C_NO_REUSE] = { "no-reuse", 0, NULL, "Never reuse a free existing device" }

static const struct cli_option check_options[] = {
	SELECTION_OPTIONS,
	[C_DUMPJSON] = { "dumpjson", 0, NULL, "Print the plan as JSON" },
	[C_INVENTORY] = { "inventory", 0, "FILE",
			  "A destination's inventory instead of this host; repeat it to rank\n"
			  "several hosts",
			  CLI_OPT_MULTIPLE },
};
static const struct cli_rule check_rules[] = {
	{ CLI_REQUIRED, C_FROM, 0, 0 },
	{ CLI_CONFLICTS, C_KEEP_UUID, C_UUID, 0 },
};
static const struct cli_command check_cmd = {
	.prog = "mdevctl compat check",
	.about = "Check where a source device could migrate, without changing anything",
	.long_about =
		"Check where a source device could migrate, without changing anything\n\n"
		"Matches the source's compatibility record against this host (or the given\n"
		"inventories) and prints the plan: the verdict, the chosen candidate, every\n"
		"candidate in rank order and every rejected target with its reasons.\n"
		"Exit status: 0 compatible, 3 incompatible, 4 no capacity, 5 blocked by\n"
		"policy, 6 invalid record; with several inventories, that of the best host.",
	.options = check_options,
	.n_options = C_N,
	.rules = check_rules,
	.n_rules = ELEMENTSOF(check_rules),
};

static void fresh_uuid(char ret[UUID_STR_LEN])
{
	uuid_t u;
	uuid_generate_random(u);
	uuid_unparse_lower(u, ret);
}

/* The selection options, shared by check and create-compatible (same option indices). */
static int parse_selection(const struct cli_command *cmd, const struct cli_args *a,
			   struct compat_select *sel, char uuid[UUID_STR_LEN])
{
	int r = verb_uuid(cmd, a, C_UUID, uuid);
	if (r != CLI_OK)
		return r;
	if (a->seen[C_POLICY] && compat_policy_from_string(a->value[C_POLICY], &sel->policy) < 0)
		return cli_usage_error(cmd,
				       "invalid value '%s' for '--policy <POLICY>': one of "
				       "first-fit, spread, pack",
				       a->value[C_POLICY]);
	if (a->seen[C_MODE] && compat_mode_from_string(a->value[C_MODE], &sel->mode) < 0)
		return cli_usage_error(cmd, "invalid value '%s' for '--mode <MODE>': one of live, cold",
				       a->value[C_MODE]);
	sel->parent_hint = a->value[C_PARENT];
	sel->uuid = uuid[0] ? uuid : NULL;
	sel->keep_uuid = a->seen[C_KEEP_UUID];
	sel->no_reuse = a->seen[C_NO_REUSE];
	return CLI_OK;
}

/* Load the record and check what the selection asks of it. */
static int load_selected_record(const struct cli_command *cmd, const struct cli_args *a,
				struct compat_record **ret)
{
	int r = load_record(a->value[C_FROM], ret);
	if (r != 0)
		return r;
	if (a->seen[C_KEEP_UUID] && (*ret)->uuid[0] == '\0') {
		*ret = compat_record_free(*ret);
		return cli_usage_error(cmd, "'--keep-uuid' needs a record that names the source's "
					    "UUID (self.uuid)");
	}
	return 0;
}

static int check_run(const struct cli_args *a)
{
	_cleanup_compat_record_ struct compat_record *rec = NULL;
	char uuid[UUID_STR_LEN] = "", fresh[UUID_STR_LEN];
	struct compat_select sel = { 0 };
	int n_inv = a->n_values[C_INVENTORY];
	int stdin_users = streq(a->value[C_FROM], "-") || streq(a->value[C_FROM], "/dev/stdin");
	int r;

	for (int i = 0; i < n_inv; i++)
		stdin_users += streq(a->values[C_INVENTORY][i], "-") ||
			       streq(a->values[C_INVENTORY][i], "/dev/stdin");
	if (stdin_users > 1)
		return cli_usage_error(&check_cmd, "only one document can come from standard input");
	if (n_inv == 0) {
		r = verb_refuse_offline(&check_cmd, "checking this host (without '--inventory')");
		if (r != CLI_OK)
			return r;
	}
	r = parse_selection(&check_cmd, a, &sel, uuid);
	if (r != CLI_OK)
		return r;
	r = load_selected_record(&check_cmd, a, &rec);
	if (r != 0)
		return r;
	fresh_uuid(fresh);
	sel.fresh_uuid = fresh;

	size_t n = n_inv > 0 ? (size_t)n_inv : 1;
	struct compat_inventory **invs = xcalloc(n, sizeof(*invs));
	struct compat_plan **plans = xcalloc(n, sizeof(*plans));
	const char **hosts = xcalloc(n, sizeof(*hosts));
	size_t *order = xcalloc(n, sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		if (n_inv > 0)
			r = load_inventory(a->values[C_INVENTORY][i], &invs[i]);
		else {
			_cleanup_(strv_free) struct strv types = { 0 }, uuids = { 0 };
			compat_match_needs(rec, &sel, &types, &uuids);
			struct compat_host_need need = { .types = &types, .uuids = &uuids };
			r = compat_host_inventory(&need, NULL, &invs[i]);
		}
		if (r < 0)
			goto out;
		hosts[i] = invs[i]->host ? invs[i]->host
			   : n_inv > 0	 ? a->values[C_INVENTORY][i]
					 : "localhost";
		r = compat_match(rec, invs[i], &sel, &plans[i]);
		if (r < 0)
			goto out;
	}
	compat_plans_rank((const struct compat_plan *const *)plans, n, order);

	if (n == 1 && a->seen[C_DUMPJSON]) {
		json_t *j = compat_plan_to_json(plans[0], NULL);
		print_json(j);
		json_decref(j);
	} else if (a->seen[C_DUMPJSON]) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, compat_plan_to_json(plans[order[i]],
								       hosts[order[i]]));
		print_json(arr);
		json_decref(arr);
	} else {
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				sb_putc(&sb, '\n');
			compat_plan_format(plans[order[i]], n > 1 ? hosts[order[i]] : NULL, &sb);
		}
		fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
		sb_free(&sb);
	}
	r = compat_verdict_exit_status(compat_plan_verdict(plans[order[0]]));
out:
	for (size_t i = 0; i < n; i++) {
		compat_plan_free(plans[i]);
		compat_inventory_free(invs[i]);
	}
	free(invs);
	free(plans);
	free(hosts);
	free(order);
	return r;
}

/* ---- create-compatible ---- */

static const struct cli_option create_options[] = {
	SELECTION_OPTIONS,
	[C_DUMPJSON] = { "dumpjson", 0, NULL,
			 "Print the plan as JSON, with a \"result\" member, instead of the UUID" },
	[X_AUTO] = { "auto", 'a', NULL, "Persist the device to start automatically" },
	[X_DRY_RUN] = { "dry-run", 0, NULL, "Print the plan and change nothing" },
};
static const struct cli_rule create_rules[] = {
	{ CLI_REQUIRED, C_FROM, 0, 0 },
	{ CLI_CONFLICTS, C_KEEP_UUID, C_UUID, 0 },
};
const struct cli_command verb_create_compatible_cmd = {
	.prog = "mdevctl create-compatible",
	.about = "Create and persist a device that a source's device can migrate to",
	.long_about =
		"Create and persist a device that a source's device can migrate to\n\n"
		"Reads the source's compatibility record (`mdevctl compat show` on the source),\n"
		"selects a parent, type and attributes on this host as `mdevctl compat check`\n"
		"does, creates the device, writes its definition and prints its UUID. If an\n"
		"attempt fails, nothing of it is left and the next candidate is tried (at most\n"
		"3 attempts); a definition that cannot be written, or a device the kernel will\n"
		"not remove, ends the attempts. Exit status: 0 created, 1 failed, 3\n"
		"incompatible, 4 no capacity, 5 blocked by policy, 6 invalid record.",
	.options = create_options,
	.n_options = X_N,
	.rules = create_rules,
	.n_rules = ELEMENTSOF(create_rules),
};

int verb_create_compatible_run(const struct cli_args *a)
{
	_cleanup_compat_record_ struct compat_record *rec = NULL;
	char uuid[UUID_STR_LEN] = "", fresh[UUID_STR_LEN];
	struct compat_select sel = { 0 };
	struct compat_create_result res;
	struct strbuf sb = { 0 };
	int r;

	r = parse_selection(&verb_create_compatible_cmd, a, &sel, uuid);
	if (r != CLI_OK)
		return r;
	r = load_selected_record(&verb_create_compatible_cmd, a, &rec);
	if (r != 0)
		return r;
	fresh_uuid(fresh);
	sel.fresh_uuid = fresh;
	sel.autostart = a->seen[X_AUTO];

	r = compat_create(rec, &sel, a->seen[X_DRY_RUN], &res);
	if (r < 0) {
		compat_create_result_clear(&res);
		return r;
	}
	enum compat_verdict v = compat_plan_verdict(res.plan);
	if (a->seen[C_DUMPJSON]) {
		json_t *j = compat_create_result_json(&res);
		print_json(j);
		json_decref(j);
	}
	switch (res.status) {
	case COMPAT_CREATE_DONE:
		if (!a->seen[C_DUMPJSON])
			printf("%s\n", res.uuid);
		r = 0;
		break;
	case COMPAT_CREATE_DRY_RUN:
		if (!a->seen[C_DUMPJSON]) {
			compat_plan_format(res.plan, NULL, &sb);
			fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
		}
		r = 0;
		break;
	case COMPAT_CREATE_NO_MATCH:
		/* Why nothing fits, candidate by candidate; stdout stays for a UUID. */
		if (!a->seen[C_DUMPJSON]) {
			compat_plan_format(res.plan, NULL, &sb);
			fprintf(stderr, "Error: No device of this host can take the migration (%s)\n%s",
				compat_verdict_to_string(v), sb.buf ? sb.buf : "");
		}
		r = compat_verdict_exit_status(v);
		break;
	case COMPAT_CREATE_FAILED:
		/* Each attempt has been warned about. Out of capacity everywhere is the verdict a
		 * scheduler acts on (retry elsewhere); anything else is an error. */
		if (res.gave_up) {
			r = -EIO; /* the error says why */
			break;
		}
		if (!res.all_no_capacity) {
			r = err_set(-EIO, "Every attempt to create a compatible device failed");
			break;
		}
		if (!a->seen[C_DUMPJSON])
			fputs("Error: Every attempt to create a compatible device failed: no capacity "
			      "left\n",
			      stderr);
		r = compat_verdict_exit_status(COMPAT_VERDICT_NO_CAPACITY);
		break;
	}
	sb_free(&sb);
	compat_create_result_clear(&res);
	return r;
}

/* ---- traits ---- */

enum {
	T_FROM,
	T_INVENTORY,
	T_N
};
static const struct cli_option traits_options[] = {
	[T_FROM] = { "from", 0, "FILE", "The traits a source's record requires" },
	[T_INVENTORY] = { "inventory", 0, "FILE",
			  "The traits a destination offers: this host, or the inventory FILE",
			  CLI_OPT_OPTIONAL_VALUE },
};
static const struct cli_rule traits_rules[] = {
	{ CLI_ONE_OF, 0, 0, (1u << T_FROM) | (1u << T_INVENTORY) },
};
static const struct cli_command traits_cmd = {
	.prog = "mdevctl compat traits",
	.about = "Print the OpenStack Placement traits of a record or a destination",
	.long_about =
		"Print the OpenStack Placement traits of a record or a destination\n\n"
		"With --from, the traits every compatible destination carries, one per line;\n"
		"when the record allows several types, the last line is Placement's any-of\n"
		"form (in:A,B). With --inventory, the traits this host (or the inventory FILE)\n"
		"offers. A necessary condition for a scheduler's prefilter: `compat check`\n"
		"decides.",
	.options = traits_options,
	.n_options = T_N,
	.rules = traits_rules,
	.n_rules = ELEMENTSOF(traits_rules),
};

static int traits_run(const struct cli_args *a)
{
	struct strbuf sb = { 0 };
	struct strv req = { 0 }, any = { 0 };
	int r;

	if (a->seen[T_INVENTORY] && !a->value[T_INVENTORY]) {
		r = verb_refuse_offline(&traits_cmd, "the traits of this host (without a FILE)");
		if (r != CLI_OK)
			return r;
	}
	if (a->seen[T_FROM]) {
		_cleanup_compat_record_ struct compat_record *rec = NULL;
		r = load_record(a->value[T_FROM], &rec);
		if (r != 0)
			return r;
		r = compat_record_traits(rec, &req, &any);
		if (r >= 0)
			compat_traits_format_record(&req, &any, &sb);
	} else {
		_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
		r = a->value[T_INVENTORY] ? load_inventory(a->value[T_INVENTORY], &inv)
					  : compat_host_inventory(NULL, NULL, &inv);
		if (r >= 0)
			r = compat_inventory_traits(inv, &req);
		if (r >= 0)
			compat_traits_format_list(&req, &sb);
	}
	if (r >= 0)
		fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
	sb_free(&sb);
	strv_free(&req);
	strv_free(&any);
	return r < 0 ? r : 0;
}

/* ---- the group ---- */

struct sub {
	const char *name;
	const struct cli_command *cmd;
	int (*run)(const struct cli_args *a);
};
static const struct sub subs[] = {
	{ "show", &show_cmd, show_run },
	{ "inventory", &inventory_cmd, inventory_run },
	{ "check", &check_cmd, check_run },
	{ "traits", &traits_cmd, traits_run },
};

const struct cli_command verb_compat_cmd = {
	.prog = "mdevctl compat",
	.about = "Migration compatibility: records, inventories, checks, traits",
	.long_about = "Migration compatibility: records, inventories, checks, traits\n\n"
		      "Usage: mdevctl compat [show] -u UUID [-p PARENT]\n"
		      "       mdevctl compat inventory\n"
		      "       mdevctl compat check --from FILE [--inventory FILE]... [SELECTION]\n"
		      "       mdevctl compat traits (--from FILE | --inventory [FILE])\n\n"
		      "Commands:\n"
		      "  show       Print the compatibility record of a device (the default)\n"
		      "  inventory  Print this host as a migration destination\n"
		      "  check      Check where a source device could migrate\n"
		      "  traits     Print the OpenStack Placement traits of a record or destination\n\n"
		      "See `mdevctl compat <COMMAND> --help` and mdevctl-compat(5).",
};

static void print_group_help(FILE *out)
{
	fprintf(out, "%s\n", verb_compat_cmd.long_about);
}

int verb_compat_run(const struct cli_args *a)
{
	(void)a;
	print_group_help(stdout);
	return 0;
}

int verb_compat_main(int argc, char **argv)
{
	const struct sub *s = &subs[0];
	struct cli_args args;

	if (argc == 0) {
		print_group_help(stderr);
		return CLI_USAGE;
	}
	if (streq(argv[0], "-h") || streq(argv[0], "--help")) {
		print_group_help(stdout);
		return 0;
	}
	if (argv[0][0] != '-') {
		s = NULL;
		for (size_t i = 0; i < ELEMENTSOF(subs) && !s; i++)
			if (streq(subs[i].name, argv[0]))
				s = &subs[i];
		if (!s)
			return cli_usage_error(&verb_compat_cmd, "unrecognized subcommand '%s'",
					       argv[0]);
		argc--;
		argv++;
	}
	int r = cli_parse(s->cmd, argc, argv, &args);
	if (r == CLI_DONE)
		return 0;
	if (r != CLI_OK)
		return r;
	return s->run(&args);
}
