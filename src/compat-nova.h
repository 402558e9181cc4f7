/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The traits of a destination as OpenStack Nova's provider configuration: the YAML file that an
 * operator drops into /etc/nova/provider_config/ so that nova-compute adds the traits of
 * compatibility (compat-traits.h) to the resource providers it reports to Placement. Nova models
 * each physical device that offers mdev types (each parent) as a resource provider of the
 * compute node, named "<node>_<libvirt node device name>", the latter "pci_DDDD_BB_SS_F" for a
 * PCI address; the file identifies the providers by those names. The format is version 1.0 of
 * Nova's provider config (nova/compute/provider_config.py: meta.schema_version, then providers,
 * each with identification.name or .uuid and traits.additional, custom traits only). Pure: no
 * I/O. */
#pragma once

#include "compat-record.h"
#include "util.h"

/* Nova refuses a provider name longer than this. */
#define COMPAT_NOVA_NAME_MAX 200

/* The name of parent's resource provider on compute node nodename: "<nodename>_pci_0000_00_02_0"
 * for a PCI address (libvirt's node device name, every ':' and '.' an '_'); for any other
 * parent, "<nodename>_" and the parent's name with every character other than an ASCII letter,
 * digit or '_' made '_' (Nova's vGPU support models PCI parents; another parent's provider, if
 * Nova has one, may be named otherwise). Malloc'ed. */
char *compat_nova_provider_name(const char *nodename, const char *parent);

/* The provider config of inv on compute node nodename, appended to out: a comment saying what
 * it is, meta.schema_version '1.0', and one provider per parent that has types, named as above,
 * whose traits.additional are compat_parent_traits(). Names and traits are written as JSON
 * strings, which YAML reads as its double-quoted scalars. Returns 0, or -EINVAL with the error
 * set when a name would be longer than COMPAT_NOVA_NAME_MAX (Nova would refuse the whole file)
 * or compat_parent_traits() fails. */
int compat_nova_provider_config(const struct compat_inventory *inv, const char *nodename,
				struct strbuf *out);
