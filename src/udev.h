/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The only user of libudev. After `start` creates a device on a real host, libvirt and scripts
 * open /dev/vfio/N at once; that node exists only after udev has processed the new device, so
 * we wait for that, briefly and boundedly. Rerooted runs (tests, image preparation) never
 * wait: there is no udev behind a fake tree. And `mdevctl monitor` subscribes here to the
 * device events of the kernel, or of udevd once it has processed them (uevents_*). */
#pragma once

#include <stdbool.h>

/* Wait up to timeout_ms for udev to have processed the VFIO group of the mdev uuid, so that
 * its /dev/vfio node is there. Returns 0 when it has, or when there is nothing to wait for
 * (rerooted, no udev daemon, no IOMMU group); -ETIMEDOUT otherwise. Never sets the error: a
 * slow udev is worth a warning, not a failed start. */
/* How long `start` and create-compatible wait for udev: long enough for a busy udevd, short
 * enough that a host without one does not hang a command. */
#define UDEV_WAIT_MS 5000

int udev_wait_device(const char *uuid, int timeout_ms);

/* Device events, from the kernel's netlink group or from udevd's (which passes an event on once
 * its rules have run: the device's nodes then exist). No filter is set on the socket: the
 * parents of mediated devices are on any bus or class (pci, css, ap, mtty...), and what makes
 * an event interesting (MDEV_STATE) is not something the socket can filter on. Only the
 * event's own properties are read, never sysfs: the device of a "remove" is gone. */
enum uevents_source {
	UEVENTS_KERNEL,
	UEVENTS_UDEV,
};

struct uevent {
	char *action;	  /* "add", "remove", "change", "bind", ... */
	char *subsystem;  /* "mdev", or the parent's bus or class */
	char *devpath;	  /* below /sys: "/devices/virtual/mtty/mtty/<uuid>" */
	char *mdev_state; /* MDEV_STATE of a parent's change event ("registered"...), or NULL */
};
void uevent_clear(struct uevent *e);

struct uevents;
/* Whether udevd runs here (its control socket exists): the default source is then udev's. */
bool uevents_udev_running(void);
/* Subscribe. Returns 0 and *ret (free with uevents_free()), or a negative errno with the error
 * set. */
int uevents_open(enum uevents_source source, struct uevents **ret);
struct uevents *uevents_free(struct uevents *u);
/* The descriptor to poll(2) for POLLIN. */
int uevents_fd(const struct uevents *u);
/* One pending event: 1 and *ret (uevent_clear() it), 0 when there is none (or what came was
 * not an event libudev accepts), -ENOBUFS when the socket overflowed and events were lost. */
int uevents_receive(struct uevents *u, struct uevent *ret);
