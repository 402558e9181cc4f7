/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Doing what a compatibility plan says (COMPAT.md section 7): under the host-wide lock, match a
 * source's record against this host, then create the chosen device (its `create`, its attributes
 * in order, read back), persist it as an mdevctl definition and run the callouts and notifiers
 * that `start` and `define` run; or reuse a free pre-created device by persisting it. A failed
 * attempt leaves no device and no definition behind; a kernel refusal (another process took the
 * capacity or the UUID) and a failed attribute write move on to the next candidate, at most
 * COMPAT_CREATE_TRIES attempts in all. Two failures end the attempts at once: a definition (or
 * the journal, journal.h) that cannot be written, and a device the kernel refuses to remove
 * again, which is then reported as left behind. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "compat-match.h"
#include "compat-record.h"

#define COMPAT_CREATE_TRIES 3

enum compat_create_status {
	COMPAT_CREATE_DONE,	/* created, reused or found existing, and persisted */
	COMPAT_CREATE_DRY_RUN,	/* compatible; nothing done, as asked */
	COMPAT_CREATE_NO_MATCH, /* the verdict is not compatible: nothing tried */
	COMPAT_CREATE_FAILED,	/* every attempt failed: nothing left behind */
};

/* What became of the device's definition (DONE). */
enum compat_definition {
	COMPAT_DEFINITION_WRITTEN,   /* a new device's, or one an earlier run's device lacked */
	COMPAT_DEFINITION_KEPT,	     /* an earlier run's device had it already, as asked */
	COMPAT_DEFINITION_MADE_AUTO, /* it had one that starts manually, and --auto asked auto */
};

struct compat_create_result {
	enum compat_create_status status;
	struct compat_plan *plan; /* owned; always set when compat_create() returns 0 */
	/* The device made (DONE): its UUID, and which candidate it is. */
	char uuid[UUID_STR_LEN];
	size_t candidate;
	enum compat_definition definition;
	/* Every attempt, in order: {"action", "parent", "mdev_type", "uuid", "error"?}. */
	json_t *tries;
	/* FAILED: whether every attempt failed because the kernel was out of capacity (the
	 * verdict to report is then no-capacity rather than an error). */
	bool all_no_capacity;
	/* FAILED before trying every candidate, the error set: the definitions cannot be
	 * written, or the kernel kept the device of a failed attempt (left behind). */
	bool gave_up;
};

/* Match r against this host and, unless dry_run, act on the plan. Returns 0 with *res filled
 * (free with compat_create_result_clear()) whatever the outcome of the plan, or a negative
 * errno with the error set when the host could not be read or locked (*res must be cleared
 * then too). */
int compat_create(const struct compat_record *r, const struct compat_select *sel, bool dry_run,
		  struct compat_create_result *res);
void compat_create_result_clear(struct compat_create_result *res);

/* What was done, for people, appended to out (the UUID alone goes to stdout): one line saying
 * whether the device was created, reused, started again from its definition or found
 * existing (and then what became of its definition), a line when its type is not the
 * source's (with the pattern and binding that allowed it), and a line with the attributes
 * applied. Nothing unless res->status is COMPAT_CREATE_DONE. Why its UUID is not the
 * source's, when it is not, compat_create() has warned about. */
void compat_create_report(const struct compat_create_result *res, const struct compat_record *r,
			  struct strbuf *out);

/* The plan JSON with a "result" member: {"status": "created" | "reused" | "existing" |
 * "dry-run" | "not-created" | "failed", "uuid"?, "definition"? ("written" | "kept" |
 * "made-auto", with uuid), "tries": [...]}. A new reference. */
json_t *compat_create_result_json(const struct compat_create_result *res);
