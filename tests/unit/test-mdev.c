// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the model: attribute edits with upstream's index rules and hints, and the text
 * forms of `list` and `types`. */
#include <errno.h>

#include "error.h"
#include "mdev.h"
#include "tap.h"

static char *line(const struct mdev *d, enum mdev_listing l, bool verbose)
{
	struct strbuf sb = { 0 };
	mdev_format_line(d, l, verbose, &sb);
	return sb_steal(&sb);
}

/* mdev_list_sort() against the order it promises: parents byte-wise, then UUIDs. */
static int cmp_ref(const void *a, const void *b)
{
	const struct mdev *x = *(struct mdev *const *)a, *y = *(struct mdev *const *)b;
	int r = strcmp(x->parent ? x->parent : "", y->parent ? y->parent : "");
	return r ? r : strcmp(x->uuid, y->uuid);
}

static void test_sort(void)
{
	static const char *const parents[] = { "matrix", "0000:00:02.0", "0000:00:02.1",
					       "Z",	 "0000:00:02",	 NULL,
					       "" };
	unsigned seed = 1;
	for (size_t n = 0; n < 300; n += 1 + n / 3) {
		struct mdev_list l = { 0 };
		struct mdev **want = xmalloc((n + 1) * sizeof(*want));
		for (size_t i = 0; i < n; i++) {
			char u[UUID_STR_LEN];
			seed = seed * 1103515245 + 12345;
			snprintf(u, sizeof(u), "%08x-0000-4000-8000-%012zu", seed >> 8, i);
			struct mdev *d = mdev_new(u);
			mdev_set_parent(d, parents[(seed >> 4) % ELEMENTSOF(parents)]);
			mdev_list_push(&l, d);
			want[i] = d;
		}
		qsort(want, n, sizeof(*want), cmp_ref);
		mdev_list_sort(&l);
		bool same = true;
		for (size_t i = 0; i < n; i++)
			same &= l.v[i] == want[i];
		ok(same, "%zu devices on %zu parents sort by parent, then UUID", n,
		   n < ELEMENTSOF(parents) ? n : ELEMENTSOF(parents));
		free(want);
		mdev_list_free(&l);
	}
}

int main(void)
{
	test_sort();
	struct mdev *d = mdev_new("5cf14a12-a437-4c82-a13f-70e945782d7b");
	mdev_set_parent(d, "matrix");
	mdev_set_type(d, "vfio_ap-passthrough");

	ok(mdev_delete_attr(d, false, 0) == 0 && d->n_attrs == 0, "delete last of none is a no-op");
	ok(mdev_delete_attr(d, true, 0) == -EINVAL, "delete index 0 of none is refused");
	is_str(err_get(0),
	       "Attribute index 0 is invalid\nDevice 5cf14a12-a437-4c82-a13f-70e945782d7b has no attributes",
	       "hint for a device without attributes");
	err_clear();

	mdev_append_attr(d, "b", "2");
	ok(mdev_insert_attr(d, 0, "a", "1") == 0, "insert at 0");
	ok(mdev_insert_attr(d, 2, "c", "3") == 0, "insert at len appends");
	ok(mdev_insert_attr(d, 4, "x", "y") == -EINVAL, "insert past len is refused");
	is_str(err_get(0),
	       "Attribute index 4 is invalid\n  Attrs:\n    @{0}: {\"a\":\"1\"}\n    @{1}: {\"b\":\"2\"}\n    @{2}: {\"c\":\"3\"}\n",
	       "hint lists the attributes");
	err_clear();
	ok(mdev_delete_attr(d, true, 3) == -EINVAL, "delete at len is refused");
	err_clear();
	ok(mdev_delete_attr(d, true, 1) == 0 && d->n_attrs == 2 && streq(d->attrs[1].name, "c"),
	   "delete in the middle");
	ok(mdev_delete_attr(d, false, 0) == 0 && d->n_attrs == 1 && streq(d->attrs[0].name, "a"),
	   "delete without index removes the last");

	char *s = line(d, MDEV_LISTING_ACTIVE, false);
	is_str(s, "5cf14a12-a437-4c82-a13f-70e945782d7b matrix vfio_ap-passthrough manual\n",
	       "plain line");
	free(s);
	d->defined = true;
	d->autostart = true;
	s = line(d, MDEV_LISTING_ACTIVE, true);
	is_str(s,
	       "5cf14a12-a437-4c82-a13f-70e945782d7b matrix vfio_ap-passthrough auto (defined)\n  Attrs:\n    @{0}: {\"a\":\"1\"}\n",
	       "active line marks defined, verbose prints attrs");
	free(s);
	s = line(d, MDEV_LISTING_DEFINED, false);
	is_str(s, "5cf14a12-a437-4c82-a13f-70e945782d7b matrix vfio_ap-passthrough auto\n",
	       "defined line without (active) when not running");
	free(s);
	d->active = true;
	s = line(d, MDEV_LISTING_DEFINED, false);
	ok(endswith(s, " auto (active)\n"), "defined line marks active");
	free(s);

	struct mdev *c = mdev_dup(d);
	ok(c != d && streq(c->attrs[0].value, "1") && c->active && c->defined,
	   "dup copies everything");
	mdev_free(c);
	mdev_free(d);

	struct mdev_type t = { .parent = "p",
			       .id = "mtty-2",
			       .available = 12,
			       .device_api = "vfio-pci",
			       .name = "Dual port serial",
			       .description = "" };
	struct strbuf sb = { 0 };
	mdev_type_format(&t, &sb);
	is_str(sb.buf,
	       "  mtty-2\n    Available instances: 12\n    Device API: vfio-pci\n    Name: Dual port serial\n",
	       "type block without description");
	sb_free(&sb);
	return tap_done();
}
