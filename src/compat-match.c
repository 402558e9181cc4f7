// SPDX-License-Identifier: LGPL-2.1-or-later
/* The matching engine of migration compatibility; see compat-match.h. One pass over patterns
 * and bindings expands each binding once into a target spec, de-duplicates it, and evaluates
 * it against every parent offering its type; each rule appends reasons (a code for the JSON, a
 * sentence for people, made where the details are at hand) and the target's writes. Candidates
 * are ranked once at the end. The plan owns copies of everything it shows, so that callers can
 * free the record and inventory it came from. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compat-match.h"
#include "error.h"

/* ---- names ---- */

static const char *const verdict_names[] = {
	[COMPAT_VERDICT_COMPATIBLE] = "compatible",
	[COMPAT_VERDICT_NO_CAPACITY] = "no-capacity",
	[COMPAT_VERDICT_BLOCKED] = "blocked",
	[COMPAT_VERDICT_INCOMPATIBLE] = "incompatible",
};
static const char *const policy_names[] = {
	[COMPAT_POLICY_FIRST_FIT] = "first-fit",
	[COMPAT_POLICY_SPREAD] = "spread",
	[COMPAT_POLICY_PACK] = "pack",
};
static const char *const mode_names[] = {
	[COMPAT_MODE_LIVE] = "live",
	[COMPAT_MODE_COLD] = "cold",
};

static int name_lookup(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (streq(s, names[i]))
			return (int)i;
	return -EINVAL;
}

const char *compat_verdict_to_string(enum compat_verdict v)
{
	return (unsigned)v < ELEMENTSOF(verdict_names) ? verdict_names[v] : NULL;
}

int compat_verdict_exit_status(enum compat_verdict v)
{
	switch (v) {
	case COMPAT_VERDICT_COMPATIBLE:
		return 0;
	case COMPAT_VERDICT_NO_CAPACITY:
		return 4;
	case COMPAT_VERDICT_BLOCKED:
		return 5;
	case COMPAT_VERDICT_INCOMPATIBLE:
		return 3;
	}
	return 1;
}

int compat_policy_from_string(const char *s, enum compat_policy *ret)
{
	int i = name_lookup(s, policy_names, ELEMENTSOF(policy_names));
	if (i < 0)
		return i;
	*ret = (enum compat_policy)i;
	return 0;
}

const char *compat_policy_to_string(enum compat_policy p)
{
	return (unsigned)p < ELEMENTSOF(policy_names) ? policy_names[p] : NULL;
}

int compat_mode_from_string(const char *s, enum compat_mode *ret)
{
	int i = name_lookup(s, mode_names, ELEMENTSOF(mode_names));
	if (i < 0)
		return i;
	*ret = (enum compat_mode)i;
	return 0;
}

const char *compat_mode_to_string(enum compat_mode m)
{
	return (unsigned)m < ELEMENTSOF(mode_names) ? mode_names[m] : NULL;
}

/* ---- the plan's parts ---- */

struct reason {
	char *code; /* as the JSON shows it: "NO_CAPACITY:0<1" */
	char *text; /* in words: "no capacity: 0 available, 1 needed" */
};

struct reasons {
	struct reason *v;
	size_t n, cap;
};

/* Takes ownership of code and text. */
static void reasons_add(struct reasons *rs, char *code, char *text)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 8;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n++] = (struct reason){ .code = code, .text = text };
}

static bool reasons_have(const struct reasons *rs, const char *code)
{
	for (size_t i = 0; i < rs->n; i++)
		if (streq(rs->v[i].code, code))
			return true;
	return false;
}

static void reasons_free(struct reasons *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].code);
		free(rs->v[i].text);
	}
	free(rs->v);
	*rs = (struct reasons){ 0 };
}

/* An ordered list of attr writes. */
struct kvs {
	struct compat_kv *v;
	size_t n, cap;
};

/* A list freed with kvs_free() owns its names and values; one whose strings are borrowed is
 * freed with free(l->v). */
static void kvs_add(struct kvs *l, char *name, char *value)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = (struct compat_kv){ .name = name, .value = value };
}

static void kvs_free(struct kvs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	*l = (struct kvs){ 0 };
}

struct candidate {
	struct compat_choice c; /* its pointers lead to the members below */
	/* Strings in the plan's pool: thousands of candidates share a few parents, types, UUIDs,
	 * bindings and attrs, and copying each for each candidate was half of what matching
	 * cost. Equal strings are the same pointer. */
	const char *parent, *mdev_type, *uuid;
	struct kvs attrs; /* the array is the candidate's, the strings the pool's */
	json_t *binding;
	const char *binding_text;
	bool on_hint;
	bool retry;	    /* the holder's own target: ranked before everything */
	int64_t policy_key; /* lower ranks first: -available (spread), available (pack), 0 */
	size_t order;	    /* creation order: the last key, which makes the sort stable */
};

struct rejection {
	unsigned pattern;
	json_t *binding;
	char *binding_text;
	char *parent, *mdev_type; /* NULL: not part of this rejection */
	struct reasons reasons;
	enum compat_verdict cls; /* what the verdict would be if this were the only target */
};

struct compat_plan {
	enum compat_verdict verdict;
	bool autostart;
	struct candidate *cands;
	size_t n_cands, cap_cands;
	struct rejection *rejs;
	size_t n_rejs, cap_rejs;
	struct strv pool; /* the candidates' strings, each once */
	struct str_index pool_ix;
	char *uuid_holder; /* compat_plan_uuid_holder() */
	char src_uuid[UUID_STR_LEN];
};

/* s, owned by the plan: the same pointer for equal strings. */
static const char *plan_intern(struct compat_plan *p, const char *s)
{
	size_t i;
	if (str_index_get(&p->pool_ix, s, &i))
		return p->pool.v[i];
	strv_push(&p->pool, xstrdup(s));
	str_index_add(&p->pool_ix, p->pool.v[p->pool.n - 1], p->pool.n - 1, NULL);
	return p->pool.v[p->pool.n - 1];
}

struct compat_plan *compat_plan_free(struct compat_plan *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->n_cands; i++) {
		struct candidate *c = &p->cands[i];
		free(c->attrs.v);
		json_decref(c->binding);
	}
	free(p->cands);
	str_index_free(&p->pool_ix);
	strv_free(&p->pool);
	for (size_t i = 0; i < p->n_rejs; i++) {
		struct rejection *j = &p->rejs[i];
		json_decref(j->binding);
		free(j->binding_text);
		free(j->parent);
		free(j->mdev_type);
		reasons_free(&j->reasons);
	}
	free(p->rejs);
	free(p->uuid_holder);
	free(p);
	return NULL;
}

/* ---- one binding of one pattern, expanded ---- */

/* A typed param value: a pattern's (expanded), a destination's default or off. s is borrowed. */
struct pval {
	enum compat_scalar_type type;
	bool b;
	int64_t i;
	const char *s;
};

struct xparam {
	const char *name; /* borrowed from the record */
	struct pval v;
	char *s; /* owned storage of v.s for strings */
};

struct spec {
	const struct compat_pattern *pat;
	unsigned pnum;
	struct compat_binding b;
	json_t *binding;
	char *binding_text;
	char *mdev_type;
	struct kvs attrs; /* after dropping defaults */
	struct xparam *params;
	size_t n_params; /* in name order */
	int64_t cost;
	/* binding_text and attrs in the plan's pool, for its candidates (once per binding, not
	 * per candidate): the attrs array is the spec's, the strings the pool's. */
	const char *pooled_binding_text;
	struct compat_kv *pooled_attrs;
};

static void spec_clear(struct spec *s)
{
	json_decref(s->binding);
	free(s->binding_text);
	free(s->mdev_type);
	kvs_free(&s->attrs);
	for (size_t i = 0; i < s->n_params; i++)
		free(s->params[i].s);
	free(s->params);
	free(s->pooled_attrs);
	*s = (struct spec){ 0 };
}

/* The binding as the plan shows it: {"n": 4} with typed values, and "n=4". */
static void binding_build(const struct compat_vars *vs, const struct compat_binding *b,
			  json_t **ret_json, char **ret_text)
{
	json_t *o = json_object();
	for (size_t i = 0; i < vs->n; i++) {
		struct compat_value val;
		json_t *x = NULL;
		compat_binding_value(vs, b, i, &val);
		switch (val.type) {
		case COMPAT_VAR_INT:
			x = json_integer(val.i);
			break;
		case COMPAT_VAR_ENUM:
			x = json_string(val.s);
			break;
		case COMPAT_VAR_BOOL:
			x = json_boolean(val.b);
			break;
		}
		json_object_set_new(o, vs->v[i].name, x);
	}
	struct strbuf sb = { 0 };
	compat_binding_format(vs, b, &sb);
	*ret_json = o;
	*ret_text = sb_steal(&sb);
}

/* '-' and digits only: what a template yields for a negative int. */
static bool is_negative_int(const char *s)
{
	return s[0] == '-' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1);
}

/* The whole text as a decimal int64_t ('-' allowed, '+' and spaces not). */
static bool parse_dec(const char *s, int64_t *ret)
{
	const char *p = s + (*s == '-');
	if (!*p || strspn(p, "0123456789") != strlen(p))
		return false;
	errno = 0;
	long long v = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return false;
	*ret = v;
	return true;
}

/* compat_template_expand()'s reason in words: "BINDING_INVALID:n/2=1/2" is "binding invalid:
 * n/2 = 1/2 is not a whole number"; any other arithmetic failure is an overflow. */
static char *binding_invalid_text(const char *code)
{
	static const char prefix[] = "BINDING_INVALID:";
	if (!startswith(code, prefix))
		return xasprintf("binding invalid: %s", code);
	const char *rest = code + strlen(prefix), *eq = strchr(rest, '=');
	if (!eq)
		return xasprintf("binding invalid: %s", rest);
	const char *p = eq + 1;
	p += *p == '-';
	p += strspn(p, "0123456789");
	if (!*p || !strchr("+-*/", *p))
		return xasprintf("binding invalid: %s", rest);
	bool inexact = *p == '/' && !streq(p + 1, "-1");
	return xasprintf("binding invalid: %.*s = %s %s", (int)(eq - rest), rest, eq + 1,
			 inexact ? "is not a whole number" : "overflows");
}

static bool attr_is_default(const struct compat_record *r, const char *name, const char *value)
{
	for (size_t i = 0; i < r->n_attr_defaults; i++)
		if (streq(r->attr_defaults[i].name, name) &&
		    streq(r->attr_defaults[i].value, value))
			return true;
	return false;
}

static int cmp_xparam(const void *a, const void *b)
{
	return strcmp(((const struct xparam *)a)->name, ((const struct xparam *)b)->name);
}

/* Expand binding s->b of s->pat into s. Returns 0, or -EDOM with *ret the binding's one reason:
 * the first expansion failure (type, attrs, string params, cost), else the first templated
 * attr that is a negative integer, else a cost that is not an integer >= 1. */
static int spec_expand(const struct compat_record *r, struct spec *s, struct reason *ret)
{
	const struct compat_pattern *pat = s->pat;
	const struct compat_vars *vs = &pat->vars;
	const struct compat_descriptor *d = &pat->d;
	size_t n_attrs = d->n_attrs;
	_cleanup_free_ char **vals = xcalloc(n_attrs + 1, sizeof(char *));
	_cleanup_free_ char *cost = NULL;
	char *why = NULL;
	int k = 0;

	k = compat_tvalue_expand(&d->mdev_type, vs, &s->b, &s->mdev_type, &why);
	for (size_t i = 0; k == 0 && i < n_attrs; i++)
		k = compat_tvalue_expand(&d->attrs[i].value, vs, &s->b, &vals[i], &why);
	s->params = xcalloc(d->n_params + 1, sizeof(*s->params));
	for (size_t i = 0; k == 0 && i < d->n_params; i++) {
		const struct compat_param *p = &d->params[i];
		struct xparam *x = &s->params[s->n_params++];
		x->name = p->name;
		x->v = (struct pval){ .type = p->value.type, .b = p->value.b, .i = p->value.i };
		if (p->value.type == COMPAT_SCALAR_STRING) {
			k = compat_tvalue_expand(&p->value.s, vs, &s->b, &x->s, &why);
			x->v.s = x->s;
		}
	}
	if (k == 0)
		k = compat_tvalue_expand(&pat->cost, vs, &s->b, &cost, &why);
	if (k < 0) {
		ret->code = why ? why : xstrdup("BINDING_INVALID:");
		ret->text = binding_invalid_text(ret->code);
		k = -EDOM;
		goto out;
	}

	for (size_t i = 0; i < n_attrs; i++) {
		const struct compat_tvalue *tv = &d->attrs[i].value;
		if (tv->tmpl && !compat_template_is_literal(tv->tmpl) && is_negative_int(vals[i])) {
			ret->code = xasprintf("BINDING_INVALID:%s=%s", d->attrs[i].name, vals[i]);
			ret->text = xasprintf("binding invalid: attr %s = %s is negative",
					      d->attrs[i].name, vals[i]);
			k = -EDOM;
			goto out;
		}
	}
	if (!parse_dec(cost, &s->cost) || s->cost < 1) {
		ret->code = xasprintf("BINDING_INVALID:cost=%s", cost);
		ret->text = xasprintf("binding invalid: cost = %s is not an integer of at least 1",
				      cost);
		k = -EDOM;
		goto out;
	}

	for (size_t i = 0; i < n_attrs; i++) {
		if (attr_is_default(r, d->attrs[i].name, vals[i]))
			continue;
		kvs_add(&s->attrs, xstrdup(d->attrs[i].name), TAKE_PTR(vals[i]));
	}
	if (s->n_params > 1)
		qsort(s->params, s->n_params, sizeof(*s->params), cmp_xparam);
out:
	for (size_t i = 0; i < n_attrs; i++)
		free(vals[i]);
	return k;
}

/* The de-duplication key: type, attrs after dropping defaults, expanded params. */
static char *spec_key(const struct spec *s)
{
	struct strbuf key = { 0 };
	char num[32];

	compat_dedup_key_add(&key, s->mdev_type);
	snprintf(num, sizeof(num), "%zu", s->attrs.n);
	compat_dedup_key_add(&key, num);
	for (size_t i = 0; i < s->attrs.n; i++) {
		compat_dedup_key_add(&key, s->attrs.v[i].name);
		compat_dedup_key_add(&key, s->attrs.v[i].value);
	}
	for (size_t i = 0; i < s->n_params; i++) {
		const struct pval *v = &s->params[i].v;
		_cleanup_free_ char *typed = NULL;
		compat_dedup_key_add(&key, s->params[i].name);
		switch (v->type) {
		case COMPAT_SCALAR_BOOL:
			typed = xstrdup(v->b ? "b:1" : "b:0");
			break;
		case COMPAT_SCALAR_INT:
			typed = xasprintf("i:%" PRId64, v->i);
			break;
		case COMPAT_SCALAR_STRING:
			typed = xasprintf("s:%s", v->s);
			break;
		}
		compat_dedup_key_add(&key, typed);
	}
	return sb_steal(&key);
}

/* ---- the rules of one target ---- */

struct type_ref {
	const struct compat_inv_parent *parent;
	const struct compat_inv_type *type;
	size_t parent_index;
};

struct match {
	const struct compat_record *r;
	const struct compat_inventory *inv;
	const struct compat_select *sel;
	struct compat_plan *plan;
	/* The UUID policy, the same for every target: a new device's UUID, whether it differs
	 * from the source's, whether it is refused (and why, in words); the UUID a reused device
	 * must have, NULL when any will do. */
	const char *create_uuid;
	bool create_uuid_changed;
	enum compat_uuid_from create_uuid_from;
	bool uuid_conflict;
	char *uuid_conflict_text;
	const char *reuse_uuid;
	/* The device that has the wanted UUID (--uuid, else the source's), NULL when none does:
	 * on its own target it is the answer of a retry (existing, or its definition started
	 * again) when its attrs are the target's writes. */
	const struct compat_inv_device *holder;
	enum compat_uuid_from want_from;
	size_t order;
	/* Indexes, so that a record with thousands of bindings against an inventory with
	 * thousands of types or devices costs a binary search per binding, not a scan: every
	 * (parent, type) by type id then parent order; the free devices by parent, type, then
	 * inventory order. */
	struct type_ref *types;
	size_t n_types;
	const struct compat_inv_device **free_devs;
	size_t n_free_devs;
	/* compat_version_check() remembered: thousands of targets compare the versions of a few
	 * patterns with those of a few hundred types, and parsing both every time was a fifth of
	 * the matching. By the strings' addresses, which stay put while the record and the
	 * inventory do. */
	struct version_memo *memo;
	size_t memo_mask, memo_n;
	/* The pool's copy of each string of the record, the inventory and the selection that a
	 * candidate shows (parents, types, UUIDs), by address: they stay put while matching. */
	struct pooled *pooled;
	size_t pooled_mask, pooled_n;
};

struct pooled {
	const char *from, *to; /* from NULL: empty slot */
};

static size_t pooled_slot(const struct match *m, const char *from)
{
	size_t k = (size_t)(((uintptr_t)from * 0x9e3779b97f4a7c15ull) >> 17) & m->pooled_mask;
	while (m->pooled[k].from && m->pooled[k].from != from)
		k = (k + 1) & m->pooled_mask;
	return k;
}

/* plan_intern() of a string that stays put while matching, found by its address. */
static const char *intern_stable(struct match *m, const char *from)
{
	if (2 * (m->pooled_n + 1) > m->pooled_mask + 1) {
		size_t old_cap = m->pooled ? m->pooled_mask + 1 : 0;
		struct pooled *old = m->pooled;
		m->pooled = xcalloc(old_cap ? 2 * old_cap : 64, sizeof(*m->pooled));
		m->pooled_mask = (old_cap ? 2 * old_cap : 64) - 1;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].from)
				m->pooled[pooled_slot(m, old[i].from)] = old[i];
		free(old);
	}
	size_t k = pooled_slot(m, from);
	if (!m->pooled[k].from) {
		m->pooled[k] = (struct pooled){ .from = from, .to = plan_intern(m->plan, from) };
		m->pooled_n++;
	}
	return m->pooled[k].to;
}

struct version_memo {
	bool used;
	const void *range;
	const char *source, *candidate;
	enum compat_scheme scheme;
	int result;
};

static size_t memo_slot(const struct match *m, const void *r, const char *source,
			const char *candidate, enum compat_scheme scheme)
{
	uint64_t h = ((uintptr_t)r * 31 + (uintptr_t)source) * 31 +
		     (uintptr_t)candidate * 0x9e3779b97f4a7c15ull + scheme;
	size_t k = (h ^ h >> 29) & m->memo_mask;
	for (; m->memo[k].used; k = (k + 1) & m->memo_mask) {
		const struct version_memo *e = &m->memo[k];
		if (e->range == r && e->source == source && e->candidate == candidate &&
		    e->scheme == scheme)
			break;
	}
	return k;
}

static int version_check(struct match *m, enum compat_scheme scheme,
			 const struct compat_version_range *r, const char *source,
			 const char *candidate)
{
	if (2 * (m->memo_n + 1) > m->memo_mask + 1) {
		/* Start, or grow to twice the slots: at most half of them used. */
		size_t old_cap = m->memo ? m->memo_mask + 1 : 0;
		struct version_memo *old = m->memo;
		m->memo = xcalloc(old_cap ? 2 * old_cap : 64, sizeof(*m->memo));
		m->memo_mask = (old_cap ? 2 * old_cap : 64) - 1;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				m->memo[memo_slot(m, old[i].range, old[i].source, old[i].candidate,
						  old[i].scheme)] = old[i];
		free(old);
	}
	size_t k = memo_slot(m, r, source, candidate, scheme);
	if (!m->memo[k].used) {
		m->memo[k] = (struct version_memo){
			.used = true,
			.range = r,
			.source = source,
			.candidate = candidate,
			.scheme = scheme,
			.result = compat_version_check(scheme, r, source, candidate),
		};
		m->memo_n++;
	}
	return m->memo[k].result;
}

static void rule_device_api(const struct compat_pattern *pat, const struct compat_inv_type *t,
			    struct reasons *rs)
{
	if (pat->d.device_api && !streq(pat->d.device_api, t->device_api))
		reasons_add(rs, xstrdup("DEVICE_API_MISMATCH"),
			    xasprintf("device API mismatch: the source has %s, the destination %s",
				      pat->d.device_api, t->device_api));
}

static void rule_driver_name(const struct compat_pattern *pat, const struct compat_inv_type *t,
			     struct reasons *rs)
{
	const char *want = pat->d.driver.name, *have = t->driver.name;
	if (!want || (have && streq(want, have)))
		return;
	reasons_add(
		rs, xstrdup("DRIVER_NAME_MISMATCH"),
		have ? xasprintf("driver name mismatch: the source has %s, the destination %s",
				 want, have)
		     : xasprintf(
			       "driver name mismatch: the source has %s, the destination reports none",
			       want));
}

static void rule_versions(struct match *m, const struct compat_pattern *pat,
			  const struct compat_inv_type *t, struct reasons *rs)
{
	const char *src = pat->d.driver.version, *dst = t->driver.version;
	enum compat_scheme scheme = pat->d.driver.scheme;
	const char *sname = compat_scheme_to_string(scheme);

	if (!src)
		return;
	const struct compat_version_range *vr =
		pat->version_range ? &pat->version_range->view : NULL;
	int k = version_check(m, scheme, vr, src, dst);
	if (k == 0)
		reasons_add(
			rs, xstrdup("VERSION_OUT_OF_RANGE"),
			xasprintf(
				"driver version out of range: the destination's %s is not accepted for the source's %s",
				dst, src));
	else if (k < 0)
		reasons_add(
			rs, xstrdup("VERSION_UNPARSEABLE"),
			dst ? xasprintf(
				      "driver version unparseable: the destination's %s is not a %s version",
				      dst, sname)
			    : xstrdup("driver version unknown: the destination reports none"));
	if (!t->has_accepts)
		return;
	k = version_check(m, scheme, &t->accepts_driver_version.view, NULL, src);
	if (k == 0)
		reasons_add(
			rs, xstrdup("DEST_REJECTS_SOURCE_VERSION"),
			xasprintf("the destination does not accept the source's driver version %s",
				  src));
	else if (k < 0 && !reasons_have(rs, "VERSION_UNPARSEABLE"))
		reasons_add(
			rs, xstrdup("VERSION_UNPARSEABLE"),
			xasprintf(
				"driver version unparseable: the versions the destination accepts are not %s versions",
				sname));
}

static void rule_pci(const struct compat_pattern *pat, const struct compat_inv_type *t,
		     struct reasons *rs)
{
	for (size_t f = 0; f < _COMPAT_PCI_FIELD_MAX; f++) {
		const struct compat_pci_id *want = &pat->d.pci.id[f], *have = &t->pci.id[f];
		bool match = false;
		if (!want->n)
			continue;
		for (size_t k = 0; have->n && k < want->n && !match; k++)
			match = want->value[k] == have->value[0];
		if (match)
			continue;
		struct strbuf w = { 0 };
		for (size_t k = 0; k < want->n; k++)
			sb_printf(&w, "%s%s", k ? ", " : (want->in ? "one of " : ""),
				  want->text[k]);
		const char *field = compat_pci_field_names[f];
		reasons_add(
			rs, xasprintf("PCI_ID_MISMATCH:%s", field),
			have->n ? xasprintf(
					  "PCI id mismatch: the source's %s is %s, the destination's %s",
					  field, w.buf, have->text[0])
				: xasprintf(
					  "PCI id mismatch: the source's %s is %s, the destination reports none",
					  field, w.buf));
		sb_free(&w);
	}
}

static void rule_migration(const struct compat_record *r, const struct compat_pattern *pat,
			   const struct compat_inv_type *t, struct reasons *rs)
{
	if (!pat->d.migration_flags && !r->requires_migration_flags)
		return;
	bool unsupported = !(t->migration_flags & COMPAT_MIG_STOP_COPY);
	if (unsupported)
		reasons_add(
			rs, xstrdup("MIGRATION_UNSUPPORTED"),
			xstrdup("migration unsupported: the destination does not offer STOP_COPY"));
	for (unsigned k = 0; k < COMPAT_MIG_N; k++) {
		unsigned bit = 1u << k;
		if (!(r->requires_migration_flags & bit) || (t->migration_flags & bit))
			continue;
		if (bit == COMPAT_MIG_STOP_COPY && unsupported)
			continue;
		reasons_add(rs, xasprintf("MIGRATION_FLAG_MISSING:%s", compat_mig_names[k]),
			    xasprintf("migration flag missing on the destination: %s",
				      compat_mig_names[k]));
	}
}

static bool strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (streq(sv->v[i], s))
			return true;
	return false;
}

/* Those of a not in b, sorted, joined by sep. NULL when none. */
static char *strv_minus_joined(const struct strv *a, const struct strv *b, const char *sep)
{
	struct strv d = { 0 };
	for (size_t i = 0; i < a->n; i++)
		if (!strv_has(b, a->v[i]))
			strv_push(&d, xstrdup(a->v[i]));
	if (!d.n)
		return NULL;
	strv_sort(&d);
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < d.n; i++)
		sb_printf(&sb, "%s%s", i ? sep : "", d.v[i]);
	strv_free(&d);
	return sb_steal(&sb);
}

static void rule_features(const struct compat_record *r, const struct compat_pattern *pat,
			  const struct compat_inv_type *t, struct reasons *rs)
{
	_cleanup_free_ char *missing = strv_minus_joined(&pat->d.features, &t->features, ",");
	if (missing) {
		_cleanup_free_ char *words =
			strv_minus_joined(&pat->d.features, &t->features, ", ");
		reasons_add(rs, xasprintf("FEATURE_MISSING:%s", missing),
			    xasprintf("feature missing on the destination: %s", words));
	}
	if (r->feature_match != COMPAT_FEATURE_EXACT)
		return;
	_cleanup_free_ char *extra = strv_minus_joined(&t->features, &pat->d.features, ",");
	if (extra) {
		_cleanup_free_ char *words =
			strv_minus_joined(&t->features, &pat->d.features, ", ");
		reasons_add(
			rs, xasprintf("FEATURE_EXTRA:%s", extra),
			xasprintf(
				"feature extra on the destination, where an exact match is required: %s",
				words));
	}
}

/* ---- params ---- */

static struct pval pval_of(const struct compat_scalar *s)
{
	return (struct pval){ .type = s->type, .b = s->b, .i = s->i, .s = s->s.text };
}

static bool pval_eq(const struct pval *a, const struct pval *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case COMPAT_SCALAR_BOOL:
		return a->b == b->b;
	case COMPAT_SCALAR_INT:
		return a->i == b->i;
	case COMPAT_SCALAR_STRING:
		return streq(a->s, b->s);
	}
	return false;
}

/* As reasons show it (true/false) or as written to sysfs (1/0); ints in decimal. */
static char *pval_text(const struct pval *v, bool for_sysfs)
{
	switch (v->type) {
	case COMPAT_SCALAR_BOOL:
		return xstrdup(for_sysfs ? (v->b ? "1" : "0") : (v->b ? "true" : "false"));
	case COMPAT_SCALAR_INT:
		return xasprintf("%" PRId64, v->i);
	case COMPAT_SCALAR_STRING:
		break;
	}
	return xstrdup(v->s);
}

/* v read as the destination param's type: the same type, or a string (a template's result)
 * that reads fully as a decimal integer or as true/false. */
static bool pval_coerce(const struct pval *v, enum compat_scalar_type type, struct pval *ret)
{
	*ret = *v;
	if (v->type == type)
		return true;
	if (v->type != COMPAT_SCALAR_STRING)
		return false;
	ret->type = type;
	if (type == COMPAT_SCALAR_INT)
		return parse_dec(v->s, &ret->i);
	if (streq(v->s, "true") || streq(v->s, "false")) {
		ret->b = streq(v->s, "true");
		return true;
	}
	return false;
}

static bool pval_allowed(const struct pval *v, const struct compat_param_def *def)
{
	if (def->allowed) {
		for (size_t i = 0; i < def->n_allowed; i++) {
			struct pval a = pval_of(&def->allowed[i]);
			if (pval_eq(&a, v))
				return true;
		}
		return false;
	}
	if (def->has_range)
		return v->i >= def->range_min && v->i <= def->range_max;
	return true;
}

struct pwrite {
	const char *param;
	char *attr, *value;
};

static int cmp_pwrite(const void *a, const void *b)
{
	return strcmp(((const struct pwrite *)a)->param, ((const struct pwrite *)b)->param);
}

static int cmp_param_def(const void *a, const void *b)
{
	return strcmp((*(const struct compat_param_def *const *)a)->name,
		      (*(const struct compat_param_def *const *)b)->name);
}

static const struct compat_param_def *param_def_find(const struct compat_inv_type *t,
						     const char *name)
{
	for (size_t i = 0; i < t->n_params; i++)
		if (streq(t->params[i].name, name))
			return &t->params[i];
	return NULL;
}

static bool spec_has_param(const struct spec *s, const char *name)
{
	for (size_t i = 0; i < s->n_params; i++)
		if (streq(s->params[i].name, name))
			return true;
	return false;
}

/* The pattern's params in name order, then the destination's params it does not list ("absent
 * means off") in name order; the writes of both in param-name order, appended to writes. */
static void rule_params(const struct spec *s, const struct compat_inv_type *t, struct reasons *rs,
			struct kvs *writes, struct strv *keep)
{
	struct pwrite *pw = xcalloc(s->n_params + t->n_params + 1, sizeof(*pw));
	size_t n_pw = 0;

	for (size_t i = 0; i < s->n_params; i++) {
		const struct xparam *x = &s->params[i];
		const struct compat_param_def *def = param_def_find(t, x->name);
		struct pval v;
		if (!def) {
			reasons_add(rs, xasprintf("PARAM_UNSUPPORTED:%s", x->name),
				    xasprintf("param unsupported on the destination: %s", x->name));
			continue;
		}
		if (!pval_coerce(&x->v, def->type, &v) || !pval_allowed(&v, def)) {
			_cleanup_free_ char *text = pval_text(&x->v, false);
			reasons_add(rs, xasprintf("PARAM_VALUE_NOT_ALLOWED:%s=%s", x->name, text),
				    xasprintf("param value not allowed on the destination: %s = %s",
					      x->name, text));
			continue;
		}
		struct pval def_v = pval_of(&def->def);
		if (def->has_default && pval_eq(&v, &def_v))
			continue;
		/* Without a default the param is what the destination accepts, not a
		 * setting: the value is fine as it is, and written only where it can be. */
		if (!def->attr && !def->has_default)
			continue;
		if (!def->attr) {
			_cleanup_free_ char *text = pval_text(&v, false);
			reasons_add(
				rs, xasprintf("PARAM_NOT_SETTABLE:%s", x->name),
				xasprintf(
					"param not settable on the destination: %s = %s needs an attribute to write",
					x->name, text));
			continue;
		}
		pw[n_pw++] = (struct pwrite){ .param = x->name,
					      .attr = xstrdup(def->attr),
					      .value = pval_text(&v, true) };
	}

	const struct compat_param_def **defs = xcalloc(t->n_params + 1, sizeof(*defs));
	size_t n_defs = 0;
	for (size_t i = 0; i < t->n_params; i++)
		if (!spec_has_param(s, t->params[i].name))
			defs[n_defs++] = &t->params[i];
	if (n_defs > 1)
		qsort(defs, n_defs, sizeof(*defs), cmp_param_def);
	for (size_t i = 0; i < n_defs; i++) {
		const struct compat_param_def *def = defs[i];
		struct pval off = pval_of(&def->off), def_v = pval_of(&def->def);
		if (!def->has_off) {
			reasons_add(
				rs, xasprintf("PARAM_CANNOT_DISABLE:%s", def->name),
				xasprintf(
					"param cannot be switched off on the destination: %s (the source does not use it)",
					def->name));
			continue;
		}
		if (def->has_default && pval_eq(&off, &def_v))
			continue;
		if (!def->attr && !def->has_default)
			continue;
		if (!def->attr) {
			_cleanup_free_ char *text = pval_text(&off, false);
			reasons_add(
				rs, xasprintf("PARAM_NOT_SETTABLE:%s", def->name),
				xasprintf(
					"param not settable on the destination: switching %s off (%s) needs an attribute to write",
					def->name, text));
			continue;
		}
		pw[n_pw++] = (struct pwrite){ .param = def->name,
					      .attr = xstrdup(def->attr),
					      .value = pval_text(&off, true) };
	}
	free(defs);

	if (n_pw > 1)
		qsort(pw, n_pw, sizeof(*pw), cmp_pwrite);
	for (size_t i = 0; i < n_pw; i++) {
		strv_push(keep, pw[i].attr);
		strv_push(keep, pw[i].value);
		kvs_add(writes, pw[i].attr, pw[i].value);
	}
	free(pw);
}

/* ---- vendor fields ---- */

static int cmp_kv_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct compat_kv *const *)a)->name,
		      (*(const struct compat_kv *const *)b)->name);
}

static const struct compat_kv *kv_find(const struct compat_kv *kv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(kv[i].name, name))
			return &kv[i];
	return NULL;
}

/* Pointers to the entries of kv in name order (a caller-freed array). */
static const struct compat_kv **kv_sorted(const struct compat_kv *kv, size_t n)
{
	const struct compat_kv **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &kv[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_kv_ptr);
	return v;
}

static void rule_vendor_fields(const struct compat_pattern *pat, const struct compat_inv_type *t,
			       struct reasons *rs)
{
	const struct compat_descriptor *d = &pat->d;
	_cleanup_free_ const struct compat_kv **want =
		kv_sorted(d->vendor_fields, d->n_vendor_fields);
	_cleanup_free_ const struct compat_kv **have =
		kv_sorted(t->vendor_fields, t->n_vendor_fields);

	for (size_t i = 0; i < d->n_vendor_fields; i++) {
		const struct compat_kv *h =
			kv_find(t->vendor_fields, t->n_vendor_fields, want[i]->name);
		if (!h)
			reasons_add(rs, xasprintf("VENDOR_FIELD_MISSING:%s", want[i]->name),
				    xasprintf("vendor field missing on the destination: %s",
					      want[i]->name));
		else if (!streq(h->value, want[i]->value))
			reasons_add(
				rs, xasprintf("VENDOR_FIELD_MISMATCH:%s", want[i]->name),
				xasprintf(
					"vendor field mismatch: %s is \"%s\" on the source, \"%s\" on the destination",
					want[i]->name, want[i]->value, h->value));
	}
	for (size_t i = 0; i < t->n_vendor_fields; i++)
		if (!kv_find(d->vendor_fields, d->n_vendor_fields, have[i]->name))
			reasons_add(rs, xasprintf("VENDOR_FIELD_EXTRA:%s", have[i]->name),
				    xasprintf("vendor field extra on the destination: %s",
					      have[i]->name));
}

/* ---- attrs ---- */

static bool attr_value_allowed(const struct compat_settable_attr *a, const char *value)
{
	switch (a->type) {
	case COMPAT_ATTR_INT: {
		uint64_t v;
		if (!kernel_strtoul(value, &v))
			return false;
		if (a->allowed) {
			for (size_t i = 0; i < a->n_allowed; i++)
				if (a->allowed[i].i >= 0 && (uint64_t)a->allowed[i].i == v)
					return true;
			return false;
		}
		if (a->has_range)
			return v <= INT64_MAX && (int64_t)v >= a->range_min &&
			       (int64_t)v <= a->range_max;
		return true;
	}
	case COMPAT_ATTR_BOOL: {
		bool b;
		if (!kernel_strtobool(value, &b))
			return false;
		if (!a->allowed)
			return true;
		for (size_t i = 0; i < a->n_allowed; i++)
			if (a->allowed[i].b == b)
				return true;
		return false;
	}
	case COMPAT_ATTR_STRING:
		if (!a->allowed)
			return true;
		for (size_t i = 0; i < a->n_allowed; i++)
			if (streq(a->allowed[i].s.text, value))
				return true;
		return false;
	case COMPAT_ATTR_ANY:
		return true;
	}
	return false;
}

/* What a settable attr allows, in words: "1 to 8", "1, 2, 4", "\"a\", \"b\"", "an integer". */
static char *attr_allowed_text(const struct compat_settable_attr *a)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; a->allowed && i < a->n_allowed; i++) {
		const struct compat_scalar *v = &a->allowed[i];
		if (i)
			sb_puts(&sb, ", ");
		if (a->type == COMPAT_ATTR_INT)
			sb_printf(&sb, "%" PRId64, v->i);
		else if (a->type == COMPAT_ATTR_BOOL)
			sb_puts(&sb, v->b ? "true" : "false");
		else
			sb_printf(&sb, "\"%s\"", v->s.text);
	}
	if (!a->allowed && a->has_range)
		sb_printf(&sb, "%" PRId64 " to %" PRId64, a->range_min, a->range_max);
	else if (!a->allowed && a->type == COMPAT_ATTR_INT)
		sb_puts(&sb, "an integer");
	else if (!a->allowed && a->type == COMPAT_ATTR_BOOL)
		sb_puts(&sb, "a boolean (1/0, y/n, on/off)");
	return sb_steal(&sb);
}

/* Whether the source device carries an attribute of this name. */
static bool self_has_attr(const struct compat_record *r, const char *name)
{
	for (size_t i = 0; i < r->self.n_attrs; i++)
		if (streq(r->self.attrs[i].name, name))
			return true;
	return false;
}

static void rule_attrs(const struct compat_record *r, const struct spec *s,
		       const struct compat_inv_type *t, struct reasons *rs)
{
	/* Where no layer says anything about the type's attributes, those the source carries are
	 * settable on its own type: the kernel judges the value when it is written, and a
	 * refused write is a failed attempt (COMPAT.md section 4). */
	bool own_type_unstated =
		t->n_settable_attrs == 0 && streq(t->mdev_type, r->self.mdev_type.text);

	for (size_t i = 0; i < s->attrs.n; i++) {
		const struct compat_kv *a = &s->attrs.v[i];
		const struct compat_settable_attr *def = NULL;
		for (size_t k = 0; k < t->n_settable_attrs && !def; k++)
			if (streq(t->settable_attrs[k].name, a->name))
				def = &t->settable_attrs[k];
		if (!def && own_type_unstated && self_has_attr(r, a->name))
			continue;
		if (!def)
			reasons_add(rs, xasprintf("ATTR_NOT_SETTABLE:%s", a->name),
				    xasprintf("attr not settable on the destination: %s", a->name));
		else if (!attr_value_allowed(def, a->value)) {
			_cleanup_free_ char *allowed = attr_allowed_text(def);
			reasons_add(
				rs, xasprintf("ATTR_VALUE_NOT_ALLOWED:%s=%s", a->name, a->value),
				xasprintf(
					"attr value not allowed on the destination: %s = %s (allowed: %s)",
					a->name, a->value, allowed));
		}
	}
}

/* ---- targets ---- */

static struct rejection *plan_add_rejection(struct compat_plan *p, const struct spec *s,
					    const char *parent, const char *mdev_type)
{
	if (p->n_rejs == p->cap_rejs) {
		p->cap_rejs = p->cap_rejs ? p->cap_rejs * 2 : 16;
		p->rejs = xrealloc(p->rejs, p->cap_rejs * sizeof(*p->rejs));
	}
	struct rejection *j = &p->rejs[p->n_rejs++];
	*j = (struct rejection){
		.pattern = s->pnum,
		.binding = json_incref(s->binding),
		.binding_text = xstrdup(s->binding_text),
		.parent = parent ? xstrdup(parent) : NULL,
		.mdev_type = mdev_type ? xstrdup(mdev_type) : NULL,
		.cls = COMPAT_VERDICT_INCOMPATIBLE,
	};
	return j;
}

/* How a candidate is made: its action and its UUID. */
struct way {
	bool reuse, existing, restart, verify_attrs;
	const char *uuid;
	bool uuid_changed;
	enum compat_uuid_from uuid_from;
};

static void plan_add_candidate(struct match *m, const struct spec *s, const char *parent,
			       const struct compat_inv_type *t, const struct kvs *writes,
			       const struct way *w)
{
	struct compat_plan *p = m->plan;
	if (p->n_cands == p->cap_cands) {
		p->cap_cands = p->cap_cands ? p->cap_cands * 2 : 16;
		p->cands = xrealloc(p->cands, p->cap_cands * sizeof(*p->cands));
	}
	struct candidate *c = &p->cands[p->n_cands++];
	*c = (struct candidate){
		.parent = intern_stable(m, parent),
		.mdev_type = intern_stable(m, t->mdev_type),
		.uuid = intern_stable(m, w->uuid),
		.binding = json_incref(s->binding),
		.binding_text = s->pooled_binding_text,
		.on_hint = m->sel->parent_hint && streq(m->sel->parent_hint, parent),
		.retry = w->existing || w->restart,
		.order = m->order++,
	};
	if (writes->n) {
		c->attrs = (struct kvs){ .v = xmalloc(writes->n * sizeof(*c->attrs.v)),
					 .n = writes->n,
					 .cap = writes->n };
		/* The pattern's attrs first, already pooled (eval_target()); then the params'. */
		for (size_t i = 0; i < writes->n; i++)
			c->attrs.v[i] =
				i < s->attrs.n
					? writes->v[i]
					: (struct compat_kv){
						  .name = (char *)plan_intern(p, writes->v[i].name),
						  .value =
							  (char *)plan_intern(p, writes->v[i].value)
					  };
	}
	if (m->sel->policy == COMPAT_POLICY_SPREAD)
		c->policy_key = -t->available_instances;
	else if (m->sel->policy == COMPAT_POLICY_PACK)
		c->policy_key = t->available_instances;
	c->c = (struct compat_choice){
		.reuse = w->reuse,
		.existing = w->existing,
		.restart = w->restart,
		.verify_attrs = w->verify_attrs,
		.parent = c->parent,
		.mdev_type = c->mdev_type,
		.uuid = c->uuid,
		.uuid_changed = w->uuid_changed,
		.uuid_from = w->uuid_from,
		.attrs = c->attrs.v,
		.n_attrs = c->attrs.n,
		.cost = s->cost,
		.pattern = s->pnum,
		.binding = s->b.seq,
		.binding_text = s->pooled_binding_text,
		.available = t->available_instances,
	};
}

/* A free device's attrs, defaults dropped, are exactly writes, in order. */
static bool device_attrs_equal(const struct compat_record *r, const struct compat_inv_device *d,
			       const struct kvs *writes)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n_attrs; i++) {
		const char *name = d->attrs[i].name, *value = d->attrs[i].value.text;
		if (attr_is_default(r, name, value))
			continue;
		if (k == writes->n || !streq(writes->v[k].name, name) ||
		    !streq(writes->v[k].value, value))
			return false;
		k++;
	}
	return k == writes->n;
}

/* A running device whose writes are unknown (compat_inv_device.attrs_unknown): every write
 * reads back from it as written, numbers as the kernel reads them ("0x2" is "2"); one that
 * cannot be read is taken on trust, one that is not there fails. */
static bool observed_attrs_match(const struct compat_inv_device *d, const struct kvs *writes)
{
	for (size_t i = 0; i < writes->n; i++) {
		const struct compat_attr *o = NULL;
		uint64_t a, b;
		for (size_t k = 0; k < d->n_attrs && !o; k++)
			if (streq(d->attrs[k].name, writes->v[i].name))
				o = &d->attrs[k];
		if (!o)
			return false;
		const char *have = o->value.text, *want = writes->v[i].value;
		if (have && !streq(have, want) &&
		    !(kernel_strtoul(have, &a) && kernel_strtoul(want, &b) && a == b))
			return false;
	}
	return true;
}

/* ---- indexes ---- */

static int cmp_type_ref(const void *a, const void *b)
{
	const struct type_ref *x = a, *y = b;
	int k = strcmp(x->type->mdev_type, y->type->mdev_type);
	if (k)
		return k;
	return x->parent_index < y->parent_index ? -1 : x->parent_index > y->parent_index;
}

static int cmp_free_dev(const void *a, const void *b)
{
	const struct compat_inv_device *x = *(const struct compat_inv_device *const *)a;
	const struct compat_inv_device *y = *(const struct compat_inv_device *const *)b;
	int k = strcmp(x->parent, y->parent);
	if (k || (k = strcmp(x->mdev_type, y->mdev_type)))
		return k;
	return x < y ? -1 : x > y; /* inventory order: they are elements of one array */
}

static void index_build(struct match *m)
{
	const struct compat_inventory *inv = m->inv;
	size_t n = 0;

	for (size_t i = 0; i < inv->n_parents; i++)
		n += inv->parents[i].n_types;
	m->types = xcalloc(n + 1, sizeof(*m->types));
	for (size_t i = 0; i < inv->n_parents; i++)
		for (size_t k = 0; k < inv->parents[i].n_types; k++)
			m->types[m->n_types++] =
				(struct type_ref){ .parent = &inv->parents[i],
						   .type = &inv->parents[i].types[k],
						   .parent_index = i };
	if (m->n_types > 1)
		qsort(m->types, m->n_types, sizeof(*m->types), cmp_type_ref);

	m->free_devs = xcalloc(inv->n_devices + 1, sizeof(*m->free_devs));
	for (size_t i = 0; i < inv->n_devices; i++)
		if (inv->devices[i].state == COMPAT_DEV_FREE)
			m->free_devs[m->n_free_devs++] = &inv->devices[i];
	if (m->n_free_devs > 1)
		qsort(m->free_devs, m->n_free_devs, sizeof(*m->free_devs), cmp_free_dev);
}

/* The first index whose type id is not below type (lower bound). */
static size_t types_first(const struct match *m, const char *type)
{
	size_t lo = 0, hi = m->n_types;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->types[mid].type->mdev_type, type) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first free device not below (parent, type) (lower bound). */
static size_t free_devs_first(const struct match *m, const char *parent, const char *type)
{
	size_t lo = 0, hi = m->n_free_devs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct compat_inv_device *d = m->free_devs[mid];
		int k = strcmp(d->parent, parent);
		if (k < 0 || (k == 0 && strcmp(d->mdev_type, type) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void eval_target(struct match *m, const struct spec *s, const struct compat_inv_parent *par,
			const struct compat_inv_type *t)
{
	const struct compat_pattern *pat = s->pat;
	bool live = m->sel->mode == COMPAT_MODE_LIVE;
	struct reasons rs = { 0 };
	/* The writes borrow their strings: the spec's attrs, and what rule_params() makes,
	 * which keep owns. */
	struct kvs writes = { 0 };
	struct strv keep = { 0 };

	for (size_t i = 0; i < s->attrs.n; i++)
		kvs_add(&writes, s->pooled_attrs[i].name, s->pooled_attrs[i].value);
	rule_device_api(pat, t, &rs);
	rule_driver_name(pat, t, &rs);
	if (live)
		rule_versions(m, pat, t, &rs);
	rule_pci(pat, t, &rs);
	if (live)
		rule_migration(m->r, pat, t, &rs);
	rule_features(m->r, pat, t, &rs);
	rule_params(s, t, &rs, &writes, &keep);
	rule_vendor_fields(pat, t, &rs);
	rule_attrs(m->r, s, t, &rs);
	size_t n_rules = rs.n;
	bool fits = s->cost <= t->available_instances;

	size_t before = m->plan->n_cands;
	bool reuse_refused = false;
	size_t first = free_devs_first(m, par->parent, t->mdev_type);
	for (size_t i = first; n_rules == 0 && !m->sel->no_reuse && i < m->n_free_devs; i++) {
		const struct compat_inv_device *d = m->free_devs[i];
		if (!streq(d->parent, par->parent) || !streq(d->mdev_type, t->mdev_type))
			break;
		if (!device_attrs_equal(m->r, d, &writes))
			continue;
		if (m->reuse_uuid && !streq(d->uuid, m->reuse_uuid)) {
			reuse_refused = true;
			continue;
		}
		struct way w = { .reuse = true,
				 .uuid = d->uuid,
				 .uuid_changed = m->r->uuid[0] && !streq(d->uuid, m->r->uuid),
				 .uuid_from = COMPAT_UUID_DEVICE };
		plan_add_candidate(m, s, par->parent, t, &writes, &w);
	}
	/* The holder of the wanted UUID, on its own target with the target's attrs: what an
	 * earlier run made. It is the answer there, in the place of a new device. */
	const struct compat_inv_device *h = m->holder;
	bool retry = n_rules == 0 && h && h->state != COMPAT_DEV_FREE &&
		     streq(h->parent, par->parent) && streq(h->mdev_type, t->mdev_type) &&
		     (h->attrs_unknown ? observed_attrs_match(h, &writes)
				       : device_attrs_equal(m->r, h, &writes));
	if (retry && (h->state == COMPAT_DEV_IN_USE || fits)) {
		struct way w = { .existing = h->state == COMPAT_DEV_IN_USE,
				 .restart = h->state == COMPAT_DEV_DEFINED,
				 .verify_attrs = h->attrs_unknown && writes.n > 0,
				 .uuid = h->uuid,
				 .uuid_changed = m->r->uuid[0] && !streq(h->uuid, m->r->uuid),
				 .uuid_from = m->want_from };
		plan_add_candidate(m, s, par->parent, t, &writes, &w);
	}
	if (n_rules == 0 && fits && !m->uuid_conflict && !retry) {
		struct way w = { .uuid = m->create_uuid,
				 .uuid_changed = m->create_uuid_changed,
				 .uuid_from = m->create_uuid_from };
		plan_add_candidate(m, s, par->parent, t, &writes, &w);
	}

	if (m->plan->n_cands == before) {
		if (!fits)
			reasons_add(&rs,
				    xasprintf("NO_CAPACITY:%" PRId64 "<%" PRId64,
					      t->available_instances, s->cost),
				    xasprintf("no capacity: %" PRId64 " available, %" PRId64
					      " needed",
					      t->available_instances, s->cost));
		if (m->uuid_conflict && !retry)
			reasons_add(&rs, xstrdup("UUID_CONFLICT"), xstrdup(m->uuid_conflict_text));
		else if (reuse_refused)
			reasons_add(
				&rs, xstrdup("UUID_CONFLICT"),
				xasprintf("UUID conflict: no free device of this type has UUID %s",
					  m->reuse_uuid));
		struct rejection *j = plan_add_rejection(m->plan, s, par->parent, t->mdev_type);
		/* Capacity and the UUID policy are no reasons never to come back: with a
		 * UUID_CONFLICT among them the target is blocked, full or not. */
		if (n_rules)
			j->cls = COMPAT_VERDICT_INCOMPATIBLE;
		else if (reuse_refused || (m->uuid_conflict && !retry))
			j->cls = COMPAT_VERDICT_BLOCKED;
		else
			j->cls = COMPAT_VERDICT_NO_CAPACITY;
		j->reasons = rs;
	} else
		reasons_free(&rs);
	free(writes.v);
	strv_free(&keep);
}

static const struct compat_inv_device *device_with_uuid(const struct compat_inventory *inv,
							const char *uuid)
{
	for (size_t i = 0; i < inv->n_devices; i++)
		if (streq(inv->devices[i].uuid, uuid))
			return &inv->devices[i];
	return NULL;
}

static const char *const state_words[] = {
	[COMPAT_DEV_FREE] = "free",
	[COMPAT_DEV_IN_USE] = "in use",
	[COMPAT_DEV_DEFINED] = "defined",
};

/* Rule 12, decided once: which UUID a new device takes and whether that is refused. The
 * wanted UUID is --uuid, else the source's; its holder, if any, is remembered for the retry
 * candidates (eval_target()) and for saying which device took it. */
static void uuid_policy(struct match *m)
{
	const struct compat_record *r = m->r;
	const struct compat_select *sel = m->sel;
	bool has_src = r->uuid[0] != '\0';
	const char *want = sel->uuid ? sel->uuid : has_src ? r->uuid : NULL;
	const char *whose = sel->uuid ? "the requested UUID" : "the source's UUID";

	m->want_from = sel->uuid ? COMPAT_UUID_REQUESTED : COMPAT_UUID_SOURCE;
	m->holder = want ? device_with_uuid(m->inv, want) : NULL;
	if (m->holder)
		m->plan->uuid_holder = xasprintf("%s on %s, %s", m->holder->mdev_type,
						 m->holder->parent, state_words[m->holder->state]);
	memcpy(m->plan->src_uuid, r->uuid, sizeof(r->uuid));
	if (want && !m->holder) {
		m->create_uuid = want;
		m->create_uuid_from = m->want_from;
	} else if (want && (sel->uuid || sel->keep_uuid)) {
		m->create_uuid = want;
		m->create_uuid_from = m->want_from;
		m->uuid_conflict = true;
		m->uuid_conflict_text = xasprintf(
			"UUID conflict: %s (%s%s) is already used on the destination, by %s", want,
			whose, sel->uuid ? "" : ", to be kept", m->plan->uuid_holder);
	} else {
		m->create_uuid = sel->fresh_uuid;
		m->create_uuid_from = COMPAT_UUID_FRESH;
		const struct compat_inv_device *d = device_with_uuid(m->inv, sel->fresh_uuid);
		if (d) {
			m->uuid_conflict = true;
			m->uuid_conflict_text = xasprintf(
				"UUID conflict: %s (a new UUID) is already used on the destination, by %s on %s, %s",
				sel->fresh_uuid, d->mdev_type, d->parent, state_words[d->state]);
		}
	}
	m->create_uuid_changed = has_src && !streq(m->create_uuid, r->uuid);
	m->reuse_uuid = sel->uuid ? sel->uuid : (sel->keep_uuid && has_src ? r->uuid : NULL);
}

/* ---- ranking ---- */

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	int k;

	if (x->retry != y->retry)
		return x->retry ? -1 : 1;
	if (x->on_hint != y->on_hint)
		return x->on_hint ? -1 : 1;
	if (x->c.pattern != y->c.pattern)
		return x->c.pattern < y->c.pattern ? -1 : 1;
	if (x->c.binding != y->c.binding)
		return x->c.binding < y->c.binding ? -1 : 1;
	if (x->c.reuse != y->c.reuse)
		return x->c.reuse ? -1 : 1;
	if (x->policy_key != y->policy_key)
		return x->policy_key < y->policy_key ? -1 : 1;
	/* Pooled strings: equal only when the same pointer. */
	if (x->parent != y->parent && (k = strcmp(x->parent, y->parent)))
		return k;
	if (x->uuid != y->uuid && (k = strcmp(x->uuid, y->uuid)))
		return k;
	return x->order < y->order ? -1 : x->order > y->order;
}

static enum compat_verdict plan_decide(const struct compat_plan *p)
{
	bool blocked = false, no_capacity = false;
	if (p->n_cands)
		return COMPAT_VERDICT_COMPATIBLE;
	for (size_t i = 0; i < p->n_rejs; i++) {
		blocked |= p->rejs[i].cls == COMPAT_VERDICT_BLOCKED;
		no_capacity |= p->rejs[i].cls == COMPAT_VERDICT_NO_CAPACITY;
	}
	return blocked	     ? COMPAT_VERDICT_BLOCKED
	       : no_capacity ? COMPAT_VERDICT_NO_CAPACITY
			     : COMPAT_VERDICT_INCOMPATIBLE;
}

/* ---- the engine ---- */

static void eval_binding(struct match *m, struct spec *s, struct compat_dedup *seen)
{
	struct reason why = { 0 };
	if (spec_expand(m->r, s, &why) < 0) {
		struct rejection *j = plan_add_rejection(m->plan, s, NULL, NULL);
		reasons_add(&j->reasons, why.code, why.text);
		return;
	}
	_cleanup_free_ char *key = spec_key(s);
	if (!compat_dedup_add(seen, key, s->b.seq, NULL))
		return;
	s->pooled_binding_text = plan_intern(m->plan, s->binding_text);
	s->pooled_attrs = xcalloc(s->attrs.n + 1, sizeof(*s->pooled_attrs));
	for (size_t k = 0; k < s->attrs.n; k++)
		s->pooled_attrs[k] = (struct compat_kv){
			.name = (char *)plan_intern(m->plan, s->attrs.v[k].name),
			.value = (char *)plan_intern(m->plan, s->attrs.v[k].value)
		};
	const char *only = m->sel->parent_only;
	size_t examined = 0;
	for (size_t i = types_first(m, s->mdev_type);
	     i < m->n_types && streq(m->types[i].type->mdev_type, s->mdev_type); i++) {
		if (only && !streq(m->types[i].parent->parent, only))
			continue;
		eval_target(m, s, m->types[i].parent, m->types[i].type);
		examined++;
	}
	if (examined == 0) {
		struct rejection *j = plan_add_rejection(m->plan, s, only, s->mdev_type);
		reasons_add(&j->reasons, xasprintf("TYPE_NOT_FOUND:%s", s->mdev_type),
			    only ? xstrdup("type not found on this parent")
				 : xstrdup("type not found on any parent"));
	}
}

int compat_match(const struct compat_record *r, const struct compat_inventory *inv,
		 const struct compat_select *sel, struct compat_plan **ret)
{
	if (!r || !inv || !sel)
		return err_set(-EINVAL, "compat_match: no record, inventory or selection");
	if (!sel->fresh_uuid || !uuid_is_canonical(sel->fresh_uuid))
		return err_set(-EINVAL, "compat_match: the fresh UUID is missing or not canonical");
	if (sel->uuid && !uuid_is_canonical(sel->uuid))
		return err_set(-EINVAL, "compat_match: the requested UUID %s is not canonical",
			       sel->uuid);
	if (!compat_policy_to_string(sel->policy) || !compat_mode_to_string(sel->mode))
		return err_set(-EINVAL, "compat_match: unknown policy or mode");

	struct match m = { .r = r, .inv = inv, .sel = sel };
	struct compat_dedup seen = { 0 };
	m.plan = xcalloc(1, sizeof(*m.plan));
	m.plan->autostart = sel->autostart;
	uuid_policy(&m);
	index_build(&m);

	for (size_t k = 0; k < r->n_patterns; k++) {
		const struct compat_pattern *pat = &r->patterns[k];
		struct compat_binding b;
		for (bool more = compat_binding_first(&pat->vars, &b); more;
		     more = compat_binding_next(&pat->vars, &b)) {
			struct spec s = { .pat = pat,
					  .pnum = (unsigned)(pat->compatible + 1),
					  .b = b };
			binding_build(&pat->vars, &b, &s.binding, &s.binding_text);
			eval_binding(&m, &s, &seen);
			spec_clear(&s);
		}
	}
	compat_dedup_clear(&seen);
	free(m.uuid_conflict_text);
	free(m.types);
	free(m.free_devs);
	free(m.memo);
	free(m.pooled);

	if (m.plan->n_cands > 1)
		qsort(m.plan->cands, m.plan->n_cands, sizeof(*m.plan->cands), cmp_candidate);
	m.plan->verdict = plan_decide(m.plan);
	*ret = m.plan;
	return 0;
}

void compat_match_attr_names(const struct compat_record *r, struct strv *names)
{
	for (size_t k = 0; k < r->n_patterns; k++)
		for (size_t i = 0; i < r->patterns[k].d.n_attrs; i++)
			strv_push(names, xstrdup(r->patterns[k].d.attrs[i].name));
	strv_sort(names);
	strv_uniq(names);
}

void compat_match_needs(const struct compat_record *r, const struct compat_select *sel,
			struct strv *types, struct strv *uuids)
{
	for (size_t k = 0; k < r->n_patterns; k++) {
		const struct compat_pattern *pat = &r->patterns[k];
		struct compat_binding b;
		for (bool more = compat_binding_first(&pat->vars, &b); more;
		     more = compat_binding_next(&pat->vars, &b)) {
			char *name = NULL, *why = NULL;
			if (compat_tvalue_expand(&pat->d.mdev_type, &pat->vars, &b, &name, &why) ==
			    0)
				strv_push(types, name);
			free(why);
		}
	}
	strv_sort(types);
	strv_uniq(types);
	/* The UUIDs uuid_policy() asks about. */
	if (sel->uuid)
		strv_push(uuids, xstrdup(sel->uuid));
	if (r->uuid[0])
		strv_push(uuids, xstrdup(r->uuid));
	if (sel->fresh_uuid)
		strv_push(uuids, xstrdup(sel->fresh_uuid));
	strv_sort(uuids);
	strv_uniq(uuids);
}

enum compat_verdict compat_plan_verdict(const struct compat_plan *p)
{
	return p->verdict;
}

const struct compat_choice *compat_plan_chosen(const struct compat_plan *p)
{
	return p->verdict == COMPAT_VERDICT_COMPATIBLE && p->n_cands ? &p->cands[0].c : NULL;
}

size_t compat_plan_n_candidates(const struct compat_plan *p)
{
	return p->n_cands;
}

const struct compat_choice *compat_plan_candidate(const struct compat_plan *p, size_t i)
{
	return i < p->n_cands ? &p->cands[i].c : NULL;
}

size_t compat_plan_n_rejections(const struct compat_plan *p)
{
	return p->n_rejs;
}

const char *compat_choice_action(const struct compat_choice *c)
{
	return c->existing ? "existing" : c->reuse ? "reuse" : "create";
}

const char *compat_plan_uuid_holder(const struct compat_plan *p)
{
	return p->uuid_holder;
}

/* ---- JSON ---- */

static json_t *attrs_to_json(const struct kvs *attrs)
{
	json_t *a = json_array();
	for (size_t i = 0; i < attrs->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, attrs->v[i].name, json_string(attrs->v[i].value));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *candidate_to_json(const struct candidate *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "action", json_string(compat_choice_action(&c->c)));
	json_object_set_new(o, "parent", json_string(c->parent));
	json_object_set_new(o, "mdev_type", json_string(c->mdev_type));
	json_object_set_new(o, "attrs", attrs_to_json(&c->attrs));
	json_object_set_new(o, "uuid", json_string(c->uuid));
	json_object_set_new(o, "uuid_changed", json_boolean(c->c.uuid_changed));
	json_object_set_new(o, "pattern", json_integer(c->c.pattern));
	json_object_set_new(o, "binding", json_deep_copy(c->binding));
	json_object_set_new(o, "cost", json_integer(c->c.cost));
	return o;
}

/* What `mdevctl define` would be given: the parent, the UUID and the definition file. */
static json_t *mdevctl_to_json(const struct candidate *c, bool autostart)
{
	json_t *config = json_object();
	json_object_set_new(config, "mdev_type", json_string(c->mdev_type));
	json_object_set_new(config, "start", json_string(autostart ? "auto" : "manual"));
	json_object_set_new(config, "attrs", attrs_to_json(&c->attrs));
	json_t *o = json_object();
	json_object_set_new(o, "parent", json_string(c->parent));
	json_object_set_new(o, "uuid", json_string(c->uuid));
	json_object_set_new(o, "config", config);
	return o;
}

static json_t *rejection_to_json(const struct rejection *j)
{
	json_t *o = json_object();
	json_object_set_new(o, "pattern", json_integer(j->pattern));
	json_object_set_new(o, "binding", json_deep_copy(j->binding));
	if (j->parent)
		json_object_set_new(o, "parent", json_string(j->parent));
	if (j->mdev_type)
		json_object_set_new(o, "mdev_type", json_string(j->mdev_type));
	json_t *reasons = json_array();
	for (size_t i = 0; i < j->reasons.n; i++)
		json_array_append_new(reasons, json_string(j->reasons.v[i].code));
	json_object_set_new(o, "reasons", reasons);
	return o;
}

json_t *compat_plan_to_json(const struct compat_plan *p, const char *host)
{
	const struct candidate *chosen = compat_plan_chosen(p) ? &p->cands[0] : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string(COMPAT_PLAN_SCHEMA));
	if (host)
		json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "verdict", json_string(compat_verdict_to_string(p->verdict)));
	json_object_set_new(o, "chosen", chosen ? candidate_to_json(chosen) : json_null());
	json_object_set_new(o, "mdevctl",
			    chosen ? mdevctl_to_json(chosen, p->autostart) : json_null());
	json_t *cands = json_array();
	for (size_t i = 0; i < p->n_cands; i++)
		json_array_append_new(cands, candidate_to_json(&p->cands[i]));
	json_object_set_new(o, "candidates", cands);
	json_t *rejs = json_array();
	for (size_t i = 0; i < p->n_rejs; i++)
		json_array_append_new(rejs, rejection_to_json(&p->rejs[i]));
	json_object_set_new(o, "rejections", rejs);
	return o;
}

/* ---- text ---- */

/* s with control characters as \xNN, so that a line stays one line. */
static void put_text(struct strbuf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			sb_printf(out, "\\x%02x", *p);
		else
			sb_putc(out, (char)*p);
	}
}

void compat_put_text(struct strbuf *out, const char *s)
{
	put_text(out, s);
}

static void format_candidate(const struct compat_plan *p, const struct candidate *c,
			     struct strbuf *out)
{
	sb_printf(out, "%s ", compat_choice_action(&c->c));
	put_text(out, c->mdev_type);
	sb_puts(out, " on ");
	put_text(out, c->parent);
	/* A fresh UUID is drawn anew by each run: the one in the plan is not the one a create
	 * would use, so it is not shown. */
	if (c->c.uuid_from == COMPAT_UUID_FRESH && p->uuid_holder)
		sb_printf(out, " as a new UUID (the source's %s is taken, by %s)", p->src_uuid,
			  p->uuid_holder);
	else if (c->c.uuid_from == COMPAT_UUID_FRESH)
		sb_puts(out, " as a new UUID");
	else if (c->c.uuid_changed)
		sb_printf(out, " as %s (not the source's UUID)", c->uuid);
	else
		sb_printf(out, " as %s", c->uuid);
	sb_printf(out, "; pattern %u", c->c.pattern);
	if (*c->binding_text) {
		sb_puts(out, " with ");
		put_text(out, c->binding_text);
	}
	sb_printf(out, "; cost %" PRId64 "; attrs ", c->c.cost);
	if (!c->attrs.n)
		sb_puts(out, "none");
	for (size_t i = 0; i < c->attrs.n; i++) {
		if (i)
			sb_puts(out, ", ");
		put_text(out, c->attrs.v[i].name);
		sb_putc(out, '=');
		put_text(out, c->attrs.v[i].value);
	}
	sb_putc(out, '\n');
}

static void format_rejection(const struct rejection *j, struct strbuf *out)
{
	sb_printf(out, "rejected: pattern %u", j->pattern);
	if (*j->binding_text) {
		sb_puts(out, " with ");
		put_text(out, j->binding_text);
	}
	if (j->mdev_type) {
		sb_puts(out, ", ");
		put_text(out, j->mdev_type);
	}
	if (j->parent) {
		sb_puts(out, " on ");
		put_text(out, j->parent);
	}
	sb_puts(out, ": ");
	for (size_t i = 0; i < j->reasons.n; i++) {
		if (i)
			sb_puts(out, "; ");
		put_text(out, j->reasons.v[i].text);
	}
	sb_putc(out, '\n');
}

/* A rejection that says only that a binding does not apply or that a type is not there: what
 * every record with variables produces by the dozen, and no advice. */
static bool rejection_is_minor(const struct rejection *j, bool *ret_binding)
{
	if (j->reasons.n != 1)
		return false;
	*ret_binding = startswith(j->reasons.v[0].code, "BINDING_INVALID");
	return *ret_binding || startswith(j->reasons.v[0].code, "TYPE_NOT_FOUND:");
}

void compat_plan_format_ex(const struct compat_plan *p, const char *host, unsigned flags,
			   struct strbuf *out)
{
	const char *verdict = compat_verdict_to_string(p->verdict);
	size_t n_bindings = 0, n_types = 0;
	if (host) {
		sb_puts(out, "host ");
		put_text(out, host);
		sb_printf(out, ": %s\n", verdict);
	} else
		sb_printf(out, "verdict: %s\n", verdict);
	sb_puts(out, "chosen: ");
	if (compat_plan_chosen(p))
		format_candidate(p, &p->cands[0], out);
	else
		sb_puts(out, "none\n");
	/* The chosen one is candidate 1: the others follow with their rank. */
	for (size_t i = compat_plan_chosen(p) ? 1 : 0; i < p->n_cands; i++) {
		sb_printf(out, "candidate %zu: ", i + 1);
		format_candidate(p, &p->cands[i], out);
	}
	for (size_t i = 0; i < p->n_rejs; i++) {
		bool binding = false;
		if (!(flags & COMPAT_FORMAT_VERBOSE) && rejection_is_minor(&p->rejs[i], &binding)) {
			binding ? n_bindings++ : n_types++;
			continue;
		}
		format_rejection(&p->rejs[i], out);
	}
	if (n_bindings + n_types == 0)
		return;
	sb_printf(out, "not shown: ");
	if (n_bindings)
		sb_printf(out, "%zu binding%s that do%s not apply", n_bindings,
			  n_bindings > 1 ? "s" : "", n_bindings > 1 ? "" : "es");
	if (n_bindings && n_types)
		sb_puts(out, ", ");
	if (n_types)
		sb_printf(out, "%zu type%s the destination does not have", n_types,
			  n_types > 1 ? "s" : "");
	sb_puts(out, " (--verbose shows them)\n");
}

void compat_plan_format(const struct compat_plan *p, const char *host, struct strbuf *out)
{
	compat_plan_format_ex(p, host, COMPAT_FORMAT_VERBOSE, out);
}

/* ---- several hosts ---- */

void compat_plans_rank(const struct compat_plan *const *plans, size_t n, size_t *order)
{
	/* A stable bucket pass per verdict, NULL (a host in error) last: linear in the hosts. */
	enum {
		N_CLASSES = COMPAT_VERDICT_INCOMPATIBLE + 2
	};
	size_t k = 0;
	for (int cls = 0; cls < N_CLASSES; cls++)
		for (size_t i = 0; i < n; i++) {
			int c = plans[i] ? (int)plans[i]->verdict : N_CLASSES - 1;
			if (c == cls)
				order[k++] = i;
		}
}

json_t *compat_plan_error_json(const char *host, const char *error)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string(COMPAT_PLAN_SCHEMA));
	json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "verdict", json_string("error"));
	json_object_set_new(o, "error", json_string(error));
	return o;
}

void compat_plan_format_error(const char *host, const char *error, struct strbuf *out)
{
	sb_puts(out, "host ");
	put_text(out, host);
	sb_puts(out, ": error: ");
	put_text(out, error);
	sb_putc(out, '\n');
}
