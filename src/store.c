/* Definitions on disk; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "journal.h"
#include "json-io.h"
#include "log.h"
#include "path.h"
#include "store.h"

/* Parse a definition; a negative errno with the error set (the caller names the file). */
static int parse_definition(const char *text, size_t len, const char *parent, const char *uuid,
			    struct mdev **ret)
{
	json_t *root = NULL;
	int r = json_io_parse(text, len, &root);
	if (r < 0)
		return r;
	_cleanup_mdev_ struct mdev *dev = mdev_new(uuid);
	mdev_set_parent(dev, parent);
	r = json_io_load_config(dev, root);
	json_decref(root);
	if (r < 0)
		return r;
	dev->defined = true;
	*ret = TAKE_PTR(dev);
	return 0;
}

/* Load the definition dir/parent/name, opened as name relative to dirfd (the parent's
 * directory). The path is spelt out only for a message. */
static int load_at(int dirfd, const char *name, const char *dir, const char *parent,
		   const char *uuid, struct mdev **ret)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	size_t len;
	int r = path_read_regular_at(dirfd, name, STORE_DEFINITION_MAX, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r == -EFBIG) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		err_set(r, "File is larger than %u bytes, the most a definition may have",
			STORE_DEFINITION_MAX);
		return err_wrap(r, "Unable to open file \"%s\"", path);
	}
	if (r < 0) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		return err_os(r, -r, "Unable to open file \"%s\"", path);
	}
	r = parse_definition(text, len, parent, uuid, ret);
	if (r < 0) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		return err_wrap(r, "Invalid definition \"%s\"", path);
	}
	return 0;
}

bool store_exists(const char *parent, const char *uuid)
{
	_cleanup_free_ char *path = env_config_path(parent, uuid);
	return path_exists(path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The running devices of one parent, l->v[from..to): the parent's directory is read once and
 * only the definitions that exist are opened, relative to it. */
static void lookup_parent(int cfgfd, const char *cfg, struct mdev_list *l, size_t from, size_t to)
{
	const char *parent = l->v[from]->parent;
	struct strv names = { 0 };
	_cleanup_close_ int dfd = -1;

	if (!parent || !*parent || strchr(parent, '/') || streq(parent, ".") ||
	    streq(parent, ".."))
		return;
	dfd = openat(cfgfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || path_dir_names(dfd, &names) <= 0) {
		strv_free(&names);
		return;
	}
	strv_sort(&names);
	for (size_t i = from; i < to; i++) {
		struct mdev *dev = l->v[i];
		const char *key = dev->uuid;
		if (!bsearch(&key, names.v, names.n, sizeof(*names.v), str_cmp))
			continue;
		_cleanup_mdev_ struct mdev *def = NULL;
		int r = load_at(dfd, dev->uuid, cfg, parent, dev->uuid, &def);
		if (r == -ENOENT)
			continue; /* removed since, or a dangling link: not defined */
		/* Upstream marks "(defined)" by the file's existence, readable or not. */
		dev->defined = true;
		if (r == 0)
			dev->autostart = def->autostart;
		else {
			log_warn("%s", err_get(0));
			err_clear();
		}
	}
	strv_free(&names);
}

void store_lookup_running(struct mdev_list *l)
{
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_close_ int cfgfd = open(cfg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (cfgfd < 0 || l->n == 0)
		return;
	/* Sorted as the listing will be (parent, then UUID), which also groups the parents. */
	mdev_list_sort(l);
	for (size_t from = 0, to; from < l->n; from = to) {
		const char *p = l->v[from]->parent ? l->v[from]->parent : "";
		for (to = from + 1; to < l->n && streq(p, l->v[to]->parent ? l->v[to]->parent : "");
		     to++)
			;
		lookup_parent(cfgfd, cfg, l, from, to);
	}
}

/* d_type when the filesystem gives it, else lstat: a symlink is neither a parent directory nor
 * a definition (upstream looks at the entry itself, not its target). */
static unsigned entry_type(int dirfd, const struct dirent *de)
{
	struct stat st;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

static void scan_parent(const char *cfg, const char *parent, const char *uuid, unsigned flags,
			struct mdev_list *out)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", cfg, parent);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			log_warn("Unable to read directory \"%s\": %s", dir, os_error_str(errno));
		return;
	}
	while ((de = readdir(d))) {
		char u[UUID_STR_LEN];
		/* Dot-files are our own temporary files (and . and ..): skip them quietly. */
		if (de->d_name[0] == '.')
			continue;
		if (entry_type(dirfd(d), de) != DT_REG)
			continue;
		if (!mdev_entry_uuid(de->d_name, uuid, u))
			continue;
		struct mdev *dev = NULL;
		int r = load_at(dirfd(d), de->d_name, cfg, parent, u, &dev);
		if (r == -ENOENT)
			continue; /* removed while we looked: not an error */
		if (r < 0) {
			struct strbuf sb = { 0 };
			for (size_t i = 0; i < err_count(); i++)
				sb_printf(&sb, "%s%s", i ? ": " : "", err_get(i));
			log_warn("%s; skipping it", sb.buf);
			sb_free(&sb);
			err_clear();
			if (!(flags & STORE_SCAN_INCLUDE_CORRUPT))
				continue;
			dev = mdev_new(u);
			mdev_set_parent(dev, parent);
			dev->defined = true;
		}
		mdev_list_push(out, dev);
	}
}

int store_scan(const char *uuid, const char *parent, unsigned flags, struct mdev_list *out)
{
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_closedir_ DIR *d = opendir(cfg);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_os(-errno, errno, "Unable to read directory \"%s\"", cfg);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || streq(de->d_name, "scripts.d"))
			continue;
		if (parent && !streq(parent, de->d_name))
			continue;
		if (entry_type(dirfd(d), de) != DT_DIR)
			continue;
		scan_parent(cfg, de->d_name, uuid, flags, out);
	}
	return 0;
}

/* The lock of store_lock(), once taken. */
static int lock_fd = -1;

/* A temporary file of path_write_atomic() for a definition: "." UUID "." and mkostemp's six
 * letters or digits. */
static bool is_temp_name(const char *name)
{
	char u[UUID_STR_LEN];

	if (strlen(name) != 1 + 36 + 1 + 6 || name[0] != '.' || name[37] != '.')
		return false;
	for (const char *c = name + 38; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	memcpy(u, name + 1, 36);
	u[36] = '\0';
	return uuid_is_canonical(u);
}

/* A writer killed between its temporary file and the rename leaves the file behind. Listings
 * skip dot-files, but each kill would add one for good. Only writers holding the lock make
 * them, so under the lock every one in the directory is stale: the next writer removes them. */
static void sweep_temp_files(const char *dir)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (lock_fd < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (is_temp_name(de->d_name) && unlinkat(dirfd(d), de->d_name, 0) == 0)
			log_debug("Removed %s/%s, left by a writer that did not finish", dir,
				  de->d_name);
}

int store_write(const struct mdev *dev)
{
	if (!name_is_safe(dev->parent))
		return err_set(-EINVAL, "Invalid parent name '%s'", dev->parent ? dev->parent : "");
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_free_ char *dir = xasprintf("%s/%s", cfg, dev->parent);
	_cleanup_free_ char *path = env_config_path(dev->parent, dev->uuid);
	json_t *cfgjson = json_io_config(dev);
	_cleanup_free_ char *text = json_io_pretty(cfgjson);
	json_decref(cfgjson);
	if (strlen(text) > STORE_DEFINITION_MAX)
		return err_set(
			-EFBIG,
			"The definition of device %s would be %zu bytes, more than the %u a definition may have",
			dev->uuid, strlen(text), STORE_DEFINITION_MAX);

	int r = path_mkdir_p(dir, 0755);
	if (r < 0)
		return err_os(r, -r, "Unable to create directory \"%s\"", dir);
	sweep_temp_files(dir);
	r = path_write_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		return err_os(r, -r, "Failed to write config for device %s", dev->uuid);
	return 0;
}

int store_remove(const char *parent, const char *uuid)
{
	_cleanup_free_ char *path = env_config_path(parent, uuid);
	if (unlink(path) < 0)
		return err_os(-errno, errno, "Failed to remove file \"%s\"", path);
	return 0;
}

int store_lock(void)
{
	_cleanup_free_ char *cfg = env_config_dir();
	const char *t = secure_getenv("MDEVCTL_LOCK_TIMEOUT");
	long timeout_ms = 10000;

	if (lock_fd >= 0)
		return 0;
	if (t && *t) {
		char *end;
		double secs = strtod(t, &end);
		if (*end == '\0' && secs >= 0)
			timeout_ms = (long)(secs * 1000);
	}
	int fd = open(cfg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_os(-errno, errno, "Unable to open \"%s\" for locking", cfg);
	for (long waited = 0;; waited += 20) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			close(fd);
			return err_os(-e, e, "Unable to lock \"%s\"", cfg);
		}
		if (waited >= timeout_ms) {
			close(fd);
			return err_set(
				-ETIMEDOUT,
				"Another mdevctl command is still changing devices (lock on \"%s\" held for more than %ld ms); try again later",
				cfg, timeout_ms);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	lock_fd = fd;
	/* A holder killed in the middle of create-compatible may have left a device behind. */
	journal_recover();
	return 0;
}
