/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* This host as migration compatibility sees it (COMPAT.md section 4): the facts of each
 * supported type, layered from sysfs, the vendor and admin rule files, the type's
 * `migration_info` file and a versioned callout's `-e get -a compat` answer; the inventory of
 * the host as a destination; and the compatibility record of one of its devices as a source.
 * Both documents are built as JSON and then go through the same strict parser as documents from
 * other hosts (compat-record.h), so this host never emits what another host would refuse. */
#pragma once

#include <jansson.h>

#include "compat-record.h"

/* What a check needs of this host (compat_match_needs()): the types its record can become and
 * the UUIDs whose use it asks about. */
struct compat_host_need {
	const struct strv *types; /* sorted, unique */
	const struct strv *uuids;
	/* The attribute names the record's patterns write (compat_match_attr_names()), NULL:
	 * none. With the attributes of its params, what is read of a running device of uuids
	 * that has no definition (compat_inv_device.attrs_unknown). */
	const struct strv *attr_names;
};

/* This host's inventory: parents in name order with their types, then the devices (active ones
 * "in_use", defined-only ones "defined"), as canonical JSON (compat_inventory_to_json()).
 * When ret_inv is not NULL it also receives the parsed inventory. With need, the parents list
 * only the types it names, without name or description, and the devices are only those of its
 * UUIDs: nothing else of the host is read. A check shows no inventory, never looks at a type
 * it cannot become nor at a device but for its UUID, and gathering every type's facts and
 * every device on a host with thousands of them costs hundreds of milliseconds. Returns 0, or
 * a negative errno with the error set (a sysfs read failure, or facts that do not make a valid
 * inventory). */
int compat_host_inventory(const struct compat_host_need *need, json_t **ret_json,
			  struct compat_inventory **ret_inv);

/* The compatibility record of device uuid (canonical), active or defined, under parent when
 * not NULL. Returns 0 and *ret (a new reference, validated by compat_record_parse()), or a
 * negative errno with the error set: no such device, several definitions and no parent given,
 * the type's facts unreadable. */
int compat_host_record(const char *uuid, const char *parent, json_t **ret);

/* The record a device of type on parent would have (compat_host_record() without a device):
 * no self.uuid, no attrs, params at their defaults. parent and type must be safe names.
 * Returns 0 and *ret, or a negative errno with the error set: no such parent ("Unable to find
 * parent device"), the type not there, its facts unreadable. */
int compat_host_type_record(const char *parent, const char *type, json_t **ret);

/* The host name used in documents: gethostname(), "localhost" when that fails. Malloc'ed. */
char *compat_host_name(void);
