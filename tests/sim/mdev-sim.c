// SPDX-License-Identifier: LGPL-2.1-or-later
/* mdev-sim: a simulated mdev host. Mounts a FUSE file system that looks to mdevctl (ours or
 * upstream's) like the /sys of a Linux 6.1 host with mediated-device parents, as a JSON host
 * description says, and behaves like it: writing a UUID to a type's `create` makes a device,
 * writing 1 to its `remove` takes it away, available_instances follows. Faults can be injected
 * through mdev-sim/control. This file holds the FUSE operations and main(); the model is in
 * sim-host.c, the description parser in sim-parse.c, the tree in sim-tree.c.
 *
 * The loop is single-threaded and every timeout is zero, so the kernel asks again on each
 * access and a reader never sees a stale or half-made state. Attribute files use direct I/O:
 * each read(2) calls show() afresh (from offset 0), each write(2) is one store(). */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim-host.h"
#include "sim-uevent.h"

/* sysfs hands at most a page to a store() and reports it as the size of every attribute */
#define SYSFS_PAGE 4096

static struct sim_host *host(void)
{
	return fuse_get_context()->private_data;
}

static struct sim_node *lookup(const char *path)
{
	return sim_tree_lookup(host()->root, path);
}

/* What one open file holds between reads: the contents as the last read at offset 0 saw them,
 * so that a reader going through a long file in pieces sees one consistent version. */
struct open_file {
	struct strbuf content;
	bool filled;
};

static void fill_stat(const struct sim_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_atim = n->atime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->ctime;
	st->st_blksize = SYSFS_PAGE;
	switch (n->kind) {
	case SIM_NODE_DIR:
		st->st_mode = S_IFDIR | n->mode;
		st->st_nlink = 2;
		for (const struct sim_node *c = n->first; c; c = c->next)
			if (c->kind == SIM_NODE_DIR)
				st->st_nlink++;
		break;
	case SIM_NODE_FILE:
		st->st_mode = S_IFREG | n->mode;
		st->st_nlink = 1;
		st->st_size = SYSFS_PAGE;
		break;
	case SIM_NODE_LINK:
		st->st_mode = S_IFLNK | n->mode;
		st->st_nlink = 1;
		st->st_size = (off_t)strlen(n->target);
		break;
	}
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->kernel_cache = 0;
	cfg->auto_cache = 0;
	return fuse_get_context()->private_data;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	fill_stat(n, st);
	return 0;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	if (n->kind != SIM_NODE_LINK)
		return -EINVAL;
	if (size == 0)
		return -EINVAL;
	(void)snprintf(buf, size, "%s", n->target);
	return 0;
}

static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	return n->kind == SIM_NODE_DIR ? 0 : -ENOTDIR;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sim_node *n = lookup(path);
	struct stat st;

	if (!n)
		return -ENOENT;
	if (n->kind != SIM_NODE_DIR)
		return -ENOTDIR;
	fill_stat(n, &st);
	if (fill(buf, ".", &st, 0, 0) || fill(buf, "..", NULL, 0, 0))
		return 0;
	for (struct sim_node *c = n->first; c; c = c->next) {
		fill_stat(c, &st);
		if (fill(buf, c->name, &st, 0, 0))
			break;
	}
	return 0;
}

/* kernfs_fop_open(): a file opens for reading only if it has a show(), for writing only if it
 * has a store(), whatever its mode; that is why root gets EACCES writing available_instances. */
static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	int acc = fi->flags & O_ACCMODE;

	if (!n)
		return -ENOENT;
	if (n->kind == SIM_NODE_DIR)
		return -EISDIR;
	if (n->kind != SIM_NODE_FILE)
		return -ELOOP;
	if ((acc == O_RDONLY || acc == O_RDWR) && !n->ops->show)
		return -EACCES;
	if ((acc == O_WRONLY || acc == O_RDWR) && !n->ops->store)
		return -EACCES;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fi->fh = (uint64_t)(uintptr_t)xcalloc(1, sizeof(struct open_file));
	return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;

	if (off < 0)
		return -EINVAL;
	if (off == 0 || !of->filled) {
		/* gone since it was opened: what kernfs says about a removed node */
		struct sim_node *n = lookup(path);
		if (!n || n->kind != SIM_NODE_FILE)
			return -ENODEV;
		sb_free(&of->content);
		int r = n->ops->show(n, &of->content);
		if (r < 0)
			return r;
		of->filled = true;
	}
	if ((size_t)off >= of->content.len)
		return 0;
	size_t k = of->content.len - (size_t)off;
	if (k > size)
		k = size;
	memcpy(buf, of->content.buf + off, k);
	return (int)k;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);

	if (!n || n->kind != SIM_NODE_FILE)
		return -ENODEV;
	if (!n->ops->store)
		return -EACCES;
	/* kernfs_fop_write_iter() cuts a write to a page and sysfs_kf_write() ignores an empty
	 * one: the caller sees a short write and may send the rest as another store */
	if (size > SYSFS_PAGE)
		size = SYSFS_PAGE;
	if (size == 0)
		return 0;
	/* store() gets a NUL-terminated copy, as sysfs_kf_write() gives the kernel's */
	_cleanup_free_ char *copy = xmalloc(size + 1);
	memcpy(copy, buf, size);
	copy[size] = '\0';
	/* n may be freed by store() (remove): do not touch it afterwards */
	int r = n->ops->store(n, copy, size);
	return r < 0 ? r : (int)size;
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	if (of) {
		sb_free(&of->content);
		free(of);
	}
	return 0;
}

/* O_TRUNC on an attribute file (the shell's `>`, Rust's fs::write) is accepted and means
 * nothing, as on sysfs. */
static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	return n->kind == SIM_NODE_DIR ? -EISDIR : 0;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	n->mode = mode & 07777;
	(void)clock_gettime(CLOCK_REALTIME, &n->ctime);
	return 0;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	if (uid != (uid_t)-1)
		n->uid = uid;
	if (gid != (gid_t)-1)
		n->gid = gid;
	(void)clock_gettime(CLOCK_REALTIME, &n->ctime);
	return 0;
}

static void set_time(struct timespec *t, const struct timespec *v)
{
	if (v->tv_nsec == UTIME_OMIT)
		return;
	if (v->tv_nsec == UTIME_NOW)
		(void)clock_gettime(CLOCK_REALTIME, t);
	else
		*t = *v;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct sim_node *n = lookup(path);
	if (!n)
		return -ENOENT;
	set_time(&n->atime, &tv[0]);
	set_time(&n->mtime, &tv[1]);
	return 0;
}

/* What the VFS answers on sysfs, which has no create, mknod, link... of its own. */
static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return -EACCES;
}

static int op_mknod(const char *path, mode_t mode, dev_t dev)
{
	return -EPERM;
}

static int op_mkdir(const char *path, mode_t mode)
{
	return -EPERM;
}

static int op_unlink(const char *path)
{
	return -EPERM;
}

static int op_rmdir(const char *path)
{
	return -EPERM;
}

static int op_symlink(const char *target, const char *path)
{
	return -EPERM;
}

static int op_rename(const char *from, const char *to, unsigned flags)
{
	return -EPERM;
}

static int op_link(const char *from, const char *to)
{
	return -EPERM;
}

static const struct fuse_operations ops = {
	.init = op_init,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.release = op_release,
	.truncate = op_truncate,
	.chmod = op_chmod,
	.chown = op_chown,
	.utimens = op_utimens,
	.create = op_create,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
};

static void usage(FILE *f)
{
	fputs("Usage: mdev-sim --host HOST.json [--foreground] [--debug] [--uevents] MOUNTPOINT\n"
	      "\n"
	      "Mount a simulated mdev host at MOUNTPOINT, which plays the role of /sys.\n"
	      "Without --foreground the command returns once the mount is ready.\n"
	      "Unmount with: fusermount3 -u MOUNTPOINT\n"
	      "\n"
	      "  -H, --host FILE    host description (see tests/sim/README.md)\n"
	      "  -f, --foreground   stay in the foreground\n"
	      "  -d, --debug        log every change to stderr, and libfuse's requests too\n"
	      "  -u, --uevents      send device events as udevd does (in this network namespace)\n"
	      "  -h, --help         this text\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "uevents", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *hostfile = NULL;
	bool foreground = false, debug = false, uevents = false;
	int c;

	while ((c = getopt_long(argc, argv, "H:fduh", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			hostfile = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'u':
			uevents = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!hostfile || optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *mountpoint = argv[optind];

	/* a daemon must not keep its caller's descriptors open: bats, for one, waits for its fd 3
	 * to close before it reports a test */
	if (!foreground)
		(void)close_range(3, ~0U, 0);

	_cleanup_(sim_host_freep) struct sim_host *h = NULL;
	_cleanup_free_ char *error = NULL;
	if (sim_host_load(hostfile, &h, &error) < 0) {
		fprintf(stderr, "mdev-sim: %s\n", error);
		return 1;
	}
	h->debug = debug;
	/* After loading: the devices and parents of the description were there at "boot". */
	if (uevents) {
		int r = sim_uevent_open(h);
		if (r < 0) {
			fprintf(stderr, "mdev-sim: cannot send device events: %s\n", strerror(-r));
			return 1;
		}
	}

	/* default_permissions: the kernel checks mode bits as on sysfs (root passes);
	 * allow_other: root in another mount namespace, or another user, may use the mount */
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	if (fuse_opt_add_arg(&args, argv[0]) || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, geteuid() == 0 ? "fsname=mdev-sim,subtype=mdev-sim,"
						     "default_permissions,allow_other"
						   : "fsname=mdev-sim,subtype=mdev-sim,"
						     "default_permissions") ||
	    (debug && fuse_opt_add_arg(&args, "-d"))) {
		fuse_opt_free_args(&args);
		fputs("mdev-sim: out of memory\n", stderr);
		return 1;
	}

	int ret = 1;
	struct fuse *fuse = fuse_new(&args, &ops, sizeof(ops), h);
	if (!fuse)
		goto out_args;
	if (fuse_mount(fuse, mountpoint) != 0)
		goto out_destroy;
	if (fuse_daemonize(foreground) != 0)
		goto out_unmount;
	struct fuse_session *se = fuse_get_session(fuse);
	if (fuse_set_signal_handlers(se) != 0)
		goto out_unmount;
	ret = fuse_loop(fuse) == 0 ? 0 : 1;
	fuse_remove_signal_handlers(se);
out_unmount:
	fuse_unmount(fuse);
out_destroy:
	fuse_destroy(fuse);
out_args:
	fuse_opt_free_args(&args);
	return ret;
}
