// SPDX-License-Identifier: LGPL-2.1-or-later
/* The callout protocol; see callout.h. Scripts run through posix_spawn, which reports a
 * script that cannot be executed (no exec bit, no interpreter line) as an error instead of an
 * exit status; such scripts are skipped, as upstream skips them. A script that is not trusted
 * (trust.h) is skipped with a warning, when the directories are listed and again right before
 * each run. Scripts are executed by path, never through a shell, with the argv of the
 * protocol; the file the kernel then finds is the one judged, because only root or the user
 * running mdevctl can change a path that passed the check (docs/reliability.md, "Trust and
 * input limits"). Their output is read up to OUTPUT_MAX bytes per stream; no timeout, as upstream. */
#define LOG_MODULE LOG_CALLOUTS

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "callout.h"
#include "env.h"
#include "error.h"
#include "json-io.h"
#include "log.h"
#include "path.h"
#include "sysfs.h"
#include "trust.h"

extern char **environ;

enum event {
	EV_PRE,
	EV_POST,
	EV_NOTIFY,
	EV_GET,
	EV_LIVE
};
enum state {
	ST_NONE,
	ST_SUCCESS,
	ST_FAILURE
};

static const char *const event_names[] = { "pre", "post", "notify", "get", "live" };
static const char *const event_debug[] = { "Pre", "Post", "Notify", "Get", "Live" };
static const char *const action_names[] = { "start",	    "stop",	    "define",
					    "undefine",	    "modify",	    "attributes",
					    "capabilities", "compat" };
static const char *const action_debug[] = { "Start",	    "Stop",	    "Define",
					    "Undefine",	    "Modify",	    "Attributes",
					    "Capabilities", "Compat" };
static const char *const state_names[] = { "none", "success", "failure" };

/* What a script supports, as bit sets over the enums above. */
struct caps {
	unsigned actions;
	unsigned events;
};
static const struct caps caps_v1 = {
	.actions = (1u << CALLOUT_START) | (1u << CALLOUT_STOP) | (1u << CALLOUT_DEFINE) |
		   (1u << CALLOUT_UNDEFINE) | (1u << CALLOUT_MODIFY) | (1u << CALLOUT_ATTRIBUTES),
	.events = (1u << EV_PRE) | (1u << EV_POST) | (1u << EV_NOTIFY) | (1u << EV_GET),
};

/* What we announce in the capabilities probe. */
#define PROVIDES_JSON                                                                           \
	"{\"provides\":{\"version\":2,\"actions\":[\"start\",\"stop\",\"define\",\"undefine\"," \
	"\"modify\",\"attributes\",\"capabilities\",\"compat\"],\"events\":[\"pre\",\"post\",\"notify\","  \
	"\"get\",\"live\"]}}"

struct script {
	char *path;
	struct caps caps;
};

/* What a script may write to its standard output, and to its standard error: the largest
 * answer (compat facts) is a document of at most COMPAT_INPUT_MAX bytes, the same 1 MiB. */
#define OUTPUT_MAX (1u << 20)

struct result {
	bool overflow; /* killed for writing more than OUTPUT_MAX: a failure */
	bool signaled;
	int status;
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
};

static void result_clear(struct result *r)
{
	free(r->out);
	free(r->err);
	*r = (struct result){ 0 };
}

/* Directory listings, read once per process: callouts sorted by path, notifiers in directory
 * order, as upstream runs them. */
static struct strv callout_scripts[2], notifier_scripts[2];
static bool scripts_loaded;

static void list_dir(const char *dir, bool sorted, struct strv *out)
{
	_cleanup_closedir_ DIR *d = path_opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(out, xasprintf("%s/%s", dir, de->d_name));
	if (sorted)
		strv_sort(out);
}

static const char *script_kind(enum event ev)
{
	return ev == EV_NOTIFY ? "notifier script" : "callout script";
}

/* Whether the script at path may run; a refused one is warned about. One that is missing, is
 * not a regular file or cannot be walked to is skipped quietly, as upstream skips a script
 * that cannot be executed. */
static bool script_trusted(const char *path, const char *kind)
{
	_cleanup_free_ char *reason = NULL;
	struct stat st;
	if (path_stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_debug("Ignoring %s \"%s\": not a regular file", kind, path);
		return false;
	}
	int fd = trust_open(path, O_PATH, &reason);
	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (fd == -EPERM)
		log_warn("Ignoring %s \"%s\": %s", kind, path, reason);
	else
		log_debug("Ignoring %s \"%s\": %s", kind, path, os_error_str(-fd));
	return false;
}

/* Under --root, the script judged is the image's (its path resolved within the root); the
 * kernel executes whatever the path names on this system. A script whose path leads out of
 * the image through a link is therefore not run: it would not be the file judged. */
static bool script_in_root(const char *path, const char *kind)
{
	struct stat in_root, here;
	if (!env_offline())
		return true;
	if (path_stat(path, &in_root) == 0 && stat(path, &here) == 0 &&
	    in_root.st_dev == here.st_dev && in_root.st_ino == here.st_ino)
		return true;
	log_warn("Ignoring %s \"%s\": its path leads out of the root directory", kind, path);
	return false;
}

/* Drop the scripts of v that are not trusted, keeping the order of the others. */
static void keep_trusted(struct strv *v, const char *kind)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (script_trusted(v->v[i], kind))
			v->v[k++] = v->v[i];
		else
			free(v->v[i]);
	}
	v->n = k;
	if (v->v)
		v->v[k] = NULL;
}

static void load_scripts(void)
{
	if (scripts_loaded)
		return;
	scripts_loaded = true;
	/* An image's scripts (--root) are programs of another system: they run only when asked
	 * for. Without them, every operation runs as on a host that has no scripts. */
	if (env_offline() && !env_run_callouts()) {
		log_debug("--root without --run-callouts: no callout or notifier script runs");
		return;
	}
	for (int i = 0; i < 2; i++) {
		list_dir(env_callout_dirs()[i], true, &callout_scripts[i]);
		keep_trusted(&callout_scripts[i], script_kind(EV_PRE));
		list_dir(env_notifier_dirs()[i], false, &notifier_scripts[i]);
		keep_trusted(&notifier_scripts[i], script_kind(EV_NOTIFY));
		for (size_t k = 0; k < callout_scripts[i].n; k++)
			log_debug("Found callout script \"%s\"", callout_scripts[i].v[k]);
		for (size_t k = 0; k < notifier_scripts[i].n; k++)
			log_debug("Found notifier script \"%s\"", notifier_scripts[i].v[k]);
	}
}

static bool have_callouts(void)
{
	load_scripts();
	return callout_scripts[0].n + callout_scripts[1].n > 0;
}

static int spawn(const char *path, char *const argv[], int in[2], int out[2], int err[2],
		 pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def, none;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	r = posix_spawn(pid, path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -r;
}

/* Run one script; stdin_data NULL gives the script an empty stdin. 0 with *res filled, or a
 * negative errno when the script could not be started. */
static int run_script(const char *path, const struct mdev *dev, enum event ev,
		      enum callout_action action, enum state st, const char *stdin_data,
		      struct result *res)
{
	char *argv[] = { (char *)path,
			 "-t",
			 dev->type,
			 "-e",
			 (char *)event_names[ev],
			 "-a",
			 (char *)action_names[action],
			 "-s",
			 (char *)state_names[st],
			 "-u",
			 (char *)dev->uuid,
			 "-p",
			 dev->parent,
			 NULL };
	int in[2], out[2], err[2];
	pid_t pid;
	int r;

	*res = (struct result){ 0 };
	/* Judged again: the listing may be long past (a post event follows the operation). */
	if (!script_trusted(path, script_kind(ev)))
		return -EPERM;
	if (!script_in_root(path, script_kind(ev)))
		return -EPERM;
	log_debug("%s-%s: executing \"%s\"", event_names[ev], action_names[action], path);
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		close(in[0]);
		close(in[1]);
		return r;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return r;
	}
	r = spawn(path, argv, in, out, err, &pid);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (r < 0) {
		close(in[1]);
		close(out[0]);
		close(err[0]);
		log_debug("failed to execute callout script \"%s\": %s", path, os_error_str(r));
		return r;
	}

	/* Feed stdin and drain both outputs together, so that a script writing a lot before
	 * reading cannot deadlock us. A script that closes stdin early is not an error. One that
	 * writes more than OUTPUT_MAX to either output is killed: it is broken or hostile, and
	 * reading on would let it grow our memory without bound. */
	const char *data = stdin_data ? stdin_data : "";
	size_t left = strlen(data);
	struct strbuf bo = { 0 }, be = { 0 };
	const char *overflow = NULL;
	struct pollfd p[3] = { { .fd = out[0], .events = POLLIN },
			       { .fd = err[0], .events = POLLIN },
			       { .fd = in[1], .events = POLLOUT } };
	if (left == 0) {
		close(in[1]);
		p[2].fd = -1;
	} else
		(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	while (!overflow && (p[0].fd >= 0 || p[1].fd >= 0)) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2 && !overflow; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			struct strbuf *sb = i ? &be : &bo;
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n > 0 && sb->len + (size_t)n > OUTPUT_MAX)
				overflow = i ? "standard error" : "standard output";
			else if (n > 0)
				sb_add(sb, buf, (size_t)n);
			else if (n == 0 || errno != EINTR) {
				close(p[i].fd);
				p[i].fd = -1;
			}
		}
		if (!overflow && p[2].fd >= 0 && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t n = write(p[2].fd, data, left);
			if (n > 0) {
				data += n;
				left -= (size_t)n;
			}
			if (left == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(p[2].fd);
				p[2].fd = -1;
			}
		}
	}
	if (overflow)
		(void)kill(pid, SIGKILL);
	for (int i = 0; i < 3; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);

	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (overflow) {
		log_warn("%s script \"%s\" was killed: it wrote more than %u bytes to %s",
			 ev == EV_NOTIFY ? "Notifier" : "Callout", path, OUTPUT_MAX, overflow);
		res->overflow = true;
		res->status = -1;
		sb_free(&bo);
		/* What it said on standard error explains the failure, unless that overflowed. */
		if (streq(overflow, "standard error"))
			sb_free(&be);
	} else {
		res->signaled = !WIFEXITED(status);
		res->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (res->signaled)
			log_debug("%s-%s: \"%s\" was killed by signal %d", event_names[ev],
				  action_names[action], path, WTERMSIG(status));
		else
			log_debug("%s-%s: \"%s\" exited with status %d, %zu bytes of output",
				  event_names[ev], action_names[action], path, res->status, bo.len);
	}
	res->out_len = bo.len;
	res->out = sb_steal(&bo);
	res->err_len = be.len;
	res->err = sb_steal(&be);
	return 0;
}

/* Upstream echoes a script's stderr prefixed with the script's name. */
static void print_stderr(const char *path, const struct result *res)
{
	if (res->err_len == 0)
		return;
	const char *b = strrchr(path, '/');
	fprintf(stderr, "%s: ", b ? b + 1 : path);
	fwrite(res->err, 1, res->err_len, stderr);
	fflush(stderr);
}

static int invocation_failure(const char *path, const struct result *res)
{
	if (res->overflow)
		return err_set(-EIO, "Script '\"%s\"' failed: it wrote more than %u bytes", path,
			       OUTPUT_MAX);
	return err_set(-EIO, "Script '\"%s\"' failed with status '%d'", path, res->status);
}

/* Trailing NUL bytes are trimmed from script output, as upstream does. */
static size_t trimmed_len(const char *out, size_t len)
{
	while (len > 0 && out[len - 1] == '\0')
		len--;
	return len;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(names[i], s))
			return (int)i;
	return -1;
}

bool callout_parse_caps(const char *path, const char *out, size_t len, unsigned *ret_actions,
			unsigned *ret_events)
{
	json_t *root = json_loadb(out, trimmed_len(out, len), 0, NULL);
	json_t *sup = root ? json_object_get(root, "supports") : NULL;
	json_t *ver = sup ? json_object_get(sup, "version") : NULL;
	json_t *acts = sup ? json_object_get(sup, "actions") : NULL;
	json_t *evs = sup ? json_object_get(sup, "events") : NULL;
	struct caps c = { 0 };
	bool ok = false, unknown_action = false, unknown_event = false;
	size_t i;
	json_t *v;

	if (!json_is_integer(ver) || json_integer_value(ver) < 0 || !json_is_array(acts) ||
	    !json_is_array(evs))
		goto out;
	json_array_foreach (acts, i, v) {
		if (!json_is_string(v))
			goto out;
		int k = name_index(action_names, ELEMENTSOF(action_names), json_string_value(v));
		if (k < 0)
			unknown_action = true;
		else
			c.actions |= 1u << k;
	}
	json_array_foreach (evs, i, v) {
		if (!json_is_string(v))
			goto out;
		int k = name_index(event_names, ELEMENTSOF(event_names), json_string_value(v));
		if (k < 0)
			unknown_event = true;
		else
			c.events |= 1u << k;
	}
	if (unknown_action)
		log_warn("Callout script \"%s\" provides unknown Action type", path);
	if (unknown_event)
		log_warn("Callout script \"%s\" provides unknown Event type", path);
	*ret_actions = c.actions;
	*ret_events = c.events;
	ok = true;
out:
	json_decref(root);
	return ok;
}

static bool parse_caps(const char *path, const struct result *res, struct caps *ret)
{
	return callout_parse_caps(path, res->out, res->out_len, &ret->actions, &ret->events);
}

/* The per-process cache of the capabilities probe, per (parent, type). */
struct probe {
	char *parent;
	char *type;
	struct script *script; /* NULL: no versioned script */
	struct probe *next;
};
static struct probe *probes;

static struct script *find_versioned(const struct mdev *dev)
{
	for (struct probe *p = probes; p; p = p->next)
		if (streq(p->parent, dev->parent) && streq(p->type, dev->type))
			return p->script;

	struct probe *p = xcalloc(1, sizeof(*p));
	p->parent = xstrdup(dev->parent);
	p->type = xstrdup(dev->type);
	p->next = probes;
	probes = p;
	log_debug("Looking for a versioned callout script for type %s on parent %s", dev->type,
		  dev->parent);

	for (int d = 0; d < 2 && !p->script; d++) {
		for (size_t i = 0; i < callout_scripts[d].n; i++) {
			const char *path = callout_scripts[d].v[i];
			struct result res;
			struct caps c;
			if (run_script(path, dev, EV_GET, CALLOUT_CAPABILITIES, ST_NONE,
				       PROVIDES_JSON, &res) < 0)
				continue;
			if (res.overflow) {
				result_clear(&res);
				continue;
			}
			if (res.signaled) {
				log_warn("callout script \"%s\" was terminated by a signal", path);
				result_clear(&res);
				continue;
			}
			if (res.status == 2 || !parse_caps(path, &res, &c)) {
				log_debug("\"%s\" %s", path,
					  res.status == 2 ? "does not handle this type"
							  : "does not support versioning");
				result_clear(&res);
				continue;
			}
			print_stderr(path, &res);
			result_clear(&res);
			p->script = xcalloc(1, sizeof(*p->script));
			p->script->path = xstrdup(path);
			p->script->caps = c;
			log_debug("\"%s\" is the versioned callout script of type %s on parent %s",
				  path, dev->type, dev->parent);
			break;
		}
	}
	if (!p->script)
		log_debug("No versioned callout script for type %s on parent %s", dev->type,
			  dev->parent);
	return p->script;
}

/* One callout: a device operation in progress with the script chosen for it so far. */
struct callout {
	struct mdev *dev;
	const struct script *script; /* versioned, or the classic one that answered pre */
	struct script classic;
	enum state state;
};

static int check_supported(const struct script *s, enum event ev, enum callout_action action)
{
	if (!(s->caps.actions & (1u << action)))
		return err_set(-EOPNOTSUPP, "Script \"%s\" does not support action '%s'", s->path,
			       action_debug[action]);
	if (!(s->caps.events & (1u << ev)))
		return err_set(-EOPNOTSUPP, "Script \"%s\" does not support event '%s'", s->path,
			       event_debug[ev]);
	return 0;
}

/* Run the event. Returns 1 with *ret filled when a script handled it, 0 when none did, or a
 * negative errno with the error set when the handling script failed. */
static int callout_event(struct callout *c, enum event ev, enum callout_action action,
			 const char *stdin_data, struct result *ret)
{
	struct result res;
	int r;

	if (c->script) {
		r = check_supported(c->script, ev, action);
		if (r < 0)
			return r;
		r = run_script(c->script->path, c->dev, ev, action, c->state, stdin_data, &res);
		if (r < 0)
			return err_os(r, -r, "Unable to run \"%s\"", c->script->path);
		print_stderr(c->script->path, &res);
		if (res.overflow || (!res.signaled && res.status != 0)) {
			r = invocation_failure(c->script->path, &res);
			result_clear(&res);
			return r;
		}
		*ret = res;
		return 1;
	}

	for (int d = 0; d < 2; d++) {
		for (size_t i = 0; i < callout_scripts[d].n; i++) {
			const char *path = callout_scripts[d].v[i];
			if (run_script(path, c->dev, ev, action, c->state, stdin_data, &res) < 0)
				continue;
			if (!res.overflow && res.signaled) {
				log_warn("callout script \"%s\" was terminated by a signal", path);
				result_clear(&res);
				continue;
			}
			if (!res.overflow && res.status == 2) {
				log_debug("\"%s\" does not handle type %s", path, c->dev->type);
				result_clear(&res);
				continue;
			}
			print_stderr(path, &res);
			if (res.overflow || res.status != 0) {
				r = invocation_failure(path, &res);
				result_clear(&res);
				return r;
			}
			/* This script handles the device: later events go straight to it. */
			free(c->classic.path);
			c->classic.path = xstrdup(path);
			c->classic.caps = caps_v1;
			c->script = &c->classic;
			*ret = res;
			return 1;
		}
	}
	log_debug("%s-%s: no callout script for type %s", event_names[ev], action_names[action],
		  c->dev->type);
	return 0;
}

static void notify(struct callout *c, enum callout_action action)
{
	for (int d = 0; d < 2; d++)
		for (size_t i = 0; i < notifier_scripts[d].n; i++) {
			struct result res;
			if (run_script(notifier_scripts[d].v[i], c->dev, EV_NOTIFY, action,
				       c->state, NULL, &res) == 0)
				result_clear(&res);
		}
}

static void callout_init(struct callout *c, struct mdev *dev)
{
	*c = (struct callout){ .dev = dev };
	load_scripts();
	if (have_callouts())
		c->script = find_versioned(dev);
}

static void callout_done(struct callout *c)
{
	free(c->classic.path);
}

static char *config_json(const struct mdev *dev)
{
	json_t *j = json_io_config(dev);
	char *s = json_io_compact(j);
	json_decref(j);
	return s;
}

int callout_invoke(struct mdev *dev, enum callout_action action, bool force,
		   callout_primary_fn primary, void *userdata)
{
	struct callout c;
	struct result res;
	_cleanup_free_ char *conf = config_json(dev);
	int r;

	callout_init(&c, dev);
	r = callout_event(&c, EV_PRE, action, conf, &res);
	if (r > 0)
		result_clear(&res);
	if (r < 0 && force) {
		log_warn("Forcing operation '%s' despite callout failure. Error was: %s",
			 action_names[action], err_get(0));
		err_clear();
		r = 0;
	}
	if (r >= 0) {
		r = primary(dev, userdata);
		c.state = r < 0 ? ST_FAILURE : ST_SUCCESS;
		/* The post callout's result is ignored and must not replace the error of the
		 * operation itself. */
		struct err_stash *saved = err_stash();
		int rp = callout_event(&c, EV_POST, action, conf, &res);
		if (rp > 0)
			result_clear(&res);
		else if (rp < 0)
			log_debug("The post callout failed, which changes nothing: %s", err_get(0));
		err_unstash(saved);
	}
	notify(&c, action);
	callout_done(&c);
	return r;
}

int callout_get_attributes(struct mdev *dev)
{
	struct callout c;
	struct result res;
	int r;

	callout_init(&c, dev);
	if (!have_callouts()) {
		callout_done(&c);
		return 0;
	}
	r = callout_event(&c, EV_GET, CALLOUT_ATTRIBUTES, NULL, &res);
	callout_done(&c);
	if (r <= 0)
		return r;
	r = callout_parse_attributes(dev, res.out, res.out_len);
	result_clear(&res);
	return r;
}

int callout_parse_attributes(struct mdev *dev, const char *out, size_t len)
{
	len = trimmed_len(out, len);
	if (len == 0 || (len == 4 && memcmp(out, "[{}]", 4) == 0))
		return 0;
	json_t *attrs = NULL;
	int r = json_io_parse(out, len, &attrs);
	if (r < 0)
		return err_wrap(r, "Invalid JSON received from callout script");
	r = json_io_load_attrs(dev, attrs);
	json_decref(attrs);
	return r;
}

int callout_get_compat(struct mdev *dev, json_t **ret)
{
	struct callout c;
	struct result res;
	_cleanup_free_ char *conf = config_json(dev);
	int r;

	callout_init(&c, dev);
	if (!c.script || check_supported(c.script, EV_GET, CALLOUT_COMPAT) < 0) {
		err_clear();
		callout_done(&c);
		return 0;
	}
	r = callout_event(&c, EV_GET, CALLOUT_COMPAT, conf, &res);
	callout_done(&c);
	if (r <= 0)
		return r;
	r = callout_parse_compat(res.out, res.out_len, ret);
	result_clear(&res);
	return r;
}

int callout_parse_compat(const char *out, size_t len, json_t **ret)
{
	len = trimmed_len(out, len);
	if (len == 0)
		return 0;
	json_t *facts = NULL;
	int r = json_io_parse(out, len, &facts);
	if (r < 0)
		return err_wrap(r, "Invalid JSON received from callout script");
	if (!json_is_object(facts)) {
		json_decref(facts);
		return err_set(-EINVAL, "Callout script answered '-e get -a compat' with JSON "
					"that is not an object");
	}
	*ret = facts;
	return 1;
}

int callout_live_modify(struct mdev *dev)
{
	struct callout c;
	struct result res;
	_cleanup_free_ char *conf = config_json(dev);
	_cleanup_free_ char *parent = NULL, *type = NULL;
	int r;

	callout_init(&c, dev);
	if (!c.script) {
		callout_done(&c);
		return err_set(
			-EOPNOTSUPP,
			"No callout script with version support found that supports live modify");
	}
	r = sysfs_device_state(dev->uuid, &parent, &type);
	if (r <= 0) {
		/* Not running (the caller has checked that it was): nothing to update. */
		callout_done(&c);
		return r;
	}
	if (!streq(parent, dev->parent))
		r = err_set(-EINVAL,
			    "Device exists under different parent - cannot run live update");
	else if (!streq(type, dev->type))
		r = err_set(-EINVAL, "Device exists with different type - cannot run live update");
	else {
		r = check_supported(c.script, EV_LIVE, CALLOUT_MODIFY);
		if (r < 0) {
			callout_done(&c);
			return r;
		}
		r = callout_event(&c, EV_LIVE, CALLOUT_MODIFY, conf, &res);
		if (r > 0)
			result_clear(&res);
		struct err_stash *saved = err_stash();
		notify(&c, CALLOUT_MODIFY);
		err_unstash(saved);
	}
	callout_done(&c);
	return r < 0 ? r : 0;
}
