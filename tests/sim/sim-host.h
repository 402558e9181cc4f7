/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model of a simulated mdev host: parents, their mdev types and capacity pools, the devices
 * created on them, and pending injected faults. sim-host.c keeps the sysfs tree (sim-tree.h) in
 * step with the model and gives every attribute file the behaviour of the kernel 6.1 mdev core
 * (create, remove, available_instances...); sim-parse.c builds a host from its JSON
 * description (documented in tests/sim/README.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sim-tree.h"
#include "sim-util.h"

enum sim_attr_kind {
	SIM_ATTR_TEXT,	  /* any value */
	SIM_ATTR_RANGE,	  /* an integer, kstrtoll syntax, min <= v <= max */
	SIM_ATTR_ALLOWED, /* one of a list of strings */
};

/* A vendor attribute that every device of a type has. */
struct sim_attr_spec {
	char *name; /* path in the device directory: "aggregator", "vendor/x" */
	char *def;  /* value of a new device, without the newline */
	enum sim_attr_kind kind;
	long long min, max;
	char **allowed;
	size_t n_allowed;
	bool readable, writable;
};

/* Units of capacity that several types of a parent draw from (mtty's 24 ports). */
struct sim_pool {
	char *name;
	unsigned size;
	unsigned used;
	/* Only one type at a time: while devices of one type use the pool, the others have none
	 * (an NVIDIA GPU without mixed-size mode runs vGPUs of one type only). */
	bool one_type;
};

struct sim_parent;

struct sim_type {
	struct sim_parent *parent;
	char *id; /* directory name in mdev_supported_types */
	char *name, *description, *device_api, *migration_info; /* file contents; NULL: no file */
	struct sim_pool *pool; /* NULL: the type has instances of its own */
	unsigned cost;	       /* units of pool per device */
	unsigned instances;    /* without a pool: how many devices at most */
	unsigned count;	       /* devices of this type now */
	struct sim_attr_spec *attrs;
	size_t n_attrs;
};

struct sim_host;

struct sim_parent {
	struct sim_host *host;
	char *name;	 /* entry in class/mdev_bus */
	char *path;	 /* its directory, relative to the root of sysfs */
	char *subsystem; /* path of the subsystem link's target, or NULL */
	char *driver, *driver_bus, *driver_version; /* NULL when no driver */
	char *mdev_driver;			    /* driver its mdevs are bound to, or NULL */
	/* A PCI parent's ids (vendor, device, subsystem_vendor, subsystem_device): the files
	 * of the same names, "0x%04x". has_pci false: no such files. */
	bool has_pci;
	unsigned pci_id[4];
	struct sim_pool *pools;
	size_t n_pools;
	struct sim_type *types;
	size_t n_types;
	bool plugged;
	/* `unplug-on-create`: the next write to one of its create files unplugs it first */
	bool unplug_on_create;
	/* while plugged: nodes to remove on unplug */
	struct sim_node *dir, *class_link, *driver_link;
};

/* The node of a vendor attribute file points at one of these. */
struct sim_attr_value {
	struct sim_device *dev;
	const struct sim_attr_spec *spec;
	char *value;
};

struct sim_device {
	char uuid[SIM_UUID_LEN + 1]; /* lower case */
	struct sim_type *type;
	struct sim_attr_value *values; /* one per type->attrs */
	int iommu_group;
	struct sim_device *prev, *next;
	struct sim_node *dir, *bus_link, *type_link, *group_dir, *driver_link;
};

struct sim_attr_fault {
	char *name;
	int err;
};

/* Faults armed through mdev-sim/control. */
struct sim_faults {
	int create; /* errno for the next write to any create, or 0 */
	int remove; /* errno for the next write to any remove, or 0 */
	struct sim_attr_fault *attr;
	size_t n_attr;
	char **busy; /* lower-case UUIDs whose remove fails with EBUSY */
	size_t n_busy;
};

struct sim_host {
	struct sim_parent *parents;
	size_t n_parents;
	struct sim_device *first, *last; /* in creation order */
	struct sim_node *root;
	struct sim_faults faults;
	bool debug; /* log every change to stderr */
	/* --uevents: the socket device events are sent from (sim-uevent.h), -1 for none, and the
	 * number of the last one */
	int uevent_fd;
	unsigned long long uevent_seqnum;
};

/* An empty host: the fixed part of the tree (class/mdev_bus, bus/mdev/devices,
 * kernel/iommu_groups, mdev-sim/{control,state}) and no parents. */
struct sim_host *sim_host_new(void);
void sim_host_free(struct sim_host *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sim_host *, sim_host_free)

/* Read and check a host description. Returns 0 with the host in *ret (parents plugged unless
 * described otherwise, pre-existing devices created), or -errno with a message naming the file
 * and the place in it in *ret_error (owned by the caller). */
int sim_host_load(const char *file, struct sim_host **ret, char **ret_error);

/* Make a parent appear with all its types and no devices (modprobe). Returns 0, -EALREADY, or
 * -EEXIST when its directory or a link of its would replace something already in the tree. */
int sim_parent_plug(struct sim_parent *p);
/* Remove a parent and all its devices (rmmod). Returns 0 or -EALREADY. */
int sim_parent_unplug(struct sim_parent *p);
struct sim_parent *sim_host_parent(struct sim_host *h, const char *name);
struct sim_type *sim_parent_type(struct sim_parent *p, const char *id);

/* What available_instances shows. */
unsigned sim_type_available(const struct sim_type *t);

/* Create a device of a plugged parent's type as a write to create does, uuid already checked
 * and lower-cased. Returns 0 and the device in *ret (may be NULL), -EEXIST when the UUID is in
 * use anywhere, -ENOSPC when the type has no capacity left. */
int sim_device_create(struct sim_type *t, const char *uuid, struct sim_device **ret);
/* Remove a device and all its links, giving its capacity back. */
void sim_device_destroy(struct sim_device *d);

/* Check a value against an attribute's rule; on success *ret is the value as it will read back
 * (without its newline; owned by the caller). Returns 0 or -EINVAL. */
int sim_attr_check(const struct sim_attr_spec *a, const char *value, char **ret);
/* Index of an attribute in the type of d, or -1. */
int sim_type_attr_index(const struct sim_type *t, const char *name);
