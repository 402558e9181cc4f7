// SPDX-License-Identifier: LGPL-2.1-or-later
/* Waiting for udev; see udev.h. udev keeps no record of an mdev itself (it has no device node,
 * properties or tags), so what we wait for is the device that matters to the users of a new
 * mdev: its VFIO group, /sys/class/vfio/N, whose node /dev/vfio/N they open. We poll udev's
 * record of it (is_initialized) rather than subscribe to the monitor: a monitor started after
 * the kernel's uevent would miss it. */
#define LOG_MODULE LOG_UDEV

#include <errno.h>
#include <libudev.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
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

/* ---- device events ---- */

/* A burst (rmmod of a parent with hundreds of devices) must not overflow the socket before we
 * read it: udevadm monitor asks for much more. */
#define UEVENTS_RCVBUF (8 * 1024 * 1024)

struct uevents {
	struct udev *udev;
	struct udev_monitor *mon;
};

void uevent_clear(struct uevent *e)
{
	free(e->action);
	free(e->subsystem);
	free(e->devpath);
	free(e->mdev_state);
	*e = (struct uevent){ 0 };
}

bool uevents_udev_running(void)
{
	return access("/run/udev/control", F_OK) == 0;
}

struct uevents *uevents_free(struct uevents *u)
{
	if (!u)
		return NULL;
	if (u->mon)
		udev_monitor_unref(u->mon);
	if (u->udev)
		udev_unref(u->udev);
	free(u);
	return NULL;
}

int uevents_open(enum uevents_source source, struct uevents **ret)
{
	const char *name = source == UEVENTS_UDEV ? "udev" : "kernel";
	struct uevents *u = xcalloc(1, sizeof(*u));
	int r;

	u->udev = udev_new();
	if (!u->udev) {
		r = errno ? -errno : -ENOMEM;
		uevents_free(u);
		return err_os(r, -r, "Unable to use libudev");
	}
	u->mon = udev_monitor_new_from_netlink(u->udev, name);
	if (!u->mon) {
		r = errno ? -errno : -ENOMEM;
		uevents_free(u);
		return err_os(r, -r, "Unable to listen to the %s's device events", name);
	}
	(void)udev_monitor_set_receive_buffer_size(u->mon, UEVENTS_RCVBUF);
	r = udev_monitor_enable_receiving(u->mon);
	if (r < 0) {
		uevents_free(u);
		return err_os(r, -r, "Unable to listen to the %s's device events", name);
	}
	*ret = u;
	return 0;
}

int uevents_fd(const struct uevents *u)
{
	return udev_monitor_get_fd(u->mon);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int uevents_receive(struct uevents *u, struct uevent *ret)
{
	errno = 0;
	struct udev_device *d = udev_monitor_receive_device(u->mon);
	if (!d)
		return errno == ENOBUFS ? -ENOBUFS : 0;
	const char *action = udev_device_get_action(d), *subsystem = udev_device_get_subsystem(d),
		   *devpath = udev_device_get_devpath(d);
	int r = 0;
	if (action && subsystem && devpath) {
		*ret = (struct uevent){
			.action = xstrdup(action),
			.subsystem = xstrdup(subsystem),
			.devpath = xstrdup(devpath),
			.mdev_state = dup_or_null(udev_device_get_property_value(d, "MDEV_STATE")),
		};
		r = 1;
	}
	udev_device_unref(d);
	return r;
}
