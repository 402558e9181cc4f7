/* This host as migration compatibility sees it (COMPAT.md section 4): the facts of each
 * supported type, layered from sysfs, the vendor and admin rule files, the type's
 * `migration_info` file and a versioned callout's `-e get -a compat` answer; the inventory of
 * the host as a destination; and the compatibility record of one of its devices as a source.
 * Both documents are built as JSON and then go through the same strict parser as documents from
 * other hosts (compat-record.h), so this host never emits what another host would refuse. */
#pragma once

#include <jansson.h>

#include "compat-record.h"

/* This host's inventory: parents in name order with their types, then the devices (active ones
 * "in_use", defined-only ones "defined"), as canonical JSON (compat_inventory_to_json()).
 * When ret_inv is not NULL it also receives the parsed inventory. With only_types (sorted,
 * unique names), the parents list only those of their types, no other type is read, and the
 * types have no name or description: a check needs the types its record names
 * (compat_match_type_names()) and no text, and gathering every type's facts on a host with
 * thousands of them costs hundreds of milliseconds. Returns 0, or a
 * negative errno with the error set (a sysfs read failure, or facts that do not make a valid
 * inventory). */
int compat_host_inventory(const struct strv *only_types, json_t **ret_json,
			  struct compat_inventory **ret_inv);

/* The compatibility record of device uuid (canonical), active or defined, under parent when
 * not NULL. Returns 0 and *ret (a new reference, validated by compat_record_parse()), or a
 * negative errno with the error set: no such device, several definitions and no parent given,
 * the type's facts unreadable. */
int compat_host_record(const char *uuid, const char *parent, json_t **ret);

/* The host name used in documents: gethostname(), "localhost" when that fails. Malloc'ed. */
char *compat_host_name(void);
