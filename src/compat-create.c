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
		return err_os(r, -r, "Unable to read back attribute %s of %s", name, uuid);
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

/* Take the device away after a failed step, keeping the step's error as the one reported. */
static void roll_back(const struct mdev *dev, struct attempt_state *st)
{
	struct err_stash *saved = err_stash();
	if (sysfs_remove(dev->uuid) < 0) {
		st->left_behind = true;
		st->removal_error = err_text();
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
	r = sysfs_create(dev, 0);
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

/* The definition of a device an earlier run made (existing, or started again from it), as
 * asked: none is written with the callouts of define; one that starts manually is rewritten
 * with those of modify when --auto asks for auto; otherwise it is kept as it is (a retry
 * without --auto never turns an auto definition manual). */
static int persist_earlier(struct mdev *dev, bool autostart, struct attempt_state *st,
			   enum compat_definition *ret)
{
	struct mdev_list l = { 0 };
	int r = store_scan(dev->uuid, dev->parent, 0, &l);
	if (r < 0)
		st->store_failed = true;
	else if (l.n == 0) {
		*ret = COMPAT_DEFINITION_WRITTEN;
		r = callout_invoke(dev, CALLOUT_DEFINE, false, define_primary, st);
	} else if (autostart && !l.v[0]->autostart) {
		*ret = COMPAT_DEFINITION_MADE_AUTO;
		l.v[0]->autostart = true;
		l.v[0]->active = true;
		r = callout_invoke(l.v[0], CALLOUT_MODIFY, false, define_primary, st);
	} else
		*ret = COMPAT_DEFINITION_KEPT;
	mdev_list_free(&l);
	return r;
}

/* One attempt: returns 0 or the negative errno of the step that failed, the error set and,
 * unless st->left_behind, nothing left behind (a device started again from its definition
 * keeps that definition). */
static int attempt(const struct compat_choice *c, const char *uuid, bool autostart,
		   struct attempt_state *st, enum compat_definition *ret_def)
{
	_cleanup_mdev_ struct mdev *dev = device_for(c, uuid, autostart);
	int r;

	*ret_def = COMPAT_DEFINITION_WRITTEN;
	if (c->existing) {
		/* Running without a definition: only its attributes can tell it is the device
		 * the record wants. */
		for (size_t i = 0; c->verify_attrs && i < c->n_attrs; i++) {
			r = verify_attr(uuid, c->attrs[i].name, c->attrs[i].value);
			if (r < 0)
				return err_wrap(
					r, "%s runs with other attributes than the record asks",
					uuid);
		}
		dev->active = true;
		return persist_earlier(dev, autostart, st, ret_def);
	}
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
	if (c->restart)
		r = persist_earlier(dev, autostart, st, ret_def);
	else
		r = callout_invoke(dev, CALLOUT_DEFINE, false, define_primary, st);
	/* No definition: the device goes too, so that nothing is left half done. */
	if (r < 0)
		roll_back(dev, st);
	journal_end();
	return r;
}

/* The device does not have the source's UUID, which the virtual machine's definition names:
 * a warning that says why. A UUID given with --uuid was asked for and is no news. */
static void warn_uuid_changed(const struct compat_record *r, const struct compat_plan *p,
			      const struct compat_choice *c, const char *uuid)
{
	if (!r->uuid[0] || streq(uuid, r->uuid) || c->uuid_from == COMPAT_UUID_REQUESTED)
		return;
	if (!streq(uuid, c->uuid))
		log_warn(
			"The UUID %s was taken while this command ran (the kernel refused it): the device has the new UUID %s",
			c->uuid, uuid);
	else if (c->reuse)
		log_warn("The free device %s is reused with its own UUID, not the source's %s",
			 uuid, r->uuid);
	else
		log_warn(
			"The source's UUID %s is taken on this host, by %s: the device has the new UUID %s",
			r->uuid,
			compat_plan_uuid_holder(p) ? compat_plan_uuid_holder(p) : "a device", uuid);
}

void compat_create_report(const struct compat_create_result *res, const struct compat_record *r,
			  struct strbuf *out)
{
	static const char *const definition[] = {
		[COMPAT_DEFINITION_WRITTEN] = "written",
		[COMPAT_DEFINITION_KEPT] = "kept as it is",
		[COMPAT_DEFINITION_MADE_AUTO] = "changed to start automatically",
	};
	if (res->status != COMPAT_CREATE_DONE)
		return;
	const struct compat_choice *c = compat_plan_candidate(res->plan, res->candidate);
	if (c->existing)
		sb_printf(out, "%s exists already, as ", res->uuid);
	else if (c->reuse)
		sb_printf(out, "Reused the free device %s, ", res->uuid);
	else if (c->restart)
		sb_printf(out, "Started %s again from its definition, as ", res->uuid);
	else
		sb_printf(out, "Created %s, ", res->uuid);
	compat_put_text(out, c->mdev_type);
	sb_puts(out, " on ");
	compat_put_text(out, c->parent);
	if (c->existing || c->restart)
		sb_printf(out, "; its definition is %s", definition[res->definition]);
	sb_putc(out, '\n');
	if (!streq(c->mdev_type, r->self.mdev_type.text)) {
		sb_puts(out, "The type is not the source's ");
		compat_put_text(out, r->self.mdev_type.text);
		sb_printf(out, ": pattern %u", c->pattern);
		if (c->binding_text[0]) {
			sb_puts(out, " with ");
			compat_put_text(out, c->binding_text);
		}
		sb_putc(out, '\n');
	}
	if (c->n_attrs && !c->existing && !c->reuse) {
		sb_puts(out, "Attributes applied: ");
		for (size_t i = 0; i < c->n_attrs; i++) {
			if (i)
				sb_puts(out, ", ");
			compat_put_text(out, c->attrs[i].name);
			sb_putc(out, '=');
			compat_put_text(out, c->attrs[i].value);
		}
		sb_putc(out, '\n');
	}
}

int compat_create(const struct compat_record *r, const struct compat_select *sel, bool dry_run,
		  struct compat_create_result *res)
{
	_cleanup_compat_inventory_ struct compat_inventory *inv = NULL;
	_cleanup_(strv_free) struct strv types = { 0 }, uuids = { 0 }, names = { 0 };
	int ret;

	*res = (struct compat_create_result){ .tries = json_array(), .all_no_capacity = true };
	/* One host-wide lock from reading the host to writing the definition: two incoming
	 * migrations cannot both be given the last instance. */
	ret = store_lock();
	if (ret < 0)
		return ret;
	compat_match_needs(r, sel, &types, &uuids);
	compat_match_attr_names(r, &names);
	struct compat_host_need need = { .types = &types, .uuids = &uuids, .attr_names = &names };
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
		/* A device of its own, or the wanted UUID's: its UUID is not negotiable. */
		bool own = c->reuse || c->existing || c->restart;
		const char *uuid = own || !fresh[0] ? c->uuid : fresh;
		json_t *t = json_object();
		json_object_set_new(t, "action", json_string(compat_choice_action(c)));
		json_object_set_new(t, "parent", json_string(c->parent));
		json_object_set_new(t, "mdev_type", json_string(c->mdev_type));
		json_object_set_new(t, "uuid", json_string(uuid));
		json_array_append_new(res->tries, t);

		err_clear();
		struct attempt_state st = { 0 };
		int rr = attempt(c, uuid, sel->autostart, &st, &res->definition);
		if (rr >= 0) {
			snprintf(res->uuid, sizeof(res->uuid), "%s", uuid);
			res->candidate = i;
			res->status = COMPAT_CREATE_DONE;
			warn_uuid_changed(r, res->plan, c, uuid);
			return 0;
		}
		_cleanup_free_ char *why = err_text();
		_cleanup_free_ char *removal = st.removal_error;
		json_object_set_new(t, "error", json_string(why));
		log_warn("Attempt %zu (%s %s on %s as %s) failed: %s", tries + 1,
			 compat_choice_action(c), c->mdev_type, c->parent, uuid, why);
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
		if (rr == -EEXIST && uuid_negotiable && !own)
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
	static const char *const definition[] = {
		[COMPAT_DEFINITION_WRITTEN] = "written",
		[COMPAT_DEFINITION_KEPT] = "kept",
		[COMPAT_DEFINITION_MADE_AUTO] = "made-auto",
	};
	const char *st = status[res->status];
	const struct compat_choice *c = compat_plan_candidate(res->plan, res->candidate);
	if (res->status == COMPAT_CREATE_DONE && c->existing)
		st = "existing";
	else if (res->status == COMPAT_CREATE_DONE && c->reuse)
		st = "reused";
	json_object_set_new(r, "status", json_string(st));
	if (res->status == COMPAT_CREATE_DONE) {
		json_object_set_new(r, "uuid", json_string(res->uuid));
		json_object_set_new(r, "definition", json_string(definition[res->definition]));
	}
	json_object_set(r, "tries", res->tries);
	json_object_set_new(plan, "result", r);
	return plan;
}
