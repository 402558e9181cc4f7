// SPDX-License-Identifier: LGPL-2.1-or-later
/* Definitions on disk; see store.h. */
#define LOG_MODULE LOG_ENVIRONMENT

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
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
	_cleanup_mdev_ struct mdev *dev = mdev_new(uuid);
	mdev_set_parent(dev, parent);
	int r = json_io_load_definition(dev, text, len);
	if (r < 0)
		return r;
	dev->defined = true;
	*ret = TAKE_PTR(dev);
	return 0;
}

/* The definition dir/parent/name from what reading it gave (path_read_regular_buf()'s text and
 * length, or a negative errno): -ENOENT when there is none, else 0 and *ret, or a negative errno
 * with the error set. The path is spelt out only for a message. */
static int load_text(const char *text, ssize_t len, const char *dir, const char *parent,
		     const char *name, const char *uuid, struct mdev **ret)
{
	_cleanup_free_ char *path = NULL;
	if (len == -ENOENT) {
		log_debug("No definition %s/%s/%s", dir, parent, name);
		return -ENOENT;
	}
	if (len == -EFBIG) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		err_set(-EFBIG, "File is larger than %u bytes, the most a definition may have",
			STORE_DEFINITION_MAX);
		return err_wrap(-EFBIG, "Unable to open file \"%s\"", path);
	}
	if (len < 0) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		return err_os((int)len, (int)-len, "Unable to open file \"%s\"", path);
	}
	int r = parse_definition(text, (size_t)len, parent, uuid, ret);
	if (r < 0) {
		path = xasprintf("%s/%s/%s", dir, parent, name);
		return err_wrap(r, "Invalid definition \"%s\"", path);
	}
	log_debug("Read definition %s/%s/%s: type %s, %s, %zu attributes", dir, parent, name,
		  (*ret)->type, (*ret)->autostart ? "auto" : "manual", (*ret)->n_attrs);
	return 0;
}

bool store_exists(const char *parent, const char *uuid)
{
	_cleanup_free_ char *path = env_config_path(parent, uuid);
	return path_exists(path);
}

/* Looking up the definitions of running devices: they are opened directly, relative to their
 * parent's directory, if the first few tries of a parent mostly find one; if most of them find
 * nothing, that parent's directory is read (one call for all of its names) and only the names
 * in it are opened. Both ways give the same answer: a definition is a name the directory has.
 * The reads are made in two rounds, the first few of each parent, then the rest of each; the
 * warnings come out in the listing's order all the same. */
#define LOOKUP_PROBE 8

struct lookup_group {
	const char *parent;
	int dfd;	 /* the parent's directory; -1: none, so nothing is defined */
	size_t from, to; /* its devices in the list */
	size_t hits, misses;
};

struct lookup {
	const char *cfg;
	struct mdev_list *l;
	struct lookup_group *g;
	size_t n_groups;
	/* the reads under way: for each, its device and its group */
	struct path_read_req *req;
	size_t *dev, *group;
	size_t n;
	char **warning; /* of each device, NULL: none */
};

static void lookup_one(size_t i, const char *text, ssize_t len, void *userdata)
{
	struct lookup *lk = userdata;
	struct mdev *dev = lk->l->v[lk->dev[i]];
	struct lookup_group *g = &lk->g[lk->group[i]];
	_cleanup_mdev_ struct mdev *def = NULL;
	int r = load_text(text, len, lk->cfg, g->parent, dev->uuid, dev->uuid, &def);
	if (r == -ENOENT) {
		/* Not there, removed since, or a dangling link: not defined. */
		g->misses++;
		return;
	}
	g->hits++;
	/* Upstream marks "(defined)" by the file's existence, readable or not. */
	dev->defined = true;
	if (r == 0)
		dev->autostart = def->autostart;
	else {
		lk->warning[lk->dev[i]] = xstrdup(err_get(0));
		err_clear();
	}
}

static void lookup_add(struct lookup *lk, size_t group, size_t dev)
{
	lk->req[lk->n] =
		(struct path_read_req){ .dirfd = lk->g[group].dfd, .name = lk->l->v[dev]->uuid };
	lk->dev[lk->n] = dev;
	lk->group[lk->n++] = group;
}

static void lookup_run(struct lookup *lk)
{
	path_read_each(lk->req, lk->n, STORE_DEFINITION_MAX, lookup_one, lk);
	lk->n = 0;
}

/* The rest of group g, after its first tries: directly, or what its directory lists. */
static void lookup_rest(struct lookup *lk, size_t g)
{
	struct lookup_group *gr = &lk->g[g];
	size_t from = gr->from + LOOKUP_PROBE;

	if (gr->misses <= 2 * gr->hits) {
		for (size_t i = from; i < gr->to; i++)
			lookup_add(lk, g, i);
		return;
	}
	struct strv names = { 0 };
	if (path_dir_names(gr->dfd, &names) >= 0) {
		struct str_index ix = { 0 };
		str_index_init(&ix, names.n);
		for (size_t i = 0; i < names.n; i++)
			str_index_add(&ix, names.v[i], i, NULL);
		for (size_t i = from; i < gr->to; i++)
			if (str_index_get(&ix, lk->l->v[i]->uuid, NULL))
				lookup_add(lk, g, i);
		str_index_free(&ix);
	}
	strv_free(&names);
}

void store_lookup_running(struct mdev_list *l)
{
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_close_ int cfgfd = path_open_dir(cfg);

	if (cfgfd < 0 || l->n == 0)
		return;
	/* Sorted as the listing will be (parent, then UUID), which also groups the parents. */
	mdev_list_sort(l);
	struct lookup lk = { .cfg = cfg, .l = l };
	lk.g = xcalloc(l->n, sizeof(*lk.g));
	lk.req = xmalloc(l->n * sizeof(*lk.req));
	lk.dev = xmalloc(l->n * sizeof(*lk.dev));
	lk.group = xmalloc(l->n * sizeof(*lk.group));
	lk.warning = xcalloc(l->n, sizeof(*lk.warning));
	for (size_t from = 0, to; from < l->n; from = to) {
		const char *p = l->v[from]->parent ? l->v[from]->parent : "";
		for (to = from + 1; to < l->n && streq(p, l->v[to]->parent ? l->v[to]->parent : "");
		     to++)
			;
		int dfd = -1;
		if (*p && !strchr(p, '/') && !streq(p, ".") && !streq(p, ".."))
			dfd = openat(cfgfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		lk.g[lk.n_groups++] =
			(struct lookup_group){ .parent = p, .dfd = dfd, .from = from, .to = to };
	}
	/* The first tries of every parent, then the rest of every parent. */
	for (size_t g = 0; g < lk.n_groups; g++)
		for (size_t i = lk.g[g].from;
		     lk.g[g].dfd >= 0 && i < lk.g[g].to && i < lk.g[g].from + LOOKUP_PROBE; i++)
			lookup_add(&lk, g, i);
	lookup_run(&lk);
	for (size_t g = 0; g < lk.n_groups; g++)
		if (lk.g[g].dfd >= 0 && lk.g[g].to > lk.g[g].from + LOOKUP_PROBE)
			lookup_rest(&lk, g);
	lookup_run(&lk);

	for (size_t i = 0; i < l->n; i++)
		if (lk.warning[i]) {
			log_warn("%s", lk.warning[i]);
			free(lk.warning[i]);
		}
	for (size_t g = 0; g < lk.n_groups; g++)
		if (lk.g[g].dfd >= 0)
			close(lk.g[g].dfd);
	free(lk.g);
	free(lk.req);
	free(lk.dev);
	free(lk.group);
	free(lk.warning);
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

/* An entry of a parent's directory that names a definition (or should: a name that is no UUID
 * is warned about when its turn comes, in directory order among the definitions' warnings). */
struct scan_entry {
	char *name;
	char uuid[UUID_STR_LEN];
	bool bad; /* not a UUID */
};

struct scan {
	int cfgfd;
	const char *cfg;
	const char *uuid, *parent; /* filters, NULL: any */
	const struct str_index *uuids; /* a filter of several UUIDs, NULL: any */
	unsigned flags;
	struct mdev_list *out;
	int dfd; /* the parent directory being read */
	const char *cur;
	struct scan_entry *e; /* its entries, in directory order */
	size_t n, cap;
	size_t *req_entry; /* the entry of each read request */
	size_t warned;	   /* entries before this one have had their turn */
};

/* Collect the definitions of the directory being read; they are loaded in bulk after. */
static int scan_name(const char *name, unsigned char d_type, void *userdata)
{
	struct scan *sc = userdata;
	char u[UUID_STR_LEN];
	bool bad;

	/* Dot-files are our own temporary files (and . and ..): skip them quietly. */
	if (name[0] == '.')
		return 0;
	if (entry_type(sc->dfd, name, d_type) != DT_REG) {
		log_debug("Ignoring %s/%s/%s: not a regular file", sc->cfg, sc->cur, name);
		return 0;
	}
	bad = uuid_canonical(name, u, NULL) < 0;
	if ((!bad && sc->uuid && !streq(sc->uuid, u)) ||
	    (!bad && sc->uuids && !str_index_get(sc->uuids, u, NULL))) {
		log_debug("Ignoring %s/%s/%s: another UUID", sc->cfg, sc->cur, name);
		return 0;
	}
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 64;
		sc->e = xrealloc(sc->e, sc->cap * sizeof(*sc->e));
	}
	struct scan_entry *e = &sc->e[sc->n++];
	*e = (struct scan_entry){ .name = xstrdup(name), .bad = bad };
	memcpy(e->uuid, u, UUID_STR_LEN);
	return 0;
}

/* The warnings of the names that are no UUIDs, up to entry end. */
static void scan_warn_names(struct scan *sc, size_t end)
{
	char u[UUID_STR_LEN];
	for (; sc->warned < end; sc->warned++)
		if (sc->e[sc->warned].bad)
			(void)mdev_entry_uuid(sc->e[sc->warned].name, NULL, u);
}

static void scan_definition(size_t i, const char *text, ssize_t len, void *userdata)
{
	struct scan *sc = userdata;
	size_t k = sc->req_entry[i];
	const char *u = sc->e[k].uuid;
	struct mdev *dev = NULL;

	scan_warn_names(sc, k + 1);
	int r = load_text(text, len, sc->cfg, sc->cur, sc->e[k].name, u, &dev);
	if (r == -ENOENT)
		return; /* removed while we looked: not an error */
	if (r < 0) {
		struct strbuf sb = { 0 };
		for (size_t j = 0; j < err_count(); j++)
			sb_printf(&sb, "%s%s", j ? ": " : "", err_get(j));
		/* One that cannot be opened upstream skips too, with the bare message. */
		log_warn("%s%s", sb.buf, len < 0 && len != -EFBIG ? "" : "; skipping it");
		sb_free(&sb);
		err_clear();
		if (!(sc->flags & STORE_SCAN_INCLUDE_CORRUPT))
			return;
		dev = mdev_new(u);
		mdev_set_parent(dev, sc->cur);
		dev->defined = true;
	}
	mdev_list_push(sc->out, dev);
}

static int scan_parent(const char *name, unsigned char d_type, void *userdata)
{
	struct scan *sc = userdata;

	if (name[0] == '.' || streq(name, "scripts.d"))
		return 0;
	if (sc->parent && !streq(sc->parent, name)) {
		log_debug("Ignoring the definitions of parent %s: not the parent asked for", name);
		return 0;
	}
	if (entry_type(sc->cfgfd, name, d_type) != DT_DIR) {
		log_debug("Ignoring %s/%s: not a directory", sc->cfg, name);
		return 0;
	}
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
	sc->n = sc->warned = 0;
	/* A directory that cannot be read further ends its list, as readdir(3) would. */
	(void)path_dir_foreach(dfd, scan_name, sc);
	struct path_read_req *req = xmalloc((sc->n + 1) * sizeof(*req));
	sc->req_entry = xmalloc((sc->n + 1) * sizeof(*sc->req_entry));
	size_t n = 0;
	for (size_t k = 0; k < sc->n; k++)
		if (!sc->e[k].bad) {
			sc->req_entry[n] = k;
			req[n++] = (struct path_read_req){ .dirfd = dfd, .name = sc->e[k].name };
		}
	path_read_each(req, n, STORE_DEFINITION_MAX, scan_definition, sc);
	scan_warn_names(sc, sc->n);
	for (size_t k = 0; k < sc->n; k++)
		free(sc->e[k].name);
	free(sc->req_entry);
	free(req);
	return 0;
}

static int scan(struct scan *sc)
{
	_cleanup_free_ char *cfg = env_config_dir();
	_cleanup_close_ int cfgfd = path_open_dir(cfg);

	const char *which = sc->uuids ? "several" : "any";
	log_debug("Looking up definitions in \"%s\": uuid %s, parent %s", cfg,
		  sc->uuid ? sc->uuid : which, sc->parent ? sc->parent : "any");
	if (cfgfd < 0) {
		if (cfgfd == -ENOENT)
			return 0;
		return err_os(cfgfd, -cfgfd, "Unable to read directory \"%s\"", cfg);
	}
	sc->cfgfd = cfgfd;
	sc->cfg = cfg;
	(void)path_dir_foreach(cfgfd, scan_parent, sc);
	free(sc->e);
	return 0;
}

int store_scan(const char *uuid, const char *parent, unsigned flags, struct mdev_list *out)
{
	struct scan sc = { .uuid = uuid, .parent = parent, .flags = flags, .out = out };
	return scan(&sc);
}

int store_scan_uuids(const struct strv *uuids, unsigned flags, struct mdev_list *out)
{
	struct str_index ix = { 0 };
	str_index_init(&ix, uuids->n);
	for (size_t i = 0; i < uuids->n; i++)
		str_index_add(&ix, uuids->v[i], i, NULL);
	struct scan sc = { .uuids = &ix, .flags = flags, .out = out };
	int r = scan(&sc);
	str_index_free(&ix);
	return r;
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
	d = path_opendir(dir);
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
	log_full(LOG_DEBUG, LOG_MDEV, "Writing definition \"%s\": %s", path,
		 r < 0 ? os_error_str(r) : "done");
	if (r < 0)
		return err_os(r, -r, "Failed to write config for device %s", dev->uuid);
	return 0;
}

int store_remove(const char *parent, const char *uuid)
{
	_cleanup_free_ char *path = env_config_path(parent, uuid);
	int r = path_unlink(path);
	log_full(LOG_DEBUG, LOG_MDEV, "Removing definition \"%s\": %s", path,
		 r < 0 ? os_error_str(r) : "done");
	if (r < 0)
		return err_os(r, -r, "Failed to remove file \"%s\"", path);
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
		/* A bound beyond what a long counts in ms is no bound ("inf", "1e300"), not an
		 * overflow (which made it no wait at all). */
		if (*end != '\0' || !(secs >= 0))
			log_warn(
				"Ignoring MDEVCTL_LOCK_TIMEOUT=%s: not a number of seconds; waiting %ld s at most",
				t, timeout_ms / 1000);
		else if (secs * 1000 >= (double)(LONG_MAX / 2))
			timeout_ms = LONG_MAX / 2;
		else
			timeout_ms = (long)(secs * 1000);
	}
	/* An image being prepared (--root) may not have the directory yet: there is nothing in it
	 * to protect, and a command that fails must not leave it made. The first definition
	 * written makes it (store_write()). */
	if (env_offline() && !path_lexists(cfg)) {
		log_debug("No \"%s\" yet: nothing to lock", cfg);
		return 0;
	}
	int fd = path_open_dir(cfg);
	if (fd < 0)
		return err_os(fd, -fd, "Unable to open \"%s\" for locking", cfg);
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
		if (waited == 0)
			log_debug("Waiting for another mdevctl's lock on \"%s\"", cfg);
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
	lock_fd = fd;
	/* A holder killed in the middle of create-compatible may have left a device behind; an
	 * image's journal is about devices of another system, which --root never touches. */
	if (!env_offline())
		journal_recover();
	return 0;
}

/* ---- watching ---- */

#define WATCH_CFG_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)
/* IN_DONT_FOLLOW: a parent directory that is a link is no parent to listings either. */
#define WATCH_PARENT_MASK \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR | IN_DONT_FOLLOW)

struct watched_dir {
	int wd;
	char *parent;
};

struct known_def {
	char *parent;
	char uuid[UUID_STR_LEN];
	char *type;   /* NULL: unparsable */
	char *config; /* its definition as compact JSON, NULL: unparsable */
};

struct store_watch {
	int fd;
	int cfg_wd;
	char *cfg;
	struct watched_dir *dirs;
	size_t n_dirs;
	struct known_def *defs;
	size_t n_defs;
};

static bool is_parent_name(const char *name)
{
	return name[0] != '.' && !streq(name, "scripts.d") && !strchr(name, '/');
}

static void watch_parent(struct store_watch *w, const char *name)
{
	if (!is_parent_name(name))
		return;
	_cleanup_free_ char *dir = xasprintf("%s/%s", w->cfg, name);
	int wd = inotify_add_watch(w->fd, dir, WATCH_PARENT_MASK);
	if (wd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warn("Unable to watch \"%s\": %s", dir, os_error_str(errno));
		return;
	}
	/* The same directory under a new name (moved back): the same watch. */
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].parent);
			w->dirs[i].parent = xstrdup(name);
			return;
		}
	w->dirs = xrealloc(w->dirs, (w->n_dirs + 1) * sizeof(*w->dirs));
	w->dirs[w->n_dirs++] = (struct watched_dir){ .wd = wd, .parent = xstrdup(name) };
}

static void drop_dir(struct store_watch *w, size_t i)
{
	free(w->dirs[i].parent);
	w->dirs[i] = w->dirs[--w->n_dirs];
}

static ssize_t find_dir(const struct store_watch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return (ssize_t)i;
	return -1;
}

static ssize_t find_def(const struct store_watch *w, const char *parent, const char *uuid)
{
	for (size_t i = 0; i < w->n_defs; i++)
		if (streq(w->defs[i].uuid, uuid) && streq(w->defs[i].parent, parent))
			return (ssize_t)i;
	return -1;
}

static void forget_def(struct store_watch *w, size_t i)
{
	free(w->defs[i].parent);
	free(w->defs[i].type);
	free(w->defs[i].config);
	w->defs[i] = w->defs[--w->n_defs];
}

static char *config_of(const struct mdev *dev)
{
	if (!dev->type)
		return NULL;
	json_t *j = json_io_config(dev);
	char *s = json_io_compact(j);
	json_decref(j);
	return s;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

/* Record what dev (a scanned definition) is now, telling fn when it is new or its content
 * differs from what was known (a file written again with the same content changes nothing). */
static void learn_def(struct store_watch *w, const struct mdev *dev, store_watch_fn fn,
		      void *userdata)
{
	ssize_t k = find_def(w, dev->parent, dev->uuid);
	_cleanup_free_ char *config = config_of(dev);
	if (k < 0) {
		w->defs = xrealloc(w->defs, (w->n_defs + 1) * sizeof(*w->defs));
		struct known_def *d = &w->defs[w->n_defs++];
		*d = (struct known_def){ .parent = xstrdup(dev->parent),
					 .type = dev->type ? xstrdup(dev->type) : NULL,
					 .config = TAKE_PTR(config) };
		memcpy(d->uuid, dev->uuid, UUID_STR_LEN);
		if (fn)
			fn(STORE_DEFINED, d->parent, d->uuid, d->type, userdata);
		return;
	}
	struct known_def *d = &w->defs[k];
	/* Unparsable before and after: its bytes may differ, but nothing can be said. */
	if (same_text(d->config, config) && (config || same_text(d->type, dev->type)))
		return;
	free(d->type);
	free(d->config);
	d->type = dev->type ? xstrdup(dev->type) : NULL;
	d->config = TAKE_PTR(config);
	if (fn)
		fn(STORE_CHANGED, d->parent, d->uuid, d->type, userdata);
}

static void undefine_known(struct store_watch *w, size_t k, store_watch_fn fn, void *userdata)
{
	if (fn)
		fn(STORE_UNDEFINED, w->defs[k].parent, w->defs[k].uuid, w->defs[k].type, userdata);
	forget_def(w, k);
}

/* The definition parent/uuid as it is now: learnt (fn told DEFINED or CHANGED), or, when it is
 * gone, forgotten (fn told UNDEFINED). */
static void reload_def(struct store_watch *w, const char *parent, const char *uuid,
		       store_watch_fn fn, void *userdata)
{
	struct mdev_list l = { 0 };
	(void)store_scan(uuid, parent, STORE_SCAN_INCLUDE_CORRUPT, &l);
	err_clear();
	if (l.n > 0)
		learn_def(w, l.v[0], fn, userdata);
	else {
		ssize_t k = find_def(w, parent, uuid);
		if (k >= 0)
			undefine_known(w, (size_t)k, fn, userdata);
	}
	mdev_list_free(&l);
}

/* Every definition of parent (NULL: of all parents) as it is now, fn told each difference from
 * what was known: for a directory that appeared with files already in it, and after inotify's
 * queue overflowed. */
static void resync(struct store_watch *w, const char *parent, store_watch_fn fn, void *userdata)
{
	struct mdev_list l = { 0 };
	(void)store_scan(NULL, parent, STORE_SCAN_INCLUDE_CORRUPT, &l);
	err_clear();
	mdev_list_sort(&l);
	bool *seen = xcalloc(w->n_defs + l.n + 1, sizeof(*seen));
	for (size_t i = 0; i < l.n; i++) {
		learn_def(w, l.v[i], fn, userdata);
		seen[find_def(w, l.v[i]->parent, l.v[i]->uuid)] = true;
	}
	for (size_t k = w->n_defs; k-- > 0;)
		if (!seen[k] && (!parent || streq(w->defs[k].parent, parent))) {
			/* forget_def() moves the last entry here: it has been looked at. */
			seen[k] = seen[w->n_defs - 1];
			undefine_known(w, k, fn, userdata);
		}
	free(seen);
	mdev_list_free(&l);
}

/* Watch every parent directory there is now. */
static void watch_parents(struct store_watch *w)
{
	_cleanup_close_ int cfgfd = path_open_dir(w->cfg);
	struct strv names = { 0 };
	if (cfgfd >= 0)
		(void)path_dir_names(cfgfd, &names);
	for (size_t i = 0; i < names.n; i++)
		if (entry_type(cfgfd, names.v[i], DT_UNKNOWN) == DT_DIR)
			watch_parent(w, names.v[i]);
	strv_free(&names);
}

int store_watch_open(struct store_watch **ret)
{
	struct store_watch *w = xcalloc(1, sizeof(*w));
	w->cfg = env_config_dir();
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;
		store_watch_free(w);
		return err_os(-e, e, "Unable to watch definitions");
	}
	w->cfg_wd = inotify_add_watch(w->fd, w->cfg, WATCH_CFG_MASK);
	if (w->cfg_wd < 0) {
		int e = errno;
		_cleanup_free_ char *cfg = xstrdup(w->cfg);
		store_watch_free(w);
		return err_os(-e, e, "Unable to watch \"%s\"", cfg);
	}
	/* Watches first, then what is there: nothing falls between the two. */
	watch_parents(w);
	resync(w, NULL, NULL, NULL);
	*ret = w;
	return 0;
}

struct store_watch *store_watch_free(struct store_watch *w)
{
	if (!w)
		return NULL;
	if (w->fd >= 0)
		close(w->fd);
	while (w->n_dirs)
		drop_dir(w, 0);
	while (w->n_defs)
		forget_def(w, 0);
	free(w->dirs);
	free(w->defs);
	free(w->cfg);
	free(w);
	return NULL;
}

int store_watch_fd(const struct store_watch *w)
{
	return w->fd;
}

static int cfg_event(struct store_watch *w, const struct inotify_event *ev, store_watch_fn fn,
		     void *userdata)
{
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		return err_set(-ENOENT, "\"%s\" is no longer there to watch", w->cfg);
	if (!(ev->mask & IN_ISDIR) || !ev->len || !is_parent_name(ev->name))
		return 0;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		watch_parent(w, ev->name);
		/* What was written into it before the watch began. */
		resync(w, ev->name, fn, userdata);
	} else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		for (size_t i = 0; i < w->n_dirs; i++)
			if (streq(w->dirs[i].parent, ev->name)) {
				if (ev->mask & IN_MOVED_FROM)
					(void)inotify_rm_watch(w->fd, w->dirs[i].wd);
				drop_dir(w, i);
				break;
			}
		for (size_t k = w->n_defs; k-- > 0;)
			if (streq(w->defs[k].parent, ev->name))
				undefine_known(w, k, fn, userdata);
	}
	return 0;
}

static void parent_event(struct store_watch *w, const struct inotify_event *ev, store_watch_fn fn,
			 void *userdata)
{
	ssize_t i = find_dir(w, ev->wd);
	char uuid[UUID_STR_LEN];
	if (i < 0)
		return;
	if (ev->mask & IN_IGNORED) {
		drop_dir(w, (size_t)i);
		return;
	}
	if (!ev->len || ev->name[0] == '.' || uuid_canonical(ev->name, uuid, NULL) < 0)
		return;
	_cleanup_free_ char *parent = xstrdup(w->dirs[i].parent);
	reload_def(w, parent, uuid, fn, userdata);
}

int store_watch_read(struct store_watch *w, store_watch_fn fn, void *userdata)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return err_os(-errno, errno, "Unable to read the changes of \"%s\"", w->cfg);
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				log_warn("Too many changes under \"%s\" at once: looking again",
					 w->cfg);
				watch_parents(w);
				resync(w, NULL, fn, userdata);
			} else if (ev->wd == w->cfg_wd) {
				int r = cfg_event(w, ev, fn, userdata);
				if (r < 0)
					return r;
			} else
				parent_event(w, ev, fn, userdata);
		}
	}
}
