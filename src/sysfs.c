// SPDX-License-Identifier: LGPL-2.1-or-later
/* Live state through sysfs; see sysfs.h. Link targets are read with readlink(2) rather than
 * canonicalised component by component: the kernel's links are relative and direct, and `list`
 * runs on every device event in libvirt, so the cost per device matters. A bus entry that is
 * not a link (a plain-file tree) falls back to realpath(3). */
#define LOG_MODULE LOG_MDEV

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "env.h"
#include "error.h"
#include "log.h"
#include "path.h"
#include "sysfs.h"

/* Component before the last of a path ("a/b/<parent>/<uuid>" gives "<parent>"). */
static char *second_last(const char *p)
{
	_cleanup_free_ char *t = xstrdup(p);
	size_t n = strlen(t);
	while (n > 1 && t[n - 1] == '/')
		t[--n] = '\0';
	char *last = strrchr(t, '/');
	if (!last || last == t)
		return NULL;
	*last = '\0';
	char *prev = strrchr(t, '/');
	const char *name = prev ? prev + 1 : t;
	if (!*name || streq(name, ".") || streq(name, ".."))
		return NULL;
	return xstrdup(name);
}

static char *basename_of(const char *p)
{
	const char *b = strrchr(p, '/');
	return xstrdup(b ? b + 1 : p);
}

static int read_error(int r, const char *path)
{
	return err_os(r, -r, "Unable to read \"%s\"", path);
}

/* sysfs_device_state() of the entry name of the bus's devices directory, open as devfd: the
 * links are read relative to it (a long walk from the root saved, for each of hundreds of
 * devices), the paths spelt out only for messages and for realpath(3). With devfd AT_FDCWD,
 * name is the whole path. */
static char *device_path(int devfd, const char *name)
{
	return devfd == AT_FDCWD ? xstrdup(name) : env_device_path(name);
}

static int device_state_at(int devfd, const char *name, char **ret_parent, char **ret_type)
{
	_cleanup_free_ char *dev = NULL, *typelink = NULL;
	_cleanup_free_ char *target = NULL, *parent = NULL, *type = NULL;
	_cleanup_free_ char *rel = xasprintf("%s/mdev_type", name);
	int r;

	r = path_readlink_at(devfd, name, &target);
	if (r == 0)
		parent = second_last(target);
	else if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	else if (r != -EINVAL)
		return read_error(r, dev = device_path(devfd, name));
	if (!parent) {
		char real[PATH_MAX];
		dev = device_path(devfd, name);
		if (!realpath(dev, real))
			return errno == ENOENT ? 0 : read_error(-errno, dev);
		parent = second_last(real);
		if (!parent)
			return 0;
	}

	r = path_readlink_basename_at(devfd, rel, &type);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0) {
		dev = dev ? dev : device_path(devfd, name);
		typelink = xasprintf("%s/mdev_type", dev);
	}
	if (r == -EINVAL) {
		char real[PATH_MAX];
		if (!realpath(typelink, real))
			return errno == ENOENT ? 0 : read_error(-errno, typelink);
		type = basename_of(real);
	} else if (r < 0)
		return read_error(r, typelink);
	else {
		/* The link must lead somewhere: a dangling one is a device half torn down, one
		 * that cannot be resolved (a loop) is an error, as canonicalising finds. */
		struct stat st;
		if (fstatat(devfd, rel, &st, 0) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				return 0;
			int e = errno;
			dev = dev ? dev : device_path(devfd, name);
			typelink = xasprintf("%s/mdev_type", dev);
			return read_error(-e, typelink);
		}
	}

	if (ret_parent)
		*ret_parent = TAKE_PTR(parent);
	if (ret_type)
		*ret_type = TAKE_PTR(type);
	return 1;
}

/* Under --root nothing of the running system is looked at (env.h): no device runs, no parent
 * is there, and nothing can be created or removed. The verbs that need the running system
 * refuse --root before they get here; these answers are what keeps the rest away from it. */
static int offline_refusal(void)
{
	return err_set(-ENODEV, "The running system is not used with --root");
}

int sysfs_device_state(const char *uuid, char **ret_parent, char **ret_type)
{
	if (env_offline())
		return 0;
	_cleanup_free_ char *dir = env_mdev_devices();
	_cleanup_free_ char *parent = NULL, *type = NULL;
	_cleanup_close_ int devfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *dev = devfd < 0 ? env_device_path(uuid) : NULL;
	/* No devices directory to start from: the same answers from the whole path. */
	int r = device_state_at(devfd >= 0 ? devfd : AT_FDCWD, dev ? dev : uuid, &parent, &type);
	if (r > 0)
		log_debug("Device %s runs on parent %s as type %s", uuid, parent, type);
	else
		log_debug("Device %s does not run%s%s", uuid, r < 0 ? ": " : "",
			  r < 0 ? err_get(err_count() - 1) : "");
	if (r > 0 && ret_parent)
		*ret_parent = TAKE_PTR(parent);
	if (r > 0 && ret_type)
		*ret_type = TAKE_PTR(type);
	return r;
}

/* ---- the running devices, in bulk ----
 *
 * Each running device is a link in /sys/bus/mdev/devices. Its parent and type can be read from
 * that link and its mdev_type link (three system calls per device, sysfs_device_state), or
 * from the other side: every supported type lists its devices in
 * mdev_bus/<parent>/mdev_supported_types/<type>/devices, so walking those directories costs
 * about four system calls per parent and per type, whatever the number of devices. `list` runs
 * on every device event under libvirt, so it picks the cheaper walk from the counts it sees.
 * Devices the type walk does not find (a tree whose links disagree) are read one by one, so
 * both walks give the same answer on any tree. */

enum entry_state {
	ENTRY_UNKNOWN,	   /* not read yet */
	ENTRY_RUNNING,	   /* parent and type known */
	ENTRY_GONE,	   /* not running (any more) */
	ENTRY_UNREADABLE,  /* its links could not be read */
	ENTRY_AMBIGUOUS,   /* the type walk found it under two types: its links decide */
};

struct bus_entry {
	char *name; /* entry name in /sys/bus/mdev/devices */
	char uuid[UUID_STR_LEN];
	bool wanted;
	enum entry_state state;
	int error; /* ENTRY_UNREADABLE: the negative errno */
	char *parent;
	char *type;
};

struct bus {
	struct bus_entry *v;
	size_t n;
	size_t wanted;
	struct str_index by_name; /* name -> index in v */
	bool names_are_uuids;	  /* every name is its canonical UUID, as the kernel names them */
	int devfd;		  /* the devices directory, or -1 */
};

static void bus_free(struct bus *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].parent);
		free(b->v[i].type);
	}
	free(b->v);
	str_index_free(&b->by_name);
	if (b->devfd >= 0)
		close(b->devfd);
	*b = (struct bus){ .devfd = -1 };
}

/* The bus entries whose names are UUIDs (warned about otherwise, unless quiet), optionally only
 * the one with the given UUID, in directory order. None when mdev support is not loaded. */
static void bus_read(const char *uuid, bool quiet, struct bus *out)
{
	_cleanup_free_ char *dir = env_mdev_devices();
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct strv names = { 0 };

	out->devfd = fd;
	if (fd < 0 || path_dir_names(fd, &names) < 0) {
		strv_free(&names);
		return;
	}
	out->v = xcalloc(names.n ? names.n : 1, sizeof(*out->v));
	for (size_t i = 0; i < names.n; i++) {
		struct bus_entry *e = &out->v[out->n];
		if (quiet ? uuid_canonical(names.v[i], e->uuid, NULL) < 0 ||
				    (uuid && !streq(uuid, e->uuid))
			  : !mdev_entry_uuid(names.v[i], uuid, e->uuid))
			continue;
		e->name = TAKE_PTR(names.v[i]);
		e->wanted = true;
		out->n++;
	}
	strv_free(&names);
	out->wanted = out->n;
	/* The type walk looks up every device it meets by name. */
	str_index_init(&out->by_name, out->n);
	out->names_are_uuids = true;
	for (size_t i = 0; i < out->n; i++) {
		str_index_add(&out->by_name, out->v[i].name, i, NULL);
		out->names_are_uuids &= streq(out->v[i].name, out->v[i].uuid);
	}
}

static struct bus_entry *bus_find(struct bus *b, const char *name)
{
	size_t i;
	return str_index_get(&b->by_name, name, &i) ? &b->v[i] : NULL;
}

/* Cost model in system calls: the links cost 3 per device; the type walk 4 per directory. */
#define LINK_COST 3
#define DIR_COST  4

/* The type walk, when it is cheaper. Fills parent and type of the wanted entries it finds. */
static void bus_walk_types(struct bus *b)
{
	_cleanup_free_ char *busdir = env_mdev_bus();
	_cleanup_close_ int busfd = open(busdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct strv parents = { 0 };
	size_t n_types = 0;

	if (busfd < 0 || path_dir_names(busfd, &parents) <= 0 ||
	    LINK_COST * b->wanted <= DIR_COST * (1 + parents.n)) {
		strv_free(&parents);
		return;
	}
	struct strv *types = xcalloc(parents.n, sizeof(*types));
	int *typefds = xcalloc(parents.n, sizeof(*typefds));
	for (size_t p = 0; p < parents.n; p++) {
		_cleanup_free_ char *rel = xasprintf("%s/mdev_supported_types", parents.v[p]);
		typefds[p] = openat(busfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (typefds[p] >= 0 && path_dir_names(typefds[p], &types[p]) > 0)
			n_types += types[p].n;
	}
	/* Reading the type lists is spent either way; walk on only if the rest pays off. */
	if (LINK_COST * b->wanted > DIR_COST * n_types) {
		struct strv devs = { 0 };
		for (size_t p = 0; p < parents.n; p++) {
			for (size_t t = 0; typefds[p] >= 0 && t < types[p].n; t++) {
				_cleanup_free_ char *rel = xasprintf("%s/devices", types[p].v[t]);
				_cleanup_close_ int fd =
					openat(typefds[p], rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0 || path_dir_names(fd, &devs) < 0) {
					strv_free(&devs);
					continue;
				}
				for (size_t i = 0; i < devs.n; i++) {
					struct bus_entry *e = bus_find(b, devs.v[i]);
					if (!e || !e->wanted || e->state == ENTRY_AMBIGUOUS)
						continue;
					if (e->state == ENTRY_RUNNING) {
						e->state = ENTRY_AMBIGUOUS;
						continue;
					}
					e->parent = xstrdup(parents.v[p]);
					e->type = xstrdup(types[p].v[t]);
					e->state = ENTRY_RUNNING;
				}
				strv_free(&devs);
			}
		}
	}
	for (size_t p = 0; p < parents.n; p++) {
		if (typefds[p] >= 0)
			close(typefds[p]);
		strv_free(&types[p]);
	}
	free(typefds);
	free(types);
	strv_free(&parents);
}

/* Parent and type of every wanted entry: the type walk when it pays, the links for the rest.
 * Unreadable devices are warned about unless quiet. */
static int entry_name_cmp(const void *a, const void *b, void *userdata)
{
	const struct bus_entry *v = userdata;
	return strcmp(v[*(const size_t *)a].name, v[*(const size_t *)b].name);
}

static void bus_resolve(struct bus *b, bool quiet)
{
	bus_walk_types(b);
	/* The devices the walk did not settle, one by one in name order (the order of their
	 * warnings); on a consistent tree, none. */
	size_t *rest = xmalloc((b->n + 1) * sizeof(*rest)), n = 0;
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].wanted &&
		    (b->v[i].state == ENTRY_UNKNOWN || b->v[i].state == ENTRY_AMBIGUOUS))
			rest[n++] = i;
	qsort_r(rest, n, sizeof(*rest), entry_name_cmp, b->v);
	for (size_t k = 0; k < n; k++) {
		struct bus_entry *e = &b->v[rest[k]];
		free(e->parent);
		free(e->type);
		e->parent = e->type = NULL;
		int r = device_state_at(b->devfd, e->name, &e->parent, &e->type);
		if (r < 0 && !quiet)
			log_full(LOG_WARN, LOG_ENVIRONMENT, "Skipping device %s: %s", e->uuid,
				 err_get(err_count() - 1));
		err_clear();
		e->state = r > 0 ? ENTRY_RUNNING : r == 0 ? ENTRY_GONE : ENTRY_UNREADABLE;
		e->error = r < 0 ? r : 0;
	}
	free(rest);
}

int sysfs_list_active(const char *uuid, const char *parent, struct mdev_list *out)
{
	struct bus b = { .devfd = -1 };
	if (env_offline())
		return 0;
	log_full(LOG_DEBUG, LOG_ENVIRONMENT, "Looking up running devices: uuid %s, parent %s",
		 uuid ? uuid : "any", parent ? parent : "any");
	bus_read(uuid, false, &b);
	bus_resolve(&b, false);
	for (size_t i = 0; i < b.n; i++) {
		struct bus_entry *e = &b.v[i];
		if (e->state == ENTRY_RUNNING)
			log_full(LOG_DEBUG, LOG_ENVIRONMENT,
				 "Found device %s on parent %s as type %s%s", e->uuid, e->parent,
				 e->type,
				 parent && !streq(parent, e->parent) ? ": another parent, ignored"
								     : "");
		if (e->state != ENTRY_RUNNING || (parent && !streq(parent, e->parent)))
			continue;
		struct mdev *dev = mdev_new(e->uuid);
		dev->parent = TAKE_PTR(e->parent);
		dev->type = TAKE_PTR(e->type);
		dev->active = true;
		mdev_list_push(out, dev);
	}
	bus_free(&b);
	return 0;
}

void sysfs_mark_active_list(struct mdev_list *l)
{
	struct bus b = { .devfd = -1 };
	struct str_index defined = { 0 }, running = { 0 };

	if (l->n == 0 || env_offline())
		return;
	bus_read(NULL, true, &b);
	if (b.n == 0) {
		bus_free(&b);
		return;
	}
	/* Only the running devices that are defined matter: the others are never read. */
	str_index_init(&defined, l->n);
	for (size_t i = 0; i < l->n; i++)
		str_index_add(&defined, l->v[i]->uuid, i, NULL);
	b.wanted = 0;
	for (size_t i = 0; i < b.n; i++) {
		b.v[i].wanted = str_index_get(&defined, b.v[i].uuid, NULL);
		b.wanted += b.v[i].wanted;
	}
	bus_resolve(&b, true);
	for (size_t i = 0; i < b.n; i++)
		if (b.v[i].wanted && b.v[i].state == ENTRY_UNREADABLE)
			log_full(LOG_WARN, LOG_ENVIRONMENT,
				 "For device %s a sysfs update caused the error: %s", b.v[i].uuid,
				 os_error_str(b.v[i].error));
	/* Entries are named by their UUIDs on any tree the kernel made, and looked up by name
	 * then; on any other, by UUID: the first entry in name order for a UUID. */
	const struct str_index *by_uuid = &b.by_name;
	if (!b.names_are_uuids) {
		str_index_init(&running, b.n);
		for (size_t i = 0; i < b.n; i++) {
			size_t k;
			if (!str_index_add(&running, b.v[i].uuid, i, &k) &&
			    strcmp(b.v[i].name, b.v[k].name) < 0)
				str_index_set(&running, b.v[i].uuid, i);
		}
		by_uuid = &running;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct mdev *dev = l->v[i];
		size_t k;
		const struct bus_entry *e = str_index_get(by_uuid, dev->uuid, &k) ? &b.v[k] : NULL;
		dev->active = e && e->state == ENTRY_RUNNING && dev->parent && dev->type &&
			      streq(e->parent, dev->parent) && streq(e->type, dev->type);
	}
	str_index_free(&defined);
	str_index_free(&running);
	bus_free(&b);
}

int sysfs_list_parents(struct strv *out)
{
	if (env_offline())
		return 0;
	_cleanup_free_ char *dir = env_mdev_bus();
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(out, xstrdup(de->d_name));
	strv_sort(out);
	return 0;
}

/* Rust's ParseIntError texts, which upstream prints for a bad available_instances. */
static int parse_error(int r, const char *s)
{
	_cleanup_free_ char *t = strstrip(xstrdup(s));
	if (r == -ERANGE)
		return err_set(-EINVAL, t[0] == '-' ? "number too small to fit in target type"
						    : "number too large to fit in target type");
	if (!*t)
		return err_set(-EINVAL, "cannot parse integer from empty string");
	return err_set(-EINVAL, "invalid digit found in string");
}

/* Read file of the type directory typedir: relative to dirfd (a parent's mdev_supported_types)
 * or, with AT_FDCWD, a whole path. A failure names the file, which the system's error alone
 * does not (a directory or an oversized file where an attribute belongs); with optional, an
 * absent file is not one and gives NULL. */
static int read_type_file(int dirfd, const char *parent, const char *typedir, const char *file,
			  size_t max_size, bool optional, char **ret)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", typedir, file);
	*ret = NULL;
	int r = path_read_file_at(dirfd, path, max_size, ret, NULL);
	if (r == -ENOENT && optional)
		return 0;
	if (r < 0) {
		if (dirfd == AT_FDCWD)
			return read_error(r, path);
		_cleanup_free_ char *dir = env_type_path(parent, typedir);
		_cleanup_free_ char *whole = xasprintf("%s/%s", dir, file);
		return read_error(r, whole);
	}
	return 0;
}

/* available_instances of the type directory typedir (see read_type_file()). */
static int read_instances(int dirfd, const char *parent, const char *typedir, int32_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = read_type_file(dirfd, parent, typedir, "available_instances", 4096, false, &s);
	if (r < 0)
		return r;
	r = parse_i32(s, ret);
	return r < 0 ? parse_error(r, s) : 0;
}

/* A stripped attribute of the type directory typedir; "" when the file is absent and
 * optional. */
static int read_attr(int dirfd, const char *parent, const char *typedir, const char *name,
		     bool optional, char **ret)
{
	char *s;
	int r = read_type_file(dirfd, parent, typedir, name, 1 << 20, optional, &s);
	if (r < 0)
		return r;
	*ret = s ? strstrip(s) : xstrdup("");
	return 0;
}

/* Whether the entry name of the directory dirfd is a directory, following a link as stat(2)
 * does; d_type answers without a system call on sysfs and most filesystems. */
static bool entry_is_dir(int dirfd, const char *name, unsigned char d_type)
{
	struct stat st;
	if (d_type == DT_DIR)
		return true;
	if (d_type != DT_LNK && d_type != DT_UNKNOWN)
		return false;
	return fstatat(dirfd, name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

struct type_walk {
	int tfd; /* the parent's mdev_supported_types */
	const char *parent;
	unsigned flags;
	struct mdev_type_list *out;
	int failed; /* the error of a type that could not be read */
};

static int read_type_files(struct type_walk *w, const char *name)
{
	struct mdev_type *t = mdev_type_list_add(w->out);
	bool raw = w->flags & SYSFS_TYPES_RAW_DESCRIPTION;
	int r;

	t->parent = xstrdup(w->parent);
	t->id = xstrdup(name);
	r = read_instances(w->tfd, w->parent, name, &t->available);
	if (r < 0)
		return r;
	r = read_attr(w->tfd, w->parent, name, "device_api", false, &t->device_api);
	if (r < 0)
		return r;
	if (w->flags & SYSFS_TYPES_NO_TEXT) {
		t->name = xstrdup("");
		t->description = xstrdup("");
		return 0;
	}
	r = read_attr(w->tfd, w->parent, name, "name", true, &t->name);
	if (r < 0)
		return r;
	if (raw) {
		r = read_type_file(w->tfd, w->parent, name, "description", 1 << 20, true,
				   &t->description);
		if (r >= 0 && !t->description)
			t->description = xstrdup("");
		return r;
	}
	r = read_attr(w->tfd, w->parent, name, "description", true, &t->description);
	if (r < 0)
		return r;
	/* Upstream shows a multi-line description on one line. */
	if (strchr(t->description, '\n')) {
		struct strbuf sb = { 0 };
		for (const char *c = t->description; *c; c++)
			if (*c == '\n')
				sb_puts(&sb, ", ");
			else
				sb_putc(&sb, *c);
		free(t->description);
		t->description = sb_steal(&sb);
	}
	return 0;
}

static int read_type(const char *name, unsigned char d_type, void *userdata)
{
	struct type_walk *w = userdata;
	if (!entry_is_dir(w->tfd, name, d_type))
		return 0;
	int r = read_type_files(w, name);
	if (r < 0)
		w->failed = r;
	else
		log_full(LOG_DEBUG, LOG_ENVIRONMENT, "Found type %s of parent %s: %d available",
			 name, w->parent, w->out->v[w->out->n - 1].available);
	return r;
}

/* /sys/class/mdev_bus, opened once for the process: the files of every parent are then looked
 * up relative to it, which spares walking the whole path again for each of hundreds of
 * parents (the lookups are a good part of what reading a big host costs). */
static int bus_fd(void)
{
	static int fd = -1;
	if (env_offline())
		return -ENODEV;
	if (fd < 0) {
		_cleanup_free_ char *dir = env_mdev_bus();
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	return fd;
}

int sysfs_types_dir(const char *parent)
{
	_cleanup_free_ char *rel = xasprintf("%s/mdev_supported_types", parent);
	int bfd = bus_fd();
	int tfd = bfd < 0 ? bfd : openat(bfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0) {
		int e = bfd < 0 ? -bfd : errno;
		return err_set(-e, "%s", os_error_str(e));
	}
	return tfd;
}

int sysfs_parent_link(const char *parent, const char *link, char **ret)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", parent, link);
	int bfd = bus_fd();
	return bfd < 0 ? bfd : path_readlink_basename_at(bfd, rel, ret);
}

/* The named types, in names' order. Each is read as if it were there: on a host with many
 * parents most are, and a missing one costs the one failed open of available_instances; only
 * then a stat tells a type that is not there from one whose files are missing. */
static int read_named_types(struct type_walk *w, const struct strv *names)
{
	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i];
		size_t before = w->out->n;
		struct stat st;
		if (!name_is_safe(name))
			continue;
		int r = read_type_files(w, name);
		if ((r == -ENOENT || r == -ENOTDIR) &&
		    (fstatat(w->tfd, name, &st, 0) < 0 || !S_ISDIR(st.st_mode))) {
			err_clear();
			while (w->out->n > before)
				mdev_type_clear(&w->out->v[--w->out->n]);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int sysfs_types_at(int tfd, const char *parent, const struct strv *names, unsigned flags,
		   struct mdev_type_list *out)
{
	struct type_walk w = { .tfd = tfd, .parent = parent, .flags = flags, .out = out };
	if (names)
		return read_named_types(&w, names);
	/* Every file is opened relative to the types' directory: a one- or two-component lookup
	 * instead of the whole path, four times per type. A directory that cannot be read further
	 * ends the list, as readdir(3) would. */
	(void)path_dir_foreach(tfd, read_type, &w);
	return w.failed;
}

int sysfs_parent_types(const char *parent, struct mdev_type_list *out)
{
	log_full(LOG_DEBUG, LOG_ENVIRONMENT, "Looking up the types of parent %s", parent);
	_cleanup_close_ int tfd = sysfs_types_dir(parent);
	if (tfd < 0)
		return tfd;
	return sysfs_types_at(tfd, parent, NULL, 0, out);
}

static int parent_missing(const char *parent)
{
	_cleanup_free_ char *bus = env_mdev_bus();
	_cleanup_closedir_ DIR *d = opendir(bus);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcasecmp(de->d_name, parent) == 0)
			return err_set(-ENODEV,
				       "Unable to find parent device '%s'. Did you mean '%s'?",
				       parent, de->d_name);
	return err_set(-ENODEV, "Unable to find parent device '%s'", parent);
}

/* Every write to the kernel's files, logged with its result: a failed start must be
 * explainable from MDEVCTL_LOG=debug alone. On a rerooted tree a missing file is created, as
 * upstream's writes create it (its tests and images are plain directories); on the real /sys,
 * which never lets a file be created, a missing one keeps the kernel's ENOENT, which O_CREAT
 * would turn into EACCES. */
static int kernel_write(const char *path, const char *value)
{
	int r = env_rerooted() ? path_write_string_create(path, value)
			       : path_write_string(path, value);
	if (r < 0)
		log_debug("Writing '%s' to \"%s\" failed: %s", value, path, os_error_str(r));
	else
		log_debug("Wrote '%s' to \"%s\"", value, path);
	return r;
}

int sysfs_parent_check(const char *parent)
{
	_cleanup_free_ char *pp = env_parent_path(parent);
	return path_is_dir(pp) ? 0 : parent_missing(parent);
}

int sysfs_create(const struct mdev *dev, unsigned flags)
{
	_cleanup_free_ char *rp = NULL, *rt = NULL;
	if (env_offline())
		return offline_refusal();
	log_debug("Creating device %s: parent %s, type %s", dev->uuid, dev->parent, dev->type);
	int r = flags & SYSFS_CREATE_NOT_RUNNING ? 0 : sysfs_device_state(dev->uuid, &rp, &rt);

	if (r > 0) {
		if (!streq(rp, dev->parent))
			return err_set(-EEXIST, "Device exists under different parent");
		if (!streq(rt, dev->type))
			return err_set(-EEXIST, "Device exists with different type");
		return err_set(-EEXIST, "Device already exists");
	}
	if (r < 0) {
		log_warn("A sysfs lookup for device %s caused the error: %s", dev->uuid,
			 err_get(err_count() - 1));
		err_clear();
	}

	_cleanup_free_ char *pp = env_parent_path(dev->parent);
	log_debug("Checking parent \"%s\"", pp);
	if (!path_is_dir(pp))
		return parent_missing(dev->parent);
	_cleanup_free_ char *tdir = xasprintf("%s/mdev_supported_types", pp);
	log_debug("Checking parent for mdev support: \"%s\"", tdir);
	if (!path_is_dir(tdir))
		return err_set(-ENODEV, "Parent %s is not currently registered for mdev support",
			       dev->parent);
	_cleanup_free_ char *typedir = env_type_path(dev->parent, dev->type);
	log_debug("Checking parent for mdev type %s: \"%s\"", dev->type, typedir);
	if (!path_is_dir(typedir))
		return err_set(-EINVAL, "Parent %s does not support mdev type %s", dev->parent,
			       dev->type);
	int32_t avail;
	r = read_instances(AT_FDCWD, dev->parent, typedir, &avail);
	if (r < 0)
		return r;
	log_debug("Available instances of %s on %s: %d", dev->type, dev->parent, avail);
	if (avail == 0)
		return err_set(-ENOSPC, "No available instances of %s on %s", dev->type,
			       dev->parent);

	_cleanup_free_ char *create = xasprintf("%s/create", typedir);
	r = kernel_write(create, dev->uuid);
	if (r < 0)
		return err_os(r, -r, "Failed to create mdev %s, type %s on %s", dev->uuid,
			      dev->type, dev->parent);
	return 0;
}

int sysfs_write_attr(const char *uuid, const char *name, const char *value)
{
	if (env_offline())
		return offline_refusal();
	if (!name_is_safe(name))
		return err_set(-EINVAL, "Invalid attribute '%s'", name);
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *path = xasprintf("%s/%s", dev, name);
	if (!path_exists(path)) {
		log_debug("Attribute file \"%s\" does not exist", path);
		return err_set(-ENOENT, "Invalid attribute '%s'", name);
	}
	int r = kernel_write(path, value);
	if (r < 0)
		return err_os(r, -r, "Failed to write %s to attribute %s", value, name);
	return 0;
}

int sysfs_remove(const char *uuid)
{
	if (env_offline())
		return offline_refusal();
	_cleanup_free_ char *dev = env_device_path(uuid);
	_cleanup_free_ char *path = xasprintf("%s/remove", dev);
	log_debug("Removing device %s", uuid);
	int r = kernel_write(path, "1");
	if (r < 0)
		return err_os(r, -r, "Error removing device %s", uuid);
	return 0;
}
