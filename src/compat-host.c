// SPDX-License-Identifier: LGPL-2.1-or-later
/* The live host's side of migration compatibility: what each supported type is (its facts, in
 * the layers of COMPAT.md section 4), the inventory of the host, and the record of one device.
 * Everything is assembled as JSON and handed to the strict parsers of compat-record.c before it
 * leaves this file: a broken vendor rule or migration_info file is warned about and skipped
 * where it is read, and what remains is checked like any other host's document. */
#define LOG_MODULE LOG_COMPAT

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "callout.h"
#include "compat-host.h"
#include "compat-rules.h"
#include "compat-version.h"
#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "mdev.h"
#include "path.h"
#include "store.h"
#include "sysfs.h"

/* The UUID a type-level `-e get -a compat` question carries: there is no device yet. */
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

char *compat_host_name(void)
{
	char buf[256];
	if (gethostname(buf, sizeof(buf) - 1) < 0 || buf[0] == '\0')
		return xstrdup("localhost");
	buf[sizeof(buf) - 1] = '\0';
	return xstrdup(buf);
}

/* A description as facts state it: without its trailing newlines (inner whitespace and leading
 * blanks stay: it is free text); NULL when longer than free text may be. */
static char *description_text(const char *raw)
{
	size_t len = strlen(raw);
	if (len > COMPAT_TEXT_MAX)
		return NULL;
	while (len > 0 && raw[len - 1] == '\n')
		len--;
	return xstrndup(raw, len);
}

/* What the types of one inventory share, read once rather than per type: a host may have
 * hundreds of parents with a dozen types each, all of one driver. */
struct host_cache {
	char *parent; /* the parent whose driver and PCI ids are below */
	bool has_driver;
	char *driver, *module;
	json_t *pci;	      /* {"vendor", ...} of a PCI parent, NULL for others */
	struct strv modules;  /* names whose version was read */
	struct strv versions; /* versions[i] of modules[i], "" when there is none */
	/* Facts found valid (compact jansson text): the types of a host share most of theirs,
	 * and checking a type's facts (written out and parsed as a one-type inventory) costs ten
	 * times what writing them costs. */
	struct strv valid;
	struct str_index valid_ix;
	/* The facts after the rule files' layer, by the sysfs facts before it (compact text,
	 * without available_instances, which no layer sets): hundreds of parents have the same
	 * type, and layering the rules' descriptor means copying it and checking the result. */
	struct strv ruled_keys;
	json_t **ruled;
	size_t n_ruled;
	struct str_index ruled_ix;
};

static void host_cache_clear(struct host_cache *c)
{
	free(c->parent);
	free(c->driver);
	free(c->module);
	json_decref(c->pci);
	strv_free(&c->modules);
	strv_free(&c->versions);
	str_index_free(&c->valid_ix);
	strv_free(&c->valid);
	for (size_t i = 0; i < c->n_ruled; i++)
		json_decref(c->ruled[i]);
	free(c->ruled);
	strv_free(&c->ruled_keys);
	str_index_free(&c->ruled_ix);
	*c = (struct host_cache){ 0 };
}

static const char *module_version(struct host_cache *c, const char *module)
{
	for (size_t i = 0; i < c->modules.n; i++)
		if (streq(c->modules.v[i], module))
			return c->versions.v[i];
	_cleanup_free_ char *vpath = env_path("/sys/module/%s/version", module);
	char *version = NULL;
	if (!name_is_safe(module) || path_read_attr(vpath, &version) < 0) {
		err_clear();
		version = xstrdup("");
	}
	strv_push(&c->modules, xstrdup(module));
	strv_push(&c->versions, version);
	return version;
}

/* A PCI id as sysfs prints it ("0x8086"): "0x" and 1 to 4 hex digits. */
static bool pci_id_text(const char *s)
{
	size_t n = strlen(s);
	return n >= 3 && n <= 6 && startswith(s, "0x") &&
	       strspn(s + 2, "0123456789abcdefABCDEF") == n - 2;
}

/* The PCI ids of a parent on the PCI bus (its `subsystem` link is bus/pci), from its vendor,
 * device, subsystem_vendor and subsystem_device files: so that a rule file need not name one
 * GPU model's ids to have a record constrain them. NULL for other parents (mtty, vfio_ap's
 * matrix, a ccw subchannel) and when none of them can be read. */
static json_t *pci_facts(const char *parent)
{
	_cleanup_free_ char *bus = NULL, *dir = NULL;
	json_t *o = NULL;

	if (sysfs_parent_link(parent, "subsystem", &bus) < 0 || !streq(bus, "pci"))
		return NULL;
	dir = env_parent_path(parent);
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, compat_pci_field_names[f]);
		_cleanup_free_ char *id = NULL;
		if (path_read_attr(path, &id) < 0 || !pci_id_text(id)) {
			err_clear();
			continue;
		}
		if (!o)
			o = json_object();
		json_object_set_new(o, compat_pci_field_names[f], json_string(id));
	}
	return o;
}

/* The driver of a parent: the name of its `driver` link, and the module behind it (the
 * driver's `module` link) whose version sysfs shows. Parents without a driver (the kernel's
 * sample parents are virtual devices) fall back to the type id's prefix, which by convention
 * is the driver's name ("mtty-2", "i915-GVTg_V5_4", "nvidia-35"). */
static json_t *driver_facts(struct host_cache *c, const char *parent, const char *type_id)
{
	if (!c->parent || !streq(c->parent, parent)) {
		free(c->parent);
		free(c->driver);
		free(c->module);
		json_decref(c->pci);
		c->parent = xstrdup(parent);
		c->driver = c->module = NULL;
		c->has_driver = sysfs_parent_link(parent, "driver", &c->driver) == 0;
		if (c->has_driver && sysfs_parent_link(parent, "driver/module", &c->module) < 0)
			c->module = NULL;
		c->pci = pci_facts(parent);
	}
	_cleanup_free_ char *fallback = NULL;
	const char *name = c->driver;
	if (!c->has_driver) {
		const char *dash = strchr(type_id, '-');
		name = fallback =
			dash ? xstrndup(type_id, (size_t)(dash - type_id)) : xstrdup(type_id);
	}
	const char *version = module_version(c, c->module ? c->module : name);
	json_t *d = json_object();
	json_object_set_new(d, "name", json_string(name));
	if (version[0])
		json_object_set_new(d, "version", json_string(version));
	return d;
}

/* Layer facts over into (a type object of the inventory), keeping the result valid: each source
 * is valid on its own, but two can combine into something that is not (one gives an attr a
 * `range`, the next an `allowed` list). A layer that would make the type's facts invalid is
 * warned about and left out, so that one bad source never takes the whole host's inventory
 * down with it. The sysfs members (mdev_type, available_instances) are not facts a layer may
 * set, so they are set aside while the result is checked. */
/* compat_facts_validate() of facts, remembered when they pass: the outcome depends on the
 * facts alone, which their compact text (the checker's own) spells out entirely. */
static int validate(struct host_cache *c, const json_t *facts, const char *where)
{
	char *text = json_dumps(facts, JSON_COMPACT);
	if (text && str_index_get(&c->valid_ix, text, NULL)) {
		free(text);
		return 0;
	}
	int r = compat_facts_validate(facts, where);
	if (r == 0 && text) {
		strv_push(&c->valid, text);
		str_index_add(&c->valid_ix, text, 0, NULL);
	} else
		free(text);
	return r;
}

/* Returns whether the layer was merged (false: warned about and left out). */
static bool merge_layer(struct host_cache *c, json_t *into, const json_t *facts, const char *where)
{
	bool merged_in = false;
	json_t *merged = json_deep_copy(into);
	compat_json_merge(merged, facts);
	/* What is checked: the merged facts without the sysfs members that no layer sets (a
	 * view sharing the members, not a copy). */
	json_t *check = json_object();
	const char *k;
	json_t *v;
	json_object_foreach (merged, k, v)
		if (!streq(k, "mdev_type") && !streq(k, "available_instances"))
			json_object_set(check, k, v);
	if (validate(c, check, where) < 0) {
		log_warn("Ignoring %s: together with the facts before it: %s", where, err_get(0));
		err_clear();
	} else {
		json_object_clear(into);
		json_object_update(into, merged);
		merged_in = true;
	}
	json_decref(check);
	json_decref(merged);
	return merged_in;
}

/* Merge facts from a source other than a rule file (already parsed into an object), after
 * checking them like a rule's descriptor; a bad source is warned about and skipped. */
static void merge_checked(struct host_cache *c, json_t *into, json_t *facts, const char *where)
{
	if (validate(c, facts, where) < 0) {
		log_warn("Ignoring %s: %s", where, err_get(0));
		err_clear();
		return;
	}
	merge_layer(c, into, facts, where);
}

/* The names of the sources are spelt out only when there is something to say about one: on a
 * host of thousands of types, most have neither a migration_info file nor a callout. */
static void merge_migration_info(struct host_cache *c, json_t *into, int tfd, const char *parent,
				 const char *type_id)
{
	_cleanup_free_ char *path = xasprintf("%s/migration_info", type_id);
	_cleanup_free_ char *where = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	json_t *facts = NULL;

	int r = path_read_file_at(tfd, path, COMPAT_INPUT_MAX, &text, &len);
	if (r == -ENOENT) {
		err_clear();
		return;
	}
	where = xasprintf("migration_info of %s/%s", parent, type_id);
	if (r == -EFBIG)
		err_set(r, "larger than %d bytes", COMPAT_INPUT_MAX);
	else if (r < 0)
		err_set(r, "%s", os_error_str(-r));
	if (r < 0 || json_io_parse(text, len, &facts) < 0 || !json_is_object(facts)) {
		if (!err_isset())
			err_set(-EINVAL, "not a JSON object");
		log_warn("Ignoring %s: %s", where, err_get(0));
		err_clear();
		json_decref(facts);
		return;
	}
	merge_checked(c, into, facts, where);
	json_decref(facts);
}

static void merge_callout(struct host_cache *c, json_t *into, const char *parent,
			  const char *type_id, struct mdev *dev)
{
	_cleanup_mdev_ struct mdev *nil = NULL;
	_cleanup_free_ char *where = NULL;
	json_t *facts = NULL;

	if (!dev) {
		nil = mdev_new(NIL_UUID);
		mdev_set_parent(nil, parent);
		mdev_set_type(nil, type_id);
		dev = nil;
	}
	int r = callout_get_compat(dev, &facts);
	if (r == 0)
		return;
	where = xasprintf("callout answer for %s/%s", parent, type_id);
	if (r < 0) {
		log_warn("Ignoring %s: %s", where, err_get(0));
		err_clear();
		return;
	}
	merge_checked(c, into, facts, where);
	json_decref(facts);
}

/* The rule files' facts of type_id layered over f, its sysfs facts. The result is shared with
 * the other types whose sysfs facts are the same (their members are the same objects): the
 * later layers never change a member in place (merge_layer() merges into a copy). */
static void rules_layer(const struct compat_rules *rules, struct host_cache *c, json_t *f,
			const char *type_id)
{
	json_t *base = json_object();
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach (f, k, v)
		if (!streq(k, "available_instances"))
			json_object_set(base, k, v);
	char *key = json_dumps(base, JSON_COMPACT);
	json_decref(base);
	if (key && str_index_get(&c->ruled_ix, key, &i)) {
		json_object_update(f, c->ruled[i]);
		free(key);
		return;
	}
	json_t *d = compat_rules_descriptor(rules, type_id);
	_cleanup_free_ char *where = d ? xasprintf("the rule files' facts of %s", type_id) : NULL;
	if ((!d || merge_layer(c, f, d, where)) && key) {
		/* Remembered only when it went in (or there was none): a refused layer is warned
		 * about for each type. */
		json_t *done = json_deep_copy(f);
		json_object_del(done, "available_instances");
		c->ruled = xrealloc(c->ruled, (c->n_ruled + 1) * sizeof(*c->ruled));
		c->ruled[c->n_ruled] = done;
		strv_push(&c->ruled_keys, key);
		str_index_add(&c->ruled_ix, key, c->n_ruled++, NULL);
		key = NULL;
	}
	json_decref(d);
	free(key);
}

/* The facts of type t of parent (read with SYSFS_TYPES_RAW_DESCRIPTION from tfd, the parent's
 * sysfs_types_dir()), all layers applied: an inventory type object. dev, when not NULL, is the
 * device the record is about (the callout then sees it rather than the type). */
static json_t *type_facts(const struct compat_rules *rules, struct host_cache *cache, int tfd,
			  const char *parent, const struct mdev_type *t, struct mdev *dev)
{
	json_t *f = json_object();
	_cleanup_free_ char *desc = description_text(t->description);

	json_object_set_new(f, "mdev_type", json_string(t->id));
	json_object_set_new(f, "device_api", json_string(t->device_api));
	json_object_set_new(f, "available_instances", json_integer(t->available));
	if (t->name && t->name[0])
		json_object_set_new(f, "name", json_string(t->name));
	if (desc && desc[0])
		json_object_set_new(f, "description", json_string(desc));
	json_object_set_new(f, "driver", driver_facts(cache, parent, t->id));
	if (cache->pci)
		json_object_set_new(f, "pci", json_deep_copy(cache->pci));

	rules_layer(rules, cache, f, t->id);
	merge_migration_info(cache, f, tfd, parent, t->id);
	merge_callout(cache, f, parent, t->id, dev);
	return f;
}

static json_t *attrs_json(const struct mdev *dev)
{
	json_t *a = json_array();
	for (size_t i = 0; i < dev->n_attrs; i++) {
		json_t *o = json_object();
		json_object_set_new(o, dev->attrs[i].name, json_string(dev->attrs[i].value));
		json_array_append_new(a, o);
	}
	return a;
}

/* A definition's parent is a directory's name, whose bytes need not be UTF-8: no JSON document
 * can carry it (jansson refuses the string), and one such name must not take the whole host's
 * inventory down. No kernel parent has such a name either. Such devices leave the list, which
 * keeps its order. */
static void drop_unwritable(struct mdev_list *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		json_t *p = json_string(l->v[i]->parent);
		if (p) {
			json_decref(p);
			l->v[n++] = l->v[i];
			continue;
		}
		log_warn(
			"Skipping device %s: the name of its parent directory is not UTF-8, which an inventory cannot hold",
			l->v[i]->uuid);
		mdev_free(l->v[i]);
	}
	l->n = n;
}

/* The running devices of uuids (one lookup each, not a listing of the host), with the warning
 * sysfs_list_active() gives a device it cannot read. */
static void running_of(const struct strv *uuids, struct mdev_list *out)
{
	for (size_t i = 0; i < uuids->n; i++) {
		_cleanup_free_ char *parent = NULL, *type = NULL;
		int r = sysfs_device_state(uuids->v[i], &parent, &type);
		if (r < 0)
			log_warn("Skipping device %s: %s", uuids->v[i], err_get(err_count() - 1));
		err_clear();
		if (r <= 0)
			continue;
		struct mdev *d = mdev_new(uuids->v[i]);
		d->parent = TAKE_PTR(parent);
		d->type = TAKE_PTR(type);
		d->active = true;
		mdev_list_push(out, d);
	}
}

/* The devices whose UUIDs this host has taken, one entry per UUID (an inventory lists a UUID
 * once): the running device when there is one, else the first definition in listing order.
 * mdevctl allows one UUID defined under several parents; the UUID is taken all the same. Only
 * the devices of only_uuids when not NULL. */
static int host_devices(const struct strv *only_uuids, struct mdev_list *out)
{
	struct mdev_list act = { 0 }, defs = { 0 };
	struct str_index def_ix = { 0 }, taken = { 0 };
	struct strv keys = { 0 };
	int r = 0;

	if (only_uuids)
		running_of(only_uuids, &act);
	else
		r = sysfs_list_active(NULL, NULL, &act);
	if (r >= 0)
		r = only_uuids ? store_scan_uuids(only_uuids, 0, &defs)
			       : store_scan(NULL, NULL, 0, &defs);
	if (r < 0)
		goto out;
	mdev_list_sort(&defs);
	/* The definitions by parent and UUID: the first in listing order for each (the others
	 * with the same key follow it). */
	str_index_init(&def_ix, defs.n);
	for (size_t j = 0; j < defs.n; j++) {
		strv_push(&keys, xasprintf("%s/%s", defs.v[j]->parent, defs.v[j]->uuid));
		str_index_add(&def_ix, keys.v[j], j, NULL);
	}
	str_index_init(&taken, act.n + defs.n);
	for (size_t i = 0; i < act.n; i++) {
		struct mdev *a = act.v[i];
		_cleanup_free_ char *key = xasprintf("%s/%s", a->parent, a->uuid);
		size_t j;
		bool found = str_index_get(&def_ix, key, &j);
		while (found && !defs.v[j] && j + 1 < defs.n && streq(keys.v[j + 1], key))
			j++;
		if (found && defs.v[j]) {
			/* The definition's attrs describe the running device. */
			struct mdev *d = TAKE_PTR(defs.v[j]);
			d->active = true;
			mdev_set_type(d, a->type);
			mdev_list_push(out, d);
		} else
			mdev_list_push(out, TAKE_PTR(act.v[i]));
		str_index_add(&taken, out->v[out->n - 1]->uuid, 0, NULL);
	}
	for (size_t j = 0; j < defs.n; j++) {
		struct mdev *d = defs.v[j];
		if (d && str_index_add(&taken, d->uuid, 0, NULL)) {
			mdev_list_push(out, d);
			defs.v[j] = NULL;
		}
	}
	mdev_list_sort(out);
out:
	str_index_free(&def_ix);
	strv_free(&keys);
	str_index_free(&taken);
	mdev_list_free(&act);
	mdev_list_free(&defs);
	return r;
}

static void observe_attr(struct compat_inv_device *d, const char *dir, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	char *value = NULL;

	for (size_t i = 0; i < d->n_attrs; i++)
		if (streq(d->attrs[i].name, name))
			return;
	if (!name_is_safe(name))
		return;
	int r = path_read_attr(path, &value);
	err_clear();
	if (r < 0 && r != -EACCES && r != -EPERM && r != -EINVAL)
		return; /* no such attribute */
	d->attrs = xrealloc(d->attrs, (d->n_attrs + 1) * sizeof(*d->attrs));
	d->attrs[d->n_attrs++] =
		(struct compat_attr){ .name = xstrdup(name), .value = { .text = value } };
}

/* d, running without a definition: the current values of the attributes a check could
 * write, names (the record's) and those of its type's params. */
static void observe_attrs(const struct compat_inventory *inv, struct compat_inv_device *d,
			  const struct strv *names)
{
	_cleanup_free_ char *dir = env_device_path(d->uuid);
	d->attrs_unknown = true;
	for (size_t i = 0; names && i < names->n; i++)
		observe_attr(d, dir, names->v[i]);
	for (size_t i = 0; i < inv->n_parents; i++) {
		const struct compat_inv_parent *p = &inv->parents[i];
		for (size_t k = 0; streq(p->parent, d->parent) && k < p->n_types; k++) {
			const struct compat_inv_type *t = &p->types[k];
			for (size_t j = 0; streq(t->mdev_type, d->mdev_type) && j < t->n_params;
			     j++)
				if (t->params[j].attr)
					observe_attr(d, dir, t->params[j].attr);
		}
	}
}

int compat_host_inventory(const struct compat_host_need *need, json_t **ret_json,
			  struct compat_inventory **ret_inv)
{
	const struct strv *only_types = need ? need->types : NULL;
	_cleanup_(strv_free) struct strv parents = { 0 };
	struct compat_rules *rules = NULL;
	struct mdev_list devs = { 0 };
	struct host_cache cache = { 0 };
	_cleanup_free_ char *host = compat_host_name();
	json_t *doc = NULL;
	int r;

	r = compat_rules_load(&rules);
	if (r < 0)
		return r;
	r = sysfs_list_parents(&parents);
	if (r < 0)
		goto out;
	doc = json_object();
	json_object_set_new(doc, "schema", json_string(COMPAT_INVENTORY_SCHEMA));
	json_object_set_new(doc, "host", json_string(host));
	json_t *jparents = json_array();
	json_object_set_new(doc, "parents", jparents);
	for (size_t i = 0; i < parents.n; i++) {
		struct mdev_type_list types = { 0 };
		_cleanup_close_ int tfd = sysfs_types_dir(parents.v[i]);
		/* A check never shows the inventory it matches against, nor looks at a type's
		 * name and description. */
		unsigned flags =
			SYSFS_TYPES_RAW_DESCRIPTION | (only_types ? SYSFS_TYPES_NO_TEXT : 0);
		r = tfd < 0 ? tfd : sysfs_types_at(tfd, parents.v[i], only_types, flags, &types);
		if (r < 0) {
			/* One broken parent must not hide the others from a scheduler. */
			_cleanup_free_ char *why = err_text();
			log_warn("Skipping parent %s: %s", parents.v[i], why);
			err_clear();
			mdev_type_list_free(&types);
			continue;
		}
		mdev_type_list_sort(&types);
		json_t *jp = json_object(), *jt = json_array();
		json_object_set_new(jp, "parent", json_string(parents.v[i]));
		json_object_set_new(jp, "types", jt);
		for (size_t k = 0; k < types.n; k++)
			json_array_append_new(jt, type_facts(rules, &cache, tfd, parents.v[i],
							     &types.v[k], NULL));
		json_array_append_new(jparents, jp);
		mdev_type_list_free(&types);
	}

	r = host_devices(need ? need->uuids : NULL, &devs);
	if (r < 0)
		goto out;
	json_t *jdevs = json_array();
	json_object_set_new(doc, "devices", jdevs);
	drop_unwritable(&devs);
	for (size_t i = 0; i < devs.n; i++) {
		const struct mdev *d = devs.v[i];
		json_t *o = json_object();
		json_object_set_new(o, "uuid", json_string(d->uuid));
		json_object_set_new(o, "parent", json_string(d->parent));
		json_object_set_new(o, "mdev_type", json_string(d->type));
		json_object_set_new(o, "attrs", attrs_json(d));
		json_object_set_new(o, "state", json_string(d->active ? "in_use" : "defined"));
		json_array_append_new(jdevs, o);
	}

	struct compat_inventory *inv = NULL;
	r = compat_inventory_parse_host(doc, &inv);
	if (r < 0) {
		err_wrap(r, "This host's facts do not make a valid inventory");
		goto out;
	}
	if (ret_json)
		*ret_json = compat_inventory_to_json(inv);
	/* The devices are in the order written. A running one without a definition: what its
	 * attributes read (not part of the JSON, which states what was written). */
	for (size_t i = 0; need && i < inv->n_devices && i < devs.n; i++)
		if (streq(inv->devices[i].uuid, devs.v[i]->uuid) && devs.v[i]->active &&
		    !devs.v[i]->defined)
			observe_attrs(inv, &inv->devices[i], need->attr_names);
	if (ret_inv)
		*ret_inv = inv;
	else
		compat_inventory_free(inv);
	r = 0;
out:
	json_decref(doc);
	mdev_list_free(&devs);
	host_cache_clear(&cache);
	compat_rules_free(rules);
	return r;
}

/* ---- the record of one device ---- */

static int find_device(const char *uuid, const char *parent, struct mdev **ret)
{
	struct mdev_list l = { 0 };
	_cleanup_free_ char *apar = NULL, *atype = NULL;
	int r = store_scan(uuid, parent, 0, &l);
	if (r < 0)
		goto out;
	int active = sysfs_device_state(uuid, &apar, &atype);
	if (active < 0) {
		r = active;
		goto out;
	}
	if (active > 0 && parent && !streq(apar, parent))
		active = 0;
	if (l.n > 1 && active > 0) {
		/* Several definitions; the running one is the device meant. */
		for (size_t i = 0; i < l.n; i++)
			if (streq(l.v[i]->parent, apar)) {
				*ret = l.v[i];
				l.v[i] = NULL;
				(*ret)->active = true;
				goto found;
			}
	}
	if (l.n > 1) {
		r = err_set(-ENOTUNIQ, "Multiple definitions found for %s, specify a parent", uuid);
		goto out;
	}
	if (l.n == 1) {
		*ret = l.v[0];
		l.v[0] = NULL;
		(*ret)->active = active > 0 && streq(apar, (*ret)->parent);
		if ((*ret)->active && !streq(atype, (*ret)->type))
			log_warn("Device %s runs as type %s but is defined as %s; describing the "
				 "running device",
				 uuid, atype, (*ret)->type);
		if ((*ret)->active)
			mdev_set_type(*ret, atype);
		goto found;
	}
	if (active > 0) {
		struct mdev *d = mdev_new(uuid);
		mdev_set_parent(d, apar);
		mdev_set_type(d, atype);
		d->active = true;
		/* Only running: the scripts know its attributes, as `define` asks them. */
		r = callout_get_attributes(d);
		if (r < 0) {
			mdev_free(d);
			goto out;
		}
		*ret = d;
		goto found;
	}
	r = parent ? err_set(-ENOENT, "Mediated device %s/%s is neither active nor defined",
			     parent, uuid)
		   : err_set(-ENOENT, "Mediated device %s is neither active nor defined", uuid);
	goto out;
found:
	r = 0;
out:
	mdev_list_free(&l);
	return r;
}

/* The value an attribute has for the device: the last write its definition makes, else what
 * the running device's attribute file says. NULL when neither knows. */
static char *device_attr_value(const struct mdev *dev, const char *attr)
{
	for (size_t i = dev->n_attrs; i-- > 0;)
		if (streq(dev->attrs[i].name, attr))
			return xstrdup(dev->attrs[i].value);
	if (!dev->active || !name_is_safe(attr))
		return NULL;
	_cleanup_free_ char *dp = env_device_path(dev->uuid);
	_cleanup_free_ char *path = xasprintf("%s/%s", dp, attr);
	char *v = NULL;
	if (path_read_attr(path, &v) < 0) {
		err_clear();
		return NULL;
	}
	return v;
}

/* The current value of each parameter the type defines, as the source states it: read through
 * the param's attribute, else its default. A parameter the source leaves out is taken as "off"
 * by the destination, so every one that has a value is stated. */
static json_t *param_values(const struct mdev *dev, json_t *defs)
{
	json_t *out = json_object();
	const char *name;
	json_t *def;

	json_object_foreach (defs, name, def) {
		const char *type = json_string_value(json_object_get(def, "type"));
		const char *attr = json_string_value(json_object_get(def, "attr"));
		_cleanup_free_ char *text = attr ? device_attr_value(dev, attr) : NULL;
		json_t *v = NULL;
		if (text && streq(type, "bool")) {
			bool b;
			if (kernel_strtobool(text, &b))
				v = json_boolean(b);
		} else if (text && streq(type, "int")) {
			char *end;
			errno = 0;
			long long i = strtoll(text, &end, 0);
			if (errno == 0 && end != text && *end == '\0')
				v = json_integer(i);
		} else if (text)
			v = json_string(text);
		if (text && !v)
			log_warn("Parameter %s: attribute %s holds '%s', not a %s; using its default",
				 name, attr, text, type);
		if (!v && json_object_get(def, "default"))
			v = json_deep_copy(json_object_get(def, "default"));
		if (v)
			json_object_set_new(out, name, v);
	}
	return out;
}

/* The scheme of a version when no layer names one (COMPAT.md section 4). One string cannot say
 * whether its driver follows SemVer: "550.54.14" reads as both, but the next release,
 * "550.127.05", is not SemVer (a leading zero), and a record in semver would then find every
 * updated destination unparseable. Dot-separated integers are therefore dotted, whose default
 * range is the same as semver's on them; semver only for a version that needs it (a pre-release
 * or build part), opaque for anything else. */
static const char *default_scheme(const char *version)
{
	static const enum compat_scheme order[] = { COMPAT_SCHEME_DOTTED, COMPAT_SCHEME_SEMVER };
	for (size_t i = 0; i < ELEMENTSOF(order); i++) {
		struct compat_version v;
		if (compat_version_parse(order[i], version, &v) == 0) {
			compat_version_clear(&v);
			return compat_scheme_to_string(order[i]);
		}
	}
	return compat_scheme_to_string(COMPAT_SCHEME_OPAQUE);
}

static void copy_member(json_t *to, const json_t *from, const char *name)
{
	json_t *v = json_object_get(from, name);
	if (v && !(json_is_object(v) && json_object_size(v) == 0) &&
	    !(json_is_array(v) && json_array_size(v) == 0))
		json_object_set(to, name, v);
}

/* self, from the type's facts and the device (without a UUID when it has none: a device of
 * the type that does not exist yet). Attributes that back a parameter are stated as the
 * parameter, not also as attributes: the destination would write them twice. */
static json_t *self_json(const struct mdev *dev, json_t *facts)
{
	json_t *self = json_object();
	json_t *params = json_object_get(facts, "params");
	json_t *driver = json_deep_copy(json_object_get(facts, "driver"));

	json_object_set_new(self, "kind", json_string("mdev"));
	copy_member(self, facts, "device_api");
	if (driver) {
		const char *ver = json_string_value(json_object_get(driver, "version"));
		if (ver && !json_object_get(driver, "version_scheme"))
			json_object_set_new(driver, "version_scheme",
					    json_string(default_scheme(ver)));
		json_object_set_new(self, "driver", driver);
	}
	json_object_set_new(self, "mdev_type", json_string(dev->type));
	if (dev->uuid[0])
		json_object_set_new(self, "uuid", json_string(dev->uuid));
	json_object_set_new(self, "parent", json_string(dev->parent));
	copy_member(self, facts, "pci");

	json_t *attrs = json_array();
	for (size_t i = 0; i < dev->n_attrs; i++) {
		bool is_param = false;
		const char *pname;
		json_t *def;
		json_object_foreach (params, pname, def) {
			const char *a = json_string_value(json_object_get(def, "attr"));
			if (a && streq(a, dev->attrs[i].name))
				is_param = true;
		}
		if (is_param)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, dev->attrs[i].name, json_string(dev->attrs[i].value));
		json_array_append_new(attrs, o);
	}
	if (json_array_size(attrs) > 0)
		json_object_set_new(self, "mdev_attrs", attrs);
	else
		json_decref(attrs);
	copy_member(self, facts, "features");
	if (params) {
		json_t *pv = param_values(dev, params);
		if (json_object_size(pv) > 0)
			json_object_set_new(self, "params", pv);
		else
			json_decref(pv);
	}
	copy_member(self, facts, "vendor_fields");
	copy_member(self, facts, "migration_flags");
	return self;
}

/* The type of dev as its parent offers it, read from tfd (the parent's sysfs_types_dir()). A
 * device whose parent or type is not there cannot be described: its device API, capacity and
 * the driver's version are unknown, and a record built without them would claim less than the
 * source is. */
static int device_type(const struct mdev *dev, int *tfd, struct mdev_type_list *types,
		       const struct mdev_type **ret)
{
	struct strv name = { 0 };
	int r;

	*tfd = sysfs_types_dir(dev->parent);
	if (*tfd < 0) {
		err_clear();
		goto missing;
	}
	strv_push(&name, xstrdup(dev->type));
	r = sysfs_types_at(*tfd, dev->parent, &name, SYSFS_TYPES_RAW_DESCRIPTION, types);
	strv_free(&name);
	if (r < 0)
		return r;
	if (types->n == 1) {
		*ret = &types->v[0];
		return 0;
	}
missing:
	return err_set(-ENOENT, "Type %s of parent %s is not present: its facts are unknown",
		       dev->type, dev->parent);
}

/* The record of dev: a device of this host, or one of a type with no UUID (no device, none
 * running: its parameters at their defaults, the callout asked about the type). */
static int record_of(const struct mdev *dev, json_t **ret)
{
	struct compat_rules *rules = NULL;
	struct mdev_type_list types = { 0 };
	const struct mdev_type *t = NULL;
	json_t *facts = NULL, *rec = NULL, *part = NULL;
	_cleanup_free_ char *host = compat_host_name();
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int tfd = -1;
	struct host_cache cache = { 0 };
	int r;

	r = device_type(dev, &tfd, &types, &t);
	if (r < 0)
		goto out;
	r = compat_rules_load(&rules);
	if (r < 0)
		goto out;
	facts = type_facts(rules, &cache, tfd, dev->parent, t,
			   dev->uuid[0] ? (struct mdev *)dev : NULL);

	rec = json_object();
	json_object_set_new(rec, "schema", json_string(COMPAT_RECORD_SCHEMA));
	json_t *gen = json_object();
	json_object_set_new(gen, "tool", json_string("mdevctl " PACKAGE_VERSION));
	json_object_set_new(gen, "host", json_string(host));
	json_object_set_new(rec, "generated", gen);
	json_object_set_new(rec, "self", self_json(dev, facts));
	part = compat_rules_record(rules, dev->type);
	if (part) {
		static const char *const members[] = { "self_is_candidate", "version_range",
						       "feature_match",	    "attr_defaults",
						       "requires",	    "compatible" };
		for (size_t i = 0; i < ELEMENTSOF(members); i++)
			if (json_object_get(part, members[i]))
				json_object_set(rec, members[i], json_object_get(part, members[i]));
	}

	text = json_io_compact(rec);
	struct compat_record *parsed = NULL;
	r = compat_record_parse(text, strlen(text), &parsed);
	if (r < 0) {
		err_wrap(r, "The facts of %s/%s do not make a valid record", dev->parent, dev->type);
		goto out;
	}
	compat_record_free(parsed);
	*ret = rec;
	rec = NULL;
	r = 0;
out:
	json_decref(rec);
	json_decref(part);
	json_decref(facts);
	mdev_type_list_free(&types);
	host_cache_clear(&cache);
	compat_rules_free(rules);
	return r;
}

int compat_host_record(const char *uuid, const char *parent, json_t **ret)
{
	_cleanup_mdev_ struct mdev *dev = NULL;
	int r = find_device(uuid, parent, &dev);
	if (r < 0)
		return r;
	return record_of(dev, ret);
}

int compat_host_type_record(const char *parent, const char *type, json_t **ret)
{
	int r = sysfs_parent_check(parent);
	if (r < 0)
		return r;
	_cleanup_mdev_ struct mdev *dev = mdev_new("");
	mdev_set_parent(dev, parent);
	mdev_set_type(dev, type);
	return record_of(dev, ret);
}
