// SPDX-License-Identifier: LGPL-2.1-or-later
/* Fuzz target: a device definition, the text of /etc/mdevctl.d/<parent>/<uuid> and of
 * --jsonfile, through the code that reads both (json_io_parse(), json_io_load_config()). What
 * it accepts must survive the way back: the definition mdevctl would write for it
 * (json_io_config(), pretty-printed) must parse to the same device, and the `list` forms of it
 * must be printable. `list` reads definitions through a faster path that skips jansson for
 * the plain texts mdevctl writes (json_io_load_definition()) and prints --dumpjson without a
 * tree (json_io_config_pretty(), json_io_device_tree_pretty()): both must agree with the
 * jansson way on every input, accepted or not, down to the error messages. A difference
 * aborts, so libFuzzer reports it as a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json-io.h"
#include "log.h"
#include "mdev.h"

#define UUID "5e8d3f2a-7b1c-4d6e-9f0a-1b2c3d4e5f60"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mdev *load(const char *text, size_t len)
{
	json_t *root = NULL;
	if (json_io_parse(text, len, &root) < 0)
		return NULL;
	struct mdev *dev = mdev_new(UUID);
	mdev_set_parent(dev, "0000:00:02.0");
	int r = json_io_load_config(dev, root);
	json_decref(root);
	if (r < 0)
		return mdev_free(dev);
	return dev;
}

/* The error messages set since the last err_clear(), joined, then cleared. */
static char *take_errors(void)
{
	struct strbuf sb = { 0 };
	for (size_t i = 0; i < err_count(); i++)
		sb_printf(&sb, "%s%s", i ? ": " : "", err_get(i));
	err_clear();
	return sb_steal(&sb);
}

static bool same_device(const struct mdev *a, const struct mdev *b)
{
	if (!streq(a->type, b->type) || a->autostart != b->autostart || a->n_attrs != b->n_attrs)
		return false;
	for (size_t i = 0; i < a->n_attrs; i++)
		if (!streq(a->attrs[i].name, b->attrs[i].name) ||
		    !streq(a->attrs[i].value, b->attrs[i].value))
			return false;
	return true;
}

/* The fast path against the jansson one: the same outcome, device and errors. */
static void check_fast_path(const char *text, size_t len, const struct mdev *slow)
{
	_cleanup_free_ char *slow_err = take_errors();
	_cleanup_mdev_ struct mdev *fast = mdev_new(UUID);
	mdev_set_parent(fast, "0000:00:02.0");
	int r = json_io_load_definition(fast, text, len);
	_cleanup_free_ char *fast_err = take_errors();
	if ((r >= 0) != (slow != NULL) || !streq(fast_err, slow_err))
		abort();
	if (slow && !same_device(fast, slow))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_level(LOG_OFF);
	_cleanup_mdev_ struct mdev *dev = load((const char *)data, size);
	check_fast_path((const char *)data, size, dev);
	if (!dev)
		return 0;

	json_t *conf = json_io_config(dev);
	_cleanup_free_ char *pretty = json_io_pretty(conf);
	free(json_io_compact(conf));
	json_decref(conf);
	struct strbuf direct = { 0 };
	json_io_config_pretty(dev, &direct);
	if (!streq(direct.buf ? direct.buf : "", pretty))
		abort();
	sb_free(&direct);
	_cleanup_mdev_ struct mdev *again = load(pretty, strlen(pretty));
	if (!again || !same_device(dev, again))
		abort();

	dev->defined = true;
	struct mdev_list list = { 0 };
	mdev_list_push(&list, TAKE_PTR(dev));
	json_t *tree = json_io_device_tree(&list);
	_cleanup_free_ char *tree_text = json_io_pretty(tree);
	json_decref(tree);
	json_io_device_tree_pretty(&list, &direct);
	if (!streq(direct.buf ? direct.buf : "", tree_text))
		abort();
	sb_free(&direct);
	struct strbuf line = { 0 };
	mdev_format_line(list.v[0], MDEV_LISTING_DEFINED, true, &line);
	sb_free(&line);
	mdev_list_free(&list);
	err_clear();
	return 0;
}
