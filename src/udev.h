/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The only user of libudev. After `start` creates a device on a real host, libvirt and scripts
 * open /dev/vfio/N at once; that node exists only after udev has processed the new device, so
 * we wait for that, briefly and boundedly. Rerooted runs (tests, image preparation) never
 * wait: there is no udev behind a fake tree. */
#pragma once

/* Wait up to timeout_ms for udev to have processed the VFIO group of the mdev uuid, so that
 * its /dev/vfio node is there. Returns 0 when it has, or when there is nothing to wait for
 * (rerooted, no udev daemon, no IOMMU group); -ETIMEDOUT otherwise. Never sets the error: a
 * slow udev is worth a warning, not a failed start. */
/* How long `start` and create-compatible wait for udev: long enough for a busy udevd, short
 * enough that a host without one does not hang a command. */
#define UDEV_WAIT_MS 5000

int udev_wait_device(const char *uuid, int timeout_ms);
