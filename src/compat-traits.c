// SPDX-License-Identifier: LGPL-2.1-or-later
/* Trait naming, and the traits of records and inventories; see compat-traits.h for the rules
 * and why each one never excludes a destination the matcher would accept. Both sides build
 * their traits through the same helpers (vendor-field digest, version normalisation), since a
 * trait only works when the source and the destination spell it byte for byte alike. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "compat-traits.h"
#include "error.h"
#include "sha256.h"
#include "util.h"

char *compat_trait(const char *suffix)
{
	struct strbuf sb = { 0 };
	bool in_run = false;

	sb_puts(&sb, COMPAT_TRAIT_PREFIX);
	/* ASCII by hand rather than isalnum()/toupper(), whose answers depend on the locale. */
	for (const char *p = suffix; *p; p++) {
		char c = *p;
		if (c >= 'a' && c <= 'z') {
			sb_putc(&sb, (char)(c - 'a' + 'A'));
			in_run = false;
		} else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			sb_putc(&sb, c);
			in_run = false;
		} else if (!in_run) {
			sb_putc(&sb, '_');
			in_run = true;
		}
	}
	if (sb.len > COMPAT_TRAIT_MAX_LEN) {
		/* Placement allows upper case only, the digest included. */
		char hex[65];
		sha256_hex(suffix, strlen(suffix), hex);
		sb.len = 238;
		sb.buf[sb.len] = '\0';
		sb_putc(&sb, '_');
		for (size_t i = 0; i < 16; i++)
			sb_putc(&sb, hex[i] >= 'a' && hex[i] <= 'f' ? (char)(hex[i] - 'a' + 'A')
								    : hex[i]);
	}
	return sb_steal(&sb);
}

/* ---- helpers both sides share ---- */

static void add_trait(struct strv *out, const char *fmt, ...) _printf_(2, 3);
static void add_trait(struct strv *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	_cleanup_free_ char *suffix = xvasprintf(fmt, ap);
	va_end(ap);
	strv_push(out, compat_trait(suffix));
}

static void sort_uniq(struct strv *sv)
{
	strv_sort(sv);
	strv_uniq(sv);
}

/* The VF_ trait of a set of vendor fields: the digest of their canonical JSON. A name or value
 * that is not UTF-8 cannot be written as JSON, so no digest could stand for it on both sides:
 * an error rather than a trait that would wrongly exclude a destination. */
static int vendor_fields_trait(const struct compat_kv *kv, size_t n, char **ret)
{
	json_t *o = json_object();
	char hex[65];

	if (!o)
		return err_set(-ENOMEM, "Cannot write the vendor fields as JSON");
	for (size_t i = 0; i < n; i++) {
		/* json_string() and a checked key refuse what is not UTF-8. */
		json_t *v = json_string(kv[i].value);
		if (!v || json_object_set_new(o, kv[i].name, v) < 0) {
			json_decref(o);
			return err_set(-EINVAL, "Vendor field \"%s\" is not valid UTF-8",
				       kv[i].name);
		}
	}
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return err_set(-ENOMEM, "Cannot write the vendor fields as JSON");
	sha256_hex(text, strlen(text), hex);
	free(text);
	hex[16] = '\0';
	*ret = xasprintf("VF_%s", hex);
	return 0;
}

/* The text by which versions the matcher finds equal under s become one trait, or NULL when text
 * is not a version of s. Semver: precedence ignores build metadata, and pre-release identifiers
 * cannot have leading zeros, so equal precedence is equal "M.m.p[-pre]". Dotted: components
 * compare as integers and missing ones as 0, so leading zeros and trailing zero components go. */
static char *version_normalise(enum compat_scheme s, const char *text)
{
	struct compat_version v;
	struct strbuf sb = { 0 };
	size_t n;

	if (compat_version_parse(s, text, &v) < 0)
		return NULL;
	switch (s) {
	case COMPAT_SCHEME_SEMVER:
		sb_printf(&sb, "%" PRIu64 ".%" PRIu64 ".%" PRIu64, v.num[0], v.num[1], v.num[2]);
		if (v.pre) {
			sb_putc(&sb, '-');
			sb_add(&sb, v.pre, v.pre_len);
		}
		break;
	case COMPAT_SCHEME_DOTTED:
		for (n = v.n; n > 1 && v.num[n - 1] == 0; n--)
			;
		for (size_t i = 0; i < n; i++)
			sb_printf(&sb, "%s%" PRIu64, i ? "." : "", v.num[i]);
		break;
	case COMPAT_SCHEME_OPAQUE:
		sb_puts(&sb, v.text);
		break;
	}
	compat_version_clear(&v);
	return sb_steal(&sb);
}

/* ---- the record ---- */

/* What one pattern requires (sorted, unique), appended to the empty out. */
static int pattern_required(const struct compat_pattern *p, struct strv *out)
{
	const struct compat_descriptor *d = &p->d;
	const char *drv = d->driver.name, *ver = d->driver.version;
	struct compat_version v;
	char *vf;

	int r = vendor_fields_trait(d->vendor_fields, d->n_vendor_fields, &vf);
	if (r < 0)
		return r;
	add_trait(out, "%s", vf);
	free(vf);
	if (d->device_api)
		add_trait(out, "API_%s", d->device_api);
	if (drv)
		add_trait(out, "DRV_%s", drv);
	for (size_t i = 0; i < d->features.n; i++)
		add_trait(out, "F_%s", d->features.v[i]);
	/* The version rule needs a source version; the trait needs the driver's name. */
	if (drv && ver) {
		if (!p->version_range) {
			if (d->driver.scheme == COMPAT_SCHEME_SEMVER &&
			    compat_version_parse(COMPAT_SCHEME_SEMVER, ver, &v) == 0) {
				if (v.num[1] < COMPAT_TRAITS_MINORS_MAX)
					add_trait(out, "DRV_%s_V%" PRIu64 "_%" PRIu64, drv,
						  v.num[0], v.num[1]);
				compat_version_clear(&v);
			}
		} else if (p->version_range->eq) {
			_cleanup_free_ char *eq =
				version_normalise(d->driver.scheme, p->version_range->eq);
			if (eq)
				add_trait(out, "DRVEQ_%s_%s", drv, eq);
		}
	}
	sort_uniq(out);
	return 0;
}

/* Whether a template expands under b. Literal text always does. */
static bool tvalue_expands(const struct compat_tvalue *v, const struct compat_pattern *p,
			   const struct compat_binding *b)
{
	char *s = NULL;

	if (!v->tmpl)
		return true;
	if (compat_template_expand(v->tmpl, &p->vars, b, &s, NULL) < 0)
		return false;
	free(s);
	return true;
}

/* The type binding b of pattern p produces, or NULL when the matcher skips the binding because
 * one of its templates does not expand (BINDING_INVALID). */
static char *binding_type(const struct compat_pattern *p, const struct compat_binding *b)
{
	_cleanup_free_ char *type = NULL;

	if (compat_tvalue_expand(&p->d.mdev_type, &p->vars, b, &type, NULL) < 0)
		return NULL;
	for (size_t i = 0; i < p->d.n_attrs; i++)
		if (!tvalue_expands(&p->d.attrs[i].value, p, b))
			return NULL;
	for (size_t i = 0; i < p->d.n_params; i++)
		if (p->d.params[i].value.type == COMPAT_SCALAR_STRING &&
		    !tvalue_expands(&p->d.params[i].value.s, p, b))
			return NULL;
	if (!tvalue_expands(&p->cost, p, b))
		return NULL;
	return TAKE_PTR(type);
}

/* Keep in a only the strings b holds too; both sorted and unique. What leaves a is freed. */
static void strv_intersect(struct strv *a, const struct strv *b)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && strcmp(b->v[j], a->v[i]) < 0)
			j++;
		if (j < b->n && streq(b->v[j], a->v[i]))
			a->v[k++] = a->v[i];
		else
			free(a->v[i]);
	}
	a->n = k;
	if (a->v)
		a->v[k] = NULL;
}

int compat_record_traits(const struct compat_record *rec, struct strv *ret_required,
			 struct strv *ret_any_of)
{
	_cleanup_(strv_free) struct strv required = { 0 }, any_of = { 0 };
	struct compat_dedup types = { 0 };
	bool first = true;
	int r = 0;

	for (size_t k = 0; k < rec->n_patterns; k++) {
		const struct compat_pattern *p = &rec->patterns[k];
		struct compat_binding b;
		bool reachable = false;

		for (bool more = compat_binding_first(&p->vars, &b); more;
		     more = compat_binding_next(&p->vars, &b)) {
			_cleanup_free_ char *type = binding_type(p, &b);
			if (!type)
				continue;
			reachable = true;
			if (compat_dedup_add(&types, type, 0, NULL))
				add_trait(&any_of, "T_%s", type);
		}
		/* A pattern that can produce no binding accepts nothing: it cannot widen what
		 * the record accepts, so it does not narrow what the record requires. */
		if (!reachable)
			continue;
		_cleanup_(strv_free) struct strv req = { 0 };
		if ((r = pattern_required(p, &req)) < 0)
			break;
		if (first) {
			required = req;
			req = (struct strv){ 0 };
			first = false;
		} else
			strv_intersect(&required, &req);
	}
	compat_dedup_clear(&types);
	if (r < 0)
		return r;
	/* Distinct types may still name one trait ("a-b" and "a.b"). */
	sort_uniq(&any_of);
	*ret_required = required;
	*ret_any_of = any_of;
	required = any_of = (struct strv){ 0 };
	return 0;
}

/* ---- the inventory ---- */

int compat_inv_type_traits(const struct compat_inv_type *t, struct strv *out)
{
	static const enum compat_scheme schemes[] = {
		COMPAT_SCHEME_SEMVER,
		COMPAT_SCHEME_DOTTED,
		COMPAT_SCHEME_OPAQUE,
	};
	const char *drv = t->driver.name, *ver = t->driver.version;
	struct compat_version v;
	char *vf;

	/* The only step that can fail comes first, so that out is unchanged on failure. */
	int r = vendor_fields_trait(t->vendor_fields, t->n_vendor_fields, &vf);
	if (r < 0)
		return r;
	add_trait(out, "%s", vf);
	free(vf);
	if (t->device_api)
		add_trait(out, "API_%s", t->device_api);
	if (drv)
		add_trait(out, "DRV_%s", drv);
	for (size_t i = 0; i < t->features.n; i++)
		add_trait(out, "F_%s", t->features.v[i]);
	add_trait(out, "T_%s", t->mdev_type);
	if (!drv || !ver)
		return 0;
	/* The default semver range of a source M.k accepts this type for every k up to its
	 * minor; sources at or above the bound require no V trait, so the list stops there. */
	if (compat_version_parse(COMPAT_SCHEME_SEMVER, ver, &v) == 0) {
		uint64_t top = v.num[1] < COMPAT_TRAITS_MINORS_MAX ? v.num[1]
								   : COMPAT_TRAITS_MINORS_MAX - 1;
		for (uint64_t k = 0; k <= top; k++)
			add_trait(out, "DRV_%s_V%" PRIu64 "_%" PRIu64, drv, v.num[0], k);
		compat_version_clear(&v);
	}
	/* The source's scheme decides how its eq reads, and this side cannot know it. */
	for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
		_cleanup_free_ char *norm = version_normalise(schemes[i], ver);
		if (norm)
			add_trait(out, "DRVEQ_%s_%s", drv, norm);
	}
	return 0;
}

int compat_inventory_traits(const struct compat_inventory *inv, struct strv *ret)
{
	_cleanup_(strv_free) struct strv all = { 0 };
	struct compat_dedup seen = { 0 };
	int r = 0;

	/* Types of one host mostly share their traits: keep each once as it comes rather than
	 * holding every type's copy until the final sort. */
	for (size_t i = 0; i < inv->n_parents && r == 0; i++) {
		const struct compat_inv_parent *pa = &inv->parents[i];
		for (size_t j = 0; j < pa->n_types && r == 0; j++) {
			_cleanup_(strv_free) struct strv one = { 0 };
			if ((r = compat_inv_type_traits(&pa->types[j], &one)) < 0)
				break;
			for (size_t k = 0; k < one.n; k++)
				if (compat_dedup_add(&seen, one.v[k], 0, NULL))
					strv_push(&all, TAKE_PTR(one.v[k]));
		}
	}
	compat_dedup_clear(&seen);
	if (r < 0)
		return r;
	strv_sort(&all);
	*ret = all;
	all = (struct strv){ 0 };
	return 0;
}

int compat_parent_traits(const struct compat_inv_parent *p, struct strv *ret)
{
	_cleanup_(strv_free) struct strv all = { 0 };
	for (size_t j = 0; j < p->n_types; j++) {
		int r = compat_inv_type_traits(&p->types[j], &all);
		if (r < 0)
			return r;
	}
	sort_uniq(&all);
	*ret = all;
	all = (struct strv){ 0 };
	return 0;
}

int compat_traits_format_per_parent(const struct compat_inventory *inv, struct strbuf *out)
{
	for (size_t i = 0; i < inv->n_parents; i++) {
		const struct compat_inv_parent *pa = &inv->parents[i];
		for (size_t j = 0; j < pa->n_types; j++) {
			_cleanup_(strv_free) struct strv one = { 0 };
			int r = compat_inv_type_traits(&pa->types[j], &one);
			if (r < 0)
				return r;
			sort_uniq(&one);
			sb_printf(out, "%s %s\n", pa->parent, pa->types[j].mdev_type);
			for (size_t k = 0; k < one.n; k++)
				sb_printf(out, "  %s\n", one.v[k]);
		}
	}
	return 0;
}

/* ---- output ---- */

void compat_traits_format_record(const struct strv *required, const struct strv *any_of,
				 struct strbuf *out)
{
	compat_traits_format_list(required, out);
	if (any_of->n == 0)
		return;
	if (any_of->n > 1)
		sb_puts(out, "in:");
	for (size_t i = 0; i < any_of->n; i++) {
		if (i)
			sb_putc(out, ',');
		sb_puts(out, any_of->v[i]);
	}
	sb_putc(out, '\n');
}

void compat_traits_format_list(const struct strv *traits, struct strbuf *out)
{
	for (size_t i = 0; i < traits->n; i++) {
		sb_puts(out, traits->v[i]);
		sb_putc(out, '\n');
	}
}
