// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulated mdev host: how the model changes and how each sysfs file of the kernel 6.1 mdev
 * core behaves (drivers/vfio/mdev/mdev_sysfs.c, mdev_core.c), plus the fault-injection control
 * file and the state dump. Every change to the model updates the tree in the same call, and the
 * FUSE loop is single-threaded, so what a reader sees is always consistent. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-host.h"
#include "sim-uevent.h"

_printf_(2, 3) static void debug(const struct sim_host *h, const char *fmt, ...)
{
	if (!h->debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("mdev-sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *result(int r)
{
	return r < 0 ? sim_errno_name(-r) : "ok";
}

/* --- capacity -------------------------------------------------------------------------- */

/* Whether another type of a one-type pool has devices, which leaves t none. */
static bool pool_held_by_other(const struct sim_type *t)
{
	const struct sim_parent *p = t->parent;
	if (!t->pool->one_type)
		return false;
	for (size_t i = 0; i < p->n_types; i++)
		if (&p->types[i] != t && p->types[i].pool == t->pool && p->types[i].count > 0)
			return true;
	return false;
}

unsigned sim_type_available(const struct sim_type *t)
{
	if (t->pool) {
		if (pool_held_by_other(t))
			return 0;
		unsigned left = t->pool->size > t->pool->used ? t->pool->size - t->pool->used : 0;
		return left / t->cost;
	}
	return t->instances > t->count ? t->instances - t->count : 0;
}

static void account(struct sim_type *t, int sign)
{
	if (sign > 0) {
		t->count++;
		if (t->pool)
			t->pool->used += t->cost;
	} else {
		t->count--;
		if (t->pool)
			t->pool->used -= t->cost;
	}
}

/* --- vendor attributes ----------------------------------------------------------------- */

int sim_attr_check(const struct sim_attr_spec *a, const char *value, char **ret)
{
	size_t n = strlen(value);
	/* a store() sees the newline of `echo`; the kernel's parsers drop one */
	if (n && value[n - 1] == '\n')
		n--;
	_cleanup_free_ char *v = xstrndup(value, n);
	long long x;

	switch (a->kind) {
	case SIM_ATTR_TEXT:
		break;
	case SIM_ATTR_RANGE:
		if (sim_kstrtoll(v, &x) < 0 || x < a->min || x > a->max)
			return -EINVAL;
		free(v);
		v = xasprintf("%lld", x);
		break;
	case SIM_ATTR_ALLOWED: {
		size_t i;
		for (i = 0; i < a->n_allowed; i++)
			if (streq(a->allowed[i], v))
				break;
		if (i == a->n_allowed)
			return -EINVAL;
		break;
	}
	}
	*ret = TAKE_PTR(v);
	return 0;
}

int sim_type_attr_index(const struct sim_type *t, const char *name)
{
	for (size_t i = 0; i < t->n_attrs; i++)
		if (streq(t->attrs[i].name, name))
			return (int)i;
	return -1;
}

/* --- files of a type directory --------------------------------------------------------- */

static int available_show(struct sim_node *n, struct strbuf *out)
{
	sb_printf(out, "%u\n", sim_type_available(n->obj));
	return 0;
}

static int device_api_show(struct sim_node *n, struct strbuf *out)
{
	sim_buf_putline(out, ((struct sim_type *)n->obj)->device_api);
	return 0;
}

static int name_show(struct sim_node *n, struct strbuf *out)
{
	sim_buf_putline(out, ((struct sim_type *)n->obj)->name);
	return 0;
}

static int description_show(struct sim_node *n, struct strbuf *out)
{
	sim_buf_putline(out, ((struct sim_type *)n->obj)->description);
	return 0;
}

static int migration_info_show(struct sim_node *n, struct strbuf *out)
{
	sim_buf_putline(out, ((struct sim_type *)n->obj)->migration_info);
	return 0;
}

/* create_store() of mdev_sysfs.c: 36 characters, or 37 (the 37th, usually the newline of
 * `echo`, is not looked at), then uuid_is_valid() on the first 36. */
static int create_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_type *t = n->obj;
	struct sim_host *h = t->parent->host;
	char uuid[SIM_UUID_LEN + 1];
	int r;

	if (t->parent->unplug_on_create) {
		/* The parent goes away between the caller's look at the host and its write: the
		 * write lands on a node kernfs has removed meanwhile, which gives ENODEV. */
		struct sim_parent *p = t->parent;
		p->unplug_on_create = false;
		debug(h, "create %s/%s: parent unplugged first, as injected", p->name, t->id);
		(void)sim_parent_unplug(p);
		return -ENODEV;
	}
	if (h->faults.create) {
		r = -h->faults.create;
		h->faults.create = 0;
		debug(h, "create %s/%s: injected %s", t->parent->name, t->id, result(r));
		return r;
	}
	if (len < SIM_UUID_LEN || len > SIM_UUID_LEN + 1 || !sim_uuid_valid(buf)) {
		debug(h, "create %s/%s: malformed UUID", t->parent->name, t->id);
		return -EINVAL;
	}
	sim_uuid_lower(buf, uuid);
	struct sim_device *d = NULL;
	r = sim_device_create(t, uuid, &d);
	debug(h, "create %s/%s %s: %s", t->parent->name, t->id, uuid, result(r));
	if (r == 0 && d)
		sim_uevent_device(d, true);
	return r;
}

static const struct sim_file_ops available_ops = { .show = available_show };
static const struct sim_file_ops device_api_ops = { .show = device_api_show };
static const struct sim_file_ops name_ops = { .show = name_show };
static const struct sim_file_ops description_ops = { .show = description_show };
static const struct sim_file_ops migration_info_ops = { .show = migration_info_show };
static const struct sim_file_ops create_ops = { .store = create_store };

/* --- uevent files ---------------------------------------------------------------------- */

/* Writing an action to uevent makes the kernel send a synthetic event (kobject_synth_uevent(),
 * which marks it SYNTH_UUID=0): sent with --uevents (sim-uevent.h). A word that is not an
 * action is refused as the kernel does. Returns the action, or NULL. */
static const char *uevent_action(const char *buf, size_t len)
{
	static const char *const actions[] = { "add",	 "remove",  "change", "move",
					       "online", "offline", "bind",   "unbind" };
	for (size_t i = 0; i < ELEMENTSOF(actions); i++) {
		size_t k = strlen(actions[i]);
		if (len >= k && strncmp(buf, actions[i], k) == 0 &&
		    (len == k || buf[k] == '\0' || buf[k] == '\n' || buf[k] == ' '))
			return actions[i];
	}
	return NULL;
}

static int parent_uevent_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_parent *p = n->obj;
	const char *action = uevent_action(buf, len);
	if (!action)
		return -EINVAL;
	sim_uevent_send(p->host, action, p->path, sim_parent_subsystem(p), "SYNTH_UUID=0");
	return 0;
}

static int device_uevent_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_device *d = n->obj;
	const char *action = uevent_action(buf, len);
	if (!action)
		return -EINVAL;
	char *devpath = xasprintf("%s/%s", d->type->parent->path, d->uuid);
	sim_uevent_send(d->type->parent->host, action, devpath, "mdev", "SYNTH_UUID=0");
	free(devpath);
	return 0;
}

static int parent_uevent_show(struct sim_node *n, struct strbuf *out)
{
	struct sim_parent *p = n->obj;
	if (p->driver)
		sb_printf(out, "DRIVER=%s\n", p->driver);
	return 0;
}

static int device_uevent_show(struct sim_node *n, struct strbuf *out)
{
	struct sim_device *d = n->obj;
	if (d->type->parent->mdev_driver)
		sb_printf(out, "DRIVER=%s\n", d->type->parent->mdev_driver);
	return 0;
}

static const struct sim_file_ops parent_uevent_ops = { parent_uevent_show, parent_uevent_store };
static const struct sim_file_ops device_uevent_ops = { device_uevent_show, device_uevent_store };

static int module_version_show(struct sim_node *n, struct strbuf *out)
{
	sim_buf_putline(out, ((struct sim_parent *)n->obj)->driver_version);
	return 0;
}

static const struct sim_file_ops module_version_ops = { .show = module_version_show };

/* A PCI device's vendor, device, subsystem_vendor and subsystem_device: "0x%04x\n" as
 * drivers/pci/pci-sysfs.c prints them. The node's obj is the id itself. */
static int pci_id_show(struct sim_node *n, struct strbuf *out)
{
	sb_printf(out, "0x%04x\n", *(const unsigned *)n->obj);
	return 0;
}

static const struct sim_file_ops pci_id_ops = { .show = pci_id_show };
static const char *const pci_id_files[4] = { "vendor", "device", "subsystem_vendor",
					     "subsystem_device" };

/* --- files of a device directory ------------------------------------------------------- */

static bool is_busy(const struct sim_host *h, const char *uuid)
{
	for (size_t i = 0; i < h->faults.n_busy; i++)
		if (streq(h->faults.busy[i], uuid))
			return true;
	return false;
}

/* remove_store() of mdev_sysfs.c: kstrtoul(buf, 0), any non-zero value removes. The device and
 * the node being written are gone when this returns 0 after a removal. */
static int remove_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_device *d = n->obj;
	struct sim_host *h = d->type->parent->host;
	unsigned long long v;

	if (h->faults.remove) {
		int r = -h->faults.remove;
		h->faults.remove = 0;
		debug(h, "remove %s: injected %s", d->uuid, result(r));
		return r;
	}
	if (sim_kstrtoull(buf, &v) < 0)
		return -EINVAL;
	if (!v)
		return 0;
	if (is_busy(h, d->uuid)) {
		debug(h, "remove %s: busy", d->uuid);
		return -EBUSY;
	}
	debug(h, "remove %s: ok", d->uuid);
	sim_uevent_device(d, false);
	sim_device_destroy(d);
	return 0;
}

static const struct sim_file_ops remove_ops = { .store = remove_store };

static int vattr_show(struct sim_node *n, struct strbuf *out)
{
	struct sim_attr_value *v = n->obj;
	sb_printf(out, "%s\n", v->value);
	return 0;
}

static int vattr_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_attr_value *v = n->obj;
	struct sim_host *h = v->dev->type->parent->host;
	struct sim_faults *f = &h->faults;
	char *nv;

	for (size_t i = 0; i < f->n_attr; i++) {
		if (!streq(f->attr[i].name, v->spec->name))
			continue;
		int r = -f->attr[i].err;
		free(f->attr[i].name);
		f->attr[i] = f->attr[--f->n_attr];
		debug(h, "attribute %s of %s: injected %s", v->spec->name, v->dev->uuid, result(r));
		return r;
	}
	int r = sim_attr_check(v->spec, buf, &nv);
	debug(h, "attribute %s of %s: %s", v->spec->name, v->dev->uuid, result(r));
	if (r < 0)
		return r;
	free(v->value);
	v->value = nv;
	return 0;
}

static const struct sim_file_ops vattr_rw_ops = { vattr_show, vattr_store };
static const struct sim_file_ops vattr_ro_ops = { .show = vattr_show };
static const struct sim_file_ops vattr_wo_ops = { .store = vattr_store };

static const struct sim_file_ops *vattr_ops(const struct sim_attr_spec *a)
{
	if (a->readable && a->writable)
		return &vattr_rw_ops;
	return a->readable ? &vattr_ro_ops : &vattr_wo_ops;
}

/* --- devices --------------------------------------------------------------------------- */

static int lowest_free_group(const struct sim_host *h)
{
	for (int g = 0;; g++) {
		const struct sim_device *d;
		for (d = h->first; d; d = d->next)
			if (d->iommu_group == g)
				break;
		if (!d)
			return g;
	}
}

static void device_free(struct sim_device *d)
{
	if (!d)
		return;
	for (size_t i = 0; d->values && i < d->type->n_attrs; i++)
		free(d->values[i].value);
	free(d->values);
	free(d);
}

/* The directory of a device and every link to it, as mdev_device_create() and the driver core
 * make them; false when something is in the way. */
static bool device_build(struct sim_device *d)
{
	struct sim_type *t = d->type;
	struct sim_parent *p = t->parent;
	struct sim_node *root = p->host->root;
	_cleanup_free_ char *devpath = xasprintf("%s/%s", p->path, d->uuid);
	_cleanup_free_ char *up = sim_updirs(sim_path_depth(devpath));
	_cleanup_free_ char *typelink = xasprintf("../mdev_supported_types/%s", t->id);
	_cleanup_free_ char *subsys = xasprintf("%sbus/mdev", up);
	_cleanup_free_ char *bus_target = xasprintf("../../../%s", devpath);
	_cleanup_free_ char *type_target = xasprintf("../../../%s", d->uuid);
	_cleanup_free_ char *group = xasprintf("kernel/iommu_groups/%d", d->iommu_group);
	_cleanup_free_ char *group_link = xasprintf("%s%s", up, group);
	_cleanup_free_ char *from_depth4 = xasprintf("../../../../%s", devpath);

	if (sim_tree_child(p->dir, d->uuid))
		return false;
	d->dir = sim_tree_mkdirs(p->dir, d->uuid);
	if (!d->dir || !sim_tree_add_link(d->dir, "mdev_type", typelink) ||
	    !sim_tree_add_file(d->dir, "remove", &remove_ops, d) ||
	    !sim_tree_add_file(d->dir, "uevent", &device_uevent_ops, d) ||
	    !sim_tree_add_link(d->dir, "subsystem", subsys) ||
	    !sim_tree_add_link(d->dir, "iommu_group", group_link))
		return false;
	for (size_t i = 0; i < t->n_attrs; i++)
		if (!sim_tree_add_file(d->dir, t->attrs[i].name, vattr_ops(&t->attrs[i]),
				       &d->values[i]))
			return false;

	struct sim_node *bus = sim_tree_lookup(root, "bus/mdev/devices");
	struct sim_node *tdevs = sim_tree_lookup(p->dir, "mdev_supported_types");
	tdevs = tdevs ? sim_tree_lookup(sim_tree_child(tdevs, t->id), "devices") : NULL;
	if (!bus || !tdevs)
		return false;
	d->bus_link = sim_tree_add_link(bus, d->uuid, bus_target);
	d->type_link = sim_tree_add_link(tdevs, d->uuid, type_target);
	if (!d->bus_link || !d->type_link)
		return false;

	if (sim_tree_lookup(root, group))
		return false;
	d->group_dir = sim_tree_mkdirs(root, group);
	if (!d->group_dir)
		return false;
	_cleanup_free_ char *member = xasprintf("devices/%s", d->uuid);
	if (!sim_tree_add_link(d->group_dir, member, from_depth4))
		return false;

	if (p->mdev_driver) {
		_cleanup_free_ char *drvdir = xasprintf("bus/mdev/drivers/%s", p->mdev_driver);
		_cleanup_free_ char *drvlink = xasprintf("%s%s", up, drvdir);
		struct sim_node *dd = sim_tree_mkdirs(root, drvdir);
		if (!dd || !sim_tree_add_link(d->dir, "driver", drvlink))
			return false;
		d->driver_link = sim_tree_add_link(dd, d->uuid, from_depth4);
		if (!d->driver_link)
			return false;
	}
	return true;
}

int sim_device_create(struct sim_type *t, const char *uuid, struct sim_device **ret)
{
	struct sim_host *h = t->parent->host;

	for (struct sim_device *o = h->first; o; o = o->next)
		if (streq(o->uuid, uuid))
			return -EEXIST;
	if (sim_type_available(t) == 0)
		return -ENOSPC;

	struct sim_device *d = xcalloc(1, sizeof(*d));
	memcpy(d->uuid, uuid, sizeof(d->uuid));
	d->uuid[SIM_UUID_LEN] = '\0';
	d->type = t;
	d->values = xcalloc(t->n_attrs, sizeof(*d->values));
	for (size_t i = 0; i < t->n_attrs; i++) {
		d->values[i].dev = d;
		d->values[i].spec = &t->attrs[i];
		d->values[i].value = xstrdup(t->attrs[i].def);
	}
	d->iommu_group = lowest_free_group(h);

	account(t, +1);
	d->prev = h->last;
	if (h->last)
		h->last->next = d;
	else
		h->first = d;
	h->last = d;

	if (!device_build(d)) {
		sim_device_destroy(d);
		return -EEXIST;
	}
	if (ret)
		*ret = d;
	return 0;
}

void sim_device_destroy(struct sim_device *d)
{
	struct sim_host *h = d->type->parent->host;

	sim_tree_remove(d->bus_link);
	sim_tree_remove(d->type_link);
	sim_tree_remove(d->group_dir);
	sim_tree_remove(d->driver_link);
	sim_tree_remove(d->dir);
	account(d->type, -1);
	if (d->prev)
		d->prev->next = d->next;
	else
		h->first = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		h->last = d->prev;
	device_free(d);
}

/* --- parents --------------------------------------------------------------------------- */

struct sim_parent *sim_host_parent(struct sim_host *h, const char *name)
{
	for (size_t i = 0; i < h->n_parents; i++)
		if (streq(h->parents[i].name, name))
			return &h->parents[i];
	return NULL;
}

struct sim_type *sim_parent_type(struct sim_parent *p, const char *id)
{
	for (size_t i = 0; i < p->n_types; i++)
		if (streq(p->types[i].id, id))
			return &p->types[i];
	return NULL;
}

static bool type_build(struct sim_type *t, struct sim_node *types)
{
	struct sim_node *d = sim_tree_mkdirs(types, t->id);
	return d && sim_tree_add_file(d, "available_instances", &available_ops, t) &&
	       sim_tree_add_file(d, "create", &create_ops, t) &&
	       sim_tree_add_file(d, "device_api", &device_api_ops, t) &&
	       (!t->name || sim_tree_add_file(d, "name", &name_ops, t)) &&
	       (!t->description || sim_tree_add_file(d, "description", &description_ops, t)) &&
	       (!t->migration_info ||
		sim_tree_add_file(d, "migration_info", &migration_info_ops, t)) &&
	       sim_tree_mkdirs(d, "devices");
}

/* Files shared by every parent of a driver; made by the first one plugged, kept afterwards as
 * a module stays loaded. */
static bool driver_build(struct sim_parent *p, const char *up)
{
	struct sim_node *root = p->host->root;
	_cleanup_free_ char *drvdir = xasprintf("bus/%s/drivers/%s", p->driver_bus, p->driver);
	_cleanup_free_ char *link = xasprintf("%s%s", up, drvdir);
	_cleanup_free_ char *back = xasprintf("../../../../%s", p->path);
	struct sim_node *dd = sim_tree_mkdirs(root, drvdir);

	if (!dd || !sim_tree_add_link(p->dir, "driver", link))
		return false;
	p->driver_link = sim_tree_add_link(dd, p->name, back);
	if (!p->driver_link)
		return false;
	if (p->driver_version) {
		_cleanup_free_ char *mod = xasprintf("module/%s/version", p->driver);
		if (!sim_tree_lookup(root, mod) &&
		    !sim_tree_add_file(root, mod, &module_version_ops, p))
			return false;
	}
	return true;
}

static bool parent_build(struct sim_parent *p)
{
	struct sim_node *root = p->host->root;
	_cleanup_free_ char *up = sim_updirs(sim_path_depth(p->path));
	_cleanup_free_ char *class_target = xasprintf("../../%s", p->path);
	struct sim_node *bus = sim_tree_lookup(root, "class/mdev_bus");

	if (!bus || sim_tree_child(bus, p->name) || sim_tree_lookup(root, p->path))
		return false;
	p->dir = sim_tree_mkdirs(root, p->path);
	if (!p->dir)
		return false;
	struct sim_node *types = sim_tree_mkdirs(p->dir, "mdev_supported_types");
	if (!types)
		return false;
	for (size_t i = 0; i < p->n_types; i++)
		if (!type_build(&p->types[i], types))
			return false;
	if (!sim_tree_add_file(p->dir, "uevent", &parent_uevent_ops, p))
		return false;
	for (size_t i = 0; p->has_pci && i < 4; i++)
		if (!sim_tree_add_file(p->dir, pci_id_files[i], &pci_id_ops, &p->pci_id[i]))
			return false;
	if (p->driver && !driver_build(p, up))
		return false;
	if (p->subsystem) {
		_cleanup_free_ char *link = xasprintf("%s%s", up, p->subsystem);
		if (!sim_tree_mkdirs(root, p->subsystem) ||
		    !sim_tree_add_link(p->dir, "subsystem", link))
			return false;
	}
	if (p->mdev_driver) {
		_cleanup_free_ char *md = xasprintf("bus/mdev/drivers/%s", p->mdev_driver);
		if (!sim_tree_mkdirs(root, md))
			return false;
	}
	p->class_link = sim_tree_add_link(bus, p->name, class_target);
	return p->class_link != NULL;
}

static void parent_teardown(struct sim_parent *p)
{
	sim_tree_remove(p->dir);
	sim_tree_remove(p->class_link);
	sim_tree_remove(p->driver_link);
	p->dir = p->class_link = p->driver_link = NULL;
}

int sim_parent_plug(struct sim_parent *p)
{
	if (p->plugged)
		return -EALREADY;
	if (!parent_build(p)) {
		/* parent_build() makes p->dir only where nothing was: all of it is ours to undo */
		parent_teardown(p);
		return -EEXIST;
	}
	p->plugged = true;
	debug(p->host, "plug %s", p->name);
	sim_uevent_parent(p, true);
	return 0;
}

int sim_parent_unplug(struct sim_parent *p)
{
	struct sim_host *h = p->host;
	struct sim_device *d, *next;

	if (!p->plugged)
		return -EALREADY;
	for (d = h->first; d; d = next) {
		next = d->next;
		if (d->type->parent == p) {
			sim_uevent_device(d, false);
			sim_device_destroy(d);
		}
	}
	parent_teardown(p);
	p->plugged = false;
	debug(h, "unplug %s", p->name);
	sim_uevent_parent(p, false);
	return 0;
}

/* --- control and state ----------------------------------------------------------------- */

static int ctl_fail(struct sim_host *h, char **argv, int argc)
{
	struct sim_faults *f = &h->faults;
	int e;

	if (argc == 3 && (streq(argv[1], "create") || streq(argv[1], "remove"))) {
		e = sim_errno_parse(argv[2]);
		if (e < 0)
			return e;
		*(streq(argv[1], "create") ? &f->create : &f->remove) = e;
		return 0;
	}
	if (argc == 4 && streq(argv[1], "attr")) {
		e = sim_errno_parse(argv[3]);
		if (e < 0)
			return e;
		for (size_t i = 0; i < f->n_attr; i++)
			if (streq(f->attr[i].name, argv[2])) {
				f->attr[i].err = e;
				return 0;
			}
		f->attr = xrealloc(f->attr, (f->n_attr + 1) * sizeof(*f->attr));
		f->attr[f->n_attr].name = xstrdup(argv[2]);
		f->attr[f->n_attr++].err = e;
		return 0;
	}
	return -EINVAL;
}

static int ctl_busy(struct sim_host *h, const char *arg, bool busy)
{
	struct sim_faults *f = &h->faults;
	char uuid[SIM_UUID_LEN + 1];

	if (strlen(arg) != SIM_UUID_LEN || !sim_uuid_valid(arg))
		return -EINVAL;
	sim_uuid_lower(arg, uuid);
	for (size_t i = 0; i < f->n_busy; i++) {
		if (!streq(f->busy[i], uuid))
			continue;
		if (!busy) {
			free(f->busy[i]);
			f->busy[i] = f->busy[--f->n_busy];
		}
		return 0;
	}
	if (busy) {
		f->busy = xrealloc(f->busy, (f->n_busy + 1) * sizeof(*f->busy));
		f->busy[f->n_busy++] = xstrdup(uuid);
	}
	return 0;
}

static void faults_clear(struct sim_faults *f)
{
	for (size_t i = 0; i < f->n_attr; i++)
		free(f->attr[i].name);
	for (size_t i = 0; i < f->n_busy; i++)
		free(f->busy[i]);
	free(f->attr);
	free(f->busy);
	*f = (struct sim_faults){ 0 };
}

static int control_run(struct sim_host *h, char **argv, int argc)
{
	if (argc == 0)
		return -EINVAL;
	if (streq(argv[0], "fail"))
		return ctl_fail(h, argv, argc);
	if (argc == 2 && (streq(argv[0], "busy") || streq(argv[0], "unbusy")))
		return ctl_busy(h, argv[1], streq(argv[0], "busy"));
	if (argc == 2 && (streq(argv[0], "plug") || streq(argv[0], "unplug"))) {
		struct sim_parent *p = sim_host_parent(h, argv[1]);
		if (!p)
			return -ENOENT;
		return streq(argv[0], "plug") ? sim_parent_plug(p) : sim_parent_unplug(p);
	}
	if (argc == 2 && streq(argv[0], "unplug-on-create")) {
		struct sim_parent *p = sim_host_parent(h, argv[1]);
		if (!p)
			return -ENOENT;
		p->unplug_on_create = true;
		return 0;
	}
	if (argc == 1 && streq(argv[0], "reset")) {
		faults_clear(&h->faults);
		for (size_t i = 0; i < h->n_parents; i++)
			h->parents[i].unplug_on_create = false;
		return 0;
	}
	return -EINVAL;
}

static int control_store(struct sim_node *n, const char *buf, size_t len)
{
	struct sim_host *h = n->obj;
	_cleanup_free_ char *copy = xstrdup(buf);
	char *argv[5], *save = NULL;
	int argc = 0;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (argc == (int)ELEMENTSOF(argv))
			return -EINVAL;
		argv[argc++] = w;
	}
	int r = control_run(h, argv, argc);
	size_t shown = strlen(buf);
	while (shown && (buf[shown - 1] == '\n' || buf[shown - 1] == ' ' || buf[shown - 1] == '\t'))
		shown--;
	debug(h, "control \"%.*s\": %s", (int)shown, buf, result(r));
	return r;
}

static json_t *errno_json(int e)
{
	return e ? json_string(sim_errno_name(e)) : json_null();
}

static json_t *parent_json(const struct sim_parent *p)
{
	json_t *o = json_object(), *pools = json_object(), *types = json_object();

	json_object_set_new(o, "plugged", json_boolean(p->plugged));
	for (size_t i = 0; i < p->n_pools; i++)
		json_object_set_new(pools, p->pools[i].name,
				    json_pack("{s:I,s:I}", "size", (json_int_t)p->pools[i].size,
					      "used", (json_int_t)p->pools[i].used));
	json_object_set_new(o, "pools", pools);
	for (size_t i = 0; i < p->n_types; i++) {
		const struct sim_type *t = &p->types[i];
		json_object_set_new(types, t->id,
				    json_pack("{s:I,s:I}", "available_instances",
					      (json_int_t)(p->plugged ? sim_type_available(t) : 0),
					      "devices", (json_int_t)t->count));
	}
	json_object_set_new(o, "types", types);
	return o;
}

static json_t *device_json(const struct sim_device *d)
{
	json_t *attrs = json_object();
	for (size_t i = 0; i < d->type->n_attrs; i++)
		json_object_set_new(attrs, d->type->attrs[i].name, json_string(d->values[i].value));
	return json_pack("{s:s,s:s,s:s,s:i,s:b,s:o}", "uuid", d->uuid, "parent",
			 d->type->parent->name, "type", d->type->id, "iommu_group", d->iommu_group,
			 "busy", is_busy(d->type->parent->host, d->uuid), "attributes", attrs);
}

static int state_show(struct sim_node *n, struct strbuf *out)
{
	const struct sim_host *h = n->obj;
	const struct sim_faults *f = &h->faults;
	json_t *root = json_object(), *parents = json_object(), *devices = json_array();
	json_t *faults = json_object(), *attr = json_object(), *busy = json_array();

	for (size_t i = 0; i < h->n_parents; i++)
		json_object_set_new(parents, h->parents[i].name, parent_json(&h->parents[i]));
	for (const struct sim_device *d = h->first; d; d = d->next)
		json_array_append_new(devices, device_json(d));
	json_object_set_new(faults, "create", errno_json(f->create));
	json_object_set_new(faults, "remove", errno_json(f->remove));
	for (size_t i = 0; i < f->n_attr; i++)
		json_object_set_new(attr, f->attr[i].name, errno_json(f->attr[i].err));
	json_object_set_new(faults, "attr", attr);
	for (size_t i = 0; i < f->n_busy; i++)
		json_array_append_new(busy, json_string(f->busy[i]));
	json_object_set_new(faults, "busy", busy);
	json_t *uoc = json_array();
	for (size_t i = 0; i < h->n_parents; i++)
		if (h->parents[i].unplug_on_create)
			json_array_append_new(uoc, json_string(h->parents[i].name));
	json_object_set_new(faults, "unplug_on_create", uoc);
	json_object_set_new(root, "parents", parents);
	json_object_set_new(root, "devices", devices);
	json_object_set_new(root, "faults", faults);

	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		return -ENOMEM;
	sim_buf_putline(out, s);
	free(s);
	return 0;
}

static const struct sim_file_ops control_ops = { .store = control_store };
static const struct sim_file_ops state_ops = { .show = state_show };

/* --- the host -------------------------------------------------------------------------- */

struct sim_host *sim_host_new(void)
{
	struct sim_host *h = xcalloc(1, sizeof(*h));
	h->uevent_fd = -1;
	h->root = sim_tree_new();
	(void)sim_tree_mkdirs(h->root, "devices");
	(void)sim_tree_mkdirs(h->root, "class/mdev_bus");
	(void)sim_tree_mkdirs(h->root, "bus/mdev/devices");
	(void)sim_tree_mkdirs(h->root, "bus/mdev/drivers");
	(void)sim_tree_mkdirs(h->root, "kernel/iommu_groups");
	(void)sim_tree_mkdirs(h->root, "module");
	(void)sim_tree_add_file(h->root, "mdev-sim/control", &control_ops, h);
	(void)sim_tree_add_file(h->root, "mdev-sim/state", &state_ops, h);
	return h;
}

static void attr_spec_free(struct sim_attr_spec *a)
{
	free(a->name);
	free(a->def);
	for (size_t i = 0; i < a->n_allowed; i++)
		free(a->allowed[i]);
	free(a->allowed);
}

static void type_free(struct sim_type *t)
{
	free(t->id);
	free(t->name);
	free(t->description);
	free(t->device_api);
	free(t->migration_info);
	for (size_t i = 0; i < t->n_attrs; i++)
		attr_spec_free(&t->attrs[i]);
	free(t->attrs);
}

static void parent_free(struct sim_parent *p)
{
	free(p->name);
	free(p->path);
	free(p->subsystem);
	free(p->driver);
	free(p->driver_bus);
	free(p->driver_version);
	free(p->mdev_driver);
	for (size_t i = 0; i < p->n_pools; i++)
		free(p->pools[i].name);
	free(p->pools);
	for (size_t i = 0; i < p->n_types; i++)
		type_free(&p->types[i]);
	free(p->types);
}

void sim_host_free(struct sim_host *h)
{
	if (!h)
		return;
	sim_uevent_close(h);
	/* the whole tree goes at once: no need to unlink each device's nodes first */
	sim_tree_remove(h->root);
	while (h->first) {
		struct sim_device *d = h->first;
		h->first = d->next;
		device_free(d);
	}
	for (size_t i = 0; i < h->n_parents; i++)
		parent_free(&h->parents[i]);
	free(h->parents);
	faults_clear(&h->faults);
	free(h);
}
