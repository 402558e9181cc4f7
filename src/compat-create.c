// SPDX-License-Identifier: LGPL-2.1-or-later
/* create-compatible's doing part; see compat-create.h. The matching is compat-match.c's and
 * the host's facts compat-host.c's: this file only turns a ranked candidate list into one device
 * and one definition, with the same kernel checks, callouts and atomic writes as `start` and
 * `define`, and takes everything back when a step fails. */
#define LOG_MODULE LOG_COMPAT

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "callout.h"
#include "compat-create.h"
#include "compat-host.h"
#include "env.h"
#include "error.h"
#include "journal.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "sysfs.h"
#include "udev.h"

/* Read back an attribute just written. A write-only attribute (vfio_ap's assign_adapter) cannot
 * be checked and passes; a value that reads back as something else is an error, since the
 * device would not be the one the plan chose. */
static int verify_attr(const char *uuid, const char *name, const char *want)
{
	_cleanup_free_ char *dp = env_device_path(uuid);
	_cleanup_free_ char *path = xasprintf("%s/%s", dp, name);
	_cleanup_free_ char *got = NULL, *want_trimmed = NULL;
	uint64_t a, b;

	int r = path_read_attr(path, &got);
	if (r == -EACCES || r == -EPERM || r == -EINVAL) {
		err_clear();
		log_debug("attribute %s of %s cannot be read back: not verified", name, uuid);
		return 0;
	}
	if (r < 0)
		return err_wrap(r, "Unable to read back attribute %s of %s", name, uuid);
	want_trimmed = xstrdup(want);
	const char *w = strstrip(want_trimmed);
	/* Attribute files often print a number in another form than it was written ("0x2"
	 * reads back "2"). */
	if (streq(got, w) || (kernel_strtoul(got, &a) && kernel_strtoul(w, &b) && a == b))
		return 0;
	return err_set(-EIO, "Attribute %s of %s reads back as '%s', not '%s'", name, uuid, got,
		       w);
}

/* How an attempt failed, beyond its error: whether the next candidate may be tried. */
struct attempt_state {
	/* The journal or the definition could not be written: no candidate will fare better. */
	bool store_failed;
	/* The rollback failed: the device is still there, and removal's error says why. */
	bool left_behind;
	char *removal_error;
};

static char *error_text(void)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < err_count(); i++) {
		if (i > 0)
			sb_puts(&sb, ": ");
		sb_puts(&sb, err_get(i));
	}
	return sb_steal(&sb);
}

/* Take the device away after a failed step, keeping the step's error as the one reported. */
static void roll_back(const struct mdev *dev, struct attempt_state *st)
{
	struct err_stash *saved = err_stash();
	if (sysfs_remove(dev->uuid) < 0) {
		st->left_behind = true;
		st->removal_error = error_text();
	}
	err_unstash(saved);
}

/* The primary of the start callouts: create, write the attributes in order and read each back;
 * on failure remove the device again. */
static int create_primary(struct mdev *dev, void *userdata)
{
	struct attempt_state *st = userdata;
	/* Recorded first: a kill between the create and the definition leaves the record, and
	 * the next command to take the lock removes the device (journal.h). */
	int r = journal_begin(dev);
	if (r < 0) {
		st->store_failed = true;
		return r;
	}
	r = sysfs_create(dev);
	if (r < 0)
		return r;
	for (size_t i = 0; i < dev->n_attrs && r >= 0; i++) {
		r = sysfs_write_attr(dev->uuid, dev->attrs[i].name, dev->attrs[i].value);
		if (r >= 0)
			r = verify_attr(dev->uuid, dev->attrs[i].name, dev->attrs[i].value);
	}
	if (r < 0) {
		roll_back(dev, st);
		return r;
	}
	(void)udev_wait_device(dev->uuid, UDEV_WAIT_MS);
	return 0;
}

static int define_primary(struct mdev *dev, void *userdata)
{
	struct attempt_state *st = userdata;
	int r = store_write(dev);
	if (r < 0 && st)
		st->store_failed = true;
	return r;
}

static struct mdev *device_for(const struct compat_choice *c, const char *uuid, bool autostart)
{
	struct mdev *dev = mdev_new(uuid);
	mdev_set_parent(dev, c->parent);
	mdev_set_type(dev, c->mdev_type);
	dev->autostart = autostart;
	for (size_t i = 0; i < c->n_attrs; i++)
		mdev_append_attr(dev, c->attrs[i].name, c->attrs[i].value);
	return dev;
}

/* One attempt: returns 0 or the negative errno of the step that failed, the error set and,
 * unless st->left_behind, nothing left behind. */
static int attempt(const struct compat_choice *c, const char *uuid, bool autostart,
		   struct attempt_state *st)
{
	_cleanup_mdev_ struct mdev *dev = device_for(c, uuid, autostart);
	int r;

	if (c->reuse) {
		dev->active = true;
		return callout_invoke(dev, CALLOUT_DEFINE, false, define_primary, st);
	}
	r = callout_invoke(dev, CALLOUT_START, false, create_primary, st);
	if (r < 0) {
		journal_end();
		return r;
	}
	dev->active = true;
	r = callout_invoke(dev, CALLOUT_DEFINE, false, define_primary, st);
	/* No definition: the device goes too, so that nothing is left half done. */
	if (r < 0)
		roll_back(dev, st);
	journal_end();
	return r;
}

int compat_create(const struct compat_record *r, const struct compat_select *sel, bool dry_run,
		  struct compat_create_result *res)
{
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	_cleanup_(strv_free) struct strv types = { 0 }, uuids = { 0 };
	int ret;

	*res = (struct compat_create_result){ .tries = json_array(), .all_no_capacity = true };
	/* One host-wide lock from reading the host to writing the definition: two incoming
	 * migrations cannot both be given the last instance. */
	ret = store_lock();
	if (ret < 0)
		return ret;
	compat_match_needs(r, sel, &types, &uuids);
	struct compat_host_need need = { .types = &types, .uuids = &uuids };
	ret = compat_host_inventory(&need, NULL, &inv);
	if (ret < 0)
		return ret;
	ret = compat_match(r, inv, sel, &res->plan);
	if (ret < 0)
		return ret;
	if (compat_plan_verdict(res->plan) != COMPAT_VERDICT_COMPATIBLE) {
		res->status = COMPAT_CREATE_NO_MATCH;
		return 0;
	}
	if (dry_run) {
		res->status = COMPAT_CREATE_DRY_RUN;
		return 0;
	}

	/* A UUID nobody insisted on may be replaced when another process takes it meanwhile. */
	bool uuid_negotiable = !sel->uuid && !sel->keep_uuid;
	char fresh[UUID_STR_LEN] = "";
	size_t n = compat_plan_n_candidates(res->plan), tries = 0;
	for (size_t i = 0; i < n && tries < COMPAT_CREATE_TRIES; i++, tries++) {
		const struct compat_choice *c = compat_plan_candidate(res->plan, i);
		const char *uuid = c->reuse || !fresh[0] ? c->uuid : fresh;
		json_t *t = json_object();
		json_object_set_new(t, "action", json_string(c->reuse ? "reuse" : "create"));
		json_object_set_new(t, "parent", json_string(c->parent));
		json_object_set_new(t, "mdev_type", json_string(c->mdev_type));
		json_object_set_new(t, "uuid", json_string(uuid));
		json_array_append_new(res->tries, t);

		err_clear();
		struct attempt_state st = { 0 };
		int rr = attempt(c, uuid, sel->autostart, &st);
		if (rr >= 0) {
			snprintf(res->uuid, sizeof(res->uuid), "%s", uuid);
			res->candidate = i;
			res->status = COMPAT_CREATE_DONE;
			return 0;
		}
		_cleanup_free_ char *why = error_text();
		_cleanup_free_ char *removal = st.removal_error;
		json_object_set_new(t, "error", json_string(why));
		log_warn("Attempt %zu (%s %s on %s as %s) failed: %s", tries + 1,
			 c->reuse ? "reuse" : "create", c->mdev_type, c->parent, uuid, why);
		/* Going on would hide a device the kernel kept, or fail the same way again (a
		 * full or read-only /etc; a full disk's ENOSPC is no verdict on capacity). */
		res->status = COMPAT_CREATE_FAILED;
		if (st.left_behind) {
			res->gave_up = true;
			err_set(-EIO, "%s", removal);
			err_wrap(
				-EIO,
				"Gave up creating a compatible device after attempt %zu: %s is left running without a definition",
				tries + 1, uuid);
			return 0;
		}
		if (st.store_failed) {
			res->gave_up = true;
			err_wrap(
				rr,
				"Gave up creating a compatible device after attempt %zu: nothing is left of it",
				tries + 1);
			return 0;
		}
		/* Every failure moves on, but a kernel refusal says why: ENOSPC or EBUSY, someone
		 * took the capacity since we read it (a tool writing sysfs directly, a driver's own
		 * accounting); EEXIST, someone took the UUID. */
		if (rr != -ENOSPC && rr != -EBUSY)
			res->all_no_capacity = false;
		if (rr == -EEXIST && uuid_negotiable && !c->reuse)
			uuid_random(fresh);
		err_clear();
	}
	res->status = COMPAT_CREATE_FAILED;
	return 0;
}

void compat_create_result_clear(struct compat_create_result *res)
{
	compat_plan_free(res->plan);
	json_decref(res->tries);
	*res = (struct compat_create_result){ 0 };
}

json_t *compat_create_result_json(const struct compat_create_result *res)
{
	static const char *const status[] = {
		[COMPAT_CREATE_DONE] = "created",
		[COMPAT_CREATE_DRY_RUN] = "dry-run",
		[COMPAT_CREATE_NO_MATCH] = "not-created",
		[COMPAT_CREATE_FAILED] = "failed",
	};
	json_t *plan = compat_plan_to_json(res->plan, NULL);
	json_t *r = json_object();
	const char *st = status[res->status];
	if (res->status == COMPAT_CREATE_DONE &&
	    compat_plan_candidate(res->plan, res->candidate)->reuse)
		st = "reused";
	json_object_set_new(r, "status", json_string(st));
	if (res->status == COMPAT_CREATE_DONE)
		json_object_set_new(r, "uuid", json_string(res->uuid));
	json_object_set(r, "tries", res->tries);
	json_object_set_new(plan, "result", r);
	return plan;
}
