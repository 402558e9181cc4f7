/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `mdevctl monitor`: one line per mediated-device event as it happens. Devices created and
 * removed and parents registered and unregistered come from the kernel's device events (or
 * udevd's, once its rules have run: udev.h); definitions added, changed and removed come from
 * inotify on /etc/mdevctl.d (store.h). The events are printed as text or as one JSON object per
 * line, until SIGINT or SIGTERM, or after the first one with `once`. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

enum {
	MONITOR_DEVICE = 1 << 0,
	MONITOR_PARENT = 1 << 1,
	MONITOR_DEFINITION = 1 << 2,
};

enum {
	MONITOR_ADD = 1 << 0,
	MONITOR_REMOVE = 1 << 1,
	MONITOR_CHANGE = 1 << 2,
};

enum monitor_source {
	MONITOR_SOURCE_AUTO, /* udevd's events where it runs, else the kernel's */
	MONITOR_SOURCE_KERNEL,
	MONITOR_SOURCE_UDEV,
};

struct monitor_request {
	const char *uuid;   /* only the events of this device (canonical); NULL: any */
	const char *parent; /* only the events of this parent; NULL: any */
	unsigned what;	    /* MONITOR_DEVICE...; 0: every kind */
	unsigned events;    /* MONITOR_ADD...; 0: every event */
	enum monitor_source source;
	bool dumpjson;
	bool once;
};

/* Print events to out until a signal (SIGINT, SIGTERM) or, with once, the first event
 * printed. Returns 0 then, and also when the reader of out has gone (EPIPE); a negative errno
 * with the error set when listening fails. */
int monitor_run(const struct monitor_request *rq, FILE *out);
