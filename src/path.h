/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every read, write, readlink and directory walk of the program goes through here, on paths
 * built by env.h (or a user's --jsonfile path). Functions return 0 (or a count) on success and
 * a negative errno on failure, never print, and set O_CLOEXEC on every descriptor. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Confine every path below root (absolute, no trailing slash needed) to it, as `--root DIR`
 * wants (env.h): from now on, each function here resolves such a path with openat2(2)'s
 * RESOLVE_IN_ROOT, as if root were "/", so that an absolute symbolic link or a ".." in the
 * image never leads out of it. Paths elsewhere (a user's --jsonfile) are opened as they are.
 * Relative walks from a descriptor (the _at functions) stay where that descriptor is.
 * Returns 0, or a negative errno (-ENOSYS on a kernel without openat2, before 5.6). */
int path_set_root(const char *root);

/* open(2) of path with the confinement above; a negative errno on failure. */
int path_open(const char *path, int flags, mode_t mode);
/* path_open() of a directory to read (O_RDONLY | O_DIRECTORY | O_CLOEXEC). */
int path_open_dir(const char *path);
/* opendir(3) of path_open_dir(): NULL with errno set on failure. */
DIR *path_opendir(const char *path);
/* stat(2) (following links), and unlink(2), with the confinement above. */
int path_stat(const char *path, struct stat *ret);
int path_unlink(const char *path);

/* Read a whole file (a pipe such as /dev/stdin included: read to EOF, never trust st_size).
 * *ret is NUL-terminated and owned by the caller; *ret_len (optional) excludes the NUL.
 * Files above max_size bytes give -EFBIG. */
int path_read_file(const char *path, size_t max_size, char **ret, size_t *ret_len);
/* Read a file known to be regular (a definition), path relative to the directory dirfd
 * (AT_FDCWD for the working directory), into the caller's buf of cap bytes when it fits, else
 * into a malloc'ed buffer: returns the length (the text NUL-terminated at *ret, which is buf or
 * a buffer the caller frees), or a negative errno (-EFBIG above max_size bytes). A short read
 * ends it (one read(2) fewer than path_read_file()), and a FIFO in its place reads as empty
 * instead of blocking. `list` reads thousands of definitions this way without allocating. */
ssize_t path_read_regular_buf(int dirfd, const char *path, size_t max_size, char *buf, size_t cap,
			      char **ret);
/* path_read_regular_buf() of each of n files, in order, with one stack buffer for them all:
 * fn gets the whole text (NUL-terminated, valid during the call only) and its length, or NULL
 * and the negative errno. */
struct path_read_req {
	int dirfd;	  /* kept open until path_read_each() returns */
	const char *name; /* relative to dirfd */
};
typedef void (*path_read_fn)(size_t i, const char *text, ssize_t len, void *userdata);
void path_read_each(const struct path_read_req *f, size_t n, size_t max_size, path_read_fn fn,
		    void *userdata);
/* Read a sysfs attribute (or any regular file) relative to dirfd, with path_read_file()'s
 * contract except that a short read ends it: the kernel hands an attribute's whole value to the
 * first read(2). */
int path_read_file_at(int dirfd, const char *path, size_t max_size, char **ret, size_t *ret_len);
/* Read a small sysfs-style attribute and strip surrounding whitespace. */
int path_read_attr(const char *path, char **ret);
/* Read from an already open descriptor to EOF (same contract as path_read_file). */
int fd_read_all(int fd, size_t max_size, char **ret, size_t *ret_len);

/* readlink(2) into a malloc'ed string; _at: path relative to dirfd. */
int path_readlink(const char *path, char **ret);
int path_readlink_at(int dirfd, const char *path, char **ret);
/* The last component of a link's target ("../x/y" gives "y"). */
int path_readlink_basename(const char *path, char **ret);
int path_readlink_basename_at(int dirfd, const char *path, char **ret);

/* Write the string with one write(2), no newline added, opening O_WRONLY|O_TRUNC (sysfs
 * ignores O_TRUNC; a plain-file tree needs it). The kernel's errno comes back as -errno. */
int path_write_string(const char *path, const char *s);
/* The same, creating a missing file (0666 less the umask), as upstream's writes do. */
int path_write_string_create(const char *path, const char *s);

/* Replace path's content atomically: a temporary file in the same directory (a dot-name, so
 * listings skip it), fsync, rename over path, fsync of the directory. Nobody ever sees a
 * partial file, and a failure leaves the old content (or nothing) in place. */
int path_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

/* Create or truncate path (never following a link at its end) and write data, without a
 * temporary file or fsync: for a file whose reader treats a partial content as no content at
 * all (journal.h), where the atomic write's cost buys nothing. */
int path_write_new(const char *path, const char *data, size_t len, mode_t mode);

struct strv;
/* The names in the open directory fd, "." and ".." left out, appended to out unsorted. Returns
 * how many, or a negative errno. The caller closes fd. */
int path_dir_names(int fd, struct strv *out);
/* Call fn for each entry of the open directory fd, "." and ".." left out, in the directory's
 * order, with its d_type (DT_UNKNOWN where the filesystem does not tell: the caller then
 * stats). Returns how many entries, a negative errno, or fn's negative return, which stops the
 * walk. The caller closes fd. */
typedef int (*path_dir_fn)(const char *name, unsigned char d_type, void *userdata);
int path_dir_foreach(int fd, path_dir_fn fn, void *userdata);

/* mkdir -p with the given mode for the components it creates. */
int path_mkdir_p(const char *path, mode_t mode);

bool path_exists(const char *path);  /* stat() succeeds (follows links) */
bool path_is_dir(const char *path);  /* stat() and S_ISDIR */
bool path_lexists(const char *path); /* lstat() succeeds */
