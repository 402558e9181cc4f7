// SPDX-License-Identifier: LGPL-2.1-or-later
/* The event loop of `mdevctl monitor`; see monitor.h. The kernel names a device's type in no
 * event of the mdev bus, so the type of a device that appears is read from sysfs, and that of
 * one that goes is remembered from when it was seen running. A parent registers and
 * unregisters with a "change" event carrying MDEV_STATE, on whatever bus or class the parent
 * is (pci, css, ap, mtty...); other events of parents are not about mdev. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "monitor.h"
#include "path.h"
#include "store.h"
#include "sysfs.h"
#include "udev.h"

/* How long a new device's mdev_type link may lag behind its "add" event: the mdev core adds
 * the device, which sends the event, and links its type right after, in the same write(2) of
 * `create`. */
#define TYPE_WAIT_MS 1000
#define TYPE_POLL_MS 10

struct running {
	char uuid[UUID_STR_LEN];
	char *parent;
	char *type; /* NULL: not known */
};

struct monitor {
	const struct monitor_request *rq;
	FILE *out;
	struct running *devs;
	size_t n_devs;
	int status; /* < 0: the error; 1: done (once, or the reader has gone) */
};

struct event {
	unsigned event; /* MONITOR_ADD... */
	unsigned what;	/* MONITOR_DEVICE... */
	const char *uuid, *parent, *type;
};

static const char *event_name(unsigned e)
{
	return e == MONITOR_ADD ? "add" : e == MONITOR_REMOVE ? "remove" : "change";
}

static const char *what_name(unsigned w)
{
	return w == MONITOR_DEVICE ? "device" : w == MONITOR_PARENT ? "parent" : "definition";
}

/* RFC 3339 in UTC with milliseconds: events come faster than seconds tell apart. */
static void now_text(char buf[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static bool wanted(const struct monitor_request *rq, const struct event *e)
{
	if (rq->what && !(rq->what & e->what))
		return false;
	if (rq->events && !(rq->events & e->event))
		return false;
	if (rq->uuid && (!e->uuid || !streq(rq->uuid, e->uuid)))
		return false;
	if (rq->parent && (!e->parent || !streq(rq->parent, e->parent)))
		return false;
	return true;
}

static void emit(struct monitor *m, const struct event *e)
{
	char time[32];
	if (m->status != 0 || !wanted(m->rq, e))
		return;
	now_text(time);
	if (m->rq->dumpjson) {
		/* Names come from directory entries, whose bytes need not be UTF-8 (which
		 * json_pack() would refuse): written as they are, as `list --dumpjson` does. */
		const char *const member[] = { "event", "what", "uuid", "parent", "mdev_type" };
		const char *const value[] = { event_name(e->event), what_name(e->what), e->uuid,
					      e->parent, e->type };
		json_t *j = json_object();
		for (size_t i = 0; i < ELEMENTSOF(member); i++)
			json_object_set_new_nocheck(j, member[i],
						    value[i] ? json_string_nocheck(value[i])
							     : json_null());
		json_object_set_new_nocheck(j, "time", json_string_nocheck(time));
		_cleanup_free_ char *s = json_io_compact(j);
		json_decref(j);
		fprintf(m->out, "%s\n", s);
	} else if (e->what == MONITOR_PARENT)
		fprintf(m->out, "%s %s parent %s\n", time, event_name(e->event), e->parent);
	else
		fprintf(m->out, "%s %s %s %s %s %s\n", time, event_name(e->event),
			what_name(e->what), e->uuid, e->parent, e->type ? e->type : "-");
	/* A line as soon as it happens, not when a buffer fills: a script waits for it. */
	if (fflush(m->out) != 0 || ferror(m->out)) {
		if (errno == EPIPE) {
			/* The reader has gone (`mdevctl monitor | head -1`): the normal end. */
			clearerr(m->out);
			m->status = 1;
			return;
		}
		m->status = err_os(-EIO, errno ? errno : EIO, "Failed to write output");
		return;
	}
	if (m->rq->once)
		m->status = 1;
}

/* ---- devices ---- */

static ssize_t find_running(const struct monitor *m, const char *uuid)
{
	for (size_t i = 0; i < m->n_devs; i++)
		if (streq(m->devs[i].uuid, uuid))
			return (ssize_t)i;
	return -1;
}

static void forget_running(struct monitor *m, size_t i)
{
	free(m->devs[i].parent);
	free(m->devs[i].type);
	m->devs[i] = m->devs[--m->n_devs];
}

static void remember_running(struct monitor *m, const char *uuid, const char *parent,
			     const char *type)
{
	ssize_t k = find_running(m, uuid);
	if (k >= 0)
		forget_running(m, (size_t)k);
	m->devs = xrealloc(m->devs, (m->n_devs + 1) * sizeof(*m->devs));
	struct running *r = &m->devs[m->n_devs++];
	*r = (struct running){ .parent = xstrdup(parent), .type = type ? xstrdup(type) : NULL };
	snprintf(r->uuid, sizeof(r->uuid), "%s", uuid);
}

/* The type of a device that has just appeared, from sysfs; NULL when it went again before its
 * type could be read. */
static char *new_device_type(const char *uuid)
{
	_cleanup_free_ char *dev = env_device_path(uuid);
	for (int waited = 0;; waited += TYPE_POLL_MS) {
		_cleanup_free_ char *type = NULL;
		int r = sysfs_device_state(uuid, NULL, &type);
		err_clear();
		if (r > 0)
			return TAKE_PTR(type);
		if (r < 0 || waited >= TYPE_WAIT_MS || !path_lexists(dev))
			return NULL;
		nanosleep(&(struct timespec){ .tv_nsec = TYPE_POLL_MS * 1000 * 1000 }, NULL);
	}
}

/* The running devices as sysfs has them now; with report, each difference from what was known
 * is an event (after events were lost). */
static int sync_running(struct monitor *m, bool report)
{
	struct mdev_list l = { 0 };
	int r = sysfs_list_active(NULL, NULL, &l);
	if (r < 0)
		return r;
	mdev_list_sort(&l);
	for (size_t i = 0; i < l.n; i++) {
		const struct mdev *d = l.v[i];
		ssize_t k = find_running(m, d->uuid);
		if (k >= 0 && streq(m->devs[k].parent, d->parent))
			continue;
		if (k >= 0 && report)
			emit(m, &(struct event){ MONITOR_REMOVE, MONITOR_DEVICE, m->devs[k].uuid,
						 m->devs[k].parent, m->devs[k].type });
		remember_running(m, d->uuid, d->parent, d->type);
		if (report)
			emit(m, &(struct event){ MONITOR_ADD, MONITOR_DEVICE, d->uuid, d->parent,
						 d->type });
	}
	for (size_t k = m->n_devs; k-- > 0;) {
		bool still = false;
		for (size_t i = 0; i < l.n && !still; i++)
			still = streq(l.v[i]->uuid, m->devs[k].uuid);
		if (still)
			continue;
		if (report)
			emit(m, &(struct event){ MONITOR_REMOVE, MONITOR_DEVICE, m->devs[k].uuid,
						 m->devs[k].parent, m->devs[k].type });
		forget_running(m, k);
	}
	mdev_list_free(&l);
	return 0;
}

/* The last component of devpath and, optionally, the one before it. */
static void split_devpath(const char *devpath, char **ret_name, char **ret_dir)
{
	const char *slash = strrchr(devpath, '/');
	*ret_name = xstrdup(slash ? slash + 1 : devpath);
	if (!ret_dir)
		return;
	*ret_dir = NULL;
	if (!slash || slash == devpath)
		return;
	const char *prev = slash - 1;
	while (prev > devpath && *prev != '/')
		prev--;
	if (*prev == '/')
		prev++;
	*ret_dir = xstrndup(prev, (size_t)(slash - prev));
}

static void device_event(struct monitor *m, const struct uevent *ue)
{
	_cleanup_free_ char *name = NULL, *parent = NULL, *type = NULL;
	char uuid[UUID_STR_LEN];
	unsigned ev;

	if (streq(ue->action, "add"))
		ev = MONITOR_ADD;
	else if (streq(ue->action, "remove"))
		ev = MONITOR_REMOVE;
	else if (streq(ue->action, "change"))
		ev = MONITOR_CHANGE;
	else {
		/* bind, unbind: the device's driver, not the device */
		log_debug("Ignoring %s event of %s", ue->action, ue->devpath);
		return;
	}
	split_devpath(ue->devpath, &name, &parent);
	if (!parent || uuid_canonical(name, uuid, NULL) < 0) {
		log_debug("Ignoring %s event of %s: not a mediated device", ue->action, ue->devpath);
		return;
	}
	ssize_t k = find_running(m, uuid);
	if (ev == MONITOR_REMOVE) {
		if (k >= 0) {
			type = m->devs[k].type ? xstrdup(m->devs[k].type) : NULL;
			forget_running(m, (size_t)k);
		}
	} else {
		type = new_device_type(uuid);
		if (!type && k >= 0 && m->devs[k].type)
			type = xstrdup(m->devs[k].type);
		remember_running(m, uuid, parent, type);
	}
	emit(m, &(struct event){ ev, MONITOR_DEVICE, uuid, parent, type });
}

static void uevent_handle(struct monitor *m, const struct uevent *ue)
{
	if (streq(ue->subsystem, "mdev")) {
		device_event(m, ue);
		return;
	}
	if (!ue->mdev_state || !streq(ue->action, "change"))
		return;
	_cleanup_free_ char *parent = NULL;
	split_devpath(ue->devpath, &parent, NULL);
	if (streq(ue->mdev_state, "registered"))
		emit(m, &(struct event){ MONITOR_ADD, MONITOR_PARENT, NULL, parent, NULL });
	else if (streq(ue->mdev_state, "unregistered"))
		emit(m, &(struct event){ MONITOR_REMOVE, MONITOR_PARENT, NULL, parent, NULL });
	else
		log_debug("Ignoring MDEV_STATE=%s of %s", ue->mdev_state, ue->devpath);
}

static int read_uevents(struct monitor *m, struct uevents *u)
{
	for (;;) {
		struct uevent ue = { 0 };
		int r = uevents_receive(u, &ue);
		if (r == -ENOBUFS) {
			log_warn("Device events were lost (too many at once): looking at sysfs again");
			r = sync_running(m, true);
			if (r < 0)
				return r;
			continue;
		}
		if (r <= 0)
			return 0;
		uevent_handle(m, &ue);
		uevent_clear(&ue);
		if (m->status != 0)
			return 0;
	}
}

/* ---- definitions ---- */

static void definition_event(enum store_event ev, const char *parent, const char *uuid,
			     const char *type, void *userdata)
{
	struct monitor *m = userdata;
	unsigned e = ev == STORE_DEFINED ? MONITOR_ADD
		     : ev == STORE_UNDEFINED ? MONITOR_REMOVE
					     : MONITOR_CHANGE;
	emit(m, &(struct event){ e, MONITOR_DEFINITION, uuid, parent, type });
}

/* ---- the loop ---- */

static int open_uevents(enum monitor_source source, struct uevents **ret)
{
	bool udevd = uevents_udev_running();
	if (source == MONITOR_SOURCE_UDEV && !udevd)
		log_warn("udevd does not seem to run (no /run/udev/control): no device event may come");
	bool udev = source == MONITOR_SOURCE_UDEV || (source == MONITOR_SOURCE_AUTO && udevd);
	log_debug("Device events from %s", udev ? "udevd" : "the kernel");
	return uevents_open(udev ? UEVENTS_UDEV : UEVENTS_KERNEL, ret);
}

int monitor_run(const struct monitor_request *rq, FILE *out)
{
	struct monitor m = { .rq = rq, .out = out };
	struct uevents *u = NULL;
	struct store_watch *w = NULL;
	_cleanup_free_ char *cfg = env_config_dir();
	sigset_t mask, old;
	int sfd = -1, r;

	/* The signals that end the monitor are read, not handled: the loop ends cleanly. Their
	 * disposition must not be "ignore", which a shell gives the commands it starts in the
	 * background (`mdevctl monitor &` in a script): an ignored signal is never pending. */
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old_int, old_term;
	sigaction(SIGINT, &dfl, &old_int);
	sigaction(SIGTERM, &dfl, &old_term);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		r = err_os(-errno, errno, "Unable to wait for signals");
		goto out;
	}
	/* Listen first, then look: what happens in between is heard. */
	r = open_uevents(rq->source, &u);
	if (r < 0)
		goto out;
	r = store_watch_open(&w);
	if (r < 0)
		goto out;
	r = sync_running(&m, false);
	if (r < 0)
		goto out;
	log_debug("Listening for device events and for changes under \"%s\"", cfg);

	while (m.status == 0) {
		struct pollfd p[] = {
			{ .fd = uevents_fd(u), .events = POLLIN },
			{ .fd = store_watch_fd(w), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		if (poll(p, ELEMENTSOF(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			r = err_os(-errno, errno, "Unable to wait for events");
			goto out;
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				log_debug("Signal %u: stopping", si.ssi_signo);
			break;
		}
		if (p[0].revents) {
			r = read_uevents(&m, u);
			if (r < 0)
				goto out;
		}
		if (p[1].revents && m.status == 0) {
			r = store_watch_read(w, definition_event, &m);
			if (r < 0)
				goto out;
		}
	}
	r = m.status < 0 ? m.status : 0;
out:
	store_watch_free(w);
	uevents_free(u);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	while (m.n_devs)
		forget_running(&m, 0);
	free(m.devs);
	return r;
}
