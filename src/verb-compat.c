// SPDX-License-Identifier: LGPL-2.1-or-later
/* `mdevctl compat`: migration compatibility (COMPAT.md sections 1-6 and 8). `show` prints the
 * record of a device of this host, `inventory` this host as a destination, `check` the plan for a
 * record against this host or against inventories of other hosts, `traits` the Placement traits
 * of a record or of a destination. Nothing here changes the host. Exit statuses beyond mdevctl's
 * 0/1/2: 3 incompatible, 4 no capacity, 5 blocked by policy, 6 invalid record. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

#include "compat-create.h"
#include "compat-host.h"
#include "compat-match.h"
#include "compat-nova.h"
#include "compat-record.h"
#include "compat-traits.h"
#include "env.h"
#include "error.h"
#include "input.h"
#include "json-io.h"
#include "log.h"
#include "sysfs.h"
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
		return err_os(r, -r, "Unable to read %s", file);
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
	S_TYPE,
	S_N
};
static const struct cli_option show_options[] = {
	[S_UUID] = { "uuid", 'u', "UUID", "UUID of the device (active or defined)" },
	[S_PARENT] = { "parent", 'p', "PARENT",
		       "Parent of the device, when its UUID is defined under several;\n"
		       "with --type, the parent of that type" },
	[S_TYPE] = { "type", 't', "TYPE",
		     "Instead of a device: the record a device of this type of PARENT\n"
		     "would have (no UUID), to prepare a migration or a rule file" },
};
static const struct cli_rule show_rules[] = {
	{ CLI_REQUIRED_UNLESS, S_UUID, S_TYPE, 0 },
	{ CLI_CONFLICTS, S_UUID, S_TYPE, 0 },
	{ CLI_REQUIRES, S_TYPE, S_PARENT, 0 },
};
static const struct cli_command show_cmd = {
	.prog = "mdevctl compat show",
	.about = "Print the compatibility record of a device",
	.long_about =
		"Print the compatibility record of a device\n\n"
		"The record (JSON, schema mdev-compat/1) describes an active or defined device\n"
		"of this host as the source of a migration: its type, driver, attributes and\n"
		"the vendor's statements of which other types it can migrate to. `show` is the\n"
		"default: `mdevctl compat -u UUID` is the same. With -p PARENT -t TYPE, the\n"
		"record a new device of that type would have, without a UUID.",
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
	if (a->seen[S_TYPE]) {
		for (int i = S_PARENT; i <= S_TYPE; i++)
			if (!name_is_safe(a->value[i]))
				return cli_usage_error(
					&show_cmd,
					"invalid value '%s' for '%s': empty, or with '/', '..' or a control character",
					a->value[i], cli_option_name(&show_cmd, i));
		r = compat_host_type_record(a->value[S_PARENT], a->value[S_TYPE], &rec);
	} else
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
	C_PREFER_PARENT,
	C_UUID,
	C_KEEP_UUID,
	C_POLICY,
	C_MODE,
	C_NO_REUSE,
	C_VERBOSE,
	C_DUMPJSON,
	C_SHARED_N,
	C_INVENTORY = C_SHARED_N, /* check */
	C_N,
	X_AUTO = C_SHARED_N, /* create-compatible */
	X_DRY_RUN,
	X_N
};
#define SELECTION_OPTIONS                                                                       \
	[C_FROM] = { "from", 0, "FILE",                                                         \
		     "The source's compatibility record ('-': standard input)" },               \
	[C_PARENT] = { "parent", 'p', "PARENT",                                                 \
		       "Only candidates on this parent, which must exist" },                    \
	[C_PREFER_PARENT] = { "prefer-parent", 0, "PARENT",                                     \
			      "Prefer candidates on this parent, if there is one" },            \
	[C_UUID] = { "uuid", 'u', "UUID", "UUID for a new device instead of the source's" },    \
	[C_KEEP_UUID] = { "keep-uuid", 0, NULL,                                                 \
			  "The device must keep the source's UUID (else: blocked)" },           \
	[C_POLICY] = { "policy", 0, "POLICY",                                                   \
		       "first-fit (default), spread (most available first) or pack (fewest)" }, \
	[C_MODE] = { "mode", 0, "MODE",                                                         \
		     "live (default) or cold (re-create for a stopped VM: no version\n"         \
		     "or migration-flag rules)" },                                              \
	[C_NO_REUSE] = { "no-reuse", 0, NULL, "Never reuse a free existing device" },           \
	[C_VERBOSE] = { "verbose", 'v', NULL,                                                   \
			"In the text plan, also the rejections of bindings that do not apply\n" \
			"and of types the destination does not have" }

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
	{ CLI_CONFLICTS, C_PARENT, C_PREFER_PARENT, 0 },
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

static unsigned format_flags(const struct cli_args *a)
{
	return a->seen[C_VERBOSE] ? COMPAT_FORMAT_VERBOSE : 0;
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
	/* A name that cannot be a parent is a typo or worse ("../../etc"): said before anything
	 * is read. Whether the parent exists is each host's question (parent_check()). */
	if (a->seen[C_PARENT] && !name_is_safe(a->value[C_PARENT]))
		return cli_usage_error(
			cmd,
			"invalid value '%s' for '--parent <PARENT>': not a parent name (empty, or with '/', '..' or a control character)",
			a->value[C_PARENT]);
	sel->parent_only = a->value[C_PARENT];
	sel->parent_hint = a->value[C_PREFER_PARENT];
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

/* --parent's parent in an inventory: 0, or -ENODEV with the error set, in the words of
 * sysfs_parent_check(). */
static int inventory_parent_check(const struct compat_inventory *inv, const char *parent)
{
	const char *hint = NULL;
	for (size_t i = 0; i < inv->n_parents; i++) {
		if (streq(inv->parents[i].parent, parent))
			return 0;
		if (!hint && strcasecmp(inv->parents[i].parent, parent) == 0)
			hint = inv->parents[i].parent;
	}
	if (hint)
		return err_set(
			-ENODEV,
			"Unable to find parent device '%s' in the inventory. Did you mean '%s'?",
			parent, hint);
	return err_set(-ENODEV, "Unable to find parent device '%s' in the inventory", parent);
}

/* One host of a check: this host, or an inventory file, with its plan, or the error that
 * kept it from having one (an inventory that cannot be read or is not valid). */
struct check_host {
	char *name; /* the inventory's host, else its file name; "localhost" for this host */
	struct compat_inventory *inv;
	struct compat_plan *plan;
	char *error; /* NULL when plan is set */
	int error_r;
};

/* The host an inventory names, if its text is JSON that says, for an error entry: a scheduler
 * then sees which host failed rather than which file. */
static char *host_of_text(const char *file)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	json_t *j = NULL;
	char *host = NULL;

	if (input_read(file_path(file), COMPAT_INPUT_MAX, &text, &len) == 0 &&
	    json_io_parse(text, len, &j) == 0) {
		const char *h = json_string_value(json_object_get(j, "host"));
		if (h && *h && strlen(h) <= COMPAT_STRING_MAX)
			host = xstrdup(h);
	}
	json_decref(j);
	err_clear();
	return host;
}

/* The plan of one host into h, or its error. Returns 0, or a negative errno with the error set
 * for a failure that is not the host's (this host cannot be read). */
static int check_one(const struct compat_record *rec, const struct compat_select *sel,
		     const char *file, struct check_host *h)
{
	int r;

	if (file) {
		r = load_inventory(file, &h->inv);
		if (r < 0) {
			h->error = err_text();
			h->error_r = r;
			err_clear();
			char *host = host_of_text(file);
			h->name = host ? host : xstrdup(file);
			return 0;
		}
		h->name = xstrdup(h->inv->host ? h->inv->host : file);
		if (sel->parent_only && inventory_parent_check(h->inv, sel->parent_only) < 0) {
			h->error = err_text();
			h->error_r = -ENODEV;
			err_clear();
			return 0;
		}
	} else {
		r = sel->parent_only ? sysfs_parent_check(sel->parent_only) : 0;
		if (r < 0)
			return r;
		_cleanup_(strv_free) struct strv types = { 0 }, uuids = { 0 }, names = { 0 };
		compat_match_needs(rec, sel, &types, &uuids);
		compat_match_attr_names(rec, &names);
		struct compat_host_need need = { .types = &types,
						 .uuids = &uuids,
						 .attr_names = &names };
		r = compat_host_inventory(&need, NULL, &h->inv);
		if (r < 0)
			return r;
		h->name = xstrdup("localhost");
	}
	return compat_match(rec, h->inv, sel, &h->plan);
}

static void check_host_clear(struct check_host *h)
{
	free(h->name);
	compat_inventory_free(h->inv);
	compat_plan_free(h->plan);
	free(h->error);
	*h = (struct check_host){ 0 };
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
	struct check_host *hosts = xcalloc(n, sizeof(*hosts));
	const struct compat_plan **plans = xcalloc(n, sizeof(*plans));
	size_t *order = xcalloc(n, sizeof(*order));

	for (size_t i = 0; i < n; i++) {
		r = check_one(rec, &sel, n_inv > 0 ? a->values[C_INVENTORY][i] : NULL, &hosts[i]);
		if (r < 0)
			goto out;
		plans[i] = hosts[i].plan;
	}
	compat_plans_rank(plans, n, order);

	/* With inventories, always an array of host entries: one shape for one host or many. */
	if (a->seen[C_DUMPJSON]) {
		json_t *j = n_inv > 0 ? json_array() : compat_plan_to_json(plans[0], NULL);
		for (size_t i = 0; n_inv > 0 && i < n; i++) {
			const struct check_host *h = &hosts[order[i]];
			json_array_append_new(j,
					      h->plan ? compat_plan_to_json(h->plan, h->name)
						      : compat_plan_error_json(h->name, h->error));
		}
		print_json(j);
		json_decref(j);
	} else {
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < n; i++) {
			const struct check_host *h = &hosts[order[i]];
			if (i > 0)
				sb_putc(&sb, '\n');
			if (h->plan)
				compat_plan_format_ex(h->plan, n_inv > 0 ? h->name : NULL,
						      format_flags(a), &sb);
			else
				compat_plan_format_error(h->name, h->error, &sb);
		}
		fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
		sb_free(&sb);
	}

	/* The hosts in error, on stderr too; the status is the best host's, 1 when every host
	 * is in error (the first one's message then the error). */
	const struct check_host *best = &hosts[order[0]];
	for (size_t i = 0; i < n; i++)
		if (hosts[i].error && (best->plan || &hosts[i] != best))
			log_warn("%s", hosts[i].error);
	r = best->plan ? compat_verdict_exit_status(compat_plan_verdict(best->plan))
		       : err_set(best->error_r, "%s", best->error);
out:
	for (size_t i = 0; i < n; i++)
		check_host_clear(&hosts[i]);
	free(hosts);
	free(plans);
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
	{ CLI_CONFLICTS, C_PARENT, C_PREFER_PARENT, 0 },
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
	if (sel.parent_only) {
		r = sysfs_parent_check(sel.parent_only);
		if (r < 0)
			return r;
	}

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
		/* What was done on stderr: stdout is the UUID, for scripts. */
		compat_create_report(&res, rec, &sb);
		fputs(sb.buf ? sb.buf : "", stderr);
		if (!a->seen[C_DUMPJSON])
			printf("%s\n", res.uuid);
		r = 0;
		break;
	case COMPAT_CREATE_DRY_RUN:
		if (!a->seen[C_DUMPJSON]) {
			compat_plan_format_ex(res.plan, NULL, format_flags(a), &sb);
			fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout);
		}
		r = 0;
		break;
	case COMPAT_CREATE_NO_MATCH:
		/* Why nothing fits, candidate by candidate; stdout stays for a UUID. */
		if (!a->seen[C_DUMPJSON]) {
			compat_plan_format_ex(res.plan, NULL, format_flags(a), &sb);
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
	T_PER_PARENT,
	T_FORMAT,
	T_NODENAME,
	T_N
};
static const struct cli_option traits_options[] = {
	[T_FROM] = { "from", 0, "FILE", "The traits a source's record requires" },
	[T_INVENTORY] = { "inventory", 0, "FILE",
			  "The traits a destination offers: this host, or the inventory FILE",
			  CLI_OPT_OPTIONAL_VALUE },
	[T_PER_PARENT] = { "per-parent", 0, NULL,
			   "The traits of each parent and type, as Placement's resource providers" },
	[T_FORMAT] = { "format", 0, "FORMAT",
		       "text (default) or nova-provider-config: Nova's provider config YAML,\n"
		       "one provider per parent" },
	[T_NODENAME] = { "nodename", 0, "NAME",
			 "Nova's name of the compute node (default: the inventory's host)" },
};
static const struct cli_rule traits_rules[] = {
	{ CLI_ONE_OF, 0, 0, (1u << T_FROM) | (1u << T_INVENTORY) },
	{ CLI_REQUIRES, T_PER_PARENT, T_INVENTORY, 0 },
	{ CLI_REQUIRES, T_FORMAT, T_INVENTORY, 0 },
	{ CLI_REQUIRES, T_NODENAME, T_FORMAT, 0 },
};
static const struct cli_command traits_cmd = {
	.prog = "mdevctl compat traits",
	.about = "Print the OpenStack Placement traits of a record or a destination",
	.long_about =
		"Print the OpenStack Placement traits of a record or a destination\n\n"
		"With --from, the traits every compatible destination carries, one per line;\n"
		"when the record allows several types, the last line is Placement's any-of\n"
		"form (in:A,B). With --inventory, the traits this host (or the inventory FILE)\n"
		"offers; with --per-parent, those of each parent and type; with --format\n"
		"nova-provider-config, a file for /etc/nova/provider_config/ that gives each\n"
		"parent's resource provider its traits. A necessary condition for a\n"
		"scheduler's prefilter: `compat check` decides.",
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
		r = verb_refuse_offline(&traits_cmd, "'compat traits --inventory' without a FILE");
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
		_cleanup_free_ char *local = NULL;
		bool nova = false;
		if (a->value[T_NODENAME] && !a->value[T_NODENAME][0])
			return cli_usage_error(
				&traits_cmd,
				"invalid value '' for '--nodename <NAME>': a compute node's name is not empty");
		if (a->seen[T_FORMAT]) {
			nova = streq(a->value[T_FORMAT], "nova-provider-config");
			if (!nova && !streq(a->value[T_FORMAT], "text"))
				return cli_usage_error(
					&traits_cmd,
					"invalid value '%s' for '--format <FORMAT>': one of text, nova-provider-config",
					a->value[T_FORMAT]);
		}
		r = a->value[T_INVENTORY] ? load_inventory(a->value[T_INVENTORY], &inv)
					  : compat_host_inventory(NULL, NULL, &inv);
		const char *node = a->value[T_NODENAME] ? a->value[T_NODENAME]
				   : inv		? inv->host
							: NULL;
		if (r >= 0 && nova && !node)
			r = err_set(
				-EINVAL,
				"The inventory names no host: give Nova's name of the compute node with --nodename");
		else if (r >= 0 && nova)
			r = compat_nova_provider_config(inv, node, &sb);
		else if (r >= 0 && a->seen[T_PER_PARENT])
			r = compat_traits_format_per_parent(inv, &sb);
		else if (r >= 0)
			r = compat_inventory_traits(inv, &req);
		if (r >= 0 && !nova && !a->seen[T_PER_PARENT])
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

/* Whether a command line reads only the files it names: then nothing of this host is read,
 * its installation included, so that a scheduler can run it anywhere. */
static bool check_offline(const struct cli_args *a)
{
	return a->seen[C_INVENTORY];
}

static bool traits_offline(const struct cli_args *a)
{
	return a->seen[T_FROM] || a->value[T_INVENTORY];
}

struct sub {
	const char *name;
	const struct cli_command *cmd;
	int (*run)(const struct cli_args *a);
	bool (*offline)(const struct cli_args *a); /* NULL: always uses this host */
};
static const struct sub subs[] = {
	{ "show", &show_cmd, show_run, NULL },
	{ "inventory", &inventory_cmd, inventory_run, NULL },
	{ "check", &check_cmd, check_run, check_offline },
	{ "traits", &traits_cmd, traits_run, traits_offline },
};

const struct cli_command verb_compat_cmd = {
	.prog = "mdevctl compat",
	.about = "Migration compatibility: records, inventories, checks, traits",
	.long_about =
		"Migration compatibility: records, inventories, checks, traits\n\n"
		"Usage: mdevctl compat [show] (-u UUID [-p PARENT] | -p PARENT -t TYPE)\n"
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
	if (!s->offline || !s->offline(&args)) {
		r = env_self_check();
		if (r < 0)
			return r;
	}
	return s->run(&args);
}
