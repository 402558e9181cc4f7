// SPDX-License-Identifier: LGPL-2.1-or-later
/* The device model and its text forms; see mdev.h. */
#define LOG_MODULE LOG_MDEV

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "mdev.h"

bool mdev_entry_uuid(const char *name, const char *filter, char ret[UUID_STR_LEN])
{
	if (uuid_canonical(name, ret, NULL) < 0) {
		/* Only the scans call this: upstream's environment module warns. */
		log_full(LOG_WARN, LOG_ENVIRONMENT, "Can't determine uuid for file '%s'", name);
		return false;
	}
	return !filter || streq(filter, ret);
}

struct mdev *mdev_new(const char *uuid)
{
	struct mdev *d = xcalloc(1, sizeof(*d));
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	return d;
}

void mdev_clear_attrs(struct mdev *dev)
{
	for (size_t i = 0; i < dev->n_attrs; i++) {
		free(dev->attrs[i].name);
		free(dev->attrs[i].value);
	}
	free(dev->attrs);
	dev->attrs = NULL;
	dev->n_attrs = 0;
}

struct mdev *mdev_free(struct mdev *dev)
{
	if (!dev)
		return NULL;
	mdev_clear_attrs(dev);
	free(dev->parent);
	free(dev->type);
	free(dev);
	return NULL;
}

struct mdev *mdev_dup(const struct mdev *dev)
{
	struct mdev *d = mdev_new(dev->uuid);
	mdev_set_parent(d, dev->parent);
	mdev_set_type(d, dev->type);
	d->autostart = dev->autostart;
	d->active = dev->active;
	d->defined = dev->defined;
	for (size_t i = 0; i < dev->n_attrs; i++)
		mdev_append_attr(d, dev->attrs[i].name, dev->attrs[i].value);
	return d;
}

void mdev_set_parent(struct mdev *dev, const char *parent)
{
	free(dev->parent);
	dev->parent = parent ? xstrdup(parent) : NULL;
}

void mdev_set_type(struct mdev *dev, const char *type)
{
	free(dev->type);
	dev->type = type ? xstrdup(type) : NULL;
}

static void insert_at(struct mdev *dev, size_t i, const char *name, const char *value)
{
	dev->attrs = xrealloc(dev->attrs, (dev->n_attrs + 1) * sizeof(*dev->attrs));
	memmove(dev->attrs + i + 1, dev->attrs + i, (dev->n_attrs - i) * sizeof(*dev->attrs));
	dev->attrs[i] = (struct mdev_attr){ xstrdup(name), xstrdup(value) };
	dev->n_attrs++;
}

void mdev_append_attr(struct mdev *dev, const char *name, const char *value)
{
	insert_at(dev, dev->n_attrs, name, value);
}

static int invalid_index(const struct mdev *dev, uint32_t index)
{
	struct strbuf hint = { 0 };
	if (dev->n_attrs == 0)
		sb_printf(&hint, "Device %s has no attributes", dev->uuid);
	else
		mdev_format_attrs(dev, &hint);
	_cleanup_free_ char *h = sb_steal(&hint);
	return err_set(-EINVAL, "Attribute index %u is invalid\n%s", index, h);
}

int mdev_insert_attr(struct mdev *dev, uint32_t index, const char *name, const char *value)
{
	if (index > dev->n_attrs)
		return invalid_index(dev, index);
	insert_at(dev, index, name, value);
	return 0;
}

int mdev_delete_attr(struct mdev *dev, bool has_index, uint32_t index)
{
	if (!has_index) {
		if (dev->n_attrs == 0)
			return 0;
		index = (uint32_t)(dev->n_attrs - 1);
	} else if (index >= dev->n_attrs)
		return invalid_index(dev, index);
	free(dev->attrs[index].name);
	free(dev->attrs[index].value);
	memmove(dev->attrs + index, dev->attrs + index + 1,
		(dev->n_attrs - index - 1) * sizeof(*dev->attrs));
	dev->n_attrs--;
	return 0;
}

void mdev_format_attrs(const struct mdev *dev, struct strbuf *out)
{
	if (dev->n_attrs == 0)
		return;
	sb_puts(out, "  Attrs:\n");
	for (size_t i = 0; i < dev->n_attrs; i++)
		sb_printf(out, "    @{%zu}: {\"%s\":\"%s\"}\n", i, dev->attrs[i].name,
			  dev->attrs[i].value);
}

void mdev_format_line(const struct mdev *dev, enum mdev_listing listing, bool verbose,
		      struct strbuf *out)
{
	/* Appends rather than a format: this runs once per device of every listing. */
	sb_puts(out, dev->uuid);
	sb_putc(out, ' ');
	sb_puts(out, dev->parent ? dev->parent : "");
	sb_putc(out, ' ');
	sb_puts(out, dev->type ? dev->type : "");
	sb_puts(out, dev->autostart ? " auto" : " manual");
	if (listing == MDEV_LISTING_ACTIVE && dev->defined)
		sb_puts(out, " (defined)");
	else if (listing == MDEV_LISTING_DEFINED && dev->active)
		sb_puts(out, " (active)");
	sb_putc(out, '\n');
	if (verbose)
		mdev_format_attrs(dev, out);
}

void mdev_list_push(struct mdev_list *l, struct mdev *owned)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = owned;
}

static int cmp_mdev(const void *a, const void *b)
{
	const struct mdev *x = *(struct mdev *const *)a, *y = *(struct mdev *const *)b;
	int r = strcmp(x->parent ? x->parent : "", y->parent ? y->parent : "");
	return r ? r : strcmp(x->uuid, y->uuid);
}

struct ranked {
	size_t rank;	 /* of the parent among the list's parents */
	uint64_t prefix; /* the UUID's first 8 bytes, big-endian: their strcmp() order */
	struct mdev *dev;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return strcmp(x->dev->uuid, y->dev->uuid);
}

static uint64_t uuid_prefix(const char *u)
{
	uint64_t k = 0;
	size_t i = 0;
	for (; i < 8 && u[i]; i++)
		k = k << 8 | (unsigned char)u[i];
	return k << (8 * (8 - i));
}

static int cmp_parent_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void mdev_list_sort(struct mdev_list *l)
{
	/* Lists often arrive sorted already (store_lookup_running sorts them): check first. */
	size_t i = 1;
	while (i < l->n && cmp_mdev(&l->v[i - 1], &l->v[i]) <= 0)
		i++;
	if (i >= l->n)
		return;
	/* A listing has thousands of devices on a few parents: rank the parents once, and the
	 * devices compare by rank and UUID, not by two strings. */
	struct str_index ix = { 0 };
	const char **parents = xmalloc(l->n * sizeof(*parents));
	size_t *rank = xmalloc(l->n * sizeof(*rank)), n = 0, k;
	struct ranked *r = xmalloc(l->n * sizeof(*r));
	str_index_init(&ix, 16);
	for (i = 0; i < l->n; i++) {
		const char *p = l->v[i]->parent ? l->v[i]->parent : "";
		if (str_index_add(&ix, p, n, &k))
			parents[k = n++] = p;
		r[i] = (struct ranked){ .rank = k,
					.prefix = uuid_prefix(l->v[i]->uuid),
					.dev = l->v[i] };
	}
	str_index_free(&ix);
	/* parents[] sorted, then each first-seen number mapped to its place. */
	const char **sorted = xmalloc(n * sizeof(*sorted));
	memcpy(sorted, parents, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_parent_name);
	str_index_init(&ix, n);
	for (k = 0; k < n; k++)
		str_index_add(&ix, sorted[k], k, NULL);
	for (k = 0; k < n; k++)
		str_index_get(&ix, parents[k], &rank[k]);
	for (i = 0; i < l->n; i++)
		r[i].rank = rank[r[i].rank];
	qsort(r, l->n, sizeof(*r), cmp_ranked);
	for (i = 0; i < l->n; i++)
		l->v[i] = r[i].dev;
	str_index_free(&ix);
	free(sorted);
	free(parents);
	free(rank);
	free(r);
}

void mdev_list_free(struct mdev_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mdev_free(l->v[i]);
	free(l->v);
	*l = (struct mdev_list){ 0 };
}

void mdev_type_clear(struct mdev_type *t)
{
	free(t->parent);
	free(t->id);
	free(t->device_api);
	free(t->name);
	free(t->description);
	*t = (struct mdev_type){ 0 };
}

struct mdev_type *mdev_type_list_add(struct mdev_type_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct mdev_type){ 0 };
	return &l->v[l->n++];
}

static int cmp_type(const void *a, const void *b)
{
	const struct mdev_type *x = a, *y = b;
	int r = strcmp(x->parent, y->parent);
	return r ? r : strcmp(x->id, y->id);
}

void mdev_type_list_sort(struct mdev_type_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_type);
}

void mdev_type_list_free(struct mdev_type_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mdev_type_clear(&l->v[i]);
	free(l->v);
	*l = (struct mdev_type_list){ 0 };
}

void mdev_type_format(const struct mdev_type *t, struct strbuf *out)
{
	sb_printf(out, "  %s\n    Available instances: %d\n    Device API: %s\n", t->id,
		  t->available, t->device_api);
	if (t->name && *t->name)
		sb_printf(out, "    Name: %s\n", t->name);
	if (t->description && *t->description)
		sb_printf(out, "    Description: %s\n", t->description);
}
