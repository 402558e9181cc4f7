/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model: a mediated device as upstream sees it (UUID, parent, type, start mode, ordered
 * attributes, whether it runs), a supported type of a parent, and the text forms `list` and
 * `types` print. No I/O here: sysfs.h fills the live side, store.h the stored one, json-io.h
 * maps both to JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct mdev_attr {
	char *name;
	char *value;
};

struct mdev {
	char uuid[UUID_STR_LEN]; /* lower-case hyphenated */
	char *parent;		 /* NULL until known */
	char *type;		 /* NULL until known */
	bool autostart;
	bool active;  /* running with this parent and type (set by sysfs_mark_active_list()) */
	bool defined; /* a definition exists for (parent, uuid) (set where it is looked up) */
	struct mdev_attr *attrs;
	size_t n_attrs;
};

/* A directory entry that should name a device (an entry of the mdev bus, a definition file):
 * true when the name is a UUID and matches filter (any UUID when NULL), with its canonical
 * form in ret. A name that is no UUID is warned about, as upstream does. */
bool mdev_entry_uuid(const char *name, const char *filter, char ret[UUID_STR_LEN]);

/* A new device with the given canonical UUID and nothing else known. */
struct mdev *mdev_new(const char *uuid);
struct mdev *mdev_free(struct mdev *dev); /* accepts NULL, returns NULL */
struct mdev *mdev_dup(const struct mdev *dev);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct mdev *, mdev_free)
#define _cleanup_mdev_ _cleanup_(mdev_freep)

void mdev_set_parent(struct mdev *dev, const char *parent);
void mdev_set_type(struct mdev *dev, const char *type);
void mdev_clear_attrs(struct mdev *dev);
void mdev_append_attr(struct mdev *dev, const char *name, const char *value);
/* Insert at index (0..n_attrs); -EINVAL with the error set ("Attribute index N is invalid"
 * and the listing hint) when out of range. */
int mdev_insert_attr(struct mdev *dev, uint32_t index, const char *name, const char *value);
/* Remove at index (0..n_attrs-1), or the last one when has_index is false (no-op when
 * empty). -EINVAL with the error set when out of range. */
int mdev_delete_attr(struct mdev *dev, bool has_index, uint32_t index);

/* "  Attrs:\n    @{0}: {"name":"value"}\n..." (names and values raw, as upstream prints them);
 * nothing when there are no attributes. */
void mdev_format_attrs(const struct mdev *dev, struct strbuf *out);

enum mdev_listing {
	MDEV_LISTING_ACTIVE,
	MDEV_LISTING_DEFINED
};
/* One `list` line: "<uuid> <parent> <type> <auto|manual>" with " (defined)" in an active
 * listing when dev->defined, " (active)" in a defined listing when dev->active; then the
 * attributes when verbose. */
void mdev_format_line(const struct mdev *dev, enum mdev_listing listing, bool verbose,
		      struct strbuf *out);

/* A list of devices, owned. */
struct mdev_list {
	struct mdev **v;
	size_t n;
	size_t cap;
};
void mdev_list_push(struct mdev_list *l, struct mdev *owned);
/* Parents byte-wise, then UUIDs: the order of every listing. */
void mdev_list_sort(struct mdev_list *l);
void mdev_list_free(struct mdev_list *l);

struct mdev_type {
	char *parent;
	char *id;	   /* directory name, e.g. "i915-GVTg_V5_4" */
	int32_t available; /* available_instances */
	char *device_api;
	char *name;	   /* "" when absent */
	char *description; /* "" when absent; newlines already turned into ", " */
};
void mdev_type_clear(struct mdev_type *t);

struct mdev_type_list {
	struct mdev_type *v;
	size_t n;
	size_t cap;
};
struct mdev_type *mdev_type_list_add(struct mdev_type_list *l);
void mdev_type_list_sort(struct mdev_type_list *l); /* parent, then type id */
void mdev_type_list_free(struct mdev_type_list *l);

/* The `types` text block of one type ("  <id>\n    Available instances: N\n..."). */
void mdev_type_format(const struct mdev_type *t, struct strbuf *out);
