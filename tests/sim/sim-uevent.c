// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sending the simulated host's device events as udevd does; see sim-uevent.h. */
#include <endian.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim-uevent.h"

/* udevd's netlink group; the kernel's is 1. */
#define UDEV_GROUP 2
#define UDEV_MAGIC 0xfeedcafeU

/* What precedes the properties in a message of udevd: the layout libudev reads. */
struct udev_header {
	char prefix[8]; /* "libudev" */
	uint32_t magic; /* big-endian */
	uint32_t header_size;
	uint32_t properties_off;
	uint32_t properties_len;
	uint32_t filter_subsystem_hash; /* big-endian */
	uint32_t filter_devtype_hash;	/* big-endian */
	uint32_t filter_tag_bloom_hi;
	uint32_t filter_tag_bloom_lo;
};

/* Austin Appleby's MurmurHash2 (32 bits, seed 0), which libudev's socket filters compare. */
static uint32_t murmur2(const char *s)
{
	const uint32_t m = 0x5bd1e995;
	size_t len = strlen(s);
	uint32_t h = (uint32_t)len;
	const unsigned char *p = (const unsigned char *)s;

	for (; len >= 4; len -= 4, p += 4) {
		uint32_t k;
		memcpy(&k, p, 4);
		k *= m;
		k ^= k >> 24;
		k *= m;
		h = h * m ^ k;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

static void uevent_debug(const struct sim_host *h, const char *a, const char *b)
{
	if (h->debug)
		fprintf(stderr, "mdev-sim: uevent %s %s\n", a, b);
}

int sim_uevent_open(struct sim_host *h)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	h->uevent_fd = fd;
	return 0;
}

void sim_uevent_close(struct sim_host *h)
{
	if (h->uevent_fd >= 0)
		close(h->uevent_fd);
	h->uevent_fd = -1;
}

void sim_uevent_send(struct sim_host *h, const char *action, const char *devpath,
		     const char *subsystem, const char *extra)
{
	if (h->uevent_fd < 0)
		return;
	struct strbuf props = { 0 };
	/* Properties are NUL-separated KEY=VALUE strings. */
	sb_printf(&props, "ACTION=%s", action);
	sb_putc(&props, '\0');
	sb_printf(&props, "DEVPATH=/%s", devpath);
	sb_putc(&props, '\0');
	sb_printf(&props, "SUBSYSTEM=%s", subsystem);
	sb_putc(&props, '\0');
	if (extra) {
		sb_puts(&props, extra);
		sb_putc(&props, '\0');
	}
	sb_printf(&props, "SEQNUM=%llu", ++h->uevent_seqnum);
	sb_putc(&props, '\0');

	struct udev_header hdr = {
		.prefix = "libudev",
		.magic = htobe32(UDEV_MAGIC),
		.header_size = sizeof(hdr),
		.properties_off = sizeof(hdr),
		.properties_len = (uint32_t)props.len,
		.filter_subsystem_hash = htobe32(murmur2(subsystem)),
	};
	struct iovec iov[] = { { &hdr, sizeof(hdr) }, { props.buf, props.len } };
	struct sockaddr_nl group = { .nl_family = AF_NETLINK, .nl_groups = UDEV_GROUP };
	struct msghdr msg = {
		.msg_name = &group,
		.msg_namelen = sizeof(group),
		.msg_iov = iov,
		.msg_iovlen = 2,
	};
	/* ECONNREFUSED: nobody listens, which is fine. */
	if (sendmsg(h->uevent_fd, &msg, 0) < 0 && errno != ECONNREFUSED)
		uevent_debug(h, devpath, strerror(errno));
	else
		uevent_debug(h, action, devpath);
	sb_free(&props);
}

const char *sim_parent_subsystem(const struct sim_parent *p)
{
	if (!p->subsystem)
		return "platform";
	const char *slash = strrchr(p->subsystem, '/');
	return slash ? slash + 1 : p->subsystem;
}

void sim_uevent_device(struct sim_device *d, bool added)
{
	struct sim_parent *p = d->type->parent;
	struct sim_host *h = p->host;
	if (h->uevent_fd < 0)
		return;
	char *devpath = xasprintf("%s/%s", p->path, d->uuid);
	char *driver = p->mdev_driver ? xasprintf("DRIVER=%s", p->mdev_driver) : NULL;
	if (added) {
		sim_uevent_send(h, "add", devpath, "mdev", NULL);
		if (driver)
			sim_uevent_send(h, "bind", devpath, "mdev", driver);
	} else {
		if (driver)
			sim_uevent_send(h, "unbind", devpath, "mdev", NULL);
		sim_uevent_send(h, "remove", devpath, "mdev", NULL);
	}
	free(driver);
	free(devpath);
}

void sim_uevent_parent(struct sim_parent *p, bool registered)
{
	const char *sub = sim_parent_subsystem(p);
	if (registered) {
		sim_uevent_send(p->host, "add", p->path, sub, NULL);
		sim_uevent_send(p->host, "change", p->path, sub, "MDEV_STATE=registered");
	} else {
		sim_uevent_send(p->host, "change", p->path, sub, "MDEV_STATE=unregistered");
		sim_uevent_send(p->host, "remove", p->path, sub, NULL);
	}
}
