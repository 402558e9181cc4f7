/* Definitions on disk; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "path.h"
#include "store.h"

#define DEFINITION_MAX_SIZE (1u << 20)

/* Parse a definition; a negative errno with the error set (the caller names the file). */
static int parse_definition(const char *text, size_t len, const char *parent, const char *uuid,
			    struct mdev **ret)
{
	_cleanup_mdev_ struct mdev *dev = mdev_new(uuid);
	mdev_set_parent(dev, parent);
	int r = json_io_load_definition(dev, text, len);
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
	_cleanup_free_ char *path = NULL;
	/* Definitions are small: read into the stack, no allocation for thousands of them. */
	char buf[4096], *text;
	ssize_t len = path_read_regular_buf(dirfd, name, DEFINITION_MAX_SIZE, buf, sizeof(buf),
					    &text);
	if (len == -ENOENT)
		return -ENOENT;
	if (len < 0) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		return err_os((int)len, (int)-len, "Unable to open file \"%s\"", path);
	}
	int r = parse_definition(text, (size_t)len, parent, uuid, ret);
	if (text != buf)
		free(text);
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

/* The running devices of one parent, l->v[from..to). Their definitions are opened directly,
 * relative to the parent's directory, as long as most of them exist; once most of the tries
 * find nothing, the directory is read (one call for all of its names) and only the names in
 * it are opened. Both ways give the same answer: a definition is a name the directory has. */
static void lookup_parent(int cfgfd, const char *cfg, struct mdev_list *l, size_t from, size_t to)
{
	const char *parent = l->v[from]->parent;
	struct strv names = { 0 };
	bool listed = false;
	size_t hits = 0, misses = 0;
	_cleanup_close_ int dfd = -1;

	if (!parent || !*parent || strchr(parent, '/') || streq(parent, ".") ||
	    streq(parent, ".."))
		return;
	dfd = openat(cfgfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	for (size_t i = from; i < to; i++) {
		struct mdev *dev = l->v[i];
		const char *key = dev->uuid;
		if (!listed && misses >= 8 && misses > 2 * hits) {
			if (path_dir_names(dfd, &names) < 0)
				break;
			strv_sort(&names);
			listed = true;
		}
		if (listed && !bsearch(&key, names.v, names.n, sizeof(*names.v), str_cmp))
			continue;
		_cleanup_mdev_ struct mdev *def = NULL;
		int r = load_at(dfd, dev->uuid, cfg, parent, dev->uuid, &def);
		if (r == -ENOENT) {
			/* Not there, removed since, or a dangling link: not defined. */
			misses++;
			continue;
		}
		hits++;
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
static unsigned entry_type(int dirfd, const char *name, unsigned char d_type)
{
	struct stat st;
	if (d_type != DT_UNKNOWN)
		return d_type;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

struct scan {
	int cfgfd;
	const char *cfg;
	const char *uuid, *parent; /* filters, NULL: any */
	unsigned flags;
	struct mdev_list *out;
	int dfd; /* the parent directory being read */
	const char *cur;
};

static int scan_definition(const char *name, unsigned char d_type, void *userdata)
{
	struct scan *sc = userdata;
	char u[UUID_STR_LEN];

	/* Dot-files are our own temporary files (and . and ..): skip them quietly. */
	if (name[0] == '.')
		return 0;
	if (entry_type(sc->dfd, name, d_type) != DT_REG)
		return 0;
	if (!mdev_entry_uuid(name, sc->uuid, u))
		return 0;
	struct mdev *dev = NULL;
	int r = load_at(sc->dfd, name, sc->cfg, sc->cur, u, &dev);
	if (r == -ENOENT)
		return 0; /* removed while we looked: not an error */
	if (r < 0) {
		struct strbuf sb = { 0 };
		for (size_t i = 0; i < err_count(); i++)
			sb_printf(&sb, "%s%s", i ? ": " : "", err_get(i));
		log_warn("%s; skipping it", sb.buf);
		sb_free(&sb);
		err_clear();
		if (!(sc->flags & STORE_SCAN_INCLUDE_CORRUPT))
			return 0;
		dev = mdev_new(u);
		mdev_set_parent(dev, sc->cur);
		dev->defined = true;
	}
	mdev_list_push(sc->out, dev);
	return 0;
}

static int scan_parent(const char *name, unsigned char d_type, void *userdata)
{
	struct scan *sc = userdata;

	if (name[0] == '.' || streq(name, "scripts.d"))
		return 0;
	if (sc->parent && !streq(sc->parent, name))
		return 0;
	if (entry_type(sc->cfgfd, name, d_type) != DT_DIR)
		return 0;
	/* Each parent's definitions are opened relative to its directory. */
	_cleanup_close_ int dfd = openat(sc->cfgfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno != ENOENT) {
			_cleanup_free_ char *dir = xasprintf("%s/%s", sc->cfg, name);
			log_warn("Unable to read directory \"%s\": %s", dir, os_error_str(errno));
		}
		return 0;
	}
	sc->dfd = dfd;
	sc->cur = name;
	/* A directory that cannot be read further ends its list, as readdir(3) would. */
	(void)path_dir_foreach(dfd, scan_definition, sc);
	return 0;
}

int store_scan(const char *uuid, const char *parent, unsigned flags, struct mdev_list *out)
{
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_close_ int cfgfd = open(cfg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (cfgfd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_os(-errno, errno, "Unable to read directory \"%s\"", cfg);
	}
	struct scan sc = { .cfgfd = cfgfd, .cfg = cfg, .uuid = uuid, .parent = parent,
			   .flags = flags, .out = out };
	(void)path_dir_foreach(cfgfd, scan_parent, &sc);
	return 0;
}

int store_write(const struct mdev *dev)
{
	if (!name_is_safe(dev->parent))
		return err_set(-EINVAL, "Invalid parent name '%s'", dev->parent ? dev->parent : "");
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_free_ char *dir = xasprintf("%s/%s", cfg, dev->parent);
	_cleanup_free_ char *path = env_config_path(dev->parent, dev->uuid);
	int r = path_mkdir_p(dir, 0755);
	if (r < 0)
		return err_os(r, -r, "Unable to create directory \"%s\"", dir);

	json_t *cfgjson = json_io_config(dev);
	_cleanup_free_ char *text = json_io_pretty(cfgjson);
	json_decref(cfgjson);
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
	static int lock_fd = -1;
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
	return 0;
}
