/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Callout and notifier scripts, with upstream's protocol: argv "-t TYPE -e EVENT -a ACTION
 * -s STATE -u UUID -p PARENT", the device's JSON on stdin for pre/post/live, exit status 2 for
 * "not my device type", the capabilities probe that selects a versioned script for a (parent,
 * type) once per process, get-attributes, live modify and notifiers. Scripts are executed
 * directly (never through a shell), with the environment and directory of the caller. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "mdev.h"

enum callout_action {
	CALLOUT_START,
	CALLOUT_STOP,
	CALLOUT_DEFINE,
	CALLOUT_UNDEFINE,
	CALLOUT_MODIFY,
	CALLOUT_ATTRIBUTES,
	CALLOUT_CAPABILITIES,
	CALLOUT_COMPAT, /* "-e get -a compat": migration-compatibility facts of a type */
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

/* Ask the versioned script of dev's (parent, type) for the type's migration-compatibility
 * facts (`-e get -a compat`, dev's configuration on stdin; dev's UUID may be the nil UUID when
 * the question is about the type rather than a device). Only a versioned script that lists
 * "compat" among its actions and "get" among its events is asked: classic scripts predate the
 * action and would answer it as an unknown one. Returns 1 and *ret (a JSON object, not yet
 * validated), 0 when no script answers or the answer is empty, or a negative errno with the
 * error set when the script fails or prints something that is not a JSON object. */
int callout_get_compat(struct mdev *dev, json_t **ret);
/* Apply dev's configuration to the running device through a versioned script that supports
 * the live event, then run the notifiers. */
int callout_live_modify(struct mdev *dev);

/* Interpreting what a script printed on stdout (out, len bytes, not NUL-terminated; trailing
 * NUL bytes are ignored, as upstream ignores them). Kept apart from running scripts so that
 * the fuzz targets (tests/fuzz) can feed them any bytes. */
/* The capabilities answer {"supports":{"version":N,"actions":[...],"events":[...]}}: true and
 * the bit sets of the known actions (1 << enum callout_action) and events (in the order pre,
 * post, notify, get, live) it lists, with a warning naming path for an unknown one; false when
 * the output is not such a document (the script is then not versioned). */
bool callout_parse_caps(const char *path, const char *out, size_t len, unsigned *ret_actions,
			unsigned *ret_events);
/* The `get attributes` answer: nothing (empty or "[{}]"), or an attrs array appended to dev
 * (json_io_load_attrs()). Returns 0 or a negative errno with the error set. */
int callout_parse_attributes(struct mdev *dev, const char *out, size_t len);
/* The `get compat` answer: 1 and *ret (a JSON object, not yet validated), 0 when empty, or
 * -EINVAL with the error set when it is not a JSON object. */
int callout_parse_compat(const char *out, size_t len, json_t **ret);
