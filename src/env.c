// SPDX-License-Identifier: LGPL-2.1-or-later
/* The root and the well-known paths; see env.h. */
#define LOG_MODULE LOG_ENVIRONMENT

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "log.h"
#include "path.h"
#include "util.h"

#ifndef MDEVCTL_SCRIPTDIR
#define MDEVCTL_SCRIPTDIR "/usr/lib/mdevctl/scripts.d"
#endif

#ifndef MDEVCTL_COMPATDIR
#define MDEVCTL_COMPATDIR "/usr/lib/mdevctl/compat.d"
#endif

#define SYS_MDEV_DEVICES "/sys/bus/mdev/devices"
#define SYS_MDEV_BUS	 "/sys/class/mdev_bus"
#define CONFIG_DIR	 "/etc/mdevctl.d"
#define OLD_SCRIPTDIR	 CONFIG_DIR "/scripts.d"
#define ADMIN_COMPATDIR	 "/etc/mdevctl/compat.d"
#define CREATE_JOURNAL	 CONFIG_DIR "/.create-compatible"
#define BOOT_ID_FILE	 "/proc/sys/kernel/random/boot_id"

static char *root; /* "" for "/", else the prefix without a trailing slash */
static char *callout_dirs[3];
static char *notifier_dirs[3];
static bool offline, run_callouts;

static void set_root(const char *r)
{
	free(root);
	root = xstrdup(r ? r : "");
	size_t n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';

	for (int i = 0; i < 2; i++) {
		free(callout_dirs[i]);
		free(notifier_dirs[i]);
	}
	callout_dirs[0] = env_path("%s/callouts", MDEVCTL_SCRIPTDIR);
	callout_dirs[1] = env_path("%s/callouts", OLD_SCRIPTDIR);
	notifier_dirs[0] = env_path("%s/notifiers", MDEVCTL_SCRIPTDIR);
	notifier_dirs[1] = env_path("%s/notifiers", OLD_SCRIPTDIR);
}

void env_init(void)
{
	set_root(secure_getenv("MDEVCTL_ENV_ROOT"));
}

int env_set_offline_root(const char *dir, bool callouts)
{
	/* Made absolute but not resolved: the directory is the caller's choice, and walking its
	 * own path (realpath(3)) would look at every directory above it. */
	_cleanup_free_ char *abs = NULL;
	if (dir[0] == '/')
		abs = xstrdup(dir);
	else {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return err_os(-errno, errno, "Unable to use \"%s\" as the root directory",
				      dir);
		abs = xasprintf("%s/%s", cwd, dir);
	}
	int r = path_set_root(abs);
	if (r < 0)
		return err_os(r, -r, "Unable to use \"%s\" as the root directory", dir);
	set_root(abs);
	offline = true;
	run_callouts = callouts;
	return 0;
}

bool env_offline(void)
{
	return offline;
}

bool env_run_callouts(void)
{
	return run_callouts;
}

bool env_rerooted(void)
{
	return root && *root;
}

const char *env_root(void)
{
	return root ? root : "";
}

char *env_path(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *rel = xvasprintf(fmt, ap);
	va_end(ap);
	return xasprintf("%s%s", root ? root : "", rel);
}

char *env_mdev_devices(void)
{
	return env_path(SYS_MDEV_DEVICES);
}

char *env_mdev_bus(void)
{
	return env_path(SYS_MDEV_BUS);
}

char *env_config_dir(void)
{
	return env_path(CONFIG_DIR);
}

char *env_device_path(const char *uuid)
{
	return env_path(SYS_MDEV_DEVICES "/%s", uuid);
}

char *env_parent_path(const char *parent)
{
	return env_path(SYS_MDEV_BUS "/%s", parent);
}

char *env_type_path(const char *parent, const char *type)
{
	return env_path(SYS_MDEV_BUS "/%s/mdev_supported_types/%s", parent, type);
}

char *env_config_path(const char *parent, const char *uuid)
{
	return env_path(CONFIG_DIR "/%s/%s", parent, uuid);
}

char *env_create_journal(void)
{
	return env_path(CREATE_JOURNAL);
}

const char *env_boot_id_file(void)
{
	return BOOT_ID_FILE;
}

char *env_compat_vendor_dir(void)
{
	return env_path("%s", MDEVCTL_COMPATDIR);
}

char *env_compat_admin_dir(void)
{
	return env_path(ADMIN_COMPATDIR);
}

const char *const *env_callout_dirs(void)
{
	return (const char *const *)callout_dirs;
}

const char *const *env_notifier_dirs(void)
{
	return (const char *const *)notifier_dirs;
}

int env_self_check(void)
{
	/* An image (--root) is being prepared: what it lacks is created as needed. */
	if (env_offline())
		return 0;
	_cleanup_free_ char *cfg = env_config_dir();
	const char *dirs[] = { cfg, callout_dirs[0], notifier_dirs[0] };
	struct stat st;

	log_debug("Checking the directories an installation has, under the root \"%s\"",
		  *env_root() ? env_root() : "/");
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		if (stat(dirs[i], &st) < 0)
			return err_set(
				-ENOENT,
				"Required directory \"%s\" doesn't exist. This may indicate a packaging or installation error",
				dirs[i]);
	return 0;
}
