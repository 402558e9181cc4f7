// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of trust.h: the verdict on an owner and a mode (a table), and the walk on a tree
 * made in a temporary directory used as MDEVCTL_ENV_ROOT: links relative, absolute and
 * chained, "..", loops, loose directories on the way, and agreement with the kernel's own
 * resolution (stat(2)) wherever the walk accepts a path. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "path.h"
#include "tap.h"
#include "trust.h"
#include "util.h"

static void test_judge(void)
{
	static const struct {
		uid_t uid;
		mode_t mode;
		uid_t euid;
		enum trust_verdict want;
	} cases[] = {
		{ 0, 0755, 0, TRUST_OK },
		{ 0, 0700, 0, TRUST_OK },
		{ 0, 0644, 0, TRUST_OK },
		{ 0, 04755, 0, TRUST_OK },
		{ 0, 0775, 0, TRUST_WRITABLE },
		{ 0, 0757, 0, TRUST_WRITABLE },
		{ 0, 0722, 0, TRUST_WRITABLE },
		{ 0, 01777, 0, TRUST_WRITABLE }, /* sticky or not: others may add entries */
		{ 1000, 0755, 0, TRUST_OWNER },
		{ 1000, 0755, 1000, TRUST_OK },
		{ 0, 0755, 1000, TRUST_OK },
		{ 1000, 0775, 1000, TRUST_WRITABLE },
		{ 1001, 0777, 1000, TRUST_OWNER }, /* the owner is reported first */
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct stat st = { .st_uid = cases[i].uid, .st_mode = S_IFREG | cases[i].mode };
		ok(trust_judge(&st, cases[i].euid) == cases[i].want,
		   "judge: uid %u mode %04o euid %u -> %d", (unsigned)cases[i].uid,
		   (unsigned)cases[i].mode, (unsigned)cases[i].euid, cases[i].want);
	}
}

static char root[64];

static char *at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void mkdir_mode(const char *rel, mode_t mode)
{
	_cleanup_free_ char *p = at(rel);
	if (mkdir(p, mode) < 0 || chmod(p, mode) < 0)
		printf("# mkdir %s: %s\n", p, strerror(errno));
}

static void file_mode(const char *rel, mode_t mode, const char *text)
{
	_cleanup_free_ char *p = at(rel);
	FILE *f = fopen(p, "we");
	if (!f) {
		printf("# fopen %s: %s\n", p, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
	if (chmod(p, mode) < 0)
		printf("# chmod %s: %s\n", p, strerror(errno));
}

static void link_to(const char *target, const char *rel)
{
	_cleanup_free_ char *p = at(rel);
	if (symlink(target, p) < 0)
		printf("# symlink %s: %s\n", p, strerror(errno));
}

/* The walk's answer for rel: "ok", "EPERM: <reason>" or "E<n>" for another errno. A path it
 * accepts must name, for the kernel too, the file it returned. */
static char *walk(const char *rel)
{
	_cleanup_free_ char *p = at(rel);
	char *reason = NULL;
	int fd = trust_open(p, O_PATH, &reason);
	if (fd >= 0) {
		struct stat a, b;
		bool same = fstat(fd, &a) == 0 && stat(p, &b) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino;
		close(fd);
		return xstrdup(same ? "ok" : "ok, but not the file stat(2) finds");
	}
	if (fd == -EPERM) {
		char *s = xasprintf("EPERM: %s", reason ? reason : "(no reason)");
		free(reason);
		return s;
	}
	return xasprintf("E%d", -fd);
}

/* The message names paths under the root: write them relative to it, as ROOT/... */
static char *unroot(char *s)
{
	struct strbuf sb = { 0 };
	size_t n = strlen(root);
	for (const char *p = s; *p;) {
		if (strncmp(p, root, n) == 0) {
			sb_puts(&sb, "ROOT");
			p += n;
		} else
			sb_putc(&sb, *p++);
	}
	free(s);
	return sb_steal(&sb);
}

static void test_walk(void)
{
	snprintf(root, sizeof(root), "/tmp/test-trust.XXXXXX");
	if (!mkdtemp(root)) {
		ok(false, "mkdtemp");
		return;
	}
	chmod(root, 0755);
	setenv("MDEVCTL_ENV_ROOT", root, 1);
	env_init();

	mkdir_mode("a", 0755);
	file_mode("a/f", 0755, "#!/bin/sh\n");
	file_mode("a/gw", 0775, "");
	file_mode("a/ow", 0757, "");
	mkdir_mode("loose", 0777);
	file_mode("loose/f", 0755, "");
	mkdir_mode("sticky", 01777);
	file_mode("sticky/f", 0755, "");
	mkdir_mode("a/gwdir", 0775);
	file_mode("a/gwdir/f", 0755, "");
	link_to("f", "a/rel");
	link_to("../loose/f", "a/into-loose");
	link_to("gw", "a/to-gw");
	_cleanup_free_ char *abs_f = at("a/f");
	link_to(abs_f, "a/abs");
	link_to("../a/rel", "loose/hop");
	link_to("../loose/hop", "a/via-loose");
	link_to("../a/f", "sticky/hop");
	link_to("hop2", "a/hop1");
	link_to("rel", "a/hop2");
	link_to("loop", "a/loop");
	link_to("/nonexistent/x", "a/dangling");
	link_to("..", "a/up");
	link_to("/", "a/slash");
	link_to("a", "dirlink");
	/* 40 links in a chain are allowed, 41 are not (as for the kernel) */
	for (int i = 1; i <= 41; i++) {
		_cleanup_free_ char *name = xasprintf("a/c%d", i);
		_cleanup_free_ char *next = i == 1 ? xstrdup("f") : xasprintf("c%d", i - 1);
		link_to(next, name);
	}
	_cleanup_free_ char *fifo = at("a/fifo");
	if (mkfifo(fifo, 0644) < 0)
		printf("# mkfifo: %s\n", strerror(errno));

	static const struct {
		const char *rel;
		const char *want;
	} cases[] = {
		{ "a/f", "ok" },
		{ "a//f", "ok" },
		{ "./a/./f", "ok" },
		{ "a/../a/f", "ok" },
		{ "a/gw", "EPERM: writable by group or others" },
		{ "a/ow", "EPERM: writable by group or others" },
		{ "loose/f", "EPERM: directory \"ROOT/loose\" is writable by group or others" },
		{ "sticky/f", "EPERM: directory \"ROOT/sticky\" is writable by group or others" },
		{ "a/gwdir/f", "EPERM: directory \"ROOT/a/gwdir\" is writable by group or others" },
		/* a directory only walked through counts too, though ".." leaves it */
		{ "loose/../a/f",
		  "EPERM: directory \"ROOT/loose\" is writable by group or others" },
		{ "a/rel", "ok" },
		{ "a/abs", "ok" },
		{ "dirlink/f", "ok" },
		{ "dirlink/rel", "ok" },
		{ "a/up/a/f", "ok" },
		{ "a/hop1", "ok" },
		{ "a/c40", "ok" },
		{ "a/c41", "E40" },
		{ "a/loop", "E40" },
		{ "a/to-gw", "EPERM: \"ROOT/a/gw\" is writable by group or others" },
		{ "a/into-loose",
		  "EPERM: directory \"ROOT/loose\" is writable by group or others" },
		{ "a/via-loose", "EPERM: directory \"ROOT/loose\" is writable by group or others" },
		{ "sticky/hop", "EPERM: directory \"ROOT/sticky\" is writable by group or others" },
		{ "a/dangling", "E2" },
		{ "a/missing", "E2" },
		{ "a/f/x", "E20" },
		{ "a", "EPERM: not a regular file" },
		{ "a/fifo", "EPERM: not a regular file" },
		{ "a/up", "EPERM: \"ROOT\" is not a regular file" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *got = unroot(walk(cases[i].rel));
		is_str(got, cases[i].want, "walk %s", cases[i].rel);
	}

	/* "/" itself is judged when an absolute link leaves the root; on a sound system it
	 * passes, and the target is named by the path the walk took. */
	_cleanup_free_ char *slash = unroot(walk("a/slash"));
	is_str(slash, "EPERM: \"/\" is not a regular file", "a link to / is a directory");

	/* A readable descriptor reads the file judged. */
	_cleanup_free_ char *pf = at("a/rel");
	int fd = trust_open(pf, O_RDONLY, NULL);
	_cleanup_free_ char *text = NULL;
	ok(fd >= 0 && fd_read_all(fd, 100, &text, NULL) == 0 && streq(text, "#!/bin/sh\n"),
	   "O_RDONLY: the descriptor reads the file");
	if (fd >= 0)
		close(fd);

	/* trust_dir */
	_cleanup_free_ char *da = at("a"), *dl = at("loose"), *dg = at("a/gwdir");
	_cleanup_free_ char *dlink = at("dirlink"), *dfile = at("a/f");
	char *reason = NULL;
	ok(trust_dir(da, NULL) == 0, "trust_dir: a sound directory");
	ok(trust_dir(dlink, NULL) == 0, "trust_dir: a link to a sound directory");
	ok(trust_dir(dl, &reason) == -EPERM && reason &&
		   endswith(reason, "/loose\" is writable by group or others"),
	   "trust_dir: a loose directory: %s", reason ? reason : "");
	free(reason);
	reason = NULL;
	ok(trust_dir(dg, &reason) == -EPERM, "trust_dir: a group-writable directory");
	free(reason);
	reason = NULL;
	ok(trust_dir(dfile, &reason) == -EPERM && reason &&
		   endswith(reason, "/a/f\" is not a directory"),
	   "trust_dir: a file: %s", reason ? reason : "");
	free(reason);

	/* The root is judged too; what is above it is not (/tmp is world-writable). */
	chmod(root, 0775);
	_cleanup_free_ char *rootloose = unroot(walk("a/f"));
	is_str(rootloose, "EPERM: directory \"ROOT\" is writable by group or others",
	       "the root itself is judged");
	chmod(root, 0755);

	/* Ownership: another user's file or directory, when we can make one. */
	if (geteuid() == 0) {
		_cleanup_free_ char *pa = at("a"), *pf2 = at("a/f");
		ok(chown(pf2, 65534, 0) == 0, "chown a/f");
		_cleanup_free_ char *o1 = unroot(walk("a/f"));
		is_str(o1, "EPERM: owned by uid 65534", "a file owned by another user");
		ok(chown(pf2, 0, 0) == 0 && chown(pa, 65534, 0) == 0, "chown a");
		_cleanup_free_ char *o2 = unroot(walk("a/rel"));
		is_str(o2, "EPERM: directory \"ROOT/a\" is owned by uid 65534",
		       "a directory owned by another user");
		ok(chown(pa, 0, 0) == 0, "chown a back");
	} else {
		for (int i = 0; i < 5; i++)
			printf("ok %d # SKIP changing owners needs root\n", ++tap_n);
	}

	/* A path outside the root that is not absolute cannot be walked. */
	char *r2 = NULL;
	ok(trust_open("relative/path", O_PATH, &r2) == -EINVAL && !r2,
	   "a relative path outside the root: -EINVAL");

	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
}

int main(void)
{
	test_judge();
	test_walk();
	return tap_done();
}
