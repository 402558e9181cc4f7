// SPDX-License-Identifier: LGPL-2.1-or-later
/* Bounded reads of files named by the user; see input.h. */
#include <errno.h>
#include <fcntl.h>

#include "input.h"
#include "macro.h"
#include "path.h"

int input_read(const char *path, size_t max_size, char **ret, size_t *ret_len)
{
	/* O_NONBLOCK only for the open: opening a FIFO for reading otherwise waits for a writer,
	 * which may never come. Without a writer, the first read then returns 0 (end of file). */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* This is a new open file description (even for /dev/stdin, reopened through /proc):
	 * clearing the flag does not touch the caller's. */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return -errno;
	return fd_read_all(fd, max_size, ret, ret_len);
}
