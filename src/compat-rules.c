// SPDX-License-Identifier: LGPL-2.1-or-later
/* Rule files: parsing and validation (by the record and inventory parsers, through wrapping),
 * loading the vendor and admin directories, and the layered lookup by type id; see
 * compat-rules.h. */
#define LOG_MODULE LOG_COMPAT

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat-rules.h"
#include "env.h"
#include "error.h"
#include "log.h"
#include "path.h"
#include "trust.h"
#include "util.h"

struct rule_entry {
	char *glob;
	json_t *descriptor; /* NULL: none (or empty) */
	json_t *record;	    /* NULL: none (or empty) */
};

struct compat_rules {
	struct rule_entry *entries;
	size_t n, cap;
};

/* The members of an inventory type that type facts may have, and of a record that a rule's
 * record part may have. Validation itself is left to compat-record.c; these lists only say
 * which of its members belong in a rule. */
static const char *const fact_members[] = {
	"device_api", "name",	       "description",	 "driver",	    "pci",     "features",
	"params",     "vendor_fields", "settable_attrs", "migration_flags", "accepts", NULL,
};
static const char *const fact_forbidden[] = { "mdev_type", "available_instances", NULL };
static const char *const fact_forbidden_msg =
	"not allowed in type facts (the type and its capacity come from sysfs)";

static const char *const part_members[] = {
	"self_is_candidate",
	"version_range",
	"feature_match",
	"attr_defaults",
	"requires",
	"compatible",
	NULL,
};
static const char *const part_forbidden[] = { "schema", "self", "generated", NULL };
static const char *const part_forbidden_msg =
	"not allowed in a rule's record part (mdevctl writes schema, self and generated)";

/* Where type facts sit in the inventory they are wrapped into, and how deep that is. */
#define WRAP_TYPE_PATH	"$.parents[0].types[0]"
#define WRAP_TYPE_LEVEL 5
#define FACTS_DEPTH_MAX (COMPAT_DEPTH_MAX - WRAP_TYPE_LEVEL + 1)

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

/* ---- messages ---- */

/* A member name in a path, the way compat-record.c writes one: .name for an identifier, else
 * ["name"] with JSON escapes, cut once too long to be valid anyway. */
static void put_key(struct strbuf *sb, const char *key)
{
	bool ident = *key && strlen(key) <= COMPAT_STRING_MAX &&
		     (*key == '_' || (*key >= 'a' && *key <= 'z') || (*key >= 'A' && *key <= 'Z'));
	for (const char *p = key; ident && *p; p++)
		ident = *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9');
	if (ident) {
		sb_printf(sb, ".%s", key);
		return;
	}
	sb_puts(sb, "[\"");
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++, n++) {
		if (n == COMPAT_STRING_MAX) {
			sb_puts(sb, "...");
			break;
		}
		if (*p == '"' || *p == '\\')
			sb_printf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sb_printf(sb, "\\u%04x", *p);
		else
			sb_putc(sb, (char)*p);
	}
	sb_puts(sb, "\"]");
}

static int fail(const char *name, const char *path, const char *key, const char *fmt, ...)
	_printf_(4, 5);
static int fail(const char *name, const char *path, const char *key, const char *fmt, ...)
{
	struct strbuf sb = { 0 };
	va_list ap;

	sb_puts(&sb, path);
	if (key)
		put_key(&sb, key);
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	int r = err_set(-EINVAL, "%s: %s: %s", name, sb.buf, msg);
	sb_free(&sb);
	return r;
}

/* The parsers' error names a path in the wrapper document: put the rule file's name and the
 * place the wrapped part came from in front of what follows the wrapper's own prefix. */
static int rewrite_error(int r, const char *name, const char *wrap_prefix, const char *path)
{
	_cleanup_free_ char *inner = xstrdup(err_get(0) ? err_get(0) : "invalid");
	size_t n = strlen(wrap_prefix);

	if (strncmp(inner, wrap_prefix, n) == 0 && strchr(".[:", inner[n]))
		return err_set(r, "%s: %s%s", name, path, inner + n);
	/* Not about a member (a size limit): say which part it was about. */
	return err_set(r, "%s: %s: %s", name, path, inner);
}

/* ---- validation by wrapping ---- */

/* Whether anything in v sits deeper than max levels, v being at level. */
static bool too_deep(const json_t *v, size_t level, size_t max)
{
	const char *k;
	json_t *x;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return false;
	if (level > max)
		return true;
	if (json_is_object(v)) {
		json_object_foreach ((json_t *)v, k, x)
			if (too_deep(x, level + 1, max))
				return true;
	} else {
		json_array_foreach ((json_t *)v, i, x)
			if (too_deep(x, level + 1, max))
				return true;
	}
	return false;
}

/* The first member of o that is not in allowed: NULL when none. */
static const char *first_stranger(const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *x;

	json_object_foreach ((json_t *)o, k, x)
		if (!in_list(allowed, k))
			return k;
	return NULL;
}

static char *dump(const json_t *v, size_t *ret_len)
{
	char *s = json_dumps(v, JSON_COMPACT);
	if (!s) {
		/* jansson fails only for lack of memory here: end as xmalloc() does. */
		fputs("Error: out of memory\n", stderr);
		exit(1);
	}
	*ret_len = strlen(s);
	return s;
}

/* Type facts at path (for messages) of the file name: their own members first, then the
 * inventory parser on a one-type inventory holding them. */
static int check_facts(const json_t *facts, const char *name, const char *path)
{
	if (!json_is_object(facts))
		return fail(name, path, NULL, "expected an object");
	if (too_deep(facts, 1, FACTS_DEPTH_MAX))
		return fail(name, path, NULL, "nesting deeper than %d levels", FACTS_DEPTH_MAX);
	/* Members the inventory parser knows but facts must not have: refused here, unless a
	 * member it does not know comes first (it reports that one, in document order). */
	const char *k = first_stranger(facts, fact_members);
	if (k && in_list(fact_forbidden, k))
		return fail(name, path, k, "%s", fact_forbidden_msg);

	json_t *type = json_object();
	json_object_set_new(type, "mdev_type", json_string("x"));
	json_object_set_new(type, "available_instances", json_integer(0));
	if (!json_object_get(facts, "device_api"))
		json_object_set_new(type, "device_api", json_string("x"));
	json_t *x;
	json_object_foreach ((json_t *)facts, k, x)
		json_object_set(type, k, x);
	json_t *inv = json_pack("{s:s, s:[{s:s, s:[o]}]}", "schema", COMPAT_INVENTORY_SCHEMA,
				"parents", "parent", "p", "types", type);
	size_t len;
	_cleanup_free_ char *text = dump(inv, &len);
	json_decref(inv);

	struct compat_inventory *parsed = NULL;
	int r = compat_inventory_parse(text, len, &parsed);
	compat_inventory_free(parsed);
	if (r < 0)
		return rewrite_error(r, name, WRAP_TYPE_PATH, path);
	return 0;
}

/* A record part at path, as the record parser sees it in a record whose self is a
 * placeholder with driver version scheme scheme (NULL: none given). */
static int check_part_as(const json_t *part, const char *scheme, const char *name, const char *path)
{
	json_t *rec = json_object();
	json_t *self = json_pack("{s:s, s:s}", "kind", "mdev", "mdev_type", "x");
	if (scheme)
		json_object_set_new(self, "driver", json_pack("{s:s}", "version_scheme", scheme));
	json_object_set_new(rec, "schema", json_string(COMPAT_RECORD_SCHEMA));
	json_object_set_new(rec, "self", self);
	const char *k;
	json_t *x;
	json_object_foreach ((json_t *)part, k, x)
		json_object_set(rec, k, x);
	size_t len;
	_cleanup_free_ char *text = dump(rec, &len);
	json_decref(rec);

	struct compat_record *parsed = NULL;
	int r = compat_record_parse(text, len, &parsed);
	compat_record_free(parsed);
	if (r < 0)
		return rewrite_error(r, name, "$", path);
	return 0;
}

/* A record part: under the scheme the entry's descriptor states, else under any scheme (the
 * source's driver decides at run time); the error is the one under the first scheme tried. */
static int check_part(const json_t *part, const json_t *descriptor, const char *name,
		      const char *path)
{
	static const char *const schemes[] = { "semver", "dotted", "opaque" };

	if (!json_is_object(part))
		return fail(name, path, NULL, "expected an object");
	const char *k = first_stranger(part, part_members);
	if (k && in_list(part_forbidden, k))
		return fail(name, path, k, "%s", part_forbidden_msg);

	json_t *scheme = json_object_get(json_object_get(descriptor, "driver"), "version_scheme");
	if (json_is_string(scheme))
		return check_part_as(part, json_string_value(scheme), name, path);
	int r = check_part_as(part, NULL, name, path);
	if (r == 0)
		return 0;
	_cleanup_free_ char *first = xstrdup(err_get(0));
	for (size_t i = 1; i < ELEMENTSOF(schemes); i++)
		if (check_part_as(part, schemes[i], name, path) == 0)
			return 0;
	return err_set(r, "%s", first);
}

/* ---- a rule file ---- */

static const char *const top_members[] = { "schema", "description", "types", NULL };
static const char *const entry_members[] = { "mdev_type", "description", "descriptor", "record",
					     NULL };

static int check_text(const json_t *v, const char *name, const char *path, const char *key)
{
	if (!json_is_string(v))
		return fail(name, path, key, "expected a string");
	if (json_string_length(v) > COMPAT_TEXT_MAX)
		return fail(name, path, key, "longer than %d bytes", COMPAT_TEXT_MAX);
	return 0;
}

static int check_members(const json_t *o, const char *const *allowed, const char *name,
			 const char *path)
{
	const char *k = first_stranger(o, allowed);
	return k ? fail(name, path, k, "unknown member") : 0;
}

static void entry_clear(struct rule_entry *e)
{
	free(e->glob);
	json_decref(e->descriptor);
	json_decref(e->record);
}

/* An empty object is the same as none: keep NULL for both. */
static json_t *part_ref(json_t *v)
{
	return v && json_object_size(v) ? json_incref(v) : NULL;
}

static int parse_entry(const json_t *o, size_t index, const char *name, struct rule_entry *e)
{
	_cleanup_free_ char *path = xasprintf("$.types[%zu]", index);
	json_t *x;
	int r;

	if (!json_is_object(o))
		return fail(name, path, NULL, "expected an object");
	if ((r = check_members(o, entry_members, name, path)) < 0)
		return r;
	if (!(x = json_object_get(o, "mdev_type")))
		return fail(name, path, "mdev_type", "required member missing");
	if (!json_is_string(x))
		return fail(name, path, "mdev_type", "expected a string");
	if (json_string_length(x) == 0)
		return fail(name, path, "mdev_type", "expected a non-empty glob");
	if (json_string_length(x) > COMPAT_STRING_MAX)
		return fail(name, path, "mdev_type", "longer than %d bytes", COMPAT_STRING_MAX);
	if (strchr(json_string_value(x), '/'))
		return fail(name, path, "mdev_type",
			    "not a valid glob: '/' never occurs in a type id");
	if ((x = json_object_get(o, "description")) &&
	    (r = check_text(x, name, path, "description")) < 0)
		return r;

	json_t *descriptor = json_object_get(o, "descriptor");
	json_t *part = json_object_get(o, "record");
	if (descriptor) {
		_cleanup_free_ char *p = xasprintf("%s.descriptor", path);
		if ((r = check_facts(descriptor, name, p)) < 0)
			return r;
	}
	if (part) {
		_cleanup_free_ char *p = xasprintf("%s.record", path);
		if ((r = check_part(part, descriptor, name, p)) < 0)
			return r;
	}
	e->glob = xstrdup(json_string_value(json_object_get(o, "mdev_type")));
	e->descriptor = part_ref(descriptor);
	e->record = part_ref(part);
	return 0;
}

static int parse_file(json_t *root, const char *name, struct rule_entry **ret, size_t *ret_n)
{
	json_t *x, *types;
	int r;

	if (!json_is_object(root))
		return fail(name, "$", NULL, "expected an object");
	if (too_deep(root, 1, COMPAT_DEPTH_MAX))
		return fail(name, "$", NULL, "nesting deeper than %d levels", COMPAT_DEPTH_MAX);
	if (!(x = json_object_get(root, "schema")))
		return fail(name, "$", "schema", "required member missing");
	if (!json_is_string(x) || !streq(json_string_value(x), COMPAT_RULES_SCHEMA))
		return fail(name, "$", "schema", "expected \"%s\"", COMPAT_RULES_SCHEMA);
	if ((r = check_members(root, top_members, name, "$")) < 0)
		return r;
	if ((x = json_object_get(root, "description")) &&
	    (r = check_text(x, name, "$", "description")) < 0)
		return r;
	if (!(types = json_object_get(root, "types")))
		return fail(name, "$", "types", "required member missing");
	if (!json_is_array(types))
		return fail(name, "$", "types", "expected an array of entries");
	if (json_array_size(types) > COMPAT_RULE_ENTRIES_MAX)
		return fail(name, "$", "types", "at most %d entries", COMPAT_RULE_ENTRIES_MAX);

	size_t n = json_array_size(types);
	struct rule_entry *entries = xcalloc(n + 1, sizeof(*entries));
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_entry(json_array_get(types, i), i, name, &entries[i])) < 0) {
			for (size_t k = 0; k < i; k++)
				entry_clear(&entries[k]);
			free(entries);
			return r;
		}
	}
	*ret = entries;
	*ret_n = n;
	return 0;
}

struct compat_rules *compat_rules_new(void)
{
	return xcalloc(1, sizeof(struct compat_rules));
}

struct compat_rules *compat_rules_free(struct compat_rules *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		entry_clear(&r->entries[i]);
	free(r->entries);
	free(r);
	return NULL;
}

size_t compat_rules_count(const struct compat_rules *r)
{
	return r->n;
}

int compat_rules_add(struct compat_rules *r, const char *name, const char *text, size_t len)
{
	json_error_t e;
	struct rule_entry *entries = NULL;
	size_t n = 0;

	if (len > COMPAT_INPUT_MAX)
		return err_set(-EINVAL, "%s: input is larger than %d bytes", name,
			       COMPAT_INPUT_MAX);
	/* Duplicate members are refused, as in records: which one a vendor meant is a guess. */
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!root)
		return err_set(-EINVAL, "%s: %s at line %d column %d", name, e.text, e.line,
			       e.column);
	int k = parse_file(root, name, &entries, &n);
	json_decref(root);
	if (k < 0)
		return k;

	if (n > r->cap - r->n) {
		r->cap = (r->n + n) * 2;
		r->entries = xrealloc(r->entries, r->cap * sizeof(*r->entries));
	}
	/* An empty `types` leaves entries unused and r->entries possibly NULL. */
	if (n)
		memcpy(r->entries + r->n, entries, n * sizeof(*entries));
	r->n += n;
	free(entries);
	return 0;
}

/* ---- loading the directories ---- */

struct rule_file {
	char *name; /* the file name, the key of replacement and order */
	char *path; /* NULL: masked */
};

static int rule_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rule_file *)a)->name, ((const struct rule_file *)b)->name);
}

static bool is_masked(const char *path)
{
	_cleanup_free_ char *target = NULL;
	return path_readlink(path, &target) == 0 && streq(target, "/dev/null");
}

/* Whether the rule file at path may be obeyed (trust.h); a refused one is warned about. */
static bool rule_file_trusted(const char *path)
{
	_cleanup_free_ char *reason = NULL;
	int fd = trust_open(path, O_PATH, &reason);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (fd == -EPERM)
		log_warn("Ignoring rule file %s: %s", path, reason);
	else
		log_warn("Ignoring rule file %s: %s", path, os_error_str(-fd));
	return false;
}

/* Add the rule files of dir to files, replacing entries of the same name. A file that is not
 * trusted is left out as if absent: the vendor file of the same name, trusted, stays. */
static void scan_dir(const char *dir, bool admin, struct rule_file **files, size_t *n, size_t *cap)
{
	_cleanup_closedir_ DIR *d = path_opendir(dir);
	_cleanup_free_ char *dir_reason = NULL;
	int dir_trust = 1; /* 1: not judged yet, else trust_dir()'s result */
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			log_warn("Cannot read the rule directory %s: %s", dir, os_error_str(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !endswith(de->d_name, ".json"))
			continue;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
		bool masked = admin && is_masked(path);
		if (masked) {
			/* A mask is a link whose target is never read: what must be trusted is
			 * the directory that holds it, or anyone could hide a vendor's file. */
			if (dir_trust == 1)
				dir_trust = trust_dir(dir, &dir_reason);
			if (dir_trust < 0) {
				log_warn("Ignoring rule file %s: %s", path,
					 dir_trust == -EPERM ? dir_reason
							     : os_error_str(-dir_trust));
				continue;
			}
		} else {
			struct stat st;
			if (path_stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
				log_debug("Ignoring %s: not a regular file", path);
				continue;
			}
			if (!rule_file_trusted(path))
				continue;
		}
		size_t i;
		for (i = 0; i < *n; i++)
			if (streq((*files)[i].name, de->d_name))
				break;
		if (i == *n) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 16;
				*files = xrealloc(*files, *cap * sizeof(**files));
			}
			(*files)[i] = (struct rule_file){ .name = xstrdup(de->d_name) };
			(*n)++;
		} else
			log_debug("%s replaces %s", path, (*files)[i].path ? (*files)[i].path : "");
		free((*files)[i].path);
		(*files)[i].path = masked ? NULL : TAKE_PTR(path);
	}
}

/* Read a rule file through the descriptor the trust check opened: what is parsed is the file
 * that was judged. */
static int read_rule_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *reason = NULL;
	_cleanup_close_ int fd = trust_open(path, O_RDONLY, &reason);
	if (fd == -EPERM)
		return err_set(-EPERM, "%s", reason);
	if (fd < 0)
		return err_set(fd, "%s", os_error_str(-fd));
	int r = fd_read_all(fd, COMPAT_INPUT_MAX, ret, ret_len);
	if (r == -EFBIG)
		return err_set(r, "larger than %d bytes", COMPAT_INPUT_MAX);
	if (r < 0)
		return err_set(r, "%s", os_error_str(-r));
	return 0;
}

int compat_rules_load(struct compat_rules **ret)
{
	_cleanup_free_ char *vendor = env_compat_vendor_dir();
	_cleanup_free_ char *admin = env_compat_admin_dir();
	struct rule_file *files = NULL;
	size_t n = 0, cap = 0;

	scan_dir(vendor, false, &files, &n, &cap);
	scan_dir(admin, true, &files, &n, &cap);
	if (n)
		qsort(files, n, sizeof(*files), rule_file_cmp);

	struct compat_rules *r = compat_rules_new();
	for (size_t i = 0; i < n; i++) {
		const char *path = files[i].path;
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		int k;

		if (!path)
			continue;
		k = read_rule_file(path, &text, &len);
		if (k < 0)
			log_warn("Ignoring rule file %s: %s", path, err_get(0));
		else if (compat_rules_add(r, path, text, len) < 0)
			log_warn("Ignoring invalid rule file %s", err_get(0));
		else
			log_debug("Loaded rule file %s", path);
	}
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
	err_clear();
	*ret = r;
	return 0;
}

/* ---- lookup and layering ---- */

void compat_json_merge(json_t *into, const json_t *from)
{
	const char *k;
	json_t *v;

	if (!json_is_object(into) || !json_is_object(from))
		return;
	json_object_foreach ((json_t *)from, k, v) {
		json_t *cur = json_object_get(into, k);
		if (json_is_object(cur) && json_is_object(v))
			compat_json_merge(cur, v);
		else
			json_object_set_new(into, k, json_deep_copy(v));
	}
}

static json_t *lookup(const struct compat_rules *r, const char *type_id, bool record)
{
	json_t *acc = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct rule_entry *e = &r->entries[i];
		json_t *part = record ? e->record : e->descriptor;
		if (!part || fnmatch(e->glob, type_id, 0) != 0)
			continue;
		if (!acc)
			acc = json_deep_copy(part);
		else
			compat_json_merge(acc, part);
	}
	return acc;
}

json_t *compat_rules_descriptor(const struct compat_rules *r, const char *type_id)
{
	return lookup(r, type_id, false);
}

json_t *compat_rules_record(const struct compat_rules *r, const char *type_id)
{
	return lookup(r, type_id, true);
}

int compat_facts_validate(const json_t *facts, const char *where)
{
	return check_facts(facts, where, "$");
}
