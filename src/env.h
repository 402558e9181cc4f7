/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The root of every system path. Upstream takes MDEVCTL_ENV_ROOT (default "/") and joins fixed
 * relative paths to it; so do we, and this module is the only place that knows those paths.
 * A --jsonfile path is the user's own and is never rerooted. */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* Read MDEVCTL_ENV_ROOT. Call once before any other function here. */
void env_init(void);
/* True when a root other than "/" is in force (no udev, no waiting for real devices). */
bool env_rerooted(void);

/* Work offline on the image at dir (`--root DIR`), replacing MDEVCTL_ENV_ROOT: definitions,
 * rule files and scripts are dir's, and, unlike MDEVCTL_ENV_ROOT (which reroots /sys too,
 * for tests), nothing of the running system is looked at: the sysfs functions see no device
 * and no parent, the journal of create-compatible is not recovered, and every path under dir
 * is resolved as if dir were "/" (path.h), so that no symbolic link in the image leads out of
 * it. run_callouts: run dir's callout and notifier scripts, which are otherwise skipped.
 * Returns 0, or a negative errno with the error set when dir is not a usable directory. */
int env_set_offline_root(const char *dir, bool run_callouts);
/* Whether --root is in force, and whether its callouts run. */
bool env_offline(void);
bool env_run_callouts(void);

/* The root prefix: "" when the root is "/", else MDEVCTL_ENV_ROOT without trailing slashes.
 * Static; for code that must know where the rerooted tree starts (trust.h). */
const char *env_root(void);

/* Malloc'ed root-prefixed paths (the caller frees them). */
char *env_path(const char *fmt, ...) _printf_(1, 2);

/* Well-known places, each a malloc'ed rooted path. */
char *env_mdev_devices(void);				     /* /sys/bus/mdev/devices */
char *env_mdev_bus(void);				     /* /sys/class/mdev_bus */
char *env_config_dir(void);				     /* /etc/mdevctl.d */
char *env_device_path(const char *uuid);		     /* devices/<uuid> */
char *env_parent_path(const char *parent);		     /* mdev_bus/<parent> */
char *env_type_path(const char *parent, const char *type);   /* .../mdev_supported_types/<type> */
char *env_config_path(const char *parent, const char *uuid); /* /etc/mdevctl.d/<parent>/<uuid> */
/* The journal of create-compatible (journal.h): /etc/mdevctl.d/.create-compatible, a dot-file
 * that listings skip, beside the lock. */
char *env_create_journal(void);
/* The kernel's id of this boot, /proc/sys/kernel/random/boot_id: /proc is never rerooted. */
const char *env_boot_id_file(void);
/* Migration-compatibility rule files (compat-rules.h): the vendor directory, MDEVCTL_COMPATDIR
 * (configure --with-compatdir, default /usr/lib/mdevctl/compat.d), and the administrator's,
 * /etc/mdevctl/compat.d (not under /etc/mdevctl.d, where every directory is a parent). */
char *env_compat_vendor_dir(void);
char *env_compat_admin_dir(void);

/* Callout and notifier directories in the order they are searched: the packaged one under
 * the script dir first, then the deprecated one under /etc/mdevctl.d/scripts.d. The array and
 * strings are static. */
const char *const *env_callout_dirs(void);
const char *const *env_notifier_dirs(void);

/* Check the directories a packaged install always has, as upstream does before anything
 * else. Returns 0 or -ENOENT with the error set. */
int env_self_check(void);
