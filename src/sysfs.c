/* Live state through sysfs; see sysfs.h. Link targets are read with readlink(2) rather than
 * canonicalised component by component: the kernel's links are relative and direct, and `list`
 * runs on every device event in libvirt, so the cost per device matters. A bus entry that is
 * not a link (a plain-file tree) falls back to realpath(3). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "env.h"
#include "error.h"
#include "log.h"
#include "path.h"
#include "sysfs.h"

/* Component before the last of a path ("a/b/<parent>/<uuid>" gives "<parent>"). */
static char *second_last(const char *p)
{
	_cleanup_free_ char *t = xstrdup(p);
	size_t n = strlen(t);
	while (n > 1 && t[n - 1] == '/')
		t[--n] = '\0';
	char *last = strrchr(t, '/');
	if (!last || last == t)
		return NULL;
	*last = '\0';
	char *prev = strrchr(t, '/');
	const char *name = prev ? prev + 1 : t;
	if (!*name || streq(name, ".") || streq(name, ".."))
		return NULL;
	return xstrdup(name);
}

static char *basename_of(const char *p)
{
	const char *b = strrchr(p, '/');
	return xstrdup(b ? b + 1 : p);
}

static int read_error(int r, const char *path)
{
	return err_os(r, -r, "Unable to read \"%s\"", path);
}

int sysfs_device_state(const char *uuid, char **ret_parent, char **ret_type)
{
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *target = NULL, *parent = NULL, *type = NULL;
	_cleanup_free_ char *typelink = xasprintf("%s/mdev_type", dev);
	int r;

	r = path_readlink(dev, &target);
	if (r == 0)
		parent = second_last(target);
	else if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	else if (r != -EINVAL)
		return read_error(r, dev);
	if (!parent) {
		char real[PATH_MAX];
		if (!realpath(dev, real))
			return errno == ENOENT ? 0 : read_error(-errno, dev);
		parent = second_last(real);
		if (!parent)
			return 0;
	}

	r = path_readlink_basename(typelink, &type);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r == -EINVAL) {
		char real[PATH_MAX];
		if (!realpath(typelink, real))
			return errno == ENOENT ? 0 : read_error(-errno, typelink);
		type = basename_of(real);
	} else if (r < 0)
		return read_error(r, typelink);
	else {
		/* The link must lead somewhere: a dangling one is a device half torn down, one
		 * that cannot be resolved (a loop) is an error, as canonicalising finds. */
		struct stat st;
		if (stat(typelink, &st) < 0)
			return errno == ENOENT || errno == ENOTDIR ? 0 : read_error(-errno, typelink);
	}

	if (ret_parent)
		*ret_parent = TAKE_PTR(parent);
	if (ret_type)
		*ret_type = TAKE_PTR(type);
	return 1;
}

int sysfs_mark_active(struct mdev *dev)
{
	_cleanup_free_ char *parent = NULL, *type = NULL;
	int r = sysfs_device_state(dev->uuid, &parent, &type);
	dev->active = r > 0 && dev->parent && dev->type && streq(parent, dev->parent) &&
		      streq(type, dev->type);
	return r < 0 ? r : 0;
}

int sysfs_list_active(const char *uuid, const char *parent, struct mdev_list *out)
{
	_cleanup_free_ char *dir = env_mdev_devices();
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return 0; /* no mdev support loaded: nothing runs */
	while ((de = readdir(d))) {
		char u[UUID_STR_LEN];
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (!mdev_entry_uuid(de->d_name, uuid, u))
			continue;
		char *p = NULL, *t = NULL;
		int r = sysfs_device_state(de->d_name, &p, &t);
		if (r <= 0) {
			if (r < 0)
				log_warn("Skipping device %s: %s", u, err_get(err_count() - 1));
			err_clear();
			continue;
		}
		if (parent && !streq(parent, p)) {
			free(p);
			free(t);
			continue;
		}
		struct mdev *dev = mdev_new(u);
		dev->parent = p;
		dev->type = t;
		dev->active = true;
		mdev_list_push(out, dev);
	}
	return 0;
}

int sysfs_list_parents(struct strv *out)
{
	_cleanup_free_ char *dir = env_mdev_bus();
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(out, xstrdup(de->d_name));
	strv_sort(out);
	return 0;
}

/* Rust's ParseIntError texts, which upstream prints for a bad available_instances. */
static int parse_error(int r, const char *s)
{
	_cleanup_free_ char *t = strstrip(xstrdup(s));
	if (r == -ERANGE)
		return err_set(-EINVAL, t[0] == '-' ? "number too small to fit in target type"
						    : "number too large to fit in target type");
	if (!*t)
		return err_set(-EINVAL, "cannot parse integer from empty string");
	return err_set(-EINVAL, "invalid digit found in string");
}

static int read_instances(const char *typedir, int32_t *ret)
{
	_cleanup_free_ char *path = xasprintf("%s/available_instances", typedir);
	_cleanup_free_ char *s = NULL;
	int r = path_read_file(path, 4096, &s, NULL);
	if (r < 0)
		return err_set(r, "%s", os_error_str(r));
	r = parse_i32(s, ret);
	return r < 0 ? parse_error(r, s) : 0;
}

static int read_optional(const char *typedir, const char *name, char **ret)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", typedir, name);
	int r = path_read_attr(path, ret);
	if (r == -ENOENT) {
		*ret = xstrdup("");
		return 0;
	}
	return r < 0 ? err_set(r, "%s", os_error_str(r)) : 0;
}

int sysfs_parent_types(const char *parent, struct mdev_type_list *out)
{
	_cleanup_free_ char *pp = env_parent_path(parent);
	_cleanup_free_ char *tdir = xasprintf("%s/mdev_supported_types", pp);
	_cleanup_closedir_ DIR *d = opendir(tdir);
	struct dirent *de;
	int r;

	if (!d)
		return err_set(-errno, "%s", os_error_str(errno));
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *typedir = xasprintf("%s/%s", tdir, de->d_name);
		if (!path_is_dir(typedir))
			continue;
		struct mdev_type *t = mdev_type_list_add(out);
		t->parent = xstrdup(parent);
		t->id = xstrdup(de->d_name);
		r = read_instances(typedir, &t->available);
		if (r < 0)
			return r;
		_cleanup_free_ char *api = xasprintf("%s/device_api", typedir);
		r = path_read_attr(api, &t->device_api);
		if (r < 0)
			return err_set(r, "%s", os_error_str(r));
		r = read_optional(typedir, "name", &t->name);
		if (r < 0)
			return r;
		r = read_optional(typedir, "description", &t->description);
		if (r < 0)
			return r;
		/* Upstream shows a multi-line description on one line. */
		struct strbuf sb = { 0 };
		for (const char *c = t->description; *c; c++)
			if (*c == '\n')
				sb_puts(&sb, ", ");
			else
				sb_putc(&sb, *c);
		free(t->description);
		t->description = sb_steal(&sb);
	}
	return 0;
}

static int parent_missing(const char *parent)
{
	_cleanup_free_ char *bus = env_mdev_bus();
	_cleanup_closedir_ DIR *d = opendir(bus);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcasecmp(de->d_name, parent) == 0)
			return err_set(-ENODEV,
				       "Unable to find parent device '%s'. Did you mean '%s'?",
				       parent, de->d_name);
	return err_set(-ENODEV, "Unable to find parent device '%s'", parent);
}

int sysfs_create(const struct mdev *dev)
{
	_cleanup_free_ char *rp = NULL, *rt = NULL;
	int r = sysfs_device_state(dev->uuid, &rp, &rt);

	if (r > 0) {
		if (!streq(rp, dev->parent))
			return err_set(-EEXIST, "Device exists under different parent");
		if (!streq(rt, dev->type))
			return err_set(-EEXIST, "Device exists with different type");
		return err_set(-EEXIST, "Device already exists");
	}
	if (r < 0) {
		log_warn("%s", err_get(err_count() - 1));
		err_clear();
	}

	_cleanup_free_ char *pp = env_parent_path(dev->parent);
	if (!path_is_dir(pp))
		return parent_missing(dev->parent);
	_cleanup_free_ char *tdir = xasprintf("%s/mdev_supported_types", pp);
	if (!path_is_dir(tdir))
		return err_set(-ENODEV, "Parent %s is not currently registered for mdev support",
			       dev->parent);
	_cleanup_free_ char *typedir = env_type_path(dev->parent, dev->type);
	if (!path_is_dir(typedir))
		return err_set(-EINVAL, "Parent %s does not support mdev type %s", dev->parent,
			       dev->type);
	int32_t avail;
	r = read_instances(typedir, &avail);
	if (r < 0)
		return r;
	if (avail == 0)
		return err_set(-ENOSPC, "No available instances of %s on %s", dev->type,
			       dev->parent);

	_cleanup_free_ char *create = xasprintf("%s/create", typedir);
	r = path_write_string(create, dev->uuid);
	if (r < 0)
		return err_os(r, -r, "Failed to create mdev %s, type %s on %s", dev->uuid,
			      dev->type, dev->parent);
	return 0;
}

int sysfs_write_attr(const char *uuid, const char *name, const char *value)
{
	if (!name_is_safe(name))
		return err_set(-EINVAL, "Invalid attribute '%s'", name);
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *path = xasprintf("%s/%s", dev, name);
	if (!path_exists(path))
		return err_set(-ENOENT, "Invalid attribute '%s'", name);
	int r = path_write_string(path, value);
	if (r < 0)
		return err_os(r, -r, "Failed to write %s to attribute %s", value, name);
	return 0;
}

int sysfs_remove(const char *uuid)
{
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *path = xasprintf("%s/remove", dev);
	int r = path_write_string(path, "1");
	if (r < 0)
		return err_os(r, -r, "Error removing device %s", uuid);
	return 0;
}
