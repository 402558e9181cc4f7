// SPDX-License-Identifier: LGPL-2.1-or-later
/* Root-agnostic file I/O with the errno contract of path.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path.h"
#include "util.h"

/* The offline root of path_set_root(): its descriptor, and its path as the paths the callers
 * build begin with ("" for "/"). */
static int root_fd = -1;
static char *root_path;

int path_set_root(const char *root)
{
	_cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A kernel without openat2(2) (before 5.6) could not keep links inside the root: refuse
	 * rather than follow them out of it. */
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	long t = syscall(SYS_openat2, fd, ".", &how, sizeof(how));
	if (t < 0)
		return -errno;
	close((int)t);

	free(root_path);
	root_path = xstrdup(root);
	size_t n = strlen(root_path);
	while (n > 0 && root_path[n - 1] == '/')
		root_path[--n] = '\0';
	if (root_fd >= 0)
		close(root_fd);
	root_fd = TAKE_FD(fd);
	return 0;
}

/* Where a call on path starts: AT_FDCWD and path itself, unless path lies under the offline
 * root: then the root's descriptor and the rest of path ("." for the root itself). */
static int rooted(const char *path, const char **ret_rel)
{
	*ret_rel = path;
	if (root_fd < 0 || path[0] != '/')
		return AT_FDCWD;
	size_t n = strlen(root_path);
	if (strncmp(path, root_path, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return AT_FDCWD;
	const char *rel = path + n;
	while (*rel == '/')
		rel++;
	*ret_rel = *rel ? rel : ".";
	return root_fd;
}

/* openat2(2) of rel below the root, resolved as if the root were "/": an absolute link or a
 * ".." stays inside it. */
static int open_in_root(const char *rel, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)flags,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

int path_open(const char *path, int flags, mode_t mode)
{
	const char *rel;
	if (rooted(path, &rel) == AT_FDCWD) {
		int fd = open(path, flags, mode);
		return fd < 0 ? -errno : fd;
	}
	return open_in_root(rel, flags, mode);
}

/* For the calls that act on a name in a directory (mkdirat, unlinkat, readlinkat...): the
 * directory holding path's last component and that component. Outside the offline root that
 * is AT_FDCWD and path itself (nothing opened); under it, the directory opened with flags
 * (O_PATH or O_RDONLY, O_DIRECTORY added) within the root, which the caller closes. Returns 0
 * or a negative errno. */
static int at_parent(const char *path, int flags, int *ret_dfd, const char **ret_name)
{
	const char *rel;
	*ret_dfd = AT_FDCWD;
	*ret_name = path;
	if (rooted(path, &rel) == AT_FDCWD)
		return 0;
	const char *slash = strrchr(rel, '/');
	_cleanup_free_ char *dir = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup(".");
	int fd = open_in_root(dir, flags | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	*ret_dfd = fd;
	*ret_name = slash ? slash + 1 : rel;
	return 0;
}

int path_open_dir(const char *path)
{
	return path_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

DIR *path_opendir(const char *path)
{
	int fd = path_open_dir(path);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

int path_stat(const char *path, struct stat *ret)
{
	const char *rel;
	if (rooted(path, &rel) == AT_FDCWD)
		return stat(path, ret) < 0 ? -errno : 0;
	_cleanup_close_ int fd = open_in_root(rel, O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	return fstat(fd, ret) < 0 ? -errno : 0;
}

int path_unlink(const char *path)
{
	_cleanup_close_ int dfd = -1;
	const char *name;
	int r = at_parent(path, O_PATH, &dfd, &name);
	if (r < 0)
		return r;
	return unlinkat(dfd, name, 0) < 0 ? -errno : 0;
}

/* Read to EOF. A pipe may return less than asked before its end, so only a read of 0 ends it;
 * a regular file returns less only at its end (short_is_eof), which saves the final read(2)
 * that would return 0: one system call per definition that `list` loads. The content goes to
 * buf (cap bytes, the NUL included) while it fits, so that the small files read in bulk (a
 * definition, a sysfs attribute) cost no allocation; beyond that to a growing heap buffer.
 * *ret is buf or the heap buffer (the caller frees it when it is not buf). */
static ssize_t read_loop(int fd, size_t max_size, bool short_is_eof, char *buf, size_t cap,
			 char **ret)
{
	_cleanup_free_ char *heap = NULL;
	char *p = buf;
	size_t len = 0;

	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max_size + 1)
				return -EFBIG;
			cap *= 2;
			if (!heap) {
				heap = xmalloc(cap);
				memcpy(heap, buf, len);
			} else
				heap = xrealloc(heap, cap);
			p = heap;
		}
		size_t want = cap - len - 1;
		ssize_t n = read(fd, p + len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_size)
			return -EFBIG;
		if (short_is_eof && (size_t)n < want)
			break;
	}
	p[len] = '\0';
	*ret = heap ? TAKE_PTR(heap) : buf;
	return (ssize_t)len;
}

/* read_loop() into a fresh heap buffer: the contract of path_read_file(). */
static int read_alloc(int fd, size_t max_size, bool short_is_eof, char **ret, size_t *ret_len)
{
	char buf[4096];
	char *p;
	ssize_t n = read_loop(fd, max_size, short_is_eof, buf, sizeof(buf), &p);
	if (n < 0)
		return (int)n;
	*ret = p == buf ? xstrndup(buf, (size_t)n) : p;
	if (ret_len)
		*ret_len = (size_t)n;
	return 0;
}

int fd_read_all(int fd, size_t max_size, char **ret, size_t *ret_len)
{
	return read_alloc(fd, max_size, false, ret, ret_len);
}

int path_read_file(const char *path, size_t max_size, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = path_open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	return fd_read_all(fd, max_size, ret, ret_len);
}

ssize_t path_read_regular_buf(int dirfd, const char *path, size_t max_size, char *buf, size_t cap,
			      char **ret)
{
	/* O_NONBLOCK: a FIFO put where a definition belongs must not hang the caller (libvirt
	 * waits for `list` without a timeout); it reads as empty. */
	_cleanup_close_ int fd =
		openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	return read_loop(fd, max_size, true, buf, cap, ret);
}

void path_read_each(const struct path_read_req *f, size_t n, size_t max_size, path_read_fn fn,
		    void *userdata)
{
	for (size_t i = 0; i < n; i++) {
		char buf[4096], *text;
		ssize_t r = path_read_regular_buf(f[i].dirfd, f[i].name, max_size, buf, sizeof(buf),
						  &text);
		fn(i, r >= 0 ? text : NULL, r, userdata);
		if (r >= 0 && text != buf)
			free(text);
	}
}

int path_read_attr(const char *path, char **ret)
{
	char *s;
	int r = path_read_file(path, 1 << 20, &s, NULL);
	if (r < 0)
		return r;
	*ret = strstrip(s);
	return 0;
}

int path_read_file_at(int dirfd, const char *path, size_t max_size, char **ret, size_t *ret_len)
{
	/* sysfs gives an attribute's whole value to the first read(2) (at most a page), and
	 * reads less than asked only at the end, like a regular file. */
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return read_alloc(fd, max_size, true, ret, ret_len);
}

int path_readlink_at(int dirfd, const char *path, char **ret)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret = xstrdup(buf);
	return 0;
}

int path_readlink(const char *path, char **ret)
{
	_cleanup_close_ int dfd = -1;
	const char *name;
	int r = at_parent(path, O_PATH, &dfd, &name);
	if (r < 0)
		return r;
	return path_readlink_at(dfd, name, ret);
}

/* The last component of the link target t (path_readlink*()'s result, or its error r). */
static int target_basename(int r, char *t, char **ret)
{
	_cleanup_free_ char *target = t;
	if (r < 0)
		return r;
	size_t n = strlen(target);
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	const char *b = strrchr(target, '/');
	b = b ? b + 1 : target;
	if (!*b || streq(b, ".") || streq(b, ".."))
		return -EINVAL;
	*ret = xstrdup(b);
	return 0;
}

int path_readlink_basename_at(int dirfd, const char *path, char **ret)
{
	char *t = NULL;
	int r = path_readlink_at(dirfd, path, &t);
	return target_basename(r, t, ret);
}

int path_readlink_basename(const char *path, char **ret)
{
	char *t = NULL;
	int r = path_readlink(path, &t);
	return target_basename(r, t, ret);
}

static int write_string(const char *path, const char *s, int oflags)
{
	_cleanup_close_ int fd =
		path_open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | oflags, 0666);
	if (fd < 0)
		return fd;
	size_t len = strlen(s);
	ssize_t n = write(fd, s, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	/* A plain file reports write errors (ENOSPC on some filesystems) only on close. */
	int r = close(TAKE_FD(fd));
	if (r < 0 && errno != EINTR)
		return -errno;
	return 0;
}

int path_write_string(const char *path, const char *s)
{
	return write_string(path, s, 0);
}

int path_write_string_create(const char *path, const char *s)
{
	return write_string(path, s, O_CREAT);
}

/* The directory holding path (an absolute or relative path), opened for fsync(2) and the *at
 * calls, and path's last component. */
static int open_dir_of(const char *path, int *ret_dfd, const char **ret_name)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = !slash	  ? xstrdup(".")
				   : slash == path ? xstrdup("/")
						   : xstrndup(path, (size_t)(slash - path));
	int fd = path_open_dir(dir);
	if (fd < 0)
		return fd;
	*ret_dfd = fd;
	*ret_name = slash ? slash + 1 : path;
	return 0;
}

/* A new file ".<name>.XXXXXX" in dfd, as mkostemp(3) makes them (six letters or digits, mode
 * 0600), but relative to a directory. Its name goes to tmp. */
static int create_temp(int dfd, const char *name, char **ret_tmp)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char rnd[6];
		char suffix[7];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return errno ? -errno : -EIO;
		for (size_t i = 0; i < sizeof(rnd); i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[6] = '\0';
		char *tmp = xasprintf(".%s.%s", name, suffix);
		int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*ret_tmp = tmp;
			return fd;
		}
		int e = errno;
		free(tmp);
		if (e != EEXIST)
			return -e;
	}
	return -EEXIST;
}

int path_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int dfd = -1;
	const char *base;
	int r = open_dir_of(path, &dfd, &base);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = create_temp(dfd, base, &tmp);
	if (fd < 0)
		return fd;

	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(TAKE_FD(fd)) < 0) {
		r = -errno;
		goto fail;
	}
	if (renameat(dfd, tmp, dfd, base) < 0) {
		r = -errno;
		goto fail;
	}
	(void)fsync(dfd);
	return 0;
fail:
	(void)unlinkat(dfd, tmp, 0);
	return r;
}

int path_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = xstrdup(path);
	size_t n = strlen(p);
	const char *rel;
	/* The directories above the offline root are the caller's: not even looked at. */
	size_t from = rooted(path, &rel) == AT_FDCWD ? 1 : strlen(root_path) + 1;

	for (size_t i = from; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		_cleanup_close_ int dfd = -1;
		const char *name;
		int r = at_parent(p, O_PATH, &dfd, &name);
		if (r < 0)
			return r;
		if (mkdirat(dfd, name, mode) < 0 && errno != EEXIST)
			return -errno;
		p[i] = c;
	}
	return path_is_dir(path) ? 0 : -ENOTDIR;
}

int path_dir_foreach(int fd, path_dir_fn fn, void *userdata)
{
	/* getdents64(2) straight into a large buffer: opendir(3) adds an fstat(2) per directory,
	 * and `list` reads one directory per supported type. On the stack: a heap block this
	 * size makes malloc sort all its free small blocks first, hundreds of times per run. */
	enum { BUF = 32768 };
	char buf[BUF] __attribute__((aligned(8)));
	int found = 0;

	for (;;) {
		ssize_t n = getdents64(fd, buf, BUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			off += de->d_reclen;
			if (streq(de->d_name, ".") || streq(de->d_name, ".."))
				continue;
			int r = fn(de->d_name, de->d_type, userdata);
			if (r < 0)
				return r;
			found++;
		}
	}
	return found;
}

static int push_name(const char *name, unsigned char d_type, void *userdata)
{
	strv_push(userdata, xstrdup(name));
	return 0;
}

int path_dir_names(int fd, struct strv *out)
{
	return path_dir_foreach(fd, push_name, out);
}

bool path_exists(const char *path)
{
	struct stat st;
	return path_stat(path, &st) == 0;
}

bool path_is_dir(const char *path)
{
	struct stat st;
	return path_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_lexists(const char *path)
{
	_cleanup_close_ int dfd = -1;
	const char *name;
	struct stat st;
	return at_parent(path, O_PATH, &dfd, &name) == 0 &&
	       fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int path_write_new(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_close_ int fd = path_open(
		path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0)
		return fd;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	return close(TAKE_FD(fd)) < 0 && errno != EINTR ? -errno : 0;
}
