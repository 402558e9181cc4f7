/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live side: which mediated devices run, on which parent, with which type; the parents and
 * their supported types; and the kernel's create / attribute / remove interface, with the
 * checks and messages upstream gives before it writes. Paths come from env.h, so a rerooted
 * tree works the same as /sys. */
#pragma once

#include "mdev.h"

/* Whether uuid runs. Returns 1 and (optionally) its parent and type, 0 when it does not run
 * (no bus entry, or no mdev_type link: a device half torn down counts as not running), or a
 * negative errno with the error set for any other failure to read sysfs. */
int sysfs_device_state(const char *uuid, char **ret_parent, char **ret_type);

/* Running devices, optionally filtered by UUID and parent, appended to out (unsorted). Entries
 * that are not UUIDs are warned about; devices that cannot be read are skipped. */
int sysfs_list_active(const char *uuid, const char *parent, struct mdev_list *out);

/* Set dev->active of every device in l (definitions): it runs with the defined parent and
 * type. Reads only the running devices that have a definition in l, in bulk; read errors
 * count as not running, with upstream's warning. */
void sysfs_mark_active_list(struct mdev_list *l);

/* Names of the registered parents (entries of /sys/class/mdev_bus), sorted; none when the
 * directory is missing. */
int sysfs_list_parents(struct strv *out);

/* The supported types of one parent, appended to out. Fails, as upstream does, when the parent
 * has no mdev_supported_types or a type's files cannot be read or parsed. */
int sysfs_parent_types(const char *parent, struct mdev_type_list *out);

/* The parent's mdev_supported_types directory, opened for sysfs_types_at() and for reading
 * other files of its types relative to it (path_read_file_at()); the caller closes it. A
 * negative errno with the error set (the system's message) when it cannot be opened. */
int sysfs_types_dir(const char *parent);

/* The last component of the target of the link parent/link ("driver", "driver/module"), as
 * path_readlink_basename(); a negative errno (no error set) when there is none. */
int sysfs_parent_link(const char *parent, const char *link, char **ret);

enum {
	/* Descriptions as the files hold them (not stripped, lines not joined): the facts of
	 * migration compatibility keep free text as it is. */
	SYSFS_TYPES_RAW_DESCRIPTION = 1 << 0,
	/* Neither name nor description (both ""): matching never looks at them. */
	SYSFS_TYPES_NO_TEXT = 1 << 1,
};
/* sysfs_parent_types() on tfd (sysfs_types_dir() of parent), optionally only for the types in
 * names (unique; in that order): no other type is read, a name that is not a safe path
 * component or not a supported type is left out, and one that is there but cannot be read is
 * the error. */
int sysfs_types_at(int tfd, const char *parent, const struct strv *names, unsigned flags,
		   struct mdev_type_list *out);

/* Whether parent (a safe name) is a registered parent: 0, or -ENODEV with upstream's error,
 * "Unable to find parent device 'x'" and its case hint ("Did you mean 'X'?"). */
int sysfs_parent_check(const char *parent);

/* Create dev (parent and type set) through its type's `create` file, after upstream's checks
 * in upstream's order: already running, parent missing (with a case hint), parent not
 * registered, type unsupported, no available instances. With SYSFS_CREATE_NOT_RUNNING the
 * caller has just found that dev does not run (under the lock) and the first check is not
 * made again; the kernel refuses a UUID in use all the same (EEXIST). */
enum {
	SYSFS_CREATE_NOT_RUNNING = 1 << 0,
};
int sysfs_create(const struct mdev *dev, unsigned flags);

/* Write value into the attribute file of a running device; the file must exist. */
int sysfs_write_attr(const char *uuid, const char *name, const char *value);

/* Write "1" to the device's `remove`. */
int sysfs_remove(const char *uuid);
