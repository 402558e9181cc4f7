// SPDX-License-Identifier: LGPL-2.1-or-later
/* Waiting for udev; see udev.h. udev keeps no record of an mdev itself (it has no device node,
 * properties or tags), so what we wait for is the device that matters to the users of a new
 * mdev: its VFIO group, /sys/class/vfio/N, whose node /dev/vfio/N they open. We poll udev's
 * record of it (is_initialized) rather than subscribe to the monitor: a monitor started after
 * the kernel's uevent would miss it. */
#define LOG_MODULE LOG_UDEV

#include <errno.h>
#include <libudev.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "path.h"
#include "udev.h"
#include "util.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int udev_wait_device(const char *uuid, int timeout_ms)
{
	if (env_rerooted() || access("/run/udev/control", F_OK) < 0) {
		log_debug("Not waiting for udev: %s",
			  env_rerooted() ? "rerooted" : "udev is not running");
		return 0;
	}

	/* No IOMMU group: not a VFIO device, no node for anybody to wait for. */
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *link = xasprintf("%s/iommu_group", dev);
	_cleanup_free_ char *group = NULL;
	if (path_readlink_basename(link, &group) < 0) {
		log_debug("Not waiting for udev: device %s has no IOMMU group", uuid);
		return 0;
	}
	_cleanup_free_ char *node = xasprintf("/dev/vfio/%s", group);
	log_debug("Waiting for udev to set up %s for device %s", node, uuid);

	struct udev *u = udev_new();
	if (!u)
		return 0;
	int r = -ETIMEDOUT;
	for (long deadline = now_ms() + timeout_ms;;) {
		struct udev_device *d = udev_device_new_from_subsystem_sysname(u, "vfio", group);
		int done = d && udev_device_get_is_initialized(d) > 0;
		if (d)
			udev_device_unref(d);
		if (done && access(node, F_OK) == 0) {
			r = 0;
			break;
		}
		if (now_ms() >= deadline)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	udev_unref(u);
	if (r == 0)
		log_debug("udev has set up %s", node);
	if (r < 0)
		log_warn("udev has not finished setting up %s for device %s after %d ms", node,
			 uuid, timeout_ms);
	return r;
}
