// SPDX-License-Identifier: LGPL-2.1-or-later
/* The create-compatible journal; see journal.h. The record is written without a temporary file
 * or fsync: it is written before the create, so a record cut short (only a crash can do that,
 * and a crash ends the boot, which makes any record moot) proves the create never happened,
 * and the reader drops it. */
#define LOG_MODULE LOG_COMPAT

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "journal.h"
#include "json-io.h"
#include "log.h"
#include "path.h"
#include "store.h"
#include "sysfs.h"

#define JOURNAL_MAX_SIZE 4096

/* This boot's id, or "" where /proc cannot tell (then every record counts as this boot's). */
static char *boot_id(void)
{
	char *id = NULL;
	if (path_read_attr(env_boot_id_file(), &id) < 0)
		return xstrdup("");
	return id;
}

int journal_begin(const struct mdev *dev)
{
	_cleanup_free_ char *path = env_create_journal(), *boot = boot_id(), *text = NULL;
	json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "uuid", dev->uuid, "parent", dev->parent,
			      "mdev_type", dev->type, "boot_id", boot);
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	int r = path_write_new(path, text, strlen(text), 0644);
	if (r < 0)
		return err_os(r, -r, "Unable to write \"%s\"", path);
	return 0;
}

void journal_end(void)
{
	_cleanup_free_ char *path = env_create_journal();
	int r = path_unlink(path);
	if (r < 0 && r != -ENOENT)
		log_warn("Unable to remove \"%s\": %s", path, os_error_str(-r));
}

static const char *member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The recorded device, if it is still what the killed command made and left undefined. */
static void remove_orphan(const char *uuid, const char *parent, const char *type)
{
	_cleanup_free_ char *p = NULL, *t = NULL;
	int r = sysfs_device_state(uuid, &p, &t);

	if (r <= 0 || !streq(p, parent) || !streq(t, type)) {
		log_debug("%s of the journal does not run as recorded: nothing to remove", uuid);
		return;
	}
	if (store_exists(parent, uuid)) {
		log_debug("%s of the journal is defined: the command got that far", uuid);
		return;
	}
	r = sysfs_remove(uuid);
	if (r < 0)
		log_warn(
			"Could not remove %s (%s on %s), left running without a definition by a create-compatible that did not finish: %s",
			uuid, type, parent, err_get(err_count() - 1));
	else
		log_warn(
			"Removed %s (%s on %s), left running without a definition by a create-compatible that did not finish",
			uuid, type, parent);
}

void journal_recover(void)
{
	_cleanup_free_ char *path = env_create_journal(), *text = NULL, *boot = NULL;
	size_t len;
	int r = path_read_file(path, JOURNAL_MAX_SIZE, &text, &len);

	if (r == -ENOENT)
		return;
	struct err_stash *saved = err_stash();
	json_t *j = NULL;
	if (r < 0)
		log_warn("Unable to read \"%s\": %s", path, os_error_str(-r));
	else if (json_io_parse(text, len, &j) < 0 || !json_is_object(j))
		log_debug("\"%s\" is incomplete: its create never happened", path);
	else {
		const char *uuid = member(j, "uuid"), *parent = member(j, "parent"),
			   *type = member(j, "mdev_type"), *id = member(j, "boot_id");
		boot = boot_id();
		if (!uuid || !uuid_is_canonical(uuid) || !name_is_safe(parent) ||
		    !name_is_safe(type) || !id)
			log_debug("\"%s\" is incomplete: its create never happened", path);
		else if (!streq(id, boot))
			log_debug("\"%s\" is from an earlier boot", path);
		else
			remove_orphan(uuid, parent, type);
	}
	json_decref(j);
	journal_end();
	err_unstash(saved);
}
