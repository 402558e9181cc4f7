// SPDX-License-Identifier: LGPL-2.1-or-later
/* One timed run of a command for bench/bench.py: fork, exec with stdin from /dev/null and
 * stdout and stderr to the given files, wait4; prints the wall time and the peak RSS of the
 * command. It exists because the peak RSS that wait4 reports is the highest of every memory
 * image the process had, the one before exec included: a child forked (or vforked) by Python
 * starts with the interpreter's 15 MiB or so, which would hide the few MiB of mdevctl. Forked
 * from this small program, the command starts with a few pages.
 *
 *	bench-run OUT ERR PROGRAM [ARG...]
 * prints one line: "wall_ns=N cpu_us=C maxrss_kib=K status=S" (C: user + system time; S: the
 * exit status, or 128 + the signal that ended it) and exits 0; exits 1 when the command cannot
 * be started. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* In the child: put path on fd, or give up with status 127 (exec's "cannot run" status). */
static void redirect(const char *path, int flags, int fd)
{
	int f = open(path, flags | O_CLOEXEC, 0600);
	if (f < 0 || dup2(f, fd) < 0) {
		fprintf(stderr, "bench-run: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(f);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench-run OUT ERR PROGRAM [ARG...]\n");
		return 2;
	}
	long long start = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench-run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		redirect("/dev/null", O_RDONLY, 0);
		redirect(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 1);
		redirect(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 2);
		execv(argv[3], argv + 3);
		fprintf(stderr, "bench-run: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench-run: wait4: %s\n", strerror(errno));
			return 1;
		}
	}
	long long wall = now_ns() - start;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	long long cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
			ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	printf("wall_ns=%lld cpu_us=%lld maxrss_kib=%ld status=%d\n", wall, cpu, ru.ru_maxrss, code);
	return 0;
}
