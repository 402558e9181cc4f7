/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent definitions: /etc/mdevctl.d/<parent>/<uuid>, one pretty-printed JSON object each.
 * Scans tolerate what a live system throws at them (temporary files of a concurrent writer,
 * files vanishing mid-scan, a corrupt or unreadable file: warned about and skipped), writes
 * are atomic, and mutating commands serialise on a lock over the directory. */
#pragma once

#include <stdbool.h>

#include "mdev.h"

/* The largest definition file read or written, in bytes; a --jsonfile, which becomes one,
 * has the same limit. */
#define STORE_DEFINITION_MAX (1u << 20)

enum {
	/* Also return definitions that cannot be parsed, with type NULL, so that undefine can
	 * remove them. */
	STORE_SCAN_INCLUDE_CORRUPT = 1 << 0,
};

/* Definitions matching the optional UUID and parent, appended to out (unsorted), each with
 * defined = true. A missing /etc/mdevctl.d gives none; an unreadable one is an error. */
int store_scan(const char *uuid, const char *parent, unsigned flags, struct mdev_list *out);
/* store_scan() of the definitions of any of these UUIDs (canonical), under any parent: each
 * parent's directory is listed once, and only their definitions are read. */
int store_scan_uuids(const struct strv *uuids, unsigned flags, struct mdev_list *out);

/* For each running device of l (parent and uuid set): defined = a definition file exists,
 * autostart = its start mode when it loads (a warning when it does not). Reads each parent's
 * directory once and opens only the definitions that exist: `list` does this for every
 * running device. Sorts l as listings are sorted (parent, then UUID). */
void store_lookup_running(struct mdev_list *l);

/* Whether a definition file exists for (parent, uuid). */
bool store_exists(const char *parent, const char *uuid);

/* Write dev's definition atomically, creating the parent directory. Under the lock, first
 * removes the temporary files that killed writers left in that directory. -EFBIG, changing
 * nothing, when it would be larger than STORE_DEFINITION_MAX (it could not be read back). */
int store_write(const struct mdev *dev);

/* Remove the definition (parent, uuid). The parent directory is left in place. */
int store_remove(const char *parent, const char *uuid);

/* Take the exclusive lock of mutating commands (an flock on /etc/mdevctl.d itself, so that
 * no file appears for libvirt's watch). Waits at most MDEVCTL_LOCK_TIMEOUT seconds (default
 * 10); held until the process exits. Readers never take it. Once it is taken, removes what a
 * create-compatible killed before it finished left behind (journal_recover()). */
int store_lock(void);

/* Watching the definitions, for `mdevctl monitor`: inotify on /etc/mdevctl.d and on each
 * parent's directory in it (as libvirt watches them). A definition is known by its file, as
 * listings know it: one that appears (renamed into place, as mdevctl writes, or closed after
 * being written, as an editor or a shell does), one whose file is written again, one that
 * goes. A file that does not parse is a definition of unknown type (NULL). Dot-files, scripts.d
 * and names that are no UUIDs are not definitions. */
enum store_event {
	STORE_DEFINED,
	STORE_CHANGED,
	STORE_UNDEFINED,
};
typedef void (*store_watch_fn)(enum store_event ev, const char *parent, const char *uuid,
			       const char *type, void *userdata);
struct store_watch;
/* Start watching and learn the definitions there are. Returns 0 and *ret, or a negative errno
 * with the error set. */
int store_watch_open(struct store_watch **ret);
struct store_watch *store_watch_free(struct store_watch *w);
/* The descriptor to poll(2) for POLLIN. */
int store_watch_fd(const struct store_watch *w);
/* Read what inotify has queued and call fn for each change, in order (after an overflow of the
 * queue, for each difference between what was known and what is there now). Returns 0, or
 * -ENOENT with the error set when /etc/mdevctl.d itself has gone. */
int store_watch_read(struct store_watch *w, store_watch_fn fn, void *userdata);
