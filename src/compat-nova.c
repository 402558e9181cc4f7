// SPDX-License-Identifier: LGPL-2.1-or-later
/* Nova's provider config of a destination's traits; see compat-nova.h. Written by hand rather
 * than through a YAML library: the document is a fixed shape of mappings and lists whose only
 * free text, the provider names, is written as JSON strings (a subset of YAML's double-quoted
 * scalars), so that no name can change the document's structure. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "compat-nova.h"
#include "compat-traits.h"
#include "error.h"

/* "DDDD:BB:SS.F", hex digits, as the kernel names a PCI device. */
static bool is_pci_address(const char *s)
{
	static const char form[] = "xxxx:xx:xx.x";
	if (strlen(s) != sizeof(form) - 1)
		return false;
	for (size_t i = 0; form[i]; i++)
		if (form[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != form[i])
			return false;
	return true;
}

char *compat_nova_provider_name(const char *nodename, const char *parent)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, "%s_%s", nodename, is_pci_address(parent) ? "pci_" : "");
	for (const unsigned char *p = (const unsigned char *)parent; *p; p++)
		sb_putc(&sb, *p < 0x80 && (isalnum(*p) || *p == '_') ? (char)*p : '_');
	return sb_steal(&sb);
}

static void put_json_string(struct strbuf *out, const char *s)
{
	json_t *j = json_string(s);
	char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	/* A name that is not UTF-8 has no JSON form: its bytes as a YAML escape each. */
	if (text)
		sb_puts(out, text);
	else {
		sb_putc(out, '"');
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			sb_printf(out, "\\x%02x", *p);
		sb_putc(out, '"');
	}
	free(text);
	json_decref(j);
}

int compat_nova_provider_config(const struct compat_inventory *inv, const char *nodename,
				struct strbuf *out)
{
	struct strbuf body = { 0 };
	int r = 0;

	for (size_t i = 0; i < inv->n_parents && r == 0; i++) {
		const struct compat_inv_parent *pa = &inv->parents[i];
		_cleanup_(strv_free) struct strv traits = { 0 };
		_cleanup_free_ char *name = compat_nova_provider_name(nodename, pa->parent);
		/* A parent without types offers nothing: Nova warns about a provider without
		 * traits and ignores it. */
		if (pa->n_types == 0)
			continue;
		if (strlen(name) > COMPAT_NOVA_NAME_MAX) {
			r = err_set(
				-EINVAL,
				"The resource provider name %s is longer than the %d characters Nova allows",
				name, COMPAT_NOVA_NAME_MAX);
			break;
		}
		r = compat_parent_traits(pa, &traits);
		if (r < 0)
			break;
		sb_puts(&body, "  - identification:\n      name: ");
		put_json_string(&body, name);
		sb_puts(&body, "\n    traits:\n      additional:\n");
		for (size_t k = 0; k < traits.n; k++)
			sb_printf(&body, "        - %s\n", traits.v[k]);
	}
	if (r == 0) {
		sb_puts(out,
			"# Placement traits of mdevctl's migration compatibility for the mdev parents\n"
			"# of compute node ");
		put_json_string(out, nodename);
		sb_puts(out, ", from `mdevctl compat traits --format nova-provider-config`.\n"
			     "# Nova reads it from /etc/nova/provider_config/*.yaml.\n"
			     "meta:\n  schema_version: '1.0'\n");
		sb_puts(out, body.len ? "providers:\n" : "providers: []\n");
		if (body.len)
			sb_add(out, body.buf, body.len);
	}
	sb_free(&body);
	return r;
}
