// SPDX-License-Identifier: LGPL-2.1-or-later
/* Reading a host description (JSON, documented in tests/sim/README.md) into a sim_host. The
 * check is strict, unknown keys included, and the first problem is reported with the file and a
 * path into the document ("hosts/x.json: parents[2].types[0].cost: ..."): a typo in a fixture
 * should fail loudly at mount time, not show up as a puzzling test failure later. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-host.h"

/* Counts (instances, pool sizes, costs) are bounded so that sums cannot overflow. */
#define MAX_COUNT 1000000000u

struct ctx {
	const char *file;
	char *error; /* the first problem found */
};

/* Record a problem at where (a path like "parents[1].types[0]") and key (may be NULL). */
_printf_(4, 5) static int fail(struct ctx *c, const char *where, const char *key, const char *fmt,
			       ...)
{
	if (c->error)
		return -EINVAL;
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (key && *where)
		c->error = xasprintf("%s: %s.%s: %s", c->file, where, key, msg ? msg : "");
	else
		c->error = xasprintf("%s: %s: %s", c->file,
				     key      ? key
				     : *where ? where
					      : "top level",
				     msg ? msg : "");
	free(msg);
	return -EINVAL;
}

static int check_keys(struct ctx *c, const char *where, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach (o, k, v) {
		const char *const *x;
		for (x = keys; *x; x++)
			if (streq(*x, k))
				break;
		if (*x)
			continue;
		struct strbuf known = { 0 };
		for (x = keys; *x; x++)
			sb_printf(&known, "%s%s", x == keys ? "" : ", ", *x);
		fail(c, where, NULL, "unknown key \"%s\" (known keys: %s)", k, known.buf);
		sb_free(&known);
		return -EINVAL;
	}
	json_t *comment = json_object_get(o, "comment");
	if (comment && !json_is_string(comment))
		return fail(c, where, "comment", "must be a string");
	return 0;
}

/* A string member; *ret is NULL when it is absent and not required. */
static int get_string(struct ctx *c, const char *where, json_t *o, const char *key, bool required,
		      char **ret)
{
	json_t *v = json_object_get(o, key);
	*ret = NULL;
	if (!v)
		return required ? fail(c, where, key, "is missing") : 0;
	if (!json_is_string(v))
		return fail(c, where, key, "must be a string");
	*ret = xstrdup(json_string_value(v));
	return 0;
}

static int get_name(struct ctx *c, const char *where, json_t *o, const char *key, bool required,
		    char **ret)
{
	int r = get_string(c, where, o, key, required, ret);
	if (r == 0 && *ret && !sim_name_ok(*ret))
		return fail(
			c, where, key,
			"\"%s\" is not usable as a file name (empty, \".\", \"..\", '/' or a control character)",
			*ret);
	return r;
}

static int get_uint(struct ctx *c, const char *where, json_t *o, const char *key, unsigned min,
		    unsigned *ret, bool *ret_present)
{
	json_t *v = json_object_get(o, key);
	*ret_present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > MAX_COUNT)
		return fail(c, where, key, "must be an integer from %u to %u", min, MAX_COUNT);
	*ret = (unsigned)json_integer_value(v);
	return 0;
}

static bool has_newline(const char *s)
{
	return strchr(s, '\n') != NULL;
}

/* First component of a path, compared with a list of names. */
static bool first_component_in(const char *path, const char *const *names)
{
	size_t n = strcspn(path, "/");
	for (; *names; names++)
		if (strlen(*names) == n && strncmp(*names, path, n) == 0)
			return true;
	return false;
}

/* b is a, or lies below a */
static bool path_within(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/* --- attributes ------------------------------------------------------------------------ */

static int parse_range(struct ctx *c, const char *where, json_t *v, struct sim_attr_spec *a)
{
	if (!json_is_array(v) || json_array_size(v) != 2 ||
	    !json_is_integer(json_array_get(v, 0)) || !json_is_integer(json_array_get(v, 1)))
		return fail(c, where, "range", "must be [MIN, MAX], two integers");
	a->kind = SIM_ATTR_RANGE;
	a->min = json_integer_value(json_array_get(v, 0));
	a->max = json_integer_value(json_array_get(v, 1));
	if (a->min > a->max)
		return fail(c, where, "range", "MIN %lld is greater than MAX %lld", a->min, a->max);
	return 0;
}

static int parse_allowed(struct ctx *c, const char *where, json_t *v, struct sim_attr_spec *a)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(c, where, "allowed", "must be a non-empty array of strings");
	a->kind = SIM_ATTR_ALLOWED;
	a->allowed = xcalloc(json_array_size(v), sizeof(*a->allowed));
	json_array_foreach (v, i, e) {
		if (!json_is_string(e) || has_newline(json_string_value(e)))
			return fail(c, where, "allowed",
				    "element %zu must be a string without a newline", i);
		a->allowed[a->n_allowed++] = xstrdup(json_string_value(e));
	}
	return 0;
}

static const char *const reserved_attrs[] = { "remove",	     "mdev_type", "uevent", "subsystem",
					      "iommu_group", "driver",	  NULL };

static int parse_attr(struct ctx *c, const char *twhere, const char *name, json_t *o,
		      struct sim_attr_spec *a)
{
	static const char *const keys[] = {
		"default", "range", "allowed", "access", "comment", NULL
	};
	_cleanup_free_ char *where = xasprintf("%s.attributes.%s", twhere, name);
	_cleanup_free_ char *access = NULL, *def = NULL;
	json_t *v;
	int r;

	a->name = xstrdup(name);
	a->readable = a->writable = true;
	if (!sim_relpath_ok(name) || strpbrk(name, " \t"))
		return fail(c, where, NULL, "not usable as a path in a device directory");
	if (first_component_in(name, reserved_attrs))
		return fail(c, where, NULL, "the mdev core already has a file of that name");
	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if ((r = check_keys(c, where, o, keys)) < 0)
		return r;

	v = json_object_get(o, "range");
	if (v && (r = parse_range(c, where, v, a)) < 0)
		return r;
	if ((v = json_object_get(o, "allowed"))) {
		if (a->kind != SIM_ATTR_TEXT)
			return fail(c, where, NULL, "\"range\" and \"allowed\" exclude each other");
		if ((r = parse_allowed(c, where, v, a)) < 0)
			return r;
	}

	if ((r = get_string(c, where, o, "access", false, &access)) < 0)
		return r;
	if (access) {
		if (!streq(access, "rw") && !streq(access, "ro") && !streq(access, "wo"))
			return fail(c, where, "access", "must be \"rw\", \"ro\" or \"wo\"");
		a->readable = access[0] == 'r';
		a->writable = access[1] == 'w';
	}

	v = json_object_get(o, "default");
	if (v && json_is_integer(v))
		def = xasprintf("%lld", (long long)json_integer_value(v));
	else if (v && json_is_string(v))
		def = xstrdup(json_string_value(v));
	else if (v)
		return fail(c, where, "default", "must be a string or an integer");
	else if (a->kind == SIM_ATTR_RANGE)
		def = xasprintf("%lld", a->min);
	else if (a->kind == SIM_ATTR_ALLOWED)
		def = xstrdup(a->allowed[0]);
	else
		def = xstrdup("");
	if (sim_attr_check(a, def, &a->def) < 0)
		return fail(c, where, "default", "\"%s\" is not an allowed value", def);
	return 0;
}

static int parse_attrs(struct ctx *c, const char *where, json_t *o, struct sim_type *t)
{
	const char *name;
	json_t *v;
	int r;

	if (!json_is_object(o))
		return fail(c, where, "attributes", "must be an object");
	t->attrs = xcalloc(json_object_size(o), sizeof(*t->attrs));
	json_object_foreach (o, name, v) {
		struct sim_attr_spec *a = &t->attrs[t->n_attrs++];
		if ((r = parse_attr(c, where, name, v, a)) < 0)
			return r;
		for (size_t i = 0; i + 1 < t->n_attrs; i++)
			if (path_within(t->attrs[i].name, name) ||
			    path_within(name, t->attrs[i].name))
				return fail(c, where, "attributes",
					    "\"%s\" and \"%s\" cannot both be files",
					    t->attrs[i].name, name);
	}
	return 0;
}

/* --- types ----------------------------------------------------------------------------- */

static int parse_type(struct ctx *c, const char *pwhere, size_t idx, json_t *o,
		      struct sim_parent *p)
{
	static const char *const keys[] = { "id",	  "name",	"description",
					    "device_api", "instances",	"pool",
					    "cost",	  "attributes", "migration_info",
					    "comment",	  NULL };
	struct sim_type *t = &p->types[idx];
	_cleanup_free_ char *where = xasprintf("%s.types[%zu]", pwhere, idx);
	_cleanup_free_ char *pool = NULL;
	bool has_instances, has_cost;
	json_t *v;
	int r;

	t->parent = p;
	t->cost = 1;
	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if ((r = check_keys(c, where, o, keys)) < 0 ||
	    (r = get_name(c, where, o, "id", true, &t->id)) < 0 ||
	    (r = get_string(c, where, o, "name", false, &t->name)) < 0 ||
	    (r = get_string(c, where, o, "description", false, &t->description)) < 0 ||
	    (r = get_string(c, where, o, "device_api", true, &t->device_api)) < 0 ||
	    (r = get_uint(c, where, o, "instances", 0, &t->instances, &has_instances)) < 0 ||
	    (r = get_string(c, where, o, "pool", false, &pool)) < 0 ||
	    (r = get_uint(c, where, o, "cost", 1, &t->cost, &has_cost)) < 0)
		return r;
	for (size_t i = 0; i < idx; i++)
		if (streq(p->types[i].id, t->id))
			return fail(c, where, "id", "\"%s\" is also the id of types[%zu]", t->id,
				    i);
	if (!*t->device_api || has_newline(t->device_api))
		return fail(c, where, "device_api", "must be one non-empty line");
	if (!has_instances && !pool)
		return fail(c, where, NULL, "needs \"instances\" or a \"pool\"");
	if (has_instances && pool)
		return fail(c, where, NULL, "has both \"instances\" and a \"pool\": choose one");
	if (has_cost && !pool)
		return fail(c, where, "cost", "only means something with a \"pool\"");
	if (pool) {
		for (size_t i = 0; i < p->n_pools; i++)
			if (streq(p->pools[i].name, pool))
				t->pool = &p->pools[i];
		if (!t->pool)
			return fail(c, where, "pool", "the parent has no pool \"%s\"", pool);
	}
	if ((v = json_object_get(o, "attributes")) && (r = parse_attrs(c, where, v, t)) < 0)
		return r;
	if ((v = json_object_get(o, "migration_info"))) {
		if (json_is_string(v))
			t->migration_info = xstrdup(json_string_value(v));
		else
			t->migration_info =
				json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		if (!t->migration_info)
			return fail(c, where, "migration_info", "cannot be serialised");
	}
	return 0;
}

/* --- parents --------------------------------------------------------------------------- */

/* DDDD:BB:DD.F */
static bool is_pci_address(const char *s)
{
	static const char pattern[] = "xxxx:xx:xx.d";
	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++) {
		if (pattern[i] == 'x' && !isxdigit((unsigned char)s[i]))
			return false;
		if (pattern[i] == 'd' && (s[i] < '0' || s[i] > '7'))
			return false;
		if ((pattern[i] == ':' || pattern[i] == '.') && s[i] != pattern[i])
			return false;
	}
	return true;
}

static int parse_driver(struct ctx *c, const char *pwhere, json_t *o, struct sim_parent *p)
{
	static const char *const keys[] = { "name", "bus", "version", "comment", NULL };
	_cleanup_free_ char *where = xasprintf("%s.driver", pwhere);
	int r;

	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if ((r = check_keys(c, where, o, keys)) < 0 ||
	    (r = get_name(c, where, o, "name", true, &p->driver)) < 0 ||
	    (r = get_name(c, where, o, "bus", false, &p->driver_bus)) < 0 ||
	    (r = get_string(c, where, o, "version", false, &p->driver_version)) < 0)
		return r;
	if (p->driver_version && (!*p->driver_version || has_newline(p->driver_version)))
		return fail(c, where, "version", "must be one non-empty line");
	if (!p->driver_bus)
		p->driver_bus = xstrdup(is_pci_address(p->name) ? "pci" : "platform");
	return 0;
}

/* "pci": {"vendor", "device", "subsystem_vendor", "subsystem_device"}, each "0x" and 1 to 4
 * hex digits; only for a parent on the PCI bus (its subsystem is bus/pci), as the kernel has
 * these files only there. */
static int parse_pci(struct ctx *c, const char *pwhere, json_t *o, struct sim_parent *p)
{
	static const char *const keys[] = { "vendor",		"device",  "subsystem_vendor",
					    "subsystem_device", "comment", NULL };
	_cleanup_free_ char *where = xasprintf("%s.pci", pwhere);
	int r;

	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if (!p->subsystem || strcmp(p->subsystem, "bus/pci") != 0)
		return fail(c, where, NULL,
			    "only a parent on the PCI bus (subsystem bus/pci) has PCI ids");
	if ((r = check_keys(c, where, o, keys)) < 0)
		return r;
	for (size_t i = 0; i < 4; i++) {
		const char *s = json_string_value(json_object_get(o, keys[i]));
		size_t n = s ? strlen(s) : 0;
		if (!s || n < 3 || n > 6 || s[0] != '0' || s[1] != 'x' ||
		    strspn(s + 2, "0123456789abcdefABCDEF") != n - 2)
			return fail(c, where, keys[i], "must be \"0x\" and 1 to 4 hex digits");
		p->pci_id[i] = (unsigned)strtoul(s + 2, NULL, 16);
	}
	p->has_pci = true;
	return 0;
}

static bool same_opt(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

static int parse_pools(struct ctx *c, const char *where, json_t *o, struct sim_parent *p)
{
	const char *name;
	json_t *v;

	if (!json_is_object(o))
		return fail(c, where, "pools", "must be an object of NAME: SIZE");
	p->pools = xcalloc(json_object_size(o), sizeof(*p->pools));
	json_object_foreach (o, name, v) {
		static const char *const members[] = { "size", "one_type", "comment", NULL };
		json_t *size = v, *one = NULL;
		if (!*name)
			return fail(c, where, "pools", "a pool needs a name");
		/* SIZE, or {"size": SIZE, "one_type": true} */
		if (json_is_object(v)) {
			_cleanup_free_ char *at = xasprintf("%s.pools.%s", where, name);
			int r = check_keys(c, at, v, members);
			if (r < 0)
				return r;
			size = json_object_get(v, "size");
			one = json_object_get(v, "one_type");
			if (one && !json_is_boolean(one))
				return fail(c, where, "pools",
					    "\"%s\": one_type must be true or false", name);
		}
		if (!size || !json_is_integer(size) || json_integer_value(size) < 0 ||
		    json_integer_value(size) > MAX_COUNT)
			return fail(c, where, "pools",
				    "the size of \"%s\" must be an integer from 0 to %u", name,
				    MAX_COUNT);
		p->pools[p->n_pools].name = xstrdup(name);
		p->pools[p->n_pools].one_type = json_is_true(one);
		p->pools[p->n_pools++].size = (unsigned)json_integer_value(size);
	}
	return 0;
}

static const char *const reserved_top[] = { "class", "bus", "module", "kernel", "mdev-sim", NULL };

static int parse_parent(struct ctx *c, struct sim_host *h, size_t idx, json_t *o)
{
	static const char *const keys[] = { "name",	   "path",    "subsystem", "driver",
					    "mdev_driver", "plugged", "pools",	   "types",
					    "pci",	   "comment", NULL };
	struct sim_parent *p = &h->parents[idx];
	_cleanup_free_ char *where = xasprintf("parents[%zu]", idx);
	json_t *v;
	size_t i;
	int r;

	p->host = h;
	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if ((r = check_keys(c, where, o, keys)) < 0 ||
	    (r = get_name(c, where, o, "name", true, &p->name)) < 0 ||
	    (r = get_string(c, where, o, "path", true, &p->path)) < 0 ||
	    (r = get_string(c, where, o, "subsystem", false, &p->subsystem)) < 0 ||
	    (r = get_name(c, where, o, "mdev_driver", false, &p->mdev_driver)) < 0)
		return r;
	if (!sim_relpath_ok(p->path))
		return fail(c, where, "path", "\"%s\" is not a relative path of file names",
			    p->path);
	if (first_component_in(p->path, reserved_top))
		return fail(c, where, "path",
			    "\"%s\" would clash with the simulator's own directories", p->path);
	if (p->subsystem &&
	    (!sim_relpath_ok(p->subsystem) ||
	     first_component_in(p->subsystem, (const char *const[]){ "mdev-sim", NULL })))
		return fail(c, where, "subsystem", "\"%s\" is not a relative path of file names",
			    p->subsystem);
	for (i = 0; i < idx; i++) {
		const struct sim_parent *q = &h->parents[i];
		if (streq(q->name, p->name))
			return fail(c, where, "name", "\"%s\" is also the name of parents[%zu]",
				    p->name, i);
		if (path_within(q->path, p->path) || path_within(p->path, q->path))
			return fail(c, where, "path", "\"%s\" overlaps the path of parents[%zu]",
				    p->path, i);
	}

	if ((v = json_object_get(o, "driver")) && (r = parse_driver(c, where, v, p)) < 0)
		return r;
	for (i = 0; p->driver && i < idx; i++) {
		const struct sim_parent *q = &h->parents[i];
		if (q->driver && streq(q->driver, p->driver) &&
		    (!streq(q->driver_bus, p->driver_bus) ||
		     !same_opt(q->driver_version, p->driver_version)))
			return fail(c, where, "driver",
				    "driver \"%s\" has another bus or version in parents[%zu]",
				    p->driver, i);
	}
	if (p->driver && !p->subsystem)
		p->subsystem = xasprintf("bus/%s", p->driver_bus);
	if ((v = json_object_get(o, "pci")) && (r = parse_pci(c, where, v, p)) < 0)
		return r;

	/* plugging waits until every parent has been read: see parse_host() */
	if ((v = json_object_get(o, "plugged")) && !json_is_boolean(v))
		return fail(c, where, "plugged", "must be true or false");
	if ((v = json_object_get(o, "pools")) && (r = parse_pools(c, where, v, p)) < 0)
		return r;

	v = json_object_get(o, "types");
	if (!v)
		return fail(c, where, "types", "is missing");
	if (!json_is_array(v))
		return fail(c, where, "types", "must be an array");
	p->types = xcalloc(json_array_size(v), sizeof(*p->types));
	for (i = 0; i < json_array_size(v); i++) {
		p->n_types++;
		if ((r = parse_type(c, where, i, json_array_get(v, i), p)) < 0)
			return r;
	}
	return 0;
}

/* --- devices --------------------------------------------------------------------------- */

static int parse_device(struct ctx *c, struct sim_host *h, size_t idx, json_t *o)
{
	static const char *const keys[] = {
		"uuid", "parent", "type", "attributes", "comment", NULL
	};
	_cleanup_free_ char *where = xasprintf("devices[%zu]", idx);
	_cleanup_free_ char *uuid = NULL, *parent = NULL, *type = NULL;
	char lower[SIM_UUID_LEN + 1];
	struct sim_device *d;
	json_t *attrs;
	int r;

	if (!json_is_object(o))
		return fail(c, where, NULL, "must be an object");
	if ((r = check_keys(c, where, o, keys)) < 0 ||
	    (r = get_string(c, where, o, "uuid", true, &uuid)) < 0 ||
	    (r = get_string(c, where, o, "parent", true, &parent)) < 0 ||
	    (r = get_string(c, where, o, "type", true, &type)) < 0)
		return r;
	if (strlen(uuid) != SIM_UUID_LEN || !sim_uuid_valid(uuid))
		return fail(c, where, "uuid", "\"%s\" is not a UUID (8-4-4-4-12 hex digits)", uuid);
	sim_uuid_lower(uuid, lower);
	struct sim_parent *p = sim_host_parent(h, parent);
	if (!p)
		return fail(c, where, "parent", "there is no parent \"%s\"", parent);
	if (!p->plugged)
		return fail(c, where, "parent", "\"%s\" is not plugged", parent);
	struct sim_type *t = sim_parent_type(p, type);
	if (!t)
		return fail(c, where, "type", "parent \"%s\" has no type \"%s\"", parent, type);
	r = sim_device_create(t, lower, &d);
	if (r == -EEXIST)
		return fail(c, where, "uuid", "%s is already in use", lower);
	if (r == -ENOSPC)
		return fail(c, where, "type", "no instance of %s is left on %s", type, parent);
	if (r < 0)
		return fail(c, where, NULL, "cannot be created: %s", strerror(-r));

	attrs = json_object_get(o, "attributes");
	if (attrs && !json_is_object(attrs))
		return fail(c, where, "attributes", "must be an object of NAME: VALUE");
	if (attrs) {
		const char *name;
		json_t *v;
		json_object_foreach (attrs, name, v) {
			int i = sim_type_attr_index(t, name);
			_cleanup_free_ char *value = NULL;
			char *normal;
			if (i < 0)
				return fail(c, where, "attributes",
					    "type %s has no attribute \"%s\"", type, name);
			if (json_is_integer(v))
				value = xasprintf("%lld", (long long)json_integer_value(v));
			else if (json_is_string(v))
				value = xstrdup(json_string_value(v));
			else
				return fail(c, where, "attributes",
					    "the value of \"%s\" must be a string or an integer",
					    name);
			if (sim_attr_check(&t->attrs[i], value, &normal) < 0)
				return fail(c, where, "attributes",
					    "\"%s\" is not an allowed value of \"%s\"", value,
					    name);
			free(d->values[i].value);
			d->values[i].value = normal;
		}
	}
	return 0;
}

/* --- the document ---------------------------------------------------------------------- */

static int parse_host(struct ctx *c, json_t *root, struct sim_host *h)
{
	static const char *const keys[] = { "parents", "devices", "comment", NULL };
	json_t *parents, *devices;
	size_t i;
	int r;

	if (!json_is_object(root))
		return fail(c, "", NULL, "must be an object");
	if ((r = check_keys(c, "", root, keys)) < 0)
		return r;
	parents = json_object_get(root, "parents");
	if (!parents)
		return fail(c, "", "parents", "is missing");
	if (!json_is_array(parents))
		return fail(c, "", "parents", "must be an array");
	h->parents = xcalloc(json_array_size(parents), sizeof(*h->parents));
	for (i = 0; i < json_array_size(parents); i++) {
		h->n_parents++;
		if ((r = parse_parent(c, h, i, json_array_get(parents, i))) < 0)
			return r;
	}

	/* only now that every parent is known: plugging builds the tree */
	for (i = 0; i < h->n_parents; i++) {
		json_t *plugged = json_object_get(json_array_get(parents, i), "plugged");
		if (plugged && json_is_false(plugged))
			continue;
		if (sim_parent_plug(&h->parents[i]) < 0) {
			_cleanup_free_ char *where = xasprintf("parents[%zu]", i);
			return fail(
				c, where, NULL,
				"its directory or one of its links would replace something already in the tree");
		}
	}

	devices = json_object_get(root, "devices");
	if (devices && !json_is_array(devices))
		return fail(c, "", "devices", "must be an array");
	for (i = 0; devices && i < json_array_size(devices); i++)
		if ((r = parse_device(c, h, i, json_array_get(devices, i))) < 0)
			return r;
	return 0;
}

int sim_host_load(const char *file, struct sim_host **ret, char **ret_error)
{
	struct ctx c = { .file = file };
	json_error_t jerr;
	json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);

	if (!root) {
		if (jerr.line > 0)
			*ret_error =
				xasprintf("%s:%d:%d: %s", file, jerr.line, jerr.column, jerr.text);
		else
			*ret_error = xasprintf("%s: %s", file, jerr.text);
		return -EINVAL;
	}
	struct sim_host *h = sim_host_new();
	int r = parse_host(&c, root, h);
	json_decref(root);
	if (r < 0) {
		sim_host_free(h);
		*ret_error = c.error ? c.error : xasprintf("%s: invalid", file);
		return r;
	}
	*ret = h;
	return 0;
}
