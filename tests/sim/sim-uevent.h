/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device events of the simulated host (mdev-sim --uevents), for what listens to them (mdevctl
 * monitor). FUSE cannot make the kernel send uevents, and a process cannot pass for the kernel
 * on its netlink group: libudev drops a message on the kernel's group whose sender's port is
 * not 0, which only the kernel's is. So the simulator plays the kernel and udevd together and
 * sends what udevd passes on once its rules have run: a message on udevd's netlink group, in
 * libudev's format (the "libudev" header, the magic 0xfeedcafe, the subsystem's MurmurHash2
 * for socket filters, then the properties), which libudev accepts from a root sender. Every
 * process in the network namespace can hear it, so the tests run the simulator and the
 * listener in a namespace of their own (unshare -n).
 *
 * The events follow the kernel 6.1 mdev core: a device is added (then bound to its parent's
 * mdev driver) and unbound (then removed); a parent that registers with the mdev core is added
 * and then changed with MDEV_STATE=registered, and on unregistering its devices go first, then
 * MDEV_STATE=unregistered, then the parent. */
#pragma once

#include "sim-host.h"

/* Open the socket events are sent from; -errno on failure. Until then nothing is sent. */
int sim_uevent_open(struct sim_host *h);
void sim_uevent_close(struct sim_host *h);

/* One event: ACTION=action, DEVPATH=/devpath, SUBSYSTEM=subsystem, then extra ("KEY=VALUE" or
 * NULL), then SEQNUM. Failures are logged under --debug, never returned: an event nobody hears
 * is not the writer's problem. */
void sim_uevent_send(struct sim_host *h, const char *action, const char *devpath,
		     const char *subsystem, const char *extra);

/* The events of the model's changes (see above). */
void sim_uevent_device(struct sim_device *d, bool added);
void sim_uevent_parent(struct sim_parent *p, bool registered);
/* The subsystem a parent's events carry: its subsystem link's last component (class/mtty gives
 * mtty, bus/pci gives pci), "platform" when it has none. */
const char *sim_parent_subsystem(const struct sim_parent *p);
