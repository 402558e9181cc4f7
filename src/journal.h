/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal of create-compatible's device creation. A create-compatible killed between the
 * kernel's create and the rename of the device's definition (SIGKILL, the OOM killer) would
 * leave a device running without a definition: capacity taken that nobody knows about, by a
 * command that failed. So before each create the command records the device (UUID, parent,
 * type, and the kernel's id of this boot) in /etc/mdevctl.d/.create-compatible, and drops the
 * record once the device is defined or removed again. The next command that takes the host-wide
 * lock (store_lock()) finishes what a killed one left: a recorded device that still runs, in
 * this boot, with that parent and type, and still has no definition is removed; the record goes
 * in every case. Only the holder of the lock reads or writes the journal. */
#pragma once

#include "mdev.h"

/* Record that dev (uuid, parent and type set) is about to be created. Returns 0, or a negative
 * errno with the error set: then nothing must be created. */
int journal_begin(const struct mdev *dev);

/* Drop the record: the device is defined, or was never created, or has been removed again. */
void journal_end(void);

/* Under the lock: remove the device a killed create-compatible left behind, as described above,
 * with a warning, and drop the record. Never fails; leaves the error state as it was. */
void journal_recover(void);
