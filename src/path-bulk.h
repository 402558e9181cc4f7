/* Reading many small regular files (the definitions `list` loads) in as few system calls as
 * the kernel allows: through io_uring where it is available and allowed, else one file after
 * the other. Either way every file gets exactly what path_read_regular_buf() gives. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct path_bulk_req {
	int dirfd;	  /* kept open until path_bulk_read() returns */
	const char *name; /* relative to dirfd */
};

/* Called once per file, in the order of the requests: text is the whole file (NUL-terminated,
 * valid during the call only) and len its length, or text is NULL and len a negative errno,
 * as path_read_regular_buf(dirfd, name, max_size, ...) returns them. */
typedef void (*path_bulk_fn)(size_t i, const char *text, ssize_t len, void *userdata);

/* Read the n files and hand each to fn. Few files are read the ordinary way; many go through
 * io_uring when the kernel has it (5.15 or later) and lets this process use it, with the
 * ordinary way for whatever io_uring does not answer plainly. The test hook
 * MDEVCTL_TEST_NO_IO_URING (any value) makes it the ordinary way throughout. */
void path_bulk_read(const struct path_bulk_req *f, size_t n, size_t max_size, path_bulk_fn fn,
		    void *userdata);

/* How many files io_uring has answered so far in this process (for the tests). */
size_t path_bulk_ring_answers(void);
