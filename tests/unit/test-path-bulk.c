/* Unit tests of path_bulk_read(): every file gets what path_read_regular_buf() gives it (text,
 * length or error), in order, through io_uring where this kernel lets the process use it, and
 * in child processes where a seccomp filter refuses io_uring_setup (EPERM, ENOSYS) or the
 * fixed-file table (EINVAL, as a kernel before 5.13 answers), so that the ordinary way is
 * taken. Files: small and empty ones, some just fitting or not fitting io_uring's slot, a large
 * one, a FIFO, a directory, a dangling link, missing names; more than one batch of them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path-bulk.h"
#include "path.h"
#include "tap.h"
#include "util.h"

#define N_FILES 600

/* In the build directory: io_uring is used on ext4, xfs and btrfs only, where /tmp may not be. */
static char dir[] = "mdevctl-bulk-XXXXXX";
static char names[N_FILES][32];

static void make_files(void)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < N_FILES; i++) {
		snprintf(names[i], sizeof(names[i]), "f%03zu", i);
		if (i % 50 == 7)
			continue; /* missing */
		if (i == 11) {
			mkfifoat(dfd, names[i], 0600);
			continue;
		}
		if (i == 12) {
			mkdirat(dfd, names[i], 0700);
			continue;
		}
		if (i == 13) {
			symlinkat("nowhere", dfd, names[i]);
			continue;
		}
		/* sizes around io_uring's 1024-byte slot, a large one, and small ones */
		size_t len = i == 20   ? 0
			     : i == 21 ? 1022
			     : i == 22 ? 1023
			     : i == 23 ? 1024
			     : i == 24 ? 70000
				       : 20 + i % 300;
		int fd = openat(dfd, names[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		for (size_t k = 0; k < len; k++) {
			char c = (char)('a' + (i + k) % 26);
			if (write(fd, &c, 1) != 1)
				break;
		}
		close(fd);
	}
	close(dfd);
}

struct check {
	int dfd;
	size_t next; /* the index the next call must have */
	size_t bad;  /* calls that differ from the ordinary read */
};

static void check_one(size_t i, const char *text, ssize_t len, void *userdata)
{
	struct check *c = userdata;
	char buf[4096], *want;
	ssize_t wlen = path_read_regular_buf(c->dfd, names[i], 1 << 20, buf, sizeof(buf), &want);
	bool same = i == c->next && wlen == len &&
		    (len < 0 ? text == NULL : text && memcmp(text, want, (size_t)len + 1) == 0);
	if (!same)
		printf("#   file %zu: got %zd, want %zd\n", i, len, wlen);
	c->bad += !same;
	c->next = i + 1;
	if (wlen >= 0 && want != buf)
		free(want);
}

/* Reads every file in bulk and checks it; returns the number of differences. */
static size_t read_all(void)
{
	struct path_bulk_req req[N_FILES];
	struct check c = { .dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
	for (size_t i = 0; i < N_FILES; i++)
		req[i] = (struct path_bulk_req){ .dirfd = c.dfd, .name = names[i] };
	path_bulk_read(req, N_FILES, 1 << 20, check_one, &c);
	/* a few files: always the ordinary way */
	struct check few = { .dfd = c.dfd };
	path_bulk_read(req, 5, 1 << 20, check_one, &few);
	close(c.dfd);
	return c.bad + (c.next != N_FILES) + few.bad + (few.next != 5);
}

/* In a child: refuse syscall nr with errno err through seccomp, then read everything; the exit
 * status says whether all was read right (bit 0) and whether io_uring was used (bit 1). */
static int child_refusing(int nr, int err)
{
	/* The child must not print the TAP lines buffered so far again: _exit() does not flush
	 * stdio, but valgrind's exit path (__libc_freeres) does. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
			BPF_STMT(BPF_RET | BPF_K,
				 SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = ELEMENTSOF(f), .filter = f };
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(100);
		size_t bad = read_all();
		_exit((bad == 0 ? 1 : 0) | (path_bulk_ring_answers() > 0 ? 2 : 0));
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		ok(false, "temporary directory: %s", strerror(errno));
		return tap_done();
	}
	make_files();

	/* The refusals first, in children of a process that has not set up a ring yet. */
	int st = child_refusing(__NR_io_uring_setup, EPERM);
	ok(st == 1,
	   "io_uring_setup refused (EPERM, as a seccomp filter does): read one by one (%d)", st);
	st = child_refusing(__NR_io_uring_setup, ENOSYS);
	ok(st == 1, "io_uring_setup missing (ENOSYS): read one by one (%d)", st);
	st = child_refusing(__NR_io_uring_register, EINVAL);
	ok(st == 1, "no sparse fixed-file table (EINVAL, before 5.13): read one by one (%d)", st);
	setenv("MDEVCTL_TEST_NO_IO_URING", "1", 1);
	st = child_refusing(-1, 0);
	ok(st == 1, "the test hook MDEVCTL_TEST_NO_IO_URING: read one by one (%d)", st);
	unsetenv("MDEVCTL_TEST_NO_IO_URING");

	size_t bad = read_all();
	ok(bad == 0, "%d files read in bulk as one by one (%zu differ)", N_FILES, bad);
	size_t answers = path_bulk_ring_answers();
	struct statfs fs;
	bool nowait = statfs(dir, &fs) == 0 &&
		      (fs.f_type == EXT4_SUPER_MAGIC || fs.f_type == XFS_SUPER_MAGIC ||
		       fs.f_type == BTRFS_SUPER_MAGIC);
	if (answers > 0 || nowait)
		ok(answers > N_FILES / 2, "%zu of them through io_uring", answers);
	else
		/* Elsewhere the ordinary way is the only one, and was just checked. */
		printf("ok %d - through io_uring # SKIP the build directory is on a file system where io_uring is not used (type 0x%lx)\n",
		       ++tap_n, (unsigned long)fs.f_type);
	ok(answers == 0 || nowait, "io_uring only on ext4, xfs or btrfs");

	/* On tmpfs io_uring would hand every read to a kernel thread: one by one there. */
	static char shm[] = "/dev/shm/mdevctl-bulk-XXXXXX";
	if (statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC && mkdtemp(shm)) {
		int dfd = open(shm, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct path_bulk_req req[64];
		struct check c = { .dfd = dfd };
		for (size_t i = 0; i < 64; i++) {
			close(openat(dfd, names[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
			req[i] = (struct path_bulk_req){ .dirfd = dfd, .name = names[i] };
		}
		size_t before = path_bulk_ring_answers();
		path_bulk_read(req, 64, 1 << 20, check_one, &c);
		ok(c.bad == 0 && c.next == 64 && path_bulk_ring_answers() == before,
		   "64 files on tmpfs: read one by one");
		close(dfd);
		_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", shm);
		(void)system(rm);
	} else
		printf("ok %d - 64 files on tmpfs # SKIP /dev/shm is not a tmpfs here\n", ++tap_n);

	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleaned up");
	return tap_done();
}
