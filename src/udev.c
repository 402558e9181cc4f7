/* Waiting for udev; see udev.h. We poll udev's own record of the device (is_initialized) rather
 * than subscribe to the monitor: a monitor started after the kernel's uevent would miss it. */
#include <errno.h>
#include <libudev.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "log.h"
#include "udev.h"
#include "util.h"

int udev_wait_device(const char *uuid, int timeout_ms)
{
	if (env_rerooted() || access("/run/udev/control", F_OK) < 0)
		return 0;
	struct udev *u = udev_new();
	if (!u)
		return 0;
	int r = -ETIMEDOUT;
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		struct udev_device *d = udev_device_new_from_subsystem_sysname(u, "mdev", uuid);
		if (d) {
			int done = udev_device_get_is_initialized(d);
			udev_device_unref(d);
			if (done > 0) {
				r = 0;
				break;
			}
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	udev_unref(u);
	if (r < 0)
		log_warn("udev has not finished setting up device %s after %d ms", uuid,
			 timeout_ms);
	return r;
}
