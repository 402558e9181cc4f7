/* Callout and notifier scripts, with upstream's protocol: argv "-t TYPE -e EVENT -a ACTION
 * -s STATE -u UUID -p PARENT", the device's JSON on stdin for pre/post/live, exit status 2 for
 * "not my device type", the capabilities probe that selects a versioned script for a (parent,
 * type) once per process, get-attributes, live modify and notifiers. Scripts are executed
 * directly (never through a shell), with the environment and directory of the caller. */
#pragma once

#include <stdbool.h>

#include "mdev.h"

enum callout_action {
	CALLOUT_START,
	CALLOUT_STOP,
	CALLOUT_DEFINE,
	CALLOUT_UNDEFINE,
	CALLOUT_MODIFY,
	CALLOUT_ATTRIBUTES,
	CALLOUT_CAPABILITIES,
};

/* The operation itself, run between the pre and post callouts; returns 0 or a negative errno
 * with the error set. */
typedef int (*callout_primary_fn)(struct mdev *dev, void *userdata);

/* pre callout (a failure vetoes, unless force: then a warning), primary, post (result
 * ignored), notifiers. Returns the veto or the primary's result. dev must have a parent and a
 * type. */
int callout_invoke(struct mdev *dev, enum callout_action action, bool force,
		   callout_primary_fn primary, void *userdata);

/* Ask the scripts for a running device's attributes and append them to dev. Returns 0 (no
 * script answering counts as no attributes) or a negative errno with the error set. */
int callout_get_attributes(struct mdev *dev);

/* Apply dev's configuration to the running device through a versioned script that supports
 * the live event, then run the notifiers. */
int callout_live_modify(struct mdev *dev);
