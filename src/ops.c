// SPDX-License-Identifier: LGPL-2.1-or-later
/* The operations; see ops.h. Each follows upstream 1.4.0's order of checks and its messages,
 * so that what a script or libvirt sees on failure does not change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "callout.h"
#include "error.h"
#include "input.h"
#include "json-io.h"
#include "log.h"
#include "ops.h"
#include "store.h"
#include "sysfs.h"
#include "udev.h"

static int check_name(const char *what, const char *name)
{
	if (name_is_safe(name))
		return 0;
	return err_set(
		-EINVAL,
		"Invalid %s '%s': it must not be empty or contain '/', '..' or control characters",
		what, name);
}

/* Names that become path components: the parent, the type, attribute names. */
static int check_device_names(const struct mdev *dev)
{
	int r = check_name("parent", dev->parent);
	if (r == 0)
		r = check_name("type", dev->type);
	for (size_t i = 0; r == 0 && i < dev->n_attrs; i++)
		r = check_name("attribute name", dev->attrs[i].name);
	return r;
}

/* A --jsonfile becomes a definition: it may be as large as one, no larger. */
static int read_jsonfile_text(const char *path, const char *what, char **ret, size_t *ret_len)
{
	int r = input_read(path, STORE_DEFINITION_MAX, ret, ret_len);
	if (r == -EFBIG) {
		err_set(r, "File is larger than %u bytes, the most a definition may have",
			STORE_DEFINITION_MAX);
		return err_wrap(r, "Unable to read %s \"%s\"", what, path);
	}
	if (r < 0)
		return err_os(r, -r, "Unable to read %s \"%s\"", what, path);
	return 0;
}

static int read_jsonfile(const char *path, const char *what, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_jsonfile_text(path, what, &text, &len);
	if (r < 0)
		return r;
	return json_io_parse(text, len, ret);
}

static int load_jsonfile(struct mdev *dev, const char *parent, json_t *root)
{
	mdev_set_parent(dev, parent);
	return json_io_load_config(dev, root);
}

static void write_all(FILE *out, const char *s)
{
	fputs(s, out);
}

/* The end of define and start: check the names, run the operation between its callouts, and
 * print the UUID when we made it up (libvirt reads it from stdout). */
static int create_and_report(struct mdev *dev, enum callout_action action, bool force,
			     callout_primary_fn primary, bool print_uuid, FILE *out)
{
	int r = check_device_names(dev);
	if (r < 0)
		return r;
	r = callout_invoke(dev, action, force, primary, NULL);
	if (r < 0)
		return r;
	if (print_uuid)
		fprintf(out, "%s\n", dev->uuid);
	return 0;
}

/* ---- list ---- */

/* The attributes of a running device come from the callouts that answer `get attributes`. */
static void fill_attrs(struct mdev *dev)
{
	if (callout_get_attributes(dev) < 0) {
		log_debug("get attributes of %s failed: %s", dev->uuid, err_get(0));
		err_clear();
		mdev_clear_attrs(dev);
	}
}

int ops_list(const struct list_request *rq, FILE *out)
{
	struct mdev_list l = { 0 };
	int r;

	if (rq->defined) {
		r = store_scan(rq->uuid, rq->parent, 0, &l);
		if (r == 0)
			sysfs_mark_active_list(&l);
	} else {
		r = sysfs_list_active(rq->uuid, rq->parent, &l);
		if (r == 0)
			store_lookup_running(&l);
		for (size_t i = 0; r == 0 && i < l.n; i++)
			fill_attrs(l.v[i]);
	}
	if (r < 0) {
		mdev_list_free(&l);
		return r;
	}
	mdev_list_sort(&l);

	if (rq->dumpjson) {
		struct strbuf sb = { 0 };
		if (rq->uuid && l.n == 1)
			json_io_config_pretty(l.v[0], &sb);
		else
			json_io_device_tree_pretty(&l, &sb);
		fwrite(sb.buf, 1, sb.len, out);
		sb_free(&sb);
	} else {
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < l.n; i++)
			mdev_format_line(l.v[i],
					 rq->defined ? MDEV_LISTING_DEFINED : MDEV_LISTING_ACTIVE,
					 rq->verbose, &sb);
		if (sb.len)
			fwrite(sb.buf, 1, sb.len, out);
		sb_free(&sb);
	}
	mdev_list_free(&l);
	return 0;
}

/* ---- types ---- */

int ops_types(const char *parent, bool dumpjson, FILE *out)
{
	struct strv parents = { 0 }, chosen = { 0 };
	struct mdev_type_list types = { 0 };
	int r = sysfs_list_parents(&parents);

	for (size_t i = 0; r == 0 && i < parents.n; i++) {
		if (parent && !streq(parent, parents.v[i]))
			continue;
		strv_push(&chosen, xstrdup(parents.v[i]));
		r = sysfs_parent_types(parents.v[i], &types);
	}
	if (r == 0) {
		mdev_type_list_sort(&types);
		if (dumpjson) {
			json_t *j = json_io_type_tree(&types, chosen.v, chosen.n);
			_cleanup_free_ char *s = json_io_pretty(j);
			json_decref(j);
			write_all(out, s);
		} else {
			struct strbuf sb = { 0 };
			size_t t = 0;
			for (size_t p = 0; p < chosen.n; p++) {
				sb_printf(&sb, "%s\n", chosen.v[p]);
				for (; t < types.n && streq(types.v[t].parent, chosen.v[p]); t++)
					mdev_type_format(&types.v[t], &sb);
			}
			if (sb.len)
				fwrite(sb.buf, 1, sb.len, out);
			sb_free(&sb);
		}
	}
	mdev_type_list_free(&types);
	strv_free(&parents);
	strv_free(&chosen);
	return r;
}

/* ---- lookups shared by modify ---- */

static int get_defined_device(const char *uuid, const char *parent, struct mdev **ret)
{
	struct mdev_list l = { 0 };
	int r = store_scan(uuid, parent, 0, &l);
	if (r < 0)
		return r;
	if (l.n == 0)
		r = parent ? err_set(-ENOENT, "Mediated device %s/%s is not defined", parent, uuid)
			   : err_set(-ENOENT, "Mediated device %s is not defined", uuid);
	else if (l.n > 1)
		r = err_set(-ENOTUNIQ, "Multiple definitions found for %s, specify a parent", uuid);
	else {
		*ret = l.v[0];
		l.n = 0;
	}
	mdev_list_free(&l);
	return r;
}

static int get_active_device(const char *uuid, const char *parent, struct mdev **ret)
{
	struct mdev_list l = { 0 };
	int r = sysfs_list_active(uuid, parent, &l);
	if (r < 0)
		return r;
	if (l.n == 0)
		r = parent ? err_set(-ENOENT, "Mediated device %s/%s is not active", parent, uuid)
			   : err_set(-ENOENT, "Mediated device %s is not active", uuid);
	else if (l.n > 1)
		r = err_set(-ENOTUNIQ, "Multiple parents found for %s. System error?", uuid);
	else {
		*ret = l.v[0];
		l.n = 0;
	}
	mdev_list_free(&l);
	return r;
}

/* ---- define ---- */

static int define_primary(struct mdev *dev, void *userdata)
{
	if (dev->active) {
		int r = callout_get_attributes(dev);
		if (r < 0)
			return r;
		r = check_device_names(dev);
		if (r < 0)
			return r;
	}
	return store_write(dev);
}

int ops_define(const struct define_request *rq, FILE *out)
{
	char uuid[UUID_STR_LEN];
	_cleanup_mdev_ struct mdev *dev = NULL;
	int r;

	if (rq->uuid)
		snprintf(uuid, sizeof(uuid), "%s", rq->uuid);
	else
		uuid_random(uuid);
	log_debug("Defining device %s", uuid);
	dev = mdev_new(uuid);

	r = store_lock();
	if (r < 0)
		return r;

	if (rq->jsonfile) {
		json_t *root = NULL;
		_cleanup_free_ char *text = NULL;
		size_t len;
		r = read_jsonfile_text(rq->jsonfile, "file", &text, &len);
		if (r < 0)
			return r;
		if (!rq->parent)
			return err_set(-EINVAL,
				       "Parent device required to define device via \"%s\"",
				       rq->jsonfile);
		r = check_name("parent", rq->parent);
		if (r < 0)
			return r;
		if (store_exists(rq->parent, uuid))
			return err_set(-EEXIST,
				       "Cowardly refusing to overwrite existing config for %s/%s",
				       rq->parent, uuid);
		r = json_io_parse(text, len, &root);
		if (r < 0)
			return r;
		r = load_jsonfile(dev, rq->parent, root);
		json_decref(root);
		if (r < 0)
			return r;
	} else {
		if (rq->uuid) {
			_cleanup_free_ char *p = NULL, *t = NULL;
			r = sysfs_device_state(uuid, &p, &t);
			if (r < 0) {
				if (!rq->force)
					return r;
				log_warn("For device %s a sysfs update caused the error: %s", uuid,
					 err_get(err_count() - 1));
				err_clear();
			} else if (r > 0) {
				dev->parent = TAKE_PTR(p);
				dev->type = TAKE_PTR(t);
				dev->active = true;
			}
			if (!rq->parent && (!dev->active || rq->type))
				return err_set(-EINVAL, "No parent specified");
		}
		dev->autostart = rq->autostart;
		if (rq->parent)
			mdev_set_parent(dev, rq->parent);
		if (rq->type)
			mdev_set_type(dev, rq->type);
		if (!dev->parent)
			return err_set(-EINVAL, "No parent specified");
		if (!dev->type)
			return err_set(-EINVAL, "No type specified");
		r = check_name("parent", dev->parent);
		if (r < 0)
			return r;
		if (store_exists(dev->parent, uuid))
			return err_set(-EEXIST, "Device %s on %s already defined", uuid,
				       dev->parent);
	}
	return create_and_report(dev, CALLOUT_DEFINE, rq->force, define_primary, !rq->uuid, out);
}

/* ---- undefine ---- */

static int undefine_primary(struct mdev *dev, void *userdata)
{
	return store_remove(dev->parent, dev->uuid);
}

int ops_undefine(const char *uuid, const char *parent, bool force)
{
	struct mdev_list l = { 0 };
	bool failed = false;
	log_debug("Undefining device %s", uuid);
	int r = store_lock();
	if (r < 0)
		return r;
	r = store_scan(uuid, parent, STORE_SCAN_INCLUDE_CORRUPT, &l);
	if (r < 0)
		return r;
	if (l.n == 0) {
		mdev_list_free(&l);
		return err_set(-ENOENT, "No devices match the specified uuid");
	}
	mdev_list_sort(&l);
	for (size_t i = 0; i < l.n; i++) {
		struct mdev *dev = l.v[i];
		if (!dev->type) {
			/* Unparsable: no type to tell the callouts, but it must be removable. */
			log_warn(
				"Removing the unreadable definition of %s on parent %s without callouts",
				dev->uuid, dev->parent);
			r = store_remove(dev->parent, dev->uuid);
		} else
			r = callout_invoke(dev, CALLOUT_UNDEFINE, force, undefine_primary, NULL);
		if (r < 0) {
			failed = true;
			for (size_t k = 0; k < err_count(); k++)
				log_warn("Undefine of %s on parent %s failed with error: %s",
					 dev->uuid, dev->parent, err_get(k));
			err_clear();
		}
	}
	mdev_list_free(&l);
	return failed ? err_set(-EIO, "Undefine failed") : 0;
}

/* ---- modify ---- */

static int write_primary(struct mdev *dev, void *userdata)
{
	return store_write(dev);
}

static int modify_live(const struct modify_request *rq)
{
	_cleanup_mdev_ struct mdev *act = NULL, *dev = NULL, *def = NULL;
	json_t *root = NULL;
	int r;

	if (rq->type)
		return err_set(-EINVAL, "'type' cannot be changed on active mdev");
	if (rq->autostart)
		return err_set(-EINVAL, "'auto' cannot be changed on active mdev");
	if (rq->manual)
		return err_set(-EINVAL, "'manual' cannot be changed on active mdev");
	r = get_active_device(rq->uuid, rq->parent, &act);
	if (r < 0)
		return r;
	if (!rq->jsonfile)
		return err_set(-EINVAL, "'live' option must be used with 'jsonfile' option");
	r = read_jsonfile(rq->jsonfile, "file", &root);
	if (r < 0)
		return r;
	dev = mdev_new(rq->uuid);
	r = load_jsonfile(dev, act->parent, root);
	json_decref(root);
	if (r < 0)
		return r;
	if (!streq(dev->type, act->type))
		return err_set(-EINVAL, "'type' cannot be changed on active mdev");
	r = check_device_names(dev);
	if (r < 0)
		return r;
	if (rq->defined) {
		r = get_defined_device(rq->uuid, act->parent, &def);
		if (r < 0)
			return r;
		if (!streq(def->type, dev->type))
			return err_set(-EINVAL, "'type' of active and defined mdev does not match");
	}
	r = callout_live_modify(dev);
	if (r < 0 || !rq->defined)
		return r;
	return callout_invoke(dev, CALLOUT_MODIFY, rq->force, write_primary, NULL);
}

int ops_modify(const struct modify_request *rq)
{
	_cleanup_mdev_ struct mdev *dev = NULL;
	log_debug("Modifying device %s", rq->uuid);
	int r = store_lock();
	if (r < 0)
		return r;
	if (rq->live)
		return modify_live(rq);

	if (rq->jsonfile) {
		json_t *root = NULL;
		if (!rq->parent)
			return err_set(-EINVAL,
				       "Parent device required to modify device via json file");
		r = read_jsonfile(rq->jsonfile, "file", &root);
		if (r < 0)
			return r;
		dev = mdev_new(rq->uuid);
		r = load_jsonfile(dev, rq->parent, root);
		json_decref(root);
		if (r < 0)
			return r;
	} else {
		r = get_defined_device(rq->uuid, rq->parent, &dev);
		if (r < 0)
			return r;
		if (rq->type)
			mdev_set_type(dev, rq->type);
		if (rq->autostart)
			dev->autostart = true;
		else if (rq->manual)
			dev->autostart = false;
	}
	if (rq->addattr)
		r = rq->has_index
			    ? mdev_insert_attr(dev, rq->index, rq->addattr,
					       rq->value ? rq->value : "")
			    : (mdev_append_attr(dev, rq->addattr, rq->value ? rq->value : ""), 0);
	else if (rq->delattr)
		r = mdev_delete_attr(dev, rq->has_index, rq->index);
	if (r < 0)
		return r;
	r = check_device_names(dev);
	if (r < 0)
		return r;
	return callout_invoke(dev, CALLOUT_MODIFY, rq->force, write_primary, NULL);
}

/* ---- start ---- */

/* What start-parent-mdevs (run by the udev rule) passes to start_primary() as its userdata;
 * start passes NULL. */
struct autostart {
	/* The device was just looked up and does not run: no second lookup before create. */
	bool not_running;
};

static int start_primary(struct mdev *dev, void *userdata)
{
	const struct autostart *as = userdata;
	int r = sysfs_create(dev, as && as->not_running ? SYSFS_CREATE_NOT_RUNNING : 0);
	if (r < 0)
		return r;
	for (size_t i = 0; i < dev->n_attrs; i++) {
		r = sysfs_write_attr(dev->uuid, dev->attrs[i].name, dev->attrs[i].value);
		if (r < 0) {
			/* Roll back. As upstream does, a failed removal is the error reported:
			 * it is the one that leaves something behind. */
			struct err_stash *saved = err_stash();
			int rr = sysfs_remove(dev->uuid);
			if (rr < 0) {
				struct err_stash *removal = err_stash();
				err_unstash(saved);
				err_unstash(removal);
				return rr;
			}
			err_unstash(saved);
			return r;
		}
	}
	/* Run from the udev rule (userdata set), udev itself is the caller: nobody opens the
	 * node right away, and a udev worker should not wait for udev. */
	if (!userdata)
		(void)udev_wait_device(dev->uuid, UDEV_WAIT_MS);
	return 0;
}

int ops_start(const struct start_request *rq, FILE *out)
{
	char uuid[UUID_STR_LEN];
	_cleanup_mdev_ struct mdev *dev = NULL;
	int r = store_lock();
	if (r < 0)
		return r;

	if (rq->uuid)
		snprintf(uuid, sizeof(uuid), "%s", rq->uuid);
	else
		uuid_random(uuid);
	log_debug("Starting device %s", uuid);

	if (rq->jsonfile) {
		json_t *root = NULL;
		r = read_jsonfile(rq->jsonfile, "jsonfile", &root);
		if (r < 0)
			return r;
		if (!rq->parent) {
			json_decref(root);
			return err_set(-EINVAL,
				       "Parent device required to start device via json file");
		}
		dev = mdev_new(uuid);
		r = load_jsonfile(dev, rq->parent, root);
		json_decref(root);
		if (r < 0)
			return r;
	} else {
		if (rq->uuid) {
			struct mdev_list l = { 0 };
			r = store_scan(uuid, rq->parent, 0, &l);
			if (r < 0)
				return r;
			if (l.n > 1) {
				mdev_list_free(&l);
				return err_set(
					-ENOTUNIQ,
					"Multiple definitions found for device %s. Please specify a parent.",
					uuid);
			}
			if (l.n == 1) {
				struct mdev *d = l.v[0];
				if (rq->type && !streq(rq->type, d->type)) {
					r = err_set(
						-EEXIST,
						"Device %s already exists on parent %s with type %s",
						uuid, d->parent, d->type);
					mdev_list_free(&l);
					return r;
				}
				dev = d;
				l.n = 0;
			}
			mdev_list_free(&l);
		}
		if (!dev) {
			dev = mdev_new(uuid);
			mdev_set_parent(dev, rq->parent);
			mdev_set_type(dev, rq->type);
		}
		if (dev->type && !dev->parent)
			return err_set(-EINVAL, "can't provide type without parent");
		if (!dev->type || !dev->parent)
			return err_set(-EINVAL, "Device is insufficiently specified");
	}
	return create_and_report(dev, CALLOUT_START, rq->force, start_primary, !rq->uuid, out);
}

/* ---- stop ---- */

static int stop_primary(struct mdev *dev, void *userdata)
{
	return sysfs_remove(dev->uuid);
}

int ops_stop(const char *uuid, bool force)
{
	_cleanup_free_ char *parent = NULL, *type = NULL;
	log_debug("Stopping device %s", uuid);
	int r = store_lock();
	if (r < 0)
		return r;
	r = sysfs_device_state(uuid, &parent, &type);
	if (r < 0) {
		if (!force)
			return r;
		/* Without parent and type there is nobody to call out to: just remove. */
		log_warn("For device %s a sysfs update caused the error: %s", uuid,
			 err_get(err_count() - 1));
		err_clear();
		return sysfs_remove(uuid);
	}
	if (r == 0)
		return err_set(-ENODEV, "Device %s is not an active mdev", uuid);
	_cleanup_mdev_ struct mdev *dev = mdev_new(uuid);
	dev->parent = TAKE_PTR(parent);
	dev->type = TAKE_PTR(type);
	dev->active = true;
	return callout_invoke(dev, CALLOUT_STOP, force, stop_primary, NULL);
}

/* ---- start-parent-mdevs ---- */

int ops_start_parent_mdevs(const char *parent)
{
	struct mdev_list l = { 0 };
	int r = check_name("parent", parent);
	if (r < 0)
		return r;
	r = store_lock();
	if (r < 0)
		return r;
	r = store_scan(NULL, parent, 0, &l);
	if (r < 0)
		return r;
	/* Directory order, as upstream: the order of definitions carries no meaning. */
	for (size_t i = 0; i < l.n; i++) {
		struct mdev *dev = l.v[i];
		if (!dev->autostart)
			continue;
		log_debug("Autostarting %s on %s", dev->uuid, parent);
		/* A lookup that fails is made again, and warned about, by sysfs_create(). */
		int state = sysfs_device_state(dev->uuid, NULL, NULL);
		if (state > 0) {
			log_debug("%s is already running, not starting it again", dev->uuid);
			continue;
		}
		err_clear();
		struct autostart as = { .not_running = state == 0 };
		if (check_device_names(dev) < 0 ||
		    callout_invoke(dev, CALLOUT_START, false, start_primary, &as) < 0) {
			for (size_t k = 0; k < err_count(); k++)
				log_warn("%s", err_get(k));
			err_clear();
		}
	}
	mdev_list_free(&l);
	return 0;
}
