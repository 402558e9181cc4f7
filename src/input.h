/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a file the user names on the command line (--jsonfile, a compat record or inventory,
 * "-" for standard input): whole, up to a limit, whatever the file is. The limit bounds what a
 * character device (/dev/zero) or an endless pipe can make mdevctl read and hold, and a FIFO
 * that nobody writes to does not block the open forever: it reads as empty. Once open, reads
 * block as usual, so a pipe from the caller (libvirt's --jsonfile /dev/stdin) or a terminal is
 * read to its end. */
#pragma once

#include <stddef.h>

/* The same contract as path_read_file(): 0 with *ret (NUL-terminated, owned by the caller)
 * and *ret_len (optional, without the NUL), -EFBIG when the file has more than max_size
 * bytes, or another negative errno. */
int input_read(const char *path, size_t max_size, char **ret, size_t *ret_len);
