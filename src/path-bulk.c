/* Reading many small files at once; see path-bulk.h. With io_uring, each file is a linked
 * chain of three requests (open into a fixed-file slot, read from that slot, close the slot),
 * hundreds of chains go to the kernel in one io_uring_enter(2), and no descriptor ever enters
 * the process's table. That saves the entry and exit of three system calls per file and the
 * table's bookkeeping, which on the machines measured is a fifth of what reading a definition
 * costs. The ring is set up with raw system calls (<linux/io_uring.h>), not liburing: that is
 * a new library for every user of mdevctl for some hundred lines.
 *
 * Whatever io_uring does not answer plainly is read the ordinary way, which stays the
 * reference: a kernel without io_uring or without a sparse fixed-file table (before 5.19), a
 * refusal (io_uring_disabled, a seccomp filter, a container's policy), a request the kernel
 * turns down, a read that would block (a definition not in the page cache: a non-blocking
 * descriptor under io_uring says EAGAIN where read(2) would wait), a file larger than its
 * buffer, any error but "no such file". So the two ways can differ in speed only. */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path-bulk.h"
#include "path.h"
#include "util.h"

/* Below this many files the ring's setup (four system calls, two mappings) costs more than it
 * saves: a host with a few devices reads them the ordinary way. */
#define BULK_MIN 32
/* Files in flight at once: three requests each. */
#define BULK_BATCH 256

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *sqe_map;
	size_t sq_map_len, sqe_map_len;
};

static struct ring ring = { .fd = -1 };
static enum {
	RING_UNTRIED,
	RING_UP,
	RING_REFUSED
} ring_state;
static size_t ring_answers; /* files whose outcome came from the ring */

static void ring_down(void)
{
	if (ring.sqe_map)
		munmap(ring.sqe_map, ring.sqe_map_len);
	if (ring.sq_map)
		munmap(ring.sq_map, ring.sq_map_len);
	if (ring.fd >= 0)
		close(ring.fd);
	ring = (struct ring){ .fd = -1 };
}

static bool ring_up(void)
{
	struct io_uring_params p = { 0 };

	if (ring_state != RING_UNTRIED)
		return ring_state == RING_UP;
	ring_state = RING_REFUSED;
	/* Test hook (tests/bats/21-list-many.bats): the ordinary way, as where io_uring is
	 * refused. */
	if (secure_getenv("MDEVCTL_TEST_NO_IO_URING"))
		return false;
	int fd = (int)syscall(__NR_io_uring_setup, 3 * BULK_BATCH, &p);
	if (fd < 0)
		return false;
	ring.fd = fd;
	/* One mapping for both rings (5.4). */
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) || p.sq_entries < 3 * BULK_BATCH)
		goto refused;
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	ring.sq_map_len = sq_len > cq_len ? sq_len : cq_len;
	ring.sq_map = mmap(NULL, ring.sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			   fd, IORING_OFF_SQ_RING);
	if (ring.sq_map == MAP_FAILED) {
		ring.sq_map = NULL;
		goto refused;
	}
	ring.sqe_map_len = p.sq_entries * sizeof(struct io_uring_sqe);
	ring.sqe_map = mmap(NULL, ring.sqe_map_len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (ring.sqe_map == MAP_FAILED) {
		ring.sqe_map = NULL;
		goto refused;
	}
	char *sq = ring.sq_map;
	ring.sq_tail = (unsigned *)(sq + p.sq_off.tail);
	ring.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	ring.sq_array = (unsigned *)(sq + p.sq_off.array);
	ring.cq_head = (unsigned *)(sq + p.cq_off.head);
	ring.cq_tail = (unsigned *)(sq + p.cq_off.tail);
	ring.cq_mask = (unsigned *)(sq + p.cq_off.ring_mask);
	ring.sqes = ring.sqe_map;
	ring.cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
	/* An empty table of fixed files for the chains to open into: 5.19, which also has the
	 * open into and the close of a fixed file (5.15). */
	struct io_uring_rsrc_register reg = { .nr = BULK_BATCH,
					      .flags = IORING_RSRC_REGISTER_SPARSE };
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_FILES2, &reg, sizeof(reg)) < 0)
		goto refused;
	ring_state = RING_UP;
	return true;
refused:
	ring_down();
	return false;
}

static struct io_uring_sqe *next_sqe(unsigned *tail)
{
	unsigned i = *tail & *ring.sq_mask;
	struct io_uring_sqe *s = &ring.sqes[i];
	memset(s, 0, sizeof(*s));
	ring.sq_array[i] = i;
	(*tail)++;
	return s;
}

/* user_data: the file's index and which request of its chain. */
enum {
	OP_OPEN,
	OP_READ,
	OP_CLOSE
};
#define UD(i, op) ((uint64_t)(i) << 2 | (op))

/* Each file of a batch is read into its slot of this many bytes: definitions are a few hundred
 * bytes; a larger one is read again the ordinary way. */
#define SLOT	 1024
#define NOT_READ (-1000000) /* not a negative errno */

/* One batch (n <= BULK_BATCH) into arena (n slots), len[k] set to the length of a whole file,
 * -ENOENT, or NOT_READ. Returns false when the ring failed as a whole: requests may then still
 * be in flight, writing into arena, which the caller must give up. */
static bool ring_batch(const struct path_bulk_req *f, size_t n, char *arena, ssize_t *len)
{
	unsigned tail = *ring.sq_tail;

	for (size_t k = 0; k < n; k++) {
		struct io_uring_sqe *s = next_sqe(&tail);
		s->opcode = IORING_OP_OPENAT;
		s->fd = f[k].dirfd;
		s->addr = (uintptr_t)f[k].name;
		/* No O_CLOEXEC: a fixed file is never in the descriptor table (and the kernel
		 * refuses the flag with one). O_NONBLOCK as the ordinary way, for FIFOs. */
		s->open_flags = O_RDONLY | O_NOCTTY | O_NONBLOCK;
		s->file_index = (unsigned)k + 1;
		s->flags = IOSQE_IO_LINK;
		s->user_data = UD(k, OP_OPEN);

		s = next_sqe(&tail);
		s->opcode = IORING_OP_READ;
		s->fd = (int)k;
		s->addr = (uintptr_t)(arena + k * SLOT);
		s->len = SLOT - 1;
		s->off = 0;
		/* A hard link: the slot is closed whether or not the read succeeds. */
		s->flags = IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
		s->user_data = UD(k, OP_READ);

		s = next_sqe(&tail);
		s->opcode = IORING_OP_CLOSE;
		s->file_index = (unsigned)k + 1;
		s->user_data = UD(k, OP_CLOSE);

		len[k] = NOT_READ;
	}
	__atomic_store_n(ring.sq_tail, tail, __ATOMIC_RELEASE);

	unsigned want = 3 * (unsigned)n, got = 0, submitted = 0;
	while (got < want) {
		long r = syscall(__NR_io_uring_enter, ring.fd, want - submitted, want - got,
				 IORING_ENTER_GETEVENTS, NULL, 0);
		if (r < 0 && errno != EINTR)
			return false;
		if (r > 0)
			submitted += (unsigned)r;
		unsigned head = *ring.cq_head;
		unsigned ctail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
		for (; head != ctail; head++, got++) {
			const struct io_uring_cqe *c = &ring.cqes[head & *ring.cq_mask];
			size_t k = (size_t)(c->user_data >> 2);
			switch (c->user_data & 3) {
			case OP_OPEN:
				/* Only "no such file" is final: any other refusal is the
				 * ordinary way's to report. */
				if (c->res == -ENOENT)
					len[k] = -ENOENT;
				break;
			case OP_READ:
				/* Less than asked: the whole file (a regular file reads short only
				 * at its end). */
				if (c->res >= 0 && c->res < SLOT - 1) {
					arena[k * SLOT + c->res] = '\0';
					len[k] = c->res;
				}
				break;
			}
		}
		__atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
	}
	return true;
}

/* Where the ring reads to, allocated once: zeroed, since what the kernel writes there is
 * invisible to valgrind, which must not take the texts for uninitialised memory. */
static char *ring_arena;

/* Whether reads on the file system of dirfd complete in the submitting task: there io_uring
 * saves system calls. Elsewhere each read is handed to a kernel worker thread, which costs
 * more than it saves (tmpfs: 25% slower than one by one, as measured); so do file systems
 * not known here. */
static bool nowait_fs(int dirfd)
{
	struct statfs st;
	if (fstatfs(dirfd, &st) < 0)
		return false;
	switch ((unsigned long)st.f_type) {
	case EXT4_SUPER_MAGIC: /* ext2 and ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

void path_bulk_read(const struct path_bulk_req *f, size_t n, size_t max_size, path_bulk_fn fn,
		    void *userdata)
{
	ssize_t len[BULK_BATCH];
	/* The files of one call are in one directory tree: its first directory speaks for all. */
	bool uring = n >= BULK_MIN && nowait_fs(f[0].dirfd) && ring_up();

	if (uring && !ring_arena)
		ring_arena = xcalloc(BULK_BATCH, SLOT);
	char *arena = ring_arena;
	for (size_t i = 0; i < n; i += BULK_BATCH) {
		size_t batch = n - i < BULK_BATCH ? n - i : BULK_BATCH;
		for (size_t k = 0; k < batch; k++)
			len[k] = NOT_READ;
		if (uring && !ring_batch(f + i, batch, arena, len)) {
			/* The kernel may still write into the arena: it is given up (never freed
			 * nor reused), and the ring is not trusted again. */
			arena = ring_arena = NULL;
			uring = false;
			ring_state = RING_REFUSED;
			for (size_t k = 0; k < batch; k++)
				len[k] = NOT_READ;
		}
		for (size_t k = 0; k < batch; k++) {
			if (len[k] != NOT_READ) {
				ring_answers++;
				fn(i + k, len[k] >= 0 ? arena + k * SLOT : NULL, len[k], userdata);
				continue;
			}
			char buf[4096], *text;
			ssize_t r = path_read_regular_buf(f[i + k].dirfd, f[i + k].name, max_size,
							  buf, sizeof(buf), &text);
			fn(i + k, r >= 0 ? text : NULL, r, userdata);
			if (r >= 0 && text != buf)
				free(text);
		}
	}
}

size_t path_bulk_ring_answers(void)
{
	return ring_answers;
}
