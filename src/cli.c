// SPDX-License-Identifier: LGPL-2.1-or-later
/* Command-line parsing; see cli.h. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "util.h"

const char *cli_option_name(const struct cli_command *cmd, int i)
{
	static char buf[128];
	const struct cli_option *o = &cmd->options[i];
	if (o->value_name && (o->flags & CLI_OPT_OPTIONAL_VALUE))
		snprintf(buf, sizeof(buf), "--%s [<%s>]", o->long_name, o->value_name);
	else if (o->value_name)
		snprintf(buf, sizeof(buf), "--%s <%s>", o->long_name, o->value_name);
	else
		snprintf(buf, sizeof(buf), "--%s", o->long_name);
	return buf;
}

static void print_usage_line(const struct cli_command *cmd, FILE *out)
{
	fprintf(out, "Usage: %s", cmd->prog);
	if (cmd->n_options > 0)
		fputs(" [OPTIONS]", out);
	for (int r = 0; r < cmd->n_rules; r++)
		if (cmd->rules[r].kind == CLI_REQUIRED)
			fprintf(out, " %s", cli_option_name(cmd, cmd->rules[r].a));
	if (cmd->positional)
		fprintf(out, " <%s>", cmd->positional);
	fputc('\n', out);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	print_usage_line(cmd, stderr);
	fputs("\nFor more information, try '--help'.\n", stderr);
	return CLI_USAGE;
}

static const struct cli_command *globals;

void cli_set_globals(const struct cli_command *g)
{
	globals = g;
}

void cli_print_options(const struct cli_command *cmd, bool long_help, FILE *out)
{
	char left[2 * CLI_MAX_OPTIONS + 2][96];
	const char *help[2 * CLI_MAX_OPTIONS + 2];
	const struct cli_option *opts[2 * CLI_MAX_OPTIONS];
	int n = 0, n_opts = 0;
	size_t width = 0;

	for (int i = 0; i < cmd->n_options; i++)
		opts[n_opts++] = &cmd->options[i];
	for (int i = 0; globals && globals != cmd && i < globals->n_options; i++)
		opts[n_opts++] = &globals->options[i];
	for (int i = 0; i < n_opts; i++, n++) {
		const struct cli_option *o = opts[i];
		char sh[8] = "    ";
		if (o->short_name)
			snprintf(sh, sizeof(sh), "-%c, ", o->short_name);
		if (o->value_name && (o->flags & CLI_OPT_OPTIONAL_VALUE))
			snprintf(left[n], sizeof(left[n]), "%s--%s [<%s>]", sh, o->long_name,
				 o->value_name);
		else if (o->value_name)
			snprintf(left[n], sizeof(left[n]), "%s--%s <%s>", sh, o->long_name,
				 o->value_name);
		else
			snprintf(left[n], sizeof(left[n]), "%s--%s", sh, o->long_name);
		help[n] = o->help;
	}
	snprintf(left[n], sizeof(left[n]), "-h, --help");
	help[n++] = long_help ? "Print help" : "Print help (see more with '--help')";
	if (cmd->version) {
		snprintf(left[n], sizeof(left[n]), "-V, --version");
		help[n++] = "Print version";
	}
	for (int i = 0; i < n; i++)
		if (strlen(left[i]) > width)
			width = strlen(left[i]);

	fputs("\nOptions:\n", out);
	for (int i = 0; i < n; i++) {
		/* Continuation lines of a multi-line help text line up under the first. */
		const char *h = help[i];
		fprintf(out, "  %-*s  ", (int)width, left[i]);
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "%.*s\n  %-*s  ", (int)(nl - h), h, (int)width, "");
		fprintf(out, "%s\n", h);
	}
}

void cli_print_help(const struct cli_command *cmd, bool long_help, FILE *out)
{
	fprintf(out, "%s\n\n", long_help && cmd->long_about ? cmd->long_about : cmd->about);
	print_usage_line(cmd, out);
	if (cmd->positional)
		fprintf(out, "\nArguments:\n  <%s>  The parent device\n", cmd->positional);
	cli_print_options(cmd, long_help, out);
}

static int find_long(const struct cli_command *cmd, const char *name, size_t len)
{
	for (int i = 0; i < cmd->n_options; i++)
		if (strlen(cmd->options[i].long_name) == len &&
		    strncmp(cmd->options[i].long_name, name, len) == 0)
			return i;
	return -1;
}

static int find_short(const struct cli_command *cmd, char c)
{
	for (int i = 0; i < cmd->n_options; i++)
		if (cmd->options[i].short_name == c)
			return i;
	return -1;
}

/* Record option i; value is NULL for a flag. */
static int take(const struct cli_command *cmd, struct cli_args *ret, int i, const char *value)
{
	const bool multiple = cmd->options[i].flags & CLI_OPT_MULTIPLE;
	if (ret->seen[i] && !multiple)
		return cli_usage_error(cmd, "the argument '%s' cannot be used multiple times",
				       cli_option_name(cmd, i));
	if (multiple) {
		if (ret->n_values[i] >= CLI_MAX_REPEAT)
			return cli_usage_error(cmd, "the argument '%s' can be given at most %d times",
					       cli_option_name(cmd, i), CLI_MAX_REPEAT);
		ret->values[i][ret->n_values[i]++] = value;
	}
	ret->seen[i] = true;
	ret->value[i] = value;
	return CLI_OK;
}

/* A value in the next argv element; clap does not take one that looks like an option. */
static const char *next_value(int argc, char **argv, int *k)
{
	if (*k + 1 >= argc)
		return NULL;
	const char *v = argv[*k + 1];
	if (v[0] == '-' && v[1] != '\0')
		return NULL;
	(*k)++;
	return v;
}

static int check_rules(const struct cli_command *cmd, const struct cli_args *ret)
{
	char missing[512] = "";
	size_t m = 0;

	for (int r = 0; r < cmd->n_rules; r++) {
		const struct cli_rule *rule = &cmd->rules[r];
		const bool a = ret->seen[rule->a], b = ret->seen[rule->b];
		switch (rule->kind) {
		case CLI_CONFLICTS:
			if (a && b) {
				char an[128];
				snprintf(an, sizeof(an), "%s", cli_option_name(cmd, rule->a));
				return cli_usage_error(cmd,
						       "the argument '%s' cannot be used with '%s'",
						       an, cli_option_name(cmd, rule->b));
			}
			break;
		case CLI_ONE_OF: {
			int first = -1;
			for (int i = 0; i < cmd->n_options; i++) {
				if (!(rule->mask & (1u << i)) || !ret->seen[i])
					continue;
				if (first < 0) {
					first = i;
					continue;
				}
				char an[128];
				snprintf(an, sizeof(an), "%s", cli_option_name(cmd, first));
				return cli_usage_error(cmd,
						       "the argument '%s' cannot be used with '%s'",
						       an, cli_option_name(cmd, i));
			}
			if (first < 0) {
				m += (size_t)snprintf(missing + m, sizeof(missing) - m, "\n  <");
				bool sep = false;
				for (int i = 0; i < cmd->n_options && m < sizeof(missing); i++)
					if (rule->mask & (1u << i)) {
						m += (size_t)snprintf(
							missing + m, sizeof(missing) - m, "%s%s",
							sep ? "|" : "", cli_option_name(cmd, i));
						sep = true;
					}
				if (m < sizeof(missing))
					m += (size_t)snprintf(missing + m, sizeof(missing) - m,
							      ">");
			}
			break;
		}
		case CLI_REQUIRED:
		case CLI_REQUIRED_UNLESS:
		case CLI_REQUIRES: {
			int need = rule->kind == CLI_REQUIRES ? rule->b : rule->a;
			bool missing_it = rule->kind == CLI_REQUIRED	      ? !a
					  : rule->kind == CLI_REQUIRED_UNLESS ? (!a && !b)
									      : (a && !b);
			if (missing_it && m < sizeof(missing))
				m += (size_t)snprintf(missing + m, sizeof(missing) - m, "\n  %s",
						      cli_option_name(cmd, need));
			break;
		}
		}
	}
	if (cmd->positional && !ret->positional && m < sizeof(missing))
		m += (size_t)snprintf(missing + m, sizeof(missing) - m, "\n  <%s>",
				      cmd->positional);
	if (m > 0)
		return cli_usage_error(cmd, "the following required arguments were not provided:%s",
				       missing);
	return CLI_OK;
}

int cli_take_globals(int *argc, char **argv, struct cli_args *ret)
{
	int kept = 1, r;

	*ret = (struct cli_args){ 0 };
	for (int k = 1; k < *argc; k++) {
		const char *a = argv[k];
		if (streq(a, "--")) {
			/* Everything from here on is the command's. */
			while (k < *argc)
				argv[kept++] = argv[k++];
			break;
		}
		int i = -1;
		size_t len = 0;
		const char *eq = NULL;
		if (globals && startswith(a, "--")) {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			i = find_long(globals, a + 2, len);
		}
		if (i < 0) {
			argv[kept++] = argv[k];
			continue;
		}
		const char *value = NULL;
		if (globals->options[i].value_name) {
			value = eq ? eq + 1 : next_value(*argc, argv, &k);
			if (!value)
				return cli_usage_error(
					globals, "a value is required for '%s' but none was supplied",
					cli_option_name(globals, i));
		} else if (eq)
			return cli_usage_error(
				globals, "unexpected value '%s' for '--%s' found; no more were expected",
				eq + 1, globals->options[i].long_name);
		r = take(globals, ret, i, value);
		if (r != CLI_OK)
			return r;
	}
	*argc = kept;
	argv[kept] = NULL;
	return CLI_OK;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *ret)
{
	bool only_positional = false;
	int r;

	*ret = (struct cli_args){ 0 };
	for (int k = 0; k < argc; k++) {
		const char *a = argv[k];

		if (only_positional || a[0] != '-' || a[1] == '\0') {
			if (!cmd->positional || ret->positional)
				return cli_usage_error(cmd, "unexpected argument '%s' found", a);
			ret->positional = a;
			continue;
		}
		if (streq(a, "--")) {
			only_positional = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int i = find_long(cmd, name, len);
			if (i < 0) {
				if (len == 4 && strncmp(name, "help", 4) == 0) {
					cli_print_help(cmd, true, stdout);
					return CLI_DONE;
				}
				if (cmd->version && len == 7 && strncmp(name, "version", 7) == 0) {
					printf("%s %s\n", cmd->version, PACKAGE_VERSION);
					return CLI_DONE;
				}
				return cli_usage_error(cmd, "unexpected argument '--%.*s' found",
						       (int)len, name);
			}
			const char *value = NULL;
			if (cmd->options[i].value_name) {
				value = eq ? eq + 1 : next_value(argc, argv, &k);
				if (!value && !(cmd->options[i].flags & CLI_OPT_OPTIONAL_VALUE))
					return cli_usage_error(
						cmd,
						"a value is required for '%s' but none was supplied",
						cli_option_name(cmd, i));
			} else if (eq)
				return cli_usage_error(
					cmd,
					"unexpected value '%s' for '--%s' found; no more were expected",
					eq + 1, cmd->options[i].long_name);
			r = take(cmd, ret, i, value);
			if (r != CLI_OK)
				return r;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			int i = find_short(cmd, *c);
			if (i < 0) {
				if (*c == 'h') {
					cli_print_help(cmd, false, stdout);
					return CLI_DONE;
				}
				if (cmd->version && *c == 'V') {
					printf("%s %s\n", cmd->version, PACKAGE_VERSION);
					return CLI_DONE;
				}
				return cli_usage_error(cmd, "unexpected argument '-%c' found", *c);
			}
			if (!cmd->options[i].value_name) {
				r = take(cmd, ret, i, NULL);
				if (r != CLI_OK)
					return r;
				continue;
			}
			const char *value =
				c[1] ? c + 1 + (c[1] == '=') : next_value(argc, argv, &k);
			if (!value && !(cmd->options[i].flags & CLI_OPT_OPTIONAL_VALUE))
				return cli_usage_error(
					cmd, "a value is required for '%s' but none was supplied",
					cli_option_name(cmd, i));
			r = take(cmd, ret, i, value);
			if (r != CLI_OK)
				return r;
			break;
		}
	}
	return check_rules(cmd, ret);
}
