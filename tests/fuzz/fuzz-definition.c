/* Fuzz target: a device definition, the text of /etc/mdevctl.d/<parent>/<uuid> and of
 * --jsonfile, through the code that reads both (json_io_parse(), json_io_load_config()). What
 * it accepts must survive the way back: the definition mdevctl would write for it
 * (json_io_config(), pretty-printed) must parse to the same device, and the `list` forms of it
 * must be printable. A difference aborts, so libFuzzer reports it as a crash. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_level(LOG_OFF);
	_cleanup_mdev_ struct mdev *dev = load((const char *)data, size);
	if (!dev) {
		err_clear();
		return 0;
	}

	json_t *conf = json_io_config(dev);
	_cleanup_free_ char *pretty = json_io_pretty(conf);
	free(json_io_compact(conf));
	json_decref(conf);
	_cleanup_mdev_ struct mdev *again = load(pretty, strlen(pretty));
	if (!again || !same_device(dev, again))
		abort();

	dev->defined = true;
	struct mdev_list list = { 0 };
	mdev_list_push(&list, TAKE_PTR(dev));
	json_t *tree = json_io_device_tree(&list);
	free(json_io_pretty(tree));
	json_decref(tree);
	struct strbuf line = { 0 };
	mdev_format_line(list.v[0], MDEV_LISTING_DEFINED, true, &line);
	sb_free(&line);
	mdev_list_free(&list);
	err_clear();
	return 0;
}
