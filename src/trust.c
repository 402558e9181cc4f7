// SPDX-License-Identifier: LGPL-2.1-or-later
/* The walk of trust.h. The path is walked one component at a time with O_PATH descriptors
 * opened O_NOFOLLOW, each directory judged through the very descriptor the next step starts
 * from, and symbolic links read and spliced into what is left to walk, as the kernel does:
 * nothing is resolved behind the walk's back, so what is judged is what the path names at
 * that moment. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "path.h"
#include "trust.h"
#include "util.h"

#define LINKS_MAX 40 /* the kernel's MAXSYMLINKS: more is ELOOP for exec(2) as well */

enum trust_verdict trust_judge(const struct stat *st, uid_t euid)
{
	if (st->st_uid != 0 && st->st_uid != euid)
		return TRUST_OWNER;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return TRUST_WRITABLE;
	return TRUST_OK;
}

static char *verdict_text(enum trust_verdict v, const struct stat *st)
{
	if (v == TRUST_OWNER)
		return xasprintf("owned by uid %u", (unsigned)st->st_uid);
	return xstrdup("writable by group or others");
}

struct walk {
	const char *path;    /* as asked, for messages */
	int dirfd;	     /* the directory reached (O_PATH) */
	struct strbuf shown; /* its path, for messages; "" is "/" */
	uid_t euid;
	char *reason;
};

static const char *shown(const struct walk *w)
{
	return w->shown.len ? w->shown.buf : "/";
}

static void shown_set(struct walk *w, const char *s)
{
	w->shown.len = 0;
	if (w->shown.buf)
		w->shown.buf[0] = '\0';
	sb_puts(&w->shown, s);
}

/* Step into the directory fd (taking it over), known by the name shown now, and judge it. */
static int enter_dir(struct walk *w, int fd)
{
	struct stat st;

	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	enum trust_verdict v = trust_judge(&st, w->euid);
	if (v != TRUST_OK) {
		_cleanup_free_ char *t = verdict_text(v, &st);
		w->reason = xasprintf("directory \"%s\" is %s", shown(w), t);
		return -EPERM;
	}
	return 0;
}

/* Start (again) from where s begins: the rerooted root when s lies under it, else "/"; under
 * --root, an absolute link target (link) always starts from the root, as the image will see
 * it. Sets *ret_rest to what is left of s to walk. */
static int begin(struct walk *w, const char *s, bool link, const char **ret_rest)
{
	const char *root = env_root();
	size_t rl = strlen(root);
	int fd;

	if (link && env_offline()) {
		fd = open(rl ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		shown_set(w, root);
		*ret_rest = s;
	} else if (rl > 0 && strncmp(s, root, rl) == 0 && (s[rl] == '/' || s[rl] == '\0')) {
		fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		shown_set(w, root);
		*ret_rest = s + rl;
	} else if (s[0] == '/') {
		fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		shown_set(w, "");
		*ret_rest = s;
	} else
		return -EINVAL;
	if (fd < 0)
		return -errno;
	return enter_dir(w, fd);
}

/* The file reached at the end of the walk, named comp in the current directory, of which st
 * is the O_PATH descriptor fd's stat: judge it, reopen it as asked. Returns the descriptor. */
static int finish_file(struct walk *w, const char *comp, int fd, const struct stat *st, int flags)
{
	_cleanup_free_ char *name = xasprintf("%s/%s", w->shown.buf ? w->shown.buf : "", comp);
	bool self = streq(name, w->path);
	enum trust_verdict v;
	struct stat now;

	if (!S_ISREG(st->st_mode)) {
		w->reason = self ? xstrdup("not a regular file")
				 : xasprintf("\"%s\" is not a regular file", name);
		return -EPERM;
	}
	v = trust_judge(st, w->euid);
	if (v != TRUST_OK) {
		_cleanup_free_ char *t = verdict_text(v, st);
		w->reason = self ? TAKE_PTR(t) : xasprintf("\"%s\" is %s", name, t);
		return -EPERM;
	}
	_cleanup_close_ int nfd = -1;
	if (!(flags & O_PATH)) {
		nfd = openat(w->dirfd, comp,
			     flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (nfd < 0)
			return -errno;
		if (fstat(nfd, &now) < 0)
			return -errno;
		if (now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
			w->reason = xstrdup("changed while being checked");
			return -EPERM;
		}
	}
	/* The kernel resolves the path again when it executes it: it must find the same file.
	 * (Under --root, the path as the image resolves it.) */
	int r = path_stat(w->path, &now);
	if (r < 0)
		return r;
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		w->reason = xstrdup("changed while being checked");
		return -EPERM;
	}
	if (nfd >= 0)
		return TAKE_FD(nfd);
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return dup < 0 ? -errno : dup;
}

/* Walk path; want_dir: it must end on a directory (returns 0), else on a regular file (returns
 * its descriptor opened with flags). */
static int walk(struct walk *w, bool want_dir, int flags)
{
	_cleanup_free_ char *todo = xstrdup(w->path);
	const char *p;
	unsigned links = 0;
	int r;

	r = begin(w, todo, false, &p);
	if (r < 0)
		return r;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			if (want_dir)
				return 0;
			w->reason = streq(shown(w), w->path)
					    ? xstrdup("not a regular file")
					    : xasprintf("\"%s\" is not a regular file", shown(w));
			return -EPERM;
		}
		const char *end = strchrnul(p, '/');
		_cleanup_free_ char *comp = xstrndup(p, (size_t)(end - p));
		p = end;
		while (*p == '/')
			p++;
		bool last = !*p;

		if (streq(comp, "."))
			continue;
		if (streq(comp, "..")) {
			/* The root of an image is its "/": ".." there stays there. */
			if (env_offline() && streq(shown(w), *env_root() ? env_root() : "/"))
				continue;
			int fd = openat(w->dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				return -errno;
			char *slash = strrchr(w->shown.buf, '/');
			if (slash) {
				*slash = '\0';
				w->shown.len = (size_t)(slash - w->shown.buf);
			}
			r = enter_dir(w, fd);
			if (r < 0)
				return r;
			continue;
		}

		_cleanup_close_ int fd = openat(w->dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0)
			return -errno;

		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			if (++links > LINKS_MAX)
				return -ELOOP;
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
			if (n < 0)
				return -errno;
			if (n == 0)
				return -ENOENT;
			target[n] = '\0';
			/* The target takes the link's place in what is left to walk. */
			char *next = xasprintf("%s%s%s", target, last ? "" : "/", p);
			free(todo);
			todo = next;
			p = todo;
			if (target[0] == '/') {
				r = begin(w, todo, true, &p);
				if (r < 0)
					return r;
			}
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			sb_printf(&w->shown, "/%s", comp);
			r = enter_dir(w, TAKE_FD(fd));
			if (r < 0)
				return r;
			continue;
		}
		if (!last)
			return -ENOTDIR;
		if (want_dir) {
			w->reason = xasprintf("\"%s/%s\" is not a directory",
					      w->shown.buf ? w->shown.buf : "", comp);
			return -EPERM;
		}
		return finish_file(w, comp, fd, &st, flags);
	}
}

static int run(const char *path, bool want_dir, int flags, char **ret_reason)
{
	struct walk w = { .path = path, .dirfd = -1, .euid = geteuid() };

	sb_puts(&w.shown, "");
	int r = walk(&w, want_dir, flags);
	if (w.dirfd >= 0)
		close(w.dirfd);
	sb_free(&w.shown);
	if (r == -EPERM && !w.reason) /* from the system, not a verdict */
		w.reason = xstrdup(os_error_str(EPERM));
	if (r == -EPERM && ret_reason)
		*ret_reason = TAKE_PTR(w.reason);
	free(w.reason);
	return r;
}

int trust_open(const char *path, int flags, char **ret_reason)
{
	return run(path, false, flags, ret_reason);
}

int trust_dir(const char *path, char **ret_reason)
{
	return run(path, true, 0, ret_reason);
}
